"""Data and cleaning: what was read, the cleaning log and the quality flags."""
from __future__ import annotations

import json

import pandas as pd

from ..context import Context, Section


def section(ctx: Context) -> Section:
    out = ctx.out
    s = Section("data", out.t("report.s.data"))
    s.blocks.append(out.paragraph(out.t("report.n_raw", n=len(ctx.raw), p=ctx.raw.shape[1])))
    if ctx.inst is not None:
        from ...intake import clean

        ctx.clean = clean(ctx.raw, ctx.inst, out_of_range=ctx.out_of_range, language=ctx.lang)
        ctx.data = ctx.clean.data
        log = ctx.clean.log.copy()
        log["step"] = log["step"].map(out.step)
        log.columns = [out.t(f"report.col.{c}") for c in log.columns]
        s.blocks.append(out.table(log, out.t("report.cleaning_log"), index=False, digits=0))
        flags = ctx.clean.flags
        counts = pd.DataFrame({out.t("report.col.count"): flags.sum().astype(int),
                               out.t("report.col.share"): 100 * flags.mean()})
        counts.index = [out.flag(f) for f in counts.index]
        counts.index.name = out.t("report.col.flag")
        s.blocks.append(out.table(counts, out.t("report.flag_counts"), digits=1))
        dropped = len(ctx.raw) - len(ctx.data)
        log_json = json.loads(ctx.clean.log.to_json(orient="records", force_ascii=False, double_precision=15))
        ctx.results["cleaning"] = {"n_raw": len(ctx.raw), "n_clean": len(ctx.data), "dropped": dropped, "log": log_json}
    else:
        num = ctx.raw.apply(pd.to_numeric, errors="coerce")
        ctx.data = num.loc[:, num.notna().any()]
        s.blocks.append(out.paragraph(out.t("report.no_instrument"), "callout"))
        ctx.results["cleaning"] = {"n_raw": len(ctx.raw), "n_clean": len(ctx.data), "dropped": 0, "log": []}
    s.blocks.append(out.paragraph(out.t("report.n_clean", n=len(ctx.data), n_raw=len(ctx.raw))))
    ctx.resolve_defaults()
    return s
