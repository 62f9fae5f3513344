"""Checks at the boundary, in the style of scikit-learn's ``check_*`` (``sklearn.utils.validation``).

A public function checks what the user handed it once, on entry, with one of these; each check
returns the validated value or raises :class:`cem_edu.errors.DataError` (or the error class the
caller names) whose message says what is wrong, where, and how to fix it, in the caller's language.

* ``check_columns(frame, names, what=..., language=...)`` — every name is a column of ``frame``;
  a misspelt name is reported with its closest columns (``difflib``: ``'FUN9' (did you mean FUN4,
  FUN3)``). A caller with its own catalogue entry passes ``key=`` and the entry's other fields.
* ``check_group_column(frame, group, language=...)`` — the grouping column of a multi-group analysis.
* ``missing_columns``, ``close_matches``, ``suggest``, ``pair_suggestions`` — the building blocks,
  for checks that compose their own message (the intake's instrument check).

This module sits in the lowest layer (with :mod:`cem_edu.errors` and :mod:`cem_edu.i18n`) so that
every layer, from the instrument up, can use it; it imports nothing else of the kit.
"""
from __future__ import annotations

import difflib
from collections.abc import Iterable

from .errors import DataError
from .i18n import numerals, t, verbatim

__all__ = ["check_columns", "check_group_column", "missing_columns", "close_matches", "suggest",
           "pair_suggestions", "describe_missing", "column_preview"]

#: columns shown when a message lists what the data do have
PREVIEW = 12


def _columns(frame) -> list:
    """The column labels of a DataFrame (or the labels themselves, for a list or an Index)."""
    return list(getattr(frame, "columns", frame))


def missing_columns(frame, names: Iterable) -> list:
    """The names that are not columns of ``frame``, in the order given, each once."""
    present = set(_columns(frame))
    return [n for n in dict.fromkeys(names) if n not in present]


def close_matches(name, candidates: Iterable, n: int = 3, cutoff: float = 0.6) -> list[str]:
    """Up to ``n`` candidates that look like ``name``, best first (``difflib.get_close_matches`` with
    case ignored, so ``X1`` finds ``x1``)."""
    by_lower: dict[str, list[str]] = {}
    for c in map(str, candidates):
        by_lower.setdefault(c.lower(), []).append(c)
    hits = difflib.get_close_matches(str(name).lower(), list(by_lower), n=n, cutoff=cutoff)
    return [c for h in hits for c in by_lower[h]][:n]


def _key(text) -> str:
    return "".join(ch for ch in str(text).lower() if ch.isalnum())


def suggest(name, candidates: Iterable, cutoff: float = 0.6):
    """The one candidate closest to ``name`` with case and separators ignored (``FUN_2`` for ``FUN2``),
    or None."""
    by_key = {_key(c): c for c in candidates}
    if _key(name) in by_key:
        return by_key[_key(name)]
    hit = difflib.get_close_matches(_key(name), list(by_key), n=1, cutoff=cutoff)
    return by_key[hit[0]] if hit else None


def pair_suggestions(missing: Iterable, candidates: Iterable) -> dict:
    """``{missing name: closest candidate or None}``; each candidate is suggested for one name at most
    (an export that renamed several columns: ``FUN1 -> fun_1``, ``FUN2 -> fun_2``)."""
    hints, free = {}, list(candidates)
    for name in missing:
        hints[name] = suggest(name, free)
        if hints[name] in free:
            free.remove(hints[name])
    return hints


def column_preview(frame, limit: int = PREVIEW) -> str:
    """The first ``limit`` column names of ``frame``, joined by ", " ("…" when there are more)."""
    cols = [str(c) for c in _columns(frame)]
    return ", ".join(cols[:limit]) + (", …" if len(cols) > limit else "")


def describe_missing(missing: Iterable, frame, language: str | None = None, hints: bool = True,
                     limit: int = 8) -> str:
    """``'xx3' (did you mean x3), 'q9'``: each missing name quoted, with its closest columns
    (the first ``limit`` names, then ``… (+k)``)."""
    columns = [str(c) for c in _columns(frame)]
    missing = list(missing)
    parts = []
    for name in missing[:limit]:
        close = close_matches(name, columns) if hints else []
        parts.append(f"'{name}'" + (f" ({t('check.did_you_mean', language)} {', '.join(close)})" if close else ""))
    if len(missing) > limit:
        parts.append(f"… (+{numerals(len(missing) - limit, language)})")
    return ", ".join(parts)


def check_columns(frame, names: Iterable, *, what: str = "", key: str = "check.missing_columns",
                  language: str | None = None, error: type[Exception] = DataError, hints: bool = True,
                  **fields) -> list:
    """Check that every name in ``names`` is a column of ``frame``; return the names as a list.

    Parameters
    ----------
    frame : DataFrame (or a list of column labels)
    names : the columns the analysis needs (a single name may be given as a string)
    what : the function or argument that needs them (``"nps(by=...)"``), named in the message
    key : catalogue entry of the message; it receives ``columns`` (each missing name quoted, with
        its closest columns when ``hints``), ``names`` (the missing names, plain), ``n`` (how many),
        ``available`` (the first columns of the data), ``what`` and ``fields``
    error : the exception class raised (``DataError``; ``InstrumentError`` for a model file)

    Raises
    ------
    error
        when a name is missing: ``gap: column(s) 'EXP9' (did you mean EXP1) are not in the data; ...``
    """
    names = [names] if isinstance(names, str) else list(names)
    missing = missing_columns(frame, names)
    if missing:
        raise error(t(key, language, what=f"{what}: " if what else "", columns=describe_missing(missing, frame, language, hints),
                      names=", ".join(map(str, missing)), n=len(missing), available=column_preview(frame),
                      **fields))
    return names


def check_group_column(frame, group, *, language: str | None = None, error: type[Exception] = DataError):
    """Check that ``group`` (the grouping variable of a multi-group analysis) is a column of ``frame``;
    the message names the columns that look like it, else the first columns of the data."""
    if group is not None and group not in set(_columns(frame)):
        close = close_matches(group, _columns(frame)) or [str(c) for c in _columns(frame)[:PREVIEW]]
        raise error(t("check.missing_group", language, group=verbatim(group), close=", ".join(close)))
    return group


def check_type(value, types, *, what: str, expected: str, language: str | None = None,
               error: type[Exception] = DataError):
    """Check that ``value`` is an instance of ``types``; return it.

    ``what`` names the argument (``"heatmap(matrix=...)"``) and ``expected`` says what to pass, in the
    user's words (``"a DataFrame, e.g. ce.htmt(data, inst)"``); the message names the type given, so a
    wrong argument ends in a sentence instead of an AttributeError deep inside matplotlib or pandas.
    """
    if not isinstance(value, types):
        shown = repr(value) if isinstance(value, (str, int, float)) else type(value).__name__
        raise error(t("check.wrong_type", language, what=verbatim(what), wanted=expected,
                      given=verbatim(shown[:60])))
    return value
