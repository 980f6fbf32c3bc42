"""Scan throughput benchmark: ``lockin scan`` against ripgrep on the same tree.

Usage (``make bench`` runs the first form)::

    python benchmarks/scan_bench.py                 # synthetic tree, 20,000 files, 200 MiB
    python benchmarks/scan_bench.py --tree ~/src    # any real checkout
    python benchmarks/scan_bench.py --files 2000 --size-mb 20 --runs 1

ripgrep is the yardstick for "reading every input file once and matching
vendor tokens": it is about as fast as reading text gets. lockin parses
each file properly (ast, YAML, TOML, a C++ lexer) and classifies what it
finds, so it is slower; the target is at least a quarter of ripgrep's
throughput, with the largest process staying under 500 MiB.

Both tools run as child processes on a warm page cache, best of N runs.
Each runs under a small wrapper process that times it with
``time.perf_counter`` and reads ``getrusage(RUSAGE_CHILDREN).ru_maxrss``
afterwards: the largest resident set of the tool or of any worker it
reaped. On Linux the resident memory of the tool's whole process tree is
also sampled (workers summed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rg_patterns import (  # noqa: E402
    SHORT_LIST,
    coverage,
    finding_lines,
    load_vocabulary,
    match_lines,
    vocabulary_patterns,
    write_pattern_file,
)
from synth_tree import TreeSpec, ensure_tree  # noqa: E402

HERE = Path(__file__).resolve().parent
WORK = HERE / ".work"
RESULTS = HERE / "results"

TARGET_RATIO = 0.25
TARGET_PEAK_MB = 500.0

#: File names lockin considers (mirrors lockin.scan.formats.candidate), as ripgrep globs.
INPUT_GLOBS = (
    "*.cu", "*.cuh", "*.cpp", "*.cc", "*.cxx", "*.c", "*.h", "*.hpp", "*.hh", "*.hxx", "*.hip", "*.inl",
    "*.py", "*.txt", "*.in", "*.toml", "*.lock", "*.yml", "*.yaml", "*.json", "*.cmake",
    "*.sbatch", "*.slurm", "*.sh", "*.dockerfile", "Pipfile", "Containerfile", "Dockerfile*",
)

#: Folders lockin does not walk (mirrors lockin.scan.discover), excluded from ripgrep too.
EXCLUDED_DIRS = (
    ".git", ".hg", ".svn", ".bzr", "node_modules", "__pycache__", ".venv", "venv", ".tox", ".nox",
    ".mypy_cache", ".pytest_cache", ".ipynb_checkpoints", "site-packages",
)

@dataclass
class Run:
    """One timed child process."""

    wall_s: float
    peak_rss_mb: float  # largest process (rusage)
    tree_rss_mb: float | None  # sampled sum over the process tree
    exit_code: int
    output_records: int


@dataclass
class ToolResult:
    tool: str
    command: list[str]
    runs: list[Run] = field(default_factory=list)

    @property
    def best(self) -> Run:
        return min(self.runs, key=lambda r: r.wall_s)

    @property
    def peak_rss_mb(self) -> float:
        return max(r.peak_rss_mb for r in self.runs)

    @property
    def tree_rss_mb(self) -> float | None:
        values = [r.tree_rss_mb for r in self.runs if r.tree_rss_mb is not None]
        return max(values) if values else None


# --------------------------------------------------------------------------
# Finding the tools


def find_rg(explicit: str | None) -> str | None:
    """ripgrep next to this Python (the venv's ``bench`` extra) or on PATH."""
    if explicit:
        return explicit if Path(explicit).is_file() else None
    beside = Path(sys.executable).parent / "rg"
    if beside.is_file():
        return str(beside)
    return shutil.which("rg")


def lockin_scan_flags(python: str) -> set[str] | None:
    """Flags ``lockin scan`` accepts, or None when lockin cannot be run."""
    proc = subprocess.run([python, "-m", "lockin", "scan", "--help"], capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-2000:])
        return None
    return {flag for flag in ("--jobs", "--no-progress", "--max-file-size") if flag in proc.stdout}


def tool_version(command: list[str]) -> str:
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=60)
    except OSError:
        return "unknown"
    return (out.stdout or out.stderr).strip().splitlines()[0] if (out.stdout or out.stderr).strip() else "unknown"


# --------------------------------------------------------------------------
# Measuring


class TreeRssSampler(threading.Thread):
    """Samples the summed resident memory of a process and its descendants."""

    def __init__(self, pid: int, interval: float = 0.1, include_root: bool = True):
        super().__init__(daemon=True)
        self.pid, self.interval, self.include_root = pid, interval, include_root
        self.peak_bytes = 0
        self.available = Path(f"/proc/{pid}/statm").exists()
        self._stop_event = threading.Event()
        self._page = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096

    def run(self) -> None:
        while self.available and not self._stop_event.wait(self.interval):
            pids = self._tree(self.pid)
            total = sum(self._rss(p) for p in (pids if self.include_root else pids[1:]))
            self.peak_bytes = max(self.peak_bytes, total)

    def stop(self) -> float | None:
        self._stop_event.set()
        self.join()
        return self.peak_bytes / 2**20 if self.available and self.peak_bytes else None

    def _tree(self, pid: int) -> list[int]:
        pids, todo = [], [pid]
        while todo:
            p = todo.pop()
            pids.append(p)
            try:
                for task in Path(f"/proc/{p}/task").iterdir():
                    todo += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
        return pids

    def _rss(self, pid: int) -> int:
        try:
            return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * self._page
        except (OSError, IndexError, ValueError):
            return 0


#: Runs one tool and reports its wall time and rusage. A fresh, small
#: process is needed because Linux carries the RSS high-water mark of the
#: process that forks into the child's ``ru_maxrss`` at exec: spawned
#: directly from this (possibly large) benchmark process, every tool would
#: inherit our own peak. Spawned from this wrapper it inherits ~10 MiB.
_WRAPPER = """
import json, resource, subprocess, sys, time
command = json.loads(sys.argv[1])
with open(sys.argv[2], "wb") as out, open(sys.argv[3], "wb") as err:
    start = time.perf_counter()
    code = subprocess.call(command, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
    wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(sys.argv[4], "w") as fh:
    json.dump({"wall": wall, "maxrss": usage.ru_maxrss, "code": code}, fh)
"""


def run_child(command: list[str], stdout_path: Path, stderr_path: Path) -> tuple[float, float, float | None, int]:
    """Run one tool; return (wall seconds, peak RSS MiB, tree RSS MiB, exit code).

    Wall time is measured inside the wrapper around the tool alone (the
    wrapper's own start-up is not counted). Peak RSS is ``ru_maxrss`` of
    the wrapper's reaped children: the tool, or the largest of the workers
    it reaped.
    """
    report = stdout_path.with_suffix(".rusage.json")
    wrapper = [sys.executable, "-S", "-c", _WRAPPER, json.dumps(command), str(stdout_path), str(stderr_path), str(report)]
    proc = subprocess.Popen(wrapper, stdin=subprocess.DEVNULL)
    sampler = TreeRssSampler(proc.pid, include_root=False)
    sampler.start()
    try:
        proc.wait()
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    finally:
        tree_mb = sampler.stop()
    if proc.returncode != 0 or not report.is_file():
        raise RuntimeError(f"benchmark wrapper failed (status {proc.returncode}) for {command[0]}")
    data = json.loads(report.read_text())
    report.unlink()
    # ru_maxrss is KiB on Linux, bytes on macOS.
    peak = data["maxrss"] / (2**20 if sys.platform == "darwin" else 2**10)
    return data["wall"], peak, tree_mb, data["code"]


def warm_cache(root: Path) -> tuple[int, int]:
    """Read every file once (untimed) so both tools see a warm page cache."""
    files = size = 0
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d not in EXCLUDED_DIRS]
        for name in names:
            try:
                with open(os.path.join(folder, name), "rb") as fh:
                    while chunk := fh.read(1 << 20):
                        size += len(chunk)
            except OSError:
                continue
            files += 1
    return files, size


def input_set(root: Path, max_bytes: int) -> tuple[int, int]:
    """Files (and bytes) whose names make them lockin candidates: the workload of both tools."""
    import fnmatch

    files = size = 0
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d not in EXCLUDED_DIRS]
        for name in names:
            if any(fnmatch.fnmatch(name.lower(), g.lower()) for g in INPUT_GLOBS):
                path = os.path.join(folder, name)
                if os.path.islink(path):
                    continue
                n = os.path.getsize(path)
                if n <= max_bytes:
                    files += 1
                    size += n
    return files, size


def rg_command(rg: str, root: Path, max_mb: int, patterns: Path) -> list[str]:
    """ripgrep over lockin's input files, printing every match of the patterns in ``patterns`` with its line.

    ``--no-unicode``: ASCII word characters and boundaries, as lockin's token
    search uses. ripgrep prints the same matches either way on both trees
    measured, and runs faster: with Unicode word boundaries, non-ASCII text
    pushes its regex engine off the fast path (the vocabulary patterns took
    20.7 s instead of 0.77 s on a 348 MiB tree of PyTorch, CUDA and library
    sources).
    """
    cmd = [rg, "--no-ignore", "--hidden", "--no-config", "--no-unicode", "-n", "--no-heading", "-o", "--glob-case-insensitive", f"--max-filesize={max_mb}M"]
    for glob in INPUT_GLOBS:
        cmd += ["-g", glob]
    for folder in EXCLUDED_DIRS:
        cmd += ["-g", f"!{folder}/"]
    return cmd + ["-f", str(patterns), str(root)]


def count_lines(path: Path) -> int:
    with open(path, "rb") as fh:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))


def count_findings(path: Path) -> int:
    """Records in lockin's JSON array, counted without loading it (it can be large)."""
    key, count, tail = b'"project":', 0, b""
    try:
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                block = tail + chunk
                count += block.count(key)
                # Keep a partial key at the boundary for the next block, never a whole one.
                tail = block[-(len(key) - 1):]
    except OSError:
        return -1
    return count


# --------------------------------------------------------------------------
# Reporting


def throughput(result: ToolResult, files: int, size: int) -> tuple[float, float]:
    wall = result.best.wall_s
    return size / 2**20 / wall, files / wall


#: What each row of the table is, for the results file.
TOOL_ROLES = {
    "lockin": "lockin scan --format json",
    "ripgrep": "the yardstick: ripgrep searching the words lockin's catalog and scanners search for",
    "rg-short": "informational: ripgrep with a short hand-written list of vendor prefixes",
}


def print_table(results: list[ToolResult], files: int, size: int) -> None:
    header = f"{'tool':<10} {'wall s':>9} {'MiB/s':>9} {'files/s':>10} {'peak RSS MiB':>13} {'tree RSS MiB':>13} {'records':>10}"
    print(header)
    print("-" * len(header))
    for r in results:
        mbs, fps = throughput(r, files, size)
        tree = f"{r.tree_rss_mb:.0f}" if r.tree_rss_mb is not None else "n/a"
        print(f"{r.tool:<10} {r.best.wall_s:>9.2f} {mbs:>9.1f} {fps:>10.0f} {r.peak_rss_mb:>13.0f} {tree:>13} {r.best.output_records:>10}")


def evaluate(lockin: ToolResult | None, rg: ToolResult | None, short: ToolResult, files: int, size: int, covered: dict[str, float | None]) -> dict:
    """The targets, judged against ripgrep searching lockin's vocabulary."""
    if lockin is None or rg is None:
        return {}
    ratio = throughput(lockin, files, size)[0] / throughput(rg, files, size)[0]
    return {
        "ratio_lockin_to_ripgrep": ratio,
        "throughput_target": TARGET_RATIO,
        "throughput_pass": ratio >= TARGET_RATIO,
        "ratio_lockin_to_rg_short": throughput(lockin, files, size)[0] / throughput(short, files, size)[0],
        "finding_lines_covered": covered,
        "peak_rss_mb": lockin.peak_rss_mb,
        "peak_rss_target_mb": TARGET_PEAK_MB,
        "peak_rss_pass": lockin.peak_rss_mb < TARGET_PEAK_MB,
        "tree_rss_mb": lockin.tree_rss_mb,
    }


def print_targets(verdict: dict) -> None:
    if not verdict:
        return
    ok = lambda b: "PASS" if b else "FAIL"  # noqa: E731
    share = lambda v: "n/a" if v is None else f"{100 * v:.1f} %"  # noqa: E731
    covered = verdict["finding_lines_covered"]
    print()
    print(f"lockin/ripgrep throughput: {verdict['ratio_lockin_to_ripgrep']:.3f}  (target >= {TARGET_RATIO})  {ok(verdict['throughput_pass'])}")
    print(f"lockin/rg-short throughput: {verdict['ratio_lockin_to_rg_short']:.3f}  (informational: a shorter search than lockin's)")
    print(f"lines with a lockin finding that ripgrep also matched: ripgrep {share(covered.get('ripgrep'))}, rg-short {share(covered.get('rg-short'))}")
    print(f"lockin peak RSS (largest process): {verdict['peak_rss_mb']:.0f} MiB  (target < {TARGET_PEAK_MB:.0f})  {ok(verdict['peak_rss_pass'])}")
    if verdict["tree_rss_mb"] is not None:
        print(f"lockin peak RSS of the whole process tree (workers summed, sampled): {verdict['tree_rss_mb']:.0f} MiB  (informational)")


# --------------------------------------------------------------------------
# Main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--files", type=int, default=20_000, help="files in the synthetic tree (default 20000)")
    p.add_argument("--size-mb", type=int, default=200, help="MiB of content in the synthetic tree (default 200)")
    p.add_argument("--projects", type=int, default=20, help="projects in the synthetic tree (default 20)")
    p.add_argument("--seed", type=int, default=TreeSpec.seed, help="generator seed")
    p.add_argument("--tree", type=Path, help="benchmark this folder instead of a synthetic tree")
    p.add_argument("--runs", type=int, default=3, help="timed runs per tool; the best counts (default 3)")
    p.add_argument("--jobs", type=int, help="passed to `lockin scan --jobs` (default: lockin's own default)")
    p.add_argument("--keep", action="store_true", help="keep the tools' outputs under benchmarks/.work/out/")
    p.add_argument("--rg", help="path of the ripgrep binary (default: next to this Python, then PATH)")
    p.add_argument("--python", default=sys.executable, help="Python that runs `-m lockin` (default: this one)")
    p.add_argument("--rg-only", action="store_true", help="only run ripgrep (for testing the benchmark itself)")
    p.add_argument("--max-file-mb", type=int, default=8, help="files above this size are skipped by both tools (lockin's default: 8)")
    p.add_argument("--no-write", action="store_true", help="do not write benchmarks/results/scan-<date>.json")
    p.add_argument("--strict", action="store_true", help="exit with status 3 when a target is missed")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    rg = find_rg(args.rg)
    if rg is None:
        print(
            "ripgrep (rg) not found next to this Python or on PATH.\n"
            "Install it into the project's virtualenv with the bench extra:\n"
            "    .venv/bin/pip install -e '.[bench]'      (or: pip install --only-binary :all: 'ripgrep>=14,<15')\n"
            "or pass --rg /path/to/rg.",
            file=sys.stderr,
        )
        return 2
    flags: set[str] = set()
    if not args.rg_only:
        found = lockin_scan_flags(args.python)
        if found is None:
            print(f"`{args.python} -m lockin scan --help` failed: is lockin installed in this environment? (use --rg-only to test ripgrep alone)", file=sys.stderr)
            return 2
        flags = found

    if args.tree:
        root = args.tree.resolve()
        if not root.is_dir():
            print(f"--tree {args.tree}: not a folder", file=sys.stderr)
            return 2
        spec = None
    else:
        spec = TreeSpec(files=args.files, size_mb=args.size_mb, projects=args.projects, seed=args.seed)
        root = ensure_tree(spec, WORK, log=lambda m: print(m, file=sys.stderr))

    print("warming the page cache …", file=sys.stderr)
    all_files, all_bytes = warm_cache(root)
    files, size = input_set(root, args.max_file_mb * 2**20)
    print(f"tree {root}: {all_files} files, {all_bytes / 2**20:.0f} MiB; inputs by name: {files} files, {size / 2**20:.0f} MiB", file=sys.stderr)
    if size == 0:
        print(f"{root}: no input files to scan", file=sys.stderr)
        return 2

    out_dir = WORK / "out" if args.keep else Path(tempfile.mkdtemp(prefix="scan-bench-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        vocabulary = load_vocabulary(args.python)
    except (OSError, subprocess.CalledProcessError) as exc:
        if not args.rg_only:
            print(f"cannot read lockin's vocabulary with {args.python}: {exc}", file=sys.stderr)
            return 2
        vocabulary = None  # --rg-only without lockin: the short list alone
    tools: list[ToolResult] = []
    rg_tool = None
    if vocabulary is not None:
        patterns = vocabulary_patterns(vocabulary)
        rg_tool = ToolResult("ripgrep", rg_command(rg, root, args.max_file_mb, write_pattern_file(patterns, out_dir / "vocabulary.rg")))
        tools.append(rg_tool)
        print(f"ripgrep searches lockin's vocabulary: {len(patterns)} patterns, {len(vocabulary['names'])} API names, {len(vocabulary['prefixes'])} prefixes", file=sys.stderr)
    short_tool = ToolResult("rg-short", rg_command(rg, root, args.max_file_mb, write_pattern_file(list(SHORT_LIST), out_dir / "short.rg")))
    tools.append(short_tool)
    lockin_tool = None
    if not args.rg_only:
        cmd = [args.python, "-m", "lockin", "scan", str(root), "--format", "json", "--out", str(out_dir / "lockin.json")]
        if "--no-progress" in flags:
            cmd.append("--no-progress")
        if args.jobs is not None and "--jobs" in flags:
            cmd += ["--jobs", str(args.jobs)]
        if "--max-file-size" in flags:
            cmd += ["--max-file-size", str(args.max_file_mb)]
        lockin_tool = ToolResult("lockin", cmd)
        tools.insert(0, lockin_tool)

    # One untimed pass of each ripgrep finishes warming (and checks the commands work).
    for tool in tools[1:] if lockin_tool else tools:
        _, _, _, code = run_child(tool.command, out_dir / f"{tool.tool}.out", out_dir / f"{tool.tool}.err")
        if code not in (0, 1):  # 1: no match
            print((out_dir / f"{tool.tool}.err").read_text(errors="replace")[-2000:], file=sys.stderr)
            return 1

    covered: dict[str, float | None] = {}
    try:
        for i in range(args.runs):
            for tool in tools:
                stem = tool.tool
                wall, peak, tree_mb, code = run_child(tool.command, out_dir / f"{stem}.out", out_dir / f"{stem}.err")
                ok_codes = (0,) if tool is lockin_tool else (0, 1)
                if code not in ok_codes:
                    print(f"{stem} exited with {code}:\n" + (out_dir / f"{stem}.err").read_text(errors="replace")[-3000:], file=sys.stderr)
                    return 1
                records = count_findings(out_dir / "lockin.json") if tool is lockin_tool else count_lines(out_dir / f"{stem}.out")
                tool.runs.append(Run(wall, peak, tree_mb, code, records))
                print(f"run {i + 1}/{args.runs} {stem}: {wall:.2f} s, peak {peak:.0f} MiB", file=sys.stderr)
        if lockin_tool is not None:
            # Equivalence, measured: on how many of the lines lockin reports does each ripgrep match?
            findings = finding_lines(out_dir / "lockin.json")
            covered = {t.tool: coverage(findings, match_lines(out_dir / f"{t.tool}.out", root)) for t in tools if t is not lockin_tool}
    finally:
        if not args.keep:
            shutil.rmtree(out_dir, ignore_errors=True)

    print()
    print(f"tree: {root}")
    print(f"inputs: {files} files, {size / 2**20:.1f} MiB (of {all_files} files, {all_bytes / 2**20:.1f} MiB); CPUs: {os.cpu_count()}; best of {args.runs}")
    print()
    print_table(tools, files, size)
    verdict = evaluate(lockin_tool, rg_tool, short_tool, files, size, covered)
    print_targets(verdict)

    if not args.no_write:
        RESULTS.mkdir(parents=True, exist_ok=True)
        now = dt.datetime.now().astimezone()
        report = {
            "date": now.isoformat(timespec="seconds"),
            "tree": str(root),
            "synthetic": asdict(spec) if spec else None,
            "tree_files": all_files,
            "tree_bytes": all_bytes,
            "input_files": files,
            "input_bytes": size,
            "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
            "versions": {"ripgrep": tool_version([rg, "--version"]), "lockin": tool_version([args.python, "-c", "import lockin; print(lockin.__version__)"]) if lockin_tool else None},
            "runs_per_tool": args.runs,
            "tools": {
                t.tool: {
                    "role": TOOL_ROLES.get(t.tool, ""),
                    "command": [c if len(c) < 200 else c[:200] + "…" for c in t.command],
                    "runs": [asdict(r) for r in t.runs],
                    "best_wall_s": t.best.wall_s,
                    "mib_per_s": throughput(t, files, size)[0],
                    "files_per_s": throughput(t, files, size)[1],
                    "peak_rss_mb": t.peak_rss_mb,
                    "tree_rss_mb": t.tree_rss_mb,
                }
                for t in tools
            },
            "targets": verdict,
        }
        # A real tree gets its own file, named after its folder.
        path = RESULTS / f"scan-{now.date().isoformat()}{'-' + root.name if args.tree else ''}.json"
        path.write_text(json.dumps(report, indent=2) + "\n")
        print(f"\nresults written to {path}")
    if args.strict and verdict and not (verdict["throughput_pass"] and verdict["peak_rss_pass"]):
        return 3
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
