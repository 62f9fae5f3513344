"""Sample statistics of ordinal items for WLS estimation (lavaan's ``ordered=``).

Each ordinal item y (categories 1..K) is read as a cut-up standard normal latent response y*:
y = c  ⇔  τ_{c−1} < y* ≤ τ_c. The sample statistics are, per group,

* thresholds τ (step 1): τ_c = Φ⁻¹(proportion of answers ≤ c), from each item's own answers;
* polychoric correlations ρ (step 2): for each pair, the ρ that maximises the bivariate
  likelihood ℓ(ρ) = Σ_ab n_ab log P_ab(ρ) of the pair's cross-table with the thresholds of
  step 1 held fixed, P_ab = Φ₂(τ_a, τ_b; ρ) − Φ₂(τ_{a−1}, τ_b; ρ) − Φ₂(τ_a, τ_{b−1}; ρ)
  + Φ₂(τ_{a−1}, τ_{b−1}; ρ), |ρ| ≤ 0.999 (no zero-cell correction, as lavaan's estimates);
* their asymptotic covariance matrix Γ (NACOV) from the case-wise scores (Muthén, 1984):
  with s_i the scores of observation i (thresholds first, then the correlations),
  A the "Hessian" built from cross-products of scores (block-diagonal A11 for the
  thresholds of each item, A21 correlation-by-threshold, diagonal A22), and
  B = Σ_i s_i s_iᵀ,  Γ = N · A⁻¹ B A⁻ᵀ,   A⁻¹ = [[A11⁻¹, 0], [−A22⁻¹ A21 A11⁻¹, A22⁻¹]].

The vector of sample statistics is lavaan's ``WLS.obs``: the thresholds of item 1, item 2, …,
then the correlations below the diagonal column by column (``lav_matrix_vech(R, diagonal =
FALSE)``). Missing answers: "listwise" (lavaan's default) drops incomplete rows; "pairwise"
uses, for each threshold, the item's answered rows and for each correlation the rows where both
items were answered (case-wise scores of unanswered items are zero) — the number of rows behind
each correlation is kept in ``pairs``.

Categories are the distinct values that occur in the data (all groups together), in their order,
as R's ``ordered()``: a scale point nobody used anywhere is dropped (the remaining ones are
renumbered 1..K); a category that occurs in some group but not in another is an error, as in
lavaan ("some categories are empty in group …"); :func:`collapse_categories` merges such categories
with a neighbour in all groups (a documented collapse, with a log).

References: Muthén (1984), Psychometrika 49, 115–132; Olsson (1979), Psychometrika 44, 443–460;
lavaan ``muthen1984()``, ``lav_samplestats_step1/2``, ``lav_bvord_cor_twostep_fit``.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import special

from ..errors import DataError, EstimationWarning
from ..i18n import t
from ..stats.polychoric import bounds as _bounds
from ..stats.polychoric import cell_probabilities as _cell_quantities
from ..stats.polychoric import pair_tables as _tables
from ..stats.polychoric import polychoric_twostep
from ..validation import check_columns, check_group_column
from .ml import SampleStats

__all__ = ["OrdinalStats", "ordinal_stats", "ordinal_codes", "collapse_categories", "MAX_CATEGORIES"]

MAX_CATEGORIES = 10
_BAD_LIK = np.sqrt(np.finfo(float).eps)


@dataclass
class OrdinalStats(SampleStats):
    """SampleStats of ordinal items: ``cov[g]`` is the polychoric correlation matrix, ``mean[g]`` zeros.

    Extra fields: ``th[g]`` thresholds, ``th_var`` (item index of each threshold), ``th_names``
    (``"x1|t1"``), ``nlevels`` per item, ``levels`` (the values behind categories 1..K), ``wls_obs[g]``
    (thresholds then correlations), ``gamma[g]`` (NACOV, N-scaled), ``pairs[g]`` (rows behind each
    correlation, p × p, diagonal = rows answering the item).
    """

    th: list = field(default_factory=list)
    th_var: np.ndarray | None = None
    th_names: list = field(default_factory=list)
    nlevels: list = field(default_factory=list)
    levels: list = field(default_factory=list)
    wls_obs: list = field(default_factory=list)
    gamma: list = field(default_factory=list)
    pairs: list = field(default_factory=list)

    def __post_init__(self):
        if not self.logdet:
            self.logdet = [float(np.linalg.slogdet(S)[1]) for S in self.cov]

    @property
    def nth(self) -> int:
        return int(len(self.th_var))


def ordinal_codes(frame: pd.DataFrame, ov: list) -> tuple[np.ndarray, list, list]:
    """Integer category codes 0..K−1 (−1 = missing) per item, the number of categories and the levels.

    Numeric columns: the distinct values in increasing order; ordered pandas Categoricals: their
    categories that occur, in their order. More than ``MAX_CATEGORIES`` categories gives an
    EstimationWarning (such items are usually better treated as continuous); an item with a single
    category is a DataError.
    """
    n = len(frame)
    codes = np.full((n, len(ov)), -1, dtype=np.int64)
    nlev, levels, many, bad = [], [], [], []
    for j, v in enumerate(ov):
        col = frame[v]
        if isinstance(col.dtype, pd.CategoricalDtype):
            present = set(col.dropna().unique())
            lev = [c for c in col.cat.categories if c in present]
            lookup = {c: i for i, c in enumerate(lev)}
            vals = col.to_numpy(dtype=object)
            ok = ~pd.isna(col).to_numpy()
            codes[ok, j] = [lookup[x] for x in vals[ok]]
        else:
            x = pd.to_numeric(col, errors="coerce").to_numpy(dtype=float)
            ok = np.isfinite(x)
            lev = np.unique(x[ok]).tolist()
            codes[ok, j] = np.searchsorted(np.asarray(lev), x[ok])
        if len(lev) < 2:
            bad.append(f"'{v}'")
        if len(lev) > MAX_CATEGORIES:
            many.append(f"'{v}' ({len(lev)})")
        nlev.append(len(lev))
        levels.append(lev)
    if bad:
        raise DataError(t("sem.ordinal.one_category", columns=", ".join(bad)))
    if many:
        warnings.warn(t("sem.ordinal.many_categories", columns=", ".join(many), max=MAX_CATEGORIES),
                      EstimationWarning, stacklevel=3)
    return codes, nlev, levels


def _group_stats(codes, nlev, names):
    """Thresholds, polychoric correlations, NACOV and pair counts of one group (codes n × p)."""
    n, p = codes.shape
    kmax = max(nlev)
    th_list, uni_scores = _thresholds(codes, nlev, names)
    lo, up = _bounds(th_list, kmax)
    # pairs in lavaan's order: column j, rows i > j
    J, I = np.triu_indices(p, 1)            # (j, i) with i > j, j-major: (0,1),(0,2),...,(1,2)...
    order = np.lexsort((I, J))
    I, J = I[order], J[order]
    tab = _tables(codes, I, J, kmax)
    # no zero-cell correction: lavaan 0.6 lists zero.add = c(0.5, 0) but its bivariate likelihood uses the
    # uncorrected table (a 2 x 2 table with one empty cell gives rho at the bound 0.999, as here)
    rho = polychoric_twostep(tab, lo[I], up[I], lo[J], up[J], start=_pearson_start(codes, I, J))
    R = np.eye(p)
    R[I, J] = rho
    R[J, I] = rho
    pairs = np.zeros((p, p), dtype=int)
    pairs[I, J] = pairs[J, I] = tab.sum(axis=(1, 2)).astype(int)
    pairs[np.arange(p), np.arange(p)] = (codes >= 0).sum(axis=0)
    gamma = _muthen_gamma(codes, nlev, th_list, uni_scores, tab, rho, lo, up, I, J)
    th = np.concatenate(th_list)
    return th, R, rho, gamma, pairs


class _EmptyCategory(Exception):
    """Internal signal of :func:`_thresholds`: item ``names[j]`` has a category nobody chose
    (``freq``: the counts of its categories); :func:`ordinal_stats` turns it into a DataError that
    names the group and the levels."""

    def __init__(self, item: str, freq):
        super().__init__(item)
        self.item, self.freq = item, freq


def _thresholds(codes, nlev, names):
    """Step 1: each item's thresholds from its own answers, τ_k = Φ⁻¹(cumulative share), and the
    per-category scores of the univariate likelihood (for the NACOV)."""
    th_list, uni_scores = [], []
    for j in range(codes.shape[1]):
        c = codes[:, j]
        freq = np.bincount(c[c >= 0], minlength=nlev[j]).astype(float)
        if np.any(freq == 0):
            raise _EmptyCategory(names[j], " ".join(str(int(f)) for f in freq))
        th = special.ndtri(np.cumsum(freq)[:-1] / freq.sum())
        th_list.append(th)
        # score of category c w.r.t. tau_k: (1[c == k] - 1[c == k + 1]) phi(tau_k) / P_c
        K = nlev[j]
        Pc = freq / freq.sum()
        U = np.zeros((K, K - 1))
        ph = np.exp(-0.5 * th * th) / np.sqrt(2 * np.pi)
        U[np.arange(K - 1), np.arange(K - 1)] = ph / Pc[:K - 1]
        U[np.arange(1, K), np.arange(K - 1)] -= ph / Pc[1:]
        uni_scores.append((U, freq))
    return th_list, uni_scores


def _pearson_start(codes, I, J):
    """Start of each polychoric: the Pearson correlation of the codes, pairwise complete (as lavaan);
    0 where it is undefined or ±1."""
    M = (codes >= 0).astype(float)
    X = np.where(codes >= 0, codes, 0).astype(float)
    npw = M.T @ M
    with np.errstate(invalid="ignore", divide="ignore"):
        mx = (X.T @ M) / npw                       # mean of item i over the rows where j is answered
        sxx = ((X * X).T @ M) / npw - mx * mx
        sxy = (X.T @ X) / npw - mx * mx.T
        pear = sxy / np.sqrt(sxx * sxx.T)
    start = np.nan_to_num(pear[I, J], nan=0.0)
    return np.where(np.abs(start) >= 1, 0.0, start)


def _muthen_gamma(codes, nlev, th_list, uni_scores, tab, rho, lo, up, I, J):
    """NACOV of thresholds and polychorics (Muthén 1984; lavaan's ``muthen1984``): Γ = n B⁻¹ (Σ sᵢ sᵢᵀ) B⁻ᵀ
    from the case-wise scores s and the block-triangular information B of the two-step estimator."""
    n = codes.shape[0]
    P, dP = _cell_quantities(rho, lo[I], up[I], lo[J], up[J])
    bad = P <= _BAD_LIK
    Ps = np.where(bad, 1.0, P)
    s_rho = np.where(bad, 0.0, dP / Ps)                        # d log P_ab / d rho
    nth = sum(len(tt) for tt in th_list)
    th_end = np.cumsum([len(tt) for tt in th_list])
    th_start = th_end - np.array([len(tt) for tt in th_list])
    npair = len(I)
    A21 = _rho_threshold_block(nlev, tab, rho, s_rho, Ps, bad, lo, up, I, J, nth, th_start, th_end)
    A22 = np.sum(tab * s_rho * s_rho, axis=(1, 2))
    A11 = np.zeros((nth, nth))
    for j, (U, freq) in enumerate(uni_scores):
        sl = slice(th_start[j], th_end[j])
        A11[sl, sl] = (U * freq[:, None]).T @ U
    # case-wise scores
    SC = np.zeros((n, nth + npair))
    for j, (U, _) in enumerate(uni_scores):
        c = codes[:, j]
        ok = c >= 0
        SC[np.ix_(ok, np.arange(th_start[j], th_end[j]))] = U[c[ok]]
    a, b = codes[:, I], codes[:, J]
    ok = (a >= 0) & (b >= 0)
    mm = np.broadcast_to(np.arange(npair), a.shape)
    SC[:, nth:] = np.where(ok, s_rho[mm, np.maximum(a, 0), np.maximum(b, 0)], 0.0)
    INNER = SC.T @ SC
    if np.any(A22 <= 0):
        raise DataError(t("sem.ordinal.gamma_failed"))
    A11inv = np.linalg.inv(A11)
    A22inv = 1.0 / A22
    Binv = np.zeros((nth + npair, nth + npair))
    Binv[:nth, :nth] = A11inv
    Binv[nth:, :nth] = -(A22inv[:, None] * A21) @ A11inv
    Binv[nth:, nth:] = np.diag(A22inv)
    return n * (Binv @ INNER @ Binv.T)


def _rho_threshold_block(nlev, tab, rho, s_rho, Ps, bad, lo, up, I, J, nth, th_start, th_end):
    """The block of B that couples each polychoric's score with its two items' thresholds
    (derivatives of the bivariate cell probabilities at the thresholds)."""
    Rr = np.sqrt(1.0 - rho * rho)[:, None, None]
    r = rho[:, None, None]
    phi = lambda x: np.exp(-0.5 * np.clip(x, -38, 38) ** 2) / np.sqrt(2 * np.pi)  # noqa: E731
    Phi = special.ndtr
    l1, u1 = lo[I][:, :, None], up[I][:, :, None]
    l2, u2 = lo[J][:, None, :], up[J][:, None, :]

    def cond(x, a_hi, a_lo):      # Phi((a_hi - rho x)/R) - Phi((a_lo - rho x)/R), x finite-clipped
        xc = np.clip(x, -38, 38)
        return Phi((np.clip(a_hi, -1e10, 1e10) - r * xc) / Rr) - Phi((np.clip(a_lo, -1e10, 1e10) - r * xc) / Rr)
    Z1_1 = phi(u1) * cond(u1, u2, l2)         # item I at its upper bound
    Z2_1 = phi(l1) * cond(l1, u2, l2)         # item I at its lower bound
    Z1_2 = phi(u2) * cond(u2, u1, l1)
    Z2_2 = phi(l2) * cond(l2, u1, l1)
    w = np.where(bad, 0.0, tab * s_rho / Ps)
    M1, M2 = w * Z1_1, w * Z2_1
    N1, N2 = w * Z1_2, w * Z2_2
    A21 = np.zeros((len(I), nth))
    for m, (i, j) in enumerate(zip(I, J)):
        Ki, Kj = nlev[i], nlev[j]
        A21[m, th_start[i]:th_end[i]] = M1[m].sum(axis=1)[:Ki - 1] - M2[m].sum(axis=1)[1:Ki]
        A21[m, th_start[j]:th_end[j]] = N1[m].sum(axis=0)[:Kj - 1] - N2[m].sum(axis=0)[1:Kj]
    return A21


def ordinal_stats(frame: pd.DataFrame, ov: list, *, group: str | None = None, group_labels=None,
                  missing: str = "listwise") -> OrdinalStats:
    """Thresholds, polychoric correlations and their NACOV per group (see the module docstring)."""
    codes_all, nlev, levels = ordinal_codes(frame, ov)
    keep = np.ones(len(frame), bool)
    if group is not None:
        keep &= ~pd.isna(frame[group]).to_numpy()
    if missing == "listwise":
        keep &= (codes_all >= 0).all(axis=1)
    else:
        keep &= (codes_all >= 0).any(axis=1)       # rows with no answer at all carry no information
    n_dropped = int((~keep).sum())
    if not keep.any():
        raise DataError(t("sem.data.all_dropped", n=len(frame)))
    if group is not None:
        gcol = frame[group].to_numpy(dtype=object)
        labels = list(group_labels)
        parts = [codes_all[keep & (gcol == lab)] for lab in labels]
    else:
        labels = [None]
        parts = [codes_all[keep]]
    th_var = np.concatenate([np.full(k - 1, j) for j, k in enumerate(nlev)])
    th_names = [f"{v}|t{c + 1}" for v, k in zip(ov, nlev) for c in range(k - 1)]
    covs, means, ns, ths, obs, gams, prs = [], [], [], [], [], [], []
    p = len(ov)
    # lavaan's vech (column-major lower triangle) without the diagonal
    cols, rows = np.triu_indices(p, 1)
    for lab, C in zip(labels, parts):
        if C.shape[0] < 2:
            raise DataError(t("sem.data.group_too_small", group=lab, n=C.shape[0]))
        try:
            th, R, _, gamma, pairs = _group_stats(C, nlev, list(ov))
        except _EmptyCategory as e:
            j = list(ov).index(e.item)
            where = "" if lab is None else t("sem.data.in_group", group=lab)
            raise DataError(t("sem.ordinal.empty_category", item=e.item, where=where, freq=e.freq,
                              levels=", ".join(_fmt(v) for v in levels[j]))) from None
        near = [f"{ov[i]}–{ov[j]}" for i, j in zip(*np.nonzero(np.triu(np.abs(R) > 0.99, 1)))]
        if near:
            where = "" if lab is None else t("sem.data.in_group", group=lab)
            warnings.warn(t("sem.ordinal.near_one", pairs=", ".join(near), where=where), EstimationWarning,
                          stacklevel=4)
        covs.append(R)
        means.append(np.zeros(p))
        ns.append(int(C.shape[0]))
        ths.append(th)
        obs.append(np.r_[th, R[rows, cols]])
        gams.append(gamma)
        prs.append(pairs)
    return OrdinalStats(list(ov), covs, means, ns, labels, None, n_dropped, missing, th=ths, th_var=th_var,
                        th_names=th_names, nlevels=list(nlev), levels=levels, wls_obs=obs, gamma=gams, pairs=prs)


def _fmt(v):
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def collapse_categories(data, columns, group: str | None = None):
    """Merge answer categories that nobody chose in some group with a neighbouring category (all groups alike).

    Thresholds of an ordinal item need every category answered in every group (lavaan stops with "some
    categories are empty"). This documented collapse recodes, item by item, an empty category into its
    neighbour — the lowest category into the next higher, the highest into the next lower, an inner one
    into the less frequent neighbour — in *all* groups, so that the categories (and thresholds) stay
    comparable, and repeats until no group has an empty category.

    Returns ``(data, log)``: a copy of the data with the recoded items and a DataFrame ``item, merged,
    into, reason`` (one row per merge). Missing answers stay missing.

    Example
    -------
    >>> recoded, log = collapse_categories(data, items, group="segment")     # doctest: +SKIP
    >>> ce.fit(model, recoded, ordered=True, group="segment")                # doctest: +SKIP
    """
    frame = data.data if hasattr(data, "data") and isinstance(getattr(data, "data"), pd.DataFrame) else data
    frame = pd.DataFrame(frame).copy()
    cols = [columns] if isinstance(columns, str) else list(columns)
    check_columns(frame, cols, key="sem.data.missing_columns")
    check_group_column(frame, group)
    keys = [None] if group is None else list(pd.unique(frame[group].dropna()))
    log = []
    for c in cols:
        col = pd.to_numeric(frame[c], errors="coerce")
        while True:
            levels = np.unique(col.dropna().to_numpy())
            if len(levels) < 2:
                break
            counts = np.array([[int(((col == v) & (True if k is None else frame[group] == k)).sum()) for v in levels]
                               for k in keys])
            empty = np.flatnonzero((counts == 0).any(axis=0))
            if len(empty) == 0:
                break
            i = int(empty[0])
            if i == 0:
                j = 1
            elif i == len(levels) - 1:
                j = i - 1
            else:
                j = i - 1 if counts[:, i - 1].sum() <= counts[:, i + 1].sum() else i + 1
            where = [str(k) for k, row in zip(keys, counts) if row[i] == 0]
            log.append({"item": c, "merged": _fmt(float(levels[i])), "into": _fmt(float(levels[j])),
                        "reason": t("sem.ordinal.collapse_reason", groups=", ".join(w for w in where if w != "None"))})
            col = col.where(col != levels[i], levels[j])
        frame[c] = col
    return frame, pd.DataFrame(log, columns=["item", "merged", "into", "reason"])
