"""Batched ML estimation: one model fitted to many samples at once with numpy batched linear
algebra (the bootstrap draws of :mod:`.bootstrap`, the Monte Carlo replications of :mod:`.power`).

See :class:`BatchML` for the gradient formulas and the batched quasi-Newton iteration.
"""
from __future__ import annotations

import numpy as np

__all__ = ["BatchML"]


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

    def fgrad(self, X, covs, means, logdets, weights):
        """F (R,) and ∇F (R, k) for parameter rows X (R, k); covs[g] (R, p, p), means[g] (R, p)."""
        R = X.shape[0]
        F = np.zeros(R)
        grad = np.zeros((R, self.k))
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
            S = covs[g]
            Fg = logdet + np.einsum("rab,rab->r", S, W) - logdets[g] - p
            Sd = S
            ea = (A @ al[:, :, None])[:, :, 0] if m else np.zeros((R, 0))
            if self.meanstructure:
                mu = nu + (L @ ea[:, :, None])[:, :, 0]
                d = means[g] - mu
                Wd = (W @ d[:, :, None])[:, :, 0]
                Fg = Fg + np.einsum("ra,ra->r", d, Wd)
                Sd = S + d[:, :, None] * d[:, None, :]
            M = W - W @ Sd @ W
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
        return F, grad

    def fit(self, x0, H0, covs, means, weights, tol=1e-9, maxiter=200):
        """Batched quasi-Newton (BFGS, every sample with its own inverse-Hessian approximation
        started at H₀⁻¹, Armijo backtracking) from x0; returns (X, converged mask)."""
        R = covs[0].shape[0]
        k = self.k
        logdets = [np.linalg.slogdet(S)[1] for S in covs]
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
