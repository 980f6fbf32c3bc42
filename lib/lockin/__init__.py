"""lockin: vendor lock-in risk assessment for AI infrastructure.

The package is a set of plain functions over pandas DataFrames and small
dataclasses; the command line (:mod:`lockin.cli`) and the notebooks are the
only callers that orchestrate I/O.
"""

__version__ = "0.1.0"
