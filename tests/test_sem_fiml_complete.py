"""The FIML path on data without missing values equals the listwise path (issue #16): the
reference models fitted with missing="fiml" to complete data give the listwise ML estimates (with a
mean structure), standardised solution, χ², logl and every fit measure to 1e-8."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from cem_edu.errors import EstimationWarning
from cem_edu.sem import fit

from _sem_extras_common import HS, PD, ROOT, model

REAL = ROOT / "tests" / "reference" / "sem_fiml_real"
SCRIPT = (ROOT / "tests" / "reference" / "sem_fiml_real.R").read_text()
BFI = pd.read_csv(REAL / "bfi.csv")
MEASURES = ["npar", "chisq", "df", "pvalue", "baseline_chisq", "baseline_df", "cfi", "tli", "nfi", "ifi", "rni",
            "logl", "unrestricted_logl", "aic", "bic", "bic2", "ntotal", "rmsea", "rmsea_ci_lower",
            "rmsea_ci_upper", "rmsea_pvalue", "srmr"]
CASES = {
    "hs": (model("hs_model"), HS, {}),
    "pd": (model("pd_model"), PD, {}),
    "hs_groups": (model("hs_model"), HS, {"group": "school", "group_equal": ["loadings"]}),
    "bfi_cfa": (model("bfi_model", SCRIPT), None, {}),
    "bfi_mimic": (model("mimic_model", SCRIPT), None, {}),
    "bfi_mimic_free_x": (model("mimic_model", SCRIPT), None, {"fixed_x": False}),
}


@pytest.mark.parametrize("name", list(CASES))
def test_fiml_on_complete_data_equals_listwise(name):
    syntax, data, kw = CASES[name]
    if data is None:
        from cem_edu.sem.syntax import parse_syntax

        st, _ = parse_syntax(syntax)
        used = sorted({v for s in st for v in (s.lhs, s.rhs) if v in BFI.columns})
        data = BFI[used].dropna()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EstimationWarning)
        lw = fit(syntax, data, meanstructure=True, **kw)
        fm = fit(syntax, data, missing="fiml", **kw)
    assert fm.converged and lw.converged and fm.n_dropped == 0
    a = lw.estimates.set_index(["lhs", "op", "rhs", "group"] if "group" in lw.estimates else ["lhs", "op", "rhs"])
    b = fm.estimates.set_index(a.index.names).loc[a.index]
    assert np.allclose(a["est"], b["est"], atol=1e-8, rtol=0)
    assert np.allclose(a["std_all"], b["std_all"], atol=1e-8, rtol=0, equal_nan=True)
    for k in MEASURES:
        x, y = float(lw.fit[k]), float(fm.fit[k])
        assert abs(x - y) <= 1e-8 * max(1.0, abs(x)), f"{name}: {k} listwise {x} vs FIML {y}"
