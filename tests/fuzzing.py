"""Mutation fuzzing of the readers (issue 18): seeds, mutations, one input's check.

Every registered format (:func:`lockin.scan.formats.registered`) is fuzzed
the same way: its seeds are the project's own fixture files that the
registry's rules give it (:func:`find_seeds`), each input is a seed put
through a few mutations (:func:`generate`, deterministic from a campaign
seed, the format and the input's number), and each input is read through
the scan's own entry point for one file, :meth:`FileReader.read
<lockin.scan.reading.FileReader.read>`, from a file written to a folder
(:func:`check_input`).

``tests/scan/test_fuzz.py`` runs a short campaign in ``make test``;
``benchmarks/fuzz.py`` (``make fuzz``) a long one, each batch of inputs in
a child process under a watchdog.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lockin.scan.discover import InputFile
from lockin.scan.formats import SNIFF_BYTES, Format, detect_formats, registered
from lockin.scan.reading import BINARY_PROBE_BYTES, FileReader

REPO = Path(__file__).resolve().parents[1]
#: Where seeds come from: the project's own fixtures and sample portfolio.
SEED_ROOTS = (REPO / "tests" / "fixtures", REPO / "data" / "portfolio")

#: Characters that str.splitlines, PyYAML or the tokenizer take for a line
#: break where editors (and ``\n`` counting) see none.
EXOTIC_BREAKS = ("\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")

#: Python refuses to convert longer digit strings to int (sys.get_int_max_str_digits).
INT_MAX_DIGITS = 4300

#: No input grows past this, whatever the mutations (the issue's hostile files are 70-300 KB).
MAX_INPUT_BYTES = 320_000

#: Fragments of the input languages that mutations insert: what turns a
#: well-formed seed into an odd but plausible one.
TOKENS = (
    '"', "'", '"""', "`", "\\", "#", "//", "/*", "*/", "{", "}", "[", "]", "(", ")", "<", ">", "=", "==", ">=",
    ",", ";", ":", "- ", "  ", "\t", "${", "{{", "}}", "$(", "@", "!", "&", "*", "|", "---", "...", "&anchor",
    "*anchor", "!!python/object", "\ufeff", "é", "\u200b", "\x00", "0x", "1e999", "-1", "99999999999999999999",
    "import ", "from ", "#include ", "#define ", "__global__ ", "<<<", ">>>", "cuda", "torch", "rocm", "nvidia/",
    "FROM ", "RUN ", "pip install ", "-r ", "--index-url ", "git+https://", "http://u:p@h/", "@EXPLICIT",
    "apiVersion: v1\nkind: Pod\n", "[tool.poetry]", '{"bomFormat":', "#SBATCH ", "use ", "extern crate ",
)


@dataclass(frozen=True)
class Seed:
    """A fixture file a format's rules claim: its path (as claimed) and bytes."""

    rel_path: str
    data: bytes


def find_seeds(roots: Sequence[Path] = SEED_ROOTS, formats: Sequence[Format] | None = None) -> dict[str, list[Seed]]:
    """The seeds of each format, by format name (an empty list for a format
    no fixture file is of).

    A fixture's format is decided by the registry as the scan decides it
    (:func:`~lockin.scan.formats.detect_formats`), from the path relative to
    each of its folders in turn: ``tests/fixtures/templates/chart/Chart.yaml``
    is a template for its ``templates`` folder and a Helm chart as
    ``chart/Chart.yaml``, where its own project would put it.
    """
    formats = list(registered().values()) if formats is None else list(formats)
    # In registry order: splicing draws from all seeds in this order, and a
    # set's order would change with the interpreter's hash seed.
    seeds: dict[str, list[Seed]] = {f.name: [] for f in formats}
    for root in roots:
        for path in sorted(p for p in Path(root).rglob("*") if p.is_file()):
            data = path.read_bytes()
            if b"\0" in data[:BINARY_PROBE_BYTES]:
                continue
            head = data[:SNIFF_BYTES].decode("utf-8", "replace")
            parts = path.relative_to(REPO).parts if path.is_relative_to(REPO) else path.parts
            for start in range(len(parts)):
                rel_path = "/".join(parts[start:])
                for fmt in detect_formats(rel_path, head):
                    pool = seeds.get(fmt.name)
                    if pool is not None and all(seed.data != data for seed in pool):
                        pool.append(Seed(rel_path, data))
    return seeds


def missing_seeds(seeds: dict[str, list[Seed]]) -> list[str]:
    """The registered formats without a seed (their readers would go unfuzzed)."""
    return [name for name in registered() if not seeds.get(name)]


# Mutations: each takes the random source, the bytes and every seed's bytes
# (for splicing) and returns new bytes.


def _position(rng: random.Random, data: bytes) -> int:
    # Line starts are where most syntax begins: half the positions are one.
    at = rng.randint(0, len(data))
    if data and rng.random() < 0.5:
        return data.rfind(b"\n", 0, at) + 1  # the start of the line it falls on
    return at


def _chunk(rng: random.Random, data: bytes) -> tuple[int, int]:
    if not data:
        return 0, 0
    start = rng.randrange(len(data))
    length = min(len(data) - start, int(rng.expovariate(1 / 24)) + 1)
    return start, start + length


def flip_bytes(rng: random.Random, data: bytes, pool: Sequence[bytes]) -> bytes:
    """A few bytes changed: mostly to printable ASCII, sometimes to any byte."""
    if not data:
        return bytes([rng.randint(32, 126)])
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        at = rng.randrange(len(out))
        out[at] = rng.randint(32, 126) if rng.random() < 0.8 else out[at] ^ (1 << rng.randrange(8))
    return bytes(out)


def insert_chunk(rng: random.Random, data: bytes, pool: Sequence[bytes]) -> bytes:
    """A piece of this or another seed, or a language token, inserted."""
    if rng.random() < 0.5:
        piece = rng.choice(TOKENS).encode()
    else:
        source = rng.choice(pool) if pool and rng.random() < 0.5 else data
        start, end = _chunk(rng, source)
        piece = source[start:end]
    at = _position(rng, data)
    return data[:at] + piece + data[at:]


def delete_chunk(rng: random.Random, data: bytes, pool: Sequence[bytes]) -> bytes:
    """A piece removed."""
    start, end = _chunk(rng, data)
    return data[:start] + data[end:]


def duplicate_chunk(rng: random.Random, data: bytes, pool: Sequence[bytes]) -> bytes:
    """A piece repeated in place, up to 16 times."""
    start, end = _chunk(rng, data)
    return data[:end] + data[start:end] * rng.randint(1, 16) + data[end:]


def splice(rng: random.Random, data: bytes, pool: Sequence[bytes]) -> bytes:
    """The start of this seed joined to the end of another."""
    other = rng.choice(pool) if pool else data
    return data[: rng.randint(0, len(data))] + other[rng.randint(0, len(other)) :]


def exotic_line_breaks(rng: random.Random, data: bytes, pool: Sequence[bytes]) -> bytes:
    """Characters other line-splitters count as breaks, put where a ``\\n``
    was or inserted (so that ``\\n`` counts fewer lines than they do)."""
    text = data.decode("utf-8", "surrogateescape")
    breaks = [i for i, char in enumerate(text) if char == "\n"]
    out = list(text)
    for _ in range(rng.randint(1, 12)):
        mark = rng.choice(EXOTIC_BREAKS)
        if breaks and rng.random() < 0.5:
            out[rng.choice(breaks)] = mark
        else:
            out.insert(rng.randint(0, len(out)), mark * rng.randint(1, 3))
    return "".join(out).encode("utf-8", "surrogateescape")


def truncate(rng: random.Random, data: bytes, pool: Sequence[bytes]) -> bytes:
    """The file cut short (possibly inside a multi-byte character)."""
    return data[: rng.randint(0, len(data))]


def _long_run(rng: random.Random, length: int) -> bytes:
    """A run of one kind: quotes, spaces, dotted names, digits, nested brackets."""
    kind = rng.randrange(8)
    if kind == 0:
        return rng.choice(('"', "'", "`")).encode() * length
    if kind == 1:
        return b" " * length + b"x"
    if kind == 2:
        return b"a" + b".a" * (length // 2)
    if kind == 3:
        return b"1" * max(length, INT_MAX_DIGITS + 1)
    if kind == 4:
        opening, closing = rng.choice(("[]", "()", "{}", "<>"))
        return opening.encode() * (length // 2) + closing.encode() * (length // 2)
    if kind == 5:
        return b"a-" * (length // 2)
    if kind == 6:
        return b"\\" * length
    return b"# " + b"x" * length


def short_runs(rng: random.Random, data: bytes, pool: Sequence[bytes]) -> bytes:
    """A run of up to 300 repeated characters inserted: long enough to reach
    odd paths, too short to reach a quadratic one's cost."""
    at = _position(rng, data)
    run = _long_run(rng, rng.randint(2, 300))
    return data[:at] + run[:300] + data[at:]


#: Where a run does harm: after the start of a statement that parses it
#: (``from torch.`` + ``a.a.a…``, a TOML key, a CUDA declaration, a
#: requirement, a URL), with what closes the statement after it.
RUN_CONTEXTS = (
    (b"from torch.", b" import y\n"),
    (b"\n", b" = 1\n"),
    (b"\n__device__ inline float f() { return ", b"; }\n"),
    (b"\nnumpy", b"x\n"),
    (b"\ngit+https://github.", b"\n"),
    (b"\n- ", b"\n"),
    (b'"', b'"'),
)


def long_runs(rng: random.Random, data: bytes, pool: Sequence[bytes]) -> bytes:
    """A run of 4,300 to 150,000 characters inserted, half the time inside
    one of :data:`RUN_CONTEXTS`: what a hostile or generated file has
    (quadratic regexes, deep nesting, integers over Python's digit limit)."""
    at = _position(rng, data)
    run = _long_run(rng, rng.randint(INT_MAX_DIGITS + 1, 150_000))
    if rng.random() < 0.5:
        before, after = rng.choice(RUN_CONTEXTS)
        run = before + run + after
    return data[:at] + run + data[at:]


def many_copies(rng: random.Random, data: bytes, pool: Sequence[bytes]) -> bytes:
    """A line or a piece repeated 500 to 20,000 times (a generated lock file
    or SBOM with thousands of entries: what a per-entry re-scan of the whole
    text turns quadratic)."""
    start, end = _chunk(rng, data)
    if rng.random() < 0.5 and data:  # a whole line
        start = data.rfind(b"\n", 0, start) + 1
        end = data.find(b"\n", start) + 1 or len(data)
    piece = data[start:end] or b"x\n"
    copies = min(rng.randint(500, 20_000), MAX_INPUT_BYTES // len(piece))
    return data[:end] + piece * copies + data[end:]


Mutation = Callable[[random.Random, bytes, Sequence[bytes]], bytes]

#: The mutations and their weights. The :data:`PATHOLOGICAL` ones are left
#: out of the short run (see :func:`generate`).
MUTATIONS: dict[str, tuple[Mutation, int]] = {
    "flip_bytes": (flip_bytes, 6),
    "insert_chunk": (insert_chunk, 6),
    "delete_chunk": (delete_chunk, 4),
    "duplicate_chunk": (duplicate_chunk, 3),
    "splice": (splice, 2),
    "exotic_line_breaks": (exotic_line_breaks, 3),
    "truncate": (truncate, 1),
    "short_runs": (short_runs, 2),
    "long_runs": (long_runs, 2),
    "many_copies": (many_copies, 1),
}
PATHOLOGICAL = frozenset({"long_runs", "many_copies"})


@dataclass(frozen=True)
class FuzzInput:
    """One generated input: the format it is for, its number, the path it is
    written under, its bytes and the mutations that made it."""

    format: str
    index: int
    rel_path: str
    data: bytes
    mutations: tuple[str, ...]


def generate(
    format_name: str,
    index: int,
    seeds: dict[str, list[Seed]],
    campaign: int = 0,
    pathological: bool = True,
) -> FuzzInput:
    """The ``index``-th input of a format in a campaign: the same bytes for
    the same arguments, on any machine.

    Parameters
    ----------
    format_name : str
        The format whose seeds are mutated.
    index : int
        The input's number.
    seeds : dict
        :func:`find_seeds`'s result.
    campaign : int
        The campaign's seed.
    pathological : bool
        Whether the :data:`PATHOLOGICAL` mutations may be chosen.
    """
    rng = random.Random(f"{campaign}:{format_name}:{index}")
    own = seeds[format_name]
    seed = own[rng.randrange(len(own))]
    # Splicing draws mostly from the format's own seeds, sometimes from any.
    pool = [s.data for s in own] if rng.random() < 0.8 else [s.data for group in seeds.values() for s in group]
    names = [name for name in MUTATIONS if pathological or name not in PATHOLOGICAL]
    weights = [MUTATIONS[name][1] for name in names]
    data = seed.data
    applied = []
    # Mostly one or two mutations: a seed mutated too much is only a syntax error to its reader.
    for _ in range(min(1 + int(rng.expovariate(1.2)), 6)):
        name = rng.choices(names, weights)[0]
        data = MUTATIONS[name][0](rng, data, pool)[:MAX_INPUT_BYTES]
        applied.append(name)
    return FuzzInput(format_name, index, seed.rel_path, data, tuple(applied))


# Checking one input.

#: Verdict kinds, worst first.
CRASH, TIMEOUT, MEMORY, LINES, OK = "crash", "timeout", "memory", "lines", "ok"


@dataclass
class Verdict:
    """What reading one input did.

    ``kind`` is :data:`OK` or the defect (:data:`CRASH`: an exception out of
    the reader, including the scan's "internal error in the … reader"
    problem; :data:`LINES`: a finding, component, definition or problem on a
    line the file does not have; :data:`TIMEOUT` and :data:`MEMORY` are
    judged by the caller from ``seconds`` and ``peak_kb``).
    """

    kind: str
    detail: str = ""
    seconds: float = 0.0
    peak_kb: int = 0
    skipped: str = ""
    counts: dict[str, int] = field(default_factory=dict)


def line_count(data: bytes) -> int:
    """The file's lines as editors count them: one more than its ``\\n``."""
    return data.count(b"\n") + 1


def _peak_reset() -> None:
    # Linux: resets the process's resident-set high-water mark (VmHWM).
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass


def peak_rss_kb() -> int:
    """The process's largest resident set since the last reset, in KiB (0 where unknown)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def lines_out_of_range(outcome, last_line: int) -> list[str]:
    """Each record of an outcome whose line is not one of the file's."""
    wrong = []
    records = (("finding", outcome.findings), ("component", outcome.components), ("definition", outcome.definitions))
    for what, rows in records:
        for row in rows:
            line = row[2]
            if line is not None and not 1 <= line <= last_line:
                wrong.append(f"{what} {row[4]!r} on line {line}")
    for problem in outcome.problems:
        if problem.line is not None and not 1 <= problem.line <= last_line:
            wrong.append(f"problem on line {problem.line}: {problem.message[:120]}")
    return wrong


def check_input(reader: FileReader, fmt: Format, item: FuzzInput, folder: Path) -> Verdict:
    """Read one input as the scan reads one file, and judge what came out.

    The input is written under ``folder`` at its seed's path and read with
    :meth:`FileReader.read` forced to ``fmt`` (a mutation may have changed
    what the format's sniff sees; the input is still for this reader).
    """
    path = folder / item.rel_path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(item.data)
    _peak_reset()
    started = time.perf_counter()
    try:
        outcome = reader.read(InputFile("fuzz", folder, item.rel_path, len(item.data)), forced=fmt)
    except Exception as exc:  # noqa: BLE001 — what the harness looks for
        seconds = time.perf_counter() - started
        return Verdict(CRASH, f"{type(exc).__name__} out of FileReader.read: {str(exc)[:300]}", seconds, peak_rss_kb())
    finally:
        path.unlink(missing_ok=True)
    seconds = time.perf_counter() - started
    peak = peak_rss_kb()
    counts = {"findings": len(outcome.findings), "components": len(outcome.components), "problems": len(outcome.problems)}
    internal = [p.message for p in outcome.problems if p.message.startswith("internal error in the ")]
    if internal:
        return Verdict(CRASH, internal[0][:400], seconds, peak, outcome.skipped, counts)
    wrong = lines_out_of_range(outcome, line_count(item.data))
    if wrong:
        detail = f"{len(wrong)} record(s) past line {line_count(item.data)}: " + "; ".join(wrong[:3])
        return Verdict(LINES, detail, seconds, peak, outcome.skipped, counts)
    return Verdict(OK, "", seconds, peak, outcome.skipped, counts)
