"""Nightly entry point: ETL, features, model, report (CSV for the BI tool)."""

from __future__ import annotations

import os
import sys

import pandas as pd

from pipeline import etl, features, model


def main() -> int:
    client = etl.start_cluster(int(os.environ.get("N_GPUS", "4")))
    telemetry = etl.load_telemetry(os.environ["TELEMETRY_PATH"])
    inventory = etl.load_inventory(os.environ["INVENTORY_PATH"])
    joined = etl.join_inventory(telemetry, inventory).compute()
    feats = joined[["temp_c", "power_w", "util"]].astype("float32")
    feats["power_ewma"] = features.ewma(feats[["power_w"]].values).ravel()
    _, auc = model.fit_risk_model(feats, joined["failed"])
    summary: pd.DataFrame = joined.groupby("vendor").agg({"power_w": "mean"}).to_pandas()
    summary.to_csv(sys.stdout)
    print(f"risk model AUC {auc:.3f}", file=sys.stderr)
    client.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
