"""Parameters: documented defaults, YAML overrides, and errors with lines."""

import pytest

from lockin.records import InputError
from lockin.scoring.parameters import PARAMETERS, Parameters, load_parameters


def write(tmp_path, text):
    path = tmp_path / "params.yml"
    path.write_text(text)
    return path


def test_every_parameter_has_a_unit_or_none_a_description_and_a_source():
    for p in PARAMETERS:
        assert p.description and p.source, p.name


def test_defaults_validate_and_read_as_attributes():
    params = Parameters()
    assert params.target_vendor == "amd"
    assert params.atprod == [1200.0, 2400.0, 3600.0]
    assert params["hours_per_pm"] == 152.0
    table = params.table()
    assert set(table["set_by"]) == {"default"}
    assert len(table) == len(PARAMETERS)


def test_a_yaml_file_overrides_and_is_recorded(tmp_path):
    path = write(tmp_path, "discount_rate: 0.1\natprod: [2000, 2400, 2800]\nprices:\n  MI300X: {purchase_usd: 12000}\n")
    params = load_parameters(path)
    assert params.discount_rate == 0.1 and params.atprod == [2000.0, 2400.0, 2800.0]
    assert params.prices == {"MI300X": {"purchase_usd": 12000.0}}
    table = params.table().set_index("parameter")
    assert table.loc["discount_rate", "set_by"] == str(path)


def test_a_rating_grid_from_a_file_is_read(tmp_path):
    # The first bound was compared with 0 as if it were a pair of bounds,
    # so every grid written in a file was refused.
    assert load_parameters(write(tmp_path, "rating_grid: [5, 10, 20, 50]\n")).rating_grid == [5.0, 10.0, 20.0, 50.0]


@pytest.mark.parametrize(
    "text, line, message",
    [
        ("horizon_years: 3\ndiscount_rte: 0.2\n", 2, "unknown parameter 'discount_rte'; did you mean 'discount_rate'?"),
        ("discount_rate: 2\n", 1, "above the maximum"),
        ("labour_cost_per_pm: -1\n", 1, "below the minimum"),
        ("seed: 1.5\n", 1, "whole number"),
        ("draws: yes\n", 1, "whole number"),
        ("atprod: [3000, 2400, 3600]\n", 1, "low ≤ mode ≤ high"),
        ("dm: [1, 2]\n", 1, "[low, mode, high]"),
        ("target_vendor: acme\n", 1, "expected one of"),
        ("rating_grid: [5, 3, 20, 50]\n", 1, "increasing"),
        ("rating_grid: [0, 10, 20, 50]\n", 1, "positive"),
        ("prices:\n  MI300X: {purchase_usd: 0}\n", 1, "price above 0"),
        ("remediation_hours:\n  rewrite: {kernel: 3}\n", 1, "unknown kind"),
        ("\n\nhorizon_years: [3]\n", 3, "expected a number"),
    ],
)
def test_bad_parameters_name_the_file_line_and_problem(tmp_path, text, line, message):
    path = write(tmp_path, text)
    with pytest.raises(InputError) as caught:
        load_parameters(path)
    problem = caught.value.problem
    assert problem.path == str(path) and problem.line == line
    assert message in problem.message


def test_yaml_syntax_errors_have_a_line(tmp_path):
    with pytest.raises(InputError) as caught:
        load_parameters(write(tmp_path, "a: [1,\nb: 2\n"))
    assert caught.value.problem.line is not None


def test_a_list_instead_of_a_mapping_is_refused(tmp_path):
    with pytest.raises(InputError, match="mapping of parameter names"):
        load_parameters(write(tmp_path, "- discount_rate\n"))


def test_same_baseline_and_target_is_refused():
    with pytest.raises(InputError, match="the same"):
        Parameters({"baseline_accelerator": "MI300X", "target_accelerator": "mi300x"})


def test_relative_file_paths_are_read_from_the_parameter_file(tmp_path):
    (tmp_path / "fleet.csv").write_text("x")
    params = load_parameters(write(tmp_path, "fleet_file: fleet.csv\n"))
    assert params.fleet_file == str(tmp_path / "fleet.csv")


def test_keyword_overrides_win_and_are_validated(tmp_path):
    params = load_parameters(write(tmp_path, "seed: 1\n"), seed=2)
    assert params.seed == 2
    with pytest.raises(InputError):
        load_parameters(None, horizon_years=-1)


def test_a_single_number_is_a_certain_triangular():
    assert Parameters({"dm": 10}).dm == [10.0, 10.0, 10.0]
