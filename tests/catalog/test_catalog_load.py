"""Loading catalog folders: validation errors name file and line; user rows win."""

import pytest

from lockin.catalog import load_catalog, read_catalog_file
from lockin.scan.classify import classify, verdict_towards
from lockin.records import Evidence, InputError

HEADER = "kind,ecosystem,match_type,match,vendor,layer,family,amd,amd_alternative,note,source\n"


def write(folder, name, body, header=HEADER):
    path = folder / name
    path.write_text(header + body)
    return path


def test_rows_are_read_with_their_origin(tmp_path):
    path = write(tmp_path, "a.csv", "# a comment line\napi,cuda,exact,cudaFoo,nvidia,runtime,CUDA Runtime,translatable,hipFoo,,my notes\n")
    (row,) = read_catalog_file(path)
    assert (row.kind, row.match, row.vendor) == ("api", "cudaFoo", "nvidia")
    assert row.verdict("amd") == ("translatable", "hipFoo")
    assert row.origin.endswith("a.csv:3")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("api,cuda,exact,cudaFoo,nvidia,runtime,,fast,,,src\n", "unknown portability 'fast'"),
        ("gadget,,exact,x,nvidia,runtime,,rewrite,,,src\n", "unknown kind 'gadget'"),
        ("api,,fuzzy,x,nvidia,runtime,,rewrite,,,src\n", "unknown match_type 'fuzzy'"),
        ("api,,regex,cu(,nvidia,runtime,,rewrite,,,src\n", "invalid regex"),
        ("api,,exact,x,nvidia,runtime,,rewrite,,,\n", "empty 'source'"),
    ],
)
def test_bad_rows_name_file_line_and_problem(tmp_path, body, message):
    path = write(tmp_path, "bad.csv", "api,,exact,ok,nvidia,runtime,,rewrite,,,src\n" + body)
    with pytest.raises(InputError) as info:
        read_catalog_file(path)
    assert info.value.problem.line == 3
    assert info.value.problem.path == str(path)
    assert message in info.value.problem.message


def test_missing_required_column_is_reported_on_the_header_line(tmp_path):
    path = write(tmp_path, "bad.csv", "api,x\n", header="kind,match\n")
    with pytest.raises(InputError, match="missing required column") as info:
        read_catalog_file(path)
    assert info.value.problem.line == 1


def test_user_folder_overrides_a_row_with_the_same_key(tmp_path):
    base, user = tmp_path / "base", tmp_path / "user"
    base.mkdir(), user.mkdir()
    write(base, "a.csv", "api,cuda,exact,cudaFoo,nvidia,runtime,,rewrite,,,base\n")
    write(user, "b.csv", "api,cuda,exact,cudaFoo,nvidia,runtime,,translatable,hipFoo,,ours\n")
    catalog = load_catalog([base, user], bundled=False)
    row = catalog.lookup("api", "cudaFoo", "cuda")
    assert row.source == "ours" and row.verdict("amd") == ("translatable", "hipFoo")
    assert len(catalog.rows) == 1


def test_lookup_prefers_exact_then_longest_prefix_then_patterns(tmp_path):
    write(
        tmp_path,
        "a.csv",
        "api,,prefix,cu,nvidia,runtime,,translatable,,,s\n"
        "api,,prefix,cublas,nvidia,library,cuBLAS,translatable,hipblas,,s\n"
        "api,,exact,cublasXtSgemm,nvidia,library,cuBLAS,rewrite,,,s\n"
        "package,pypi,glob,nvidia-*-cu12,nvidia,library,,replaceable,,,s\n",
    )
    catalog = load_catalog([tmp_path], bundled=False)
    assert catalog.lookup("api", "cublasXtSgemm").verdict("amd")[0] == "rewrite"
    assert catalog.lookup("api", "cublasSgemm").family == "cuBLAS"
    assert catalog.lookup("api", "cudaMalloc").match == "cu"
    assert catalog.lookup("package", "NVIDIA-CUBLAS-CU12", "pypi") is not None  # package names fold case
    assert catalog.lookup("package", "nvidia-cublas-cu12", "conda") is None  # ecosystem must fit
    assert catalog.lookup("api", "hipMalloc") is None


def test_own_vendor_is_portable_and_unknown_target_is_flagged(tmp_path):
    write(tmp_path, "a.csv", "api,,exact,cudaFoo,nvidia,runtime,,rewrite,,,s\n")
    row = load_catalog([tmp_path], bundled=False).lookup("api", "cudaFoo")
    assert verdict_towards(row, "nvidia")[0] == "portable"
    portability, _, note = verdict_towards(row, "intel")
    assert portability == "replaceable" and "no verdict towards intel" in note


def test_classify_returns_none_for_unknown_evidence(tmp_path):
    write(tmp_path, "a.csv", "api,,exact,cudaFoo,nvidia,runtime,,rewrite,,,s\n")
    catalog = load_catalog([tmp_path], bundled=False)
    assert classify(Evidence("api", "memcpy", 3, "memcpy(a, b, n);"), catalog, "amd") is None
    finding = classify(Evidence("api", "cudaFoo", 3, "cudaFoo();", "cuda"), catalog, "amd")
    assert finding["portability"] == "rewrite" and finding["line"] == 3


def test_missing_catalog_folder_is_an_error(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        load_catalog([tmp_path / "nope"], bundled=False)


def test_comment_lines_may_precede_the_header(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("# what this file holds\n#\n" + HEADER + "api,cuda,exact,cudaFoo,nvidia,runtime,,rewrite,,,s\napi,cuda,exact,cudaBar,nvidia,runtime,,bogus,,,s\n")
    with pytest.raises(InputError) as info:
        read_catalog_file(path)
    assert info.value.problem.line == 5
