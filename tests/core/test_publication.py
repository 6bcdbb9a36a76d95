"""The protected cube: quarters, years, regions and the nation withheld together, and attacked."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cml.core.publication import Cube, linked_groups, protect_cube
from cml.core.questionnaire import load_questionnaire
from tests.conftest import SURVEYS
from tests.disclosure_attacker import attack_indicator


@dataclass(frozen=True)
class Count:
    indicator: str
    region_id: int | None
    period: int | None
    n: int
    x: int | None


def attack(cube: Cube, indicator: str, k: int, standard: bool = False) -> tuple[int, int, list[object]]:
    """Every figure of one indicator in the cube, attacked with all the others published."""
    published, withheld, truth = {}, [], {}
    for (name, region, grain, period), shown in cube.published.items():
        if name != indicator:
            continue
        figure = (region, grain, period)
        if shown:
            published[figure] = cube.counts[(name, region, grain, period)]
        else:
            withheld.append(figure)
        if region is not None and grain == "quarter":
            truth[(region, period)] = cube.counts[(name, region, grain, period)]
    return attack_indicator(cube.regions, cube.quarters, published, withheld, truth, k, standard)


def test_a_quarter_minus_its_region_months_is_no_longer_an_attack_and_years_are_linked() -> None:
    # Odesa's Q1 of 2 of 15 would be given away by the year minus the published quarters.
    counts = [Count("condoms", 1, 20251, 15, 2), Count("condoms", 1, 20252, 40, 20), Count("condoms", 1, 20253, 30, 12),
              Count("condoms", 2, 20251, 50, 30), Count("condoms", 2, 20252, 60, 31), Count("condoms", 2, 20253, 55, 40)]
    cube = protect_cube(counts, [], k=5)
    assert not cube.status("condoms", 1, "quarter", 20251).published
    checked, recovered, narrow = attack(cube, "condoms", 5)
    assert checked >= 4 and recovered == 0 and narrow == []


def test_months_and_unknown_cells_fail_closed_and_pooled_cells_need_every_quarter() -> None:
    counts = [Count("t", 1, 20251, 40, 20), Count("t", 1, 20252, 30, 2), Count("t", 2, 20251, 50, 25), Count("t", 2, 20252, 45, 20)]
    cube = protect_cube(counts, [], k=5)
    assert not cube.status("t", 1, "month", 202501).published
    assert not cube.status("t", 9, "quarter", 20251).published  # a region the cube does not know
    assert not cube.status("other", 1, "quarter", 20251).published
    assert not cube.status("t", 1, "quarter", 20252).published
    assert not cube.status("t", 1, "year", None, (2025, 2025)).published  # pools a withheld quarter
    assert not cube.change_shown("t", 1, "quarter", 20252)
    assert not cube.change_shown("t", 1, "quarter", 20253)  # from a withheld quarter


def test_empty_cells_are_published_as_zero_unless_linked() -> None:
    counts = [Count("t", 1, 20251, 40, 20), Count("t", 2, 20252, 45, 20), Count("t", 1, 20252, 50, 25), Count("t", 2, 20251, 50, 20)]
    cube = protect_cube([*counts, Count("t", 3, 20251, 60, 30)], [], k=5)
    assert cube.status("t", 3, "quarter", 20252).published and cube.counts[("t", 3, "quarter", 20252)] == (0, 0)


def test_linked_indicators_share_one_pattern() -> None:
    # "fully met" and "fully or basically met" read the same question: withheld together.
    counts = [Count("fully", r, 20251, n, x) for r, n, x in ((1, 35, 2), (2, 40, 20), (3, 50, 25))]
    counts += [Count("fully_or_basically", r, 20251, n, x) for r, n, x in ((1, 35, 30), (2, 40, 30), (3, 50, 40))]
    alone = protect_cube(counts, [], k=5)
    together = protect_cube(counts, [["fully", "fully_or_basically"]], k=5)
    assert alone.status("fully_or_basically", 1, "quarter", 20251).published
    hidden = {key[1:] for key, shown in together.published.items() if not shown}
    assert {key[1:] for key, shown in together.published.items() if key[0] == "fully" and not shown} == hidden
    assert not together.status("fully_or_basically", 1, "quarter", 20251).published


def test_standard_rule_publishes_a_small_side() -> None:
    counts = [Count("satisfied", r, 20251, 35, 33) for r in (1, 2)]
    assert not protect_cube(counts, [], k=5, rule="sensitive").status("satisfied", 1, "quarter", 20251).published
    standard = protect_cube(counts, [], k=5, rule="standard")
    assert standard.status("satisfied", 1, "quarter", 20251).published and standard.status("satisfied", None, "year", 2025).published


def test_shipped_questionnaires_group_indicators_that_read_a_question() -> None:
    training = load_questionnaire(SURVEYS / "training_evaluation.json")
    groups = linked_groups(training)
    together = next(g for g in groups if "needs_met_fully" in g)
    assert "needs_met_fully_or_basically" in together
    assert sorted(i for g in groups for i in g) == sorted(i.id for i in training.indicators)


CELL = st.one_of(st.integers(0, 4), st.integers(5, 60))


@st.composite
def cubes(draw: st.DrawFn) -> tuple[list[Count], bool]:
    proportion = draw(st.booleans())
    regions = draw(st.integers(1, 4))
    quarters = draw(st.lists(st.sampled_from([20244, 20251, 20252, 20253]), min_size=1, max_size=4, unique=True))
    counts = []
    for region in range(1, regions + 1):
        for quarter in quarters:
            n = draw(CELL)
            if n:
                counts.append(Count("q", region, quarter, n, draw(st.integers(0, n)) if proportion else None))
    return counts, proportion


@settings(max_examples=60, deadline=None)
@given(cubes(), st.sampled_from(["sensitive", "standard"]))
def test_no_withheld_figure_can_be_narrowed_below_k(case: tuple[list[Count], bool], rule: str) -> None:
    counts, _ = case
    if not counts:
        return
    k = 5
    cube = protect_cube(counts, [], k=k, rule=rule)
    checked, recovered, narrow = attack(cube, "q", k, standard=rule == "standard")
    assert recovered == 0 and narrow == [], narrow
    for count in counts:
        n, x = count.n, count.x
        disclosive = 0 < n < k or (rule == "sensitive" and x is not None and (0 < x < k or 0 < n - x < k))
        if disclosive:
            assert not cube.status("q", count.region_id, "quarter", count.period).published


@pytest.mark.parametrize("k", [3, 5, 10])
def test_threshold_sets_the_width(k: int) -> None:
    counts = [Count("q", r, q, n, x) for r, q, n, x in ((1, 20251, 30, 2), (1, 20252, 40, 20), (2, 20251, 60, 31), (2, 20252, 50, 25), (3, 20251, 44, 20), (3, 20252, 48, 24))]
    cube = protect_cube(counts, [], k=k)
    _, recovered, narrow = attack(cube, "q", k)
    assert recovered == 0 and narrow == []


@settings(max_examples=40, deadline=None)
@given(cubes(), cubes())
def test_linked_indicators_keep_every_withheld_figure_wide(first: tuple[list[Count], bool], second: tuple[list[Count], bool]) -> None:
    counts = first[0] + [Count("r", c.region_id, c.period, c.n, c.x) for c in second[0]]
    if not counts:
        return
    cube = protect_cube(counts, [["q", "r"]], k=5)
    for name in {c.indicator for c in counts}:
        _, recovered, narrow = attack(cube, name, 5)
        assert recovered == 0 and narrow == [], (name, narrow)
    names = {c.indicator for c in counts}
    if names == {"q", "r"}:
        hidden = {name: {key[1:] for key, shown in cube.published.items() if key[0] == name and not shown} for name in names}
        assert hidden["q"] == hidden["r"]
