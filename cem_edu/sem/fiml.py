"""Full-information maximum likelihood (FIML) for incomplete multivariate-normal data.

Rows are grouped by their missing-data pattern. For a pattern *k* with observed
variables *o*, ``n_k`` rows, pattern mean ``ȳ_k`` and biased pattern covariance ``S_k``,
the casewise (Anderson 1957; Arbuckle 1996) log-likelihood is

    ℓ_k = -½ n_k [ p_k log 2π + log|Σ_oo| + tr(Σ_oo⁻¹ (S_k + (ȳ_k - μ_o)(ȳ_k - μ_o)')) ]

and ℓ = Σ_k ℓ_k. Its gradient with respect to the model-implied moments is

    ∂ℓ/∂Σ_oo = ½ n_k (W C_k W - W),  ∂ℓ/∂μ_o = n_k W (ȳ_k - μ_o),  W = Σ_oo⁻¹, C_k = S_k + dd'

which the model Jacobian turns into a gradient with respect to the free parameters.
The H1 (saturated) model is estimated by EM (Dempster, Laird & Rubin 1977), the
test statistic is χ² = 2 (ℓ_H1 - ℓ_H0) and standard errors use the observed
information (the Hessian of -ℓ), as lavaan's ``missing = "ml"`` (lavaan 0.6 default
``information = "observed"``). Nothing here assumes centred data.

References: Arbuckle (1996) in Marcoulides & Schumacker (Eds.), Advanced SEM;
Enders (2010) Applied Missing Data Analysis; lavaan ``lav_mvnorm_missing.R``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

LOG2PI = np.log(2.0 * np.pi)

__all__ = ["Pattern", "missing_patterns", "loglik", "loglik_grad", "casewise_scores", "em_h1",
           "independence_loglik", "vech_rows_cols", "sym_grad_to_vech", "numeric_hessian",
           "CasewiseObjective", "fit_casewise"]


def vech_rows_cols(p: int):
    """Row and column indices of the vech of a p x p symmetric matrix, in the order the model
    Jacobian uses (the order of ``cem_edu.sem.model``; lavaan's: column-wise lower triangle)."""
    try:  # follow the core engine's convention when it provides one
        from . import model as _m

        f = getattr(_m, "vech_indices", None) or getattr(_m, "vech_idx", None)
        if f is not None:
            r, c = f(p)
            return np.asarray(r), np.asarray(c)
    except Exception:  # pragma: no cover - core not importable
        pass
    c, r = np.triu_indices(p)  # column-major lower triangle == row-major upper, transposed
    return r, c


def sym_grad_to_vech(G: np.ndarray, rc=None) -> np.ndarray:
    """Gradient with respect to vech(Σ) from the symmetric matrix derivative G = ∂f/∂Σ (elements
    treated as distinct): diagonal G_ii, off-diagonal G_ij + G_ji."""
    r, c = rc if rc is not None else vech_rows_cols(G.shape[0])
    return np.where(r == c, G[r, c], G[r, c] + G[c, r])


@dataclass
class Pattern:
    """Rows sharing one missing-data pattern: observed-variable indices, row numbers, moments."""

    idx: np.ndarray       # indices of observed variables
    rows: np.ndarray      # row numbers in the data
    y: np.ndarray         # (n_k, p_k) observed values
    n: int
    mean: np.ndarray      # pattern mean of the observed variables
    cov: np.ndarray       # biased pattern covariance (divisor n_k)


def missing_patterns(Y: np.ndarray) -> list[Pattern]:
    """Group the rows of Y (NaN = missing) by missing-data pattern; rows with nothing observed are
    dropped (as lavaan does)."""
    Y = np.asarray(Y, dtype=float)
    obs = ~np.isnan(Y)
    keep = obs.any(axis=1)
    codes, inv = np.unique(obs, axis=0, return_inverse=True)
    inv = np.asarray(inv).ravel()
    out = []
    for k, mask in enumerate(codes):
        if not mask.any():
            continue
        rows = np.flatnonzero((inv == k) & keep)
        idx = np.flatnonzero(mask)
        y = Y[np.ix_(rows, idx)]
        m = y.mean(axis=0)
        d = y - m
        out.append(Pattern(idx=idx, rows=rows, y=y, n=len(rows), mean=m, cov=d.T @ d / len(rows)))
    return out


def _inv_logdet(S):
    L = np.linalg.cholesky(S)
    Li = np.linalg.inv(L)
    return Li.T @ Li, 2.0 * np.log(np.diag(L)).sum()


def loglik(patterns: list[Pattern], Sigma: np.ndarray, mu: np.ndarray) -> float:
    """Casewise normal log-likelihood Σ_k ℓ_k (see the module docstring); -inf if Σ is not PD."""
    ll = 0.0
    for pt in patterns:
        o = pt.idx
        try:
            W, logdet = _inv_logdet(Sigma[np.ix_(o, o)])
        except np.linalg.LinAlgError:
            return -np.inf
        d = pt.mean - mu[o]
        C = pt.cov + np.outer(d, d)
        ll -= 0.5 * pt.n * (len(o) * LOG2PI + logdet + np.sum(W * C))
    return float(ll)


def loglik_grad(patterns: list[Pattern], Sigma: np.ndarray, mu: np.ndarray):
    """(ℓ, ∂ℓ/∂Σ as a symmetric p x p matrix with elements treated as distinct, ∂ℓ/∂μ)."""
    p = len(mu)
    G = np.zeros((p, p))
    g = np.zeros(p)
    ll = 0.0
    for pt in patterns:
        o = pt.idx
        W, logdet = _inv_logdet(Sigma[np.ix_(o, o)])
        d = pt.mean - mu[o]
        C = pt.cov + np.outer(d, d)
        ll -= 0.5 * pt.n * (len(o) * LOG2PI + logdet + np.sum(W * C))
        G[np.ix_(o, o)] += 0.5 * pt.n * (W @ C @ W - W)
        g[o] += pt.n * (W @ d)
    return float(ll), G, g


def casewise_scores(patterns: list[Pattern], Sigma, mu, n_rows: int, rc=None, meanstructure=True):
    """Casewise scores ∂ℓ_i/∂(μ, vech Σ) (rows in data order; rows never observed stay zero).

    ∂ℓ_i/∂μ_o = W e_i,  ∂ℓ_i/∂Σ_oo = ½ (W e_i e_i' W - W), e_i = y_i,o - μ_o.
    Returns an (n_rows, p + p*) array when meanstructure else (n_rows, p*).
    """
    p = len(mu)
    r, c = rc if rc is not None else vech_rows_cols(p)
    pstar = len(r)
    pos = {(a, b): k for k, (a, b) in enumerate(zip(r, c))}
    out = np.zeros((n_rows, p + pstar))
    for pt in patterns:
        o = pt.idx
        W, _ = _inv_logdet(Sigma[np.ix_(o, o)])
        E = pt.y - mu[o]
        WE = E @ W
        out[np.ix_(pt.rows, o)] = WE
        # vech positions of the observed block
        ro, co = np.tril_indices(len(o))
        cols = np.array([pos.get((o[a], o[b]), pos.get((o[b], o[a]))) for a, b in zip(ro, co)])
        mult = np.where(ro == co, 0.5, 1.0)  # off-diagonal: ½·2 (two symmetric positions)
        sc = mult * (WE[:, ro] * WE[:, co] - W[ro, co])
        out[np.ix_(pt.rows, p + cols)] = sc
    return out if meanstructure else out[:, p:]


def em_h1(patterns: list[Pattern], p: int, tol: float = 1e-11, max_iter: int = 5000):
    """Saturated-model ML estimates (μ, Σ) from incomplete data by EM; returns (mu, Sigma, logl).

    E-step: for each pattern, regress the missing on the observed variables under the current
    (μ, Σ) and accumulate expected sufficient statistics Σ y and Σ yy'; M-step: μ = T1/N,
    Σ = T2/N - μμ'.
    """
    N = sum(pt.n for pt in patterns)
    # start: available-case means and variances
    s1 = np.zeros(p)
    s2 = np.zeros(p)
    cnt = np.zeros(p)
    for pt in patterns:
        s1[pt.idx] += pt.n * pt.mean
        s2[pt.idx] += pt.n * (np.diag(pt.cov) + pt.mean ** 2)
        cnt[pt.idx] += pt.n
    mu = s1 / cnt
    Sigma = np.diag(s2 / cnt - mu ** 2)
    prev = -np.inf
    for _ in range(max_iter):
        T1 = np.zeros(p)
        T2 = np.zeros((p, p))
        for pt in patterns:
            o = pt.idx
            sy = pt.n * pt.mean
            syy = pt.n * (pt.cov + np.outer(pt.mean, pt.mean))
            if len(o) == p:
                T1 += sy
                T2 += syy
                continue
            m = np.setdiff1d(np.arange(p), o)
            B = np.linalg.solve(Sigma[np.ix_(o, o)], Sigma[np.ix_(o, m)]).T  # (m, o)
            a = mu[m] - B @ mu[o]
            sm = pt.n * a + B @ sy
            T1[o] += sy
            T1[m] += sm
            T2[np.ix_(o, o)] += syy
            smo = np.outer(a, sy) + B @ syy
            T2[np.ix_(m, o)] += smo
            T2[np.ix_(o, m)] += smo.T
            cm = Sigma[np.ix_(m, m)] - B @ Sigma[np.ix_(o, m)]
            T2[np.ix_(m, m)] += (pt.n * np.outer(a, a) + np.outer(a, B @ sy) + np.outer(B @ sy, a)
                                 + B @ syy @ B.T + pt.n * cm)
        mu_new = T1 / N
        Sigma_new = T2 / N - np.outer(mu_new, mu_new)
        Sigma_new = (Sigma_new + Sigma_new.T) / 2
        delta = max(np.abs(mu_new - mu).max(), np.abs(Sigma_new - Sigma).max())
        mu, Sigma = mu_new, Sigma_new
        if delta < tol:
            break
    ll = loglik(patterns, Sigma, mu)
    return mu, Sigma, ll


def independence_loglik(patterns: list[Pattern], p: int):
    """ML of the independence (baseline) model under FIML: with diagonal Σ the casewise likelihood
    factorises over variables, so each mean/variance is the available-case ML estimate."""
    s1 = np.zeros(p)
    s2 = np.zeros(p)
    cnt = np.zeros(p)
    for pt in patterns:
        s1[pt.idx] += pt.n * pt.mean
        s2[pt.idx] += pt.n * (np.diag(pt.cov) + pt.mean ** 2)
        cnt[pt.idx] += pt.n
    mu = s1 / cnt
    var = s2 / cnt - mu ** 2
    return mu, np.diag(var), loglik(patterns, np.diag(var), mu)


def numeric_hessian(grad, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Symmetrised Hessian from an analytic gradient by 4-point central differences (as lavaan's
    ``lav_model_hessian``)."""
    n = len(x)
    H = np.zeros((n, n))
    for j in range(n):
        e = np.zeros(n)
        e[j] = h
        H[:, j] = (grad(x - 2 * e) - 8 * grad(x - e) + 8 * grad(x + e) - grad(x + 2 * e)) / (12 * h)
    return (H + H.T) / 2


# ----------------------------------------------------------------------------- model level
class CasewiseObjective:
    """-ℓ(x)/N of a model over groups of missing-data patterns, with its analytic gradient.

    ``model`` has ``implied(x) -> [(Σ_g, μ_g)]`` and ``jacobian(x) -> [(dvechΣ_g, dμ_g)]``;
    ``groups[g]`` is the list of :class:`Pattern` of group g. Without a mean structure
    (complete data only) μ_g is the sample mean ``means[g]``.
    """

    def __init__(self, model, groups: list[list[Pattern]], means=None):
        self.model = model
        self.groups = groups
        self.means = means
        self.N = sum(pt.n for pats in groups for pt in pats)
        self.p = model.p
        self.rc = vech_rows_cols(model.p)

    def _mu(self, g, mu):
        return self.means[g] if mu is None else mu

    def value(self, x):
        ll = 0.0
        for g, (S, mu) in enumerate(self.model.implied(x)):
            ll += loglik(self.groups[g], S, self._mu(g, mu))
        return -ll / self.N

    def value_grad(self, x):
        ll = 0.0
        grad = np.zeros(len(x))
        try:
            implied = self.model.implied(x)
            jac = self.model.jacobian(x)
            for g, (S, mu) in enumerate(implied):
                lg, G, gm = loglik_grad(self.groups[g], S, self._mu(g, mu))
                ll += lg
                dS, dmu = jac[g]
                grad += dS.T @ sym_grad_to_vech(G, self.rc)
                if mu is not None:
                    grad += dmu.T @ gm
        except np.linalg.LinAlgError:
            return np.inf, np.zeros(len(x))
        return -ll / self.N, -grad / self.N

    def grad(self, x):
        return self.value_grad(x)[1]

    def loglik(self, x):
        return -self.value(x) * self.N


def fit_casewise(objective: CasewiseObjective, x0: np.ndarray, tol: float = 1e-10, max_iter: int = 2000):
    """Minimise -ℓ/N from ``x0`` (quasi-Newton with the analytic gradient, then Newton polishing
    with the numerical Hessian). Returns (x, converged, hessian)."""
    from scipy.optimize import minimize

    r = minimize(objective.value_grad, x0, jac=True, method="L-BFGS-B",
                 options={"maxiter": max_iter, "ftol": 1e-15, "gtol": 1e-9, "maxcor": 30})
    x = r.x
    H = numeric_hessian(objective.grad, x)
    converged = bool(np.all(np.isfinite(x)))
    for _ in range(5):
        g = objective.grad(x)
        if np.max(np.abs(g)) < tol:
            break
        try:
            step = np.linalg.solve(H, g)
        except np.linalg.LinAlgError:
            converged = False
            break
        f0 = objective.value(x)
        t = 1.0
        while t > 1e-4 and not objective.value(x - t * step) <= f0 + 1e-14:
            t /= 2
        x = x - t * step
        H = numeric_hessian(objective.grad, x)
    converged = converged and np.max(np.abs(objective.grad(x))) < 1e-6
    return x, converged, H
