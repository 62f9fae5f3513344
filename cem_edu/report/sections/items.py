"""Item descriptives: the table of item statistics and the Likert chart."""
from __future__ import annotations


from ...results import json_frame
from ..context import Context, Section


def section(ctx: Context) -> Section:
    from ...psychometrics.describe import describe_items

    out = ctx.out
    s = Section("items", out.t("report.s.items"))
    spec = ctx.inst if ctx.inst is not None else ctx.spec
    desc = describe_items(ctx.data, spec)
    shown = desc.copy()
    if "construct" in shown.columns:
        shown["construct"] = shown["construct"].map(lambda c: ctx.construct_name(c) if isinstance(c, str) else c)
    shown = shown.rename(columns=out.col)
    shown.index.name = out.t("item")
    s.blocks.append(out.table(shown, out.t("report.s.items"), digits=2))
    ctx.results["items"] = json_frame(desc)
    items = [i for i in (ctx.inst.likert_items if ctx.inst else sum(ctx.spec.values(), [])) if i in ctx.data.columns]
    if ctx.inst is not None and items:
        from ...plots import likert

        ax = likert(ctx.data, items, instrument=ctx.inst, language=ctx.lang)
        s.blocks.append(out.figure(ax.figure, out.t("report.likert_caption")))
    return s
