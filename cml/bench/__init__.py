"""`python -m cml.bench`: the benchmarks of issue 8, one JSON object per line (see README "Benchmarks")."""
