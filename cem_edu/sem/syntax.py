"""Parser of lavaan model syntax.

Supported (as lavaan): ``=~`` loadings, ``<~`` formative composites (used by ``ce.pls`` only),
``~`` regressions, ``~~`` (co)variances,
``~1`` intercepts/means, ``:=`` defined parameters, constraints ``==``, ``<``, ``>`` between
linear expressions of labels (``a == b``, ``a == b + c``, ``a + b == 1``, ``a > 0``, ``a > b``;
``<=``/``>=`` read as ``<``/``>``); modifiers ``a*x`` (label),
``1*x`` / ``0.5*x`` (fixed value), ``NA*x`` (free), ``start(0.5)*x`` (start value),
``label("a")*x`` / ``equal("a")*x``, ``c(a, b)*x`` / ``c(1, NA)*x`` (one value per
group); several right-hand terms with ``+`` and several left-hand variables with
``+``; thresholds of ordinal items ``x1 | t1 + a*t2`` (op ``|``, for ``fit(..., ordered=)``); comments with ``#`` or ``!``; statements separated by new lines or ``;``;
a line that ends with an operator or ``+`` (or a next line that starts with
``+``) continues on the next line.

Reference: Rosseel (2012), lavaan: An R package for structural equation
modeling, Journal of Statistical Software 48(2); lavaan's ``lav_syntax.R``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import ModelError
from ..i18n import t

__all__ = ["Statement", "Modifier", "parse_syntax", "OPERATORS"]

OPERATORS = ("=~", "<~", "~", "~~", "~1", ":=", "|")
_NAME = re.compile(r"^[A-Za-z_.][A-Za-z0-9_.]*$")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_OP = re.compile(r":=|=~|<~|~~|~|==|<=|>=|<|>|\|")
_CONTINUE_END = ("+", "*", "=~", "<~", "~", ":=", ",", "(", "-", "/", "^")


@dataclass
class Modifier:
    """Per-term modifiers; each list has one entry per group, or one entry for all groups.

    ``fixed``: float (fixed value) or None (free, written NA); ``label``: str or None;
    ``start``: float or None.
    """

    fixed: list | None = None
    label: list | None = None
    start: list | None = None


@dataclass
class Statement:
    """One model formula element: ``lhs op rhs`` with its modifiers and source line."""

    lhs: str
    op: str
    rhs: str
    line: int
    text: str
    mod: Modifier = field(default_factory=Modifier)


def _err(key, line, text, **kw):
    return ModelError(t("sem.syntax.where", line=line, text=text) + " " + t(key, **kw))


def _strip_comment(line: str) -> str:
    out, quote = [], None
    for ch in line:
        if quote:
            out.append(ch)
            if ch == quote:
                quote = None
            continue
        if ch in "\"'":
            quote = ch
        elif ch in "#!":
            break
        out.append(ch)
    return "".join(out)


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """Split into statements (line number of their start, text), joining continuations."""
    pieces: list[tuple[int, str]] = []
    for number, raw in enumerate(str(text).splitlines(), 1):
        for part in _strip_comment(raw).split(";"):
            part = part.strip()
            if part:
                pieces.append((number, part))
    out: list[tuple[int, str]] = []
    for number, part in pieces:
        joins = out and (part.startswith(("+", "*"))
                         or (out[-1][1].endswith(_CONTINUE_END) and _OP.search(part) is None))
        if joins:
            out[-1] = (out[-1][0], out[-1][1] + " " + part)
        else:
            out.append((number, part))
    return out


def _split_top(s: str, sep: str) -> list[str]:
    """Split on ``sep`` outside parentheses."""
    parts, depth, cur = [], 0, []
    for ch in s:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == sep and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return [p.strip() for p in parts]


def _value(tok: str, line, text):
    """One modifier token -> ('fixed', float) | ('free', None) | ('label', str)."""
    tok = tok.strip().strip("\"'")
    if tok == "NA":
        return "free", None
    if _NUMBER.match(tok):
        return "fixed", float(tok)
    if _NAME.match(tok):
        return "label", tok
    raise _err("sem.syntax.bad_modifier", line, text, token=tok)


def _parse_modifier(tok: str, mod: Modifier, line, text) -> None:
    tok = tok.strip()
    m = re.match(r"^(c|start|label|equal|fixed)\s*\((.*)\)$", tok, re.S)
    if m:
        fn, inner = m.group(1), m.group(2)
        vals = [_value(v, line, text) for v in _split_top(inner, ",")] if inner.strip() else []
        if not vals:
            raise _err("sem.syntax.bad_modifier", line, text, token=tok)
        if fn == "start":
            mod.start = [v if k == "fixed" else None for k, v in vals]
            return
        if fn in ("label", "equal"):
            mod.label = [v for _, v in vals]
            return
        if fn == "fixed":
            mod.fixed = [v for _, v in vals]
            return
        kinds = {k for k, _ in vals}
        if kinds <= {"fixed", "free"}:
            mod.fixed = [v for _, v in vals]
        elif kinds == {"label"}:
            mod.label = [v for _, v in vals]
        else:
            raise _err("sem.syntax.mixed_c", line, text, token=tok)
        return
    kind, val = _value(tok, line, text)
    if kind == "label":
        mod.label = [val]
    else:
        mod.fixed = [val]


def _parse_term(term: str, line, text) -> tuple[str, Modifier]:
    parts = _split_top(term, "*")
    name = parts[-1].strip()
    mod = Modifier()
    for tok in parts[:-1]:
        if not tok:
            raise _err("sem.syntax.bad_term", line, text, term=term)
        _parse_modifier(tok, mod, line, text)
    if not (name == "1" or _NAME.match(name)):
        raise _err("sem.syntax.bad_name", line, text, name=name)
    return name, mod


def _constraint(lhs: str, op: str, rhs: str, line, text) -> Statement:
    """A constraint statement (``==``, ``<``, ``>``; ``<=``/``>=`` read as ``<``/``>``), checked to be
    linear in the labels (see :mod:`cem_edu.sem.constraints`)."""
    from .constraints import linear_form

    op = {"<=": "<", ">=": ">"}.get(op, op)
    for side in (lhs, rhs):
        if not side:
            raise _err("sem.syntax.constraint_side", line, text, op=op)
        if ":=" in side or "==" in side or "<" in side or ">" in side:
            raise _err("sem.syntax.constraint_side", line, text, op=op)
        try:
            linear_form(side)
        except ValueError:
            raise _err("sem.constraint.not_linear_syntax", line, text, side=side) from None
    return Statement(lhs.replace(" ", ""), op, rhs.replace(" ", ""), line, text)


def parse_syntax(model: str) -> tuple[list[Statement], list[Statement]]:
    """Parse lavaan model syntax.

    Returns ``(statements, defined)``: the model formulas (one Statement per
    lhs/op/rhs term, op in ``=~ <~ ~ ~~ ~1``) and, in the order written, the ``:=``
    definitions (rhs = the expression text) and the constraints ``==``, ``<``, ``>``
    (lhs and rhs linear expressions of labels). Raises ModelError naming the line, its
    text and a fix.
    """
    if not isinstance(model, str) or not model.strip():
        raise ModelError(t("sem.syntax.empty"))
    statements: list[Statement] = []
    defined: list[Statement] = []
    for line, text in _logical_lines(model):
        m = _OP.search(text)
        if m is None:
            raise _err("sem.syntax.no_operator", line, text)
        op = m.group(0)
        lhs_text, rhs_text = text[: m.start()].strip(), text[m.end():].strip()
        if op in ("==", "<", ">", "<=", ">="):
            defined.append(_constraint(lhs_text, op, rhs_text, line, text))
            continue
        if op == ":=":
            if not _NAME.match(lhs_text):
                raise _err("sem.syntax.bad_name", line, text, name=lhs_text)
            if not rhs_text:
                raise _err("sem.syntax.empty_rhs", line, text, op=op, lhs=lhs_text)
            defined.append(Statement(lhs_text, ":=", rhs_text.replace(" ", ""), line, text))
            continue
        if not lhs_text:
            raise _err("sem.syntax.empty_lhs", line, text, op=op)
        if not rhs_text:
            raise _err("sem.syntax.no_indicators" if op == "=~" else "sem.syntax.empty_rhs", line, text,
                       op=op, lhs=lhs_text)
        lhs_names = _split_top(lhs_text, "+")
        for name in lhs_names:
            if not _NAME.match(name):
                raise _err("sem.syntax.bad_name", line, text, name=name)
        terms = []
        for term in _split_top(rhs_text, "+"):
            if not term:
                raise _err("sem.syntax.bad_term", line, text, term=rhs_text)
            terms.append(_parse_term(term, line, text))
        for lhs in lhs_names:
            for name, mod in terms:
                this_op = op
                if name == "1":
                    if op != "~":
                        raise _err("sem.syntax.bad_name", line, text, name=name)
                    this_op, name = "~1", ""
                if op in ("=~", "<~") and name == lhs:
                    raise _err("sem.syntax.self_loading", line, text, name=name)
                if op == "~" and name == lhs:
                    raise _err("sem.syntax.self_regression", line, text, name=name)
                statements.append(Statement(lhs, this_op, name, line, text, mod))
    if not statements:
        raise ModelError(t("sem.syntax.empty"))
    return statements, defined
