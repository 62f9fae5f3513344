"""Issue #17, one result base class: every result object behaves the same.

Each public analysis is run once on real data (lavaan's Holzinger–Swineford, psych's bfi sample, the
published expert panels, the bundled survey); its result must derive from ``cem_edu.results.Result``,
be frozen, give ``to_json()`` text that strict JSON parsers read back (no NaN), and print as text and
HTML. The JSON helper and the two bugs removed with it (NaN written into ``--json`` files, a list or a
frame from ``residuals()``) are pinned below.
"""
from __future__ import annotations

import dataclasses
import importlib
import inspect
import json
import math
import pkgutil

import numpy as np
import pandas as pd
import pytest

import cem_edu as ce
from cem_edu.errors import ModelError
from cem_edu.results import FrozenDict, Result, json_frame, json_records, json_safe

from conftest import ROOT

HS = pd.read_csv(ROOT / "datasets" / "holzinger_swineford.csv")
HS_ITEMS = [f"x{i}" for i in range(1, 10)]
HS_SPEC = {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"], "speed": ["x7", "x8", "x9"]}
HS_MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"
PLS_MODEL = HS_MODEL + "speed ~ visual + textual\n"
THESIS = ROOT / "tests" / "reference" / "thesis"


def _strict_loads(text: str):
    """json.loads that fails on NaN / Infinity (what a browser or a strict parser does)."""
    def bad(token):
        raise ValueError(f"non-standard JSON constant {token}")
    return json.loads(text, parse_constant=bad)


@pytest.fixture(scope="module")
def results() -> dict:
    hs_items = HS[HS_ITEMS]
    fit = ce.fit(HS_MODEL, HS)
    boot = ce.fit("visual =~ x1 + x2 + x3", HS, bootstrap=20, seed=1)
    raw = ce.load_dataset("cem_survey")
    inst = ce.load_instrument()
    from cem_edu.psychometrics.measurement import measurement
    from cem_edu.report.build import build_report
    from cem_edu.sem.robust import RobustResult
    mlr = ce.fit(HS_MODEL, HS, estimator="MLR")
    out = {
        "FitResult": fit,
        "InvarianceResult": ce.invariance(HS_MODEL, HS, group="school"),
        "BootstrapResult": boot.bootstrap_result,
        "RobustResult": mlr.extras["robust"],
        "AlphaResult": ce.alpha(hs_items, HS_SPEC["visual"]),
        "Measurement": measurement(hs_items, HS_SPEC),
        "KMOResult": ce.kmo(hs_items),
        "BartlettResult": ce.bartlett(hs_items),
        "EFAResult": ce.efa(hs_items, 3),
        "ParallelResult": ce.parallel_analysis(hs_items, n_iter=5, seed=1),
        "CVRResult": ce.cvr(THESIS / "panel_cvr.csv"),
        "CVIResult": ce.cvi(THESIS / "panel_cvi.csv"),
        "ImpactResult": ce.impact_score(THESIS / "panel_impact.csv"),
        "NormalityResult": ce.normality(hs_items, HS_SPEC),
        "CommonMethodResult": ce.common_method(hs_items, HS_SPEC, ulmc_model=False),
        "OneSampleResult": ce.one_sample_t(hs_items, HS_SPEC, midpoint=4.0),
        "FriedmanResult": ce.friedman(hs_items, HS_SPEC),
        "CorrelationTable": ce.correlation_table(hs_items, HS_SPEC),
        "ModerationResult": ce.moderation(hs_items, HS_SPEC, x="visual", z="textual", y="speed"),
        "PLSResult": ce.pls(PLS_MODEL, HS),
        "MGAResult": ce.pls_mga(PLS_MODEL, HS, group="school", permutations=20, bootstrap=0, seed=1),
        "NPSResult": ce.nps([10, 9, 8, 7, 6, 0, 10, 9, np.nan, 3], by=list("aabbaabbab")),
        "JourneyMap": ce.journey_map(raw, inst),
        "ReportResult": build_report(raw, bootstrap=0, progress=False, method="cbsem"),
    }
    assert isinstance(out["RobustResult"], RobustResult)
    return out


CLASSES = ["FitResult", "InvarianceResult", "BootstrapResult", "RobustResult", "AlphaResult", "Measurement",
           "KMOResult", "BartlettResult", "EFAResult", "ParallelResult", "CVRResult", "CVIResult", "ImpactResult",
           "NormalityResult", "CommonMethodResult", "OneSampleResult", "FriedmanResult", "CorrelationTable",
           "ModerationResult", "PLSResult", "MGAResult", "NPSResult", "JourneyMap", "ReportResult"]


@pytest.mark.parametrize("name", CLASSES)
def test_every_result_derives_from_result_and_is_frozen(results, name):
    res = results[name]
    assert type(res).__name__ == name and isinstance(res, Result)
    assert dataclasses.is_dataclass(res) and type(res).__dataclass_params__.frozen
    first = dataclasses.fields(res)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(res, first, None)


@pytest.mark.parametrize("name", CLASSES)
def test_every_result_writes_strict_json_and_prints(results, name, tmp_path):
    res = results[name]
    path = tmp_path / "res.json"
    text = res.to_json(path)
    assert path.read_text(encoding="utf-8") == text
    back = _strict_loads(text)
    assert isinstance(back, dict) and back
    assert back == _strict_loads(json.dumps(json_safe(res.to_dict()), allow_nan=False))
    shown = str(res)
    assert isinstance(shown, str) and shown.strip()
    page = res._repr_html_()
    assert isinstance(page, str) and page.strip().startswith("<div")


def test_the_base_class_is_public():
    assert ce.Result is Result and ce.json_safe is json_safe and {"Result", "json_safe"} <= set(ce.__all__)


def test_every_class_named_result_in_the_package_derives_from_result():
    """A new ``...Result`` class anywhere in cem_edu is caught here if it forgets the base class."""
    found = {}
    for mod in pkgutil.walk_packages(ce.__path__, "cem_edu."):
        if mod.name.startswith(("cem_edu.collect", "cem_edu.cli")):
            continue        # the web server pulls optional dependencies; it defines no results
        module = importlib.import_module(mod.name)
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == mod.name and name.endswith("Result"):
                found[name] = cls
    assert {"FitResult", "PLSResult", "NPSResult", "ReportResult", "TableResult"} <= set(found)
    assert [n for n, c in found.items() if not issubclass(c, Result)] == []
    subclasses = {c for mod in pkgutil.walk_packages(ce.__path__, "cem_edu.")
                  if not mod.name.startswith(("cem_edu.collect", "cem_edu.cli"))
                  for _, c in inspect.getmembers(importlib.import_module(mod.name), inspect.isclass)
                  if issubclass(c, Result) and c is not Result and c.__module__.startswith("cem_edu")}
    assert set(CLASSES) <= {c.__name__ for c in subclasses}
    not_frozen = [c.__name__ for c in subclasses if not (dataclasses.is_dataclass(c) and c.__dataclass_params__.frozen)]
    assert not_frozen == []


def test_to_dict_keys_are_unchanged(results):
    """The JSON layout readers rely on (CLI --json, the report's json_path) did not move."""
    assert set(results["FitResult"].to_dict()) == {"estimates", "fit", "info"}
    assert set(results["AlphaResult"].to_dict()) == {"alpha", "alpha_ci_lower", "alpha_ci_upper", "alpha_std", "n",
                                                     "n_items", "missing", "level", "notes", "items"}
    assert set(results["KMOResult"].to_dict()) == {"msa", "items"}
    assert set(results["NPSResult"].to_dict()) == {"nps", "se", "ci_lower", "ci_upper", "n", "n_missing", "ci",
                                                   "method", "by", "table", "comparisons", "chi2", "notes"}
    assert set(results["MGAResult"].to_dict()) == {"paths", "micom", "groups", "n", "settings"}
    efa = results["EFAResult"].to_dict()
    assert efa["loadings"]["x1"] == pytest.approx(results["EFAResult"].loadings.loc["x1"].to_dict(), abs=1e-12)


def test_nps_to_dict_has_no_nan(results):
    """NPSResult.to_dict() let float NaN through (json.dumps writes it, json.loads reads it back as nan)."""
    res = ce.nps([10, 9, np.nan], by=["a", "b", "c"])   # segment c has no answer: its NPS is NaN
    assert res.table["nps"].isna().any()
    flat = json.dumps(res.to_dict())
    assert "NaN" not in flat
    one = ce.nps([10, 10])   # a single answer class: the comparisons are empty, chi2 None
    assert _strict_loads(one.to_json())["chi2"] is None


# ----------------------------------------------------------------------------------- json_safe
def test_json_safe_turns_numpy_and_pandas_values_into_json():
    value = {"a": np.float64("nan"), "b": np.int64(3), "c": [np.inf, 1.5, -np.inf], "d": np.bool_(True),
             "e": pd.NA, "f": np.array([1, 2]), np.int64(7): "key", "g": (np.float32(0.5),), "h": "1.5",
             "i": pd.Series({"x": 1.0, "y": np.nan}), "j": None, "k": pd.Timestamp("2024-03-20")}
    out = json_safe(value)
    assert out == {"a": None, "b": 3, "c": [None, 1.5, None], "d": True, "e": None, "f": [1, 2], 7: "key",
                   "g": [0.5], "h": "1.5", "i": {"x": 1.0, "y": None}, "j": None, "k": "2024-03-20T00:00:00"}
    assert type(out["b"]) is int and type(out["d"]) is bool and type(out["g"][0]) is float
    json.dumps(out, allow_nan=False)


def test_json_safe_tables():
    df = pd.DataFrame({"est": [0.5, np.nan], "op": ["=~", "~"]})
    assert json_safe(df) == json_records(df) == [{"est": 0.5, "op": "=~"}, {"est": None, "op": "~"}]
    named = df.set_axis(pd.Index(["a", "b"], name="row"))
    assert json_safe(named) == [{"row": "a", "est": 0.5, "op": "=~"}, {"row": "b", "est": None, "op": "~"}]
    assert json_frame(named) == {"a": {"est": 0.5, "op": "=~"}, "b": {"est": None, "op": "~"}}


def test_the_json_helpers_are_not_written_twice():
    """One JSON-safe conversion: the old copies are gone."""
    import cem_edu.cx.nps as nps_module
    import cem_edu.psychometrics._tables as tables
    import cem_edu.psychometrics.reliability as reliability
    import cem_edu.sem.result as sem_result
    fitting = importlib.import_module("cem_edu.report.fitting")   # ce.report is the function
    assert not hasattr(sem_result, "_clean") and not hasattr(sem_result, "JsonResultMixin")
    assert not hasattr(tables, "json_number") and not hasattr(fitting, "json_value")
    assert not hasattr(reliability, "_num") and not hasattr(nps_module, "_jsonable")


def test_default_result_methods():
    @dataclasses.dataclass(frozen=True)
    class MeanResult(Result):
        mean: float
        table: pd.DataFrame
        language: str = "fa"

    res = MeanResult(float("nan"), pd.DataFrame({"x": [1.23456]}))
    assert res.to_dict() == {"mean": None, "table": [{"x": 1.23456}], "language": "fa"}
    assert res.to_json(indent=None) == '{"mean": null, "table": [{"x": 1.23456}], "language": "fa"}'
    assert str(res).splitlines()[0] == "MeanResult" and "1.235" in str(res)
    assert 'dir="rtl"' in res._repr_html_()


def test_to_json_keeps_persian_text_and_writes_utf8(tmp_path):
    res = ce.friedman(HS[HS_ITEMS], HS_SPEC, language="fa")
    path = tmp_path / "f.json"
    text = res.to_json(path)
    assert "\\u" not in text
    assert _strict_loads(path.read_bytes().decode("utf-8")) == _strict_loads(text)


def test_cli_json_file_is_strict_json(tmp_path):
    """The CLI wrote NaN into --json files (json.dumps(allow_nan=True)); a strict reader could not load them."""
    from cem_edu.cli import _write_json
    path = tmp_path / "out.json"
    _write_json({"fit": {"logl": float("nan"), "n": np.int64(5)}}, str(path))
    assert _strict_loads(path.read_text(encoding="utf-8")) == {"fit": {"logl": None, "n": 5}}


# ------------------------------------------------------------------------------ FitResult fixes
def test_fitresult_extras_is_read_only_but_estimators_still_extend_it(results):
    res = results["FitResult"]
    assert isinstance(res.extras, FrozenDict) and isinstance(res.extras, dict)
    with pytest.raises(TypeError, match="read-only"):
        res.extras["bootstrap"] = {}
    with pytest.raises(TypeError):
        res.extras.update(x=1)
    boot = ce.fit("visual =~ x1 + x2 + x3", HS, bootstrap=20, seed=1)   # the bootstrap adds to extras
    assert boot.bootstrap_info["R"] == 20 and isinstance(boot.extras, FrozenDict)
    grown = dataclasses.replace(res, extras={**res.extras, "note": 1})
    assert grown.extras["note"] == 1 and "note" not in res.extras
    import copy
    import pickle
    assert pickle.loads(pickle.dumps(grown.extras)) == grown.extras
    assert copy.deepcopy(grown.extras) == grown.extras


def test_residuals_is_always_a_dataframe():
    """residuals() gave a DataFrame for one group and a list for several; now always a DataFrame."""
    one = ce.fit(HS_MODEL, HS)
    r1 = one.residuals()
    assert isinstance(r1, pd.DataFrame) and list(r1.columns) == HS_ITEMS and list(r1.index) == HS_ITEMS
    pd.testing.assert_frame_equal(one.residuals(group=1), r1)
    multi = ce.fit(HS_MODEL, HS, group="school")
    both = multi.residuals()
    labels = multi.group_labels
    assert isinstance(both, pd.DataFrame) and list(both.index.get_level_values(0).unique()) == labels
    for k, label in enumerate(labels, 1):
        pd.testing.assert_frame_equal(both.loc[label], multi.residuals(group=label))
        pd.testing.assert_frame_equal(multi.residuals(group=k), multi.residuals(group=label))
    raw = multi.residuals("raw", group=1)
    S = multi.stats.cov[0]
    Sigma = multi.implied()[0][0].to_numpy()
    assert np.allclose(raw.to_numpy(), S - Sigma)
    with pytest.raises(ModelError, match="no such group"):
        multi.residuals(group="Nowhere")
    with pytest.raises(ModelError, match="'cor' or 'raw'|\"cor\" or \"raw\""):
        multi.residuals("standardized")
    assert not math.isnan(float(both.abs().max().max()))


def test_persian_html_is_right_to_left_for_every_result(results):
    """KMO, Bartlett, EFA, parallel analysis and alpha wrote Persian HTML without dir="rtl"; one wrapper now."""
    from cem_edu.i18n import get_language, set_language
    previous = get_language()
    try:
        set_language("fa")
        pages = {n: results[n]._repr_html_() for n in ("KMOResult", "BartlettResult", "EFAResult", "ParallelResult",
                                                       "AlphaResult", "NPSResult", "JourneyMap", "InvarianceResult",
                                                       "Measurement", "BootstrapResult")}
    finally:
        set_language(previous)
    wrong = [n for n, h in pages.items() if not (h.startswith("<div class='cem-edu-output fa' dir=\"rtl\">")
                                                and h.endswith("</div>"))]
    assert wrong == []
    fa = ce.normality(HS[HS_ITEMS], HS_SPEC, language="fa")._repr_html_()   # results that carry their language
    assert fa.startswith("<div class='cem-edu-output fa' dir=\"rtl\">")
    assert results["KMOResult"]._repr_html_().startswith("<div class='cem-edu-output en'>")


def test_the_examples_in_the_docstrings_run():
    import doctest

    import cem_edu.results
    outcome = doctest.testmod(cem_edu.results)
    assert outcome.attempted >= 2 and outcome.failed == 0
