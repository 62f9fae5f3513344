"""PLSResult: the estimates and quality criteria of a PLS path model as tidy frames.

``res.paths``            lhs op rhs label est mean se t pvalue ci_lower ci_upper (lhs = effect)
``res.loadings``         construct item mode est (+ bootstrap columns); ``res.weights`` alike
``res.r2``, ``res.r2_adj``  Series per endogenous construct
``res.f2``               lhs rhs f2 (Cohen's effect size, re-estimating without the path)
``res.total_effects``    lhs rhs est (+ bootstrap) for every cause upstream of an effect
``res.indirect_effects`` specific indirect effects (one row per route) with the mediation type
``res.total_indirect``   total indirect effects per (effect, cause)
``res.defined``          the ``:=`` parameters of the model
``res.reliability``      construct × mode alpha rhoA rhoC ave
``res.htmt``, ``res.htmt2``  construct × construct; ``res.htmt_ci`` long, with bootstrap CIs of both
``res.fornell_larcker``, ``res.cross_loadings``, ``res.vif_inner``, ``res.vif_outer``, ``res.scores``
``res.simple_slopes()``  slopes of X at Z = −1, 0, +1 SD for a two-stage interaction (``interactions=``)
``res.to_dict()`` / ``res.to_json()``  the JSON the CLI writes (NaN -> null)
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats as _st

from ..errors import ModelError
from ..i18n import format_number, t
from ..results import Result, json_records, json_safe
from .quality import mediation_type, reliability_table, vif_inner, vif_outer

__all__ = ["PLSResult", "build_result", "BOOT_COLUMNS"]

BOOT_COLUMNS = ["mean", "se", "t", "pvalue", "ci_lower", "ci_upper"]


def boot_summary(est: np.ndarray, draws: np.ndarray | None, *, n: int, ci: str, level: float,
                 freq: np.ndarray | None) -> pd.DataFrame:
    """Bootstrap mean, SE (SD of the draws, n − 1), t = est/SE, two-sided p from the t distribution
    with n − 1 df (Hair et al. 2022, ch. 5), and percentile or BCa intervals (the kit's
    ``cem_edu.sem.bootstrap.intervals``, boot's interpolation)."""
    k = len(est)
    out = pd.DataFrame(np.nan, index=range(k), columns=BOOT_COLUMNS)
    if draws is None or k == 0:
        return out
    from ..sem.bootstrap import intervals

    draws = np.asarray(draws, float).reshape(len(draws), k)
    se = draws.std(axis=0, ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        tv = np.where(se > 1e-12, est / np.where(se > 1e-12, se, 1), np.nan)
    out["mean"] = draws.mean(axis=0)
    out["se"] = se
    out["t"] = tv
    out["pvalue"] = 2 * _st.t.sf(np.abs(tv), df=n - 1)
    iv = intervals(draws, np.asarray(est, float), level=level, ci=ci, freq=freq, first_idx=(0,))
    const = se <= 1e-12
    iv[const] = np.c_[est[const], est[const]]
    out["ci_lower"], out["ci_upper"] = iv[:, 0], iv[:, 1]
    return out


def _with_boot(frame: pd.DataFrame, est, draws, ctx) -> pd.DataFrame:
    b = boot_summary(np.asarray(est, float), draws, **ctx)
    for c in BOOT_COLUMNS:
        frame[c] = b[c].to_numpy()
    return frame


def _f2(spec, S, weighting, tol, max_iter, consistent, r2: dict) -> pd.DataFrame:
    """Cohen's f² = (R²_included − R²_excluded) / (1 − R²_included), R²_excluded from the model
    re-estimated without the path (as SmartPLS and seminr; Hair et al. 2022, ch. 6)."""
    from .estimate import fit_batch
    from .spec import PLSSpec

    rows = []
    for a, e in spec.paths:
        rest = [p for p in spec.paths if p != (a, e)]
        r2_in = r2[e]
        if not any(x == e for _, x in rest):
            r2_out = 0.0
        else:
            keep = {x for p in rest for x in p}
            cons = [c for c in spec.constructs if c in keep]
            sub = PLSSpec(constructs=cons, blocks={c: spec.blocks[c] for c in cons},
                          modes={c: spec.modes[c] for c in cons}, paths=rest, labels={}, defined=[])
            ind_all = spec.indicators
            pos = [ind_all.index(i) for i in sub.indicators]
            Ssub = S[np.ix_(pos, pos)][None]
            out = fit_batch(Ssub, sub, weighting=weighting, consistent=consistent, tol=tol, max_iter=max_iter)
            r2_out = float(out["r2"][0, cons.index(e)])
        rows.append({"lhs": e, "rhs": a, "f2": (r2_in - r2_out) / (1 - r2_in)})
    return pd.DataFrame(rows, columns=["lhs", "rhs", "f2"])


def build_result(spec, S, X, used, info, est, boot, *, weighting, consistent, ci, level, tol, max_iter, seed,
                 defined):
    """Assemble a :class:`PLSResult` from the estimates of :func:`fit_batch` (and bootstrap draws):
    paths, outer model, R²/f², effects, reliability, discriminant validity, VIFs and scores."""
    names = spec.constructs
    n = info["n"]
    D = boot["draws"] if boot else None
    ctx = {"n": n, "ci": ci, "level": level, "freq": boot["freq"] if boot else None}
    pos = {c: i for i, c in enumerate(names)}
    core = est["core"]
    paths = _result_paths(spec, est, D, ctx, pos)
    loadings, weights, base = _result_outer(spec, est, D, ctx)
    endo = spec.endogenous
    r2 = pd.Series({c: float(est["r2"][0, pos[c]]) for c in endo}, name="r2")
    r2_adj = pd.Series({c: 1 - (1 - r2[c]) * (n - 1) / (n - len(spec.predecessors(c)) - 1) for c in endo},
                       name="r2_adj")
    f2 = _f2(spec, S, weighting, tol, max_iter, consistent, r2.to_dict())
    total, indirect, total_indirect = _result_effects(spec, est, D, ctx, paths)
    dfr = _result_defined(est, defined, D, ctx)
    rel = _result_reliability(spec, S, est)
    htmt, htmt2, htmt_ci = _result_htmt(names, est, D, ctx)
    C = est["C"][0]
    fl = pd.DataFrame(C.copy(), index=names, columns=names)
    for c in names:
        fl.loc[c, c] = np.sqrt(rel.loc[c, "ave"])
    fl.index.name = "construct"
    cross = pd.DataFrame(core.L[0], index=pd.Index(spec.indicators, name="item"), columns=names)   # PLS loadings
    cross.insert(0, "construct", [c for c in names for _ in spec.blocks[c]])
    vif_o, vif_i = _result_vif(spec, S, core, base, pos)
    Z = (X - X.mean(axis=0)) / X.std(axis=0, ddof=1)
    scores = pd.DataFrame(Z @ core.W[0], index=used.index, columns=names)

    settings = {"weighting": weighting, "consistent": bool(consistent), "bootstrap": int(boot["R"]) if boot else 0,
                "bootstrap_ok": int(len(boot["freq"])) if boot else 0, "seed": seed, "ci": ci, "level": level,
                "tol": tol, "max_iter": max_iter, "iterations": int(core.iterations[0]),
                "converged": bool(core.converged[0])}
    return PLSResult(paths=paths, loadings=loadings, weights=weights, r2=r2, r2_adj=r2_adj, f2=f2,
                     total_effects=total, indirect_effects=indirect, total_indirect=total_indirect, defined=dfr,
                     reliability=rel, htmt=htmt, htmt2=htmt2, htmt_ci=htmt_ci, fornell_larcker=fl,
                     cross_loadings=cross, vif_inner=vif_i, vif_outer=vif_o, scores=scores, spec=spec,
                     info=info, settings=settings, notes=list(spec.notes), construct_cor=pd.DataFrame(C, index=names,
                                                                                                   columns=names),
                     boot=boot)


def _result_paths(spec, est, D, ctx, pos) -> pd.DataFrame:
    """The structural paths (lhs ~ rhs) with their labels and bootstrap columns."""
    pidx = [(pos[a], pos[e]) for a, e in spec.paths]
    paths = pd.DataFrame({"lhs": [e for _, e in spec.paths], "op": "~", "rhs": [a for a, _ in spec.paths],
                          "label": [spec.labels.get(p, "") for p in spec.paths],
                          "est": [est["paths"][0, i, j] for i, j in pidx]})
    return _with_boot(paths, paths["est"], None if D is None else
                      np.stack([D["paths"][:, i, j] for i, j in pidx], axis=1), ctx)


def _result_outer(spec, est, D, ctx) -> tuple:
    """Outer loadings and weights per (construct, item) with bootstrap columns, and their key columns."""
    names, ind = spec.constructs, spec.indicators
    modes = [spec.modes[c] for c in names]
    own = [(ind.index(i), k) for k, c in enumerate(names) for i in spec.blocks[c]]
    base = {"construct": [names[k] for _, k in own], "item": [ind[i] for i, _ in own],
            "mode": [modes[k] for _, k in own]}
    loadings = pd.DataFrame({**base, "est": [est["L"][0, i, k] for i, k in own]})
    loadings = _with_boot(loadings, loadings["est"], None if D is None else
                          np.stack([D["L"][:, i, k] for i, k in own], axis=1), ctx)
    weights = pd.DataFrame({**base, "est": [est["W"][0, i, k] for i, k in own]})
    weights = _with_boot(weights, weights["est"], None if D is None else
                         np.stack([D["W"][:, i, k] for i, k in own], axis=1), ctx)
    return loadings, weights, base


def _result_effects(spec, est, D, ctx, paths) -> tuple:
    """Total effects (of upstream constructs), specific indirect effects with the mediation type, and
    total indirect effects (total − direct), each with bootstrap columns."""
    names, K = spec.constructs, len(spec.constructs)
    T = est["total"][0]
    te_pairs = [(i, j) for j in range(K) for i in range(K) if i != j and abs(T[i, j]) > 0 and _upstream(spec, i, j)]
    total = pd.DataFrame({"lhs": [names[j] for _, j in te_pairs], "op": "~", "rhs": [names[i] for i, _ in te_pairs],
                          "est": [T[i, j] for i, j in te_pairs]})
    total = _with_boot(total, total["est"], None if D is None else
                       np.stack([D["total"][:, i, j] for i, j in te_pairs], axis=1) if te_pairs else None, ctx)
    routes = est["routes"]
    ind_est = est["indirect"][0]
    indirect = pd.DataFrame({"lhs": [names[r[-1]] for r in routes], "rhs": [names[r[0]] for r in routes],
                             "path": [" → ".join(names[i] for i in r) for r in routes], "est": ind_est})
    indirect = _with_boot(indirect, ind_est, None if D is None or not routes else D["indirect"], ctx)
    indirect["direct"], indirect["mediation"] = _mediation(spec, routes, indirect, paths, D is None)
    ti_pairs = sorted({(r[0], r[-1]) for r in routes}, key=lambda p: (p[1], p[0]))
    D_ti = None
    if D is not None and ti_pairs:
        D_ti = np.stack([D["total"][:, i, j] - D["paths"][:, i, j] for i, j in ti_pairs], axis=1)
    total_indirect = pd.DataFrame({"lhs": [names[j] for _, j in ti_pairs], "rhs": [names[i] for i, _ in ti_pairs],
                                   "est": [T[i, j] - est["paths"][0, i, j] for i, j in ti_pairs]})
    return total, indirect, _with_boot(total_indirect, total_indirect["est"], D_ti, ctx)


def _mediation(spec, routes, indirect, paths, no_boot: bool) -> tuple[list, list]:
    """Per indirect route: the direct path's estimate and the mediation type (Zhao, Lynch & Chen 2010;
    None without bootstrap intervals)."""
    names = spec.constructs
    direct = {(a, e): i for i, (a, e) in enumerate(spec.paths)}
    dir_est, mtype = [], []
    for r, row in zip(routes, indirect.itertuples()):
        d = direct.get((names[r[0]], names[r[-1]]))
        dir_est.append(paths.loc[d, "est"] if d is not None else np.nan)
        if no_boot:
            mtype.append(None)
            continue
        isig = not (row.ci_lower <= 0 <= row.ci_upper)
        dsig = bool(d is not None and not (paths.loc[d, "ci_lower"] <= 0 <= paths.loc[d, "ci_upper"]))
        same = d is not None and row.est * paths.loc[d, "est"] > 0
        mtype.append(mediation_type(isig, dsig, same))
    return dir_est, mtype


def _result_defined(est, defined, D, ctx) -> pd.DataFrame:
    """The ``:=`` parameters with bootstrap columns (an empty table when the model defines none)."""
    if defined is None:
        return pd.DataFrame(columns=["lhs", "op", "rhs", "est", *BOOT_COLUMNS])
    dvals = est["defined"][0]
    dfr = pd.DataFrame({"lhs": defined.names, "op": ":=", "rhs": defined.exprs, "est": dvals})
    return _with_boot(dfr, dvals, None if D is None else D["defined"], ctx)


def _result_reliability(spec, S, est) -> pd.DataFrame:
    """Reliability per construct (α, ρ_A, ρ_C, AVE; with PLSc from the consistent loadings) and its mode."""
    names = spec.constructs
    modes = [spec.modes[c] for c in names]
    blocks = spec.block_index()
    rho = est["rho_a"][0] if est["rho_a"] is not None else None
    if rho is None:
        from .algorithm import rho_a_batch
        rho = rho_a_batch(S[None], est["core"].W, modes, blocks)[0]
    rel = pd.DataFrame(reliability_table(S, est["L"][0], rho, blocks, modes), index=pd.Index(names, name="construct"))
    rel.insert(0, "mode", modes)
    return rel


def _result_htmt(names, est, D, ctx) -> tuple:
    """HTMT and HTMT2 matrices, and per pair of constructs both ratios with bootstrap intervals."""
    K = len(names)
    htmt = pd.DataFrame(est["htmt"][0], index=names, columns=names)
    htmt2 = pd.DataFrame(est["htmt2"][0], index=names, columns=names)
    htmt.index.name = htmt2.index.name = "construct"
    pairs = [(a, b) for a in range(K) for b in range(a + 1, K)]
    htmt_ci = pd.DataFrame({"construct_1": [names[a] for a, _ in pairs], "construct_2": [names[b] for _, b in pairs],
                            "htmt": [est["htmt"][0, a, b] for a, b in pairs]})
    htmt_ci = _with_boot(htmt_ci, htmt_ci["htmt"], None if D is None or not pairs else
                         np.stack([D["htmt"][:, a, b] for a, b in pairs], axis=1), ctx)
    htmt_ci = htmt_ci.rename(columns={"htmt": "est"})
    htmt_ci.insert(3, "htmt2", [est["htmt2"][0, a, b] for a, b in pairs])
    h2 = boot_summary(htmt_ci["htmt2"].to_numpy(float), None if D is None or not pairs else
                      np.stack([D["htmt2"][:, a, b] for a, b in pairs], axis=1), **ctx)
    htmt_ci["htmt2_ci_lower"], htmt_ci["htmt2_ci_upper"] = h2["ci_lower"].to_numpy(), h2["ci_upper"].to_numpy()
    return htmt, htmt2, htmt_ci


def _result_vif(spec, S, core, base, pos) -> tuple:
    """Collinearity: outer VIF per item within its block, inner VIF per predictor of each endogenous construct."""
    vo = vif_outer(S, spec.block_index())
    vif_o = pd.DataFrame({**{k: v for k, v in base.items() if k != "mode"},
                          "vif": np.concatenate(vo)})
    vi_rows = []
    for e in spec.endogenous:
        pred = [pos[a] for a in spec.predecessors(e)]
        for a, v in zip(pred, vif_inner(core.C[0], pred)):
            vi_rows.append({"lhs": e, "rhs": spec.constructs[a], "vif": float(v)})
    return vif_o, pd.DataFrame(vi_rows, columns=["lhs", "rhs", "vif"])


def _upstream(spec, i, j) -> bool:
    P = spec.path_matrix()
    reach = P[i].copy()
    for _ in range(len(P)):
        reach = np.clip(reach + reach @ P, 0, 1)
    return bool(reach[j])


@dataclass(frozen=True, eq=False)
class PLSResult(Result):
    """A fitted PLS path model (see the module docstring for the attributes)."""

    paths: pd.DataFrame
    loadings: pd.DataFrame
    weights: pd.DataFrame
    r2: pd.Series
    r2_adj: pd.Series
    f2: pd.DataFrame
    total_effects: pd.DataFrame
    indirect_effects: pd.DataFrame
    total_indirect: pd.DataFrame
    defined: pd.DataFrame
    reliability: pd.DataFrame
    htmt: pd.DataFrame
    htmt2: pd.DataFrame
    htmt_ci: pd.DataFrame
    fornell_larcker: pd.DataFrame
    cross_loadings: pd.DataFrame
    vif_inner: pd.DataFrame
    vif_outer: pd.DataFrame
    scores: pd.DataFrame
    spec: object
    info: dict
    settings: dict
    notes: list = field(default_factory=list)
    construct_cor: pd.DataFrame | None = None
    boot: dict | None = field(default=None, repr=False)

    @property
    def n_used(self) -> int:
        return int(self.info["n"])

    @property
    def iterations(self) -> int:
        return int(self.settings["iterations"])

    @property
    def converged(self) -> bool:
        return bool(self.settings["converged"])

    @property
    def estimates(self) -> pd.DataFrame:
        """lavaan-style table: loadings (``=~``, mode A; ``<~`` weights for mode B), paths (``~``),
        defined parameters (``:=``)."""
        ld = self.loadings.assign(lhs=self.loadings["construct"], op="=~", rhs=self.loadings["item"])
        cols = ["lhs", "op", "rhs", "est", *BOOT_COLUMNS]
        return pd.concat([ld[cols], self.paths[cols], self.defined[cols]], ignore_index=True)

    def path_matrix(self) -> pd.DataFrame:
        """Path coefficients as a cause × effect matrix (SmartPLS's layout)."""
        names = self.spec.constructs
        m = pd.DataFrame(0.0, index=names, columns=names)
        for r in self.paths.itertuples():
            m.loc[r.rhs, r.lhs] = r.est
        return m

    def predict(self, data, *, k: int = 10, reps: int = 10, technique: str = "EA", seed=None) -> pd.DataFrame:
        """PLSpredict (Shmueli et al. 2019): k-fold Q²_predict, RMSE and MAE against the LM benchmark.
        See :func:`cem_edu.pls.predict.pls_predict`."""
        from .predict import pls_predict

        return pls_predict(self, data, k=k, reps=reps, technique=technique, seed=seed)

    def ipma_inputs(self, target: str, ranges: dict) -> tuple:
        """Importance and weights of the PLS IPMA (Ringle & Sarstedt 2016) for ``ce.ipma``.

        With every indicator rescaled to 0–100 on its range (lo, hi), x̃ = (x − lo)/(hi − lo)·100,
        the unstandardised outer weight is w̃ᵢ = wᵢ / sd(x̃ᵢ); the rescaled score Ỹⱼ = Σ w̃ᵢ x̃ᵢ / Kⱼ,
        Kⱼ = Σᵢ w̃ᵢ, has sd 1/Kⱼ, so the unstandardised total effect of i on j is
        T̃ᵢⱼ = Tᵢⱼ · Kᵢ / Kⱼ (the OLS coefficients on the rescaled scores, chained).

        Returns (Series of T̃ on ``target`` for every construct upstream of it, {construct: {item: w̃}}).
        """
        sds = self.info["sds"]
        w_unstd, K = {}, {}
        for c, items in self.spec.blocks.items():
            ws = {}
            for r in self.weights[self.weights["construct"] == c].itertuples():
                lo, hi = ranges[r.item]
                ws[r.item] = r.est / (sds[r.item] * 100.0 / (float(hi) - float(lo)))
            w_unstd[c] = ws
            K[c] = sum(ws.values())
        te = self.total_effects[self.total_effects["lhs"] == target]
        eff = pd.Series({r.rhs: r.est * K[r.rhs] / K[target] for r in te.itertuples()}, dtype=float)
        if eff.empty:
            raise ModelError(t("pls.ipma.no_effect", target=target))
        return eff, w_unstd

    def simple_slopes(self, interaction: str | None = None, y: str | None = None, at=(-1.0, 0.0, 1.0)) -> pd.DataFrame:
        """Simple slopes of a two-stage interaction ``"X*Z"`` (``ce.pls(..., interactions=...)``): the
        effect of X on Y at moderator values Z = w (in SDs of Z; Z's scores are standardised),

            slope(w) = b₁ + b₃·w

        with b₁ the path X → Y and b₃ the path X*Z → Y (Hair et al. 2021, ch. 7; seminr's
        ``slope_analysis``). With a bootstrap, every draw gives its own slope (both stages
        re-estimated), so SE, t, p and the intervals come from the draws like those of the paths.

        Returns a frame: interaction, lhs (Y), rhs (X), moderator (Z), at (w), est + bootstrap columns.
        """
        terms = self.settings.get("interactions") or {}
        if not terms:
            raise ModelError(t("pls.mod.none"))
        if interaction is None:
            interaction = next(iter(terms))
        if interaction not in terms:
            raise ModelError(t("pls.mod.not_term", name=interaction, terms=", ".join(terms)))
        term = terms[interaction]
        ys = term["y"] if y is None else [y]
        if any(v not in term["y"] for v in ys):
            raise ModelError(t("pls.mod.not_term_outcome", y=y, name=interaction, outcomes=", ".join(term["y"])))
        w = np.atleast_1d(np.asarray(at, dtype=float))
        pos = {c: i for i, c in enumerate(self.spec.constructs)}
        ctx = {"n": self.n_used, "ci": self.settings["ci"], "level": self.settings["level"],
               "freq": self.boot["freq"] if self.boot else None}
        frames = []
        for v in ys:
            b1 = self.paths[(self.paths["lhs"] == v) & (self.paths["rhs"] == term["x"])]["est"]
            b1 = float(b1.iloc[0]) if len(b1) else 0.0       # X need not predict Y directly
            b3 = float(self.paths[(self.paths["lhs"] == v) & (self.paths["rhs"] == interaction)]["est"].iloc[0])
            draws = None
            if self.boot:
                P = self.boot["draws"]["paths"]
                draws = P[:, pos[term["x"]], pos[v]][:, None] + w[None, :] * P[:, pos[interaction], pos[v]][:, None]
            f = pd.DataFrame({"interaction": interaction, "lhs": v, "rhs": term["x"], "moderator": term["z"], "at": w,
                              "est": b1 + b3 * w})
            frames.append(_with_boot(f, f["est"], draws, ctx))
        return pd.concat(frames, ignore_index=True)

    # ------------------------------------------------------------- exporting
    def to_dict(self) -> dict:
        """JSON-ready dict (the CLI's ``pls --json``); NaN -> null."""
        def recs(frame, cols=None):
            return json_records(frame if cols is None else frame[cols])

        bc = BOOT_COLUMNS
        names = self.spec.constructs
        htmt = {a: {b: json_safe(self.htmt.loc[a, b]) for b in names if b != a} for a in names}
        htmt2 = {a: {b: json_safe(self.htmt2.loc[a, b]) for b in names if b != a} for a in names}
        rel = {c: {"mode": r["mode"], **{k: json_safe(r[k]) for k in ("alpha", "rhoA", "rhoC", "ave")}}
               for c, r in self.reliability.iterrows()}
        return {
            "paths": recs(self.paths, ["lhs", "op", "rhs", "label", "est", *bc]),
            "loadings": recs(self.loadings, ["construct", "item", "mode", "est", *bc]),
            "weights": recs(self.weights, ["construct", "item", "mode", "est", *bc]),
            "r2": {k: json_safe(v) for k, v in self.r2.items()},
            "r2_adj": {k: json_safe(v) for k, v in self.r2_adj.items()},
            "f2": recs(self.f2),
            "reliability": rel,
            "htmt": htmt,
            "htmt2": htmt2,
            "htmt_ci": recs(self.htmt_ci),
            "total_effects": recs(self.total_effects, ["lhs", "rhs", "est", *bc]),
            "indirect_effects": recs(self.indirect_effects),
            "defined": recs(self.defined),
            "vif_inner": recs(self.vif_inner),
            "vif_outer": recs(self.vif_outer),
            **({"interactions": {k: {**v, "sd_product": json_safe(v["sd_product"])}
                                 for k, v in self.settings["interactions"].items()},
                "simple_slopes": recs(pd.concat([self.simple_slopes(k) for k in self.settings["interactions"]],
                                                ignore_index=True))}
               if self.settings.get("interactions") else {}),
            "info": {**{k: json_safe(v) for k, v in self.settings.items() if k != "interactions"}, "n_used": self.n_used,
                     "n_dropped": int(self.info["n_dropped"]), "missing": self.info["missing"],
                     "n_missing_cells": int(self.info["n_missing_cells"]), "notes": list(self.notes)},
        }

    # ------------------------------------------------------------- printing
    def _header(self, language=None) -> list:
        s = self.settings
        title = t("pls.result.title_plsc" if s["consistent"] else "pls.result.title", language=language)
        conv = t("pls.result.converged", iterations=s["iterations"], language=language)
        lines = [f"{title}  —  {conv}", ""]

        def line(key, value):
            return f"  {t(key, language=language):<44s}{str(value):>14s}"
        lines += [line("pls.result.weighting", t(f"pls.weighting.{s['weighting']}", language=language)),
                  line("pls.result.n_used", self.n_used),
                  line("pls.result.missing", self.info["missing"])]
        if self.info["n_missing_cells"]:
            lines.append(line("pls.result.replaced", self.info["n_missing_cells"]))
        if self.info["n_dropped"]:
            lines.append(line("pls.result.dropped", self.info["n_dropped"]))
        if s["bootstrap"]:
            lines.append(line("pls.result.bootstrap", f"{s['bootstrap_ok']}/{s['bootstrap']}"))
            lines.append(line("pls.result.ci", f"{s['ci']} {format_number(s['level'] * 100, 0, language)}%"))
        for note in self.notes:
            lines.append("  " + note)
        return lines

    def __str__(self) -> str:
        lines = self._header()
        head = f"{'':34s}{'Estimate':>10s}{'Std.Err':>10s}{'t':>9s}{'P(>|t|)':>9s}{'CI.lower':>10s}{'CI.upper':>10s}"

        def fmt(v, w=10):
            return f"{v:{w}.3f}" if isinstance(v, (int, float, np.floating)) and np.isfinite(v) else " " * w

        def table(title, rows):
            out = ["", title + ":", head]
            for name, r in rows:
                out.append(f"  {name[:32]:32s}{fmt(r['est'])}{fmt(r['se'])}{fmt(r['t'], 9)}{fmt(r['pvalue'], 9)}"
                           f"{fmt(r['ci_lower'])}{fmt(r['ci_upper'])}")
            return out
        lines += table(t("pls.result.paths"), [(f"{r['lhs']} ~ {r['rhs']}", r) for _, r in self.paths.iterrows()])
        lines += ["", t("pls.result.r2") + ":"]
        for c in self.r2.index:
            lines.append(f"  {c[:32]:32s}{fmt(self.r2[c])}{fmt(self.r2_adj[c])}   (R², adj. R²)")
        lines += table(t("pls.result.loadings"),
                       [(f"{r['construct']} {'=~' if r['mode'] == 'A' else '<~'} {r['item']}", r)
                        for _, r in self.loadings.iterrows()])
        lines += table(t("pls.result.weights"),
                       [(f"{r['construct']} {'=~' if r['mode'] == 'A' else '<~'} {r['item']}", r)
                        for _, r in self.weights.iterrows()])
        if len(self.defined):
            lines += table(t("pls.result.defined"), [(f"{r['lhs']} := {r['rhs']}", r)
                                                      for _, r in self.defined.iterrows()])
        lines += ["", t("pls.result.reliability") + ":",
                  f"  {'':32s}{'alpha':>10s}{'rhoA':>10s}{'rhoC':>10s}{'AVE':>10s}"]
        for c, r in self.reliability.iterrows():
            lines.append(f"  {c[:32]:32s}{fmt(r['alpha'])}{fmt(r['rhoA'])}{fmt(r['rhoC'])}{fmt(r['ave'])}")
        lines += ["", t("pls.result.htmt") + ":", self.htmt.round(3).to_string()]
        return "\n".join(lines)

    def __repr__(self) -> str:
        s = self.settings
        return (f"<PLSResult {'PLSc' if s['consistent'] else 'PLS'} {s['weighting']} n={self.n_used} "
                f"constructs={len(self.spec.constructs)} paths={len(self.paths)} bootstrap={s['bootstrap_ok']}>")

    def _repr_html_(self) -> str:
        from ..i18n import get_language

        lang = get_language()
        rtl = " dir='rtl'" if lang == "fa" else ""
        head = html.escape("\n".join(self._header()))

        def tab(title, frame, index=False):
            body = frame.to_html(index=index, float_format=lambda v: f"{v:.3f}", na_rep="", border=0)
            return f"<details open><summary>{html.escape(title)}</summary>{body}</details>"
        r2 = pd.DataFrame({"r2": self.r2, "r2_adj": self.r2_adj})
        parts = [tab(t("pls.result.paths"), self.paths), tab(t("pls.result.r2"), r2, index=True),
                 tab(t("pls.result.loadings"), self.loadings), tab(t("pls.result.weights"), self.weights),
                 tab(t("pls.result.reliability"), self.reliability, index=True),
                 tab(t("pls.result.htmt"), self.htmt, index=True), tab("f²", self.f2)]
        if len(self.indirect_effects):
            parts.append(tab(t("pls.result.indirect"), self.indirect_effects))
        return (f"<div class='cem-edu-pls'{rtl}><pre style='font-size:90%'>{head}</pre>" + "".join(parts) + "</div>")
