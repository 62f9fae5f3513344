"""Exploratory factor analysis and its checks, matching R's psych and GPArotation.

* ``kmo(data)`` — Kaiser–Meyer–Olkin measure of sampling adequacy (psych::KMO).
* ``bartlett(data)`` — Bartlett's test of sphericity (psych::cortest.bartlett).
* ``parallel_analysis(data)`` — Horn's parallel analysis for factors and components
  (psych::fa.parallel with simulated normal data).
* ``efa(data, n_factors, rotation, method)`` — psych::fa with fm = "minres" or "ml" and
  rotate = "oblimin" (GPArotation), "promax" (psych), "varimax" (stats) or "none".

Correlations use pairwise deletion (psych's default ``use = "pairwise"``); n is the number of rows.
Built on numpy/scipy only.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, stats

from ..constructs import check_items, resolve_spec
from ...stats.moments import pairwise_cor, smc
from ...stats.threads import blas_single_threaded
from ...errors import DataError, EstimationWarning
from ...i18n import format_number, get_language, t, to_persian_digits
from ...intake import as_frame
from ...results import Result, json_frame, json_records, json_safe, output_html
from .rotation import rotate as _rotate

__all__ = ["kmo", "bartlett", "parallel_analysis", "efa", "KMOResult", "BartlettResult", "ParallelResult",
           "EFAResult", "ROTATIONS", "METHODS", "meaning"]

ROTATIONS = ("oblimin", "promax", "varimax", "none")
METHODS = ("minres", "ml")


def meaning(statistic: str, language: str | None = None) -> str:
    """Plain-language meaning and usual thresholds of "kmo", "parallel" or "loadings" (fa/en)."""
    return t(f"factor.meaning.{statistic}", language=language)


def _matrix(data, items=None, counts: bool = False):
    df = as_frame(data)
    if items is None or isinstance(items, (list, tuple, pd.Index)):
        cols = list(items) if items is not None else resolve_spec(None, df)["scale"]
    else:
        cols = list(dict.fromkeys(c for v in resolve_spec(items, df).values() for c in v))
    resolve_spec({"items": cols}, df)
    if len(cols) < 3:
        raise DataError(t("factor.too_few_items", n=len(cols)))
    x = check_items(df, cols, where=t("factor.in_analysis"))
    R = pairwise_cor(x)
    if not np.all(np.isfinite(R)):
        raise DataError(t("factor.bad_correlation"))
    if counts:
        m = np.isfinite(x).astype(float)
        return R, cols, x.shape[0], m.T @ m
    return R, cols, x.shape[0]


def _html_table(df: pd.DataFrame, title: str) -> str:
    return output_html(f"<p><b>{title}</b></p>{df.round(3).to_html()}")


# --------------------------------------------------------------------------------------- KMO
@dataclass(frozen=True)
class KMOResult(Result):
    """Overall MSA and MSA per item (``items``: Series indexed by item)."""

    msa: float
    items: pd.Series

    def to_dict(self) -> dict:
        return {"msa": self.msa, "items": {k: float(v) for k, v in self.items.items()}}

    def __str__(self) -> str:
        return t("factor.kmo_line", msa=format_number(self.msa, 3)) + "\n" + self.items.round(3).to_string()

    def _repr_html_(self) -> str:
        return _html_table(self.items.to_frame("msa"), t("factor.kmo_line", msa=format_number(self.msa, 3)))


@blas_single_threaded
def kmo(data, items=None) -> KMOResult:
    """Kaiser–Meyer–Olkin measure of sampling adequacy, as psych::KMO.

    With R the correlation matrix and Q the partial (anti-image) correlations, q_ij = −r^ij /
    √(r^ii r^jj) (r^ij elements of R⁻¹), off-diagonal sums:

        MSA = Σ r_ij² / (Σ r_ij² + Σ q_ij²),   MSA_j = Σ_i r_ij² / (Σ_i r_ij² + Σ_i q_ij²).

    Kaiser (1974) calls ≥ .90 marvellous, .80s meritorious, .70s middling, .60s mediocre,
    .50s miserable and < .50 unacceptable (labels, not laws).

    Reference: Kaiser (1970), Psychometrika 35, 401–415; Kaiser (1974), Psychometrika 39, 31–36.
    """
    R, cols, _ = _matrix(data, items)
    try:
        Q = np.linalg.inv(R)
    except np.linalg.LinAlgError:
        Q = R.copy()
    d = 1 / np.sqrt(np.diag(Q))
    Q = Q * np.outer(d, d)
    np.fill_diagonal(Q, 0)
    r = R.copy()
    np.fill_diagonal(r, 0)
    r2, q2 = (r ** 2), (Q ** 2)
    msa = r2.sum() / (r2.sum() + q2.sum())
    msai = r2.sum(axis=0) / (r2.sum(axis=0) + q2.sum(axis=0))
    return KMOResult(float(msa), pd.Series(msai, index=pd.Index(cols, name="item"), name="msa"))


def _p_text(p: float, language: str | None = None) -> str:
    """A p-value with its relation for text: "< 0.001" below 0.001 (never "= 0"), else "= " and 3 digits."""
    text = "< 0.001" if p < 0.001 else f"= {p:.3g}"
    return to_persian_digits(text) if (language or get_language()) == "fa" else text

# ---------------------------------------------------------------------------------- Bartlett
@dataclass(frozen=True)
class BartlettResult(Result):
    """Bartlett's test of sphericity."""

    chisq: float
    df: int
    pvalue: float
    n: int

    def to_dict(self) -> dict:
        return {"chisq": self.chisq, "df": self.df, "pvalue": self.pvalue, "n": self.n}

    def __str__(self) -> str:
        return t("factor.bartlett_line", chisq=format_number(self.chisq, 2), df=self.df,
                 p=_p_text(self.pvalue), n=self.n)

    def _repr_html_(self) -> str:
        return output_html(f"<p>{self}</p>")


@blas_single_threaded
def bartlett(data, items=None) -> BartlettResult:
    """Bartlett's test that the correlation matrix is an identity matrix, as psych::cortest.bartlett.

    χ² = −ln|R| · (n − 1 − (2p + 5)/6), df = p(p − 1)/2. A significant result only says the items
    are correlated at all — it is a minimum requirement for factor analysis, not evidence of
    a good factor structure.

    Reference: Bartlett (1951), British Journal of Psychology, Statistical Section 3, 77–85.
    """
    R, cols, n = _matrix(data, items)
    p = len(cols)
    sign, logdet = np.linalg.slogdet(R)
    chisq = -logdet * (n - 1 - (2 * p + 5) / 6)
    df = p * (p - 1) // 2
    return BartlettResult(float(chisq), int(df), float(stats.chi2.sf(chisq, df)), int(n))


# ------------------------------------------------------------------------------- extraction
def _minres(S: np.ndarray, nf: int) -> tuple[np.ndarray, np.ndarray]:
    """Minimum residual (ULS) factoring as psych::fa(fm = "minres"); returns (loadings, uniquenesses)."""
    p = S.shape[0]
    start = np.diag(S) - smc(S)
    upper = max(smc(S).max(), 1.0)

    def fun(psi):
        e, v = np.linalg.eigh(S - np.diag(psi))
        e, v = e[::-1], v[:, ::-1]
        rest = e[nf:]
        f = 0.5 * np.sum(rest ** 2)
        grad = -(v[:, nf:] ** 2) @ rest
        return f, grad

    res = optimize.minimize(fun, start, jac=True, method="L-BFGS-B", bounds=[(0.005, upper)] * p,
                            options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": 10000})
    psi = res.x
    e, v = np.linalg.eigh(S - np.diag(psi))
    e, v = e[::-1][:nf], v[:, ::-1][:, :nf]
    return v * np.sqrt(np.maximum(e, 0)), psi


def _ml(S: np.ndarray, nf: int) -> tuple[np.ndarray, np.ndarray]:
    """Maximum likelihood factoring as psych::fa(fm = "ml") / factanal (uniquenesses ≥ 0.005)."""
    p = S.shape[0]
    start = np.diag(S) - smc(S)
    upper = max(smc(S).max(), 1.0)

    def fun(psi):
        sc = 1 / np.sqrt(psi)
        e, v = np.linalg.eigh(S * np.outer(sc, sc))
        e, v = e[::-1], v[:, ::-1]
        rest = e[nf:]
        f = -(np.sum(np.log(rest) - rest) - nf + p)
        load = v[:, :nf] * np.sqrt(np.maximum(e[:nf] - 1, 0))
        load = load * np.sqrt(psi)[:, None]
        g = (load ** 2).sum(axis=1) + psi - np.diag(S)
        return f, g / psi ** 2

    res = optimize.minimize(fun, start, jac=True, method="L-BFGS-B", bounds=[(0.005, upper)] * p,
                            options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": 10000})
    psi = res.x
    sc = 1 / np.sqrt(psi)
    e, v = np.linalg.eigh(S * np.outer(sc, sc))
    e, v = e[::-1][:nf], v[:, ::-1][:, :nf]
    load = v * np.sqrt(np.maximum(e - 1, 0))
    return load * np.sqrt(psi)[:, None], psi


# ---------------------------------------------------------------------------------------- EFA
def _cor_smooth(r: np.ndarray) -> np.ndarray:
    """psych::cor.smooth: raise eigenvalues below 1e-12, rescale, back to a correlation matrix."""
    w, v = np.linalg.eigh(r)
    if w.min() >= np.finfo(float).eps:
        return r
    w = np.where(w < 1e-12, 100 * 1e-12, w)
    w = w * r.shape[0] / w.sum()
    s = (v * w) @ v.T
    d = 1 / np.sqrt(np.diag(s))
    return s * np.outer(d, d)


def _fit_stats(R: np.ndarray, model: np.ndarray, nf: int, n_obs: int, counts: np.ndarray) -> pd.Series:
    """psych::fa.stats: ML objective and Bartlett-corrected χ², TLI, RMSEA, BIC, RMSR, off-diagonal fit.

    objective F = tr(M⁻¹R) − log|M⁻¹R| − p with M the model correlation matrix (unit diagonal);
    χ² = F·(n − 1 − (2p + 5)/6 − 2k/3); dof = p(p − 1)/2 − pk + k(k − 1)/2;
    TLI = (M0 − Mm)/(M0 − 1/ν) with M0 = F0·2/(p(p − 1)), Mm = F/dof (Tucker & Lewis 1973);
    RMSEA = √max(χ²/(dof·n) − 1/(n − 1), 0); BIC = χ² − dof·log n; rms = root mean square
    off-diagonal residual (weighted by pairwise counts).
    """
    p = R.shape[0]
    dof = p * (p - 1) / 2 - p * nf + nf * (nf - 1) / 2
    resid = R - model
    np.fill_diagonal(resid, 0)
    rstar_off = np.sum(resid ** 2 * counts)
    r2 = R * R * counts
    r2_off = r2.sum() - np.trace(r2)
    nh = stats.hmean(counts.ravel())
    rms = np.sqrt(rstar_off / (nh * p * (p - 1)))
    mod = model.copy()
    np.fill_diagonal(mod, np.diag(R))
    mod = _cor_smooth(mod)
    rs = _cor_smooth(R)
    try:
        mir = np.linalg.solve(mod, rs)
    except np.linalg.LinAlgError:
        mir = np.eye(p)
    objective = np.trace(mir) - np.linalg.slogdet(mir)[1] - p
    nu = (n_obs - 1) - (2 * p + 5) / 6 - (2 * nf) / 3
    chisq = max(objective * nu, 0.0)
    pval = stats.chi2.sf(chisq, dof) if dof > 0 else np.nan
    f0 = np.trace(rs) - np.linalg.slogdet(rs)[1] - p
    m0 = f0 * 2 / (p * (p - 1))
    mm = objective / dof if dof > 0 else np.nan
    tli = (m0 - mm) / (m0 - 1 / nu)
    rmsea = np.sqrt(max(chisq / (dof * n_obs) - 1 / (n_obs - 1), 0)) if dof > 0 else np.nan
    bic = chisq - dof * np.log(n_obs) if dof > 0 else np.nan
    return pd.Series({"objective": objective, "chisq": chisq, "dof": dof, "pvalue": pval, "tli": tli,
                      "rmsea": rmsea, "bic": bic, "rms": rms, "fit_off": 1 - rstar_off / r2_off}, name="fit")


@dataclass(frozen=True)
class EFAResult(Result):
    """An exploratory factor solution (psych::fa's pieces, tidy).

    ``loadings`` (items × factors, pattern matrix), ``structure`` (loadings·Φ), ``communalities``
    (h2), ``uniquenesses`` (u2), ``phi`` (factor correlations; identity for orthogonal solutions),
    ``variance`` (per factor: ss_loadings, proportion_var, cumulative_var, proportion_explained,
    cumulative_proportion, as psych's Vaccounted), ``eigenvalues`` of the correlation matrix,
    ``fit`` (psych's fit statistics: objective, chisq, dof, pvalue, tli, rmsea, bic, rms, fit_off).
    """

    loadings: pd.DataFrame
    structure: pd.DataFrame
    communalities: pd.Series
    uniquenesses: pd.Series
    phi: pd.DataFrame
    variance: pd.DataFrame
    eigenvalues: pd.Series
    method: str
    rotation: str
    n: int
    fit: pd.Series = None

    def to_dict(self) -> dict:
        return {"method": self.method, "rotation": self.rotation, "n": self.n,
                "loadings": json_frame(self.loadings),
                "communalities": json_safe(self.communalities), "uniquenesses": json_safe(self.uniquenesses),
                "phi": json_frame(self.phi),
                "variance": json_frame(self.variance),
                "fit": {k: json_safe(v) for k, v in self.fit.items()}}

    def table(self, cut: float = 0.0) -> pd.DataFrame:
        """Loadings with |λ| < cut blanked, plus h2 and u2 columns (the usual printed table)."""
        L = self.loadings.where(self.loadings.abs() >= cut) if cut > 0 else self.loadings.copy()
        return L.assign(h2=self.communalities, u2=self.uniquenesses)

    def __str__(self) -> str:
        head = t("factor.efa_line", k=self.loadings.shape[1], method=self.method, rotation=self.rotation, n=self.n)
        parts = [head, self.table().round(3).to_string(), "", self.variance.round(3).T.to_string(), "",
                 t("factor.fit_line", chisq=format_number(self.fit["chisq"], 2), df=int(self.fit["dof"]),
                   p=f"{self.fit['pvalue']:.3g}", tli=format_number(self.fit["tli"], 3),
                   rmsea=format_number(self.fit["rmsea"], 3), rms=format_number(self.fit["rms"], 3))]
        if self.rotation in ("oblimin", "promax"):
            parts += ["", "Phi", self.phi.round(3).to_string()]
        return "\n".join(parts)

    def _repr_html_(self) -> str:
        head = t("factor.efa_line", k=self.loadings.shape[1], method=self.method, rotation=self.rotation, n=self.n)
        html = f"<p><b>{head}</b></p>{self.table().round(3).to_html()}"
        html += self.variance.round(3).T.to_html()
        if self.rotation in ("oblimin", "promax"):
            html += "<p>Φ</p>" + self.phi.round(3).to_html()
        return output_html(html)


@blas_single_threaded
def efa(data, n_factors: int, rotation: str = "oblimin", method: str = "minres", items=None) -> EFAResult:
    """Exploratory factor analysis, as ``psych::fa(r, nfactors, rotate = rotation, fm = method)``.

    Parameters
    ----------
    data : DataFrame or CleanData
    n_factors : int
        Number of factors (parallel analysis suggests one).
    rotation : "oblimin" | "promax" | "varimax" | "none"
        oblimin (GPArotation, gamma = 0) and promax (psych's, Kaiser-normalised, m = 4) let factors
        correlate (Φ); varimax keeps them uncorrelated (stats::varimax, Kaiser normalisation).
    method : "minres" | "ml"
        Minimum residual (unweighted least squares) or maximum likelihood extraction.
    items : list of columns, dict or Instrument, optional
        Which columns to analyse (default: all numeric columns).

    Returns
    -------
    EFAResult

    Notes
    -----
    The model is R ≈ ΛΦΛᵀ + Ψ. minres minimises Σ_{i<j}(r_ij − (ΛΛᵀ)_ij)² over the uniquenesses
    (with Λ from the leading eigenvectors of R − Ψ); ml minimises log|Σ| + tr(RΣ⁻¹). As psych,
    factors are then rotated, their signs chosen so each column of loadings sums to a positive
    number, and they are ordered by the variance they account for (diag(ΦΛᵀΛ)).
    Communalities h2 = diag(ΛΦΛᵀ), u2 = 1 − h2.

    References
    ----------
    Harman & Jones (1966), Psychometrika 31, 351–368 (minres). Revelle, psych::fa. Bernaards &
    Jennrich (2005), Educational and Psychological Measurement 65, 676–696 (GPArotation).
    """
    if rotation not in ROTATIONS:
        raise DataError(t("factor.bad_rotation", rotation=rotation, choices=", ".join(ROTATIONS)))
    if method not in METHODS:
        raise DataError(t("factor.bad_method", method=method, choices=", ".join(METHODS)))
    R, cols, n, counts = _matrix(data, items, counts=True)
    p = len(cols)
    nf = int(n_factors)
    dof = ((p - nf) ** 2 - (p + nf)) / 2
    if nf < 1 or nf >= p or (method == "ml" and dof < 0):
        raise DataError(t("factor.bad_n_factors", k=n_factors, p=p))
    L, _psi = (_minres if method == "minres" else _ml)(R, nf)
    sign = np.sign(L.sum(axis=0))
    sign[sign == 0] = 1
    L = L * sign
    model = L @ L.T
    h2 = np.diag(model).copy()
    phi = None
    if nf > 1 and rotation != "none":
        L, phi = _rotate(L, rotation)
    signed = np.sign(L.sum(axis=0))
    signed[signed == 0] = 1
    L = L * signed
    if phi is not None:
        phi = phi * np.outer(signed, signed)
    vx = np.diag(phi @ L.T @ L) if phi is not None else (L ** 2).sum(axis=0)
    if nf > 1:
        order = np.argsort(-vx, kind="stable")
        L, vx = L[:, order], vx[order]
        if phi is not None:
            phi = phi[np.ix_(order, order)]
    if phi is None:
        phi = np.eye(nf)
    if (h2 > 1).any():   # psych::fa's check: a communality above 1 leaves a negative unique variance
        over = ", ".join(f"{c} h2 = {v:.3f}" for c, v in zip(cols, h2) if v > 1)
        warnings.warn(t("factor.ultra_heywood", items=over), EstimationWarning, stacklevel=2)
    prefix = "MR" if method == "minres" else "ML"
    fac = [f"{prefix}{i + 1}" for i in range(nf)]
    idx = pd.Index(cols, name="item")
    u2 = np.diag(R) - h2
    vtotal = (h2 + u2).sum()
    variance = pd.DataFrame({"ss_loadings": vx, "proportion_var": vx / vtotal,
                             "cumulative_var": np.cumsum(vx / vtotal), "proportion_explained": vx / vx.sum(),
                             "cumulative_proportion": np.cumsum(vx / vx.sum())}, index=pd.Index(fac, name="factor"))
    return EFAResult(
        loadings=pd.DataFrame(L, index=idx, columns=fac),
        structure=pd.DataFrame(L @ phi, index=idx, columns=fac),
        communalities=pd.Series(h2, index=idx, name="h2"),
        uniquenesses=pd.Series(u2, index=idx, name="u2"),
        phi=pd.DataFrame(phi, index=fac, columns=fac),
        variance=variance,
        eigenvalues=pd.Series(np.linalg.eigvalsh(R)[::-1], index=pd.RangeIndex(1, p + 1, name="k"), name="eigenvalue"),
        method=method, rotation=rotation, n=int(n), fit=_fit_stats(R, L @ phi @ L.T, nf, n, counts))


# --------------------------------------------------------------------------- parallel analysis
@dataclass(frozen=True)
class ParallelResult(Result):
    """Parallel analysis: ``table`` (k, observed pc/fa eigenvalues, simulated means and quantiles),
    ``n_factors`` and ``n_components`` suggested."""

    table: pd.DataFrame
    n_factors: int
    n_components: int
    n_iter: int
    quantile: float

    def to_dict(self) -> dict:
        return {"n_factors": self.n_factors, "n_components": self.n_components, "n_iter": self.n_iter,
                "quantile": self.quantile, "table": json_records(self.table)}

    def __str__(self) -> str:
        return (t("factor.parallel_line", f=self.n_factors, c=self.n_components, iters=self.n_iter)
                + "\n" + self.table.round(3).to_string())

    def _repr_html_(self) -> str:
        return _html_table(self.table, t("factor.parallel_line", f=self.n_factors, c=self.n_components,
                                         iters=self.n_iter))


def _fa_values(R: np.ndarray) -> np.ndarray:
    """Eigenvalues of R with the communalities of a one-factor minres solution on the diagonal
    (psych::fa(R, 1)$values, what fa.parallel plots for factors)."""
    L, _ = _minres(R, 1)
    S = R.copy()
    np.fill_diagonal(S, (L ** 2).sum(axis=1))
    return np.linalg.eigvalsh(S)[::-1]


@blas_single_threaded
def parallel_analysis(data, items=None, *, n_iter: int = 20, quantile: float = 0.95, seed: int | None = 0,
                      progress: bool = False) -> ParallelResult:
    """Horn's parallel analysis, as psych::fa.parallel (fm = "minres", simulated normal data).

    Observed eigenvalues of R (components) and of R with one-factor communalities on the diagonal
    (factors) are compared with the ``quantile`` (95 %) of the same eigenvalues from ``n_iter``
    data sets of independent normal variables of the same size. The suggested number is how many
    leading observed eigenvalues exceed their simulated counterparts. Random draws differ from R's,
    so the simulated values match psych only in distribution; the observed eigenvalues match exactly.

    Reference: Horn (1965), Psychometrika 30, 179–185. Revelle, psych::fa.parallel.
    """
    R, cols, n = _matrix(data, items)
    p = len(cols)
    rng = np.random.default_rng(seed)
    pc_obs = np.linalg.eigvalsh(R)[::-1]
    fa_obs = _fa_values(R)
    sim_pc = np.empty((n_iter, p))
    sim_fa = np.empty((n_iter, p))
    it = range(n_iter)
    if progress:
        from tqdm.auto import tqdm  # noqa: PLC0415

        it = tqdm(it, desc=t("progress.parallel_analysis"))
    for i in it:
        z = rng.standard_normal((n, p))
        r = np.corrcoef(z, rowvar=False)
        sim_pc[i] = np.linalg.eigvalsh(r)[::-1]
        sim_fa[i] = _fa_values(r)
    q_pc = np.quantile(sim_pc, quantile, axis=0)
    q_fa = np.quantile(sim_fa, quantile, axis=0)

    def first_fail(obs, ref):
        bad = np.nonzero(~(obs > ref))[0]
        return int(bad[0]) if bad.size else len(obs)

    table = pd.DataFrame({"k": np.arange(1, p + 1), "pc": pc_obs, "fa": fa_obs,
                          "sim_pc_mean": sim_pc.mean(axis=0), "sim_fa_mean": sim_fa.mean(axis=0),
                          "sim_pc_quantile": q_pc, "sim_fa_quantile": q_fa})
    return ParallelResult(table, first_fail(fa_obs, q_fa), first_fail(pc_obs, q_pc), n_iter, quantile)
