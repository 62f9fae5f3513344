"""Categorical CFA/SEM by (diagonally) weighted least squares: lavaan's ``ordered=`` with WLSMV.

Model (delta parameterization, as lavaan's default): each ordinal item y_j has a standard-normal
latent response y*_j with y_j = c ⇔ τ_{j,c−1} < y*_j ≤ τ_{j,c}; the y* follow the usual
LISREL model Σ* = Λ (I − B)⁻¹ Ψ (I − B)⁻ᵀ Λᵀ + Θ with diag(Σ*) = 1, so the residual variances
of the items are not free: θ_jj = 1 − (ΛAΨAᵀΛᵀ)_jj. The model-implied statistics are
σ(θ) = (τ, vech₋(Σ*)) — thresholds and the correlations below the diagonal — and the sample
statistics s (thresholds and polychoric correlations, :mod:`cem_edu.sem.categorical`).

Estimation (per group g, fg = n_g / N):

    F_g(θ) = (s_g − σ_g(θ))ᵀ W_g (s_g − σ_g(θ)),   W_g = diag(Γ_g)⁻¹ (DWLS, WLSMV) or I (ULS, ULSMV),
    θ̂ minimises Σ_g (n_g − 1) F_g(θ),             chisq = Σ_g (n_g − 1) F_g(θ̂)   (as lavaan).

Standard errors: with Δ = ∂σ/∂θ, E = Σ fg Δ_gᵀ W_g Δ_g,
"robust.sem" (WLSMV, ULSMV):  Var(θ̂) = E⁻¹ (Σ fg Δ_gᵀ W_g Γ_g W_g Δ_g) E⁻¹ / (N − G),
"standard" (DWLS, ULS):       Var(θ̂) = E⁻¹ / (N − G)   (lavaan's divisor for these estimators).

Test (WLSMV, ULSMV: lavaan's "scaled.shifted"): U = V − VΔE⁻¹ΔᵀV with V = ⊕ fg W_g and
Γ_f = ⊕ Γ_g / fg; a = √(df / tr((UΓ_f)²)), scaling factor = 1/a, shift = df − a·tr(UΓ_f),
chisq_scaled = a·chisq + shift on df degrees of freedom (Asparouhov & Muthén, 2010).
The baseline model has free thresholds and zero correlations. Scaled CFI/TLI/RMSEA use the
scaled statistics; the "robust" versions follow lavaan 0.6.13+ (Savalei, 2021): the ML
discrepancy of the polychoric matrix at θ̂ ("catML"), with c = tr(W⁻¹U′ V_ML W⁻¹U Γ) / df.
SRMR: root mean square of the polychoric-minus-implied correlation residuals.

References: Muthén, du Toit & Spisic (1997), "Robust inference using weighted least squares and
quadratic estimating equations"; Asparouhov & Muthén (2010), "Simple second order chi-square
correction"; Savalei (2021), Educational and Psychological Measurement 81(4), 674–701 (robust
RMSEA/CFI for categorical data); Rosseel (2012), J. Stat. Softw. 48(2); lavaan
``lav_test_satorra_bentler``, ``lav_fit_catml_dwls``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

from ..errors import ModelError
from ..i18n import t
from .categorical import OrdinalStats, ordinal_stats
from .defined import DefinedParameters
from .ml import EstimateInfo
from .model import Model
from .partable import build_partable
from .result import EST_COLUMNS, FitResult, build_estimates
from .standardize import r_squared
from .syntax import parse_syntax

__all__ = ["fit_ordinal", "ESTIMATORS"]

# estimator -> (weight, se, test)
ESTIMATORS = {
    "WLSMV": ("diag", "robust.sem", "scaled.shifted"),
    "DWLS": ("diag", "standard", "standard"),
    "ULSMV": ("identity", "robust.sem", "scaled.shifted"),
    "ULS": ("identity", "standard", "standard"),
}


# ------------------------------------------------------------------------------------------ set-up
def _ordered_names(ordered, ov) -> list:
    if ordered is True:
        return list(ov)
    if isinstance(ordered, str):
        ordered = [s.strip() for s in ordered.split(",") if s.strip()]
    names = [str(v) for v in ordered]
    unknown = [v for v in names if v not in ov]
    if unknown:
        raise ModelError(t("sem.ordinal.not_in_model", columns=", ".join(unknown), ov=", ".join(ov)))
    return names


def _threshold_statements(statements):
    """Split user threshold statements (``x1 | a*t1 + t2``) from the rest."""
    th = [s for s in statements if s.op == "|"]
    return [s for s in statements if s.op != "|"], th


ORDINAL_GROUP_EQUAL = ("loadings", "thresholds", "intercepts", "means", "lv.variances", "lv.covariances",
                       "regressions", "residual.covariances")


def _key(r):
    if r["op"] == "~~":
        return (r["group"], "~~", *sorted((r["lhs"], r["rhs"])))
    return (r["group"], r["lhs"], r["op"], r["rhs"])


def _build(model_syntax, ngroups, std_lv, group_equal, group_partial, ordered, ladder=None):
    """Parameter table of the ordinal model (delta parameterization) and the continuous twin for starts.

    Rows of ``mod`` (built with a mean structure): residual variances of the items fixed (set after
    estimation to 1/δ² − common variance), item intercepts fixed at 0, latent means fixed at 0 — free in
    groups 2, 3, ... when the thresholds are equal across groups (lavaan's rule; ``"means"`` keeps them 0).
    ``"intercepts"`` in ``group_equal`` changes nothing: the intercepts of ordinal items are fixed at 0.

    ``ladder`` (invariance, Wu & Estabrook 2016 as semTools' ``measEq.syntax(ID.fac = "std.lv",
    ID.cat = "Wu.Estabrook.2016")``): "thresholds" and "loadings" free the item intercepts in groups 2, 3, ...
    (with the scale factors); "intercepts" fixes them at 0 and frees the latent means instead.
    """
    statements, defined = parse_syntax(model_syntax)
    statements, th_statements = _threshold_statements(statements)
    if any(s.op == "~1" for s in statements):
        raise ModelError(t("sem.ordinal.no_means"))
    group_equal = list(group_equal or [])
    bad = [g for g in group_equal if g not in ORDINAL_GROUP_EQUAL]
    if bad:
        raise ModelError(t("sem.ordinal.group_equal", value=", ".join(bad), choices=", ".join(ORDINAL_GROUP_EQUAL)))
    eq_th = "thresholds" in group_equal and ngroups > 1
    ge = [g for g in group_equal if g not in ("thresholds", "intercepts", "means")]
    kw = dict(ngroups=ngroups, std_lv=std_lv, group_equal=ge, group_partial=group_partial, fixed_x=True,
              as_rows=True)
    rows_full, names = build_partable(statements, defined, meanstructure=False, **kw)
    if names.ov_x:
        raise ModelError(t("sem.ordinal.covariates", columns=", ".join(names.ov_x)))
    full = Model(rows_full, names, meanstructure=False)
    rows, _ = build_partable(statements, defined, meanstructure=True, **kw)
    ov = list(full.ov)
    ord_names = _ordered_names(ordered, ov)
    cont = [v for v in ov if v not in ord_names]
    if cont:
        raise ModelError(t("sem.ordinal.mixed", columns=", ".join(cont)))
    ordset = set(ord_names)
    # an ordinal outcome of regressions (y ~ f) is fine: its residual variance is fixed by Var(y*) = 1 like an
    # indicator's; one that predicts or is regressed into a chain would need a nonlinear constraint (not yet)
    chained = [v for v in full.phantom if v in names.eqs_x or v in names.lv or v not in names.eqs_y]
    if chained:
        raise ModelError(t("sem.ordinal.regressed_item", columns=", ".join(chained)))
    lv = set(names.lv)
    free_means = eq_th and "means" not in group_equal
    free_nu = False
    if ladder is not None:
        free_means = ladder == "intercepts"
        free_nu = ladder in ("thresholds", "loadings")
    for r in rows:
        if r["op"] == "~~" and r["lhs"] == r["rhs"] and r["lhs"] in ordset:
            r["free"], r["ustart"] = 0, 0.0
        elif r["op"] == "~1" and r["lhs"] in ordset:
            if free_nu and r["group"] > 1:
                r["free"], r["ustart"] = -1, np.nan          # freed below
            else:
                r["free"], r["ustart"] = 0, 0.0
        elif r["op"] == "~1" and r["lhs"] in lv:
            if free_means and r["group"] > 1:
                r["free"], r["ustart"] = -1, np.nan          # freed below
            else:
                r["free"], r["ustart"] = 0, 0.0
    mapping, counter = {}, 0
    for r in rows:
        if r["op"] == ":=" or r["free"] == 0:
            continue
        if r["free"] < 0:
            counter += 1
            r["free"] = counter
            continue
        old = r["free"]
        if old not in mapping:
            counter += 1
            mapping[old] = counter
        r["free"] = mapping[old]
    mod = Model(rows, names, meanstructure=True)
    # start values of mod from the continuous twin: rows with the same key
    full_free = {_key(r): int(r["free"]) for r in rows_full if r["op"] != ":=" and r["free"] > 0}
    start_map = {}
    for r in rows:
        if r["op"] != ":=" and r["free"] > 0 and _key(r) in full_free:
            start_map[int(r["free"])] = full_free[_key(r)]
    return mod, full, start_map, th_statements, eq_th


def _threshold_table(th_statements, stats: OrdinalStats, ngroups, npar_model, eq_th, group_partial=None):
    """Threshold parameter rows: list of dicts lhs op rhs group label free (global 1-based) ustart.

    With equal thresholds (``group_equal`` "thresholds") a threshold named in ``group_partial``
    (``"x1|t2"``) stays free in every group.
    """
    partial = {str(p).replace(" ", "") for p in (group_partial or [])}
    user = {}
    for s in th_statements:
        if not (s.rhs.startswith("t") and s.rhs[1:].isdigit()):
            raise ModelError(t("sem.ordinal.bad_threshold", text=s.text))
        user[(s.lhs, s.rhs)] = s.mod
    rows = []
    by_label = {}
    counter = npar_model
    for g in range(ngroups):
        for name in stats.th_names:
            v, tk = name.split("|")
            mod = user.get((v, tk))
            label, fixed = "", None
            if mod is not None:
                if mod.label is not None:
                    label = mod.label[g] if len(mod.label) > 1 else mod.label[0]
                if mod.fixed is not None:
                    fixed = mod.fixed[g] if len(mod.fixed) > 1 else mod.fixed[0]
            if eq_th and not label and name not in partial:
                label = f".th.{name}"
            row = dict(lhs=v, op="|", rhs=tk, group=g + 1, label=label or "", ustart=np.nan, free=0)
            if fixed is not None:
                row["ustart"] = float(fixed)
            elif label and label in by_label:
                row["free"] = by_label[label]
            else:
                counter += 1
                row["free"] = counter
                if label:
                    by_label[label] = counter
            rows.append(row)
    for (v, tk) in user:
        if f"{v}|{tk}" not in stats.th_names:
            raise ModelError(t("sem.ordinal.unknown_threshold", name=f"{v} | {tk}"))
    return rows, counter


# ----------------------------------------------------------------------------------- the model
def _scale_table(ov, ngroups, npar, eq_th):
    """Scale factors δ (``y ~*~ y``): fixed at 1 in group 1, free in later groups when thresholds are equal."""
    rows = []
    for g in range(ngroups):
        for v in ov:
            row = dict(lhs=v, op="~*~", rhs=v, group=g + 1, label="", ustart=1.0, free=0)
            if eq_th and g > 0:
                npar += 1
                row["free"], row["ustart"] = npar, np.nan
            rows.append(row)
    return rows, npar


class _Structure:
    """σ(x) and Δ(x) per group for x = (model parameters, thresholds, scale factors).

    σ_g = ((τ − μ*)·δ for every threshold, δ_i δ_j Σ*_ij below the diagonal), μ* = Λ(I − B)⁻¹α.
    """

    def __init__(self, mod: Model, th_rows, sc_rows, npar, stats: OrdinalStats):
        self.mod, self.npar, self.G = mod, npar, mod.ngroups
        self.nm = mod.npar
        p = mod.p
        self.off = mod.vech_rows != mod.vech_cols
        self.rows, self.cols = mod.vech_rows[self.off], mod.vech_cols[self.off]
        self.nth = stats.nth
        self.pstar = p * (p - 1) // 2
        self.th_rows, self.sc_rows = th_rows, sc_rows
        self.th_var = np.asarray(stats.th_var, dtype=int)
        pick = lambda tab, g, key: np.array([r[key] for r in tab if r["group"] == g + 1])  # noqa: E731
        self.th_free = [pick(th_rows, g, "free").astype(int) for g in range(self.G)]
        self.th_fixed = [pick(th_rows, g, "ustart").astype(float) for g in range(self.G)]
        self.sc_free = [pick(sc_rows, g, "free").astype(int) for g in range(self.G)]
        self.sc_fixed = [pick(sc_rows, g, "ustart").astype(float) for g in range(self.G)]
        self.x0 = np.zeros(npar)

    @staticmethod
    def _values(x, free, fixed):
        return np.where(free > 0, x[np.maximum(free - 1, 0)], fixed)

    def thresholds(self, x, g):
        return self._values(x, self.th_free[g], self.th_fixed[g])

    def scales(self, x, g):
        return self._values(x, self.sc_free[g], self.sc_fixed[g])

    def implied_cor(self, x):
        """Model-implied correlation matrices of the latent responses, per group."""
        out = []
        for g, (S, _) in enumerate(self.mod.implied(x[:self.nm])):
            d = self.scales(x, g)
            R = S * np.outer(d, d)
            np.fill_diagonal(R, 1.0)
            out.append(R)
        return out

    def sigma(self, x):
        out = []
        for g, (S, mu) in enumerate(self.mod.implied(x[:self.nm])):
            d = self.scales(x, g)
            tv = self.th_var
            cor = d[self.rows] * d[self.cols] * S[self.rows, self.cols]
            out.append(np.r_[(self.thresholds(x, g) - mu[tv]) * d[tv], cor])
        return out

    def delta(self, x):
        out = []
        xm = x[:self.nm]
        tv, r, c = self.th_var, self.rows, self.cols
        implied = self.mod.implied(xm)
        for g, (J, Jm) in enumerate(self.mod.jacobian(xm)):
            S, mu = implied[g]
            d = self.scales(x, g)
            tau = self.thresholds(x, g)
            D = np.zeros((self.nth + self.pstar, self.npar))
            D[:self.nth, :self.nm] = -d[tv][:, None] * Jm[tv]
            D[self.nth:, :self.nm] = (d[r] * d[c])[:, None] * J[self.off]
            fr = self.th_free[g]
            k = np.flatnonzero(fr > 0)
            np.add.at(D, (k, fr[k] - 1), d[tv][k])
            sf = self.sc_free[g]
            if np.any(sf > 0):
                k = np.flatnonzero(sf[tv] > 0)
                np.add.at(D, (k, sf[tv][k] - 1), (tau - mu[tv])[k])
                rows = self.nth + np.arange(self.pstar)
                k = np.flatnonzero(sf[r] > 0)
                np.add.at(D, (rows[k], sf[r][k] - 1), (d[c] * S[r, c])[k])
                k = np.flatnonzero(sf[c] > 0)
                np.add.at(D, (rows[k], sf[c][k] - 1), (d[r] * S[r, c])[k])
            out.append(D)
        return out


def _weights(stats: OrdinalStats, kind: str):
    if kind == "identity":
        return [np.ones(len(o)) for o in stats.wls_obs]
    return [1.0 / np.diag(G) for G in stats.gamma]


def _objective(st: _Structure, stats, W, fg, x):
    return float(sum(f * np.sum(w * (s - sg) ** 2) for f, w, s, sg in zip(fg, W, stats.wls_obs, st.sigma(x))))


def _estimate(st: _Structure, stats, W, fg, x0, max_iter=500, tol=1e-10):
    """Gauss–Newton with step halving for the weighted least-squares discrepancy."""
    x = x0.copy()
    F = _objective(st, stats, W, fg, x)
    converged = False
    it = 0
    for it in range(1, max_iter + 1):
        sig, D = st.sigma(x), st.delta(x)
        H = np.zeros((st.npar, st.npar))
        grad = np.zeros(st.npar)
        for f, w, s, sg, Dg in zip(fg, W, stats.wls_obs, sig, D):
            WD = w[:, None] * Dg
            H += f * Dg.T @ WD
            grad += f * WD.T @ (s - sg)
        try:
            step = np.linalg.solve(H, grad)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(H, grad, rcond=None)[0]
        alpha = 1.0
        while True:
            xn = x + alpha * step
            Fn = _objective(st, stats, W, fg, xn)
            if np.isfinite(Fn) and Fn <= F + 1e-15 * max(1.0, abs(F)):
                break
            alpha /= 2
            if alpha < 1e-8:                 # no descent left: a minimum if the gradient vanishes
                converged = bool(np.max(np.abs(grad)) < 1e-6)
                return x, EstimateInfo(converged, it, F / 2.0, "gauss-newton", float(np.max(np.abs(grad))))
        done = np.max(np.abs(alpha * step)) < tol or (abs(F - Fn) < 1e-16 and np.max(np.abs(grad)) < 1e-9)
        x, F = xn, Fn
        if done:
            converged = True
            break
    return x, EstimateInfo(converged, it, F / 2.0, "gauss-newton", float(np.max(np.abs(grad))) if len(grad) else 0.0)


def _simple_start(mod: Model, stats: OrdinalStats) -> np.ndarray:
    """Congeneric start: every factor's indicators equally good, factor variance = their mean correlation."""
    x = np.zeros(mod.npar)
    oi = {v: i for i, v in enumerate(stats.ov)}
    rbar = {}
    for g in range(mod.ngroups):
        R = stats.cov[g]
        for f in mod.names.lv:
            ind = [oi[r["rhs"]] for r in mod.rows if r["op"] == "=~" and r["lhs"] == f and r["group"] == g + 1
                   and r["rhs"] in oi]
            vals = R[np.ix_(ind, ind)][np.triu_indices(len(ind), 1)] if len(ind) > 1 else np.array([0.5])
            rbar[(g + 1, f)] = float(np.clip(np.mean(np.abs(vals)), 0.05, 0.95))
    var_fixed = {(r["group"], r["lhs"]) for r in mod.rows if r["op"] == "~~" and r["lhs"] == r["rhs"]
                 and r["lhs"] in mod.names.lv and r["free"] == 0}
    for r in mod.rows:
        k = int(r["free"]) if r["op"] != ":=" else 0
        if k <= 0:
            continue
        key = (r["group"], r["lhs"])
        if r["op"] == "=~":
            x[k - 1] = np.sqrt(rbar.get(key, 0.5)) if key in var_fixed else 1.0
        elif r["op"] == "~~" and r["lhs"] == r["rhs"] and r["lhs"] in mod.names.lv:
            x[k - 1] = rbar.get(key, 0.5)
        elif r["op"] == "~~" and r["lhs"] == r["rhs"]:
            x[k - 1] = 0.5
    return x


def _start(mod: Model, full: Model, mapping, stats: OrdinalStats, st, W, fw):
    """Starting values: the better (smaller discrepancy) of a congeneric start and ML's start values."""
    from . import ml

    cands = [_simple_start(mod, stats)]
    try:
        x_full = ml.start_values(full, stats)
        xm = _simple_start(mod, stats)
        for new, old in mapping.items():
            xm[new - 1] = x_full[old - 1]
        cands.append(xm)
    except Exception:      # noqa: BLE001 - ML's start values are only a candidate
        pass
    best, fbest = None, np.inf
    for xm in cands:
        x = st.x0.copy()
        x[:mod.npar] = xm
        f = _objective(st, stats, W, fw, x)
        if np.isfinite(f) and f < fbest:
            best, fbest = x, f
    return best


# ------------------------------------------------------------------------------------ inference
def _bdiag(blocks):
    n = sum(b.shape[0] for b in blocks)
    out = np.zeros((n, n))
    i = 0
    for b in blocks:
        k = b.shape[0]
        out[i:i + k, i:i + k] = b
        i += k
    return out


def _traces(Dall, Vdiag, Gf, Einv):
    """tr(UΓ) and tr((UΓ)²), U = V − VΔE⁻¹ΔᵀV (V diagonal)."""
    VD = Vdiag[:, None] * Dall
    U = np.diag(Vdiag) - VD @ Einv @ VD.T
    UG = U @ Gf
    return float(np.sum(U * Gf)), float(np.sum(UG * UG.T))


def _rmsea(X2, df, N, G, c=1.0):
    if df <= 0:
        return 0.0
    return float(np.sqrt(max(X2 / N / df - c / N, 0.0)) * np.sqrt(G))


def _rmsea_ci(X2, df, N, G, c=1.0):
    from .fitmeasures import rmsea_ci

    if not np.isfinite(X2) or df < 1:
        return np.nan, np.nan
    return rmsea_ci(X2, df, N / c, G)


def _closefit(X2, df, N, G, c=1.0, h0=0.05):
    if df <= 0 or not np.isfinite(X2):
        return np.nan
    return float(1.0 - special.chndtr(X2, df, N * df / c * h0 ** 2 / G))


def _cfi(X2, df, X2n, dfn, c=1.0, cn=1.0):
    if df > 0 and c != 1 and cn != 1:
        t1 = max(X2 - c * df, 0.0)
        t2 = max(X2 - c * df, X2n - cn * dfn, 0.0)
    else:
        t1 = max(X2 - df, 0.0)
        t2 = max(X2 - df, X2n - dfn, 0.0)
    if np.isclose(t1, 0, atol=1.5e-8) and np.isclose(t2, 0, atol=1.5e-8):
        return 1.0
    return 1.0 - t1 / t2


def _tli(X2, df, X2n, dfn, c=1.0, cn=1.0):
    if df > 0 and c != 1 and cn != 1:
        t1 = (X2 - c * df) * dfn
        t2 = (X2n - cn * dfn) * df
    else:
        t1 = (X2 - df) * dfn
        t2 = (X2n - dfn) * df
    if df > 0 and abs(t2) > 0:
        return 1.0 - t1 / t2
    return 1.0


def _catml(st: _Structure, stats: OrdinalStats, x, W, fg, Einv, df):
    """lavaan's ``lav_fit_catml_dwls``: ML discrepancy of the polychoric matrices at θ̂ and its c-hat."""
    nth = st.nth
    p = st.mod.p
    XX3 = 0.0
    XX3n = 0.0
    blocksV, blocksW, blocksG, Ds = [], [], [], []
    if any(np.any(f > 0) for f in st.sc_free):
        return None          # free scale factors: lavaan's catML refit fails and it reports NA
    D = st.delta(x)
    rows, cols = st.rows, st.cols
    for g, Sigma in enumerate(st.implied_cor(x)):
        R = stats.cov[g]
        if np.linalg.eigvalsh(R)[0] < np.sqrt(np.finfo(float).eps):
            return None
        Si = np.linalg.inv(Sigma)
        ld_s = np.linalg.slogdet(Sigma)[1]
        ld_r = np.linalg.slogdet(R)[1]
        n_g = stats.n[g]
        XX3 += n_g * (ld_s - ld_r + np.sum(R * Si) - p)
        XX3n += n_g * (-ld_r)
        # normal-theory weight of the correlations: 0.5 D'(Si (x) Si)D on the off-diagonal elements
        a = Si[rows][:, rows] * Si[cols][:, cols] + Si[rows][:, cols] * Si[cols][:, rows]
        blocksV.append(fg[g] * a)
        blocksW.append(fg[g] * W[g][nth:])
        blocksG.append(stats.gamma[g][nth:, nth:] / fg[g])
        Ds.append(D[g][nth:])
    Vall = _bdiag(blocksV)
    Wall = np.concatenate(blocksW)
    Gall = _bdiag(blocksG)
    Dall = np.vstack(Ds)
    WiU = np.eye(len(Wall)) - Dall @ Einv @ (Dall.T * Wall[None, :])
    ks = float(np.sum((WiU.T @ Vall @ WiU) * Gall.T))
    c3 = ks / df if df > 0 else np.nan
    dfn = st.G * st.pstar
    c3n = float(np.trace(Gall)) / dfn
    return dict(XX3=XX3, df3=df, c=c3, XX3_scaled=XX3 / c3 if df > 0 else np.nan, XX3_null=XX3n, c_null=c3n)


def _srmr(st: _Structure, stats: OrdinalStats, x, fg):
    out = 0.0
    p = st.mod.p
    for g, S in enumerate(st.implied_cor(x)):
        R = stats.cov[g]
        lo = np.tril_indices(p, -1)
        r = (R - S)[lo]
        out += fg[g] * np.sqrt(np.sum(r * r) / (p * (p + 1) / 2))
    return float(out)


def _fit_measures(st, stats, x, W, fg, Einv, Dall, Vdiag, Gf, kind, test):
    N = stats.ntotal
    G = st.G
    npar = st.npar
    df = G * (st.nth + st.pstar) - npar
    sig = st.sigma(x)
    Fg = [float(np.sum(w * (s - sg) ** 2)) for w, s, sg in zip(W, stats.wls_obs, sig)]
    chisq = max(sum((n - 1) * f for n, f in zip(stats.n, Fg)), 0.0)
    F = chisq / N
    uls = kind == "identity"
    pvalue = float(special.chdtrc(df, chisq)) if df > 0 and not uls else np.nan
    # baseline: free thresholds, zero correlations (thresholds fit exactly)
    nth = st.nth
    bchisq = float(sum((stats.n[g] - 1) * np.sum(W[g][nth:] * stats.wls_obs[g][nth:] ** 2) for g in range(G)))
    bdf = G * st.pstar
    bp = float(special.chdtrc(bdf, bchisq)) if not uls else np.nan
    out = {"npar": npar, "fmin": F / 2.0, "chisq": chisq, "df": df, "pvalue": pvalue}
    scaled = test == "scaled.shifted" and df > 0
    if scaled:
        tr1, tr2 = _traces(Dall, Vdiag, Gf, Einv)
        a = np.sqrt(df / tr2)
        shift = df - a * tr1
        X2s = chisq * a + shift
        # baseline: U keeps the correlation block of V only
        btr1 = btr2 = 0.0
        for g in range(G):
            WG = W[g][nth:, None] * stats.gamma[g][nth:, nth:]
            btr1 += float(np.trace(WG))
            btr2 += float(np.sum(WG * WG.T))
        ba = np.sqrt(bdf / btr2)
        bshift = bdf - ba * btr1
        bX2s = bchisq * ba + bshift
        out.update({"chisq_scaled": X2s, "df_scaled": df, "pvalue_scaled": float(special.chdtrc(df, X2s)),
                    "chisq_scaling_factor": 1.0 / a, "chisq_shift": shift})
    out.update({"baseline_chisq": bchisq, "baseline_df": bdf, "baseline_pvalue": bp})
    if scaled:
        out.update({"baseline_chisq_scaled": bX2s, "baseline_df_scaled": bdf,
                    "baseline_pvalue_scaled": float(special.chdtrc(bdf, bX2s)),
                    "baseline_chisq_scaling_factor": 1.0 / ba})
    out["cfi"] = _cfi(chisq, df, bchisq, bdf)
    out["tli"] = _tli(chisq, df, bchisq, bdf)
    out["nnfi"] = out["tli"]
    cat = None
    if scaled:
        out["cfi_scaled"] = _cfi(X2s, df, bX2s, bdf)
        out["tli_scaled"] = _tli(X2s, df, bX2s, bdf)
        cat = _catml(st, stats, x, W, fg, Einv, df)
        if cat is None:
            out["cfi_robust"] = out["tli_robust"] = np.nan
        else:
            out["cfi_robust"] = _cfi(cat["XX3"], df, cat["XX3_null"], bdf, cat["c"], cat["c_null"])
            out["tli_robust"] = _tli(cat["XX3"], df, cat["XX3_null"], bdf, cat["c"], cat["c_null"])
    out["logl"] = out["unrestricted_logl"] = out["aic"] = out["bic"] = np.nan
    out["ntotal"] = N
    Nr = N - G                     # lavaan (lav_utils_get_ntotal): N − G for the WLS family
    out["rmsea"] = _rmsea(chisq, df, Nr, G)
    out["rmsea_ci_lower"], out["rmsea_ci_upper"] = _rmsea_ci(chisq, df, Nr, G)
    out["rmsea_ci_level"] = 0.90
    out["rmsea_pvalue"] = _closefit(chisq, df, Nr, G)
    out["rmsea_close_h0"] = 0.05
    out["rmsea_notclose_pvalue"] = (1.0 - _closefit(chisq, df, Nr, G, h0=0.08)) if df > 0 else np.nan
    out["rmsea_notclose_h0"] = 0.08
    if scaled:
        out["rmsea_scaled"] = _rmsea(X2s, df, Nr, G)
        out["rmsea_ci_lower_scaled"], out["rmsea_ci_upper_scaled"] = _rmsea_ci(X2s, df, Nr, G)
        out["rmsea_pvalue_scaled"] = _closefit(X2s, df, Nr, G)
        if cat is None:
            for k in ("rmsea_robust", "rmsea_ci_lower_robust", "rmsea_ci_upper_robust", "rmsea_pvalue_robust"):
                out[k] = np.nan
        else:
            c = cat["c"]
            out["rmsea_robust"] = _rmsea(cat["XX3"], df, Nr, G, c)
            out["rmsea_ci_lower_robust"], out["rmsea_ci_upper_robust"] = _rmsea_ci(cat["XX3_scaled"], df, Nr, G, c)
            out["rmsea_pvalue_robust"] = _closefit(cat["XX3_scaled"], df, Nr, G, c)
    out["srmr"] = _srmr(st, stats, x, fg)
    return pd.Series(out, dtype=float)


# ------------------------------------------------------------------------------------- estimates
def _wald(est, se, level=0.95):
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, est / np.where(se > 0, se, 1.0), np.nan)
    crit = special.ndtri(0.5 + level / 2)
    return z, 2 * special.ndtr(-np.abs(z)), est - crit * se, est + crit * se


def _table(tab, x, se_all, est_std):
    fr = np.array([r["free"] for r in tab], dtype=int)
    est = np.array([x[f - 1] if f > 0 else r["ustart"] for f, r in zip(fr, tab)], dtype=float)
    se = np.where(fr > 0, se_all[np.maximum(fr - 1, 0)], 0.0)
    z, pv, lo, hi = _wald(est, se)
    std_lv, std_all = est_std(est)
    return pd.DataFrame({"lhs": [r["lhs"] for r in tab], "op": [r["op"] for r in tab], "rhs": [r["rhs"] for r in tab],
                         "label": [r["label"] if not r["label"].startswith(".") else "" for r in tab],
                         "group": [r["group"] for r in tab], "est": est, "se": se, "z": z, "pvalue": pv,
                         "ci_lower": lo, "ci_upper": hi, "std_lv": std_lv, "std_all": std_all}, columns=EST_COLUMNS)


def _estimates(mod: Model, st: _Structure, x, vcov, defined) -> pd.DataFrame:
    """lavaan's parameterEstimates() rows: model rows, thresholds after the user's rows, ~*~ before ~1."""
    nm = mod.npar
    base = build_estimates(mod, x[:nm], vcov[:nm, :nm], defined)
    se_all = np.sqrt(np.clip(np.diag(vcov), 0, None))
    scale_of = {}
    for g in range(st.G):
        for v, d in zip(mod.ov, st.scales(x, g)):
            scale_of[(g + 1, v)] = d
    grp_th = np.array([r["group"] for r in st.th_rows])
    d_th = np.array([scale_of[(r["group"], r["lhs"])] for r in st.th_rows])
    th_df = _table(st.th_rows, x, se_all, lambda e: (e, e * d_th))       # std.all: τ / sd(y*) = τ δ
    sc_df = _table(st.sc_rows, x, se_all, lambda e: (e, np.ones_like(e)))
    user = np.array([r.get("user", 0) for r in mod.rows if r["op"] != ":="], dtype=int)
    ops = base["op"].to_numpy()
    grp = base["group"].to_numpy()
    pieces = []
    for g in range(1, mod.ngroups + 1):
        idx = np.flatnonzero(grp == g)
        u = idx[user[idx] == 1]
        cut = (u.max() + 1) if len(u) else idx.min()
        means = idx[ops[idx] == "~1"]
        cut2 = means.min() if len(means) else idx.max() + 1
        pieces += [base.iloc[idx[idx < cut]], th_df[grp_th == g], base.iloc[idx[(idx >= cut) & (idx < cut2)]],
                   sc_df[sc_df["group"] == g], base.iloc[idx[idx >= cut2]]]
    pieces.append(base[grp == 0])
    out = pd.concat([p for p in pieces if len(p)], ignore_index=True)
    for c in ("est", "se", "z", "pvalue", "ci_lower", "ci_upper", "std_lv", "std_all"):
        out[c] = out[c].astype(float)
    out["group"] = out["group"].astype(int)
    return out


# ----------------------------------------------------------------------------------------- driver
def fit_ordinal(model: str, data, *, ordered=True, estimator: str = "WLSMV", missing: str = "listwise",
                group: str | None = None, group_equal=None, group_partial=None, std_lv: bool = False,
                frame: pd.DataFrame | None = None, labels=None, ladder=None, _warn: bool = True) -> FitResult:
    """Fit ``model`` to ordinal items by DWLS/ULS (see the module docstring); called by ``cem_edu.fit``.

    ``frame`` is the data as a DataFrame and ``labels`` the group labels (both prepared by ``fit``).
    """
    estimator = estimator.upper()
    if estimator not in ESTIMATORS:
        raise ModelError(t("sem.ordinal.bad_estimator", estimator=estimator,
                           choices=", ".join(ESTIMATORS)))
    if missing not in ("listwise", "pairwise"):
        raise ModelError(t("sem.ordinal.bad_missing", missing=missing))
    kind, se_type, test = ESTIMATORS[estimator]
    ngroups = len(labels) if labels else 1
    mod, full, mapping, th_statements, eq_th = _build(model, ngroups, std_lv, group_equal, group_partial, ordered,
                                                      ladder=ladder)
    from .pipeline import _check_columns, _identification

    # ordered pandas Categoricals (e.g. answer labels) are ordinal as they are; other columns must be numeric
    labelled = {v for v in mod.ov if v in frame.columns and isinstance(frame[v].dtype, pd.CategoricalDtype)
                and frame[v].cat.ordered}
    _check_columns(frame, [v for v in mod.ov if v not in labelled], group)
    stats = ordinal_stats(frame, mod.ov, group=group, group_labels=labels, missing=missing)
    th_rows, npar = _threshold_table(th_statements, stats, ngroups, mod.npar, eq_th, group_partial)
    sc_rows, npar = _scale_table(mod.ov, ngroups, npar, eq_th)
    st = _Structure(mod, th_rows, sc_rows, npar, stats)
    df = ngroups * (st.nth + st.pstar) - npar
    if df < 0:
        raise ModelError(t("sem.model.negative_df", df=df, npar=npar, moments=df + npar))
    _identification(full)
    W = _weights(stats, kind)
    N = stats.ntotal
    fg = np.asarray(stats.n, dtype=float) / N
    fw = (np.asarray(stats.n, dtype=float) - 1.0) / (N - ngroups)     # lavaan: Σ (n_g − 1) F_g
    for r in sc_rows:
        if r["free"] > 0:
            st.x0[r["free"] - 1] = 1.0
    for r in th_rows:
        if r["free"] > 0:
            i = stats.th_names.index(f"{r['lhs']}|{r['rhs']}")
            st.x0[r["free"] - 1] = stats.wls_obs[r["group"] - 1][i]
    x0 = _start(mod, full, mapping, stats, st, W, fw)
    x, info = _estimate(st, stats, W, fw, x0)
    D = st.delta(x)
    Dall = np.vstack(D)
    Vdiag = np.concatenate([f * w for f, w in zip(fg, W)])
    Gf = _bdiag([G / f for G, f in zip(stats.gamma, fg)])
    E = Dall.T @ (Vdiag[:, None] * Dall)
    w_, _ = np.linalg.eigh(E)
    if w_[0] <= 1e-10 * max(w_[-1], 1.0):
        from .pipeline import _singular_params
        bad = _singular_params(mod, E[:mod.npar, :mod.npar]) if mod.npar else []
        raise ModelError(t("sem.model.not_identified", params=", ".join(bad) or "?"))
    Einv = np.linalg.inv(E)
    if se_type == "robust.sem":
        VD = Vdiag[:, None] * Dall
        vcov = Einv @ (VD.T @ Gf @ VD) @ Einv / (N - ngroups)
    else:
        vcov = Einv / (N - ngroups)
    # delta parameterization: the items' residual variances make diag(Sigma*) = 1 / δ²
    common = [np.diag(S) for S, _ in mod.implied(x[:mod.npar])]
    for row, r in enumerate(mod.rows):
        if r["op"] == "~~" and r["lhs"] == r["rhs"] and r["lhs"] in mod.ov and r["free"] == 0:
            g = int(r["group"]) - 1
            j = mod.ov.index(r["lhs"])
            mod.set_fixed(row, float(1.0 / st.scales(x, g)[j] ** 2 - common[g][j]))
    fm = _fit_measures(st, stats, x, W, fg, Einv, Dall, Vdiag, Gf, kind, test)
    defined = DefinedParameters(mod.rows)
    estimates = _estimates(mod, st, x, vcov, defined)
    r2 = r_squared(mod, x[:mod.npar])
    pairs = {str(lab) if lab is not None else "": int(np.sum(np.triu(P, 1)))
             for lab, P in zip(stats.group_labels, stats.pairs)}
    extras = {"ordered": list(mod.ov), "thresholds": st.th_rows, "scales": st.sc_rows, "se": se_type, "test": test,
              "parameterization": "delta", "pairwise_counts": [P.copy() for P in stats.pairs],
              "n_pairs": pairs}
    res = FitResult(estimates=estimates, fit=fm, r2=r2, model=mod, stats=stats, x=x[:mod.npar],
                    vcov=vcov[:mod.npar, :mod.npar], information=E, defined=defined, opt=info, syntax=model,
                    estimator=estimator, missing=missing, se_type=se_type, test=test, group=group,
                    extras=dict(extras, x_all=x, vcov_all=vcov, delta=D, weights=W, fg=fg, info_inv=Einv))
    from .pipeline import _user_stacklevel, _warn_heywood
    _warn_heywood(res, warn_listwise=False)
    if _warn and res.n_dropped and missing == "listwise":
        import warnings

        from ..errors import EstimationWarning
        total = res.n_dropped + res.n_used
        warnings.warn(t("sem.ordinal.listwise", dropped=res.n_dropped, total=total,
                        percent=round(100 * res.n_dropped / total), n=res.n_used), EstimationWarning,
                      stacklevel=_user_stacklevel())
    return res


def fit_ordered(model: str, data, *, ordered=None, estimator=None, missing="listwise", group=None, group_equal=None,
                group_partial=None, std_lv=False, bootstrap=0, meanstructure=None, start=None,
                _ladder=None, _warn: bool = True) -> FitResult:
    """Entry from :func:`cem_edu.fit` for ordinal items: checks the options, then :func:`fit_ordinal`."""
    from ..intake import as_frame

    est = "WLSMV" if estimator is None else str(estimator).upper()
    if ordered is None or ordered is False:
        raise ModelError(t("sem.ordinal.needs_ordered", estimator=est))
    if bootstrap:
        raise ModelError(t("sem.ordinal.not_available", what="bootstrap"))
    if meanstructure or start is not None:
        raise ModelError(t("sem.ordinal.not_available", what="meanstructure=/start="))
    frame = as_frame(data)
    if frame.shape[0] == 0 or frame.shape[1] == 0:
        from ..errors import DataError
        raise DataError(t("sem.data.empty"))
    from .pipeline import group_labels
    labels = group_labels(frame, group)
    return fit_ordinal(model, data, ordered=ordered, estimator=est, missing=str(missing).lower(), group=group,
                       group_equal=group_equal, group_partial=group_partial, std_lv=std_lv, frame=frame,
                       labels=labels, ladder=_ladder, _warn=_warn)


# ------------------------------------------------------------------------------------- invariance
LADDER = {
    # level: (group_equal, ladder rule)  — Wu & Estabrook (2016), semTools measEq.syntax(ID.cat = "Wu.Estabrook.2016")
    "configural": (None, "configural"),
    "thresholds": (["thresholds"], "thresholds"),
    "loadings": (["thresholds", "loadings"], "loadings"),
    "intercepts": (["thresholds", "loadings"], "intercepts"),
}
ORDINAL_COLUMNS = ["npar", "chisq", "df", "pvalue", "chisq_scaled", "df_scaled", "pvalue_scaled",
                   "chisq_scaling_factor", "chisq_shift", "cfi_scaled", "tli_scaled", "rmsea_scaled", "cfi_robust",
                   "rmsea_robust", "srmr"]


def difference_test(m1: FitResult, m0: FitResult) -> tuple[float, float, float]:
    """Scaled-and-shifted χ² difference test of nested WLSMV/ULSMV models (Satorra, 2000; lavaan's
    ``lavTestLRT`` default for these estimators, ``A.method = "delta"``).

    m1 is the less restricted model, m0 the restricted one (same data). With Δ₁, Δ₀ the Jacobians of the two
    models, A spans the orthogonal complement of H = Δ₁⁺Δ₀, P = E₁⁻¹ (inverse information of m1) and
    M = PAᵀ(APAᵀ)⁻¹AP: U = VΔ₁MΔ₁ᵀV, tr₁ = Σ fg tr(W_gΓ_gW_gΔ_gMΔ_gᵀ), tr₂ = tr((U·⊕fgΓ_g)²),
    a = √(m / tr₂), b = m − a·tr₁, T = a(T₀ − T₁) + b on m = df₀ − df₁ degrees of freedom.

    Returns (T, m, p). Reference: Satorra (2000), in Innovations in Multivariate Statistical Analysis,
    233–247; Asparouhov & Muthén (2006), Mplus Web Note 10; lavaan ``lav_test_diff_Satorra2000``.
    """
    T1, r1 = float(m1.fit["chisq"]), float(m1.fit["df"])
    T0, r0 = float(m0.fit["chisq"]), float(m0.fit["df"])
    m = r0 - r1
    if m <= 0:
        return np.nan, m, np.nan
    D1, D0 = m1.extras["delta"], m0.extras["delta"]
    H = np.linalg.pinv(np.vstack(D1)) @ np.vstack(D0)
    rank = np.linalg.matrix_rank(H)
    Q, _ = np.linalg.qr(H, mode="complete")
    A = Q[:, rank:].T
    P = m1.extras["info_inv"]
    M = P @ A.T @ np.linalg.pinv(A @ P @ A.T) @ A @ P
    fg, W, gamma = m1.extras["fg"], m1.extras["weights"], m1.stats.gamma
    tr1 = 0.0
    for f, w, G, D in zip(fg, W, gamma, D1):
        WD = w[:, None] * D
        tr1 += f * float(np.sum((WD @ M @ WD.T) * G))
    VD = np.concatenate(W)[:, None] * np.vstack(D1)
    UG = (VD @ M @ VD.T) @ _bdiag([f * G for f, G in zip(fg, gamma)])
    tr2 = float(np.sum(UG * UG.T))
    a = np.sqrt(m / tr2)
    T = (T0 - T1) * a + (m - a * tr1)
    return float(T), m, float(special.chdtrc(m, T))


def ordinal_invariance(model: str, data, group: str, *, ordered=True, estimator=None, missing="listwise",
                       levels=("configural", "thresholds", "loadings", "intercepts")):
    """Invariance ladder for ordinal items (delta parameterization), as semTools' ``measEq.syntax(ID.fac =
    "std.lv", ID.cat = "Wu.Estabrook.2016")``: configural → thresholds → + loadings → + intercepts.

    Why Wu & Estabrook (2016): with ordinal items the thresholds, not the intercepts, carry the item
    locations, and intercepts, scale factors and thresholds cannot all be free; their identification makes
    each step a real restriction (the threshold step frees item intercepts and scale factors in the later
    groups while fixing the thresholds equal), and its last model equals lavaan's ``group.equal =
    c("loadings", "thresholds")``. Consecutive levels are compared with the Satorra (2000) scaled-and-shifted
    difference test (:func:`difference_test`, lavaan's ``lavTestLRT``) and the change in the scaled
    CFI/RMSEA and SRMR.
    """
    from .invariance import InvarianceResult, _guidance, chen_rule

    unknown = [lev for lev in levels if lev not in LADDER]
    if unknown:
        raise ModelError(t("sem.ordinal.bad_level", levels=", ".join(unknown), choices=", ".join(LADDER)))
    est = "WLSMV" if estimator is None else str(estimator).upper()
    if ESTIMATORS.get(est, ("", "", ""))[2] != "scaled.shifted":
        raise ModelError(t("sem.ordinal.bad_estimator", estimator=est, choices="WLSMV, ULSMV"))
    fits = {}
    for k, lev in enumerate(levels):
        ge, rule = LADDER[lev]
        fits[lev] = _fit_ladder(model, data, group, ordered, est, missing, ge, rule, warn=k == 0)
    rows, guidance, prev = [], {}, None
    # Chen's (2007) cut-offs by N and group balance, applied to the scaled CFI/RMSEA differences
    chen = chen_rule(np.asarray(next(iter(fits.values())).stats.n))
    for lev, res in fits.items():
        f = res.fit
        row = {c: float(f[c]) if c in f.index else np.nan for c in ORDINAL_COLUMNS}
        if prev is None:
            row.update(delta_chisq=np.nan, delta_df=np.nan, delta_pvalue=np.nan, delta_cfi=np.nan,
                       delta_rmsea=np.nan, delta_srmr=np.nan)
        else:
            fp = fits[prev].fit
            T, m, p = difference_test(fits[prev], res)
            row.update(delta_chisq=T, delta_df=m, delta_pvalue=p, delta_cfi=float(f["cfi_scaled"] - fp["cfi_scaled"]),
                       delta_rmsea=float(f["rmsea_scaled"] - fp["rmsea_scaled"]),
                       delta_srmr=float(f["srmr"] - fp["srmr"]))
            guidance[lev] = _guidance("metric" if lev == "loadings" else lev, row["delta_cfi"], row["delta_rmsea"],
                                      row["delta_srmr"], p, chen)
        rows.append(row)
        prev = lev
    table = pd.DataFrame(rows, index=pd.Index(list(fits), name="level"))
    return InvarianceResult(table=table, fits=fits, group=group, estimator=est, guidance=guidance, rule=chen)


def _fit_ladder(model, data, group, ordered, estimator, missing, group_equal, rule, warn):
    import warnings

    from ..errors import EstimationWarning

    with warnings.catch_warnings():
        if not warn:
            warnings.simplefilter("ignore", EstimationWarning)
        res = fit_ordered(model, data, ordered=ordered, estimator=estimator, missing=missing, group=group,
                          group_equal=group_equal, std_lv=True, _ladder=rule)
    return res
