"""FIML on real survey data (issue #16) against lavaan 0.6: psych::bfi five-factor CFA (ML, MLR),
a bfi MIMIC with covariates (fixed.x TRUE/FALSE, complete and missing covariates), and a
four-factor mood model on psychTools::msq. Reference: tests/reference/sem_fiml_real.R."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from cem_edu.errors import EstimationWarning
from cem_edu.sem import fit

from _sem_extras_common import ROOT, assert_estimates, assert_fit, model

REF = ROOT / "tests" / "reference" / "sem_fiml_real"
SCRIPT = (ROOT / "tests" / "reference" / "sem_fiml_real.R").read_text()
BFI = pd.read_csv(REF / "bfi.csv")
FIT = ["npar", "chisq", "df", "pvalue", "baseline_chisq", "baseline_df", "cfi", "tli", "logl",
       "unrestricted_logl", "aic", "bic", "bic2", "ntotal", "rmsea", "rmsea_ci_lower", "rmsea_ci_upper", "srmr"]
ROBUST = ["chisq_scaled", "chisq_scaling_factor", "baseline_chisq_scaled", "cfi_scaled", "tli_scaled",
          "rmsea_scaled", "cfi_robust", "tli_robust", "rmsea_robust"]


def _fit(*args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EstimationWarning)
        return fit(*args, **kw)


@pytest.fixture(scope="module")
def bfi_ml():
    return _fit(model("bfi_model", SCRIPT), BFI, missing="fiml")


@pytest.fixture(scope="module")
def bfi_mlr():
    return _fit(model("bfi_model", SCRIPT), BFI, missing="fiml", estimator="MLR")


def test_bfi_has_real_missing_data():
    items = BFI[[f"{a}{i}" for a in "ACENO" for i in range(1, 6)]]
    obs = ~items.isna()
    assert len(BFI) == 2800 and obs.drop_duplicates().shape[0] == 87


def test_bfi_fiml_ml(bfi_ml):
    """SEs from the observed information at the final estimates (was: at the L-BFGS-B point,
    SE of AF =~ A3 0.13340 vs lavaan 0.13213)."""
    assert bfi_ml.converged
    assert_estimates(bfi_ml, "bfi_fiml", cols=("est", "se", "std_all"), tol=1e-4, ref=REF)
    assert_fit(bfi_ml, "bfi_fiml", FIT, tol=1e-5, ref=REF)


def test_bfi_fiml_mlr(bfi_mlr):
    assert_estimates(bfi_mlr, "bfi_fiml_mlr", cols=("est", "se", "std_all"), tol=1e-4, ref=REF)
    assert_fit(bfi_mlr, "bfi_fiml_mlr", FIT + ROBUST, tol=1e-4, ref=REF)
