"""Regression tests of issue 18 for the source scanners: inputs that took
gigabytes (a long dotted module name) or crashed a scanner (a number int()
refuses). The tests assert on the result only."""

from __future__ import annotations

import pytest

from lockin.inventory.setup_py import read_setup_py
from lockin.parsebounds import MAX_DOTTED_PARTS
from lockin.records import InputError
from lockin.source.cxx import scan_cxx
from lockin.source.python import scan_python


def test_an_import_of_too_many_parts_is_refused_before_parsing():
    # ast.parse keeps every prefix of 'torch.a.a…': 35,000 parts took 1.4 GB (70 KB), 11 GB at 300 KB.
    text = "import os\nfrom torch" + ".a" * 35_000 + " import y\n"
    with pytest.raises(InputError) as error:
        scan_python(text, "m.py")
    assert error.value.problem.line == 2
    assert "35,001 parts" in error.value.problem.message


def test_a_dotted_name_spread_over_continued_lines_counts_whole():
    text = "import torch" + " . \\\n a" * (MAX_DOTTED_PARTS + 10) + "\n"
    with pytest.raises(InputError) as error:
        read_setup_py(text, "setup.py")
    assert error.value.problem.line == 1


def test_an_import_at_the_bound_is_read():
    result = scan_python("import torch" + ".a" * (MAX_DOTTED_PARTS - 1) + "\n", "m.py")
    assert result.problems == []


def test_an_index_divisor_of_too_many_digits_is_no_construct_and_no_crash():
    code = "__global__ void k() {\n  int lane = threadIdx.x % " + "3" * 5000 + ";\n  int w = threadIdx.x % 32;\n}\n"
    result = scan_cxx(code, "k.cu")
    assert [(e.name, e.line) for e in result.evidence if e.kind == "construct"] == [("lane-modulo-32", 3)]


def test_compile_warnings_of_a_scanned_file_do_not_reach_standard_error(tmp_path, capfd):
    """An invalid escape sequence in a scanned file is the project's business, not a warning of lockin's."""
    import warnings

    from lockin.scan import ScanOptions, scan

    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "setup.py").write_text('"""Build \\. the kernels"""\nimport torch\n')
    (tmp_path / "p" / "train.py").write_text('pattern = "\\d+"\nimport cupy\n')
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning raised while reading fails the test
        result = scan([tmp_path / "p"], ScanOptions(project_name="p", jobs=1, progress=False))
    assert "cupy" in set(result.findings["name"])
    assert "train.py" not in capfd.readouterr().err


def test_a_line_of_a_call_copied_thousands_of_times_reads_in_linear_time():
    """Found by the fuzzer (a hopper_gemm.cu line copied ~4,000 times): each name's definition
    check read to the next brace; the parameter list it looks for is now bounded."""
    from lockin.catalog import load_catalog
    from lockin.scan import formats
    from lockin.source.cxx import Vocabulary

    line = "  cudaStreamSynchronize(stream), cudaGetLastError(), helper(a, b\n"
    text = "void f() {\n" + line * 20_000 + "}\n"  # 1.3 MB without ';' or '}' before the end
    result = formats.get("cxx").read(text, "k.cu", Vocabulary.from_catalog(load_catalog()))
    assert {e.name for e in result.evidence} >= {"cudaStreamSynchronize", "cudaGetLastError"}


def test_a_rust_use_path_of_thousands_of_segments_is_bounded():
    """Found by the fuzzer (320 KB: 6 s and 810 MB through the scan): each imported name copied
    the whole path before it; paths keep their first MAX_USE_SEGMENTS segments."""
    from lockin.scan import formats
    from lockin.source.rust import MAX_USE_SEGMENTS

    path = "::".join(["cudarc"] + ["m"] * 20_000)
    text = f"use {path}::{{" + ", ".join(f"f{i}" for i in range(4_000)) + "};\n"
    result = formats.get("rust").read(text, "main.rs")
    names = [e.name for e in result.evidence]
    assert len(names) == 4_000 and all(name.startswith("cudarc::m::") for name in names)
    assert max(name.count("::") + 1 for name in names) <= MAX_USE_SEGMENTS


def test_a_long_word_in_a_preprocessor_condition_is_read_in_linear_time():
    """Found by the fuzzer (an 89 KB ops.cu: 40 s): the version-macro test of each fallback
    condition was retried at every position of a long word; it now tests word by word."""
    from lockin.catalog import load_catalog
    from lockin.scan import formats
    from lockin.source.cxx import Vocabulary

    word = "A" * 60_000
    text = "#include <cuda_runtime.h>\n" + "".join(f"#if {word}{i} < 3\nvoid cudaMalloc{i}(void** p) {{ cudaMalloc(p, 4); }}\n#endif\n" for i in range(20))
    result = formats.get("cxx").read(text, "ops.cu", Vocabulary.from_catalog(load_catalog()))
    assert "cudaMalloc" in {e.name for e in result.evidence}
