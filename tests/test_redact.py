"""Credentials never survive redaction, and ordinary text is left alone."""

import signal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lockin.inventory.conda import read_conda_environment
from lockin.inventory.dockerfile import read_dockerfile
from lockin.inventory.images import normalise_image
from lockin.inventory.kubernetes import read_kubernetes
from lockin.records import InputError
from lockin.redact import is_secret_name, redact, redact_component

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


# ---------------------------------------------------------------------------
# By context: the name says secret
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ENV AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG", "ENV AWS_SECRET_ACCESS_KEY=***"),
        ("ARG TOKEN=tkn-Qz7pW2mX9rL4", "ARG TOKEN=***"),
        ('ENV DB_PASSWORD="corr3ct h0rse"', 'ENV DB_PASSWORD="***"'),
        ("ENV NGC_API_KEY nvNgcLegacy9x8", "ENV NGC_API_KEY ***"),  # the legacy ENV form
        ("    WANDB_API_KEY=4f1d0c9a7be2 \\", "    WANDB_API_KEY=*** \\"),
        ("password: correct horse battery", "password: ***"),  # a YAML plain scalar holds blanks
        ('"client_secret": "cs-12ab"', '"client_secret": "***"'),
        ("  - {name: API_TOKEN, value: k8sFlowTok-25}", "  - {name: API_TOKEN, value: ***}"),
        ('{"name": "DB_PASSWORD", "value": "pw-0042"}', '{"name": "DB_PASSWORD", "value": "***"}'),
        ('os.environ["WANDB_API_KEY"] = "pyWandbKey-56"', 'os.environ["WANDB_API_KEY"] = "***"'),
        ('os.getenv("HF_TOKEN", "hf-default-12")', 'os.getenv("HF_TOKEN", "***")'),
        ("HfApi(token='tok-12345')", "HfApi(token='***')"),
        ('set(ENV{HF_TOKEN} "cmakeEnvTok-35")', 'set(ENV{HF_TOKEN} "***")'),
        ('target_compile_definitions(k PRIVATE TELEMETRY_TOKEN="def-64")', 'target_compile_definitions(k PRIVATE TELEMETRY_TOKEN="***")'),
        ("srun --export=ALL,SECRET_KEY=srunSecret-80 python x.py", "srun --export=ALL,SECRET_KEY=*** python x.py"),
        ("huggingface-cli login --token hfCliTok-0a9b && nvcc -V", "huggingface-cli login --token *** && nvcc -V"),
        ("docker login --username bot --password dockerPass-66 reg.example.com", "docker login --username bot --password *** reg.example.com"),
        ("ENV ServiceAuthToken=camelAuthTok-26", "ENV ServiceAuthToken=***"),
        ("spring.datasource.password: pw-77", "spring.datasource.password: ***"),
        ("curl -u deploy:curlPassw0rd-77 https://a.example.com", "curl -u deploy:*** https://a.example.com"),
    ],
)
def test_values_of_secret_named_variables_are_masked_by_context(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "ARG NGC_API_KEY=$NGC_KEY",  # a reference says where the value comes from
        "ENV HF_TOKEN=${HF_TOKEN}",
        "token: ${{ secrets.HF_TOKEN }}",
        'pad_token: "<pad>"',
        "const int token = blockIdx.x;",  # code, not a literal
        "token = get_token()",
        'api_key = os.environ["OPENAI_API_KEY"]',
        "in_token = chars != 0",
        "merged[row.key] = row",
        "secretKeyRef: {name: s3, key: id}",
        "  - key: nvidia.com/gpu",  # tolerations and affinity name a label key
        "topologyKey: kubernetes.io/hostname",
        "imagePullSecrets: [regcred]",
        "SECRET_NAME=db-credentials",  # names the Secret, is none
        "MAX_NEW_TOKENS=4096",
        "echo x | docker login --password-stdin registry.example.com",
        "keyboard: qwerty, monkey=banana, author: Ada",
        'x = ("secret", "token", "key")',
    ],
)
def test_what_only_looks_like_a_secret_is_left_alone(text):
    assert redact(text) == text


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("AWS_SECRET_ACCESS_KEY", True), ("WANDB_API_KEY", True), ("apiKey", True), ("X-Auth-Token", True),
        ("db-password", True), ("DB_PASSWD", True), ("HFTOKEN", True), ("--hf-token", True), ("Authorization", True),
        ("GOOGLE_APPLICATION_CREDENTIALS_JSON", True), ("NGC_KEY", True), ("ENV{HF_TOKEN}", True),
        ("monkey", False), ("keyboard", False), ("author", False), ("AUTHOR_EMAIL", False), ("tokenizer", False),
        ("MAX_NEW_TOKENS", False), ("SECRET_NAME", False), ("TOKEN_URL", False), ("PASSWORD_FILE", False),
        ("topologyKey", False), ("PRIMARY_KEY", False), ("pad_token", False), ("first_pass", False), ("bypass", False),
    ],
)  # fmt: skip
def test_names_say_secret_by_their_parts_not_by_substrings(name, secret):
    assert is_secret_name(name) is secret


def test_a_yaml_error_message_keeps_its_words():
    # PyYAML's message says "… the next token: found character …": 'token:'
    # in a sentence is no key, and "found" is no credential.
    text = "name: trainer\ndependencies:\n\t- numpy\n"
    with pytest.raises(InputError) as error:
        read_conda_environment(text, "environment.yml")
    message = str(error.value)
    assert "found character" in message and redact(message) == message
    # PyYAML's own wording, which the reader showed before it used lockin.yamlsafe.
    pyyaml = "environment.yml:3: invalid YAML: while scanning for the next token: found character '\\t' that cannot start any token"
    assert redact(pyyaml) == pyyaml


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('curl -H "Authorization: Bearer b3arer-T0k3n-9f8e" https://x.example.com', 'curl -H "Authorization: Bearer ***" https://x.example.com'),
        ("curl --header 'Authorization: Basic YmFzaWM6cGFzcw==' https://x.example.com", "curl --header 'Authorization: Basic ***' https://x.example.com"),
        ('headers={"Authorization": "Token pyHeaderTok-22"}', 'headers={"Authorization": "Token ***"}'),
        ("Authorization: abcdef123456", "Authorization: ***"),
        ('wget --header="X-API-Key: wgetApiKey-48" https://m.example.com', 'wget --header="X-API-Key: ***" https://m.example.com'),
        ("PRIVATE-TOKEN: glToken-1234", "PRIVATE-TOKEN: ***"),
        ("value: Bearer k8sBearer-6969xyz", "value: Bearer ***"),
    ],
)
def test_authorization_headers_keep_their_scheme_and_lose_their_credentials(text, expected):
    assert redact(text) == expected


def test_bearer_in_prose_is_left_alone():
    text = "the bearer of bad news; bearer tokens are sent in a header"
    assert redact(text) == text


# ---------------------------------------------------------------------------
# User-info of URLs and image references
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("image: pullbot:k8sImagePass-58@registry.example.com/team/trainer:1.2", "image: ***@registry.example.com/team/trainer:1.2"),
        ("image: tok-7070@registry.example.com/team/fetch:2.0", "image: ***@registry.example.com/team/fetch:2.0"),
        ('image: "bot:pw-19@registry.example.com:5000/x/bench@sha256:' + "0f" * 32 + '"', 'image: "***@registry.example.com:5000/x/bench@sha256:' + "0f" * 32 + '"'),
        ("value: postgres://dbuser:k8sUrlPass-47@db.example.com:5432/app", "value: postgres://***@db.example.com:5432/app"),
        ("DATABASE_URL=dbuser:pw-0042@db.example.com:5432/app", "DATABASE_URL=***@db.example.com:5432/app"),
        ("pkg:docker/vllm@0.6.4?repository_url=u:sbomImgPass-41@registry.example.com", "pkg:docker/vllm@0.6.4?repository_url=***@registry.example.com"),
    ],
)
def test_user_info_is_masked_in_urls_and_in_image_references_without_a_scheme(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "nvcr.io/nvidia/pytorch:24.05-py3@sha256:" + "0f1e2d3c" * 8,  # a digest, not a password
        "ubuntu:22.04@sha256:" + "ab" * 32,
        "maintainer: jane@example.com",
        "git@github.com:org/repo.git",
        "@triton.jit",
    ],
)
def test_digests_addresses_and_decorators_are_no_user_info(text):
    assert redact(text) == text


def test_image_names_drop_the_user_info_and_keep_the_registry():
    assert normalise_image("pullbot:pw-58@registry.example.com/team/trainer:1.2") == ("registry.example.com/team/trainer:1.2", "1.2")
    assert normalise_image("nvcr.io/nvidia/pytorch:24.05-py3@sha256:" + "ab" * 32) == ("nvcr.io/nvidia/pytorch:24.05-py3", "24.05-py3")


# ---------------------------------------------------------------------------
# Components and Kubernetes Secrets
# ---------------------------------------------------------------------------


def test_a_secret_variable_loses_its_value_in_spec_and_evidence():
    # The value of a Kubernetes env entry is on its own line or in a flow
    # mapping: the name (known to the reader) says it is a secret.
    assert redact_component("env", "DB_PASSWORD", "k8sDbPass-1414", "- {name: DB_PASSWORD, value: 'k8sDbPass-1414'}") == (
        "DB_PASSWORD",
        "***",
        "- {name: DB_PASSWORD, value: '***'}",
    )
    assert redact_component("env", "HF_TOKEN", "$HF_TOKEN", "export HF_TOKEN=$HF_TOKEN") == ("HF_TOKEN", "$HF_TOKEN", "export HF_TOKEN=$HF_TOKEN")
    assert redact_component("env", "NCCL_IB_HCA", "mlx5", "ENV NCCL_IB_HCA=mlx5") == ("NCCL_IB_HCA", "mlx5", "ENV NCCL_IB_HCA=mlx5")


def test_a_package_named_like_a_secret_keeps_its_version():
    assert redact_component("package", "django-rest-auth", "==0.9.5", "django-rest-auth==0.9.5") == ("django-rest-auth", "==0.9.5", "django-rest-auth==0.9.5")


def test_a_dockerfile_problem_does_not_echo_the_value_a_blank_split_off():
    # 'API_KEY= value' (a blank after '=') leaves the value a word of its own.
    dockerfile = "FROM ubuntu:22.04\nENV API_KEY= spaceAfterEq-0707\nARG TOKEN=abc def-0808\nENV A=1 stray-word\n"
    messages = [problem.message for problem in read_dockerfile(dockerfile, "Dockerfile").problems]
    assert messages == [
        "ENV: expected NAME=value, found '***'",
        "ARG: '***' is not a variable name",
        "ENV: expected NAME=value, found 'stray-word'",  # after an ordinary variable, the word is shown
    ]


def test_kubernetes_secret_data_is_never_evidence():
    manifest = (
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n"
        "data:\n  image: azhzU2VjcmV0SW1hZ2U=\n"
        "stringData:\n  env: plain-secret-1\n  image: registry.example.com/x:1\n"
        "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: c\n      image: registry.example.com/app:2\n"
    )
    evidence = read_kubernetes(manifest, "k8s.yaml").evidence
    assert [(e.kind, e.name, e.line) for e in evidence] == [("image", "registry.example.com/app:2", 18)]


# ---------------------------------------------------------------------------
# Linear time on adversarial input
# ---------------------------------------------------------------------------

ADVERSARIAL_UNITS = [
    "a-", "a!", "a:", "=a:x", "monkey=", "token: ", "@a.", "x.y/t/", 'TOKEN="', "Bearer ", "{name: TOKEN, value: ",
    "--token ", "a.", "a://", "u:p@", "A_KEY_", "?token=a;", "set(TOKEN ", "a.b:1:", "x@a.b", 'token="\\', "ENV TOKEN a ", "eyJaaaaaaaa-",
]  # fmt: skip


@pytest.mark.parametrize("unit", ADVERSARIAL_UNITS)
def test_redaction_takes_linear_time_on_adversarial_input(unit):
    # Issue 18: '"git+https://github." + "a-" * 8000' took the old user-info
    # and channel-token patterns quadratic time (minutes at 100 KB).
    text = "git+https://github." + unit * (100_000 // len(unit))
    previous = signal.signal(signal.SIGALRM, _too_slow)
    signal.alarm(30)  # a generous guard: linear redaction takes milliseconds
    try:
        redacted = redact(text)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert redact(redacted) == redacted


def _too_slow(signum, frame):
    raise TimeoutError("redact() did not finish on a 100 KB adversarial string")


# ---------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------

_PREFIXES = st.lists(st.sampled_from(["DB", "AWS", "WANDB", "HF", "GITHUB", "MY_SERVICE", "OPENAI", "ci"]), max_size=2)
_SECRET_PARTS = st.sampled_from(["TOKEN", "PASSWORD", "SECRET", "API_KEY", "ACCESS_KEY", "PASSWD", "CREDENTIALS", "AUTH_TOKEN", "apiKey", "Secret"])
_VALUES = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9+/_.~-]{5,40}", fullmatch=True)


@given(prefix=_PREFIXES, part=_SECRET_PARTS, value=_VALUES, form=st.sampled_from(["export {n}={v}", "ENV {n}={v}", "{n}: {v}", '"{n}": "{v}"', "  - {{name: {n}, value: {v}}}"]))
def test_the_value_of_any_secret_named_variable_is_masked(prefix, part, value, form):
    name = "_".join([*prefix, part])
    redacted = redact(form.format(n=name, v=value))
    assert value not in redacted
    assert name in redacted  # which variable it was stays visible


def test_a_token_shape_alone_is_masked():
    # The old pre-filter looked for "gh", which 'github_pat_' does not hold.
    assert redact("github_pat_11ABCDEF0123456789_zyxwvutsrqponmlkjiZYXWVU") == "***"
