"""Monte Carlo power against lavaan simulateData(standardized=TRUE) + sem (tests/reference/sem_extras.R)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cem_edu.sem import power
from cem_edu.sem.power import population_moments, strip_values

from _sem_extras_common import REF

POP = "f =~ 0.7*y1 + 0.7*y2 + 0.6*y3\ng =~ 0.7*y4 + 0.6*y5 + 0.6*y6\ng ~ 0.25*f"


def test_population_covariance_as_simulatedata_standardized():
    ov, S = population_moments(POP)
    ref = pd.read_csv(REF / "power_pop_cov.csv", index_col=0)
    assert np.allclose(S, ref.loc[ov, ov].to_numpy(), atol=1e-12)


def test_strip_values_keeps_labels():
    assert strip_values("f =~ 0.7*y1 + a*y2 + .5*y3\ng ~ -0.25*f") == "f =~ y1 + a*y2 + y3\ng ~ f"


@pytest.fixture(scope="module")
def pw():
    return power(POP, n=[80, 160], reps=500, seed=7, progress=False)


def test_power_agrees_with_lavaan_monte_carlo(pw):
    ref = pd.read_csv(REF / "power_small.csv")
    m = pw.merge(ref, on=["lhs", "op", "rhs", "n"])
    assert len(m) == len(ref)
    # two independent 500-replication estimates: SD of the difference <= sqrt(2 * .25 / 500) = 0.032
    assert np.max(np.abs(m["power"] - m["sig"])) < 0.1
    reg = m[(m["op"] == "~")].set_index("n")["power"]
    assert 0.2 < reg[80] < 0.42 and 0.45 < reg[160] < 0.67
    assert (pw["convergence"] > 0.97).all()


def test_power_columns_truth_and_coverage(pw):
    assert list(pw.columns) == ["n", "lhs", "op", "rhs", "label", "pop_value", "power", "mean_est", "bias",
                                "coverage", "convergence"]
    reg = pw[(pw["op"] == "~") & (pw["n"] == 160)].iloc[0]
    # population value of g ~ f in the marker parameterisation: 0.25 * 0.7 / 0.7
    assert reg["pop_value"] == pytest.approx(0.25, abs=1e-8)
    lo = pw[pw["op"] == "=~"]
    assert lo["coverage"].between(0.9, 0.98).all()


def test_power_of_defined_effect_and_reproducible():
    pop = "x =~ .7*x1 + .7*x2 + .7*x3\nm =~ .7*m1 + .7*m2 + .7*m3\ny =~ .7*y1 + .7*y2 + .7*y3\n" \
          "m ~ .4*x\ny ~ .3*m + .1*x"
    ana = "x =~ x1 + x2 + x3\nm =~ m1 + m2 + m3\ny =~ y1 + y2 + y3\nm ~ a*x\ny ~ b*m + x\nind := a*b"
    a = power(pop, n=[100, 300], reps=100, analysis_model=ana, seed=3, progress=False)
    b = power(pop, n=[100, 300], reps=100, analysis_model=ana, seed=3, progress=False)
    pd.testing.assert_frame_equal(a, b)
    ind = a[a["op"] == ":="].set_index("n")
    assert ind.loc[100, "pop_value"] == pytest.approx(0.4 * 0.3 * np.sqrt(1) / np.sqrt(1), abs=0.05)
    assert ind.loc[300, "power"] > ind.loc[100, "power"]


def test_power_curve_plot(pw):
    import matplotlib

    matplotlib.use("Agg")
    from cem_edu.plots import power_curve

    ax = power_curve(pw)
    lines = [l for l in ax.get_lines() if l.get_marker() == "o"]
    assert len(lines) == 1                                   # one regression
    assert list(lines[0].get_xdata()) == [80, 160]
    assert ax.get_ylabel() == "power"
