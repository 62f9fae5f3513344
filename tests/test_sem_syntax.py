"""lavaan model syntax parser and parameter-table defaults (against lavaan's parTable())."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cem_edu.errors import DataError, ModelError
from cem_edu.sem import fit, prepare
from cem_edu.sem.syntax import parse_syntax

ROOT = Path(__file__).resolve().parents[1]
REF = ROOT / "tests" / "reference" / "sem_core"
R_SCRIPT = (ROOT / "tests" / "reference" / "sem_core.R").read_text()
HS = pd.read_csv(ROOT / "datasets" / "holzinger_swineford.csv")
PD = pd.read_csv(ROOT / "datasets" / "political_democracy.csv")


def _model(name):
    return re.search(name + r' <- "(.*?)"', R_SCRIPT, re.S).group(1)


def test_operators_modifiers_and_comments():
    text = """
    # a comment line
    f1 =~ x1 + a*x2 + 0.5*x3 ! another comment
    f2 =~ NA*x4 + start(0.8)*x5 +
          c(b1, b2)*x6
    f2 ~ g*f1; x1 ~~ x2
    x1 ~ 1
    f1 ~ c(0, NA)*1
    ind := g * 2
    """
    st, de = parse_syntax(text)
    got = [(s.lhs, s.op, s.rhs) for s in st]
    assert got == [("f1", "=~", "x1"), ("f1", "=~", "x2"), ("f1", "=~", "x3"), ("f2", "=~", "x4"),
                   ("f2", "=~", "x5"), ("f2", "=~", "x6"), ("f2", "~", "f1"), ("x1", "~~", "x2"),
                   ("x1", "~1", ""), ("f1", "~1", "")]
    assert st[1].mod.label == ["a"] and st[2].mod.fixed == [0.5]
    assert st[3].mod.fixed == [None]                     # NA*x4: freed
    assert st[4].mod.start == [0.8]
    assert st[5].mod.label == ["b1", "b2"] and st[5].line == 4   # continued from line 4
    assert st[9].mod.fixed == [0.0, None]
    assert [(d.lhs, d.rhs) for d in de] == [("ind", "g*2")]


def test_several_lhs_and_line_starting_with_plus():
    st, _ = parse_syntax("y1 + y2 ~ x1\n  + x2")
    assert [(s.lhs, s.rhs) for s in st] == [("y1", "x1"), ("y1", "x2"), ("y2", "x1"), ("y2", "x2")]


@pytest.mark.parametrize("text, fragment", [
    ("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5\nf1 =~", "line 3: 'f1 =~': there are no indicators after =~; "
                                                          "write e.g. f1 =~ x1 + x2 + x3"),
    ("f1 =~ x1 + x2\nf1 x3", "line 2: 'f1 x3': no operator found"),
    ("f1 =~ x1 + 2a*x2", "cannot read the modifier '2a'"),
    ("f1 =~ x1 + x2 + x3\nf1 ~ f1", "cannot be regressed on itself"),
    ("f1 =~ x1 + x2\nx1 == x2", "line 2: 'x1 == x2': constraint 'x1 == x2' uses unknown label(s) x1, x2"),
    ("f1 =~ x1 + a*x2 + b*x3\na*b == 1", "line 2: 'a*b == 1': 'a*b' is not linear"),
    ("f1 =~ x1 + a*x2 + b*x3\nab := a*b\nab > 0", "uses the defined parameter(s) ab"),
    ("f1 =~ x1 + a*x2 + b*x3\na == 1\na == 2", "cannot all hold"),
    ("f1 =~ x1 + a*x2 + b*x3\na >", "both sides"),
    ("f =~ x1 + x2 + x3\nd := a*", "not a valid expression"),
    ("", "the model syntax is empty"),
])
def test_syntax_errors_name_line_and_fix(text, fragment):
    with pytest.raises(ModelError) as err:
        fit(text, HS)
    assert fragment in str(err.value)


def test_defined_parameter_cannot_run_code():
    with pytest.raises(ModelError, match="not a valid expression"):
        fit("f =~ a*x1 + x2 + x3\nd := __import__('os').getcwd()", HS)


def test_missing_variable_suggests_closest_column():
    with pytest.raises(DataError) as err:
        fit("visual =~ x1 + x2 + xx3", HS)
    assert "'xx3' (did you mean x3" in str(err.value)


def test_identification_errors_name_the_parameters():
    with pytest.raises(ModelError, match="df = -1"):
        fit("f =~ x1 + x2", HS)
    with pytest.raises(ModelError, match="factor 'f1' has a single indicator 'x1'"):
        fit("f1 =~ x1\nf2 =~ x2 + x3 + x4", HS)
    with pytest.raises(ModelError) as err:
        fit("f1 =~ x1 + x2\nf2 =~ x3 + x4 + x5\nf1 ~~ 0*f2", HS)
    assert "not identified" in str(err.value) and "f1 =~ x2" in str(err.value)


def test_data_errors():
    d = HS.copy()
    d["x2"] = d["x2"].astype(object)
    d.loc[3, "x2"] = "n/a?"
    with pytest.raises(DataError, match="'x2' \\(1 non-numeric values, e.g. 'n/a\\?'\\)"):
        fit("f =~ x1 + x2 + x3", d)
    d = HS.copy()
    d["x3"] = 2.0
    with pytest.raises(DataError, match="x3 have zero variance"):
        fit("f =~ x1 + x2 + x3", d)
    d = HS.copy()
    d["x4"] = d["x1"] + d["x2"]
    with pytest.raises(DataError, match="not positive definite.*x4"):
        fit("f =~ x1 + x2 + x3 + x4", d)
    with pytest.raises(DataError, match="only 3 complete rows"):
        fit("f =~ x1 + x2 + x3 + x4", HS.head(3))
    d = HS.copy()
    d["x1"] = np.nan
    with pytest.raises(DataError, match="listwise deletion removed all 301 rows"):
        fit("f =~ x1 + x2 + x3", d)


def test_listwise_deletion_is_reported():
    d = HS.copy()
    d.loc[[0, 5, 9], "x2"] = np.nan
    from cem_edu.errors import EstimationWarning
    with pytest.warns(EstimationWarning, match=r"listwise deletion dropped 3 of 301 rows \(1%\).*298 complete rows"):
        res = fit("f =~ x1 + x2 + x3", d)
    assert res.n_used == 298 and res.n_dropped == 3 and res.missing == "listwise"
    text = str(res)
    assert re.search(r"Number of observations used\s+298", text)
    assert re.search(r"Missing data rule\s+listwise", text) and re.search(r"Rows dropped\s+3", text)
    assert res.to_dict()["info"]["n_dropped"] == 3


CASES = {"hs_cfa": ("hs_model", HS, {}), "hs_stdlv": ("hs_model", HS, dict(std_lv=True)),
         "pd_sem": ("pd_model", PD, {}), "hs_config": ("hs_model", HS, dict(group="school")),
         "hs_scalar": ("hs_model", HS, dict(group="school", group_equal=["loadings", "intercepts"])),
         "hs_cov": ("cov_model", HS, {}), "hs_path": ("path_model", HS, {}),
         "hs_clabels": ("clabel_model", HS, dict(group="school")),
         "hs_partial": ("hs_model", HS, dict(group="school", group_equal=["loadings", "intercepts"],
                                             group_partial=["x3~1", "x7~1"])),
         "hs_stdlv_metric": ("hs_model", HS, dict(group="school", std_lv=True, group_equal=["loadings"])),
         "hs_strict_lv": ("hs_model", HS, dict(group="school", group_equal=[
             "loadings", "intercepts", "residuals", "lv.variances", "lv.covariances"])),
         "hs_second": ("second_model", HS, {}), "hs_mimic": ("mimic_model", HS, {}),
         "pd_stdlv": ("pd_model", PD, dict(std_lv=True))}


@pytest.mark.parametrize("name", list(CASES))
def test_parameter_table_defaults_match_lavaan(name):
    """Same rows, same free/fixed pattern, fixed values and equality structure as lavaan's parTable()."""
    model, data, kw = CASES[name]
    mod, stats, _ = prepare(_model(model), data, **kw)
    ours = mod.partable
    ref = pd.read_csv(REF / f"{name}_partable.csv", keep_default_na=False, na_values=["NA"])
    eq = ref[ref["op"] == "=="]
    ref = ref[~ref["op"].isin(["==", ":="])]
    ours = ours[ours["op"] != ":="]
    key = ["lhs", "op", "rhs", "group"]
    m = ref.merge(ours, on=key, how="outer", suffixes=("_lavaan", ""), indicator=True)
    assert (m["_merge"] == "both").all(), m.loc[m["_merge"] != "both", key + ["_merge"]]
    assert ((m["free_lavaan"] > 0) == (m["free"] > 0)).all()
    assert (m["exo_lavaan"] == m["exo"]).all()
    fixed = m[m["free"] == 0]
    assert np.allclose(fixed["ustart_lavaan"].fillna(fixed["est_lavaan"]), fixed["ustart"], atol=1e-10)
    # lavaan's == constraints join exactly the parameters that share one free index here
    plabel_free = dict(zip(m["plabel_lavaan"], m["free"]))
    for r in eq.itertuples():
        assert plabel_free[r.lhs] == plabel_free[r.rhs] > 0
    assert mod.npar == int((m["free"] > 0).sum() > 0) * m.loc[m["free"] > 0, "free"].nunique()
    # variable order as lavaan's lavNames("ov")
    resid = pd.read_csv(REF / f"{name}_residcor_g1.csv", index_col=0)
    assert mod.ov == list(resid.columns)


def _exact_data(R, n=200, seed=1):
    """Data whose sample correlation matrix is exactly R (biased covariance = R)."""
    rng = np.random.default_rng(seed)
    Z = rng.normal(size=(n, R.shape[0]))
    Z -= Z.mean(axis=0)
    C = np.cov(Z.T, bias=True)
    Z = Z @ np.linalg.inv(np.linalg.cholesky(C)).T @ np.linalg.cholesky(R).T
    return pd.DataFrame(Z, columns=[f"y{i + 1}" for i in range(R.shape[0])])


def test_heywood_case_warns():
    from cem_edu.errors import EstimationWarning

    R = np.array([[1, .8, .8], [.8, 1, .5], [.8, .5, 1]])   # lambda_1^2 = .8 * .8 / .5 = 1.28
    with pytest.warns(EstimationWarning) as rec:
        res = fit("f =~ y1 + y2 + y3", _exact_data(R))
    text = " ".join(str(w.message) for w in rec)
    assert "negative variance" in text and "y1 ~~ y1 = -0.280" in text
    assert "standardised loading(s) above 1" in text
    th = res.estimates.query("lhs == 'y1' and op == '~~'")["est"].iloc[0]
    assert th == pytest.approx(1 - 1.28, abs=1e-6)


def test_accepts_cleandata_like_objects():
    from types import SimpleNamespace

    res = fit("f =~ x1 + x2 + x3", SimpleNamespace(data=HS))
    assert res.n_used == 301
    with pytest.raises(DataError, match="table"):   # the one input-coercion helper's message
        fit("f =~ x1 + x2 + x3", [1, 2, 3])


def test_nullable_and_string_columns_and_categorical_groups():
    d = HS.copy()
    for c in ["x1", "x2", "x3"]:
        d[c] = (d[c] * 3).round().astype("Int64")
    d.loc[[1, 2], "x2"] = pd.NA
    d["x4"] = d["x4"].astype(str)                      # numbers stored as text
    from cem_edu.errors import EstimationWarning
    with pytest.warns(EstimationWarning, match="dropped 2 of 301"):
        res = fit("f =~ x1 + x2 + x3\ng =~ x4 + x5 + x6", d)
    assert (res.n_used, res.n_dropped) == (299, 2)
    d["school"] = pd.Categorical(d["school"], categories=["Grant-White", "Pasteur"])
    with pytest.warns(EstimationWarning, match="dropped 2 of 301"):
        res = fit("f =~ x1 + x2 + x3\ng =~ x4 + x5 + x6", d, group="school")
    assert res.group_labels == ["Grant-White", "Pasteur"]        # factor levels, as R
    assert fit("f =~ x1 + x2 + x3", HS, group="school").group_labels == ["Pasteur", "Grant-White"]


def test_repeated_formula_merges_modifiers():
    mod, _, _ = prepare("f =~ x1 + x2 + x3\nf =~ a*x2\nf =~ start(0.7)*x3", HS)
    pt = mod.partable
    assert len(pt[pt["op"] == "=~"]) == 3
    assert pt.loc[pt["rhs"] == "x2", "label"].iloc[0] == "a"
    assert pt.loc[(pt["op"] == "=~") & (pt["rhs"] == "x3"), "start"].iloc[0] == 0.7


def test_defined_parameters_with_dotted_labels_and_functions():
    res = fit("visual =~ x1 + a.1*x2 + b*x3\nr := a.1 / b\ns := sqrt(a.1^2) - abs(-b) + 2*r", HS)
    est = res.estimates.set_index("lhs")
    a, b = est.loc["visual"].set_index("rhs").loc[["x2", "x3"], "est"]
    assert est.loc["r", "est"] == pytest.approx(a / b, rel=1e-12)
    assert est.loc["s", "est"] == pytest.approx(a - b + 2 * a / b, rel=1e-12)
    assert est.loc["r", "se"] > 0
