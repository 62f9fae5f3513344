"""The report: one call from a data file to a self-contained fa/en HTML report.

``ce.report(data, instrument=None, model=None, lang="en", group=None, bootstrap=1000,
out="report.html")`` runs the kit's analyses in order — cleaning, sample profile, item
descriptives, reliability and validity, CFA, structural model with bootstrap intervals,
invariance across groups, CX analytics — and writes one HTML file with every figure
inlined as SVG and the Vazirmatn font embedded, so it opens offline and prints cleanly.
Persian reports are right-to-left with Persian digits.

All text that comes from the data (column names, labels, free text) is escaped.
A section whose data are missing (e.g. no NPS column) says so instead of failing; an
analysis that cannot run on the data (e.g. a model that is not identified) is reported
in its section with the reason.
"""
from __future__ import annotations

import base64
import datetime as _dt
import html
import io
import json
import platform
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from .. import __version__
from ..errors import CemError, DataError
from ..i18n import format_number, get_language, set_language, t, to_persian_digits

__all__ = ["build_report", "json_value"]

RESPONDENT_FIELDS = ("segment", "channel", "stage")


@dataclass
class Section:
    id: str
    title: str
    blocks: list[str] = field(default_factory=list)


@dataclass
class ReportResult:
    """What the report computed: its sections (HTML) and the numbers (``results``, JSON-ready)."""
    sections: list[Section]
    results: dict
    html: str


# ------------------------------------------------------------------------------ formatting helpers
def _esc(value) -> str:
    """HTML-escape text; Unicode left-to-right isolates (U+2066…U+2069) become ``<span dir="ltr">``,
    which every browser honours (numbers and command-line options inside Persian text)."""
    text = html.escape(str(value), quote=True)
    return text.replace("\u2066", '<span dir="ltr">').replace("\u2069", "</span>")


def _isolate(text: str) -> str:
    """In Persian text, keep a number left-to-right (minus sign, "<", decimals) with Unicode isolates."""
    return f"\u2066{text}\u2069" if get_language() == "fa" else text


def _num(value, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "—"
    if isinstance(value, (bool, np.bool_)):
        return str(value)
    if isinstance(value, (int, np.integer)):
        return _isolate(to_persian_digits(int(value))) if get_language() == "fa" else str(int(value))
    try:
        return _isolate(format_number(float(value), digits))
    except (TypeError, ValueError):
        return str(value)


def _p(value) -> str:
    """p-values: APA style in English (no leading zero, < .001); Persian keeps the zero (< ۰٫۰۰۱)."""
    if value is None or not np.isfinite(value):
        return "—"
    if get_language() == "fa":
        return _isolate("< ۰٫۰۰۱" if value < 0.001 else to_persian_digits(f"{value:.3f}"))
    return "< .001" if value < 0.001 else f"{value:.3f}".lstrip("0")


def _col(name) -> str:
    """A column heading in the report's language (``report.col.<name>``), else the name itself."""
    key = f"report.col.{name}"
    text = t(key)
    return str(name) if text == key else text


def _text(key: str, **fields) -> str:
    return _esc(t(key, **fields))


def table(frame: pd.DataFrame, caption: str, *, digits: int = 3, note: str | None = None, index: bool = True,
          pcols: tuple[str, ...] = ()) -> str:
    """An APA-style HTML table; every cell escaped, numbers in the report's language.

    Integer columns print without decimals, float columns with ``digits``, ``pcols`` as p-values.
    """
    numeric = {c: pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
               for c in frame.columns}
    integer = {c: pd.api.types.is_integer_dtype(frame[c]) for c in frame.columns}

    def cell(col, v) -> str:
        if col in pcols:
            return f"<td>{_esc(_p(v))}</td>"
        if numeric[col]:
            return f"<td>{_esc(_num(int(v) if integer[col] else v, digits))}</td>"
        empty = v is None or (isinstance(v, float) and np.isnan(v))
        return f'<td class="text">{_esc("" if empty else v)}</td>'

    head = ([f'<th class="text">{_esc(frame.index.name or "")}</th>'] if index else []) + [
        f'<th{"" if numeric[c] else " class=text"}>{_esc(c)}</th>' for c in frame.columns]
    rows = []
    for idx, values in zip(frame.index, frame.itertuples(index=False, name=None)):
        cells = [f'<td class="text">{_esc(idx)}</td>'] if index else []
        cells += [cell(col, v) for col, v in zip(frame.columns, values)]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    out = (f'<div class="table-wrap"><table><caption>{_esc(caption)}</caption>'
           f"<thead><tr>{''.join(head)}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>")
    if note:
        out += f'<p class="note">{_esc(note)}</p>'
    return out


def figure(fig, caption: str) -> str:
    """Inline SVG of a matplotlib figure (text as paths, so Persian needs no font in the viewer)."""
    import matplotlib
    import matplotlib.pyplot as plt

    buf = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "path", "svg.hashsalt": "cem-edu"}):
        fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    svg = buf.getvalue()
    svg = svg[svg.find("<svg"):]  # drop the XML prolog and doctype: inline SVG
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    return f"<figure>{svg}<figcaption>{_esc(caption)}</figcaption></figure>"


def paragraph(text: str, cls: str | None = None) -> str:
    return f'<p{f" class={cls!r}" if cls else ""}>{_esc(text)}</p>'


def skipped(reason) -> str:
    return f'<p class="skipped">{_text("report.skipped", why=str(reason))}</p>'


# ------------------------------------------------------------------------------ the analyses
class _Context:
    """State shared by the sections of one report."""

    def __init__(self, raw, source, inst, model, group, bootstrap, seed, progress, missing="listwise",
                 out_of_range="error"):
        self.raw, self.source, self.inst, self.model_text, self.missing = raw, source, inst, model, missing
        self.out_of_range = out_of_range
        self.group, self.bootstrap, self.seed, self.progress = group, bootstrap, seed, progress
        self.results: dict = {}
        self.clean = None
        self.data: pd.DataFrame | None = None
        self.spec = None
        self.sem = None
        self.cfa = None
        self.rel = None


def _spec_from_model(model_text: str) -> dict[str, list[str]]:
    spec: dict[str, list[str]] = {}
    for line in model_text.splitlines():
        line = line.split("#", 1)[0].strip()
        if "=~" in line:
            lhs, rhs = line.split("=~", 1)
            spec[lhs.strip()] = [tok.split("*")[-1].strip() for tok in rhs.split("+") if tok.strip()]
    return spec


def _measurement_text(spec: dict[str, list[str]]) -> str:
    return "\n".join(f"{c} =~ " + " + ".join(items) for c, items in spec.items()) + "\n"


def _section_data(ctx: _Context) -> Section:
    s = Section("data", t("report.s.data"))
    s.blocks.append(paragraph(t("report.n_raw", n=len(ctx.raw), p=ctx.raw.shape[1])))
    if ctx.inst is not None:
        from ..intake import clean

        ctx.clean = clean(ctx.raw, ctx.inst, out_of_range=ctx.out_of_range)
        ctx.data = ctx.clean.data
        log = ctx.clean.log.copy()
        log.columns = [t(f"report.col.{c}") for c in log.columns]
        s.blocks.append(table(log, t("report.cleaning_log"), index=False, digits=0))
        flags = ctx.clean.flags
        counts = pd.DataFrame({t("report.col.count"): flags.sum().astype(int),
                               t("report.col.share"): 100 * flags.mean()})
        counts.index.name = t("report.col.flag")
        s.blocks.append(table(counts, t("report.flag_counts"), digits=1))
        dropped = len(ctx.raw) - len(ctx.data)
        ctx.results["cleaning"] = {"n_raw": len(ctx.raw), "n_clean": len(ctx.data), "dropped": dropped,
                                   "log": json.loads(ctx.clean.log.to_json(orient="records", force_ascii=False, double_precision=15))}
    else:
        num = ctx.raw.apply(pd.to_numeric, errors="coerce")
        ctx.data = num.loc[:, num.notna().any()]
        s.blocks.append(paragraph(t("report.no_instrument"), "callout"))
        ctx.results["cleaning"] = {"n_raw": len(ctx.raw), "n_clean": len(ctx.data), "dropped": 0, "log": []}
    s.blocks.append(paragraph(t("report.n_clean", n=len(ctx.data), n_raw=len(ctx.raw))))
    return s


def _field_label(inst, field_id: str, code) -> str:
    lang = get_language()
    try:
        choices = inst.field(field_id).choices or {}
    except (CemError, AttributeError, KeyError):
        return str(code)
    entry = choices.get(code) or choices.get(str(code))
    if isinstance(entry, dict):
        return entry.get(lang) or entry.get("en") or str(code)
    return str(code)


def _field_name(inst, field_id: str) -> str:
    try:
        label = inst.field(field_id).label
        return label.get(get_language()) or label.get("en") or field_id
    except (CemError, AttributeError, KeyError):
        return field_id


def _section_profile(ctx: _Context) -> Section:
    s = Section("profile", t("report.s.profile"))
    present = [f for f in RESPONDENT_FIELDS if f in ctx.data.columns]
    if not present:
        s.blocks.append(paragraph(t("report.no_profile"), "skipped"))
        return s
    profile = {}
    for f in present:
        counts = ctx.data[f].value_counts(dropna=False)
        name = _field_name(ctx.inst, f) if ctx.inst else f
        frame = pd.DataFrame({t("report.col.count"): counts.astype(int), t("report.col.share"): 100 * counts / counts.sum()})
        frame.index = [_field_label(ctx.inst, f, c) if ctx.inst else str(c) for c in counts.index]
        frame.index.name = name
        s.blocks.append(table(frame, t("report.profile_of", field=name), digits=1))
        profile[f] = {str(k): int(v) for k, v in counts.items()}
    ctx.results["profile"] = profile
    return s


def _section_items(ctx: _Context) -> Section:
    from ..psychometrics.describe import describe_items

    s = Section("items", t("report.s.items"))
    spec = ctx.inst if ctx.inst is not None else ctx.spec
    desc = describe_items(ctx.data, spec)
    shown = desc.copy()
    if "construct" in shown.columns:
        shown["construct"] = shown["construct"].map(lambda c: _construct_name(ctx, c) if isinstance(c, str) else c)
    shown = shown.rename(columns=_col)
    shown.index.name = t("item")
    s.blocks.append(table(shown, t("report.s.items"), digits=2))
    ctx.results["items"] = json.loads(desc.to_json(orient="index", force_ascii=False, double_precision=15))
    items = [i for i in (ctx.inst.likert_items if ctx.inst else sum(ctx.spec.values(), [])) if i in ctx.data.columns]
    if ctx.inst is not None and items:
        from ..plots import likert

        ax = likert(ctx.data, items, instrument=ctx.inst)
        s.blocks.append(figure(ax.figure, t("report.likert_caption")))
    return s


def _section_reliability(ctx: _Context) -> Section:
    from ..psychometrics.reliability import htmt, reliability

    s = Section("reliability", t("report.s.reliability"))
    rel = reliability(ctx.data, ctx.spec, warn=False)
    ctx.rel = rel
    shown = rel[["n_items", "n", "alpha", "alpha_ci_lower", "alpha_ci_upper", "omega", "cr", "ave"]]
    named = lambda c: _construct_name(ctx, c)  # noqa: E731
    shown = shown.rename(index=named, columns=_col)
    shown.index.name = t("construct")
    s.blocks.append(table(shown, t("report.s.reliability"), note=t("report.thresholds")))
    h = htmt(ctx.data, ctx.spec)
    shown_h = h.rename(index=named, columns=named)
    shown_h.index.name = t("construct")
    s.blocks.append(table(shown_h, t("report.htmt_caption")))
    from ..plots import htmt_heatmap

    ax = htmt_heatmap(h)
    s.blocks.append(figure(ax.figure, t("report.htmt_caption")))
    ctx.results["reliability"] = json.loads(rel.to_json(orient="index", double_precision=15))
    ctx.results["htmt"] = json.loads(h.to_json(orient="index", double_precision=15))
    return s


FIT_KEYS = ["ntotal", "npar", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea_ci_lower", "rmsea_ci_upper",
            "srmr", "aic", "bic"]
_COUNTS = {"ntotal", "npar", "df"}


def _fit_table(res) -> pd.DataFrame:
    """lavaan's fitMeasures names and values, formatted (counts as integers, p APA style)."""
    fit = res.fit
    values = []
    for k in FIT_KEYS:
        v = fit.get(k, np.nan)
        values.append(_num(int(v)) if k in _COUNTS and np.isfinite(v) else _p(v) if k == "pvalue" else _num(v))
    return pd.DataFrame({t("report.col.value"): values}, index=pd.Index(FIT_KEYS, name=t("report.col.measure")))


def _fit_sentence(fit) -> str:
    cfi, rmsea, srmr = fit.get("cfi", np.nan), fit.get("rmsea", np.nan), fit.get("srmr", np.nan)
    if cfi >= 0.95 and rmsea <= 0.06 and srmr <= 0.08:
        quality = t("report.fit_good")
    elif cfi >= 0.90 and rmsea <= 0.08:
        quality = t("report.fit_ok")
    else:
        quality = t("report.fit_poor")
    fa = get_language() == "fa"
    plain = (lambda v, d=3: format_number(v, d)) if fa else (lambda v, d=3: f"{v:.{d}f}")
    pv = fit["pvalue"]
    p_text = ("< ۰٫۰۰۱" if fa else "< .001") if pv < 0.001 else ("= " + (plain(pv) if fa else f"{pv:.3f}".lstrip("0")))
    df = to_persian_digits(int(fit["df"])) if fa else str(int(fit["df"]))
    stats = (f"χ²({df}) = {plain(fit['chisq'], 2)}, p {p_text}; CFI = {plain(cfi)}; TLI = {plain(fit.get('tli', np.nan))}; "
             f"RMSEA = {plain(rmsea)} [{plain(fit.get('rmsea_ci_lower', np.nan))}, "
             f"{plain(fit.get('rmsea_ci_upper', np.nan))}]; SRMR = {plain(srmr)}")
    return t("report.fit_sentence", quality=quality, stats=_isolate(stats))


def _construct_name(ctx, name: str) -> str:
    """A construct's name in the report's language (from the instrument), else the model's name."""
    if ctx.inst is not None:
        try:
            names = ctx.inst.construct(name).name
            return names.get(get_language()) or names.get("en") or name
        except (CemError, KeyError, AttributeError):
            pass
    return name


def _arrow(cause: str, effect: str) -> str:
    # "→" is not mirrored in right-to-left text: Persian reads cause ← effect
    return f"{effect} ← {cause}" if get_language() == "fa" else f"{cause} → {effect}"


def _fit_quietly(model: str, data, **kwargs):
    """ce.fit without the listwise-deletion warning: the report states the loss in a callout."""
    from ..sem import fit

    return fit(model, data, _warn_listwise=False, **kwargs)


def _missing_note(ctx: _Context, res) -> list[str]:
    """A callout when listwise deletion drops a noticeable share of the rows."""
    n_used, n_all = int(res.fit.get("ntotal", len(ctx.data))), len(ctx.data)
    if ctx.missing == "listwise" and n_used < 0.9 * n_all:
        return [paragraph(t("report.listwise_loss", used=n_used, total=n_all, share=round(100 * (1 - n_used / n_all))),
                          "callout")]
    return []


def _section_cfa(ctx: _Context) -> Section:
    s = Section("cfa", t("report.s.cfa"))
    res = _fit_quietly(_measurement_text(ctx.spec), ctx.data, missing=ctx.missing, progress=False)
    s.blocks.extend(_missing_note(ctx, res))
    ctx.cfa = res
    s.blocks.append(paragraph(_fit_sentence(res.fit)))
    s.blocks.append(table(_fit_table(res), t("report.fit_caption")))
    est = res.estimates
    load = est[est.op == "=~"][["lhs", "rhs", "est", "se", "std_all", "pvalue"]].copy()
    fixed = load["se"] == 0  # marker loadings fixed to 1: no SE, no test
    load.loc[fixed, ["se", "pvalue"]] = np.nan
    load["lhs"] = load["lhs"].map(lambda c: _construct_name(ctx, c))
    load.columns = [t("construct"), t("item"), t("report.col.b"), t("report.col.se"), t("report.col.loading"),
                    t("report.col.p")]
    s.blocks.append(table(load, t("report.loadings_caption"), index=False, pcols=(t("report.col.p"),)))
    ctx.results["cfa"] = {"fit": {k: json_value(v) for k, v in res.fit.items()}}
    return s


def json_value(v):
    if isinstance(v, (np.floating, float)):
        return None if not np.isfinite(v) else float(v)
    if isinstance(v, np.integer):
        return int(v)
    return v


def _section_sem(ctx: _Context) -> Section:
    s = Section("sem", t("report.s.sem"))
    res = _fit_quietly(ctx.model_text, ctx.data, missing=ctx.missing, bootstrap=ctx.bootstrap, seed=ctx.seed,
                       progress=ctx.progress)
    s.blocks.extend(_missing_note(ctx, res))
    ctx.sem = res
    s.blocks.append(paragraph(_fit_sentence(res.fit)))
    s.blocks.append(table(_fit_table(res), t("report.fit_caption")))
    est = res.estimates
    paths = est[est.op == "~"].copy()
    ptab = pd.DataFrame({
        t("report.col.path"): [_arrow(_construct_name(ctx, r), _construct_name(ctx, l))
                               for r, l in zip(paths.rhs, paths.lhs)],
        t("report.col.b"): paths.est, t("report.col.se"): paths.se, t("report.col.beta"): paths.std_all,
        t("report.col.p"): paths.pvalue, t("report.col.ci_lower"): paths.ci_lower,
        t("report.col.ci_upper"): paths.ci_upper})
    s.blocks.append(table(ptab, t("report.paths_caption"), index=False, pcols=(t("report.col.p"),)))
    defined = est[est.op == ":="]
    if len(defined):
        ci = t("report.ci_boot", n=ctx.bootstrap) if ctx.bootstrap else t("report.ci_wald")
        dtab = pd.DataFrame({t("report.col.effect"): defined.lhs, t("report.col.b"): defined.est,
                             t("report.col.se"): defined.se, t("report.col.beta"): defined.std_all,
                             t("report.col.ci_lower"): defined.ci_lower, t("report.col.ci_upper"): defined.ci_upper})
        s.blocks.append(table(dtab, t("report.effects_caption", ci=ci), index=False))
    r2 = res.r2
    if isinstance(r2, pd.DataFrame) and {"variable", "r2"} <= set(r2.columns):
        r2 = r2.set_index("variable")["r2"]
    r2 = r2[[v for v in r2.index if v in ctx.spec]]  # the constructs; item R² are the squared loadings above
    if len(r2):
        r2f = r2.to_frame(t("report.col.r2")).rename(index=lambda c: _construct_name(ctx, c))
        r2f.index.name = t("construct")
        s.blocks.append(table(r2f, t("report.r2_caption")))
    from ..plots import path_diagram

    ax = path_diagram(res)
    s.blocks.append(figure(ax.figure, t("report.path_caption")))
    ctx.results["sem"] = res.to_dict()
    return s


def _section_groups(ctx: _Context) -> Section:
    s = Section("groups", t("report.s.groups"))
    if not ctx.group:
        s.blocks.append(paragraph(t("report.no_group"), "skipped"))
        return s
    if ctx.group not in ctx.data.columns:
        raise DataError(f"--group column '{ctx.group}' is not in the data; columns are: "
                        f"{', '.join(map(str, ctx.data.columns[:20]))}")
    from ..sem import invariance

    variables = [v for items in ctx.spec.values() for v in items]
    complete = ctx.data.dropna(subset=variables).groupby(ctx.group, observed=True).size()
    small = complete[complete <= len(variables)]
    data = ctx.data
    if len(small):
        # a group with no more complete answers than variables has a singular covariance matrix
        s.blocks.append(paragraph(t("report.groups_dropped", groups=", ".join(f"{g} (n = {n})" for g, n in small.items()),
                                    p=len(variables)), "callout"))
        data = ctx.data[~ctx.data[ctx.group].isin(small.index)]
    res = invariance(_measurement_text(ctx.spec), data, group=ctx.group)
    frame = res.table if hasattr(res, "table") else pd.DataFrame(res.to_dict()).T
    s.blocks.append(table(frame, t("report.invariance_caption", group=ctx.group), pcols=("pvalue", "delta_pvalue")))
    s.blocks.append(paragraph(res.rule_text))            # which of Chen's (2007) cut-offs and why
    for level, text in res.guidance.items():
        s.blocks.append(paragraph(f"{level}: {text}"))
    ctx.results["invariance"] = res.to_dict()
    return s


def _section_cx(ctx: _Context) -> Section:
    from .. import cx, plots
    from ..cx._common import label as cx_label

    s = Section("cx", t("report.s.cx"))
    out = {}
    d, inst = ctx.data, ctx.inst
    nps_col = inst.nps_item if inst is not None else ("NPS" if "NPS" in d.columns else None)
    if nps_col and nps_col in d.columns:
        by = "channel" if "channel" in d.columns else None
        r = cx.nps(d[nps_col], by=d[by] if by else None)
        s.blocks.append(f"<h3>{_text('report.nps_caption')}</h3>")
        shown = r.table[["n", "pct_promoters", "pct_passives", "pct_detractors", "nps", "ci_lower", "ci_upper"]]
        shown = shown.rename(index=lambda v: t("cx.plot.overall") if v == "overall" else cx_label("channel", str(v)))
        shown.index.name = cx_label("col", "channel") if by else None
        s.blocks.append(table(cx.translate_columns(shown), t("report.nps_caption"), digits=1))
        ax = plots.nps_bar(r)
        s.blocks.append(figure(ax.figure, t("report.nps_caption")))
        out["nps"] = float(r.nps)
    if inst is not None and inst.expectation_pairs and all(k in d.columns for k in inst.expectation_pairs):
        g = cx.gap(d, inst)
        s.blocks.append(f"<h3>{_text('report.gap_caption')}</h3>")
        shown = g[["expectation", "experience", "n", "mean_expectation", "mean_experience", "gap", "ci_lower",
                   "ci_upper", "dz"]].set_index("experience")
        s.blocks.append(table(cx.translate_columns(shown), t("report.gap_caption"), digits=2))
        ax = plots.gap_plot(g)
        s.blocks.append(figure(ax.figure, t("report.gap_caption")))
        out["gaps"] = json.loads(g.to_json(orient="records", force_ascii=False, double_precision=15))
    if inst is not None and {"stage", "channel"} <= set(d.columns):
        jm = cx.journey_map(d, inst)
        s.blocks.append(f"<h3>{_text('report.journey_caption')}</h3>")
        ax = plots.journey_heatmap(jm)
        s.blocks.append(figure(ax.figure, t("report.journey_caption")))
    if inst is not None and "spend" in d.columns:
        sat = inst.score(ctx.clean if ctx.clean is not None else d, constructs=["satisfaction"])["satisfaction"]
        forecast = d["forecast_spend"] if "forecast_spend" in d.columns else None
        rm = cx.rating_matrix(d["spend"], sat, forecast=forecast)
        s.blocks.append(f"<h3>{_text('report.rating_caption')}</h3>")
        qs = cx.quadrant_summary(rm)
        qs.index = pd.Index([cx.quadrant_label(str(q)) for q in qs.index], name=t("report.col.quadrant"))
        qs = qs.drop(columns=["quadrant_fa"], errors="ignore")
        s.blocks.append(table(cx.translate_columns(qs), t("report.rating_caption"), digits=1))
        ax = plots.rating_matrix(rm, annotate=False)
        s.blocks.append(figure(ax.figure, t("report.rating_caption")))
    if ctx.sem is not None and inst is not None:
        target = "loyalty" if "loyalty" in ctx.spec else list(ctx.spec)[-1]
        ip = cx.ipma(ctx.sem, ctx.clean if ctx.clean is not None else d, target=target, inst=inst)
        shown_target = _construct_name(ctx, target)
        s.blocks.append(f"<h3>{_text('report.ipma_caption', target=shown_target)}</h3>")
        shown = ip.assign(construct=[_construct_name(ctx, c) for c in ip["construct"]],
                          quadrant=[cx_label("ipma_quadrant", q) for q in ip["quadrant"]])
        shown = cx.translate_columns(shown).set_index(cx_label("col", "construct"))
        s.blocks.append(table(shown, t("report.ipma_caption", target=shown_target)))
        ax = plots.ipma_map(ip)
        s.blocks.append(figure(ax.figure, t("report.ipma_caption", target=shown_target)))
        out["ipma"] = json.loads(ip.to_json(orient="records", force_ascii=False, double_precision=15))
    if not s.blocks:
        s.blocks.append(paragraph(t("report.not_available", why="NPS, expectation, stage/channel, spend"), "skipped"))
    ctx.results["cx"] = out
    return s


def _section_summary(ctx: _Context) -> Section:
    s = Section("summary", t("report.s.summary"))
    items = []
    if ctx.rel is not None:
        a = ctx.rel["alpha"].dropna()
        if len(a):
            items.append(t("report.reliability_sentence", lo=_num(a.min(), 2), hi=_num(a.max(), 2),
                           k=int((a >= 0.70).sum()), m=len(a)))
    if ctx.sem is not None:
        items.append(_fit_sentence(ctx.sem.fit))
        est = ctx.sem.estimates
        paths = est[est.op == "~"]
        if len(paths):
            target = paths.lhs.value_counts().index[0]
            top = paths[paths.lhs == target].sort_values("std_all", key=np.abs, ascending=False).iloc[0]
            items.append(t("report.strongest_driver", target=_construct_name(ctx, target),
                           driver=_construct_name(ctx, top.rhs), beta=_num(top.std_all, 2)))
    items.append(t("report.limitations", sample=t("report.sample_desc", n=len(ctx.data))))
    s.blocks.append("<ul>" + "".join(f"<li>{_esc(i)}</li>" for i in items) + "</ul>")
    return s


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"cem-edu": __version__, "python": platform.python_version()}
    for pkg in ("numpy", "scipy", "pandas", "statsmodels", "matplotlib", "pingouin"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:  # pragma: no cover
            pass
    return out


REFERENCES = [
    "Fornell, C., & Larcker, D. F. (1981). Evaluating structural equation models with unobservable variables and measurement error. Journal of Marketing Research, 18(1), 39–50.",
    "Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). A new criterion for assessing discriminant validity in variance-based structural equation modeling. Journal of the Academy of Marketing Science, 43(1), 115–135.",
    "Hu, L., & Bentler, P. M. (1999). Cutoff criteria for fit indexes in covariance structure analysis. Structural Equation Modeling, 6(1), 1–55.",
    "McDonald, R. P. (1999). Test theory: A unified treatment. Erlbaum.",
    "Meyer, C., & Schwager, A. (2007). Understanding customer experience. Harvard Business Review, 85(2), 116–126.",
    "Reichheld, F. F. (2003). The one number you need to grow. Harvard Business Review, 81(12), 46–54.",
    "Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. Journal of Statistical Software, 48(2), 1–36.",
    "Putnick, D. L., & Bornstein, M. H. (2016). Measurement invariance conventions and reporting. Developmental Review, 41, 71–90.",
]


def _section_methods(ctx: _Context) -> Section:
    s = Section("methods", t("report.s.methods"))
    v = _versions()
    cleaning = ""
    if ctx.clean is not None:
        cleaning = t("report.methods_cleaning", dropped=len(ctx.raw) - len(ctx.data), n_raw=len(ctx.raw))
    ci = t("report.ci_boot", n=ctx.bootstrap) if ctx.bootstrap else t("report.ci_wald")
    n_used = int(ctx.sem.fit.get("ntotal", len(ctx.data))) if ctx.sem is not None else len(ctx.data)
    text = t("report.methods_text", version=v["cem-edu"], python=v["python"], cleaning=cleaning, estimator="ML",
             missing=t("report.missing_fiml" if ctx.missing in ("fiml", "ml") else "report.missing_listwise"),
             n=n_used, ci=ci)
    s.blocks.append(f'<div class="methods">{paragraph(text)}</div>')
    s.blocks.append(f"<h3>{_text('report.software')}</h3>")
    s.blocks.append('<p class="ltr" dir="ltr">' + _esc(", ".join(f"{k} {val}" for k, val in v.items())) + "</p>")
    s.blocks.append(f"<h3>{_text('report.references')}</h3>")
    s.blocks.append('<ul class="ltr" dir="ltr">' + "".join(f"<li>{_esc(r)}</li>" for r in REFERENCES) + "</ul>")
    ctx.results["software"] = v
    return s


# ------------------------------------------------------------------------------ public entry points
def _load(data, instrument, model):
    from ..instrument import Instrument, load_instrument
    from ..intake import read_data

    if isinstance(data, (str, Path)):
        source = Path(data).name
        raw = read_data(data)
    elif hasattr(data, "raw") and isinstance(getattr(data, "raw"), pd.DataFrame):
        source, raw = "CleanData", data.raw
    elif isinstance(data, pd.DataFrame):
        source, raw = "DataFrame", data
    else:
        raise DataError(f"report() needs a file path or a DataFrame, not {type(data).__name__}")
    inst = None
    if isinstance(instrument, Instrument):
        inst = instrument
    elif instrument is not None:
        inst = load_instrument(instrument)
    elif model is None:
        bundled = load_instrument()
        likert = list(bundled.likert_items)
        # most of the items present: the bundled questionnaire it is; cleaning then names each missing
        # column (and a close match) instead of claiming that none of the items are there
        if sum(c in raw.columns for c in likert) >= max(1, len(likert) // 2):
            inst = bundled
        else:
            raise DataError("the data do not have the bundled questionnaire's item columns; give --instrument "
                            "Q.yaml (your questionnaire) or --model M.lav (lavaan syntax naming your columns)")
    if isinstance(model, Path) or (isinstance(model, str) and "\n" not in model and "~" not in model):
        if not Path(model).is_file():
            raise DataError(f"model file '{model}' does not exist; give a .lav file or lavaan syntax text")
        model = Path(model).read_text(encoding="utf-8-sig")
    if model is None:
        model = inst.model()
    return raw, source, inst, model


STEPS = [_section_data, _section_profile, _section_items, _section_reliability, _section_cfa, _section_sem,
         _section_groups, _section_cx, _section_summary, _section_methods]
_REQUIRED = {_section_data, _section_summary, _section_methods}


def build_report(data, instrument=None, model=None, lang: str = "en", group: str | None = None,
                 bootstrap: int = 1000, seed: int = 20261123, progress: bool = True,
                 missing: str = "listwise", out_of_range: str = "error") -> ReportResult:
    """Run every analysis and return the sections, the numbers and the HTML (without writing a file)."""
    from jinja2 import Environment, select_autoescape
    from tqdm.auto import tqdm

    previous = get_language()
    set_language(lang)
    try:
        raw, source, inst, model_text = _load(data, instrument, model)
        ctx = _Context(raw, source, inst, model_text, group, bootstrap, seed, progress, missing, out_of_range)
        ctx.spec = _spec_from_model(model_text)
        if inst is not None:
            ctx.spec = {c: ids for c, ids in ctx.spec.items() if ids}
        sections = []
        for step in tqdm(STEPS, desc=t("report.progress"), disable=not progress, leave=False):
            try:
                sections.append(step(ctx))
            except CemError as exc:
                if step in _REQUIRED:
                    raise
                name = step.__name__.removeprefix("_section_")
                sections.append(Section(name, t(f"report.s.{name}"), [skipped(exc)]))
        env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
        env.filters["safe_blocks"] = lambda x: x
        template_text = (resources.files("cem_edu") / "templates" / "report.html.j2").read_text(encoding="utf-8")
        from markupsafe import Markup

        for sec in sections:
            sec.blocks = [Markup(b) for b in sec.blocks]
        fonts = resources.files("cem_edu") / "fonts"
        page = env.from_string(template_text).render(
            lang=lang, title=t("report.title"), version=__version__, contents=t("report.contents"),
            generated=t("report.generated", date=_dt.date.today().isoformat(), version=__version__, source=source),
            sections=sections,
            font_regular=base64.b64encode((fonts / "Vazirmatn-Regular.woff2").read_bytes()).decode(),
            font_bold=base64.b64encode((fonts / "Vazirmatn-Bold.woff2").read_bytes()).decode())
        ctx.results["language"] = lang
        return ReportResult(sections, ctx.results, page)
    finally:
        set_language(previous)
