"""A performance transfer model: a throughput ratio where nobody measured one.

A team's workload may have results on its current accelerator only. The
model estimates the target's per-accelerator performance over the
baseline's from what the two accelerators are (memory bandwidth, dense
FLOP/s at the workload's precision, memory size, vendor software stack) and
what is known of the workload (its class: LLM inference, training, vision …),
fitted on every pair of accelerators measured on the same test in the
benchmark table.

All features are differences of logarithms between the two accelerators,
and the model has no intercept, so the estimate for A over B is exactly the
inverse of B over A, and two identical accelerators come out at 1. Its
error is measured by grouped cross-validation: each workload family is left
out in turn and predicted by a model fitted on the others, which is the
situation of a team's own unmeasured workload. Every estimate carries a
P10–P90 band from those out-of-sample errors and is labelled an estimate.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from itertools import permutations

import numpy as np
import pandas as pd
from sklearn.linear_model import Ridge
from sklearn.model_selection import GroupKFold, LeaveOneGroupOut

from lockin.errors import UsageError
from lockin.hardware.results import LATENCY_UNITS
from lockin.hardware.specs import SpecTable

__all__ = ["FEATURES", "Estimate", "TransferModel", "workload_class", "workload_family", "training_pairs"]

#: Features, each a difference between the target and the baseline.
FEATURES = (
    "d_log_bandwidth",
    "d_log_compute",
    "d_log_memory",
    "d_nvidia_stack",
    "llm_x_d_log_bandwidth",
    "training_x_d_log_compute",
)

#: Workload classes, by the first rule whose pattern is in the name.
WORKLOAD_RULES = (
    (r"lora|pretrain|finetune|fine-tune|train", "training"),
    (r"llama|gpt|mixtral|deepseek|qwen|mistral|gemma|falcon|opt-|bloom|llm", "llm"),
    (r"stable-diffusion|sdxl|diffusion|flux", "diffusion"),
    (r"resnet|retinanet|unet|vit|yolo|ssd|efficientnet|mask", "vision"),
    (r"bert|t5|roberta", "nlp"),
    (r"dlrm|recsys|recommend", "recommendation"),
    (r"whisper|rnnt|speech|asr", "speech"),
    (r"gnn|rgat|graph", "graph"),
)

#: Up to this many workload families, each is left out in turn; beyond it,
#: ten grouped folds keep the fitting time flat.
MAX_LOGO_GROUPS = 40

_LOW_PRECISION = re.compile(r"fp8|int8|fp4|mxfp|nvfp|int4|e4m3|e5m2", re.I)


def workload_class(workload: str, scenario: str = "") -> str:
    """The class of a workload name (``llama2-70b-99`` → ``llm``)."""
    text = f"{workload} {scenario}".lower()
    if "time-to-train" in text:
        return "training"
    for pattern, name in WORKLOAD_RULES:
        if re.search(pattern, text):
            return name
    return "other"


def workload_family(workload: str) -> str:
    """A workload without its accuracy target (``llama2-70b-99.9`` → ``llama2-70b``)."""
    return re.sub(r"-99(\.9)?$", "", workload)


def training_pairs(results: pd.DataFrame, specs: SpecTable) -> pd.DataFrame:
    """Every ordered pair of accelerators measured on the same test.

    Returns one row per (round, workload, scenario, baseline, target) with
    the features, ``log_ratio`` (target over baseline, direction-aware), and
    the workload family used to group cross-validation.
    """
    rows = results[(results["division"].str.lower() == "closed") & ~results["unit"].str.strip().str.lower().isin(LATENCY_UNITS)]
    pairs = []
    for (round_, workload, scenario), group in rows.groupby(["round", "workload", "scenario"], sort=True):
        direction = group["direction"].iloc[0]
        if group["direction"].nunique() > 1 or group["unit"].nunique() > 1:
            continue
        best = _best_per_model(group, direction)
        for base, targ in permutations(best.index, 2):
            b, t = best.loc[base], best.loc[targ]
            ratio = t["per_accelerator"] / b["per_accelerator"] if direction == "higher" else b["per_accelerator"] / t["per_accelerator"]
            precision = f"{b['precision']} {t['precision']}"
            pairs.append(
                {
                    "round": round_,
                    "workload": workload,
                    "scenario": scenario,
                    "family": workload_family(workload),
                    "baseline": base,
                    "target": targ,
                    "log_ratio": math.log(ratio),
                    **_features(specs, base, targ, workload_class(workload, scenario), precision),
                }
            )
    return pd.DataFrame(pairs, columns=["round", "workload", "scenario", "family", "baseline", "target", "log_ratio", *FEATURES])


def _best_per_model(group: pd.DataFrame, direction: str) -> pd.DataFrame:
    ordered = group.sort_values("per_accelerator", ascending=(direction == "lower"), kind="stable")
    return ordered.drop_duplicates("model").set_index("model")


def _features(specs: SpecTable, baseline: str, target: str, kind: str, precision: str) -> dict:
    b, t = specs.frame.loc[baseline], specs.frame.loc[target]
    low = bool(_LOW_PRECISION.search(precision or "")) and _has(b, "fp8_dense_tflops") and _has(t, "fp8_dense_tflops")
    column = "fp8_dense_tflops" if low else "fp16_dense_tflops"
    d_bw = math.log(t["memory_bandwidth_tbs"] / b["memory_bandwidth_tbs"])
    d_compute = math.log(t[column] / b[column])
    return {
        "d_log_bandwidth": d_bw,
        "d_log_compute": d_compute,
        "d_log_memory": math.log(t["memory_gb"] / b["memory_gb"]),
        "d_nvidia_stack": float(t["vendor"] == "nvidia") - float(b["vendor"] == "nvidia"),
        "llm_x_d_log_bandwidth": d_bw if kind == "llm" else 0.0,
        "training_x_d_log_compute": d_compute if kind == "training" else 0.0,
    }


def _has(spec: pd.Series, column: str) -> bool:
    value = spec.get(column)
    return value is not None and value == value and value > 0


@dataclass
class Estimate:
    """An estimated ratio (target over baseline) with its P10–P90 band."""

    baseline: str
    target: str
    workload: str
    ratio: float
    p10: float
    p90: float
    cv_error_pct: float
    n_pairs: int
    label: str = "estimate (transfer model)"


@dataclass
class TransferModel:
    """Ridge regression of log throughput ratios on log spec differences.

    Parameters
    ----------
    alpha : float
        Ridge penalty; it keeps the coefficients sensible when few
        accelerators are measured.

    Attributes (after :meth:`fit`)
    ------------------------------
    pairs : DataFrame
        The training pairs.
    cv : dict
        Out-of-sample error: ``rmse_log``, ``mape_pct`` (median absolute
        percentage error of the ratio), ``within_10_pct`` (share of
        predictions within 10 %), the same for a naive bandwidth-ratio
        predictor (``naive_mape_pct``), ``method``, ``n_pairs``,
        ``n_groups``.
    coefficients : dict
    """

    alpha: float = 1.0
    pairs: pd.DataFrame = field(default=None, repr=False)
    cv: dict = field(default_factory=dict)
    coefficients: dict = field(default_factory=dict)
    residuals: np.ndarray = field(default=None, repr=False)

    def fit(self, results: pd.DataFrame, specs: SpecTable) -> TransferModel:
        self.specs = specs
        self.pairs = training_pairs(results, specs)
        if len(self.pairs) < 4 or self.pairs["family"].nunique() < 2:
            raise UsageError(
                f"too few comparable results to fit the transfer model ({len(self.pairs)} pairs over "
                f"{self.pairs['family'].nunique() if len(self.pairs) else 0} workload families; need 4 over 2)"
            )
        X, y, groups = self.pairs[list(FEATURES)].to_numpy(), self.pairs["log_ratio"].to_numpy(), self.pairs["family"].to_numpy()
        self.model_ = Ridge(alpha=self.alpha, fit_intercept=False).fit(X, y)
        self.coefficients = dict(zip(FEATURES, self.model_.coef_.round(4)))
        self.residuals, self.cv = self._cross_validate(X, y, groups)
        return self

    def _cross_validate(self, X, y, groups) -> tuple[np.ndarray, dict]:
        n_groups = len(set(groups))
        splitter = LeaveOneGroupOut() if n_groups <= MAX_LOGO_GROUPS else GroupKFold(n_splits=10)
        method = "leave one workload family out" if n_groups <= MAX_LOGO_GROUPS else "10-fold grouped by workload family"
        predicted = np.empty_like(y)
        for train, test in splitter.split(X, y, groups):
            fold = Ridge(alpha=self.alpha, fit_intercept=False).fit(X[train], y[train])
            predicted[test] = fold.predict(X[test])
        residuals = y - predicted
        naive = y - X[:, FEATURES.index("d_log_bandwidth")]
        return residuals, {
            "method": method,
            "n_pairs": int(len(y)),
            "n_groups": int(n_groups),
            "rmse_log": float(np.sqrt(np.mean(residuals**2))),
            "mape_pct": float(np.median(np.abs(np.expm1(residuals))) * 100),
            "within_10_pct": float(np.mean(np.abs(np.expm1(residuals)) <= 0.10)),
            "naive_mape_pct": float(np.median(np.abs(np.expm1(naive))) * 100),
        }

    def predict(self, baseline: str, target: str, workload: str, *, scenario: str = "", precision: str = "") -> Estimate:
        """Estimate the ratio of ``target`` over ``baseline`` on a workload."""
        if self.pairs is None:
            raise RuntimeError("fit the transfer model first")
        base, targ = self.specs.resolve(baseline), self.specs.resolve(target)
        features = _features(self.specs, base, targ, workload_class(workload, scenario), precision)
        log_ratio = float(self.model_.predict(np.array([[features[f] for f in FEATURES]]))[0])
        low, high = np.quantile(self.residuals, [0.1, 0.9])
        return Estimate(
            baseline=base,
            target=targ,
            workload=workload,
            ratio=math.exp(log_ratio),
            p10=math.exp(log_ratio + low),
            p90=math.exp(log_ratio + high),
            cv_error_pct=self.cv["mape_pct"],
            n_pairs=self.cv["n_pairs"],
        )
