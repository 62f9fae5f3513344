"""The build step: read the inputs, run every section in order, render the HTML page (or Word, report/word.py).

``build_report`` returns a :class:`~cem_edu.report.context.ReportResult` (sections, numbers,
HTML) without writing a file; :func:`cem_edu.report.report` writes it. The language is passed to
every section in a :class:`~cem_edu.report.html.Writer`; nothing here changes the process-wide
language that notebooks set with ``ce.set_language``.
"""
from __future__ import annotations

import base64
import datetime as _dt
from importlib import resources
from pathlib import Path

import pandas as pd

from .. import __version__
from ..errors import CemError, DataError, ModelError
from ..i18n import LANGUAGES, t
from .context import Context, ReportResult, Section
from .html import Writer
from .sections import METHODS, NOT_FOR, ON_REQUEST, REQUIRED, STEPS

__all__ = ["build_report", "load_inputs", "moderation_triples"]

MISSING_RULES = ("auto", "listwise", "fiml", "pairwise")
FORMATS = ("html", "docx")


def check_format(format: str, lang: str = "en") -> None:
    """Refuse an output format the report cannot write (before any analysis runs)."""
    if format not in FORMATS:
        raise DataError(t("report.bad_format", language=lang if lang in LANGUAGES else "en", format=format))


def load_inputs(data, instrument, model, lang: str = "en"):
    """``(raw frame, source name, Instrument or None, model syntax)`` from what the caller gave."""
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
        raise DataError(t("report.err.bad_data", language=lang, kind=type(data).__name__))
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
            raise DataError(t("report.err.not_bundled_items", language=lang))
    if isinstance(model, Path) or (isinstance(model, str) and "\n" not in model and "~" not in model):
        if not Path(model).is_file():
            raise DataError(t("report.err.no_model_file", language=lang, model=str(model)))
        model = Path(model).read_text(encoding="utf-8-sig")
    if model is None:
        model = inst.model()
    return raw, source, inst, model


def check_out_suffix(format: str, out: Path, lang: str = "en") -> None:
    """A Word file must end in .docx and a page not in .docx: Word and browsers open files by their name."""
    suffix = Path(out).suffix.lower()
    if (format == "docx") != (suffix == ".docx"):
        raise DataError(t("report.bad_suffix", language=lang if lang in LANGUAGES else "en", out=str(out),
                          format=format, suffix=".docx" if format == "docx" else ".html"))


def _measurement_spec(model_text: str) -> dict[str, list[str]]:
    """``{construct: items}`` from the model's ``=~`` lines, parsed by the SEM parser itself (so
    continuation lines, ``;`` and modifiers such as ``NA*x1`` read as in ``ce.fit``)."""
    from ..psychometrics.constructs import resolve_spec

    return {c: items for c, items in resolve_spec(model_text).items() if items}


def _check_options(lang: str, missing: str, method: str, ordered) -> None:
    if method not in METHODS:
        raise DataError(t("report.pls.bad_method", language=lang if lang in LANGUAGES else "en", method=method))
    if lang not in LANGUAGES:
        raise CemError(t("common.unknown_language", value=repr(lang), choices=", ".join(LANGUAGES)))
    if missing not in MISSING_RULES:
        raise DataError(t("report.err.bad_missing", language=lang, missing=missing, choices=", ".join(MISSING_RULES)))
    if missing == "pairwise" and not ordered:
        raise DataError(t("report.pairwise_needs_ordered", language=lang))


def moderation_triples(moderation, spec: dict | None = None, lang: str = "en") -> list[tuple[str, str, str]] | None:
    """The report's ``moderation`` option as a list of ``(x, z, y)`` construct names, checked.

    Accepts one triple (``("X", "Z", "Y")`` or the text ``"X,Z,Y"``) or a list of triples. Refuses any
    other shape (:class:`DataError`) and, when ``spec`` (``{construct: items}``) is given, a name that is
    not a construct of the model or a triple that names a construct twice (:class:`ModelError`), before
    any analysis runs.
    """
    if moderation is None:
        return None
    lang = lang if lang in LANGUAGES else "en"

    def triple(v):
        if isinstance(v, str):
            v = [part.strip() for part in v.split(",")]
        if isinstance(v, (tuple, list)) and len(v) == 3 and all(isinstance(a, str) and a for a in v):
            return tuple(v)
        return None

    one = triple(moderation)
    if one is not None:
        triples = [one]
    elif isinstance(moderation, (tuple, list)) and moderation and all(triple(v) for v in moderation):
        triples = [triple(v) for v in moderation]
    else:
        raise DataError(t("report.mod.bad_shape", language=lang, given=repr(moderation)))
    if spec is not None:
        for names in triples:
            for role, name in zip("xzy", names):
                if name not in spec:
                    raise ModelError(t("mod.unknown_construct", language=lang, role=role, name=name,
                                       known=", ".join(spec)))
            if len(set(names)) < 3:
                raise ModelError(t("mod.distinct", language=lang))
    return triples


def meta(result: ReportResult) -> dict:
    """What the page says above the sections: title, the "generated on" line, the omitted sections,
    the contents heading and the section numbers (in the report's digits)."""
    out = result.out
    return {"title": out.t("report.title"), "contents": out.t("report.contents"),
            "generated": out.t("report.generated", date=out.isolate(out.digits(_dt.date.today().isoformat())),
                               version=out.isolate(__version__), source=out.isolate(result.source)),
            "omitted": result.omitted_note,
            "numbers": [out.digits(str(i + 1)) for i in range(len(result.document))]}


def render_html(result: ReportResult) -> str:
    """The self-contained HTML page of a built report (fonts inlined, figures as SVG)."""
    from jinja2 import Environment, select_autoescape

    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    template_text = (resources.files("cem_edu") / "templates" / "report.html.j2").read_text(encoding="utf-8")
    fonts = resources.files("cem_edu") / "fonts"
    m = meta(result)
    return env.from_string(template_text).render(
        lang=result.out.lang, title=m["title"], version=__version__, contents=m["contents"],
        generated=m["generated"], sections=result.sections, omitted=m["omitted"], numbers=m["numbers"],
        font_regular=base64.b64encode((fonts / "Vazirmatn-Regular.woff2").read_bytes()).decode(),
        font_bold=base64.b64encode((fonts / "Vazirmatn-Bold.woff2").read_bytes()).decode())


def build_report(data, instrument=None, model=None, lang: str = "en", group: str | None = None,
                 bootstrap: int | None = None, seed: int = 20261123, progress: bool = True,
                 missing: str = "auto", out_of_range: str = "error", method: str = "cbsem",
                 ordered=None, panel=None, moderation=None) -> ReportResult:
    """Run every analysis and return the sections, the numbers and the content (without writing a file);
    the result draws itself as HTML (``.html``) or Word (``.docx()``).

    The parameters are those of :func:`cem_edu.report.report`.
    """
    from tqdm.auto import tqdm

    _check_options(lang, missing, method, ordered)
    moderation_triples(moderation, lang=lang)  # the shape, before the data are read
    out = Writer(lang)
    raw, source, inst, model_text = load_inputs(data, instrument, model, lang)
    spec = _measurement_spec(model_text)
    ctx = Context(raw=raw, source=source, inst=inst, model_text=model_text, spec=spec,
                  out=out, group=group, bootstrap=bootstrap, seed=seed, progress=progress, missing=missing,
                  out_of_range=out_of_range, method=method, ordered=ordered if ordered is not False else None,
                  panel=panel, moderation=moderation_triples(moderation, spec, lang))
    sections = []
    steps = [step for step in STEPS if step not in NOT_FOR[method]
             and (step not in ON_REQUEST or getattr(ctx, ON_REQUEST[step]))]
    for step in tqdm(steps, desc=out.t("report.progress"), disable=not progress, leave=False):
        try:
            sections.append(step(ctx))
        except CemError as exc:
            if step in REQUIRED:
                raise
            name = step.__module__.rsplit(".", 1)[-1]
            sections.append(Section(name, out.t(f"report.s.{name}"), [out.skipped(exc)]))
    shown = [s for s in sections if s.omitted is None]
    omitted = [s for s in sections if s.omitted is not None]
    ctx.results["omitted"] = {s.id: s.omitted for s in omitted}
    ctx.results["language"] = lang
    note = out.t("report.omitted", sections="; ".join(out.t("report.omitted_one", section=s.title, why=s.omitted)
                                                       for s in omitted)) if omitted else ""
    return ReportResult(shown, ctx.results, out, source, note)
