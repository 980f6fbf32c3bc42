"""``lockin report``: parameterized notebooks rendered to dated HTML and PDF reports.

Modules, one concern each:

- :mod:`~lockin.report.periods`: months and quarters, and their order;
- :mod:`~lockin.report.figures`: the ``period_figures.json`` contract;
- :mod:`~lockin.report.history`: the SQLite history the trend is drawn from;
- :mod:`~lockin.report.kernel`: the Jupyter kernel the notebooks run in;
- :mod:`~lockin.report.render`: notebook to HTML (nbconvert) to PDF (WeasyPrint);
- :mod:`~lockin.report.site`: ``index.html`` and per-report manifests;
- :mod:`~lockin.report.run`: one run: lock, staging, papermill, publish;
- :mod:`~lockin.report.command`: the click command.

Notebooks import :func:`read_history` from here (or from
:mod:`lockin.report.history`); nothing heavier is imported by this package
itself, so that import stays fast.
"""

from lockin.report.history import read_history, record_period

__all__ = ["read_history", "record_period"]
