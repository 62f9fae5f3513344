"""Monte Carlo power of every free parameter and every ``:=`` effect of a model.

1. The population model (lavaan syntax with numbers, e.g. ``f =~ 0.7*y1 + 0.7*y2 + 0.6*y3``)
   is read as lavaan's ``simulateData(standardized = TRUE)``: the numbers are standardised
   loadings, regressions and correlations; unspecified values are 0; (residual) variances
   are set so that every observed and latent variable has variance 1.
2. For each n, ``reps`` samples are drawn from N(0, Σ_pop); the analysis model (the
   population model without its numbers, unless given) is fitted by ML to each — all
   replications at once with the batched estimator of :mod:`cem_edu.sem.batch` —
   with expected-information SEs (delta method for ``:=``).
3. Per parameter: power = share of converged replications with Wald p < α; mean estimate,
   bias = mean − population value, coverage of the (1 − α) Wald interval, convergence rate.

Reference: Muthén & Muthén (2002) SEM 9(4), "How to use a Monte Carlo study to decide on
sample size and determine power"; lavaan ``simulateData``.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..errors import ModelError
from ..i18n import t

__all__ = ["power", "population_moments", "strip_values"]

_NUM_MOD = re.compile(r"(?<![\w.])[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*\*\s*")


def strip_values(model: str) -> str:
    """The analysis model: the population syntax with its numeric modifiers (``0.7*``) removed."""
    return "\n".join(_NUM_MOD.sub("", line) for line in model.splitlines())


def population_moments(model: str) -> tuple[list[str], np.ndarray]:
    """Observed-variable names and the population covariance matrix of a population model,
    standardised as lavaan's ``simulateData(standardized = TRUE)``."""
    from .model import Model
    from .partable import build_partable
    from .syntax import parse_syntax

    st, de = parse_syntax(model)
    pt, names = build_partable(st, de, std_lv=True, fixed_x=False)
    pt = pt.copy()
    user_fixed = pt["free"].to_numpy() == 0
    # every parameter becomes a fixed value: the user's number, else 0 (1 for variances, set below)
    vals = np.where(user_fixed, pt["ustart"].to_numpy(dtype=float), np.nan)
    is_var = ((pt["op"] == "~~") & (pt["lhs"] == pt["rhs"])).to_numpy()
    vals = np.where(np.isnan(vals), np.where(is_var, 1.0, 0.0), vals)
    pt["ustart"] = vals
    pt["free"] = 0
    mod = Model(pt, names, meanstructure=False)
    x = np.zeros(0)
    eta = list(mod.eta)
    ov = list(mod.ov)
    var_rows = {}
    for i, r in enumerate(pt.itertuples()):
        if r.op == "~~" and r.lhs == r.rhs:
            var_rows[r.lhs] = i
    for _ in range(200):
        M = mod.matrices(x, 0)
        A = np.linalg.inv(np.eye(mod.m) - M["beta"]) if mod.m else np.zeros((0, 0))
        C = A @ M["psi"] @ A.T
        Sigma = M["lambda"] @ C @ M["lambda"].T + M["theta"]
        change = 0.0
        for j, v in enumerate(eta):
            if v in var_rows and v not in ov:
                new = M["psi"][j, j] + 1.0 - C[j, j]
                change = max(change, abs(new - M["psi"][j, j]))
                mod.set_fixed(var_rows[v], new)
        for i, v in enumerate(ov):
            if v in var_rows:
                row = var_rows[v]
                if v in eta:   # observed variable in a regression (phantom): residual variance in psi
                    j = eta.index(v)
                    new = M["psi"][j, j] + 1.0 - C[j, j]
                    cur = M["psi"][j, j]
                else:
                    new = M["theta"][i, i] + 1.0 - Sigma[i, i]
                    cur = M["theta"][i, i]
                change = max(change, abs(new - cur))
                mod.set_fixed(row, new)
        if change < 1e-13:
            break
    M = mod.matrices(x, 0)
    A = np.linalg.inv(np.eye(mod.m) - M["beta"]) if mod.m else np.zeros((0, 0))
    Sigma = M["lambda"] @ A @ M["psi"] @ A.T @ M["lambda"].T + M["theta"]
    if np.any(np.diag(Sigma) <= 0) or np.linalg.eigvalsh(Sigma)[0] <= 0:
        raise ModelError(t("power.bad_population"))
    return ov, (Sigma + Sigma.T) / 2


def power(population_model: str, n, reps: int = 500, alpha: float = 0.05, analysis_model: str | None = None,
          seed=None, standardized: bool = True, progress: bool = True, n_jobs: int = 1,
          backend: str | None = None) -> pd.DataFrame:
    """Monte Carlo power per parameter (see the module docstring).

    Parameters
    ----------
    population_model : lavaan syntax with the population values (standardised, as lavaan's
        ``simulateData(standardized=TRUE)``).
    n : sample size or list of sample sizes.
    reps : replications per sample size; alpha : test level.
    analysis_model : model fitted to each sample (default: the population model without numbers).
    seed : reproducible draws; progress : tqdm bar; n_jobs/backend : joblib parallelism over n.

    Returns
    -------
    DataFrame with columns n, lhs, op, rhs, label, pop_value, power, mean_est, bias, coverage,
    convergence (one row per free parameter and ``:=`` effect and sample size).

    Example
    -------
    >>> power("f =~ .7*y1 + .7*y2 + .7*y3\\ng =~ .7*y4 + .7*y5 + .7*y6\\ng ~ .3*f",
    ...       n=[100, 200], reps=200, seed=1)   # doctest: +SKIP
    """
    if not standardized:
        raise ModelError(t("power.only_standardized"))
    ns = [int(v) for v in np.atleast_1d(n)]
    ov, Sigma = population_moments(population_model)
    analysis = analysis_model if analysis_model is not None else strip_values(population_model)
    rng = np.random.default_rng(seed)
    seeds = rng.integers(0, 2 ** 63 - 1, size=len(ns))
    from tqdm.auto import tqdm

    if n_jobs == 1 and backend is None:
        parts = []
        for nn, s in tqdm(list(zip(ns, seeds)), desc=t("progress.power"), disable=not progress, leave=False):
            parts.append(_power_one_n(analysis, ov, Sigma, nn, reps, alpha, int(s)))
    else:
        from joblib import Parallel, delayed, parallel_config

        with parallel_config(backend=backend or "loky", n_jobs=n_jobs):
            parts = list(Parallel()(delayed(_power_one_n)(analysis, ov, Sigma, nn, reps, alpha, int(s))
                                    for nn, s in zip(ns, seeds)))
    return pd.concat(parts, ignore_index=True)


def _power_one_n(analysis: str, ov, Sigma, n: int, reps: int, alpha: float, seed: int) -> pd.DataFrame:
    from scipy import special

    from . import prepare
    from .batch import BatchML
    from .defined import DefinedParameters
    from .ml import estimate, information_batch, objective, stats_from_moments

    p = len(ov)
    # population "data": the analysis model at the population moments gives the population values
    pop = pd.DataFrame(np.random.default_rng(0).normal(size=(max(4 * p, 50), p)), columns=ov)
    mod, _, _ = prepare(analysis, pop)
    if mod.has_inequalities:
        raise ModelError(t("sem.constraint.no_inequality", what="power"))
    oi = [ov.index(v) for v in mod.ov]
    S_pop = Sigma[np.ix_(oi, oi)]
    st_pop = stats_from_moments(mod.ov, [S_pop], [np.zeros(len(oi))], [n])
    x_pop = estimate(mod, st_pop)
    H0 = objective(mod, st_pop, x_pop, need=2)[2]
    rng = np.random.default_rng(seed)
    L = np.linalg.cholesky(S_pop)
    X = np.full((reps, mod.npar), np.nan)
    ok = np.zeros(reps, bool)
    covs = np.empty((reps, len(oi), len(oi)))
    means = np.empty((reps, len(oi)))
    chunk = max(1, int(2e6 // (n * len(oi))))
    for a in range(0, reps, chunk):
        b = min(a + chunk, reps)
        Y = rng.standard_normal((b - a, n, len(oi))) @ L.T
        m = Y.mean(axis=1)
        D = Y - m[:, None, :]
        covs[a:b] = np.einsum("rni,rnj->rij", D, D) / n
        means[a:b] = m
    bm = BatchML(mod)
    X, ok = bm.fit(x_pop, H0, [covs], [means], np.array([1.0]), maxiter=500)
    defined = DefinedParameters(mod.partable)
    nd = len(defined)
    k = mod.ntheta                      # the partable's free parameters (x differs under == constraints)
    SE = np.full((reps, k + nd), np.nan)
    EST = np.full((reps, k + nd), np.nan)
    idx = np.flatnonzero(ok)
    # unit expected information at every converged replication at once (depends on x only)
    INFO = information_batch(mod, X[idx], [1.0]) if len(idx) else np.zeros((0, mod.npar, mod.npar))
    finite = np.all(np.isfinite(INFO), axis=(1, 2))
    ok[idx[~finite]] = False
    idx, INFO = idx[finite], INFO[finite]
    try:
        VS = np.linalg.inv(INFO) / n
    except np.linalg.LinAlgError:       # some replication singular: invert row by row
        VS = np.full_like(INFO, np.nan)
        for j in range(len(idx)):
            try:
                VS[j] = np.linalg.inv(INFO[j]) / n
            except np.linalg.LinAlgError:
                ok[idx[j]] = False
    for j, i in enumerate(idx):
        if not ok[i]:
            continue
        V, th = mod.theta_vcov(VS[j]), mod.theta(X[i])
        EST[i, :k] = th
        SE[i, :k] = np.sqrt(np.clip(np.diag(V), 0, None))
        if nd:
            EST[i, k:] = defined.values(th)
            SE[i, k:] = np.sqrt(np.clip(np.diag(defined.vcov(th, V)), 0, None))
    th_pop = mod.theta(x_pop)
    truth = np.r_[th_pop, defined.values(th_pop) if nd else np.zeros(0)]
    E, S = EST[ok], SE[ok]
    z = E / np.where(S > 0, S, np.nan)
    pval = 2 * special.ndtr(-np.abs(z))
    crit = special.ndtri(1 - alpha / 2)
    cover = np.abs(E - truth) <= crit * S
    pt = mod.partable
    rows = []
    free = pt[(pt["free"] > 0) & (pt["op"] != ":=")].drop_duplicates("free").sort_values("free")
    names = [(r.lhs, r.op, r.rhs, r.label if isinstance(r.label, str) else "") for r in free.itertuples()]
    names += [(nm, ":=", ex, nm) for nm, ex in zip(defined.names, defined.exprs)]
    nok = int(ok.sum())
    for j, (lhs, op, rhs, lab) in enumerate(names):
        rows.append(dict(n=n, lhs=lhs, op=op, rhs=rhs, label=lab, pop_value=float(truth[j]),
                         power=float(np.mean(pval[:, j] < alpha)) if nok else np.nan,
                         mean_est=float(np.mean(E[:, j])) if nok else np.nan,
                         bias=float(np.mean(E[:, j]) - truth[j]) if nok else np.nan,
                         coverage=float(np.mean(cover[:, j])) if nok else np.nan,
                         convergence=nok / reps))
    return pd.DataFrame(rows)
