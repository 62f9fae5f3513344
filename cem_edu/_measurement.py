"""The one-factor-per-construct CFA behind omega, CR, AVE and Fornell–Larcker.

``measurement(data, spec)`` fits every construct in one confirmatory model (as a researcher would
hand semTools::compRelSEM a fitted lavaan measurement model): loadings free, latent covariances
free, residual variances free, listwise deletion, maximum likelihood. A construct with a single item
has its residual variance fixed to 0 (lavaan's default), so it is the item itself.

The fit is done by ``cem_edu.sem.fit``; the quantities needed here are read from its parameter
table. When the SEM engine is not importable (a partial install) a small ML fit of the same model
is used instead (``_fit_fallback``), which gives the same optimum.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize

from .errors import DataError, EstimationWarning
from .i18n import t

__all__ = ["Measurement", "measurement", "measurement_syntax"]


@dataclass(frozen=True)
class Measurement:
    """What the reliability statistics need from a fitted measurement model.

    ``lam``: unstandardised loadings per construct {construct: Series(item -> λ)};
    ``psi``: latent variances {construct: ψ}; ``std``: standardised (std_all) loadings;
    ``lv_cor``: latent correlation matrix; ``S``: sample covariance (divisor N) of the items used;
    ``n``: rows used (listwise).
    """

    lam: dict
    psi: dict
    std: dict
    lv_cor: pd.DataFrame
    S: pd.DataFrame
    n: int
    engine: str


def measurement_syntax(spec: dict[str, list[str]]) -> str:
    """lavaan syntax of the one-factor-per-construct model (single items: residual variance fixed to 0)."""
    lines = []
    for f, cols in spec.items():
        lines.append(f"{f} =~ " + " + ".join(cols))
        if len(cols) == 1:
            lines.append(f"{cols[0]} ~~ 0*{cols[0]}")
    return "\n".join(lines)


def _sem_fit():
    try:
        from .sem import fit  # noqa: PLC0415
    except ImportError:
        return None
    return fit


def measurement(df: pd.DataFrame, spec: dict[str, list[str]]) -> Measurement:
    """Fit the measurement model of ``spec`` on ``df`` (listwise) and collect loadings, ψ and S."""
    cols = list(dict.fromkeys(c for v in spec.values() for c in v))
    dupes = [c for c in cols if sum(c in v for v in spec.values()) > 1]
    if dupes:
        raise DataError(t("reliability.item_twice", items=", ".join(dupes)))
    sub = df[cols].astype(float).dropna()
    n = len(sub)
    if n <= len(cols):
        raise DataError(t("reliability.too_few_rows", n=n, p=len(cols)))
    x = sub.to_numpy()
    S = np.cov(x, rowvar=False, bias=True)
    S_df = pd.DataFrame(S, index=cols, columns=cols)
    fit = _sem_fit()
    if fit is not None:
        res = fit(measurement_syntax(spec), sub, std_lv=False)
        return _from_estimates(res.estimates, spec, S_df, n)
    return _fit_fallback(S, cols, spec, n)


def _from_estimates(est: pd.DataFrame, spec, S_df, n) -> Measurement:
    lam, psi, std = {}, {}, {}
    load = est[est["op"] == "=~"]
    for f, cols in spec.items():
        rows = load[load["lhs"] == f].set_index("rhs")
        lam[f] = rows["est"].reindex(cols).astype(float)
        std[f] = rows["std_all"].reindex(cols).astype(float)
        v = est[(est["op"] == "~~") & (est["lhs"] == f) & (est["rhs"] == f)]
        psi[f] = float(v["est"].iloc[0])
    names = list(spec)
    cor = pd.DataFrame(np.eye(len(names)), index=names, columns=names)
    cov = est[(est["op"] == "~~") & est["lhs"].isin(names) & est["rhs"].isin(names) & (est["lhs"] != est["rhs"])]
    for _, r in cov.iterrows():
        cor.loc[r["lhs"], r["rhs"]] = cor.loc[r["rhs"], r["lhs"]] = float(r["std_all"])
    return Measurement(lam, psi, std, cor, S_df, n, "cem_edu.sem.fit")


def _fit_fallback(S: np.ndarray, cols: list[str], spec: dict, n: int) -> Measurement:
    """ML fit of the CFA with std.lv parameterisation (ψ = 1), analytic gradient, BFGS."""
    p, names = len(cols), list(spec)
    m = len(names)
    pos = {c: i for i, c in enumerate(cols)}
    li = np.array([pos[c] for f in names for c in spec[f]])
    lf = np.array([j for j, f in enumerate(names) for _ in spec[f]])
    free_theta = np.array([len(spec[names[lf[k]]]) > 1 for k in range(p)])
    # theta index: item order `cols` equals concatenation order of spec
    tri = np.tril_indices(m, -1)
    n_l, n_t, n_c = p, int(free_theta.sum()), len(tri[0])
    logdet_s = np.linalg.slogdet(S)[1]

    def unpack(x):
        L = np.zeros((p, m))
        L[li, lf] = x[:n_l]
        theta = np.zeros(p)
        theta[li[free_theta]] = x[n_l:n_l + n_t]
        phi = np.eye(m)
        phi[tri] = x[n_l + n_t:]
        phi[tri[1], tri[0]] = x[n_l + n_t:]
        return L, theta, phi

    def fun(x):
        L, theta, phi = unpack(x)
        sigma = L @ phi @ L.T + np.diag(theta)
        sign, logdet = np.linalg.slogdet(sigma)
        if sign <= 0:
            return 1e10, np.zeros_like(x)
        inv = np.linalg.inv(sigma)
        f = logdet + np.trace(S @ inv) - logdet_s - p
        g_sigma = inv - inv @ S @ inv
        gl = 2 * g_sigma @ L @ phi
        gphi = L.T @ g_sigma @ L
        grad = np.concatenate([gl[li, lf], np.diag(g_sigma)[li[free_theta]], 2 * gphi[tri]])
        return f, grad

    sd = np.sqrt(np.diag(S))
    x0 = np.concatenate([0.7 * sd[li], (0.5 * np.diag(S))[li[free_theta]], np.full(n_c, 0.3)])
    res = optimize.minimize(fun, x0, jac=True, method="BFGS", options={"gtol": 1e-10, "maxiter": 5000})
    if not res.success and np.max(np.abs(res.jac)) > 1e-5:
        warnings.warn(t("reliability.cfa_not_converged", message=str(res.message)), EstimationWarning, stacklevel=3)
    L, theta, phi = unpack(res.x)
    # sign convention: first loading of each construct positive (as lavaan's marker parameterisation)
    for j, f in enumerate(names):
        if L[pos[spec[f][0]], j] < 0:
            L[:, j] *= -1
            phi[j, :] *= -1
            phi[:, j] *= -1
    sigma = L @ phi @ L.T + np.diag(theta)
    lam, psi, std = {}, {}, {}
    for j, f in enumerate(names):
        idx = [pos[c] for c in spec[f]]
        lam[f] = pd.Series(L[idx, j], index=spec[f])
        psi[f] = 1.0
        std[f] = pd.Series(L[idx, j] / np.sqrt(np.diag(sigma)[idx]), index=spec[f])
    cor = pd.DataFrame(phi, index=names, columns=names)
    return Measurement(lam, psi, std, cor, pd.DataFrame(S, index=cols, columns=cols), n, "fallback")
