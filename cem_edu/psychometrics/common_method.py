"""Common-method bias: Harman's single-factor test, full-collinearity VIFs and the unmeasured latent
method construct (ULMC) in CB-SEM.

None of these proves the absence of common-method variance: Harman's test is insensitive (a single
factor rarely explains most of the variance even when method effects are strong), VIFs flag it only
indirectly, and the ULMC can be unidentified or absorb trait variance. Podsakoff et al. (2003, 2012)
recommend preventing it by design (separate sources or times, anonymity, varied scale formats) and
reading these tests as weak evidence. They are reported because thesis committees ask for them.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import DataError, ModelError
from ..i18n import get_language, t, verbatim
from ..intake import as_frame
from ..results import json_frame, json_safe
from ._tables import TableResult
from .constructs import check_items, construct_scores, resolve_spec
from .factor import _p_text
from ..stats.moments import pairwise_cor

__all__ = ["common_method", "harman", "full_collinearity_vif", "ulmc", "CommonMethodResult", "VIF_LIMIT",
           "HARMAN_LIMIT"]

VIF_LIMIT = 3.3     # Kock (2015)
HARMAN_LIMIT = 50.0  # percent of variance (Podsakoff et al. 2003)


def harman(data, spec=None) -> dict:
    """Harman's single-factor test: percent of the total variance of all items taken by one factor.

    * ``harman_pct`` — the first unrotated principal component of the item correlation matrix,
      100·λ₁/p (λ₁ its largest eigenvalue), as ``psych::principal(nfactors = 1, rotate = "none")``'s
      Proportion Var and SPSS's "% of Variance" in Total Variance Explained;
    * ``harman_efa_pct`` — a one-factor maximum-likelihood EFA, 100·Σλᵢ²/p, as
      ``psych::fa(nfactors = 1, fm = "ml")`` (``ce.efa(..., 1, method="ml")``).

    Correlations are pairwise (psych's default; SPSS deletes listwise by default). A single factor
    taking more than 50 % is read as a sign of common-method bias (Podsakoff et al. 2003).
    """
    from .factor import efa  # noqa: PLC0415

    df = as_frame(data)
    sp = resolve_spec(spec, df)
    cols = list(dict.fromkeys(c for v in sp.values() for c in v))
    x = check_items(df, cols, where=t("cmb.where"))
    R = pairwise_cor(x)
    eig = np.linalg.eigvalsh(R)[::-1]
    one = efa(df[cols], 1, rotation="none", method="ml")
    return {"harman_pct": float(100 * eig[0] / len(cols)),
            "harman_efa_pct": float(100 * one.variance["proportion_var"].iloc[0]),
            "first_eigenvalue": float(eig[0]), "n_items": len(cols)}


def full_collinearity_vif(scores: pd.DataFrame) -> pd.Series:
    """Full-collinearity VIF of each construct score (Kock 2015; Kock & Lynn 2012).

    Each construct score is regressed on all the others: VIF_j = 1/(1 − R²_j), the j-th diagonal
    element of the inverse correlation matrix of the scores (rows with every score, as an OLS
    regression with an intercept; equals statsmodels' ``variance_inflation_factor`` on the scores
    with a constant). A VIF above 3.3 suggests pathological collinearity or common-method bias.

    Reference: Kock, N. (2015). Common method bias in PLS-SEM: A full collinearity assessment approach.
    International Journal of e-Collaboration, 11(4), 1–10.
    """
    s = scores.dropna()
    if s.shape[1] < 2:
        raise DataError(t("cmb.vif_two"))
    if s.shape[0] <= s.shape[1]:
        raise DataError(t("cmb.vif_rows", n=s.shape[0], k=s.shape[1]))
    R = np.corrcoef(s.to_numpy(dtype=float), rowvar=False)
    try:
        inv = np.linalg.inv(R)
    except np.linalg.LinAlgError:
        raise DataError(t("cmb.vif_singular")) from None
    return pd.Series(np.diag(inv), index=pd.Index(s.columns, name="construct"), name="vif")


def _measurement_syntax(sp: dict) -> str:
    return "\n".join(f"{k} =~ {' + '.join(v)}" for k, v in sp.items())


def ulmc(data, spec, *, method_loadings: str = "equal", name: str = "method") -> dict:
    """Unmeasured latent method construct: the CFA with and without a method factor on every item.

    The method factor loads on all items and is uncorrelated with the traits (Podsakoff et al. 2003,
    Table 4, "controlling for the effects of an unmeasured latent methods factor"; Williams, Cote &
    Buckley 1989). Factors are identified by unit variances (``std_lv``); with
    ``method_loadings="equal"`` (default) the method loadings are one parameter (identified and stable;
    Δdf = 1), with ``"free"`` each item has its own (often empirically under-identified). Both models are
    fitted by ML with listwise deletion through ``ce.fit``.

    Returns a dict: ``fit`` ({"without": {...}, "with": {...}} chisq, df, pvalue, cfi, tli, rmsea, srmr),
    ``delta_chisq``, ``delta_df``, ``p_delta`` (likelihood-ratio test), ``loadings`` (DataFrame per item:
    trait, trait_without, trait_with, method — standardised; each factor's sign chosen so its loadings
    sum to a positive number), ``method_variance`` (mean of the squared
    standardised method loadings) and ``trait_variance`` (mean squared trait loadings with the method
    factor).
    """
    from ..sem import fit  # noqa: PLC0415

    if method_loadings not in ("equal", "free"):
        raise DataError(t("cmb.bad_method_loadings", value=method_loadings))
    df = as_frame(data)
    sp = resolve_spec(spec, df)
    if name in sp:
        raise DataError(t("cmb.name_taken", name=verbatim(name)))
    items = list(dict.fromkeys(c for v in sp.values() for c in v))
    base = _measurement_syntax(sp)
    term = (lambda c: f"lambda_m*{c}") if method_loadings == "equal" else (lambda c: c)
    syntax = (base + f"\n{name} =~ " + " + ".join(term(c) for c in items) + "\n"
              + f"{name} ~~ " + " + ".join(f"0*{k}" for k in sp) + "\n")
    without = fit(base, df, std_lv=True, progress=False)
    try:  # the listwise-deletion warning, if any, came with the first model; Heywood cases etc. still show
        with_m = fit(syntax, df, std_lv=True, progress=False, _warn_listwise=False)
    except ModelError as exc:
        raise ModelError(t("cmb.ulmc_failed", how=method_loadings, reason=str(exc))) from None
    keys = ["chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr"]
    fits = {"without": {k: float(without.fit[k]) for k in keys}, "with": {k: float(with_m.fit[k]) for k in keys}}
    dchi = fits["without"]["chisq"] - fits["with"]["chisq"]
    ddf = fits["without"]["df"] - fits["with"]["df"]

    def loads(res, lhs_set):
        """Standardised loadings, each factor's sign chosen so its loadings sum to a positive number (a
        factor with unit variance is identified only up to its sign; psych's convention)."""
        e = res.estimates
        e = e[(e["op"] == "=~") & e["lhs"].isin(lhs_set)]
        sign = np.sign(e.groupby("lhs")["std_all"].sum()).replace(0, 1)
        return {(r.lhs, r.rhs): r.std_all * sign[r.lhs] for r in e.itertuples()}

    l0, l1 = loads(without, sp), loads(with_m, [*sp, name])
    rows = []
    for k, cols in sp.items():
        for c in cols:
            rows.append({"item": c, "trait": k, "trait_without": l0[(k, c)], "trait_with": l1[(k, c)],
                         "method": l1[(name, c)]})
    loadings = pd.DataFrame(rows).set_index("item")
    return {"fit": fits, "delta_chisq": float(dchi), "delta_df": int(round(ddf)),
            "p_delta": float(stats.chi2.sf(dchi, ddf)) if ddf > 0 else float("nan"),
            "loadings": loadings, "method_variance": float((loadings["method"] ** 2).mean()),
            "trait_variance": float((loadings["trait_with"] ** 2).mean()), "method_loadings": method_loadings,
            "syntax": syntax}


@dataclass(frozen=True)
class CommonMethodResult(TableResult):
    """Harman's test (``harman_pct``, ``harman_efa_pct``), ``full_collinearity_vif`` (Series) and, when
    requested, the ULMC comparison (``ulmc`` dict, see :func:`ulmc`)."""

    harman_pct: float
    harman_efa_pct: float
    full_collinearity_vif: pd.Series
    ulmc: dict | None
    n_items: int

    def to_dict(self) -> dict:
        out = {"harman_pct": self.harman_pct, "harman_efa_pct": self.harman_efa_pct, "n_items": self.n_items,
               "full_collinearity_vif": {k: json_safe(v) for k, v in self.full_collinearity_vif.items()},
               "vif_limit": VIF_LIMIT, "harman_limit": HARMAN_LIMIT}
        if self.ulmc is not None:
            u = self.ulmc
            out["ulmc"] = {"fit": {m: {k: json_safe(v) for k, v in f.items()} for m, f in u["fit"].items()},
                           "delta_chisq": json_safe(u["delta_chisq"]), "delta_df": u["delta_df"],
                           "p_delta": json_safe(u["p_delta"]), "loadings": json_frame(u["loadings"]),
                           "method_variance": json_safe(u["method_variance"]),
                           "trait_variance": json_safe(u["trait_variance"]),
                           "method_loadings": u["method_loadings"]}
        return out

    def _title(self) -> str:
        return t("cmb.title", self.language)

    def _table(self) -> pd.DataFrame:
        return self.full_collinearity_vif.to_frame("vif")

    def _notes(self) -> list[str]:
        lang = self.language
        notes = [t("cmb.harman_line", lang, pct=round(self.harman_pct, 1), efa=round(self.harman_efa_pct, 1),
                   p=self.n_items),
                 t("cmb.vif_line", lang, vmax=round(float(self.full_collinearity_vif.max()), 2))]
        if self.ulmc is not None:
            u = self.ulmc
            notes.append(t("cmb.ulmc_line", lang, dchi=round(u["delta_chisq"], 2), ddf=u["delta_df"],
                           p=_p_text(u["p_delta"], lang), mv=round(100 * u["method_variance"], 1),
                           tv=round(100 * u["trait_variance"], 1)))
        notes.append(t("cmb.weak", lang))
        return notes


def common_method(data, spec, *, scores: pd.DataFrame | None = None, ulmc_model: bool = True,
                  method_loadings: str = "equal", language: str | None = None) -> CommonMethodResult:
    """Common-method bias screening: Harman's single factor, full-collinearity VIFs and the ULMC.

    Parameters
    ----------
    data : DataFrame or CleanData (reverse-keyed items recoded).
    spec : Instrument, lavaan measurement syntax or dict {construct: [items]}.
    scores : construct scores for the VIFs — a DataFrame (one column per construct) or a result with a
        ``.scores`` DataFrame (e.g. PLS scores, as Kock 2015 uses); default: item means per construct.
    ulmc_model : also fit the unmeasured latent method construct (:func:`ulmc`); needs ≥ 2 constructs.
    method_loadings : "equal" or "free" method loadings in the ULMC.

    Returns
    -------
    CommonMethodResult; see :func:`harman`, :func:`full_collinearity_vif`, :func:`ulmc`.

    References
    ----------
    Podsakoff, P. M., MacKenzie, S. B., Lee, J.-Y., & Podsakoff, N. P. (2003). Journal of Applied
    Psychology, 88(5), 879–903. Podsakoff, P. M., MacKenzie, S. B., & Podsakoff, N. P. (2012). Annual
    Review of Psychology, 63, 539–569. Kock, N. (2015). International Journal of e-Collaboration, 11(4), 1–10.
    """
    lang = language or get_language()
    df = as_frame(data)
    sp = resolve_spec(spec, df, language=lang)
    h = harman(df, sp)
    if scores is None:
        sc = construct_scores(df, sp, language=lang)
    else:  # a DataFrame of scores, or a result object that carries them (e.g. a PLS result's .scores)
        sc = pd.DataFrame(getattr(scores, "scores", scores))
    vif = full_collinearity_vif(sc)
    u = ulmc(df, sp, method_loadings=method_loadings) if ulmc_model else None
    return CommonMethodResult(harman_pct=h["harman_pct"], harman_efa_pct=h["harman_efa_pct"],
                              full_collinearity_vif=vif, ulmc=u, n_items=h["n_items"], language=lang)
