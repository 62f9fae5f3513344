"""Languages (fa/en), the string catalogue and digit handling: the lowest layer of the kit.

* ``set_language("fa" | "en")`` sets the default language (for calls that pass no ``language=``).
  It only sets that default: fonts and the figure theme live in :mod:`cem_edu.plots._theme`, the
  JupyterLab right-to-left style and table formatter in :mod:`cem_edu.notebook`, whose
  ``set_language`` (exported as ``cem_edu.set_language``) calls this one and then does both.
* ``t(key, **fields)`` looks a string up in the catalogue: ``cem_edu/locales/*.yaml``,
  one file per module (``{key: {en: ..., fa: ...}}``), merged on first use.
* ``to_persian_digits`` / ``to_ascii_digits`` convert digits for display and intake.

This module imports nothing of the kit but :mod:`cem_edu.errors`, and neither matplotlib nor IPython.
"""
from __future__ import annotations

import functools
from importlib import resources

import yaml

__all__ = [
    "LANGUAGES", "set_language", "get_language", "t",
    "to_persian_digits", "to_ascii_digits", "format_number",
]

LANGUAGES = ("en", "fa")
_state = {"language": "en"}

PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
ARABIC_INDIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
_TO_ASCII = str.maketrans(PERSIAN_DIGITS + ARABIC_INDIC_DIGITS, "0123456789" * 2)
_TO_PERSIAN = str.maketrans("0123456789", PERSIAN_DIGITS)


def set_language(language: str) -> str:
    """Set the default language of labels, table headings and figure text ("fa" or "en").

    Nothing else: notebooks call :func:`cem_edu.notebook.set_language` (``ce.set_language``), which
    also registers the Persian font for figures and sets up JupyterLab.
    """
    lang = str(language).lower().strip()
    if lang not in LANGUAGES:
        from .errors import CemError
        raise CemError(f"unknown language {language!r}; choose one of {', '.join(LANGUAGES)}")
    _state["language"] = lang
    return lang


def get_language() -> str:
    """The language currently in use ("en" by default)."""
    return _state["language"]


@functools.cache
def _catalogue() -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {}
    folder = resources.files("cem_edu") / "locales"
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".yaml"):
            merged.update(yaml.safe_load(entry.read_text(encoding="utf-8")) or {})
    return merged


def t(key: str, language: str | None = None, **fields) -> str:
    """Translate ``key`` into the current (or given) language and fill ``{fields}``.

    In Persian, numeric fields (int, float) are written with Persian digits; strings are left as they are.

    A key missing from the catalogue is returned as is, so a typo is visible, not fatal.
    """
    lang = language or get_language()
    entry = _catalogue().get(key)
    if entry is None:
        text = key
    else:
        text = entry.get(lang) or entry.get("en") or key
    if fields:
        if lang == "fa":  # numbers in Persian digits; text (column names such as FUN2) stays as it is
            fields = {k: (to_persian_digits(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v)
                      for k, v in fields.items()}
        text = text.format(**fields)
    return text


def to_ascii_digits(value):
    """Replace Persian (۰–۹) and Arabic-Indic (٠–٩) digits by ASCII digits; other values unchanged."""
    if isinstance(value, str):
        return value.translate(_TO_ASCII)
    return value


def to_persian_digits(value) -> str:
    """Render a number or string with Persian digits and the Persian decimal separator (٫)."""
    text = str(value)
    out = text.translate(_TO_PERSIAN)
    # decimal point between digits -> Arabic decimal separator
    chars = list(out)
    for i, ch in enumerate(chars):
        if ch == "." and 0 < i < len(chars) - 1 and chars[i - 1] in PERSIAN_DIGITS and chars[i + 1] in PERSIAN_DIGITS:
            chars[i] = "٫"
    return "".join(chars)


def format_number(value, digits: int = 2, language: str | None = None) -> str:
    """Format a number with ``digits`` decimals, in Persian digits when the language is fa."""
    try:
        text = f"{float(value):.{digits}f}"
    except (TypeError, ValueError):
        return str(value)
    return to_persian_digits(text) if (language or get_language()) == "fa" else text
