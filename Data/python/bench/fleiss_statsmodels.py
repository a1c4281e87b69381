"""Baseline for `agreement-bench`: statsmodels' aggregate_raters + fleiss_kappa on the same ratings.

Usage: fleiss_statsmodels.py RATINGS.u8 ITEMS RATERS CATEGORIES REPEATS
RATINGS.u8 holds items x raters category codes as raw uint8 (row-major), written by the Swift benchmark.
Prints {"best_seconds": ..., "kappa": ...}: the fastest of REPEATS runs, timed from the raw array.
"""
import json
import sys
import time

import numpy as np
from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa


def main():
    path, items, raters, categories, repeats = sys.argv[1], *map(int, sys.argv[2:6])
    data = np.fromfile(path, dtype=np.uint8).reshape(items, raters).astype(np.int64)
    best, kappa = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        table, _ = aggregate_raters(data, n_cat=categories)
        kappa = fleiss_kappa(table, method="fleiss")
        best = min(best, time.perf_counter() - start)
    json.dump({"best_seconds": best, "kappa": float(kappa)}, sys.stdout)


if __name__ == "__main__":
    main()
