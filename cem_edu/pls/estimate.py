"""``ce.pls``: estimate a PLS path model (PLS-SEM), optionally consistent (PLSc) and bootstrapped."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..errors import DataError, EstimationWarning, ModelError
from ..i18n import t
from ..intake import as_frame
from .algorithm import WEIGHTINGS, correlation_batch, estimate_batch, plsc_batch
from .quality import htmt_batch, indirect_paths, route_values, total_effects_batch
from .spec import PLSSpec, parse_pls

__all__ = ["pls_fit", "prepare_data", "fit_batch"]

_WEIGHTING_ALIASES = {"path": "path", "path_weighting": "path", "centroid": "centroid",
                      "factor": "factorial", "factorial": "factorial", "path_factorial": "factorial"}


def prepare_data(spec: PLSSpec, data, missing: str = "mean") -> tuple[np.ndarray, pd.DataFrame, dict]:
    """The indicator matrix (rows used × indicators in block order) after the missing-data rule.

    ``missing="mean"`` replaces a missing answer by the indicator's mean (SmartPLS's and
    seminr's default); ``"listwise"`` drops incomplete rows. Returns (X, frame used, info).
    """
    from ..sem.pipeline import _check_columns

    frame = as_frame(data)
    if frame.shape[0] == 0 or frame.shape[1] == 0:
        raise DataError(t("sem.data.empty"))
    ind = spec.indicators
    _check_columns(frame, ind, None)
    sub = frame[ind].apply(pd.to_numeric, errors="coerce").astype(float)
    n_missing = int(sub.isna().sum().sum())
    empty = [c for c in ind if sub[c].notna().sum() == 0]
    if empty:
        raise DataError(t("pls.data.empty_column", columns=", ".join(empty)))
    if missing == "mean":
        used = sub.fillna(sub.mean())
        n_dropped = 0
    elif missing == "listwise":
        used = sub.dropna()
        n_dropped = len(sub) - len(used)
    else:
        raise DataError(t("pls.data.bad_missing", missing=missing))
    n = len(used)
    if n < 3 or n <= 2 * max(len(spec.predecessors(c)) for c in spec.constructs):
        raise DataError(t("pls.data.too_few_rows", n=n))
    sd = used.std(ddof=1)
    zero = [c for c in ind if not sd[c] > 1e-12]
    if zero:
        raise DataError(t("sem.data.zero_variance", columns=", ".join(zero), where=""))
    info = {"n": n, "n_dropped": n_dropped, "n_missing_cells": n_missing if missing == "mean" else 0,
            "missing": missing, "means": used.mean().to_dict(), "sds": sd.to_dict()}
    return used.to_numpy(), used, info


def _defined(spec: PLSSpec):
    """DefinedParameters over the labelled path coefficients (None when the model has no ``:=``)."""
    if not spec.defined:
        return None
    from ..sem.defined import DefinedParameters

    rows = []
    for k, (a, e) in enumerate(spec.paths):
        rows.append({"lhs": e, "op": "~", "rhs": a, "label": spec.labels.get((a, e), ""), "free": k + 1,
                     "ustart": np.nan})
    for name, expr in spec.defined:
        rows.append({"lhs": name, "op": ":=", "rhs": expr, "label": name, "free": 0, "ustart": np.nan})
    return DefinedParameters(rows)


def fit_batch(S: np.ndarray, spec: PLSSpec, *, weighting: str, consistent: bool, tol: float, max_iter: int,
              routes=None, defined=None, scale=None) -> dict:
    """Every bootstrappable statistic for a batch of correlation matrices (leading dimension B).

    ``scale`` (B × K): the SD of each construct's score when it is not 1 (the two-stage interaction
    terms, :mod:`cem_edu.pls.moderation`); the paths from construct k are divided by it."""
    mask, P, blocks = spec.mask(), spec.path_matrix(), spec.block_index()
    modes = [spec.modes[c] for c in spec.constructs]
    core = estimate_batch(S, mask, modes, P, blocks, weighting=weighting, tol=tol, max_iter=max_iter)
    out = {"core": core, "W": core.W, "L": core.L, "C": core.C, "paths": core.paths, "r2": core.r2}
    rho = None
    if consistent:
        rho, Lc, Cc, paths_c, r2_c = plsc_batch(S, core, mask, modes, P, blocks)
        out.update(L=np.where(mask > 0, Lc, core.L), C=Cc, paths=paths_c, r2=r2_c)
    out["rho_a"] = rho
    if scale is not None:
        out["paths"] = out["paths"] / scale[:, :, None]
    out["total"] = total_effects_batch(out["paths"])
    if routes is None:
        routes = indirect_paths(P)
    out["routes"] = routes
    out["indirect"] = route_values(out["paths"], routes)
    out["htmt"] = htmt_batch(S, blocks)
    out["htmt2"] = htmt_batch(S, blocks, mean="geometric")
    if defined is not None:
        pidx = [(spec.constructs.index(a), spec.constructs.index(e)) for a, e in spec.paths]
        x = np.stack([out["paths"][:, i, j] for i, j in pidx], axis=1)          # (B, npaths)
        env = {lab: x[:, k] for lab, (k, _, _) in defined.labels.items()}
        vals = defined._evaluate(env)
        out["defined"] = np.stack([np.broadcast_to(np.asarray(v, float), (x.shape[0],)) for v in vals], axis=1)
    return out


def pls_fit(model: str, data, *, weighting: str = "path", consistent: bool = False, bootstrap: int = 0,
            seed=None, ci: str = "percentile", level: float = 0.95, missing: str = "mean", tol: float = 1e-7,
            max_iter: int = 300, progress: bool = True, interactions=None):
    """The work of :func:`cem_edu.pls.pls` (documented there)."""
    from .result import build_result

    w = _WEIGHTING_ALIASES.get(str(weighting).lower())
    if w is None:
        raise ModelError(t("pls.bad_weighting", weighting=weighting))
    if ci not in ("percentile", "bca"):
        raise ModelError(t("sem.boot.bad_ci", ci=ci))
    if not (0 < level < 1):
        raise ModelError(t("pls.bad_level", level=level))
    try:
        bootstrap = int(bootstrap)
    except (TypeError, ValueError):
        raise ModelError(t("pls.bad_bootstrap", value=bootstrap)) from None
    if bootstrap < 0 or bootstrap == 1:
        raise ModelError(t("pls.bad_bootstrap", value=bootstrap))
    spec = parse_pls(model)
    X, used, info = prepare_data(spec, data, missing)
    two_stage = None
    if interactions:
        from .moderation import TwoStage

        two_stage = TwoStage(spec, interactions, weighting=w, tol=tol, max_iter=max_iter)
        spec = two_stage.spec
        S, X, used, info = two_stage.augment(X, used, info)
    else:
        S = correlation_batch(X)
    defined = _defined(spec)
    est = fit_batch(S, spec, weighting=w, consistent=consistent, tol=tol, max_iter=max_iter, defined=defined,
                    scale=None if two_stage is None else two_stage.scale)
    core = est["core"]
    if not core.converged[0]:
        raise ModelError(t("pls.not_converged", max_iter=max_iter, tol=tol))
    if not np.all(np.isfinite(core.W)):
        raise ModelError(t("pls.singular"))
    boot = None
    if bootstrap and ci == "bca" and bootstrap < X.shape[0]:
        warnings.warn(t("sem.boot.bca_small", R=bootstrap, n=X.shape[0]), EstimationWarning, stacklevel=3)
    if bootstrap:
        boot = run_bootstrap(X, spec, est, R=bootstrap, seed=seed, weighting=w, consistent=consistent, tol=tol,
                             max_iter=max_iter, defined=defined, progress=progress, two_stage=two_stage)
    res = build_result(spec, S[0], X, used, info, est, boot, weighting=w, consistent=consistent, ci=ci,
                       level=level, tol=tol, max_iter=max_iter, seed=seed, defined=defined)
    if two_stage is not None:
        res.settings["interactions"] = two_stage.describe()
    return res


def run_bootstrap(X, spec, est, *, R, seed, weighting, consistent, tol, max_iter, defined, progress=True,
                  chunk: int = 1000, two_stage=None) -> dict:
    """Draw ``R`` bootstrap samples (rows with replacement, ``numpy.random.default_rng(seed)``)
    and estimate them in batches. Draws that do not converge are dropped (and counted). With
    ``two_stage`` (:class:`~cem_edu.pls.moderation.TwoStage`) both stages are repeated in every draw."""
    from tqdm.auto import tqdm

    n = X.shape[0]
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, n, size=(R, n))
    freq = np.zeros((R, n))
    np.add.at(freq, (np.repeat(np.arange(R), n), idx.ravel()), 1.0)
    keys = ["paths", "W", "L", "r2", "total", "indirect", "htmt", "htmt2"] + (["defined"] if defined else [])
    parts = {k: [] for k in keys}
    ok_all = []
    bar = tqdm(total=R, desc=t("progress.pls_bootstrap"), disable=not progress, leave=False)
    if two_stage is not None:
        chunk = min(chunk, 250)          # the draws' standardised data (chunk × n × p) are held in memory
    for a in range(0, R, chunk):
        F = freq[a:a + chunk]
        if two_stage is None:
            S = correlation_batch(X, F)
            good = np.all(np.isfinite(S), axis=(1, 2))
            S = np.where(good[:, None, None], S, np.eye(S.shape[1]))
        else:
            S, _, scale, good = two_stage.correlations(X, F)
        with np.errstate(all="ignore"):
            out = fit_batch(S, spec, weighting=weighting, consistent=consistent, tol=tol, max_iter=max_iter,
                            routes=est["routes"], defined=defined, scale=None if two_stage is None else scale)
        ok = (good & out["core"].converged & np.all(np.isfinite(out["W"]), axis=(1, 2))
              & np.all(np.isfinite(out["paths"]), axis=(1, 2)) & np.all(np.isfinite(out["L"]), axis=(1, 2)))
        ok_all.append(ok)
        for k in keys:
            parts[k].append(out[k])
        bar.update(len(F))
    bar.close()
    ok = np.concatenate(ok_all)
    draws = {k: np.concatenate(v)[ok] for k, v in parts.items()}
    n_failed = int((~ok).sum())
    if n_failed:
        warnings.warn(t("sem.boot.failed", n=n_failed, R=R), EstimationWarning, stacklevel=3)
    if ok.sum() < max(10, R // 2):
        raise ModelError(t("sem.boot.too_few", n=int(ok.sum()), R=R))
    return {"draws": draws, "freq": freq[ok], "R": R, "n_failed": n_failed, "seed": seed}
