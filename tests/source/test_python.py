"""Tests of the Python scanner (lockin.source.python)."""

from __future__ import annotations

import ast
import contextlib
import csv
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lockin.source.python as python_scanner
from lockin.records import InputError
from lockin.source.python import VENDOR_ROOTS, scan_python

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "source"


def pairs(text: str, **kwargs) -> list[tuple[int, str]]:
    return [(e.line, e.name) for e in scan_python(text, "x.py", **kwargs).evidence]


def test_training_script_fixture():
    result = scan_python((FIXTURES / "train_cuda.py").read_text(), "train/train_cuda.py")
    assert {(e.kind, e.ecosystem) for e in result.evidence} == {("module", "python")}
    assert [(e.line, e.name) for e in result.evidence] == [
        # lines 2-3: os and numpy are not under a vendor-relevant root
        (4, "torch"),
        (5, "torch.cuda"),
        (6, "torch.distributed"),
        (7, "torch.cuda.amp"),
        (8, "torch.backends.cudnn"),
        (9, "cupy"),
        (10, "numba.cuda"),
        (11, "pycuda.autoinit"),
        (12, "pynvml"),
        (13, "tensorrt"),
        (14, "onnxruntime"),
        # lines 15-16: relative imports are the project's own code
        (18, "torch.backends.cudnn.benchmark"),
        (19, "torch.backends.cudnn.deterministic"),
        (22, "numba.cuda.jit"),
        (24, "numba.cuda.grid"),
        (29, "torch.distributed.init_process_group"),
        (29, "torch.distributed:nccl"),
        (30, "torch.device"),
        (30, "torch:device=cuda"),
        (31, "torch:device=cuda"),  # Net().cuda()
        (32, "torch.randn"),
        (32, "torch:device=cuda"),  # .to("cuda:0")
        (33, "torch.cuda.amp.GradScaler"),
        (34, "torch.cuda.amp.autocast"),
        (36, "torch.cuda.synchronize"),
        (37, "cupy.asarray"),  # np.ones is not reported: numpy is not a vendor root
        (38, "pynvml.nvmlInit"),
        (39, "pynvml.nvmlDeviceGetHandleByIndex"),
        (40, "tensorrt.Logger"),
        (40, "tensorrt.Logger.WARNING"),
        (41, "onnxruntime:TensorrtExecutionProvider"),
        (41, "onnxruntime:CUDAExecutionProvider"),
        (41, "onnxruntime:CPUExecutionProvider"),
        (42, "onnxruntime.InferenceSession"),
        (43, "onnxruntime.InferenceSession"),
        (45, "onnxruntime:ROCMExecutionProvider"),
        (45, "onnxruntime:MIGraphXExecutionProvider"),
        (47, "torch.load"),
        (47, "torch:device=cuda"),  # map_location="cuda"
    ]
    line = next(e for e in result.evidence if e.name == "torch.cuda.synchronize")
    assert line.text == "tc.synchronize()"


def test_comments_docstrings_and_strings_are_not_evidence():
    result = scan_python((FIXTURES / "comments_only.py").read_text(), "comments_only.py")
    assert [(e.line, e.name) for e in result.evidence] == []


def test_aliases_and_longest_chain_only():
    text = (
        "import torch.cuda as tc\n"
        "from torch.cuda import amp as A\n"
        "import cupy as cp, cupyx.scipy.sparse\n"
        "x = tc.memory.memory_allocated(tc.current_device())\n"
        "y = A.autocast(enabled=True).__enter__()\n"
        "z = cp.cuda.Device(0).compute_capability\n"
        "w = cupyx.scipy.sparse.csr_matrix\n"
    )
    assert pairs(text) == [
        (1, "torch.cuda"),
        (2, "torch.cuda.amp"),
        (3, "cupy"),
        (3, "cupyx.scipy.sparse"),
        (4, "torch.cuda.memory.memory_allocated"),
        (4, "torch.cuda.current_device"),
        (5, "torch.cuda.amp.autocast"),
        (6, "cupy.cuda.Device"),
        (7, "cupyx.scipy.sparse.csr_matrix"),
    ]


def test_imported_names_used_bare_are_resolved():
    text = "from cupy import asarray\nfrom numba import cuda\n\n@cuda.jit\ndef k(a):\n    pass\n\nb = asarray([1])\n"
    assert pairs(text) == [(1, "cupy.asarray"), (2, "numba.cuda"), (4, "numba.cuda.jit"), (8, "cupy.asarray")]


def test_modules_outside_the_roots_are_not_evidence():
    text = "import numpy as np\nimport pandas\nx = np.zeros(3)\ndf = pandas.DataFrame()\n"
    assert pairs(text) == []
    assert pairs(text, roots={"numpy"}) == [(1, "numpy"), (3, "numpy.zeros")]
    assert "torch" in VENDOR_ROOTS and "numpy" not in VENDOR_ROOTS


def test_star_relative_multiline_and_dynamic_imports():
    text = (
        "from torch.cuda import *\n"
        "from . import sibling\n"
        "from ..pkg import cudart\n"
        "from transformer_engine.pytorch import (\n"
        "    fp8_autocast,\n"
        "    Linear as TELinear,\n"
        ")\n"
        "import importlib\n"
        "trt = importlib.import_module('tensorrt')\n"
        "flash = __import__('flash_attn')\n"
    )
    assert pairs(text) == [
        (1, "torch.cuda"),
        (5, "transformer_engine.pytorch.fp8_autocast"),
        (6, "transformer_engine.pytorch.Linear"),
        (9, "tensorrt"),
        (10, "flash_attn"),
    ]


@pytest.mark.parametrize(
    "line, expected",
    [
        ("x = t.cuda()", ["torch:device=cuda"]),
        ("x = t.cuda(device=1)", ["torch:device=cuda"]),
        ("x = t.to(device='cuda:1')", ["torch:device=cuda"]),
        ("x = t.to(f'cuda:{rank}')", ["torch:device=cuda"]),
        ("x = t.to('cpu')", []),
        ("x = t.to('xpu')", ["torch:device=xpu"]),
        ("m = load(path, device_map='cuda')", ["torch:device=cuda"]),
        ("x = f(device='cudafoo')", []),
        ("d.init_process_group(backend='nccl')", ["torch.distributed:nccl"]),
        ("d.init_process_group('cpu:gloo,cuda:nccl')", ["torch.distributed:gloo", "torch.distributed:nccl"]),
        ("deepspeed_init(dist_backend='nccl')", ["torch.distributed:nccl"]),
        ("plt.use(backend='agg')", []),
        ("s = InferenceSession(p, opts, ['CUDAExecutionProvider'])", ["onnxruntime:CUDAExecutionProvider"]),
        ("s.set_providers(['ROCMExecutionProvider'])", ["onnxruntime:ROCMExecutionProvider"]),
        ("s = Session(p, providers=('TensorrtExecutionProvider',))", ["onnxruntime:TensorrtExecutionProvider"]),
        ("names = ['CUDAExecutionProvider']", []),
        ("print('CUDAExecutionProvider', 'nccl', 'cuda')", []),
        ("table = {'device': 'cuda', 'backend': 'nccl'}", []),
    ],
)
def test_configuration_strings(line, expected):
    assert [name for _, name in pairs(line)] == expected


def test_python2_file_is_an_input_error_with_line():
    text = "import torch\n\nprint 'hello'\n"
    with pytest.raises(InputError) as info:
        scan_python(text, "old/script.py")
    assert info.value.problem.path == "old/script.py"
    assert info.value.problem.line == 3
    assert "not valid Python 3" in info.value.problem.message


def test_a_file_naming_no_vendor_module_is_not_parsed_at_all():
    # Nothing in it could be evidence, so even a syntax error is no reason to stop.
    assert scan_python("import os\n\nprint 'hello'\n", "old/script.py").evidence == []


def test_null_bytes_are_an_input_error():
    with pytest.raises(InputError, match="not valid Python 3"):
        scan_python("import torch\x00\n", "bad.py")


def test_line_numbers_with_crlf_and_form_feeds():
    text = "import os\r\n\x0c\r\nimport torch\r\nx = torch.ones(1)\r\n"
    result = scan_python(text, "w.py")
    assert [(e.line, e.name, e.text) for e in result.evidence] == [
        (3, "torch", "import torch"),
        (4, "torch.ones", "x = torch.ones(1)"),
    ]


# ---------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------

_VENDOR_WORDS = ["torch.cuda.synchronize()", "import cupy", "CUDAExecutionProvider", "nccl", "pynvml", "cuda"]
plain_statement = st.builds(
    lambda name, n: f"{name} = {n} + len([{n}])",
    st.sampled_from(["alpha", "beta", "gamma", "total"]),
    st.integers(0, 99),
)
comment_text = st.text(st.characters(min_codepoint=32, max_codepoint=126, exclude_characters="\\\"'{}"), max_size=20)


@settings(max_examples=300)
@given(st.text(max_size=300))
def test_any_text_raises_only_input_error(text):
    try:
        result = scan_python(text, "x.py")
    except InputError as exc:
        assert exc.problem.path == "x.py"
    else:
        assert all(e.kind == "module" and e.line >= 1 for e in result.evidence)


@settings(max_examples=200)
@given(
    st.lists(plain_statement, max_size=6),
    st.lists(plain_statement, max_size=6),
    comment_text,
    st.sampled_from(_VENDOR_WORDS),
    st.sampled_from(["comment", "string", "docstring", "fstring", "bytes"]),
)
def test_vendor_words_in_comments_and_strings_are_never_evidence(before, after, text, word, where):
    wrapped = {
        "comment": f"# {text} {word}",
        "string": f"note = '{text} {word}'",
        "docstring": f'def f():\n    """{text}\n    {word}\n    """',
        "fstring": f"note = f'{text} {word} {{1}}'",
        "bytes": f"note = b'{text} {word}'".encode("ascii", "replace").decode(),
    }[where]
    source = "\n".join([*before, wrapped, *after]) + "\n"
    ast.parse(source)  # the generated file is valid Python
    assert scan_python(source, "x.py").evidence == []


@settings(max_examples=200)
@given(st.lists(plain_statement, max_size=8), st.lists(plain_statement, max_size=8), st.sampled_from(["cupy", "pynvml", "tensorrt", "numba.cuda"]))
def test_import_at_line_k_is_found_at_line_k(before, after, module):
    source = "\n".join([*before, f"import {module}", *after]) + "\n"
    assert pairs(source) == [(len(before) + 1, module)]


def test_roots_from_the_catalog_vocabulary_extend_the_attribute_chains():
    from lockin.source.cxx import Vocabulary

    text = "import ourgpu\nourgpu.kernels.launch()\n"
    assert [e.name for e in scan_python(text, "x.py").evidence] == []
    vocabulary = Vocabulary(python_roots={"ourgpu"})
    assert [e.name for e in scan_python(text, "x.py", vocabulary).evidence] == ["ourgpu", "ourgpu.kernels.launch"]


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("import torchvision\n", False),  # torch only as part of a longer name
        ("timestamps = 1\n", False),
        ("torché = 1\n", False),  # é is a word character: no word boundary
        ("_cuda = 1\n", False),
        ("x = 'mps'\n", True),
        ("if cuda:\n", True),
        ("y = torch\n", True),
        ("p = 'MyExecutionProviderX'\n", True),  # a provider name needs no boundary
        ("timestamps, mps = 1, 2\n", True),  # a whole word after a partial one
    ],
)
def test_only_files_naming_a_trigger_word_are_parsed(text, parsed):
    broken = text + "def (:\n"  # a syntax error shows whether the file was parsed
    if parsed:
        with pytest.raises(InputError):
            scan_python(broken, "m.py")
    else:
        assert scan_python(broken, "m.py").evidence == []


def test_uses_are_reported_once_per_chain_in_any_nesting():
    text = (
        "import torch as t\n"
        "class A:\n"
        "    def f(self, x=t.cuda.is_available()):\n"
        "        return [t.cuda.Stream(d) for d in {t.float16: t.nn}]\n"
    )
    names = [(e.line, e.name) for e in scan_python(text, "m.py").evidence]
    assert names == [
        (1, "torch"),
        (3, "torch.cuda.is_available"),
        (4, "torch.cuda.Stream"),
        (4, "torch.float16"),
        (4, "torch.nn"),
    ]


# The walk skips statements whose lines name nothing it reports; these
# pieces put imports, aliases, decorators, multi-line calls and provider
# lists in every nesting, so that skipping must not lose or reorder anything.
_PIECES = [
    "import torch as t",
    "import numpy as t",
    "from torch import cuda",
    "from torch.cuda import amp as a",
    "import os",
    "x = t.cuda.is_available()",
    "y = cuda.Stream()",
    "z = a.autocast()",
    "def f(m=t.nn):\n    import cupy as t\n    return t.asarray(m)",
    "@t.jit.script\ndef g():\n    pass",
    "@decorate(\n    t.compile\n)\nclass C:\n    w = t.float16",
    "m = model.to(\n    'cuda'\n)",
    "dist.init_process_group(backend='nccl')",
    "providers = ['CUDAExecutionProvider']",
    "sess = ort.InferenceSession('m.onnx', providers=providers)",
    "n = np.ones(3)",
    "if flag:\n    import tensorrt as trt\n    trt.Logger()",
    "v = [t.cuda for _ in range(2)]",
    "q = 'torch.cuda in a string'",
    "# t.cuda in a comment",
    "with t.no_grad():\n    k = t.ones(1).cuda()",
    "s = f'{t.cuda.device_count()} devices'",
    "if t.version.hip:\n    t.cuda.x()\nelse:\n    pass",
    "if not is_rocm():\n    raise ValueError('ROCm only')",
    "lib = 'hip' if IS_ROCM else t.cuda",
    "subprocess.run(['nvidia-smi', '-L'])",
]


def _nested_source(pieces: list[str], depths: list[int]) -> str:
    """The pieces one after another, some nested in functions (so that
    imports and uses sit inside bodies, at several depths)."""
    lines = []
    for piece, depth in zip(pieces, depths + [0] * len(pieces)):
        for level in range(depth):
            lines.append("    " * level + f"def nest{level}():")
        lines.extend("    " * depth + line for line in piece.split("\n"))
        if depth:
            lines.append("    " * depth + "pass")
    return "\n".join(lines) + "\n"


@settings(max_examples=300)
@given(st.lists(st.sampled_from(_PIECES), max_size=12), st.lists(st.integers(0, 3), max_size=12))
def test_skipping_statements_finds_what_the_whole_walk_finds(pieces, depths):
    from lockin.source.python import _Scanner, _source_lines

    text = _nested_source(pieces, depths)
    tree = ast.parse(text)
    roots = VENDOR_ROOTS | {"numpy"}
    whole, skipping = _Scanner(roots, _source_lines(text)), _Scanner(roots, _source_lines(text))
    whole.scan(tree)
    skipping.scan(tree, text)
    assert skipping.found == whole.found


# ---------------------------------------------------------------------------
# Long files, parsed a few statements at a time
# ---------------------------------------------------------------------------


@contextlib.contextmanager
def parsed_in_pieces(whole: int = 120, piece: int = 60, statement: int = 1 << 40):
    """Parse anything longer than ``whole`` characters in pieces of about
    ``piece`` characters (the defaults are megabytes)."""
    with mock.patch.multiple(python_scanner, WHOLE_PARSE_CHARS=whole, PIECE_CHARS=piece, MAX_STATEMENT_CHARS=statement):
        yield


def scan_both_ways(text: str, path: str = "x.py"):
    """(evidence, problems) or the error line, parsed whole and in pieces."""

    def scan() -> tuple:
        try:
            result = scan_python(text, path)
        except InputError as exc:
            return ("error", exc.problem.line, exc.problem.message)
        return (result.evidence, result.problems, result.regions, result.definitions)

    whole = scan()
    with parsed_in_pieces():
        pieces = scan()
    return whole, pieces


@settings(max_examples=300)
@given(st.lists(st.sampled_from(_PIECES), max_size=14), st.lists(st.integers(0, 3), max_size=14), st.sampled_from(["\n", "\r\n", "\r"]))
def test_a_long_file_parsed_in_pieces_gives_what_one_parse_gives(pieces, depths, newline):
    # Aliases bound at several depths in several pieces (``import numpy as t``
    # at the top, ``import cupy as t`` in a function) must resolve as one
    # breadth-first walk of the whole module resolves them.
    text = _nested_source(pieces, depths).replace("\n", newline)
    whole, in_pieces = scan_both_ways(text)
    assert in_pieces == whole


REAL_SOURCES = sorted(
    [
        *(Path(__file__).resolve().parents[2] / "lib" / "lockin").rglob("*.py"),
        *(Path(__file__).resolve().parents[2] / "data" / "portfolio").rglob("*.py"),
        *(Path(ast.__file__).parent / name for name in ("ast.py", "argparse.py", "typing.py", "inspect.py", "dataclasses.py", "tokenize.py")),
        FIXTURES / "train_cuda.py",
        FIXTURES / "vendor_paths.py",
        FIXTURES / "vendor_tools.py",
    ]
)


@pytest.mark.parametrize("path", REAL_SOURCES, ids=lambda p: p.name)
def test_real_sources_parsed_in_pieces_give_what_one_parse_gives(path):
    whole, in_pieces = scan_both_ways(path.read_bytes().decode("utf-8"), path.name)
    assert in_pieces == whole


@pytest.mark.parametrize(
    "broken",
    [
        "x = = 1",  # tokenizes, does not parse: the piece holding it names the line
        "def f(:\n    pass",  # an unclosed bracket: tokenizing fails, one parse names the line
        "s = \'\'\'never closed",
        "print 'python 2'",
    ],
)
def test_an_error_in_a_long_file_is_reported_on_its_line_either_way(broken):
    text = "import torch\n" + "x = torch.ones(1)\n" * 40 + broken + "\n" + "y = 2\n" * 40
    whole, in_pieces = scan_both_ways(text)
    assert whole[0] == "error" and whole[1] == 42
    assert in_pieces == whole


def test_a_statement_too_long_to_parse_is_a_problem_and_the_rest_is_read():
    table = "TABLE = [\n" + "".join(f"    ({i}, 'cuda:{i}'),\n" for i in range(50)) + "]\n"
    text = "import torch\n" + table + "x = torch.cuda.is_available()\n"
    with parsed_in_pieces(whole=100, piece=40, statement=500):
        result = scan_python(text, "tables.py")
    assert [(e.line, e.name) for e in result.evidence] == [(1, "torch"), (54, "torch.cuda.is_available")]
    [problem] = result.problems
    assert problem.line == 2 and problem.message.startswith("lines 2-53 are one statement of")
    assert "that statement is not read" in problem.message


def test_an_eight_megabyte_python_file_stays_within_the_memory_bound(tmp_path):
    """Parsed whole, this file's syntax tree alone would take about 700 MB."""
    from lockin.scan import ScanOptions, scan

    unit = (FIXTURES / "train_cuda.py").read_text() + "\n" + (Path(ast.__file__).parent / "argparse.py").read_text()
    unit_lines = unit.count("\n")
    copies = 7_500_000 // len(unit) + 1
    for name, text in (("one", unit), ("big", unit * copies)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "generated.py").write_text(text)
    one = scan([tmp_path / "one"], ScanOptions(project_name="one")).findings
    assert len(one) > 0
    out = tmp_path / "findings.csv"
    # A wrapper reads the largest resident set among the scan's processes.
    measure = "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    command = [sys.executable, "-m", "lockin", "scan", str(tmp_path / "big"), "--project", "big", "--format", "csv", "--out", str(out), "--no-progress"]
    done = subprocess.run([sys.executable, "-c", measure, *command], capture_output=True, text=True, check=True)
    peak_mib = int(done.stdout.split()[-1]) / 1024
    assert peak_mib < 500, f"peak resident memory {peak_mib:.0f} MiB"
    with out.open(newline="") as fh:
        lines = sorted(int(row["line"]) for row in csv.DictReader(fh))
    assert lines == sorted(line + k * unit_lines for line in one.line for k in range(copies))


def test_memory_stays_flat_over_many_files_with_different_aliases():
    """Each file's own alias set gets a token search with a 2 MiB table;
    only a few are kept, so a long scan does not grow."""

    def resident_mib() -> float:
        return int(Path("/proc/self/statm").read_text().split()[1]) * 4096 / 2**20

    scan_python("import torch as t0\nt0.cuda.synchronize()\n", "warm.py")
    before = resident_mib()
    for i in range(150):
        result = scan_python(f"import torch as t{i}\nimport cupy as c{i}\nt{i}.cuda.synchronize()\nc{i}.asarray(x)\n", f"m{i}.py")
        assert [e.name for e in result.evidence] == ["torch", "cupy", "torch.cuda.synchronize", "cupy.asarray"]
    assert resident_mib() - before < 32
