"""Standardised estimates (lavaan's ``std.lv`` and ``std.all``) and R².

* std_lv: latent variables scaled to variance 1 (observed variables unchanged).
* std_all: latent and observed variables scaled to variance 1, using the
  model-implied variances (Var(eta) = A Psi A', Var(y) = diag(Sigma)).

Per operator (sd = implied standard deviation):
``=~``: est * sd(f) / sd(y); ``~``: est * sd(x) / sd(y); ``~~``: est / (sd(a) sd(b))
(for residual (co)variances the total variances are used, as lavaan); ``~1``:
est / sd(v); ``:=``: the expression evaluated at the standardised values.

R² = 1 - residual variance / implied variance, for every observed variable that is
not an exogenous covariate and every latent variable with a regression.

Reference: lavaan ``lav_standardize.R``; Bollen (1989) p. 349.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .model import Model

__all__ = ["standardize", "r_squared", "implied_sds"]

from collections import namedtuple

_Row = namedtuple("_Row", "lhs op rhs group")


def implied_sds(model: Model, x: np.ndarray, g: int):
    """(sd of eta, sd of ov, Cov(eta), Sigma) for group g."""
    M = model.matrices(x, g)
    A = np.linalg.inv(np.eye(model.m) - M["beta"])
    C = A @ M["psi"] @ A.T
    G = M["lambda"] @ A
    Sigma = G @ M["psi"] @ G.T + M["theta"]
    with np.errstate(invalid="ignore"):
        return np.sqrt(np.diag(C)), np.sqrt(np.diag(Sigma)), C, Sigma


def standardize(model: Model, x: np.ndarray, est: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """std_lv and std_all for every partable row (``est`` = the rows' estimates).

    Defined parameters (``:=``) are filled by the caller (see result.py).
    """
    rows = model.rows
    std_lv = np.full(len(rows), np.nan)
    std_all = np.full(len(rows), np.nan)
    lv = set(model.names.lv)
    ei = {v: i for i, v in enumerate(model.eta)}
    oi = {v: i for i, v in enumerate(model.ov)}
    cache = {}
    mats = {}

    def resid_var(g, v):
        if g not in mats:
            mats[g] = model.matrices(x, g)
        if v in ei:
            return mats[g]["psi"][ei[v], ei[v]]
        return mats[g]["theta"][oi[v], oi[v]]

    for i, rr in enumerate(rows):
        if rr["op"] == ":=":
            continue
        r = _Row(rr["lhs"], rr["op"], rr["rhs"], rr["group"])
        g = int(r.group) - 1
        if g not in cache:
            cache[g] = implied_sds(model, x, g)
        sde, sdo, _, _ = cache[g]

        def sd_all(v):
            if v in oi:
                return sdo[oi[v]]
            return sde[ei[v]]

        def sd_lv(v):
            return sde[ei[v]] if v in lv else 1.0
        e = est[i]
        with np.errstate(divide="ignore", invalid="ignore"):
            if r.op == "=~":
                std_lv[i] = e * sd_lv(r.lhs) / sd_lv(r.rhs)
                std_all[i] = e * sd_all(r.lhs) / sd_all(r.rhs)
            elif r.op == "~":
                std_lv[i] = e * sd_lv(r.rhs) / sd_lv(r.lhs)
                std_all[i] = e * sd_all(r.rhs) / sd_all(r.lhs)
            elif r.op == "~~" and r.lhs != r.rhs:
                # (residual) covariances are scaled by the residual variances (lavaan cov.std = TRUE)
                ra, rb = resid_var(g, r.lhs), resid_var(g, r.rhs)
                std_all[i] = e / np.sqrt(ra * rb)
                if r.lhs in lv and r.rhs in lv:
                    std_lv[i] = std_all[i]
                elif r.lhs in lv or r.rhs in lv:
                    std_lv[i] = e / (sd_lv(r.lhs) * sd_lv(r.rhs))
                else:
                    std_lv[i] = e
            elif r.op == "~~":
                std_lv[i] = e / (sd_lv(r.lhs) * sd_lv(r.rhs))
                std_all[i] = e / (sd_all(r.lhs) * sd_all(r.rhs))
            elif r.op == "~1":
                std_lv[i] = e / sd_lv(r.lhs)
                std_all[i] = e / sd_all(r.lhs)
    return std_lv, std_all


def r_squared(model: Model, x: np.ndarray) -> pd.DataFrame:
    """R² per group for observed (non-exogenous) and endogenous latent variables.

    Columns: group, variable, r2 (lavaan ``lavInspect(fit, "r2")``).
    """
    rows = []
    lv = list(model.names.lv)
    eqs_y = set(model.names.eqs_y)
    ov_x = set(model.names.ov_x)
    for g in range(model.ngroups):
        M = model.matrices(x, g)
        sde, sdo, C, Sigma = implied_sds(model, x, g)
        for j, v in enumerate(model.ov):
            if v in ov_x:
                continue
            if v in model.phantom:
                k = model.eta.index(v)
                if v not in eqs_y and not np.any(M["beta"][k] != 0):
                    continue
                res = M["psi"][k, k]
                tot = C[k, k]
            else:
                res = M["theta"][j, j]
                tot = Sigma[j, j]
            rows.append((g + 1, v, 1.0 - res / tot))
        for f in lv:
            if f in eqs_y:
                k = model.eta.index(f)
                rows.append((g + 1, f, 1.0 - M["psi"][k, k] / C[k, k]))
    return pd.DataFrame(rows, columns=["group", "variable", "r2"])
