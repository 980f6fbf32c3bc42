"""Small notebooks and portfolios for the report pipeline's tests.

The real notebooks take tens of seconds; these take one kernel start each
and honour the same contract: the six parameters, and the last notebook
writes ``period_figures.json`` into ``output_dir``.
"""

from __future__ import annotations

import textwrap

import nbformat
import pytest

from lockin.report.run import ReportSettings, render_period

PARAMETERS_CELL = """\
period = "2000-01"
portfolio = ""
params_file = ""
history_db = ""
output_dir = ""
catalog_dirs = []
top = 25
"""

FIGURES_CELL = """\
import json
import pathlib

from lockin.report.history import read_history

history = read_history(history_db)
projects = sorted(path.name for path in pathlib.Path(portfolio).iterdir() if path.is_dir())
scores = [
    {"project": name, "rating": "C", "lockin_ratio": 0.25 + 0.25 * index, "roadblocks": index,
     "effort_pm_p10": 1.0, "effort_pm_p50": 2.0, "effort_pm_p90": 4.0, "npv_usd": None,
     "recommendation": "stay"}
    for index, name in enumerate(projects)
]
total = {"rating": "C", "lockin_ratio": 0.5, "roadblocks": len(projects) - 1,
         "effort_pm_p10": 2.0, "effort_pm_p50": 4.0, "effort_pm_p90": 8.0, "npv_usd": 125000.0,
         "recommendation": "pilot"}
figures = {"period": period, "catalog_version": "test-catalog", "params_hash": "0123abcd", "scores": scores, "portfolio": total}
(pathlib.Path(output_dir) / "period_figures.json").write_text(json.dumps(figures))
"""

TABLE_CELL = """\
import pandas as pd

pd.DataFrame(scores)[["project", "rating", "lockin_ratio", "roadblocks"]]
"""

TREND_CELL = """\
import matplotlib.pyplot as plt

# On a re-run the history still holds this period's previous figures.
earlier = sorted(set(history["period"]) - {period})
fig, ax = plt.subplots(figsize=(4, 2.5))
ax.plot(range(len(earlier) + 1), [0.5] * (len(earlier) + 1), marker="o")
ax.set_title(f"Trend over {len(earlier) + 1} period(s)")
plt.show()
print(f"periods in the trend: {len(earlier) + 1}")
"""


# What the real strategy notebook does with the history: the trend table and
# figure from history_with, and the summary's "since" sentence.
TRUE_TREND_CELL = """\
import pandas as pd

from lockin.narrative import _rating_sentence, history_with
from lockin.scoring.figures import trend_figure

trend = history_with(history, figures)
print("trend periods:", " ".join(trend[trend["record"] == "portfolio"]["period"]))
print("summary:", _rating_sentence(pd.Series(figures["portfolio"]), history, period, len(projects)))
trend_figure(trend);
"""

SLEEPY_CELL = """\
import os, pathlib, time
# Says, in the run's staging folder, that the kernel is inside this cell, and which process it is.
pathlib.Path(output_dir, "kernel.pid").write_text(str(os.getpid()))
time.sleep(120)
"""


def notebook(*cells: tuple[str, str], parameters: str = PARAMETERS_CELL) -> nbformat.NotebookNode:
    """A notebook whose first cell is tagged ``parameters``, then ``cells`` as (kind, source)."""
    document = nbformat.v4.new_notebook()
    parameters_cell = nbformat.v4.new_code_cell(parameters)
    parameters_cell.metadata["tags"] = ["parameters"]
    document.cells = [parameters_cell] + [
        nbformat.v4.new_markdown_cell(textwrap.dedent(source)) if kind == "md" else nbformat.v4.new_code_cell(textwrap.dedent(source)) for kind, source in cells
    ]
    document.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return document


def strategy_notebook() -> nbformat.NotebookNode:
    """A tiny strategy report: headings, a table, a figure, and the figures file."""
    return notebook(
        ("md", "# Executive summary\n\nThe portfolio is rated C for the period."),
        ("code", FIGURES_CELL),
        ("code", TABLE_CELL),
        ("md", "## Trend"),
        ("code", TREND_CELL),
        ("md", "## Appendix\n\nInputs and parameters."),
    )


@pytest.fixture(scope="module")
def tiny_notebooks(tmp_path_factory):
    """A notebooks folder: first, failing, slow, sleepy, strategy_report and trend_report (each .ipynb)."""
    folder = tmp_path_factory.mktemp("notebooks")
    nbformat.write(notebook(("code", "print('inventory for', period)")), folder / "first.ipynb")
    nbformat.write(notebook(("code", "raise RuntimeError('deliberate failure in a test notebook')")), folder / "failing.ipynb")
    nbformat.write(notebook(("code", "import time\ntime.sleep(30)")), folder / "slow.ipynb")
    nbformat.write(notebook(("code", SLEEPY_CELL)), folder / "sleepy.ipynb")
    nbformat.write(strategy_notebook(), folder / "strategy_report.ipynb")
    nbformat.write(notebook(("md", "# Trend"), ("code", FIGURES_CELL), ("code", TRUE_TREND_CELL)), folder / "trend_report.ipynb")
    return folder


@pytest.fixture(scope="module")
def tiny_portfolio(tmp_path_factory):
    """Two empty projects are enough for the tiny notebooks."""
    root = tmp_path_factory.mktemp("portfolio")
    for name in ("alpha", "beta"):
        (root / name).mkdir(parents=True)
    return root


@pytest.fixture
def render_tiny(tiny_notebooks, tiny_portfolio):
    """Render a period with the tiny notebooks; keyword arguments override settings."""

    def render(out_dir, period, notebooks=("first.ipynb", "strategy_report.ipynb"), **overrides):
        settings = ReportSettings(
            period=period,
            portfolio=tiny_portfolio,
            out_dir=out_dir,
            notebooks_dir=tiny_notebooks,
            notebooks=tuple(notebooks),
            progress=False,
            **overrides,
        )
        return render_period(settings)

    return render
