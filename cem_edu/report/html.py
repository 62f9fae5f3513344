"""HTML building blocks of the report, in one language: tables, figures, paragraphs, numbers.

A :class:`Writer` is bound to the report's language when the report starts and is passed to
every section, so nothing here reads or changes a process-wide language.
"""
from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..i18n import format_number, t, to_persian_digits

__all__ = ["Writer", "esc"]


def esc(value) -> str:
    """HTML-escape text; Unicode left-to-right isolates (U+2066…U+2069) become ``<span dir="ltr">``,
    which every browser honours (numbers and command-line options inside Persian text)."""
    text = html.escape(str(value), quote=True)
    return text.replace("\u2066", '<span dir="ltr">').replace("\u2069", "</span>")


@dataclass(frozen=True)
class Writer:
    """Text, numbers and HTML blocks in one language (``"en"`` or ``"fa"``)."""

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
        return to_persian_digits(text) if self.fa else text

    def num(self, value, digits: int = 3) -> str:
        """A number in the report's language ("—" for missing values)."""
        if value is None or (isinstance(value, float) and not np.isfinite(value)):
            return "—"
        if isinstance(value, (bool, np.bool_)):
            return str(value)
        if isinstance(value, (int, np.integer)):
            return self.isolate(to_persian_digits(int(value))) if self.fa else str(int(value))
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

    # ------------------------------------------------------------------ blocks
    def table(self, frame: pd.DataFrame, caption: str, *, digits: int = 3, note: str | None = None,
              index: bool = True, pcols: tuple[str, ...] = ()) -> str:
        """An APA-style HTML table; every cell escaped, numbers in the report's language.

        Integer columns print without decimals, float columns with ``digits``, ``pcols`` as p-values.
        """
        numeric = {c: pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
                   for c in frame.columns}
        integer = {c: pd.api.types.is_integer_dtype(frame[c]) for c in frame.columns}

        def cell(col, v) -> str:
            if col in pcols:
                return f"<td>{esc(self.p(v))}</td>"
            if numeric[col]:
                return f"<td>{esc(self.num(int(v) if integer[col] else v, digits))}</td>"
            empty = v is None or (isinstance(v, float) and np.isnan(v))
            return f'<td class="text">{esc("" if empty else v)}</td>'

        head = ([f'<th class="text">{esc(frame.index.name or "")}</th>'] if index else []) + [
            f'<th{"" if numeric[c] else " class=text"}>{esc(c)}</th>' for c in frame.columns]
        rows = []
        for idx, values in zip(frame.index, frame.itertuples(index=False, name=None)):
            cells = [f'<td class="text">{esc(idx)}</td>'] if index else []
            cells += [cell(col, v) for col, v in zip(frame.columns, values)]
            rows.append("<tr>" + "".join(cells) + "</tr>")
        wide = ' class="wide"' if len(frame.columns) + index > 9 else ""
        out = (f'<div class="table-wrap"><table{wide}><caption>{esc(caption)}</caption>'
               f"<thead><tr>{''.join(head)}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>")
        if note:
            out += f'<p class="note">{esc(note)}</p>'
        return out

    @staticmethod
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
        return f"<figure>{svg}<figcaption>{esc(caption)}</figcaption></figure>"

    @staticmethod
    def paragraph(text: str, cls: str | None = None) -> str:
        return f'<p{f" class={cls!r}" if cls else ""}>{esc(text)}</p>'

    def heading(self, key: str, **fields) -> str:
        return f"<h3>{self.text(key, **fields)}</h3>"

    def skipped(self, reason) -> str:
        return f'<p class="skipped">{self.text("report.skipped", why=str(reason))}</p>'
