"""Redaction of credentials, applied to every string that leaves a reader.

Inputs carry secrets more often than anyone intends: private index URLs
with a token in them, ``ENV HF_TOKEN=...`` in a Dockerfile, an NGC API key
in a CI script. :func:`redact` replaces the secret part with ``***`` and
keeps the rest, so a reader of the report still sees *which* index or
variable it was.
"""

from __future__ import annotations

import re

MASK = "***"

# user:password@ or token@ in any URL-like string (pip, git+https, conda).
_URL_USERINFO = re.compile(r"(?P<scheme>\b[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<userinfo>[^/@\s:'\"]+(?::[^/@\s'\"]*)?)@")

# Anaconda's channel tokens ride in the path: https://conda.anaconda.org/t/<token>/<channel>/…
# (also repo.anaconda.cloud and Anaconda Server), with or without the scheme.
_CHANNEL_TOKEN = re.compile(r"(?P<prefix>(?:\b[a-zA-Z][a-zA-Z0-9+.-]*://)?\b[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?::\d+)?/t/)[^/\s'\"]+(?=/)")

# ?token=... &password=... in query strings.
_QUERY_SECRET = re.compile(
    r"(?P<key>[?&;](?:access_token|auth|auth_token|token|api_key|apikey|key|password|passwd|pwd|secret|sig|signature|private_token)=)[^&#\s'\"]+",
    re.IGNORECASE,
)

# NAME=value where the name says it is a secret (Dockerfile ENV/ARG, shell, YAML).
_SECRET_ASSIGNMENT = re.compile(
    r"(?P<key>\b[A-Za-z0-9_]*(?:TOKEN|PASSWORD|PASSWD|SECRET|API_KEY|APIKEY|ACCESS_KEY|PRIVATE_KEY|CREDENTIALS?)[A-Za-z0-9_]*\s*[=:]\s*['\"]?)(?P<value>[^\s'\"]+)",
    re.IGNORECASE,
)

# Well-known token shapes, wherever they stand.
_TOKEN_SHAPES = re.compile(
    r"\b(?:"
    r"gh[pousr]_[A-Za-z0-9]{20,}"
    r"|github_pat_[A-Za-z0-9_]{20,}"
    r"|glpat-[A-Za-z0-9_-]{16,}"
    r"|hf_[A-Za-z0-9]{20,}"
    r"|nvapi-[A-Za-z0-9_-]{20,}"
    r"|sk-[A-Za-z0-9_-]{20,}"
    r"|xox[abprs]-[A-Za-z0-9-]{10,}"
    r"|AKIA[0-9A-Z]{16}"
    r"|eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+"
    r")"
)


def _may_hold_secret(text: str) -> bool:
    """Whether ``text`` has a word that every pattern above needs.

    Most text has none; these substring tests (written out, as a chain of
    ``in`` is several times faster than a loop or a regex here) spare it the
    four substitutions.
    """
    t = text.lower()
    return (
        "://" in t or "/t/" in t or "token" in t or "key" in t or "pass" in t or "secret" in t or "auth" in t
        or "pwd" in t or "sig" in t or "credential" in t or "gh" in t or "glpat-" in t or "hf_" in t
        or "nvapi-" in t or "sk-" in t or "xox" in t or "akia" in t or "eyj" in t
    )  # fmt: skip


def redact(text: str) -> str:
    """Return ``text`` with every credential replaced by ``***``.

    Parameters
    ----------
    text : str

    Returns
    -------
    str
        The same text, secrets masked. Idempotent.

    Examples
    --------
    >>> redact("--extra-index-url https://ci:s3cret@pypi.example.com/simple")
    '--extra-index-url https://***@pypi.example.com/simple'
    """
    if not text or not _may_hold_secret(text):
        return text
    text = _URL_USERINFO.sub(lambda m: f"{m['scheme']}{MASK}@", text)
    text = _CHANNEL_TOKEN.sub(lambda m: f"{m['prefix']}{MASK}", text)
    text = _QUERY_SECRET.sub(lambda m: f"{m['key']}{MASK}", text)
    text = _SECRET_ASSIGNMENT.sub(_mask_assignment, text)
    return _TOKEN_SHAPES.sub(MASK, text)


def _mask_assignment(match: re.Match[str]) -> str:
    value = match["value"]
    # A reference to another variable is not a secret, and keeping it tells
    # the reader where the value comes from.
    if value.startswith(("$", MASK)):
        return match.group(0)
    return f"{match['key']}{MASK}"


def redact_record(record: dict) -> dict:
    """Redact every string value of a record (a finding, a skipped input)."""
    return {k: redact(v) if isinstance(v, str) else v for k, v in record.items()}
