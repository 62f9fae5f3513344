"""The fit warns, as lavaan's post-fit check does, when the latent covariance matrix is not positive definite."""
import json
import warnings
from pathlib import Path

import pandas as pd
import pytest

import cem_edu as ce
from cem_edu.errors import EstimationWarning

ROOT = Path(__file__).resolve().parents[1]
HS = pd.read_csv(ROOT / "datasets" / "holzinger_swineford.csv")
REF = json.loads((ROOT / "tests" / "reference" / "sem_warnings" / "cov_lv.json").read_text())
NPD = """visual =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
visual ~~ 1*visual
textual ~~ 1*textual
visual ~~ 1.2*textual"""


def _fit(model, **kw):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = ce.fit(model, HS, **kw)
    return res, [str(w.message) for w in caught if issubclass(w.category, EstimationWarning)]


def test_non_positive_definite_cov_lv_warns_as_lavaan():
    res, msgs = _fit(NPD, std_lv=True)
    assert REF["warns_cov_lv"]
    assert res.fit["chisq"] == pytest.approx(REF["chisq"], abs=1e-4)
    assert res.fit["df"] == REF["df"]
    hits = [m for m in msgs if "not positive definite" in m]
    assert len(hits) == 1
    assert f"{REF['min_eigen']:.4f}" in hits[0]


def test_each_group_is_named():
    _, msgs = _fit(NPD, std_lv=True, group="school")
    hits = [m for m in msgs if "not positive definite" in m]
    assert len(hits) == 2 and "(Pasteur)" in hits[0] and "(Grant-White)" in hits[1]


def test_admissible_model_gives_no_warning():
    _, msgs = _fit("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9")
    assert msgs == []


def test_message_in_persian():
    from cem_edu.i18n import t
    text = t("sem.warn.cov_lv_not_pd", "fa", group="", eigenvalue="-0.2000")
    assert "معین مثبت نیست" in text
