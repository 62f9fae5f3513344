"""describe_items against psych::describe and psych::alpha's r.drop (tests/reference/psychometrics.R)."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import cem_edu as ce
from _psychometrics_common import HS_SPEC, REF, require
from _psychometrics_common import load_mobi as _mobi
from conftest import ROOT





def _set(name):
    return require(SETS, name)
MOBI_SPEC = {"Image": [f"IMAG{i}" for i in range(1, 6)], "Expectation": [f"CUEX{i}" for i in range(1, 4)],
             "Quality": [f"PERQ{i}" for i in range(1, 8)], "Value": ["PERV1", "PERV2"],
             "Satisfaction": [f"CUSA{i}" for i in range(1, 4)], "Complaints": ["CUSCO"],
             "Loyalty": [f"CUSL{i}" for i in range(1, 4)]}
SETS = {"hs": (pd.read_csv(ROOT / "datasets" / "holzinger_swineford.csv"), HS_SPEC),
        "mobi": (_mobi(), MOBI_SPEC),
        "hs_miss": (pd.read_csv(REF / "hs_missing.csv"), HS_SPEC),
        "cem": (pd.read_csv(REF / "cem_clean.csv"), json.loads((REF / "cem_spec.json").read_text()))}
ITEMS = pd.read_csv(REF / "alpha_items.csv")


@pytest.mark.parametrize("dataset", list(SETS))
def test_describe_matches_psych(dataset):
    data, spec = _set(dataset)
    ours = ce.describe_items(data, spec)
    ref = pd.read_csv(REF / f"{dataset}_describe.csv").set_index("item")
    assert list(ours.index) == list(ref.index)
    for col in ("n", "mean", "sd", "median", "min", "max", "skew", "kurtosis", "se"):
        np.testing.assert_allclose(ours[col].to_numpy(float), ref[col].to_numpy(float), atol=1e-8, err_msg=col)
    r = ITEMS[ITEMS["data"] == dataset].set_index("item")["r_drop"]
    np.testing.assert_allclose(ours.loc[r.index, "item_rest_r"], r, atol=1e-8)
    if dataset == "mobi":
        assert np.isnan(ours.loc["CUSCO", "item_rest_r"])  # single-item construct


def test_missing_and_floor_ceiling():
    data, spec = SETS["hs_miss"]
    d = ce.describe_items(data, spec)
    assert d.loc["x1", "missing_pct"] == pytest.approx(100 * data["x1"].isna().mean())
    raw = _set("mobi")[0]
    m = ce.describe_items(raw, MOBI_SPEC)
    # without an instrument, floor/ceiling are the observed extremes
    assert m.loc["CUSA1", "ceiling_pct"] == pytest.approx(100 * (raw["CUSA1"] == raw["CUSA1"].max()).mean())
    assert m.loc["CUSA1", "floor_pct"] == pytest.approx(100 * (raw["CUSA1"] == raw["CUSA1"].min()).mean())


def test_describe_without_spec_uses_all_numeric_columns():
    d = ce.describe_items(SETS["hs"][0][["x1", "x2", "x3"]])
    assert list(d.index) == ["x1", "x2", "x3"]
    assert set(d["construct"]) == {"scale"}


def test_describe_with_instrument_and_clean_data_uses_answer_scale():
    inst = ce.load_instrument()
    cd = ce.clean(ce.load_dataset("cem_survey"), inst)
    d = ce.describe_items(cd, inst)
    sat = cd.data["SAT1"].dropna()
    lo, hi = inst.item("SAT1").scale.min, inst.item("SAT1").scale.max
    assert d.loc["SAT1", "floor_pct"] == pytest.approx(100 * (sat == lo).mean())
    assert d.loc["SAT1", "ceiling_pct"] == pytest.approx(100 * (sat == hi).mean())
    assert list(d.index) == [c for v in inst.items_by_construct().values() for c in v]
    # reverse-keyed items are recoded by ce.clean: positive item-rest correlations
    assert (d.loc[inst.reverse_items, "item_rest_r"] > 0.3).all()
    raw = ce.describe_items(ce.load_dataset("cem_survey"), inst)
    assert (raw.loc[inst.reverse_items, "item_rest_r"] < 0).all()
