#!/usr/bin/env bash
# Extract the CUDA-only parent tree of every port of data/calibration/ports.csv
# into PORTS_DIR/<port_id>/ (for `make calibrate`). Needs git and network access;
# a folder that is already there is left alone. Submodules are not fetched: the
# effort model is scored on the repository's own code.
# Usage: benchmarks/calibration/checkout.sh PORTS_DIR
# PORTS_GIT_BASE (default https://github.com) is where owner/name.git are fetched from.
set -euo pipefail
dest=${1:?usage: $0 PORTS_DIR}
list=${PORTS_LIST:-"$(dirname "$0")/../../data/calibration/ports.csv"}
base=${PORTS_GIT_BASE:-https://github.com}
mkdir -p "$dest"
# Columns start port_id,repository,category,pr,parent_commit: only those are read
# (python's csv module, since notes hold commas and quotes).
python3 -c '
import csv, sys
for row in csv.DictReader(open(sys.argv[1], newline="")):
    print(row["port_id"], row["repository"], row["parent_commit"])
' "$list" | while read -r port repository commit; do
  folder="$dest/$port"
  if [ -d "$folder" ]; then echo "exists: $folder"; continue; fi
  partial="$folder.partial"
  rm -rf "$partial" "$partial.git"
  git init -q --bare "$partial.git"
  git --git-dir "$partial.git" fetch -q --depth 1 "$base/$repository.git" "$commit"
  mkdir -p "$partial"
  git --git-dir "$partial.git" archive "$commit" | tar -x -C "$partial"
  rm -rf "$partial.git"
  mv "$partial" "$folder"
  echo "extracted $repository at $commit as $port"
done
