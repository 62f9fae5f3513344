"""Multigroup analysis of a PLS path model: MICOM steps 1–3, the permutation test and Henseler's MGA.

Two groups g₁, g₂ (rows of ``data`` by the values of ``group``); the missing-data rule is applied
to the pooled data, every group estimate uses the same model and settings.

* MICOM (Henseler, Ringle & Sarstedt 2016):
  1. configural invariance — same indicators, same model, same algorithm settings in both groups,
     every indicator varies in each group (checked);
  2. compositional invariance — c = cor(Z w⁽¹⁾, Z w⁽²⁾), the correlation of the composite built
     with each group's weights on the pooled standardised data Z; established when c is not below
     the 5 % quantile of c over group-label permutations (p = share of permutations with a smaller c);
  3. equal composite means and variances — with the pooled weights, the difference of the group
     means and of the log variances of the composite; equal when inside the 2.5 %–97.5 %
     permutation quantiles.
* Permutation test of path differences (Chin & Dibbern 2010): p = share of permutations with
  |β⁽¹⁾ − β⁽²⁾| at least the observed one.
* Henseler's PLS-MGA (Henseler, Ringle & Sinkovics 2009; as seminr's ``estimate_pls_mga``):
  with J bootstrap draws per group, p = 1 − J⁻² Σⱼ Σₖ Θ(2β̄⁽¹⁾ − β⁽¹⁾ⱼ − 2β̄⁽²⁾ + β⁽²⁾ₖ), a one-sided
  probability that β⁽¹⁾ > β⁽²⁾ does not hold (small p: group 1 larger); ``p_mga_two_sided`` =
  2 min(p, 1 − p).

All permutations and bootstrap draws run as batches of correlation matrices.

References: Henseler, J., Ringle, C. M., & Sarstedt, M. (2016). Testing measurement invariance of
composites using partial least squares. International Marketing Review 33(3), 405–431.
Chin, W. W., & Dibbern, J. (2010). An introduction to a permutation based procedure for
multi-group PLS analysis. In Handbook of Partial Least Squares, 171–193. Henseler, J., Ringle,
C. M., & Sinkovics, R. R. (2009). The use of partial least squares path modeling in international
marketing. Advances in International Marketing 20, 277–319.
"""
from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import DataError, ModelError
from ..i18n import t
from ..intake import as_frame
from ..results import Result, json_records
from ..validation import check_group_column
from .algorithm import correlation_batch, estimate_batch
from .estimate import _WEIGHTING_ALIASES, prepare_data
from .spec import parse_pls

__all__ = ["pls_mga", "MGAResult"]


@dataclass(frozen=True, eq=False)
class MGAResult(Result):
    """``paths``: lhs rhs est_1 est_2 diff p_permutation p_mga p_mga_two_sided;
    ``micom``: construct, c, c_q05, p_c, compositional, mean_diff (+ quantiles, equal_mean),
    log_var_diff (+ quantiles, equal_var); ``groups``: (label₁, label₂); ``n``: rows per group."""

    paths: pd.DataFrame
    micom: pd.DataFrame
    groups: tuple
    n: tuple
    settings: dict

    def to_dict(self) -> dict:
        return {"paths": json_records(self.paths), "micom": json_records(self.micom),
                "groups": [str(g) for g in self.groups], "n": list(self.n), "settings": self.settings}

    def __str__(self) -> str:
        g1, g2 = self.groups
        lines = [t("pls.mga.title", g1=g1, g2=g2, n1=self.n[0], n2=self.n[1]), "",
                 t("pls.mga.micom") + ":", self.micom.round(3).to_string(index=False), "",
                 t("pls.mga.paths") + ":", self.paths.round(3).to_string(index=False)]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        from ..i18n import get_language

        rtl = " dir='rtl'" if get_language() == "fa" else ""
        g1, g2 = self.groups
        fmt = {"float_format": lambda v: f"{v:.3f}", "na_rep": "", "border": 0, "index": False}
        return (f"<div class='cem-edu-pls-mga'{rtl}><p>{html.escape(t('pls.mga.title', g1=g1, g2=g2, n1=self.n[0], n2=self.n[1]))}</p>"
                f"<details open><summary>{html.escape(t('pls.mga.micom'))}</summary>{self.micom.to_html(**fmt)}</details>"
                f"<details open><summary>{html.escape(t('pls.mga.paths'))}</summary>{self.paths.to_html(**fmt)}</details></div>")


def _henseler_p(b1: np.ndarray, b2: np.ndarray) -> float:
    """1 − J⁻² #{(j, k): 2μ₁ − b1ⱼ − 2μ₂ + b2ₖ > 0}, counted by sorting."""
    b2s = np.sort(b2)
    thr = b1 + 2 * b2.mean() - 2 * b1.mean()         # b2ₖ > thrⱼ
    count = (len(b2s) - np.searchsorted(b2s, thr, side="right")).sum()
    return float(1 - count / (len(b1) * len(b2)))


def pls_mga(model: str, data, group: str, *, groups=None, weighting: str = "path", permutations: int = 1000,
            bootstrap: int = 1000, seed=None, missing: str = "mean", tol: float = 1e-7,
            max_iter: int = 300) -> MGAResult:
    """Compare a PLS path model between two groups (see the module docstring).

    Parameters
    ----------
    model, data : as :func:`cem_edu.pls`; group : the column that defines the groups.
    groups : the two values of ``group`` to compare (required when the column has more than two).
    permutations : permutations for MICOM steps 2–3 and the permutation test (1,000 as SmartPLS).
    bootstrap : bootstrap draws per group for Henseler's MGA (0 skips it).
    seed : one seed for all random draws.
    """
    w = _WEIGHTING_ALIASES.get(str(weighting).lower())
    if w is None:
        raise ModelError(t("pls.bad_weighting", weighting=weighting))
    spec = parse_pls(model)
    X, g, labels = _mga_groups(spec, as_frame(data), group, groups, missing)
    n1, n2 = int(g.sum()), int((~g).sum())
    mask, P, blocks = spec.mask(), spec.path_matrix(), spec.block_index()
    modes = [spec.modes[c] for c in spec.constructs]

    def est(F):
        S = correlation_batch(X, F)
        with np.errstate(all="ignore"):
            return estimate_batch(S, mask, modes, P, blocks, weighting=w, tol=tol, max_iter=max_iter)

    for lab, sel in zip(labels, (g, ~g)):
        sd = X[sel].std(axis=0, ddof=1)
        flat = [spec.indicators[i] for i in np.flatnonzero(sd < 1e-12)]
        if flat:
            raise DataError(t("pls.mga.constant", label=lab, columns=", ".join(flat)))
    rng = np.random.default_rng(seed)
    obs = est(np.vstack([g, ~g]).astype(float))
    if not obs.converged.all():
        raise ModelError(t("pls.not_converged", max_iter=max_iter, tol=tol))
    pooled = est(np.ones((1, len(X))))
    perm_g = np.array([rng.permutation(g) for _ in range(permutations)])
    p1, p2 = est(perm_g.astype(float)), est((~perm_g).astype(float))
    ok = p1.converged & p2.converged
    micom = _micom(spec.constructs, X, g, obs, pooled, p1, p2, perm_g, ok)
    boots = [_group_bootstrap(est, rng, sel, bootstrap, len(X)) for sel in (g, ~g)] if bootstrap else None
    settings = {"weighting": w, "permutations": permutations, "permutations_ok": int(ok.sum()),
                "bootstrap": bootstrap, "seed": seed, "missing": missing}
    return MGAResult(paths=_mga_paths(spec, obs, p1, p2, ok, boots), micom=micom, groups=tuple(labels),
                     n=(n1, n2), settings=settings)


def _mga_groups(spec, frame: pd.DataFrame, group: str, groups, missing: str) -> tuple:
    """The indicator matrix of the two groups' rows and the membership of group 1; refuses a missing
    column, other than two groups and a group under 10 rows."""
    check_group_column(frame, group)
    labels = list(pd.unique(frame[group].dropna())) if groups is None else list(groups)
    if len(labels) != 2:
        raise DataError(t("pls.mga.two_groups", group=group, labels=", ".join(map(str, labels))))
    frame = frame[frame[group].isin(labels)]
    X, used, _ = prepare_data(spec, frame, missing)
    g = (frame.loc[used.index, group] == labels[0]).to_numpy()
    for lab, nn in zip(labels, (int(g.sum()), int((~g).sum()))):
        if nn < 10:
            raise DataError(t("pls.mga.small_group", label=lab, n=nn))
    return X, g, labels


def _micom(names, X, g, obs, pooled, p1, p2, perm_g, ok) -> pd.DataFrame:
    """MICOM steps 2-3 (Henseler, Ringle & Sarstedt 2016): compositional invariance c = corr(Xw₁, Xw₂)
    against its 5 % permutation quantile; equal composite means and log variances (pooled weights)
    against their 2.5-97.5 % permutation quantiles."""
    R = correlation_batch(X)[0]

    def comp_c(W1, W2):
        num = np.einsum("bpk,pq,bqk->bk", W1, R, W2)
        v1 = np.einsum("bpk,pq,bqk->bk", W1, R, W1)
        v2 = np.einsum("bpk,pq,bqk->bk", W2, R, W2)
        return num / np.sqrt(v1 * v2)
    c_obs = comp_c(obs.W[:1], obs.W[1:])[0]
    c_perm = comp_c(p1.W[ok], p2.W[ok])
    Z = (X - X.mean(axis=0)) / X.std(axis=0, ddof=1)
    Y = Z @ pooled.W[0]
    md_obs, lv_obs = (a[0] for a in _mean_var(Y, g[None]))
    md_perm, lv_perm = _mean_var(Y, perm_g[ok])
    micom = pd.DataFrame({
        "construct": names, "configural": True, "c": c_obs, "c_q05": np.quantile(c_perm, 0.05, axis=0),
        "p_c": (c_perm < c_obs).mean(axis=0),
        "mean_diff": md_obs, "mean_q025": np.quantile(md_perm, 0.025, axis=0),
        "mean_q975": np.quantile(md_perm, 0.975, axis=0),
        "log_var_diff": lv_obs, "var_q025": np.quantile(lv_perm, 0.025, axis=0),
        "var_q975": np.quantile(lv_perm, 0.975, axis=0)})
    micom["compositional"] = micom["c"] >= micom["c_q05"]
    micom["equal_mean"] = micom["mean_diff"].between(micom["mean_q025"], micom["mean_q975"])
    micom["equal_var"] = micom["log_var_diff"].between(micom["var_q025"], micom["var_q975"])
    return micom


def _mean_var(Y, G):
    """Per split (rows of G: 1 = group 1): difference of composite means and of log variances (ddof 1)."""
    G = G.astype(float)
    m1 = G @ Y / G.sum(axis=1, keepdims=True)
    m2 = (1 - G) @ Y / (1 - G).sum(axis=1, keepdims=True)
    v1 = (G @ Y ** 2 - G.sum(axis=1, keepdims=True) * m1 ** 2) / (G.sum(axis=1, keepdims=True) - 1)
    v2 = ((1 - G) @ Y ** 2 - (1 - G).sum(axis=1, keepdims=True) * m2 ** 2) / ((1 - G).sum(axis=1, keepdims=True) - 1)
    return m1 - m2, np.log(v1) - np.log(v2)


def _group_bootstrap(est, rng, sel, bootstrap: int, n: int):
    """Path coefficients of ``bootstrap`` resamples of one group's rows (converged draws only)."""
    idx = np.flatnonzero(sel)
    draws = rng.integers(0, len(idx), size=(bootstrap, len(idx)))
    F = np.zeros((bootstrap, n))
    np.add.at(F, (np.repeat(np.arange(bootstrap), len(idx)), idx[draws].ravel()), 1.0)
    b = est(F)
    return b.paths[b.converged]


def _mga_paths(spec, obs, p1, p2, ok, boots) -> pd.DataFrame:
    """Per path: both groups' estimates, their difference, the permutation p-value and (with bootstrap
    draws) Henseler's MGA p-value, one- and two-sided."""
    names = spec.constructs
    rows = []
    for (a, e) in spec.paths:
        i, j = names.index(a), names.index(e)
        b1, b2 = obs.paths[0, i, j], obs.paths[1, i, j]
        d_perm = p1.paths[ok, i, j] - p2.paths[ok, i, j]
        row = {"lhs": e, "rhs": a, "est_1": b1, "est_2": b2, "diff": b1 - b2,
               "p_permutation": float((np.abs(d_perm) >= abs(b1 - b2)).mean())}
        if boots is not None:
            pm = _henseler_p(boots[0][:, i, j], boots[1][:, i, j])
            row.update(p_mga=pm, p_mga_two_sided=2 * min(pm, 1 - pm))
        rows.append(row)
    return pd.DataFrame(rows)
