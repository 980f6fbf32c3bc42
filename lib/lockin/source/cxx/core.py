"""The C/C++/CUDA/HIP scanner: :func:`scan_cxx`, one file at a time.

It runs the steps in order and decides what applies to a file: the
vocabulary test (most files stop there), lexing, API uses and includes,
the file's layout (vendor guards; function bodies, read only when asked
for), the definitions among the API uses, dropping the file's own macros
and declarations that look like vendor names, telling HIP from CUDA and
GPU source from host code, the constructs, the evidence in file order and
finally the definitions and regions. Line numbers of evidence come from
counting line breaks between sorted offsets, once per file; those of
definitions and regions from one array of the file's line breaks.
"""

from __future__ import annotations

import re
from operator import itemgetter

from lockin.records import Evidence, ReadResult
from lockin.source.cxx.constructs import _find_constructs
from lockin.source.cxx.definitions import _NOT_TYPES, find_definitions, has_type_before, vendor_function_bodies
from lockin.source.cxx.lexer import Lexed, blank_source
from lockin.source.cxx.structure import Layout, LineIndex, read_layout
from lockin.source.cxx.vocabulary import Vocabulary, _Compiled

__all__ = ["scan_cxx"]

_HIP_SUFFIXES = frozenset({".hip"})
_CUDA_HEADER = re.compile(
    r"cuda|cublas|cudnn|cufft|curand|cusparse|cusolver|cutensor|cupti|nvml|nvrtc|nvtx|npp|nvjpeg"
    r"|NvInfer|nccl|mma\.h|cooperative_groups|cub/|cutlass/|cute/|crt/|device_launch_parameters|sm_\d"
)
_SPACE = re.compile(r"\s+")


def scan_cxx(text: str, path: str, vocabulary: Vocabulary | None = None) -> ReadResult:
    """Find vendor-bound includes, API uses and constructs in C/C++/CUDA/HIP source.

    Parameters
    ----------
    text : str
        The file's text.
    path : str
        The file's display path (its suffix ``.hip`` makes the file HIP).
    vocabulary : Vocabulary, optional
        The names to report; :meth:`Vocabulary.default` when omitted.

    Returns
    -------
    ReadResult
        Evidence in file order, all with ecosystem ``hip`` when the file is
        HIP (suffix ``.hip``, or it includes ``hip/…`` headers and no CUDA
        header) and ``cuda`` otherwise. Unterminated comments and literals
        are problems; this function never raises on any text. Its
        ``definitions`` are the vendor-looking names the file defines
        (:mod:`~lockin.source.cxx.definitions`), its ``regions`` the
        function bodies and target paths of a file with evidence
        (:mod:`~lockin.source.cxx.structure`).
    """
    vocab = vocabulary if vocabulary is not None else _default_vocabulary()
    compiled = vocab.compiled
    result = ReadResult()
    suffix = _suffix(path)
    if not compiled.holds_word(text, likely=suffix in _GPU_SUFFIXES):
        return result
    lexed = blank_source(text)
    for offset, message in lexed.problems:
        result.problem(path, _line_of(text, offset), message)
    code = lexed.code
    include = compiled.include
    found: list[tuple[int, str, str]] = [(at, "include", name) for at, name in lexed.includes if include and include.match(name)]
    if compiled.api is not None:
        _find_api(code, compiled, found)
    # An include or API use found is a vocabulary word in the code, so the
    # second look is needed only when there was none.
    if not found and not compiled.holds_word(code):
        return result  # whatever looked like evidence was in comments or strings
    hip = _is_hip(suffix, lexed.includes)
    layout = read_layout(code)
    definitions = find_definitions(code, found, vocab.names, layout, hip) if compiled.api is not None else []
    if compiled.api is not None:
        _drop_own_macros(code, found, definitions)
        _drop_own_declarations(code, found, vocab.names)
        _drop_vendor_function_bodies(code, found, vocab.names, layout)
        _drop_code_for_unversioned_libraries(found, layout)
    gpu_source = hip or _is_gpu_source(suffix, lexed) or _in_gpu_folder(path)
    if vocab.device_names and not (gpu_source or _GPU_GUARD.search(code)):
        _drop_device_names(found, vocab.device_names)
    _find_constructs(lexed, text, hip, found, layout, _is_sycl(path, lexed))
    _emit(text, found, "hip" if hip else "cuda", result)
    _emit_structure(text, definitions, layout, hip, result)
    return result


def _emit_structure(text: str, definitions: list, layout: Layout, hip: bool, result: ReadResult) -> None:
    """Definitions always; function and target-path regions of files with evidence.

    A HIP file is wholly a target path for AMD; in other files, each
    conditional group that tests a vendor macro is one for that vendor.
    """
    if not (definitions or result.evidence):
        return
    line_of = LineIndex(text)
    for offset, kind, name, target in definitions:
        result.define(kind, name, line_of(offset), target)
    if not result.evidence:
        return
    if hip:
        result.region("target-path", 1, line_of(max(0, len(text) - 1)), "amd")
    for start, end, vendor in layout.target_paths:
        result.region("target-path", line_of(start), line_of(max(start, end - 1)), vendor)
    for head, _, close, _ in layout.functions:
        result.region("function", line_of(head), line_of(close))


_SYCL_HEADER = re.compile(r"(?:CL/)?sycl(?:/|\.h)|oneapi/(?:dpl|mkl|dnnl)|dpct/")


def _is_sycl(path: str, lexed: Lexed) -> bool:
    """SYCL code (sub-groups, not warps): a SYCL header, ``sycl::`` code or a ``*sycl*`` folder."""
    if any("sycl" in name.lower() or "dpct" in name for _, name in lexed.includes):
        if any(_SYCL_HEADER.match(name) for _, name in lexed.includes):
            return True
    if "sycl" in path.lower() and any("sycl" in part.lower() for part in path.replace("\\", "/").split("/")[:-1]):
        return True
    return "sycl::" in lexed.code


_DEFAULT: Vocabulary | None = None


def _default_vocabulary() -> Vocabulary:
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Vocabulary.default()
    return _DEFAULT


_GPU_CODE_MARK = re.compile(r"__global__|__device__|__shared__|__launch_bounds__")
#: The macros that guard device-only code paths (``#ifdef __CUDA_ARCH__``):
#: a header that uses them holds device code even when its qualifiers come
#: from a macro (``C10_HOST_DEVICE``). Its other branches are often host
#: code, so they count for device functions, not for inline assembly.
_GPU_GUARD = re.compile(r"__CUDA_ARCH__|__CUDACC__|__CUDACC_RTC__|__NVCC__|__HIPCC__|__HIP_DEVICE_COMPILE__")
_GPU_SUFFIXES = frozenset({".cu", ".cuh", ".hip"})


def _suffix(path: str) -> str:
    """The lower-cased suffix of a file's path, as ``PurePosixPath(path).suffix``
    gives it (``\\`` separating too), without building a path object."""
    parts = [part for part in path.replace("\\", "/").split("/") if part and part != "."]
    name = parts[-1] if parts else ""
    dot = name.rfind(".")
    return name[dot:].lower() if 0 < dot < len(name) - 1 else ""


def _is_gpu_source(suffix: str, lexed: Lexed) -> bool:
    """A CUDA/HIP source: by suffix, by a GPU header, or by device-code keywords."""
    if suffix in _GPU_SUFFIXES:
        return True
    if any(_CUDA_HEADER.match(name) or name.startswith("hip/") for _, name in lexed.includes):
        return True
    return _GPU_CODE_MARK.search(lexed.code) is not None


#: Folders that hold one GPU backend's code by convention (PyTorch's
#: ``ATen/native/cuda``, ``c10/hip``).
_GPU_FOLDERS = frozenset({"cuda", "hip", "rocm", "cudnn", "miopen", "nccl", "rccl"})


def _in_gpu_folder(path: str) -> bool:
    return any(part.lower() in _GPU_FOLDERS for part in path.replace("\\", "/").split("/")[:-1])


def _is_hip(suffix: str, includes: list[tuple[int, str]]) -> bool:
    if suffix in _HIP_SUFFIXES:
        return True
    has_hip = any(name.startswith("hip/") for _, name in includes)
    return has_hip and not any(_CUDA_HEADER.match(name) for _, name in includes)


def _find_api(code: str, compiled: _Compiled, found: list) -> None:
    match = compiled.api.match
    for start in compiled.api_starts(code):
        m = match(code, start)
        if m is None:
            continue
        if start and not code[start - 1].isascii() and code[start - 1].isalnum():
            continue  # the tail of an identifier with non-ASCII letters
        name = m.group()
        if "::" in name:
            name = "::".join(_SPACE.sub("", name).split("::")[:2])
        found.append((start, "api", name))


def _drop_device_names(found: list, device_names: frozenset[str]) -> None:
    """Remove device-function names from a file that is not GPU code.

    They can only be called in device code, and many are also the C
    library's names or common identifiers (glibc's ``math.h`` declares
    ``__isnan`` and ``__finite``, libstdc++ names a variable ``__half``,
    C code defines ``umin`` and ``saturate``): outside GPU code they are
    not the vendor's.
    """
    found[:] = [f for f in found if not (f[1] == "api" and f[2] in device_names)]


#: Led by the literal "#" (the fast search path); that it starts its line is checked after.
_DEFINED_MACRO = re.compile(r"#[ \t]*define[ \t]+([A-Za-z_]\w*)")


def _drop_own_macros(code: str, found: list, definitions: list) -> None:
    """Remove uses of macros the file defines itself (``CUBLAS_CHECK``, ``HIP_CHECK``).

    Such a macro is the project's own name even when it starts like a vendor
    API; the vendor calls inside its definition are still reported. A
    mapping (an ``alias`` definition, ``#define cudaMalloc hipMalloc``) is
    not: only the name it defines, on its own line, is dropped; its uses
    elsewhere stay evidence, which the target path covers.
    """
    alias_at = {offset for offset, kind, _, _ in definitions if kind == "alias"}
    if "define" not in code and not alias_at:
        return
    own = _defined_macros(code) if "define" in code else set()
    own -= {name for _, kind, name, _ in definitions if kind == "alias"}
    if not own and not alias_at:
        return
    found[:] = [f for f in found if not (f[1] == "api" and (f[2] in own or f[0] in alias_at))]


def _defined_macros(code: str) -> set[str]:
    names = set()
    for m in _DEFINED_MACRO.finditer(code):
        line_start = code.rfind("\n", 0, m.start()) + 1
        if line_start == m.start() or not code[line_start : m.start()].strip():
            names.add(m.group(1))
    return names


def _drop_vendor_function_bodies(code: str, found: list, names: frozenset[str], layout: Layout) -> None:
    """Remove the name of a fallback function the file defines under a
    vendor's exact name (``__hgt2_mask`` for old toolkits), on its definition only."""
    sites = vendor_function_bodies(code, found, names, layout)
    if sites:
        found[:] = [f for f in found if f[0] not in sites or f[1] != "api"]


def _drop_code_for_unversioned_libraries(found: list, layout: Layout) -> None:
    """Remove a library's API uses in its ``#ifndef NCCL_MAJOR`` branches
    (see :meth:`Layout.unversioned_branches`); other libraries' uses there stay."""
    branches = layout.unversioned_branches()
    if branches:
        found[:] = [f for f in found if f[1] != "api" or not _in_unversioned_branch(f[0], f[2], branches)]


def _in_unversioned_branch(offset: int, name: str, branches: list) -> bool:
    return any(start <= offset < end and name.lower().startswith(library) for start, end, library in branches)


def _drop_own_declarations(code: str, found: list, names: frozenset[str]) -> None:
    """Remove the file's own variables and functions whose names only begin
    like a vendor API (``float cublasTime;``, ``cublasHandle_t cublasHandle;``,
    ``void cudaErrCheck_(cudaError_t s) {``).

    Only names a catalog prefix matched are candidates: an exact API name
    (``cudaMalloc``) stays evidence even where a wrapper header declares it.
    A name counts as the file's own when a type stands before it and a
    declaration or a function body follows.
    """
    own: set[str] = set()
    # Every use of a name is in ``found`` with its offset: the context is
    # checked around each, with no search of the whole text.
    for at, kind, name in found:
        if kind != "api" or name in names or name in own or "::" in name:
            continue
        if not _DECLARATION_AFTER.match(code, at + len(name)):
            continue
        if has_type_before(code, at) or _later_declarator(code, at):
            own.add(name)
    if own:
        found[:] = [f for f in found if not (f[1] == "api" and f[2] in own)]


#: A declaration's statement up to a later declarator: ``int total = 1, proc = 0,``
#: (initialisers without calls or braces, so an argument list never matches).
_DECLARATION_HEAD = re.compile(
    r"\s*(?:(?:const|static|unsigned|signed|long|short|volatile|constexpr)\s+)*(?P<type>[A-Za-z_]\w*)(?:\s*<[^;{}()<>]*>)?"
    r"(?:\s*[*&]+\s*|\s+)[A-Za-z_]\w*(?:\s*\[[^;{}()]*\])?\s*(?:=[^;{}()]*)?,[^;{}()]*\Z"
)


def _later_declarator(code: str, at: int) -> bool:
    """Whether ``at`` names a later variable of a declaration list (``int total = 1, ncclProcs = 1;``)."""
    window = code[max(0, at - 200) : at]
    cut = max(window.rfind(";"), window.rfind("{"), window.rfind("}"), window.rfind("\n#"))
    head = _DECLARATION_HEAD.match(window[cut + 1 :])
    return head is not None and head.group("type") not in _NOT_TYPES


#: What follows a declared name: the end of a declaration, or a function body.
_DECLARATION_AFTER = re.compile(r"\s*(?:[;=,\[)]|\([^;{}]{0,4000}\)\s*(?:const\s*)?\{)")  # bounded: see definitions._FUNCTION_AFTER


def _emit(text: str, found: list[tuple[int, str, str]], ecosystem: str, result: ReadResult) -> None:
    """Turn (offset, kind, name) into evidence with exact line numbers and line text.

    API uses count once per occurrence (as HIPIFY counts references); a
    construct counts once per line, so that ``wmma::fragment<wmma::matrix_a,
    …, wmma::row_major>`` is one use of WMMA, not three; and none on a
    line whose API finding already names it (:data:`_CONSTRUCT_API`).
    """
    found.sort(key=_OFFSET)
    line = 1
    counted_to = 0
    line_end = -1
    line_text = ""
    constructs_on_line: set[str] = set()
    apis_on_line: set[str] = set()
    append, make = result.evidence.append, Evidence._make
    count, rfind, find = text.count, text.rfind, text.find
    for item in found:
        # A construct may carry a fourth field, its spec (the PTX class of
        # inline assembly); every other entry is (offset, kind, name).
        offset, kind, name = item[0], item[1], item[2]
        if offset > line_end:
            line += count("\n", counted_to, offset)
            counted_to = offset
            line_start = rfind("\n", 0, offset) + 1
            line_end = find("\n", offset)
            if line_end < 0:
                line_end = len(text)
            # Trimmed as ReadResult.add trims it, once per line rather than
            # once per evidence (dense CUDA lines carry several).
            line_text = text[line_start:line_end].strip()[:240]
            constructs_on_line.clear()
            apis_on_line.clear()
        if kind == "construct":
            if name in constructs_on_line or _CONSTRUCT_API.get(name) in apis_on_line:
                continue
            constructs_on_line.add(name)
        elif kind == "api":
            apis_on_line.add(name)
        # Evidence(kind, name, line, line_text, ecosystem), without the named
        # tuple's Python-level constructor: dense CUDA makes thousands.
        append(make((kind, name, line, line_text, ecosystem, item[3] if len(item) > 3 else "")))


_OFFSET = itemgetter(0)

#: Constructs that an API finding names already: ``nvcuda::wmma::fragment``
#: is one use of WMMA, reported as the API, not again as the construct.
#: The API is found first at the same offset, so it is seen first.
_CONSTRUCT_API = {"wmma": "nvcuda::wmma"}


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1
