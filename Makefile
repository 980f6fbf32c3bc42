# lockin — setup, report, test, bench.
# Every target creates .venv (when missing) and installs the project into it.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PERIOD ?= $(shell date +%Y-%m)
BENCH_ARGS ?=

.PHONY: setup system report test bench fuzz validate realcode-dir calibrate ports-dir clean

setup: $(STAMP)

# Debian packages pip cannot install (WeasyPrint's Pango, fonts); a no-op
# when they are there, an instruction when not root.
system:
	bash tools/system-packages.sh

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# The strategy report of the bundled sample portfolio for the current month
# (or PERIOD=2026-Q4 etc.): reports/<period>/ with the executed notebooks,
# strategy_report.html and strategy_report.pdf, plus reports/index.html and
# the history reports/history.sqlite. The PDF needs Pango (docs/operations.md).
report: system $(STAMP)
	$(BIN)/lockin report --period $(PERIOD) --portfolio data/portfolio --params data/sample-params.yml --out reports

test: system $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python benchmarks/scan_bench.py $(BENCH_ARGS)
	$(BIN)/python benchmarks/report_bench.py

# Mutation fuzzing of every registered reader (issue 18): FUZZ_ARGS="--inputs
# 20000" for a shorter campaign. Writes benchmarks/results/fuzz-<date>.json and
# prints the table; offending inputs, minimised, go to benchmarks/.work/fuzz/.
FUZZ_ARGS ?= --inputs 1000000 --progress
fuzz: $(STAMP)
	$(BIN)/python benchmarks/fuzz.py $(FUZZ_ARGS)

# lockin on real repositories against hand-judged lines and hipify-perl
# (benchmarks/README.md). REALCODE_DIR holds the extracted repositories,
# <owner>+<name>/ each: benchmarks/realcode/checkout.sh REALCODE_DIR makes it.
VALIDATE_ARGS ?=
validate: realcode-dir $(STAMP)
	$(BIN)/python benchmarks/validate.py --realcode "$(REALCODE_DIR)" $(VALIDATE_ARGS)

# The effort model on real CUDA -> ROCm ports (data/calibration/ports.csv): the
# per-port table before and after calibration, and the calibration rows.
# PORTS_DIR holds each port's CUDA-only parent as <port_id>/:
# benchmarks/calibration/checkout.sh PORTS_DIR makes it.
CALIBRATE_ARGS ?= --write data/calibration/calibration.csv --format csv --out benchmarks/results/calibration-$(shell date +%Y-%m-%d).csv
calibrate: ports-dir $(STAMP)
	$(BIN)/lockin calibrate --trees "$(PORTS_DIR)" $(CALIBRATE_ARGS)

ports-dir:
	@test -n "$(PORTS_DIR)" || { echo "make calibrate: set PORTS_DIR to the folder of port parent trees (benchmarks/calibration/checkout.sh PORTS_DIR extracts them)" >&2; exit 2; }

# Checked before the venv is built, so a missing REALCODE_DIR fails at once.
realcode-dir:
	@test -n "$(REALCODE_DIR)" || { echo "make validate: set REALCODE_DIR to the folder of extracted repositories (benchmarks/realcode/checkout.sh REALCODE_DIR clones them)" >&2; exit 2; }

clean:
	rm -rf $(VENV) reports/*/ benchmarks/.work
