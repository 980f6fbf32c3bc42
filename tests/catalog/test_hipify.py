"""Importing HIPIFY's CUDA→HIP tables (markdown and hipify-clang --csv)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from lockin.catalog import load_catalog, read_catalog_file
from lockin.catalog.hipify import (
    NO_EQUIVALENT_NOTE,
    family_of,
    import_hipify,
    import_hipify_to_folder,
    read_hipify_csv,
    read_hipify_markdown,
    write_catalog_csv,
)
from lockin.records import InputError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "hipify"
RUNTIME_MD = FIXTURES / "CUDA_Runtime_API_functions_supported_by_HIP.md"
BLAS_ROC_MD = FIXTURES / "CUBLAS_API_supported_by_HIP_and_ROC.md"
RTC_CSV = FIXTURES / "CUDA_RTC_API_supported_by_HIP.csv"
RAND_STRICT_CSV = FIXTURES / "CURAND_API_supported_by_HIP_strict.csv"
LABEL = "ROCm/HIPIFY docs/tables @ test"


def rows_by_name(frame):
    return {row["match"]: row for row in frame.to_dict("records")}


def import_one(path: Path):
    frame, problems = import_hipify([path], source_label=LABEL)
    assert problems == []
    return rows_by_name(frame)


# -- markdown ---------------------------------------------------------------


def test_markdown_entries_keep_sections_and_line_numbers():
    table = read_hipify_markdown(RUNTIME_MD.read_text(), str(RUNTIME_MD))
    assert table.title == "CUDA Runtime API supported by HIP"
    found = {e.cuda: e for e in table.entries}
    assert len(table.entries) == 11
    assert found["cudaChooseDevice"].line == 11
    assert found["cudaChooseDevice"].section == "Device Management"
    assert found["cudaThreadExit"].section == "Thread Management [DEPRECATED]"
    assert found["cudaMalloc"].line == RUNTIME_MD.read_text().splitlines().index("|`cudaMalloc`| | | | |`hipMalloc`|1.5.0| | | | |") + 1


def test_supported_name_is_translatable_to_its_hip_name():
    rows = import_one(RUNTIME_MD)
    row = rows["cudaMalloc"]
    assert (row["kind"], row["ecosystem"], row["match_type"], row["vendor"]) == ("api", "cuda", "exact", "nvidia")
    assert (row["amd"], row["amd_alternative"]) == ("translatable", "hipMalloc")
    assert (row["family"], row["layer"]) == ("CUDA Runtime", "runtime")
    assert row["source"] == f"HIPIFY table {RUNTIME_MD.name} ({LABEL})"
    assert rows["cudaFreeHost"]["amd_alternative"] == "hipHostFree"  # not a mechanical rename


def test_empty_hip_cell_is_a_rewrite_with_a_note():
    rows = import_one(RUNTIME_MD)
    for name in ("cudaInitDevice", "cudaMemcpy3DPeer", "cudaDeviceFlushGPUDirectRDMAWrites"):
        assert (rows[name]["amd"], rows[name]["amd_alternative"]) == ("rewrite", "")
        assert NO_EQUIVALENT_NOTE in rows[name]["note"]


def test_deprecated_removed_and_experimental_are_noted():
    rows = import_one(RUNTIME_MD)
    assert "deprecated in CUDA 10.0" in rows["cudaThreadExit"]["note"]
    assert rows["cudaThreadExit"]["amd_alternative"] == "hipDeviceReset"
    bind = rows["cudaBindTexture"]
    assert bind["amd"] == "translatable"
    assert "removed in CUDA 12.0" in bind["note"] and "deprecated in HIP 3.8.0" in bind["note"]
    assert "removed in CUDA 12.0" in rows["cudaBindSurfaceToArray"]["note"]
    assert rows["cudaBindSurfaceToArray"]["amd"] == "rewrite"
    assert "experimental in HIP" in rows["cudaDeviceGetTexture1DLinearMaxWidth"]["note"]


def test_joint_table_prefers_hip_then_falls_back_to_roc():
    rows = import_one(BLAS_ROC_MD)
    assert rows["cublasSaxpy"]["amd_alternative"] == "hipblasSaxpy"
    assert "rocblas_saxpy" in rows["cublasSaxpy"]["note"]
    nrm2 = rows["cublasNrm2Ex"]
    assert (nrm2["amd"], nrm2["amd_alternative"]) == ("translatable", "rocblas_nrm2_ex")
    assert "not to HIP" in nrm2["note"]
    assert rows["cublasRotgEx"]["amd"] == "rewrite"
    assert rows["cublasSaxpy"]["family"] == "cuBLAS"
    assert rows["cublasLtMatmul"]["family"] == "cuBLASLt"


@pytest.mark.parametrize(
    ("file_name", "family", "layer"),
    [
        ("CUDA_Driver_API_functions_supported_by_HIP.md", "CUDA Driver", "runtime"),
        ("CUDA_Device_API_supported_by_HIP.md", "CUDA Device API", "kernel"),
        ("CUDA_RTC_API_supported_by_HIP.md", "NVRTC", "runtime"),
        ("CUB_API_supported_by_HIP.md", "CUB", "library"),
        ("CUBLAS_API_supported_by_HIP.md", "cuBLAS", "library"),
        ("CUDNN_API_supported_by_MIOPEN.md", "cuDNN", "library"),
        ("CUSPARSELT_API_supported_by_HIP.md", "cuSPARSELt", "library"),
        ("CUSPARSE_API_supported_by_HIP_and_ROC.md", "cuSPARSE", "library"),
        ("cuComplex_API_supported_by_HIP.md", "cuComplex", "library"),
    ],
)
def test_family_comes_from_the_file_name(file_name, family, layer):
    assert family_of(file_name) == (family, layer)


def test_header_names_become_include_rows(tmp_path):
    table = tmp_path / "CUDA_Runtime_API_functions_supported_by_HIP.md"
    table.write_text(
        "# CUDA Runtime API supported by HIP\n\n## **1. Headers**\n\n"
        "|**CUDA**|**HIP**|\n|:--|:--|\n|`cuda_runtime.h`|`hip/hip_runtime.h`|\n"
    )
    row = import_one(table)["cuda_runtime.h"]
    assert (row["kind"], row["amd_alternative"]) == ("include", "hip/hip_runtime.h")


# -- malformed markdown ------------------------------------------------------


def test_wrong_column_count_names_file_and_line():
    path = FIXTURES / "malformed" / "CURAND_API_supported_by_HIP.md"
    with pytest.raises(InputError) as info:
        read_hipify_markdown(path.read_text(), str(path))
    assert info.value.problem.line == 8
    assert info.value.problem.path == str(path)
    assert "10 cells, the header has 11" in info.value.problem.message


def test_row_without_header_is_rejected_on_its_line():
    path = FIXTURES / "malformed" / "CUFFT_API_supported_by_HIP.md"
    with pytest.raises(InputError) as info:
        read_hipify_markdown(path.read_text(), str(path))
    assert info.value.problem.line == 5
    assert "header" in info.value.problem.message


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("# T\n\n|**NAME**|**HIP**|\n|:--|:--|\n", 3, "must start with a CUDA column"),
        ("# T\n\n|**CUDA**|**A**|\n|:--|:-:|\n", 3, "no HIP, ROC or MIOPEN column"),
        ("# T\n\n|**CUDA**|**HIP**|\n|`cudaFree`|`hipFree`|\n", 4, "separator row"),
        ("just prose, no table\n", None, "no HIPIFY table found"),
    ],
)
def test_malformed_tables(text, line, message):
    with pytest.raises(InputError) as info:
        read_hipify_markdown(text, "CUDA_Runtime_API_functions_supported_by_HIP.md")
    assert info.value.problem.line == line
    assert message in info.value.problem.message


def test_a_bad_file_does_not_stop_the_others(tmp_path):
    shutil.copy(FIXTURES / "malformed" / "CURAND_API_supported_by_HIP.md", tmp_path)
    shutil.copy(RUNTIME_MD, tmp_path)
    frame, problems = import_hipify([tmp_path, tmp_path / "missing.md"], source_label=LABEL)
    assert "cudaMalloc" in set(frame["match"])
    assert not frame["match"].str.startswith("curand").any()
    assert sorted((Path(p.path).name, p.line or 0) for p in problems) == [("CURAND_API_supported_by_HIP.md", 8), ("missing.md", 0)]


# -- hipify-clang --csv -------------------------------------------------------


def test_hipify_clang_csv_reads_sections_and_folds_changed_versions():
    table = read_hipify_csv(RTC_CSV.read_text(), str(RTC_CSV))
    found = {e.cuda: e for e in table.entries}
    assert table.title == "CUDA RTC API supported by HIP"
    assert found["nvrtcCompileProgram"].versions["cuda_C"] == "8.0, 11.0"
    assert found["nvrtcCompileProgram"].target == "hiprtcCompileProgram"
    assert found["nvrtcCompileProgram"].line == 12
    assert found["nvrtcGetPTX"].section == "RTC API functions"
    rows = import_one(RTC_CSV)
    assert (rows["nvrtcGetPTX"]["amd"], rows["nvrtcGetPTX"]["amd_alternative"]) == ("translatable", "hiprtcGetCode")
    assert rows["nvrtcGetNVVM"]["amd"] == "rewrite" and "deprecated in CUDA 12.0" in rows["nvrtcGetNVVM"]["note"]
    assert rows["NVRTC_SUCCESS"]["family"] == "NVRTC"


def test_strict_csv_flags_are_read():
    rows = import_one(RAND_STRICT_CSV)
    assert rows["curandCreateGenerator"]["amd_alternative"] == "hiprandCreateGenerator"
    assert rows["curandGetProperty"]["amd"] == "rewrite"
    assert "experimental in HIP" in rows["curandSetStream"]["note"]
    assert "deprecated in HIP" in rows["curandSetStream"]["note"]
    assert rows["curandSetStream"]["family"] == "cuRAND"


def test_generic_csv_with_cuda_and_hip_columns():
    table = read_hipify_csv((FIXTURES / "project_mapping.csv").read_text(), "project_mapping.csv")
    assert [(e.cuda, e.target, e.line) for e in table.entries] == [
        ("cudaStreamCreate", "hipStreamCreate", 2),
        ("cudaStreamGetId", "", 3),
    ]


def test_csv_data_before_header_is_rejected():
    text = "CUDA RTC API supported by HIP\n\nnvrtcGetPTX,,,,,hiprtcGetCode,2.6.0,,,,\n"
    with pytest.raises(InputError) as info:
        read_hipify_csv(text, "x.csv")
    assert info.value.problem.line == 3


def test_csv_row_with_too_few_fields_is_rejected():
    text = "CUDA,A,D,C,R,HIP,A,D,C,R,E\nnvrtcGetPTX,,,,hiprtcGetCode\n"
    with pytest.raises(InputError) as info:
        read_hipify_csv(text, "x.csv")
    assert info.value.problem.line == 2


# -- writing and loading -------------------------------------------------------


def test_written_csv_is_a_valid_catalog_file(tmp_path):
    frame, _ = import_hipify([RUNTIME_MD, BLAS_ROC_MD, RTC_CSV], source_label=LABEL)
    target = tmp_path / "hipify_all.csv"
    assert write_catalog_csv(frame, target, comment="imported for a test") == len(frame)
    rows = read_catalog_file(target)
    assert len(rows) == len(frame)
    by_name = {r.match: r for r in rows}
    assert by_name["cudaMalloc"].verdict("amd") == ("translatable", "hipMalloc")
    assert by_name["cudaInitDevice"].verdict("amd") == ("rewrite", "")


def test_imported_rows_override_the_bundled_ones(tmp_path):
    bundled = load_catalog()
    assert bundled.lookup("api", "cudaInitDevice", "cuda").verdict("amd")[0] == "rewrite"
    written, problems = import_hipify_to_folder([FIXTURES / "override"], tmp_path, source_label="our HIPIFY fork")
    assert problems == []
    assert [(Path(p).name, n) for p, n in written] == [("hipify_cuda_runtime.csv", 1)]
    merged = load_catalog(extra_dirs=[tmp_path])
    row = merged.lookup("api", "cudaInitDevice", "cuda")
    assert row.verdict("amd") == ("translatable", "hipInitDevice")
    assert "our HIPIFY fork" in row.source
    assert merged.lookup("api", "cudaMalloc", "cuda").verdict("amd") == ("translatable", "hipMalloc")


def test_cli_import_hipify_writes_a_catalog_folder(tmp_path):
    from lockin.cli import main

    result = CliRunner().invoke(main, ["catalog", "import-hipify", str(RUNTIME_MD), str(RTC_CSV), "--out", str(tmp_path), "--label", LABEL])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.glob("*.csv")) == ["hipify_cuda_runtime.csv", "hipify_nvrtc.csv"]
    assert load_catalog([tmp_path], bundled=False).lookup("api", "nvrtcGetPTX").verdict("amd") == ("translatable", "hiprtcGetCode")


# -- properties -----------------------------------------------------------------

NAMES = st.from_regex(r"[a-z][A-Za-z0-9_]{0,20}", fullmatch=True)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("|`*#-: \nabcCUDAHIP.0123")), max_size=300))
def test_markdown_reader_raises_only_input_error(text):
    try:
        read_hipify_markdown(text, "CUDA_Runtime_API_functions_supported_by_HIP.md")
    except InputError:
        pass


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list(',"\n abcCUDAHIP.0123+*')), max_size=300))
def test_csv_reader_raises_only_input_error(text):
    try:
        read_hipify_csv(text, "CUDA_Runtime_API_functions_supported_by_HIP.csv")
    except InputError:
        pass


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(NAMES, st.booleans()), min_size=1, max_size=15, unique_by=lambda t: t[0]))
def test_generated_tables_round_trip_with_line_numbers(entries):
    lines = ["# CUDA Runtime API supported by HIP", "", "## **1. Generated**", "",
             "|**CUDA**|**A**|**D**|**C**|**R**|**HIP**|**A**|**D**|**C**|**R**|**E**|",
             "|:--|:-:|:-:|:-:|:-:|:--|:-:|:-:|:-:|:-:|:-:|"]
    expected = []
    for name, supported in entries:
        hip = f"`hip_{name}`" if supported else " "
        lines.append(f"|`{name}`| | | | |{hip}| | | | | |")
        expected.append((name, f"hip_{name}" if supported else "", len(lines)))
    table = read_hipify_markdown("\n".join(lines) + "\n", "CUDA_Runtime_API_functions_supported_by_HIP.md")
    assert [(e.cuda, e.target, e.line) for e in table.entries] == expected
    csv_text = "\n".join(["CUDA Runtime API supported by HIP", "", "CUDA,A,D,C,R,HIP,A,D,C,R,E"]
                         + [f"{n},,,,,{('hip_' + n) if s else ''},,,,," for n, s in entries]) + "\n"
    from_csv = read_hipify_csv(csv_text, "CUDA_Runtime_API_functions_supported_by_HIP.csv")
    assert [(e.cuda, e.target, e.line) for e in from_csv.entries] == [(n, t, i + 4) for i, (n, t, _) in enumerate(expected)]


def test_general_names_that_hip_keeps_are_left_out_of_device_tables(tmp_path):
    table = tmp_path / "CUDA_Device_API_supported_by_HIP.md"
    table.write_text(
        "# CUDA Device API supported by HIP\n\n## **1. Device Functions**\n\n"
        "|**CUDA**|**A**|**D**|**C**|**R**|**HIP**|**A**|**D**|**C**|**R**|**E**|\n"
        "|:--|:-:|:-:|:-:|:-:|:--|:-:|:-:|:-:|:-:|:-:|\n"
        "|`sinf`| | | | |`sinf`|1.6.0| | | | |\n"
        "|`__sinf`| | | | |`__sinf`|1.6.0| | | | |\n"
        "|`atomicAnd`| | | | |`atomicAnd`|1.6.0| | | | |\n"
        "|`__nv_fp8_e4m3`|11.8| | | |`__hip_fp8_e4m3`|6.2.0| | | | |\n"
    )
    frame, problems = import_hipify([table], source_label=LABEL)
    assert problems == []
    assert list(frame["match"]) == ["__sinf", "atomicAnd", "__nv_fp8_e4m3"]
