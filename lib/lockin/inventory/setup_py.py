"""Reading ``setup.py`` as a build file, with :mod:`ast` (it is never run).

A ``setup.py`` that builds a PyTorch C++/CUDA extension shows its
accelerator ties in a few places, all visible in the syntax tree:

* ``torch.utils.cpp_extension`` classes: ``CUDAExtension``,
  ``CppExtension``, ``BuildExtension`` (``setuptools:<Class>``, at each
  use, imports and aliases resolved);
* ``extra_compile_args={"nvcc": [...]}`` (``compiler=nvcc``; not in a branch only
  ROCm builds take, where hipcc receives those flags) and
  architecture flags in string literals (``arch=sm_80``), including
  ``TORCH_CUDA_ARCH_LIST`` values set through ``os.environ``;
* ``torch.utils.hipify`` (``setuptools:hipify``), the HIPIFY step of
  ROCm builds;
* ``install_requires`` / ``setup_requires`` / ``extras_require`` strings
  (``package`` evidence, ecosystem ``pypi``).

The Python source scanner reads the same file for module evidence; this
reader only reports what concerns the build.
"""

from __future__ import annotations

import ast
import re

from lockin.inventory.gpuarch import ARCH_LIST_VARIABLES, arch_flag_values, arch_list_values
from lockin.inventory.pip import add_requirement
from lockin.lines import PYTHON, counted_by
from lockin.parsebounds import check_dotted_names, parse_python
from lockin.records import InputError, ReadResult

SETUPTOOLS = "setuptools"

_CPP_EXTENSION = "torch.utils.cpp_extension"
_HIPIFY = "torch.utils.hipify"
EXTENSION_CLASSES = frozenset({"CUDAExtension", "CppExtension", "BuildExtension", "SyclExtension"})
_REQUIREMENT_KEYWORDS = ("install_requires", "setup_requires", "extras_require")


@counted_by(PYTHON)
def read_setup_py(text: str, path: str) -> ReadResult:
    """Read a ``setup.py`` for build evidence.

    Parameters
    ----------
    text : str
        The Python source.
    path : str
        The path shown in problems.

    Returns
    -------
    ReadResult
        ``build`` evidence (ecosystem ``setuptools``) and ``package``
        evidence (ecosystem ``pypi``); an invalid requirement string is a
        problem.

    Raises
    ------
    InputError
        When the file is not valid Python.
    """
    check_dotted_names(text, path, "python")
    try:
        tree = parse_python(text, path)
    except SyntaxError as exc:
        raise InputError(path, exc.lineno, f"not valid Python: {exc.msg}") from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise InputError(path, None, f"not readable as Python: {exc or type(exc).__name__}") from None
    result = ReadResult()
    # The lines as the parser counts them; counted_by makes them \n-lines.
    _SetupReader(result, path, PYTHON.breaks.split(text), tree).read()
    return result


class _SetupReader:
    def __init__(self, result: ReadResult, path: str, lines: list[str], tree: ast.Module):
        self.result = result
        self.path = path
        self.lines = lines
        self.tree = tree
        self.aliases: dict[str, str] = {}
        self._seen: set[tuple[str, int]] = set()

    def text_of(self, line: int) -> str:
        return self.lines[line - 1] if 0 < line <= len(self.lines) else ""

    def add(self, name: str, line: int, spec: str = "") -> None:
        # Nested attribute chains (torch.utils.hipify.hipify_python) would
        # otherwise report the same thing several times on one line.
        if (name, line) in self._seen:
            return
        self._seen.add((name, line))
        self.result.add("build", name, line, self.text_of(line), SETUPTOOLS, spec)

    def read(self) -> None:
        imported = self._imports()
        self._target_lines = _target_branch_lines(self.tree)
        used: set[str] = set()
        sequence_strings: set[int] = set()
        for node in ast.walk(self.tree):
            if isinstance(node, (ast.Name, ast.Attribute)):
                self._reference(node, used)
            elif isinstance(node, ast.Dict):
                self._compile_args(node)
            elif isinstance(node, (ast.List, ast.Tuple, ast.Set)):
                self._string_sequence(node, sequence_strings)
            elif isinstance(node, ast.Call):
                self._call(node)
            elif isinstance(node, ast.Assign):
                self._environ_assignment(node)
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in sequence_strings:
                self._flags([(node.value, node.lineno)])
        # A class imported but only passed around by name elsewhere (or not
        # at all) still tells what the build uses.
        for full_name, line in imported.items():
            if full_name not in used:
                self.add(f"setuptools:{full_name.rsplit('.', 1)[1]}", line)
        self.result.evidence.sort(key=lambda e: e.line or 0)

    def _imports(self) -> dict[str, int]:
        """Record aliases; returns the extension classes imported by name, with their lines."""
        imported: dict[str, int] = {}
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        self.aliases[alias.asname] = alias.name
                    else:
                        top = alias.name.split(".", 1)[0]
                        self.aliases[top] = top
                    if _is_hipify(alias.name):
                        self.add("setuptools:hipify", node.lineno)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    self.aliases[alias.asname or alias.name] = full
                    if _is_hipify(full):
                        self.add("setuptools:hipify", node.lineno)
                    if node.module == _CPP_EXTENSION and alias.name in EXTENSION_CLASSES:
                        imported.setdefault(full, node.lineno)
        return imported

    def _resolve(self, node: ast.expr) -> str | None:
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name) or node.id not in self.aliases:
            return None
        return ".".join([self.aliases[node.id], *reversed(parts)])

    def _reference(self, node: ast.Name | ast.Attribute, used: set[str]) -> None:
        full = self._resolve(node)
        if full is None:
            return
        module, _, name = full.rpartition(".")
        if module == _CPP_EXTENSION and name in EXTENSION_CLASSES:
            used.add(full)
            self.add(f"setuptools:{name}", node.lineno)
        elif isinstance(node, ast.Attribute) and _is_hipify(full):
            self.add("setuptools:hipify", node.lineno)

    def _compile_args(self, node: ast.Dict) -> None:
        for key in node.keys:
            if isinstance(key, ast.Constant) and key.value == "nvcc" and key.lineno not in self._target_lines:
                # In a ROCm branch the "nvcc" key is torch's name for the
                # device compiler's flags, which hipcc receives.
                self.add("compiler=nvcc", key.lineno)

    def _string_sequence(self, node: ast.List | ast.Tuple | ast.Set, members: set[int]) -> None:
        strings = [e for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
        members.update(id(s) for s in strings)
        self._flags([(s.value, s.lineno) for s in strings])

    def _flags(self, strings: list[tuple[str, int]]) -> None:
        """Architecture flags in consecutive strings (``["-arch", "sm_80"]`` too)."""
        words: list[str] = []
        lines: list[int] = []
        for value, line in strings:
            for word in value.split():
                words.append(word)
                lines.append(line)
        if len(words) == 1 and _GENCODE_VALUE.match(words[0]):
            # cc_flag.append("-gencode"); cc_flag.append("arch=compute_90,code=sm_90"):
            # the value stands alone, its flag in another call.
            words = ["-gencode", *words]
            lines = [lines[0], *lines]
        for index, arch in arch_flag_values(words):
            self.add(f"arch={arch}", lines[index], arch)

    def _architecture_variable(self, name: ast.expr, value: ast.expr | None) -> None:
        if not (isinstance(name, ast.Constant) and isinstance(name.value, str)):
            return
        kind = ARCH_LIST_VARIABLES.get(name.value)
        if kind and isinstance(value, ast.Constant) and isinstance(value.value, str):
            for arch in arch_list_values(kind, value.value):
                self.add(f"arch={arch}", value.lineno, arch)

    def _environ_assignment(self, node: ast.Assign) -> None:
        # os.environ["TORCH_CUDA_ARCH_LIST"] = "8.0;9.0"
        for target in node.targets:
            if isinstance(target, ast.Subscript):
                self._architecture_variable(target.slice, node.value)

    def _call(self, node: ast.Call) -> None:
        # os.environ.setdefault("TORCH_CUDA_ARCH_LIST", "8.0"), os.getenv(…, default)
        if len(node.args) >= 2:
            self._architecture_variable(node.args[0], node.args[1])
        for keyword in node.keywords:
            if keyword.arg in _REQUIREMENT_KEYWORDS:
                self._requirements(keyword.value)
        self._defined_packages(node)

    def _defined_packages(self, node: ast.Call) -> None:
        """The import roots the project builds itself: ``setup(name=…,
        packages=[…], py_modules=[…])`` and each extension module's ``name``
        (``CUDAExtension(name="flash_attn_2_cuda")``, ``f"{PACKAGE_NAME}._C"``).

        They are the project's own (``define("package", …)``): its tests
        importing them are no vendor evidence.
        """
        callee = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        keywords = {k.arg: k.value for k in node.keywords if k.arg}
        if callee == "setup":
            name = self._string_value(keywords.get("name"))
            if name:
                self._define_package(_import_name(name), node.lineno)
            for key in ("packages", "py_modules"):
                for element in self._string_elements(keywords.get(key)):
                    self._define_package(element, node.lineno)
        elif callee.endswith("Extension") and callee != "BuildExtension":
            value = keywords.get("name") or (node.args[0] if node.args else None)
            name = self._string_value(value)
            if name:
                self._define_package(name, node.lineno)

    def _define_package(self, module: str, line: int) -> None:
        root = module.strip().split(".")[0]
        if root.isidentifier() and all(d.name != root for d in self.result.definitions):
            self.result.define("package", root, line)

    def _string_elements(self, value: ast.expr | None) -> list[str]:
        value = self._module_level_value(value) if value is not None else None
        if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add):
            # find_packages() + ["extra"]: the literal part is known
            return self._string_elements(value.left) + self._string_elements(value.right)
        if not isinstance(value, (ast.List, ast.Tuple)):
            return []
        return [s for s in map(self._string_value, value.elts) if s]

    def _string_value(self, value: ast.expr | None) -> str | None:
        """A string literal, a module-level string constant or an f-string
        of those (``f"{PACKAGE_NAME}._C"``); None when not known."""
        if value is None:
            return None
        value = self._module_level_value(value)
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            return value.value
        if isinstance(value, ast.JoinedStr):
            parts = []
            for part in value.values:
                text = self._string_value(part.value if isinstance(part, ast.FormattedValue) else part)
                if text is None:
                    return None
                parts.append(text)
            return "".join(parts)
        return None

    def _requirements(self, value: ast.expr) -> None:
        value = self._module_level_value(value)
        if isinstance(value, ast.Dict):  # extras_require
            for item in value.values:
                self._requirements(item)
            return
        if not isinstance(value, (ast.List, ast.Tuple)):
            return
        for element in value.elts:
            if isinstance(element, ast.Constant) and isinstance(element.value, str):
                add_requirement(self.result, self.path, element.lineno, element.value.strip(), self.text_of(element.lineno))

    def _module_level_value(self, value: ast.expr) -> ast.expr:
        """``install_requires=REQUIRES``: the list assigned to ``REQUIRES`` at module level."""
        if not isinstance(value, ast.Name):
            return value
        found: ast.expr = value
        for statement in self.tree.body:
            if isinstance(statement, ast.Assign) and any(isinstance(t, ast.Name) and t.id == value.id for t in statement.targets):
                found = statement.value
        return found


def _import_name(distribution: str) -> str:
    """The import name a distribution name stands for (``flash-attn`` → ``flash_attn``)."""
    return re.sub(r"[-_.]+", "_", distribution.strip()).lower()


#: The value of nvcc's -gencode, written without the flag.
_GENCODE_VALUE = re.compile(r"arch=compute_\d+[a-z]?,code=")


#: A HIP or ROCm word in a condition: HIP_BUILD, IS_ROCM, torch.version.hip.
_TARGET_WORD = re.compile(r"(?<![A-Za-z])(?:hip|rocm)(?![a-z])", re.IGNORECASE)


def _target_branch_lines(tree: ast.Module) -> set[int]:
    """The lines of ``if`` branches taken only for a HIP/ROCm build."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            polarity = _hip_polarity(node.test)
            branch = node.body if polarity else node.orelse if polarity is False else []
            if branch:
                lines.update(range(branch[0].lineno, (branch[-1].end_lineno or branch[-1].lineno) + 1))
    return lines


def _hip_polarity(test: ast.expr) -> bool | None:
    """True when a condition holds only on HIP/ROCm builds, False when only
    off them (``not IS_ROCM``), None when it does not say."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = _hip_polarity(test.operand)
        return None if inner is None else not inner
    if isinstance(test, ast.BoolOp):
        polarities = [_hip_polarity(value) for value in test.values]
        if isinstance(test.op, ast.And):
            return True if True in polarities else None
        return True if all(p is True for p in polarities) else None
    if not _TARGET_WORD.search(ast.unparse(test)):
        return None
    if isinstance(test, ast.Compare):
        if all(isinstance(op, (ast.Eq, ast.Is, ast.In)) for op in test.ops):
            return True
        if all(isinstance(op, (ast.NotEq, ast.IsNot, ast.NotIn)) for op in test.ops):
            return False
        return None
    return True


def _is_hipify(name: str) -> bool:
    return name == _HIPIFY or name.startswith(_HIPIFY + ".")
