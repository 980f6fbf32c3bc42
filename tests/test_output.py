"""Rendering records: worker-rendered text equals what the writer writes itself."""

import csv
import io
import json

from hypothesis import given
from hypothesis import strategies as st

from lockin.output import FindingRenderer, RecordWriter, frame_to_text
from lockin.records import FINDING_COLUMNS

text = st.text(max_size=30)
findings = st.lists(
    st.tuples(text, text, st.one_of(st.none(), st.integers(1, 10**6)), *[text] * 11),
    max_size=6,
)


def written(batches, fmt, rendered):
    stream = io.StringIO()
    writer = RecordWriter(stream, FINDING_COLUMNS, fmt)
    renderer = FindingRenderer(fmt)
    for batch in batches:
        if rendered and batch:
            writer.write_rendered(renderer.render(batch), len(batch))
        else:
            writer.write_all(batch)
    writer.close()
    return stream.getvalue()


@given(st.lists(findings, max_size=4))
def test_rendered_json_is_identical_to_written_json(batches):
    direct = written(batches, "json", rendered=False)
    assert written(batches, "json", rendered=True) == direct
    records = json.loads(direct)
    assert len(records) == sum(map(len, batches))
    assert all(list(r) == list(FINDING_COLUMNS) for r in records)


@given(st.lists(findings, max_size=4))
def test_rendered_csv_is_identical_to_written_csv(batches):
    direct = written(batches, "csv", rendered=False)
    assert written(batches, "csv", rendered=True) == direct
    rows = list(csv.reader(io.StringIO(direct, newline="")))
    assert rows[0] == list(FINDING_COLUMNS) and len(rows) == 1 + sum(map(len, batches))


def test_empty_json_output_is_an_empty_array():
    assert json.loads(written([], "json", rendered=True)) == []


def test_text_tables_cut_long_cells():
    import pandas as pd

    table = frame_to_text(pd.DataFrame({"name": ["x" * 100]}), max_width=10)
    assert "xxxxxxxxx…" in table and "x" * 11 not in table
