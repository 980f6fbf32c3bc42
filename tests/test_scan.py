"""The scan end to end on small real-format trees: findings, skips, references,
redaction and the parallel path."""


import pytest

import lockin.scan.reading as reading
import lockin.scan.pipeline as scan_module
from lockin.records import FINDING_COLUMNS
from lockin.scan import ScanOptions, scan

TOKEN = "s3cr3t-T0ken-xyz"


@pytest.fixture
def portfolio(tmp_path):
    root = tmp_path / "portfolio"
    trainer = root / "trainer"
    (trainer / "csrc").mkdir(parents=True)
    (trainer / "requirements").mkdir()
    (trainer / "requirements.txt").write_text(
        f"--extra-index-url https://ci:{TOKEN}@pypi.internal.example.com/simple\n-r requirements/base.in\ntorch==2.3.1+cu121\n"
    )
    (trainer / "requirements" / "base.in").write_text("nvidia-nccl-cu12==2.20.5\n")
    (trainer / "csrc" / "kernel.cu").write_text(
        "#include <cuda_runtime.h>\n"
        "// cudaMemcpy in a comment is not evidence\n"
        "void f(float* p) {\n"
        "  cudaMalloc(&p, 16);\n"
        '  printf("cudaFree failed");\n'
        "}\n"
    )
    (trainer / "blob.cu").write_bytes(b"\x00\x01binary")
    (trainer / "latin1.py").write_bytes("# caf\xe9\nimport torch\n".encode("latin-1"))
    (trainer / "broken.cdx.json").write_text('{"bomFormat": "CycloneDX", ')
    clean = root / "clean"
    clean.mkdir()
    (clean / "model.py").write_text('"""Runs on CUDA? No: numpy only."""\nimport numpy as np\n')
    return root


def test_findings_carry_the_contract_fields_and_exact_lines(portfolio):
    result = scan([portfolio])
    assert list(result.findings.columns) == list(FINDING_COLUMNS)
    kernel = result.findings[result.findings.path == "csrc/kernel.cu"]
    assert set(kernel.line) == {1, 4}  # the include and cudaMalloc; not the comment or the string
    malloc = kernel[kernel.name == "cudaMalloc"].iloc[0]
    assert (malloc.vendor, malloc.kind, malloc.portability) == ("nvidia", "api", "translatable")
    assert malloc.alternative == "hipMalloc"


def test_referenced_requirement_files_are_read(portfolio):
    result = scan([portfolio])
    nccl = result.findings[result.findings.name == "nvidia-nccl-cu12"]
    assert list(nccl.path) == ["requirements/base.in"]


def test_unreadable_inputs_are_listed_with_reasons_and_do_not_stop_the_scan(portfolio):
    result = scan([portfolio])
    reasons = dict(zip(result.skipped.path, result.skipped.reason))
    assert reasons["blob.cu"].startswith("binary file")
    assert reasons["latin1.py"].startswith("undecodable: not UTF-8") and "line 1" in reasons["latin1.py"]
    assert "broken.cdx.json" in reasons
    assert (result.skipped[result.skipped.path == "broken.cdx.json"].line.notna()).all()
    assert not result.findings[result.findings.path == "csrc/kernel.cu"].empty


def test_permission_denied_is_listed(portfolio, monkeypatch):
    # Tests run as root in CI, where chmod 000 does not stop a read.
    real = reading.read_file_bytes

    def deny(path):
        if path.endswith("kernel.cu"):
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(reading, "read_file_bytes", deny)
    result = scan([portfolio])
    assert "permission denied" in set(result.skipped[result.skipped.path == "csrc/kernel.cu"].reason)


def test_no_credential_reaches_findings_components_or_skips(portfolio):
    result = scan([portfolio])
    for frame in (result.findings, result.components, result.skipped):
        assert TOKEN not in frame.to_csv()
    index = result.components[result.components.kind == "index"]
    assert "https://pypi.internal.example.com/simple" in set(index.name)


def test_clean_project_has_no_vendor_bound_finding(portfolio):
    result = scan([portfolio])
    clean = result.summary.set_index("project").loc["clean"]
    assert clean.vendor_bound == 0 and clean.files == 1


def test_summary_counts_conversion_like_hipify(portfolio):
    trainer = scan([portfolio]).summary.set_index("project").loc["trainer"]
    assert trainer.api_refs == trainer.api_converted + trainer.api_unconverted
    assert trainer.api_refs >= 2
    assert trainer.conversion_pct == pytest.approx(100.0 * trainer.api_converted / trainer.api_refs, abs=0.05)


def test_scoring_against_the_projects_own_vendor_is_all_portable(portfolio):
    result = scan([portfolio], ScanOptions(target="nvidia"))
    nvidia = result.findings[result.findings.vendor == "nvidia"]
    assert not nvidia.empty and set(nvidia.portability) == {"portable"}


def test_parallel_scan_gives_the_same_findings_in_the_same_order(portfolio, monkeypatch):
    serial = scan([portfolio], ScanOptions(jobs=1))
    monkeypatch.setattr(scan_module, "PARALLEL_THRESHOLD", 1)
    parallel = scan([portfolio], ScanOptions(jobs=2))
    assert serial.findings.equals(parallel.findings)
    assert serial.skipped.equals(parallel.skipped)


def test_inputs_are_hashed(portfolio):
    inputs = scan([portfolio]).inputs.set_index("path")
    assert len(inputs.loc["requirements.txt"].sha256) == 64


def test_summary_counts_every_skipped_input_the_skipped_list_holds(portfolio):
    (portfolio / "trainer" / "requirements.txt").write_text("-r missing.txt\ntorch>=>2\n")
    result = scan([portfolio])
    per_project = result.skipped.groupby("project").size()
    summary = result.summary.set_index("project")
    for project in ("trainer", "clean"):
        assert summary.loc[project, "skipped"] == per_project.get(project, 0)
    assert result.summary.iloc[-1]["record"] == "portfolio"
    assert result.summary.iloc[-1]["skipped"] == len(result.skipped)
    reasons = set(result.skipped[result.skipped.path == "requirements.txt"].reason)
    assert any("not found" in r for r in reasons) and len(reasons) == 2


def test_parallel_stream_in_walk_order_with_many_batches(portfolio, monkeypatch):
    # More files than batches in flight: results must still come back in walk order.
    csrc = portfolio / "trainer" / "csrc"
    for i in range(60):
        (csrc / f"k{i:02}.cu").write_text(f"#include <cuda_runtime.h>\nvoid f{i}() {{ cudaDeviceSynchronize(); }}\n")
    serial = scan([portfolio], ScanOptions(jobs=1))
    monkeypatch.setattr(scan_module, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(scan_module, "WORKER_BATCH", 3)
    parallel = scan([portfolio], ScanOptions(jobs=2))
    assert serial.findings.equals(parallel.findings)
    assert serial.skipped.equals(parallel.skipped)


def test_a_stream_closed_early_stops_its_workers(portfolio, monkeypatch):
    monkeypatch.setattr(scan_module, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(scan_module, "WORKER_BATCH", 1)
    stream = scan_module.ScanStream([portfolio], ScanOptions(jobs=2, progress=False), scan_module.load_catalog())
    outcomes = iter(stream)
    first = next(outcomes)
    outcomes.close()  # what a consumer that breaks out of its loop does
    assert first.project == "clean"
    import multiprocessing

    assert not multiprocessing.active_children()


def test_declared_python_encodings_and_latin1_sources_are_read(tmp_path):
    project = tmp_path / "portfolio" / "enc"
    project.mkdir(parents=True)
    # PEP 263: the interpreter reads this file as Big5, and so does the scan.
    (project / "big5.py").write_bytes("# -*- coding: big5 -*-\n# 繁體中文註解\nimport torch\ntorch.cuda.synchronize()\n".encode("big5"))
    # A Latin-1 copyright line: compilers pass the byte through; the scan reads the file.
    (project / "kernel.cu").write_bytes("// (c) Soci\xe9t\xe9 Anonyme\n#include <cuda_runtime.h>\nvoid f(float* p) { cudaMalloc(&p, 16); }\n".encode("latin-1"))
    # A declaration the bytes do not keep, and a requirements file that is not UTF-8.
    (project / "liar.py").write_bytes("# coding: ascii\n# caf\xe9\nimport torch\n".encode("latin-1"))
    (project / "requirements.txt").write_bytes("torch==2.3.1  # caf\xe9\n".encode("latin-1"))
    result = scan([tmp_path / "portfolio"])
    found = {(path, line, name) for path, line, name in zip(result.findings.path, result.findings.line, result.findings.name)}
    assert ("big5.py", 4, "torch.cuda.synchronize") in found
    assert {("kernel.cu", 2, "cuda_runtime.h"), ("kernel.cu", 3, "cudaMalloc")} <= found
    skipped = {path: (line, reason) for path, line, reason in zip(result.skipped.path, result.skipped.line, result.skipped.reason)}
    line, reason = skipped["kernel.cu"]
    assert line == 1 and reason.startswith("not UTF-8 (byte 0xe9 at offset 11)") and "read as Latin-1" in reason
    offset = (project / "liar.py").read_bytes().index(b"\xe9")
    assert skipped["liar.py"][1] == f"undecodable: not ascii as its coding declaration says (byte 0xe9 at offset {offset}, line 2)"
    assert skipped["requirements.txt"][1].startswith("undecodable: not UTF-8 (byte 0xe9")
    assert "big5.py" not in skipped
    assert set(result.inputs.path) >= {"big5.py", "kernel.cu"}


def test_a_text_file_that_is_no_input_is_not_listed_whatever_its_encoding(tmp_path):
    project = tmp_path / "portfolio" / "docs"
    project.mkdir(parents=True)
    (project / "README_hyph_de.txt").write_bytes("Silbentrennung f\xfcr Deutsch\n".encode("latin-1"))
    (project / "requirements.txt").write_bytes("numpy==1.26  # f\xfcr\n".encode("latin-1"))
    result = scan([tmp_path / "portfolio"])
    assert list(result.skipped.path) == ["requirements.txt"]


def test_conda_channel_tokens_reach_no_output(tmp_path):
    project = tmp_path / "portfolio" / "rapids"
    project.mkdir(parents=True)
    (project / "explicit.txt").write_text(f"# platform: linux-64\n@EXPLICIT\nhttps://conda.anaconda.org/t/{TOKEN}/nvidia/linux-64/cuda-nvcc-12.6.77-0.conda\n")
    (project / "environment.yml").write_text(f"name: rapids\nchannels:\n  - https://conda.anaconda.org/t/{TOKEN}/rapidsai\ndependencies:\n  - cudf=24.08\n")
    result = scan([tmp_path / "portfolio"])
    assert "cuda-nvcc" in set(result.components.name) and "rapidsai" in set(result.components.name)
    for frame in (result.findings, result.components, result.skipped):
        assert TOKEN not in frame.to_csv()


def test_slurm_per_node_gpu_requests_and_module_trees_are_classified(tmp_path):
    project = tmp_path / "portfolio" / "hpc"
    project.mkdir(parents=True)
    (project / "job.sbatch").write_text(
        "#!/bin/bash\n#SBATCH --gpus-per-node=a100:4\n#SBATCH --gpus-per-task=1\n"
        "module load compiler/rocm/dtk-23.04.1\nsrun --gpus-per-socket=mi250x:2 python train.py\n"
    )
    result = scan([tmp_path / "portfolio"])
    found = {(line, name, vendor) for line, name, vendor in zip(result.findings.line, result.findings.name, result.findings.vendor)}
    assert found == {
        (2, "gpus-per-node=a100", "nvidia"),
        (3, "gpus-per-task", "neutral"),
        (4, "compiler/rocm", "amd"),  # a hierarchical module tree puts rocm under a folder
        (5, "gpus-per-socket=mi250x", "amd"),
    }


def test_a_file_with_both_back_ends_shows_both_sides(tmp_path):
    project = tmp_path / "portfolio" / "dual"
    project.mkdir(parents=True)
    (project / "alloc.cu").write_text("#include <cuda_runtime.h>\n#ifdef USE_ROCM\n  hipMalloc(&p, 16);\n#else\n  cudaMalloc(&p, 16);\n#endif\n")
    (project / "compat.h").write_text("#include <hip/hip_runtime.h>\nvoid f() { cudaMalloc(&p, 16); hipMalloc(&p, 16); }\n")
    # HIP spells this device function as CUDA does: in a HIP file it is HIP's own.
    (project / "rope.hip").write_text("__global__ void k(float* x) { x[0] = __expf(x[0]); }\n")
    result = scan([tmp_path / "portfolio"])
    found = {(path, line, name, vendor) for path, line, name, vendor in zip(result.findings.path, result.findings.line, result.findings.name, result.findings.vendor)}
    assert {("alloc.cu", 3, "hipMalloc", "amd"), ("alloc.cu", 5, "cudaMalloc", "nvidia")} <= found
    assert {("compat.h", 2, "cudaMalloc", "nvidia"), ("compat.h", 2, "hipMalloc", "amd")} <= found
    assert not [f for f in found if f[0] == "rope.hip" and f[2] == "__expf"]
