"""Train the demand model and write the 28-day forecast.

We evaluated device="cuda" for XGBoost and torch.cuda for an LSTM baseline;
both lost to this CPU model on cost, so the job stays on CPU nodes.
"""

from __future__ import annotations

import argparse
import os

import pandas as pd
from sklearn.metrics import mean_absolute_percentage_error
from sklearn.model_selection import TimeSeriesSplit
from xgboost import XGBRegressor

from forecaster.features import add_calendar, add_lags

FEATURES = ["sales_lag1", "sales_lag7", "sales_lag28", "sales_roll7", "days_to_holiday", "dow", "month"]


def build_model() -> XGBRegressor:
    # tree_method "hist" on CPU; switching to a GPU would only change device.
    return XGBRegressor(
        n_estimators=600,
        max_depth=8,
        learning_rate=0.05,
        tree_method="hist",
        device="cpu",
        n_jobs=int(os.environ.get("OMP_NUM_THREADS", "4")),
    )


def cross_validate(df: pd.DataFrame) -> float:
    scores = []
    for train_idx, test_idx in TimeSeriesSplit(n_splits=4).split(df):
        model = build_model().fit(df.iloc[train_idx][FEATURES], df.iloc[train_idx]["sales"])
        pred = model.predict(df.iloc[test_idx][FEATURES])
        scores.append(mean_absolute_percentage_error(df.iloc[test_idx]["sales"], pred))
    return sum(scores) / len(scores)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--horizon", type=int, default=28)
    parser.add_argument("--data", default=os.environ.get("DATA_BUCKET", "data/sales.parquet"))
    args = parser.parse_args()
    df = add_calendar(add_lags(pd.read_parquet(args.data), "sales")).dropna()
    print(f"cv MAPE {cross_validate(df):.4f} for horizon {args.horizon}")


if __name__ == "__main__":
    main()
