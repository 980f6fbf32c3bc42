"""Credentials never survive redaction, and ordinary text is left alone."""

from hypothesis import given
from hypothesis import strategies as st

from lockin.redact import redact

SECRET = "s3cr3t-T0ken"


def test_url_userinfo_is_masked_but_host_kept():
    text = f"--extra-index-url https://ci-bot:{SECRET}@pypi.internal.example.com/simple"
    assert redact(text) == "--extra-index-url https://***@pypi.internal.example.com/simple"


def test_token_only_userinfo_is_masked():
    assert redact("git+https://ghp_abcdefghijklmnopqrstuvwxyz0123456789@github.com/org/repo.git") == "git+https://***@github.com/org/repo.git"


def test_conda_channel_tokens_in_the_path_are_masked():
    url = f"https://conda.anaconda.org/t/{SECRET}/nvidia/linux-64/cuda-nvcc-12.6.77-0.conda"
    assert redact(url) == "https://conda.anaconda.org/t/***/nvidia/linux-64/cuda-nvcc-12.6.77-0.conda"
    assert redact(f"  - repo.anaconda.cloud/t/{SECRET}/main") == "  - repo.anaconda.cloud/t/***/main"
    assert redact(f"https://conda.example.com:8443/t/{SECRET}/nvidia::cudatoolkit") == "https://conda.example.com:8443/t/***/nvidia::cudatoolkit"
    assert redact("https://example.com/docs/t/") == "https://example.com/docs/t/"  # no token after it


def test_query_tokens_are_masked():
    assert redact("https://example.com/simple?token=abc123&x=1") == "https://example.com/simple?token=***&x=1"


def test_secret_assignments_are_masked_but_variable_references_kept():
    assert redact("ENV HF_TOKEN=hf_abcdefghijklmnopqrstuvwxyz") == "ENV HF_TOKEN=***"
    assert redact("ARG NGC_API_KEY=$NGC_KEY") == "ARG NGC_API_KEY=$NGC_KEY"
    assert redact("export WANDB_API_KEY=0123456789abcdef") == "export WANDB_API_KEY=***"


def test_known_token_shapes_are_masked_anywhere():
    assert SECRET not in redact(f"password: {SECRET}")
    assert "nvapi-" not in redact("key nvapi-AbCdEfGhIjKlMnOpQrStUvWxYz012345")


def test_ordinary_evidence_is_untouched():
    for text in ("cudaMalloc(&ptr, bytes);", "ENV NCCL_IB_HCA=mlx5", "FROM nvcr.io/nvidia/pytorch:24.05-py3", "torch==2.3.1+cu121"):
        assert redact(text) == text


@given(
    user=st.from_regex(r"[A-Za-z0-9_.-]{1,12}", fullmatch=True),
    password=st.from_regex(r"[A-Za-z0-9_.~-]{4,24}", fullmatch=True),
    host=st.from_regex(r"[a-z]{2,10}\.(com|org|io)", fullmatch=True),
    prefix=st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=20),
)
def test_no_password_in_any_url_survives(user, password, host, prefix):
    redacted = redact(f"{prefix} https://{user}:{password}@{host}/simple")
    assert f":{password}@" not in redacted
    assert f"https://***@{host}/simple" in redacted


@given(st.text())
def test_redaction_is_idempotent(text):
    once = redact(text)
    assert redact(once) == once
