"""benchmarks/validate.py: the metric functions on hand-made frames, the
hipify diff on hand-written before/after text, and one run on a tiny fake
repository with a fake judged file."""

import importlib.util
import json
import math
import os
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "validate.py"


def _load():
    spec = importlib.util.spec_from_file_location("validate_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


validate = _load()

JUDGED_HEADER = "path,line,name,kind,origin,expected,vendor,portability,covered,reason\n"


def judged_frame(tmp_path, rows):
    path = tmp_path / "judged.csv"
    path.write_text(JUDGED_HEADER + "".join(r + "\n" for r in rows))
    return validate.read_judged(path)


def findings_frame(rows, covered=None):
    frame = pd.DataFrame(rows, columns=["path", "line", "name", "vendor", "portability"])
    frame["line"] = frame["line"].astype("Int64")
    if covered is not None:
        frame["covered"] = covered
    return frame


# --------------------------------------------------------------------------
# inputs


def test_folder_name_joins_owner_and_name_with_plus():
    assert validate.folder_name("karpathy/llm.c") == "karpathy+llm.c"


def test_read_judged_names_file_and_line_of_a_bad_expected_value(tmp_path):
    path = tmp_path / "j.csv"
    path.write_text(JUDGED_HEADER + "a.cu,3,cudaMalloc,api,lockin,yes,nvidia,translatable,,ok\na.cu,4,x,api,manual,maybe,,,,?\n")
    with pytest.raises(validate.ValidationError, match=r"j\.csv:3: expected must be yes or no, not 'maybe'"):
        validate.read_judged(path)


def test_read_judged_rejects_a_line_that_is_not_a_positive_integer(tmp_path):
    path = tmp_path / "j.csv"
    path.write_text(JUDGED_HEADER + "a.cu,0,cudaMalloc,api,lockin,yes,nvidia,translatable,,ok\n")
    with pytest.raises(validate.ValidationError, match=r"j\.csv:2: line must be"):
        validate.read_judged(path)


def test_read_judged_reports_missing_columns(tmp_path):
    path = tmp_path / "j.csv"
    path.write_text("path,line,name\na.cu,1,x\n")
    with pytest.raises(validate.ValidationError, match=r"j\.csv:1: missing column\(s\) kind, origin"):
        validate.read_judged(path)


def test_read_repositories_checks_supports_amd(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("repository,commit,shape,supports_amd,notes\na/b,abc,tool,perhaps,x\n")
    with pytest.raises(validate.ValidationError, match=r"r\.csv:2: supports_amd must be yes, partial or no"):
        validate.read_repositories(path)


# --------------------------------------------------------------------------
# judged metrics


@pytest.fixture
def matched(tmp_path):
    judged = judged_frame(
        tmp_path,
        [
            "k.cu,10,cudaMalloc,api,lockin,yes,nvidia,translatable,no,runtime call",  # found, right
            "k.cu,11,cudaMemcpyToSymbol,api,lockin,yes,nvidia,translatable,yes,found; wrong portability and covered",
            "k.cu,12,CUDA_CHECK,api,lockin,no,,,,own macro",  # found: false positive
            "k.cu,13,cuda_runtime.h,include,manual,yes,nvidia,translatable,,include",  # not found: missed
            "k.cu,14,warp-size-32,construct,lockin,no,,,,layout arithmetic",  # not found: right negative
            "k.cu,15,hipMalloc,api,lockin,yes,amd,portable,yes,wrong vendor",  # found, vendor nvidia: wrong; covered not compared (AMD)
        ],
    )
    findings = findings_frame(
        [
            ("k.cu", 10, "cudaMalloc", "nvidia", "translatable"),
            ("k.cu", 10, "cudaMalloc", "nvidia", "rewrite"),  # a duplicate: the first counts
            ("k.cu", 11, "cudaMemcpyToSymbol", "nvidia", "replaceable"),
            ("k.cu", 12, "CUDA_CHECK", "nvidia", "translatable"),
            ("k.cu", 13, "CUDA_RUNTIME.H", "nvidia", "translatable"),  # names compare case-sensitively
            ("k.cu", 15, "hipMalloc", "nvidia", "portable"),
            ("k.cu", 99, "cudaFree", "nvidia", "translatable"),  # not judged: ignored
        ],
        covered=[False, False, False, False, False, False, False],
    )
    return validate.match_judged(judged, findings)


def test_judged_counts_and_metrics_follow_the_definitions(matched):
    counts = validate.judged_counts(matched)
    assert counts["judged"] == 6
    assert counts["matched"] == 4  # lines 10, 11, 12, 15
    assert counts["matched_yes"] == 3
    assert counts["expected_yes"] == 4
    assert counts["portability_right"] == 2  # 11 is wrong
    assert counts["vendor_right"] == 2  # 15 is wrong
    assert counts["covered_judged"] == 2 and counts["covered_right"] == 1  # 10 right, 11 wrong, 15 is an AMD finding: not compared
    metrics = validate.judged_metrics(counts)
    assert metrics["precision"] == pytest.approx(3 / 4)
    assert metrics["judged_recall"] == pytest.approx(3 / 4)
    assert metrics["verdict_accuracy"] == pytest.approx(2 / 3)
    assert metrics["vendor_accuracy"] == pytest.approx(2 / 3)
    assert metrics["covered_accuracy"] == pytest.approx(1 / 2)


def test_metrics_are_nan_without_a_denominator():
    counts = dict.fromkeys(["judged", "matched", "matched_yes", "expected_yes", "found_yes", "portability_right", "vendor_right", "covered_judged", "covered_right"], 0)
    assert all(math.isnan(v) for v in validate.judged_metrics(counts).values())


def test_mismatches_list_each_disagreement_once(matched):
    listing = validate.judged_mismatches(matched)
    got = sorted(zip(listing["problem"], listing["line"], listing["judged"], listing["lockin"]))
    assert got == [
        ("false-positive", 12, "expected=no", "reported"),
        ("missed", 13, "expected=yes", "not reported"),
        ("wrong-covered", 11, "yes", "no"),
        ("wrong-portability", 11, "translatable", "replaceable"),
        ("wrong-vendor", 15, "amd", "nvidia"),
    ]


def test_match_without_a_covered_column_leaves_coverage_unjudged(tmp_path):
    judged = judged_frame(tmp_path, ["k.cu,10,cudaMalloc,api,lockin,yes,nvidia,translatable,yes,x"])
    matched = validate.match_judged(judged, findings_frame([("k.cu", 10, "cudaMalloc", "nvidia", "translatable")]))
    assert validate.judged_counts(matched)["covered_judged"] == 0
    assert "wrong-covered" not in set(validate.judged_mismatches(matched)["problem"])


# --------------------------------------------------------------------------
# hipify diff


def test_code_only_lines_blanks_comments_and_literals_across_lines():
    text = 'a(); // cudaFree\n/* cudaMalloc\n cudaMemcpy */ b(cudaSetDevice);\nputs("cudaGetLastError \\" x");\nint n = 1\'000; char c = \'"\'; cudaStream_t s;\nR"x(cudaEvent_t)x" cudaEvent_t e;'
    lines = text.split("\n")
    code = validate.code_only_lines(text)
    assert len(code) == len(lines)
    assert "cudaFree" not in code[0] and "a();" in code[0]
    assert "cudaMalloc" not in code[1]
    assert "cudaMemcpy" not in code[2] and "cudaSetDevice" in code[2]
    assert "cudaGetLastError" not in code[3] and "x" not in code[3]
    assert "cudaStream_t" in code[4]  # the digit separator and the char literal did not open a literal
    assert code[5].count("cudaEvent_t") == 1


def test_converted_identifiers_are_the_replaced_tokens():
    before = "    check(cudaMemcpy(dst, src, n, cudaMemcpyDeviceToHost)); // copy"
    after = "    check(hipMemcpy(dst, src, n, hipMemcpyDeviceToHost)); // copy"
    assert validate.converted_identifiers(before, after) == ["cudaMemcpy", "cudaMemcpyDeviceToHost"]
    assert validate.converted_identifiers(before, before) == []


def test_converted_include_yields_the_header_path_as_written():
    assert validate.converted_identifiers("#include <cuda_runtime.h>", '#include <hip/hip_runtime.h>') == ["cuda_runtime.h"]
    assert validate.converted_identifiers('#  include "cublas_v2.h" // blas', '#  include "hipblas.h" // blas') == ["cublas_v2.h"]


def test_converted_pairs_align_lines_after_an_inserted_header_and_mark_exclusions():
    before = (
        "#include <cuda_runtime.h>\n"  # 1
        "int main() {\n"
        "  float* p;\n"
        "  cudaMalloc(&p, 4); // then cudaFree\n"  # 4
        "  // cudaDeviceReset here\n"  # 5
        '  puts("cudaFree"); cudaFree(p);\n'  # 6
        "#define cudaStream_t hipStream_t\n"  # 7: a shim
        "#define CHECK(x) cudaGetLastError()\n"  # 8: a macro using a CUDA name
        '#include "vector_types.h"\n'  # 9: the project's own header
        "#include <vector_types.h>\n"  # 10: the toolkit's
        "}\n"
    )
    after = (
        '#include "hip/hip_runtime.h"\n#include <hip/hip_runtime.h>\nint main() {\n  float* p;\n  hipMalloc(&p, 4); // then hipFree\n'
        '  // hipDeviceReset here\n  puts("hipFree"); hipFree(p);\n#define hipStream_t hipStream_t\n#define CHECK(x) hipGetLastError()\n'
        '#include "hip/hip_vector_types.h"\n#include <hip/hip_vector_types.h>\n}\n'
    )
    pairs = validate.converted_pairs(before, after, own_header=lambda header: header == "vector_types.h")
    got = sorted(zip(pairs["line"], pairs["name"], pairs["excluded"]))
    assert got == [
        (1, "cuda_runtime.h", ""),
        (4, "cudaFree", "comment-or-string"),  # only in the comment of that line
        (4, "cudaMalloc", ""),
        (5, "cudaDeviceReset", "comment-or-string"),
        (6, "cudaFree", ""),  # in a string and in code: in code
        (7, "cudaStream_t", "alias-definition"),
        (8, "cudaGetLastError", ""),
        (9, "vector_types.h", "own-header"),
        (10, "vector_types.h", ""),  # an angle include is not looked up in the project
    ]


def test_hipify_recall_counts_only_counted_pairs():
    pairs = pd.DataFrame({"path": ["a.cu"] * 4, "line": [1, 4, 4, 6], "name": ["cuda_runtime.h", "cudaMalloc", "cudaFree", "cudaFree"], "excluded": ["", "", "comment-or-string", ""]})
    findings = findings_frame([("a.cu", 1, "cuda_runtime.h", "nvidia", "translatable"), ("a.cu", 4, "cudaMalloc", "nvidia", "translatable"), ("a.cu", 5, "cudaFree", "nvidia", "translatable")])
    counts = validate.hipify_recall_counts(pairs, findings)
    assert counts == {"converted": 3, "reported": 2, "excluded": 1, "excluded_comment_or_string": 1, "excluded_alias_definition": 0, "excluded_own_header": 0}
    assert validate.hipify_missed(pairs, findings)["line"].tolist() == [6]


def test_a_converted_namespace_is_reported_by_a_finding_it_qualifies():
    pairs = pd.DataFrame({"path": ["a.cu"] * 3, "line": [3, 4, 5], "name": ["cub", "cub", "cuda"]})
    findings = findings_frame([("a.cu", 3, "cub::BlockLoad", "nvidia", "replaceable"), ("a.cu", 4, "cubBlockLoad", "nvidia", "replaceable"), ("a.cu", 5, "at::cuda::getCurrentCUDAStream", "nvidia", "translatable")])
    assert validate.reported_mask(pairs, findings).tolist() == [True, False, False]


def test_cuda_source_files_takes_cuda_files_and_hosts_that_include_cuda(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / ".git").mkdir()
    (tmp_path / "src" / "k.cu").write_text("__global__ void k() {}\n")
    (tmp_path / "src" / "k.cuh").write_text("\n")
    (tmp_path / "src" / "host.cpp").write_text("#include <vector>\n  #include <cuda_runtime.h>\n")
    (tmp_path / "src" / "blas.h").write_text('#include "cublas_v2.h"\n')
    (tmp_path / "src" / "plain.cpp").write_text("#include <vector>\n// cuda_runtime.h\n")
    (tmp_path / "src" / "k.hip").write_text("\n")
    (tmp_path / ".git" / "x.cu").write_text("\n")
    assert validate.cuda_source_files(tmp_path) == ["src/blas.h", "src/host.cpp", "src/k.cu", "src/k.cuh"]


def test_sample_files_is_reproducible_and_bounded():
    files = [f"f{i}.cu" for i in range(50)]
    first = validate.sample_files(files, 10, seed=3, salt="a/b")
    assert len(first) == 10 and first == sorted(first) and set(first) <= set(files)
    assert validate.sample_files(list(reversed(files)), 10, seed=3, salt="a/b") == first
    assert validate.sample_files(files, 10, seed=4, salt="a/b") != first
    assert validate.sample_files(files[:5], 10, seed=3, salt="a/b") == files[:5]


# --------------------------------------------------------------------------
# scores and verdicts


def test_project_figures_without_readiness_column_gives_nan():
    frame = pd.DataFrame([{"record": "project", "project": "p", "rating": "B", "effort_pm_p10": 1.0, "effort_pm_p50": 2.0, "effort_pm_p90": 3.0, "roadblocks": 4}, {"record": "portfolio", "project": None, "rating": "B"}])
    figures = validate.project_figures(frame, "p")
    assert figures["effort_pm_p50"] == 2.0 and figures["rating"] == "B"
    assert math.isnan(figures["readiness"]) and figures["target_paths"] == ""


def test_support_checks():
    good = validate.support_checks(True, {"effort_pm_p50": 0.5, "rating": "A"}, 10.0)
    assert good == {"effort_share": 0.05, "effort_ok": True, "rating_ok": True}
    bad = validate.support_checks(True, {"effort_pm_p50": 2.0, "rating": "C"}, 10.0)
    assert bad["effort_ok"] is False and bad["rating_ok"] is False
    unknown = validate.support_checks(True, {"effort_pm_p50": 2.0, "rating": "A"}, math.nan)
    assert unknown["effort_ok"] is None and unknown["rating_ok"] is True
    assert validate.support_checks(False, {"effort_pm_p50": 2.0, "rating": "E"}, 1.0)["effort_ok"] is None


def test_verdicts_pass_fail_and_not_available():
    overall = {"precision": 0.98, "verdict_accuracy": 0.90, "hipify_recall": math.nan}
    checks = validate.verdicts(overall, [])
    assert [checks[k]["result"] for k in ("precision", "verdict_accuracy", "hipify_recall")] == ["pass", "fail", "n/a"]


def test_json_ready_makes_strict_json():
    import numpy as np

    assert json.dumps(validate.json_ready({"a": math.nan, "b": np.int64(3), "c": [np.float64(math.inf), pd.NA]}), allow_nan=False) == '{"a": null, "b": 3, "c": [null, null]}'


# --------------------------------------------------------------------------
# a run on a fake repository


@pytest.fixture
def realcode(tmp_path):
    tree = tmp_path / "realcode" / "acme+kernels"
    tree.mkdir(parents=True)
    (tree / "k.cu").write_text(
        "#include <cuda_runtime.h>\n"  # 1
        "// cudaFree is only mentioned here\n"  # 2
        "void f(float* p) {\n"  # 3
        "  cudaMalloc(&p, 16);\n"  # 4
        "}\n"
    )
    data = tmp_path / "data"
    (data / "judged").mkdir(parents=True)
    (data / "repositories.csv").write_text("repository,commit,shape,supports_amd,notes\nacme/kernels,0123456789012345678901234567890123456789,kernel-library,no,fake\nacme/absent,0123456789012345678901234567890123456789,tool,no,not extracted\n")
    (data / "judged" / "acme+kernels.csv").write_text(
        JUDGED_HEADER
        + "k.cu,4,cudaMalloc,api,lockin,yes,nvidia,translatable,no,runtime allocation\n"
        + "k.cu,2,cudaFree,api,manual,no,,,,a comment is not evidence\n"
        + "k.cu,1,cuda_runtime.h,include,lockin,yes,nvidia,rewrite,no,judged wrongly on purpose\n"
    )
    return tmp_path


def _run(realcode, *extra):
    data = realcode / "data"
    return validate.main(["--realcode", str(realcode / "realcode"), "--repositories", str(data / "repositories.csv"), "--judged", str(data / "judged"), "--jobs", "1", "--out", str(realcode / "out"), *extra])


def test_run_on_a_fake_repository_writes_results_and_mismatches(realcode, capsys):
    assert _run(realcode, "--hipify-files", "0") == 0
    captured = capsys.readouterr()
    assert "missing: acme/absent" in captured.err
    assert "acme/kernels" in captured.out and "overall" in captured.out
    (json_path,) = (realcode / "out").glob("validate-*[0-9].json")
    document = json.loads(json_path.read_text())
    (repo,) = document["repositories"]
    assert repo["repository"] == "acme/kernels" and repo["commit"] == "0123456789012345678901234567890123456789"
    assert repo["precision"] == 1.0 and repo["judged_recall"] == 1.0 and repo["verdict_accuracy"] == 0.5
    assert repo["effort_pm_p50"] is not None and repo["rating"] in "ABCDE"
    assert document["missing_repositories"] == ["acme/absent"]
    assert document["verdicts"]["verdict_accuracy"]["result"] == "fail"
    assert _run(realcode, "--hipify-files", "0", "--no-write", "--strict") == 3
    mismatches = pd.read_csv(next((realcode / "out").glob("validate-*-mismatches.csv")))
    assert mismatches[["problem", "line", "name"]].values.tolist() == [["wrong-portability", 1, "cuda_runtime.h"]]
    assert mismatches["lockin_on_line"].tolist() == ["include:cuda_runtime.h"]


@pytest.mark.skipif(shutil.which("perl") is None, reason="needs perl")
def test_run_counts_conversions_of_a_hipify_stand_in(realcode, capsys):
    # A stand-in for hipify-perl (not a copy of it): renames two names and a header, like the real one.
    fake = realcode / "fake-hipify"
    fake.write_text("while (<>) { s/\\bcudaMalloc\\b/hipMalloc/g; s/\\bcudaFree\\b/hipFree/g; s/<cuda_runtime\\.h>/<hip\\/hip_runtime.h>/; print; }\n")
    assert _run(realcode, "--hipify-perl", str(fake), "--no-write") == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("acme/kernels"))
    # counted: the include (line 1) and cudaMalloc (line 4); cudaFree on line 2 is in a comment
    assert " 2 " in f" {row} " and "100.0%" in row


def test_run_without_realcode_dir_is_a_clear_error(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("REALCODE_DIR", raising=False)
    assert validate.main(["--repositories", str(tmp_path / "none.csv")]) == 2
    assert "no REALCODE_DIR" in capsys.readouterr().err


def test_run_with_nothing_extracted_is_an_error(realcode, capsys):
    shutil.rmtree(realcode / "realcode" / "acme+kernels")
    assert _run(realcode, "--hipify-files", "0") == 2
    assert "none of the 2 repositories" in capsys.readouterr().err


def test_names_on_lines_shows_what_lockin_reports_there():
    findings = findings_frame([("a.cu", 3, "cub::BlockLoad", "nvidia", "replaceable"), ("a.cu", 3, "cub/cub.cuh", "nvidia", "replaceable")]).assign(kind=["api", "include"])
    listing = pd.DataFrame({"path": ["a.cu", "a.cu", "b.cu"], "line": pd.array([3, 4, pd.NA], dtype="Int64")})
    assert validate.names_on_lines(listing, findings).tolist() == ["api:cub::BlockLoad; include:cub/cub.cuh", "", ""]


def test_a_judged_row_without_line_matches_a_finding_without_line(tmp_path):
    judged = judged_frame(tmp_path, ["pyproject.toml,,cupy-cuda12x,package,lockin,yes,nvidia,replaceable,,wheel for CUDA 12", "pyproject.toml,,cupy,package,lockin,yes,neutral,portable,,other name"])
    findings = findings_frame([("pyproject.toml", None, "cupy-cuda12x", "nvidia", "replaceable")])
    assert validate.match_judged(judged, findings)["found"].tolist() == [True, False]


def test_support_checks_fail_a_missing_rating():
    assert validate.support_checks(True, {"effort_pm_p50": 0.0, "rating": ""}, 1.0)["rating_ok"] is False


def test_without_support_names_an_unknown_parameter():
    with pytest.raises(validate.ValidationError, match="lockin has no parameter 'no_such_thing'"):
        validate.without_support_override("no_such_thing=false")
    assert validate.without_support_override("draws=1000") == ("draws", 1000)


def test_only_an_unknown_repository_is_an_error(realcode, capsys):
    assert _run(realcode, "--only", "acme/nothing") == 2
    assert "--only: acme/nothing not in" in capsys.readouterr().err


def test_a_judged_file_without_repository_row_is_reported(realcode, capsys):
    (realcode / "data" / "judged" / "acme+stray.csv").write_text(JUDGED_HEADER)
    assert _run(realcode, "--hipify-files", "0", "--no-write") == 0
    assert "judged/acme+stray.csv has no row" in capsys.readouterr().err


def test_mismatch_summary_counts_by_problem():
    frames = [pd.DataFrame({"problem": ["missed", "false-positive", "missed"]}), pd.DataFrame()]
    assert validate.mismatch_summary(frames) == "mismatches: false-positive 1, missed 2"
    assert validate.mismatch_summary([pd.DataFrame()]) == "mismatches: none"


def test_image_without_tag():
    assert validate.image_without_tag("nvcr.io/nvidia/pytorch:24.01-py3") == "nvcr.io/nvidia/pytorch"
    assert validate.image_without_tag("localhost:5000/app") == "localhost:5000/app"
    assert validate.image_without_tag("localhost:5000/app:1@sha256:abc") == "localhost:5000/app"
    assert validate.image_without_tag("rocm/dev-ubuntu-24.04") == "rocm/dev-ubuntu-24.04"


def test_judged_images_match_lockin_images_with_tags(tmp_path):
    judged = judged_frame(tmp_path, ["Dockerfile,9,nvidia/cuda,image,lockin,yes,nvidia,replaceable,,CUDA base image"])
    findings = findings_frame([("Dockerfile", 9, "nvidia/cuda:12.4.0-devel-ubuntu22.04", "nvidia", "replaceable")]).assign(kind=["image"])
    assert validate.match_judged(judged, findings)["found"].tolist() == [True]


@pytest.mark.skipif(shutil.which("git") is None or shutil.which("bash") is None, reason="needs git and bash")
def test_checkout_script_fetches_each_repository_at_its_commit(tmp_path):
    import subprocess

    def git(*args, cwd=None):
        return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()

    work = tmp_path / "work"
    work.mkdir()
    git("init", "-q", str(work))
    (work / "k.cu").write_text("first\n")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "empty", cwd=work)
    git("add", "k.cu", cwd=work)
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "one", cwd=work)
    pinned = git("rev-parse", "HEAD", cwd=work)
    (tmp_path / "base" / "acme").mkdir(parents=True)
    git("clone", "-q", "--bare", str(work), str(tmp_path / "base" / "acme" / "kernels.git"))
    listing = tmp_path / "repositories.csv"
    listing.write_text(f'repository,commit,shape,supports_amd,notes\nacme/kernels,{pinned},kernel-library,no,"a note, with a comma"\nacme/kept,{pinned},tool,no,already there\n')
    (tmp_path / "dest" / "acme+kept").mkdir(parents=True)
    env = {**os.environ, "REALCODE_GIT_BASE": f"file://{tmp_path / 'base'}", "REALCODE_LIST": str(listing)}
    script = SCRIPT.parent / "realcode" / "checkout.sh"
    proc = subprocess.run(["bash", str(script), str(tmp_path / "dest")], env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "dest" / "acme+kernels" / "k.cu").read_text() == "first\n"
    assert git("rev-parse", "HEAD", cwd=tmp_path / "dest" / "acme+kernels") == pinned
    assert "exists:" in proc.stdout and not (tmp_path / "dest" / "acme+kept" / ".git").exists()  # left alone
    assert not list((tmp_path / "dest").glob("*.partial"))
