"""Validation of questionnaire files: YAML syntax, JSON schema, then semantic rules.

Every problem becomes one line ``<file>:<line>: <key path> (<item>): <what>. <fix>``;
line numbers come from the YAML node marks. Used by :func:`cem_edu.instrument.load_instrument`.
"""
from __future__ import annotations

import difflib
import functools
import json

import yaml

from .. import _paths
from ..errors import InstrumentError
from ..i18n import t

_TYPE_WORDS = {"string": "text", "integer": "a whole number", "number": "a number", "boolean": "true or false",
               "object": "a mapping (key: value lines)", "array": "a list", "null": "nothing"}
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: 10x faster
_LANG_NAMES = {"fa": "Persian (fa)", "en": "English (en)"}


@functools.cache
def schema() -> dict:
    """The JSON schema of a questionnaire file (questionnaire/cem.schema.json)."""
    return json.loads((_paths.QUESTIONNAIRE_DIR / "cem.schema.json").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- YAML with line numbers
def _walk(node, path: tuple, lines: dict, dups: list) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict = {}
        for knode, vnode in node.value:
            key = knode.value
            line = knode.start_mark.line + 1
            if key in seen:
                dups.append((path + (key,), line, seen[key]))
            else:
                seen[key] = line
            lines.setdefault(path + (key,), line)
            _walk(vnode, path + (key,), lines, dups)
    elif isinstance(node, yaml.SequenceNode):
        for i, vnode in enumerate(node.value):
            lines[path + (i,)] = vnode.start_mark.line + 1
            _walk(vnode, path + (i,), lines, dups)


def _error(message: str) -> InstrumentError:
    err = InstrumentError(message)
    err.problems = [message]
    return err


def _join(head: str, what: str, fix: str) -> str:
    end = "" if fix.endswith((".", "?", "!")) else "."
    return f"{head}{what}. {fix}{end}"


class _Report:
    """Collects problems with their location."""

    def __init__(self, filename: str, data, lines: dict):
        self.filename, self.data, self.lines = filename, data, lines
        self.problems: list[tuple[int, str]] = []
        self.missing_named: set[tuple] = set()   # (path, key) of the "required" errors already reported

    def line(self, path: tuple) -> int:
        path = tuple(path)
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, 1)

    def where(self, path: tuple) -> str:
        text = ""
        for part in path:
            text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
        label = ""
        if len(path) >= 2 and path[0] in ("items", "constructs", "respondent_fields") and isinstance(path[1], int):
            try:
                ident = self.data[path[0]][path[1]].get("id")
            except (AttributeError, IndexError, KeyError, TypeError):
                ident = None
            if isinstance(ident, str):
                kind = {"items": "item", "constructs": "construct", "respondent_fields": "field"}[path[0]]
                label = t(f"instrument.where.{kind}", id=ident)
        return (text or t("instrument.where.top_level")) + label

    def add(self, path, what: str, fix: str) -> None:
        self.problems.append((self.line(path), _join(f"{self.filename}:{self.line(path)}: {self.where(path)}: ", what,
                                                     fix)))

    def raise_if_any(self) -> None:
        if not self.problems:
            return
        problems = [msg for _, msg in sorted(self.problems, key=lambda p: p[0])]
        if len(problems) == 1:
            err = InstrumentError(problems[0])
        else:
            err = InstrumentError(t("instrument.err.many", file=self.filename, n=len(problems))
                                  + "\n" + "\n".join(f"  - {p}" for p in problems))
        err.problems = problems
        raise err


# --------------------------------------------------------------------------- schema errors in plain words
def _schema_message(err, rep: _Report) -> None:
    path = tuple(err.absolute_path)
    v, inst = err.validator, err.instance
    last = path[-1] if path else None
    if v == "required":
        # jsonschema reports one "required" error per missing key: name each key once, in schema order
        missing = next((k for k in err.validator_value if k not in inst and (path, k) not in rep.missing_named),
                       err.validator_value[0])
        rep.missing_named.add((path, missing))
        if missing in _LANG_NAMES:
            rep.add(path, t("instrument.err.missing_translation", lang=_LANG_NAMES[missing], name=last),
                    t("instrument.fix.missing_translation", lang=missing, name=last))
        else:
            rep.add(path, t("instrument.err.missing_key", name=missing),
                    t("instrument.fix.missing_key", name=missing))
    elif v == "additionalProperties":
        allowed = sorted(err.schema.get("properties", {}))
        for extra in sorted(k for k in inst if k not in allowed):
            if set(allowed) == {"fa", "en"}:
                rep.add(path + (extra,), t("instrument.err.unknown_language", name=extra),
                        t("instrument.fix.unknown_language"))
            else:
                hint = difflib.get_close_matches(str(extra), allowed, n=1)
                rep.add(path + (extra,), t("instrument.err.unknown_key", name=extra),
                        (t("instrument.fix.did_you_mean", hint=hint[0]) + " " if hint else "")
                        + t("instrument.fix.allowed_keys", keys=", ".join(allowed)))
    elif v == "enum":
        choices = ", ".join(str(c) for c in err.validator_value)
        rep.add(path, t("instrument.err.enum", value=inst, name=last), t("instrument.fix.enum", choices=choices))
    elif v == "type":
        want = err.validator_value if isinstance(err.validator_value, str) else err.validator_value[0]
        rep.add(path, t("instrument.err.type", want=_TYPE_WORDS.get(want, want), got=repr(inst)),
                t("instrument.fix.type", want=_TYPE_WORDS.get(want, want)))
    elif v in ("minLength", "pattern") and last in _LANG_NAMES or (v in ("minLength", "pattern")
                                                                      and isinstance(last, int)):
        rep.add(path, t("instrument.err.empty_text"), t("instrument.fix.empty_text"))
    elif v == "pattern":
        rep.add(path, t("instrument.err.bad_id", value=inst), t("instrument.fix.bad_id"))
    elif v in ("minItems", "minProperties"):
        rep.add(path, t("instrument.err.too_few", n=err.validator_value), t("instrument.fix.too_few"))
    elif v == "propertyNames":
        rep.add(path, t("instrument.err.bad_id", value=inst), t("instrument.fix.bad_id"))
    else:  # pragma: no cover - a schema rule without a plain-words translation
        rep.add(path, err.message, t("instrument.fix.schema"))


# --------------------------------------------------------------------------- the check
def _jsonschema():
    """Import jsonschema without its optional IRI format checker.

    When ``rfc3987_syntax`` is installed (JupyterLab pulls it in), ``import jsonschema``
    compiles some forty grammars of it, which takes seconds; our schema uses no formats.
    """
    import sys

    if "jsonschema" in sys.modules:
        return sys.modules["jsonschema"]
    missing = object()
    saved = sys.modules.get("rfc3987_syntax", missing)
    sys.modules["rfc3987_syntax"] = None  # makes its import fail, which jsonschema tolerates
    try:
        import jsonschema
    finally:
        if saved is missing:
            del sys.modules["rfc3987_syntax"]
        else:
            sys.modules["rfc3987_syntax"] = saved
    return jsonschema


def check(text: str, filename: str) -> dict:
    """Parse ``text`` and return the questionnaire dict, or raise InstrumentError."""
    jsonschema = _jsonschema()

    try:
        node = yaml.compose(text, Loader=_LOADER)
        data = yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        try:  # the pure-Python parser words its messages the same on every platform
            yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError as pure:
            exc = pure
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc)
        raise _error(t("instrument.err.yaml", file=filename, line=line, problem=problem)) from None
    if not isinstance(data, dict):
        raise _error(t("instrument.err.not_mapping", file=filename))
    lines: dict = {(): 1}
    dups: list = []
    _walk(node, (), lines, dups)
    rep = _Report(filename, data, lines)
    for path, line, first in dups:
        rep.problems.append((line, _join(f"{filename}:{line}: {rep.where(path)}: ",
                                         t("instrument.err.duplicate_key", name=path[-1], first=first),
                                         t("instrument.fix.duplicate_key"))))
    validator = jsonschema.Draft202012Validator(schema())
    for err in sorted(validator.iter_errors(data), key=lambda e: (rep.line(tuple(e.absolute_path)),
                                                                 [str(p) for p in e.absolute_path])):
        _schema_message(err, rep)
    rep.raise_if_any()
    _semantic(data, rep)
    rep.raise_if_any()
    data.pop("form", None)
    return data


def _semantic(data: dict, rep: _Report) -> None:
    """The checks a JSON schema cannot express (ranges, unknown or duplicate ids, pairings, items per
    construct), each added to ``rep`` at the line it concerns."""
    broken_scales, default = _check_scales(data, rep)
    constructs = _check_constructs(data, rep)
    seen_ids = _check_fields(data, rep)
    by_id = _check_item_ids(data["items"], seen_ids, rep)
    _check_tags(data, rep)
    _ItemChecks(data, rep, default, broken_scales, constructs, by_id).run()


def _check_scales(data: dict, rep: _Report) -> tuple[set, str]:
    """Each scale runs upwards and has one label per point in each language; returns the broken
    scales (their ranges are not used for further checks) and the default scale's id."""
    scales = data["scales"]
    broken_scales: set = set()
    for sid, s in scales.items():
        if s["min"] >= s["max"]:
            broken_scales.add(sid)
            rep.add(("scales", sid, "min"), t("instrument.err.scale_order", id=sid, min=s["min"], max=s["max"]),
                    t("instrument.fix.scale_order"))
            continue
        points = s["max"] - s["min"] + 1
        for lang in ("fa", "en"):
            n = len(s["labels"][lang])
            if n != points:
                rep.add(("scales", sid, "labels", lang),
                        t("instrument.err.scale_labels", id=sid, points=points, min=s["min"], max=s["max"], n=n,
                          lang=lang), t("instrument.fix.scale_labels"))
    default = data.get("default_scale")
    if default is not None and default not in scales:
        rep.add(("default_scale",), t("instrument.err.unknown_scale", id=default),
                t("instrument.fix.unknown_scale", known=", ".join(scales)))
        default = None
    return broken_scales, default or next(iter(scales))


def _check_constructs(data: dict, rep: _Report) -> dict[str, int]:
    """Construct ids are unique and the mediator is one of them; returns id -> position."""
    constructs: dict[str, int] = {}
    for k, c in enumerate(data["constructs"]):
        if c["id"] in constructs:
            rep.add(("constructs", k, "id"), t("instrument.err.duplicate_construct", id=c["id"],
                                               first=rep.line(("constructs", constructs[c["id"]]))),
                    t("instrument.fix.duplicate_construct"))
        else:
            constructs[c["id"]] = k
    mediator = data.get("mediator")
    if mediator is not None and mediator not in constructs:
        rep.add(("mediator",), t("instrument.err.unknown_mediator", id=mediator),
                t("instrument.fix.unknown_construct", known=", ".join(constructs)))
    return constructs


def _check_fields(data: dict, rep: _Report) -> dict[str, tuple]:
    """Respondent fields: unique ids, choices for a choice, a range (and none of choices) for a
    number; returns id -> path of the field."""
    seen_ids: dict[str, tuple] = {}
    for k, f in enumerate(data.get("respondent_fields", [])):
        if f["id"] in seen_ids:
            rep.add(("respondent_fields", k, "id"), t("instrument.err.duplicate_id", id=f["id"],
                                                      first=rep.line(seen_ids[f["id"]])),
                    t("instrument.fix.duplicate_id"))
        else:
            seen_ids[f["id"]] = ("respondent_fields", k)
        if f["type"] == "choice" and not f.get("choices"):
            rep.add(("respondent_fields", k), t("instrument.err.field_no_choices", id=f["id"]),
                    t("instrument.fix.field_no_choices"))
        if f["type"] == "numeric" and f.get("choices"):
            rep.add(("respondent_fields", k, "choices"), t("instrument.err.field_choices_numeric", id=f["id"]),
                    t("instrument.fix.field_choices_numeric"))
        if f["type"] == "numeric" and (f.get("min") is None or f.get("max") is None):
            # a form must refuse 1e308 or a typo with six extra zeros: every number has a range
            rep.add(("respondent_fields", k), t("instrument.err.field_no_range", id=f["id"]),
                    t("instrument.fix.field_no_range"))
        if f.get("min") is not None and f.get("max") is not None and f["min"] > f["max"]:
            rep.add(("respondent_fields", k, "min"), t("instrument.err.field_range", id=f["id"], min=f["min"],
                                                       max=f["max"]), t("instrument.fix.field_range"))
    return seen_ids


def _check_item_ids(items: list, seen_ids: dict, rep: _Report) -> dict[str, int]:
    """Item ids are unique among items and fields; returns id -> position."""
    by_id: dict[str, int] = {}
    for k, it in enumerate(items):
        iid = it["id"]
        if iid in by_id or iid in seen_ids:
            first = ("items", by_id[iid]) if iid in by_id else seen_ids[iid]
            rep.add(("items", k, "id"), t("instrument.err.duplicate_id", id=iid, first=rep.line(first)),
                    t("instrument.fix.duplicate_id"))
        else:
            by_id[iid] = k
    return by_id


def _check_tags(data: dict, rep: _Report) -> None:
    """Touchpoints and stages must be codes of the channel / stage fields (when the file has them)."""
    tags = {}
    for f in data.get("respondent_fields", []):
        if f["id"] in ("channel", "stage") and f.get("choices"):
            tags["touchpoint" if f["id"] == "channel" else "stage"] = list(f["choices"]) + (
                ["any"] if f["id"] == "channel" else [])
    for k, it in enumerate(data["items"]):
        for key, codes in tags.items():
            if key in it and it[key] not in codes:
                hint = difflib.get_close_matches(str(it[key]), codes, n=1)
                rep.add(("items", k, key), t(f"instrument.err.unknown_{key}", value=it[key]),
                        (t("instrument.fix.did_you_mean", hint=hint[0]) + " " if hint else "")
                        + t(f"instrument.fix.unknown_{key}", codes=", ".join(codes)))


class _ItemChecks:
    """The per-item checks (scale, construct, attention, expectation pairs), then the items per
    construct; holds what they share (the constructs' items and the pairs made so far)."""

    def __init__(self, data: dict, rep: _Report, default: str, broken_scales: set, constructs: dict, by_id: dict):
        self.data, self.rep, self.default, self.broken_scales = data, rep, default, broken_scales
        self.scales, self.items, self.constructs, self.by_id = data["scales"], data["items"], constructs, by_id
        self.counts: dict[str, list] = {c: [] for c in constructs}
        self.unknown_constructs = False
        self.paired: dict[str, str] = {}

    def run(self) -> None:
        """Every item in file order, then the number of items per construct."""
        for k, it in enumerate(self.items):
            sid = it.get("scale", self.default)
            if sid not in self.scales:
                self.rep.add(("items", k, "scale"), t("instrument.err.unknown_scale", id=sid),
                             t("instrument.fix.unknown_scale", known=", ".join(self.scales)))
            self.kind(k, it)
            self.attention(k, it, sid)
            self.pairing(k, it, sid)
        self.items_per_construct()

    def kind(self, k: int, it: dict) -> None:
        """A Likert item names a known construct; a single item has neither construct nor reverse key."""
        rep, constructs, iid, cid = self.rep, self.constructs, it["id"], it.get("construct")
        kind = it.get("kind", "likert")
        if kind == "likert":
            if cid is None:
                rep.add(("items", k), t("instrument.err.no_construct_key", id=iid),
                        t("instrument.fix.no_construct_key", known=", ".join(constructs)))
            elif cid not in constructs:
                self.unknown_constructs = True  # the per-construct counts would only repeat this
                hint = difflib.get_close_matches(cid, list(constructs), n=1)
                rep.add(("items", k, "construct"), t("instrument.err.unknown_construct", id=iid, construct=cid),
                        (t("instrument.fix.did_you_mean", hint=hint[0]) + " " if hint else "")
                        + t("instrument.fix.unknown_construct", known=", ".join(constructs)))
            else:
                self.counts[cid].append(iid)
            return
        if cid is not None:
            rep.add(("items", k, "construct"), t("instrument.err.single_with_construct", id=iid, kind=kind),
                    t("instrument.fix.single_with_construct"))
        if it.get("reverse"):
            rep.add(("items", k, "reverse"), t("instrument.err.reverse_not_likert", id=iid, kind=kind),
                    t("instrument.fix.reverse_not_likert", id=iid))

    def attention(self, k: int, it: dict, sid: str) -> None:
        """An attention check has an expected answer on its scale; other items have none."""
        rep, iid, scale = self.rep, it["id"], self.scales.get(sid)
        if it.get("kind", "likert") == "attention":
            if "expected" not in it:
                rep.add(("items", k), t("instrument.err.attention_no_expected", id=iid),
                        t("instrument.fix.attention_no_expected"))
            elif scale is not None and sid not in self.broken_scales \
                    and not scale["min"] <= it["expected"] <= scale["max"]:
                rep.add(("items", k, "expected"), t("instrument.err.expected_range", id=iid, value=it["expected"],
                                                    min=scale["min"], max=scale["max"]),
                        t("instrument.fix.expected_range"))
        elif "expected" in it:
            rep.add(("items", k, "expected"), t("instrument.err.expected_not_attention", id=iid),
                    t("instrument.fix.expected_not_attention"))

    def role(self, cid) -> str | None:
        """The role of a known construct (None for an unknown or missing one)."""
        return self.data["constructs"][self.constructs[cid]]["role"] if cid in self.constructs else None

    def pairing(self, k: int, it: dict, sid: str) -> None:
        """Expectation items pair with one experience item each (``pairs_with``), on the same scale."""
        rep, iid, target = self.rep, it["id"], it.get("pairs_with")
        role = self.role(it.get("construct"))
        if role == "expectation" and target is None:
            rep.add(("items", k), t("instrument.err.expectation_unpaired", id=iid),
                    t("instrument.fix.expectation_unpaired"))
        if target is None:
            return
        if role != "expectation":
            rep.add(("items", k, "pairs_with"), t("instrument.err.pairs_not_expectation", id=iid),
                    t("instrument.fix.pairs_not_expectation"))
        elif target not in self.by_id:
            hint = difflib.get_close_matches(target, list(self.by_id), n=1)
            rep.add(("items", k, "pairs_with"), t("instrument.err.pairs_unknown", id=iid, target=target),
                    (t("instrument.fix.did_you_mean", hint=hint[0]) + " " if hint else "")
                    + t("instrument.fix.pairs_unknown"))
        else:
            self.pair_target(k, iid, target, sid)

    def pair_target(self, k: int, iid: str, target: str, sid: str) -> None:
        """The paired item is a Likert experience item, not paired twice, on the expectation's scale."""
        rep, other = self.rep, self.items[self.by_id[target]]
        ocid = other.get("construct")
        if ocid is not None and ocid not in self.constructs:
            return  # reported on the target item already (unknown construct)
        if self.role(ocid) != "experience" or other.get("kind", "likert") != "likert":
            rep.add(("items", k, "pairs_with"), t("instrument.err.pairs_not_experience", id=iid, target=target),
                    t("instrument.fix.pairs_not_experience"))
        elif target in self.paired:
            rep.add(("items", k, "pairs_with"), t("instrument.err.pairs_twice", id=iid, target=target,
                                                  first=self.paired[target]), t("instrument.fix.pairs_twice"))
        elif other.get("scale", self.default) != sid:
            rep.add(("items", k, "pairs_with"), t("instrument.err.pairs_scale", id=iid, target=target),
                    t("instrument.fix.pairs_scale"))
        else:
            self.paired[target] = iid

    def items_per_construct(self) -> None:
        """At least three items per construct (skipped when an item names an unknown construct)."""
        for cid, ids in self.counts.items():
            if len(ids) < 3 and not self.unknown_constructs:
                listed = ", ".join(ids) if ids else t("instrument.none")
                self.rep.add(("constructs", self.constructs[cid]),
                             t("instrument.err.too_few_items", id=cid, n=len(ids), items=listed),
                             t("instrument.fix.too_few_items", id=cid))
