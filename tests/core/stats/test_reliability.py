"""Reliability flags."""

from __future__ import annotations

from cml.core.stats import FEW_DF, LOW_EFFECTIVE_N, WIDE_INTERVAL, clustered_proportion, reliability_flags


def test_no_flags_for_a_precise_estimate() -> None:
    assert reliability_flags(120.0, 0.40, 0.55, 12) == ()


def test_each_flag_at_its_threshold() -> None:
    assert reliability_flags(29.9, 0.4, 0.5, 20) == (LOW_EFFECTIVE_N,)
    assert reliability_flags(30.0, 0.4, 0.5, 20) == ()
    assert reliability_flags(100.0, 0.2, 0.51, 20) == (WIDE_INTERVAL,)
    assert reliability_flags(100.0, 0.2, 0.5, 20) == ()
    assert reliability_flags(100.0, 0.4, 0.5, 7) == (FEW_DF,)
    assert reliability_flags(100.0, 0.4, 0.5, 8) == ()
    assert reliability_flags(100.0, 0.4, 0.5, None) == ()


def test_all_flags_in_fixed_order_and_custom_thresholds() -> None:
    assert reliability_flags(3.0, 0.0, 1.0, 1) == (LOW_EFFECTIVE_N, WIDE_INTERVAL, FEW_DF)
    assert reliability_flags(3.0, 0.0, 1.0, 1, min_effective_n=2, max_width=1.0, min_df=1) == ()


def test_flags_from_a_clustered_estimate() -> None:
    result = clustered_proportion([(0, 10), (10, 10), (1, 10), (9, 10)])
    flags = reliability_flags(result.effective_n, result.lower, result.upper, result.df)
    assert flags == (LOW_EFFECTIVE_N, WIDE_INTERVAL, FEW_DF)
