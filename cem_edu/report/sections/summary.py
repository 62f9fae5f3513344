"""Summary of findings and limitations."""
from __future__ import annotations

import numpy as np

from ..context import Context, Section
from ..fitting import fit_sentence
from ..html import esc


def section(ctx: Context) -> Section:
    out = ctx.out
    s = Section("summary", out.t("report.s.summary"))
    items = []
    if ctx.rel is not None:
        a = ctx.rel["alpha"].dropna()
        if len(a):
            items.append(out.t("report.reliability_sentence", lo=out.num(a.min(), 2), hi=out.num(a.max(), 2),
                               k=int((a >= 0.70).sum()), m=len(a)))
    if ctx.sem is not None:
        items.append(fit_sentence(out, ctx.sem.fit))
        est = ctx.sem.estimates
        paths = est[est.op == "~"]
        if len(paths):
            target = paths.lhs.value_counts().index[0]
            top = paths[paths.lhs == target].sort_values("std_all", key=np.abs, ascending=False).iloc[0]
            items.append(out.t("report.strongest_driver", target=ctx.construct_name(target),
                               driver=ctx.construct_name(top.rhs), beta=out.num(top.std_all, 2)))
    items.append(out.t("report.limitations", sample=out.t("report.sample_desc", n=len(ctx.data))))
    s.blocks.append("<ul>" + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ul>")
    return s
