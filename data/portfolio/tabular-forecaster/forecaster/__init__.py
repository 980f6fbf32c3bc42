"""Daily demand forecasting on CPU (gradient boosting on tabular features)."""
