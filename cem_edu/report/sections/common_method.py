"""Common-method bias: Harman's single-factor test and the full-collinearity VIFs of the construct
scores, with the sentence that these tests are weak evidence (Podsakoff et al. 2003, 2012)."""
from __future__ import annotations

import pandas as pd

from ..context import Context, Section


def section(ctx: Context) -> Section:
    from ...psychometrics.common_method import HARMAN_LIMIT, VIF_LIMIT, common_method

    out = ctx.out
    if len(ctx.spec) < 2:
        return ctx.omit("common_method", "one_construct")
    s = Section("common_method", out.t("report.s.common_method"))
    res = common_method(ctx.cleaned, ctx.spec, ulmc_model=False, language=ctx.lang)
    harman = pd.DataFrame({out.t("report.col.share"): [res.harman_pct, res.harman_efa_pct]},
                          index=pd.Index([out.t("report.cmb.pca"), out.t("report.cmb.efa")],
                                         name=out.t("report.col.measure")))
    s.blocks.append(out.table(harman, out.t("report.cmb.harman_caption", p=res.n_items, limit=HARMAN_LIMIT),
                              digits=1))
    vif = res.full_collinearity_vif.to_frame(out.t("report.col.vif")).rename(index=ctx.construct_name)
    vif.index.name = out.t("construct")
    s.blocks.append(out.table(vif, out.t("cmb.title"), digits=2,
                              note=out.t("cmb.vif_line", vmax=out.num(float(res.full_collinearity_vif.max()), 2))))
    flagged = res.harman_pct >= HARMAN_LIMIT or float(res.full_collinearity_vif.max()) > VIF_LIMIT
    s.blocks.append(out.paragraph(out.t("report.cmb.verdict_warn" if flagged else "report.cmb.verdict_ok",
                                        pct=out.num(res.harman_pct, 1),
                                        vmax=out.num(float(res.full_collinearity_vif.max()), 2))))
    s.blocks.append(out.paragraph(out.t("cmb.weak"), "callout"))
    ctx.results["common_method"] = res.to_dict()
    return s
