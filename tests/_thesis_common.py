"""Shared set-up of the thesis-toolkit tests (tests/reference/thesis.R)."""
from __future__ import annotations

import json

import pandas as pd

from conftest import ROOT

REF = ROOT / "tests" / "reference" / "thesis"
PSY = ROOT / "tests" / "reference" / "psychometrics"
HS = pd.read_csv(ROOT / "datasets" / "holzinger_swineford.csv")[[f"x{i}" for i in range(1, 10)]]
HS_SPEC = {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"], "speed": ["x7", "x8", "x9"]}
BFI = pd.read_csv(REF / "bfi500.csv")
BFI_SPEC = {k: [f"{k}{i}" for i in range(1, 6)] for k in "ACENO"}
BFI_REVERSE = ["A1", "C4", "C5", "E1", "E2", "O2", "O5"]
BFI_KEYED = BFI.assign(**{c: 7 - BFI[c] for c in BFI_REVERSE})
CEM = pd.read_csv(PSY / "cem_clean.csv")
CEM_SPEC = json.loads((PSY / "cem_spec.json").read_text())
SETS = {"hs": (HS, HS_SPEC), "bfi": (BFI, BFI_SPEC), "cem": (CEM, CEM_SPEC)}
KEYED = {"hs": (HS, HS_SPEC), "bfi": (BFI_KEYED, BFI_SPEC), "cem": (CEM, CEM_SPEC)}
