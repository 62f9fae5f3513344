"""The report's Writer (text, numbers and blocks in one language) and the HTML renderer of the blocks.

A :class:`Writer` is bound to the report's language when the report starts and is passed to
every section, so nothing here reads or changes a process-wide language. Its ``table``, ``figure``,
``paragraph``, ... return format-neutral blocks (:mod:`cem_edu.report.blocks`); :func:`render_block`
draws one as HTML, :mod:`cem_edu.report.docx` as Word.
"""
from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..i18n import format_number, numerals, t, to_persian_digits
from .blocks import Bullets, Figure, Heading, Paragraph, Table

__all__ = ["Writer", "esc", "render_block"]


def esc(value) -> str:
    """HTML-escape text; Unicode left-to-right isolates (U+2066…U+2069) become ``<span dir="ltr">``,
    which every browser honours (numbers and command-line options inside Persian text)."""
    text = html.escape(str(value), quote=True)
    return text.replace("\u2066", '<span dir="ltr">').replace("\u2069", "</span>")


@dataclass(frozen=True)
class Writer:
    """Text, numbers and report blocks in one language (``"en"`` or ``"fa"``)."""

    lang: str

    @property
    def fa(self) -> bool:
        return self.lang == "fa"

    # ------------------------------------------------------------------ text
    def t(self, key: str, **fields) -> str:
        """The string-table entry ``key`` in this writer's language."""
        return t(key, language=self.lang, **fields)

    def text(self, key: str, **fields) -> str:
        """``t`` escaped for HTML."""
        return esc(self.t(key, **fields))

    def col(self, name) -> str:
        """A column heading in the report's language (``report.col.<name>``), else the name itself."""
        key = f"report.col.{name}"
        text = self.t(key)
        return str(name) if text == key else text

    def flag(self, name: str) -> str:
        """A quality flag's name (``straightliner``, ``speeder``, ...) in the report's language."""
        key = f"report.flag.{name}"
        text = self.t(key)
        return name if text == key else text

    def step(self, step: str) -> str:
        """A cleaning-log step (``read``, ``flag:speeder``, ``drop:duplicate``) in the report's language."""
        kind, _, flag = step.partition(":")
        if flag and kind in ("flag", "drop"):
            return self.t(f"report.step.{kind}", flag=self.flag(flag))
        key = f"report.step.{step}"
        text = self.t(key)
        return step if text == key else text

    def arrow(self, cause: str, effect: str) -> str:
        """A directed path; "→" is not mirrored in right-to-left text, so Persian reads effect ← cause."""
        return f"{effect} ← {cause}" if self.fa else f"{cause} → {effect}"

    # ------------------------------------------------------------------ numbers
    def isolate(self, text: str) -> str:
        """In Persian text, keep a number left-to-right (minus sign, "<", decimals) with Unicode isolates."""
        return f"\u2066{text}\u2069" if self.fa else text

    def digits(self, text: str) -> str:
        """``text`` with Persian digits in Persian (dates, version numbers, section numbers)."""
        return numerals(text, self.lang)

    def num(self, value, digits: int = 3) -> str:
        """A number in the report's language ("—" for missing values)."""
        if value is None or (isinstance(value, float) and not np.isfinite(value)):
            return "—"
        if isinstance(value, (bool, np.bool_)):
            return str(value)
        if isinstance(value, (int, np.integer)):
            return self.isolate(numerals(int(value), self.lang)) if self.fa else str(int(value))
        try:
            return self.isolate(format_number(float(value), digits, language=self.lang))
        except (TypeError, ValueError):
            return str(value)

    def p(self, value) -> str:
        """p-values: APA style in English (no leading zero, < .001); Persian keeps the zero (< ۰٫۰۰۱)."""
        if value is None or not np.isfinite(value):
            return "—"
        if self.fa:
            return self.isolate("< ۰٫۰۰۱" if value < 0.001 else to_persian_digits(f"{value:.3f}"))
        return "< .001" if value < 0.001 else f"{value:.3f}".lstrip("0")

    def p_text(self, value) -> str:
        """A p-value for running text: "= .126" or "< .001" (Persian digits in Persian)."""
        text = self.p(value).strip("\u2066\u2069")
        return "—" if text == "—" else self.isolate(text if "<" in text else "= " + text)

    def corr(self, r, p=None) -> str:
        """A correlation APA style: two decimals, no leading zero in English (r cannot pass 1), stars for
        p < .05, .01, .001; Persian keeps the zero, as in :meth:`p`."""
        if r is None or not np.isfinite(r):
            return "—"
        stars = "" if p is None or not np.isfinite(p) else "***" if p < 0.001 else "**" if p < 0.01 else "*" if p < 0.05 else ""
        if self.fa:
            return self.num(r, 2) + stars
        text = f"{r:.2f}"
        return (text.replace("0.", ".", 1) if abs(r) < 1 else text) + stars

    # ------------------------------------------------------------------ blocks
    def table(self, frame: pd.DataFrame, caption: str, *, digits: int = 3, note: str | None = None,
              index: bool = True, pcols: tuple[str, ...] = ()) -> Table:
        """An APA-style table (a :class:`~cem_edu.report.blocks.Table` block; :meth:`cells` formats it).

        Integer columns print without decimals, float columns with ``digits``, ``pcols`` as p-values.
        """
        return Table(frame, caption, digits=digits, note=note, index=index, pcols=tuple(pcols))

    def cells(self, table: Table) -> tuple[list[tuple[str, bool]], list[list[tuple[str, bool]]]]:
        """The header and the rows of ``table`` as ``(text, numeric)`` cells, numbers in this writer's
        language: the one place where a table's numbers are formatted, for every output format."""
        frame, pcols = table.frame, table.pcols
        numeric = {c: pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
                   for c in frame.columns}
        integer = {c: pd.api.types.is_integer_dtype(frame[c]) for c in frame.columns}

        def cell(col, v) -> tuple[str, bool]:
            if col in pcols:
                return self.p(v), True
            if numeric[col]:
                return self.num(int(v) if integer[col] else v, table.digits), True
            empty = v is None or (isinstance(v, float) and np.isnan(v))
            return ("" if empty else str(v)), False

        head = ([(str(frame.index.name or ""), False)] if table.index else []) + [
            (str(c), numeric[c]) for c in frame.columns]
        rows = []
        for idx, values in zip(frame.index, frame.itertuples(index=False, name=None)):
            cells = [(str(idx), False)] if table.index else []
            cells += [cell(col, v) for col, v in zip(frame.columns, values)]
            rows.append(cells)
        return head, rows

    @staticmethod
    def figure(fig, caption: str) -> Figure:
        """A figure block of a matplotlib figure (closed in pyplot; the renderers draw it as SVG or PNG)."""
        import matplotlib.pyplot as plt

        plt.close(fig)
        return Figure(fig, caption)

    @staticmethod
    def paragraph(text: str, cls: str | None = None) -> Paragraph:
        return Paragraph(text, cls)

    def heading(self, key: str, **fields) -> Heading:
        return Heading(self.t(key, **fields))

    @staticmethod
    def bullets(items, ltr: bool = False) -> Bullets:
        """A bulleted list (``ltr``: left-to-right even in Persian, e.g. references)."""
        return Bullets([str(i) for i in items], ltr)

    def skipped(self, reason) -> Paragraph:
        return Paragraph(self.t("report.skipped", why=str(reason)), "skipped")


def render_block(block, out: Writer) -> str:
    """One block as HTML (today's page: captions without numbers, inline SVG figures)."""
    if isinstance(block, str):  # raw HTML from a caller that still builds its own
        return block
    if isinstance(block, Table):
        head, rows = out.cells(block)
        ths = [f'<th class="text">{esc(head[0][0])}</th>'] if block.index else []
        ths += [f'<th{"" if numeric else " class=text"}>{esc(text)}</th>' for text, numeric in head[int(block.index):]]
        trs = []
        for row in rows:
            tds = [f'<td class="text">{esc(row[0][0])}</td>'] if block.index else []
            tds += [f"<td>{esc(text)}</td>" if numeric else f'<td class="text">{esc(text)}</td>'
                    for text, numeric in row[int(block.index):]]
            trs.append("<tr>" + "".join(tds) + "</tr>")
        wide = ' class="wide"' if len(block.frame.columns) + block.index > 9 else ""
        html_ = (f'<div class="table-wrap"><table{wide}><caption>{esc(block.caption)}</caption>'
                 f"<thead><tr>{''.join(ths)}</tr></thead><tbody>{''.join(trs)}</tbody></table></div>")
        if block.note:
            html_ += f'<p class="note">{esc(block.note)}</p>'
        return html_
    if isinstance(block, Figure):
        if block.fig is None:
            import base64

            body = f'<img alt="" src="data:image/png;base64,{base64.b64encode(block.image).decode()}">'
        else:
            body = block.svg()
        return f"<figure>{body}<figcaption>{esc(block.caption)}</figcaption></figure>"
    if isinstance(block, Paragraph):
        if block.ltr:
            p = f'<p class="ltr" dir="ltr">{esc(block.text)}</p>'
        else:
            p = f'<p{f" class={block.cls!r}" if block.cls else ""}>{esc(block.text)}</p>'
        return f'<div class="{block.box}">{p}</div>' if block.box else p
    if isinstance(block, Heading):
        return f"<h3>{esc(block.text)}</h3>"
    if isinstance(block, Bullets):
        attrs = ' class="ltr" dir="ltr"' if block.ltr else ""
        return f"<ul{attrs}>" + "".join(f"<li>{esc(i)}</li>" for i in block.items) + "</ul>"
    raise TypeError(f"the HTML renderer does not know the block {type(block).__name__}")
