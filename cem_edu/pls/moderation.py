"""Moderation in PLS-SEM by the two-stage approach (Henseler & Chin 2010; Hair et al. 2021, ch. 7).

Stage 1 estimates the main-effects model (the model as written) and takes the standardised construct
scores ξ̂_X and ξ̂_Z. Stage 2 adds the single-indicator construct X*Z, measured by the product
ξ̂_X·ξ̂_Z, as a predictor of the outcome(s) and re-estimates the model. This is seminr's
``interaction_term(iv, moderator, method = two_stage)``; the interaction construct is named
``"X*Z"`` as there. The bootstrap repeats both stages in every draw (the product is re-formed from the
draw's stage-1 scores), as seminr's ``bootstrap_model`` does.

The interaction construct's score is the centred product ξ̂_X·ξ̂_Z − mean, *not* restandardised
(seminr's ``adjust_interaction``: the standardised score times the product's SD), so its path is
b₃ of ŷ = b₁·ξ̂_X + b₂·ξ̂_Z + b₃·ξ̂_X·ξ̂_Z and the simple slope of X at Z = w SD is b₁ + b₃·w
(Hair et al. 2021, ch. 7). Every other statistic (R², f², loadings, weights, HTMT, VIF) does not
depend on that scale; the paths, total, indirect and defined effects from X*Z are divided by SD(ξ̂_X·ξ̂_Z)
(in each bootstrap draw by the draw's SD).

May import: errors, i18n and this package. Never imports plots.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..errors import ModelError
from ..i18n import t
from .algorithm import correlation_batch

__all__ = ["TwoStage"]


class TwoStage:
    """The two-stage interaction terms of a PLS model: the stage-1 spec, the stage-2 spec and the
    products. ``interactions`` is a list of ``(x, z)`` or ``(x, z, y)`` (y: one outcome or a list);
    without y the term predicts every construct that both x and z predict."""

    def __init__(self, spec, interactions, *, weighting: str, tol: float, max_iter: int):
        self.stage1 = spec
        self.weighting, self.tol, self.max_iter = weighting, tol, max_iter
        if isinstance(interactions, tuple) and interactions and isinstance(interactions[0], str):
            interactions = [interactions]
        terms, paths = [], list(spec.paths)
        for term in interactions:
            if isinstance(term, str) or len(term) not in (2, 3):
                raise ModelError(t("pls.mod.bad_term", term=term))
            x, z = term[0], term[1]
            for name in (x, z):
                if name not in spec.constructs:
                    raise ModelError(t("pls.mod.unknown", name=name, constructs=", ".join(spec.constructs)))
            if x == z:
                raise ModelError(t("pls.mod.same", name=x))
            if len(term) == 3:
                ys = [term[2]] if isinstance(term[2], str) else list(term[2])
            else:
                ys = [e for e in spec.constructs if x in spec.predecessors(e) and z in spec.predecessors(e)]
                if not ys:
                    raise ModelError(t("pls.mod.no_outcome", x=x, z=z))
            for y in ys:
                if y not in spec.constructs or y in (x, z):
                    raise ModelError(t("pls.mod.bad_outcome", y=y, x=x, z=z))
            name = f"{x}*{z}"
            if name in spec.constructs or name in spec.indicators or name in [n for n, _, _ in terms]:
                raise ModelError(t("pls.mod.duplicate", name=name))
            terms.append((name, spec.constructs.index(x), spec.constructs.index(z)))
            paths += [(name, y) for y in ys]
        self.terms = terms
        names = [n for n, _, _ in terms]
        self.spec = replace(spec, constructs=[*spec.constructs, *names],
                            blocks={**spec.blocks, **{n: [n] for n in names}},
                            modes={**spec.modes, **{n: "A" for n in names}}, paths=paths)
        self.p1 = len(spec.indicators)

    def describe(self) -> dict:
        """{"X*Z": {"x": X, "z": Z, "y": [outcomes], "sd_product": SD(ξ̂_X·ξ̂_Z)}} (the result's settings)."""
        k0 = len(self.stage1.constructs)
        return {name: {"x": self.stage1.constructs[i], "z": self.stage1.constructs[j],
                       "y": [e for a, e in self.spec.paths if a == name],
                       "sd_product": float(self.scale[0, k0 + k])}
                for k, (name, i, j) in enumerate(self.terms)}

    @property
    def names(self) -> list:
        return [n for n, _, _ in self.terms]

    def correlations(self, X: np.ndarray, freq: np.ndarray | None = None):
        """Stage-2 correlation matrices (B × (p+q) × (p+q)) of the indicators and the q products,
        for the data (``freq=None``) or for bootstrap draws (row counts ``freq``, B × n), and the
        products (B × n × q). Stage 1 runs on each draw's own correlation matrix; its scores are
        ξ̂ = Z·w with Z the indicators standardised by the draw's means and SDs, so ξ̂ has mean 0 and
        variance 1 in the draw. Returns (S, products, scale, ok): ``scale`` (B × K) is 1 for every
        construct but SD(ξ̂_X·ξ̂_Z) for the interaction terms (see :meth:`scale`); ok is False where
        stage 1 failed."""
        from .estimate import fit_batch

        X1 = np.asarray(X, float)[:, :self.p1]
        n = X1.shape[0]
        F = np.ones((1, n)) if freq is None else np.asarray(freq, float)
        S1, m, sd = correlation_batch(X1, F, moments=True)
        good = np.all(np.isfinite(S1), axis=(1, 2))
        S1 = np.where(good[:, None, None], S1, np.eye(self.p1))
        with np.errstate(all="ignore"):
            core = fit_batch(S1, self.stage1, weighting=self.weighting, consistent=False, tol=self.tol,
                             max_iter=self.max_iter)["core"]
            ok = good & core.converged & np.all(np.isfinite(core.W), axis=(1, 2))
            Z = (X1[None] - m[:, None, :]) / sd[:, None, :]                          # (B, n, p)
            idx = [i for _, i, _ in self.terms] + [j for _, _, j in self.terms]
            xi = np.einsum("bnp,bpk->bnk", Z, core.W[:, :, idx])                     # (B, n, 2q)
            q = len(self.terms)
            P = xi[:, :, :q] * xi[:, :, q:]                                          # (B, n, q)
            nb = F.sum(axis=1)
            mp = np.einsum("bn,bnq->bq", F, P) / nb[:, None]
            Pc = P - mp[:, None, :]
            cov_pp = np.einsum("bn,bnq,bnr->bqr", F, Pc, Pc) / (nb - 1)[:, None, None]
            sd_p = np.sqrt(np.einsum("bqq->bq", cov_pp))
            cov_zp = np.einsum("bn,bnp,bnq->bpq", F, Z, Pc) / (nb - 1)[:, None, None]   # Z has sd 1
            S = np.empty((len(F), self.p1 + q, self.p1 + q))
            S[:, :self.p1, :self.p1] = S1
            S[:, :self.p1, self.p1:] = cov_zp / sd_p[:, None, :]
            S[:, self.p1:, :self.p1] = np.swapaxes(S[:, :self.p1, self.p1:], 1, 2)
            S[:, self.p1:, self.p1:] = cov_pp / (sd_p[:, :, None] * sd_p[:, None, :])
        ok &= np.all(np.isfinite(S), axis=(1, 2))
        S = np.where(ok[:, None, None], S, np.eye(S.shape[1]))
        scale = np.ones((len(F), len(self.spec.constructs)))
        scale[:, len(self.stage1.constructs):] = np.where(ok[:, None], sd_p, 1.0)
        return S, P, scale, ok

    def augment(self, X: np.ndarray, used, info: dict):
        """The data with the products of the full-sample stage-1 scores appended: (S, X, used, info)."""
        S, P, scale, ok = self.correlations(X)
        if not ok[0]:
            raise ModelError(t("pls.not_converged", max_iter=self.max_iter, tol=self.tol))
        self.scale = scale
        Xa = np.column_stack([X, P[0]])
        used = used.copy()
        for k, name in enumerate(self.names):
            used[name] = P[0][:, k]
        info = {**info, "means": {**info["means"], **used[self.names].mean().to_dict()},
                "sds": {**info["sds"], **used[self.names].std(ddof=1).to_dict()}}
        return S, Xa, used, info


def moderation_model(spec: dict, x: str, z: str, y: str) -> str:
    """The main-effects PLS model ``Y ~ X + Z`` of three constructs (``{construct: [items]}``), whose
    interaction ``(x, z, y)`` ``ce.pls`` adds in stage 2 (used by ``cem-edu moderation --method pls``)."""
    for role, name in (("x", x), ("z", z), ("y", y)):
        if name not in spec:
            raise ModelError(t("mod.unknown_construct", role=role, name=name, known=", ".join(spec)))
    if len({x, z, y}) < 3:
        raise ModelError(t("mod.distinct"))
    return "".join(f"{c} =~ {' + '.join(spec[c])}\n" for c in (x, z, y)) + f"{y} ~ {x} + {z}\n"


def moderation_summary(res, language: str = "en") -> str:
    """The printed answer of a two-stage moderation: the paths into each outcome, the interaction's f²
    and the simple slopes at Z = −1, 0, +1 SD."""
    lines = []
    cols = ["lhs", "rhs", "est", "se", "t", "pvalue", "ci_lower", "ci_upper"]
    for name, term in res.settings["interactions"].items():
        for y in term["y"]:
            lines.append(t("pls.mod.title", language, y=y, x=term["x"], z=term["z"]))
            lines.append(res.paths[res.paths["lhs"] == y][cols].round(4).to_string(index=False))
            f2 = res.f2[(res.f2["lhs"] == y) & (res.f2["rhs"] == name)]["f2"].iloc[0]
            lines.append(t("pls.mod.f2", language, name=name, f2=round(float(f2), 4)))
            lines.append(t("pls.mod.slopes", language, x=term["x"], z=term["z"]))
            sl = res.simple_slopes(name, y)
            lines.append(sl[["at", "est", "se", "t", "pvalue", "ci_lower", "ci_upper"]].round(4).to_string(index=False))
    return "\n".join(lines)
