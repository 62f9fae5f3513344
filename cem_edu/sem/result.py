"""FitResult: estimates, fit measures and diagnostics of a fitted model.

``res.estimates``  DataFrame: lhs op rhs label group est se z pvalue ci_lower ci_upper std_lv std_all
                   (lavaan ``parameterEstimates(standardized=TRUE)``; group is 1-based, 0 for ``:=``)
``res.fit``        Series with lavaan ``fitMeasures()`` names (``.`` -> ``_``)
``res.r2``         DataFrame group, variable, r2
``res.residuals()`` correlation residuals (lavaan ``resid(type="cor")``), always one DataFrame
                   (several groups: stacked, rows (group, variable); ``group=`` picks one)
``res.total_effects()`` total effects, unstandardised and std_all
``res.to_dict()``  JSON-ready {"estimates": [...], "fit": {...}} (NaN -> null; "constraints" when the
                   model has == < > constraints)

Internals kept for other estimators (MLR, bootstrap, modification indices):
``res.model`` (Model), ``res.stats`` (SampleStats), ``res.x`` (free parameters; under ``==``
constraints the reduced ones, the table's are ``res.model.theta(res.x)``),
``res.vcov`` (their covariance matrix; ``res.model.theta_vcov(res.vcov)`` for the table's),
``res.constraints()`` (the ``== < >`` constraints and their slack), ``res.information`` (unit expected information),
``res.defined`` (DefinedParameters), ``res.opt`` (EstimateInfo), ``res.extras`` (what the MLR, FIML,
bootstrap and WLSMV steps add; a read-only :class:`cem_edu.results.FrozenDict`, extended by building a new
result: ``dataclasses.replace(res, extras={**res.extras, key: value})``).

Like every result, FitResult derives from :class:`cem_edu.results.Result` (frozen, ``to_json``).
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import ModelError
from ..i18n import t
from ..results import FrozenDict, Result, json_records, json_safe
from .defined import DefinedParameters
from .ml import EstimateInfo, SampleStats
from .model import Model

__all__ = ["FitResult", "build_estimates"]

EST_COLUMNS = ["lhs", "op", "rhs", "label", "group", "est", "se", "z", "pvalue", "ci_lower", "ci_upper",
               "std_lv", "std_all"]


def build_estimates(model: Model, x: np.ndarray, vcov: np.ndarray, defined: DefinedParameters,
                    level: float = 0.95) -> pd.DataFrame:
    """The parameter-estimate table with Wald tests and CIs and standardised values."""
    from scipy import special

    from .standardize import standardize

    rows = model.rows
    main = [r for r in rows if r["op"] != ":="]
    fr = np.array([r["free"] for r in main], dtype=int)
    ust = np.array([r["ustart"] for r in main], dtype=float)
    # x -> theta (the partable's free parameters; differs from x under == constraints)
    theta = model.theta(x) if hasattr(model, "theta") else x
    vtheta = model.theta_vcov(vcov) if hasattr(model, "theta_vcov") else vcov
    est = np.where(fr > 0, theta[np.maximum(fr - 1, 0)] if len(theta) else 0.0, ust)
    se_free = np.sqrt(np.clip(np.diag(vtheta), 0, None)) if len(theta) else np.zeros(1)
    if hasattr(model, "pinned_by_inequality") and len(theta):
        se_free = np.where(model.pinned_by_inequality(), np.nan, se_free)   # lavaan: NA at an active bound
    se = np.where(fr > 0, se_free[np.maximum(fr - 1, 0)] if len(theta) else 0.0, 0.0)
    std_lv, std_all = standardize(model, x, np.r_[est, np.full(len(rows) - len(main), np.nan)])
    std_lv, std_all = std_lv[:len(main)], std_all[:len(main)]
    lab = [r["label"] for r in main]
    lhs, op, rhs = [r["lhs"] for r in main], [r["op"] for r in main], [r["rhs"] for r in main]
    group = [r["group"] for r in main]
    if len(defined):
        dv = defined.values(theta)
        dV = defined.vcov(theta, vtheta)
        dse = np.sqrt(np.clip(np.diag(dV), 0, None))
        env_lv = defined.label_env(lab, std_lv)
        env_all = defined.label_env(lab, std_all)
        nd = len(defined)
        lhs, op, rhs = lhs + defined.names, op + [":="] * nd, rhs + defined.exprs
        lab, group = lab + defined.names, group + [0] * nd
        est, se = np.r_[est, dv], np.r_[se, dse]
        std_lv = np.r_[std_lv, defined.values_from(env_lv)]
        std_all = np.r_[std_all, defined.values_from(env_all)]
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, est / np.where(se > 0, se, 1.0), np.nan)
    crit = special.ndtri(0.5 + level / 2)
    out = dict(lhs=np.array(lhs, dtype=object), op=np.array(op, dtype=object), rhs=np.array(rhs, dtype=object),
               label=np.array(lab, dtype=object), group=np.array(group, dtype=int), est=est, se=se, z=z,
               pvalue=2 * special.ndtr(-np.abs(z)), ci_lower=est - crit * se, ci_upper=est + crit * se,
               std_lv=std_lv, std_all=std_all)
    return pd.DataFrame(out, columns=EST_COLUMNS)


@dataclass(frozen=True, eq=False)
class FitResult(Result):
    """A fitted CFA/SEM model (see the module docstring for the attributes)."""

    estimates: pd.DataFrame
    fit: pd.Series
    r2: pd.DataFrame
    model: Model
    stats: SampleStats
    x: np.ndarray
    vcov: np.ndarray
    information: np.ndarray
    defined: DefinedParameters
    opt: EstimateInfo
    syntax: str = ""
    estimator: str = "ML"
    missing: str = "listwise"
    se_type: str = "standard"
    test: str = "standard"
    group: str | None = None
    extras: dict = field(default_factory=FrozenDict)

    def __post_init__(self):
        # read-only to users: estimators that add to it build a new result,
        # ``dataclasses.replace(res, extras={**res.extras, key: value})``
        if not isinstance(self.extras, FrozenDict):
            object.__setattr__(self, "extras", FrozenDict(self.extras))

    # ----------------------------------------------------------------- basics
    @property
    def n_used(self) -> int:
        """Number of rows used in estimation."""
        return self.stats.ntotal

    @property
    def n_dropped(self) -> int:
        """Rows removed by listwise deletion (0 under FIML)."""
        return self.stats.n_dropped

    @property
    def group_labels(self) -> list:
        return list(self.stats.group_labels)

    @property
    def bootstrap_info(self) -> dict | None:
        """How the bootstrap standard errors and intervals were made, or None without ``bootstrap=``:
        {"R": draws asked for, "n_ok": draws that converged, "n_failed", "ci": "percentile" | "bca",
        "seed"} — the numbers a report must state (lavaan: ``bootstrap``, ``nboot``, ``iseed``)."""
        info = self.extras.get("bootstrap")
        if info is None:
            return None
        return {k: v for k, v in info.items() if k != "result"}

    @property
    def bootstrap_result(self):
        """The bootstrap draws (:class:`cem_edu.sem.bootstrap.BootstrapResult`: ``.draws`` of the free
        parameters, ``.defined`` of the ``:=`` parameters, one row per converged draw), or None."""
        info = self.extras.get("bootstrap")
        return None if info is None else info["result"]

    @property
    def converged(self) -> bool:
        return bool(self.opt.converged)

    @property
    def partable(self) -> pd.DataFrame:
        """lavaan-style parameter table with est and se filled in."""
        pt = self.model.partable.copy()
        if self.extras.get("ordered"):     # ordinal: estimates also hold thresholds and scales; match by key
            est = self.estimates.drop_duplicates(["lhs", "op", "rhs", "group"]).set_index(["lhs", "op", "rhs", "group"])
            keys = list(zip(pt["lhs"], pt["op"], pt["rhs"], pt["group"]))
            pt["est"] = est["est"].reindex(keys).to_numpy()
            pt["se"] = est["se"].reindex(keys).to_numpy()
            return pt
        n_main = int((pt["op"] != ":=").sum())
        pt.loc[:n_main - 1, "est"] = self.estimates["est"].to_numpy()[:n_main]
        pt.loc[:n_main - 1, "se"] = self.estimates["se"].to_numpy()[:n_main]
        if n_main < len(pt):
            pt.loc[n_main:, "est"] = self.estimates["est"].to_numpy()[n_main:]
            pt.loc[n_main:, "se"] = self.estimates["se"].to_numpy()[n_main:]
        con_rows = getattr(self.model, "constraint_rows", None)
        if con_rows:
            # == < > rows at the end, est = their value (lavaan: lhs - rhs; rhs - lhs for <), se 0
            from .partable import rows_to_frame
            con = rows_to_frame([dict(r, start=0.0, se=0.0) for r in con_rows])
            con["est"] = self.model.constraints.values(self.model.theta(self.x))
            con["id"] = np.arange(len(pt) + 1, len(pt) + 1 + len(con))
            pt = pd.concat([pt, con], ignore_index=True)
        return pt

    def implied(self) -> list:
        """Model-implied (Sigma, mu) per group as DataFrames/Series labelled by variable."""
        out = []
        for S, mu in self.model.implied(self.x):
            ov = self.model.ov
            out.append((pd.DataFrame(S, index=ov, columns=ov), None if mu is None else pd.Series(mu, index=ov)))
        return out

    def residuals(self, type: str = "cor", group=None) -> pd.DataFrame:
        """Residual matrices: ``type="cor"`` (lavaan ``resid(type="cor")``: observed minus
        implied correlations, each standardised by its own variances) or ``"raw"`` (S − Σ̂).

        Always a DataFrame. One group (or ``group=`` a group label or its 1-based number): the
        p × p matrix, variables as rows and columns. Several groups and ``group=None``: the groups'
        matrices stacked, rows indexed by (group label, variable), so ``res.residuals().loc[label]``
        is one group's matrix (lavaan returns a list named by group). When the group labels are
        themselves numbers, ``group=`` is read as a label first.
        """
        if type not in ("cor", "raw"):
            raise ModelError(t("sem.result.residual_type", type=type))
        labels = self.group_labels
        if group is not None:
            if group in labels:
                pick = labels.index(group)
            elif isinstance(group, (int, np.integer)) and not isinstance(group, bool) and 1 <= group <= len(labels):
                pick = int(group) - 1
            else:
                raise ModelError(t("sem.result.residual_group", group=group, groups=", ".join(map(str, labels)),
                                   k=len(labels)))
        out = []
        ov = self.model.ov
        for g, (S, _) in enumerate(self.model.implied(self.x)):
            if group is not None and g != pick:
                continue
            Sobs = self.stats.cov[g]
            if type == "raw":
                R = Sobs - S
            else:
                so, si = np.sqrt(np.diag(Sobs)), np.sqrt(np.diag(S))
                R = Sobs / np.outer(so, so) - S / np.outer(si, si)
            out.append(pd.DataFrame(R, index=ov, columns=ov))
        if len(out) == 1:
            return out[0]
        return pd.concat(out, keys=labels, names=["group", None])

    def total_effects(self, group: int = 1, standardized: bool = False) -> pd.DataFrame:
        """Total effects (I - B)^-1 - I among latent variables and observed variables in regressions.

        Rows are effects, columns causes: ``te.loc["loyalty", "satisfaction"]``.
        With ``standardized=True`` the std_all version (scaled by implied standard deviations).
        """
        te = self.model.total_effects(self.x, group - 1)
        if standardized:
            from .standardize import implied_sds
            sde = implied_sds(self.model, self.x, group - 1)[0]
            te = te * np.outer(1.0 / sde, sde)
        return te

    def modindices(self, sort: bool = False, minimum_value: float = 0.0) -> pd.DataFrame:
        """Modification indices and expected parameter change, as lavaan ``modindices()``.

        For each parameter fixed at zero, the score test of freeing it (Sörbom 1989):
        ``mi = N s² / diag(V)``, ``epc = −s / diag(V)`` with ``V = I₁₁ − I₁₂ I₂₂⁻¹ I₂₁``. Details in
        :func:`cem_edu.sem.modindices.modindices`; ``sort=True`` orders by ``mi``, rows with
        ``mi < minimum_value`` are dropped.
        """
        from .modindices import modindices
        return modindices(self, sort=sort, minimum_value=minimum_value)

    # ------------------------------------------------------------- exporting
    def to_dict(self) -> dict:
        """JSON-ready dict: {"estimates": [records], "fit": {...}, "info": {...}} (NaN -> null)."""
        recs = json_records(self.estimates)
        fit = {k: json_safe(v) for k, v in self.fit.items()}
        info = {"estimator": self.estimator, "missing": self.missing, "n_used": self.n_used,
                "n_dropped": self.n_dropped, "converged": self.converged, "iterations": int(self.opt.iterations),
                "groups": [None if g is None else str(g) for g in self.group_labels]}
        if self.group:
            info["group"] = self.group
        if self.extras.get("ordered"):      # ordinal items (sem/wls.py)
            info.update(ordered=list(self.extras["ordered"]), parameterization="delta", se=self.se_type,
                        test=self.test, n_pairs=int(sum(self.extras["n_pairs"].values())))
        out = {"estimates": recs, "fit": fit, "info": info}
        con = self.constraints()
        if con is not None:     # == < > constraints and their slack
            out["constraints"] = json_records(con)
        return out

    # ------------------------------------------------------------- printing
    def _header(self) -> list[str]:
        """lavaan-style summary header (estimator, n, test statistic, fit indices)."""
        from ..i18n import format_number

        f = self.fit

        def line(key, value, digits=3, **kw):
            if isinstance(value, str):
                text = value
            elif isinstance(value, (int, np.integer)) or (isinstance(value, float) and float(value).is_integer()
                                                           and digits == 0):
                text = format_number(value, 0)
            else:
                text = format_number(value, digits)
            return f"  {t(key, **kw):<44s}{text:>14s}"
        lines = [t("sem.result.title", estimator=self.estimator) + "  —  "
                 + t("sem.result.converged" if self.converged else "sem.result.not_converged",
                     iterations=self.opt.iterations), ""]
        lines.append(line("sem.result.estimator", self.estimator))
        lines.append(line("sem.result.npar", int(f["npar"]), 0))
        lines.append(line("sem.result.n_used", int(self.n_used), 0))
        if self.group:
            for g, lab in enumerate(self.group_labels):
                lines.append(f"    {str(lab):<42s}{format_number(self.stats.n[g], 0):>14s}")
        lines.append(line("sem.result.missing_rule", f"{self.missing}"))
        lines.append(line("sem.result.n_dropped", int(self.n_dropped), 0))
        if self.extras.get("ordered") and self.missing == "pairwise":     # ordinal, pairwise present answers
            lines.append(line("sem.result.n_pairs", int(sum(self.extras["n_pairs"].values())), 0))
        lines += ["", t("sem.result.test") + ":",
                  line("sem.result.chisq", f["chisq"]), line("sem.result.df", int(f["df"]), 0),
                  line("sem.result.pvalue", f["pvalue"])]
        if "chisq_scaled" in f.index:
            lines += [line("sem.result.chisq_scaled", f["chisq_scaled"])]
            if "chisq_scaling_factor" in f.index:
                lines.append(line("sem.result.scaling", f["chisq_scaling_factor"]))
            if "chisq_shift" in f.index:     # WLSMV / ULSMV (scaled and shifted)
                lines.append(line("sem.result.shift", f["chisq_shift"]))
        lines += ["", t("sem.result.indices") + ":",
                  line("sem.result.cfi", f["cfi"]), line("sem.result.tli", f["tli"]),
                  line("sem.result.rmsea", f["rmsea"]),
                  line("sem.result.rmsea_ci", f"[{format_number(f['rmsea_ci_lower'], 3)}, "
                                              f"{format_number(f['rmsea_ci_upper'], 3)}]"),
                  line("sem.result.rmsea_pvalue", f["rmsea_pvalue"]),
                  line("sem.result.srmr", f["srmr"])]
        lines += [line(f"sem.result.{k}", f[k]) for k in ("logl", "aic", "bic") if np.isfinite(f[k])]
        for k in ("cfi_scaled", "tli_scaled", "rmsea_scaled", "cfi_robust", "tli_robust", "rmsea_robust"):
            if k in f.index and np.isfinite(f[k]):
                lines.append(line(f"sem.result.{k}", f[k]))
        return lines

    def __str__(self) -> str:
        lines = self._header()
        est = self.estimates
        sections = [("sem.result.loadings", lambda e: e["op"] == "=~"),
                    ("sem.result.regressions", lambda e: e["op"] == "~"),
                    ("sem.result.covariances", lambda e: (e["op"] == "~~") & (e["lhs"] != e["rhs"])),
                    ("sem.result.intercepts", lambda e: e["op"] == "~1"),
                    ("sem.result.thresholds", lambda e: e["op"] == "|"),
                    ("sem.result.variances", lambda e: (e["op"] == "~~") & (e["lhs"] == e["rhs"])),
                    ("sem.result.scales", lambda e: e["op"] == "~*~"),
                    ("sem.result.defined", lambda e: e["op"] == ":=")]
        real_groups = sorted(set(est["group"]) - {0})
        head = f"{'':28s}{'Estimate':>10s}{'Std.Err':>10s}{'z-value':>10s}{'P(>|z|)':>10s}{'Std.lv':>10s}{'Std.all':>10s}"
        for g in real_groups + ([0] if (est["group"] == 0).any() else []):
            eg = est[est["group"] == g]
            if g and len(real_groups) > 1:
                lines += ["", f"{t('sem.result.group')} {g} [{self.group_labels[g - 1]}]:"]
            for key, sel in sections:
                part = eg[sel(eg)]
                if part.empty:
                    continue
                lines += ["", t(key) + ":", head]
                for r in part.itertuples():
                    op = r.op
                    if op == "~1":
                        name = f"{r.lhs}"
                    elif op == ":=":
                        name = f"{r.lhs} := {r.rhs}"
                    elif op == "|":
                        name = f"{r.lhs}|{r.rhs}"
                    elif op == "~~" and r.lhs == r.rhs:
                        name = f"{r.lhs}"
                    else:
                        name = f"{r.lhs} {op} {r.rhs}"
                    lab = str(r.label) if isinstance(r.label, str) else ""
                    if lab and not lab.startswith(".") and op != ":=":
                        name += f" ({lab})"
                    se = f"{r.se:10.3f}" if r.se > 0 else " " * 10
                    z = f"{r.z:10.3f}" if np.isfinite(r.z) else " " * 10
                    pv = f"{r.pvalue:10.3f}" if np.isfinite(r.pvalue) else " " * 10
                    slv = f"{r.std_lv:10.3f}" if np.isfinite(r.std_lv) else " " * 10
                    sal = f"{r.std_all:10.3f}" if np.isfinite(r.std_all) else " " * 10
                    lines.append(f"  {name[:26]:26s}{r.est:10.3f}{se}{z}{pv}{slv}{sal}")
        con = self.constraints()
        if con is not None:
            lines += ["", t("sem.result.constraints") + ":", f"{'':44s}{'|Slack|':>14s}"]
            lines += [f"  {r.constraint[:42]:42s}{abs(r.slack):14.3f}" for r in con.itertuples()]
        return "\n".join(lines)

    def constraints(self) -> pd.DataFrame | None:
        """The model's == < > constraints with their slack at the estimates (None without any):
        columns constraint, op, slack (|lhs - rhs| for ==; for < and > the distance to the bound,
        0 when the bound is active)."""
        con = getattr(self.model, "constraints", None)
        if con is None:
            return None
        return con.table(self.model.theta(self.x))

    def __repr__(self) -> str:
        f = self.fit
        return (f"<FitResult {self.estimator} n={self.n_used} npar={int(f['npar'])} chisq={f['chisq']:.3f} "
                f"df={int(f['df'])} cfi={f['cfi']:.3f} rmsea={f['rmsea']:.3f}>")

    def _repr_html_(self) -> str:
        head = html.escape("\n".join(self._header()))
        show = self.estimates.copy()
        show["label"] = show["label"].where(~show["label"].astype(str).str.startswith("."), "")
        if show["group"].nunique() == 1 or (set(show["group"]) <= {0, 1}):
            show = show.drop(columns="group")
        table = show.to_html(index=False, float_format=lambda v: f"{v:.3f}", na_rep="", border=0)
        return (f"<div class='cem-edu-fit'><pre style='font-size:90%'>{head}</pre>"
                f"<details open><summary>{html.escape(t('sem.result.estimates'))}</summary>{table}</details></div>")
