"""Scanner for Python source, read with :mod:`ast` (never imported or run).

It reports ``module`` evidence (see ``docs/evidence-names.md``):

- every import, by the full dotted name of what is imported
  (``import torch.cuda as tc`` → ``torch.cuda``; ``from cupy import asarray``
  → ``cupy.asarray``); relative imports are the project's own code and are
  skipped;
- every use of an imported name whose root module is vendor-relevant
  (:data:`VENDOR_ROOTS`), resolved through the import aliases to its full
  dotted name, longest chain only (``tc.synchronize()`` →
  ``torch.cuda.synchronize``, not also ``torch.cuda``);
- a few strings whose *place* makes them configuration: ONNX Runtime
  execution providers, the ``torch.distributed`` backend, and torch device
  strings (``onnxruntime:CUDAExecutionProvider``, ``torch.distributed:nccl``,
  ``torch:device=cuda``).

It also reports ``api`` evidence (ecosystem ``tool``) for vendor tools run
through ``subprocess``, ``os.system`` or looked up with ``shutil.which``
(``nvidia-smi``, ``rocm-smi``); and, beside the evidence, the regions and
definitions of :mod:`lockin.source.python_paths`: code that already has a
path on another vendor (``if torch.version.hip:``, per-vendor modules),
function bodies, and the package an ``__init__.py`` defines.

Comments, docstrings and strings anywhere else are never evidence.
"""

from __future__ import annotations

import ast
import functools
import io
import re
import sys
import tokenize
from bisect import bisect_left
from collections import deque
from collections.abc import Callable, Iterable, Iterator

from lockin.inventory.setup_py import EXTENSION_CLASSES
from lockin.lines import PYTHON, counted_by
from lockin.parsebounds import check_dotted_names, parse_python
from lockin.records import InputError, ReadResult
from lockin.source.python_paths import (
    COMMAND_CALLS,
    TOOL_TRIGGER_WORDS,
    CandidateLines,
    add_helper_paths,
    add_structure,
    assigned_commands,
    lines_of,
    module_path_vendor,
    package_defined_by,
    tool_commands,
)
from lockin.source.trie import trie_branches

__all__ = ["VENDOR_ROOTS", "scan_python"]

#: Root modules whose imports and attribute uses are reported (the catalog
#: decides what is vendor-bound). The catalog's own module roots are added
#: through the vocabulary; other modules (``numpy``) are never evidence.
VENDOR_ROOTS = frozenset({
    "torch", "cupy", "cupyx", "numba", "pycuda", "cuda", "tensorrt", "torch_tensorrt", "pynvml",
    "nvidia_smi", "apex", "transformer_engine", "flash_attn", "cudf", "cuml", "cugraph", "cuspatial",
    "dask_cudf", "rmm", "onnxruntime", "jax", "jaxlib", "triton", "xformers", "bitsandbytes",
    "deepspeed", "vllm", "tensorflow", "habana_frameworks", "torch_xla", "amdsmi", "hip", "rocm_smi",
})  # fmt: skip

#: Keyword arguments that name a torch device.
_DEVICE_KEYWORDS = frozenset({"device", "device_map", "map_location", "device_type"})
#: Calls whose first positional argument is a device string.
_DEVICE_CALLS = frozenset({"device", "to", "autocast", "GradScaler"})
#: Device types reported as ``torch:device=<type>`` (CPU and meta are everywhere).
_ACCELERATOR_DEVICES = frozenset({"cuda", "xpu", "hpu", "mps", "xla", "npu", "mtia", "ipu", "privateuseone"})
_DEVICE_STRING = re.compile(r"([a-z_]+)(?::\d*)?")
#: Collective backends of torch.distributed and the libraries built on it.
_DISTRIBUTED_BACKENDS = frozenset({"nccl", "gloo", "mpi", "ucc", "xccl", "ccl", "hccl"})
_BACKEND_KEYWORDS = frozenset({"backend", "dist_backend", "process_group_backend", "distributed_backend"})
_BACKEND_CALLS = frozenset({"init_process_group", "new_group", "init_distributed"})
_PROVIDER = re.compile(r"\w+ExecutionProvider")
_PROVIDER_CALLS = frozenset({"InferenceSession", "set_providers"})

#: Longer sources (in characters) are parsed a few top-level statements at
#: a time. A syntax tree takes 85 to 140 bytes of memory per character of
#: source (measured on PyTorch's test tables and on a data literal), so an
#: 8 MiB file parsed whole would take a worker past the scan's 500 MB bound.
WHOLE_PARSE_CHARS = 3 << 19
#: A piece ends at the first top-level statement boundary past this length.
PIECE_CHARS = 1 << 19
#: A single top-level statement longer than this is not parsed (listed as a problem).
MAX_STATEMENT_CHARS = WHOLE_PARSE_CHARS


@counted_by(PYTHON)
def scan_python(text: str, path: str, vocabulary=None, roots: Iterable[str] = VENDOR_ROOTS) -> ReadResult:
    """Find vendor-relevant imports, attribute uses and configuration strings.

    Parameters
    ----------
    text : str
        The file's source.
    path : str
        The file's display path.
    vocabulary : lockin.source.cxx.Vocabulary, optional
        Its ``python_roots`` (the catalog's module roots) are added to ``roots``.
    roots : iterable of str, optional
        Root modules whose attribute chains are reported
        (:data:`VENDOR_ROOTS` by default).

    Returns
    -------
    ReadResult
        ``module`` evidence with ecosystem ``python`` and ``api`` evidence
        with ecosystem ``tool``, in line order; ``target-path`` regions,
        ``function`` regions (only when there is evidence) and the
        ``package`` an ``__init__.py`` defines.

    Raises
    ------
    InputError
        When the text is not valid Python 3 (a Python 2 file, say).

    Notes
    -----
    Lines are numbered as the parser counts them, and translated to
    ``\n``-lines on the way out (:func:`~lockin.lines.counted_by`).
    """
    if "\r" in text and PYTHON.extra.search(text):
        # The parser ends a line at a lone \r as at \n: with \n only, the
        # offsets the scanner counts lines from agree with the tree's lines.
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    all_roots = frozenset(roots) | (vocabulary.python_roots if vocabulary is not None else frozenset())
    result = ReadResult()
    package = package_defined_by(path, all_roots)
    if package:
        result.define("package", package, None)
    if not _mentions_trigger(text, _trigger(all_roots)):
        # Nothing the scanner reports can be in a file that names none of the
        # roots, devices, backends, providers or tools: parsing it would only
        # cost time (a syntax error in such a file is therefore not reported either).
        return result
    lines = _source_lines(text)
    scanner = _Scanner(all_roots, lines)
    if path.rsplit("/", 1)[-1] == "setup.py":
        scanner.left_to_build_reader = _BUILD_READER_NAMES
    structure = ReadResult()
    candidates = CandidateLines(text)
    if len(text) > WHOLE_PARSE_CHARS:
        _scan_in_pieces(scanner, text, path, result, structure, candidates)
    else:
        tree = _parse(text, path)
        scanner.scan(tree, text)
        add_structure(tree, structure, scanner.last_line(), candidates)
    add_helper_paths(structure, candidates)
    for line, col, kind, name in sorted(scanner.found, key=lambda f: (f[0], f[1])):
        result.add(kind, name, line, scanner.line_text(line), "tool" if kind == "api" else "python")
    _add_regions(result, structure.regions, path, scanner.last_line())
    return result


#: Uses the setup.py reader reports as build evidence at the same place
#: (``setuptools:CUDAExtension``): reported once, by it. Imports stay.
_BUILD_READER_NAMES = frozenset(f"torch.utils.cpp_extension.{name}" for name in EXTENSION_CLASSES)


def _add_regions(result: ReadResult, regions: list, path: str, last_line: int) -> None:
    """Target paths always (a per-vendor module's is the whole file);
    function regions only beside evidence, where they size a change."""
    vendor = module_path_vendor(path)
    if vendor:
        result.region("target-path", 1, max(last_line, 1), vendor)
    keep_functions = bool(result.evidence)
    result.regions.extend(r for r in regions if keep_functions or r.kind != "function")


@functools.lru_cache(maxsize=8)
def _trigger(roots: frozenset[str]) -> tuple[Callable[[str], Iterable[int]], re.Pattern[str]]:
    """Where a trigger word may stand as a whole word, and the exact test
    of one place.

    The places are the starts of the tokens (runs of ASCII letters, digits
    and ``_``) that spell a word, found with array arithmetic
    (:class:`~lockin.source.cxx.TokenHeads`): a regex search for the start
    of any of these words goes through a file several times slower. A
    whole word is always such a token, since the characters around it are
    not word characters, so no place is missed.
    """
    words = roots | _ACCELERATOR_DEVICES | _DISTRIBUTED_BACKENDS | TOOL_TRIGGER_WORDS
    exact = re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(words, key=len, reverse=True))) + r")\b")
    if all(words):
        from lockin.source.cxx import TokenHeads

        return TokenHeads([(w, "") for w in words], words), exact
    # An empty word matches at any boundary after a word's start: only the
    # regex search finds all such places.
    return functools.partial(_word_starts, re.compile("|".join(trie_branches(words)))), exact


def _word_starts(candidates: re.Pattern[str], text: str) -> Iterator[int]:
    """Every offset where one of the words ``candidates`` matches starts."""
    at = 0
    while m := candidates.search(text, at):
        yield m.start()
        at = m.start() + 1


def _mentions_trigger(text: str, trigger: tuple[Callable[[str], Iterable[int]], re.Pattern[str]]) -> bool:
    """Whether ``text`` holds ``ExecutionProvider`` or a trigger word as a whole word."""
    if "ExecutionProvider" in text:
        return True
    starts, exact = trigger
    return any(exact.match(text, at) for at in starts(text))


#: The Python version whose parser reads the sources (what syntax it knows).
_RUNNING = f"{sys.version_info.major}.{sys.version_info.minor}"


def _parse(text: str, path: str) -> ast.Module:
    check_dotted_names(text, path, "python")
    try:
        return parse_python(text, path)
    except SyntaxError as exc:
        detail = exc.msg or "invalid syntax"
        raise InputError(
            path, exc.lineno,
            f"not valid Python 3 as Python {_RUNNING} parses it ({detail}): Python 2 files, "
            f"and syntax newer than Python {_RUNNING}'s, are not read",
        ) from None  # fmt: skip
    except (ValueError, RecursionError, MemoryError) as exc:
        # ValueError: NUL bytes in the source; RecursionError: absurd nesting.
        raise InputError(path, None, f"not valid Python 3 ({type(exc).__name__}: {exc})") from None


def _scan_in_pieces(
    scanner: _Scanner, text: str, path: str, result: ReadResult, structure: ReadResult, candidates: CandidateLines
) -> None:
    """Scan a long source piece by piece, with the findings of one whole walk.

    The pieces are runs of top-level statements, each parsed on its own
    (twice: for the imports, then for the uses), so that no more than one
    piece's tree is in memory at a time. A top-level statement longer than
    :data:`MAX_STATEMENT_CHARS` (a data table, say) is not parsed: it is
    listed as a problem and the rest is read.
    """
    # The parser ends lines at \r\n, \r and \n alike: with \n only, the lines
    # are numbered and sliced the same way, and no column moves.
    source = text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text
    try:
        starts = _statement_starts(source)
    except (tokenize.TokenError, SyntaxError):
        # Only broken source fails to tokenize. The parser then names the
        # error as for a shorter file (and stops before building a tree).
        tree = _parse(text, path)
        scanner.scan(tree, text)
        add_structure(tree, structure, scanner.last_line(), candidates)
        return
    line_starts = [0, *(m.end() for m in re.finditer("\n", source)), len(source) + 1]
    pieces = _pieces(starts, line_starts, path, result)

    def parse(first: int, last: int) -> ast.Module:
        # Blank lines in front put every node on its line in the file.
        return _parse("\n" * (first - 1) + source[line_starts[first - 1] : line_starts[last]], path)

    imports: list[tuple[int, int, ast.AST]] = []
    for index, (first, last) in enumerate(pieces):
        imports.extend((depth, index, node) for depth, node in _imports_by_depth(parse(first, last)))
    # A whole walk meets the imports level by level, each level in the
    # order of the file: by depth, then piece, then as the piece's walk met them.
    imports.sort(key=lambda item: (item[0], item[1]))
    scanner._imports([node for _, _, node in imports])
    keep = _use_lines(text, scanner.vendor_aliases()) if _lines_are_exact(text) else None
    for first, last in pieces:
        tree = parse(first, last)
        _, uses = _collect(tree, keep)
        scanner._uses(uses)
        add_structure(tree, structure, scanner.last_line(), candidates)


def _pieces(starts: list[int], line_starts: list[int], path: str, result: ReadResult) -> list[tuple[int, int]]:
    """``(first line, last line)`` of runs of whole top-level statements, each
    about :data:`PIECE_CHARS` long; a statement too long to parse is left
    out as a problem.

    ``starts`` are the lines statements begin on, ``line_starts`` the offset
    of each line (and, last, one past the end of the text).
    """
    lines = len(line_starts) - 1
    bounds = [*starts, lines + 1]
    pieces: list[tuple[int, int]] = []
    first = 1
    for begin, end in zip(bounds, bounds[1:]):
        length = line_starts[end - 1] - line_starts[begin - 1]
        if length > MAX_STATEMENT_CHARS:
            if begin > first:
                pieces.append((first, begin - 1))
            result.problem(
                path, begin,
                f"lines {begin}-{end - 1} are one statement of {length:,} characters, more than lockin parses "
                f"at once ({MAX_STATEMENT_CHARS:,}, to bound memory); that statement is not read",
            )  # fmt: skip
            first = end
        elif line_starts[end - 1] - line_starts[first - 1] >= PIECE_CHARS:
            pieces.append((first, end - 1))
            first = end
    if first <= lines:
        pieces.append((first, lines))
    return pieces


#: Clauses that continue the statement above them (``else:`` after ``if``).
_CONTINUATIONS = frozenset({"else", "elif", "except", "finally"})


def _statement_starts(source: str) -> list[int]:
    """Lines where a top-level statement (with its decorators) begins, from
    :mod:`tokenize`: it knows where strings, brackets and blocks end.

    Raises :class:`tokenize.TokenError` or :class:`SyntaxError` on broken source.
    """
    starts: list[int] = []
    level = 0
    at_line_start = True
    decorated = False
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        kind = token.type
        if kind == tokenize.INDENT:
            level += 1
        elif kind == tokenize.DEDENT:
            level -= 1
        elif kind == tokenize.NEWLINE:
            at_line_start = True
        elif kind not in _NOT_STATEMENT_TOKENS and at_line_start:
            at_line_start = False
            if level == 0 and not decorated and token.string not in _CONTINUATIONS:
                starts.append(token.start[0])
            decorated = level == 0 and token.string == "@"
    return starts or [1]


_NOT_STATEMENT_TOKENS = frozenset({tokenize.NL, tokenize.COMMENT, tokenize.ENCODING, tokenize.ENDMARKER})


def _imports_by_depth(tree: ast.Module) -> list[tuple[int, ast.AST]]:
    """The imports of a tree with their depth in it, in the order of
    :func:`_collect`'s breadth-first walk (statements only: an expression
    holds no import)."""
    found: list[tuple[int, ast.AST]] = []
    queue = deque(((tree, 0),))
    while queue:
        node, depth = queue.popleft()
        kind = type(node)
        if kind is ast.Import or kind is ast.ImportFrom:
            found.append((depth, node))
            continue
        for field in _child_fields(kind):
            value = getattr(node, field)
            for child in value if type(value) is list else (value,):
                if child is not None and not isinstance(child, ast.expr):
                    queue.append((child, depth + 1))
    return found


def _source_lines(text: str) -> list[str]:
    # The lines the parser counts: \r\n, \r and \n end a line; form feeds and
    # other separators that str.splitlines knows do not.
    if "\r" not in text:
        return text.split("\n")  # the same lines, without a regex pass
    return re.split(r"\r\n|\r|\n", text)


class _Scanner:
    """Walks a module once to collect aliases, then once more for uses."""

    def __init__(self, roots: frozenset[str], lines: list[str]):
        self.roots = roots
        self.lines = lines
        self.aliases: dict[str, str] = {}
        self.found: list[tuple[int, int, str, str]] = []
        self.left_to_build_reader: frozenset[str] = frozenset()
        #: Chains a longer one already reported (the object of a getattr).
        self.inner_chains: set[int] = set()

    def last_line(self) -> int:
        """The number of the file's last line (a final line break starts no line)."""
        return max(len(self.lines) - (not self.lines[-1]), 1)

    def line_text(self, line: int) -> str:
        return self.lines[line - 1] if 0 < line <= len(self.lines) else ""

    def emit(self, node: ast.AST, name: str, kind: str = "module") -> None:
        self.found.append((getattr(node, "lineno", 0), getattr(node, "col_offset", 0), kind, name))

    def scan(self, tree: ast.Module, text: str | None = None) -> None:
        """Report what ``tree`` holds; ``text``, its source, lets the walk
        skip the statements that cannot hold anything reported."""
        if text is None or not _lines_are_exact(text):
            imports, uses = _collect(tree)
            self._imports(imports)
        else:
            # Two walks, each into the statements whose lines hold a word it
            # needs: imports first (they decide which names are aliases of a
            # root), then uses. Both see their nodes in the order of one full
            # walk, so the findings and their order are the same.
            imports, _ = _collect(tree, lines_of(text, (m.start() for m in _IMPORT_WORD.finditer(text))))
            self._imports(imports)
            _, uses = _collect(tree, _use_lines(text, self.vendor_aliases()))
        self._uses(uses)

    def _imports(self, imports: list[ast.AST]) -> None:
        for node in imports:
            if type(node) is ast.Import:
                self._import(node)
            else:
                self._import_from(node)

    def vendor_aliases(self) -> frozenset[str]:
        """The local names that stand for a module under a root (only their
        attribute chains can be reported)."""
        return frozenset(local for local, full in self.aliases.items() if full.split(".")[0] in self.roots)

    def _uses(self, uses: list[ast.AST]) -> None:
        for node in uses:
            kind = type(node)
            if kind is ast.Call:
                self._call(node)
            elif kind in _COMMAND_HOLDERS:
                if kind is ast.Assign:
                    self._assigned_providers(node)
                for tool, where in assigned_commands(node):
                    self.emit(where, tool, "api")  # cmd = ["rocminfo"], {"command": ["nvidia-smi"]}
            else:
                self._chain(node)

    # -- imports -----------------------------------------------------------

    def emit_import(self, node: ast.AST, name: str) -> None:
        # Only modules under a known root can be vendor-bound; others are
        # the project's own or ordinary dependencies.
        if name.split(".")[0] in self.roots:
            self.emit(node, name)

    def _import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.emit_import(alias if hasattr(alias, "lineno") else node, alias.name)
            if alias.asname:
                self.aliases[alias.asname] = alias.name
            else:
                root = alias.name.split(".")[0]
                self.aliases[root] = root

    def _import_from(self, node: ast.ImportFrom) -> None:
        if node.level or not node.module:
            return  # a relative import: the project's own code
        for alias in node.names:
            where = alias if hasattr(alias, "lineno") else node
            if alias.name == "*":
                self.emit_import(where, node.module)
                continue
            full = f"{node.module}.{alias.name}"
            self.emit_import(where, full)
            self.aliases[alias.asname or alias.name] = full

    # -- attribute chains ----------------------------------------------------

    def _chain(self, node: ast.Attribute | ast.Name) -> None:
        if (isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load)) or id(node) in self.inner_chains:
            return
        resolved = self.resolve(node)
        if resolved and resolved.split(".")[0] in self.roots and resolved not in self.left_to_build_reader:
            self.emit(node, resolved)

    def resolve(self, node: ast.AST) -> str | None:
        """The dotted name an attribute chain rooted at an import stands for."""
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name) or node.id not in self.aliases:
            return None
        parts.append(self.aliases[node.id])
        return ".".join(reversed(parts))

    # -- configuration strings --------------------------------------------------

    def _call(self, node: ast.Call) -> None:
        callee = _callee_name(node.func)
        if callee == "cuda" and isinstance(node.func, ast.Attribute) and self.resolve(node.func) is None:
            self.emit(node, "torch:device=cuda")  # tensor.cuda(), module.cuda(0)
        if callee in _DEVICE_CALLS and node.args:
            self._device_string(node.args[0])
        if callee in _BACKEND_CALLS and node.args:
            self._backend_string(node.args[0])
        if callee in ("import_module", "__import__") and node.args:
            module = _string(node.args[0])
            if module and not module.startswith("."):
                self.emit(node.args[0], module)
        for tool, where in tool_commands(node):
            self.emit(where, tool, "api")  # subprocess.run(["nvidia-smi", ...]): ecosystem "tool"
        if callee == "getattr" and len(node.args) >= 2 and isinstance(node.func, ast.Name):
            self._getattr_chain(node)
        if callee in _PROVIDER_CALLS:
            for arg in node.args[1:] if callee == "InferenceSession" else node.args[:1]:
                self._providers(arg)
        for keyword in node.keywords:
            if keyword.arg in _DEVICE_KEYWORDS:
                self._device_string(keyword.value)
            elif keyword.arg in _BACKEND_KEYWORDS:
                self._backend_string(keyword.value)
            elif keyword.arg == "providers":
                self._providers(keyword.value)

    def _getattr_chain(self, node: ast.Call) -> None:
        """``getattr(torch.version, "hip", None)`` is ``torch.version.hip``
        (the longest chain only: the object's own chain is not reported)."""
        attribute = _string(node.args[1])
        resolved = self.resolve(node.args[0]) if attribute and attribute.isidentifier() else None
        if resolved and resolved.split(".")[0] in self.roots:
            self.emit(node, f"{resolved}.{attribute}")
            self.inner_chains.add(id(node.args[0]))

    def _device_string(self, node: ast.AST) -> None:
        value = _string(node)
        if value is not None:
            m = _DEVICE_STRING.fullmatch(value.strip())
        elif isinstance(node, ast.JoinedStr) and node.values and _string(node.values[0]):
            m = _DEVICE_STRING.match(_string(node.values[0]))  # f"cuda:{rank}"
        else:
            return
        if m and m.group(1) in _ACCELERATOR_DEVICES:
            self.emit(node, f"torch:device={m.group(1)}")

    def _backend_string(self, node: ast.AST) -> None:
        value = _string(node)
        if not value:
            return
        # "cpu:gloo,cuda:nccl" names one backend per device type.
        for part in value.split(","):
            backend = part.split(":")[-1].strip().lower()
            if backend in _DISTRIBUTED_BACKENDS:
                self.emit(node, f"torch.distributed:{backend}")

    def _providers(self, node: ast.AST) -> None:
        if not isinstance(node, (ast.List, ast.Tuple)):
            return
        for element in node.elts:
            if isinstance(element, (ast.Tuple, ast.List)) and element.elts:
                element = element.elts[0]  # ("CUDAExecutionProvider", {options})
            value = _string(element)
            if value and _PROVIDER.fullmatch(value):
                self.emit(element, f"onnxruntime:{value}")

    def _assigned_providers(self, node: ast.Assign) -> None:
        # providers = ["CUDAExecutionProvider", ...] before InferenceSession(..., providers=providers)
        if any(isinstance(t, ast.Name) and "provider" in t.id.lower() for t in node.targets):
            self._providers(node.value)


#: Fields that never hold a node worth visiting (names, flags, contexts).
_LEAF_FIELDS = frozenset({
    "ctx", "id", "attr", "name", "asname", "module", "level", "kind", "type_comment", "is_async",
    "conversion", "arg", "names",
})  # fmt: skip
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def _child_fields(kind: type) -> tuple[str, ...]:
    fields = _CHILD_FIELDS.get(kind)
    if fields is None:
        if issubclass(kind, ast.AST):
            fields = tuple(f for f in kind._fields if f not in _LEAF_FIELDS)
            if kind is ast.Constant:
                fields = ()
        else:
            fields = ()  # None in a list (a dict's ** key), a name string
        _CHILD_FIELDS[kind] = fields
    return fields


def _collect(tree: ast.AST, keep: list[int] | None = None) -> tuple[list[ast.AST], list[ast.AST]]:
    """Imports, and the nodes that may be uses, in :func:`ast.walk` order.

    One pass instead of ``ast.walk`` and ``isinstance`` tests: the fields
    to follow are looked up once per node type, names and contexts are
    not followed, and an attribute chain is listed once, by its outermost
    node (the inner ones are remembered as they are met: a parent comes
    before its children in breadth-first order).

    Parameters
    ----------
    tree : ast.AST
    keep : list of int, optional
        Sorted line numbers; when given, a statement none of whose lines
        is listed is not walked into (nor listed).
    """
    imports: list[ast.AST] = []
    uses: list[ast.AST] = []
    inner: set[int] = set()
    queue = deque((tree,))
    pop, push, extend = queue.popleft, queue.append, queue.extend
    child_fields = _CHILD_FIELDS
    attribute, name, call, holders = ast.Attribute, ast.Name, ast.Call, _COMMAND_HOLDERS
    import_, import_from = ast.Import, ast.ImportFrom
    statements = _STATEMENT_KINDS if keep is not None else ()
    while queue:
        node = pop()
        kind = type(node)
        if kind in statements and not _spans_a_line(node, keep):
            continue
        if kind is attribute:
            if id(node) not in inner:
                uses.append(node)
            inner.add(id(node.value))
            push(node.value)
            continue
        if kind is name:
            if id(node) not in inner:
                uses.append(node)
            continue
        if kind is call or kind in holders:
            uses.append(node)
        elif kind is import_ or kind is import_from:
            imports.append(node)
            continue
        fields = child_fields.get(kind)
        if fields is None:
            fields = _child_fields(kind)
        for field in fields:
            value = getattr(node, field)
            if type(value) is list:
                extend(value)
            elif value is not None:
                push(value)
    return imports, uses


#: Nodes that may hold a command list or provider list by a name
#: (``cmd = [...]``, ``cmd += [...]``, ``{"command": [...]}``, ``providers = [...]``).
_COMMAND_HOLDERS = frozenset({ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Dict})

#: Statement node types (the walk may skip a statement as a whole).
_STATEMENT_KINDS = frozenset(
    kind for kind in vars(ast).values() if isinstance(kind, type) and issubclass(kind, ast.stmt) and kind is not ast.stmt
)
_DECORATED_KINDS = frozenset({ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef})


def _spans_a_line(statement: ast.stmt, lines: list[int]) -> bool:
    """Whether one of the sorted ``lines`` lies within the statement."""
    first = statement.lineno
    if type(statement) in _DECORATED_KINDS and statement.decorator_list:
        # Decorators stand above the line the statement's position names.
        first = min(first, *(d.lineno for d in statement.decorator_list))
    i = bisect_left(lines, first)
    return i < len(lines) and lines[i] <= statement.end_lineno


def _lines_are_exact(text: str) -> bool:
    """Whether a word of ``text`` is on the line it seems to be on, as the
    parser numbers lines and spells names.

    The parser also ends lines at a lone ``\\r``, and folds non-ASCII
    identifiers to NFKC (``ｔｏｒｃｈ`` is ``torch``): such text is walked whole.
    """
    return text.isascii() and "\r" not in text


#: Where imports may be (``import`` and ``from … import``).
_IMPORT_WORD = re.compile("import")

#: Callees and keyword arguments :meth:`_Scanner._call` looks at, whatever
#: the file imports.
_CALL_WORDS = frozenset(
    {"cuda", "import_module", "__import__", "providers"}
    | _DEVICE_CALLS | _BACKEND_CALLS | _PROVIDER_CALLS | _DEVICE_KEYWORDS | _BACKEND_KEYWORDS
)  # fmt: skip


#: Where a command may be run with a variable naming the tool
#: (``subprocess.run([PTXAS_PATH, …])``): ``run`` and ``call`` alone are
#: too common a name to look for, ``subprocess`` stands beside them.
_COMMAND_WORDS = (COMMAND_CALLS - {"run", "call"}) | {"subprocess"}


#: Each search holds a 2 MiB table (:class:`~lockin.source.cxx.TokenHeads`);
#: the files of one project share a few alias sets, so a few are kept.
@functools.lru_cache(maxsize=8)
def _use_words(aliases: frozenset[str]) -> Callable[[str], list[int]]:
    """Where a reported use may be: the tokens that spell a vendor alias
    (an attribute chain) or a callee or keyword the call checks look at.

    Names in Python source are whole tokens, so the token search of
    :class:`~lockin.source.cxx.TokenHeads` finds every one (and, for a word
    longer than eight characters, tokens that only begin like it).
    """
    from lockin.source.cxx import TokenHeads

    words = aliases | _CALL_WORDS | TOOL_TRIGGER_WORDS | _COMMAND_WORDS
    return TokenHeads([(w, "") for w in words], words)


def _use_lines(text: str, aliases: frozenset[str]) -> list[int]:
    """The lines that may hold a reported use (see :func:`_use_words`), and
    those naming a ``provider`` in any case (``providers = [...]``)."""
    offsets = _use_words(aliases)(text)
    lowered = text.lower()
    at = lowered.find("provider")
    while at >= 0:
        offsets.append(at)
        at = lowered.find("provider", at + 1)
    offsets.sort()
    return lines_of(text, offsets)




def _callee_name(func: ast.AST) -> str | None:
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


def _string(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None
