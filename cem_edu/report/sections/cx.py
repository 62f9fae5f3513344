"""Customer-experience analytics: NPS, expectation–experience gaps, journey map, rating matrix, IPMA.

Each part appears only when the data have what it needs (an NPS item, expectation pairs, stage and
channel, spend, a structural model).
"""
from __future__ import annotations


import pandas as pd

from ...results import json_records
from ..context import Context, Section


def section(ctx: Context) -> Section:
    from ... import cx, plots
    from ...cx._common import label as cx_label

    out, lang = ctx.out, ctx.lang
    s = Section("cx", out.t("report.s.cx"))
    results = {}
    d, inst = ctx.data, ctx.inst
    nps_col = inst.nps_item if inst is not None else ("NPS" if "NPS" in d.columns else None)
    if nps_col and nps_col in d.columns:
        by = "channel" if "channel" in d.columns else None
        r = cx.nps(d[nps_col], by=d[by] if by else None)
        s.blocks.append(out.heading("report.nps_caption"))
        shown = r.table[["n", "pct_promoters", "pct_passives", "pct_detractors", "nps", "ci_lower", "ci_upper"]]
        shown = shown.rename(index=lambda v: out.t("cx.plot.overall") if v == "overall"
                             else cx_label("channel", str(v), language=lang))
        shown.index.name = cx_label("col", "channel", language=lang) if by else None
        s.blocks.append(out.table(cx.translate_columns(shown, lang), out.t("report.nps_caption"), digits=1))
        ax = plots.nps_bar(r, language=lang)
        s.blocks.append(out.figure(ax.figure, out.t("report.nps_caption")))
        results["nps"] = float(r.nps)
    if inst is not None and inst.expectation_pairs and all(k in d.columns for k in inst.expectation_pairs):
        g = cx.gap(d, inst)
        s.blocks.append(out.heading("report.gap_caption"))
        shown = g[["expectation", "experience", "n", "mean_expectation", "mean_experience", "gap", "ci_lower",
                   "ci_upper", "dz"]].set_index("experience")
        s.blocks.append(out.table(cx.translate_columns(shown, lang), out.t("report.gap_caption"), digits=2))
        ax = plots.gap_plot(g, language=lang)
        s.blocks.append(out.figure(ax.figure, out.t("report.gap_caption")))
        results["gaps"] = json_records(g)
    if inst is not None and {"stage", "channel"} <= set(d.columns):
        jm = cx.journey_map(d, inst)
        s.blocks.append(out.heading("report.journey_caption"))
        ax = plots.journey_heatmap(jm, language=lang)
        s.blocks.append(out.figure(ax.figure, out.t("report.journey_caption")))
    if inst is not None and "spend" in d.columns:
        sat = inst.score(ctx.cleaned, constructs=["satisfaction"])["satisfaction"]
        forecast = d["forecast_spend"] if "forecast_spend" in d.columns else None
        rm = cx.rating_matrix(d["spend"], sat, forecast=forecast)
        s.blocks.append(out.heading("report.rating_caption"))
        qs = cx.quadrant_summary(rm)
        qs.index = pd.Index([cx.quadrant_label(str(q), lang) for q in qs.index], name=out.t("report.col.quadrant"))
        qs = qs.drop(columns=["quadrant_fa"], errors="ignore")
        s.blocks.append(out.table(cx.translate_columns(qs, lang), out.t("report.rating_caption"), digits=1))
        ax = plots.rating_matrix(rm, annotate=False, language=lang)
        s.blocks.append(out.figure(ax.figure, out.t("report.rating_caption")))
    if ctx.sem is not None and inst is not None:
        target = "loyalty" if "loyalty" in ctx.spec else list(ctx.spec)[-1]
        ip = cx.ipma(ctx.sem, ctx.cleaned, target=target, inst=inst)
        shown_target = ctx.construct_name(target)
        s.blocks.append(out.heading("report.ipma_caption", target=shown_target))
        shown = ip.assign(construct=[ctx.construct_name(c) for c in ip["construct"]],
                          quadrant=[cx_label("ipma_quadrant", q, language=lang) for q in ip["quadrant"]])
        shown = cx.translate_columns(shown, lang).set_index(cx_label("col", "construct", language=lang))
        s.blocks.append(out.table(shown, out.t("report.ipma_caption", target=shown_target)))
        ax = plots.ipma_map(ip, language=lang)
        s.blocks.append(out.figure(ax.figure, out.t("report.ipma_caption", target=shown_target)))
        results["ipma"] = json_records(ip)
    ctx.results["cx"] = results
    return s if s.blocks else ctx.omit("cx", "no_cx")
