"""Groups: measurement invariance of the measurement model across the levels of ``group``."""
from __future__ import annotations

from ...validation import check_group_column
from ..context import Context, Section
from ..fitting import measurement_syntax


def section(ctx: Context) -> Section:
    out = ctx.out
    if not ctx.group:
        return ctx.omit("groups", "no_group")
    s = Section("groups", out.t("report.s.groups"))
    check_group_column(ctx.data, ctx.group, language=out.lang)
    from ...sem import invariance

    variables = [v for items in ctx.spec.values() for v in items]
    data = ctx.data
    if ctx.missing == "listwise":
        # a group with no more complete answers than variables has a singular covariance matrix
        complete = ctx.data.dropna(subset=variables).groupby(ctx.group, observed=True).size()
        small = complete[complete <= len(variables)]
        if len(small):
            groups = ", ".join(f"{g} (n = {n})" for g, n in small.items())
            s.blocks.append(out.paragraph(out.t("report.groups_dropped", groups=groups, p=len(variables)), "callout"))
            data = ctx.data[~ctx.data[ctx.group].isin(small.index)]
    res = invariance(measurement_syntax(ctx.spec), data, group=ctx.group, missing=ctx.missing, ordered=ctx.ordered)
    s.blocks.append(out.table(res.table, out.t("report.invariance_caption", group=ctx.group),
                              pcols=("pvalue", "delta_pvalue")))
    rule = res.rule_sentence(ctx.lang)
    if rule:  # which of Chen's (2007) cut-offs were applied, and why
        s.blocks.append(out.paragraph(rule))
    for level, text in res.guidance_in(ctx.lang).items():
        s.blocks.append(out.paragraph(f"{level}: {text}"))
    ctx.results["invariance"] = res.to_dict()
    return s
