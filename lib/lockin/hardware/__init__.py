"""The hardware side: accelerator specs, benchmark results, parity,
efficiency, a performance transfer model and the fleet's concentration.

Every function takes and returns pandas DataFrames or small dataclasses;
readers report bad input as :class:`~lockin.records.Problem` values that
name the file, the line and the defect.
"""
