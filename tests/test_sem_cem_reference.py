"""The bundled CEM model (inst.model(), with := indirect effects) against lavaan 0.6:
ML with listwise deletion, FIML (missing="ml") and MLR, on the cleaned bundled survey.

References: tests/reference/sem_cem.R -> tests/reference/sem_cem/*.csv.
"""
import numpy as np
import pandas as pd
import pytest

import cem_edu as ce
from conftest import REFERENCE

REF = REFERENCE / "sem_cem"
DATA = REFERENCE / "psychometrics" / "cem_clean.csv"
FIT_KEYS = ["npar", "chisq", "df", "pvalue", "baseline_chisq", "baseline_df", "cfi", "tli", "rmsea", "rmsea_ci_lower",
            "rmsea_ci_upper", "srmr", "logl", "unrestricted_logl", "aic", "bic", "ntotal"]


@pytest.fixture(scope="module")
def data():
    return pd.read_csv(DATA)


@pytest.fixture(scope="module")
def model():
    return (REF / "model.lav").read_text()


def test_model_file_is_the_instruments_model(model):
    assert model == ce.load_instrument().model()


def _compare(res, name, extra=()):
    ref_fit = pd.read_csv(REF / f"{name}_fit.csv").set_index("measure")["value"]
    for key in [*FIT_KEYS, *extra]:
        ours = res.fit[key]
        theirs = ref_fit[key.replace("_", ".")]
        scale = max(1.0, abs(theirs)) if key in ("chisq", "logl", "unrestricted_logl", "aic", "bic",
                                                  "baseline_chisq") else 1.0
        assert ours == pytest.approx(theirs, abs=1e-3 * scale), key
    ref = pd.read_csv(REF / f"{name}_estimates.csv", keep_default_na=False)  # rhs of `x ~1` rows is ""
    est = res.estimates
    assert len(est) == len(ref)
    for col, ref_col in (("est", "est"), ("se", "se"), ("std_all", "std.all"), ("ci_lower", "ci.lower"),
                         ("ci_upper", "ci.upper")):
        theirs = pd.to_numeric(ref[ref_col], errors="coerce").to_numpy(float)
        np.testing.assert_allclose(est[col].to_numpy(float), theirs, atol=1e-3,
                                   err_msg=f"{name}: {col}")
    assert list(est.lhs) == list(ref.lhs) and list(est.op) == list(ref.op) and list(est.rhs) == list(ref.rhs)


def test_ml_listwise(data, model):
    with pytest.warns(ce.EstimationWarning, match="listwise deletion dropped"):
        res = ce.fit(model, data, progress=False)
    _compare(res, "ml")
    defined = res.estimates[res.estimates.op == ":="]
    assert len(defined) == 9


def test_fiml(data, model):
    res = ce.fit(model, data, missing="fiml", progress=False)
    _compare(res, "fiml")


def test_mlr(data, model):
    with pytest.warns(ce.EstimationWarning):
        res = ce.fit(model, data, estimator="MLR", progress=False)
    _compare(res, "mlr", extra=("chisq_scaled", "chisq_scaling_factor", "cfi_robust", "tli_robust", "rmsea_robust"))
