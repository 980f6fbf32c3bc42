"""What-if: the economics again with one input changed."""

from __future__ import annotations

import pandas as pd

__all__ = ["npv_by_price"]


def npv_by_price(assessment, factors) -> pd.DataFrame:
    """The portfolio's NPV with the target accelerator's prices scaled by each factor.

    Effort and performance stay as scored; only the target's purchase price
    and hourly rate change, through the ``prices`` parameter.
    """
    from lockin.scoring.score import score

    params = assessment.params
    target = assessment.hardware.resolve(params.target_accelerator)
    spec = assessment.hardware.specs.frame.loc[target]
    rows = []
    for factor in factors:
        if not factor > 0:
            raise ValueError(f"price factors must be above 0, got {factor!r}")
        price = {k: float(spec[k]) * factor for k in ("purchase_usd", "hourly_usd") if spec[k] == spec[k] and spec[k] > 0}
        if not price:
            raise ValueError(f"{target} has no price to scale (set it in the prices parameter)")
        prices = {**params.prices, target: price}
        varied = params.replace(prices=prices)
        hardware = _with_prices(assessment.hardware, varied)
        total = score(assessment.scan, varied, hardware).portfolio
        rows.append({"factor": factor, "purchase_usd": price.get("purchase_usd"), "npv_usd": total["npv_usd"], "npv_usd_p10": total["npv_usd_p10"], "recommendation": total["recommendation"]})
    return pd.DataFrame(rows)


def _with_prices(hardware, params):
    from dataclasses import replace

    return replace(hardware, specs=hardware.specs.with_prices(params.prices), params=params, _parity=dict(hardware._parity))
