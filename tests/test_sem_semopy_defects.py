"""semopy's defects that cem_edu.sem works around, shown next to our lavaan-matching values.

DESIGN.md ("Estimation: what we trust and what we fix"): semopy's ML point estimates and
chi-square are right; its AIC/BIC are on the wrong scale, ``LogLik`` is the fit function, there
is no SRMR and no RMSEA interval, RMSEA uses N - 1, GFI is NFI, and CFI is not capped at 1.
One semopy fit per data set (semopy is slow to import).
"""
from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cem_edu.sem import fit

semopy = pytest.importorskip("semopy")

ROOT = Path(__file__).resolve().parents[1]
HS = pd.read_csv(ROOT / "datasets" / "holzinger_swineford.csv")
MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
LAVAAN = pd.read_csv(ROOT / "tests" / "reference" / "sem_core" / "hs_cfa_fit.csv").set_index("measure")["value"]


@pytest.fixture(scope="module")
def both():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sm = semopy.Model(MODEL)
        sm.fit(HS)
        stats = semopy.calc_stats(sm).iloc[0]
        est = sm.inspect()
    return sm, stats, est, fit(MODEL, HS)


def test_what_semopy_gets_right_point_estimates_and_chisq(both):
    _, stats, est, ours = both
    assert stats["chi2"] == pytest.approx(ours.fit["chisq"], abs=1e-3)
    load = est[(est["op"] == "~") & (est["rval"] == "visual") & (est["lval"] == "x2")]["Estimate"].iloc[0]
    mine = ours.estimates.query("lhs == 'visual' and op == '=~' and rhs == 'x2'")["est"].iloc[0]
    assert load == pytest.approx(mine, abs=1e-3)


def test_aic_bic_scale(both):
    _, stats, _, ours = both
    assert stats["AIC"] == pytest.approx(41.43, abs=0.05)          # semopy: 2k - 2 F, not the likelihood
    assert ours.fit["aic"] == pytest.approx(LAVAAN["aic"], abs=1e-6) == pytest.approx(7517.49, abs=0.01)
    assert ours.fit["bic"] == pytest.approx(LAVAAN["bic"], abs=1e-6)
    assert abs(stats["BIC"] - ours.fit["bic"]) > 7000


def test_loglik_is_the_fit_function(both):
    _, stats, _, ours = both
    assert stats["LogLik"] == pytest.approx(2 * ours.fit["fmin"], abs=1e-4)   # semopy: F, not a log-likelihood
    assert ours.fit["logl"] == pytest.approx(LAVAAN["logl"], abs=1e-6) == pytest.approx(-3737.745, abs=1e-3)


def test_no_srmr_and_no_rmsea_interval(both):
    _, stats, _, ours = both
    assert not any("SRMR" in str(k).upper() for k in stats.index)
    assert [k for k in stats.index if "RMSEA" in str(k)] == ["RMSEA"]
    assert ours.fit["srmr"] == pytest.approx(LAVAAN["srmr"], abs=1e-8)
    assert ours.fit["rmsea_ci_lower"] == pytest.approx(LAVAAN["rmsea.ci.lower"], abs=1e-7)
    assert ours.fit["rmsea_ci_upper"] == pytest.approx(LAVAAN["rmsea.ci.upper"], abs=1e-7)


def test_rmsea_uses_n_minus_1_and_gfi_is_nfi(both):
    _, stats, _, ours = both
    assert stats["RMSEA"] == pytest.approx(0.09228, abs=2e-5)       # lavaan 0.09212 (N, not N - 1)
    assert ours.fit["rmsea"] == pytest.approx(LAVAAN["rmsea"], abs=1e-9)
    assert abs(stats["RMSEA"] - ours.fit["rmsea"]) > 1e-4
    assert stats["GFI"] == pytest.approx(stats["NFI"], abs=1e-12)    # GFI is reported as NFI


def test_cfi_not_capped_at_one():
    rng = np.random.default_rng(0)
    f = rng.normal(size=300)
    d = pd.DataFrame({f"y{i}": 0.7 * f + rng.normal(scale=0.7, size=300) for i in range(1, 5)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sm = semopy.Model("f =~ y1 + y2 + y3 + y4")
        sm.fit(d)
        cfi = semopy.calc_stats(sm)["CFI"].iloc[0]
    ours = fit("f =~ y1 + y2 + y3 + y4", d)
    assert ours.fit["chisq"] < ours.fit["df"]
    assert cfi > 1.004
    assert ours.fit["cfi"] == 1.0
