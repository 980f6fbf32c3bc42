"""Redaction of credentials, applied to every string that leaves a reader.

Inputs carry secrets more often than anyone intends: private index URLs
with a token in them, ``ENV HF_TOKEN=...`` in a Dockerfile, an
``Authorization`` header in a ``curl`` command, a password in a
Kubernetes manifest. :func:`redact` replaces the secret part with ``***``
and keeps the rest, so a reader of the report still sees *which* index,
registry or variable it was.

Secrets are recognised by context as well as by shape:

* the user-info of a URL (``https://user:pass@host``) or of an image
  reference without a scheme (``user:pass@registry.example.com/img:tag``);
* Anaconda channel tokens (``…/t/<token>/channel``) and secret-named query
  parameters (``?token=…``);
* the value of a variable, key, header or option whose *name* says it is a
  secret (:func:`is_secret_name`): ``NAME=value``, ``key: value``,
  ``"key": "value"``, ``--token value``, ``ENV NAME value``,
  ``set(NAME value)``, ``{name: NAME, value: value}``;
* the credentials of ``Authorization`` headers and ``Bearer`` tokens, and
  of ``curl -u user:password``;
* well-known token shapes (``hf_…``, ``ghp_…``, ``AKIA…``, JWTs) anywhere.

Every pattern here starts only where a run of the characters it scans
begins (a look-behind rejects the inside of a run), so no input makes it
scan the same characters from many start positions: redaction is linear in
the length of the text.
"""

from __future__ import annotations

import re

MASK = "***"

# ---------------------------------------------------------------------------
# Names that say "secret"
# ---------------------------------------------------------------------------

#: Words that, as one part of a name (``DB_PASSWORD``, ``apiKey``,
#: ``X-Auth-Token``), make its value a secret. Whole parts only: "monkey",
#: "keyboard", "author" and "tokenizer" are ordinary words. Plurals such as
#: "tokens" and "keys" are counts and lists more often than secrets
#: (``MAX_NEW_TOKENS``, ``SORT_KEYS``) and are left out.
SECRET_WORDS = frozenset(
    {
        "secret", "secrets", "token", "key", "password", "passwords", "passwd", "pwd", "pass",
        "passphrase", "credential", "credentials", "creds", "auth", "authorization", "cookie",
        "signature", "apikey", "apitoken", "accesskey", "accesstoken", "authtoken", "authkey",
        "secretkey", "privatekey", "sessiontoken", "clientsecret",
    }
)  # fmt: skip

#: Endings that make a run-together word a secret name (``HFTOKEN``, ``ghpassword``).
_SECRET_ENDINGS = ("token", "password", "passwd", "secret", "apikey", "accesskey", "secretkey", "privatekey")

#: Last parts that make a secret-sounding name describe something else:
#: ``SECRET_NAME`` names a Kubernetes Secret, ``TOKEN_URL`` is where to get
#: one, ``PASSWORD_FILE`` is a path; URLs are still checked for user-info.
_NOT_SECRET_LAST = frozenset(
    {
        "name", "names", "url", "uri", "urls", "host", "hostname", "endpoint", "server", "file", "path",
        "dir", "type", "mode", "method", "enabled", "enable", "required", "length", "size", "count",
        "timeout", "ttl", "stdin", "ref", "id", "region", "provider", "version", "format", "algorithm",
        "kind", "env",
    }
)  # fmt: skip

#: Words before "key", "token" or "pass" that make it an ordinary one: a
#: Kubernetes ``topologyKey``, a database's ``PRIMARY_KEY``, a tokenizer's
#: ``pad_token`` and ``max_token``, a compiler's ``first_pass``.
_ORDINARY_QUALIFIERS = {
    "key": frozenset(
        "topology sort partition primary foreign cache routing idempotency lookup group label node match "
        "public shard row column dedup unique composite index hash map dict object message event order search join".split()
    ),
    "token": frozenset("pad eos bos unk sep cls mask start end stop special new max min next first last prev input output".split()),
    "pass": frozenset("first second third single multi one two forward backward render compile".split()),
}

# Parts of a name: 'AWS_SECRET_ACCESS_KEY', 'openaiApiKey', 'X-Auth-Token', 'HTTPAuth'.
_NAME_PART = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")


def is_secret_name(name: str) -> bool:
    """Whether a variable, key, option or header name says its value is a secret.

    Parameters
    ----------
    name : str
        ``WANDB_API_KEY``, ``db-password``, ``apiKey``, ``--hf-token``,
        ``Authorization``, ``ENV{HF_TOKEN}`` …

    Returns
    -------
    bool
        True when one part of the name is a secret word (see
        :data:`SECRET_WORDS`) and its last part does not make it the name
        of something else (``SECRET_NAME``, ``TOKEN_URL``).

    Examples
    --------
    >>> is_secret_name("AWS_SECRET_ACCESS_KEY"), is_secret_name("monkey"), is_secret_name("AUTHOR")
    (True, False, False)
    """
    # 'spring.datasource.password' is a password, 'key.value' an attribute.
    parts = [part.lower() for part in _NAME_PART.findall(name.rsplit(".", 1)[-1])]
    if not parts or parts[-1] in _NOT_SECRET_LAST:
        return False
    for index, part in enumerate(parts):
        if part in SECRET_WORDS or part.endswith(_SECRET_ENDINGS):
            if index == 0 or parts[index - 1] not in _ORDINARY_QUALIFIERS.get(part, ()):
                return True
    return False


def redact_value(name: str, value: str) -> str:
    """The value of a variable as it may be shown: masked when its name says secret.

    A reference to another variable (``$HF_TOKEN``, ``${{ secrets.X }}``) is
    kept: it is no secret, and it tells the reader where the value comes from.
    """
    if value and is_secret_name(name) and not _is_reference(value):
        return MASK
    return redact(value)


def redact_component(kind: str, name: str, spec: str, evidence: str) -> tuple[str, str, str]:
    """Name, spec and evidence of a component, with every credential masked.

    Parameters
    ----------
    kind : str
        The component kind; for variables and settings (``env``, ``build``,
        ``cluster``) the name says whether the spec is a secret.
    name, spec : str
        As a reader wrote them: for a variable, its name and its value.
    evidence : str
        The line, already passed through :func:`redact`.

    Returns
    -------
    tuple of str
        When ``name`` says secret, its value is masked in ``spec`` and
        wherever it stands in ``evidence`` (a Kubernetes ``env`` entry
        keeps its value on another line, or in a flow mapping, where no
        pattern ties it to the name).
    """
    shown_name, shown_spec = clip(name), clip(spec)
    if kind not in _VARIABLE_KINDS:
        return redact(shown_name), redact(shown_spec), evidence
    shown = redact_value(shown_name, shown_spec)
    if shown == MASK and spec != MASK:
        # Whole words only: 'TOKEN=TOKEN' must not lose its name. A value
        # longer than the evidence line kept is masked from where it starts.
        in_evidence = spec if spec in evidence else _cut_value(spec, evidence)
        if in_evidence:
            evidence = re.sub(rf"(?<![A-Za-z0-9_]){re.escape(in_evidence)}(?![A-Za-z0-9_])", MASK, evidence)
    return redact(shown_name), shown, evidence


#: The most characters of a component's name or spec that are shown: the
#: cut evidence lines get (:meth:`lockin.records.ReadResult.add`). Real names
#: and specs are shorter; a longer one is hostile or generated, and no
#: pattern of :func:`redact` is run over more than this.
MAX_SHOWN_CHARS = 240


def clip(text: str, limit: int = MAX_SHOWN_CHARS) -> str:
    """``text`` cut to ``limit`` characters, ending in ``…`` when cut.

    The word the cut goes through is dropped whole (with it, any credential
    it held: cut before its ``@``, user-info would no longer look like it).
    """
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    last_blank = max(head.rfind(" "), head.rfind("\t"))
    return head[: last_blank + 1] + "…"


def _cut_value(value: str, evidence: str) -> str:
    """The end of ``evidence`` where ``value`` starts but was cut off, or ""."""
    for start in range(len(evidence)):
        if value.startswith(evidence[start:]) and evidence[start:]:
            return evidence[start:]
    return ""


#: Component kinds whose name is a variable or setting and whose spec is its
#: value (a package's spec is a version, whatever the package is called).
_VARIABLE_KINDS = frozenset({"env", "build", "cluster"})


# ---------------------------------------------------------------------------
# Patterns
# ---------------------------------------------------------------------------

# A run of characters ending in '@': the user-info of a URL or of an image
# reference, or anything else with an '@'. Which it is, is judged from what
# stands around it (see _mask_userinfo).
_AT_RUN = re.compile(r"(?<![^\s/@'\"<>(){}\[\]`])(?P<run>[^\s/@'\"<>(){}\[\]`]+)@")
# Without a scheme, what follows the '@' of user-info is a host name (with a
# dot, or a port), not an image digest ('img:tag@sha256:…') …
_HOST = re.compile(r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?::\d+)?|[A-Za-z0-9-]+:\d+|localhost")
_DIGEST = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[+._-][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}")
# … and after the host, a path when the user-info is a token alone (so that
# an e-mail address is not taken for one), or anything that ends a host.
_AFTER_HOST_PATH = re.compile(r"/")
_AFTER_HOST_END = re.compile(r"[/?#\s'\"]|$")
# Where user-info starts inside a run: after the last of these that stands
# before its first ':' ('DATABASE_URL=user:pass', '?repository_url=u:p').
_USERINFO_START = re.compile(r"[=,;&?]")

# Anaconda's channel tokens ride in the path: https://conda.anaconda.org/t/<token>/<channel>/…
# (also repo.anaconda.cloud and Anaconda Server), with or without the scheme.
_CHANNEL_TOKEN = re.compile(r"(?<![A-Za-z0-9.-])(?P<prefix>[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?::\d+)?/t/)[^/\s'\"]+(?=/)")

# ?token=... &password=... in query strings.
_QUERY_SECRET = re.compile(
    r"(?P<key>[?&;](?:access_token|auth|auth_token|token|api_key|apikey|key|password|passwd|pwd|secret|sig|signature|private_token)=)(?P<value>[^&;#\s'\"]+)",
    re.IGNORECASE,
)

# A name with a separator after it: NAME=, key:, "key":, os.environ["NAME"] =, and
# ("NAME", "value") as os.getenv and setenv take them. Names start where a run
# of name characters starts.
_NAME_SEPARATOR = re.compile(
    r"(?<![\w.$-])(?P<name>-{0,2}[A-Za-z_][\w.-]*)"
    r"(?P<sep>[\"']?\]?[ \t]*(?::=|=>|=(?![=~])|:(?![:/=]))[ \t]*"
    r"|[\"'][ \t]*,[ \t]*(?=[\"']))"
)
# The value after a separator: quoted (to the closing quote or the end of the
# line) or plain; a plain value ends at a blank after '=', at a comma,
# comment or bracket after ':' (YAML's plain scalars hold blanks).
_QUOTED_VALUE = re.compile(r"(?P<open>[\"'])(?P<value>(?:\\.|(?!(?P=open))[^\\\n])*)(?P=open)?")
_PLAIN_VALUE_AFTER_EQUALS = re.compile(r"[^\s\"'`,;&|<>(){}\[\]]+")
_PLAIN_VALUE_AFTER_COLON = re.compile(r"[^\n\"'`,#{}\[\]]*[^\s\"'`,#{}\[\]]")
_PLAIN_TO_LINE_END = re.compile(r"[^\n]*[^\s]")
# The name os.getenv("NAME", "value") takes; the name in {name: NAME, value: …}.
_ENVIRONMENT_ARGUMENT = re.compile(r"[A-Z][A-Z0-9_]*")
_VARIABLE_NAME = re.compile(r"[\w.-]+")
# Source code on the right of '=': attribute access and calls.
_DOTTED_NAME = re.compile(r"[A-Za-z_]\w{0,30}(?:\.[A-Za-z_]\w{0,30})+")
_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")
_DOTTED_OR_NAME = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")
# More code after an identifier on the right of a spaced '=': an operator, a string prefix's quote, ';'.
_CODE_AFTER_NAME = re.compile(r"[ \t]*[-+*/%<>=!&|^?:;.,)\"']")
# An authentication scheme before the credentials: 'Authorization: Bearer <token>'.
_AUTH_SCHEME = re.compile(r"(?i)(?:bearer|basic|token|digest|bot|jwt|apikey|negotiate|ntlm|aws4-hmac-sha256)[ \t]+")
# A Kubernetes env entry in one line: {name: DB_PASSWORD, value: …}.
_THEN_VALUE_KEY = re.compile(r"[\"']?[ \t]*,[ \t]*[\"']?value[\"']?[ \t]*:[ \t]*")
# Characters before a name that make 'name: value' a mapping key, not prose
# ('while scanning for the next token: found …' is an error message).
_KEY_LEADS = frozenset("\n{[(,;-\"'")

# ENV NAME value (the Dockerfile's legacy form) and CMake's set(NAME value).
_SPACED_ASSIGNMENT = re.compile(
    r"(?im)(?:^[ \t]*(?:ONBUILD[ \t]+)?ENV[ \t]+|\bset\([ \t]*)(?P<name>ENV\{[A-Za-z_]\w*\}|[A-Za-z_]\w*)[ \t]+(?=[^\s=])"
)
# --token value, --api-key value: an option whose last part is a secret word.
_OPTION_THEN_VALUE = re.compile(r"(?<!\S)(?P<name>--?[A-Za-z][\w-]*)[ \t]+(?=[^\s-])")
# curl -u user:password, --user=user:password, --proxy-user.
_USER_OPTION = re.compile(r"(?<!\S)(?P<key>(?:-u|--user|--proxy-user)(?:[ \t]+|=)[\"']?[^\s:\"']+:)(?P<value>[^\s\"']+)")
# 'Bearer <token>' wherever it stands.
_BEARER = re.compile(r"(?<![\w-])(?P<key>[Bb]earer[ \t]+)(?P<value>[A-Za-z0-9._~+/-]+=*)")

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
    # A JWT starts where a run of its characters starts: from every '-' of
    # 'eyJaaaaaaaa-eyJaaaaaaaa-…' the scan would run to the end of it.
    r"|(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+"
    r")"
)


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
    >>> redact('RUN curl -H "Authorization: Bearer abc123def456" https://example.com')
    'RUN curl -H "Authorization: Bearer ***" https://example.com'
    """
    if not text:
        return text
    # Most text (source lines, versions) has nothing a pattern needs: these
    # substring tests (written out, as a chain of ``in`` is several times
    # faster than a loop or a regex here) spare it the patterns. Masking only
    # removes text, so a test on the original text stays valid.
    t = text.lower()
    if "@" in t:
        text = _AT_RUN.sub(_mask_userinfo, text)
    if "/t/" in t:
        text = _CHANNEL_TOKEN.sub(lambda m: f"{m['prefix']}{MASK}", text)
    # Every word of SECRET_WORDS and _SECRET_ENDINGS holds one of these.
    named = (
        "key" in t or "token" in t or "pass" in t or "pwd" in t or "secret" in t or "auth" in t
        or "cred" in t or "cookie" in t or "signature" in t
    )  # fmt: skip
    if "=" in t and (named or "sig" in t):
        text = _QUERY_SECRET.sub(_mask_after_key, text)
    if named:
        text = _mask_named_values(text)
    if "-u" in t:
        text = _USER_OPTION.sub(_mask_after_key, text)
    if "bearer" in t:
        text = _BEARER.sub(_mask_bearer, text)
    if (
        "gh" in t or "_pat_" in t or "glpat-" in t or "hf_" in t or "nvapi-" in t or "sk-" in t or "xox" in t
        or "akia" in t or "eyj" in t
    ):  # fmt: skip
        text = _TOKEN_SHAPES.sub(MASK, text)
    return text


def redact_record(record: dict) -> dict:
    """Redact every string value of a record (a finding, a skipped input)."""
    return {k: redact(v) if isinstance(v, str) else v for k, v in record.items()}


# ---------------------------------------------------------------------------
# User-info
# ---------------------------------------------------------------------------


def _mask_userinfo(match: re.Match[str]) -> str:
    """The run before an '@' with its user-info masked, if it has one."""
    run = match["run"]
    text, start, at = match.string, match.start(), match.end()
    after_scheme = text.endswith("://", 0, start)
    colon = run.find(":")
    if not after_scheme:
        host = _HOST.match(text, at)
        if host is None or _DIGEST.match(text, at):
            return match.group(0)
        # 'user:password@host' ends anywhere; a token alone needs a path
        # after the host, so that 'jane@example.com' stays an address.
        after = _AFTER_HOST_END if colon >= 0 else _AFTER_HOST_PATH
        if after.match(text, host.end()) is None:
            return match.group(0)
    if run.strip("*") == "":
        return match.group(0)  # masked already
    # Inside a run such as 'DATABASE_URL=user:pass' or '?repository_url=u:p'
    # the user-info starts after the last separator before its first colon.
    head_end = colon if colon >= 0 else len(run)
    cut = 0
    if not after_scheme:
        for separator in _USERINFO_START.finditer(run, 0, head_end):
            cut = separator.end()
    if cut >= len(run):
        return match.group(0)
    return f"{run[:cut]}{MASK}@"


# ---------------------------------------------------------------------------
# Values of secret names
# ---------------------------------------------------------------------------


def _mask_named_values(text: str) -> str:
    """Mask the value after every secret name in ``text``.

    Each pattern finds names in one pass; a value is read from where its
    name's separator ends, and names inside a value already masked are
    skipped, so each character is looked at a bounded number of times.
    """
    spans = _spans_after(_NAME_SEPARATOR, text, _secret_value_span)
    spans += _spans_after(_SPACED_ASSIGNMENT, text, _spaced_value_span)
    spans += _spans_after(_OPTION_THEN_VALUE, text, _option_value_span)
    if not spans:
        return text
    pieces: list[str] = []
    done = 0
    for start, end in sorted(spans):
        if end <= done:
            continue
        pieces.append(text[done:max(start, done)])
        pieces.append(MASK)
        done = end
    pieces.append(text[done:])
    return "".join(pieces)


def _spans_after(pattern: re.Pattern[str], text: str, value_span) -> list[tuple[int, int]]:
    """Spans of the secret values ``value_span`` finds after matches of ``pattern``."""
    spans = []
    done = 0
    for match in pattern.finditer(text):
        if match.start() < done:
            continue  # inside a value already masked
        span = value_span(match)
        if span is not None:
            spans.append(span)
            done = span[1]
    return spans


def _spaced_value_span(match: re.Match[str]) -> tuple[int, int] | None:
    if not is_secret_name(match["name"]):
        return None
    # The legacy ENV form's value is the rest of the line; set()'s ends at ')'.
    plain = _PLAIN_TO_LINE_END if match.group(0).lstrip().upper().startswith(("ENV", "ONBUILD")) else _PLAIN_VALUE_AFTER_EQUALS
    return _value_span(match.string, match.end(), plain)


def _option_value_span(match: re.Match[str]) -> tuple[int, int] | None:
    if not _is_secret_option(match["name"]):
        return None
    return _value_span(match.string, match.end(), _PLAIN_VALUE_AFTER_EQUALS)


def _secret_value_span(match: re.Match[str]) -> tuple[int, int] | None:
    """Where the secret value after a name and separator is, or None."""
    text, name, sep = match.string, match["name"], match["sep"]
    if name.lower().lstrip("-") == "name":
        return _flow_env_value(match)
    if not is_secret_name(name):
        return None
    if "," in sep and (not _ENVIRONMENT_ARGUMENT.fullmatch(name) or not text.endswith(("(\"", "('"), 0, match.start())):
        return None  # a list of words, not os.getenv("NAME", "value")
    colon = ":" in sep and "=" not in sep
    if colon and not _at_key_position(text, match.start(), name):
        return None
    if name.strip("-").rsplit(".", 1)[-1].lower() == "key":
        return None  # 'key:' names a field (tolerations, secretKeyRef, labels' key=value), not a secret
    span = _value_span(text, match.end(), _PLAIN_VALUE_AFTER_COLON if colon else _PLAIN_VALUE_AFTER_EQUALS)
    if span is None or _is_code(text, span, spaced=not colon and re.search(r"[ \t]=", sep) is not None):
        return None
    return span


def _flow_env_value(match: re.Match[str]) -> tuple[int, int] | None:
    """In ``{name: DB_PASSWORD, value: …}``, the span of the value."""
    text = match.string
    quoted = _QUOTED_VALUE.match(text, match.end())
    if quoted is not None:
        variable, end = quoted["value"], quoted.end()
    else:
        plain = _VARIABLE_NAME.match(text, match.end())
        if plain is None:
            return None
        variable, end = plain.group(0), plain.end()
    if not is_secret_name(variable):
        return None
    value_key = _THEN_VALUE_KEY.match(text, end)
    if value_key is None:
        return None
    return _value_span(text, value_key.end(), _PLAIN_VALUE_AFTER_COLON)


def _value_span(text: str, at: int, plain_value: re.Pattern[str]) -> tuple[int, int] | None:
    """Span of the secret part of the value that starts at ``at``, or None
    when there is nothing to mask (a reference, an empty value, a mask)."""
    quoted = _QUOTED_VALUE.match(text, at)
    if quoted is not None:
        start, end = quoted.start("value"), quoted.end("value")
    else:
        plain = plain_value.match(text, at)
        if plain is None:
            return None
        start, end = plain.span()
    scheme = _AUTH_SCHEME.match(text, start, end)
    if scheme is not None:
        start = scheme.end()
    value = text[start:end]
    if not value or _is_reference(value) or value[0] in "{[":
        return None
    return start, end


def _is_code(text: str, span: tuple[int, int], spaced: bool) -> bool:
    """Whether an unquoted value is an expression of source code, not a
    literal: ``token=get_token()``, ``"token": frozenset(…)``, and after a
    spaced '=' (which no shell or Dockerfile assignment has, as in
    ``TOKEN=abc.def``) ``token = blockIdx.x;``, ``in_token = chars != 0``,
    ``KEY = r"…"``; but not ``password = hunter2`` alone on its line."""
    start, end = span
    if start > 0 and text[start - 1] in "\"'":
        return False  # a quoted literal
    name = _DOTTED_OR_NAME.match(text, start, end)
    if name is not None and name.end() < len(text) and text[name.end()] in "([":
        return True  # starts with a call or a subscript
    if not spaced:
        return False
    if _DOTTED_NAME.fullmatch(text, start, end):
        return True
    rest = _CODE_AFTER_NAME.match(text, end)
    return _IDENTIFIER.fullmatch(text, start, end) is not None and rest is not None


def _is_reference(value: str) -> bool:
    """A value that names where the secret comes from rather than being it."""
    return value.startswith(("$", "{{", "${", "%(", "<", MASK)) or value.strip("*") == ""


def _at_key_position(text: str, start: int, name: str) -> bool:
    """Whether a name before ':' stands where a key does (line start, after
    ``{``, ``,``, ``- `` or a quote), not inside a sentence."""
    if "authorization" in name.lower():
        return True  # a header wherever it stands
    index = start - 1
    while index >= 0 and text[index] in " \t":
        index -= 1
    return index < 0 or text[index] in _KEY_LEADS


def _is_secret_option(option: str) -> bool:
    """Whether ``--hf-token`` (its last part a secret word) takes a secret."""
    parts = [part.lower() for part in _NAME_PART.findall(option)]
    return bool(parts) and (parts[-1] in SECRET_WORDS or parts[-1].endswith(_SECRET_ENDINGS))


def _mask_after_key(match: re.Match[str]) -> str:
    # A value another pattern masked ('***<') stays as it is: idempotence.
    return match.group(0) if match["value"].startswith(MASK) else f"{match['key']}{MASK}"


def _mask_bearer(match: re.Match[str]) -> str:
    value = match["value"]
    # 'bearer tokens' in prose is no credential; a token has digits or length.
    if value.startswith(MASK) or not (len(value) >= 20 or (len(value) >= 8 and any(c.isdigit() for c in value))):
        return match.group(0)
    return f"{match['key']}{MASK}"
