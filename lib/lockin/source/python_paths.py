"""What a Python file says beyond its vendor evidence: the code that
already has a path on another vendor, its function bodies, the packages
it defines, and the vendor tools it runs.

The Python scanner (:mod:`lockin.source.python`) calls these on the tree
it has parsed; nothing here parses or runs anything.

- **Target paths** (:class:`~lockin.records.Region` ``target-path``): an
  ``if`` statement (all its branches) whose condition checks for a vendor
  (``torch.version.hip``, ``is_rocm()``, ``IS_HIP``, ``SYSTEM == "rocm"``);
  when the checked branch ends in ``return``/``raise`` and has no ``else``,
  the rest of its block is the other branch and belongs to the region too;
  a ``try`` statement that imports a vendor's module (its ``except`` is
  the other path); and a whole per-vendor module (``ops_rocm.py``,
  ``rocm/``, ``flash_attn_triton_amd/``).
- **Function regions**: each ``def``, from its first decorator to its end.
- **Packages** (:class:`~lockin.records.Definition` ``package``): an
  ``__init__.py`` defines its folder as a package, so that the project's
  own package imported by its tests is not taken for a vendor's.
- **Vendor tools** run through ``subprocess``, ``os.system`` or found with
  ``shutil.which``: the first word of each command, when it is a known
  tool (``nvidia-smi``, ``rocm-smi`` …).
"""

from __future__ import annotations

import ast
import functools
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator

from lockin.inventory.shell import ShellSyntaxError, SourceText, split_commands, split_shell_words
from lockin.records import ReadResult

__all__ = [
    "TOOL_TRIGGER_WORDS",
    "VENDOR_TOOLS",
    "add_helper_paths",
    "add_structure",
    "assigned_commands",
    "module_path_vendor",
    "package_defined_by",
    "CandidateLines",
    "tool_commands",
]

#: Words that name a vendor in a condition, a module or a folder, by the
#: vendor whose path they open. NVIDIA is not here: ``torch.cuda`` checks
#: are true on ROCm builds of PyTorch too, so they open no path.
VENDOR_WORDS = {
    "hip": "amd", "rocm": "amd", "amd": "amd", "amdgpu": "amd", "hipcc": "amd",
    "aiter": "amd", "rocblas": "amd", "hipblas": "amd", "hipblaslt": "amd", "miopen": "amd", "rccl": "amd",
    "hpu": "intel", "habana": "intel", "gaudi": "intel", "xpu": "intel", "ipex": "intel", "sycl": "intel",
    "tpu": "google",
}  # fmt: skip

#: Words that name a vendor in a module's path: :data:`VENDOR_WORDS` and
#: ``ck`` (Composable Kernel: ``flash_attn_ck/``, ``test_flash_attn_ck.py``),
#: too short to look for in conditions (``check``, ``block`` hold it).
PATH_VENDOR_WORDS = {**VENDOR_WORDS, "ck": "amd"}

#: Identifier words that make a name a yes/no check (``is_rocm``, ``USE_HIP``,
#: ``HIP_BUILD``, ``rocm_available``); a bare ``hip`` attribute is a check
#: only on ``version`` (``torch.version.hip``).
_CHECK_WORDS = frozenset({
    "is", "use", "using", "has", "have", "on", "with", "enable", "enabled", "build", "available", "supported",
    "platform", "backend", "device", "system", "target", "found", "detected", "only", "run", "running",
})  # fmt: skip

#: Command-line tools of one vendor (spelled as their executables are): the
#: names of the catalog's ``api``/``tool`` rows (data/catalog/tools.csv),
#: which decide vendor and verdict; a test keeps the two in step.
VENDOR_TOOLS = frozenset({
    # NVIDIA
    "nvidia-smi", "nvcc", "ptxas", "fatbinary", "nvlink", "cuobjdump", "nvdisasm", "nsys", "ncu",
    "nv-nsight-cu-cli", "nvprof", "cuda-gdb", "compute-sanitizer", "cuda-memcheck", "nvidia-container-cli",
    "nvidia-ctk", "nvidia-container-runtime", "nvidia-docker", "dcgmi", "nv-hostengine",
    "nvidia-cuda-mps-control", "nvidia-persistenced",
    # AMD
    "amd-smi", "rocm-smi", "hipcc", "amdclang++", "hipconfig", "rocminfo", "rocprof", "rocprofv2", "rocprofv3",
    "rocprof-compute", "omniperf", "rocprof-sys-run", "omnitrace", "rocgdb", "amd-ctk", "amd-container-runtime",
    "rdci", "hipify-perl", "hipify-clang",
    # Intel
    "xpu-smi", "hl-smi",
})  # fmt: skip

#: The first token (letters, digits, ``_``) of each tool's name: a file that
#: runs a tool holds one of these as a whole word.
TOOL_TRIGGER_WORDS = frozenset(re.match(r"\w+", tool).group() for tool in VENDOR_TOOLS)

#: Calls that run a command (first argument: a shell string or an argument
#: list) or look one up (``shutil.which``), by the callee's last name.
COMMAND_CALLS = frozenset({
    "run", "call", "check_call", "check_output", "Popen", "getoutput", "getstatusoutput", "system", "popen",
    "which", "create_subprocess_exec", "create_subprocess_shell", "execvp", "execv", "execlp", "spawnlp",
})  # fmt: skip
#: Command-running callees whose names other objects' methods share.
_GENERIC_CALLS = frozenset({"run", "call"})
#: Words in front of a command that run the next word (``sudo nvidia-smi``).
_COMMAND_PREFIXES = frozenset({"sudo", "env", "exec", "time", "nohup", "command", "timeout", "watch"})
_ASSIGNMENT_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")

_WORD_SPLIT = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_NAME_SEPARATORS = re.compile(r"[_\-.\s]+")


def words_of(identifier: str) -> list[str]:
    """Lower-case words of an identifier (``IS_ROCM`` → is, rocm;
    ``isHipBuild`` → is, hip, build)."""
    return [w.lower() for part in _NAME_SEPARATORS.split(identifier) for w in _WORD_SPLIT.findall(part)]


# -- per-vendor modules and packages ------------------------------------------


def module_path_vendor(path: str) -> str:
    """The vendor a module's path says it implements, or ``""``.

    A folder or file name with a vendor word (``ops_rocm.py``, ``rocm/``,
    ``hip/``, ``flash_attn_triton_amd/``, ``backends/gaudi/``) marks the
    module as that vendor's implementation. The first vendor word met,
    from the file name back to the root, wins (``hpu/ops_rocm.py`` is AMD's).
    """
    parts = path.replace("\\", "/").split("/")
    stem = parts[-1].rsplit(".", 1)[0]
    for part in (stem, *reversed(parts[:-1])):
        for word in _NAME_SEPARATORS.split(part.lower()):
            vendor = PATH_VENDOR_WORDS.get(word)
            if vendor:
                return vendor
    return ""


#: Folders a project keeps its import roots under (``src/pkg/__init__.py``).
_SOURCE_FOLDERS = frozenset({"src", "python", "lib", "server"})


def package_defined_by(path: str, vendor_roots: Iterable[str] = ()) -> str | None:
    """The package an ``__init__.py`` at ``path`` defines (its folder's name).

    A nested folder named like a vendor's root module
    (``bitsandbytes/triton/__init__.py``) defines no package: it is imported
    as ``bitsandbytes.triton``, and ``import triton`` elsewhere is still
    Triton. Only a folder at the top of the project (or under ``src/``
    and similar) may carry such a name.
    """
    parts = [p for p in path.replace("\\", "/").split("/") if p and p != "."]
    if len(parts) < 2 or parts[-1] != "__init__.py" or not parts[-2].isidentifier():
        return None
    folder = parts[-2]
    above = parts[:-2]
    if folder in vendor_roots and above and not (len(above) == 1 and above[0] in _SOURCE_FOLDERS):
        return None
    return folder


# -- conditions that check for a vendor -----------------------------------------


def condition_vendor(test: ast.AST) -> str:
    """The vendor a condition checks for, or ``""``.

    Recognised: ``….version.hip`` (``torch.version.hip``), a name or call
    whose words hold a vendor word and a check word (``is_rocm()``,
    ``current_platform.is_rocm()``, ``IS_HIP``, ``HIP_BUILD``, ``USE_ROCM``),
    and a comparison with a vendor word string (``SYSTEM == "rocm"``,
    ``device.type == "xpu"``, ``"rocm" in version``).
    """
    for node in ast.walk(test):
        kind = type(node)
        if kind is ast.Attribute:
            vendor = _attribute_vendor(node)
        elif kind is ast.Name:
            vendor = _name_vendor(node.id)
        elif kind is ast.Compare:
            vendor = _compare_vendor(node)
        elif kind is ast.Call and isinstance(node.func, ast.Name) and node.func.id in _ATTRIBUTE_TESTS and len(node.args) >= 2:
            # hasattr(torch, "xpu"), getattr(torch.version, "hip", None)
            vendor = next(filter(None, map(VENDOR_WORDS.get, _strings(node.args[1]))), "")
        else:
            continue
        if vendor:
            return vendor
    return ""


def _attribute_vendor(node: ast.Attribute) -> str:
    inner = node.value
    if node.attr in _AVAILABILITY and isinstance(inner, ast.Attribute) and inner.attr in VENDOR_WORDS:
        return VENDOR_WORDS[inner.attr]  # torch.xpu.is_available(), torch.hpu.device_count()
    if node.attr in VENDOR_WORDS and isinstance(node.value, (ast.Attribute, ast.Name)):
        owner = node.value.attr if isinstance(node.value, ast.Attribute) else node.value.id
        if owner == "version":
            return VENDOR_WORDS[node.attr]
    return _name_vendor(node.attr)


_ATTRIBUTE_TESTS = frozenset({"hasattr", "getattr"})
#: Attributes of a vendor's device module that check for its devices.
_AVAILABILITY = frozenset({"is_available", "device_count"})


def _name_vendor(identifier: str) -> str:
    words = words_of(identifier)
    # A constant (HIP_ENVIRONMENT, ROCM_VERSION) is a build or platform
    # flag; a lower-case name needs a check word (is_rocm, rocm_available).
    is_constant = identifier.isupper()
    if len(words) < 2 or not (is_constant or _CHECK_WORDS.intersection(words)):
        return ""
    for index, word in enumerate(words):
        vendor = VENDOR_WORDS.get(word)
        if vendor and not (word == "amd" and words[index + 1 : index + 2] == ["64"]):  # IS_AMD64: a CPU
            return vendor
    return ""


def _compare_vendor(node: ast.Compare) -> str:
    for operand in (node.left, *node.comparators):
        for value in _strings(operand):
            vendor = VENDOR_WORDS.get(value.strip().lower())
            if vendor:
                return vendor
    return ""


def _strings(node: ast.AST) -> Iterator[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        for element in node.elts:
            if isinstance(element, ast.Constant) and isinstance(element.value, str):
                yield element.value


def _imports_vendor_module(statements: list[ast.stmt]) -> str:
    """The vendor whose module a ``try`` body imports (``import amdsmi``,
    ``from vllm import _rocm_C``, ``import habana_frameworks.torch``)."""
    for statement in statements:
        if isinstance(statement, ast.Import):
            names = [alias.name for alias in statement.names]
        elif isinstance(statement, ast.ImportFrom):
            names = [statement.module or "", *(alias.name for alias in statement.names)]
        else:
            continue
        for name in names:
            for part in name.split("."):
                for word in _NAME_SEPARATORS.split(part.lower()):
                    vendor = VENDOR_WORDS.get(word) or ("amd" if word.startswith("amdsmi") else "")
                    if vendor:
                        return vendor
    return ""


# -- the walk over statements -----------------------------------------------------

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_TERMINATORS = (ast.Return, ast.Raise, ast.Continue, ast.Break)


def add_structure(tree: ast.Module, result: ReadResult, file_end: int, lines: CandidateLines) -> None:
    """Add the target-path and ``function`` regions of ``tree`` to ``result``.

    Statements only are walked (expressions hold no statement), once. A
    condition is only looked at when its lines hold a vendor word, and a
    simple statement is only searched for a conditional expression
    (``x = a if torch.version.hip else b``) when its lines hold both a
    vendor word and ``else`` (see :class:`CandidateLines`). ``file_end`` is the file's last
    line: a top-level ``if`` that ends the module on one vendor (``if not
    torch.version.hip: raise …``) leaves the rest of the file, not only of
    the parsed piece, to the other path.

    The module's top-level functions are noted in ``lines.functions`` for
    :func:`add_helper_paths`.
    """
    lines.functions.extend(
        (statement.name, _first_line(statement), statement.end_lineno) for statement in tree.body if type(statement) in _FUNCTIONS
    )
    _walk_block(tree.body, result, file_end, lines)


def _first_line(function: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """A function's first line, its decorators' included."""
    return min([function.lineno, *(d.lineno for d in function.decorator_list)])


def add_helper_paths(result: ReadResult, lines: CandidateLines) -> None:
    """A top-level function called only from one vendor's target paths (or
    from functions that are) is a target path for that vendor too.

    flash-attention's ``setup.py`` builds its nvcc flags in
    ``add_cuda_gencodes``, called only in the branch where ``IS_ROCM`` is
    false: the helper belongs to that ``if``. Call sites are found as the
    text ``name(`` (not after ``.`` or a name character); a mention in a
    comment or string counts as a call outside, which only keeps a helper
    out. Run once per file, after all its regions are known.
    """
    paths: dict[str, list[tuple[int, int]]] = {}
    for region in result.regions:
        if region.kind == "target-path":
            paths.setdefault(region.vendor, []).append((region.start, region.end))
    if not paths or not lines.functions:
        return
    calls = {name: _call_lines(lines.text, name, lines.line_starts) for name, _, _ in lines.functions}
    for vendor, spans in paths.items():
        covered: set[str] = set()
        changed = True
        while changed:
            changed = False
            for name, start, end in lines.functions:
                sites = [line for line in calls[name] if not start <= line <= end]
                if name in covered or not sites:
                    continue
                if all(any(first <= line <= last for first, last in spans) for line in sites):
                    covered.add(name)
                    spans.append((start, end))
                    result.region("target-path", start, end, vendor)
                    changed = True


def _call_lines(text: str, name: str, line_starts: list[int]) -> list[int]:
    """Lines where ``name(`` stands as a call of a plain name."""
    found: list[int] = []
    needle = name + "("
    at = text.find(needle)
    while at >= 0:
        before = text[at - 1] if at else " "
        if not (before.isalnum() or before in "_."):
            found.append(bisect_right(line_starts, at))
        at = text.find(needle, at + 1)
    return found


class CandidateLines:
    """The lines that may hold a vendor check, found with plain substring
    searches of the lower-cased text (a case-insensitive regex over all
    vendor words cost as much as the parse).

    Attributes
    ----------
    vendor : list of int
        Sorted lines holding a vendor word anywhere (``HIP_BUILD``,
        ``has_rocm``, ``"xpu"``): every check :func:`condition_vendor`
        recognises spells one.
    branching : list of int
        Sorted lines holding ``else``, which a conditional expression needs.
    """

    def __init__(self, text: str):
        if "\r" in text:
            # The parser ends lines at \r\n, \r and \n alike.
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        self.text = text
        #: (name, first line, last line) of each top-level function, noted by :func:`add_structure`.
        self.functions: list[tuple[str, int, int]] = []
        lowered = text.lower()
        self.vendor = _lines_holding(lowered, VENDOR_WORDS)
        self.branching = _lines_holding(lowered, ("else",))

    @functools.cached_property
    def line_starts(self) -> list[int]:
        """Offset of each line's start (for :func:`bisect.bisect_right`: line numbers)."""
        return [0, *(m.end() for m in re.finditer("\n", self.text))]


def _lines_holding(text: str, words: Iterable[str]) -> list[int]:
    """Sorted numbers of the lines holding one of ``words`` as a substring."""
    offsets: list[int] = []
    for word in words:
        at = text.find(word)
        while at >= 0:
            offsets.append(at)
            at = text.find(word, at + 1)
    offsets.sort()
    return lines_of(text, offsets)


def lines_of(text: str, offsets: Iterable[int]) -> list[int]:
    """The numbers of the lines holding the ascending ``offsets``, without repeats."""
    lines: list[int] = []
    line, counted = 1, 0
    for at in offsets:
        line += text.count("\n", counted, at)
        counted = at
        if not lines or lines[-1] != line:
            lines.append(line)
    return lines


def _walk_block(block: list[ast.stmt], result: ReadResult, rest_end: int, lines: CandidateLines) -> None:
    """Regions of one block; ``rest_end`` is the last line its statements
    may pass control to (the block's end, or the file's end at the top)."""
    for statement in block:
        kind = type(statement)
        blocks = _BLOCKS.get(kind)
        if blocks is None:  # a simple statement
            if kind in _SIMPLE_KINDS and _touches(statement, lines.branching) and _touches(statement, lines.vendor):
                _conditional_expression_regions(statement, result)
            continue
        if kind in _FUNCTIONS:
            result.region("function", _first_line(statement), statement.end_lineno)
        elif kind is ast.If:
            _if_region(statement, rest_end, lines, result)
        elif kind in _TRY_KINDS:
            # try: import pynvml / except ImportError: import amdsmi — either clause may hold the other vendor
            clauses = [statement.body, *(handler.body for handler in statement.handlers), statement.orelse]
            vendor = next(filter(None, map(_imports_vendor_module, clauses)), "")
            if vendor:
                result.region("target-path", statement.lineno, statement.end_lineno, vendor)
        for field in blocks:
            inner = getattr(statement, field)
            if not inner:
                continue
            if field == "handlers" or field == "cases":
                for clause in inner:
                    _walk_block(clause.body, result, clause.body[-1].end_lineno, lines)
            else:
                _walk_block(inner, result, inner[-1].end_lineno, lines)


#: The blocks of each compound statement (a simple statement has none).
_BLOCKS: dict[type, tuple[str, ...]] = {
    kind: tuple(f for f in ("body", "orelse", "finalbody", "handlers", "cases") if f in kind._fields)
    for kind in vars(ast).values()
    if isinstance(kind, type) and issubclass(kind, ast.stmt) and {"body", "cases"} & set(kind._fields)
}


#: Statements without a body whose expressions may choose by vendor.
_SIMPLE_KINDS = frozenset({ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Expr, ast.Return})


def _touches(node: ast.AST, lines: list[int]) -> bool:
    """Whether one of the sorted ``lines`` lies within the node's lines."""
    i = bisect_left(lines, node.lineno)
    return i < len(lines) and lines[i] <= node.end_lineno


def _conditional_expression_regions(statement: ast.stmt, result: ReadResult) -> None:
    """``lib = "hip" if torch.version.hip else "cuda"``: the statement has both paths."""
    vendors: list[str] = []
    for node in ast.walk(statement):
        if type(node) is ast.IfExp:
            vendor = condition_vendor(node.test)
            if vendor and vendor not in vendors:
                vendors.append(vendor)
    for vendor in vendors:
        result.region("target-path", statement.lineno, statement.end_lineno, vendor)


_TRY_KINDS = frozenset(k for k in (ast.Try, getattr(ast, "TryStar", None)) if k is not None)


def _if_region(statement: ast.If, rest_end: int, lines: CandidateLines, result: ReadResult) -> None:
    """Target-path regions for an ``if`` (with its ``elif``/``else``
    branches), one per vendor its conditions check for.

    A vendor's branch that only raises (``if SYSTEM == "rocm": raise
    NotImplementedError``) says the code has no path there: it opens none.
    The ``elif`` branches are marked as seen (``_in_chain``), so the walk
    into the ``else`` block does not report them again as smaller regions.
    """
    if getattr(statement, "_in_chain", False):
        return
    vendors: list[str] = []
    refused: set[str] = set()
    branch: ast.stmt | None = statement
    while isinstance(branch, ast.If):
        branch._in_chain = True
        vendor = condition_vendor(branch.test) if _touches(branch.test, lines.vendor) else ""
        if vendor:
            vendor_branch = branch.body if _checks_for(branch.test) else branch.orelse
            if _only_raises(vendor_branch):
                refused.add(vendor)
            elif vendor not in vendors:
                vendors.append(vendor)
        orelse = branch.orelse
        branch = orelse[0] if len(orelse) == 1 else None
    end = statement.end_lineno
    if not statement.orelse and isinstance(statement.body[-1], _TERMINATORS):
        # ``if is_rocm(): return rocm_path()`` — the rest of the block is the other path.
        end = max(end, rest_end)
    for vendor in vendors:
        if vendor not in refused:
            result.region("target-path", statement.lineno, end, vendor)


def _checks_for(test: ast.expr) -> bool:
    """Whether a vendor check is true on the vendor (``torch.version.hip``,
    ``SYSTEM == "rocm"``, ``x is not None``) rather than off it (``not
    is_rocm()``, ``SYSTEM != "rocm"``, ``torch.version.hip is None``).
    Mixed ``and``/``or`` conditions count by their first vendor part."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return not _checks_for(test.operand)
    if isinstance(test, ast.BoolOp):
        part = next((value for value in test.values if condition_vendor(value)), test.values[0])
        return _checks_for(part)
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        return not isinstance(test.ops[0], (ast.NotEq, ast.NotIn)) and not (
            isinstance(test.ops[0], ast.Is) and _is_none(test.comparators[0])
        )
    return True


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _only_raises(block: list[ast.stmt]) -> bool:
    return len(block) == 1 and isinstance(block[0], ast.Raise)


# -- vendor tools --------------------------------------------------------------------


def tool_commands(call: ast.Call) -> list[tuple[str, ast.AST]]:
    """The known vendor tools a call runs or looks up (``subprocess.run(
    ["nvidia-smi", …])``, ``os.system("nvcc --version")``,
    ``shutil.which("rocm-smi")``), by the first word of each command, each
    with the node that names it (its line is the evidence's line)."""
    callee = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", None)
    if callee not in COMMAND_CALLS or not call.args:
        return []
    first = call.args[0]
    in_list = isinstance(first, (ast.List, ast.Tuple))
    if in_list:
        if not first.elts or isinstance(first.elts[0], ast.Starred):
            return []
        first, shell = first.elts[0], False
    else:
        shell = callee != "which"
    if isinstance(first, (ast.Name, ast.Attribute)):
        if not in_list and callee in _GENERIC_CALLS:
            return []  # runner.run(nvcc_flags): a variable alone says no command
        # [CUTE_DSL_PTXAS_PATH, "-arch=sm_90"], [self.nvcc, "-V"]: a variable named after the tool
        tool = _tool_named_by(first.attr if isinstance(first, ast.Attribute) else first.id)
        return [(tool, first)] if tool else []
    text = _command_text(first)
    heads = _shell_command_heads(text) if shell else [_executable(text)]
    return [(tool, first) for tool in heads if tool in VENDOR_TOOLS]


#: Stands for a part of a command the source computes (``f"{cuda_home}/bin/nvcc"``).
_UNKNOWN = "{}"


def _command_text(node: ast.AST) -> str:
    """The text of a command string, with :data:`_UNKNOWN` for computed
    parts: a literal, an f-string, ``a + "/bin/nvcc"``, ``os.path.join(home, "bin", "nvcc")``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(_command_text(part) if isinstance(part, ast.Constant) else _UNKNOWN for part in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _command_text(node.left) + _command_text(node.right)
    if isinstance(node, ast.Call) and node.args and _callee(node) in ("join", "Path", "PurePath"):
        return "/".join(_command_text(arg) for arg in node.args)
    return _UNKNOWN


def _callee(call: ast.Call) -> str | None:
    return call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", None)


def _tool_named_by(identifier: str) -> str:
    """The tool a variable's name spells (``CUTE_DSL_PTXAS_PATH`` → ``ptxas``,
    ``nvidia_smi`` → ``nvidia-smi``), or ``""``."""
    words = words_of(identifier)
    joined = "-" + "-".join(words) + "-"
    for tool in _TOOLS_BY_LENGTH:
        if f"-{tool}-" in joined:
            return tool
    return ""


_TOOLS_BY_LENGTH = sorted(VENDOR_TOOLS, key=len, reverse=True)


#: Words of a variable or key that holds a command (``cmd``, ``nvsmi_command``, ``argv``).
_COMMAND_WORDS = frozenset({"cmd", "cmds", "command", "commands", "cmdline", "argv", "args"})


def assigned_commands(node: ast.AST) -> list[tuple[str, ast.AST]]:
    """The known vendor tools a command held by name starts with:
    ``cmd = ["rocminfo"]``, ``cmd += ["nvidia-smi", …]``, ``cmd = prefix +
    ["nvidia-smi"]``, ``command = "nvcc -V"``, a Kubernetes pod spec's
    ``{"command": ["nvidia-smi", "-L"]}``."""
    values: list[ast.AST] = []
    kind = type(node)
    if kind is ast.Dict:
        values = [v for k, v in zip(node.keys, node.values) if isinstance(k, ast.Constant) and k.value in _COMMAND_WORDS]
    elif kind is ast.Assign:
        if any(_names_a_command(target) for target in node.targets):
            values = [node.value]
    elif (kind is ast.AugAssign and isinstance(node.op, ast.Add)) or (kind is ast.AnnAssign and node.value is not None):
        if _names_a_command(node.target):
            values = [node.value]
    found: list[tuple[str, ast.AST]] = []
    for value in values:
        for head, shell in _command_heads(value):
            text = _command_text(head)
            tools = _shell_command_heads(text) if shell else [_executable(text)]
            found.extend((tool, head) for tool in tools if tool in VENDOR_TOOLS)
    return found


def _names_a_command(target: ast.AST) -> bool:
    identifier = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
    lowered = identifier.lower()
    if "cmd" not in lowered and "command" not in lowered and "arg" not in lowered:
        return False  # most names: no word split needed
    return not _COMMAND_WORDS.isdisjoint(words_of(identifier))


def _command_heads(value: ast.AST) -> list[tuple[ast.AST, bool]]:
    """The nodes that may start a command in a value, and whether each is a
    shell string: a list's first element, each list of a ``+`` chain, a string."""
    if isinstance(value, (ast.List, ast.Tuple)):
        first = value.elts[0] if value.elts else None
        return [(first, False)] if first is not None and not isinstance(first, ast.Starred) else []
    if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add):
        if isinstance(value.left, (ast.List, ast.Tuple, ast.BinOp)) or isinstance(value.right, (ast.List, ast.Tuple)):
            return _command_heads(value.left) + _command_heads(value.right)
    if isinstance(value, (ast.Constant, ast.JoinedStr)):
        return [(value, True)]
    return []


def _executable(word: str) -> str:
    """A command word without its folder (``/usr/bin/nvidia-smi`` → ``nvidia-smi``)."""
    return word.strip().rsplit("/", 1)[-1]


def _shell_command_heads(command: str) -> list[str]:
    """The first word of each simple command of a shell string, past
    ``VAR=value`` assignments and ``sudo``-like prefixes."""
    try:
        words = split_shell_words(SourceText.single(command, 1))
    except ShellSyntaxError:
        words = None
    if words is None:
        first = command.split()
        return [_executable(first[0])] if first else []
    heads: list[str] = []
    for simple in split_commands(words):
        for word in simple:
            text = word.text
            if _ASSIGNMENT_WORD.match(text) or text in _COMMAND_PREFIXES or text.startswith("-") or text.isdigit():
                continue
            heads.append(_executable(text))
            break
    return heads
