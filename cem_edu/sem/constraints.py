"""Linear equality and inequality constraints on labelled parameters (lavaan ``==``, ``<``, ``>``).

Syntax (as lavaan): ``a == b``, ``a == b + c``, ``a == 2*b``, ``a + b == 1``, ``a - b == 0.2``,
``a > 0``, ``a < 1``, ``a > b`` — each side a *linear* expression of parameter labels and numbers
(``+ - *`` and division by a number). ``<=``/``>=`` are read as ``<``/``>``.

Equality constraints ``A theta = b`` (theta: the free unique parameters of the parameter table)
are a reparameterisation ``theta = K z + c`` with ``K`` an orthonormal basis of the null space of
``A`` and ``c = A^+ b``: every estimator (ML, MLR, FIML, bootstrap, multigroup) works on ``z``.
The covariance matrix of theta is ``K (K' I K)^-1 K' / N``, which equals the inverse of lavaan's
bordered information matrix ``[[I, A'], [A, 0]]`` (its upper-left block). Each independent
equality adds one degree of freedom (lavaan's ``npar`` drops by ``rank(A)``).

Inequality constraints ``A_in theta >= b_in`` are handled by an active-set method around the
estimator: fit, add the most violated inequality to the equalities, refit, drop an active one
whose Lagrange multiplier has the wrong sign, until the solution is feasible and every
multiplier is non-negative (Karush-Kuhn-Tucker). As lavaan, inequality constraints leave
``npar`` and ``df`` unchanged, active or not; standard errors treat the active ones as
equalities, and a parameter pinned by an active bound gets no standard error (NaN; lavaan NA).

Reference: Rosseel (2012), J. Stat. Softw. 48(2); lavaan ``lav_constraints.R``,
``lav_model_vcov.R``; Nocedal & Wright (2006), Numerical Optimization, ch. 16 (active sets).
"""
from __future__ import annotations

import ast

import numpy as np

from ..errors import ModelError
from ..i18n import t

__all__ = ["CONSTRAINT_OPS", "linear_form", "Constraints", "estimate_with_inequalities"]

CONSTRAINT_OPS = ("==", "<", ">")


class _NotLinear(Exception):
    pass


def _mangle(name: str) -> str:
    return name.replace(".", "_DOT_")


def linear_form(expr: str) -> tuple[dict, float]:
    """``expr`` as (coefficients by name, constant); raises ``ValueError`` if it is not linear.

    >>> linear_form("2*a - b/4 + 1")
    ({'a': 2.0, 'b': -0.25}, 1.0)
    """
    import re

    text = re.sub(r"(?<![0-9A-Za-z_.])([A-Za-z_.][A-Za-z0-9_.]*)",
                  lambda m: _mangle(m.group(0)), expr.replace("^", "**"))
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        raise ValueError(expr) from None

    def lin(node):
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) \
                and not isinstance(node.value, bool):
            return {}, float(node.value)
        if isinstance(node, ast.Name):
            return {node.id.replace("_DOT_", "."): 1.0}, 0.0
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            c, k = lin(node.operand)
            s = -1.0 if isinstance(node.op, ast.USub) else 1.0
            return {n: s * v for n, v in c.items()}, s * k
        if isinstance(node, ast.BinOp):
            lc, lk = lin(node.left)
            rc, rk = lin(node.right)
            if isinstance(node.op, (ast.Add, ast.Sub)):
                s = 1.0 if isinstance(node.op, ast.Add) else -1.0
                out = dict(lc)
                for n, v in rc.items():
                    out[n] = out.get(n, 0.0) + s * v
                return out, lk + s * rk
            if isinstance(node.op, ast.Mult):
                if not lc:
                    return {n: lk * v for n, v in rc.items()}, lk * rk
                if not rc:
                    return {n: rk * v for n, v in lc.items()}, lk * rk
                raise _NotLinear
            if isinstance(node.op, ast.Div) and not rc and rk != 0:
                return {n: v / rk for n, v in lc.items()}, lk / rk
            if isinstance(node.op, ast.Pow) and not lc and not rc:
                return {}, lk ** rk
        raise _NotLinear

    try:
        coefs, const = lin(tree)
    except (_NotLinear, ZeroDivisionError, OverflowError):
        raise ValueError(expr) from None
    return {n: v for n, v in coefs.items() if v != 0.0}, const


def _null_space(A: np.ndarray, n: int, tol: float = 1e-10) -> tuple[np.ndarray, int]:
    """Orthonormal basis (n x (n - r)) of the null space of A (m x n) and the rank r."""
    if A.shape[0] == 0:
        return np.eye(n), 0
    _, s, Vt = np.linalg.svd(A, full_matrices=True)
    r = int(np.sum(s > tol * max(1.0, s[0])))
    return Vt[r:].T.copy(), r


class Constraints:
    """The linear constraints of a model on its free unique parameters theta (length ``ntheta``).

    ``A_eq theta = b_eq`` (equalities), ``A_in theta >= b_in`` (inequalities); ``texts_eq``,
    ``texts_in`` the user's statements. ``K``, ``c``: ``theta = K z + c`` for the equalities plus
    the currently ``active`` inequalities; ``neq`` = rank of the equalities alone (lavaan's df).
    """

    def __init__(self, rows: list, ntheta: int):
        labels: dict = {}
        for r in rows:
            if r["op"] in CONSTRAINT_OPS or r["op"] == ":=" or not r["label"] or r["label"] in labels:
                continue
            u = float(r["ustart"])
            labels[r["label"]] = (int(r["free"]) - 1, u)
        defined = {r["lhs"] for r in rows if r["op"] == ":="}
        self.ntheta = ntheta
        eq, ineq = [], []
        self.texts_eq, self.texts_in = [], []
        self.order: list = []                  # per constraint row, in the order written: ("eq"|"in", index)
        for r in rows:
            op = r["op"]
            if op not in CONSTRAINT_OPS:
                continue
            text = f"{r['lhs']} {op} {r['rhs']}"
            where = t("sem.syntax.where", line=r["line"], text=r["text"]) + " " if r.get("line") else ""
            try:
                lc, lk = linear_form(r["lhs"])
                rc, rk = linear_form(r["rhs"])
            except ValueError:
                raise ModelError(where + t("sem.constraint.not_linear", text=text)) from None
            coefs = dict(lc)
            for n, v in rc.items():
                coefs[n] = coefs.get(n, 0.0) - v
            const = lk - rk                      # lhs - rhs = a' theta_labels + const
            unknown = sorted(n for n in coefs if n not in labels)
            if unknown:
                which = [n for n in unknown if n in defined]
                if which:
                    raise ModelError(where + t("sem.constraint.defined", text=text, names=", ".join(which)))
                raise ModelError(where + t("sem.constraint.unknown_label", text=text, labels=", ".join(unknown),
                                   known=", ".join(sorted(labels)) or "-"))
            a = np.zeros(ntheta)
            for n, v in coefs.items():
                k, u = labels[n]
                if k >= 0:
                    a[k] += v
                else:
                    const += v * (u if np.isfinite(u) else 0.0)
            if not np.any(a != 0):
                raise ModelError(where + t("sem.constraint.no_free", text=text))
            self.order.append(("eq", len(eq)) if op == "==" else ("in", len(ineq)))
            if op == "==":
                eq.append((a, -const))
                self.texts_eq.append(text)
            elif op == ">":
                ineq.append((a, -const))
                self.texts_in.append(text)
            else:
                ineq.append((-a, const))
                self.texts_in.append(text)
        self.A_eq = np.array([a for a, _ in eq]).reshape(len(eq), ntheta)
        self.b_eq = np.array([b for _, b in eq], dtype=float)
        self.A_in = np.array([a for a, _ in ineq]).reshape(len(ineq), ntheta)
        self.b_in = np.array([b for _, b in ineq], dtype=float)
        _, self.neq = _null_space(self.A_eq, ntheta)
        self.active: tuple = ()
        self.parameterisation(())          # checks that the equalities can hold together

    @property
    def has_inequalities(self) -> bool:
        return len(self.b_in) > 0

    def parameterisation(self, active=()) -> tuple[np.ndarray, np.ndarray]:
        """(K, c) with theta = K z + c for the equalities plus the inequalities ``active`` (indices)."""
        active = list(active)
        A = np.vstack([self.A_eq, self.A_in[active]]) if active else self.A_eq
        b = np.r_[self.b_eq, self.b_in[active]] if active else self.b_eq
        K, _ = _null_space(A, self.ntheta)
        if not A.shape[0]:
            return K, np.zeros(self.ntheta)
        c = np.linalg.lstsq(A, b, rcond=None)[0]
        if np.max(np.abs(A @ c - b)) > 1e-8 * max(1.0, np.max(np.abs(b))):
            texts = self.texts_eq + [self.texts_in[i] for i in active]
            raise ModelError(t("sem.constraint.inconsistent", texts="; ".join(texts)))
        return K, c

    def values(self, theta: np.ndarray) -> np.ndarray:
        """Per constraint row (in the order written) its value at theta as lavaan's parTable ``est``:
        lhs - rhs for ==, lhs - rhs for >, rhs - lhs for < (>= 0 when an inequality holds)."""
        eq = self.A_eq @ theta - self.b_eq if len(self.b_eq) else np.zeros(0)
        ineq = self.slack(theta)
        return np.array([eq[i] if kind == "eq" else ineq[i] for kind, i in self.order], dtype=float)

    def table(self, theta: np.ndarray):
        """DataFrame constraint, op, slack at theta, in the order written: |lhs - rhs| for ==,
        the distance to the bound for < and > (0 when active; lavaan's summary "|Slack|")."""
        import pandas as pd

        texts = [self.texts_eq[i] if kind == "eq" else self.texts_in[i] for kind, i in self.order]
        ops = [text.split(" ")[1] for text in texts]
        vals = self.values(theta)
        return pd.DataFrame({"constraint": texts, "op": ops,
                             "slack": np.where(np.array(ops) == "==", np.abs(vals), vals)})

    def slack(self, theta: np.ndarray) -> np.ndarray:
        """A_in theta - b_in (>= 0 when the inequalities hold)."""
        return self.A_in @ theta - self.b_in


def estimate_with_inequalities(model, stats, *, start=None, return_info=False, **kw):
    """Active-set ML estimation under the model's inequality constraints (see the module docstring).

    Leaves ``model.constraints.active`` at the final active set (for the standard errors) and
    returns ``x`` in the equality-only parameterisation (``model.npar``), as ``ml.estimate``.
    """
    from . import ml

    con = model.constraints
    theta0 = None if start is None else model.theta(np.asarray(start, dtype=float))
    active: list = []
    info = None
    for _ in range(4 * len(con.b_in) + 4):
        sub = model.with_active(active)
        z0 = None if theta0 is None else sub.z_of(theta0)
        z, info = ml.estimate(sub, stats, start=z0, return_info=True, **kw)
        theta = sub.theta(z)
        slack = con.slack(theta)
        scale = 1e-7 * np.maximum(1.0, np.abs(con.b_in))
        free_in = [i for i in range(len(slack)) if i not in active]
        worst = min(free_in, key=lambda i: slack[i]) if free_in else None
        if worst is not None and slack[worst] < -scale[worst]:
            active.append(worst)
            theta0 = theta
            continue
        if active:
            # KKT: grad F(theta) = A_eq' mu + A_act' lam with lam >= 0 for the active inequalities
            grad = ml.objective(model.unconstrained(), stats, theta, need=1)[1]
            A = np.vstack([con.A_eq, con.A_in[active]])
            mult = np.linalg.lstsq(A.T, grad, rcond=None)[0][len(con.b_eq):]
            if np.min(mult) < -1e-7 * max(1.0, np.max(np.abs(mult))):
                active.pop(int(np.argmin(mult)))
                theta0 = theta
                continue
        break
    con.active = tuple(sorted(active))
    x = model.z_of(theta)
    if return_info:
        return x, info
    return x


def start_values(model, stats) -> np.ndarray:
    """Starting values under equality constraints: ``ml.start_values`` of the unconstrained
    parameters, projected onto the constraints (x = K'(theta - c)); if that implied Sigma is
    not positive definite, the projected lavaan-like simple starts."""
    from . import ml

    free = model.unconstrained()
    x = model.z_of(ml.start_values(free, stats))
    if ml._sigma_ok(model, x):
        return x
    x = model.z_of(ml.simple_start(free, stats))
    if ml._sigma_ok(model, x):
        return x
    raise ModelError(t("sem.model.bad_start"))
