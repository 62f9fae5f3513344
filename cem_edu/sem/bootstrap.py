"""Nonparametric bootstrap of every free parameter and every ``:=`` effect.

Each draw resamples rows with replacement within each group, recomputes the sample
moments with numpy and refits the model with a warm start from the full-sample
solution (``ml.estimate``; no pandas in the loop). The row indices are drawn up front
from one seeded generator, so the draws are the same for any ``n_jobs`` or backend.
Draws whose estimation fails are dropped (as lavaan does) and counted.

Under ``missing="fiml"`` (case resampling of the incomplete rows, as lavaan's
``se = "bootstrap"`` with ``missing = "ml"``) each draw regroups its rows into missing-data
patterns and refits the casewise likelihood from the full-sample estimates (warm start): all
draws of a chunk at once by batched BFGS started at the full-sample observed information
(:class:`cem_edu.sem.batch.BatchFIML`; max |gradient of -ℓ/N| < 1e-6), then one by one
(BFGS, then the full FIML optimiser :func:`cem_edu.sem.fiml.fit_casewise`) for fixed-x models
and the draws the batch does not finish.
Fixed exogenous covariates take each draw's own sample moments (as a refit in lavaan).

Intervals (level 1 - α):

* percentile: the α/2 and 1 - α/2 quantiles of the draws, interpolated on the normal
  scale as ``boot:::norm.inter`` (what lavaan's ``boot.ci.type = "perc"`` uses);
* BCa (Efron 1987): quantiles at ``Φ(z0 + (z0 + z_α)/(1 - a (z0 + z_α)))`` with bias
  ``z0 = Φ⁻¹(#{θ* < θ̂}/R)`` and acceleration ``a = Σ L³ / (6 (Σ L²)^1.5)`` from the
  empirical influence values L, estimated by regressing the draws on the resampling
  frequencies (lavaan's ``boot.ci.type = "bca"``). ``a = 0`` gives lavaan's "bca.simple".

SE = standard deviation of the draws (divisor R, as lavaan).

References: Efron & Tibshirani (1993) An Introduction to the Bootstrap, ch. 14;
Davison & Hinkley (1997) Bootstrap Methods and their Application, §5.3;
lavaan ``parameterEstimates``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special as _sp

from ..results import Result
from .batch import BatchML

__all__ = ["BootstrapResult", "bootstrap", "bootstrap_draws", "intervals", "norm_inter", "ci_percentile", "ci_bca",
           "acceleration", "BatchML"]


@dataclass(frozen=True, eq=False)
class BootstrapResult(Result):
    """Bootstrap draws of the free parameters (``draws``, R_ok x npar) and of the defined
    parameters (``defined``, R_ok x ndef or None); ``freq`` the resampling counts
    (R_ok x N, rows of all groups side by side); ``n_failed`` draws dropped."""

    draws: np.ndarray
    defined: np.ndarray | None
    freq: np.ndarray
    n_failed: int
    R: int
    seed: int | None

    @property
    def se(self) -> np.ndarray:
        return self.draws.std(axis=0, ddof=0)


def norm_inter(t: np.ndarray, alpha) -> np.ndarray:
    """Quantiles of the draws ``t`` at probabilities ``alpha`` with interpolation on the normal
    scale between order statistics k and k+1, k = floor((R+1) α) (Davison & Hinkley 1997, eq.
    5.8; R's ``boot:::norm.inter``)."""
    t = np.sort(np.asarray(t, float)[np.isfinite(t)])
    R = len(t)
    alpha = np.atleast_1d(np.asarray(alpha, float))
    rk = (R + 1) * alpha
    k = np.trunc(rk).astype(int)
    out = np.empty(len(alpha))
    for i, (a, r, kk) in enumerate(zip(alpha, rk, k)):
        if kk == r and 0 < kk <= R:
            out[i] = t[kk - 1]
        elif kk <= 0:
            out[i] = t[0]
        elif kk >= R:
            out[i] = t[R - 1]
        else:
            z, z1, z2 = _sp.ndtri(a), _sp.ndtri(kk / (R + 1)), _sp.ndtri((kk + 1) / (R + 1))
            out[i] = t[kk - 1] + (z - z1) / (z2 - z1) * (t[kk] - t[kk - 1])
    return out


def ci_percentile(t, level: float = 0.95) -> tuple[float, float]:
    """Percentile interval (lavaan ``boot.ci.type = "perc"``)."""
    lo, up = norm_inter(t, [(1 - level) / 2, (1 + level) / 2])
    return float(lo), float(up)


def ci_bca(t, est: float, level: float = 0.95, a: float = 0.0) -> tuple[float, float]:
    """BCa interval with bias ``z0`` from the share of draws below ``est`` and acceleration ``a``
    (``a = 0``: bias-corrected only, lavaan's "bca.simple")."""
    t = np.asarray(t, float)
    t = t[np.isfinite(t)]
    if len(t) < 2 or np.var(t) == 0:
        return float(est), float(est)
    z = _sp.ndtri([(1 - level) / 2, (1 + level) / 2])
    w = _sp.ndtri(np.sum(t < est) / len(t))
    adj = _sp.ndtr(w + (w + z) / (1 - a * (w + z)))
    lo, up = norm_inter(t, adj)
    return float(lo), float(up)


def acceleration(values: np.ndarray, freq: np.ndarray, first_idx) -> np.ndarray:
    """Acceleration per column of ``values`` (R x k) from the regression of the draws on the
    resampling frequencies (R x N), dropping each group's first row as lavaan does:
    L = (0, β), a = Σ (L - L̄)³ / (6 (Σ (L - L̄)²)^1.5)."""
    keep = np.setdiff1d(np.arange(freq.shape[1]), np.asarray(first_idx))
    X = np.column_stack([np.ones(len(freq)), freq[:, keep]])
    beta = np.linalg.lstsq(X, values, rcond=None)[0][1:]
    L = np.vstack([np.zeros((1, values.shape[1])), beta])
    L = L - L.mean(axis=0)
    return (L ** 3).sum(axis=0) / (6 * ((L ** 2).sum(axis=0)) ** 1.5)


def _moments(X, idx):
    Xb = X[idx]                                  # (r, n, p)
    m = Xb.mean(axis=1)
    D = Xb - m[:, None, :]
    C = np.matmul(D.transpose(0, 2, 1), D) / X.shape[0]
    return m, C


def _run_chunk(model, ov, data, idx_groups, x_hat, H0, tol):
    """Refit a chunk of draws; idx_groups[g] is (r, n_g) row indices of group g. Returns
    (draws (r, k), converged mask)."""
    from .ml import estimate, fill_exo, stats_from_moments

    r = idx_groups[0].shape[0]
    mom = [_moments(X, idx) for X, idx in zip(data, idx_groups)]
    ns = np.array([X.shape[0] for X in data], float)
    exo = bool(len(model.names.ov_x))
    out = np.full((r, len(x_hat)), np.nan)
    ok = np.zeros(r, bool)
    if not exo:
        bm = BatchML(model)
        out, ok = bm.fit(x_hat, H0, [c for _, c in mom], [m for m, _ in mom], ns / ns.sum(), tol=tol)
    import copy

    con = getattr(model, "constraints", None)
    active0 = con.active if con is not None else ()
    if ok.any() and getattr(model, "has_inequalities", False):
        # the batch ignores < > constraints: draws outside a bound are refitted with the active set
        with np.errstate(invalid="ignore"):
            ok &= ~np.any(model.theta(out) @ con.A_in.T - con.b_in < -1e-7, axis=1)
    for i in np.flatnonzero(~ok):   # one by one: fixed-x models and draws the batch did not finish
        st = stats_from_moments(ov, [c[i] for _, c in mom], [m[i] for m, _ in mom], ns)
        try:
            mod = model
            if exo:
                mod = copy.deepcopy(model)
                fill_exo(mod, st)
            x, info = estimate(mod, st, start=x_hat, return_info=True)
        except Exception:  # a degenerate draw (e.g. a constant column)
            continue
        if info.converged and np.all(np.isfinite(x)):
            out[i] = x
            ok[i] = True
    if con is not None:
        con.active = active0         # the refits above set the active set of their own draw
    return out, ok


def _newton_fit(obj, x0, H0, tol=1e-6, maxiter=60):
    """Minimise -ℓ/N of a draw from the full-sample estimates x0 by BFGS with gradients only, the
    inverse-Hessian approximation started at H₀⁻¹ (H₀ the full-sample observed information, close
    to the draw's at x0), Armijo step halving; returns (x, converged). The Hessian of a draw is
    never formed (it costs O(p⁴) per pattern block)."""
    from .fiml import armijo_halving

    x = np.asarray(x0, float)
    f, g = obj.value_grad(x)
    if not np.isfinite(f):
        return x, False
    Hi = np.linalg.inv(H0)
    for it in range(maxiter):
        if np.max(np.abs(g)) < tol:
            return x, True
        d = -(Hi @ g)
        slope = float(g @ d)
        if slope >= 0:
            Hi = np.linalg.inv(H0)
            d = -(Hi @ g)
            slope = float(g @ d)
        found = armijo_halving(obj.value_grad, x, f, d, slope, 30)
        if found is None:
            return x, False
        t, fn, gn = found
        sv = t * d
        yv = gn - g
        sy = float(sv @ yv)
        if sy > 1e-16:
            Hy = Hi @ yv
            rho = 1.0 / sy
            Hi = Hi + (rho * rho * float(yv @ Hy) + rho) * np.outer(sv, sv) - rho * (np.outer(Hy, sv) + np.outer(sv, Hy))
        x, f, g = x + sv, fn, gn
    return x, bool(np.max(np.abs(g)) < tol)


def _run_chunk_fiml(model, ov, data, idx_groups, x_hat, H0, tol):
    """FIML refits of a chunk of draws (data[g]: the used rows of group g, NaN = missing)."""
    import copy

    from .fiml import fit_casewise
    from .missing import CasewiseObjective, missing_patterns
    from .ml import fill_exo, stats_from_moments

    r = idx_groups[0].shape[0]
    out = np.full((r, len(x_hat)), np.nan)
    ok = np.zeros(r, bool)
    xi = [list(ov).index(v) for v in model.names.ov_x]
    if not xi:   # all draws of the chunk at once (fixed-x models refit one by one below)
        from .batch import BatchFIML, pattern_moments

        ns = np.array([X.shape[0] for X in data], float)
        blocks, Ns = [], []
        for X, ix in zip(data, idx_groups):
            freq = np.apply_along_axis(np.bincount, 1, ix, minlength=X.shape[0])
            b, n = pattern_moments(X, freq)
            blocks.append(b)
            Ns.append(n)
        with np.errstate(all="ignore"):
            out, ok = BatchFIML(model).fit(x_hat, 2.0 * H0, blocks, Ns, ns / ns.sum(), tol=2.0 * tol)
        out[~ok] = np.nan
    for i in np.flatnonzero(~ok):
        Ys = [X[ix[i]] for X, ix in zip(data, idx_groups)]
        try:
            mod = model
            if xi:
                mod = copy.deepcopy(model)
                covs, means = [], []
                for Y in Ys:
                    C = np.zeros((len(ov), len(ov)))
                    m = np.zeros(len(ov))
                    X = Y[:, xi]
                    C[np.ix_(xi, xi)] = np.cov(X.T, bias=True).reshape(len(xi), len(xi))
                    m[xi] = X.mean(axis=0)
                    covs.append(C)
                    means.append(m)
                fill_exo(mod, stats_from_moments(ov, covs, means, [len(Y) for Y in Ys], logdet=[0.0] * len(Ys)))
            obj = CasewiseObjective(mod, [missing_patterns(Y) for Y in Ys])
            x, conv = _newton_fit(obj, x_hat, H0, tol)
            if not conv:
                x, conv, _ = fit_casewise(obj, x_hat)
        except (np.linalg.LinAlgError, ValueError, FloatingPointError):
            continue
        if conv and np.all(np.isfinite(x)):
            out[i] = x
            ok[i] = True
    return out, ok


def bootstrap_draws(model, data: list[np.ndarray], ov, x_hat: np.ndarray, R: int = 1000, *, seed=None,
              defined_fn=None, progress: bool = True, n_jobs: int = 1, backend: str | None = None,
              chunk_size: int = 250, tol: float = 1e-9, H0: np.ndarray | None = None,
              fiml: bool = False) -> BootstrapResult:
    """Bootstrap the free parameters of ``model`` fitted to ``data`` (list of complete (n_g, p)
    arrays in the model's variable order ``ov``) at the estimates ``x_hat``.

    ``fiml=True``: ``data`` are the incomplete rows (NaN = missing) and each draw is refitted by
    FIML; ``H0`` is then the full-sample observed information per case (required).

    Parameters
    ----------
    R : number of draws; seed : int or None (reproducible draws);
    defined_fn : callable x -> array of the ``:=`` parameters (or None);
    n_jobs, backend : joblib parallelism (``backend="dask"`` runs on a dask.distributed
        cluster registered with ``joblib.parallel_config``); progress : tqdm bar.
    """
    rng = np.random.default_rng(seed)
    ns = [X.shape[0] for X in data]
    if fiml:
        if H0 is None:
            raise ValueError("fiml=True needs H0, the observed information per case")
        worker, arg = _run_chunk_fiml, H0
        tol = max(tol, 1e-6)
    else:
        worker, arg = _run_chunk, H0
    if H0 is None:
        from .ml import objective, stats_from_moments

        mom = [_moments(X, np.arange(X.shape[0])[None]) for X in data]
        st = stats_from_moments(ov, [c[0] for _, c in mom], [m[0] for m, _ in mom], ns)
        H0 = arg = objective(model, st, x_hat, need=2)[2]
    idx = [rng.integers(0, n, size=(R, n)) for n in ns]
    starts = list(range(0, R, chunk_size))
    jobs = [(s, min(s + chunk_size, R)) for s in starts]
    from tqdm.auto import tqdm

    from ..i18n import t

    bar = tqdm(total=R, desc=t("progress.bootstrap"), disable=not progress, leave=False)
    results = [None] * len(jobs)
    if n_jobs == 1 and backend is None:
        for j, (a, b) in enumerate(jobs):
            results[j] = worker(model, ov, data, [ix[a:b] for ix in idx], x_hat, arg, tol)
            bar.update(b - a)
    else:
        from joblib import Parallel, delayed, parallel_config

        with parallel_config(backend=backend or "loky", n_jobs=n_jobs):
            gen = Parallel(return_as="generator")(
                delayed(worker)(model, ov, data, [ix[a:b] for ix in idx], x_hat, arg, tol) for a, b in jobs)
            for j, out in enumerate(gen):
                results[j] = out
                bar.update(jobs[j][1] - jobs[j][0])
    bar.close()
    draws = np.vstack([r[0] for r in results])
    ok = np.concatenate([r[1] for r in results])
    freq = np.hstack([np.apply_along_axis(np.bincount, 1, ix, minlength=n) for ix, n in zip(idx, ns)])
    draws, freq = draws[ok], freq[ok]
    if hasattr(model, "theta"):
        draws = model.theta(draws)          # the partable's free parameters (differ under == constraints)
    defined = None
    if defined_fn is not None:
        defined = np.array([np.atleast_1d(defined_fn(x)) for x in draws]) if len(draws) else None
    return BootstrapResult(draws=draws, defined=defined, freq=freq, n_failed=int((~ok).sum()), R=R, seed=seed)


def bootstrap(res, R: int = 1000, *, ci: str = "percentile", seed=None, progress: bool = True,
              level: float = 0.95, n_jobs: int = 1, backend: str | None = None):
    """``fit(..., bootstrap=R)``: bootstrap SEs and percentile/BCa intervals for every free and
    every ``:=`` parameter of a fitted FitResult (listwise or FIML, ML or MLR; under FIML every
    draw is refitted by FIML). ``extras["bootstrap"]["boot_ci_type"]`` is lavaan's name of the
    interval ("perc", "bca.simple", "bca").

    est stays the full-sample estimate; se = SD of the draws, z and p-value from it (as lavaan's
    ``se = "bootstrap"``); ci_lower/ci_upper from the draws (``ci="percentile"`` or ``"bca"``).
    ``n_jobs``/``backend`` select joblib parallelism (e.g. ``backend="dask"``).
    """
    import warnings
    from dataclasses import replace

    from scipy import special

    from ..errors import EstimationWarning, ModelError
    from ..i18n import t

    ci = str(ci).lower()
    if ci not in ("percentile", "perc", "bca", "bca.simple"):
        raise ModelError(t("sem.boot.bad_ci", ci=ci))
    ci = "percentile" if ci == "perc" else ci
    fd = getattr(res.stats, "fiml", None)
    if res.stats.data is None and fd is None:
        raise ModelError(t("sem.fiml.no_bootstrap"))
    model, x = res.model, res.x
    defined = res.defined if len(res.defined) else None
    data = fd.Y if fd is not None else res.stats.data
    H0 = None
    if fd is not None:
        H0 = res.information if res.information is not None else None
        if H0 is None:
            from .missing import CasewiseObjective

            H0 = CasewiseObjective(model, fd.patterns).hessian(x)
    b = bootstrap_draws(model, data, res.stats.ov, x, int(R), seed=seed,
                        defined_fn=defined.values if defined else None, progress=progress,
                        n_jobs=n_jobs, backend=backend, H0=H0, fiml=fd is not None)
    if b.n_failed:
        warnings.warn(t("sem.boot.failed", n=b.n_failed, R=b.R), EstimationWarning, stacklevel=3)
    if len(b.draws) < 2:
        raise ModelError(t("sem.boot.too_few", n=len(b.draws), R=b.R))
    first = np.cumsum([0] + [X.shape[0] for X in data[:-1]])
    if ci == "bca" and len(b.draws) < b.freq.shape[1]:
        warnings.warn(t("sem.boot.bca_small", R=len(b.draws), n=b.freq.shape[1]), EstimationWarning, stacklevel=3)
    est = res.estimates.copy()
    pt = model.partable
    main = (pt["op"] != ":=").to_numpy()
    fr = pt["free"].to_numpy()[main]
    x = model.theta(x) if hasattr(model, "theta") else x     # draws are of theta (see bootstrap_draws)
    ivs = intervals(b.draws, x, level, ci, b.freq, first)
    se = b.draws.std(axis=0, ddof=0)
    n_main = int(main.sum())
    free_rows = np.flatnonzero(fr > 0)
    k = fr[free_rows] - 1
    cols = [est.columns.get_loc(c) for c in ("se", "ci_lower", "ci_upper")]
    est.iloc[free_rows, cols[0]] = se[k]
    est.iloc[free_rows, cols[1]] = ivs[k, 0]
    est.iloc[free_rows, cols[2]] = ivs[k, 1]
    if defined is not None and b.defined is not None:
        dv = defined.values(x)
        dse = b.defined.std(axis=0, ddof=0)
        div = intervals(b.defined, dv, level, ci, b.freq, first)
        rows = np.arange(n_main, n_main + len(dv))
        est.iloc[rows, cols[0]] = dse
        est.iloc[rows, cols[1]] = div[:, 0]
        est.iloc[rows, cols[2]] = div[:, 1]
    se_all = est["se"].to_numpy(dtype=float)
    z = np.where(se_all > 0, est["est"].to_numpy(dtype=float) / np.where(se_all > 0, se_all, 1.0), np.nan)
    est["z"] = z
    est["pvalue"] = 2 * special.ndtr(-np.abs(z))
    boot_info = {"R": b.R, "n_ok": int(len(b.draws)), "n_failed": b.n_failed, "ci": ci, "seed": seed,
                 "boot_ci_type": {"percentile": "perc"}.get(ci, ci),      # lavaan's name of the method
                 "missing": res.missing, "result": b}
    return replace(res, estimates=est, se_type="bootstrap", extras={**res.extras, "bootstrap": boot_info})


def intervals(values: np.ndarray, est: np.ndarray, level: float = 0.95, ci: str = "percentile",
              freq: np.ndarray | None = None, first_idx=(0,)) -> np.ndarray:
    """(k, 2) array of intervals for each column of ``values`` (draws x k) given estimates."""
    out = np.empty((values.shape[1], 2))
    if ci == "bca":
        a = acceleration(values, freq, first_idx) if freq is not None and len(values) >= freq.shape[1] \
            else np.zeros(values.shape[1])
    for j in range(values.shape[1]):
        if ci == "percentile":
            out[j] = ci_percentile(values[:, j], level)
        elif ci in ("bca", "bca.simple", "bc"):
            out[j] = ci_bca(values[:, j], est[j], level, a=a[j] if ci == "bca" else 0.0)
        else:
            raise ValueError(ci)
    return out
