"""A PLS path model read from lavaan-style syntax.

``X =~ x1 + x2``   reflective block, estimated in mode A (correlation weights);
``X <~ x1 + x2``   formative block, estimated in mode B (regression weights);
``Y ~ X + Z``      structural paths (labels ``Y ~ a*X`` name a path for ``:=``);
``ind := a*b``     defined effects, evaluated from the labelled path coefficients;
``X ~~ Z``         accepted so that ``inst.model()`` works unchanged: composites of exogenous
                   constructs correlate freely in PLS (nothing to estimate); a residual
                   covariance between endogenous constructs is not part of a PLS model and is
                   listed in ``notes`` (never dropped silently).

Anything else PLS cannot honour (fixed or labelled loadings, variances, intercepts, equality
labels on paths) is a ModelError that says so.

Reference: Lohmöller (1989), Latent Variable Path Modeling with Partial Least Squares;
Hair, Hult, Ringle & Sarstedt (2022), A Primer on PLS-SEM, 3rd ed., ch. 2–3.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import ModelError
from ..i18n import t
from ..sem.syntax import parse_syntax

__all__ = ["PLSSpec", "parse_pls"]


@dataclass(frozen=True, eq=False)
class PLSSpec:
    """Blocks, modes, the structural model and the defined effects of a PLS path model."""

    constructs: list            # construct names in model order
    blocks: dict                # construct -> [indicators]
    modes: dict                 # construct -> "A" | "B"
    paths: list                 # [(rhs cause, lhs effect)] in model order
    labels: dict                # (rhs, lhs) -> label
    defined: list               # [(name, expression)]
    notes: list = field(default_factory=list)
    syntax: str = ""

    @property
    def indicators(self) -> list:
        return [i for c in self.constructs for i in self.blocks[c]]

    @property
    def endogenous(self) -> list:
        eff = {e for _, e in self.paths}
        return [c for c in self.constructs if c in eff]

    @property
    def exogenous(self) -> list:
        eff = {e for _, e in self.paths}
        return [c for c in self.constructs if c not in eff]

    def predecessors(self, c: str) -> list:
        return [a for a, e in self.paths if e == c]

    def path_matrix(self) -> np.ndarray:
        """P[i, j] = 1 when construct i → construct j."""
        k = {c: i for i, c in enumerate(self.constructs)}
        P = np.zeros((len(self.constructs), len(self.constructs)))
        for a, e in self.paths:
            P[k[a], k[e]] = 1.0
        return P

    def mask(self) -> np.ndarray:
        """M[i, k] = 1 when indicator i belongs to construct k (indicators in block order)."""
        ind = self.indicators
        M = np.zeros((len(ind), len(self.constructs)))
        pos = 0
        for k, c in enumerate(self.constructs):
            n = len(self.blocks[c])
            M[pos:pos + n, k] = 1.0
            pos += n
        return M

    def block_index(self) -> list:
        out, pos = [], 0
        for c in self.constructs:
            n = len(self.blocks[c])
            out.append(np.arange(pos, pos + n))
            pos += n
        return out


def _err(key, st, **kw):
    return ModelError(t("sem.syntax.where", line=st.line, text=st.text) + " " + t(key, **kw))


def parse_pls(model: str) -> PLSSpec:
    """Read lavaan-style syntax into a :class:`PLSSpec` (see the module docstring)."""
    statements, defined = parse_syntax(model)
    blocks: dict = {}
    modes: dict = {}
    paths: list = []
    labels: dict = {}
    notes: list = []
    residual_cov = []
    for st in statements:
        mod = st.mod
        if st.op in ("=~", "<~"):
            if mod.fixed is not None or mod.label is not None or mod.start is not None:
                raise _err("pls.spec.loading_modifier", st, item=st.rhs)
            mode = "A" if st.op == "=~" else "B"
            if st.lhs in modes and modes[st.lhs] != mode:
                raise _err("pls.spec.mixed_mode", st, construct=st.lhs)
            modes[st.lhs] = mode
            if st.rhs in blocks.get(st.lhs, []):
                continue
            for c, items in blocks.items():
                if st.rhs in items and c != st.lhs:
                    raise _err("pls.spec.shared_item", st, item=st.rhs, first=c, second=st.lhs)
            blocks.setdefault(st.lhs, []).append(st.rhs)
        elif st.op == "~":
            if mod.fixed is not None or mod.start is not None:
                raise _err("pls.spec.path_modifier", st)
            if mod.label is not None:
                if len(mod.label) != 1:
                    raise _err("pls.spec.path_modifier", st)
                labels[(st.rhs, st.lhs)] = mod.label[0]
            paths.append((st.rhs, st.lhs))
        elif st.op == "~~":
            if st.lhs == st.rhs:
                raise _err("pls.spec.variance", st, name=st.lhs)
            residual_cov.append(st)
        else:
            raise _err("pls.spec.unsupported_op", st, op=st.op)
    if not blocks:
        raise ModelError(t("pls.spec.no_blocks"))
    constructs = list(blocks)
    known = set(constructs)
    for a, e in paths:
        for name in (a, e):
            if name not in known:
                raise ModelError(t("pls.spec.unknown_construct", name=name, constructs=", ".join(constructs)))
    seen = set()
    for p in paths:
        if p in seen:
            raise ModelError(t("pls.spec.duplicate_path", lhs=p[1], rhs=p[0]))
        seen.add(p)
    if not paths:
        raise ModelError(t("pls.spec.no_paths"))
    connected = {a for a, _ in paths} | {e for _, e in paths}
    alone = [c for c in constructs if c not in connected]
    if alone:
        raise ModelError(t("pls.spec.isolated", constructs=", ".join(alone)))
    _check_acyclic(constructs, paths)
    endo = {e for _, e in paths}
    for st in residual_cov:
        for name in (st.lhs, st.rhs):
            if name not in known:
                raise _err("pls.spec.cov_unknown", st, name=name)
        if st.lhs in endo or st.rhs in endo:
            notes.append(t("pls.spec.residual_cov_note", lhs=st.lhs, rhs=st.rhs))
    used_labels = list(labels.values())
    dup = sorted({lab for lab in used_labels if used_labels.count(lab) > 1})
    if dup:
        raise ModelError(t("pls.spec.equal_labels", labels=", ".join(dup)))
    return PLSSpec(constructs=constructs, blocks=blocks, modes=modes, paths=paths, labels=labels,
                   defined=[(d.lhs, d.rhs) for d in defined], notes=notes, syntax=model)


def _check_acyclic(constructs, paths):
    succ = {c: [e for a, e in paths if a == c] for c in constructs}
    state: dict = {}

    def visit(c, trail):
        state[c] = 1
        for e in succ[c]:
            if state.get(e) == 1:
                cycle = trail[trail.index(e):] + [e] if e in trail else [c, e]
                raise ModelError(t("pls.spec.cycle", cycle=" → ".join(cycle)))
            if state.get(e) is None:
                visit(e, trail + [e])
        state[c] = 2

    for c in constructs:
        if state.get(c) is None:
            visit(c, [c])
