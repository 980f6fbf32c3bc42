"""The project's own names that look like a vendor's, and mapping-header aliases.

A project that defines ``CUDA_CHECK`` in one file and uses it in fifty
others, names a namespace ``cuda`` or a method ``cudaGraphLaunchWrapper``,
has not used fifty NVIDIA APIs: the scan drops API findings whose name the
project defines (see :class:`~lockin.records.Definition`). A mapping header
(``#define cudaMalloc hipMalloc``, ``using cudaStream_t = hipStream_t;``,
``typedef hipError_t cudaError_t;``) is different: the CUDA name stays a
CUDA use wherever the code says it, but the project already has its target
path, so it is an ``alias`` whose target is the value.

Only names the vocabulary matches are looked at, and each from where the
scanner already found it (its offset in ``found``): the context around one
occurrence says whether it is being defined. So the cost is a few anchored
matches per vendor-looking token, no pass over the whole file.

A name the catalog lists exactly (``cudaMalloc``) is never the project's
own: defined anywhere but on a target path, it is a wrapper or a
declaration of the vendor's API and stays evidence; defined on a target
path (a HIP file, an ``#ifdef __HIP_PLATFORM_AMD__`` branch), it is the
project's shim for the target, an alias.
"""

from __future__ import annotations

import re

from lockin.source.cxx.lexer import _WORD_CHARS
from lockin.source.cxx.structure import Layout

__all__ = ["find_definitions", "has_type_before", "vendor_function_bodies", "TARGET_NAME"]

#: Names of the target (AMD) toolchain and libraries: a definition whose
#: value starts with one maps the vendor name to the target's.
TARGET_NAME = re.compile(r"(?:__hip|hip|HIP|roc[a-z]|ROC[A-Z]|rccl|RCCL|miopen|MIOPEN|__builtin_amdgcn|amd_|AMD_)\w*")
_IDENTIFIER = re.compile(r"\s*\(?\s*(?:::\s*)?(?P<id>[A-Za-z_]\w*(?:\s*::\s*[A-Za-z_]\w*)*)")
_DEFINE_PREFIX = re.compile(r"[ \t]*#[ \t]*define[ \t]+\Z")
_MACRO_PARAMETERS = re.compile(r"\([^)\n]*\)")
_NAMESPACE_BEFORE = re.compile(r"\bnamespace\s+(?:\w+\s*::\s*)*\Z")
_NAMESPACE_AFTER = re.compile(r"\s*(?:\{|::)")
_TYPE_KEYWORD_BEFORE = re.compile(r"\b(?:struct|class|union|enum(?:\s+(?:class|struct))?)\s+(?:(?:__\w+|alignas)\s*(?:\([^()]*\))?\s+)*\Z")
_TYPE_BODY_AFTER = re.compile(r"\s*(?:\{|:(?!:)|final\b)")
_USING_BEFORE = re.compile(r"\busing\s+\Z")
_USING_AFTER = re.compile(r"\s*(?:\[\[[^\]]*\]\]\s*)?=\s*(?:typename\s+)?")
_TYPEDEF = re.compile(r"\btypedef\s+(?:(?:const|volatile|struct|enum|union|class|typename)\s+)*(?P<id>[A-Za-z_]\w*(?:\s*::\s*\w+)*)")
_TYPEDEF_AFTER = re.compile(r"\s*(?:;|\[)")
#: A parameter list and trailing return type are bounded (4,000 and 400
#: characters): unbounded, a file of long unterminated lines made every
#: name's check read to the next brace (quadratic).
_FUNCTION_AFTER = re.compile(r"\s*\([^;{}]{0,4000}\)\s*(?:(?:const|noexcept|override|final|volatile|&&?)\s*)*(?:->[^;{}]{0,400})?\{")
_DECLARATION_AFTER = re.compile(r"\s*(?:[;=,\[)]|\{[^{};]{0,4000}\}\s*[;,])")
#: Words that can stand before a name without being its type.
_NOT_TYPES = frozenset({"return", "else", "case", "goto", "throw", "delete", "new", "co_return", "co_yield", "sizeof", "typedef", "using", "namespace", "define"})
#: Led by the literal word (the fast search path); its start is checked after.
_NAMESPACE_ALIAS = re.compile(r"namespace\s+(?P<name>\w+)\s*=\s*(?:::\s*)?(?P<target>\w+(?:\s*::\s*\w+)*)\s*;")
_KEYWORDS = ("typedef", "using", "namespace", "struct", "class", "union", "enum")


def find_definitions(code: str, found: list, exact_names: frozenset[str], layout: Layout, hip: bool) -> list[tuple[int, str, str, str]]:
    """The definitions among the API uses found in one file.

    Parameters
    ----------
    code : str
        The blanked code.
    found : list of (int, str, str)
        The scanner's ``(offset, kind, name)``; ``api`` entries are looked at.
    exact_names : frozenset of str
        The vocabulary's exact API names (real vendor APIs).
    layout : Layout
        The file's functions, classes and target-path groups.
    hip : bool
        Whether the whole file is HIP (then all of it is a target path).

    Returns
    -------
    list of (int, str, str, str)
        ``(offset, kind, name, target)``: one per alias line, and the first
        definition of each other (kind, name).
    """
    definitions: list[tuple[int, str, str, str]] = []
    own: set[str] = set()
    for at, kind, name in found:
        if kind != "api" or name in own or "::" in name:
            continue
        defined = _definition_at(code, at, name, name in exact_names, layout, hip)
        if defined is None:
            continue
        if defined[0] != "alias" and layout.is_fallback(at, name):
            # nccl-tests' ``#if NCCL_MAJOR < 2`` wrappers of ncclAllReduce and
            # ``#ifndef NCCL_MAJOR #define NCCL_MAJOR 1``: the vendor's names,
            # defined only where an old library lacks them.
            continue
        if defined[0] == "alias" and TARGET_NAME.match(name):
            # The target's own name (rccl's ``typedef roctxPayloadInfo*
            # roctxPayloadInfo_t``) maps nothing to the target.
            defined = ("type" if defined[1] != name and not name.isupper() else "macro", "")
        definitions.append((at, defined[0], name, defined[1]))
        if defined[0] != "alias":
            own.add(name)
    if "namespace" in code and "=" in code:
        _namespace_aliases(code, definitions)
    return definitions


def vendor_function_bodies(code: str, found: list, exact_names: frozenset[str], layout: Layout) -> set[int]:
    """Offsets where the file defines a fallback function under a vendor API's exact name.

    A project that writes its own ``__hgt2_mask`` for an older toolkit
    (``#if CUDART_VERSION < …``), or an ``__ldcs`` overload where the
    toolkit lacks one, defines a function there; the name on that line is
    no call of the vendor's API. Its calls elsewhere stay uses (the name
    is still the vendor's), so only the defining occurrence is returned.
    Outside such a fallback group a definition is a wrapper or interposer
    of the vendor's API (``cudaError_t cudaMalloc(…) {…}``) and stays.
    """
    sites = set()
    for at, kind, name in found:
        if kind != "api" or name not in exact_names or "::" in name:
            continue
        end = at + len(name)
        if layout.is_fallback(at, name) and _FUNCTION_AFTER.match(code, end) and code[max(0, at - 2) : at] != "::" and has_type_before(code, at):
            sites.add(at)
    return sites


def _definition_at(code: str, at: int, name: str, exact: bool, layout: Layout, hip: bool) -> tuple[str, str] | None:
    """(kind, target) when the occurrence of ``name`` at ``at`` defines it."""
    end = at + len(name)
    line_start = code.rfind("\n", 0, at) + 1
    if "#" in code[line_start:at] and _DEFINE_PREFIX.match(code, line_start, at):
        return _macro(code, end, name, exact, layout, hip, at)
    # The character after the name rules out most uses at once (a call's
    # "(", a member's ".", an operator).
    after = _NEXT_CHARACTER.match(code, end)
    if after is None:
        return None
    if exact and not (hip or layout.target_paths) and after.group(1) not in "=;[":
        return None  # off a target path, the vendor's own name is defined only as a mapping
    statement = _statement_before(code, at)
    if any(word in statement for word in _KEYWORDS):
        defined = _keyword_definition(code, at, end, statement, exact, layout, hip)
        if defined is not None:
            return defined
    if after.group(1) == "(":
        if _FUNCTION_AFTER.match(code, end) and (code[max(0, at - 2) : at] == "::" or has_type_before(code, at)):
            return _own_or_shim("function", name, exact, layout, hip, at)
        return None
    if not exact and _DECLARATION_AFTER.match(code, end) and has_type_before(code, at, qualified=True):
        return ("member" if layout.in_class_body(at) else "variable", "")
    return None


#: The first character after a name, when it can follow a defined name.
_NEXT_CHARACTER = re.compile(r"\s*([;=,\[\]({:)])")


def _statement_before(code: str, at: int) -> str:
    """The text of the statement before ``at`` (at most 160 characters)."""
    window = code[max(0, at - 160) : at]
    cut = max(window.rfind(";"), window.rfind("{"), window.rfind("}"))
    return window[cut + 1 :]


def _keyword_definition(code: str, at: int, end: int, statement: str, exact: bool, layout: Layout, hip: bool) -> tuple[str, str] | None:
    if _NAMESPACE_BEFORE.search(statement) and _NAMESPACE_AFTER.match(code, end):
        return None if exact else ("namespace", "")
    if _TYPE_KEYWORD_BEFORE.search(statement) and _TYPE_BODY_AFTER.match(code, end):
        return _own_or_shim("type", code[at:end], exact, layout, hip, at)
    if _USING_BEFORE.search(statement):
        after = _USING_AFTER.match(code, end)
        if after is None:
            return None
        return _type_alias(code[at:end], _first_identifier(code, after.end()), exact, layout, hip, at)
    if "typedef" in statement and _TYPEDEF_AFTER.match(code, end):
        typedef = None
        for typedef in _TYPEDEF.finditer(statement):
            pass
        if typedef is None or typedef.group("id") == code[at:end]:
            return None
        return _type_alias(code[at:end], _SPACES.sub("", typedef.group("id")), exact, layout, hip, at)
    return None


_SPACES = re.compile(r"\s+")


def _type_alias(name: str, value: str, exact: bool, layout: Layout, hip: bool, at: int) -> tuple[str, str] | None:
    if TARGET_NAME.fullmatch(value.split("::")[0]):
        return ("alias", value)
    return _own_or_shim("type", name, exact, layout, hip, at)


def _macro(code: str, end: int, name: str, exact: bool, layout: Layout, hip: bool, at: int) -> tuple[str, str] | None:
    value_at = end
    if code.startswith("(", end):
        params = _MACRO_PARAMETERS.match(code, end)
        value_at = params.end() if params else end
    value = _first_identifier(code, value_at)
    if value and TARGET_NAME.fullmatch(value.split("::")[0]):
        return ("alias", value)
    if exact:
        # The vendor's own name defined for the target (a shim: ``#define
        # __trap() abort()``, ``#define CUBLAS_TF32_TENSOR_OP_MATH 0``), or
        # redirected off the target (``#define cudaMalloc myMalloc``): the
        # name stays the vendor's, as a use wherever it is written.
        return ("alias", name) if hip or layout.target_vendor_at(at) == "amd" else None
    return ("macro", "")


def _own_or_shim(kind: str, name: str, exact: bool, layout: Layout, hip: bool, at: int) -> tuple[str, str] | None:
    if not exact:
        return (kind, "")
    if hip or layout.target_vendor_at(at) == "amd":
        return ("alias", name)  # the project's implementation of the vendor's name for the target
    return None


def _first_identifier(code: str, at: int) -> str:
    line_end = code.find("\n", at)
    m = _IDENTIFIER.match(code, at, line_end if line_end >= 0 else len(code))
    return _SPACES.sub("", m.group("id")) if m else ""


def has_type_before(code: str, at: int, qualified: bool = False) -> bool:
    """Whether a type stands just before ``at`` (``float ``, ``cublasHandle_t ``,
    ``const char* ``, ``Tile<int> ``), but not ``x.`` or ``p->``, nor a
    qualified ``std::unique_ptr<T> `` unless ``qualified``.

    Walked back character by character: a backward regex search would try
    every start position of its window.
    """
    j = at - 1
    while j >= 0 and code[j] in " \t\r\n*&":
        j -= 1
    if j == at - 1 or j < 0:
        return False  # nothing between the type and the name
    if code[j] == ">":
        opening = code.rfind("<", max(0, j - 160), j)
        if opening < 0 or any(c in code[opening:j] for c in ";{}()"):
            return False
        j = opening - 1
        while j >= 0 and code[j] in " \t":
            j -= 1
    stop = j + 1
    while j >= 0 and code[j] in _WORD_CHARS:
        j -= 1
    word = code[j + 1 : stop]
    if not word or word[0].isdigit() or word in _NOT_TYPES:
        return False
    if j < 0:
        return True
    if qualified and code[j] == ":" and code[j - 1 : j + 1] == "::":
        return True
    return code[j] not in ".>:"


def _namespace_aliases(code: str, definitions: list) -> None:
    """``namespace cub = hipcub;``: a namespace alias to the target's library."""
    for m in _NAMESPACE_ALIAS.finditer(code):
        if m.start() and code[m.start() - 1] in _WORD_CHARS:
            continue
        target = _SPACES.sub("", m.group("target"))
        if TARGET_NAME.fullmatch(target.split("::")[0]):
            definitions.append((m.start("name"), "alias", m.group("name"), target))
