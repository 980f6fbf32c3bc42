"""Tests of the C/C++ scanner's layout, definitions and regions (issue 11, sections 1, 4, 5)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lockin.records import Definition, Region
from lockin.source.cxx import Vocabulary, blank_source, scan_cxx
from lockin.source.cxx.structure import conditional_groups, read_layout, target_vendor_of

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "source"


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    from lockin.catalog import load_catalog

    return Vocabulary.from_catalog(load_catalog())


def scan_fixture(name: str, vocabulary: Vocabulary, path: str | None = None):
    return scan_cxx((FIXTURES / name).read_text(), path or name, vocabulary)


def defined(result) -> set[tuple[str, str, str]]:
    return {(d.kind, d.name, d.target) for d in result.definitions}


# ---------------------------------------------------------------------------
# Definitions: a mapping header, own macros, namespaces, members, methods
# ---------------------------------------------------------------------------


def test_mapping_header_names_are_aliases_of_their_hip_names(vocabulary):
    result = scan_fixture("mapping/hip_vendor.h", vocabulary, "ggml-cuda/vendors/hip_vendor.h")
    assert {
        ("alias", "CUBLAS_OP_N", "HIPBLAS_OP_N"),
        ("alias", "CUBLAS_STATUS_SUCCESS", "HIPBLAS_STATUS_SUCCESS"),
        ("alias", "cublasHandle_t", "hipblasHandle_t"),
        ("alias", "cudaMalloc", "hipMalloc"),
        ("alias", "cudaStream_t", "hipStream_t"),
        ("alias", "cudaError_t", "hipError_t"),  # using cudaError_t = hipError_t;
        ("alias", "cudaEvent_t", "hipEvent_t"),  # typedef hipEvent_t cudaEvent_t;
    } <= defined(result)
    # A vendor name the HIP file implements itself is a shim: an alias, never
    # an own macro or function (which would hide every real use of it).
    shims = {d.name: d.kind for d in result.definitions if d.name in ("cublasSetMathMode", "__shfl_xor_sync", "__vsub4")}
    assert shims == {"cublasSetMathMode": "alias", "__shfl_xor_sync": "alias", "__vsub4": "alias"}
    lines = {d.name: d.line for d in result.definitions}
    assert (lines["cudaMalloc"], lines["cudaError_t"], lines["__vsub4"]) == (11, 14, 17)


def test_mapping_header_lines_are_not_uses_of_the_cuda_names(vocabulary):
    result = scan_fixture("mapping/hip_vendor.h", vocabulary, "ggml-cuda/vendors/hip_vendor.h")
    names = {(e.line, e.name) for e in result.evidence if e.kind == "api"}
    assert (11, "cudaMalloc") not in names and (11, "hipMalloc") in names
    assert (14, "cudaError_t") not in names and (14, "hipError_t") in names
    # An aliased name used elsewhere stays a use (the target path covers it).
    assert (10, "CUBLAS_STATUS_SUCCESS") in names


def test_a_hip_file_is_wholly_a_target_path(vocabulary):
    result = scan_fixture("mapping/hip_vendor.h", vocabulary, "ggml-cuda/vendors/hip_vendor.h")
    assert Region("target-path", 1, 19, "amd") in result.regions


def test_own_macro_namespace_type_members_and_function(vocabulary):
    result = scan_fixture("mapping/common.cuh", vocabulary, "ggml-cuda/common.cuh")
    assert {
        ("macro", "CUDA_CHECK", ""),
        ("namespace", "cuda_utils", ""),
        ("function", "cuda_device_count", ""),
        ("type", "cuda_graph_state", ""),
        ("member", "cuda_graph_handle", ""),
        ("member", "cudaGraphUpdates", ""),
    } <= defined(result)
    # Real vendor APIs are used here, never defined.
    assert not {"cudaGetDeviceCount", "cudaGraph_t", "cudaStream_t", "cudaSuccess"} & {d.name for d in result.definitions}
    assert [(d.line, d.name) for d in result.definitions if d.name == "CUDA_CHECK"] == [(10, "CUDA_CHECK")]


def test_method_defined_out_of_its_class_and_macro_used_from_another_file(vocabulary):
    result = scan_fixture("mapping/graph.cu", vocabulary, "ggml-cuda/graph.cu")
    assert Definition("function", "cudaGraphLaunchWrapper", 3) in result.definitions
    # CUDA_CHECK is defined in common.cuh, not here: this file only uses it,
    # and the scan (which sees the whole project) drops those uses.
    assert "CUDA_CHECK" not in {d.name for d in result.definitions}
    assert [e.line for e in result.evidence if e.name == "CUDA_CHECK"] == [4, 9]
    assert {"cudaGraphLaunch", "cudaMalloc"} <= {e.name for e in result.evidence}


def test_a_vendor_api_declared_off_a_target_path_is_not_the_projects(vocabulary):
    # A wrapper header's prototype or a redirect to the project's own
    # allocator keeps the name the vendor's.
    text = "cudaError_t cudaMalloc(void ** p, size_t n);\n#define cudaFree my_free\nvoid use() { cudaMalloc(0, 1); }\n"
    result = scan_cxx(text, "wrap.h", vocabulary)
    assert result.definitions == []


def test_namespace_alias_to_hipcub(vocabulary):
    text = "#ifdef USE_ROCM\n#include <hipcub/hipcub.hpp>\nnamespace cub = hipcub;\n#else\n#include <cub/cub.cuh>\n#endif\n"
    assert Definition("alias", "cub", 3, "hipcub") in scan_cxx(text, "k.cu", vocabulary).definitions


# ---------------------------------------------------------------------------
# Target paths: conditional groups that test a vendor macro
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "vendor"),
    [
        (" defined(__HIP_PLATFORM_AMD__)", "amd"),
        (" __HIPCC__", "amd"),
        (" defined(__HIP_DEVICE_COMPILE__) && X", "amd"),
        (" USE_ROCM", "amd"),
        (" defined(GGML_USE_HIP)", "amd"),
        (" ENABLE_ROCM", "amd"),
        (" WITH_HIP", "amd"),
        (" defined(__gfx90a__) || defined(__gfx942__)", "amd"),
        (" SYCL_LANGUAGE_VERSION", "intel"),
        (" defined(GGML_USE_MUSA)", "mthreads"),
        (" HIPBLAS_V2", ""),  # HIP is not a whole word of it
        (" CHIP_ID > 3", ""),
        (" defined(__CUDA_ARCH__)", ""),
        (" CUDART_VERSION >= 12000", ""),
    ],
)
def test_target_vendor_of_condition(condition, vendor):
    assert target_vendor_of(condition) == vendor


def test_guard_groups_are_target_paths_with_every_branch(vocabulary):
    result = scan_fixture("guarded.cu", vocabulary)
    paths = sorted((r.start, r.end, r.vendor) for r in result.regions if r.kind == "target-path")
    assert paths == [
        (3, 11, "amd"),  # #ifndef USE_ROCM … #else … #endif, the nested gfx group inside it too
        (8, 10, "amd"),
        (15, 19, "mthreads"),
        (23, 25, "intel"),
    ]


def test_conditional_groups_nest_and_survive_stray_directives():
    code = blank_source("#endif\n#if A\n#ifdef B\nx\n#elif C\ny\n#endif\n#else\nz\n#endif\n#if D\n").code
    groups = conditional_groups(code)
    assert [[name for _, name, _ in own] for _, _, own in groups] == [["ifdef", "elif"], ["if", "else"], ["if"]]
    assert groups[-1][1] == len(code)  # an unterminated group runs to the end


# ---------------------------------------------------------------------------
# Function regions
# ---------------------------------------------------------------------------


def test_function_regions_cover_bodies_methods_kernels_and_lambdas():
    text = (
        "namespace ops {\n"  # 1
        "template <typename T>\n"  # 2
        "__global__ void k(T * x) {\n"  # 3
        "    auto f = [&](int i) {\n"  # 4
        "        return x[i];\n"  # 5
        "    };\n"  # 6
        "    x[threadIdx.x] = f(0);\n"  # 7
        "}\n"  # 8
        "struct Pool {\n"  # 9
        "    int size() const { return 1; }\n"  # 10
        "    int table[2] = {1, 2};\n"  # 11
        "};\n"  # 12
        "}  // namespace ops\n"  # 13
        "Pool::Pool(int n) : n_(n), m_{0} {\n"  # 14
        "    cudaFree(0);\n"  # 15
        "}\n"  # 16
    )
    result = scan_cxx(text, "k.cu", Vocabulary.default())
    functions = [(r.start, r.end) for r in result.regions if r.kind == "function"]
    assert functions == [(2, 8), (10, 10), (14, 16)]


def test_no_regions_without_evidence():
    text = "#ifdef USE_ROCM\nint a;\n#endif\nvoid f() { int warp = 0; }\n"
    result = scan_cxx(text, "plain.cpp", Vocabulary.default())
    assert result.evidence == [] and result.regions == []


def test_braces_of_later_branches_do_not_unbalance_the_file():
    text = "#ifdef A\nvoid f(int a) {\n#else\nvoid f() {\n#endif\n    cudaFree(0);\n}\nvoid g() {\n    cudaFree(0);\n}\n"
    result = scan_cxx(text, "f.cu", Vocabulary.default())
    assert [(r.start, r.end) for r in result.regions if r.kind == "function"] == [(2, 7), (8, 10)]


def test_layout_finds_kernels():
    layout = read_layout(blank_source("__global__ void k() { }\nvoid h() { }\n").code)
    assert [f[3] for f in layout.functions] == [True, False]


# ---------------------------------------------------------------------------
# Scanner defects from real code (section 5)
# ---------------------------------------------------------------------------


def constructs(text: str, path: str) -> list[tuple[int, str]]:
    return [(e.line, e.name) for e in scan_cxx(text, path, Vocabulary.default()).evidence if e.kind == "construct"]


def test_risc_v_vector_assembly_is_not_ptx():
    # RISC-V vector code of a CPU backend, in a file that also holds GPU marks.
    text = (
        "__device__ int unused;\n"
        "static void dot(const int8_t * x, int n) {\n"
        '    __asm__ __volatile__("vsetvli %[vl], %[n], e8, m1, ta, ma\\n\\t"\n'
        '                         "vle8.v v0, (%[x])\\n\\t"\n'
        '                         "fence.i\\n\\t"\n'
        '                         "add.uw t0, t1, t2" : [vl] "=r"(n) : [n] "r"(n), [x] "r"(x));\n'
        "}\n"
    )
    assert constructs(text, "ggml-cpu/arch/riscv/quants.cu") == []


@pytest.mark.parametrize(
    "assembly",
    [
        '"sync"',  # POWER
        '"pause"',  # x86
        '"dmb ish" ::: "memory"',  # Arm
        '"rdtsc" : "=a"(lo), "=d"(hi)',
    ],
)
def test_cpu_assembly_in_gpu_code_is_no_construct(assembly):
    assert constructs(f"__global__ void k() {{ asm volatile({assembly}); }}\n", "k.cu") == []


@pytest.mark.parametrize(
    "assembly",
    [
        '"set.le.u32.f16x2 %0, %1, %2;" : "=r"(m) : "r"(a), "r"(b)',
        '"cp.async.wait_all;"',
        '"multimem.ld_reduce.relaxed.sys.global.add.f32 %0, [%1];" : "=f"(v) : "l"(p)',
        '"{ .reg .pred p; setp.ne.b32 p, %1, 0; }" : "=r"(r) : "r"(x)',
        '"red.global.add.u64 [%0], %1;" :: "l"(p), "l"(v)',
    ],
)
def test_ptx_is_recognised_by_its_instructions(assembly):
    assert constructs(f"__device__ void k() {{ asm volatile({assembly}); }}\n", "k.cu") == [(1, "inline-ptx")]


def test_host_launch_after_a_kernel_with_branch_braces_is_not_dynamic_parallelism():
    text = (
        "__global__ void k(const float * x,\n"
        "#ifdef GGML_CUDA_F16\n"
        "    const half * y) {\n"
        "#else\n"
        "    const float * y) {\n"
        "#endif\n"
        "    (void) x;\n"
        "}\n"
        "void host(const float * x, const float * y) {\n"
        "    k<<<1, 32>>>(x, y);\n"
        "}\n"
    )
    assert constructs(text, "k.cu") == [(10, "kernel-launch")]


def test_launch_inside_a_kernel_is_still_dynamic_parallelism():
    text = "__global__ void child() { }\n__global__ void parent() {\n    if (threadIdx.x == 0) { child<<<1, 1>>>(); }\n}\n"
    assert constructs(text, "k.cu") == [(3, "kernel-launch"), (3, "dynamic-parallelism")]


def test_warp_width_is_not_reported_in_sycl_code():
    text = (
        "#include <sycl/sycl.hpp>\n"
        "#define WARP_SIZE 32\n"
        "void k(sycl::nd_item<1> it) { int lane = it.get_local_id(0) % 32; int w = threadIdx.x / 32; }\n"
    )
    assert constructs(text, "ggml-sycl/softmax.cpp") == []
    # The same header in a SYCL backend's folder, without a SYCL include.
    assert constructs("#define QK_WARP_SIZE 32\n__device__ int x;\n", "ggml/src/ggml-sycl/presets.hpp") == []
    assert constructs("#define QK_WARP_SIZE 32\n__device__ int x;\n", "ggml/src/ggml-cuda/presets.cuh") == [(1, "warp-size-32")]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("const int warp_id = threadIdx.x / 32;", [(2, "warp-size-32")]),
        ("int num_warps = blockDim.x >> 5;", [(2, "warp-size-32")]),
        ("const int64_t n = tid/32;", []),  # 64 threads tiled in two halves of the block
        ("const int tile = BLOCK_SIZE / 32;", []),
        ("const int k = K / 32;", []),
        ("const int lane = threadIdx.x % 32;", [(2, "lane-modulo-32")]),
        ("const int lane = tid & 31;", [(2, "lane-modulo-32")]),
        ("v = __shfl_xor_sync(0xffffffff, v, 1, 32);", [(2, "full-warp-mask")]),  # width 32: honoured by HIP
    ],
)
def test_warp_size_is_arithmetic_on_a_thread_index_that_names_a_warp(line, expected):
    text = f"__global__ void k(float v, int tid) {{\n{line}\n}}\n"
    assert constructs(text, "k.cu") == expected


def test_full_warp_mask_is_a_mechanical_fix_in_the_catalog():
    from lockin.catalog import load_catalog

    rows = [row for row in load_catalog().rows if row.kind == "construct" and row.match == "full-warp-mask"]
    assert rows and all(row.verdict("amd")[0] == "translatable" for row in rows)


def test_fallbacks_for_an_old_library_are_not_the_projects_names(vocabulary):
    # nccl-tests' NCCL 1.x compatibility header: the vendor's names, defined
    # only where the library lacks them. Defining them as the project's own
    # would hide every real ncclAllReduce call of the project.
    text = (
        "#include <nccl.h>\n"
        "#ifndef NCCL_MAJOR\n"
        "#define NCCL_MAJOR 1\n"
        "static ncclResult_t ncclGroupStart() { return ncclSuccess; }\n"
        "#endif\n"
        "#if CUDART_VERSION >= 12000\n"
        "#define CUDA_GRAPH_CHECK(x) x\n"
        "#endif\n"
    )
    assert {(d.kind, d.name) for d in scan_cxx(text, "src/nccl1_compat.h", vocabulary).definitions} == {("macro", "CUDA_GRAPH_CHECK")}
