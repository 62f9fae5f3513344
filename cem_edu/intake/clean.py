"""``clean``: from a raw response table to analysis-ready data, with a log of every change.

The steps, in order (each one a row or more of ``CleanData.log``):

1. ``normalise`` — text cells: Persian/Arabic digits, ``٫``, ی/ک, ZWNJ, spaces;
   columns whose cells are all numbers become numeric.
2. ``columns`` — every item of the instrument is present (else ``DataError``
   with the closest column name); other columns are kept and listed.
3. ``labels`` — response labels ("Strongly agree", "کاملاً موافقم") -> codes.
4. ``non_numeric`` / ``out_of_range`` — cells that are not numbers or not on the
   item's scale: ``DataError`` (default) or set to missing (``out_of_range="missing"``).
5. ``flag:<name>`` — quality flags (see :mod:`cem_edu.intake.flags`); flagging
   never removes a row.
6. ``drop:<name>`` — rows with a flag listed in ``drop`` are removed, in the
   order of ``drop``; ``CleanData.dropped`` lists each with its reason.
7. ``reverse`` — reverse-keyed items recoded once by :meth:`Instrument.recode`,
   x' = min + max − x on each item's own scale. The frame records it
   (``data.attrs["reverse_recoded"]``, read by :func:`cem_edu.instrument.recoded_items`),
   so ``CleanData.reverse_recoded`` is True, a second ``clean`` of the result does
   not recode again, and ``inst.score(cd)`` equals ``inst.score(cd.data)``.

The input frame is never modified (``CleanData.raw`` is a copy); every step can
be undone by re-running from ``raw`` without it (``CleanData.undo(step)``).
"""
from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import DataError
from ..i18n import get_language, numerals, t
from ..instrument.model import recoded_items
from ._messages import row_list
from .flags import DEFAULTS, FLAGS, quality_flags
from .reading import read_data, spreadsheet_row
from .validate import SYSTEM_COLUMNS, check_columns, check_values, code_labels

__all__ = ["clean", "CleanData", "as_frame", "DEFAULT_DROP", "LOG_COLUMNS"]

DEFAULT_DROP = ("straightliner", "speeder", "attention_failed", "duplicate", "too_many_missing")
LOG_COLUMNS = ["step", "what", "why", "rows_affected", "n_before", "n_after"]

_WHY_KEYS = {"normalise", "columns", "labels", "non_numeric", "out_of_range", "straightliner", "speeder",
             "attention_failed", "duplicate", "too_many_missing", "mahalanobis_outlier", "reverse"}


def _why(key: str, language: str | None = None) -> str:
    return t(f"intake.why.{key}", language=language) if key in _WHY_KEYS else ""


@dataclass(frozen=True, eq=False)
class CleanData:
    """Analysis-ready responses with the record of how they were made.

    Attributes
    ----------
    data : DataFrame
        Kept rows; item columns float64 with reverse-keyed items recoded (if ``reverse_recoded``).
    flags : DataFrame
        One boolean column per quality flag, index aligned with ``raw``.
    log : DataFrame
        step, what, why, rows_affected, n_before, n_after — one row per change.
    raw : DataFrame
        An untouched copy of the input.
    dropped : DataFrame
        The removed rows (as in ``raw``) with ``reason`` (the rule that removed it)
        and ``flags`` (every flag the row has).
    reverse_recoded : bool (property)
        True when reverse-keyed items in ``data`` are recoded; read from the one flag on
        the frame itself (:func:`cem_edu.instrument.recoded_items`).
    options : dict
        The arguments of :func:`clean`, for ``replay()`` and ``undo()``.
    """

    data: pd.DataFrame
    flags: pd.DataFrame
    log: pd.DataFrame
    raw: pd.DataFrame
    dropped: pd.DataFrame
    options: dict = field(default_factory=dict)
    instrument: object = None
    details: tuple = ()

    @property
    def reverse_recoded(self) -> bool:
        """True when the reverse-keyed items of ``data`` are recoded (the flag ``Instrument.recode`` writes)."""
        return bool(recoded_items(self.data))

    # ---- reversibility
    @property
    def steps(self) -> list[str]:
        """Steps that ``undo`` can take back: every ``drop`` rule used, and ``reverse``."""
        out = list(self.options.get("drop", ()))
        if self.options.get("recode_reverse") and self.reverse_recoded:
            out.append("reverse")
        if self.options.get("out_of_range") == "missing":
            out.append("out_of_range")
        return out

    def replay(self) -> "CleanData":
        """Run :func:`clean` again on ``raw`` with the same options (gives an equal result)."""
        return clean(self.raw, self.instrument, **self.options)

    def undo(self, step: str) -> "CleanData":
        """The result without one step: ``"speeder"`` keeps the speeders, ``"reverse"`` leaves
        reverse-keyed items as answered, ``"out_of_range"`` goes back to raising on bad values."""
        if step not in self.steps:
            raise DataError(t("intake.undo_unknown", step=step, choices=", ".join(self.steps)))
        opts = dict(self.options)
        if step == "reverse":
            opts["recode_reverse"] = False
        elif step == "out_of_range":
            opts["out_of_range"] = "error"
        else:
            opts["drop"] = tuple(d for d in opts["drop"] if d != step)
        return clean(self.raw, self.instrument, **opts)

    # ---- display
    @property
    def n_raw(self) -> int:
        return len(self.raw)

    def summary(self) -> pd.Series:
        """Rows read, dropped per reason, kept."""
        lang = self._language
        counts = {t("intake.summary.n_read", lang): self.n_raw}
        for reason, k in self.dropped["reason"].value_counts(sort=False).items() if len(self.dropped) else []:
            counts[t("intake.summary.n_dropped", lang, reason=t(f"report.flag.{reason}", lang))] = int(k)
        counts[t("intake.summary.n_kept", lang)] = len(self.data)
        return pd.Series(counts, name="n")

    @property
    def _language(self) -> str:
        """The language the log was written in (``clean(..., language=)``); headings follow it."""
        return self.options.get("language") or get_language()

    def __str__(self) -> str:
        lang = self._language
        head = [t("intake.summary.title", lang),
                t("intake.summary.rows", lang, n_raw=self.n_raw, n_dropped=len(self.dropped), n_clean=len(self.data))]
        rev = [c for c in getattr(self.instrument, "reverse_items", []) if c in self.data]
        if self.reverse_recoded and rev:
            head.append(t("intake.summary.reverse", lang, items=", ".join(rev)))
        with pd.option_context("display.max_colwidth", 70, "display.width", 200):
            body = self.log.drop(columns="why").to_string(index=False)
        return "\n".join(head) + "\n" + body

    def __repr__(self) -> str:
        return f"<CleanData: {len(self.data)} of {self.n_raw} rows kept, {len(self.log)} log entries>"

    def _repr_html_(self) -> str:
        lang = self._language
        head = html.escape(t("intake.summary.rows", lang, n_raw=self.n_raw, n_dropped=len(self.dropped),
                             n_clean=len(self.data)))
        attr = ' dir="rtl"' if lang == "fa" else ""
        return (f"<div class='cem-edu-output {lang}'{attr}>"
                f"<div><strong>{html.escape(t('intake.summary.title', lang))}</strong>: {head}</div>"
                + self.log.to_html(index=False, border=0) + "</div>")

    def to_dict(self) -> dict:
        """JSON-serialisable summary: counts, the log and the dropped rows' reasons."""
        return {"n_raw": self.n_raw, "n_clean": len(self.data), "reverse_recoded": self.reverse_recoded,
                "log": self.log.astype(object).where(self.log.notna(), None).to_dict(orient="records"),
                "dropped": {str(k): str(v) for k, v in self.dropped["reason"].items()} if len(self.dropped) else {}}


def as_frame(data) -> pd.DataFrame:
    """The response table inside ``data``: the package's one input-coercion helper.

    Accepted: a DataFrame (returned as is), a ``CleanData`` (its ``.data``), any object whose
    ``.data`` is a DataFrame (e.g. a fit result), a mapping of columns, or a 2-D array / list of
    rows (columns named ``item1``, ``item2``, ...). Anything else raises :class:`DataError`.
    """
    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, CleanData):
        return data.data
    inner = getattr(data, "data", None)
    if isinstance(inner, pd.DataFrame):
        return inner
    if isinstance(data, Mapping):
        return pd.DataFrame(data)
    if isinstance(data, (np.ndarray, list)):
        arr = np.asarray(data, dtype=float)
        if arr.ndim != 2:
            raise DataError(t("intake.not_2d", shape=numerals(arr.shape)))
        return pd.DataFrame(arr, columns=[f"item{i + 1}" for i in range(arr.shape[1])])
    raise DataError(t("intake.not_a_frame", kind=type(data).__name__))


def _default_instrument(df: pd.DataFrame):
    try:
        from ..instrument import load_instrument

        inst = load_instrument()
    except Exception:  # noqa: BLE001 - no bundled instrument: clean without one
        return None
    likert = list(inst.likert_items)
    return inst if sum(c in df.columns for c in likert) >= max(1, len(likert) // 2) else None


def clean(raw, inst=None, *, out_of_range: str = "error", drop=DEFAULT_DROP, recode_reverse: bool = True,
          speeder_fraction: float = DEFAULTS["speeder_fraction"], missing_max: float = DEFAULTS["missing_max"],
          outlier_p: float = DEFAULTS["outlier_p"], longstring_min: int | None = DEFAULTS["longstring_min"],
          duration: str = "duration_sec", language: str | None = None) -> CleanData:
    """Validate, flag and clean survey responses; every change is logged and reversible.

    Parameters
    ----------
    raw : DataFrame or path
        Responses, one row per respondent (a path is read with :func:`read_data`).
    inst : Instrument, optional
        The questionnaire. Default: the bundled one when the data hold at least
        half of its rating items; otherwise no instrument checks are made and
        every numeric column counts as a rating item.
    language : "en" or "fa": the language of the cleaning log's sentences (default: the current one);
        the report passes its own. Error messages follow the current language.
    out_of_range : "error" (default) or "missing"
        What to do with non-numeric cells and values off the item's scale.
    drop : iterable of flag names
        Rows with these flags are removed (default: straightliner, speeder,
        attention_failed, duplicate, too_many_missing; ``mahalanobis_outlier`` is
        only flagged). ``drop=()`` flags without removing.
    recode_reverse : bool
        Recode reverse-keyed items x' = min + max − x (once; never twice).
    speeder_fraction, missing_max, outlier_p, longstring_min
        Thresholds of the flags (0.4 × median time; > 20 % items missing;
        p < .001; run ≥ half the rating items).

    Returns
    -------
    CleanData

    Examples
    --------
    >>> import cem_edu as ce
    >>> cd = ce.clean(ce.load_dataset("cem_survey"))     # doctest: +SKIP
    >>> cd.log[["step", "rows_affected"]]                # doctest: +SKIP
    """
    options = {"out_of_range": out_of_range, "drop": tuple(drop), "recode_reverse": recode_reverse,
               "speeder_fraction": speeder_fraction, "missing_max": missing_max, "outlier_p": outlier_p,
               "longstring_min": longstring_min, "duration": duration, "language": language}
    for name in options["drop"]:
        if name not in FLAGS:
            raise DataError(t("intake.unknown_flag", language, flag=name, choices=", ".join(FLAGS)))
    if out_of_range not in ("error", "missing"):
        raise DataError(t("intake.bad_out_of_range", language, value=out_of_range))
    if isinstance(raw, CleanData):
        raw = raw.data
    original = raw if isinstance(raw, pd.DataFrame) else read_data(raw, language=language)
    raw_copy = original.copy(deep=True)
    raw_copy.attrs = dict(original.attrs)
    run = _Cleaning(raw_copy, inst, options)
    for step in _STEPS:
        step(run)
    return run.result()


class _Cleaning:
    """One run of :func:`clean`: the working frame, the log and the details that each step adds to.

    The steps are the methods listed in ``_STEPS``, run in that order (module docstring: 1-7)."""

    def __init__(self, raw_copy: pd.DataFrame, inst, options: dict):
        self.raw, self.inst, self.options = raw_copy, inst, options
        self.language = options["language"]
        self.n = len(raw_copy)
        self.log: list[dict] = []
        self.details: list = []
        self.frame = raw_copy
        self.add("read", t("intake.log.read", language=self.language, n=self.n, k=raw_copy.shape[1]), "",
                 self.n, self.n, self.n)

    def add(self, step, what, why_key, rows, n_before, n_after) -> None:
        """One row of the cleaning log (the reason in the log's language)."""
        self.log.append({"step": step, "what": what, "why": _why(why_key, self.language), "rows_affected": int(rows),
                         "n_before": int(n_before), "n_after": int(n_after)})

    def normalise(self) -> None:
        """1. Read the copy with text normalised (digits, letters, spaces); log the cells changed."""
        n, language = self.n, self.language
        self.frame = read_data(self.raw, language=self.language)
        cells = self.frame.attrs.get("intake", {}).get("normalised_cells", {})
        if cells:
            rows = sorted({r for rs in cells.values() for r in rs})
            cols = ", ".join(f"{c} ({numerals(len(rs), language)})" for c, rs in cells.items())
            self.add("normalise", t("intake.log.normalise", language=language, cells=sum(map(len, cells.values())),
                                      columns=cols),
                     "normalise", len(rows), n, n)
            self.details.extend(("normalise", c, tuple(rs)) for c, rs in cells.items())

    def match_instrument(self) -> None:
        """The bundled instrument when the data hold its items; a survey tool's question-text headers
        renamed to the instrument's item ids (#20)."""
        if self.inst is None:
            self.inst = _default_instrument(self.frame)
        elif not any(i.id in self.frame.columns for i in self.inst.items):
            from .headers import apply_instrument  # a survey tool's export: question texts as headers (#20)

            self.frame = apply_instrument(self.frame, self.inst, self.language)

    def instrument_checks(self) -> None:
        """2-4. Columns present, labels coded, values numeric and on each item's scale (with an instrument)."""
        inst, n, language, details, add = self.inst, self.n, self.language, self.details, self.add
        if inst is None:
            return
        frame = self.frame
        for f in check_columns(frame, inst, language):
            details.append(("columns", f.column, ()))
        unknown = [d[1] for d in details if d[0] == "columns"]
        if unknown:
            add("columns", t("intake.log.columns", language=language, columns=", ".join(unknown)), "columns", 0, n, n)
        frame, found = code_labels(frame, inst, language)
        for f in found:
            add("labels", t("intake.log.labels", language=language, column=f.column), "labels", f.n, n, n)
            details.append(("labels", f.column, f.rows))
        frame, found = check_values(frame, inst, self.options["out_of_range"], language)
        for f in found:
            sc = inst.item(f.column).scale
            add(f.step, t(f"intake.log.{f.step}", language=language, column=f.column, rows=row_list(f.rows, language=language),
                            lo=int(sc.min),
                            hi=int(sc.max)), f.step, f.n, n, n)
            details.append((f.step, f.column, f.rows))
        self.frame = frame

    def roles(self) -> None:
        """Which columns are rating items, answers, the attention check and reverse-keyed items: from the
        instrument, or without one every numeric non-system column counts as a rating item."""
        inst, frame = self.inst, self.frame
        if inst is not None:
            self.items = list(inst.likert_items)
            fields = [f.id for f in inst.respondent_fields if not getattr(f, "system", False)]
            self.answers = [i.id for i in inst.items] + [c for c in fields if c in frame]
            self.attention = inst.attention_check
            self.reverse_items = [i for i in getattr(inst, "reverse_items", []) if i in frame]
        else:
            skip = SYSTEM_COLUMNS | {self.options["duration"]}
            self.items = [c for c in frame.columns if c not in skip and pd.api.types.is_numeric_dtype(frame[c])]
            self.answers = [c for c in frame.columns if c not in skip]
            self.attention = None
            self.reverse_items = []

    def flag(self) -> None:
        """5. Quality flags (never remove a row); one log row per flag with its rule in words."""
        o, language, n = self.options, self.language, self.n
        self.flags = quality_flags(self.frame, items=self.items, answer_columns=self.answers, attention=self.attention,
                                   duration=o["duration"], speeder_fraction=o["speeder_fraction"],
                                   missing_max=o["missing_max"], outlier_p=o["outlier_p"],
                                   longstring_min=o["longstring_min"])
        self.texts = self._flag_texts()
        for name in FLAGS:
            k = int(self.flags[name].sum())
            action = t("intake.log.dropped_below" if name in o["drop"] else "intake.log.flag_only", language=language)
            self.add(f"flag:{name}", t("intake.log.flag", language=language, text=self.texts[name], n=k,
                                         action=action), name, k, n, n)

    def _flag_texts(self) -> dict[str, str]:
        """Each flag's rule in words, with the thresholds of this run (for the flag and drop rows)."""
        o, language, frame, attention = self.options, self.language, self.frame, self.attention
        longstring_min, speeder_fraction, duration = o["longstring_min"], o["speeder_fraction"], o["duration"]
        k_run = longstring_min if longstring_min is not None else max(2, -(-len(self.items) // 2))
        times = pd.to_numeric(frame[duration], errors="coerce") if duration in frame else pd.Series(dtype=float)
        return {
            "straightliner": t("intake.flag.straightliner", language=language, k=k_run),
            "speeder": t("intake.flag.speeder", language=language, fraction=speeder_fraction,
                           cut=round(float(speeder_fraction * times.median()), 1) if times.notna().any() else "–"),
            "attention_failed": t("intake.flag.attention_failed", language=language,
                                    item=attention[0] if attention else "–",
                                    expected=attention[1] if attention else "–"),
            "duplicate": t("intake.flag.duplicate", language=language),
            "too_many_missing": t("intake.flag.too_many_missing", language=language,
                                    share=round(100 * o["missing_max"])),
            "mahalanobis_outlier": t("intake.flag.mahalanobis_outlier", language=language, p=o["outlier_p"]),
        }

    def drop(self) -> None:
        """6. Remove the rows with a flag in ``drop``, in that order; keep them with reason and flags."""
        flags, language = self.flags, self.language
        keep = pd.Series(True, index=self.frame.index)
        reason = pd.Series(None, index=self.frame.index, dtype=object)
        for name in self.options["drop"]:
            hit = flags[name] & keep
            before = int(keep.sum())
            keep &= ~hit
            reason[hit] = name
            self.add(f"drop:{name}", t("intake.log.drop", language=language, text=self.texts[name]), name,
                     int(hit.sum()), before, int(keep.sum()))
        if not keep.any():
            raise DataError(t("intake.nothing_left", language, n=self.n))
        gone = self.raw.loc[~keep.to_numpy()].copy()
        gone.insert(0, "row", [spreadsheet_row(p) for p in np.flatnonzero(~keep.to_numpy())])
        gone["reason"] = reason[~keep].to_numpy()
        gone["flags"] = [", ".join(c for c in FLAGS if flags.loc[i, c]) for i in gone.index]
        self.gone = gone
        self.data = self.frame.loc[keep.to_numpy()].copy()

    def reverse(self) -> None:
        """7. Reverse-keyed items: Instrument.recode, which records what it recoded on the frame (never twice)."""
        data, language = self.data, self.language
        data.attrs = {k: v for k, v in self.raw.attrs.items() if k != "intake"}
        if self.options["recode_reverse"] and self.reverse_items:
            before = set(recoded_items(data))
            data = self.inst.recode(data)
            newly = [i for i in recoded_items(data) if i not in before and i in self.reverse_items]
            if newly:
                self.add("reverse", t("intake.log.reverse", language=language, items=", ".join(newly)), "reverse",
                         len(data), len(data), len(data))
            else:
                self.add("reverse", t("intake.already_reversed", language=language), "reverse", 0, len(data),
                         len(data))
        data.attrs["cleaned"] = True
        self.data = data

    def result(self) -> CleanData:
        """The closing log row and the :class:`CleanData`."""
        data, gone = self.data, self.gone
        self.add("result", t("intake.log.result", language=self.language, kept=len(data), dropped=len(gone)), "",
                 len(gone), self.n, len(data))
        log_df = pd.DataFrame(self.log, columns=LOG_COLUMNS)
        return CleanData(data=data, flags=self.flags, log=log_df, raw=self.raw, dropped=gone,
                         options=self.options, instrument=self.inst, details=tuple(self.details))


# the cleaning pipeline, in order (the module docstring's steps 1-7)
_STEPS = (_Cleaning.normalise, _Cleaning.match_instrument, _Cleaning.instrument_checks, _Cleaning.roles,
          _Cleaning.flag, _Cleaning.drop, _Cleaning.reverse)
