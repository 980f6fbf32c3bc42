# lockin — setup, report, test, bench.
# Every target creates .venv (when missing) and installs the project into it.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PERIOD ?= $(shell date +%Y-%m)
BENCH_ARGS ?=

.PHONY: setup report test bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Until the report notebooks land (issue 5), the report is the scan of the
# bundled sample portfolio, written under reports/<period>/.
report: $(STAMP)
	mkdir -p reports/$(PERIOD)
	$(BIN)/lockin scan data/portfolio --format json --out reports/$(PERIOD)/findings.json
	$(BIN)/lockin inventory data/portfolio --format csv --out reports/$(PERIOD)/components.csv
	$(BIN)/lockin scan data/portfolio --format table --out reports/$(PERIOD)/scan.txt
	@echo "report written to reports/$(PERIOD)/ (scan.txt, findings.json, components.csv)"

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python benchmarks/scan_bench.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) reports/*/ benchmarks/.work
