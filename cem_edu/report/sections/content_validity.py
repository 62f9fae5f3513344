"""Content validity from an expert panel (``panel=``): Lawshe's CVR for codes 1–3, the CVI with
modified kappa for relevance ratings 1–4 — chosen by the highest code in the sheet."""
from __future__ import annotations

from ...errors import DataError
from ...i18n import t
from ..context import Context, Section


def panel_method(panel, lang: str = "en") -> str:
    """"cvr" when the panel's codes stop at 3 (Lawshe: 1 not necessary … 3 essential), "cvi" when they
    reach 4 (relevance 1–4); a higher code is an error that names the two sheets the report reads."""
    from ...psychometrics.content_validity import read_panel

    ratings = read_panel(panel, (1, 5))
    top = int(ratings.max().max())
    if top <= 3:
        return "cvr"
    if top == 4:
        return "cvi"
    raise DataError(t("report.err.panel_fives", language=lang))


def section(ctx: Context) -> Section:
    from ...psychometrics.content_validity import cvi, cvr

    out = ctx.out
    if ctx.panel is None:
        return ctx.omit("content_validity", "no_panel")
    s = Section("content_validity", out.t("report.s.content_validity"))
    method = panel_method(ctx.panel, out.lang)
    res = (cvr if method == "cvr" else cvi)(ctx.panel, language=ctx.lang)
    tab = res._table().rename(columns=out.col)
    tab.index.name = out.t("item")
    s.blocks.append(out.paragraph(out.t(f"report.cv.intro_{method}", n=res.n_experts)))
    s.blocks.append(out.table(tab, res._title(), note=" ".join(res._notes())))
    ctx.results["content_validity"] = res.to_dict()
    return s
