"""Sample profile: counts and shares of the respondent fields (segment, channel, stage)."""
from __future__ import annotations

import pandas as pd

from ..context import Context, Section

RESPONDENT_FIELDS = ("segment", "channel", "stage")


def section(ctx: Context) -> Section:
    out = ctx.out
    present = [f for f in RESPONDENT_FIELDS if f in ctx.data.columns]
    if not present:
        return ctx.omit("profile", "no_profile")
    s = Section("profile", out.t("report.s.profile"))
    profile = {}
    for f in present:
        counts = ctx.data[f].value_counts(dropna=False)
        name = ctx.field_name(f)
        frame = pd.DataFrame({out.t("report.col.count"): counts.astype(int),
                              out.t("report.col.share"): 100 * counts / counts.sum()})
        frame.index = [ctx.field_label(f, c) for c in counts.index]
        frame.index.name = name
        s.blocks.append(out.table(frame, out.t("report.profile_of", field=name), digits=1))
        profile[f] = {str(k): int(v) for k, v in counts.items()}
    ctx.results["profile"] = profile
    return s
