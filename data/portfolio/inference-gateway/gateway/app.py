"""FastAPI front end: forwards to Triton over gRPC and exposes /metrics."""

from __future__ import annotations

import os

import numpy as np
import tritonclient.grpc as grpcclient
import uvicorn
from fastapi import FastAPI
from prometheus_client import make_asgi_app

from gateway import metrics

TRITON_URL = os.environ.get("TRITON_URL", "localhost:8001")

app = FastAPI(title="inference-gateway")
app.mount("/metrics", make_asgi_app())
client = grpcclient.InferenceServerClient(url=TRITON_URL)


@app.post("/v1/embed")
def embed(payload: dict) -> dict:
    ids = np.asarray(payload["input_ids"], dtype=np.int64)[None, :]
    inp = grpcclient.InferInput("input_ids", list(ids.shape), "INT64")
    inp.set_data_from_numpy(ids)
    result = client.infer("bge_embedder", [inp])
    metrics.collect()
    return {"embedding": result.as_numpy("sentence_embedding")[0].tolist()}


def main() -> None:
    uvicorn.run(app, host="0.0.0.0", port=9000)
