"""The layout of a lexed C/C++ file: conditional groups, scopes and function bodies.

Three things the scanner needs beyond single words are read here:

* the preprocessor conditional groups (``#if`` … ``#elif``/``#else`` …
  ``#endif``) and which of them test a target vendor's macro
  (``#ifdef __HIP_PLATFORM_AMD__``, ``#if defined(GGML_USE_HIP)``): the
  whole group, every branch, is code that already has a path for that
  vendor (a ``target-path`` region);
* the brace structure: which ``{`` opens a function body, a class body or
  a namespace. Both branches of an ``#if``/``#else`` often open a brace
  that one shared ``}`` closes (``#ifdef X void f(int) { #else void f() {
  #endif … }``), so only the braces of each group's first branch count;
* the function bodies (``function`` regions, the unit a change is sized
  by), from the declarator's first line to the closing brace, lambdas and
  local classes included in the function that holds them.

Speed: the directives are found with one regex led by the literal ``#``,
the braces and their depths with a byte translation and a cumulative sum;
the Python loop runs only over the braces at namespace and class scope
(where a brace's role is decided by looking back at the text before it)
and jumps over each body to its closing brace by a binary search, so it
never visits a brace inside a function, a character or a line.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

import numpy as np

__all__ = ["Layout", "LineIndex", "conditional_groups", "target_vendor_of", "read_layout"]

#: A conditional directive. Led by the literal ``#`` (the fast search path);
#: that it starts its line is checked after. The condition runs to the end
#: of the line, continuation lines included.
_DIRECTIVE = re.compile(r"#[ \t]*(?P<dir>ifdef|ifndef|if|elifdef|elifndef|elif|else|endif)\b(?P<cond>[^\n\\]*(?:\\\r?\n[^\n\\]*)*)")
_OPENERS = frozenset({"if", "ifdef", "ifndef"})
_BRANCHES = frozenset({"elif", "elifdef", "elifndef", "else"})

#: Macros that test for a vendor's toolchain or a project's build for it.
#: A project macro names the vendor as a whole ``_``-separated word
#: (``GGML_USE_HIP``, ``USE_ROCM``, ``WITH_HIP``, ``ENABLE_ROCM``,
#: ``BNB_HIP``), not as part of a longer one (``HIPBLAS_V2``, ``CHIP``).
_VENDOR_MACROS = {
    "amd": re.compile(
        r"(?<![A-Za-z0-9])(?:__HIPCC__|__HIP_DEVICE_COMPILE__|__HIPCC_RTC__|__gfx\w+__|__AMDGCN__|__AMDGCN_WAVEFRONT_SIZE\w*"
        r"|\w*?(?<![A-Za-z0-9])(?:HIP|ROCM|ROCm|AMDGPU)(?![A-Za-z0-9])\w*)"
    ),
    "intel": re.compile(r"(?<![A-Za-z0-9])(?:SYCL_LANGUAGE_VERSION|__SYCL_DEVICE_ONLY__|__INTEL_LLVM_COMPILER|\w*?(?<![A-Za-z0-9])SYCL(?![A-Za-z0-9])\w*)"),
    "mthreads": re.compile(r"(?<![A-Za-z0-9])(?:__MUSACC__|__MUSA__|\w*?(?<![A-Za-z0-9])MUSA(?![A-Za-z0-9])\w*)"),
}
#: A condition on a library or toolkit version.
#: (An include guard such as ``NCCL_VERSION_H`` is not one.)
_VERSION_TEST = re.compile(r"\w*(?:VERSION|_MAJOR|_MINOR|__CUDACC_VER)(?!\w*_(?:H|HPP|CUH|HH|H_|INCLUDED)\b)\w*")
_OLDER = re.compile(r"<(?!<)|!\s*defined")


_NOT_DEFINED = re.compile(r"!\s*defined\s*(?:\(\s*(?P<paren>\w+)\s*\)|(?P<bare>\w+))\s*")


def _library_with_undefined_version(directive: str, condition: str) -> str:
    """``nccl`` for ``#ifndef NCCL_MAJOR`` or ``#if !defined(NCCL_VERSION_CODE)``: a
    version macro tested for being undefined, and nothing else; else ``""``."""
    condition = condition.split("//")[0].strip()
    if directive == "ifndef":
        name = condition
    elif directive == "if" and (m := _NOT_DEFINED.fullmatch(condition)):
        name = m.group("paren") or m.group("bare")
    else:
        return ""
    if len(name) > _LONGEST_MACRO or _VERSION_TEST.fullmatch(name) is None or name.startswith("_"):
        return ""
    return name.split("_")[0].lower()


#: Longest word taken for a version macro: the test backtracks within a word.
_LONGEST_MACRO = 128
_WORD = re.compile(r"\w+")
_VERSION_KEYS = ("VERSION", "_MAJOR", "_MINOR", "__CUDACC_VER")


def _tests_a_version(condition: str) -> bool:
    """Whether a condition names a version macro (``_VERSION_TEST``), word by word:
    searching the whole condition retried the pattern at every position of a
    long word (a fuzzed ``#if`` line of 90 KB took seconds per test)."""
    return any(
        len(word) <= _LONGEST_MACRO and any(key in word for key in _VERSION_KEYS) and _VERSION_TEST.fullmatch(word)
        for word in _WORD.findall(condition)
    )


def _is_fallback_condition(directive: str, condition: str, name: str) -> bool:
    if name in condition:
        return True
    if not _tests_a_version(condition):
        return False
    return directive == "ifndef" or _OLDER.search(condition) is not None


#: Cheap test that a file may hold a vendor guard at all.
_ANY_VENDOR_WORD = re.compile(r"HIP|ROC|gfx|AMDGCN|AMDGPU|SYCL|MUSA")


def target_vendor_of(condition: str) -> str:
    """The vendor whose macro a directive's condition tests, or ``""``."""
    for vendor, macro in _VENDOR_MACROS.items():
        if macro.search(condition):
            return vendor
    return ""


def conditional_groups(code: str) -> list[tuple[int, int, list[tuple[int, str, str]]]]:
    """The ``#if`` … ``#endif`` groups of blanked code, outermost last.

    Returns
    -------
    list of (start, end, directives)
        ``start`` is the offset of the ``#if``, ``end`` the offset just past
        the ``#endif`` (the end of the code when it is missing), and
        ``directives`` the group's own ``(offset, directive, condition)``,
        nested groups' excluded. A stray ``#else`` or ``#endif`` is ignored.
    """
    groups = []
    open_groups: list[tuple[int, list]] = []
    for m in _directives(code):
        name = m.group("dir")
        if name in _OPENERS:
            open_groups.append((m.start(), [(m.start(), name, m.group("cond"))]))
        elif not open_groups:
            continue
        elif name in _BRANCHES:
            open_groups[-1][1].append((m.start(), name, m.group("cond")))
        else:
            start, own = open_groups.pop()
            groups.append((start, m.end(), own))
    for start, own in reversed(open_groups):
        groups.append((start, len(code), own))
    return groups


def _directives(code: str):
    """The conditional directives that start their line."""
    if "#" not in code:
        return
    for m in _DIRECTIVE.finditer(code):
        at = m.start()
        line_start = code.rfind("\n", 0, at) + 1
        if line_start == at or not code[line_start:at].strip():
            yield m


class Layout:
    """Where a file's functions, classes and vendor guards are.

    The brace structure is read on first use of ``functions`` or
    ``classes``: a file that ends up without evidence needs neither.

    Attributes
    ----------
    functions : list of (int, int, int, bool)
        ``(declarator_start, open, close, is_kernel)`` offsets of each
        function body at namespace or class scope, in file order;
        ``is_kernel`` when its declarator says ``__global__``.
    classes : list of (int, int)
        ``(open, close)`` of class, struct and union bodies.
    target_paths : list of (int, int, str)
        ``(start, end, vendor)`` of conditional groups testing a vendor macro.
    """

    __slots__ = ("target_paths", "_code", "_groups", "_functions", "_classes", "_function_opens")

    def __init__(self, code: str, groups: list, target_paths: list):
        self.target_paths = target_paths
        self._code = code
        self._groups = groups
        self._functions: list | None = None

    def _read_braces(self) -> None:
        self._functions, self._classes = _brace_structure(self._code, self._groups)
        self._function_opens = [f[1] for f in self._functions]

    @property
    def functions(self) -> list[tuple[int, int, int, bool]]:
        if self._functions is None:
            self._read_braces()
        return self._functions

    @property
    def classes(self) -> list[tuple[int, int]]:
        if self._functions is None:
            self._read_braces()
        return self._classes

    def function_at(self, offset: int) -> tuple[int, int, int, bool] | None:
        """The function whose body holds ``offset``, if any."""
        functions = self.functions
        i = bisect_right(self._function_opens, offset) - 1
        if i >= 0 and functions[i][1] < offset < functions[i][2]:
            return functions[i]
        return None

    def in_class_body(self, offset: int) -> bool:
        return any(open_ < offset < close for open_, close in self.classes) and self.function_at(offset) is None

    def is_fallback(self, offset: int, name: str) -> bool:
        """Whether ``offset`` lies in a group for old or missing vendor
        definitions: one that tests the name itself (``#ifndef
        CUDART_PI_F``) or an older version (``#if NCCL_MAJOR < 2``,
        ``#ifndef NCCL_MAJOR``). What is defined there stands in for the
        vendor's own definition; ``#if CUDART_VERSION >= 12000`` is not
        such a group."""
        for start, end, own in self._groups:
            if start <= offset < end and any(_is_fallback_condition(directive, cond, name) for _, directive, cond in own):
                return True
        return False

    def unversioned_branches(self) -> list[tuple[int, int, str]]:
        """``(start, end, library)`` of the first branches of groups for a
        library too old to define its version macro (``#ifndef NCCL_MAJOR``
        in NCCL 1.x compatibility code, library ``nccl``, the macro's first
        word): no release in use today takes such a branch, so that
        library's names there are dead code, not uses."""
        branches = []
        for start, end, own in self._groups:
            library = _library_with_undefined_version(own[0][1], own[0][2])
            if library:
                branches.append((start, own[1][0] if len(own) > 1 else end, library))
        return branches

    def in_vendor_branch(self, offset: int, vendor: str) -> bool:
        """Whether ``offset`` lies in a branch taken only for ``vendor``: an
        ``#if``/``#ifdef``/``#elif`` whose own condition tests its macro,
        without negation (``#if USE_HIP``, not its ``#else``, not ``#ifndef``)."""
        for start, end, own in self._groups:
            if not start <= offset < end:
                continue
            for i, (at, directive, condition) in enumerate(own):
                branch_end = own[i + 1][0] if i + 1 < len(own) else end
                if at <= offset < branch_end:
                    if directive in ("if", "ifdef", "elif") and "!" not in condition and target_vendor_of(condition) == vendor:
                        return True
                    break
        return False

    def target_vendor_at(self, offset: int) -> str:
        """The vendor of the innermost target-path group holding ``offset``."""
        best = None
        for start, end, vendor in self.target_paths:
            if start <= offset < end and (best is None or start > best[0]):
                best = (start, vendor)
        return best[1] if best else ""


def read_layout(code: str) -> Layout:
    """Read the conditional groups and the brace structure of blanked code."""
    groups = conditional_groups(code) if "#" in code else []
    target_paths = []
    # The conditions are a small part of the code: the vendor words are
    # looked for there, not in the whole file.
    if groups and _ANY_VENDOR_WORD.search(" ".join(cond for _, _, own in groups for _, _, cond in own)):
        for start, end, own in groups:
            vendor = next((v for v in map(target_vendor_of, (cond for _, name, cond in own if name != "else")) if v), "")
            if vendor:
                target_paths.append((start, end, vendor))
    return Layout(code, groups, target_paths)


#: Byte translation to the depth step: +1 for "{", -1 (as a signed byte) for "}", 0 else.
_BRACE_STEP = bytes(1 if b == ord("{") else 0xFF if b == ord("}") else 0 for b in range(256))


class LineIndex:
    """1-based line numbers of offsets in a text, from one array of its line breaks.

    Built when a file has something to place (definitions, regions); each
    look-up is a binary search.
    """

    __slots__ = ("_breaks",)

    def __init__(self, text: str):
        self._breaks = np.flatnonzero(np.frombuffer(text.encode("ascii", "replace"), np.uint8) == 10)

    def __call__(self, offset: int) -> int:
        return int(self._breaks.searchsorted(offset, "left")) + 1


def _brace_structure(code: str, groups: list) -> tuple[list, list]:
    """Function and class bodies by brace tracking, the first branch of each conditional.

    Both branches of an ``#if``/``#else`` often open a brace that one ``}``
    after ``#endif`` closes, so only the braces of a group's first branch
    count; a function defined only in a later branch is not seen. The
    depth after each brace is one cumulative sum; the Python loop visits
    only the braces at namespace and class scope, and finds the brace that
    closes a body by a binary search among the closing braces that return
    to its depth.
    """
    steps = np.frombuffer(code.encode("ascii", "replace").translate(_BRACE_STEP), np.int8)
    positions = np.flatnonzero(steps)
    if not positions.size:
        return [], []
    later_branches = [(own[1][0], end) for _, end, own in groups if len(own) > 1]
    if later_branches:
        marks = np.zeros(positions.size + 1, np.int32)
        for start, end in later_branches:
            marks[np.searchsorted(positions, start)] += 1
            marks[np.searchsorted(positions, end)] -= 1
        positions = positions[np.cumsum(marks[:-1]) == 0]
        if not positions.size:
            return [], []
    step = steps[positions]
    is_open = step > 0
    depth = np.cumsum(step, dtype=np.int64)
    closes_to: dict[int, list[int]] = {}
    offsets = positions.tolist()
    opens = is_open.tolist()
    functions: list[tuple[int, int, int, bool]] = []
    classes: list[tuple[int, int]] = []
    stack: list[tuple[int, str]] = []  # open containers: (offset, role)
    i, n = 0, len(offsets)
    # A constructor's brace-initialised member (``A::A() : m_{0} {``): the
    # declarator's start, until the body's brace after it.
    pending: tuple[int, int, bool] | None = None
    while i < n:
        at = offsets[i]
        if not opens[i]:
            if stack:
                open_at, role = stack.pop()
                if role == "class":
                    classes.append((open_at, at))
            i += 1
            pending = None
            continue
        if pending is not None and ";" not in code[pending[0] : at]:
            role, head, kernel = "function", pending[1], pending[2]
        else:
            role, head, kernel = _classify_opening(code, at)
        pending = None
        if role in ("class", "scope"):
            stack.append((at, role))
            i += 1
            continue
        # A function or other body: jump to the brace that closes it.
        level = int(depth[i]) - 1
        candidates = closes_to.get(level)
        if candidates is None:
            candidates = closes_to[level] = np.flatnonzero(~is_open & (depth == level)).tolist()
        k = bisect_left(candidates, i)
        close_index = candidates[k] if k < len(candidates) else n
        close = offsets[close_index] if close_index < n else len(code)
        if role == "function":
            functions.append((head, at, close, kernel))
        elif role == "member-init":
            pending = (close + 1, head, kernel)
        i = close_index + 1
    return functions, classes


#: Declarator tails after the parameter list: cv and ref qualifiers,
#: noexcept, override, attributes, a trailing return type, or a
#: constructor's initialiser list.
_FUNCTION_TAIL = re.compile(
    r"\)\s*(?:(?:const|volatile|noexcept|override|final|mutable|constexpr|try|&&?|__attribute__\s*\(\(.*?\)\)"
    r"|noexcept\s*\([^)]*\)|throw\s*\(\s*\)|->\s*[\w:<>,.\s*&]+?|:(?!:)[^;]*)\s*)*\Z",
    re.S,
)
_CLASS_HEAD = re.compile(r"(?:(?:typedef|export|inline)\s+)*(?P<kw>struct|class|union|namespace|extern|enum)\b")
_DIRECTIVE_LINE = re.compile(r"^[ \t]*#(?:[^\n\\]|\\\r?\n|\\)*", re.M)
_CONTROL = re.compile(r"(?:if|for|while|switch|catch|do|else)\b")


def _classify_opening(code: str, at: int) -> tuple[str, int, bool]:
    """(role, declarator start, is_kernel) of a ``{`` at namespace or class
    scope, from the text before it: ``function``, ``class``, ``scope``
    (namespace, ``extern "C"``) or ``inner`` (an initialiser, an enum)."""
    previous = max(code.rfind(";", 0, at), code.rfind("{", 0, at), code.rfind("}", 0, at))
    head_start = previous + 1
    head = code[head_start:at]
    if "#" in head:
        last = None
        for last in _DIRECTIVE_LINE.finditer(head):
            pass
        if last is not None:
            head_start += last.end()
            head = head[last.end() :]
    stripped = head.lstrip()
    head_start += len(head) - len(stripped)
    body = _after_template(stripped) if stripped.startswith("template") else stripped
    kind = _CLASS_HEAD.match(body)
    if kind is not None:
        word = kind.group("kw")
        if word in ("namespace", "extern"):
            return ("scope" if "(" not in body else "inner", head_start, False)
        if word == "enum":
            return ("inner", head_start, False)
        if not _is_function_head(body):
            return ("class", head_start, False)
    if _is_function_head(body) and not _CONTROL.match(body):
        return ("function", head_start, "__global__" in body)
    if _MEMBER_INIT.search(body):
        return ("member-init", head_start, "__global__" in body)
    return ("inner", head_start, False)


#: A constructor's initialiser list up to a brace-initialised member: ``) : a_(x), m_``.
_MEMBER_INIT = re.compile(r"\)\s*:(?!:)[^;]*\w\s*\Z")


def _is_function_head(body: str) -> bool:
    last = body.rfind(")")
    return last >= 0 and _FUNCTION_TAIL.match(body, last) is not None


def _after_template(head: str) -> str:
    """The declaration after a leading ``template <…>`` (nested angles skipped)."""
    while head.startswith("template"):
        open_at = head.find("<")
        if open_at < 0:
            return head
        depth = 0
        for i in range(open_at, len(head)):
            ch = head[i]
            if ch == "<":
                depth += 1
            elif ch == ">":
                depth -= 1
                if depth == 0:
                    head = head[i + 1 :].lstrip()
                    break
        else:
            return head
    return head
