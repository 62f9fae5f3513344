"""An action plan a manager can act on: IPMA, gaps and journey map combined and ranked."""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError
from ..i18n import t, format_number
from ..validation import check_columns
from ._common import label, translate_columns
from .gap import GAP_COLUMNS

__all__ = ["action_plan", "export_action_plan", "ACTION_COLUMNS"]

ACTION_COLUMNS = ("priority", "what", "where", "owner", "expected_impact", "evidence", "score", "level",
                  "source", "status", "due")


def _level(score: float) -> str:
    return "high" if score >= 2 / 3 else ("medium" if score >= 1 / 3 else "low")


def _from_ipma(ipma: pd.DataFrame, owners: Mapping) -> list[dict]:
    target = ipma.attrs.get("target", "target")
    tab = ipma[ipma["importance"] > 0].copy()
    if tab.empty:
        return []
    pot = tab["importance"] * (100 - tab["performance"])
    top = pot.max()
    rows = []
    for (_, r), p in zip(tab.iterrows(), pot):
        gain = 10 * r["importance"]
        rows.append({
            "what": t("cx.plan.ipma_what", construct=label("construct", r["construct"]),
                      perf=format_number(r['performance'], 0)),
            "where": label("construct", r["construct"]),
            "owner": owners.get(r["construct"], ""),
            "expected_impact": t("cx.plan.ipma_impact", gain=format_number(gain, 1),
                                 target=label("construct", target)),
            "evidence": t("cx.plan.ipma_evidence", imp=format_number(r['importance'], 2),
                          perf=format_number(r['performance'], 0),
                          quadrant=label("ipma_quadrant", r.get("quadrant", ""))),
            "score": float(p / top) if top > 0 else 0.0, "source": "ipma"})
    return rows


def _from_gaps(gaps: pd.DataFrame, owners: Mapping, alpha: float) -> list[dict]:
    tab = gaps[(gaps["gap"] < 0)].copy()
    if "ci_upper" in tab.columns:
        tab = tab[tab["ci_upper"] < 0]  # only shortfalls the CI confirms
    if tab.empty:
        return []
    size = tab["dz"].abs().fillna(0) if "dz" in tab.columns else tab["gap"].abs()
    top = size.max()
    rows = []
    seg_col = next((c for c in gaps.columns if c not in GAP_COLUMNS), None)
    for (_, r), s in zip(tab.iterrows(), size):
        where = str(r["group"]) + (f" ({r[seg_col]})" if seg_col else "")
        rows.append({
            "what": t("cx.plan.gap_what", item=where),
            "where": where, "owner": owners.get(str(r["group"]), ""),
            "expected_impact": t("cx.plan.gap_impact", gap=format_number(-r['gap'], 2)),
            "evidence": t("cx.plan.gap_evidence", gap=format_number(r['gap'], 2), lo=format_number(r['ci_lower'], 2),
                          hi=format_number(r['ci_upper'], 2), dz=format_number(r.get('dz', np.nan), 2), n=int(r["n"])),
            "score": float(s / top) if top > 0 else 0.0, "source": "gap"})
    return rows


def _from_journey(journey, owners: Mapping, min_n: int) -> list[dict]:
    tab = journey.table if hasattr(journey, "table") else journey
    tab = tab[(tab["n"] >= min_n) & (tab["gap"] < 0)].copy()
    if tab.empty:
        return []
    weight = -tab["gap"] * np.sqrt(tab["n"])  # size of the shortfall, more weight to busy cells
    top = weight.max()
    rows = []
    for (_, r), w in zip(tab.iterrows(), weight):
        where = f"{label('stage', r['stage'])} × {label('channel', r['channel'])}"
        action = str(r.get("action", "") or "")
        rows.append({
            "what": action or t("cx.plan.journey_what", where=where),
            "where": where,
            "owner": str(r.get("unit", "") or "") or owners.get(f"{r['stage']}/{r['channel']}", ""),
            "expected_impact": str(r.get("impact", "") or "") or t("cx.plan.journey_impact",
                                                                   gap=format_number(-r['gap'], 2)),
            "evidence": t("cx.plan.journey_evidence", exp=format_number(r['experience'], 2),
                          desired=format_number(r['desired'], 2),
                          n=int(r["n"])),
            "score": float(w / top) if top > 0 else 0.0, "source": "journey"})
    return rows


def action_plan(ipma=None, gaps=None, journey=None, *, owners: Mapping | None = None, top: int | None = 10,
                min_n: int = 5, alpha: float = 0.05, extra=None) -> pd.DataFrame:
    """A ranked, editable action plan from the IPMA, the expectation gaps and the journey map.

    Each source proposes actions and scores them from 0 to 1 within the source (relative to its
    largest value):

    * IPMA: importance × (100 − performance) — the gain in the target if the construct reached
      full performance (Ringle & Sarstedt 2016); expected impact = 10 × importance, the target
      points won by 10 more performance points;
    * gaps: |Cohen's d_z| of shortfalls (P − E < 0) whose CI lies below 0;
    * journey: −gap × √n of cells below the desired level with n ≥ ``min_n``, with the
      responsible unit, action and impact the team wrote in the actions file.

    Rows are ranked by score (ties: IPMA, then journey, then gaps); ``level`` is high (score ≥ ⅔),
    medium (≥ ⅓) or low. The combined ranking is a heuristic for a discussion, not a statistic:
    the team edits the table (owner, status, due) and exports it with ``.to_excel(path)`` or
    :func:`export_action_plan` (headings in the current language).

    Parameters
    ----------
    ipma : result of :func:`cem_edu.cx.ipma` (or :func:`ipma_table`).
    gaps : result of :func:`cem_edu.cx.gap`.
    journey : result of :func:`cem_edu.cx.journey_map` (or its ``.table``).
    owners : {construct / gap group / "stage/channel": owner} for rows without one.
    top : keep the first ``top`` rows of the ranked evidence (None keeps all).
    extra : further actions without a score (e.g. the unticked items of the twelve-technique
        checklist): a list of strings or of dicts / a DataFrame with at least ``what``; appended
        after the ranked rows with level "review" and source "manual" (unless given).

    Returns
    -------
    DataFrame with columns priority, what, where, owner, expected_impact, evidence, score,
    level, source, status, due.
    """
    if ipma is None and gaps is None and journey is None and extra is None:
        raise DataError(t("cx.err.action_plan_empty"))
    owners = dict(owners or {})
    rows = []
    if ipma is not None:
        rows += _from_ipma(ipma, owners)
    if journey is not None:
        rows += _from_journey(journey, owners, min_n)
    if gaps is not None:
        rows += _from_gaps(gaps, owners, alpha)
    order = {"ipma": 0, "journey": 1, "gap": 2}
    plan = pd.DataFrame(rows, columns=["what", "where", "owner", "expected_impact", "evidence", "score", "source"])
    if plan.empty and extra is None:
        plan = pd.DataFrame(columns=list(ACTION_COLUMNS))
        plan.attrs["note"] = t("cx.plan.empty")
        return plan
    plan["_o"] = plan["source"].map(order)
    plan = plan.sort_values(["score", "_o"], ascending=[False, True], kind="stable").drop(columns="_o")
    if top is not None:
        plan = plan.head(top)
    plan["level"] = plan["score"].map(_level)
    if extra is not None:
        more = pd.DataFrame([{"what": e} if isinstance(e, str) else dict(e) for e in extra]) \
            if not isinstance(extra, pd.DataFrame) else extra.copy()
        check_columns(more, ["what"], what="action_plan(extra=...)")
        for col, default in (("where", ""), ("owner", ""), ("expected_impact", ""), ("evidence", ""),
                             ("source", "manual"), ("level", "review")):
            if col not in more.columns:
                more[col] = default
        more["score"] = np.nan
        plan = pd.concat([plan, more[["what", "where", "owner", "expected_impact", "evidence", "score", "source",
                                      "level"]]], ignore_index=True)
    plan = plan.reset_index(drop=True)
    plan.insert(0, "priority", np.arange(1, len(plan) + 1))
    plan["status"] = ""
    plan["due"] = ""
    plan["owner"] = plan["owner"].fillna("").replace("", t("cx.plan.to_assign"))
    return plan[list(ACTION_COLUMNS)]


def export_action_plan(plan: pd.DataFrame, path, language: str | None = None) -> Path:
    """Write the plan to Excel (.xlsx) or CSV with headings in the current (or given) language."""
    path = Path(path)
    shown = translate_columns(plan, language)
    if path.suffix.lower() == ".csv":
        shown.to_csv(path, index=False, encoding="utf-8-sig")
    elif path.suffix.lower() in (".xlsx", ".xlsm"):
        shown.to_excel(path, index=False, sheet_name="action_plan")
    else:
        raise DataError(t("cx.err.action_plan_suffix", language, file=path.name))
    return path
