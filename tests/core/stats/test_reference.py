"""Every case of the shared reference file, reproduced within 1e-9 (published tables: their tol)."""

from __future__ import annotations

from typing import Any

import pytest

from cml.core.stats import (
    clustered_difference,
    clustered_mean,
    clustered_proportion,
    difference_interval,
    paired_clustered_difference,
    proportion_interval,
)
from cml.core.stats._common import z_value
from cml.core.stats.clustered import korn_graubard_nchs
from cml.core.stats.proportions import wilson_bounds

from .reference import DATA, REFERENCE, SHARED, cases

TOL = 1e-9
VARIANTS = ["kg_nchs", "kg_r_survey", "wilson_kg_neff", "wilson_r_survey", "logit_t", "wald_t"]


def close(actual: float | None, expected: float | None, tol: float = TOL) -> bool:
    if expected is None or actual is None:
        return actual is expected
    return abs(actual - expected) <= tol


def test_copy_matches_shared_original() -> None:
    if not SHARED.exists():
        pytest.skip("shared reference file not present on this machine")
    assert DATA.read_bytes() == SHARED.read_bytes()


@pytest.mark.parametrize("case", cases("single_proportion"))
def test_single_proportion(case: dict[str, Any]) -> None:
    interval = proportion_interval(case["x"], case["n"], case["level"], case["method"])
    assert close(interval.lower, case["lower"])
    assert close(interval.upper, case["upper"])
    assert interval.estimate == case["x"] / case["n"]
    assert (interval.method, interval.level) == (case["method"], case["level"])


@pytest.mark.parametrize("case", cases("cluster_proportion"))
def test_cluster_proportion_design(case: dict[str, Any]) -> None:
    result = clustered_proportion(case["clusters"], case["level"], population_clusters=case.get("fpc_psu"))
    assert result.method == "kg_nchs"
    assert close(result.estimate, case["p_hat"])
    assert close(result.se, case["se_taylor"])
    assert close(result.se**2, case["var_taylor"])
    assert result.df == case["df"]
    assert (result.clusters, result.n, result.x) == (case["k_clusters"], case["n_total"], case["x_total"])
    if case["deff"] is None:
        assert result.design_effect is None
    else:
        assert close(result.design_effect, case["deff"])
    # n_eff is undefined (null) in the file when the variance is 0; we use N then (kg_nchs rule).
    expected_n_eff = case["n_eff"] if case["n_eff"] is not None else float(case["n_total"])
    assert result.effective_n == pytest.approx(expected_n_eff, rel=1e-11, abs=TOL)
    assert close(result.lower, case["kg_nchs"]["lower"])
    assert close(result.upper, case["kg_nchs"]["upper"])
    assert close(result.n_star, case["kg_nchs"]["n_star"])


@pytest.mark.parametrize("method", VARIANTS)
@pytest.mark.parametrize("case", cases("cluster_proportion"))
def test_cluster_proportion_variant(case: dict[str, Any], method: str) -> None:
    result = clustered_proportion(case["clusters"], case["level"], method, case.get("fpc_psu"))
    expected = case[method]
    assert result.requested_method == method
    if method == "wald_t" and case["var_taylor"] == 0.0:
        # Deliberate deviation: the reference gives the zero-width [p, p]; we fall back.
        expected = None
    if expected is None:
        # Undefined in the reference (and in R): we fall back to the recommended interval.
        assert result.method == "kg_nchs"
        assert close(result.lower, case["kg_nchs"]["lower"])
        assert close(result.upper, case["kg_nchs"]["upper"])
        return
    assert result.method == method
    # wald_t can leave [0, 1] in the reference; the public API clips it.
    assert close(result.lower, min(1.0, max(0.0, expected["lower"])))
    assert close(result.upper, min(1.0, max(0.0, expected["upper"])))
    if "n_star" in expected:
        assert close(result.n_star, expected["n_star"])


@pytest.mark.parametrize("case", cases("cluster_mean"))
def test_cluster_mean(case: dict[str, Any]) -> None:
    result = clustered_mean(case["groups"], case["level"])
    assert close(result.estimate, case["mean"])
    assert close(result.se, case["se_taylor"])
    assert close(result.se**2, case["var_taylor"])
    assert result.df == case["df"]
    assert (result.clusters, result.n) == (case["k_clusters"], case["n_total"])
    assert close(result.design_effect, case["deff_r_replace"])
    assert close(result.lower, case["ci_t"]["lower"])
    assert close(result.upper, case["ci_t"]["upper"])


@pytest.mark.parametrize("case", cases("newcombe_difference"))
def test_newcombe_difference(case: dict[str, Any]) -> None:
    result = difference_interval(case["x1"], case["n1"], case["x2"], case["n2"], case["level"])
    assert result.method == case["method"]
    assert close(result.estimate, case["diff"])
    assert close(result.lower, case["lower"])
    assert close(result.upper, case["upper"])


@pytest.mark.parametrize("case", cases("cluster_difference"))
def test_cluster_difference(case: dict[str, Any]) -> None:
    result = clustered_difference(case["clusters_1"], case["clusters_2"], case["level"])
    assert result.method == case["method"]
    assert close(result.first.estimate, case["p1"])
    assert close(result.second.estimate, case["p2"])
    assert close(result.estimate, case["diff"])
    assert close(result.first.n_star, case["n_star_1"])
    assert close(result.second.n_star, case["n_star_2"])
    assert close(result.lower, case["lower"])
    assert close(result.upper, case["upper"])


@pytest.mark.parametrize("case", cases("cluster_difference_shared_clinics"))
def test_cluster_difference_shared_clinics(case: dict[str, Any]) -> None:
    result = paired_clustered_difference(case["rows_x1_n1_x2_n2"], case["level"])
    assert result.method == "design_based_paired"
    assert (result.clusters, result.df) == (case["k_clusters"], case["df"])
    pairs = {
        "p1": "p1", "p2": "p2", "estimate": "diff", "var_1": "var_p1", "var_2": "var_p2",
        "covariance": "cov_p1_p2", "se": "se_diff", "lower": "lower", "upper": "upper",
        "t_stat": "t_stat", "p_value": "p_value", "se_if_independent": "se_diff_if_independent",
    }  # fmt: skip
    for attribute, key in pairs.items():
        assert close(getattr(result, attribute), case[key]), attribute


def _published_id(check: dict[str, Any]) -> str:
    parts = [check["kind"], check.get("method") or check.get("case") or ""]
    parts += [str(check[key]) for key in ("x", "n", "x1", "n1", "x2", "n2", "p", "df") if key in check]
    return "-".join(part for part in parts if part)


@pytest.mark.parametrize("check", [pytest.param(c, id=_published_id(c)) for c in REFERENCE["published_checks"]])
def test_published_check(check: dict[str, Any]) -> None:
    tol = check["tol"]
    level = check["level"]
    if check["kind"] == "single":
        result = proportion_interval(check["x"], check["n"], level, check["method"])
        lower, upper = result.lower, result.upper
    elif check["kind"] == "diff":
        diff = difference_interval(check["x1"], check["n1"], check["x2"], check["n2"], level)
        lower, upper = diff.lower, diff.upper
    elif check["kind"] == "cluster_wilson_icc":
        # ratesci wilsonci(60, 203, xihat = 1.349133): Wilson on n = N / xi.
        lower, upper = wilson_bounds(60 / 203, 203 / check["xi"], z_value(level))
    elif check["kind"] == "kg_edge":
        lower, upper, n_star = korn_graubard_nchs(check["p"], 0.0, check["n"], check["df"], level)
        assert abs(n_star - check["n_star"]) <= 0.005
        # The same through the public API: six clinics, 100 respondents, all "yes".
        clinics = [(17, 17)] * 4 + [(16, 16)] * 2
        public = clustered_proportion(clinics, level)
        assert (public.df, public.n) == (check["df"], check["n"])
        assert (public.lower, public.upper) == (lower, upper)
    else:  # pragma: no cover - a new kind in the file must be handled here
        pytest.fail(f"unknown published check kind {check['kind']}")
    assert abs(lower - check["lower"]) <= tol
    assert abs(upper - check["upper"]) <= tol
    # The file's xi is rounded to 6 decimals; its computed limits used the unrounded xi.
    computed_tol = 1e-7 if check["kind"] == "cluster_wilson_icc" else 1e-9
    assert abs(lower - check["computed_lower"]) <= computed_tol
    assert abs(upper - check["computed_upper"]) <= computed_tol
