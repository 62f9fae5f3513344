"""Robust ML ("MLR"): Huber–White sandwich standard errors and the Yuan–Bentler scaled test.

With A the observed information (Hessian of -ℓ/N at the estimates, lavaan 0.6's default
``information = "observed"`` for MLR) and B the first-order information
(B = 1/N Σ_i s_i s_i', s_i = Δ' ∂ℓ_i/∂(μ, vech Σ) the casewise scores), the sandwich is

    acov(θ̂) = A⁻¹ B A⁻¹ / N.

The Yuan–Bentler (Mplus variant, lavaan ``test = "yuan.bentler.mplus"``) scaling factor is

    c = [Σ_g tr(A1_g⁻¹ B1_g) - tr(B A⁻¹)] / df,

A1_g, B1_g the observed and first-order information of the saturated model evaluated at
the model-implied moments (lavaan's ``h1.information = "structured"``); T_scaled = T / c.
Robust CFI/TLI/RMSEA follow Brosseau-Liard & Savalei (2014) and Brosseau-Liard,
Savalei & Li (2012) as lavaan 0.6 computes them:

    CFI_robust = 1 - max(T - c d, 0) / max(T - c d, T_B - c_B d_B, 0)
    RMSEA_robust = sqrt(G) · sqrt(max(T/(N d) - c/N, 0))

References: White (1982) Econometrica 50; Yuan & Bentler (2000) Sociological Methodology 30;
Savalei (2014) SEM 21; Brosseau-Liard & Savalei (2014) Multivariate Behav. Res. 49.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import special
from scipy.optimize import brentq

from ..results import Result
from .missing import CasewiseObjective, Pattern, casewise_scores, loglik_grad, sym_grad_to_vech

__all__ = ["RobustResult", "robust_ml", "h1_information_observed", "h1_information_firstorder",
           "rmsea_ci", "robust_fit_measures"]


def _theta_grad_fn(pats: list[Pattern], p: int, rc, mu_fixed=None):
    """θ -> ∂(-ℓ/n)/∂θ for θ = (μ, vech Σ) (or vech Σ alone with μ fixed)."""
    r, c = rc
    n = sum(pt.n for pt in pats)

    def unpack(th):
        if mu_fixed is None:
            mu, v = th[:p], th[p:]
        else:
            mu, v = mu_fixed, th
        S = np.zeros((p, p))
        S[r, c] = v
        S[c, r] = v
        return S, mu

    def grad(th):
        S, mu = unpack(th)
        _, G, gm = loglik_grad(pats, S, mu)
        gv = sym_grad_to_vech(G, rc)
        return -(gv if mu_fixed is not None else np.concatenate([gm, gv])) / n

    return grad


def h1_information_observed(pats, Sigma, mu, rc, meanstructure=True):
    """Observed information (per case) of the saturated model in (μ, vech Σ), evaluated at the
    given (model-implied) moments: the Hessian of -ℓ/n, by differences of the analytic gradient."""
    from .missing import h1_observed_information

    return h1_observed_information(pats, Sigma, mu, rc, meanstructure)


def h1_information_firstorder(pats, Sigma, mu, n_rows, rc, meanstructure=True):
    """First-order information (per case): mean outer product of the casewise scores; also
    returns the scores (n_rows x k)."""
    from .missing import _memo

    def compute():
        sc = casewise_scores(pats, Sigma, mu, n_rows, rc=rc, meanstructure=meanstructure)
        n = sum(pt.n for pt in pats)
        return sc.T @ sc / n, sc

    rck = (np.asarray(rc[0]).tobytes(), np.asarray(rc[1]).tobytes())
    return _memo("B1", pats, Sigma, mu, (rck, int(n_rows), bool(meanstructure)), compute)


@dataclass(frozen=True, eq=False)
class RobustResult(Result):
    """Sandwich covariance and scaled-test ingredients (see the module docstring)."""

    vcov: np.ndarray            # acov of the free parameters
    A: np.ndarray               # observed information (per N)
    B: np.ndarray               # first-order information (per N)
    trace_ugamma: float
    scaling_factor: float
    baseline_scaling_factor: float
    scores: list = field(default_factory=list)   # casewise scores per group (in x), rows of the data


def _groups_n(groups):
    return [sum(pt.n for pt in pats) for pats in groups]


def robust_ml(objective: CasewiseObjective, x: np.ndarray, A: np.ndarray | None, df: int,
              h1: list, n_rows: list[int] | None = None, baseline: bool = True) -> RobustResult:
    """Huber–White sandwich and Yuan–Bentler scaling at the estimates ``x``.

    ``objective`` holds the data (patterns per group) and the model; ``A`` is the observed
    information (Hessian of -ℓ/N; computed if None); ``df`` the model degrees of freedom;
    ``h1`` the saturated moments ``[(Σ_g, μ_g)]`` (sample moments, or EM estimates under
    FIML) at which the Mplus-variant trace evaluates A1 and B1 ("unstructured").
    """
    model = objective.model
    rc = objective.rc
    if A is None:
        A = objective.hessian(x)
    N = objective.N
    ns = _groups_n(objective.groups)
    if n_rows is None:
        n_rows = [max(int(pt.rows.max()) for pt in pats) + 1 for pats in objective.groups]
    implied = model.implied(x)
    jac = model.jacobian(x)
    meanstructure = implied[0][1] is not None
    # active < > constraints act as equalities (lavaan's bordered inverse); else inv(A)
    Ainv = model.inverse_information(A) if hasattr(model, "inverse_information") else np.linalg.inv(A)
    B = np.zeros_like(A)
    xmask = _x_mask(model, rc, meanstructure)
    tr_h1 = 0.0
    B0_groups = []
    scores = []
    for g, ((S, mu), (dS, dmu)) in enumerate(zip(implied, jac)):
        mu_g = objective._mu(g, mu)
        pats = objective.groups[g]
        Delta = np.vstack([dmu, dS]) if meanstructure else dS
        B1, sc = h1_information_firstorder(pats, S, mu_g, n_rows[g], rc, meanstructure)
        Sh, muh = h1[g]
        B1u, _ = h1_information_firstorder(pats, Sh, muh, n_rows[g], rc, meanstructure)
        A1u = h1_information_observed(pats, Sh, muh, rc, meanstructure)
        fg = ns[g] / N
        B0g = Delta.T @ B1 @ Delta
        B += fg * B0g
        B0_groups.append(B0g)
        keep = ~xmask
        tr_h1 += np.sum(B1u[np.ix_(keep, keep)] * np.linalg.inv(A1u[np.ix_(keep, keep)]).T)
        scores.append(sc @ Delta)
    vcov = Ainv @ B @ Ainv / N
    tr_h0 = float(np.sum(B * Ainv.T))
    ug = tr_h1 - tr_h0
    c = ug / df if df > 0 else np.nan
    cb = _baseline_scaling(objective, meanstructure, tr_h1, h1) if baseline else np.nan
    return RobustResult(vcov=vcov, A=A, B=B, trace_ugamma=float(ug), scaling_factor=float(c),
                        baseline_scaling_factor=float(cb), scores=scores)


def _x_mask(model, rc, meanstructure: bool) -> np.ndarray:
    """Elements of θ = (μ, vech Σ) that involve only fixed exogenous covariates (fixed.x): lavaan
    zeroes them in the saturated-model information, so the trace ignores them."""
    r, c = rc
    xi = np.zeros(model.p, bool)
    xi[[model.ov.index(v) for v in model.names.ov_x]] = True
    m = xi[r] & xi[c]
    return np.r_[xi, m] if meanstructure else m


def _baseline_scaling(objective: CasewiseObjective, meanstructure: bool, tr_h1: float, h1) -> float:
    """Yuan–Bentler scaling factor of the independence model (diagonal Σ, free means when the
    model has a mean structure; the block of fixed exogenous covariates kept at its sample
    values), estimated in each group from the same data."""
    from .missing import independence_loglik

    model = objective.model
    p = model.p
    rc = objective.rc
    r, c = rc
    xi = np.zeros(p, bool)
    xi[[model.ov.index(v) for v in model.names.ov_x]] = True
    xf = np.zeros(p, bool)            # fixed.x = FALSE: the covariates' block stays free and saturated
    xf[[model.ov.index(v) for v in getattr(model.names, "ov_x_free", ())]] = True
    yi = np.flatnonzero(~xi & ~xf)
    pos = {(a, b): k for k, (a, b) in enumerate(zip(r, c))}
    tr_h0 = 0.0
    df_b = 0
    for g, pats in enumerate(objective.groups):
        if meanstructure:
            mu, Sig, _ = independence_loglik(pats, p)
        else:
            mu = objective.means[g]
            Sig = np.diag(np.diag(_complete_cov(pats, mu)))
        for blk in (xi, xf):
            if blk.any():
                Sh, muh = h1[g]
                Sig[np.ix_(blk, blk)] = Sh[np.ix_(blk, blk)]
                mu = mu.copy()
                mu[blk] = muh[blk]
        off = p if meanstructure else 0
        k = len(r) + off
        cols = []
        if meanstructure:
            cols += [j for j in yi] + [j for j in np.flatnonzero(xf)]
        cols += [off + pos[(j, j)] for j in yi]
        cols += [off + kk for kk, (a, b) in enumerate(zip(r, c)) if xf[a] and xf[b]]
        D = np.zeros((k, len(cols)))
        D[cols, np.arange(len(cols))] = 1.0
        n_rows = max(int(pt.rows.max()) for pt in pats) + 1
        B1, _ = h1_information_firstorder(pats, Sig, mu, n_rows, rc, meanstructure)
        A1 = h1_information_observed(pats, Sig, mu, rc, meanstructure)
        Ab = D.T @ A1 @ D
        Bb = D.T @ B1 @ D
        # the baseline's own information is block-diagonal over groups: f_g A_b,g
        tr_h0 += np.sum(Bb * np.linalg.inv(Ab).T)
        px = int(xi.sum() + xf.sum())
        df_b += p * (p - 1) // 2 - px * (px - 1) // 2
    return (tr_h1 - tr_h0) / df_b


def _complete_cov(pats, mu):
    tot = 0.0
    n = 0
    for pt in pats:
        d = pt.y - mu
        tot = tot + d.T @ d
        n += pt.n
    return tot / n


def rmsea_ci(X2: float, df: float, N: float, G: int = 1, c_hat: float = 1.0, level: float = 0.90):
    """RMSEA confidence interval from the noncentral χ² (lavaan's ``lav_fit_rmsea_ci``)."""
    if not (np.isfinite(X2) and np.isfinite(df)) or df < 1:
        return np.nan, np.nan
    up, lo = 1 - (1 - level) / 2, (1 - level) / 2

    def f(lam, target):
        return (special.chndtr(X2, df, lam) if lam > 0 else special.chdtr(df, X2)) - target

    if f(0, up) < 0:
        lower = 0.0
    else:
        lam = brentq(f, 0, max(X2, 1e-8), args=(up,), xtol=1e-12)
        lower = np.sqrt(c_hat * lam / (N * df)) * np.sqrt(G)
    NR = max(N, X2 * 4)
    if f(NR, lo) > 0 or f(0, lo) < 0:
        upper = 0.0
    else:
        lam = brentq(f, 0, NR, args=(lo,), xtol=1e-12)
        upper = np.sqrt(c_hat * lam / (N * df)) * np.sqrt(G)
    return float(lower), float(upper)


def _rmsea_pvalue(X2, df, N, G=1, c_hat=1.0, h0=0.05, notclose=False):
    if df <= 0:
        return np.nan
    lam = (h0 ** 2) * N * df / c_hat / G
    return float(special.chndtr(X2, df, lam) if notclose else 1 - special.chndtr(X2, df, lam))


def robust_fit_measures(chisq, df, base_chisq, base_df, N, G, rob: RobustResult) -> dict:
    """lavaan's scaled and robust fit measures (names with underscores) from the ML χ² values and
    the scaling factors of the model and the baseline model."""
    c, cb = rob.scaling_factor, rob.baseline_scaling_factor
    T_s = chisq / c
    Tb_s = base_chisq / cb
    out = {
        "chisq_scaled": T_s, "df_scaled": float(df),
        "pvalue_scaled": float(special.chdtrc(df, T_s)) if df > 0 else np.nan,
        "chisq_scaling_factor": c,
        "baseline_chisq_scaled": Tb_s, "baseline_df_scaled": float(base_df),
        "baseline_pvalue_scaled": float(special.chdtrc(base_df, Tb_s)),
        "baseline_chisq_scaling_factor": cb,
    }

    def cfi(X2, d, Xb, db, ch=1.0, chb=1.0):
        t1 = max(X2 - ch * d, 0)
        t2 = max(X2 - ch * d, Xb - chb * db, 0)
        return 1.0 if np.isclose(t1, 0) and np.isclose(t2, 0) else 1 - t1 / t2

    def tli(X2, d, Xb, db, ch=1.0, chb=1.0):
        t1 = (X2 - ch * d) * db
        t2 = (Xb - chb * db) * d
        return 1 - t1 / t2 if d > 0 and abs(t2) > 0 else 1.0

    out["cfi_scaled"] = cfi(T_s, df, Tb_s, base_df)
    out["tli_scaled"] = tli(T_s, df, Tb_s, base_df)
    out["cfi_robust"] = cfi(chisq, df, base_chisq, base_df, c, cb)
    out["tli_robust"] = tli(chisq, df, base_chisq, base_df, c, cb)
    out["nnfi_robust"] = out["tli_robust"]
    d2 = rob.trace_ugamma
    out["rmsea_scaled"] = float(np.sqrt(max(chisq / N / d2 - 1 / N, 0)) * np.sqrt(G)) if df > 0 else 0.0
    lo, up = rmsea_ci(chisq, d2, N, G)
    out["rmsea_ci_lower_scaled"], out["rmsea_ci_upper_scaled"] = lo, up
    out["rmsea_pvalue_scaled"] = _rmsea_pvalue(chisq, d2, N, G)
    out["rmsea_robust"] = float(np.sqrt(max(chisq / N / df - c / N, 0)) * np.sqrt(G)) if df > 0 else 0.0
    lo, up = rmsea_ci(T_s, df, N, G, c_hat=c)
    out["rmsea_ci_lower_robust"], out["rmsea_ci_upper_robust"] = lo, up
    out["rmsea_pvalue_robust"] = _rmsea_pvalue(T_s, df, N, G, c_hat=c)
    return out


def apply_mlr(res, objective: CasewiseObjective | None = None, h1=None, A=None):
    """Turn an ML FitResult into lavaan's ``estimator = "MLR"`` result: sandwich SEs (Wald
    tests and CIs recomputed) and the scaled/robust fit measures added to ``res.fit``.

    For complete data the casewise scores come from the listwise rows (``res.stats.data``);
    under FIML pass the casewise ``objective`` and the EM moments ``h1``.
    """
    from dataclasses import replace

    from .missing import missing_patterns
    from .fitmeasures import count_df
    from .result import build_estimates

    model, stats, x = res.model, res.stats, res.x
    if objective is None:
        groups = [missing_patterns(X) for X in stats.data]
        objective = CasewiseObjective(model, groups, means=None if model.meanstructure else stats.mean)
        h1 = list(zip(stats.cov, stats.mean))
    df = count_df(model)
    rob = robust_ml(objective, x, A, df, h1=h1)
    estimates = build_estimates(model, x, rob.vcov, res.defined)
    f = res.fit
    extra = robust_fit_measures(float(f["chisq"]), df, float(f["baseline_chisq"]), float(f["baseline_df"]),
                                stats.ntotal, model.ngroups, rob)
    if res.missing in ("ml", "fiml"):
        # under FIML lavaan's robust CFI/RMSEA use the FIML-C correction (fiml.fiml_measures, V3 for
        # MLR): keep those already in res.fit
        for k in ("cfi_robust", "tli_robust", "nnfi_robust", "rmsea_robust", "rmsea_ci_lower_robust",
                  "rmsea_ci_upper_robust", "rmsea_pvalue_robust"):
            extra[k] = f[k] if k in f.index else np.nan
    fit = f.copy()
    for k, v in extra.items():
        fit[k] = v
    return replace(res, estimates=estimates, fit=fit, vcov=rob.vcov, estimator="MLR",
                   se_type="robust.huber.white", test="yuan.bentler.mplus",
                   extras={**res.extras, "robust": rob})


def fiml_corrected(objective: CasewiseObjective, x: np.ndarray, em_stats, version: str = "V3",
                   base_x=None) -> dict:
    """lavaan's ``lav_fit_fiml_corrected`` (Zhang & Savalei 2023, "FIML-C"): the ingredients of
    robust CFI/TLI/RMSEA under FIML.

    T₃ = N F_ML(EM moments; Σ(θ̂), μ(θ̂)) (and T₃,B for the independence model at its FIML
    estimates); with Wm, Jm the observed and first-order information of the saturated model
    under missing data and Wc the complete-data one, all at the EM moments,
    U = Wm − Wm Δ (Δ'WmΔ)⁻¹ Δ' Wm and
    k = tr(U Wm⁻¹ Wc Wm⁻¹ U Γ), Γ = Wm⁻¹ Jm Wm⁻¹ (V3, MLR)  or  k = tr(Wc Wm⁻¹ U Wm⁻¹) (V6, ML);
    ĉ = k / df.

    With fixed exogenous covariates (fixed.x) their elements of (μ, vech Σ) are left out of the
    saturated-model matrices (lavaan zeroes them); the baseline keeps the covariates' block
    saturated (``base_x[g] = (Σ_x, μ_x)``, their FIML moments; free when fixed.x = FALSE).
    """
    from .fitmeasures import count_df

    model = objective.model
    p = model.p
    rc = objective.rc
    N = objective.N
    G = len(objective.groups)
    ns = _groups_n(objective.groups)
    fg = np.array(ns, float) / N
    keep = ~_x_mask(model, rc, True)              # drop the fixed.x elements of (μ, vech Σ)
    bx, bcols = _baseline_columns(model, rc)
    parts = _FimlParts(objective, x, em_stats, version, keep, bx, bcols, base_x)
    k_of = _fiml_trace(version, fg, parts.Wm, parts.Wc, parts.Jm, parts.Wmi)
    K, nb = int(keep.sum()), len(bcols)
    DB_all = []
    for g in range(G):                    # the baseline's parameters are per group: block columns
        DB = np.zeros((K, nb * G))
        DB[:, nb * g:nb * (g + 1)] = parts.DB[g]
        DB_all.append(DB)
    df = count_df(model)
    dfB = G * (p * (p - 1) // 2 - len(bx) * (len(bx) - 1) // 2)
    from . import ml

    XX3 = N * ml.objective(model, em_stats, x)[0]
    c3 = k_of(parts.D) / df if df > 0 else np.nan
    cB = k_of(DB_all) / dfB
    return dict(XX3=float(XX3), df3=df, c_hat3=c3, XX3_scaled=float(XX3 / c3), XX3_null=float(parts.XXB),
                df3_null=dfB, c_hat3_null=cB)


def _baseline_columns(model, rc) -> tuple[np.ndarray, list]:
    """The covariates' positions and the columns of (μ, vech Σ) that the independence model frees:
    the y means and variances, plus the covariates' saturated block when fixed.x = FALSE."""
    p = model.p
    r, c = rc
    bxn = list(model.names.ov_x) + list(getattr(model.names, "ov_x_free", ()))
    bx = np.array([model.ov.index(v) for v in bxn], dtype=int)
    by = np.array([j for j in range(p) if j not in set(bx.tolist())], dtype=int)
    fixed_xb = len(model.names.ov_x) > 0          # baseline x block fixed (fixed.x) or free
    pos = {(a, b): k for k, (a, b) in enumerate(zip(r, c))}
    bcols = [int(j) for j in by] + [p + pos[(j, j)] for j in by]      # y means and variances
    if len(bx) and not fixed_xb:                                       # saturated free x block
        bcols += [int(j) for j in bx] + [p + k for k, (a, b) in enumerate(zip(r, c))
                                          if a in set(bx.tolist()) and b in set(bx.tolist())]
    return bx, bcols


class _FimlParts:
    """Per group, at the EM moments: the saturated model's observed (Wm), complete-data (Wc) and
    first-order (Jm, V3 only) information without the fixed.x elements, Wm⁻¹, the model's and the
    baseline's Jacobians, and the baseline's test statistic T₃,B summed over groups."""

    def __init__(self, objective, x, em_stats, version: str, keep, bx, bcols, base_x):
        from .missing import Pattern, h1_observed_information, independence_loglik

        model, rc = objective.model, objective.rc
        p, ns = model.p, _groups_n(objective.groups)
        jac = model.jacobian(x)
        nb = len(bcols)
        self.Wm, self.Wc, self.Jm, self.Wmi, self.D, self.DB = [], [], [], [], [], []
        self.XXB = 0.0
        sub = np.ix_(keep, keep)
        for g, pats in enumerate(objective.groups):
            S, m = em_stats.cov[g], em_stats.mean[g]
            Wm_g = h1_observed_information(pats, S, m, rc, True)
            n_rows = max(int(pt.rows.max()) for pt in pats) + 1
            Jm_g = h1_information_firstorder(pats, S, m, n_rows, rc, True)[0] if version == "V3" else None
            fake = [Pattern(idx=np.arange(p), rows=np.arange(1), y=m[None], n=1, mean=m, cov=S,
                            ix=np.ix_(np.arange(p), np.arange(p)))]
            Wc_g = h1_observed_information(fake, S, m, rc, True)
            self.Wm.append(Wm_g[sub])
            self.Wc.append(Wc_g[sub])
            self.Jm.append(Jm_g[sub] if Jm_g is not None else None)
            self.Wmi.append(np.linalg.inv(Wm_g[sub]))
            dS, dmu = jac[g]
            self.D.append(np.vstack([dmu, dS])[keep])
            DB = np.zeros((p + len(rc[0]), nb))
            DB[bcols, np.arange(nb)] = 1.0
            self.DB.append(DB[keep])
            muB, SB, _ = independence_loglik(pats, p)
            if len(bx):
                Sx, mux = base_x[g]
                SB[np.ix_(bx, bx)] = Sx
                muB[bx] = mux
            SBi = np.linalg.inv(SB)
            d = m - muB
            self.XXB += ns[g] * (np.linalg.slogdet(SB)[1] + np.sum(S * SBi) - np.linalg.slogdet(S)[1] - p
                                 + d @ SBi @ d)


def _fiml_trace(version: str, fg, Wm, Wc, Jm, Wmi):
    """k(Δ), the trace of the FIML-C correction for a Jacobian Δ (one block per group).

    The saturated-model matrices are block diagonal over groups (Wm = ⊕ f_g Wm_g, Wc = ⊕ f_g Wc_g,
    Wm⁻¹ = ⊕ Wm_g⁻¹/f_g, Γ = ⊕ Wm_g⁻¹ Jm_g Wm_g⁻¹/f_g), so with Z_g = f_g Wm_g Δ_g,
    E = Σ_g Δ_g' Z_g and U = Wm - Z E⁻¹ Z' the traces reduce to per-group products and
    npar x npar matrices (never forming the dense G(p+p*)-dimensional matrices):
      V6: tr(R U) = Σ_g f_g tr(R_g Wm_g) - tr(E⁻¹ Σ_g Z_g' R_g Z_g),  R_g = Wm_g⁻¹ Wc_g Wm_g⁻¹ / f_g
      V3: tr(U R U Γ) = tr(Wm R Wm Γ) - tr(E⁻¹ Z'(R Wm Γ + Γ Wm R) Z) + tr(E⁻¹ Z'RZ E⁻¹ Z'ΓZ)
    """
    R = [wi @ wc @ wi for wi, wc in zip(Wmi, Wc)]                 # times 1/f_g (applied below)
    Gam = [wi @ j @ wi if j is not None else None for wi, j in zip(Wmi, Jm)]   # times 1/f_g (V3 only)
    WRWG = [float(np.sum((f * wm) @ (r / f) @ (f * wm) * (gm / f).T)) for f, wm, r, gm in zip(fg, Wm, R, Gam)
            if gm is not None]
    RW = [(r / f) @ (f * wm) for f, r, wm in zip(fg, R, Wm)]      # R_g f_g Wm_g

    def k_of(Deltas):
        Z = [f * (wm @ D) for f, wm, D in zip(fg, Wm, Deltas)]
        E = sum(D.T @ z for D, z in zip(Deltas, Z))
        ZRZ = sum(z.T @ (r / f) @ z for f, r, z in zip(fg, R, Z))
        if version == "V3":
            ZGZ = sum(z.T @ (gm / f) @ z for f, gm, z in zip(fg, Gam, Z))
            mid = sum(z.T @ (rw @ (gm / f) + (gm / f) @ rw.T) @ z for f, rw, gm, z in zip(fg, RW, Gam, Z))
            Ei_mid = np.linalg.solve(E, mid)
            Ei_ZRZ = np.linalg.solve(E, ZRZ)
            Ei_ZGZ = np.linalg.solve(E, ZGZ)
            return float(sum(WRWG) - np.trace(Ei_mid) + np.sum(Ei_ZRZ * Ei_ZGZ.T))
        trRW = sum(float(np.sum(r * wm)) for r, wm in zip(R, Wm))   # Σ_g tr((R_g/f_g) f_g Wm_g)
        return float(trRW - np.trace(np.linalg.solve(E, ZRZ)))
    return k_of


def fiml_robust_measures(fc: dict, N: int, G: int) -> dict:
    """Robust CFI/TLI/RNI/RMSEA under FIML from :func:`fiml_corrected` (lavaan's formulas)."""
    X, d, c = fc["XX3"], fc["df3"], fc["c_hat3"]
    Xb, db, cb = fc["XX3_null"], fc["df3_null"], fc["c_hat3_null"]
    use = d > 0 and c != 1 and cb != 1
    ch, chb = (c, cb) if use else (1.0, 1.0)
    t1 = max(X - ch * d, 0)
    t2 = max(X - ch * d, Xb - chb * db, 0)
    cfi = 1.0 if np.isclose(t1, 0) and np.isclose(t2, 0) else 1 - t1 / t2
    tt1, tt2 = (X - ch * d) * db, (Xb - chb * db) * d
    tli = 1 - tt1 / tt2 if d > 0 and abs(tt2) > 0 else 1.0
    rni_den = max(Xb - chb * db, 0)
    out = {"cfi_robust": cfi, "tli_robust": tli, "nnfi_robust": tli,
           "rni_robust": 1 - max(X - ch * d, 0) / rni_den if rni_den > 0 else 1.0,
           "rmsea_robust": float(np.sqrt(max(X / N / d - c / N, 0)) * np.sqrt(G)) if d > 0 else 0.0}
    lo, up = rmsea_ci(fc["XX3_scaled"], d, N, G, c_hat=c)
    out["rmsea_ci_lower_robust"], out["rmsea_ci_upper_robust"] = lo, up
    out["rmsea_pvalue_robust"] = _rmsea_pvalue(fc["XX3_scaled"], d, N, G, c_hat=c)
    out["rmsea_notclose_pvalue_robust"] = _rmsea_pvalue(fc["XX3_scaled"], d, N, G, c_hat=c, h0=0.08,
                                                        notclose=True)
    return out
