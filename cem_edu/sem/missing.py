"""Missing-data patterns, the casewise normal likelihood, EM for the saturated (H1) model and the
saturated-model information: the missing-data code shared by FIML estimation (:mod:`.fiml`),
robust ML (:mod:`.robust`) and the FIML bootstrap.

Rows are grouped by their missing-data pattern. For a pattern *k* with observed
variables *o*, ``n_k`` rows, pattern mean ``ȳ_k`` and biased pattern covariance ``S_k``,
the casewise (Anderson 1957; Arbuckle 1996) log-likelihood is

    ℓ_k = -½ n_k [ p_k log 2π + log|Σ_oo| + tr(Σ_oo⁻¹ (S_k + (ȳ_k - μ_o)(ȳ_k - μ_o)')) ]

and ℓ = Σ_k ℓ_k. Its gradient with respect to the model-implied moments is

    ∂ℓ/∂Σ_oo = ½ n_k (W C_k W - W),  ∂ℓ/∂μ_o = n_k W (ȳ_k - μ_o),  W = Σ_oo⁻¹, C_k = S_k + dd'

which the model Jacobian turns into a gradient with respect to the free parameters
(:class:`CasewiseObjective`). The H1 (saturated) model is estimated by EM (Dempster, Laird &
Rubin 1977). Patterns with the same number of observed variables are processed as one batch
(one Cholesky factor per pattern). :func:`numeric_hessian` and
:func:`h1_observed_information_kron` are kept as test oracles.

References: Arbuckle (1996) in Marcoulides & Schumacker (Eds.), Advanced SEM;
Enders (2010) Applied Missing Data Analysis; lavaan ``lav_mvnorm_missing.R``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Pattern", "PatternList", "missing_patterns", "loglik", "loglik_grad", "casewise_scores", "em_h1",
           "available_case_moments", "independence_loglik", "vech_rows_cols", "sym_grad_to_vech",
           "numeric_hessian", "CasewiseObjective", "h1_observed_information", "h1_observed_information_kron",
           "duplication_matrix", "LOG2PI"]

LOG2PI = np.log(2.0 * np.pi)

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
    ix: tuple = ()        # np.ix_(idx, idx)

class PatternList(list):
    """A list of :class:`Pattern` that caches its batched form (see :func:`_blocks`)."""

    _blocks = None

_BLOCK_ELEMENTS = 1_500_000   # chunk size (elements of the largest per-chunk temporary)

@dataclass
class _Block:
    """Patterns with the same number q of observed variables, stacked for batched linear algebra."""

    idx: np.ndarray       # (m, q) observed-variable indices
    n: np.ndarray         # (m,) rows per pattern
    mean: np.ndarray      # (m, q)
    cov: np.ndarray       # (m, q, q)

def _blocks(patterns) -> list[_Block]:
    """Group patterns by their number of observed variables (chunked so a q*-by-q* stack stays
    small); cached on a :class:`PatternList`."""
    cached = getattr(patterns, "_blocks", None)
    if cached is not None:
        return cached
    by_q: dict[int, list[Pattern]] = {}
    for pt in patterns:
        by_q.setdefault(len(pt.idx), []).append(pt)
    out = []
    for q, pats in sorted(by_q.items()):
        qs = q * (q + 1) // 2
        step = max(1, _BLOCK_ELEMENTS // max(qs * qs, 1))
        for i in range(0, len(pats), step):
            part = pats[i:i + step]
            out.append(_Block(idx=np.array([pt.idx for pt in part], dtype=np.intp).reshape(len(part), q),
                              n=np.array([pt.n for pt in part], dtype=float),
                              mean=np.array([pt.mean for pt in part]).reshape(len(part), q),
                              cov=np.array([pt.cov for pt in part]).reshape(len(part), q, q)))
    if isinstance(patterns, PatternList):
        patterns._blocks = out
    return out

def _block_moments(b: _Block, Sigma: np.ndarray, mu: np.ndarray):
    """(W = Σ_oo⁻¹, log|Σ_oo|, d = ȳ - μ_o, C = S + dd') for every pattern of a block: one
    Cholesky factor per pattern (batched); raises LinAlgError if some Σ_oo is not PD."""
    S = Sigma[b.idx[:, :, None], b.idx[:, None, :]]
    L = np.linalg.cholesky(S)
    logdet = 2.0 * np.log(np.diagonal(L, axis1=1, axis2=2)).sum(axis=1)
    if not np.all(np.isfinite(logdet)):
        raise np.linalg.LinAlgError("not positive definite")
    Li = np.linalg.inv(L)
    W = np.matmul(Li.transpose(0, 2, 1), Li)
    d = b.mean - mu[b.idx]
    C = b.cov + d[:, :, None] * d[:, None, :]
    return W, logdet, d, C

def missing_patterns(Y: np.ndarray) -> list[Pattern]:
    """Group the rows of Y (NaN = missing) by missing-data pattern; rows with nothing observed are
    dropped (as lavaan does)."""
    Y = np.asarray(Y, dtype=float)
    obs = ~np.isnan(Y)
    keep = obs.any(axis=1)
    codes, inv = np.unique(obs, axis=0, return_inverse=True)
    inv = np.asarray(inv).ravel()
    out = PatternList()
    for k, mask in enumerate(codes):
        if not mask.any():
            continue
        rows = np.flatnonzero((inv == k) & keep)
        idx = np.flatnonzero(mask)
        y = Y[np.ix_(rows, idx)]
        m = y.mean(axis=0)
        d = y - m
        out.append(Pattern(idx=idx, rows=rows, y=y, n=len(rows), mean=m, cov=d.T @ d / len(rows),
                           ix=np.ix_(idx, idx)))
    return out

def _inv_logdet(S):
    sign, logdet = np.linalg.slogdet(S)
    if sign <= 0:
        raise np.linalg.LinAlgError("not positive definite")
    return np.linalg.inv(S), logdet

def loglik(patterns: list[Pattern], Sigma: np.ndarray, mu: np.ndarray) -> float:
    """Casewise normal log-likelihood Σ_k ℓ_k (see the module docstring); -inf if Σ is not PD."""
    ll = 0.0
    for b in _blocks(patterns):
        try:
            W, logdet, d, C = _block_moments(b, Sigma, mu)
        except np.linalg.LinAlgError:
            return -np.inf
        q = b.idx.shape[1]
        ll -= 0.5 * float(b.n @ (q * LOG2PI + logdet + np.einsum("kij,kij->k", W, C)))
    return float(ll)

def loglik_grad(patterns: list[Pattern], Sigma: np.ndarray, mu: np.ndarray):
    """(ℓ, ∂ℓ/∂Σ as a symmetric p x p matrix with elements treated as distinct, ∂ℓ/∂μ).

    Raises LinAlgError if some Σ_oo is not positive definite."""
    p = len(mu)
    G = np.zeros(p * p)
    g = np.zeros(p)
    ll = 0.0
    for b in _blocks(patterns):
        W, logdet, d, C = _block_moments(b, Sigma, mu)
        q = b.idx.shape[1]
        ll -= 0.5 * float(b.n @ (q * LOG2PI + logdet + np.einsum("kij,kij->k", W, C)))
        WCW = np.matmul(np.matmul(W, C), W)
        Gk = (0.5 * b.n)[:, None, None] * (WCW - W)
        flat = b.idx[:, :, None] * p + b.idx[:, None, :]
        G += np.bincount(flat.ravel(), weights=Gk.ravel(), minlength=p * p)
        Wd = np.einsum("kij,kj->ki", W, d) * b.n[:, None]
        g += np.bincount(b.idx.ravel(), weights=Wd.ravel(), minlength=p)
    return float(ll), G.reshape(p, p), g

_MEMO: list = []          # the last few saturated-information results: [(key, patterns, value)]

def _memo(name, patterns, Sigma, mu, extra, compute):
    """Reuse a saturated-model matrix computed for the same patterns and moments (robust ML and
    FIML-C both evaluate them at the EM moments); the patterns object is kept with the entry so
    its identity cannot be recycled."""
    key = (name, id(patterns), np.asarray(Sigma).tobytes(), np.asarray(mu).tobytes(), extra)
    for k, pats, val in _MEMO:
        if k == key and pats is patterns:
            return val
    val = compute()
    _MEMO.append((key, patterns, val))
    del _MEMO[:-6]
    return val

def clear_memo() -> None:
    """Drop the reused saturated-information results (called at the end of every fit)."""
    _MEMO.clear()

def casewise_scores(patterns: list[Pattern], Sigma, mu, n_rows: int, rc=None, meanstructure=True):
    """Casewise scores ∂ℓ_i/∂(μ, vech Σ) (rows in data order; rows never observed stay zero).

    ∂ℓ_i/∂μ_o = W e_i,  ∂ℓ_i/∂Σ_oo = ½ (W e_i e_i' W - W), e_i = y_i,o - μ_o.
    Returns an (n_rows, p + p*) array when meanstructure else (n_rows, p*).
    """
    p = len(mu)
    r, c = rc if rc is not None else vech_rows_cols(p)
    pstar = len(r)
    pos = -np.ones((p, p), dtype=np.intp)
    pos[r, c] = np.arange(pstar)
    pos[c, r] = np.arange(pstar)
    out = np.zeros((n_rows, p + pstar))
    for pt in patterns:
        o = pt.idx
        W, _ = _inv_logdet(Sigma[pt.ix])
        E = pt.y - mu[o]
        WE = E @ W
        out[np.ix_(pt.rows, o)] = WE
        # vech positions of the observed block
        ro, co = np.tril_indices(len(o))
        cols = pos[o[ro], o[co]]
        mult = np.where(ro == co, 0.5, 1.0)  # off-diagonal: ½·2 (two symmetric positions)
        sc = mult * (WE[:, ro] * WE[:, co] - W[ro, co])
        out[np.ix_(pt.rows, p + cols)] = sc
    return out if meanstructure else out[:, p:]

def em_h1(patterns: list[Pattern], p: int, tol: float = 1e-9, max_iter: int = 5000):
    """Saturated-model ML estimates (μ, Σ) from incomplete data by EM; returns (mu, Sigma, logl).

    E-step: for each pattern, regress the missing on the observed variables under the current
    (μ, Σ) and accumulate expected sufficient statistics Σ y and Σ yy'; M-step: μ = T1/N,
    Σ = T2/N - μμ'.
    """
    N = sum(pt.n for pt in patterns)
    # start: available-case means and variances
    mu, var = available_case_moments(patterns, p)
    Sigma = np.diag(var)
    # the observed part of the sufficient statistics does not change between iterations
    T1o = np.zeros(p)
    T2o = np.zeros(p * p)
    pre = []
    for b in _blocks(patterns):
        mm, q = b.idx.shape
        sy = b.n[:, None] * b.mean                                              # (m, q)
        syy = b.n[:, None, None] * (b.cov + b.mean[:, :, None] * b.mean[:, None, :])
        T1o += np.bincount(b.idx.ravel(), weights=sy.ravel(), minlength=p)
        T2o += np.bincount((b.idx[:, :, None] * p + b.idx[:, None, :]).ravel(), weights=syy.ravel(),
                           minlength=p * p)
        if q == p:
            continue
        seen = np.zeros((mm, p), bool)
        seen[np.arange(mm)[:, None], b.idx] = True
        mi = np.nonzero(~seen)[1].reshape(mm, p - q)                            # missing variables
        o = b.idx
        pre.append((o, mi, sy, syy, b.n,
                    (mi[:, :, None] * p + o[:, None, :]).ravel(),               # T2[m, o]
                    (o[:, :, None] * p + mi[:, None, :]).ravel(),               # T2[o, m]
                    (mi[:, :, None] * p + mi[:, None, :]).ravel()))             # T2[m, m]
    for _ in range(max_iter):
        T1 = T1o.copy()
        T2 = T2o.copy()
        for o, m, sy, syy, n, f_mo, f_om, f_mm in pre:
            Soo = Sigma[o[:, :, None], o[:, None, :]]
            Som = Sigma[o[:, :, None], m[:, None, :]]
            B = np.linalg.solve(Soo, Som).transpose(0, 2, 1)   # (k, m, o): regression of missing on observed
            a = mu[m] - np.einsum("kij,kj->ki", B, mu[o])
            Bsy = np.einsum("kij,kj->ki", B, sy)
            T1 += np.bincount(m.ravel(), weights=(n[:, None] * a + Bsy).ravel(), minlength=p)
            smo = a[:, :, None] * sy[:, None, :] + np.matmul(B, syy)
            T2 += np.bincount(f_mo, weights=smo.ravel(), minlength=p * p)
            T2 += np.bincount(f_om, weights=smo.transpose(0, 2, 1).ravel(), minlength=p * p)
            cm = Sigma[m[:, :, None], m[:, None, :]] - np.matmul(B, Som)
            BsyB = np.matmul(np.matmul(B, syy), B.transpose(0, 2, 1))
            aBsy = a[:, :, None] * Bsy[:, None, :]
            mm_ = (n[:, None, None] * (a[:, :, None] * a[:, None, :] + cm) + aBsy + aBsy.transpose(0, 2, 1)
                   + BsyB)
            T2 += np.bincount(f_mm, weights=mm_.ravel(), minlength=p * p)
        T2 = T2.reshape(p, p)
        mu_new = T1 / N
        Sigma_new = T2 / N - np.outer(mu_new, mu_new)
        Sigma_new = (Sigma_new + Sigma_new.T) / 2
        delta = max(np.abs(mu_new - mu).max(), np.abs(Sigma_new - Sigma).max())
        mu, Sigma = mu_new, Sigma_new
        if delta < tol:
            break
    ll = loglik(patterns, Sigma, mu)
    return mu, Sigma, ll

def available_case_moments(patterns: list[Pattern], p: int) -> tuple[np.ndarray, np.ndarray]:
    """ML means and variances of each variable from the rows where it is observed (available cases)."""
    s1 = np.zeros(p)
    s2 = np.zeros(p)
    cnt = np.zeros(p)
    for pt in patterns:
        s1[pt.idx] += pt.n * pt.mean
        s2[pt.idx] += pt.n * (np.diag(pt.cov) + pt.mean ** 2)
        cnt[pt.idx] += pt.n
    mu = s1 / cnt
    return mu, s2 / cnt - mu ** 2

def independence_loglik(patterns: list[Pattern], p: int):
    """ML of the independence (baseline) model under FIML: with diagonal Σ the casewise likelihood
    factorises over variables, so each mean/variance is the available-case ML estimate."""
    mu, var = available_case_moments(patterns, p)
    return mu, np.diag(var), loglik(patterns, np.diag(var), mu)

def numeric_hessian(grad, x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Symmetrised Hessian from an analytic gradient by central differences (lavaan's
    ``lav_model_hessian`` does the same with a 4-point rule)."""
    n = len(x)
    H = np.zeros((n, n))
    for j in range(n):
        e = np.zeros(n)
        e[j] = h
        H[:, j] = (grad(x + e) - grad(x - e)) / (2 * h)
    return (H + H.T) / 2

def duplication_matrix(p: int, rc=None) -> np.ndarray:
    """D with vec(Σ) = D vech(Σ) (column-major vec, vech in the order of ``vech_rows_cols``)."""
    r, c = rc if rc is not None else vech_rows_cols(p)
    D = np.zeros((p * p, len(r)))
    k = np.arange(len(r))
    D[c * p + r, k] = 1.0
    D[r * p + c, k] = 1.0
    return D

def h1_observed_information(patterns: list[Pattern], Sigma, mu, rc=None, meanstructure=True):
    """:func:`_h1_observed_information` with reuse of the last results (same patterns and moments)."""
    rck = None if rc is None else (np.asarray(rc[0]).tobytes(), np.asarray(rc[1]).tobytes())
    return _memo("A1", patterns, Sigma, mu, (rck, bool(meanstructure)),
                 lambda: _h1_observed_information(patterns, Sigma, mu, rc, meanstructure))

def _h1_observed_information(patterns: list[Pattern], Sigma, mu, rc=None, meanstructure=True):
    """Observed information per case, -1/n ∂²ℓ/∂θ∂θ', of the saturated model in θ = (μ, vech Σ),
    analytic, at the given moments. Per pattern (W = Σ_oo⁻¹, d = ȳ_k - μ_o, C = S_k + dd',
    Q = W C W - W/2):

        μμ: n W,  μΣ: n (Wd)' ⊗ W,  ΣΣ: n/2 [Q ⊗ W + W ⊗ Q]  (on vec Σ; then D'·D).

    The vech form is assembled elementwise for all patterns of equal size at once: for vech
    positions a = (i, j), b = (k, l), (D'(Q⊗W + W⊗Q)D)_ab / 2 = w_a w_b (W_ik Q_jl + Q_ik W_jl +
    W_il Q_jk + Q_il W_jk), w = ½ on the diagonal, 1 off it. With W̃_k, Q̃_k the pattern matrices
    padded to p x p by zeros, the sum over patterns of these products is one matrix product,
    T[(i,k),(j,l)] = Σ_k n_k W̃_k[i,k] Q̃_k[j,l], from which the vech entries are gathered (for very
    large p, where T would not fit, the patterns are summed block by block instead).
    (:func:`h1_observed_information_kron` is the literal Kronecker form, kept as a test oracle.)
    """
    p = len(mu)
    if p ** 4 > _BLOCK_ELEMENTS * 2:
        return _h1_observed_information_blocked(patterns, Sigma, mu, rc, meanstructure)
    r, c = rc if rc is not None else vech_rows_cols(p)
    ps = len(r)
    w = np.where(r == c, 0.5, 1.0)
    T = np.zeros((p * p, p * p))       # Σ_k n_k W̃_k[i,k] Q̃_k[j,l] at [(i,k),(j,l)]
    U = np.zeros((p * p, p))           # Σ_k n_k W̃_k[i,r] (W̃_k d_k)[c] at [(i,r),c]
    nWsum = np.zeros((p, p))
    N = 0.0
    for b in _blocks(patterns):
        W, _, d, C = _block_moments(b, Sigma, mu)
        m = len(b.n)
        k = np.arange(m)[:, None, None]
        ii, jj = b.idx[:, :, None], b.idx[:, None, :]
        nW = np.zeros((m, p, p))
        nW[k, ii, jj] = W * b.n[:, None, None]
        Qp = np.zeros((m, p, p))
        Qp[k, ii, jj] = np.matmul(np.matmul(W, C), W) - 0.5 * W
        vp = np.zeros((m, p))
        vp[np.arange(m)[:, None], b.idx] = np.einsum("kij,kj->ki", W, d)
        nWf = nW.reshape(m, p * p).T
        T += nWf @ Qp.reshape(m, p * p)
        U += nWf @ vp
        nWsum += nW.sum(axis=0)
        N += b.n.sum()
    T = T.reshape(p, p, p, p)          # [i,k,j,l]
    U = U.reshape(p, p, p)             # [i,r,c]
    ra, rb, ca, cb = r[:, None], r[None, :], c[:, None], c[None, :]
    Hv = T[ra, rb, ca, cb] + T[ca, cb, ra, rb] + T[ra, cb, ca, rb] + T[ca, rb, ra, cb]
    Hv *= w[:, None] * w[None, :]
    Hm = (U[:, r, c] + U[:, c, r]) * w[None, :]
    H = np.empty((p + ps, p + ps))
    H[:p, :p] = nWsum
    H[:p, p:] = Hm
    H[p:, :p] = Hm.T
    H[p:, p:] = Hv
    H /= N
    return H if meanstructure else H[p:, p:]

def _h1_observed_information_blocked(patterns, Sigma, mu, rc=None, meanstructure=True):
    """:func:`h1_observed_information` summed pattern block by pattern block (large p)."""
    p = len(mu)
    r, c = rc if rc is not None else vech_rows_cols(p)
    ps = len(r)
    K = p + ps
    pos = -np.ones((p, p), dtype=np.intp)
    pos[r, c] = np.arange(ps)
    pos[c, r] = np.arange(ps)
    H = np.zeros(K * K)
    N = 0.0
    for b in _blocks(patterns):
        W, _, d, C = _block_moments(b, Sigma, mu)
        q = b.idx.shape[1]
        ro, co = vech_rows_cols(q)
        w = np.where(ro == co, 0.5, 1.0)
        Q = np.matmul(np.matmul(W, C), W) - 0.5 * W
        n = b.n[:, None, None]
        Wr, Qr = W[:, ro, :], Q[:, ro, :]
        Wrr, Wrc = Wr[:, :, ro], Wr[:, :, co]
        Qrr, Qrc = Qr[:, :, ro], Qr[:, :, co]
        Wcc = W[:, co[:, None], co[None, :]]
        Qcc = Q[:, co[:, None], co[None, :]]
        Hv = Wrr * Qcc
        Hv += Qrr * Wcc
        Hv += Wrc * Qrc.transpose(0, 2, 1)
        Hv += Qrc * Wrc.transpose(0, 2, 1)
        Hv *= n * (w[:, None] * w[None, :])
        vi = p + pos[b.idx[:, ro], b.idx[:, co]]                   # (m, q*) positions in θ
        v = np.einsum("kij,kj->ki", W, d)                           # W d
        Hm = (W[:, :, ro] * v[:, None, co] + W[:, :, co] * v[:, None, ro]) * (n * w[None, None, :])
        Hmm = n * W
        idx = b.idx
        flat = [(vi[:, :, None] * K + vi[:, None, :], Hv),
                (idx[:, :, None] * K + idx[:, None, :], Hmm),
                (idx[:, :, None] * K + vi[:, None, :], Hm),
                (vi[:, None, :] * K + idx[:, :, None], Hm)]
        for f, val in flat:
            H += np.bincount(f.ravel(), weights=val.ravel(), minlength=K * K)
        N += b.n.sum()
    H = H.reshape(K, K) / N
    return H if meanstructure else H[p:, p:]

def h1_observed_information_kron(patterns: list[Pattern], Sigma, mu, rc=None, meanstructure=True):
    """Test oracle for :func:`h1_observed_information` (same result, Kronecker products per pattern).

    Observed information per case, -1/n ∂²ℓ/∂θ∂θ', of the saturated model in θ = (μ, vech Σ),
    analytic, at the given moments. Per pattern (W = Σ_oo⁻¹, d = ȳ_k - μ_o, C = S_k + dd'):

        μμ: n W,  μΣ: n (Wd)' ⊗ W,  ΣΣ: n/2 [WCW ⊗ W + W ⊗ WCW - W ⊗ W]  (on vec Σ; then D'·D).
    """
    p = len(mu)
    r, c = rc if rc is not None else vech_rows_cols(p)
    pos = -np.ones((p, p), dtype=int)
    pos[r, c] = np.arange(len(r))
    pos[c, r] = np.arange(len(r))
    ps = len(r)
    H = np.zeros((p + ps, p + ps))
    N = 0
    for pt in patterns:
        o = pt.idx
        q = len(o)
        W, _ = _inv_logdet(Sigma[pt.ix])
        d = pt.mean - mu[o]
        C = pt.cov + np.outer(d, d)
        WCW = W @ C @ W
        Hs = 0.5 * pt.n * (np.kron(WCW, W) + np.kron(W, WCW) - np.kron(W, W))
        ro, co = vech_rows_cols(q)
        Dq = duplication_matrix(q, (ro, co))
        Hv = Dq.T @ Hs @ Dq
        vi = p + pos[o[ro], o[co]]
        H[np.ix_(vi, vi)] += Hv
        H[np.ix_(o, o)] += pt.n * W
        Hm = pt.n * np.kron((W @ d)[None, :], W) @ Dq     # (q, q*)
        H[np.ix_(o, vi)] += Hm
        H[np.ix_(vi, o)] += Hm.T
        N += pt.n
    H /= N
    return H if meanstructure else H[p:, p:]

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

    def hessian(self, x):
        """Analytic Hessian of -ℓ(x)/N (the observed information per case):

            H = Σ_g (n_g/N) Δ_g' A1_g Δ_g + Σ_g ∂²/∂x² [tr(M_g Σ_g(x)) + m_g' μ_g(x)],

        Δ_g = ∂(μ_g, vech Σ_g)/∂x, A1_g the casewise observed information of the saturated model
        at the implied moments (:func:`h1_observed_information`), M_g = -1/N ∂ℓ_g/∂Σ_g and
        m_g = -1/N ∂ℓ_g/∂μ_g held fixed (the second-derivative term of the moments,
        ``model.second_order_term``). ``numeric_hessian(self.grad, x)`` is the test oracle.
        """
        from .model import second_order_term

        model = self.model
        H = np.zeros((len(x), len(x)))
        implied = model.implied(x)
        jac = model.jacobian(x)
        for g, ((S, mu), (dS, dmu)) in enumerate(zip(implied, jac)):
            pats = self.groups[g]
            mu_g = self._mu(g, mu)
            ms = mu is not None
            A1 = h1_observed_information(pats, S, mu_g, self.rc, ms)
            Delta = np.vstack([dmu, dS]) if ms else dS
            ng = sum(pt.n for pt in pats)
            H += (ng / self.N) * (Delta.T @ A1 @ Delta)
            _, G, gm = loglik_grad(pats, S, mu_g)
            H += second_order_term(model, x, g, -G / self.N, gm / (2.0 * self.N) if ms else None)
        return 0.5 * (H + H.T)

    def loglik(self, x):
        return -self.value(x) * self.N
