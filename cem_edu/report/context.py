"""What the sections of one report share: the data, the instrument, the options and the results so far."""
from __future__ import annotations

import html
from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd

from ..errors import CemError
from ..results import Result, json_safe
from .html import Writer

__all__ = ["Context", "Section", "ReportResult"]


@dataclass
class Section:
    """One section of the report: an id (anchor), a title and its blocks (:mod:`cem_edu.report.blocks`
    while the report is built; HTML strings in :attr:`ReportResult.sections`)."""

    id: str
    title: str
    blocks: list = field(default_factory=list)
    omitted: str | None = None  # why the section has nothing to show (then it is left out of the page)


@dataclass(frozen=True, eq=False)
class ReportResult(Result):
    """What the report computed: the numbers (``results``, JSON-ready) and its content as
    format-neutral blocks (``document``), drawn on demand as HTML (``html``, ``sections``) or
    as a Word document (:meth:`docx`).

    Frozen like every result (the sections fill ``results`` while the report is built, before this
    object exists); ``html`` and ``sections`` are computed on first use and kept.
    ``to_dict()`` is ``results``; ``str()`` lists the sections shown; ``_repr_html_`` is the
    report's sections inside the notebook.
    """

    document: list[Section]
    results: dict
    out: Writer
    source: str = ""
    omitted_note: str = ""

    @property
    def language(self) -> str:
        """The report's language ("en" or "fa")."""
        return self.out.lang

    def to_dict(self) -> dict:
        """The report's numbers, JSON-ready (what ``report(..., json_path=)`` writes)."""
        return json_safe(self.results)

    def __str__(self) -> str:
        lines = [f"- {s.title}" for s in self.document]
        return "\n".join([self.source, *lines] if self.source else lines)

    def _repr_html_(self) -> str:
        rtl = " dir='rtl'" if self.language == "fa" else ""
        body = "".join(f"<section><h2>{html.escape(s.title)}</h2>{''.join(s.blocks)}</section>"
                       for s in self.sections)
        return f"<div class='cem-edu-output {self.language}'{rtl}>{body}</div>"

    @cached_property
    def sections(self) -> list[Section]:
        """The shown sections with their blocks as HTML strings."""
        from markupsafe import Markup

        from .html import render_block

        return [Section(s.id, s.title, [Markup(render_block(b, self.out)) for b in s.blocks], s.omitted)
                for s in self.document]

    @cached_property
    def html(self) -> str:
        """The self-contained HTML page."""
        from .build import render_html

        return render_html(self)

    def docx(self) -> bytes:
        """The report as a Word document (``.docx`` bytes): real tables, PNG figures, numbered captions,
        right to left in Persian."""
        from .word import render_docx

        return render_docx(self)


@dataclass
class Context:
    """The inputs and options of one report, and what its sections have computed so far.

    Every option the caller gave is stored here and read by the sections that use it; the
    language travels in ``out`` (a :class:`Writer`), never in a process-wide setting.
    """

    raw: pd.DataFrame
    source: str
    inst: object | None
    model_text: str
    spec: dict[str, list[str]]
    out: Writer
    group: str | None = None
    bootstrap: int | None = None  # None: 1000 draws with listwise deletion, none under FIML (see resolve_defaults)
    seed: int | None = None
    progress: bool = True
    missing: str = "auto"  # "auto": FIML when the model's variables have missing values (see resolve_defaults)
    out_of_range: str = "error"
    method: str = "cbsem"
    ordered: object = None  # True or item columns: ordinal items, WLSMV on polychoric correlations
    panel: object | None = None  # an expert-panel sheet (path or frame) for the content-validity section
    moderation: list | None = None  # [(x, z, y), ...] construct names: the moderation section (checked in build)
    results: dict = field(default_factory=dict)
    clean: object | None = None
    data: pd.DataFrame | None = None
    sem: object | None = None
    cfa: object | None = None
    rel: pd.DataFrame | None = None
    pls: object | None = None
    pls_draws: int = 0

    def omit(self, section_id: str, why_key: str) -> Section:
        """A section left out of the page, with the reason (``report.why.<key>``) shown in one line."""
        return Section(section_id, self.out.t(f"report.s.{section_id}"), omitted=self.out.t(f"report.why.{why_key}"))

    @property
    def structural(self) -> bool:
        """Whether the model has regression paths (``~``), i.e. more than a measurement model."""
        from ..sem.syntax import parse_syntax

        statements, _ = parse_syntax(self.model_text)
        return any(st.op == "~" for st in statements)

    bootstrap_default_off: bool = False  # the bootstrap was left out by default (FIML), not asked to be

    def resolve_defaults(self) -> None:
        """The missing-data rule and the bootstrap draws that ``"auto"`` / ``None`` stand for, once the
        cleaned data are known: FIML (pairwise with ordinal items) whenever a variable of the model has
        a missing answer, else listwise (then both give the same numbers); 1,000 bootstrap draws for the
        indirect effects with listwise deletion, none by default under FIML (a FIML bootstrap refits
        the model per draw: about a minute for 1,000 draws of the bundled model; ask for it with
        ``bootstrap=N``), which the methods paragraph says."""
        if self.missing == "auto":
            from ..sem.syntax import parse_syntax

            statements, _ = parse_syntax(self.model_text)
            names = {st.rhs for st in statements if st.op in ("=~", "~", "~~")} | {st.lhs for st in statements}
            observed = [c for c in self.data.columns if c in names]
            incomplete = bool(observed) and bool(self.data[observed].isna().to_numpy().any())
            self.missing = ("pairwise" if self.ordered else "fiml") if incomplete else "listwise"
        if self.bootstrap is None:
            self.bootstrap_default_off = self.missing == "fiml"
            self.bootstrap = 0 if self.bootstrap_default_off else 1000

    @property
    def bootstrap_draws(self) -> int:
        """Bootstrap draws for the indirect effects: none with WLSMV (delta-method intervals; the methods say so)."""
        return 0 if self.ordered else self.bootstrap

    @property
    def lang(self) -> str:
        return self.out.lang

    @property
    def cleaned(self):
        """The CleanData when the data were cleaned with an instrument, else the plain frame."""
        return self.clean if self.clean is not None else self.data

    def construct_name(self, name: str) -> str:
        """A construct's name in the report's language (from the instrument), else the model's name."""
        if self.inst is not None:
            try:
                names = self.inst.construct(name).name
                return names.get(self.lang) or names.get("en") or name
            except (CemError, KeyError, AttributeError):
                pass
        return name

    def field_name(self, field_id: str) -> str:
        """A respondent field's label (segment, channel, ...) in the report's language."""
        if self.inst is None:
            return field_id
        try:
            label = self.inst.field(field_id).label
            return label.get(self.lang) or label.get("en") or field_id
        except (CemError, AttributeError, KeyError):
            return field_id

    def field_label(self, field_id: str, code) -> str:
        """The label of answer ``code`` of a respondent field in the report's language."""
        if self.inst is None:
            return str(code)
        try:
            choices = self.inst.field(field_id).choices or {}
        except (CemError, AttributeError, KeyError):
            return str(code)
        entry = choices.get(code) or choices.get(str(code))
        if isinstance(entry, dict):
            return entry.get(self.lang) or entry.get("en") or str(code)
        return str(code)
