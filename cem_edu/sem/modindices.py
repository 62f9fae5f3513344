"""Modification indices and expected parameter change (lavaan ``modindices()``).

For every parameter the model fixes at zero (cross-loadings ``f =~ y``, residual covariances
``y1 ~~ y2``) the score (Lagrange-multiplier) test of freeing it, from the expected
information of the model extended with all those parameters (Sörbom 1989):

    V = I₁₁ − I₁₂ I₂₂⁻¹ I₂₁            (I = unit expected information; 1 = added, 2 = model)
    s = ∂F/∂θ₁ / 2                      (F the ML discrepancy, at the estimates)
    mi = N s² / diag(V),   epc = −s / diag(V)

``sepc_all`` is the EPC standardised like ``std_all`` (residual covariances by the residual
variances, as lavaan's ``cov.std = TRUE``).

A large MI says the constraint is inconsistent with *this* sample; freeing parameters one
after another because their MI is large capitalises on chance (MacCallum, Roznowski &
Necowitz 1992). Free a parameter only with a substantive reason, and confirm on new data.

References: Sörbom (1989) Psychometrika 54; Saris, Satorra & van der Veld (2009) SEM 16;
lavaan ``lav_modindices.R``.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..i18n import t

__all__ = ["modindices"]


def _candidates(model) -> list[dict]:
    pt = model.partable
    main = pt[pt["op"] != ":="]
    have = set()
    for r in main.itertuples():
        a, b = (r.lhs, r.rhs) if r.op != "~~" else tuple(sorted((r.lhs, r.rhs)))
        have.add((a, r.op, b, int(r.group)))
    ov = [v for v in model.ov if v not in set(model.phantom) and v not in set(model.names.ov_x)]
    lv = list(model.names.lv)
    out = []
    for g in range(1, model.ngroups + 1):
        for f in lv:
            for v in model.ov:
                if v in ov and (f, "=~", v, g) not in have:
                    out.append(dict(lhs=f, op="=~", rhs=v, group=g))
        for i, a in enumerate(ov):
            for b in ov[i + 1:]:
                key = tuple(sorted((a, b)))
                if (key[0], "~~", key[1], g) not in have:
                    out.append(dict(lhs=a, op="~~", rhs=b, group=g))
    return out


def modindices(res, sort: bool = False, minimum_value: float = 0.0, warn: bool = True) -> pd.DataFrame:
    """Modification indices of a fitted (ML, complete-data) model.

    Returns a DataFrame ``lhs op rhs group mi epc sepc_lv sepc_all`` (one row per parameter
    the model fixes at zero), optionally sorted by ``mi`` and filtered by ``minimum_value``.
    """
    from . import ml
    from .model import Model
    from .standardize import standardize

    if res.extras.get("ordered"):    # ML indices on polychoric correlations would be wrong for WLSMV
        from ..errors import ModelError
        raise ModelError(t("sem.ordinal.no_modindices"))
    if warn:
        warnings.warn(t("modindices.warning"), UserWarning, stacklevel=3)
    model, stats, x = res.model, res.stats, res.x
    cand = _candidates(model)
    if not cand:
        return pd.DataFrame(columns=["lhs", "op", "rhs", "group", "mi", "epc", "sepc_lv", "sepc_all"])
    pt = model.partable
    main = pt[pt["op"] != ":="].copy()
    K = getattr(model, "_K", None)           # == constraints: x -> theta = K x + c
    kt = model.npar if K is None else model.ntheta
    k0 = model.npar
    add = pd.DataFrame(cand)
    add["id"] = np.arange(len(main) + 1, len(main) + 1 + len(add))
    add["user"] = 10
    add["block"] = add["group"]
    add["free"] = np.arange(kt + 1, kt + 1 + len(add))
    add["ustart"] = np.nan
    add["exo"] = 0
    add["label"] = ""
    add["plabel"] = ""
    for c in main.columns:
        if c not in add.columns:
            add[c] = np.nan
    ext = pd.concat([main, add[main.columns]], ignore_index=True)
    mod = Model(ext, model.names, meanstructure=model.meanstructure)
    theta = x if K is None else model.theta(x)
    xe = np.r_[theta, np.zeros(len(add))]
    _, grad, H = ml.objective(mod, stats, xe, need=2)
    if K is not None:
        # score test of the new parameters with the constraints kept: chain rule through
        # J = blockdiag(K, I) (the constrained parameters move only along the constraints)
        J = np.zeros((kt + len(add), k0 + len(add)))
        J[:kt, :k0] = K
        J[kt:, k0:] = np.eye(len(add))
        grad, H = J.T @ grad, J.T @ H @ J
    info = H / 2.0
    N = stats.ntotal
    i1 = np.arange(k0, k0 + len(add))
    i2 = np.arange(k0)
    I22inv = np.linalg.pinv(info[np.ix_(i2, i2)])
    V = info[np.ix_(i1, i1)] - info[np.ix_(i1, i2)] @ I22inv @ info[np.ix_(i2, i1)]
    vd = np.diag(V).copy()
    vd[vd < np.finfo(float).eps ** (1 / 3)] = np.nan
    s = grad[i1] / 2.0
    mi = N * s * s / vd
    d = -N * s
    d[np.abs(d) < 1e-15] = 1.0
    epc = mi / d
    est = np.r_[np.where(main["free"].to_numpy() > 0, theta[np.maximum(main["free"].to_numpy() - 1, 0)],
                         main["ustart"].to_numpy(dtype=float)), np.abs(epc)]
    std_lv, std_all = standardize(mod, xe, est)
    sign = np.sign(epc)
    out = add[["lhs", "op", "rhs", "group"]].copy()
    out["mi"] = mi
    out["epc"] = epc
    out["sepc_lv"] = sign * std_lv[len(main):]
    out["sepc_all"] = sign * std_all[len(main):]
    if minimum_value > 0:
        out = out[out["mi"] >= minimum_value]
    if sort:
        out = out.sort_values("mi", ascending=False)
    return out.reset_index(drop=True)
