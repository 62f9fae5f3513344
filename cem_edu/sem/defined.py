"""Defined parameters (``:=``): safe evaluation and delta-method standard errors.

An expression may use parameter labels, earlier defined names, numbers,
``+ - * / ^`` (or ``**``), parentheses and the functions ``sqrt exp log abs``.
Nothing else is evaluated (no Python ``eval``).

Delta method: for defined values h(x), Cov(h) = J Cov(x) J' with
J = dh/dx (central differences, step 1e-6 relative).

Reference: Sobel (1982), Sociological Methodology 13; lavaan ``lav_partable_constraints_def``.
"""
from __future__ import annotations

import ast
import math
import operator

import numpy as np
import pandas as pd

from ..errors import ModelError
from ..i18n import t

__all__ = ["DefinedParameters"]

_BIN = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
        ast.Pow: operator.pow}
_UN = {ast.USub: operator.neg, ast.UAdd: operator.pos}
_FUN = {"sqrt": math.sqrt, "exp": math.exp, "log": math.log, "abs": abs}


def _compile(expr: str, name: str):
    text = expr.replace("^", "**")
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
    return tree, names


def _eval(node, env):
    if isinstance(node, ast.BinOp):
        return _BIN[type(node.op)](_eval(node.left, env), _eval(node.right, env))
    if isinstance(node, ast.UnaryOp):
        return _UN[type(node.op)](_eval(node.operand, env))
    if isinstance(node, ast.Constant):
        return float(node.value)
    if isinstance(node, ast.Name):
        return env[node.id]
    return _FUN[node.func.id](_eval(node.args[0], env))


class DefinedParameters:
    """The ``:=`` rows of a parameter table, compiled once.

    ``values(x)`` -> array of defined values at parameter vector ``x``;
    ``values_from(env)`` with a label -> value mapping (e.g. standardized values);
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
        self.compiled = []
        known = set(self.labels)
        for name, expr in zip(self.names, self.exprs):
            tree, used = _compile(expr, name)
            unknown = [u for u in used if u not in known]
            if unknown:
                raise ModelError(t("sem.defined.unknown_label", name=name, expr=expr, labels=", ".join(unknown),
                                   known=", ".join(sorted(self.labels)) or "-"))
            self.compiled.append(tree)
            known.add(name)

    def __len__(self):
        return len(self.names)

    def env(self, x: np.ndarray) -> dict:
        return {lab: (x[k] if k >= 0 else v) for lab, (k, v, _) in self.labels.items()}

    def values_from(self, env: dict) -> np.ndarray:
        env = dict(env)
        out = np.empty(len(self.names))
        for i, (name, tree) in enumerate(zip(self.names, self.compiled)):
            try:
                out[i] = _eval(tree, env)
            except (ZeroDivisionError, ValueError, OverflowError):
                out[i] = np.nan
            env[name] = out[i]
        return out

    def values(self, x: np.ndarray) -> np.ndarray:
        return self.values_from(self.env(x))

    def jacobian(self, x: np.ndarray) -> np.ndarray:
        """dh/dx by central differences (len(defined) x len(x))."""
        J = np.zeros((len(self.names), len(x)))
        used = sorted({k for k, _, _ in self.labels.values() if k >= 0})
        for k in used:
            h = 1e-6 * max(1.0, abs(x[k]))
            xp, xm = x.copy(), x.copy()
            xp[k] += h
            xm[k] -= h
            J[:, k] = (self.values(xp) - self.values(xm)) / (2 * h)
        return J

    def vcov(self, x: np.ndarray, V: np.ndarray) -> np.ndarray:
        J = self.jacobian(x)
        return J @ V @ J.T
