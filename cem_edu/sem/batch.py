"""Batched ML estimation: one model fitted to many samples at once with numpy batched linear
algebra (the bootstrap draws of :mod:`.bootstrap`, the Monte Carlo replications of :mod:`.power`).

See :class:`BatchML` for the gradient formulas and the batched quasi-Newton iteration;
:class:`BatchFIML` is the same with the casewise (FIML) likelihood of incomplete data
(bootstrap draws under ``missing="fiml"``).
"""
from __future__ import annotations

import numpy as np

__all__ = ["BatchML", "BatchFIML", "pattern_moments"]


class BatchML:
    """ML fits of one model to many samples at once (bootstrap draws, Monte Carlo replications).

    All samples are fitted together with numpy batched linear algebra. The gradient of the ML
    discrepancy uses the matrix derivatives (M = Σ⁻¹ - Σ⁻¹(S + dd')Σ⁻¹, d = m - μ, C = Cov(η),
    G = Λ(I - B)⁻¹):

        ∂F/∂Λ = 2 M Λ C - 2 Σ⁻¹d (Aα)',  ∂F/∂Θ = M,  ∂F/∂Ψ = G' M G,
        ∂F/∂B = 2 A'Λ' M Λ A Ψ A' - 2 A'Λ'Σ⁻¹d (Aα)',  ∂F/∂ν = -2Σ⁻¹d,  ∂F/∂α = -2A'Λ'Σ⁻¹d

    and the iteration is a chord (fixed-matrix Newton) method x ← x - H₀⁻¹ ∇F(x) with H₀ the
    expected Hessian at the warm start, which every sample shares: a few cheap batched steps
    instead of one optimisation per sample. Samples that do not converge are refitted one by
    one with ``ml.estimate``.
    """

    def __init__(self, model):
        self.model = model
        self.p, self.m, self.k = model.p, model.m, model.npar
        self.G = model.ngroups
        self.meanstructure = model.meanstructure
        self.maps = []
        for g in range(self.G):
            f = model.free_idx[g]
            self.maps.append(f)

    def _mats(self, X, g):
        R = X.shape[0]
        b = self.model.base[g]
        f = self.maps[g]
        if getattr(self.model, "_K", None) is not None:
            X = self.model.theta(X)           # == constraints: theta = K x + c
        L = np.broadcast_to(b["lambda_"], (R,) + b["lambda_"].shape).copy()
        T = np.broadcast_to(b["theta"], (R,) + b["theta"].shape).copy()
        P = np.broadcast_to(b["psi"], (R,) + b["psi"].shape).copy()
        B = np.broadcast_to(b["beta"], (R,) + b["beta"].shape).copy()
        nu = np.broadcast_to(b["nu"], (R,) + b["nu"].shape).copy()
        al = np.broadcast_to(b["alpha"], (R,) + b["alpha"].shape).copy()
        r, c, k = f["lambda"]; L[:, r, c] = X[:, k]
        r, c, k = f["theta"]; T[:, r, c] = X[:, k]; T[:, c, r] = X[:, k]
        r, c, k = f["psi"]; P[:, r, c] = X[:, k]; P[:, c, r] = X[:, k]
        r, c, k = f["beta"]; B[:, r, c] = X[:, k]
        r, _, k = f["nu"]; nu[:, r] = X[:, k]
        r, _, k = f["alpha"]; al[:, r] = X[:, k]
        return L, T, P, B, nu, al

    def _discrepancy(self, g, Sigma, W, logdet, mu, covs, means, logdets):
        """ML discrepancy of group g and its derivatives: (F_g (R,), M = ∂F_g/∂Σ (R, p, p),
        Wd = -½ ∂F_g/∂μ (R, p) or None, extra bad-row mask or None)."""
        p = self.p
        S = covs[g]
        Fg = logdet + np.einsum("rab,rab->r", S, W) - logdets[g] - p
        Sd = S
        Wd = None
        if mu is not None:
            d = means[g] - mu
            Wd = (W @ d[:, :, None])[:, :, 0]
            Fg = Fg + np.einsum("ra,ra->r", d, Wd)
            Sd = S + d[:, :, None] * d[:, None, :]
        M = W - W @ Sd @ W
        return Fg, M, Wd, None

    def fgrad(self, X, covs, means, logdets, weights):
        """F (R,) and ∇F (R, k) for parameter rows X (R, k); covs[g] (R, p, p), means[g] (R, p)."""
        R = X.shape[0]
        F = np.zeros(R)
        K = getattr(self.model, "_K", None)
        grad = np.zeros((R, self.k if K is None else K.shape[0]))
        bad = np.zeros(R, bool)
        m, p = self.m, self.p
        for g in range(self.G):
            L, T, P, B, nu, al = self._mats(X, g)
            A = np.linalg.inv(np.eye(m) - B) if m else np.zeros((R, 0, 0))
            Gm = L @ A
            Sigma = Gm @ P @ Gm.transpose(0, 2, 1) + T
            sign, logdet = np.linalg.slogdet(Sigma)
            badg = sign <= 0
            if badg.any():
                Sigma[badg] = np.eye(p)
                bad |= badg
            try:
                Ch = np.linalg.cholesky(Sigma)
            except np.linalg.LinAlgError:
                ev = np.linalg.eigvalsh(Sigma)[:, 0]
                badg = ev <= 0
                bad |= badg
                Sigma[badg] = np.eye(p)
                Ch = np.linalg.cholesky(Sigma)
            Ci = np.linalg.inv(Ch)
            W = Ci.transpose(0, 2, 1) @ Ci
            ea = (A @ al[:, :, None])[:, :, 0] if m else np.zeros((R, 0))
            mu = nu + (L @ ea[:, :, None])[:, :, 0] if self.meanstructure else None
            Fg, M, Wd, badd = self._discrepancy(g, Sigma, W, logdet, mu, covs, means, logdets)
            if badd is not None:
                bad |= badd
            C = A @ P @ A.transpose(0, 2, 1)
            gL = 2 * M @ L @ C
            LtMLA = L.transpose(0, 2, 1) @ M @ Gm            # L' M L A
            gP = Gm.transpose(0, 2, 1) @ M @ Gm
            gB = 2 * A.transpose(0, 2, 1) @ LtMLA @ P @ A.transpose(0, 2, 1)
            if self.meanstructure:
                gL = gL - 2 * Wd[:, :, None] * ea[:, None, :]
                ALWd = (Gm.transpose(0, 2, 1) @ Wd[:, :, None])[:, :, 0]   # A'L'Wd
                gB = gB - 2 * ALWd[:, :, None] * ea[:, None, :]
                gnu = -2 * Wd
                gal = -2 * ALWd
            w = weights[g]
            F += w * Fg
            f = self.maps[g]
            r, c, k = f["lambda"]
            np.add.at(grad.T, k, w * gL[:, r, c].T)
            r, c, k = f["theta"]
            np.add.at(grad.T, k, w * (M[:, r, c] * np.where(r == c, 1.0, 2.0)).T)
            r, c, k = f["psi"]
            np.add.at(grad.T, k, w * (gP[:, r, c] * np.where(r == c, 1.0, 2.0)).T)
            r, c, k = f["beta"]
            np.add.at(grad.T, k, w * gB[:, r, c].T)
            if self.meanstructure:
                r, _, k = f["nu"]
                np.add.at(grad.T, k, w * gnu[:, r].T)
                r, _, k = f["alpha"]
                np.add.at(grad.T, k, w * gal[:, r].T)
        F[bad] = np.inf
        return F, (grad if K is None else grad @ K)

    def fit(self, x0, H0, covs, means, weights, tol=1e-9, maxiter=200, R=None):
        """Batched quasi-Newton (BFGS, every sample with its own inverse-Hessian approximation
        started at H₀⁻¹, Armijo backtracking) from x0; returns (X, converged mask)."""
        R = covs[0].shape[0] if R is None else R
        k = self.k
        logdets = [np.linalg.slogdet(S)[1] if isinstance(S, np.ndarray) else np.zeros(R) for S in covs]
        X = np.tile(np.asarray(x0, float), (R, 1))
        Hk = np.tile(np.linalg.inv(H0), (R, 1, 1))
        conv = np.zeros(R, bool)

        def ev(ix, Xi):
            with np.errstate(all="ignore"):
                return self.fgrad(Xi, [c[ix] for c in covs], [mm[ix] for mm in means],
                                  [ld[ix] for ld in logdets], weights)

        F, g = ev(np.arange(R), X)
        active = np.isfinite(F)
        eye = np.eye(k)
        for _ in range(maxiter):
            gmax = np.abs(g).max(axis=1) if k else np.zeros(R)
            conv |= active & (gmax < tol)
            active &= ~conv
            idx = np.flatnonzero(active)
            if len(idx) == 0:
                break
            full = len(idx) == R
            Hs = Hk if full else Hk[idx]
            gi = g if full else g[idx]
            d = -np.matmul(Hs, gi[:, :, None])[:, :, 0]
            gd = np.einsum("ri,ri->r", gi, d)
            neg = gd >= 0                      # not a descent direction: reset to steepest descent
            if neg.any():
                Hs[neg] = eye
                d[neg] = -gi[neg]
                gd[neg] = -np.einsum("ri,ri->r", gi[neg], gi[neg])
            t = np.ones(len(idx))
            Fn = np.full(len(idx), np.inf)
            gn = np.zeros((len(idx), k))
            todo = np.arange(len(idx))
            for _ls in range(30):
                Xt = X[idx[todo]] + t[todo, None] * d[todo]
                Ft, gt = ev(idx[todo], Xt)
                okk = np.isfinite(Ft) & (Ft <= F[idx[todo]] + 1e-4 * t[todo] * gd[todo] + 1e-13)
                Fn[todo[okk]] = Ft[okk]
                gn[todo[okk]] = gt[okk]
                todo = todo[~okk]
                if len(todo) == 0:
                    break
                t[todo] *= 0.5
            failed = np.isinf(Fn)
            sv = t[:, None] * d
            yv = gn - gi
            sv[failed] = 0.0
            yv[failed] = 0.0
            sy = np.einsum("ri,ri->r", sv, yv)
            upd = sy > 1e-14
            rho = np.where(upd, 1.0 / np.where(upd, sy, 1.0), 0.0)
            Hy = np.matmul(Hs, yv[:, :, None])[:, :, 0]
            yHy = np.einsum("ri,ri->r", yv, Hy)
            A = ((1 + rho * yHy) * rho)[:, None] * sv - rho[:, None] * Hy
            Hs += sv[:, :, None] * A[:, None, :] - (rho[:, None] * Hy)[:, :, None] * sv[:, None, :]
            if not full:
                Hk[idx] = Hs
            good = ~failed
            ii = idx[good]
            X[ii] += sv[good]
            F[ii] = Fn[good]
            g[ii] = gn[good]
            active[idx[failed]] = False
        return X, conv


def pattern_moments(Y: np.ndarray, freq: np.ndarray):
    """Missing-data pattern statistics of resampled data sets at once.

    ``Y`` (n, p) with NaN for missing; ``freq`` (R, n) how often each row is drawn. Returns
    ``(blocks, N)``: per group of patterns with q observed variables a dict with ``idx`` (m, q),
    ``n`` (R, m) rows per pattern and draw, ``mean`` (R, m, q), ``cov`` (R, m, q, q) (biased;
    zero where a pattern is not drawn); N (R,) rows per draw.
    """
    obs = ~np.isnan(Y)
    codes, inv = np.unique(obs, axis=0, return_inverse=True)
    inv = np.asarray(inv).ravel()
    by_q: dict[int, list] = {}
    for k, mask in enumerate(codes):
        if mask.any():
            by_q.setdefault(int(mask.sum()), []).append(k)
    R = freq.shape[0]
    blocks = []
    for q, ks in sorted(by_q.items()):
        idx = np.array([np.flatnonzero(codes[k]) for k in ks], dtype=np.intp).reshape(len(ks), q)
        n = np.zeros((R, len(ks)))
        mean = np.zeros((R, len(ks), q))
        cov = np.zeros((R, len(ks), q, q))
        for j, k in enumerate(ks):
            rows = np.flatnonzero(inv == k)
            Yk = Y[np.ix_(rows, idx[j])]
            fr = freq[:, rows].astype(float)
            nk = fr.sum(axis=1)
            s1 = fr @ Yk
            s2 = (fr @ (Yk[:, :, None] * Yk[:, None, :]).reshape(len(rows), q * q)).reshape(R, q, q)
            safe = np.where(nk > 0, nk, 1.0)
            mk = s1 / safe[:, None]
            n[:, j] = nk
            mean[:, j] = mk
            cov[:, j] = s2 / safe[:, None, None] - mk[:, :, None] * mk[:, None, :]
        blocks.append(dict(idx=idx, n=n, mean=mean, cov=cov))
    return blocks, freq.sum(axis=1).astype(float)


class BatchFIML(BatchML):
    """:class:`BatchML` with the casewise normal likelihood of incomplete data (FIML): per group
    F_g = -2 ℓ_g / n_g (up to a constant), so that M = ∂F_g/∂Σ = -(2/n_g) ∂ℓ_g/∂Σ and
    Wd = -½ ∂F_g/∂μ = (1/n_g) ∂ℓ_g/∂μ enter the same chain rule; per pattern (W = Σ_oo⁻¹,
    d = ȳ - μ_o, C = S + dd')

        ∂ℓ/∂Σ_oo = ½ n (W C W - W),  ∂ℓ/∂μ_o = n W d.

    ``covs[g]`` is the list of pattern blocks of :func:`pattern_moments` for the draws being
    evaluated (the rows ``ix`` of ``means[g]`` = N per draw select the draws)."""

    def _discrepancy(self, g, Sigma, W, logdet, mu, covs, means, logdets):
        R, p = Sigma.shape[0], self.p
        blocks, N = covs[g], means[g]
        ll = np.zeros(R)
        G = np.zeros((R, p * p))
        gm = np.zeros((R, p))
        bad = np.zeros(R, bool)
        for b in blocks:
            idx, n = b["idx"], b["n"]
            m_, q = idx.shape
            S = Sigma[:, idx[:, :, None], idx[:, None, :]]                  # (R, m, q, q)
            try:
                Lc = np.linalg.cholesky(S)
            except np.linalg.LinAlgError:
                bad[:] = True
                continue
            ld = 2.0 * np.log(np.diagonal(Lc, axis1=2, axis2=3)).sum(axis=2)
            Li = np.linalg.inv(Lc)
            Wk = np.matmul(Li.transpose(0, 1, 3, 2), Li)
            d = b["mean"] - mu[:, idx]                                        # (R, m, q)
            C = b["cov"] + d[:, :, :, None] * d[:, :, None, :]
            ll -= 0.5 * np.einsum("rk,rk->r", n, q * np.log(2 * np.pi) + ld + np.einsum("rkij,rkij->rk", Wk, C))
            Gk = (0.5 * n)[:, :, None, None] * (np.matmul(np.matmul(Wk, C), Wk) - Wk)
            Wdk = np.einsum("rkij,rkj->rki", Wk, d) * n[:, :, None]
            flat = idx[:, :, None] * p + idx[:, None, :]
            for j in range(m_):
                G[:, flat[j].ravel()] += Gk[:, j].reshape(R, q * q)
                gm[:, idx[j]] += Wdk[:, j]
        Fg = -2.0 * ll / N
        M = -2.0 * G.reshape(R, p, p) / N[:, None, None]
        Wd = gm / N[:, None]
        return Fg, M, Wd, bad

    def fit(self, x0, H0, blocks, N, weights, tol=2e-6, maxiter=200):
        """Batched BFGS from x0 for R draws (``blocks[g]``/``N[g]`` from :func:`pattern_moments`);
        ``H0`` the Hessian of F = -2ℓ/N at x0 (twice the observed information per case)."""
        return super().fit(x0, H0, [DrawBlocks(b) for b in blocks], list(N), weights, tol=tol,
                           maxiter=maxiter, R=len(N[0]))


class DrawBlocks(list):
    """Pattern blocks of many draws (list of dicts of :func:`pattern_moments`); ``[ix]`` with an
    index array selects draws."""

    def __getitem__(self, ix):
        if isinstance(ix, (int, np.integer)):
            return list.__getitem__(self, ix)
        return DrawBlocks({k: (v if k == "idx" else v[ix]) for k, v in b.items()} for b in self)
