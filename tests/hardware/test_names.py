"""Accelerator name matching: the spellings of real sources, and refusals."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lockin.hardware.names import AcceleratorMatcher, name_tokens

SPELLINGS = [
    ("H100 SXM", "H100 SXM"),
    ("H100 SXM", "NVIDIA H100-SXM-80GB"),
    ("H200 SXM", "H200 SXM"),
    ("B200 SXM", "B200 SXM"),
    ("GB200", "GB200"),
    ("MI300X", "MI300X"),
    ("MI325X", "MI325X"),
    ("Gaudi 3", "Gaudi 3"),
    ("TPU v6e", "TPU v6e"),
    ("TPU v6e", "Trillium"),
]


@pytest.fixture(scope="module")
def matcher():
    return AcceleratorMatcher(SPELLINGS)


@pytest.mark.parametrize(
    "name, model",
    [
        ("AMD Instinct MI300X 192GB HBM3", "MI300X"),
        ("AMD Instinct MI300X-NPS1-SPX-192GB-750W", "MI300X"),
        ("MI300X", "MI300X"),
        ("mi325x", "MI325X"),
        ("AMD Instinct MI325X 256GB HBM3e", "MI325X"),
        ("NVIDIA H100-SXM-80GB", "H100 SXM"),
        ("NVIDIA H200-SXM5-141GB", "H200 SXM"),
        ("NVIDIA Blackwell GPU (B200-SXM-180GB)", "B200 SXM"),
        ("NVIDIA GB200", "GB200"),
        ("Intel Gaudi 3 AI Accelerator", "Gaudi 3"),
        ("Gaudi3", "Gaudi 3"),
        ("Google Trillium", "TPU v6e"),
        ("TPU-v6e", "TPU v6e"),
    ],
)
def test_real_spellings_match_their_model(matcher, name, model):
    assert matcher.match(name).model == model


def test_a_name_without_form_factor_fits_the_only_part_and_says_so(matcher):
    found = matcher.match("H100")
    assert found.model == "H100 SXM"
    assert found.assumed_form_factor


@pytest.mark.parametrize(
    "name, reason",
    [
        ("NVIDIA H200-NVL-141GB", "matches no accelerator"),
        ("NVIDIA H100 PCIe", "matches no accelerator"),
        ("NVIDIA L40S", "matches no accelerator"),
        ("AMD Instinct MI300X 192GB HBM3 (x32), AMD Instinct MI325X 256GB HBM3e (x16)", "several accelerator types"),
        ("", "empty"),
    ],
)
def test_names_that_fit_nothing_are_refused_with_a_reason(matcher, name, reason):
    found = matcher.match(name)
    assert found.model is None
    assert reason in found.reason


def test_two_parts_of_one_family_make_a_bare_name_ambiguous():
    matcher = AcceleratorMatcher([("H100 SXM", "H100 SXM"), ("H100 NVL", "H100 NVL")])
    found = matcher.match("H100")
    assert found.model is None and "ambiguous" in found.reason
    assert matcher.match("H100-NVL-94GB").model == "H100 NVL"
    assert matcher.match("H100 SXM5 80GB").model == "H100 SXM"


def test_an_alias_in_the_table_settles_what_a_bare_name_means():
    matcher = AcceleratorMatcher([("H100 SXM", "H100 SXM"), ("H100 SXM", "H100"), ("H100 NVL", "H100 NVL")])
    found = matcher.match("NVIDIA H100")
    assert found.model == "H100 SXM" and not found.assumed_form_factor
    assert matcher.match("H100 NVL").model == "H100 NVL"


def test_resolve_raises_with_the_reason(matcher):
    with pytest.raises(ValueError, match="L4"):
        matcher.resolve("NVIDIA L4")


def test_tokens_drop_sizes_power_and_partition_modes():
    assert name_tokens("AMD Instinct MI300X-NPS1-SPX-192GB-750W") == {"mi300x"}
    assert name_tokens("NVIDIA H200-SXM5-141GB") == {"h200", "sxm"}


@given(st.text(max_size=60))
def test_matching_never_raises_and_answers_consistently(name):
    matcher = AcceleratorMatcher(SPELLINGS)
    first = matcher.match(name)
    assert (first.model is None) == bool(first.reason)
    assert matcher.match(name) == first
