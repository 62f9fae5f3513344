"""LISREL "all-y" representation of a model and its implied moments.

For every group g::

    eta   = alpha + B eta + zeta,        Var(zeta) = Psi
    y     = nu + Lambda eta + eps,       Var(eps)  = Theta
    Sigma = Lambda A Psi A' Lambda' + Theta,   A = (I - B)^-1
    mu    = nu + Lambda A alpha

Observed variables that take part in regressions (or covary with them) get a
"phantom" latent copy (loading 1, residual variance 0), as lavaan does, so
their regressions live in B and their (residual) variances in Psi.

``x`` is the vector of free unique parameters (``partable.free`` is its 1-based
index) — unless the model has ``==`` constraints: then ``theta`` (indexed by ``free``)
is ``K x + c`` (``Model.theta(x)``, ``Model.z_of(theta)``; K an orthonormal basis of the
constraints' null space, see constraints.py) and every method below takes and
differentiates with respect to the shorter ``x`` (``npar`` = its length, ``ntheta`` that
of theta), so every estimator works unchanged. ``Model.constraints`` holds the ``== < >``
rows (they are not in ``Model.rows``). ``Model.implied(x)`` returns ``[(Sigma_g, mu_g)]``; ``Model.jacobian(x)``
returns ``[(dSigma_g, dmu_g)]`` with dSigma_g of shape (p(p+1)/2, npar) in
``vech`` order (lower triangle, column by column) — analytic derivatives.

Reference: Bollen (1989), Structural Equations with Latent Variables, ch. 8;
Neudecker & Satorra (1991) for the matrix derivatives.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .partable import VarNames

__all__ = ["Model", "vech_indices", "records"]

_MATS = ("lambda", "theta", "psi", "beta", "nu", "alpha")


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows of a DataFrame as dicts of Python scalars (much faster than ``to_dict("records")``)."""
    cols = list(frame.columns)
    return [dict(zip(cols, vals)) for vals in zip(*(frame[c].tolist() for c in cols))]


def vech_indices(p: int) -> tuple[np.ndarray, np.ndarray]:
    """Row and column indices of vech (lower triangle, column-major, as lavaan's lav_matrix_vech)."""
    c, r = np.triu_indices(p)
    return r, c


def _acc(target, idx, vals, unique: bool):
    """target[idx] += vals, also when idx repeats (equality constraints)."""
    if unique:
        target[idx] += vals
    else:
        np.add.at(target, idx, vals)


class Model:
    """Matrices of a parameter table, with implied moments and analytic derivatives.

    Attributes: ``partable``, ``names`` (VarNames), ``ov`` (observed names, lavaan order),
    ``eta`` (latent + phantom names), ``ngroups``, ``npar``, ``meanstructure``,
    ``loc`` (DataFrame: for each partable row its matrix, row and column).
    """

    def __init__(self, partable, names: VarNames, meanstructure: bool = False):
        from .constraints import CONSTRAINT_OPS, Constraints

        if isinstance(partable, pd.DataFrame):
            self._pt = partable
            self.rows = records(partable)
        else:
            self._pt = None
            self.rows = partable
        all_rows = self.rows
        self.constraint_rows = [r for r in all_rows if r["op"] in CONSTRAINT_OPS]
        if self.constraint_rows:
            # constraint rows (== < >) live in self.constraints, not among the parameters
            self.rows = [r for r in all_rows if r["op"] not in CONSTRAINT_OPS]
            if self._pt is not None:
                self._pt = self._pt[~self._pt["op"].isin(CONSTRAINT_OPS)].reset_index(drop=True)
        self.names = names
        self.meanstructure = bool(meanstructure)
        pt = [r for r in self.rows if r["op"] != ":="]
        self.ngroups = int(max(r["group"] for r in pt))
        self.ov = list(names.ov)
        lv = list(names.lv)
        phantom = set(names.eqs_y) | set(names.eqs_x)
        phantom = {v for v in phantom if v not in lv}
        # indicators that load on a phantom, or covary with one, become phantom too
        changed = True
        while changed:
            changed = False
            for r in pt:
                if r["op"] == "~~" and r["lhs"] != r["rhs"]:
                    a, b = r["lhs"], r["rhs"]
                    inv = (a in phantom or a in lv) != (b in phantom or b in lv)
                    if inv:
                        for v in (a, b):
                            if v not in phantom and v not in lv:
                                phantom.add(v)
                                changed = True
        self.phantom = [v for v in self.ov if v in phantom]
        self.eta = lv + self.phantom
        p, m = len(self.ov), len(self.eta)
        self.p, self.m = p, m
        oi = {v: i for i, v in enumerate(self.ov)}
        ei = {v: i for i, v in enumerate(self.eta)}
        self.vech_rows, self.vech_cols = vech_indices(p)
        mats, rows, cols = [], [], []
        for r in self.rows:
            if r["op"] == ":=":
                mats.append("")
                rows.append(-1)
                cols.append(-1)
                continue
            lhs, op, rhs = r["lhs"], r["op"], r["rhs"]
            if op == "=~":
                if rhs in ei:
                    mats.append("beta"); rows.append(ei[rhs]); cols.append(ei[lhs])
                else:
                    mats.append("lambda"); rows.append(oi[rhs]); cols.append(ei[lhs])
            elif op == "~":
                mats.append("beta"); rows.append(ei[lhs]); cols.append(ei[rhs])
            elif op == "~~":
                if lhs in ei and rhs in ei:
                    i, j = ei[lhs], ei[rhs]
                    mats.append("psi"); rows.append(max(i, j)); cols.append(min(i, j))
                else:
                    i, j = oi[lhs], oi[rhs]
                    mats.append("theta"); rows.append(max(i, j)); cols.append(min(i, j))
            elif op == "~1":
                if lhs in ei:
                    mats.append("alpha"); rows.append(ei[lhs]); cols.append(0)
                else:
                    mats.append("nu"); rows.append(oi[lhs]); cols.append(0)
            else:  # pragma: no cover - parser rejects other operators
                raise ValueError(op)
        self._loc = list(zip(mats, rows, cols))
        self.ntheta = max((int(r["free"]) for r in self.rows), default=0)
        self._build()
        self.constraints = None
        self._K = self._c = None
        self._active_set_copy = False
        if len(all_rows) != len(self.rows):
            self.constraints = Constraints(all_rows, self.ntheta)
            self._set_param(*self.constraints.parameterisation(()))
        else:
            self._set_param(None, None)

    # ------------------------------------------------------------ constraints
    def _set_param(self, K, c) -> None:
        """Parameterise theta = K x + c (K None: x = theta, no equality constraints)."""
        self._K, self._c = K, c
        if K is None:
            self.npar = self.ntheta
            self.active = self._active_theta
        else:
            self.npar = int(K.shape[1])
            self.active = [np.arange(self.npar)] * self.ngroups

    def theta(self, x: np.ndarray) -> np.ndarray:
        """The free unique parameters of the parameter table (``free`` index) at ``x`` (or rows of x).

        Without equality constraints x is theta; with them theta = K x + c (see constraints.py).
        """
        if self._K is None:
            return np.asarray(x, dtype=float)
        return np.asarray(x, dtype=float) @ self._K.T + self._c

    def z_of(self, theta: np.ndarray) -> np.ndarray:
        """The x of a theta (the orthogonal projection onto the constraints; exact when theta satisfies them)."""
        if self._K is None:
            return np.asarray(theta, dtype=float)
        return (np.asarray(theta, dtype=float) - self._c) @ self._K

    def theta_vcov(self, V: np.ndarray) -> np.ndarray:
        """Covariance matrix of theta from that of x: K V K'."""
        return V if self._K is None else self._K @ V @ self._K.T

    @property
    def has_inequalities(self) -> bool:
        return self.constraints is not None and self.constraints.has_inequalities

    def with_active(self, active) -> "Model":
        """A copy (sharing the matrices) parameterised with the inequalities ``active`` as equalities."""
        import copy

        m = copy.copy(self)
        m._set_param(*self.constraints.parameterisation(active))
        m._active_set_copy = True
        return m

    def unconstrained(self) -> "Model":
        """A copy (sharing the matrices) without constraints: x = theta."""
        import copy

        m = copy.copy(self)
        m._set_param(None, None)
        m._active_set_copy = True
        return m

    def inverse_information(self, information: np.ndarray) -> np.ndarray:
        """inv(information), with active inequality constraints treated as equalities:
        K2 (K2' I K2)^-1 K2' with K2 the basis of the active set in x coordinates (lavaan's
        bordered-information inverse)."""
        con = self.constraints
        if con is None or not con.active:
            return np.linalg.inv(information)
        Ka, _ = con.parameterisation(con.active)
        K2 = self._K.T @ Ka
        return K2 @ np.linalg.inv(K2.T @ information @ K2) @ K2.T

    def pinned_by_inequality(self) -> np.ndarray:
        """Mask over theta: parameters fixed by an active inequality (no standard error, as lavaan)."""
        out = np.zeros(self.ntheta, dtype=bool)
        con = self.constraints
        if con is None or not con.active:
            return out
        Ka, _ = con.parameterisation(con.active)
        K = self._K if self._K is not None else np.eye(self.ntheta)
        return (np.linalg.norm(Ka, axis=1) < 1e-9) & (np.linalg.norm(K, axis=1) > 1e-9)

    @property
    def partable(self) -> pd.DataFrame:
        """The lavaan-style parameter table (DataFrame; built on first use)."""
        if self._pt is None:
            from .partable import rows_to_frame
            self._pt = rows_to_frame(self.rows)
        return self._pt

    @property
    def loc(self) -> pd.DataFrame:
        """For each parameter-table row: its matrix (lambda theta psi beta nu alpha), row and column."""
        mats, rows, cols = zip(*self._loc) if self._loc else ((), (), ())
        return pd.DataFrame({"mat": mats, "row": rows, "col": cols}, index=self.partable.index)

    # ------------------------------------------------------------------ set-up
    def _build(self) -> None:
        p, m = self.p, self.m
        self.base = []
        self.free_idx = []   # per group: dict mat -> (rows, cols, par)
        for g in range(1, self.ngroups + 1):
            L = np.zeros((p, m)); T = np.zeros((p, p)); P = np.zeros((m, m)); B = np.zeros((m, m))
            nu = np.zeros(p); al = np.zeros(m)
            for v in self.phantom:
                L[self.ov.index(v), self.eta.index(v)] = 1.0
            base = dict(lambda_=L, theta=T, psi=P, beta=B, nu=nu, alpha=al)
            free = {k: ([], [], []) for k in _MATS}
            for r, (mat, i, j) in zip(self.rows, self._loc):
                if r["op"] == ":=" or r["group"] != g:
                    continue
                fr = int(r["free"])
                if fr > 0:
                    free[mat][0].append(i); free[mat][1].append(j); free[mat][2].append(fr - 1)
                else:
                    val = r["ustart"]
                    val = 0.0 if not np.isfinite(val) else float(val)
                    self._put(base, mat, i, j, val)
            self.base.append(base)
            self.free_idx.append({k: tuple(np.asarray(a, dtype=int) for a in v) for k, v in free.items()})
        self._eye = np.eye(m)
        self._uniq = [{k: len(np.unique(v[2])) == len(v[2]) for k, v in f.items()} for f in self.free_idx]
        # per group: the free parameters that occur in it (sorted, global 0-based) and free_idx with
        # the parameter numbers mapped to positions in that list (derivatives of one group only)
        self._active_theta = []
        self._free_local = []
        for f in self.free_idx:
            act = np.unique(np.concatenate([v[2] for v in f.values()])).astype(int) if f else np.zeros(0, int)
            pos = {int(a): i for i, a in enumerate(act)}
            self._active_theta.append(act)
            self._free_local.append({k: (v[0], v[1], np.asarray([pos[int(q)] for q in v[2]], dtype=int))
                                     for k, v in f.items()})
        self._has_beta = [bool(len(f["beta"][2]) or np.any(b["beta"] != 0)) for f, b in zip(self.free_idx, self.base)]

    @staticmethod
    def _put(base, mat, r, c, val):
        if mat == "lambda":
            base["lambda_"][r, c] = val
        elif mat in ("theta", "psi"):
            base[mat][r, c] = val
            base[mat][c, r] = val
        elif mat == "beta":
            base["beta"][r, c] = val
        elif mat == "nu":
            base["nu"][r] = val
        else:
            base["alpha"][r] = val

    def set_fixed(self, row: int, value: float) -> None:
        """Change the fixed value of parameter-table row ``row`` (0-based position)."""
        if self._pt is not None:
            self._pt.iat[row, self._pt.columns.get_loc("ustart")] = value
        self.rows[row]["ustart"] = value
        g = int(self.rows[row]["group"]) - 1
        mat, r, c = self._loc[row]
        self._put(self.base[g], mat, r, c, float(value))

    # ---------------------------------------------------------------- matrices
    def matrices(self, x: np.ndarray, g: int = 0) -> dict:
        """Model matrices of group ``g`` (0-based) at parameter vector ``x``.

        Keys: lambda, theta, psi, beta, nu, alpha (numpy arrays).
        """
        if self._K is not None:
            x = self._K @ x + self._c
        b = self.base[g]
        f = self.free_idx[g]
        L = b["lambda_"].copy(); T = b["theta"].copy(); P = b["psi"].copy(); B = b["beta"].copy()
        nu = b["nu"].copy(); al = b["alpha"].copy()
        r, c, k = f["lambda"]; L[r, c] = x[k]
        r, c, k = f["theta"]; T[r, c] = x[k]; T[c, r] = x[k]
        r, c, k = f["psi"]; P[r, c] = x[k]; P[c, r] = x[k]
        r, c, k = f["beta"]; B[r, c] = x[k]
        r, _, k = f["nu"]; nu[r] = x[k]
        r, _, k = f["alpha"]; al[r] = x[k]
        return {"lambda": L, "theta": T, "psi": P, "beta": B, "nu": nu, "alpha": al}

    def _core(self, x, g):
        M = self.matrices(x, g)
        if not self._has_beta[g]:
            A = self._eye
        else:
            A = np.linalg.inv(self._eye - M["beta"])
        G = M["lambda"] @ A                          # p x m
        Sigma = G @ M["psi"] @ G.T + M["theta"]
        ea = A @ M["alpha"]                          # E(eta)
        mu = M["nu"] + M["lambda"] @ ea
        return M, A, G, Sigma, mu, ea

    def implied(self, x: np.ndarray) -> list[tuple[np.ndarray, np.ndarray | None]]:
        """Model-implied covariance matrix and mean vector (None without mean structure) per group."""
        out = []
        for g in range(self.ngroups):
            _, _, _, S, mu, _ = self._core(x, g)
            out.append((S, mu if self.meanstructure else None))
        return out

    def derivatives(self, x: np.ndarray, g: int, local: bool = False):
        """Full-matrix derivatives of group g: (Sigma, mu, dSigma (npar, p, p), dmu (npar, p)).

        ``local=True``: only the parameters that occur in group g, in the order of
        ``Model.active[g]`` (dSigma (len(active[g]), p, p)) — much less work in multigroup models.
        With equality constraints the derivatives are with respect to x (theta = K x + c):
        dSigma/dx = K' dSigma/dtheta (every x occurs in every group).
        """
        if self._K is None:
            return self._derivatives(x, g, local)
        Sigma, mu, dS, dmu = self._derivatives(x, g, False)
        p, K = self.p, self._K
        dS = (K.T @ dS.reshape(self.ntheta, p * p)).reshape(-1, p, p)
        return Sigma, mu, dS, K.T @ dmu

    def _derivatives(self, x: np.ndarray, g: int, local: bool = False):
        M, A, G, Sigma, mu, ea = self._core(x, g)
        p = self.p
        k = len(self._active_theta[g]) if local else self.ntheta
        dS = np.zeros((k, p, p))
        dmu = np.zeros((k, p))
        f = self._free_local[g] if local else self.free_idx[g]
        Mc = A @ M["psi"] @ A.T                      # Cov(eta)
        H = Mc @ M["lambda"].T                       # m x p: Cov(eta, y) without theta
        # lambda_ij: dS = e_i H[j,:] + transpose ; dmu = e_i ea_j
        r, c, kk = f["lambda"]
        u = self._uniq[g]["lambda"]
        if len(kk):
            D = np.zeros((len(kk), p, p))
            D[np.arange(len(kk)), r, :] = H[c, :]
            D = D + D.transpose(0, 2, 1)
            _acc(dS, kk, D, u)
            if self.meanstructure:
                Dm = np.zeros((len(kk), p))
                Dm[np.arange(len(kk)), r] = ea[c]
                _acc(dmu, kk, Dm, u)
        # beta_ij: dS = G[:,i] (H... ) : L A E_ij A Psi A' L' + t = outer(G[:,i], (A Psi A' L')[j,:]) + t
        r, c, kk = f["beta"]
        u = self._uniq[g]["beta"]
        if len(kk):
            D = G[:, r].T[:, :, None] * H[c, :][:, None, :]
            D = D + D.transpose(0, 2, 1)
            _acc(dS, kk, D, u)
            if self.meanstructure:
                _acc(dmu, kk, G[:, r].T * ea[c][:, None], u)
        # psi_ij: dS = G[:,i] G[:,j]' + G[:,j] G[:,i]' (i != j); G[:,i]G[:,i]' (i == j)
        r, c, kk = f["psi"]
        u = self._uniq[g]["psi"]
        if len(kk):
            D = G[:, r].T[:, :, None] * G[:, c].T[:, None, :]
            off = r != c
            D[off] = D[off] + D[off].transpose(0, 2, 1)
            _acc(dS, kk, D, u)
        r, c, kk = f["theta"]
        u = self._uniq[g]["theta"]
        if len(kk):
            D = np.zeros((len(kk), p, p))
            n = np.arange(len(kk))
            D[n, r, c] = 1.0
            D[n, c, r] = 1.0
            _acc(dS, kk, D, u)
        if self.meanstructure:
            r, _, kk = f["nu"]
            u = self._uniq[g]["nu"]
            if len(kk):
                _acc(dmu, (kk, r), 1.0, u)
            r, _, kk = f["alpha"]
            u = self._uniq[g]["alpha"]
            if len(kk):
                _acc(dmu, kk, G[:, r].T, u)
        return Sigma, mu, dS, dmu

    def jacobian(self, x: np.ndarray) -> list[tuple[np.ndarray, np.ndarray | None]]:
        """d vech(Sigma_g) / dx (shape p(p+1)/2 x npar) and d mu_g / dx (p x npar, or None)."""
        out = []
        flat = self.vech_rows * self.p + self.vech_cols
        for g in range(self.ngroups):
            _, _, dS, dmu = self.derivatives(x, g, local=True)
            act = self.active[g]
            if len(act) == self.npar:          # every parameter occurs in this group (act = 0..k-1)
                J = dS.reshape(len(act), -1)[:, flat].T
                Jm = dmu.T if self.meanstructure else None
            else:
                J = np.zeros((len(flat), self.npar))
                J[:, act] = dS.reshape(len(act), -1)[:, flat].T
                Jm = None
                if self.meanstructure:
                    Jm = np.zeros((self.p, self.npar))
                    Jm[:, act] = dmu.T
            out.append((J, Jm))
        return out

    def total_effects(self, x: np.ndarray, g: int = 0) -> pd.DataFrame:
        """Total effects among latent (and phantom observed) variables: (I - B)^-1 - I.

        Entry [effect, cause] is the total effect of ``cause`` on ``effect``.
        """
        M = self.matrices(x, g)
        m = self.m
        T = np.linalg.inv(np.eye(m) - M["beta"]) - np.eye(m)
        return pd.DataFrame(T, index=self.eta, columns=self.eta)

    def x_from_partable(self, column: str = "est") -> np.ndarray:
        """Parameter vector from a partable column (first row of each free index)."""
        pt = self.partable
        x = np.zeros(self.ntheta)
        fr = pt["free"].to_numpy()
        vals = pt[column].to_numpy(dtype=float)
        for i in np.flatnonzero(fr > 0)[::-1]:
            x[fr[i] - 1] = vals[i]
        return self.z_of(x)


def _sym_expand(r, c, k):
    """Entries of a symmetric matrix parameter as non-symmetric (row, col, par) triples."""
    off = r != c
    return np.r_[r, c[off]], np.r_[c, r[off]], np.r_[k, k[off]]


def second_order_term(model: Model, x: np.ndarray, g: int, W: np.ndarray, cvec: np.ndarray | None) -> np.ndarray:
    """Hessian of phi(x) = tr(W Sigma(x)) - 2 c' mu(x) with W (p x p, symmetric) and c fixed.

    This is the part of the exact Hessian of the ML discrepancy that involves the second
    derivatives of the implied moments (W = Sigma^-1 - Sigma^-1 (S + dd') Sigma^-1, c = Sigma^-1 d).
    """
    M, A, G, Sigma, mu, ea = model._core(x, g)
    k = model.ntheta
    H = np.zeros((k, k))
    f = model.free_idx[g]
    L, P = M["lambda"], M["psi"]
    Mc = A @ P @ A.T
    WG = W @ G
    WLMc = W @ L @ Mc
    K = G.T @ WG
    Q = K @ P @ A.T
    c = cvec if cvec is not None else np.zeros(model.p)
    q = G.T @ c
    Lr, Lc, Lk = f["lambda"]
    Pr, Pc, Pk = _sym_expand(*f["psi"])
    Br, Bc, Bk = f["beta"]
    ar, _, ak = f["alpha"]

    def add(k1, k2, block):
        if block.size:
            np.add.at(H, (k1[:, None], k2[None, :]), block)
            np.add.at(H, (k2[:, None], k1[None, :]), block.T)

    def add_diag(k1, block):
        if block.size:
            np.add.at(H, (k1[:, None], k1[None, :]), block)
    i, j = Lr[:, None], Lc[:, None]
    if len(Lk):
        add_diag(Lk, 2.0 * W[i, Lr[None, :]] * Mc[j, Lc[None, :]])
        if len(Pk):
            a, b = Pr[None, :], Pc[None, :]
            add(Lk, Pk, 2.0 * WG[i, a] * A[j, b])
        if len(Bk):
            a, b = Br[None, :], Bc[None, :]
            add(Lk, Bk, 2.0 * (WG[i, a] * Mc[b, j] + WLMc[i, b] * A[j, a]) - 2.0 * c[i] * A[j, a] * ea[b])
        if len(ak):
            add(Lk, ak, -2.0 * c[i] * A[j, ar[None, :]])
    if len(Pk) and len(Bk):
        a, b = Pr[:, None], Pc[:, None]
        cc, d = Br[None, :], Bc[None, :]
        add(Pk, Bk, A[d, a] * K[cc, b] + K[a, cc] * A[d, b])
    if len(Bk):
        a, b = Br[:, None], Bc[:, None]
        cc, d = Br[None, :], Bc[None, :]
        blk = 2.0 * (A[d, a] * Q[cc, b] + K[a, cc] * Mc[d, b] + Q[a, d] * A[b, cc]) \
            - 2.0 * (A[d, a] * q[cc] * ea[b] + q[a] * A[b, cc] * ea[d])
        add_diag(Bk, blk)
        if len(ak):
            add(Bk, ak, -2.0 * q[a] * A[b, ar[None, :]])
    if model._K is not None:
        H = model._K.T @ H @ model._K
    return H
