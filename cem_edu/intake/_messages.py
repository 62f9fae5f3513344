"""Spreadsheet row numbers in intake messages ("rows 14, 90, 311").

Messages themselves are :func:`cem_edu.i18n.t` (numbers get Persian digits in fa, names keep theirs);
a list of row numbers is one text field, so it is written here in the message's language.
"""
from __future__ import annotations

from ..i18n import get_language, numerals


def row_list(rows, limit: int = 10, language: str | None = None) -> str:
    """'14, 90, 311' (at most ``limit`` numbers, then '… (+k)'); '۱۴، ۹۰، ۳۱۱' in Persian.

    Also the out-of-range values of a column ('8, 9'), which are numbers in running text too."""
    rows = list(rows)
    text = ", ".join(str(r) for r in rows[:limit])
    if len(rows) > limit:
        text += f", … (+{len(rows) - limit})"
    if (language or get_language()) == "fa":
        text = numerals(text, "fa").replace(",", "،")
    return text
