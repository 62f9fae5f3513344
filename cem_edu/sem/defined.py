"""Defined parameters (``:=``): safe evaluation and delta-method standard errors.

An expression may use parameter labels, earlier defined names, numbers,
``+ - * / ^`` (or ``**``), parentheses and the functions ``sqrt exp log abs``.
The expression is parsed and checked node by node against that whitelist before it is
compiled, so nothing else can run (no attribute access, no other calls, no builtins).

Delta method: for defined values h(x), Cov(h) = J Cov(x) J' with
J = dh/dx (central differences, step 1e-6 relative).

Reference: Sobel (1982), Sociological Methodology 13; lavaan ``lav_partable_constraints_def``.
"""
from __future__ import annotations

import ast
import operator
import re

import numpy as np
import pandas as pd

from ..errors import ModelError
from ..i18n import t

__all__ = ["DefinedParameters"]

_BIN = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
        ast.Pow: operator.pow}
_UN = {ast.USub: operator.neg, ast.UAdd: operator.pos}
_FUN = {"sqrt": np.sqrt, "exp": np.exp, "log": np.log, "abs": np.abs}


_IDENT = re.compile(r"(?<![0-9A-Za-z_.])([A-Za-z_][A-Za-z0-9_.]*|\.[A-Za-z_][A-Za-z0-9_.]*)")


def _mangle(name: str) -> str:
    """lavaan labels may contain dots (a.1, .p2.); Python names may not."""
    return name.replace(".", "_DOT_")


def _compile(expr: str, name: str):
    text = _IDENT.sub(lambda m: _mangle(m.group(0)), expr.replace("^", "**"))
    try:
        tree = ast.parse(text, mode="eval").body
    except SyntaxError:
        raise ModelError(t("sem.defined.bad_expression", name=name, expr=expr)) from None

    def check(node):
        if isinstance(node, ast.BinOp) and type(node.op) in _BIN:
            check(node.left); check(node.right)
        elif isinstance(node, ast.UnaryOp) and type(node.op) in _UN:
            check(node.operand)
        elif isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            pass
        elif isinstance(node, ast.Name):
            pass
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FUN \
                and len(node.args) == 1 and not node.keywords:
            check(node.args[0])
        else:
            raise ModelError(t("sem.defined.bad_expression", name=name, expr=expr))
    check(tree)
    names = sorted({n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} - set(_FUN)
                   - {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call)})
    return tree, [n.replace("_DOT_", ".") for n in names]


class DefinedParameters:
    """The ``:=`` rows of a parameter table, compiled once.

    ``values(x)`` -> array of defined values at parameter vector ``x``;
    ``values_from(env)`` with a label -> value mapping (e.g. standardized values; build it with
    ``label_env``, which takes the first row of a label, as lavaan);
    ``vcov(x, V)`` -> delta-method covariance matrix of the defined values.
    """

    def __init__(self, partable):
        if isinstance(partable, pd.DataFrame):
            from .model import records
            rows = records(partable)
        else:
            rows = partable
        d = [r for r in rows if r["op"] == ":="]
        self.names = [r["lhs"] for r in d]
        self.exprs = [r["rhs"] for r in d]
        self.labels = {}   # label -> (free index or -1, fixed value, row)
        for i, r in enumerate(rows):
            lab = r["label"]
            if r["op"] == ":=" or not lab or lab in self.labels:
                continue
            u = float(r["ustart"])
            self.labels[lab] = (int(r["free"]) - 1, u if np.isfinite(u) else np.nan, i)
        self._compile_all()

    def __getstate__(self):
        # code objects do not pickle (joblib workers): ship the expressions and recompile
        state = dict(self.__dict__)
        state.pop("compiled", None)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._compile_all()

    def _compile_all(self):
        self.compiled = []
        known = set(self.labels)
        for name, expr in zip(self.names, self.exprs):
            tree, used = _compile(expr, name)
            unknown = [u for u in used if u not in known]
            if unknown:
                raise ModelError(t("sem.defined.unknown_label", name=name, expr=expr, labels=", ".join(unknown),
                                   known=", ".join(sorted(self.labels)) or "-"))
            # the tree passed the whitelist above (numbers, names, + - * / **, sqrt/exp/log/abs), so
            # compiling it runs no other code; names resolve only in the given environment
            code = compile(ast.Expression(body=tree), f"<{name} := {expr}>", "eval")
            self.compiled.append(code)
            known.add(name)

    def __len__(self):
        return len(self.names)

    def env(self, x: np.ndarray) -> dict:
        return {lab: (x[k] if k >= 0 else v) for lab, (k, v, _) in self.labels.items()}

    def _evaluate(self, env: dict) -> list:
        env = {_mangle(k): v for k, v in env.items()}
        env["__builtins__"] = {}
        env.update(_FUN)
        out = []
        with np.errstate(all="ignore"):
            for name, code in zip(self.names, self.compiled):
                try:
                    val = eval(code, env)  # noqa: S307 - whitelisted arithmetic only, see _compile
                except (ZeroDivisionError, ValueError, OverflowError, FloatingPointError):
                    val = np.nan
                env[_mangle(name)] = val
                out.append(val)
        return out

    @staticmethod
    def label_env(labels, values) -> dict:
        """label -> value of the *first* row that carries the label (as lavaan, e.g. for the
        standardised values of ``ab := a*b`` when ``a`` ties several parameters)."""
        env: dict = {}
        for lab, v in zip(labels, values):
            if lab and lab not in env:
                env[lab] = v
        return env

    def values_from(self, env: dict) -> np.ndarray:
        """Defined values for a label -> value mapping (floats)."""
        return np.array([float(v) for v in self._evaluate(env)], dtype=float)

    def values(self, x: np.ndarray) -> np.ndarray:
        return self.values_from(self.env(x))

    def jacobian(self, x: np.ndarray) -> np.ndarray:
        """dh/dx by central differences (len(defined) x len(x)), all perturbations in one pass."""
        J = np.zeros((len(self.names), len(x)))
        used = sorted({k for k, _, _ in self.labels.values() if k >= 0})
        if not used or not self.names:
            return J
        m = len(used)
        steps = np.array([1e-6 * max(1.0, abs(x[k])) for k in used])
        X = np.repeat(x[None, :], 2 * m, axis=0)
        X[np.arange(m), used] += steps
        X[m + np.arange(m), used] -= steps
        env = {lab: (X[:, k] if k >= 0 else v) for lab, (k, v, _) in self.labels.items()}
        for i, val in enumerate(self._evaluate(env)):
            val = np.broadcast_to(np.asarray(val, dtype=float), (2 * m,))
            J[i, used] = (val[:m] - val[m:]) / (2 * steps)
        return J

    def vcov(self, x: np.ndarray, V: np.ndarray) -> np.ndarray:
        J = self.jacobian(x)
        return J @ V @ J.T
