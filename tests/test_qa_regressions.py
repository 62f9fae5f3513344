"""Regressions found by using the kit as its users do (QA pass): each test names the bug it pins."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import cem_edu as ce


def test_alpha_of_negatively_correlated_items_gives_nan_item_stats_not_a_crash():
    # five random class-survey answers: the summed item correlations are negative, and
    # psych::alpha returns r.cor = NaN where we used to raise "ValueError: math domain error"
    x = pd.DataFrame([[2, 4, 5, 7], [1, 5, 1, 7], [7, 3, 7, 3], [3, 7, 3, 6], [1, 7, 6, 5]],
                     columns=["MEC1", "MEC2", "MEC3", "MEC4"], dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = ce.alpha(x)
    # psych 2.2.9: alpha(x, check.keys=FALSE)
    assert res.alpha == pytest.approx(-3.030303, abs=1e-6)
    items = res.items
    assert items["r_cor"].isna().all()
    assert items["raw_r"].to_numpy() == pytest.approx([0.5993643, 0.0, 0.8410044, -0.7007649], abs=1e-6)
    assert items["r_drop"].to_numpy() == pytest.approx([-0.5001716, -0.6064784, -0.3249668, -0.8928416], abs=1e-6)
