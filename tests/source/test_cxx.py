"""Tests of the C/C++/CUDA/HIP scanner (lockin.source.cxx)."""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lockin.catalog import Catalog, CatalogRow
from lockin.records import ReadResult
from lockin.source.cxx import AnchoredWords, TokenHeads, Vocabulary, WordFilter, blank_source, scan_cxx

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "source"


def scan(text: str, path: str = "k.cu", vocabulary: Vocabulary | None = None) -> ReadResult:
    return scan_cxx(text, path, vocabulary or Vocabulary.default())


def triples(result: ReadResult) -> list[tuple[int, str, str]]:
    return [(e.line, e.kind, e.name) for e in result.evidence]


def of_kind(result: ReadResult, kind: str) -> list[tuple[int, str]]:
    return [(e.line, e.name) for e in result.evidence if e.kind == kind]


# ---------------------------------------------------------------------------
# Realistic fixtures, exact expectations
# ---------------------------------------------------------------------------


def test_fused_softmax_kernels():
    result = scan((FIXTURES / "fused_softmax.cu").read_text(), "kernels/fused_softmax.cu")
    assert result.problems == []
    assert {e.ecosystem for e in result.evidence} == {"cuda"}
    assert triples(result) == [
        (2, "include", "cuda_runtime.h"),
        (3, "include", "cublas_v2.h"),
        (4, "include", "mma.h"),
        (8, "construct", "warp-size-32"),  # #define WARP_SIZE 32
        (9, "construct", "full-warp-mask"),  # #define FULL_MASK 0xffffffff
        (15, "api", "__shfl_xor_sync"),
        (15, "construct", "full-warp-mask"),  # (its width argument 32 is not evidence: HIP honours it)
        (21, "api", "__shfl_down_sync"),
        (27, "construct", "inline-ptx"),
        (32, "construct", "lane-modulo-32"),  # threadIdx.x % 32
        (33, "construct", "warp-size-32"),  # threadIdx.x / 32
        (34, "construct", "warp-size-32"),  # blockDim.x / 32
        (41, "api", "__ballot_sync"),
        (41, "construct", "full-warp-mask"),  # compared with 0xffffffff
        *[(line, "construct", "wmma") for line in range(47, 55)],
        (59, "construct", "inline-ptx"),  # mma.sync in PTX
        (71, "construct", "kernel-launch"),
        (71, "construct", "dynamic-parallelism"),  # launched from parent's body
        (75, "api", "cudaStream_t"),
        (77, "api", "cudaMalloc"),
        (78, "api", "cudaMemcpyAsync"),
        (78, "api", "cudaMemcpyHostToDevice"),
        (79, "construct", "kernel-launch"),
        (80, "api", "cublasHandle_t"),
        (81, "api", "cublasCreate"),
        (83, "api", "cublasSgemm"),
        (83, "api", "CUBLAS_OP_N"),
        (83, "api", "CUBLAS_OP_N"),  # one evidence per occurrence
        (86, "api", "cudaGetLastError"),
        (86, "api", "cudaSuccess"),
    ]
    # The evidence text is the source line, trimmed.
    launch = next(e for e in result.evidence if e.line == 79)
    assert launch.text == "fused_softmax<<<rows / 4, 128, 0, stream>>>(d_x, y, cols);"


def test_hopper_features():
    result = scan((FIXTURES / "hopper_gemm.cu").read_text(), "gemm/hopper_gemm.cu")
    constructs = of_kind(result, "construct")
    assert constructs == [
        # (line 6, namespace cg = cooperative_groups, names the library: its uses are the construct)
        (8, "tma"),  # CUtensorMap parameter
        (9, "inline-ptx"),
        (10, "tma"),  # cp.async.bulk.tensor inside the PTX string
        (16, "wgmma"),  # the function name wgmma_m64n128k16
        (17, "inline-ptx"),
        (17, "wgmma"),  # wgmma.fence
        (18, "inline-ptx"),
        (19, "wgmma"),  # wgmma.mma_async
        (23, "thread-block-cluster"),  # __cluster_dims__
        (25, "cooperative-groups"),  # cg:: uses through the alias
        (25, "thread-block-cluster"),  # cluster_group / this_cluster
        (26, "distributed-shared-memory"),  # map_shared_rank
        (31, "tma"),
        (36, "tma"),  # cuTensorMapEncodeTiled
        (44, "thread-block-cluster"),  # cudaLaunchAttributeClusterDimension
    ]
    assert (36, "cuTensorMapEncodeTiled") in of_kind(result, "api")
    assert (47, "cudaLaunchKernelEx") in of_kind(result, "api")
    assert of_kind(result, "include") == [(2, "cuda.h"), (3, "cuda_runtime.h"), (4, "cooperative_groups.h")]


def test_hip_file_is_hip_and_wavefront_64_is_reported():
    result = scan((FIXTURES / "reduce.hip").read_text(), "src/reduce.hip")
    assert {e.ecosystem for e in result.evidence} == {"hip"}
    assert triples(result) == [
        (2, "include", "hip/hip_runtime.h"),
        (3, "include", "rocblas/rocblas.h"),
        (5, "construct", "warp-size-64"),  # #define WAVEFRONT_SIZE 64
        (8, "construct", "warp-size-64"),  # threadIdx.x % 64
        (11, "api", "__shfl_xor"),
        (11, "construct", "warp-size-64"),  # width argument 64
        (14, "construct", "inline-gcn-asm"),
        (19, "api", "hipMalloc"),
        (20, "api", "hipMemcpy"),
        (20, "api", "hipMemcpyHostToDevice"),
        (21, "api", "hipLaunchKernelGGL"),
        (22, "api", "rocblas_handle"),
        (23, "api", "rocblas_create_handle"),
        (24, "api", "hipDeviceSynchronize"),
        (24, "api", "hipSuccess"),
    ]


def test_names_in_comments_strings_and_raw_strings_are_not_evidence():
    result = scan((FIXTURES / "comments_only.cu").read_text(), "src/comments_only.cu")
    assert result.evidence == []
    assert result.problems == []


# ---------------------------------------------------------------------------
# Dialect
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path, text, ecosystem",
    [
        ("a.cpp", "#include <hip/hip_runtime.h>\nvoid f() { hipFree(0); }\n", "hip"),
        ("a.hip", "void f() { hipFree(0); }\n", "hip"),
        ("a.cu", "#include <hip/hip_runtime.h>\n#include <cuda_runtime.h>\nvoid f() { hipFree(0); }\n", "cuda"),
        ("a.cc", "void f() { cudaFree(0); }\n", "cuda"),
        ("a.HIP", "void f() { hipFree(0); }\n", "hip"),
    ],
)
def test_dialect(path, text, ecosystem):
    result = scan(text, path)
    assert result.evidence
    assert {e.ecosystem for e in result.evidence} == {ecosystem}


def test_warp_size_64_only_in_hip_files():
    text = "__global__ void k(float v) { v += __shfl_xor(v, 1, 64); int w = threadIdx.x / 64; }\n"
    assert "warp-size-64" not in {n for _, n in of_kind(scan(text, "k.cu"), "construct")}
    assert [n for _, n in of_kind(scan(text, "k.hip"), "construct")].count("warp-size-64") == 1  # once per line


def test_inline_asm_without_gpu_instructions_is_no_construct_in_hip_or_cuda():
    # Named by its instruction set alone: "nop" is neither PTX nor GCN.
    text = '__device__ void f() { asm volatile("nop"); }\n'
    assert of_kind(scan(text, "f.hip"), "construct") == []
    assert of_kind(scan(text, "f.cu"), "construct") == []


@pytest.mark.parametrize(
    ("path", "text", "expected"),
    [
        # GCN instructions are AMD's whatever the file says it is (composable_kernel's .hpp headers).
        ("ck/amd_inline_asm.hpp", 'inline __device__ int f(int a, int b) { int c; asm volatile("v_and_b32 %0, %1, %2" : "=v"(c) : "v"(a), "v"(b)); return c; }', ["inline-gcn-asm"]),
        ("k.cu", '__device__ void f() { asm volatile("s_waitcnt lgkmcnt(0)" ::: "memory"); }', ["inline-gcn-asm"]),
        # PTX instructions are PTX even where a project macro hides __device__.
        ("timestamp/cuda.hpp", 'HPX_DEVICE inline unsigned long long t() { unsigned long long r; asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(r)); return r; }', ["inline-ptx"]),
        # Host assembly beside a device-code guard is the host's.
        ("timestamp/linux_x86_64.hpp", '#if defined(__CUDA_ARCH__)\nreturn 0;\n#else\n__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));\n#endif', []),
        ("util/cpu.h", 'static inline void pause() { __asm__ __volatile__("pause"); }', []),
    ],
)
def test_inline_asm_is_named_by_its_instructions(path, text, expected):
    assert [n for _, n in of_kind(scan(text + "\n", path), "construct")] == expected


# ---------------------------------------------------------------------------
# API identifiers
# ---------------------------------------------------------------------------


def test_api_is_matched_as_a_whole_token():
    text = "void f() { mycudaMalloc(p); cudaMalloc_wrapper(p); x.cudaFree(p); ::cudaMemset(p, 0, 1); }\n"
    assert of_kind(scan(text), "api") == [(1, "cudaMalloc_wrapper"), (1, "cudaFree"), (1, "cudaMemset")]


def test_namespaces_keep_two_components():
    text = (
        "#include <thrust/sort.h>\n"
        "void f(thrust::device_vector<int>& v) {\n"
        "  thrust::sort(thrust::device, v.begin(), v.end());\n"
        "  using Frag = nvcuda::wmma::fragment<nvcuda::wmma::accumulator, 16, 16, 16, float>;\n"
        "  cub::DeviceReduce::Sum(nullptr, bytes, in, out, n);\n"
        "}\n"
    )
    result = scan(text, "sort.cu")
    assert of_kind(result, "api") == [
        (2, "thrust::device_vector"),
        (3, "thrust::sort"),
        (3, "thrust::device"),
        (4, "nvcuda::wmma"),
        (4, "nvcuda::wmma"),
        (5, "cub::DeviceReduce"),
    ]
    assert of_kind(result, "include") == [(1, "thrust/sort.h")]


def test_unknown_headers_are_not_evidence_and_include_names_are_not_api():
    text = '#include <vector>\n#include "cuda_utils.h"\n  #  include <cudnn.h>\nint x;\n'
    result = scan(text, "a.cpp")
    assert triples(result) == [(2, "include", "cuda_utils.h"), (3, "include", "cudnn.h")]


def test_preprocessor_branches_are_all_scanned():
    # #if 0 and #ifdef blocks are not evaluated: the code in them is maintained code.
    text = "#if 0\nvoid old() { cudaMallocHost(&p, n); }\n#endif\n#ifdef USE_HIP\nhipFree(p);\n#endif\n"
    assert of_kind(scan(text, "a.cu"), "api") == [(2, "cudaMallocHost"), (5, "hipFree")]


# ---------------------------------------------------------------------------
# Constructs: launches and false positives
# ---------------------------------------------------------------------------


def test_template_kernel_launch_and_shifts():
    text = (
        "template <typename T, int N> __global__ void k(T* x);\n"
        "void host(float* x, int a, int b) {\n"
        "  k<float, 4><<<dim3(a >> 2), 256>>>(x);\n"
        "  int c = (a << 3) >> b;\n"
        "  int d = a <<b;\n"
        '  printf("<<<not a launch>>>");\n'
        "}\n"
    )
    assert of_kind(scan(text), "construct") == [(3, "kernel-launch")]


def test_dynamic_parallelism_only_inside_global_bodies():
    text = (
        "__global__ void child(int* p);\n"  # declaration: no body
        "void host(int* p) { child<<<1, 1>>>(p); }\n"
        "__global__ void parent(int* p) {\n"
        "  if (p) {\n"
        "    child<<<1, 1>>>(p);\n"
        "  }\n"
        "}\n"
        "void again(int* p) { child<<<2, 2>>>(p); }\n"
    )
    assert of_kind(scan(text), "construct") == [
        (2, "kernel-launch"),
        (5, "kernel-launch"),
        (5, "dynamic-parallelism"),
        (8, "kernel-launch"),
    ]


@pytest.mark.parametrize(
    "line",
    [
        "int buffer[32];",
        "x = y / 32;",
        "#define NUM_WARPS 32",
        "#define WARPS_PER_BLOCK 32",
        "constexpr int kTileSize = 32;",
        "unsigned mask = 0xffffffff;",  # not named as a warp mask
        "v = __shfl_xor_sync(active, v, 1);",  # mask is a variable
        "int lane = threadIdx.x % warpSize;",  # portable: no literal width
        "uint64_t wide = 0xffffffffffffffff;",
        "rocwmma::mma_sync(acc, a, b, acc);",
    ],
)
def test_no_construct_false_positives(line):
    text = f"__global__ void k(float v, unsigned active) {{\n{line}\n}}\n"
    assert of_kind(scan(text), "construct") == []


@pytest.mark.parametrize(
    "line, name",
    [
        ("constexpr int kWarpSize = 32;", "warp-size-32"),
        ("static const int THREADS_PER_WARP = 32;", "warp-size-32"),
        ("int warp_id = tid >> 5;", "warp-size-32"),
        ("int lane = tid & 31;", "lane-modulo-32"),
        ("int lane = laneId & 0x1f;", "lane-modulo-32"),
        ("const unsigned kFullMask = 0xFFFFFFFFu;", "full-warp-mask"),
        ("v = __shfl_down_sync(~0u, v, 1);", "full-warp-mask"),
        ("__syncwarp(0xffffffff);", "full-warp-mask"),
        ("v += __shfl_xor_sync(uint32_t(-1), v, 1);", "full-warp-mask"),  # vLLM's cuda_compat.h
        ("v += __shfl_xor_sync((unsigned)-1, v, 1);", "full-warp-mask"),
        ("__syncwarp(static_cast<unsigned int>(-1));", "full-warp-mask"),
        ("if (0xffffffff == __ballot_sync(m, p)) {}", "full-warp-mask"),
        ("cooperative_groups::thread_block b = cooperative_groups::this_thread_block();", "cooperative-groups"),
        ("using namespace nvcuda; wmma::fill_fragment(f, 0.f);", "wmma"),
        ("mma_sync(acc, a, b, acc);", "wmma"),
        ("using Atom = SM90_64x128x16_F32F16F16_SS;", "wgmma"),
        ("using Copy = SM90_TMA_LOAD;", "tma"),
    ],
)
def test_constructs(line, name):
    text = f"__global__ void k(float v, unsigned m, int tid, int laneId, bool p) {{\n{line}\n}}\n"
    assert (2, name) in of_kind(scan(text), "construct")


# ---------------------------------------------------------------------------
# The lexer
# ---------------------------------------------------------------------------


def test_blanking_keeps_offsets_and_line_breaks():
    text = (FIXTURES / "comments_only.cu").read_text()
    lexed = blank_source(text)
    assert len(lexed.code) == len(text)
    assert [i for i, c in enumerate(lexed.code) if c == "\n"] == [i for i, c in enumerate(text) if c == "\n"]
    assert "cuda" not in lexed.code and "asm" not in lexed.code
    assert "1'000'000" in lexed.code  # digit separators are code
    assert "shift(int a, int b)" in lexed.code


def test_line_comment_continued_with_backslash():
    text = "// note \\\ncudaFree(p);\ncudaFree(q);\n"
    assert of_kind(scan(text), "api") == [(3, "cudaFree")]


def test_unterminated_block_comment_runs_to_end_and_is_a_problem():
    text = "int a;\ncudaFree(a);\n/* never closed\ncudaFree(b);\n"
    result = scan(text, "u.cu")
    assert of_kind(result, "api") == [(2, "cudaFree")]
    assert [(p.path, p.line) for p in result.problems] == [("u.cu", 3)]
    assert "unterminated /* comment" in result.problems[0].message


def test_unterminated_string_ends_at_its_line():
    text = 'const char* s = "open\ncudaFree(p);\n'
    result = scan(text, "s.cu")
    assert of_kind(result, "api") == [(2, "cudaFree")]
    assert [p.line for p in result.problems] == [1]
    assert "unterminated string literal" in result.problems[0].message


def test_unterminated_raw_string_runs_to_end():
    text = 'cudaFree(a);\nauto s = R"x(\ncudaFree(b);\n'
    result = scan(text, "r.cu")
    assert of_kind(result, "api") == [(1, "cudaFree")]
    assert [p.line for p in result.problems] == [2]


def test_raw_string_delimiter_and_prefixes():
    text = (
        'auto a = R"sql(select ")" from t; cudaFree(x))sql"; cudaFree(y);\n'
        'auto b = u8R"(cudaMalloc)"; auto c = LR"(cudaMalloc)";\n'
        "auto d = L'x'; auto e = u8\"cudaMalloc\"; cudaFree(z);\n"
    )
    assert of_kind(scan(text), "api") == [(1, "cudaFree"), (3, "cudaFree")]


def test_escaped_quotes_and_char_literals():
    text = "char q = '\"'; const char* s = \"a \\\" cudaFree(p) \\\\\"; char b = '\\\\'; cudaFree(r);\n"
    assert of_kind(scan(text), "api") == [(1, "cudaFree")]


def test_crlf_line_endings_keep_line_numbers():
    text = "// c\r\n#include <cuda.h>\r\n\r\nvoid f() { cudaFree(p); }\r\n"
    result = scan(text)
    assert triples(result) == [(2, "include", "cuda.h"), (4, "api", "cudaFree")]
    assert result.evidence[1].text == "void f() { cudaFree(p); }"


def test_files_without_vendor_words_produce_nothing():
    text = "#include <vector>\nint main() { std::vector<int> v(32); return v[0] / 32; }\n"
    assert scan(text).evidence == []


# ---------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------


def _row(kind: str, match_type: str, match: str) -> CatalogRow:
    return CatalogRow(kind, "", match_type, match, "nvidia", "runtime", "", {}, None, "", "test")


def test_vocabulary_from_catalog_uses_names_prefixes_and_simple_globs():
    catalog = Catalog(
        [
            _row("api", "exact", "cudaMalloc"),
            _row("api", "prefix", "cublas"),
            _row("api", "glob", "ncclComm*"),
            _row("api", "regex", "cusparse.*"),  # cannot be pre-filtered
            _row("include", "exact", "mma.h"),
            _row("include", "prefix", "cub/"),
        ]
    )
    vocab = Vocabulary.from_catalog(catalog)
    assert vocab.names == {"cudaMalloc"}
    assert set(vocab.prefixes) == {"cublas", "ncclComm"}
    text = (
        "#include <mma.h>\n#include <cub/cub.cuh>\n#include <cuda_runtime.h>\n"
        "void f() { cudaMalloc(p); cudaMallocHost(p); cublasSgemm(h); ncclCommInitRank(c); cusparseCreate(h); }\n"
    )
    result = scan_cxx(text, "f.cu", vocab)
    assert triples(result) == [
        (1, "include", "mma.h"),
        (2, "include", "cub/cub.cuh"),
        (4, "api", "cudaMalloc"),
        (4, "api", "cublasSgemm"),
        (4, "api", "ncclCommInitRank"),
    ]


@pytest.fixture(scope="module")
def catalog_vocabulary() -> Vocabulary:
    from lockin.catalog import load_catalog

    return Vocabulary.from_catalog(load_catalog())


# Names from HIPIFY's device-function table that C libraries use too: glibc's
# math.h and assert.h, libstdc++'s algorithms, helpers in plain C code.
_HOST_HEADER = """\
#include <stdint.h>
extern int __isnan (double __value);
extern int __finite (double __value);
extern void __assert_fail (const char *__assertion, const char *__file);
static inline unsigned umin(unsigned a, unsigned b) { return a < b ? a : b; }
static inline unsigned umax(unsigned a, unsigned b) { return a > b ? a : b; }
int search(const int* first, int len) { int __half = len >> 1; return first[__half]; }
void notify(bool __all) { if (__all) saturate(first); }
"""


def test_device_function_names_in_host_code_are_not_evidence(catalog_vocabulary):
    assert scan_cxx(_HOST_HEADER, "third_party/libm/mathdefs.h", catalog_vocabulary).evidence == []


@pytest.mark.parametrize(
    "path, mark",
    [
        ("kernels/helpers.cu", ""),  # a CUDA suffix
        ("include/helpers.h", "__device__ float twice(float x);\n"),  # a device qualifier
        ("include/helpers.h", "#ifdef __CUDA_ARCH__\n#endif\n"),  # a device-code guard
        ("include/helpers.h", "#include <cuda_fp16.h>\n"),  # a CUDA header
        ("src/ATen/native/cuda/helpers.h", ""),  # a backend folder
    ],
)
def test_device_function_names_in_gpu_code_are_evidence(catalog_vocabulary, path, mark):
    found = {e.name for e in scan_cxx(mark + _HOST_HEADER, path, catalog_vocabulary).evidence if e.kind == "api"}
    assert {"__isnan", "__finite", "__assert_fail", "umin", "umax", "__half", "__all", "saturate"} <= found


def test_vendor_prefixed_names_are_evidence_in_host_code_too(catalog_vocabulary):
    text = "#include <stdio.h>\nvoid check(cudaError_t e) { if (e != cudaSuccess) puts(cudaGetErrorString(e)); }\n"
    names = [e.name for e in scan_cxx(text, "src/errors.cpp", catalog_vocabulary).evidence]
    assert names == ["cudaError_t", "cudaSuccess", "cudaGetErrorString"]


def test_the_files_own_names_that_begin_like_an_api_are_not_evidence(catalog_vocabulary):
    # NVIDIA's tensor-core sample: its own checker functions, handle variable and timer.
    text = (
        "#include <cublas_v2.h>\n"
        "void cudaErrCheck_(cudaError_t stat, const char* file, int line) {\n"
        "  if (stat != cudaSuccess) fprintf(stderr, \"%s\", cudaGetErrorString(stat));\n"
        "}\n"
        "int main() {\n"
        "  cublasHandle_t cublasHandle;\n"
        "  float cublasTime;\n"
        "  cudaErrCheck_(cudaMalloc(&p, 16), __FILE__, __LINE__);\n"
        "  cublasCreate(&cublasHandle);\n"
        "  cudaEventElapsedTime(&cublasTime, a, b);\n"
        "}\n"
    )
    names = [e.name for e in scan_cxx(text, "simpleTensorCoreGEMM.cu", catalog_vocabulary).evidence if e.kind == "api"]
    assert not {"cudaErrCheck_", "cublasHandle", "cublasTime"} & set(names)
    assert {"cudaError_t", "cudaSuccess", "cudaGetErrorString", "cublasHandle_t", "cudaMalloc", "cublasCreate", "cudaEventElapsedTime"} <= set(names)


def test_a_wrapper_declaring_a_known_api_keeps_it(catalog_vocabulary):
    text = '#include <cuda_runtime.h>\nextern "C" cudaError_t cudaMalloc(void** p, size_t n) { return real_malloc(p, n); }\n'
    assert "cudaMalloc" in [e.name for e in scan_cxx(text, "shim.cpp", catalog_vocabulary).evidence]


def test_thousands_of_exact_names():
    names = {f"cudaFunction{i:04d}" for i in range(3000)} | {"cuLaunchKernel", "nvtxRangePushA"}
    vocab = Vocabulary(names=names)
    text = "void f() {\n  cudaFunction0042(x);\n  cudaFunction00420(x);\n  cuLaunchKernel(k);\n  nvtxRangePushA(\"r\");\n}\n"
    assert of_kind(scan_cxx(text, "f.cu", vocab), "api") == [(2, "cudaFunction0042"), (4, "cuLaunchKernel"), (5, "nvtxRangePushA")]


def test_vocabulary_pickles_without_compiled_regexes():
    vocab = Vocabulary.default()
    scan("cudaFree(p);\n", vocabulary=vocab)  # compiles
    clone = pickle.loads(pickle.dumps(vocab))
    assert clone == vocab
    assert clone._compiled is None
    assert of_kind(scan_cxx("cudaFree(p);\n", "a.cu", clone), "api") == [(1, "cudaFree")]
    assert len(pickle.dumps(vocab)) < 10_000


def test_bad_vocabulary_pattern_is_refused():
    with pytest.raises(ValueError, match="character class"):
        scan_cxx("x", "a.cu", Vocabulary(patterns=["cu.*"]))


# ---------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------

_SAFE_WORDS = ["value", "index", "count", "buffer", "result", "total", "node", "size", "alpha", "beta"]
safe_identifier = st.sampled_from(_SAFE_WORDS)
safe_code_line = st.builds(
    lambda a, b, n, op: f"{a} = {b} {op} {n};",
    safe_identifier,
    safe_identifier,
    st.integers(0, 999),
    st.sampled_from(["+", "-", "*", "<<", ">>", "&"]),
)
# Text that cannot close a comment or a literal: no quotes, backslashes, '*', ')' or line breaks.
inner_text = st.text(st.characters(codec="ascii", exclude_characters="\"'\\*)\n\r"), max_size=30)
vendor_token = st.sampled_from(["cudaMalloc", "cublasSgemm", "__shfl_xor_sync", "hipMalloc", "thrust::sort", "ncclAllReduce"])


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_any_text_never_raises(text):
    result = scan_cxx(text, "x.cu", Vocabulary.default())
    for e in result.evidence:
        assert 1 <= e.line <= text.count("\n") + 1
    assert len(blank_source(text).code) == len(text)


@settings(max_examples=200)
@given(st.text(alphabet=st.sampled_from(list("/*\"'R#()<>\\\n xcuda_Malloc0123:;{}")), max_size=200))
def test_lexer_soup_never_raises(text):
    result = scan_cxx(text, "x.cu", Vocabulary.default())
    assert all(p.line >= 1 for p in result.problems)
    assert len(blank_source(text).code) == len(text)


@settings(max_examples=200)
@given(
    st.lists(safe_code_line, min_size=0, max_size=8),
    st.lists(safe_code_line, min_size=0, max_size=8),
    inner_text,
    inner_text,
    vendor_token,
    st.sampled_from(["line", "block", "multiline-block", "string", "wide-string", "raw-string"]),
)
def test_vendor_names_inside_comments_or_strings_are_never_evidence(before, after, left, right, token, where):
    wrapped = {
        "line": f"// {left} {token} {right}",
        "block": f"/* {left} {token} {right} */",
        "multiline-block": f"/* {left}\n{token}\n{right} */",
        "string": f'const char* s = "{left} {token} {right}";',
        "wide-string": f'auto s = L"{left} {token} {right}";',
        "raw-string": f'auto s = R"doc({left}\n{token}("x")\n{right})doc";',
    }[where]
    text = "\n".join([*before, wrapped, *after]) + "\n"
    result = scan_cxx(text, "x.cu", Vocabulary.default())
    assert result.evidence == []
    assert result.problems == []


@settings(max_examples=200)
@given(st.lists(safe_code_line, min_size=0, max_size=10), st.lists(safe_code_line, max_size=10), vendor_token, inner_text)
def test_vendor_name_in_code_is_found_on_its_line(before, after, token, comment):
    text = "\n".join([*before, f"{token}(value, count); // {comment}", *after]) + "\n"
    result = scan_cxx(text, "x.cu", Vocabulary.default())
    assert [(e.line, e.kind, e.name) for e in result.evidence] == [(len(before) + 1, "api", token)]
    assert result.evidence[0].text.startswith(token)


def test_property_helpers_are_vendor_free():
    # The generated "safe" code must itself hold no evidence, or the properties above prove nothing.
    text = "\n".join(f"{w} = {w} << 3;" for w in _SAFE_WORDS)
    assert scan_cxx(text, "x.cu", Vocabulary.default()).evidence == []
    assert not any(re.search(r"cu|hip|nccl", w) for w in _SAFE_WORDS)


def test_a_macro_the_file_defines_is_its_own_name_not_a_vendor_api():
    text = (
        "#define CUBLAS_CHECK(call) do { cublasStatus_t s = (call); } while (0)\n"
        "void f(cublasHandle_t* h) {\n"
        "  CUBLAS_CHECK(cublasCreate(h));\n"
        "}\n"
    )
    found = [(e.line, e.name) for e in scan_cxx(text, "blas.cu", Vocabulary.default()).evidence if e.kind == "api"]
    assert found == [(1, "cublasStatus_t"), (2, "cublasHandle_t"), (3, "cublasCreate")]


# ---------------------------------------------------------------------------
# Token heads (the array search for API token starts)
# ---------------------------------------------------------------------------


def _regex_token_starts(text: str, words: list[str]) -> list[int]:
    """The slow, obvious answer: tokens (ASCII identifier runs) that start with a word."""
    return [m.start() for m in re.finditer(r"(?<![A-Za-z0-9_])[A-Za-z0-9_]+", text) if m.group().startswith(tuple(words)) or any(text.startswith(w, m.start()) for w in words)]


def test_token_heads_prefixes_names_and_token_ends():
    items = [("cu", ""), ("max", ""), ("cudaMallocManaged", ""), ("thrust::", ""), ("atomicAdd_system", "")]
    heads = TokenHeads(items, names=["max", "cudaMallocManaged", "atomicAdd_system"])
    text = "cuda(x); xcuda; max(a); maxi; cudaMallocManagedX; thrust::sort; thrust; atomicAdd_sys; atomicMax;\n_cu cu"
    starts = heads(text)
    tokens = [re.match(r"\w+", text[s:]).group() for s in starts]
    # A superset of the tokens that begin with a word: the first eight
    # characters of a long name, a token followed by "::" or not (the regex
    # match afterwards decides).
    assert tokens == ["cuda", "max", "cudaMallocManagedX", "thrust", "thrust", "atomicAdd_sys", "cu"]
    assert starts == sorted(starts)


def test_token_heads_with_a_class_and_a_word_that_is_not_a_token():
    heads = TokenHeads([("cu", "[A-Z]"), ("hip", "[^a-z]"), ("::odd", "")])
    text = "cuInit cuda hipX hip_y hipé hipa a::odd"
    tokens = {text[s : s + 4] for s in heads(text)}
    assert {"cuIn", "hipX", "hip_", "hipé", "a::o"} <= tokens  # found at "::", walked back to its token
    assert "cuda" not in tokens and "hipa" not in tokens


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(["cu", "cuda", "CUDA_", "max", "nccl", "hip", "x", "_", "9", " ", "(", "::", "é", "\n", "cudaMallocManaged"]), max_size=40))
def test_token_heads_find_every_token_that_starts_with_a_word(parts):
    words = ["cuda", "max", "CUDA_", "ncclAllReduce", "hipMal"]
    text = "".join(parts)
    found = set(TokenHeads([(w, "") for w in words])(text))
    assert set(_regex_token_starts(text, words)) <= found


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(["t", "tt", "x", "t.Any", " ", ".", "(", "ab", "\n", "é", "_"]), max_size=40))
def test_token_heads_find_one_character_names_before_any_next_token(parts):
    # The three-character table sees the next token's start as the third
    # character of a one-character token.
    text = "".join(parts)
    found = set(TokenHeads([("t", ""), ("ab", "")], names=["t", "ab"])(text))
    expected = {m.start() for m in re.finditer(r"(?<![A-Za-z0-9_])(?:t|ab)(?![A-Za-z0-9_])", text)}
    assert expected <= found


_FILTER_WORDS = ["cuda", "cudaMallocManaged", "cudaMallocManagedX", "__shfl", "<<<", "hip/", "0xffffffff", "nccl.h", "warp"]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from([*_FILTER_WORDS, "cud", "cudaMalloc", "__sh", "<<", "hip", "0xfffffff", "war", "é", "\ud800", "\0", " ", "\n", "x" * 9]), max_size=30))
def test_word_filter_agrees_with_the_anchored_regexes(parts):
    text = "".join(parts)
    items = [(w, "") for w in _FILTER_WORDS]
    assert WordFilter.build(items)(text) == AnchoredWords(items).search(text)


def test_word_filter_needs_ascii_words_of_three_characters_and_ascii_classes():
    assert WordFilter.build([("cu", "[A-Z]"), ("nccl", "")]) is not None
    assert WordFilter.build([("ab", "")]) is None
    assert WordFilter.build([("caf\u00e9", "")]) is None
    assert WordFilter.build([("hip", "[^a-z]")]) is None  # the class matches non-ASCII characters


def test_long_texts_are_prechecked_like_short_ones():
    vocabulary = Vocabulary.default()
    filler = "int x = 1; // plain code\n" * 200
    for tail in ("", "cudaMalloc(&p, n);\n", "/* ncclAllReduce */\n"):
        text = filler + tail
        assert vocabulary.compiled.holds_word(text) == vocabulary.compiled.precheck.search(text) == bool(tail)


def test_host_inline_assembly_in_plain_cxx_is_not_ptx():
    host = 'static inline unsigned div(unsigned a) {\n  __asm__("divl %[v]" : [v] "+r"(a));\n  return a;\n}\n'
    assert [e.name for e in scan_cxx(host, "libdivide.h", Vocabulary.default()).evidence] == []
    device = '__device__ unsigned lane() {\n  unsigned r;\n  asm volatile("mov.u32 %0, %%laneid;" : "=r"(r));\n  return r;\n}\n'
    assert [(e.line, e.name) for e in scan_cxx(device, "lane.h", Vocabulary.default()).evidence] == [(3, "inline-ptx")]
    # x86 assembly in a CUDA source is still x86, not PTX.
    assert [(e.line, e.name) for e in scan_cxx(host, "div.cu", Vocabulary.default()).evidence] == []


def test_command_line_tools_of_the_catalog_are_not_cxx_vocabulary():
    """nsys and nvcc are what shell and subprocess readers report; in C/C++ they are nobody's identifiers."""
    from lockin.catalog import load_catalog

    vocabulary = Vocabulary.from_catalog(load_catalog())
    assert {"nvidia-smi", "nsys", "nvcc"}.isdisjoint(vocabulary.names)
    assert "cudaMalloc" in vocabulary.names


def test_a_cooperative_groups_namespace_alias_line_is_not_a_use():
    """llm.c declares 'namespace cg = cooperative_groups;' in 30 files: the uses follow, the alias is not one."""
    text = "#include <cooperative_groups.h>\nnamespace cg = cooperative_groups;\n__global__ void k() {\n  auto block = cg::this_thread_block();\n}\n"
    constructs = [(e.line, e.name) for e in scan_cxx(text, "k.cu").evidence if e.kind == "construct"]
    assert constructs == [(4, "cooperative-groups")]


#: One asm statement per PTX pattern judged on real code, written here: the
#: template, then its operands (constraint strings are not instructions).
_PTX_CLASSES = [
    ('asm ("mul.wide.u32 %0, %1, %2;\\n\\t"\n      : "=l"(t) : "r"(a), "r"(b));', "simple"),
    ('asm volatile("max.f16x2 %0, %1, %2;\\n" : "=r"(r) : "r"(x), "r"(zero));', "simple"),
    ('asm volatile("cvt.rn.relu.f16x2.f32 %0, %1, %2;\\n" : "=r"(r) : "r"(b), "r"(a));', "simple"),
    ('asm("cvt.rn.bf16x2.f32 %0, %1, %2;" : "=r"(r) : "f"(hi), "f"(lo));', "simple"),
    ('asm volatile("red.release.gpu.global.add.s32 [%0], %1;" ::"l"(p), "r"(step));', "simple"),
    ('asm volatile("red.global.add.u64 [%0],%1;" :: "l"(p), "l"(n) : "memory");', "simple"),
    ('asm volatile("atom.release.gpu.global.add.u32 %0, [%1], 1;" : "=r"(o) : "l"(p));', "simple"),
    ('asm volatile("bar.sync %0, %1;" : : "r"(id), "r"(n));', "simple"),
    ('asm volatile("bar.arrive %0, %1;" : : "r"(id), "r"(n));', "simple"),
    ('asm volatile("st.global.cs.b32 [%0], %1;" :: "l"(p), "r"(v));', "simple"),
    ('asm volatile("cp.async.wait_group %0;\\n" :: "n"(N));', "hard"),
    ('asm volatile("cp.async.cg.shared.global [%0], [%1], 16;\\n" :: "r"(s), "l"(g));', "hard"),
    ('asm volatile("cp.async.bulk.tensor.2d.shared::cluster.global.mbarrier::complete_tx::bytes [%0], [%1, {%2, %3}], [%4];" :: "r"(s), "l"(m), "r"(x), "r"(y), "r"(b) : "memory");', "hard"),
    ('asm volatile("cp.reduce.async.bulk.global.shared::cta.bulk_group.add.f32 [%0], [%1], %2;" :: "l"(g), "r"(s), "r"(n) : "memory");', "hard"),
    ('asm volatile("multimem.ld_reduce.relaxed.sys.global.add.f32 %0, [%1];" : "=f"(v) : "l"(p) : "memory");', "hard"),
    ('asm volatile("multimem.st.relaxed.sys.global.f32 [%0], %1;" :: "l"(p), "f"(v) : "memory");', "hard"),
    ('asm volatile ("fence.proxy.async.global;");', "hard"),
    ('asm volatile("mbarrier.try_wait.parity.shared::cta.b64 p, [%0], %1;" :: "r"(b), "r"(ph));', "hard"),
    ('asm volatile("wgmma.fence.sync.aligned;\\n" ::: "memory");', "hard"),
    ('asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0, %1, %2, %3}, [%4];" : "=r"(a), "=r"(b), "=r"(c), "=r"(d) : "r"(s));', "hard"),
    ('asm volatile("stmatrix.sync.aligned.x4.m8n8.shared.b16 [%0], {%1, %2, %3, %4};" :: "r"(s), "r"(a), "r"(b), "r"(c), "r"(d));', "hard"),
    ('asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%10,%11,%12,%13};" : "=f"(d0), "=f"(d1), "=f"(d2), "=f"(d3) : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(b0), "r"(b1), "f"(c0), "f"(c1), "f"(c2), "f"(c3));', "hard"),
    ('asm volatile("setmaxnreg.inc.sync.aligned.u32 %0;\\n" :: "n"(R));', "hard"),
    ('asm volatile("{\\n\\t.reg .pred P1;\\n\\telect.sync _|P1, %1;\\n\\tselp.b32 %0, 1, 0, P1;\\n}" : "=r"(e) : "r"(m));', "hard"),
    ('asm volatile("griddepcontrol.wait;" ::: "memory");', "hard"),
    # An instruction in neither list leaves the class to the catalog's inline-ptx row.
    ('asm volatile("mov.u32 %0, %%laneid;" : "=r"(r));', ""),
    ('asm volatile("{\\n\\t.reg .pred p;\\n\\tsetp.ne.b32 p, %0, 0;\\n\\t@p bar.sync 1, 64;\\n\\t}" :: "r"(x));', ""),
    # One hard instruction among simple ones makes the statement hard.
    ('asm volatile("bar.sync 1, 64;\\n\\tcp.async.commit_group;\\n" ::);', "hard"),
]


@pytest.mark.parametrize("statement, spec", _PTX_CLASSES)
def test_inline_ptx_carries_the_class_of_its_instructions(statement, spec):
    """Simple PTX (a HIP intrinsic replaces it) and hard PTX (no AMD counterpart) keep the name inline-ptx."""
    text = f"__device__ void f() {{\n  {statement}\n}}\n"
    # Feature constructs (tma, wgmma) found in the same strings are other evidence.
    assert [(e.line, e.spec) for e in scan(text).evidence if e.name == "inline-ptx"] == [(2, spec)]


def test_a_header_name_in_has_include_is_not_an_api_use():
    # __has_include(<nvml.h>) only probes for the header; the #include and
    # the calls under the guard are the evidence.
    result = scan((FIXTURES / "has_include_probe.h").read_text(), "src/telemetry.h")
    assert [(line, kind) for line, kind, _ in triples(result) if line in (4, 7)] == []
    assert (6, "include", "nvml.h") in triples(result)
    assert (15, "api", "nvmlInit") in triples(result)


def test_a_wmma_line_reported_as_the_nvcuda_wmma_api_is_not_counted_again_as_the_construct():
    text = (
        "#include <mma.h>\n"
        "__global__ void tile(const half* a) {\n"
        "  typedef nvcuda::wmma::fragment<nvcuda::wmma::matrix_a, 16, 16, 16, half, nvcuda::wmma::row_major> frag_a;\n"
        "  using namespace nvcuda;\n"
        "  wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc;\n"
        "  frag_a fa; wmma::load_matrix_sync(fa, a, 16); mma_sync(acc, fa, fa, acc);\n"
        "}\n"
    )
    found = [(line, kind, name) for line, kind, name in triples(scan(text, "tile.cu")) if "wmma" in name]
    assert found == [
        (3, "api", "nvcuda::wmma"),
        (3, "api", "nvcuda::wmma"),
        (3, "api", "nvcuda::wmma"),
        (5, "construct", "wmma"),  # the namespace is in scope: no API name on the line
        (6, "construct", "wmma"),
    ]


def test_a_function_defined_under_a_vendor_name_is_not_a_use_on_its_definition_line(catalog_vocabulary):
    result = scan((FIXTURES / "fallback_intrinsics.cuh").read_text(), "kernels/fallback_intrinsics.cuh", catalog_vocabulary)
    apis = of_kind(result, "api")
    assert (8, "__hgt2_mask") not in apis
    assert (14, "__ldcs") not in apis
    # The calls stay uses of the vendor's names, the definition's body included.
    assert (15, "__ldcs") in apis
    assert (9, "__low2float") in apis
    assert (20, "__hgt2_mask") in apis


def test_a_branch_for_a_library_too_old_to_define_its_version_is_dead_code(catalog_vocabulary):
    apis = of_kind(scan((FIXTURES / "comm_compat.h").read_text(), "src/comm_compat.h", catalog_vocabulary), "api")
    # NCCL's names there are dead code; another library's stay uses.
    assert [(line, name) for line, name in apis if 5 <= line < 10] == [(9, "cudaDeviceSynchronize")]
    assert (11, "ncclAllReduce") in apis  # the #else branch: today's releases
    assert (18, "ncclResult_t") in apis and (18, "ncclCommGetAsyncError") in apis


def test_a_warp_width_or_mask_defined_in_a_hip_branch_is_not_an_nvidia_assumption():
    result = scan((FIXTURES / "wave_width.cuh").read_text(), "csrc/wave_width.cuh")
    assert of_kind(result, "construct") == [(12, "warp-size-32"), (13, "full-warp-mask")]


def test_later_variables_of_a_declaration_list_are_the_files_own(catalog_vocabulary):
    text = (
        "#include <nccl.h>\n"
        "int run() {\n"
        "  int totalProcs = 1, proc = 0, ncclProcs = 1, ncclProc = 0;\n"
        "  report(totalProcs, ncclProcs);\n"
        "  ncclComm_t comm; ncclCommCount(comm, &ncclProcs);\n"
        "  return ncclProc;\n"
        "}\n"
    )
    apis = of_kind(scan(text, "src/run.cu", catalog_vocabulary), "api")
    assert apis == [(5, "ncclComm_t"), (5, "ncclCommCount")]
