"""Reading Rust manifests: ``Cargo.toml``.

The manifest is TOML, read with :mod:`tomllib` (through
:func:`lockin.inventory.pyproject.load_toml`, whose errors name the line);
lines are found again with :class:`~lockin.inventory.pyproject.TomlLocator`.
Dependencies sit in ``[dependencies]``, ``[dev-dependencies]``,
``[build-dependencies]``, their ``[target.'cfg(…)'.…]`` variants and
``[workspace.dependencies]`` (the Cargo reference, "Specifying
Dependencies"); each is a crate name with a version string or a table
(``version``, ``features``, ``package`` for a renamed crate, ``git``,
``path``, ``workspace = true``).

A crate that is portable by itself can bind a vendor through a feature
(``candle-core`` with ``features = ["cuda"]``), so an enabled feature is
evidence too, spelled ``crate[feature]``; so is each ``crate/feature`` that
the manifest's own ``[features]`` table turns on. Only features whose name
speaks of an accelerator back end are reported (:data:`ACCELERATOR_FEATURE`):
every feature is a component of its own, and ``serde[derive]`` beside
``serde`` would only lengthen the inventory; the catalog still decides
which of the reported ones are vendor-bound.
"""

from __future__ import annotations

import re
from typing import Any

from lockin.inventory.pyproject import TomlLocator, load_toml
from lockin.records import ReadResult

#: Ecosystem of crate evidence: the purl type, as SBOM components spell it.
CARGO = "cargo"

_DEPENDENCY_TABLES = ("dependencies", "dev-dependencies", "build-dependencies")

#: Feature names that select an accelerator back end (words of crates' own feature lists).
ACCELERATOR_FEATURE = re.compile(
    r"cuda|cudnn|cublas|nccl|nvml|nvidia|tensorrt|rocm|hip|migraphx|amd|gpu|flash|metal|vulkan|opencl|wgpu|xpu|sycl|oneapi|openvino|gaudi|hpu|tpu|xla|directml|coreml|qnn",
    re.IGNORECASE,
)


def read_cargo_toml(text: str, path: str) -> ReadResult:
    """Read the crates a ``Cargo.toml`` depends on.

    Returns
    -------
    ReadResult
        ``package`` evidence (ecosystem ``cargo``, spec: the version
        requirement) for each dependency, by its crate name (``package =``
        of a renamed dependency); ``crate[feature]`` evidence for each
        feature a dependency enables and each ``crate/feature`` of the
        ``[features]`` table. A dependency that is neither a string nor a table is a
        problem naming its line.

    Raises
    ------
    InputError
        When the text is not TOML.
    """
    data = load_toml(text, path)
    reader = _CargoReader(path, TomlLocator(text), ReadResult())
    for table, dependencies in _dependency_tables(data):
        reader.dependencies(table, dependencies)
    reader.feature_table(data.get("features"))
    return reader.result


def _dependency_tables(data: dict[str, Any]) -> list[tuple[tuple[str, ...], Any]]:
    """(table key path, table) of every dependency table in the manifest."""
    tables = [((name,), data[name]) for name in _DEPENDENCY_TABLES if name in data]
    workspace = data.get("workspace")
    if isinstance(workspace, dict) and "dependencies" in workspace:
        tables.append((("workspace", "dependencies"), workspace["dependencies"]))
    targets = data.get("target")
    if isinstance(targets, dict):
        for platform, table in targets.items():
            if isinstance(table, dict):
                tables += [(("target", platform, name), table[name]) for name in _DEPENDENCY_TABLES if name in table]
    return tables


class _CargoReader:
    def __init__(self, path: str, locator: TomlLocator, result: ReadResult):
        self.path, self.locator, self.result = path, locator, result

    def key_line(self, table: tuple[str, ...], key: str) -> int:
        """The line assigning ``key`` in ``table``: its own ``[table.key]``
        header, the key inside the table, or the table's header."""
        own = self.locator.header((*table, key))
        if own is not None:
            return own
        start, end = self.locator.section(table)
        return self.locator.find_key(key, start, end) or start

    def dependencies(self, table: tuple[str, ...], entries: Any) -> None:
        if not isinstance(entries, dict):
            self.result.problem(self.path, self.locator.section(table)[0], f"[{'.'.join(table)}] must be a table of dependencies")
            return
        for key, value in entries.items():
            line = self.key_line(table, key)
            text = self.locator.text(line)
            if isinstance(value, str):
                self.result.add("package", key, line, text, CARGO, value)
            elif isinstance(value, dict):
                self._detailed(key, value, line, text)
            else:
                self.result.problem(self.path, line, f"dependency {key!r} must be a version string or a table, found {type(value).__name__}")

    def _detailed(self, key: str, value: dict[str, Any], line: int, text: str) -> None:
        crate = value.get("package") if isinstance(value.get("package"), str) else key
        version = value.get("version") if isinstance(value.get("version"), str) else ""
        self.result.add("package", crate, line, text, CARGO, version)
        features = value.get("features", [])
        if not isinstance(features, list):
            self.result.problem(self.path, line, f"features of {key!r} must be a list of strings")
            return
        for feature in features:
            if isinstance(feature, str) and ACCELERATOR_FEATURE.search(feature):
                where = self._line_of(feature, line)
                self.result.add("package", f"{crate}[{feature}]", where, self.locator.text(where), CARGO, version)

    def _line_of(self, value: str, after: int) -> int:
        """The line of a string in a list that starts at ``after`` (multi-line arrays)."""
        return self.locator.find_string(value, after, after + 50) or after

    def feature_table(self, features: Any) -> None:
        """``[features]``: ``cuda = ["candle-core/cuda", "dep:cudarc"]`` turns on a dependency's feature."""
        if not isinstance(features, dict):
            return
        for name, enables in features.items():
            line = self.key_line(("features",), name)
            if not isinstance(enables, list):
                self.result.problem(self.path, line, f"feature {name!r} must be a list of strings")
                continue
            for item in enables:
                crate, _, feature = item.partition("/") if isinstance(item, str) else ("", "", "")
                if feature and ACCELERATOR_FEATURE.search(feature):
                    where = self._line_of(item, line)
                    self.result.add("package", f"{crate.rstrip('?')}[{feature}]", where, self.locator.text(where), CARGO)


def read_cargo_lock(text: str, path: str) -> ReadResult:
    """Read ``Cargo.lock``: every crate the build resolved, transitive ones included.

    A portable-looking manifest can pull a CUDA binding in through another
    crate (an inference library depending on ``cudarc``); the lock file
    names it.

    Returns
    -------
    ReadResult
        ``package`` evidence (ecosystem ``cargo``, spec: the version) for
        each ``[[package]]`` entry, at the line of its ``name``.

    Raises
    ------
    InputError
        When the text is not TOML.
    """
    data = load_toml(text, path)
    locator = TomlLocator(text)
    result = ReadResult()
    entries = data.get("package", [])
    if not isinstance(entries, list):
        result.problem(path, None, "'package' must be an array of tables ([[package]])")
        return result
    for occurrence, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            continue
        start, end = locator.section(("package",), occurrence)
        line = locator.find_key("name", start, end) or start
        version = entry.get("version") if isinstance(entry.get("version"), str) else ""
        result.add("package", entry["name"], line, locator.text(line), CARGO, version)
    return result
