"""Small findings/inputs frames for scoring tests, in the scan's columns."""

import pandas as pd

from lockin.records import FINDING_COLUMNS

INPUT_COLUMNS = ["project", "path", "formats", "bytes", "sha256", "lines"]


def finding(project="p", path="k.cu", line=1, kind="api", name="cudaMalloc", portability="translatable", family="cuda-runtime", vendor="nvidia", effort_hours=None):
    values = dict.fromkeys(FINDING_COLUMNS, "")
    values.update(project=project, path=path, line=line, kind=kind, name=name, portability=portability, family=family, vendor=vendor, layer="runtime", target="amd")
    values["effort_hours"] = effort_hours
    return values


def findings_frame(rows):
    return pd.DataFrame(rows, columns=[*FINDING_COLUMNS, "effort_hours"])


def inputs_frame(files):
    """files: iterable of (project, path, formats, lines)."""
    return pd.DataFrame([(p, path, fmt, lines * 30, "0" * 64, lines) for p, path, fmt, lines in files], columns=INPUT_COLUMNS)
