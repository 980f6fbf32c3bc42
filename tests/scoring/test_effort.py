"""The effort model: COCOMO II reuse, per-finding remediation, Monte Carlo,
and the properties a sceptical reader relies on."""

import numpy as np
import pandas as pd
import pytest
from scoring_factory import finding, findings_frame, inputs_frame
from hypothesis import given, settings
from hypothesis import strategies as st

from lockin.scoring.effort import draw_inputs, finding_hours, percentiles, project_facts, repeat_factor, simulate_effort, work_items
from lockin.scoring.parameters import Parameters

FILES = [
    ("p", "k.cu", "cxx", 400),
    ("p", "ops.cu", "cxx", 300),
    ("p", "train.py", "python", 200),
    ("p", "requirements.txt", "requirements", 20),
    ("p", "poetry.lock", "poetry-lock", 5000),
    ("p", "Dockerfile", "dockerfile", 30),
]
PARAMS = Parameters({"draws": 500})


def effort(rows, params=PARAMS):
    facts = project_facts(findings_frame(rows), inputs_frame(FILES), params, ["p"])
    return facts, simulate_effort(facts, params)


def test_sizes_count_people_written_lines_and_the_lines_around_the_findings():
    facts, _ = effort([finding(path="k.cu", line=50), finding(path="ops.cu", line=1, portability="replaceable", name="cublasSgemm", family="cublas")])
    row = facts.iloc[0]
    assert row["sloc"] == 400 + 300 + 200 + 20 + 30  # the lock file is generated, not written
    assert row["source_sloc"] == 900
    # No function regions: ten lines either side (40..60), cut at the top of ops.cu (1..11).
    assert row["adapted_sloc"] == 21 + 11 and row["manual_sloc"] == 11
    assert row["translated_share"] == pytest.approx(21 / 32)


def test_cocomo_reuse_arithmetic_at_fixed_inputs():
    fixed = Parameters({"draws": 200, "atprod": 2400, "dm": 10, "cm": 40, "im": 50, "su": 30, "unfm": 0.4, "aa": 4, "remediation_spread": 1, "validation_share": 0.25, "validation_fixed_pm": 0.5, "adapted_window_lines": 500})
    # A window wider than the files: each whole file is adapted.
    facts, draws = effort([finding(path="k.cu"), finding(path="ops.cu", portability="replaceable", name="cublasSgemm", family="cublas")], fixed)
    aaf = 0.4 * 10 + 0.3 * 40 + 0.3 * 50  # 31
    aam = (4 + aaf * (1 + 0.02 * 30 * 0.4)) / 100
    adapt = 2.94 * (300 * aam / 1000) ** 1.0997
    translate = 700 / 2400
    work = adapt + translate
    expected = work + 0.5 * min(work, 1.0) + 0.25 * work
    assert draws.total[0] == pytest.approx(np.full(200, expected))
    assert draws.parts["adapt"][0, 0] == pytest.approx(adapt)


def test_aam_switches_formula_above_fifty_percent_and_stays_continuous():
    base = {"draws": 200, "atprod": 2400, "su": 30, "unfm": 0.4, "aa": 0, "remediation_spread": 1, "validation_share": 0, "validation_fixed_pm": 0}
    rows = [finding(path="ops.cu", portability="replaceable")]
    below = effort(rows, Parameters({**base, "dm": 50, "cm": 50, "im": 50}))[1].parts["adapt"][0, 0]
    above = effort(rows, Parameters({**base, "dm": 50.001, "cm": 50, "im": 50}))[1].parts["adapt"][0, 0]
    assert above == pytest.approx(below, rel=1e-3)


def test_components_count_once_per_family_constructs_per_file_and_apis_per_name():
    rows = [
        finding(path="environment.yml", kind="package", name="cudf", family="rapids", portability="rewrite"),
        finding(path="conda.lock", kind="package", name="libcudf", family="rapids", portability="rewrite"),
        finding(path="k.cu", kind="construct", name="inline-ptx", portability="rewrite", line=3, effort_hours=24),
        finding(path="k.cu", kind="construct", name="inline-ptx", portability="rewrite", line=9, effort_hours=24),
        finding(path="k.cu", kind="api", name="__trap", portability="rewrite", line=4),
        finding(path="k.cu", kind="api", name="__trap", portability="rewrite", line=5),
    ]
    frame = findings_frame(rows)
    units = work_items(frame.assign(hours=finding_hours(frame, PARAMS)), PARAMS)
    assert len(units) == 1 + 1 + 1
    twice = repeat_factor([2], PARAMS.repeat_learning_rate)[0]
    assert twice == pytest.approx(1 + 0.8), "the second use costs 80 % of the first"
    assert units["hours"].sum() == pytest.approx(40 + 24 * twice + 4 * twice)


def test_catalog_effort_hours_override_the_table():
    frame = findings_frame([finding(kind="construct", name="wgmma", portability="rewrite", effort_hours=40), finding(kind="construct", name="x", portability="rewrite")])
    assert list(finding_hours(frame, PARAMS)) == [40.0, 16.0]


def test_no_vendor_bound_evidence_means_zero_effort():
    facts, draws = effort([finding(portability="portable"), finding(kind="package", name="torch", portability="portable")])
    assert facts.iloc[0]["adapted_sloc"] == 0
    assert (draws.total == 0).all()


def test_percentiles_are_ordered_and_the_seed_reproduces_them():
    rows = [finding(path="ops.cu", portability="replaceable"), finding(kind="package", name="cupy", portability="replaceable", family="cupy")]
    first, second = effort(rows)[1], effort(rows)[1]
    assert np.array_equal(first.total, second.total)
    p10, p50, p90 = percentiles(first.total[0])
    assert p10 <= p50 <= p90 and p10 < p90
    other = effort(rows, PARAMS.replace(seed=7))[1]
    assert not np.array_equal(first.total, other.total)


KINDS = ["api", "include", "construct", "module", "package", "image", "cluster", "build", "env", "index"]
finding_strategy = st.builds(
    finding,
    path=st.sampled_from([f[1] for f in FILES]),
    line=st.integers(1, 50),
    kind=st.sampled_from(KINDS),
    name=st.sampled_from(["cudaMalloc", "cublasSgemm", "inline-ptx", "cudf", "tensorrt", "nvidia/cuda"]),
    portability=st.sampled_from(["portable", "translatable", "replaceable", "rewrite"]),
    family=st.sampled_from(["", "cuda-runtime", "rapids", "cublas"]),
    effort_hours=st.one_of(st.none(), st.floats(0, 80)),
)


@settings(max_examples=80, deadline=None)
@given(st.lists(finding_strategy, max_size=12), finding_strategy)
def test_more_vendor_bound_evidence_never_lowers_effort(rows, extra):
    params = Parameters({"draws": 200})
    before = effort(rows, params)[1].total
    after = effort([*rows, extra], params)[1].total
    assert (after >= before - 1e-12).all()


@settings(max_examples=40, deadline=None)
@given(st.lists(finding_strategy, max_size=12))
def test_effort_percentiles_hold_for_any_project(rows):
    draws = effort(rows, Parameters({"draws": 200}))[1]
    p10, p50, p90 = percentiles(draws.total[0])
    assert 0 <= p10 <= p50 <= p90


def test_draws_are_in_their_triangular_ranges():
    x = draw_inputs(PARAMS)
    assert x["atprod"].min() >= 1200 and x["atprod"].max() <= 3600
    assert len(x["dm"]) == PARAMS.draws


def test_inputs_without_line_counts_are_refused_with_a_reason():
    with pytest.raises(ValueError, match="line counts"):
        project_facts(findings_frame([]), inputs_frame(FILES).drop(columns="lines"), PARAMS)


@pytest.fixture(scope="module")
def catalog_rows():
    from lockin.catalog import load_catalog

    return [row for row in load_catalog().rows if row.vendor in ("nvidia", "amd", "intel", "google")]


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_scoring_a_project_against_its_own_vendor_costs_nothing(catalog_rows, data):
    from lockin.scan.classify import row_fields

    vendor = data.draw(st.sampled_from(["nvidia", "amd"]))
    rows = data.draw(st.lists(st.sampled_from([r for r in catalog_rows if r.vendor == vendor]), min_size=1, max_size=15))
    findings = []
    for i, row in enumerate(rows):
        _, _, portability, _, family, _, _, _ = row_fields(row, vendor)
        findings.append(finding(path=FILES[i % 3][1], line=i + 1, kind=row.kind, name=row.match, portability=portability, family=family, vendor=vendor, effort_hours=row.effort_hours))
    facts, draws = effort(findings, Parameters({"draws": 200, "target_vendor": vendor}))
    assert (draws.total == 0).all()


@settings(max_examples=40, deadline=None)
@given(st.lists(finding_strategy, max_size=12))
def test_a_project_without_vendor_bound_evidence_rates_a_with_zero_effort(rows):
    from lockin.scoring.score import effort_to_a, lockin_ratio, rating_for

    portable = [{**row, "portability": "portable"} for row in rows]
    params = Parameters({"draws": 200})
    facts, draws = effort(portable, params)
    p10, p50, p90 = percentiles(draws.total[0])
    assert p10 == p50 == p90 == 0
    ratio = lockin_ratio(p50, int(facts.iloc[0]["sloc"]), params)
    assert rating_for(ratio, params.rating_grid) == "A"
    assert effort_to_a(p50, int(facts.iloc[0]["sloc"]), params) == 0


def test_a_spec_refined_construct_row_prices_its_findings():
    """Simple inline PTX is classified by the row inline-ptx:simple: its effort_hours, not the rewrite row's, reach the finding."""
    from lockin.catalog import load_catalog
    from lockin.scoring.effort import attach_effort_hours

    catalog = load_catalog()
    simple, hard = catalog.lookup("construct", "inline-ptx:simple", ""), catalog.lookup("construct", "inline-ptx", "")
    rows = [
        {**finding(kind="construct", name="inline-ptx", portability="replaceable", family=simple.family), "source": simple.source},
        {**finding(kind="construct", name="inline-ptx", portability="rewrite", family=hard.family), "source": hard.source},
    ]
    frame = findings_frame(rows).drop(columns="effort_hours")
    assert list(attach_effort_hours(frame, catalog)["effort_hours"]) == [simple.effort_hours, hard.effort_hours]
    assert simple.effort_hours < hard.effort_hours
