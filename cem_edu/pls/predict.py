"""PLSpredict: out-of-sample predictive power of a PLS path model (Shmueli et al. 2016, 2019).

k-fold cross-validation, repeated ``reps`` times with new random folds. In each fold the model
is estimated on the other folds (all folds of all repetitions in one batch, on training-set
correlation matrices) and the indicators of the endogenous constructs are predicted for the
hold-out cases:

* hold-out indicators are standardised with the training means and SDs; the composite scores
  of the predictors use the training weights;
* ``technique="EA"`` (earliest antecedents, Shmueli et al. 2016; SmartPLS): the endogenous
  scores are predicted from the exogenous composites through the total effects,
  Ŷ_endo = Y_exo · T[exo, endo]; ``"DA"`` (direct antecedents, seminr's default): from the
  composites of each construct's direct predictors, Ŷ_j = Σ β_ij Y_i;
* an indicator is predicted as x̂ = mean_train + sd_train · λ · Ŷ (its training loading).

Benchmarks per indicator: the training mean (Q²_predict = 1 − Σ(x − x̂)² / Σ(x − x̄_train)²)
and a linear model (LM, OLS with intercept on the training folds) regressing the indicator on all
indicators of the exogenous constructs (EA; Shmueli et al. 2019) or on the indicators of its
construct's direct antecedents (DA, as seminr). RMSE and MAE pool the squared / absolute errors of every hold-out case
over all repetitions.

References: Shmueli, G., Ray, S., Velasquez Estrada, J. M., & Chatla, S. B. (2016). The elephant
in the room: predictive performance of PLS models. Journal of Business Research 69(10), 4552–4564.
Shmueli, G., Sarstedt, M., Hair, J. F., Cheah, J.-H., Ting, H., Vaithilingam, S., & Ringle, C. M.
(2019). Predictive model assessment in PLS-SEM: guidelines for using PLSpredict. European
Journal of Marketing 53(11), 2322–2347.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ModelError
from ..i18n import t
from .algorithm import correlation_batch, estimate_batch
from .quality import total_effects_batch

__all__ = ["pls_predict", "folds"]


def folds(n: int, k: int, reps: int, seed) -> np.ndarray:
    """Fold number (0 … k−1) of every row in every repetition, (reps, n): a random permutation per
    repetition from ``numpy.random.default_rng(seed)``, row i of the permutation in fold i mod k."""
    rng = np.random.default_rng(seed)
    out = np.empty((reps, n), dtype=int)
    for r in range(reps):
        perm = rng.permutation(n)
        out[r, perm] = np.arange(n) % k
    return out


def pls_predict(result, data, *, k: int = 10, reps: int = 10, technique: str = "EA", seed=None) -> pd.DataFrame:
    """PLSpredict of a fitted ``ce.pls`` result (see the module docstring).

    ``data`` is the data the model was fitted on (the result's missing-data rule is applied again). Returns one row per endogenous indicator: construct, item, rmse, mae
    (PLS), lm_rmse, lm_mae, q2_predict, and ``pls_better`` (PLS RMSE below the LM's); ``attrs``
    carries k, reps, technique, seed and Shmueli et al.'s verdict on predictive power.
    """
    from .estimate import prepare_data

    technique = str(technique).upper()
    if technique not in ("EA", "DA"):
        raise ModelError(t("pls.predict.bad_technique", technique=technique))
    if result.settings.get("interactions"):
        raise ModelError(t("pls.mod.predict"))
    spec = result.spec
    X, _, _ = prepare_data(spec, data, result.info["missing"])
    n, p = X.shape
    if not 2 <= k <= n // 2:
        raise ModelError(t("pls.predict.bad_k", k=k, n=n))
    fold_of = folds(n, k, reps, seed)                              # (reps, n)
    train = np.concatenate([(fold_of != f).astype(float) for f in range(k)])    # (k*reps, n) rep-major per fold
    fold_index = np.concatenate([np.full(reps, f) for f in range(k)])
    rep_index = np.tile(np.arange(reps), k)
    S, mean, sd = correlation_batch(X, train, moments=True)
    mask, P, blocks = spec.mask(), spec.path_matrix(), spec.block_index()
    modes = [spec.modes[c] for c in spec.constructs]
    w = result.settings["weighting"]
    core = estimate_batch(S, mask, modes, P, blocks, weighting=w, tol=result.settings["tol"],
                          max_iter=result.settings["max_iter"])
    if not core.converged.all():
        raise ModelError(t("pls.not_converged", max_iter=result.settings["max_iter"], tol=result.settings["tol"]))
    names = spec.constructs
    endo = [names.index(c) for c in spec.endogenous]
    exo = [names.index(c) for c in spec.exogenous]
    tgt = [i for j in endo for i in blocks[j]]
    exo_items = [i for j in exo for i in blocks[j]]
    T = total_effects_batch(core.paths)
    lm_sets = {}                    # endogenous construct -> (its target columns, LM predictor items)
    pos = 0
    for j in endo:
        cols = list(range(pos, pos + len(blocks[j])))
        pos += len(blocks[j])
        if technique == "EA":
            items = exo_items
        else:
            items = [i for a in np.flatnonzero(P[:, j]) for i in blocks[a]]
        lm_sets[j] = (cols, items)
    sq_pls = np.zeros(len(tgt))
    ab_pls = np.zeros(len(tgt))
    sq_lm = np.zeros(len(tgt))
    ab_lm = np.zeros(len(tgt))
    sq_naive = np.zeros(len(tgt))
    for b in range(len(train)):
        hold = fold_of[rep_index[b]] == fold_index[b]
        tr = ~hold
        Z = (X[hold] - mean[b]) / sd[b]
        Y = Z @ core.W[b]                                          # composite scores (training weights)
        if technique == "EA":
            Yhat = Y[:, exo] @ T[b][np.ix_(exo, endo)]
        else:
            Yhat = Y @ core.paths[b][:, endo]
        lam = np.array([core.L[b, i, j] for j in endo for i in blocks[j]])
        owner = np.concatenate([np.full(len(blocks[j]), c) for c, j in enumerate(endo)])
        xhat = mean[b][tgt] + sd[b][tgt] * lam * Yhat[:, owner]
        y = X[hold][:, tgt]
        err = y - xhat
        sq_pls += (err ** 2).sum(axis=0)
        ab_pls += np.abs(err).sum(axis=0)
        sq_naive += ((y - mean[b][tgt]) ** 2).sum(axis=0)
        lm = np.empty_like(y)
        for j, (cols, items) in lm_sets.items():
            A = np.column_stack([np.ones(tr.sum()), X[tr][:, items]])
            coef = np.linalg.lstsq(A, X[tr][:, [tgt[c] for c in cols]], rcond=None)[0]
            lm[:, cols] = np.column_stack([np.ones(hold.sum()), X[hold][:, items]]) @ coef
        sq_lm += ((y - lm) ** 2).sum(axis=0)
        ab_lm += np.abs(y - lm).sum(axis=0)
    m = n * reps
    ind = spec.indicators
    out = pd.DataFrame({"construct": [names[j] for j in endo for _ in blocks[j]], "item": [ind[i] for i in tgt],
                        "rmse": np.sqrt(sq_pls / m), "mae": ab_pls / m, "lm_rmse": np.sqrt(sq_lm / m),
                        "lm_mae": ab_lm / m, "q2_predict": 1 - sq_pls / sq_naive})
    out["pls_better"] = out["rmse"] < out["lm_rmse"]
    share = out["pls_better"].mean()
    verdict = "high" if share == 1 else "medium" if share >= 0.5 else "low" if share > 0 else "none"
    out.attrs.update(k=k, reps=reps, technique=technique, seed=seed, predictive_power=verdict)
    return out

