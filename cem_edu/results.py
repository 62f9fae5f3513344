"""The one base class of every result object, and the one JSON-safe value helper.

Every analysis of the kit returns a frozen dataclass deriving from :class:`Result` (``FitResult``,
``AlphaResult``, ``NPSResult``, ``EFAResult``, …), so every result behaves the same:

``res.to_dict()``            a JSON-ready dict (numbers as Python ``int``/``float``, NaN and ±inf as None)
``res.to_json(path=None)``   that dict as JSON text (UTF-8, non-ASCII kept), also written to ``path``
``str(res)`` / ``print(res)`` a plain-text summary; ``res._repr_html_()`` the notebook view
                             (right-to-left in Persian)
``res.x = ...``              raises ``dataclasses.FrozenInstanceError``: a result is a record of what
                             was estimated, not a scratch pad

A subclass gives its own ``to_dict`` / ``__str__`` / ``_repr_html_`` where the default (every
dataclass field, tables as records) is not what a reader wants. The helpers those use live here
too, once: :func:`json_safe` turns numpy/pandas values into JSON values (:func:`json_records` and
:func:`json_frame` for tables), :func:`output_html` wraps a result's HTML (right to left in
Persian), :class:`FrozenDict` keeps a free-form dict field read-only. Use them rather than
writing another.

Layer: the lowest (beside :mod:`cem_edu.errors` and :mod:`cem_edu.i18n`); imports only :mod:`cem_edu.i18n`.
"""
from __future__ import annotations

import dataclasses
import datetime
import html
import json
import math
from collections.abc import Mapping
from pathlib import Path, PurePath

import numpy as np
import pandas as pd

from .i18n import get_language, t

__all__ = ["Result", "json_safe", "json_records", "json_frame", "FrozenDict", "output_html"]


def json_safe(value):
    """``value`` as plain JSON data: the one JSON-safe conversion of the kit.

    * ``None``, NaN, ±inf, ``pd.NA`` and ``pd.NaT`` → ``None`` (JSON has no NaN; ``json.loads`` of
      ``NaN`` fails in strict parsers and in JavaScript);
    * numpy / Python booleans → ``bool``; integers → ``int``; other real numbers → ``float``;
    * strings stay strings (a numeric-looking label such as ``"1"`` is *not* turned into a number);
    * ``dict``/mapping → dict with JSON keys (str, int, float, bool) and safe values; list, tuple,
      set, ``np.ndarray`` → list; ``pd.Series`` → {index: value}; ``pd.DataFrame`` → a list of
      row records (the index becomes the first column(s) unless it is the default 0…n−1);
    * a :class:`Result` → its ``to_dict()``; dates → ISO 8601 text; paths → text;
    * anything else → ``str(value)``.

    >>> json_safe({"a": np.float64("nan"), "b": np.int64(3), "c": [np.inf, 1.5]})
    {'a': None, 'b': 3, 'c': [None, 1.5]}
    """
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        v = float(value)
        return v if math.isfinite(v) else None
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, Result):
        return json_safe(value.to_dict())
    if isinstance(value, pd.DataFrame):
        frame = value if isinstance(value.index, pd.RangeIndex) and value.index.name is None else value.reset_index()
        return [{str(k): json_safe(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]
    if isinstance(value, pd.Series):
        return {_json_key(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, Mapping):
        return {_json_key(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset, np.ndarray)):
        return [json_safe(v) for v in (value.tolist() if isinstance(value, np.ndarray) else value)]
    if isinstance(value, (datetime.date, datetime.datetime, pd.Timestamp)):
        return value.isoformat()
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, complex):
        return str(value)
    try:                    # other numbers (Decimal, Fraction, 0-d arrays)
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    return v if math.isfinite(v) else None


def json_records(frame: pd.DataFrame) -> list[dict]:
    """A table as JSON rows ``[{column: value}, …]`` (the index left out), values through :func:`json_safe`."""
    return [{str(k): json_safe(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


def json_frame(frame: pd.DataFrame) -> dict:
    """A table as JSON ``{row label: {column: value}}``, values through :func:`json_safe`."""
    return {str(i): {str(c): json_safe(v) for c, v in row.items()} for i, row in frame.iterrows()}


def _json_key(key):
    """A dict key JSON accepts (str, int, float, bool or None); numpy scalars become Python, others text."""
    key = json_safe(key) if isinstance(key, (np.generic, float, int)) else key
    return key if isinstance(key, (str, int, float, bool)) or key is None else str(key)


def output_html(body: str, language: str | None = None) -> str:
    """The one wrapper of a result's notebook HTML: ``<div class='cem-edu-output LANG'>…</div>``, with
    ``dir="rtl"`` in Persian (``language``, default the kit's language; the notebook style sheet of
    :mod:`cem_edu.notebook` right-aligns the tables inside)."""
    lang = language or get_language()
    rtl = ' dir="rtl"' if lang == "fa" else ""
    return f"<div class='cem-edu-output {lang}'{rtl}>{body}</div>"


class FrozenDict(dict):
    """A read-only dict for a result's free-form fields (``FitResult.extras``).

    Reading works as for any dict (``d["key"]``, ``d.get``, ``{**d, "new": 1}``, ``isinstance(d, dict)``);
    ``d[k] = v``, ``del d[k]``, ``update``, ``pop``, ``clear``, ``setdefault`` raise ``TypeError``.
    Make a changed copy with ``FrozenDict({**d, "key": value})``. Copies and pickles as a dict would.
    """

    def _read_only(self, *args, **kwargs):
        raise TypeError(t("results.read_only", name=type(self).__name__))

    __setitem__ = __delitem__ = update = pop = popitem = clear = setdefault = _read_only
    __ior__ = _read_only

    def __reduce__(self):
        return (type(self), (dict(self),))

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        import copy  # noqa: PLC0415

        return type(self)(copy.deepcopy(dict(self), memo))

    def __repr__(self) -> str:
        return f"FrozenDict({dict.__repr__(self)})"


class Result:
    """Base class of every result object of the kit (frozen dataclasses).

    A subclass is declared ``@dataclass(frozen=True)`` and inherits

    * :meth:`to_dict` — a JSON-ready dict; the default lists every dataclass field through
      :func:`json_safe` (tables as lists of row records). Subclasses override it with the keys a
      reader expects (``FitResult``: estimates, fit, info);
    * :meth:`to_json` — ``to_dict()`` as JSON text: UTF-8, non-ASCII kept, NaN/±inf as ``null``,
      numpy scalars as Python numbers; written to ``path`` when given;
    * ``__str__`` — a plain-text summary (default: the class name and each field, tables printed
      with 3 decimals), also as :meth:`summary`;
    * ``_repr_html_`` — the notebook view (default: the text summary in ``<pre>``), inside
      :func:`output_html` (``<div class='cem-edu-output LANG'>``, ``dir="rtl"`` in Persian); ``LANG`` is the result's
      ``language`` field when it has one, else the kit's default language.

    Example
    -------
    >>> from dataclasses import dataclass
    >>> @dataclass(frozen=True)
    ... class MeanResult(Result):
    ...     mean: float
    ...     n: int
    >>> MeanResult(float("nan"), 3).to_json(indent=None)
    '{"mean": null, "n": 3}'
    """

    def to_dict(self) -> dict:
        """JSON-ready dict of the result (default: every dataclass field through :func:`json_safe`)."""
        if not dataclasses.is_dataclass(self):
            raise NotImplementedError(f"{type(self).__name__} must define to_dict()")
        return {f.name: json_safe(getattr(self, f.name)) for f in dataclasses.fields(self)}

    def to_json(self, path=None, indent: int | None = 2) -> str:
        """``to_dict()`` as JSON text (UTF-8, non-ASCII kept, NaN → null); also written to ``path`` if given."""
        text = json.dumps(json_safe(self.to_dict()), ensure_ascii=False, indent=indent, allow_nan=False)
        if path:
            Path(path).write_text(text, encoding="utf-8")
        return text

    def summary(self) -> str:
        """The plain-text summary (same as ``str(result)``; lavaan users type ``summary(fit)``)."""
        return str(self)

    def _language(self) -> str:
        lang = getattr(self, "language", None)
        return lang if lang in ("en", "fa") else get_language()

    def __str__(self) -> str:
        lines = [type(self).__name__]
        fields = dataclasses.fields(self) if dataclasses.is_dataclass(self) else ()
        for f in fields:
            if not f.repr:
                continue
            value = getattr(self, f.name)
            if isinstance(value, (pd.DataFrame, pd.Series)):
                shown = value.round(3) if isinstance(value, pd.DataFrame) or pd.api.types.is_numeric_dtype(value) \
                    else value
                lines += [f"{f.name}:", shown.to_string()]
            elif isinstance(value, np.ndarray):
                lines.append(f"{f.name}: array{value.shape}")
            elif isinstance(value, dict):
                text = ", ".join(f"{k}: {_short(v)}" for k, v in value.items())
                lines.append(f"{f.name}: {{{text}}}")
            else:
                lines.append(f"{f.name}: {_short(value)}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return output_html(f"<pre>{html.escape(str(self))}</pre>", self._language())


def _short(value, width: int = 60) -> str:
    """A one-line text of ``value`` (numbers with 3 decimals, long texts cut)."""
    if isinstance(value, (float, np.floating)):
        text = f"{float(value):.3f}"
    elif isinstance(value, (pd.DataFrame, pd.Series, np.ndarray)):
        text = f"{type(value).__name__}{getattr(value, 'shape', '')}"
    elif isinstance(value, (list, tuple)) and any(isinstance(v, (pd.DataFrame, pd.Series, np.ndarray)) for v in value):
        text = f"{type(value).__name__} of {len(value)} tables"
    else:
        text = str(value)
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
