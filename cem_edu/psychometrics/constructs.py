"""Shared input handling of the psychometric modules (describe, reliability, factor).

* Input coercion (DataFrame / CleanData / array -> frame) is :func:`cem_edu.intake.as_frame`.
* ``resolve_spec(spec, data)`` -> ``{construct: [columns]}`` from an ``Instrument``, lavaan
  measurement syntax (``f =~ a + b + c`` lines; other lines are ignored) or a dict.
* ``check_items(df, cols, where)`` validates that the columns are numeric and vary (that they exist:
  :func:`cem_edu.validation.check_columns`, called by ``resolve_spec``).

Private module: the public functions live in describe.py, reliability.py and factor.py.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..errors import DataError, ModelError
from ..i18n import t, verbatim
from ..intake import as_frame
from ..validation import check_columns

__all__ = ["resolve_spec", "check_items", "scale_bounds", "item_text", "construct_scores",
           "instrument_from_model"]


def _is_instrument(spec) -> bool:
    return hasattr(spec, "items_by_construct") and callable(spec.items_by_construct)


def _from_syntax(text: str, language: str | None = None) -> dict[str, list[str]]:
    from ..sem.syntax import parse_syntax  # noqa: PLC0415

    statements, _ = parse_syntax(text)
    out: dict[str, list[str]] = {}
    for st in statements:
        if st.op == "=~":
            out.setdefault(st.lhs, [])
            if st.rhs not in out[st.lhs]:
                out[st.lhs].append(st.rhs)
    if not out:
        raise ModelError(t("psy.no_measurement", language))
    return out


def resolve_spec(spec, data: pd.DataFrame | None = None, *, language: str | None = None) -> dict[str, list[str]]:
    """``{construct: [item columns]}`` from an Instrument, lavaan syntax, a dict or a list of columns.

    With ``spec=None`` all numeric columns of ``data`` form one construct called "scale".
    ``language``: of the error messages (default: the current one).
    """
    if spec is None:
        if data is None:
            raise DataError(t("psy.no_spec", language))
        cols = [c for c in data.columns if pd.api.types.is_numeric_dtype(data[c])]
        return {"scale": cols}
    if _is_instrument(spec):
        out = {k: list(v) for k, v in spec.items_by_construct().items() if v}
    elif isinstance(spec, str):
        out = _from_syntax(spec, language)
    elif isinstance(spec, Mapping):
        out = {str(k): ([v] if isinstance(v, str) else list(v)) for k, v in spec.items()}
    elif isinstance(spec, (list, tuple, pd.Index)):
        out = {"scale": list(spec)}
    else:
        raise DataError(t("psy.bad_spec", language, kind=type(spec).__name__))
    if data is not None:
        for construct, cols in out.items():
            check_columns(data, cols, key="psy.missing_columns", language=language, construct=verbatim(construct))
    return out


def check_items(df: pd.DataFrame, cols, where: str = "", allow_constant: bool = False, *,
                language: str | None = None) -> np.ndarray:
    """Numeric float matrix of ``cols``; clear DataError (in ``language``) for text columns and items
    that never vary."""
    cols = list(cols)
    bad = [c for c in cols if not pd.api.types.is_numeric_dtype(df[c])]
    if bad:
        raise DataError(t("psy.not_numeric", language, columns=verbatim(bad), where=verbatim(where)))
    x = df[cols].to_numpy(dtype=float)
    if not allow_constant:
        with np.errstate(invalid="ignore"):
            sd = np.nanstd(x, axis=0)
        flat = [c for c, s in zip(cols, sd) if not np.isfinite(s) or s <= 0]
        if flat:
            raise DataError(t("psy.zero_variance", language, columns=verbatim(flat), where=verbatim(where)))
    return x


def scale_bounds(spec, item: str, observed: np.ndarray) -> tuple[float, float]:
    """(min, max) of an item's answer scale: from the Instrument when given, else the observed range."""
    if _is_instrument(spec):
        try:
            sc = spec.item(item).scale
            return float(sc.min), float(sc.max)
        except Exception:  # noqa: BLE001 - not an instrument item: fall back to the data
            pass
    obs = observed[np.isfinite(observed)]
    if obs.size == 0:
        return np.nan, np.nan
    return float(obs.min()), float(obs.max())


def item_text(spec, item: str, language: str) -> str:
    """The item's wording in ``language`` when ``spec`` is an Instrument, else the column name."""
    if _is_instrument(spec):
        try:
            text = spec.item(item).text
            return text.get(language) or text.get("en") or item
        except Exception:  # noqa: BLE001
            return item
    return item


def construct_scores(data, spec, *, language: str | None = None) -> pd.DataFrame:
    """Construct (scale) scores: per respondent, the mean of the answered items of each construct.

    The usual scale score of a questionnaire study (and the one the reliability table describes);
    reverse-keyed items must already be recoded (``ce.clean`` does this). A respondent who answered
    none of a construct's items gets NaN for it. ``language``: of the error messages.
    """
    df = as_frame(data)
    sp = resolve_spec(spec, df, language=language)
    return pd.DataFrame({k: pd.DataFrame(check_items(df, cols, where=f"({k})", allow_constant=True,
                                                     language=language)).mean(axis=1)
                         .to_numpy() for k, cols in sp.items()}, index=df.index)


def instrument_from_model(model: str, data=None, reverse=(), scale=None, name: str = "own_data"):
    """An Instrument from a lavaan model's ``=~`` lines and the data: no questionnaire file to write.

    Each ``construct =~ item + item + ...`` line becomes a construct with those items (the data's
    columns); ``reverse`` lists the reverse-keyed items (recoded x' = min + max − x when the data are
    cleaned with the instrument); ``scale`` is ``(min, max)`` or ``"1-6"``. Without ``scale`` the range
    is read from the data (the smallest and largest answer) and a warning names it.

    Parameters
    ----------
    model : lavaan syntax (text)
    data : DataFrame of the answers (needed when ``scale`` is not given)
    reverse : list of item ids or ``"A1,C4"``
    scale : ``(min, max)`` or text such as ``"1-6"``

    Returns
    -------
    Instrument

    Examples
    --------
    >>> import cem_edu as ce, pandas as pd
    >>> d = pd.DataFrame({"a1": [1, 2, 6], "a2": [2, 3, 5], "a3": [6, 5, 1]})
    >>> inst = ce.instrument_from_model("A =~ a1 + a2 + a3", d, reverse=["a3"], scale=(1, 6))
    >>> inst.reverse_items, inst.item("a1").scale.max
    (['a3'], 6)
    """
    from ..instrument.sources import instrument_from_constructs

    if not isinstance(model, str):
        raise DataError(t("psy.bad_spec", kind=type(model).__name__))
    return instrument_from_constructs(_from_syntax(model), data, reverse=reverse, scale=scale, name=name,
                                      source="lavaan model")
