#!/usr/bin/env bash
# Clone every repository of benchmarks/realcode/repositories.csv into
# REALCODE_DIR/<owner>+<name>/ at its pinned commit (for `make validate`).
# Needs git and network access; a folder that is already there is left alone.
# Usage: benchmarks/realcode/checkout.sh REALCODE_DIR
# REALCODE_GIT_BASE (default https://github.com) is where owner/name.git are fetched from;
# REALCODE_LIST (default: repositories.csv beside this script) is the list.
set -euo pipefail
dest=${1:?usage: $0 REALCODE_DIR}
list=${REALCODE_LIST:-"$(dirname "$0")/repositories.csv"}
base=${REALCODE_GIT_BASE:-https://github.com}
mkdir -p "$dest"
# Columns: repository,commit,shape,supports_amd,notes (the notes may hold commas: only the first two fields are read).
tail -n +2 "$list" | while IFS=, read -r repository commit _; do
  [ -n "$repository" ] || continue
  folder="$dest/${repository//\//+}"
  if [ -d "$folder" ]; then echo "exists: $folder"; continue; fi
  # Fetched into a side folder and renamed when complete: a failed fetch leaves no half tree behind.
  partial="$folder.partial"
  rm -rf "$partial"
  git init -q "$partial"
  git -C "$partial" fetch -q --depth 1 "$base/$repository.git" "$commit"
  git -C "$partial" -c advice.detachedHead=false checkout -q FETCH_HEAD
  mv "$partial" "$folder"
  echo "checked out $repository at $commit"
done
echo "hipify-perl: pass --hipify-perl FILE, set HIPIFY_PERL, or put it at $dest/tools/bin/hipify-perl (from https://github.com/ROCm/HIPIFY, bin/hipify-perl)"
