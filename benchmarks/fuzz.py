"""Fuzzing campaign over every registered reader (issue 18; ``make fuzz``).

Usage::

    python benchmarks/fuzz.py                       # 1,000,000 inputs across all readers
    python benchmarks/fuzz.py --inputs 20000 --jobs 2
    python benchmarks/fuzz.py --formats requirements,cxx --inputs 5000 --campaign 7

Each input is a mutated seed (``tests/fuzzing.py``: seeds are the project's
own fixture files the format registry gives each reader), read through the
scan's one-file entry point, ``FileReader.read``. Inputs run in child
processes, a fresh one per batch, each watched by this process: an input
still running after ``--timeout`` seconds, or a child whose resident memory
passes ``--memory-mb``, is killed and recorded (a timeout, a memory peak)
and the batch goes on in a new child, so a hang never stalls the campaign.

Recorded per reader: inputs, crashes (an exception, or the scan's
"internal error in the … reader" problem), timeouts, memory peaks, records
on lines the file does not have (more than its ``\\n`` count + 1), inputs
the scan skipped whole, the slowest input and the largest peak. The figures
go to ``benchmarks/results/fuzz-<date>.json`` and a table on stdout; the
first offending inputs of each reader and kind are saved, minimised, under
``benchmarks/.work/fuzz/`` (not committed), with their unminimised form.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
from collections import Counter, deque
from dataclasses import asdict, dataclass, field
from multiprocessing.connection import wait
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
import fuzzing  # noqa: E402
from fuzzing import CRASH, LINES, MEMORY, OK, TIMEOUT, FuzzInput, Verdict  # noqa: E402

from lockin.catalog.load import load_catalog  # noqa: E402
from lockin.scan.formats import get, registered  # noqa: E402
from lockin.scan.reading import FileReader  # noqa: E402

KINDS = (CRASH, TIMEOUT, MEMORY, LINES)

#: What the forked children inherit: built once, before the first fork.
_STATE: dict = {}
#: This process's ends of the children's pipes: a child closes the copies it
#: inherits, so that each child sees its pipe close when this process ends.
_PARENT_ENDS: set = set()


@dataclass
class Limits:
    """When an input counts as a timeout or a memory peak, and when it is stopped."""

    seconds: float = 2.0
    memory_kb: int = 1024 * 1024
    #: The child's address-space limit: a last guard for the machine if a
    #: peak grows faster than the watchdog samples it.
    address_space_kb: int = 4 * 1024 * 1024


@dataclass
class ReaderTally:
    """One reader's figures in a campaign."""

    inputs: int = 0
    crash: int = 0
    timeout: int = 0
    memory: int = 0
    lines: int = 0
    skipped: int = 0
    slowest_s: float = 0.0
    peak_mb: float = 0.0
    total_s: float = 0.0

    def add(self, kind: str, verdict: Verdict, limits: Limits) -> None:
        self.inputs += 1
        if kind != OK:
            setattr(self, kind, getattr(self, kind) + 1)
        if kind != MEMORY and verdict.peak_kb > limits.memory_kb:
            self.memory += 1  # a slow input can be a large one too
        self.skipped += bool(verdict.skipped)
        self.slowest_s = max(self.slowest_s, verdict.seconds)
        self.peak_mb = max(self.peak_mb, verdict.peak_kb / 1024)
        self.total_s += verdict.seconds


def judge(verdict: Verdict, limits: Limits) -> str:
    """The verdict's kind, with the time and memory limits applied."""
    if verdict.kind != OK and verdict.kind != LINES:
        return verdict.kind
    if verdict.seconds > limits.seconds:
        return TIMEOUT
    if verdict.peak_kb > limits.memory_kb:
        return MEMORY
    return verdict.kind


# The child side.


def _serve(conn, address_space_kb: int) -> None:
    """A child's loop: read each requested input, send back its verdict."""
    for end in _PARENT_ENDS:
        end.close()
    if address_space_kb:
        limit = address_space_kb * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    folder = Path(_STATE["folder"]) / f"w{os.getpid()}"
    folder.mkdir(parents=True, exist_ok=True)
    reader, seeds = _STATE["reader"], _STATE["seeds"]
    try:
        while (request := conn.recv()) is not None:
            item = request if isinstance(request, FuzzInput) else fuzzing.generate(*request, seeds, _STATE["campaign"], _STATE["pathological"])
            conn.send(fuzzing.check_input(reader, get(item.format), item, folder))
    except (EOFError, BrokenPipeError):  # the campaign ended, or stopped waiting for this input
        pass
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# The watchdog side.


class Child:
    """A child process reading inputs one at a time, under watch."""

    def __init__(self, context, limits: Limits):
        self.conn, child_conn = context.Pipe()
        _PARENT_ENDS.add(self.conn)
        self.process = context.Process(target=_serve, args=(child_conn, limits.address_space_kb), daemon=True)
        self.process.start()
        child_conn.close()
        self.request = None
        self.started = 0.0
        self.served = 0

    def submit(self, request) -> None:
        self.conn.send(request)
        self.request, self.started = request, time.monotonic()

    def rss_kb(self) -> int:
        try:
            with open(f"/proc/{self.process.pid}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1])
        except OSError:
            pass
        return 0

    def stop(self) -> None:
        """Ends the child at once. Killed, not asked: waiting for a child to
        exit would hold up the watchdog of the others (the campaign's
        scratch folder, its files included, is removed at the end)."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        _PARENT_ENDS.discard(self.conn)
        self.conn.close()


def run_requests(requests, jobs: int, batch: int, limits: Limits, context):
    """Read each request in children under the watchdog.

    Yields ``(request, verdict)`` in completion order; a request is a
    ``(format, index)`` pair (generated in the child) or a :class:`FuzzInput`.
    """
    pending = deque(requests)
    children: list[Child | None] = [None] * jobs
    try:
        while pending or any(c is not None and c.request is not None for c in children):
            for slot, child in enumerate(children):
                if child is not None and child.request is None and (child.served >= batch or not pending):
                    child.stop()
                    children[slot] = child = None
                if child is None and pending:
                    children[slot] = child = Child(context, limits)
                if child is not None and child.request is None and pending:
                    child.submit(pending.popleft())
            busy = [c for c in children if c is not None and c.request is not None]
            ready = set(wait([c.conn for c in busy], timeout=0.05))
            for slot, child in enumerate(children):
                if child is None or child.request is None:
                    continue
                request = child.request
                if child.conn in ready:
                    try:
                        verdict = child.conn.recv()
                    except (EOFError, OSError):
                        child.process.join()
                        verdict = Verdict(CRASH, f"the reading process died (exit code {child.process.exitcode})", time.monotonic() - child.started)
                        child.request = None
                        child.stop()
                        children[slot] = None
                        yield request, verdict
                        continue
                    child.request = None
                    child.served += 1
                    yield request, verdict
                    continue
                elapsed = time.monotonic() - child.started
                rss = child.rss_kb()
                if elapsed > limits.seconds or rss > limits.memory_kb:
                    kind = TIMEOUT if elapsed > limits.seconds else MEMORY
                    child.request = None
                    child.stop()
                    children[slot] = None
                    yield request, Verdict(kind, f"stopped after {elapsed:.1f} s at {rss / 1024:.0f} MiB resident", elapsed, rss)
    finally:  # also when the caller stops early
        for child in children:
            if child is not None:
                child.stop()


# Minimising an offending input.


def _signature(kind: str, verdict: Verdict) -> str:
    # A crash is the same crash when the exception type is the same.
    if kind == CRASH:
        return ":".join(verdict.detail.split(":")[:2])
    return kind


def minimise(item: FuzzInput, kind: str, verdict: Verdict, limits: Limits, context, budget: int) -> tuple[bytes, int]:
    """A smaller input that still fails the same way: chunks removed while
    it does (delta debugging, at most ``budget`` readings). Returns the
    bytes and the readings spent."""
    want = _signature(kind, verdict)
    data, spent = item.data, 0

    def still_fails(candidate: bytes) -> bool:
        nonlocal spent
        spent += 1
        probe = FuzzInput(item.format, item.index, item.rel_path, candidate, item.mutations)
        [(_, result)] = list(run_requests([probe], 1, 1, limits, context))
        got = judge(result, limits)
        return got == kind and _signature(got, result) == want

    chunk = max(1, len(data) // 2)
    while spent < budget and data:
        at = 0
        while at < len(data) and spent < budget:
            candidate = data[:at] + data[at + chunk :]
            if still_fails(candidate):
                data = candidate  # the next chunk is now at the same place
            else:
                at += chunk
        if chunk == 1:
            break
        chunk //= 2
    return data, spent


# The campaign.


def plan(formats: list[str], inputs: int) -> list[tuple[str, int]]:
    """The requests: ``inputs`` split evenly over the formats, interleaved so
    that a campaign cut short has reached every reader alike."""
    share, extra = divmod(inputs, len(formats))
    counts = {name: share + (position < extra) for position, name in enumerate(formats)}
    return [(name, index) for index in range(max(counts.values(), default=0)) for name in formats if index < counts[name]]


@dataclass
class Offender:
    """An input that failed, as the JSON lists it."""

    format: str
    index: int
    kind: str
    detail: str
    seconds: float
    peak_mb: float
    mutations: list[str]
    size: int
    minimised_size: int | None = None
    saved: str = ""


@dataclass
class Campaign:
    formats: list[str]
    inputs: int
    campaign: int
    pathological: bool
    limits: Limits
    tallies: dict[str, ReaderTally] = field(default_factory=dict)
    offenders: list[Offender] = field(default_factory=list)
    seconds: float = 0.0


def run(args: argparse.Namespace) -> Campaign:
    formats = args.formats.split(",") if args.formats else list(registered())
    seeds = fuzzing.find_seeds()
    missing = [name for name in formats if not seeds.get(name)]
    if missing:
        raise SystemExit(f"fuzz: no seed file for {', '.join(missing)} (add a fixture under tests/fixtures)")
    limits = Limits(args.timeout, int(args.memory_mb * 1024), int(args.address_space_mb * 1024))
    context = multiprocessing.get_context("fork")
    work = Path(args.work)
    scratch = Path(tempfile.mkdtemp(prefix="lockin-fuzz-"))
    _STATE.update(reader=FileReader(load_catalog(), "amd"), seeds=seeds, campaign=args.campaign, pathological=not args.no_pathological, folder=str(scratch))
    _ = _STATE["reader"].vocabulary.compiled  # compiled once, before the forks
    result = Campaign(formats, args.inputs, args.campaign, not args.no_pathological, limits)
    result.tallies = {name: ReaderTally() for name in formats}
    kept: Counter = Counter()
    to_minimise: list[tuple[Offender, Verdict]] = []
    started = time.monotonic()
    done = 0
    try:
        for (name, index), verdict in run_requests(plan(formats, args.inputs), args.jobs, args.batch, limits, context):
            kind = judge(verdict, limits)
            result.tallies[name].add(kind, verdict, limits)
            done += 1
            if kind != OK and kept[name, kind] < args.keep:
                kept[name, kind] += 1
                item = fuzzing.generate(name, index, seeds, args.campaign, not args.no_pathological)
                offender = Offender(name, index, kind, verdict.detail[:500], round(verdict.seconds, 3), round(verdict.peak_kb / 1024, 1), list(item.mutations), len(item.data))
                result.offenders.append(offender)
                to_minimise.append((offender, verdict))
            if args.progress and done % 1000 == 0:
                print(f"  {done:,} inputs, {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
        result.seconds = time.monotonic() - started
        # The first offender of each reader and kind is minimised; the others are saved as they are.
        first: set = set()
        for offender, verdict in to_minimise:
            save_offender(offender, verdict, seeds, args, limits, context, work, (offender.format, offender.kind) not in first)
            first.add((offender.format, offender.kind))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return result


def save_offender(offender: Offender, verdict: Verdict, seeds, args, limits: Limits, context, work: Path, minimised: bool) -> None:
    """The offending input and (when ``minimised``) its minimised form under ``work``/<reader>/."""
    item = fuzzing.generate(offender.format, offender.index, seeds, args.campaign, not args.no_pathological)
    # Each reading of a timeout or memory offender costs up to the limit: those get a twentieth.
    budget = args.minimise_budget if offender.kind in (CRASH, LINES) else args.minimise_budget // 20
    small, _ = minimise(item, offender.kind, verdict, limits, context, budget) if budget and minimised else (item.data, 0)
    folder = work / offender.format
    folder.mkdir(parents=True, exist_ok=True)
    name = Path(item.rel_path).name
    stem = f"{offender.kind}-{args.campaign}-{offender.index}"
    (folder / f"{stem}.orig--{name}").write_bytes(item.data)
    (folder / f"{stem}--{name}").write_bytes(small)
    offender.minimised_size = len(small)
    saved = (folder / f"{stem}--{name}").resolve()
    offender.saved = str(saved.relative_to(REPO) if saved.is_relative_to(REPO) else saved)


def table(result: Campaign) -> str:
    """The campaign's figures as a Markdown table."""
    rows = ["| reader | inputs | crashes | timeouts (> {:g} s) | memory (> {:.0f} MiB) | lines out of range | skipped whole | slowest s | peak MiB |".format(result.limits.seconds, result.limits.memory_kb / 1024)]
    rows.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    total = ReaderTally()
    for name, tally in result.tallies.items():
        rows.append(f"| {name} | {tally.inputs:,} | {tally.crash} | {tally.timeout} | {tally.memory} | {tally.lines} | {tally.skipped:,} | {tally.slowest_s:.2f} | {tally.peak_mb:.0f} |")
        for key in ("inputs", "crash", "timeout", "memory", "lines", "skipped"):
            setattr(total, key, getattr(total, key) + getattr(tally, key))
        total.slowest_s = max(total.slowest_s, tally.slowest_s)
        total.peak_mb = max(total.peak_mb, tally.peak_mb)
    rows.append(f"| **all** | {total.inputs:,} | {total.crash} | {total.timeout} | {total.memory} | {total.lines} | {total.skipped:,} | {total.slowest_s:.2f} | {total.peak_mb:.0f} |")
    return "\n".join(rows)


def write_json(result: Campaign, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count()},
        "inputs": result.inputs,
        "campaign": result.campaign,
        "pathological": result.pathological,
        "limits": asdict(result.limits),
        "seconds": round(result.seconds, 1),
        "readers": {name: {k: round(v, 3) if isinstance(v, float) else v for k, v in asdict(t).items()} for name, t in result.tallies.items()},
        "offenders": [asdict(o) for o in result.offenders],
    }
    out.write_text(json.dumps(payload, indent=1) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--inputs", type=int, default=1_000_000, help="inputs across all readers (default 1,000,000)")
    parser.add_argument("--formats", default="", help="comma-separated reader formats (default: every registered one)")
    parser.add_argument("--campaign", type=int, default=0, help="the campaign's seed: the same seed makes the same inputs")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="child processes at a time")
    parser.add_argument("--batch", type=int, default=500, help="inputs per child process")
    parser.add_argument("--timeout", type=float, default=2.0, help="seconds an input may take (default 2)")
    parser.add_argument("--memory-mb", type=float, default=1024, help="resident MiB a reading may reach (default 1024)")
    parser.add_argument("--address-space-mb", type=float, default=4096, help="a child's address-space limit, a guard for the machine (0: none)")
    parser.add_argument("--no-pathological", action="store_true", help="leave out the pathological mutations (runs of 4,300-150,000 characters, a line copied thousands of times)")
    parser.add_argument("--keep", type=int, default=3, help="offending inputs saved per reader and kind")
    parser.add_argument("--minimise-budget", type=int, default=200, help="readings spent minimising one crash or line offender (timeouts get 1/20)")
    parser.add_argument("--work", default=str(REPO / "benchmarks" / ".work" / "fuzz"), help="where offending inputs are saved")
    parser.add_argument("--out", default="", help="the JSON (default benchmarks/results/fuzz-<date>.json)")
    parser.add_argument("--progress", action="store_true", help="a line on stderr every 1,000 inputs")
    args = parser.parse_args(argv)
    result = run(args)
    out = Path(args.out or REPO / "benchmarks" / "results" / f"fuzz-{dt.date.today().isoformat()}.json")
    write_json(result, out)
    print(f"{sum(t.inputs for t in result.tallies.values()):,} inputs in {result.seconds:.0f} s (campaign {result.campaign}, {'with' if result.pathological else 'without'} pathological mutations); {out}")
    print(table(result))
    for offender in result.offenders:
        print(f"  {offender.format} {offender.kind} #{offender.index} ({offender.size:,} -> {offender.minimised_size:,} bytes, {offender.saved}): {offender.detail[:160]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
