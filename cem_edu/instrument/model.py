"""The questionnaire as data: load, validate, score, write model syntax, export.

An instrument is a YAML file (``questionnaire/cem.yaml`` is the bundled one) with
bilingual (fa/en) constructs, items, response scales and respondent fields.
``load_instrument`` reads it, checks it against ``questionnaire/cem.schema.json``
and a set of semantic rules, and returns an :class:`Instrument`::

    import cem_edu as ce
    inst = ce.load_instrument()                # the bundled CEM questionnaire
    inst.items_by_construct()["functional"]    # ['FUN1', 'FUN2', 'FUN3', 'FUN4']
    scores = inst.score(df)                    # construct means, reverse keys recoded
    print(inst.model())                        # lavaan syntax: CFA + structural model
    inst.export("form.xlsx", format="xlsform") # ODK / KoboToolbox form

Item ids are the data column names. Every error names the file, the line, the key
path and the fix (:class:`cem_edu.errors.InstrumentError`).

References: Berry, Carbone & Haeckel (2002) for the functional / mechanic / humanic
clues; Parasuraman, Zeithaml & Berry (1988) for the expectation–perception gap;
Fornell et al. (1996) and Zeithaml, Berry & Parasuraman (1996) for the outcomes.
"""
from __future__ import annotations

import difflib
import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import _paths
from ..errors import DataError, InstrumentError
from ..i18n import get_language, t
from ..validation import check_columns

__all__ = ["Instrument", "Construct", "Item", "Scale", "Field", "load_instrument", "validate_instrument",
           "recoded_items", "RECODED_ATTR",
           "DEFAULT_INSTRUMENT", "SCHEMA_PATH", "ROLES", "KINDS", "TOUCHPOINTS", "STAGES"]

DEFAULT_INSTRUMENT = "cem.yaml"
SCHEMA_PATH = _paths.QUESTIONNAIRE_DIR / "cem.schema.json"
ROLES = ("experience", "expectation", "outcome")
KINDS = ("likert", "nps", "attention")
TOUCHPOINTS = ("branch", "web", "app", "phone", "messaging", "any")
STAGES = ("awareness", "interest", "decision", "evaluation", "purchase", "repurchase")
MIN_ITEMS = 3          # fewer items per construct is an error
RECOMMENDED_ITEMS = 4  # the README explains why four


# --------------------------------------------------------------------------- data classes
@dataclass(frozen=True, eq=True)
class Scale:
    """A response scale: integer points ``min..max`` with one fa and one en label per point."""

    id: str
    min: int
    max: int
    labels: dict = field(hash=False, compare=True)

    @property
    def points(self) -> int:
        """Number of response options (max − min + 1)."""
        return self.max - self.min + 1

    @property
    def values(self) -> list[int]:
        """The admissible codes, ``[min, ..., max]``."""
        return list(range(self.min, self.max + 1))

    def label(self, value: int, language: str | None = None) -> str:
        """The label of one code in the given (or current) language."""
        return self.labels[language or get_language()][int(value) - self.min]

    def to_dict(self) -> dict:
        return {"min": self.min, "max": self.max, "labels": {k: list(v) for k, v in self.labels.items()}}


@dataclass(frozen=True, eq=True)
class Construct:
    """A construct: id, fa/en name and definition, the source scale it adapts, its role.

    ``role`` is "experience" (functional, mechanic, humanic clues), "expectation"
    (paired with experience items for the gap) or "outcome" (satisfaction, loyalty, ...).
    """

    id: str
    name: dict = field(hash=False)
    definition: dict = field(hash=False)
    source: str
    role: str
    instruction: dict | None = field(default=None, hash=False)

    def to_dict(self) -> dict:
        out = {"id": self.id, "role": self.role, "name": dict(self.name), "definition": dict(self.definition),
               "source": self.source}
        if self.instruction:
            out["instruction"] = dict(self.instruction)
        return out


@dataclass(frozen=True, eq=True)
class Item:
    """One question. ``id`` is the data column; ``kind`` is "likert", "nps" or "attention".

    ``construct`` is None for the NPS and attention-check items. ``pairs_with`` (expectation
    items only) names the experience item the expectation is compared with. ``expected``
    (attention checks only) is the one correct answer.
    """

    id: str
    construct: str | None
    text: dict = field(hash=False)
    scale: Scale
    kind: str = "likert"
    reverse: bool = False
    touchpoint: str | None = None
    stage: str | None = None
    pairs_with: str | None = None
    expected: int | None = None
    required: bool = True

    def reverse_code(self, x):
        """The answer on the other end of this item's own scale: x' = min + max − x.

        An involution (applying it twice gives x back); 7 <-> 1 and 4 <-> 4 on a 1–7 scale,
        10 <-> 0 on a 0–10 scale. Works on numbers, numpy arrays and pandas Series.
        This is the one place the formula is written: :meth:`Instrument.recode` uses it for
        data frames, :func:`cem_edu.datasets.simulate` to write negatively worded answers.
        """
        return self.scale.min + self.scale.max - x

    def to_dict(self) -> dict:
        out: dict[str, Any] = {"id": self.id}
        if self.construct is not None:
            out["construct"] = self.construct
        out["kind"] = self.kind
        out["text"] = dict(self.text)
        out["scale"] = self.scale.id
        out["reverse"] = self.reverse
        for key in ("touchpoint", "stage", "pairs_with", "expected"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        out["required"] = self.required
        return out


@dataclass(frozen=True, eq=True)
class Field:
    """A respondent field (a column that is not a rated item): segment, channel, stage, spend, ...

    ``type`` is "choice" (``choices`` = {code: {"fa", "en"}}) or "numeric" (``choices`` None,
    optional ``min``/``max``). ``system`` fields (e.g. ``duration_sec``) are recorded by the
    form, not asked. ``position`` says whether the form asks it before ("start") or after
    ("end") the items.
    """

    id: str
    label: dict = field(hash=False)
    type: str = "choice"
    choices: dict | None = field(default=None, hash=False)
    min: float | None = None
    max: float | None = None
    required: bool = True
    system: bool = False
    position: str = "start"

    @property
    def numeric(self) -> bool:
        return self.type == "numeric"

    def to_dict(self) -> dict:
        out: dict[str, Any] = {"id": self.id, "type": self.type, "label": dict(self.label)}
        if self.choices is not None:
            out["choices"] = {k: dict(v) for k, v in self.choices.items()}
        for key in ("min", "max"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        out["required"] = self.required
        out["system"] = self.system
        out["position"] = self.position
        return out


# --------------------------------------------------------------------------- the instrument
#: ``DataFrame.attrs`` key that records which reverse-keyed items of a frame are recoded (a tuple of ids).
#: Written only by :meth:`Instrument.recode`, read only by :func:`recoded_items`.
RECODED_ATTR = "reverse_recoded"


def recoded_items(data) -> tuple[str, ...]:
    """Ids of the reverse-keyed items already recoded in ``data`` (a DataFrame or a CleanData).

    The one flag lives on the frame (``frame.attrs["reverse_recoded"]``), so it travels with
    ``cd.data``, with a copy, a row subset or a column subset; :meth:`Instrument.recode`
    writes it, and everything that must know whether items are recoded (``Instrument.score``,
    ``CleanData.reverse_recoded``, the CX analytics, the report) reads it here. A frame
    written to a file and read back has lost it: its items count as answered.
    """
    import pandas as pd

    frame = data if isinstance(data, pd.DataFrame) else getattr(data, "data", None)
    if not isinstance(frame, pd.DataFrame):
        return ()
    done = frame.attrs.get(RECODED_ATTR, ())
    if done is True:  # written by cem-edu 0.1's clean(): every reverse-keyed column of the frame
        return ("*",)
    if not done:
        return ()
    return tuple(str(i) for i in done)


class Instrument:
    """A validated questionnaire. Build it with :func:`load_instrument`.

    Attributes
    ----------
    name, version, title, description, context, languages, path
    constructs : list[str]          construct ids in file order
    items : list[Item]              every item in form order
    respondent_fields : list[Field] segment, channel, stage, spend, duration_sec, ...
    """

    def __init__(self, spec: dict, path: Path | None = None):
        self.path = Path(path) if path is not None else None
        self.name: str = spec["name"]
        self.version: str = str(spec.get("version", "1.0"))
        self.title: dict = dict(spec["title"])
        self.description: dict | None = dict(spec["description"]) if spec.get("description") else None
        self.context: str | None = spec.get("context")
        self.languages: list[str] = list(spec.get("languages", ["fa", "en"]))
        self.default_scale: str = spec.get("default_scale") or next(iter(spec["scales"]))
        self.scales: dict[str, Scale] = {
            sid: Scale(sid, int(s["min"]), int(s["max"]), {k: tuple(v) for k, v in s["labels"].items()})
            for sid, s in spec["scales"].items()}
        self._constructs: dict[str, Construct] = {
            c["id"]: Construct(c["id"], dict(c["name"]), dict(c["definition"]), c["source"], c["role"],
                               dict(c["instruction"]) if c.get("instruction") else None)
            for c in spec["constructs"]}
        self.constructs: list[str] = list(self._constructs)
        self.items: list[Item] = [self._make_item(i) for i in spec["items"]]
        self._items = {i.id: i for i in self.items}
        self.respondent_fields: list[Field] = [
            Field(f["id"], dict(f["label"]), f["type"],
                  {k: dict(v) for k, v in f["choices"].items()} if f.get("choices") else None,
                  f.get("min"), f.get("max"), bool(f.get("required", not f.get("system", False))),
                  bool(f.get("system", False)), f.get("position", "start"))
            for f in spec.get("respondent_fields", [])]
        self.mediator: str | None = spec.get("mediator", "satisfaction" if "satisfaction" in self._constructs
                                             else None)

    def _make_item(self, raw: dict) -> Item:
        kind = raw.get("kind", "likert")
        scale = self.scales[raw.get("scale", self.default_scale)]
        return Item(id=raw["id"], construct=raw.get("construct"), text=dict(raw["text"]), scale=scale, kind=kind,
                    reverse=bool(raw.get("reverse", False)), touchpoint=raw.get("touchpoint"),
                    stage=raw.get("stage"), pairs_with=raw.get("pairs_with"), expected=raw.get("expected"),
                    required=bool(raw.get("required", True)))

    # ---- look-ups
    def construct(self, construct_id: str) -> Construct:
        """The :class:`Construct` with this id (``InstrumentError`` naming the known ids if absent)."""
        try:
            return self._constructs[construct_id]
        except KeyError:
            raise InstrumentError(t("instrument.err.no_construct", id=construct_id,
                                    known=", ".join(self.constructs))) from None

    def item(self, item_id: str) -> Item:
        """The :class:`Item` with this id (``InstrumentError`` if absent)."""
        try:
            return self._items[item_id]
        except KeyError:
            hint = difflib.get_close_matches(str(item_id), list(self._items), n=1)
            raise InstrumentError(t("instrument.err.no_item", id=item_id,
                                    hint=" " + t("instrument.fix.did_you_mean", hint=hint[0]) if hint else "")) from None

    def field(self, field_id: str) -> Field:
        """The respondent :class:`Field` with this id."""
        for f in self.respondent_fields:
            if f.id == field_id:
                return f
        raise InstrumentError(t("instrument.err.no_field", id=field_id,
                                known=", ".join(f.id for f in self.respondent_fields)))

    def items_by_construct(self, role: str | None = None) -> dict[str, list[str]]:
        """``{construct_id: [item ids]}`` for every reflective construct (no NPS / attention items).

        ``role`` ("experience", "expectation", "outcome") keeps only constructs of that role.
        """
        out: dict[str, list[str]] = {}
        for cid, c in self._constructs.items():
            if role is not None and c.role != role:
                continue
            out[cid] = [i.id for i in self.items if i.construct == cid and i.kind == "likert"]
        return out

    def constructs_by_role(self, role: str) -> list[str]:
        """Construct ids with the given role, in file order."""
        return [cid for cid, c in self._constructs.items() if c.role == role]

    @property
    def likert_items(self) -> list[str]:
        """Ids of every Likert item (construct indicators, expectations included), form order."""
        return [i.id for i in self.items if i.kind == "likert"]

    @property
    def reverse_items(self) -> list[str]:
        """Ids of the reverse-keyed items."""
        return [i.id for i in self.items if i.reverse]

    @property
    def nps_item(self) -> str | None:
        """Id of the 0–10 recommendation item ("NPS"), or None."""
        return next((i.id for i in self.items if i.kind == "nps"), None)

    @property
    def attention_check(self) -> tuple[str, int] | None:
        """``(item_id, expected_value)`` of the attention check, or None."""
        item = next((i for i in self.items if i.kind == "attention"), None)
        return (item.id, item.expected) if item else None

    @property
    def expectation_pairs(self) -> dict[str, str]:
        """``{expectation item: experience item}``, e.g. ``{"EXP1": "FUN1", ...}``."""
        return {i.id: i.pairs_with for i in self.items if i.pairs_with}

    @property
    def item_ids(self) -> list[str]:
        """Every item id (Likert, NPS, attention), form order."""
        return [i.id for i in self.items]

    @property
    def columns(self) -> list[str]:
        """Every data column: respondent fields first, then the items in form order."""
        return [f.id for f in self.respondent_fields] + self.item_ids

    def abbreviation(self, construct_id: str) -> str:
        """Short lower-case tag of a construct used in parameter names: the letters of its first item id."""
        ids = self.items_by_construct().get(construct_id) or [construct_id]
        letters = "".join(ch for ch in ids[0] if ch.isalpha()).lower()
        return letters or construct_id

    # ---- scoring
    def recode(self, data):
        """The data with every reverse-keyed item recoded once: x' = min + max − x on the item's own scale.

        Idempotent: the frame records which items are recoded (see :func:`recoded_items`),
        so ``inst.recode(inst.recode(df))`` equals ``inst.recode(df)``, and a ``CleanData``
        (whose items ``ce.clean`` recoded) comes back unchanged. Items absent from the frame
        are skipped. The input is never modified.

        Parameters
        ----------
        data : DataFrame or CleanData (its ``.data`` frame)

        Returns
        -------
        DataFrame: a copy with the reverse-keyed item columns as float, recoded, and
        ``attrs["reverse_recoded"]`` listing every recoded item.

        Reference: DeVellis, R. F. (2017). *Scale Development*, 4th ed., ch. 5 (reverse scoring).

        Examples
        --------
        >>> import pandas as pd, cem_edu as ce
        >>> inst = ce.load_instrument()
        >>> once = inst.recode(pd.DataFrame({"FUN4": [1, 7, 4]}))
        >>> once["FUN4"].tolist(), inst.recode(once)["FUN4"].tolist()
        ([7.0, 1.0, 4.0], [7.0, 1.0, 4.0])
        """
        import pandas as pd

        frame = data if isinstance(data, pd.DataFrame) else getattr(data, "data", None)
        if not isinstance(frame, pd.DataFrame):
            raise DataError(t("instrument.err.score_type", type=type(data).__name__))
        done = recoded_items(frame)
        out = frame.copy()
        if "*" in done:
            return out
        recoded = list(done)
        for item in self.items:
            if item.reverse and item.id in out.columns and item.id not in done:
                x = pd.to_numeric(out[item.id], errors="coerce").astype(float)
                out[item.id] = item.reverse_code(x)
                recoded.append(item.id)
        if recoded:
            out.attrs[RECODED_ATTR] = tuple(recoded)
        return out

    def score(self, data, constructs: list[str] | None = None, min_items: int = 1):
        """Construct scores: the mean of each construct's items per respondent.

        Reverse-keyed items are recoded first by :meth:`recode` (once: items the data
        already record as recoded, as ``ce.clean`` output does, are not recoded again), so
        ``inst.score(cd)`` and ``inst.score(cd.data)`` are equal. Missing answers are
        skipped; a score needs at least ``min_items`` answered items, otherwise it is NaN.

        score = (1/k) Σ x'_i over the answered items i of the construct.

        Parameters
        ----------
        data : DataFrame or CleanData (its ``.data`` frame is used)
        constructs : construct ids to score (default: every construct with items)
        min_items : fewest answered items for a score (default 1)

        Returns
        -------
        DataFrame, one column per construct, same index as the data.
        """
        import pandas as pd

        frame = data if isinstance(data, pd.DataFrame) else getattr(data, "data", None)
        if not isinstance(frame, pd.DataFrame):
            raise DataError(t("instrument.err.score_type", type=type(data).__name__))
        groups = self.items_by_construct()
        wanted = constructs or [c for c, ids in groups.items() if ids]
        missing_c = [c for c in wanted if c not in groups]
        if missing_c:
            raise InstrumentError(t("instrument.err.no_construct", id=missing_c[0], known=", ".join(self.constructs)))
        needed = [i for c in wanted for i in groups[c]]
        check_columns(frame, needed, key="instrument.err.score_missing")
        keyed = self.recode(frame[list(dict.fromkeys(needed))])
        out = {}
        for c in wanted:
            block = keyed[groups[c]].apply(pd.to_numeric, errors="coerce").astype(float)
            mean = block.mean(axis=1, skipna=True)
            mean[block.notna().sum(axis=1) < min_items] = float("nan")
            out[c] = mean
        return pd.DataFrame(out, index=frame.index)

    # ---- model syntax
    def model(self, structural: bool | str = True, indirect: bool = True, measurement: list[str] | None = None,
              residual_covariances: bool = True) -> str:
        """lavaan model syntax for this instrument.

        Measurement part: ``construct =~ item + ...`` for every experience and outcome
        construct (expectations are kept out: they are a benchmark the respondent holds, not
        an effect of the experience; see questionnaire/README.md). Default structural part::

            satisfaction ~ a1*functional + a2*mechanic + a3*humanic
            loyalty ~ b1*satisfaction            (one b per outcome)
            ind_fun_loy := a1*b1                 (one per experience × outcome)

        plus free covariances among the experience constructs and among the outcome
        residuals, written out so that every SEM program fits the same model.

        Parameters
        ----------
        structural : True (default model), False (measurement model only, a CFA) or a string
            of lavaan syntax appended after the measurement part instead of the default.
        indirect : add the ``:=`` indirect effects of the default structural model.
        measurement : construct ids to measure (default: experience + outcome constructs).
        residual_covariances : free the residual covariances among the final outcomes.

        Returns
        -------
        str, lavaan syntax (ends with a newline).
        """
        groups = self.items_by_construct()
        if measurement is None:
            measurement = [c for c in self.constructs if self._constructs[c].role in ("experience", "outcome")
                           and groups[c]]
        lines = ["# measurement model"]
        for c in measurement:
            if c not in groups:
                raise InstrumentError(t("instrument.err.no_construct", id=c, known=", ".join(self.constructs)))
            lines.append(f"{c} =~ " + " + ".join(groups[c]))
        if isinstance(structural, str):
            lines.append("# structural model")
            lines.extend(structural.strip("\n").splitlines())
            return "\n".join(lines) + "\n"
        if not structural:
            return "\n".join(lines) + "\n"
        experience = [c for c in measurement if self._constructs[c].role == "experience"]
        outcomes = [c for c in measurement if self._constructs[c].role == "outcome" and c != self.mediator]
        mediator = self.mediator if self.mediator in measurement else None
        if not experience or not (outcomes or mediator):
            raise InstrumentError(t("instrument.err.no_structural"))
        lines.append("# structural model")
        ab = self.abbreviation
        ind: list[str] = []
        if mediator:
            a = {c: f"a{k}" for k, c in enumerate(experience, 1)}
            b = {c: f"b{k}" for k, c in enumerate(outcomes, 1)}
            lines.append(f"{mediator} ~ " + " + ".join(f"{a[c]}*{c}" for c in experience))
            for o in outcomes:
                lines.append(f"{o} ~ {b[o]}*{mediator}")
            for c in experience:
                for o in outcomes:
                    ind.append(f"ind_{ab(c)}_{ab(o)} := {a[c]}*{b[o]}")
            finals = outcomes
        else:
            for k, o in enumerate(outcomes, 1):
                lines.append(f"{o} ~ " + " + ".join(f"c{k}{j}*{c}" for j, c in enumerate(experience, 1)))
            finals = outcomes
        if len(experience) > 1:
            lines.append("# covariances of the experience clues")
            for i, c1 in enumerate(experience):
                for c2 in experience[i + 1:]:
                    lines.append(f"{c1} ~~ {c2}")
        if residual_covariances and len(finals) > 1:
            lines.append("# residual covariances of the outcomes")
            for i, c1 in enumerate(finals):
                for c2 in finals[i + 1:]:
                    lines.append(f"{c1} ~~ {c2}")
        if indirect and ind:
            lines.append("# indirect effects")
            lines.extend(ind)
        return "\n".join(lines) + "\n"

    # ---- tables and exports
    def codebook(self, language: str | None = None):
        """The codebook as a DataFrame: one row per column of the data (fields, then items).

        Columns: variable, construct, role, kind, text_fa, text_en, scale, reverse,
        touchpoint, stage, pairs_with, expected.
        """
        from .export import codebook_frame

        return codebook_frame(self)

    def export(self, path=None, format: str = "xlsform", language: str | None = None) -> Path:
        """Write the instrument as a form or codebook and return the written path.

        ``format``: "xlsform" (ODK / KoboToolbox .xlsx), "html" (printable; fa RTL and en
        LTR in one file, or one ``language``), "codebook" (.csv, or Markdown when ``path``
        ends in .md), "json" (form definition for the web form; loads back with
        :func:`load_instrument`) or "panel" (the expert-panel sheet for ``ce.cvr`` / ``ce.cvi``).
        ``path=None`` writes ``<name>_<format>.<ext>`` in the current directory.
        """
        from .export import export

        return export(self, path, format=format, language=language)

    def to_dict(self) -> dict:
        """The instrument as a plain, JSON-serialisable dict in the schema's shape (defaults filled)."""
        out: dict[str, Any] = {"name": self.name, "version": self.version, "title": dict(self.title)}
        if self.description:
            out["description"] = dict(self.description)
        if self.context:
            out["context"] = self.context
        out["languages"] = list(self.languages)
        out["default_scale"] = self.default_scale
        out["mediator"] = self.mediator
        out["scales"] = {sid: s.to_dict() for sid, s in self.scales.items()}
        out["constructs"] = [c.to_dict() for c in self._constructs.values()]
        out["respondent_fields"] = [f.to_dict() for f in self.respondent_fields]
        out["items"] = [i.to_dict() for i in self.items]
        return out

    # ---- display
    def summary(self, language: str | None = None):
        """One row per construct: name, role, items, reverse-keyed items, source."""
        import pandas as pd

        lang = language or get_language()
        rows = []
        for cid, ids in self.items_by_construct().items():
            c = self._constructs[cid]
            rows.append({t("instrument.col.construct", language=lang): cid,
                         t("instrument.col.name", language=lang): c.name[lang],
                         t("instrument.col.role", language=lang): t(f"instrument.role.{c.role}", language=lang),
                         t("instrument.col.items", language=lang): ", ".join(ids),
                         t("instrument.col.reverse", language=lang):
                             ", ".join(i for i in ids if self._items[i].reverse) or "—",
                         t("instrument.col.source", language=lang): c.source})
        return pd.DataFrame(rows)

    def __repr__(self) -> str:
        return (f"Instrument(name={self.name!r}, constructs={len(self.constructs)}, items={len(self.items)}, "
                f"fields={len(self.respondent_fields)})")

    def __str__(self) -> str:
        lang = get_language()
        head = f"{self.title[lang]} ({self.name} v{self.version})"
        lines = [head, "=" * len(head)]
        for cid, ids in self.items_by_construct().items():
            c = self._constructs[cid]
            rev = [i for i in ids if self._items[i].reverse]
            lines.append(f"{cid:<16} {c.role:<12} {', '.join(ids)}" + (f"   (reverse: {', '.join(rev)})" if rev else ""))
        extra = []
        if self.nps_item:
            extra.append(f"NPS: {self.nps_item}")
        if self.attention_check:
            extra.append(f"attention check: {self.attention_check[0]} = {self.attention_check[1]}")
        if self.respondent_fields:
            extra.append("fields: " + ", ".join(f.id for f in self.respondent_fields))
        lines.extend(extra)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        lang = get_language()
        direction = "rtl" if lang == "fa" else "ltr"
        table = self.summary(lang).to_html(index=False, escape=True, border=0)
        return (f'<div dir="{direction}" lang="{lang}"><strong>{html.escape(self.title[lang])}</strong> '
                f"<code>{html.escape(self.name)} v{html.escape(self.version)}</code>{table}</div>")

    def __eq__(self, other) -> bool:
        return isinstance(other, Instrument) and self.to_dict() == other.to_dict()

    __hash__ = None  # mutable-looking container; compare with ==


# --------------------------------------------------------------------------- loading & validation
def _resolve(path) -> Path:
    if path is None:
        return _paths.QUESTIONNAIRE_DIR / DEFAULT_INSTRUMENT
    p = Path(path)
    if not p.exists() and not p.suffix and (_paths.QUESTIONNAIRE_DIR / f"{p}.yaml").exists():
        return _paths.QUESTIONNAIRE_DIR / f"{p}.yaml"   # load_instrument("cem")
    return p


def load_instrument(path=None) -> Instrument:
    """Load and validate a questionnaire file: the kit's YAML (or the JSON written by ``export``), an
    XLSForm (ODK / KoboToolbox ``.xlsx`` with a ``survey`` sheet) or a one-sheet codebook (``.csv`` /
    ``.xlsx``: item, construct, text, reverse, min, max); see :mod:`cem_edu.instrument.sources`.

    Parameters
    ----------
    path : str or Path, optional. Default: the bundled ``questionnaire/cem.yaml``. A bare
        name such as ``"cem"`` is looked up in the bundled questionnaire folder.

    Returns
    -------
    Instrument

    Raises
    ------
    InstrumentError naming the file, line, key path and the fix, e.g.
    ``bad.yaml:41: items[7].id: duplicate item id 'FUN2' (first defined on line 33). ...``
    """
    p = _resolve(path)
    if not p.is_file():
        raise InstrumentError(t("instrument.err.no_file", path=str(p)))
    suffix = p.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".csv", ".tsv"):
        from .sources import is_xlsform, read_codebook, read_xlsform

        return read_xlsform(p) if suffix != ".csv" and suffix != ".tsv" and is_xlsform(p) else read_codebook(p)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InstrumentError(t("instrument.err.not_utf8", file=p.name, reason=exc.reason, pos=exc.start)) from None
    spec = validate_instrument(text, p.name)
    return Instrument(spec, p)


def validate_instrument(text: str, filename: str = "<string>") -> dict:
    """Parse and check questionnaire text; return the plain dict or raise :class:`InstrumentError`.

    All problems found are reported at once (one per line); ``error.problems`` holds the list.
    """
    from .checks import check

    return check(text, filename)
