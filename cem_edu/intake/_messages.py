"""Message formatting for intake: catalogue lookup with fields that stay readable.

``i18n.t`` turns every digit of a field into a Persian digit in fa, which would
also rewrite column names such as ``FUN2``. Here only numbers are localised;
names keep their spelling, so a user can search for them in the file.
"""
from __future__ import annotations

from ..i18n import get_language, t, to_persian_digits


def msg(key: str, language: str | None = None, **fields) -> str:
    """The catalogue entry ``key`` in ``language`` (default: the current one) with ``fields`` filled in."""
    template = t(key, language=language)
    if (language or get_language()) == "fa":
        fields = {k: (to_persian_digits(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v)
                  for k, v in fields.items()}
    return template.format(**fields)


def row_list(rows, limit: int = 10) -> str:
    """'14, 90, 311' (at most ``limit`` numbers, then '…')."""
    rows = list(rows)
    text = ", ".join(str(r) for r in rows[:limit])
    if len(rows) > limit:
        text += f", … (+{len(rows) - limit})"
    if get_language() == "fa":
        text = to_persian_digits(text).replace(",", "،")
    return text
