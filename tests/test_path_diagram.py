"""Path diagram: shapes, arrows and labels (matplotlib only)."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest
from matplotlib.patches import Ellipse, FancyArrowPatch, FancyBboxPatch

import cem_edu as ce
from cem_edu.plots import path_diagram
from cem_edu.sem import fit

from _sem_extras_common import HS, PD, model


@pytest.fixture(scope="module")
def hs_fit():
    return fit(model("hs_model"), HS)


def test_cfa_nodes_arrows_and_std_labels(hs_fit):
    ax = path_diagram(hs_fit)
    ell = [p for p in ax.patches if isinstance(p, Ellipse)]
    box = [p for p in ax.patches if isinstance(p, FancyBboxPatch)]
    arr = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert len(ell) == 3 and len(box) == 9
    assert len(arr) == 9 + 3                      # loadings + factor covariances
    texts = {t.get_text() for t in ax.texts}
    e = hs_fit.estimates
    std = e[(e.lhs == "visual") & (e.rhs == "x1")]["std_all"].iloc[0]
    assert f"{std:.2f}" in texts and "visual" in texts and "x9" in texts


def test_unstandardised_and_persian(hs_fit):
    ax = path_diagram(hs_fit, standardized=False)
    assert "1.00" in {t.get_text() for t in ax.texts}         # marker loading
    ce.set_language("fa")
    try:
        ax = path_diagram(hs_fit, labels={"visual": "دیداری"})
        texts = {t.get_text() for t in ax.texts}
        assert "دیداری" in texts
        assert any("۰" in s for s in texts)                  # Persian digits
    finally:
        ce.set_language("en")


def test_sem_with_regressions_layers():
    res = fit(model("pd_model"), PD)
    ax = path_diagram(res)
    pos = {t.get_text(): t.get_position() for t in ax.texts}
    assert pos["ind60"][0] < pos["dem60"][0] < pos["dem65"][0]   # cause left of effect
    reg = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert len(reg) == 11 + 3 + 6                                   # loadings + regressions + residual covs
