"""Summary of findings and limitations."""
from __future__ import annotations

import numpy as np

from ...errors import InstrumentError
from ..context import Context, Section
from ..fitting import fit_sentence


def section(ctx: Context) -> Section:
    out = ctx.out
    s = Section("summary", out.t("report.s.summary"))
    items = []
    if ctx.rel is not None:
        a = ctx.rel["alpha"].dropna()
        if len(a):
            items.append(out.t("report.reliability_sentence", lo=out.num(a.min(), 2), hi=out.num(a.max(), 2),
                               k=int((a >= 0.70).sum()), m=len(a)))
    fitted = ctx.sem if ctx.sem is not None else ctx.cfa
    if fitted is not None:
        items.append(fit_sentence(out, fitted.fit))
    if ctx.sem is not None:
        est = ctx.sem.estimates
        paths = est[est.op == "~"]
        if len(paths):
            target = paths.lhs.value_counts().index[0]
            top = paths[paths.lhs == target].sort_values("std_all", key=np.abs, ascending=False).iloc[0]
            items.append(out.t("report.strongest_driver", target=ctx.construct_name(target),
                               driver=ctx.construct_name(top.rhs), beta=out.num(top.std_all, 2)))
    items.append(out.t("report.limitations", scale=_scale_phrase(ctx),
                       sample=out.t("report.sample_desc", n=len(ctx.data))))
    s.blocks.append(out.bullets(items))
    return s


def _scale_phrase(ctx: Context) -> str:
    """"answers on a 1–6 scale are ordinal": the range of the items' scales from the instrument, else
    the range observed in the data (never an assumed 1–7)."""
    out = ctx.out
    items = [i for cols in ctx.spec.values() for i in cols if i in ctx.data.columns]
    ranges = set()
    for item in items:
        scale = None
        if ctx.inst is not None:
            try:
                scale = ctx.inst.item(item).scale
            except InstrumentError:  # an item of the model that the instrument does not know
                scale = None
        if scale is not None:
            ranges.add((scale.min, scale.max))
        else:
            values = ctx.data[item].dropna()
            if len(values):
                ranges.add((float(values.min()), float(values.max())))
    if len(ranges) == 1:
        lo, hi = next(iter(ranges))
        return out.t("report.scale_one", lo=out.num(int(lo) if float(lo).is_integer() else lo),
                     hi=out.num(int(hi) if float(hi).is_integer() else hi))
    return out.t("report.scale_mixed")
