"""No credential planted in a portfolio reaches any output, whatever its shape.

The portfolio under ``fixtures/secrets`` carries credentials the way real
projects leak them: Dockerfile ``ENV``/``ARG`` values and ``curl`` headers,
index URLs with user-info and tokens in pip, conda, uv, Poetry, setup.py and
CMake files, Slurm ``export``\\ s, Kubernetes env values, images with
``user:password@registry`` and ``Secret`` data, an SBOM's purls, tokens in
Python and CUDA source. Every value in :data:`PLANTED` must be absent from
every output of ``scan``, ``inventory`` and ``score`` in every format (and
their standard error), and from every file ``report`` writes (notebooks,
HTML, PDF text, CSVs, JSON, the history database) and its own output; while
the names, hosts and files around them stay visible.
"""

from __future__ import annotations

import html
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

PORTFOLIO = Path(__file__).parent / "fixtures" / "secrets"

#: Every credential written into the portfolio, by file. Compared without
#: regard to case, since readers lower-case some names (image references).
PLANTED = (
    # trainer/Dockerfile
    "tkn-Qz7pW2mX9rL4vB8n", "hf_PlantedDockerArgToken12345abc", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzQ8pLs3Tk",
    "4f1d0c9a7be2e3c5d8f6a1b2c3d4e5f6a7b8c9d0", "corr3ct-h0rse", "battery-st4ple", "nvNgcLegacyForm9x8y7z",
    "pypiTok-3344aa", "b3arer-T0k3n-9f8e7d6c5b4a", "curlPassw0rd-77", "YmFzaWNVc2VyOmJhc2ljUGFzcy0zMw==",
    "pipPass-5521", "Xq9-gitClonePass", "hfCliTok-0a9b8c7d", "dockerPass-6677",
    # trainer/requirements.txt
    "reqPass-9911", "reqExtraTok0987654", "linksTok-4455", "enc0dedPw-66", "gitReqTok-5566", "queryTok-7788",
    # trainer/environment.yml
    "condaChanTok-1a2b3c", "condaPass-2468", "envPipTok-1357", "envVarTok-9753",
    # trainer/pyproject.toml
    "depPass-5656", "uvIndexPass-1212", "poetryTok-3434", "pyprojApiKey-7878",
    # trainer/setup.py
    "setupTok-9090", "dlPass-1313", "setupLicKey-2121",
    # trainer/CMakeLists.txt
    "cmakeEnvTok-3535", "cmakeLicKey-4646", "cmakeGitPass-2424", "cmakeDlTok-5757", "cmakeDefTok-6464",
    # trainer/slurm/train.sbatch
    "sbatchCommentTok-9191", "slurmWandb-6868abcd", "slurmHfTok-7979", "slurmSrunSecret-8080",
    # trainer/train.py
    "hf_PlantedPythonConstant0042abcd", "pyWandbKey-5678", "pyTritonPass-1199", "pyHeaderTok-2277",
    "ghp_PlantedGithubToken0123456789abcdefAB",
    # trainer/kernels/attention.cu
    "cuTelemetryPass-1357", "cuApiKey-8024", "AKIAPLANTEDCUDA12345",
    # trainer/deploy/k8s/deployment.yaml
    "k8sImagePass-5858", "k8sDbPass-1414", "k8sFlowTok-2525", "k8sQuotedPass-3636", "k8sUrlPass-4747",
    "k8sBearer-6969xyz", "k8sImgTokOnly-7070", "k8sFoldedTok-1515", "pipConfPass-1616", "pipConfIniPass-1717",
    # trainer/deploy/k8s/secret.yaml
    "azhzU2VjcmV0RGF0YS0wMDE=", "azhzU2VjcmV0SW1hZ2UtMDAy", "k8sStringData-8181", "k8sStringEnv-9292",
    "k8sStrJson-9393", "k8sStrJsonImage-9494",
    "eyJhdXRocyI6eyJyZWdpc3RyeS5leGFtcGxlLmNvbSI6eyJhdXRoIjoiazhzRG9ja2VyQ2ZnLTAxMDEifX19",
    "k8sListSecretImg-1818",
    # serving/Dockerfile
    "ghToken-Plain-5151", "sk-proj-PlantedServingKey000111222333", "camelAuthTok-2626", "srvPipPass-3737",
    "wgetApiKey-4848",
    # serving/deploy/serving.yaml
    "svcImgPass-1919", "svcHubTok-5959", "AKIAPLANTEDSERVING01", "svcPassphrase-7373",
    # serving/Dockerfile: words a malformed ENV leaves apart, echoed by the reader's problems
    "spaceAfterEq-0707", "dockerStrayLine-1010",
    # serving/requirements-serving.txt (references and a broken line are skipped, with reasons)
    "srvReqPass-8484", "srvQueryTok-9595", "refPass-0101", "conTok-0202", "badReqPass-0505",
    # serving/environment.yml (invalid YAML: skipped)
    "brokenEnvPass-0606",
    # serving/sbom.cdx.json
    "sbomPass-2020", "sbomTok-3030", "sbomImgPass-4141",
    # serving/uv.lock
    "uvLockPass-5252", "uvLockTok-6363",
    # portfolio.yml (a comment)
    "pfCommentPass-4040",
)  # fmt: skip

COMMANDS = ("scan", "inventory", "score")
FORMATS = ("table", "json", "csv")


def lockin(*args: str) -> subprocess.CompletedProcess:
    """Run the command line as a user does, in its own process."""
    return subprocess.run([sys.executable, "-m", "lockin", *args], capture_output=True, text=True, timeout=900)


def leaked(text: str) -> list[str]:
    """The planted values that ``text`` holds, whatever their case."""
    folded = text.casefold()
    return [value for value in PLANTED if value.casefold() in folded]


def test_the_corpus_holds_every_planted_value():
    assert len(set(PLANTED)) == len(PLANTED) >= 40
    corpus = "".join(path.read_text() for path in PORTFOLIO.rglob("*") if path.is_file())
    assert [value for value in PLANTED if value not in corpus] == []


@pytest.fixture(scope="module")
def cli_runs() -> dict[tuple[str, str], subprocess.CompletedProcess]:
    return {(command, fmt): lockin(command, str(PORTFOLIO), "--format", fmt, "--no-progress", "-j", "1") for command in COMMANDS for fmt in FORMATS}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("command", COMMANDS)
def test_no_planted_credential_reaches_the_output_of_a_command(cli_runs, command, fmt):
    run = cli_runs[command, fmt]
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip(), "the command wrote nothing: the test would prove nothing"
    assert leaked(run.stdout) == []
    assert leaked(run.stderr) == []


def test_what_is_around_a_credential_stays_visible(cli_runs):
    components = json.loads(cli_runs["inventory", "json"].stdout)
    by_name = {(c["path"], c["name"]): c for c in components}
    # The variable is listed under its name, its value masked.
    for path, name in (("Dockerfile", "WANDB_API_KEY"), ("Dockerfile", "AWS_SECRET_ACCESS_KEY"), ("slurm/train.sbatch", "WANDB_API_KEY"), ("deploy/k8s/deployment.yaml", "DB_PASSWORD")):
        assert by_name[path, name]["spec"] == "***"
    # An ordinary variable keeps its value.
    assert by_name["deploy/k8s/deployment.yaml", "NCCL_SOCKET_IFNAME"]["spec"] == "eth0"
    # The image keeps its registry, repository and tag.
    image = by_name["deploy/k8s/deployment.yaml", "registry.example.com/team/trainer:1.2"]
    assert image["spec"] == "1.2" and "image: ***@registry.example.com/team/trainer:1.2" in image["evidence"]
    # Index hosts stay, without their user-info.
    evidence = "\n".join(c["evidence"] for c in components)
    assert "https://***@pypi.private.example.com/simple" in evidence
    assert "https://***@pypi.corp.example.com/simple" in evidence
    findings = json.loads(cli_runs["scan", "json"].stdout)
    assert any('-H "Authorization: Bearer ***" https://models.example.com/llama.tar' in f["evidence"] for f in findings)
    # Skipped inputs keep their reasons; a YAML error's words ("token", "found") are no credential.
    skipped = cli_runs["scan", "json"].stderr
    assert "serving/environment.yml:3: invalid YAML: found character '\\t' that cannot start any token" in skipped
    assert "referenced file 'https://***@pypi.example.com/base.txt' not found" in skipped


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    out = tmp_path_factory.mktemp("planted") / "reports"
    run = lockin("report", "--period", "2026-11", "--portfolio", str(PORTFOLIO), "--out", str(out), "--no-progress")
    return out, run


def test_the_report_renders_and_its_own_output_holds_no_credential(report):
    _, run = report
    assert run.returncode == 0, run.stderr
    assert leaked(run.stdout) == [] and leaked(run.stderr) == []


def test_no_planted_credential_reaches_any_file_of_the_report(report):
    out, _ = report
    files = sorted(path for path in out.rglob("*") if path.is_file())
    suffixes = {path.suffix for path in files}
    assert {".ipynb", ".html", ".pdf", ".json", ".sqlite", ".csv"} <= suffixes, suffixes
    for path in files:
        texts = [path.read_bytes().decode("utf-8", "replace")]
        if path.suffix in (".html", ".ipynb"):
            texts.append(html.unescape(texts[0]))
        if path.suffix == ".ipynb":
            texts.append(json.dumps(json.loads(texts[0]), ensure_ascii=False))
        if path.suffix == ".pdf":
            texts.append("\n".join(page.extract_text() or "" for page in PdfReader(path).pages))
        if path.suffix == ".sqlite":
            texts.append(database_text(path))
        assert [value for text in texts for value in leaked(text)] == [], f"a credential reached {path}"
    # The report did read the portfolio: its files are in the full tables beside it.
    inputs = (out / "2026-11" / "inputs.csv").read_text()
    assert "deployment.yaml" in inputs and "attention.cu" in inputs
    assert "attention.cu" in (out / "2026-11" / "findings.csv").read_text()


def database_text(path: Path) -> str:
    """Every value of every table of a SQLite file, as text."""
    with sqlite3.connect(path) as connection:
        tables = [name for (name,) in connection.execute("select name from sqlite_master where type = 'table'")]
        return "\n".join(repr(row) for table in tables for row in connection.execute(f'select * from "{table}"'))
