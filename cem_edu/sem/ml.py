"""Normal-theory maximum likelihood: sample statistics, discrepancy, estimation, information.

The ML discrepancy of group g (lavaan, Bollen 1989 eq. 4.67)::

    F_g = log|Sigma| + tr(S Sigma^-1) - log|S| - p + (m - mu)' Sigma^-1 (m - mu)

with S the *biased* sample covariance (divisor n_g, as lavaan's ML) and m the
sample mean (the mean part only with a mean structure). Over groups
F = sum_g (n_g / N) F_g, and the likelihood-ratio statistic is ``chisq = N * F``
(lavaan reports ``fmin = F / 2``).

Estimation is Fisher scoring (Gauss-Newton on the expected information) with a
halving line search, falling back to L-BFGS-B; standard errors come from the
expected information ``I = (N / 2) * H`` with
``H_kl = tr(Sigma^-1 dSigma_k Sigma^-1 dSigma_l) + 2 dmu_k' Sigma^-1 dmu_l``
(lavaan's default for ML with complete data).

The hot loop (``estimate``) uses numpy only, so the bootstrap and Monte Carlo
power can call it thousands of times with a warm start.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize

from ..errors import DataError, ModelError
from ..i18n import t
from ..stats.threads import blas_single_threaded
from .model import Model

__all__ = ["SampleStats", "sample_stats", "stats_from_moments", "objective", "estimate", "information",
           "start_values", "simple_start", "admissible_start", "fill_exo", "EstimateInfo", "information_batch"]


@dataclass
class SampleStats:
    """Sample moments per group (biased covariances, as lavaan's ML).

    ``cov[g]`` (p x p), ``mean[g]`` (p), ``n[g]``; ``ntotal``; ``data[g]`` the complete
    rows used (n_g x p) in the model's variable order; ``ov`` the variable names;
    ``group_labels``; ``n_dropped`` rows removed by listwise deletion; ``missing`` rule;
    under FIML ``cov``/``mean`` are the EM (H1) moments, ``data`` is None and ``fiml`` holds
    the missing-data patterns (:class:`cem_edu.sem.fiml.FimlData`).
    """

    ov: list
    cov: list
    mean: list
    n: list
    group_labels: list = field(default_factory=lambda: [None])
    data: list | None = None
    n_dropped: int = 0
    missing: str = "listwise"
    logdet: list = field(default_factory=list)
    fiml: object = None      # FIML: fiml.FimlData (patterns, rows, covariate block); None = listwise

    def __post_init__(self):
        if not self.logdet:
            self.logdet = [float(np.linalg.slogdet(S)[1]) for S in self.cov]

    @property
    def ntotal(self) -> int:
        return int(sum(self.n))

    @property
    def weights(self) -> np.ndarray:
        n = np.asarray(self.n, dtype=float)
        return n / n.sum()


def stats_from_moments(ov, cov, mean, n, group_labels=None, data=None, **kw) -> SampleStats:
    """SampleStats from given moments (lists per group), e.g. for a bootstrap draw."""
    return SampleStats(list(ov), [np.asarray(c, float) for c in cov], [np.asarray(m, float) for m in mean],
                       [int(k) for k in n], list(group_labels or [None] * len(cov)), data, **kw)


def sample_stats(data: pd.DataFrame, ov: list, group: str | None = None, group_labels=None) -> SampleStats:
    """Listwise-complete sample moments of the model variables ``ov``, per group.

    Group labels are taken in order of first appearance (as lavaan for character data).
    """
    cols = list(ov)
    try:
        Xall = data[cols].to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError):
        Xall = data[cols].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    complete = ~np.isnan(Xall).any(axis=1)
    gcol = None
    if group:
        gcol = data[group].to_numpy(dtype=object)
        gmissing = pd.isna(data[group]).to_numpy()
        complete &= ~gmissing
    n_dropped = int((~complete).sum())
    if not complete.any():
        raise DataError(t("sem.data.all_dropped", n=len(data)))
    if group:
        labels = list(group_labels) if group_labels is not None else list(pd.unique(data[group].dropna()))
        parts = [Xall[complete & (gcol == lab)] for lab in labels]
    else:
        labels = [None]
        parts = [Xall[complete] if n_dropped else Xall]
    covs, means, ns = [], [], []
    for lab, X in zip(labels, parts):
        n = X.shape[0]
        if n < 2:
            raise DataError(t("sem.data.group_too_small", group=lab, n=n))
        mean = X.mean(axis=0)
        Xc = X - mean
        covs.append(Xc.T @ Xc / n)
        means.append(mean)
        ns.append(n)
    return SampleStats(list(ov), covs, means, ns, labels, parts, n_dropped)


def fill_exo(model: Model, stats: SampleStats) -> None:
    """Fix the moments of exogenous covariates (``exo == 1``) at their sample values (fixed.x)."""
    oi = {v: i for i, v in enumerate(stats.ov)}
    for row, r in enumerate(model.rows):
        if r["exo"] != 1:
            continue
        g = int(r["group"]) - 1
        lhs, op, rhs = r["lhs"], r["op"], r["rhs"]
        if op == "~~":
            val = stats.cov[g][oi[lhs], oi[rhs]]
        else:
            val = stats.mean[g][oi[lhs]]
        model.set_fixed(row, float(val))


def start_values(model: Model, stats: SampleStats) -> np.ndarray:
    """Starting values: user ``start()`` values, else fabin-like loadings from the sample
    covariances, factor variances from the indicator covariances, residual variances
    from what the factor leaves, zero regressions and covariances, sample means."""
    if getattr(model, "_K", None) is not None:       # == constraints: theta-space starts, projected
        from .constraints import start_values as _constrained_start
        return _constrained_start(model, stats)
    x = np.full(model.npar, np.nan)
    oi = {v: i for i, v in enumerate(stats.ov)}
    rows_all = [r for r in model.rows if r["op"] != ":="]
    for g in range(model.ngroups):
        _GroupStarts(model, stats.cov[g], stats.mean[g], oi, [r for r in rows_all if r["group"] == g + 1]).fill(x)
    x[~np.isfinite(x)] = 0.0
    return admissible_start(model, stats, x)


class _GroupStarts:
    """The starting values of one group, built in steps: loadings and factor variances per factor,
    the implied covariances of the latent variables, regressions from them, then one value per free row."""

    def __init__(self, model: Model, S: np.ndarray, mean: np.ndarray, oi: dict, rows_g: list):
        self.model, self.S, self.mean, self.oi, self.rows_g = model, S, mean, oi, rows_g
        self.lam, self.psi = {}, {}
        for f in model.names.lv:
            self.factor(f)
        self.latent_covariances()
        self.regressions()

    def factor(self, f: str) -> None:
        """Loadings relative to the first indicator (fabin-like ratios of covariances), scaled to the
        factor's fixed loading or fixed variance, and the factor variance they imply."""
        S, oi, rows_g = self.S, self.oi, self.rows_g
        rows = [r for r in rows_g if r["op"] == "=~" and r["lhs"] == f]
        ind = [r["rhs"] for r in rows if r["rhs"] in oi]
        if not ind:
            self.psi[f] = 0.05
            return
        rel = {ind[0]: 1.0}
        r0 = oi[ind[0]]
        for j in ind[1:]:
            ks = [k for k in ind if k not in (j, ind[0])]
            vals = [S[oi[j], oi[k]] / S[r0, oi[k]] for k in ks if abs(S[r0, oi[k]]) > 1e-8]
            if not vals and len(ind) == 2:
                vals = [1.0]
            rel[j] = float(np.mean(vals)) if vals else 1.0
        pairs = [(a, b) for i, a in enumerate(ind) for b in ind[i + 1:]]
        ests = [S[oi[a], oi[b]] / (rel[a] * rel[b]) for a, b in pairs if abs(rel[a] * rel[b]) > 1e-8]
        ps = float(np.mean(ests)) if ests else 0.5 * S[r0, r0]
        if not np.isfinite(ps) or ps <= 0:
            ps = 0.5 * S[r0, r0]
        fixed = [r for r in rows if r["free"] == 0 and r["rhs"] in rel and np.isfinite(r["ustart"])
                 and r["ustart"] != 0]
        if fixed:
            c = fixed[0]["ustart"] / rel[fixed[0]["rhs"]]
            self.lam[f] = {v: rel[v] * c for v in rel}
            self.psi[f] = ps / c ** 2
            return
        var_row = [r for r in rows_g if r["op"] == "~~" and r["lhs"] == f and r["rhs"] == f]
        if var_row and var_row[0]["free"] == 0 and np.isfinite(var_row[0]["ustart"]):
            v = max(var_row[0]["ustart"], 1e-3)
            self.lam[f] = {k: rel[k] * np.sqrt(ps / v) for k in rel}
            self.psi[f] = v
        else:
            self.lam[f] = rel
            self.psi[f] = ps

    def _indicators(self, e):
        """(column, loading) pairs that measure ``e`` (an observed variable measures itself)."""
        if e in self.lam:
            return [(self.oi[v], l) for v, l in self.lam[e].items() if abs(l) > 1e-8]
        return [(self.oi[e], 1.0)]

    def latent_covariances(self) -> None:
        """Implied covariances among latent (and phantom observed) variables from their indicators."""
        S, oi, psi = self.S, self.oi, self.psi
        eta = [e for e in self.model.eta if e in self.lam or e in oi]
        Phi = np.zeros((len(eta), len(eta)))
        for i1, e1 in enumerate(eta):
            for i2 in range(i1, len(eta)):
                e2 = eta[i2]
                if i1 == i2:
                    Phi[i1, i1] = psi[e1] if e1 in psi else S[oi[e1], oi[e1]]
                    continue
                vals = [S[a, b] / (la * lb) for a, la in self._indicators(e1) for b, lb in self._indicators(e2)
                        if a != b]
                Phi[i1, i2] = Phi[i2, i1] = float(np.mean(vals)) if vals else 0.0
        self.Phi, self.ix = Phi, {e: i for i, e in enumerate(eta)}

    def regressions(self) -> None:
        """Regression coefficients and residual variances from the implied covariances (kept only when the
        residual variance is above 5 % of the variance)."""
        Phi, ix = self.Phi, self.ix
        self.reg_start, self.resvar = {}, {}
        for y in self.model.names.eqs_y:
            preds = [r["rhs"] for r in self.rows_g if r["op"] == "~" and r["lhs"] == y and r["rhs"] in ix]
            if y not in ix or not preds:
                continue
            P = [ix[v] for v in preds]
            try:
                beta = np.linalg.solve(Phi[np.ix_(P, P)], Phi[P, ix[y]])
            except np.linalg.LinAlgError:
                continue
            rv = Phi[ix[y], ix[y]] - beta @ Phi[P, ix[y]]
            if not np.isfinite(rv) or rv <= 0.05 * Phi[ix[y], ix[y]]:
                continue
            for v, b in zip(preds, beta):
                self.reg_start[(y, v)] = b
            self.resvar[y] = rv

    def fill(self, x: np.ndarray) -> None:
        """One start per free parameter not yet set (shared labels take the first): the user's, else the step's."""
        for r in self.rows_g:
            if r["free"] == 0:
                continue
            k = r["free"] - 1
            if np.isfinite(x[k]):
                continue
            x[k] = r["start"] if np.isfinite(r["start"]) else self.value(r)

    def value(self, r: dict) -> float:
        """The start of one free row by its operator."""
        op, lhs, rhs = r["op"], r["lhs"], r["rhs"]
        lam, ix, Phi, eqs_y = self.lam, self.ix, self.Phi, set(self.model.names.eqs_y)
        if op == "=~":
            return lam.get(lhs, {}).get(rhs, 1.0)
        if op == "~":
            return self.reg_start.get((lhs, rhs), 0.0)
        if op == "~~" and lhs == rhs and lhs in self.resvar:
            return self.resvar[lhs]
        if op == "~~" and lhs != rhs and lhs in lam and rhs in lam and lhs not in eqs_y \
                and rhs not in eqs_y and lhs in ix and rhs in ix:
            c = Phi[ix[lhs], ix[rhs]]
            lim = 0.9 * np.sqrt(abs(Phi[ix[lhs], ix[lhs]] * Phi[ix[rhs], ix[rhs]]))
            return float(np.clip(c, -lim, lim))
        if op == "~~" and lhs == rhs:
            return self.variance(lhs, eqs_y)
        if op == "~1":
            return self.mean[self.oi[lhs]] if lhs in self.oi and lhs not in self.model.names.lv else 0.0
        return 0.0

    def variance(self, v: str, eqs_y: set) -> float:
        """A variance start: the factor's, else what the factors leave of an observed variance (10-90 %)."""
        if v in self.psi:
            return self.psi[v]
        if v not in self.oi:
            return 0.05
        s = self.S[self.oi[v], self.oi[v]]
        if v in self.model.phantom:
            return 0.5 * s if v in eqs_y else s
        explained = sum(self.lam[f].get(v, 0.0) ** 2 * self.psi[f] for f in self.lam)
        return min(max(s - explained, 0.1 * s), 0.9 * s) if explained > 0 else 0.5 * s


def _is_pd(M: np.ndarray) -> bool:
    """Positive definite on the rows with a non-zero diagonal (zero rows must have zero covariances)."""
    if M.size == 0:
        return True
    d = np.diagonal(M)
    on = np.abs(d) > 0
    if np.any(np.abs(M[~on]) > 0):
        return False
    if not on.any():
        return True
    Ms = M[np.ix_(on, on)]
    if np.any(np.diagonal(Ms) <= 0) or not np.all(np.isfinite(Ms)):
        return False
    s = 1.0 / np.sqrt(np.diagonal(Ms))
    try:
        np.linalg.cholesky(Ms * np.outer(s, s) - 1e-6 * np.eye(len(s)))
    except np.linalg.LinAlgError:
        return False
    return True


def _sigma_ok(model: Model, x: np.ndarray) -> bool:
    """Every group's implied Sigma is finite and positive definite at ``x``."""
    for g in range(model.ngroups):
        try:
            Sigma = model._core(x, g)[3]
            if not np.all(np.isfinite(Sigma)):
                return False
            np.linalg.cholesky(Sigma)
        except np.linalg.LinAlgError:
            return False
    return True


def _shrink_covariances(model: Model, x: np.ndarray) -> np.ndarray:
    """Shrink the free covariances of Psi and Theta towards 0 until each block is PD.

    Covariances involving a variance fixed at 0 are set to 0 (as lavaan's start check).
    """
    x = x.copy()
    for g in range(model.ngroups):
        for mat in ("psi", "theta"):
            r, c, k = model.free_idx[g][mat]
            off = r != c
            if not off.any():
                continue
            r, c, k = r[off], c[off], k[off]
            M = model.matrices(x, g)[mat]
            if _is_pd(M):
                continue
            d = np.diagonal(M)
            dead = (d[r] <= 0) | (d[c] <= 0)
            x[k[dead]] = 0.0
            orig = x[k].copy()
            for s in (0.9, 0.75, 0.5, 0.25, 0.0):
                x[k] = s * orig
                if _is_pd(model.matrices(x, g)[mat]):
                    break
    return x


def simple_start(model: Model, stats: SampleStats) -> np.ndarray:
    """lavaan-like "simple" starting values: loadings 1, latent variances 0.05, residual
    variances half the observed variance, regressions and covariances 0, sample means
    (user ``start()`` values kept)."""
    x = np.zeros(model.npar)
    seen = np.zeros(model.npar, bool)
    oi = {v: i for i, v in enumerate(stats.ov)}
    lv = set(model.names.lv)
    eqs_y = set(model.names.eqs_y)
    phantom = set(model.phantom)
    for r in model.rows:
        if r["op"] == ":=" or r["free"] == 0:
            continue
        k = int(r["free"]) - 1
        if seen[k]:
            continue
        seen[k] = True
        g = int(r["group"]) - 1
        op, lhs, rhs = r["op"], r["lhs"], r["rhs"]
        if np.isfinite(r["start"]):
            x[k] = r["start"]
        elif op == "=~":
            x[k] = 1.0
        elif op == "~~" and lhs == rhs:
            if lhs in oi and lhs not in lv:
                s = stats.cov[g][oi[lhs], oi[lhs]]
                x[k] = s if (lhs in phantom and lhs not in eqs_y) else 0.5 * s
            else:
                x[k] = 0.05
        elif op == "~1" and lhs in oi and lhs not in lv:
            x[k] = stats.mean[g][oi[lhs]]
    return x


def admissible_start(model: Model, stats: SampleStats, x: np.ndarray) -> np.ndarray:
    """Make starting values admissible (every implied Sigma positive definite).

    First shrink the free covariances in Psi/Theta that make those blocks indefinite
    (indicator-implied factor covariances can imply correlations above 1, e.g. with a
    single-indicator construct whose residual variance is fixed at 0); if Sigma is still
    not positive definite, fall back to :func:`simple_start`. Raises ModelError when the
    fixed values themselves make Sigma singular.
    """
    if _sigma_ok(model, x):
        return x
    y = _shrink_covariances(model, x)
    if _sigma_ok(model, y):
        return y
    y = _shrink_covariances(model, simple_start(model, stats))
    if _sigma_ok(model, y):
        return y
    raise ModelError(t("sem.model.bad_start"))


def _group_terms(model: Model, stats: SampleStats, x: np.ndarray, g: int, need: int):
    """F_g, and if need >= 1 its gradient, if need >= 2 the expected Hessian H_g."""
    if need == 0:
        M = model._core(x, g)
        Sigma, mu = M[3], M[4]
        dS = dmu = None
    else:
        Sigma, mu, dS, dmu = model.derivatives(x, g, local=True)   # parameters of group g only
    S = stats.cov[g]
    p = S.shape[0]
    try:
        C = np.linalg.cholesky(Sigma)
    except np.linalg.LinAlgError:
        return np.inf, None, None
    logdet = 2.0 * np.log(np.diagonal(C)).sum()
    Cinv = np.linalg.inv(C)
    Vinv = Cinv.T @ Cinv
    F = logdet + np.sum(S * Vinv) - stats.logdet[g] - p
    d = None
    if model.meanstructure:
        d = stats.mean[g] - mu
        F += d @ Vinv @ d
    if need == 0:
        return F, None, None
    Wm = S + np.outer(d, d) if d is not None else S
    W = Vinv - Vinv @ Wm @ Vinv
    k = dS.shape[0]
    dSf = dS.reshape(k, p * p)
    grad = dSf @ W.ravel()
    if d is not None:
        grad -= 2.0 * dmu @ (Vinv @ d)
    act = model.active[g]
    full = len(act) == model.npar

    def expand_g(v):
        if full:
            return v
        out = np.zeros(model.npar)
        out[act] = v
        return out

    def expand_h(h):
        if full:
            return h
        out = np.zeros((model.npar, model.npar))
        out[np.ix_(act, act)] = h
        return out
    if need == 1:
        return F, expand_g(grad), None
    # tr(V dS_k A dS_l) = vec(dS_k A) . vec((dS_l V)^T): two stacked products and one large one
    Q = (dS.reshape(k * p, p) @ Vinv).reshape(k, p, p)         # dS_k V
    QT = Q.transpose(0, 2, 1).reshape(k, p * p)                 # (dS_k V)^T = V dS_k
    if need == 3:
        # exact (observed) Hessian of F:
        # -tr(V dS_k V dS_l) + 2 tr(V dS_k V S* V dS_l) = tr(V dS_k (2 V S* V - V) dS_l), plus mean terms
        from .model import second_order_term
        Rm = 2.0 * (Vinv @ Wm @ Vinv) - Vinv
        P = dS.reshape(k * p, p) @ Rm                           # dS_k Rm
        H = P.reshape(k, p * p) @ QT.T
        H = 0.5 * (H + H.T)
        c = None
        if d is not None:
            c = Vinv @ d
            Zc = (dS.reshape(k * p, p) @ c).reshape(k, p) @ Vinv    # rows: V dS_k c
            T1 = 2.0 * Zc @ dmu.T
            H += T1 + T1.T + 2.0 * dmu @ Vinv @ dmu.T
        H = expand_h(H) + second_order_term(model, x, g, W, c)
        return F, expand_g(grad), H
    H = Q.reshape(k, p * p) @ QT.T                              # tr(V dS_k V dS_l)
    if model.meanstructure:
        H += 2.0 * dmu @ Vinv @ dmu.T
    return F, expand_g(grad), expand_h(H)


def _left(V: np.ndarray, D: np.ndarray) -> np.ndarray:
    """V @ D_k for every k of a stack D (k, p, q), as one matrix product."""
    k, p, q = D.shape
    return (V @ D.transpose(1, 0, 2).reshape(p, k * q)).reshape(V.shape[0], k, q).transpose(1, 0, 2)


def objective(model: Model, stats: SampleStats, x: np.ndarray, need: int = 0):
    """F(x) = sum_g (n_g/N) F_g; need=1 adds the gradient, need=2 the expected Hessian
    (2 x unit expected information), need=3 the exact (observed) Hessian instead."""
    w = stats.weights
    F = 0.0
    grad = np.zeros(model.npar) if need >= 1 else None
    H = np.zeros((model.npar, model.npar)) if need >= 2 else None
    if need == 3 and model.ngroups == 1:
        Fg, gg, Hg = _group_terms(model, stats, x, 0, 3)
        return Fg, gg, Hg
    for g in range(model.ngroups):
        Fg, gg, Hg = _group_terms(model, stats, x, g, need)
        if not np.isfinite(Fg):
            return np.inf, None, None
        F += w[g] * Fg
        if need >= 1:
            grad += w[g] * gg
        if need >= 2:
            H += w[g] * Hg
    return F, grad, H


@dataclass
class EstimateInfo:
    """Convergence report of :func:`estimate`."""

    converged: bool
    iterations: int
    fmin: float           # F / 2, as lavaan's fmin
    method: str
    grad_max: float


@blas_single_threaded
def estimate(model: Model, stats: SampleStats, start: np.ndarray | None = None, *, maxiter: int = 200,
             tol: float = 1e-10, return_info: bool = False):
    """Minimise the ML discrepancy; returns ``x`` (and an EstimateInfo if ``return_info``).

    A first Fisher-scoring step (expected information), then Newton steps with the exact
    analytic Hessian (Fisher scoring again wherever the Hessian is not positive definite),
    step halving when F does not decrease; if that fails to converge, L-BFGS-B with the
    analytic gradient finishes the job. ``start`` is a warm start (e.g. the full-sample
    solution for a bootstrap draw); without it, :func:`start_values`.
    """
    if getattr(model, "has_inequalities", False) and not model._active_set_copy:   # < > constraints
        from .constraints import estimate_with_inequalities
        return estimate_with_inequalities(model, stats, start=start, return_info=return_info, maxiter=maxiter,
                                          tol=tol)
    x = np.array(start if start is not None else start_values(model, stats), dtype=float)
    F, g, H = objective(model, stats, x, need=2)
    if not np.isfinite(F):
        # start not admissible: fall back to the default starting values
        x = start_values(model, stats)
        F, g, H = objective(model, stats, x, need=2)
    it = 0
    converged = False
    method = "newton"
    need = 2                      # first step: Fisher scoring (expected information)
    while np.isfinite(F) and it < maxiter:
        it += 1
        step = None
        if need == 3:
            try:
                C = np.linalg.cholesky(H)
                step = -np.linalg.solve(C.T, np.linalg.solve(C, g))
            except np.linalg.LinAlgError:
                H = objective(model, stats, x, need=2)[2]
        if step is None:
            try:
                step = np.linalg.solve(H, -g)
            except np.linalg.LinAlgError:
                step = np.linalg.lstsq(H, -g, rcond=None)[0]
        a = 1.0
        accepted = False
        Fn, gn, Hn = objective(model, stats, x + step, need=3)
        if np.isfinite(Fn) and Fn <= F + 1e-13 * abs(F):
            accepted = True
            x = x + step
            F, g, H = Fn, gn, Hn
            need = 3
        else:
            for _ in range(30):
                a *= 0.5
                xn = x + a * step
                Fn = objective(model, stats, xn, need=0)[0]
                if np.isfinite(Fn) and Fn <= F + 1e-13 * abs(F):
                    accepted = True
                    break
            if not accepted:
                converged = bool(np.max(np.abs(g)) < 1e-6)
                break
            x = xn
            need = 2
            F, g, H = objective(model, stats, x, need=need)
        gmax = np.max(np.abs(g)) if len(g) else 0.0
        if gmax < 1e-9 or (np.max(np.abs(a * step)) < 1e-12 and gmax < 1e-6):
            converged = True
            break
    if not converged:
        method = "L-BFGS-B"
        x0 = x if np.isfinite(F) else start_values(model, stats)

        def fun(z):
            f, gr, _ = objective(model, stats, z, need=1)
            if not np.isfinite(f):
                return 1e10, np.zeros_like(z)
            return f, gr
        res = optimize.minimize(fun, x0, jac=True, method="L-BFGS-B",
                                options=dict(maxiter=5000, ftol=1e-15, gtol=1e-9))
        x = res.x
        F, g, _ = objective(model, stats, x, need=1)
        if not np.isfinite(F):
            raise ModelError(t("sem.model.estimation_failed"))
        converged = bool(np.max(np.abs(g)) < 1e-4)
        it += res.nit
    if not return_info:
        return x
    gmax = float(np.max(np.abs(g))) if g is not None and len(g) else 0.0
    return x, EstimateInfo(converged, it, float(F) / 2.0, method, gmax)


@blas_single_threaded
def information(model: Model, stats: SampleStats, x: np.ndarray) -> np.ndarray:
    """Expected (unit) information  H / 2  with H the expected Hessian of F; the
    covariance matrix of the estimates is ``inv(information) / N``."""
    _, _, H = objective(model, stats, x, need=2)
    if H is None:
        raise ModelError(t("sem.model.inadmissible"))
    return H / 2.0


def _scatter(target: np.ndarray, kk: np.ndarray, vals, unique: bool) -> None:
    """target[:, kk] += vals along axis 1 (repeated kk: equality constraints)."""
    if unique:
        target[:, kk] += vals
    else:
        np.add.at(target, (slice(None), kk), vals)


def _batch_expected_hessian(model: Model, X: np.ndarray, g: int):
    """Expected Hessian H_g (R, k, k) of group g at every row of X, and a mask of rows whose
    implied Sigma is not positive definite (their H is NaN)."""
    R, k = X.shape
    p, m = model.p, model.m
    b, f, u = model.base[g], model.free_idx[g], model._uniq[g]

    def rep(a):
        return np.repeat(a[None], R, axis=0)
    L, T, P, B = rep(b["lambda_"]), rep(b["theta"]), rep(b["psi"]), rep(b["beta"])
    al = rep(b["alpha"])
    r, c, kk = f["lambda"]; L[:, r, c] = X[:, kk]
    r, c, kk = f["theta"]; T[:, r, c] = X[:, kk]; T[:, c, r] = X[:, kk]
    r, c, kk = f["psi"]; P[:, r, c] = X[:, kk]; P[:, c, r] = X[:, kk]
    r, c, kk = f["beta"]; B[:, r, c] = X[:, kk]
    r, _, kk = f["alpha"]; al[:, r] = X[:, kk]
    A = np.linalg.inv(np.eye(m) - B) if model._has_beta[g] else rep(np.eye(m))
    G = L @ A                                           # (R, p, m)
    Mc = A @ P @ A.transpose(0, 2, 1)                   # Cov(eta)
    Sigma = G @ P @ G.transpose(0, 2, 1) + T
    Hm = Mc @ L.transpose(0, 2, 1)                      # (R, m, p)
    ea = (A @ al[:, :, None])[:, :, 0]                  # E(eta)
    ms = model.meanstructure
    dS = np.zeros((R, k, p, p))
    dmu = np.zeros((R, k, p)) if ms else None
    r, c, kk = f["lambda"]
    if len(kk):
        n = np.arange(len(kk))
        D = np.zeros((R, len(kk), p, p))
        D[:, n, r, :] = Hm[:, c, :]
        _scatter(dS, kk, D + D.transpose(0, 1, 3, 2), u["lambda"])
        if ms:
            Dm = np.zeros((R, len(kk), p))
            Dm[:, n, r] = ea[:, c]
            _scatter(dmu, kk, Dm, u["lambda"])
    r, c, kk = f["beta"]
    if len(kk):
        Gr = G[:, :, r].transpose(0, 2, 1)              # (R, n, p)
        D = Gr[..., :, None] * Hm[:, c, :][..., None, :]
        _scatter(dS, kk, D + D.transpose(0, 1, 3, 2), u["beta"])
        if ms:
            _scatter(dmu, kk, Gr * ea[:, c][..., None], u["beta"])
    r, c, kk = f["psi"]
    if len(kk):
        D = G[:, :, r].transpose(0, 2, 1)[..., :, None] * G[:, :, c].transpose(0, 2, 1)[..., None, :]
        off = r != c
        D[:, off] = D[:, off] + D[:, off].transpose(0, 1, 3, 2)
        _scatter(dS, kk, D, u["psi"])
    r, c, kk = f["theta"]
    if len(kk):
        D0 = np.zeros((len(kk), p, p))
        n = np.arange(len(kk))
        D0[n, r, c] = 1.0
        D0[n, c, r] = 1.0
        _scatter(dS, kk, D0[None], u["theta"])
    if ms:
        r, _, kk = f["nu"]
        if len(kk):
            D0 = np.zeros((len(kk), p))
            D0[np.arange(len(kk)), r] = 1.0
            _scatter(dmu, kk, D0[None], u["nu"])
        r, _, kk = f["alpha"]
        if len(kk):
            _scatter(dmu, kk, G[:, :, r].transpose(0, 2, 1), u["alpha"])
    bad = ~np.all(np.isfinite(Sigma), axis=(1, 2))
    Sigma[bad] = np.eye(p)
    try:
        np.linalg.cholesky(Sigma)
    except np.linalg.LinAlgError:
        for i in np.flatnonzero(~bad):
            try:
                np.linalg.cholesky(Sigma[i])
            except np.linalg.LinAlgError:
                bad[i] = True
                Sigma[i] = np.eye(p)
    V = np.linalg.inv(Sigma)
    Q = (dS.reshape(R, k * p, p) @ V).reshape(R, k, p, p)          # dS_k V
    QT = Q.transpose(0, 1, 3, 2).reshape(R, k, p * p)              # V dS_k
    H = Q.reshape(R, k, p * p) @ QT.transpose(0, 2, 1)             # tr(V dS_k V dS_l)
    if ms:
        H += 2.0 * dmu @ V @ dmu.transpose(0, 2, 1)
    H[bad] = np.nan
    return H, bad


_BATCH_MAX = 20_000      # k p^2 above which information_batch loops over rows (measured crossover)


def _expected_hessian(model: Model, x: np.ndarray, g: int) -> np.ndarray:
    """Expected Hessian H_g at one x from the implied moments only (NaN if Sigma is not PD)."""
    Sigma, _, dS, dmu = model.derivatives(x, g)
    try:
        np.linalg.cholesky(Sigma)
    except np.linalg.LinAlgError:
        return np.full((model.npar, model.npar), np.nan)
    V = np.linalg.inv(Sigma)
    k, p = dS.shape[0], model.p
    Q = (dS.reshape(k * p, p) @ V).reshape(k, p, p)
    H = Q.reshape(k, p * p) @ Q.transpose(0, 2, 1).reshape(k, p * p).T
    if model.meanstructure:
        H += 2.0 * dmu @ V @ dmu.T
    return H


@blas_single_threaded
def information_batch(model: Model, X: np.ndarray, weights=None, *, chunk_elements: int = 500_000) -> np.ndarray:
    """Unit expected information at many parameter vectors at once (rows of ``X``, shape (R, k)).

    The expected information of complete-data ML depends on the parameters only, not on
    the sample moments: ``I(x) = 1/2 sum_g w_g H_g(x)`` with
    ``H_g,kl = tr(Sigma^-1 dSigma_k Sigma^-1 dSigma_l) + 2 dmu_k' Sigma^-1 dmu_l`` and
    ``w_g = n_g / N`` (``weights``; default equal weights summing to 1, exact for one group).
    Identical to :func:`information` row by row, without the sample statistics, F or the
    gradient, and in batched numpy (no Python loop over rows, for models with
    ``npar * p^2 <= 20000``; larger models loop over rows): the fast path for Monte Carlo
    power, where ``vcov_i = inv(I(X[i])) / n``. Rows whose implied Sigma is not positive
    definite come back as NaN. Returns an array (R, k, k).
    """
    X = np.atleast_2d(np.asarray(X, dtype=float))
    R, k = X.shape
    ng = model.ngroups
    w = np.full(ng, 1.0 / ng) if weights is None else np.asarray(weights, dtype=float)
    out = np.zeros((R, k, k))
    if k * model.p * model.p > _BATCH_MAX or getattr(model, "_K", None) is not None:
        # large models: the dense batched derivatives cost more memory traffic than they save
        for i in range(R):
            for g in range(ng):
                out[i] += w[g] * _expected_hessian(model, X[i], g)
        return out / 2.0
    per = max(1, int(chunk_elements // max(1, k * model.p * model.p)))
    for a in range(0, R, per):
        bnd = min(a + per, R)
        for g in range(ng):
            Hg, _ = _batch_expected_hessian(model, X[a:bnd], g)
            out[a:bnd] += w[g] * Hg
    return out / 2.0
