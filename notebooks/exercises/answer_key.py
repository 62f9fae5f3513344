"""Answer key of the cem-edu exercise set (instructors only; it ships only in the autograder zip).

Every expected answer is *computed by the kit at grading time* from the bundled data and the
questionnaire, never typed in: if a later version of the kit changes a number, the key follows.
The hidden tests of ``cem_exercises.ipynb`` import this module (``otter assign`` copies it into
the autograder through ``autograder_files``; it is not in the student folder).

The given tables (the NPS answers, the customer list of the rating matrix) are repeated here on
purpose: the grader uses its own copy, so a student who edits the table in the notebook does not
change the key. ``tests/test_exercises.py`` checks that the two copies agree.
"""
from __future__ import annotations

import math
import numbers
import warnings
from functools import lru_cache

import numpy as np

import cem_edu as ce

# q1: the "likely to recommend" answers (0-10) of 15 customers of one branch.
NPS_SCORES = [10, 9, 8, 7, 10, 6, 9, 3, 10, 8, 9, 5, 7, 10, 9]

# q2: statement letter -> questionnaire item whose wording the prompt shows. The clue types come from
# the kit's one clue key (cem_edu/clue_key.yaml, ``nb.clue_key("questionnaire")``), the key notebooks
# 01 and 09 use too; tests/test_exercises.py checks it agrees with the questionnaire's constructs.
CLUE_ITEMS = {"a": "MEC2", "b": "HUM1", "c": "FUN2", "d": "MEC4", "e": "HUM4", "f": "FUN3"}
CLUE_TYPES = ("functional", "mechanic", "humanic")

# q3, q6: the constructs asked about.
ALPHA_CONSTRUCT = "humanic"
GAP_CONSTRUCT = "mechanic"

# q5: the cut-offs of Hu & Bentler (1999) the notebooks teach.
CFI_MIN = 0.95
RMSEA_MAX = 0.06

# q7: customers of a small firm (revenue and forecast in million dollars, satisfaction 0-100 index).
CUSTOMERS = {
    "customer": ["Aria", "Baran", "Cyrus", "Dena", "Elham", "Farid"],
    "revenue": [18.0, 4.5, 12.0, 22.0, 7.5, 10.0],
    "satisfaction": [35, 80, 72, 64, 41, 58],
}
REVENUE_THRESHOLD = 10.0
SATISFACTION_THRESHOLD = 60.0


@lru_cache(maxsize=1)
def survey():
    """The questionnaire and the cleaned bundled survey (loaded once per grading run)."""
    inst = ce.load_instrument()
    data = ce.clean(ce.load_dataset("cem_survey"), inst).data
    return inst, data


@lru_cache(maxsize=1)
def reliability_table():
    inst, data = survey()
    return ce.reliability(data, inst)


def nps() -> float:
    """q1: NPS of ``NPS_SCORES`` (percent, -100..100)."""
    return float(ce.nps(NPS_SCORES).nps)


def clues() -> dict[str, str]:
    """q2: statement letter -> clue type, read from the kit's shared clue key."""
    from cem_edu import notebook as nb

    key = nb.clue_key("questionnaire").set_index("item")
    return {letter: str(key.loc[item_id, "type"]) for letter, item_id in CLUE_ITEMS.items()}


def alpha() -> float:
    """q3: Cronbach's alpha of ``ALPHA_CONSTRUCT`` (unrounded)."""
    return float(reliability_table().loc[ALPHA_CONSTRUCT, "alpha"])


def lowest_ave() -> str:
    """q4: the construct with the lowest AVE."""
    return str(reliability_table()["ave"].astype(float).idxmin())


@lru_cache(maxsize=1)
def fit() -> dict:
    """q5: CFI and RMSEA of the measurement model (CFA) and the verdict under the cut-offs."""
    inst, data = survey()
    with warnings.catch_warnings():   # the listwise-deletion note is for students, not for the grader
        warnings.simplefilter("ignore", ce.EstimationWarning)
        res = ce.fit(inst.model(structural=False), data, progress=False)
    cfi, rmsea = float(res.fit["cfi"]), float(res.fit["rmsea"])
    return {"cfi": cfi, "rmsea": rmsea, "good_fit": bool(cfi >= CFI_MIN and rmsea <= RMSEA_MAX)}


def gap() -> dict:
    """q6: the expectation-experience gap of ``GAP_CONSTRUCT`` (construct level) and whether it is a shortfall."""
    inst, data = survey()
    table = ce.gap(data, inst, level="construct").set_index("group")
    row = table.loc[GAP_CONSTRUCT]
    return {"gap": float(row["gap"]), "shortfall": bool(row["ci_upper"] < 0)}


def quadrants() -> dict[str, str]:
    """q7: customer -> quadrant of the customer rating matrix (English names)."""
    import pandas as pd

    m = ce.rating_matrix("revenue", "satisfaction", data=pd.DataFrame(CUSTOMERS), labels="customer",
                         revenue_threshold=REVENUE_THRESHOLD, satisfaction_threshold=SATISFACTION_THRESHOLD)
    return {str(k): str(v) for k, v in m["quadrant"].items()}


# ---- comparison helpers used by the hidden tests -------------------------------------------
# ``expected`` may be a value or a function of the key (e.g. ``key.alpha``): a function is called
# only when the answer has the right form, so a blank notebook is graded without refitting models.

def _value(expected):
    return expected() if callable(expected) else expected


def number(x) -> float | None:
    """``x`` as a float, or None when it is not a real number (Ellipsis, text, None, NaN, bool)."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        return None
    value = float(x)
    return None if math.isnan(value) else value


def close(x, expected, tol: float) -> bool:
    """True when ``x`` is a number within ``tol`` of ``expected``."""
    value = number(x)
    return value is not None and abs(value - _value(expected)) <= tol


def rounded_to_2(x, expected) -> bool:
    """True when ``x`` is ``expected`` reported to 2 decimals (either rounding of a tie is accepted)."""
    value = number(x)
    return (value is not None and abs(value - round(value, 2)) < 1e-9
            and abs(value - _value(expected)) <= 0.005 + 1e-9)


def same_bool(x, expected) -> bool:
    """True when ``x`` is True/False (a numpy bool too) and equals ``expected``."""
    return isinstance(x, (bool, np.bool_)) and bool(x) is bool(_value(expected))


def same_word(x, expected, language_keys: tuple[str, ...] = ()) -> bool:
    """True when ``x`` names ``expected`` (case and spaces ignored; the Persian label is accepted too)."""
    if not isinstance(x, str):
        return False
    expected = _value(expected)
    given = " ".join(x.strip().lower().replace("_", " ").split())
    names = {" ".join(expected.lower().replace("_", " ").split())}
    for key in language_keys:
        names.add(" ".join(ce.t(key, language="fa").split()))
    return given in names


def quadrant_matches(x, expected: str) -> bool:
    key = "cx.quadrant." + expected.lower().replace(" ", "_")
    return same_word(x, expected, (key,))


def clue_matches(x, expected: str) -> bool:
    return same_word(x, expected, ("curriculum.clue." + expected,))
