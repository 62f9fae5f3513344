"""5,000-draw bootstrap reference for tests/test_pls_published.py, from an independent implementation.

Run once (takes minutes):  python tests/reference/pls/seminr_bootstrap.py
Writes tests/reference/pls/seminr_boot_corp_rep_simple.csv: the bootstrap SDs (seminr's
"Bootstrap SD") of the path coefficients and outer loadings of the corporate-reputation simple
model (Hair et al. 2022), computed with the PyPI package seminr 0.2.1 (Python port of the R
package seminr; its own resampling, estimate_pls per draw, mean replacement of -99 in each draw).
"""
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import seminr

import cem_edu as ce

d = ce.load_dataset("corp_rep")
mm = seminr.constructs(seminr.composite("COMP", seminr.multi_items("comp_", range(1, 4))),
                       seminr.composite("LIKE", seminr.multi_items("like_", range(1, 4))),
                       seminr.composite("CUSA", seminr.single_item("cusa")),
                       seminr.composite("CUSL", seminr.multi_items("cusl_", range(1, 4))))
sm = seminr.relationships(seminr.paths(["COMP", "LIKE"], ["CUSA", "CUSL"]), seminr.paths("CUSA", "CUSL"))
model = seminr.estimate_pls(d, mm, sm)
boot = seminr.bootstrap_model(model, nboot=int(sys.argv[1]) if len(sys.argv) > 1 else 5000, seed=123)
rows = []
pdesc = boot.paths_descriptives
for i, cause in enumerate(pdesc.rows):
    for effect in ("CUSA", "CUSL"):
        sd = pdesc.values[i, pdesc.cols.index(f"{effect} Boot SD")]
        if sd > 0:
            rows.append({"kind": "path", "lhs": effect, "rhs": cause, "boot_sd": sd})
ldesc = boot.loadings_descriptives
for i, item in enumerate(ldesc.rows):
    for c in ("COMP", "LIKE", "CUSA", "CUSL"):
        if ldesc.values[i, ldesc.cols.index(f"{c} PLS Est.")] != 0:
            rows.append({"kind": "loading", "lhs": c, "rhs": item,
                         "boot_sd": ldesc.values[i, ldesc.cols.index(f"{c} Boot SD")]})
out = Path(__file__).with_name("seminr_boot_corp_rep_simple.csv")
pd.DataFrame(rows).to_csv(out, index=False, float_format="%.6f")
print(pd.DataFrame(rows))
