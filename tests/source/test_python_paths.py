"""Tests of what the Python scanner says beside its evidence: target paths,
function regions, the project's own packages and vendor tools
(lockin.source.python with lockin.source.python_paths)."""

from __future__ import annotations

from pathlib import Path

import pytest

import lockin.source.python as python_scanner
from lockin.records import Definition, Region
from lockin.source.python import scan_python
from lockin.source.python_paths import module_path_vendor, package_defined_by

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "source"


def target_paths(text: str, path: str = "pkg/ops.py") -> list[tuple[int, int, str]]:
    return [(r.start, r.end, r.vendor) for r in scan_python(text, path).regions if r.kind == "target-path"]


def test_vendor_paths_fixture_regions():
    result = scan_python((FIXTURES / "vendor_paths.py").read_text(), "pkg/vendor_paths.py")
    assert [tuple(r) for r in result.regions if r.kind == "target-path"] == [
        ("target-path", 10, 13, "amd"),  # if torch.version.hip: … else: …
        ("target-path", 18, 23, "amd"),  # the elif checks torch.version.hip: the whole statement, once
        ("target-path", 28, 31, "amd"),  # if current_platform.is_rocm(): return … — the rest of the body too
        ("target-path", 35, 38, "amd"),  # SYSTEM == "rocm"
        ("target-path", 35, 38, "intel"),  # elif SYSTEM in ("ipex", "xpu")
        ("target-path", 42, 45, "amd"),  # try: import amdsmi / except: import pynvml
        ("target-path", 49, 51, "intel"),  # torch.hpu.is_available(), early return
    ]
    # torch.cuda.is_available() opens no path: it is true on ROCm builds of PyTorch too.
    assert not [r for r in result.regions if r.kind == "target-path" and r.start <= 55 <= r.end]


def test_function_regions_span_decorators_and_bodies():
    text = "import torch\n\n@torch.jit.script\ndef f(x):\n    return x\n\n\nclass A:\n    async def g(self):\n        pass\n"
    assert [tuple(r) for r in scan_python(text, "m.py").regions] == [("function", 3, 5, ""), ("function", 9, 10, "")]


def test_function_regions_only_beside_evidence():
    text = "import numpy\nimport torch_like\n\ndef f(x):\n    return torch(x)\n"
    result = scan_python(text, "m.py")
    assert result.evidence == [] and result.regions == []


@pytest.mark.parametrize(
    "condition, vendor",
    [
        ("torch.version.hip is not None", "amd"),
        ("not torch.version.hip", "amd"),
        ("is_hip()", "amd"),
        ("utils.is_rocm_pytorch()", "amd"),
        ("IS_HIP_EXTENSION", "amd"),
        ("HIP_BUILD and x", "amd"),
        ("USE_ROCM", "amd"),
        ("'rocm' in torch.__version__", "amd"),
        ("device.type == 'xpu'", "intel"),
        ("hasattr(torch, 'hpu')", "intel"),
        ("is_gaudi_available()", "intel"),
        ("torch.xpu.is_available()", "intel"),
        ("getattr(torch.version, 'hip', None) is not None", "amd"),
        ("torch.cuda.is_available()", None),
        ("tensor.is_cuda", None),
        ("hip", None),  # a bare name is no check
        ("self.ship_ready", None),
        ("arch == 'amd64'", None),
        ("IS_AMD64", None),
        ("not USE_AITER", "amd"),  # AITER: AMD's kernel library
        ("use_ck", None),  # too short a word to look for in conditions (check, block); a path word only
        ("is_hpu_gaudi2()", "intel"),
    ],
)
def test_conditions(condition, vendor):
    text = f"import torch\nif {condition}:\n    torch.cuda.synchronize()\n"
    assert target_paths(text) == ([(2, 3, vendor)] if vendor else [])


def test_top_level_raise_leaves_the_rest_of_the_file_to_the_other_path():
    text = "import torch\nif not torch.version.hip:\n    raise ImportError('ROCm only')\nx = 1\ny = torch.cuda.Event()\n"
    assert target_paths(text) == [(2, 5, "amd")]


def test_top_level_raise_region_is_the_same_when_read_in_pieces(monkeypatch):
    head = "import torch\nif not torch.version.hip:\n    raise ImportError('ROCm only')\n"
    body = "".join(f"x{i} = torch.cuda.Event()\n" for i in range(200))
    whole = scan_python(head + body, "m.py")
    monkeypatch.setattr(python_scanner, "WHOLE_PARSE_CHARS", 100)
    monkeypatch.setattr(python_scanner, "PIECE_CHARS", 200)
    pieces = scan_python(head + body, "m.py")
    assert pieces.regions == whole.regions == [Region("target-path", 2, 203, "amd")]
    assert pieces.evidence == whole.evidence


@pytest.mark.parametrize(
    "path, vendor",
    [
        ("vllm/attention/ops_rocm.py", "amd"),
        ("pkg/rocm/kernels.py", "amd"),
        ("pkg/hip/__init__.py", "amd"),
        ("flash_attn/flash_attn_triton_amd/fwd.py", "amd"),
        ("backends/gaudi/server/models/llama.py", "intel"),
        ("bitsandbytes/backends/xpu/ops.py", "intel"),
        ("tests/test_flash_attn_ck.py", "amd"),
        ("tests/test_flash_attn_triton_amd.py", "amd"),
        ("pkg/hpu/ops_rocm.py", "amd"),  # the file's own name first
        ("pkg/ops_cuda.py", ""),
        ("pkg/amd64/ship.py", ""),
    ],
)
def test_per_vendor_module(path, vendor):
    assert module_path_vendor(path) == vendor


def test_per_vendor_module_is_one_whole_file_region():
    text = "import torch\n\nx = torch.cuda.Event()\n"
    assert target_paths(text, "pkg/ops_rocm.py") == [(1, 3, "amd")]
    assert target_paths(text, "pkg/ops_cuda.py") == []


@pytest.mark.parametrize(
    "path, package",
    [
        ("flash_attn/__init__.py", "flash_attn"),
        ("src/causal_conv1d/__init__.py", "causal_conv1d"),
        ("server/text_generation_server/__init__.py", "text_generation_server"),
        ("flash_attn/cute/__init__.py", "cute"),
        ("triton/__init__.py", "triton"),  # the project is Triton
        ("bitsandbytes/triton/__init__.py", None),  # imported as bitsandbytes.triton
        ("bitsandbytes/backends/cuda/__init__.py", None),
        ("__init__.py", None),
        ("pkg/module.py", None),
        ("my-folder/__init__.py", None),  # not importable
    ],
)
def test_package_defined_by_init(path, package):
    assert package_defined_by(path, python_scanner.VENDOR_ROOTS) == package


def test_init_defines_its_package_even_without_vendor_words():
    result = scan_python("from .core import run\n", "causal_conv1d/__init__.py")
    assert result.definitions == [Definition("package", "causal_conv1d", None)]
    assert result.evidence == []


def test_vendor_tools_fixture():
    result = scan_python((FIXTURES / "vendor_tools.py").read_text(), "tools/vendor_tools.py")
    tools = [(e.line, e.name) for e in result.evidence if e.kind == "api"]
    assert {e.ecosystem for e in result.evidence if e.kind == "api"} == {"tool"}
    assert tools == [
        (7, "nvidia-smi"),
        (8, "nvcc"),
        (9, "nsys"),  # past the VAR=value assignment
        (9, "rocm-smi"),  # the second command of the shell string
        (10, "hipcc"),  # shutil.which
        (11, "rocminfo"),  # from subprocess import run; a full path
        (12, "hl-smi"),  # the literal start of an f-string
        (13, "dcgmi"),  # past sudo
        (16, "ncu"),  # on the line that names it
        (21, "nvcc"),  # cuda_dir + "/bin/nvcc"
        (22, "ptxas"),  # a variable named after the tool
        (23, "amd-smi"),  # os.path.join(rocm_home, "bin", "amd-smi")
        (24, "rocprof"),  # f"{home}/bin/rocprof ..."
        (31, "nvcc"),  # os.system(NVCC_COMMAND)
        (32, "rocminfo"),  # cmd = ["rocminfo"]
        (33, "nvidia-smi"),  # cmd = prefix + ["nvidia-smi"]
        (34, "nvcc"),  # nvsmi_cmd += [...]
        (35, "rocm-smi"),  # command: str = "..."
        (36, "nvidia-smi"),  # {"command": [...]}
    ]


def test_a_file_that_only_runs_a_tool_is_read():
    text = "import subprocess\n\nsubprocess.run(['nvidia-smi'])\n"
    assert [(e.kind, e.name, e.line, e.ecosystem) for e in scan_python(text, "x.py").evidence] == [
        ("api", "nvidia-smi", 3, "tool")
    ]


SETUP_WITH_EXTENSION = """\
from torch.utils.cpp_extension import BuildExtension, CUDAExtension
import torch.utils.cpp_extension as ext

setup(
    ext_modules=[CUDAExtension("k_cuda", ["k.cu"]), ext.CppExtension("k_cpu", ["k.cpp"])],
    cmdclass={"build_ext": BuildExtension},
)
"""


def test_setup_py_extension_uses_are_left_to_the_build_reader():
    # setup.py's own reader reports each use as setuptools:CUDAExtension; the
    # same call as a module finding was a double count (causal-conv1d setup.py:240).
    names = [(e.line, e.name) for e in scan_python(SETUP_WITH_EXTENSION, "setup.py").evidence]
    assert names == [
        (1, "torch.utils.cpp_extension.BuildExtension"),
        (1, "torch.utils.cpp_extension.CUDAExtension"),
        (2, "torch.utils.cpp_extension"),
    ]
    elsewhere = [(e.line, e.name) for e in scan_python(SETUP_WITH_EXTENSION, "build_ext.py").evidence]
    assert (5, "torch.utils.cpp_extension.CUDAExtension") in elsewhere
    assert (5, "torch.utils.cpp_extension.CppExtension") in elsewhere


def test_conditional_expressions_and_constant_flags():
    text = (
        "import torch\n"
        "lib = 'hip' if torch.version.hip else 'cuda'\n"  # both paths in one statement
        "HIP_ENVIRONMENT = torch.version.hip is not None\n"  # a flag set, no path
        "override = (\n    os.environ.get('BNB_ROCM_VERSION')\n    if HIP_ENVIRONMENT\n    else torch.cuda.x\n)\n"
        "if HIP_HOME is not None:\n    torch.cuda.y()\n"  # a constant naming a vendor is a flag
        "name = 'ship' if shipping else torch.cuda.z\n"  # a vendor word inside another word
    )
    assert target_paths(text) == [(2, 2, "amd"), (4, 8, "amd"), (9, 10, "amd")]


def test_conditional_expression_lines_with_carriage_returns():
    # The parser ends lines at a lone \r, so the path is found on its third
    # line; a file without \n is one line (lockin.lines), so it is named line 1.
    text = "import torch\r\rlib = 'hip' if torch.version.hip else torch.cuda.x\r"
    assert target_paths(text) == [(1, 1, "amd")]


def test_vendor_tools_cover_the_catalogs_tool_rows():
    import csv

    from lockin.source.python_paths import VENDOR_TOOLS

    tools = Path(__file__).resolve().parents[2] / "data" / "catalog" / "tools.csv"
    if not tools.exists():
        pytest.skip("no tools.csv in this catalog")
    lines = [line for line in tools.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    names = {row["match"] for row in csv.DictReader(lines) if row["kind"] == "api" and row["ecosystem"] == "tool"}
    assert names and names <= VENDOR_TOOLS, sorted(names - VENDOR_TOOLS)


def test_getattr_with_a_constant_name_is_the_attribute_chain():
    # hopper/flash_attn_interface.py:12 checks ROCm through getattr; it read as torch.version.
    text = "import torch\nif getattr(torch.version, 'hip', None) is not None:\n    x = getattr(torch, name)\n"
    assert [(e.line, e.name) for e in scan_python(text, "m.py").evidence] == [
        (1, "torch"),
        (2, "torch.version.hip"),
        (3, "torch"),  # a computed attribute name: the object only
    ]


def test_try_with_the_amd_import_in_its_handler():
    text = "try:\n    import pynvml as smi\nexcept ImportError:\n    import amdsmi as smi\nimport torch\n"
    assert target_paths(text) == [(1, 4, "amd")]
    assert target_paths("try:\n    import pynvml\nexcept ImportError:\n    pynvml = None\nimport torch\n") == []


@pytest.mark.parametrize(
    "statement, expected",
    [
        # TGI layers/gptq/__init__.py:39: the AWQ kernel refuses ROCm; the CUDA code after it has no AMD path
        ("if SYSTEM == 'rocm':\n    raise NotImplementedError('not on ROCm')\nx = torch.cuda.a()\n", []),
        ("if torch.version.hip:\n    raise RuntimeError\nelse:\n    x = torch.cuda.a()\n", []),
        ("if not is_rocm():\n    x = torch.cuda.a()\nelse:\n    raise NotImplementedError\n", []),
        # off the vendor, raising: what follows is the vendor's own code
        ("if torch.version.hip is None:\n    raise ImportError('ROCm only')\nx = torch.cuda.a()\n", [(1, 3, "amd")]),
        ("if SYSTEM != 'rocm':\n    raise ImportError\nx = torch.cuda.a()\n", [(1, 3, "amd")]),
        # a refusal in one branch, a path in another: the Intel path stays
        ("if SYSTEM == 'rocm':\n    raise ValueError\nelif SYSTEM == 'ipex':\n    x = 1\nelse:\n    x = torch.cuda.a()\n", [(1, 6, "intel")]),
    ],
)
def test_a_branch_that_only_raises_opens_no_path(statement, expected):
    assert target_paths("import torch\n" + statement) == [(start + 1, end + 1, vendor) for start, end, vendor in expected]


HELPERS = """\
import torch
from torch.utils.cpp_extension import CUDA_HOME


def add_cuda_gencodes(flags):
    flags += ["-gencode", "arch=compute_80,code=sm_80"]
    return nvcc_version(flags)


def nvcc_version(flags):
    return CUDA_HOME


def shared(flags):
    return flags


def unused():
    return torch.cuda.x


if not IS_ROCM:
    flags = add_cuda_gencodes([])
    flags = shared(flags)
else:
    flags = ["--offload-arch=gfx942"]
flags = shared(flags)
# add_cuda_gencodes( in a comment is only mentioned
"""


def test_helpers_called_only_on_a_target_path_are_on_it():
    # flash-attention setup.py: add_cuda_gencodes is called only where IS_ROCM is false
    text = HELPERS.replace("# add_cuda_gencodes( in a comment is only mentioned\n", "")
    assert target_paths(text) == [
        (22, 26, "amd"),  # the if/else
        (5, 7, "amd"),  # add_cuda_gencodes: called in the if only
        (10, 11, "amd"),  # nvcc_version: called only by add_cuda_gencodes, once that is on the path
    ]


def test_helpers_called_elsewhere_or_never_are_not():
    # The comment on the last line counts as a call outside: add_cuda_gencodes, and so
    # nvcc_version, stay out; shared is called outside the if too; unused is never called.
    assert target_paths(HELPERS) == [(22, 26, "amd")]
