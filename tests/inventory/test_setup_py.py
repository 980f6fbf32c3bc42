"""Tests for the setup.py build reader (lockin.inventory.setup_py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lockin.inventory.setup_py import read_setup_py
from lockin.records import InputError

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "platform"


def evidence(result):
    return [(e.kind, e.name, e.line, e.ecosystem, e.spec) for e in result.evidence]


@pytest.fixture(scope="module")
def setup_result():
    return read_setup_py((FIXTURES / "setup.py").read_text(), "setup.py")


def test_extension_classes_at_each_use(setup_result):
    found = evidence(setup_result)
    assert ("build", "setuptools:CUDAExtension", 35, "setuptools", "") in found
    assert ("build", "setuptools:CppExtension", 43, "setuptools", "") in found  # used under an alias
    assert ("build", "setuptools:BuildExtension", 45, "setuptools", "") in found
    # Used, so not reported again at the import lines.
    assert not any(e[2] in (6, 7) for e in found)


def test_nvcc_compile_args_and_arch_flags(setup_result):
    found = evidence(setup_result)
    assert ("build", "compiler=nvcc", 40, "setuptools", "") in found
    assert ("build", "arch=sm_80", 40, "setuptools", "sm_80") in found
    # '-gencode' and its value are separate list items on separate lines.
    assert ("build", "arch=compute_90a", 21, "setuptools", "compute_90a") in found
    assert ("build", "arch=sm_90a", 21, "setuptools", "sm_90a") in found


def test_torch_cuda_arch_list_through_os_environ(setup_result):
    found = evidence(setup_result)
    assert ("build", "arch=sm_80", 9, "setuptools", "sm_80") in found
    assert ("build", "arch=sm_90", 9, "setuptools", "sm_90") in found


def test_hipify_import_and_call(setup_result):
    hipify = [e[2] for e in evidence(setup_result) if e[1] == "setuptools:hipify"]
    assert hipify == [13, 15]


def test_requirements_through_a_module_level_name_and_extras(setup_result):
    packages = [e for e in evidence(setup_result) if e[0] == "package"]
    assert packages == [
        ("package", "torch", 25, "pypi", ">=2.3"),
        ("package", "einops", 26, "pypi", ""),
        ("package", "triton", 27, "pypi", '==2.3.1; platform_system == "Linux"'),
        ("package", "pytest", 47, "pypi", ">=8"),
        ("package", "nvidia-ml-py", 47, "pypi", ""),
    ]
    assert setup_result.problems == []


def test_module_alias_and_unused_import():
    text = (
        "import torch.utils.cpp_extension as ce\n"
        "from torch.utils.cpp_extension import BuildExtension\n"
        "ext = ce.CUDAExtension('k', ['k.cu'])\n"
        "from torch.utils import hipify\n"
    )
    assert evidence(read_setup_py(text, "setup.py")) == [
        ("build", "setuptools:BuildExtension", 2, "setuptools", ""),
        ("build", "setuptools:CUDAExtension", 3, "setuptools", ""),
        ("build", "setuptools:hipify", 4, "setuptools", ""),
    ]


def test_gencode_values_appended_apart_from_their_flag():
    # flash-attention's and causal-conv1d's setup.py build the flag list one append at a time.
    text = (
        "cc_flag = []\n"
        "cc_flag.append('-gencode')\n"
        "cc_flag.append('arch=compute_80,code=sm_80')\n"
        "if bare_metal_version >= Version('12.8'):\n"
        "    cc_flag.append('-gencode')\n"
        "    cc_flag.append('arch=compute_100,code=sm_100')\n"
        "note = 'arch=compute_80 on its own is no flag'\n"
    )
    assert [(e.name, e.line) for e in read_setup_py(text, "setup.py").evidence] == [
        ("arch=compute_80", 3), ("arch=sm_80", 3), ("arch=compute_100", 6), ("arch=sm_100", 6),
    ]


def test_unrelated_names_are_not_evidence():
    text = "from setuptools import Extension, setup\nCUDAExtension = Extension\nsetup(ext_modules=[CUDAExtension('k', ['k.c'])])\n"
    assert read_setup_py(text, "setup.py").evidence == []


def test_invalid_requirement_is_a_problem_on_its_line():
    text = "from setuptools import setup\nsetup(\n    install_requires=[\n        'numpy',\n        'torch>=',\n    ],\n)\n"
    result = read_setup_py(text, "setup.py")
    assert [p.line for p in result.problems] == [5]
    assert [(e.name, e.line) for e in result.evidence] == [("numpy", 4)]


def test_syntax_error_is_input_error_with_line():
    with pytest.raises(InputError) as info:
        read_setup_py("from setuptools import setup\n\nsetup(name='x',\n", "setup.py")
    assert info.value.problem.line == 3
    assert "not valid Python" in info.value.problem.message


def test_null_byte_is_input_error():
    with pytest.raises(InputError):
        read_setup_py("x = 1\x00\n", "setup.py")


def test_never_executes_the_file(tmp_path):
    marker = tmp_path / "ran"
    text = f"open({str(marker)!r}, 'w').write('x')\nfrom torch.utils.cpp_extension import CUDAExtension\n"
    read_setup_py(text, "setup.py")
    assert not marker.exists()


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_arbitrary_text_never_raises_anything_but_input_error(text):
    try:
        read_setup_py(text, "setup.py")
    except InputError:
        pass


_flag = st.sampled_from(["-arch=sm_80", "-gencode arch=compute_90a,code=sm_90a", "--offload-arch=gfx942", "-O3", "--use_fast_math"])
_EXPECTED = {
    "-arch=sm_80": ["arch=sm_80"],
    "-gencode arch=compute_90a,code=sm_90a": ["arch=compute_90a", "arch=sm_90a"],
    "--offload-arch=gfx942": ["arch=gfx942"],
    "-O3": [],
    "--use_fast_math": [],
}


@settings(max_examples=200, deadline=None)
@given(st.lists(_flag, max_size=8), st.integers(0, 3))
def test_generated_nvcc_flag_lists_give_arches_on_their_lines(flags, padding):
    lines = ["from setuptools import setup", *["# padding"] * padding, "setup(", "    ext_modules=[],", "    extra_compile_args={", '        "nvcc": [']
    expected = [("compiler=nvcc", len(lines))]
    for flag in flags:
        lines.append(f"            {flag!r},")
        expected.extend((name, len(lines)) for name in _EXPECTED[flag])
    lines.extend(["        ],", "    },", ")"])
    result = read_setup_py("\n".join(lines) + "\n", "setup.py")
    got = [(e.name, e.line) for e in result.evidence]
    assert sorted(got, key=lambda g: g[1]) == sorted(expected, key=lambda g: g[1])
    assert sorted(got) == sorted(expected)


OWN_PACKAGES_SETUP = '''\
from setuptools import setup, find_packages
from torch.utils.cpp_extension import CUDAExtension, BuildExtension

PACKAGE_NAME = "flash_attn_3"
MODULES = ["flash_attn_interface", "flash_attn_config"]
ext_modules = [CUDAExtension(name=f"{PACKAGE_NAME}._C", sources=["a.cu"])]
ext_modules.append(CUDAExtension("attn_2_cuda", ["b.cu"]))
setup(
    name="Flash-Attn-Hopper",
    packages=find_packages(exclude=["tests"]) + ["extra_pkg.sub"],
    py_modules=MODULES,
    ext_modules=ext_modules,
    cmdclass={"build_ext": BuildExtension},
)
'''


def test_setup_py_defines_the_projects_own_import_roots():
    definitions = read_setup_py(OWN_PACKAGES_SETUP, "hopper/setup.py").definitions
    assert sorted((d.kind, d.name, d.line) for d in definitions) == [
        ("package", "attn_2_cuda", 7),  # an extension module named by its first argument
        ("package", "extra_pkg", 8),  # the literal part of find_packages() + [...]
        ("package", "flash_attn_3", 6),  # f"{PACKAGE_NAME}._C": the constant resolved
        ("package", "flash_attn_config", 8),
        ("package", "flash_attn_hopper", 8),  # the distribution name as an import name
        ("package", "flash_attn_interface", 8),  # py_modules through a module-level list
    ]


def test_setup_py_unknown_names_define_nothing():
    text = "from setuptools import setup\nimport os\nsetup(name=os.environ['NAME'], packages=find_packages())\n"
    assert read_setup_py(text, "setup.py").definitions == []


def test_the_nvcc_key_of_a_rocm_branch_is_not_the_nvidia_compiler():
    text = '''\
import os
from torch.utils.cpp_extension import BuildExtension, CUDAExtension

IS_ROCM = os.getenv("BUILD_TARGET", "cuda") == "rocm"
if IS_ROCM:
    args = {"cxx": ["-O3"], "nvcc": ["-O3", "--offload-arch=gfx942"]}
else:
    args = {"cxx": ["-O3"], "nvcc": ["-O3", "-gencode", "arch=compute_90,code=sm_90"]}
if not IS_ROCM:
    cuda_args = {"nvcc": ["--use_fast_math"]}
else:
    rocm_args = {"nvcc": ["-fgpu-rdc"]}
if os.getenv("BUILD_TARGET") != "rocm":
    more = {"nvcc": ["-lineinfo"]}
'''
    result = read_setup_py(text, "setup.py")
    assert [e.line for e in result.evidence if e.name == "compiler=nvcc"] == [8, 10, 14]
