"""Which builds of its CUDA-only parent each real port moved (the ``scope_roots`` of data/calibration/ports.csv).

A port rarely moves a whole repository: flash-attention's Composable
Kernel port moved the main extension, not the optional ``csrc/layer_norm``
build beside it. The effort model is scored on what the port moved: the
build roots (folders with a setup.py, pyproject.toml, CMakeLists.txt or
Makefile in the parent tree) owning the files the port's commits changed
or added. Reads git only (``git show --name-only``, ``git diff
--name-only``); nothing from the repositories is copied.

    python benchmarks/calibration/scope.py --ports data/calibration/ports.csv \
        --mirrors /work/.mirror --trees TREES [--write]
"""

from __future__ import annotations

import argparse
import csv
import subprocess
from pathlib import Path

BUILD_FILES = {"setup.py", "pyproject.toml", "CMakeLists.txt", "Makefile", "GNUmakefile", "makefile"}
MIRROR_ALIASES = {"ggml-org/llama.cpp": "ggerganov+llama.cpp"}


def git(git_dir: Path, *args: str) -> str:
    return subprocess.run(["git", "--git-dir", str(git_dir), *args], capture_output=True, text=True, check=True).stdout


def mirror(mirrors: Path, repository: str) -> Path:
    folder = MIRROR_ALIASES.get(repository, repository.replace("/", "+"))
    return mirrors / folder / "repo"


def changed_paths(git_dir: Path, commits: list[str]) -> set[str]:
    """Files the port's commits changed (a merge commit: against its first parent)."""
    paths: set[str] = set()
    for commit in commits:
        parents = git(git_dir, "log", "-1", "--format=%P", commit).split()
        if len(parents) > 1:
            paths |= set(git(git_dir, "diff", "--name-only", parents[0], commit).split("\n"))
        else:
            paths |= set(git(git_dir, "show", "--name-only", "--format=", commit).split("\n"))
    return {p for p in paths if p}


def build_roots(tree: Path) -> set[str]:
    return {str(p.parent.relative_to(tree)) for p in tree.rglob("*") if p.name in BUILD_FILES and p.is_file()}


def owning_root(path: str, roots: set[str]) -> str:
    folder = str(Path(path).parent)
    while True:
        if folder in roots:
            return folder
        if folder in ("", "."):
            return "."
        folder = str(Path(folder).parent)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ports", default="data/calibration/ports.csv")
    parser.add_argument("--mirrors", required=True, type=Path)
    parser.add_argument("--trees", required=True, type=Path)
    parser.add_argument("--write", action="store_true", help="write scope_roots into the ports file")
    args = parser.parse_args()
    with open(args.ports, newline="") as handle:
        reader = csv.DictReader(handle)
        columns, rows = list(reader.fieldnames or []), list(reader)
    for row in rows:
        tree = args.trees / row["port_id"]
        roots = build_roots(tree) if tree.is_dir() else set()
        changed = changed_paths(mirror(args.mirrors, row["repository"]), row["port_commits"].split())
        # A build file the port added makes its folder a build of the port's own.
        owners = {owning_root(p, roots) for p in changed}
        row["scope_roots"] = ";".join(sorted(owners))
        print(f"{row['port_id']:<26} {len(changed):>4} files  {row['scope_roots']}")
    if args.write:
        if "scope_roots" not in columns:
            columns.insert(columns.index("branch_observed"), "scope_roots")
        with open(args.ports, "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
            writer.writerows(rows)


if __name__ == "__main__":
    main()
