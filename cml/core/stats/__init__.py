"""Statistics for community-led monitoring: intervals, clustered and stratified estimates, differences, suppression.

Pure Python on SciPy's distributions: no Flask, no SQLAlchemy, no I/O. Monitored
facilities are strata (`strata`), sampled facilities are clusters (`clustered`, `regions`);
see DESIGN.md, "Statistics defaults". Every public function documents its formula and
its source.
"""

from .clustered import CLUSTER_METHODS, ClusteredProportion, clustered_proportion
from .differences import (
    ClusteredDifference,
    Difference,
    PairedDifference,
    clustered_difference,
    difference_interval,
    paired_clustered_difference,
)
from .disclosure import (
    COMPLEMENTARY,
    FEWER_THAN_K,
    PUBLISHED,
    RULES,
    SENSITIVE,
    SMALL_SIDE,
    STANDARD,
    SUPPRESSED_COMPLEMENTARY,
    SUPPRESSED_PRIMARY,
    Cell,
    CellStatus,
    SuppressionResult,
    cell_is_disclosive,
    primary_reason,
    protect_grid,
    suppress,
)
from .mean_differences import MeanDifference, independent_mean_difference, paired_mean_difference
from .means import ClusteredMean, clustered_mean, clustered_mean_from_totals
from .multiple import benjamini_hochberg
from .proportions import PROPORTION_METHODS, Interval, proportion_interval
from .regions import region_clustered_mean, region_clustered_proportion
from .reliability import FEW_DF, LOW_EFFECTIVE_N, WIDE_INTERVAL, reliability_flags
from .strata import (
    StratifiedDifference,
    StratifiedEstimate,
    single_facility_proportion,
    stratified_difference,
    stratified_mean,
    stratified_mean_from_totals,
    stratified_proportion,
)

__all__ = [
    "CLUSTER_METHODS",
    "COMPLEMENTARY",
    "FEWER_THAN_K",
    "FEW_DF",
    "LOW_EFFECTIVE_N",
    "PROPORTION_METHODS",
    "PUBLISHED",
    "RULES",
    "SENSITIVE",
    "STANDARD",
    "SMALL_SIDE",
    "SUPPRESSED_COMPLEMENTARY",
    "SUPPRESSED_PRIMARY",
    "WIDE_INTERVAL",
    "Cell",
    "CellStatus",
    "ClusteredDifference",
    "ClusteredMean",
    "ClusteredProportion",
    "Difference",
    "Interval",
    "MeanDifference",
    "PairedDifference",
    "StratifiedDifference",
    "StratifiedEstimate",
    "SuppressionResult",
    "benjamini_hochberg",
    "cell_is_disclosive",
    "clustered_difference",
    "clustered_mean",
    "clustered_mean_from_totals",
    "clustered_proportion",
    "difference_interval",
    "independent_mean_difference",
    "paired_clustered_difference",
    "paired_mean_difference",
    "primary_reason",
    "protect_grid",
    "proportion_interval",
    "region_clustered_mean",
    "region_clustered_proportion",
    "reliability_flags",
    "single_facility_proportion",
    "stratified_difference",
    "stratified_mean",
    "stratified_mean_from_totals",
    "stratified_proportion",
    "suppress",
]
