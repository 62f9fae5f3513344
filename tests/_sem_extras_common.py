"""Shared helpers for the sem-extras reference tests (tests/reference/sem_extras.R)."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
REF = ROOT / "tests" / "reference" / "sem_extras"
R_SCRIPT = (ROOT / "tests" / "reference" / "sem_extras.R").read_text()
HS = pd.read_csv(ROOT / "datasets" / "holzinger_swineford.csv")
PD = pd.read_csv(ROOT / "datasets" / "political_democracy.csv")
HS_MCAR = pd.read_csv(REF / "hs_mcar.csv")
TOL = 1e-3


def model(name: str, script: str | None = None) -> str:
    """Model syntax exactly as the R script gives it to lavaan."""
    return re.search(name + r' <- "(.*?)"', script or R_SCRIPT, re.S).group(1)


def ref_est(name: str, ref=None) -> pd.DataFrame:
    r = pd.read_csv((ref or REF) / f"{name}_est.csv")
    r["rhs"] = r["rhs"].fillna("")
    return r


def ref_fit(name: str, ref=None) -> pd.Series:
    f = pd.read_csv((ref or REF) / f"{name}_fit.csv")
    return pd.Series(f["value"].to_numpy(), index=[m.replace(".", "_") for m in f["measure"]])


def merged(res, name: str, ref=None) -> pd.DataFrame:
    e = res.estimates.copy()
    e["rhs"] = e["rhs"].fillna("")
    r = ref_est(name, ref)
    key = ["lhs", "op", "rhs"] + (["group"] if "group" in r.columns else [])
    if "group" in r.columns:
        r = r[r["op"] != "=="]
        r["group"] = r["group"].astype(int)
    m = e.merge(r, on=key, suffixes=("", "_r"))
    assert len(m) == len(r), f"{len(r) - len(m)} lavaan rows without a match"
    return m


def assert_estimates(res, name: str, cols=("est", "se", "std_all"), tol=TOL, ref=None):
    m = merged(res, name, ref)
    for c in cols:
        rc = {"est": "est_r", "se": "se_r", "std_all": "std.all", "std_lv": "std.lv"}[c]
        diff = np.abs(m[c].to_numpy(float) - m[rc].to_numpy(float))
        assert np.nanmax(diff) < tol, f"{name}: {c} differs from lavaan by {np.nanmax(diff):.2e}"


def assert_fit(res, name: str, measures, tol=TOL, ref=None):
    f = ref_fit(name, ref)
    for k in measures:
        a, b = float(res.fit[k]), float(f[k])
        assert abs(a - b) < tol * max(1.0, abs(b)), f"{name}: {k} = {a} vs lavaan {b}"
