"""Clustered proportions: fall-backs, input checks and properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cml.core.stats import CLUSTER_METHODS, clustered_proportion, proportion_interval
from cml.core.stats.clustered import anova_icc_design_effect, linearised_variance


@st.composite
def facilities(draw: st.DrawFn, min_size: int = 0, max_size: int = 12) -> list[tuple[int, int]]:
    sizes = draw(st.lists(st.integers(min_value=0, max_value=60), min_size=min_size, max_size=max_size))
    pairs = [(draw(st.integers(min_value=0, max_value=n)), n) for n in sizes]
    if sum(n for _, n in pairs) == 0:
        pairs.append((draw(st.integers(min_value=0, max_value=5)), 5))
    return pairs


def test_one_facility_is_plain_wilson() -> None:
    result = clustered_proportion([(3, 10)])
    wilson = proportion_interval(3, 10)
    assert (result.lower, result.upper) == (wilson.lower, wilson.upper)
    assert (result.method, result.df, result.clusters, result.design_effect) == ("wilson", 0, 1, None)
    assert result.effective_n == 10


def test_empty_facilities_are_ignored() -> None:
    with_empty = clustered_proportion([(3, 10), (0, 0), (5, 12), (0, 0)])
    without = clustered_proportion([(3, 10), (5, 12)])
    assert with_empty == without
    assert with_empty.clusters == 2
    # One facility with respondents among empty ones is a single facility.
    assert clustered_proportion([(0, 0), (4, 9)]).method == "wilson"


@pytest.mark.parametrize(
    ("clusters", "kwargs", "message"),
    [
        ([], {}, "no respondents"),
        ([(0, 0), (0, 0)], {}, "no respondents"),
        ([(3, 2), (1, 5)], {}, "cannot exceed"),
        ([(-1, 2), (1, 5)], {}, "negative"),
        ([(1, 2, 3)], {}, "pair"),
        ([(1, 2), (1, 5)], {"level": 1.5}, "between 0 and 1"),
        ([(1, 2), (1, 5)], {"method": "bootstrap"}, "unknown"),
        ([(1, 2), (1, 5), (2, 4)], {"population_clusters": 2}, "smaller"),
    ],
)
def test_invalid_input_raises(clusters: list[tuple[int, ...]], kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        clustered_proportion(clusters, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("method", CLUSTER_METHODS)
@pytest.mark.parametrize("clusters", [[(0, 10), (0, 5), (0, 7)], [(10, 10), (5, 5), (7, 7)]])
def test_zero_and_hundred_percent_give_a_valid_interval(clusters: list[tuple[int, int]], method: str) -> None:
    result = clustered_proportion(clusters, method=method)
    assert result.se == 0.0
    assert result.design_effect is None
    assert 0.0 <= result.lower <= result.estimate <= result.upper <= 1.0
    assert result.upper - result.lower > 0.1  # an honest, wide interval: only 22 respondents
    if method != "wilson_kg_neff":
        assert result.method == "kg_nchs"


def test_zero_variance_uses_total_n() -> None:
    result = clustered_proportion([(2, 10), (2, 10), (2, 10)])
    assert result.se == 0.0 and result.design_effect == 0.0
    assert result.effective_n == 30
    assert result.lower < 0.2 < result.upper


def test_census_of_facilities_has_no_sampling_variance() -> None:
    clusters = [(3, 10), (5, 12), (2, 8)]
    assert linearised_variance(clusters, population_clusters=3) == 0.0
    assert linearised_variance(clusters, population_clusters=30) == pytest.approx(linearised_variance(clusters) * 27 / 30)


def test_anova_icc_design_effect_for_equal_sizes() -> None:
    # Equal sizes m: xi = 1 + (m - 1) icc; identical clinics give icc <= 0 -> xi = 1.
    assert anova_icc_design_effect([(2, 10), (2, 10), (2, 10)]) == pytest.approx(1.0)
    xi = anova_icc_design_effect([(0, 10), (10, 10), (1, 10), (9, 10)])
    assert xi is not None and 1.0 < xi <= 10.0
    result = clustered_proportion([(0, 10), (10, 10), (1, 10), (9, 10)], method="wilson_anova_icc")
    assert result.method == "wilson_anova_icc"
    assert result.n_star == pytest.approx(40 / xi)


def test_high_design_effect_widens_the_interval() -> None:
    clustered = clustered_proportion([(0, 10), (10, 10), (1, 10), (9, 10)])
    simple = proportion_interval(20, 40)
    assert clustered.design_effect is not None and clustered.design_effect > 10
    assert clustered.upper - clustered.lower > simple.upper - simple.lower


@settings(max_examples=150, deadline=None)
@given(facilities(), st.sampled_from(CLUSTER_METHODS), st.floats(min_value=0.5, max_value=0.999))
def test_clustered_interval_is_valid(clusters: list[tuple[int, int]], method: str, level: float) -> None:
    result = clustered_proportion(clusters, level, method)
    assert 0.0 <= result.lower <= result.estimate <= result.upper <= 1.0
    assert result.n == sum(n for _, n in clusters)
    assert result.x == sum(x for x, _ in clusters)
    assert result.clusters == sum(1 for _, n in clusters if n > 0)
    assert result.df == max(result.clusters - 1, 0)
    assert result.se >= 0.0 and result.effective_n > 0.0
    if result.clusters >= 2 and 0.0 < result.estimate < 1.0:
        assert result.design_effect is not None
        assert result.effective_n * result.design_effect == pytest.approx(result.n) or result.se == 0.0


@settings(max_examples=60, deadline=None)
@given(facilities(min_size=2), st.floats(min_value=0.01, max_value=0.5))
def test_clustered_interval_valid_at_any_level(clusters: list[tuple[int, int]], level: float) -> None:
    result = clustered_proportion(clusters, level)
    assert 0.0 <= result.lower <= result.estimate <= result.upper <= 1.0
