"""Failure-risk model: k-means device clusters plus a random forest."""

from __future__ import annotations

import cudf
from cuml.cluster import KMeans
from cuml.ensemble import RandomForestClassifier
from cuml.metrics import roc_auc_score
from cuml.model_selection import train_test_split


def cluster_devices(features: cudf.DataFrame, k: int = 8) -> cudf.Series:
    km = KMeans(n_clusters=k, random_state=7)
    return cudf.Series(km.fit_predict(features))


def fit_risk_model(features: cudf.DataFrame, failed: cudf.Series) -> tuple[RandomForestClassifier, float]:
    x_train, x_test, y_train, y_test = train_test_split(features, failed, test_size=0.2, random_state=7)
    model = RandomForestClassifier(n_estimators=200, max_depth=12, n_streams=4)
    model.fit(x_train, y_train)
    auc = float(roc_auc_score(y_test, model.predict_proba(x_test)[:, 1]))
    return model, auc
