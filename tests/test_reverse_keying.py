"""Reverse keying in one place: Instrument.recode (issue #15 §2).

Before the fix the report's journey map recoded FUN4/HUM3 a second time (its "already recoded"
flag was read from another place than clean wrote it) and ``inst.score(cd.data)`` differed from
``inst.score(cd)``. These tests compare every figure and table of the report that uses a construct
with a reverse-keyed item (functional: FUN4, humanic: HUM3, loyalty: LOY4) with the API's numbers
on the same cleaned data.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import cem_edu as ce
from cem_edu import cx
from cem_edu.instrument import recoded_items
from cem_edu.report import build_report
from conftest import ROOT

DATA = ROOT / "datasets" / "cem_survey.csv"
REVERSED = {"functional": "FUN4", "humanic": "HUM3", "loyalty": "LOY4"}


@pytest.fixture(scope="module")
def inst():
    return ce.load_instrument()


@pytest.fixture(scope="module")
def cd(inst):
    return ce.clean(ce.read_data(DATA), inst)


def test_the_constructs_under_test_are_the_reverse_keyed_ones(inst):
    by = inst.items_by_construct()
    assert {c: [i for i in ids if i in inst.reverse_items] for c, ids in by.items() if
            set(ids) & set(inst.reverse_items)} == {c: [i] for c, i in REVERSED.items()}


def test_score_of_cleandata_equals_score_of_its_frame(inst, cd):
    raw = ce.read_data(DATA).loc[cd.data.index]
    by_cd, by_frame, by_raw = inst.score(cd), inst.score(cd.data), inst.score(raw)
    pd.testing.assert_frame_equal(by_cd, by_frame)
    pd.testing.assert_frame_equal(by_cd, by_raw)       # the raw answers recoded once give the same scores
    for c, item in REVERSED.items():
        others = [i for i in inst.items_by_construct()[c] if i != item]
        expected = (raw[others].sum(axis=1) + (8 - raw[item])) / len(others + [item])
        complete = raw[others + [item]].notna().all(axis=1)
        np.testing.assert_allclose(by_frame.loc[complete, c], expected[complete], atol=1e-12)


def test_recode_is_idempotent_and_uses_each_items_own_scale(inst, cd):
    assert set(recoded_items(cd)) == set(inst.reverse_items) and cd.reverse_recoded
    pd.testing.assert_frame_equal(inst.recode(cd), cd.data)
    pd.testing.assert_frame_equal(inst.recode(cd.data[["FUN4", "HUM3"]].head(5)), cd.data[["FUN4", "HUM3"]].head(5))
    once = inst.recode(pd.DataFrame({"FUN4": [1, 2, 7, np.nan], "FUN1": [1, 2, 7, 4]}))
    assert once["FUN4"].tolist()[:3] == [7.0, 6.0, 1.0] and np.isnan(once["FUN4"].iloc[3])
    assert once["FUN1"].tolist() == [1, 2, 7, 4]
    pd.testing.assert_frame_equal(inst.recode(once), once)
    item = inst.item("FUN4")
    five = type(item)(**{**item.__dict__, "scale": type(item.scale)(**{**item.scale.__dict__, "min": 0, "max": 10})})
    assert five.reverse_code(np.array([0, 3, 10])).tolist() == [10, 7, 0]


def test_cx_functions_give_the_same_numbers_on_cleandata_and_its_frame(inst, cd):
    pd.testing.assert_frame_equal(cx.journey_map(cd.data, inst).table, cx.journey_map(cd, inst).table)
    pd.testing.assert_frame_equal(cx.gap(cd.data, inst), cx.gap(cd, inst))
    experience = inst.score(cd)[["functional", "mechanic", "humanic"]].mean(axis=1)
    jm = cx.journey_map(cd.data, inst)
    by_hand = cx.journey_map(cd.data, inst, experience=experience)
    pd.testing.assert_series_equal(jm.table["experience"], by_hand.table["experience"])


def test_every_report_figure_and_table_equals_the_api(monkeypatch, inst, cd):
    from cem_edu import plots

    seen = {}
    for name in ("journey_heatmap", "gap_plot", "rating_matrix", "ipma_map"):
        original = getattr(plots, name)

        def spy(obj, *args, _name=name, _original=original, **kwargs):
            seen[_name] = obj
            return _original(obj, *args, **kwargs)

        monkeypatch.setattr(plots, name, spy)
    result = build_report(DATA, lang="en", bootstrap=0, progress=False)
    assert set(seen) == {"journey_heatmap", "gap_plot", "rating_matrix", "ipma_map"}

    # journey map (functional + humanic items reverse-keyed)
    pd.testing.assert_frame_equal(seen["journey_heatmap"].table, cx.journey_map(cd, inst).table)
    # expectation–experience gaps
    api_gap = cx.gap(cd, inst)
    pd.testing.assert_frame_equal(seen["gap_plot"], api_gap)
    for row, api in zip(result.results["cx"]["gaps"], api_gap.to_dict(orient="records")):
        assert row["gap"] == pytest.approx(api["gap"], abs=1e-12)
    # rating matrix: spend × satisfaction score
    sat = inst.score(cd, constructs=["satisfaction"])["satisfaction"]
    api_rm = cx.rating_matrix(cd.data["spend"], sat,
                              forecast=cd.data["forecast_spend"] if "forecast_spend" in cd.data else None)
    pd.testing.assert_frame_equal(seen["rating_matrix"], api_rm)
    # IPMA: performance of every construct, loyalty (LOY4 reverse-keyed) the target
    fit = ce.fit(inst.model(), cd, missing="fiml", progress=False)  # the report's default with missing answers
    api_ip = cx.ipma(fit, cd, target="loyalty", inst=inst).set_index("construct")
    shown = seen["ipma_map"].set_index("construct")
    for c in api_ip.index:
        assert shown.loc[c, "performance"] == pytest.approx(api_ip.loc[c, "performance"], abs=1e-10)
        assert shown.loc[c, "importance"] == pytest.approx(api_ip.loc[c, "importance"], abs=1e-10)
    assert seen["ipma_map"].attrs["target_performance"] == pytest.approx(
        api_ip.attrs["target_performance"], abs=1e-10)
    # reliability of each construct with a reverse-keyed item
    spec = {c: inst.items_by_construct()[c] for c in REVERSED}
    rel = ce.reliability(cd, spec, warn=False)
    for c in REVERSED:
        assert result.results["reliability"][c]["alpha"] == pytest.approx(rel.loc[c, "alpha"], abs=1e-12)
