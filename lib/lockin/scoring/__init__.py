"""Scoring: lock-in ratios and ratings, migration effort with its
uncertainty, and the economics of staying or moving.

Every figure is computed from the scan's findings, the hardware module's
parity and fleet figures and one set of :class:`~lockin.scoring.parameters.Parameters`;
``docs/methodology.md`` gives each formula and its source.
"""
