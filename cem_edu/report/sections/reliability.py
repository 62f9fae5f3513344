"""Reliability and validity: alpha (Feldt CI), omega, CR, AVE per construct; HTMT table and heatmap.

Items that look reverse-keyed (psych::alpha's check: a negative loading on the construct's first
principal component) are named in a callout above the table, with how to declare them.
"""
from __future__ import annotations


from ...results import json_frame
from ..context import Context, Section


def section(ctx: Context) -> Section:
    from ...plots import htmt_heatmap
    from ...psychometrics.reliability import htmt, reliability

    out = ctx.out
    s = Section("reliability", out.t("report.s.reliability"))
    rel = reliability(ctx.data, ctx.spec, warn=False)
    ctx.rel = rel
    suspects = rel.attrs.get("reverse_suspects") or {}
    if suspects:
        named = "; ".join(f"{ctx.construct_name(c)}: {', '.join(items)}" for c, items in suspects.items())
        every = ",".join(i for items in suspects.values() for i in items)
        s.blocks.append(out.paragraph(out.t("report.reverse_callout", items=out.isolate(named),
                                            cli=out.isolate(f"--reverse {every}")), "callout"))
    shown = rel[["n_items", "n", "alpha", "alpha_ci_lower", "alpha_ci_upper", "omega", "cr", "ave"]]
    shown = shown.rename(index=ctx.construct_name, columns=out.col)
    shown.index.name = out.t("construct")
    s.blocks.append(out.table(shown, out.t("report.s.reliability"), note=out.t("report.thresholds")))
    h = htmt(ctx.data, ctx.spec)
    shown_h = h.rename(index=ctx.construct_name, columns=ctx.construct_name)
    shown_h.index.name = out.t("construct")
    s.blocks.append(out.table(shown_h, out.t("report.htmt_caption")))
    ax = htmt_heatmap(shown_h.rename_axis(index=None), language=ctx.lang)
    s.blocks.append(out.figure(ax.figure, out.t("report.htmt_caption")))
    ctx.results["reliability"] = json_frame(rel)
    ctx.results["reverse_suspects"] = {str(c): list(items) for c, items in suspects.items()}
    ctx.results["htmt"] = json_frame(h)
    return s
