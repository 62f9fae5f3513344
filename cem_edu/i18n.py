"""Languages (fa/en), the string catalogue and digit handling: the lowest layer of the kit.

* ``set_language("fa" | "en")`` sets the default language (for calls that pass no ``language=``).
  It only sets that default: fonts and the figure theme live in :mod:`cem_edu.plots._theme`, the
  JupyterLab right-to-left style and table formatter in :mod:`cem_edu.notebook`, whose
  ``set_language`` (exported as ``cem_edu.set_language``) calls this one and then does both.
* ``t(key, language, **fields)`` looks a string up in the catalogue: ``cem_edu/locales/*.yaml``,
  one file per module (``{key: {en: ..., fa: ...}}``), merged on first use. It is the one
  digit-safe translation of the kit: in Persian, number fields (int, float, numpy numbers) get
  Persian digits; text fields (item ids such as ``SAT1``, column and file names) keep theirs.
  Wrap a number that is a name (an integer column label) in ``verbatim(...)`` to keep it Latin;
  turn a number written inside a text field into Persian digits with ``numerals(value, language)``.
* ``to_persian_digits`` / ``to_ascii_digits`` convert digits for display and intake.

This module imports nothing of the kit but :mod:`cem_edu.errors`, and neither matplotlib nor IPython.
"""
from __future__ import annotations

import functools
from collections.abc import Iterable
import numbers
from importlib import resources

import yaml

__all__ = [
    "LANGUAGES", "set_language", "get_language", "t", "verbatim", "numerals",
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
        raise CemError(t("common.unknown_language", value=repr(language), choices=", ".join(LANGUAGES)))
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


class Verbatim:
    """A message field that :func:`t` leaves exactly as it is (see :func:`verbatim`)."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text

    def __format__(self, spec: str) -> str:
        return format(self.text, spec)

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return repr(self.text)


def verbatim(value) -> Verbatim:
    """Mark a name (or a list of names, joined by ", ") so :func:`t` never changes its digits.

    Text fields already keep their digits; the marker matters for names that are numbers
    (a column labelled ``2``) and documents at the call site that the value is an identifier.
    """
    if isinstance(value, Iterable) and not isinstance(value, (str, bytes, Verbatim)):  # list, tuple, pd.Index
        return Verbatim(", ".join(map(str, value)))
    return Verbatim(str(value))


def _is_number(value) -> bool:
    """int, float and numpy numbers, not booleans (numpy integers are not ``int``)."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and type(value).__name__ != "bool_"


def numerals(value, language: str | None = None) -> str:
    """``value`` as text, with Persian digits when the language is fa (for numbers inside text
    fields, e.g. the counts in "FUN1 (2), FUN3 (1)" that :func:`t` would otherwise leave Latin)."""
    return to_persian_digits(value) if (language or get_language()) == "fa" else str(value)


def t(key: str, language: str | None = None, **fields) -> str:
    """Translate ``key`` into the current (or given) language and fill ``{fields}``.

    The digit rule of the whole kit: in Persian, number fields (int, float, numpy numbers) are
    written with Persian digits; text fields and :func:`verbatim` values are left as they are,
    so identifiers (``SAT1``, column and file names) stay searchable in the data.

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
            fields = {k: (to_persian_digits(v) if _is_number(v) else v) for k, v in fields.items()}
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
