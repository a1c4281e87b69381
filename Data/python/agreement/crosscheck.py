"""Reference values for DefectLab's Agreement tests, computed by the published Python implementations.

Reads a JSON file {"sets": [{"categories": k, "ratings": [[code or null per rater] per item]}]} and prints,
per set: Fleiss' kappa from statsmodels (aggregate_raters + fleiss_kappa; only when every item has the same
number of ratings, since statsmodels rejects anything else), irrCAC's Fleiss (Gwet's generalization) and
AC1 with every category passed, and krippendorff's nominal alpha (raters x units, NaN for missing).
"""
import json
import sys
import warnings

import numpy as np
import pandas as pd
import krippendorff
from irrCAC.raw import CAC
from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa

warnings.simplefilter("ignore")


def reference(rating_set):
    k = rating_set["categories"]
    rows = rating_set["ratings"]
    given = [[c for c in row if c is not None] for row in rows]
    given = [g for g in given if g]
    out = {}
    sizes = {len(g) for g in given}
    if len(sizes) == 1 and next(iter(sizes)) >= 2:
        table, _ = aggregate_raters(np.array(given), n_cat=k)
        out["statsmodels_fleiss"] = float(fleiss_kappa(table, method="fleiss"))
    else:
        out["statsmodels_fleiss"] = None
    data = np.array([[np.nan if c is None else float(c) for c in row] for row in rows])
    out["krippendorff_alpha"] = float(
        krippendorff.alpha(reliability_data=data.T, level_of_measurement="nominal"))
    frame = pd.DataFrame(data)
    categories = [float(c) for c in range(k)]
    out["irrcac_ac1"] = float(CAC(frame, categories=categories, digits=17).gwet()["est"]["coefficient_value"])
    out["irrcac_fleiss"] = float(CAC(frame, categories=categories, digits=17).fleiss()["est"]["coefficient_value"])
    return out


def main():
    with open(sys.argv[1]) as f:
        sets = json.load(f)["sets"]
    json.dump({"results": [reference(s) for s in sets]}, sys.stdout)


if __name__ == "__main__":
    main()
