"""One number parser for the web form, file intake and the command line.

``parse_number(text, decimal="auto")`` reads what a person types as a number —
ASCII, Persian (``۰–۹``) or Arabic-Indic (``٠–٩``) digits, with a decimal mark
and optional thousands separators — and returns a float, or raises
:class:`cem_edu.errors.DataError` (a ``ValueError``) whose message says what is
wrong with the text and how to write it instead, in Persian or English.

Separators
----------
* ``٫`` (U+066B, Arabic decimal separator) is always the decimal mark and
  ``٬`` (U+066C, Arabic thousands separator) always groups thousands.
* ``decimal="."``: ``.`` is the decimal mark, ``,`` groups thousands
  (``1,234.5`` = 1234.5; ``1,5`` is rejected: not a thousands group).
* ``decimal=","``: ``,`` is the decimal mark, ``.`` groups thousands
  (``1.234,5`` = 1234.5; ``1,5`` = 1.5).
* ``decimal="auto"`` (default) decides from the text itself:

  - both ``.`` and ``,`` occur: the last one is the decimal mark, the other
    groups thousands (``1,234.5`` and ``1.234,5`` are both 1234.5);
  - one of them occurs more than once: it groups thousands (``1,234,567``);
  - a single ``.`` is the decimal mark (``1.500`` = 1.5, as in Python, CSV
    exports and the number keyboard of a phone);
  - a single ``,`` is the decimal mark (``1,5`` = 1.5, ``12,25`` = 12.25,
    ``0,250`` = 0.25), **except** when it could as well group thousands: 1–3
    digits not starting with 0, the comma, then exactly three digits
    (``1,500``, ``12,345``). That text is *ambiguous* (1500 or 1.5) and is
    rejected with a message asking for ``1500`` or ``1.5`` (or an explicit
    ``decimal=``), never guessed.

Thousands separators are accepted only in valid groups: 1–3 digits, then
groups of exactly three, before the decimal mark, all with one separator
(``1٬1٬111``, ``12,34,567`` and ``1,234٬567`` are rejected).

Always rejected, with a message that says how to fix it: underscores
(``1_000``, Python's digit grouping), scientific notation (``1e308``, ``2E3``),
``inf``/``nan``, more than one decimal mark, spaces inside the number, and
numbers with more than 15 significant integer digits (beyond 2**53 a float no
longer stores every integer exactly, and no survey answer is that large).

Reference: Unicode CLDR number symbols for ``fa`` (decimal ``٫``, group ``٬``)
and ``en`` (decimal ``.``, group ``,``), https://cldr.unicode.org.
"""
from __future__ import annotations

import math
import numbers as _numbers
import re

from ..errors import DataError
from ..i18n import get_language, t

__all__ = ["parse_number", "parse_integer", "DECIMAL_MODES"]

DECIMAL_MODES = (".", ",", "auto")
_MAX_INTEGER_DIGITS = 15

_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "0123456789" * 2)
_INVISIBLE = re.compile("[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069\u0640\ufeff]")  # bidi marks, tatweel, BOM
_NOT_FINITE = re.compile(r"[+\-\u2212]?(inf|infinity|nan|∞)", re.IGNORECASE)
_EXPONENT = re.compile(r"\d[.,\u066b]?\d*[eE][+\-]?\d")
_SHAPE = re.compile(r"([+\-\u2212]?)([0-9.,\u066b\u066c]+)")
_AR_DECIMAL, _AR_GROUP = "\u066b", "\u066c"


def _fail(key: str, text: str, language: str | None, **fields) -> DataError:
    lang = language or get_language()
    shown = text if len(text) <= 40 else text[:37] + "…"
    return DataError(t(f"intake.number.{key}", language=lang, text=shown, **fields))


def _decimal_mark(body: str, decimal: str, text: str, language: str | None) -> str | None:
    """The character that is the decimal mark in ``body`` (None: an integer)."""
    if _AR_DECIMAL in body:
        return _AR_DECIMAL
    if decimal in (".", ","):
        return decimal if decimal in body else None
    dots, commas = body.count("."), body.count(",")
    if dots and commas:
        return "." if body.rfind(".") > body.rfind(",") else ","
    if dots + commas == 0:
        return None
    mark = "." if dots else ","
    if dots + commas > 1:
        return None  # repeated: groups thousands
    if mark == "," and _AR_GROUP not in body:
        before, after = body.split(",")
        if len(after) == 3 and 1 <= len(before) <= 3 and not before.startswith("0"):
            raise _fail("ambiguous", text, language, thousands=int(before + after), decimal=float(f"{before}.{after}"))
    return mark


def parse_number(text, *, decimal: str = "auto", language: str | None = None) -> float:
    """Read a number typed by a person; raise ``DataError`` (a ``ValueError``) saying how to fix it.

    Parameters
    ----------
    text : str, int or float
        The cell or form field. Persian and Arabic-Indic digits, ``٫`` and ``٬``,
        a leading ``+``/``-``/``−`` and surrounding white space are accepted.
        Numbers (not bool) pass through when finite and not too large.
    decimal : ".", "," or "auto"
        Which of ``.`` and ``,`` is the decimal mark; ``"auto"`` decides from the
        text and rejects the ambiguous ``1,500`` (see the module docstring for
        every rule).
    language : "fa", "en" or None
        Language of the error message (default: the current language).

    Returns
    -------
    float

    Examples
    --------
    >>> parse_number("۱٬۲۵۰٫۵")
    1250.5
    >>> parse_number("1,5")
    1.5
    >>> parse_number("1,234.5")
    1234.5
    >>> parse_number("1.234,5", decimal=",")
    1234.5
    >>> parse_number("1_000")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    cem_edu.errors.DataError: '1_000' contains '_'; write the number without underscores: 1000 ...
    """
    if decimal not in DECIMAL_MODES:
        raise DataError(t("intake.number.bad_decimal_option", language=language or get_language(),
                          value=repr(decimal)))
    if isinstance(text, bool) or text is None:
        raise _fail("not_a_number", str(text), language)
    if isinstance(text, _numbers.Real):
        value = float(text)
        if not math.isfinite(value):
            raise _fail("not_finite", str(text), language)
        if abs(value) >= 10.0 ** _MAX_INTEGER_DIGITS:
            raise _fail("too_large", str(text), language, digits=_MAX_INTEGER_DIGITS)
        return value
    if not isinstance(text, str):
        raise _fail("not_a_number", str(text), language)
    shown = text.strip()
    s = _INVISIBLE.sub("", text.translate(_DIGITS)).strip()
    if not s:
        raise _fail("empty", shown, language)
    if _NOT_FINITE.fullmatch(s):
        raise _fail("not_finite", shown, language)
    if "_" in s:
        raise _fail("underscore", shown, language, fixed=s.replace("_", ""))
    if _EXPONENT.search(s):
        raise _fail("exponent", shown, language)
    m = _SHAPE.fullmatch(s)
    if m is None:
        if re.fullmatch(r"[+\-\u2212]?[0-9.,\u066b\u066c\s]+", s):
            raise _fail("space", shown, language, fixed=re.sub(r"\s", "", s))
        raise _fail("not_a_number", shown, language)
    sign, body = m.groups()
    mark = _decimal_mark(body, decimal, shown, language)
    if mark is not None and (body.count(mark) > 1 or (mark != _AR_DECIMAL and _AR_DECIMAL in body)):
        raise _fail("two_decimals", shown, language)
    whole, _, fraction = body.partition(mark) if mark else (body, "", "")
    if mark is not None and not fraction:
        raise _fail("not_a_number", shown, language)
    example = "3,5" if decimal == "," else "3.5"
    if not fraction.isdigit() and fraction:  # a separator after the decimal mark
        raise _fail("grouping", shown, language, fixed=re.sub(r"[^0-9]", "", body), example=example)
    groups = set(re.sub(r"[0-9]", "", whole))
    if groups:
        if len(groups) > 1 or not re.fullmatch(r"[0-9]{1,3}(?:\D[0-9]{3})+", whole):
            fixed = re.sub(r"[^0-9]", "", whole) + (f".{fraction}" if fraction else "")
            raise _fail("grouping", shown, language, fixed=fixed, example=example)
        whole = re.sub(r"[^0-9]", "", whole)
    if not whole and not fraction:
        raise _fail("not_a_number", shown, language)
    if len(whole.lstrip("0")) > _MAX_INTEGER_DIGITS:
        raise _fail("too_large", shown, language, digits=_MAX_INTEGER_DIGITS)
    value = float(f"{whole or '0'}.{fraction or '0'}")
    return -value if sign in ("-", "\u2212") else value



def parse_integer(text, *, minimum: int | None = None, language: str | None = None) -> int:
    """A whole number typed by a person (a count, a seed, a port), read by :func:`parse_number`.

    ``decimal="."``, so ``1,000`` and ``۱٬۰۰۰`` are 1000; ``2.5`` and values below
    ``minimum`` raise ``DataError`` saying what to type.

    >>> parse_integer("۵۰۰", minimum=0)
    500
    """
    value = parse_number(text, decimal=".", language=language)
    shown = str(text).strip()
    if not value.is_integer():
        raise _fail("not_integer", shown, language)
    if minimum is not None and value < minimum:
        raise _fail("below_minimum", shown, language, minimum=minimum)
    return int(value)
