"""Writes datasets/cafe_google_forms.csv: an invented café survey in the layout of a Google Forms CSV in Persian.

Run from the repository root:  python tests/reference/own_data/make_cafe.py [OUT.csv]
(tests/test_own_data.py regenerates it and compares it byte for byte).

Population model (seed 2026): three correlated factors service, ambience, satisfaction (correlations
.4 service–ambience, .6 service–satisfaction, .5 ambience–satisfaction); each item = 3.3 + 0.9·factor +
N(0, 0.7²), rounded and clipped to 1–5; SRV3 is worded negatively, so its answer is 6 − that value.
The file then looks like a Google Forms download: a "برچسب زمانی" (timestamp) column, the question texts
as headers (numbered "1. " ... as a form with numbered questions writes them, two with Arabic ي/ك),
answers as the Persian labels of the 5-point agreement scale, a few skipped (empty) answers.
"""
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[3]
LABELS = ["کاملاً مخالفم", "مخالفم", "نظری ندارم", "موافقم", "کاملاً موافقم"]


def make(n: int = 120, seed: int = 2026) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    codebook = pd.read_csv(ROOT / "datasets" / "cafe_codebook.csv")
    corr = np.array([[1, .4, .6], [.4, 1, .5], [.6, .5, 1]])
    f = rng.multivariate_normal(np.zeros(3), corr, size=n)
    which = {"service": 0, "ambience": 1, "satisfaction": 2}
    start = pd.Timestamp("2026-11-20 09:00:00") + pd.to_timedelta(np.sort(rng.uniform(0, 5 * 86400, n)), unit="s")
    out = {"برچسب زمانی": start.strftime("%Y/%m/%d %H:%M:%S")}
    for k, row in enumerate(codebook.itertuples(), 1):
        x = np.clip(np.round(3.3 + 0.9 * f[:, which[row.construct]] + rng.normal(0, 0.7, n)), 1, 5).astype(int)
        if row.reverse == "yes":
            x = 6 - x
        answers = np.array([LABELS[v - 1] for v in x], dtype=object)
        answers[rng.random(n) < 0.02] = ""  # an optional question left empty
        header = f"{k}. {row.text_fa}"
        if k in (2, 7):  # typed on an Arabic keyboard layout
            header = header.replace("ی", "ي").replace("ک", "ك")
        out[header] = answers
    return pd.DataFrame(out)


if __name__ == "__main__":
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "datasets" / "cafe_google_forms.csv"
    make().to_csv(path, index=False, encoding="utf-8")
