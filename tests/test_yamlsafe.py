"""Safe YAML loading: alias bombs and cycles are refused in every YAML lockin reads."""

from __future__ import annotations

import pytest

from lockin.errors import LockinError
from lockin.records import InputError
from lockin.yamlsafe import MAX_ALIAS_EXPANSION, YamlError, load


def bomb(key_prefix: str = "l", levels: int = 9, indent: str = "") -> str:
    """A 'billion laughs' document: each anchor lists the previous one nine times."""
    lines = [f'{indent}{key_prefix}0: &{key_prefix}0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels):
        refs = ", ".join([f"*{key_prefix}{level - 1}"] * 9)
        lines.append(f"{indent}{key_prefix}{level}: &{key_prefix}{level} [{refs}]")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_with_file_and_line():
    with pytest.raises(YamlError, match="alias") as caught:
        load(bomb(), "bomb.yml")
    # 9**5 values are already past the bound: the line of that level is named.
    assert caught.value.problem.path == "bomb.yml"
    assert caught.value.problem.line == 5
    assert isinstance(caught.value, LockinError)


def test_a_cycle_is_refused():
    with pytest.raises(YamlError, match="cycle"):
        load("a: &a [1, *a]\n", "cycle.yml")


def test_shared_defaults_within_the_bound_load_as_usual():
    text = "base: &base {image: x, gpus: 1}\njobs:\n" + "".join(f"  j{i}:\n    <<: *base\n    name: j{i}\n" for i in range(200))
    data = load(text, "ok.yml")
    assert data["jobs"]["j199"] == {"image": "x", "gpus": 1, "name": "j199"}


def test_the_bound_is_on_added_values_not_on_the_written_document():
    written = "items:\n" + "".join(f"- {i}\n" for i in range(MAX_ALIAS_EXPANSION * 2))
    assert len(load(written, "big.yml")["items"]) == MAX_ALIAS_EXPANSION * 2


def test_syntax_errors_and_unsafe_tags_are_input_errors_with_line():
    with pytest.raises(InputError) as caught:
        load("a: 1\nb: [1, 2\n", "bad.yml")
    assert caught.value.problem.line is not None
    with pytest.raises(InputError, match="constructor"):
        load("a: !!python/object/apply:os.system ['true']\n", "evil.yml")


def test_params_file_bomb_is_refused_and_the_message_is_short(tmp_path):
    from lockin.scoring.parameters import load_parameters

    path = tmp_path / "params.yml"
    path.write_text(bomb() + "discount_rate: *l8\n")
    with pytest.raises(InputError) as caught:
        load_parameters(path)
    assert len(str(caught.value)) < 400


def test_params_message_quotes_a_long_value_cut_short(tmp_path):
    from lockin.scoring.parameters import load_parameters

    path = tmp_path / "params.yml"
    path.write_text("discount_rate: [" + ", ".join(["'" + "x" * 100 + "'"] * 3000) + "]\n")
    with pytest.raises(InputError, match="discount_rate") as caught:
        load_parameters(path)
    assert len(str(caught.value)) < 400 and "…" in str(caught.value)


def test_catalog_yml_bomb_is_refused(tmp_path):
    from lockin.catalog.load import load_catalog

    folder = tmp_path / "cat"
    folder.mkdir()
    (folder / "catalog.yml").write_text("name: mine\nversion: 1\n" + bomb())
    with pytest.raises(InputError, match="alias"):
        load_catalog([folder])


def test_catalog_yml_that_is_not_a_mapping_is_an_input_error(tmp_path):
    from lockin.catalog.load import load_catalog

    folder = tmp_path / "cat"
    folder.mkdir()
    (folder / "catalog.yml").write_text("- just a list\n")
    with pytest.raises(InputError, match="mapping"):
        load_catalog([folder])


def test_conda_environment_bomb_is_refused():
    from lockin.inventory.conda import read_conda_environment

    with pytest.raises(InputError, match="alias"):
        read_conda_environment("name: x\n" + bomb() + "dependencies: *l8\n", "environment.yml")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: &x 1\nb: *x\n", True),
        ("a: [&x 1, *x]\n", True),
        ("a: {k: &x 1, j: *x}\n", True),
        ("cmd: make && ./run *.cu\n", False),
        ("a: &x 1\nb: '*.cu'\n", False),
        ("plain: text\n", False),
    ],
)
def test_may_have_aliases_never_misses_an_alias(text, expected):
    from lockin.yamlsafe import may_have_aliases

    assert may_have_aliases(text) is expected


def test_an_anchor_after_a_flow_indicator_is_still_checked():
    inner = ", ".join(["*a"] * 9)
    text = "x: [&a [1, 2, 3, 4, 5, 6, 7, 8, 9], &b [" + inner + "], &c [" + ", ".join(["*b"] * 9) + "], &d [" + ", ".join(["*c"] * 9) + "], &e [" + ", ".join(["*d"] * 9) + "]]\n"
    with pytest.raises(YamlError, match="alias"):
        load(text, "flow.yml")
