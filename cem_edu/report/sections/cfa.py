"""Measurement model (CFA): fit and standardised loadings of the constructs' items."""
from __future__ import annotations

import numpy as np

from ..context import Context, Section
from ...results import json_safe
from ..fitting import fit_blocks, fit_quietly, measurement_syntax


def section(ctx: Context) -> Section:
    out = ctx.out
    s = Section("cfa", out.t("report.s.cfa"))
    res = fit_quietly(ctx, measurement_syntax(ctx.spec), progress=False)
    ctx.cfa = res
    s.blocks.extend(fit_blocks(ctx, res))
    est = res.estimates
    load = est[est.op == "=~"][["lhs", "rhs", "est", "se", "std_all", "pvalue"]].copy()
    fixed = load["se"] == 0  # marker loadings fixed to 1: no SE, no test
    load.loc[fixed, ["se", "pvalue"]] = np.nan
    load["lhs"] = load["lhs"].map(ctx.construct_name)
    load.columns = [out.t("construct"), out.t("item"), out.t("report.col.b"), out.t("report.col.se"),
                    out.t("report.col.loading"), out.t("report.col.p")]
    s.blocks.append(out.table(load, out.t("report.loadings_caption"), index=False, pcols=(out.t("report.col.p"),)))
    ctx.results["cfa"] = {"fit": {k: json_safe(v) for k, v in res.fit.items()}}
    return s
