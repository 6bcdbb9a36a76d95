"""Every case of the stratified reference file (R survey 4.1-1), reproduced within 1e-9."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cml.core.stats import (
    StratifiedEstimate,
    region_clustered_proportion,
    stratified_difference,
    stratified_mean,
    stratified_proportion,
)

DATA = Path(__file__).resolve().parent / "data" / "strata_reference_public.json"
SHARED = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "strata_reference_public.json"
REFERENCE: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
TOL = 1e-9


def cases(section: str) -> list[Any]:
    return [pytest.param(case, id=case["id"]) for case in REFERENCE[section]]


def close(actual: float | None, expected: float | None, tol: float = TOL) -> bool:
    if expected is None or actual is None:
        return actual is expected
    return abs(actual - expected) <= tol


def check_interval(result: Any, expected: dict[str, Any] | None) -> None:
    if expected is None:
        assert result.lower is None and result.upper is None
        return
    assert close(result.lower, expected["lower"]), (result.lower, expected["lower"])
    assert close(result.upper, expected["upper"]), (result.upper, expected["upper"])
    if "n_star" in expected:
        assert close(result.n_star, expected["n_star"])


def check_proportion(result: StratifiedEstimate, case: dict[str, Any]) -> None:
    """The figures of a proportion: estimate, interval, df, variance, deff (SRS), n_eff, rule."""
    assert close(result.estimate, case["p_hat"])
    assert close(result.variance, case["var"])
    assert result.df == case["df"]
    assert close(result.deff, case["deff_srs"])
    assert close(result.n_eff, case["n_eff"])


def test_copy_matches_shared_original() -> None:
    if not SHARED.exists():
        pytest.skip("shared reference file not present on this machine")
    assert DATA.read_bytes() == SHARED.read_bytes()


@pytest.mark.parametrize("case", cases("strata_proportion"))
def test_strata_proportion(case: dict[str, Any]) -> None:
    result = stratified_proportion([tuple(s) for s in case["strata"]], case["level"])
    assert result.method == case["rule"]
    check_interval(result, case["product_interval"])
    if case["rule"] != "single_client_wilson":
        check_proportion(result, case)
        assert close(result.n_star, case["kg_nchs"]["n_star"])
    assert (result.n, result.x, result.strata) == (case["n_total"], case["x_total"], case["H_facilities"])


@pytest.mark.parametrize("case", cases("strata_mean"))
def test_strata_mean(case: dict[str, Any]) -> None:
    result = stratified_mean(case["groups"], case["level"], tuple(case["scale"]))
    assert result.method == case["rule"]
    assert close(result.estimate, case["mean"])
    assert result.df == case["df"]
    check_interval(result, case["product_interval"])
    if case["product_interval"] is None:
        return
    assert close(result.variance, case["var"])
    assert close(result.variance_used, case["var_floor"])
    assert close(result.sample_variance, case["sample_variance"])
    assert close(result.deff, case["deff_r_replace"])
    assert result.floor_active == case["floor_active"]
    assert result.no_variation == (case["sample_variance"] == 0.0)


@pytest.mark.parametrize("case", cases("strata_difference"))
def test_strata_difference(case: dict[str, Any]) -> None:
    measure = case["measure"]
    key = "strata" if measure == "proportion" else "groups"
    one = case["period_1"][key]
    two = case["period_2"][key]
    if measure == "proportion":
        one, two = [tuple(s) for s in one], [tuple(s) for s in two]
    scale = tuple(case["scale"]) if case.get("scale") else None
    result = stratified_difference(one, two, case["level"], measure, scale)
    assert result.method == case["rule"]
    assert close(result.estimate, case["diff"])
    assert result.df == case["df"]
    check_interval(result, case["product_interval"])
    assert close(result.first.estimate, case["estimate_1"]) and close(result.second.estimate, case["estimate_2"])
    assert close(result.first.variance, case["var_1"]) and close(result.second.variance, case["var_2"])
    if measure == "proportion":
        assert close(result.p_value, case["p_value"])
        assert close(result.t_stat, case["t_stat"])
        for period, figures in ((result.first, case["figures_period_1"]), (result.second, case["figures_period_2"])):
            check_proportion(period, figures)
            check_interval(period, figures["kg_nchs"])
    else:
        assert close(result.p_value, case["p_value_floor"])
        assert close(result.se**2, case["var_floor"])


@pytest.mark.parametrize("case", cases("region_strata_cluster_proportion"))
def test_region_strata_cluster_proportion(case: dict[str, Any]) -> None:
    regions = {code: [tuple(f) for f in facilities] for code, facilities in case["regions"].items()}
    result = region_clustered_proportion(regions, case["level"])
    assert result.method == case["rule"]
    check_interval(result, case["product_interval"])
    assert (result.units, result.strata, result.n, result.x) == (case["k_facilities"], case["H_regions"], case["n_total"], case["x_total"])
    if case["rule"] != "single_facility_wilson":
        check_proportion(result, case)
