"""Methods: a paragraph that says what was run (estimator, missing-data rule, n, intervals), the
software versions and the references."""
from __future__ import annotations

import platform

from ..context import Context, Section
from ..blocks import Paragraph

REFERENCES = [
    "Fornell, C., & Larcker, D. F. (1981). Evaluating structural equation models with unobservable variables and measurement error. Journal of Marketing Research, 18(1), 39–50.",
    "Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). A new criterion for assessing discriminant validity in variance-based structural equation modeling. Journal of the Academy of Marketing Science, 43(1), 115–135.",
    "Hu, L., & Bentler, P. M. (1999). Cutoff criteria for fit indexes in covariance structure analysis. Structural Equation Modeling, 6(1), 1–55.",
    "McDonald, R. P. (1999). Test theory: A unified treatment. Erlbaum.",
    "Meyer, C., & Schwager, A. (2007). Understanding customer experience. Harvard Business Review, 85(2), 116–126.",
    "Reichheld, F. F. (2003). The one number you need to grow. Harvard Business Review, 81(12), 46–54.",
    "Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. Journal of Statistical Software, 48(2), 1–36.",
    "Putnick, D. L., & Bornstein, M. H. (2016). Measurement invariance conventions and reporting. Developmental Review, 41, 71–90.",
]


# the references of the analyses that ran (a section's results key -> its references)
THESIS_REFERENCES = {
    "content_validity": [
        "Ayre, C., & Scally, A. J. (2014). Critical values for Lawshe's content validity ratio. Measurement and Evaluation in Counseling and Development, 47(1), 79–86.",
        "Lawshe, C. H. (1975). A quantitative approach to content validity. Personnel Psychology, 28(4), 563–575.",
        "Polit, D. F., Beck, C. T., & Owen, S. V. (2007). Is the CVI an acceptable indicator of content validity? Research in Nursing & Health, 30(4), 459–467."],
    "normality": [
        "Mardia, K. V. (1970). Measures of multivariate skewness and kurtosis with applications. Biometrika, 57(3), 519–530."],
    "common_method": [
        "Kock, N. (2015). Common method bias in PLS-SEM: A full collinearity assessment approach. International Journal of e-Collaboration, 11(4), 1–10.",
        "Podsakoff, P. M., MacKenzie, S. B., Lee, J.-Y., & Podsakoff, N. P. (2003). Common method biases in behavioral research. Journal of Applied Psychology, 88(5), 879–903.",
        "Podsakoff, P. M., MacKenzie, S. B., & Podsakoff, N. P. (2012). Sources of method bias in social science research and recommendations on how to control it. Annual Review of Psychology, 63, 539–569."],
    "moderation": [
        "Bauer, D. J., & Curran, P. J. (2005). Probing interactions in fixed and multilevel regression: Inferential and graphical techniques. Multivariate Behavioral Research, 40(3), 373–400.",
        "Lin, G.-C., Wen, Z., Marsh, H. W., & Lin, H.-S. (2010). Structural equation models of latent interactions: Clarification of orthogonalizing and double-mean-centering strategies. Structural Equation Modeling, 17(3), 374–391."],
    "moderation_pls": [
        "Hair, J. F., Hult, G. T. M., Ringle, C. M., Sarstedt, M., Danks, N. P., & Ray, S. (2021). Partial least squares structural equation modeling (PLS-SEM) using R: A workbook. Springer.",
        "Henseler, J., & Chin, W. W. (2010). A comparison of approaches for the analysis of interaction effects between latent variables using partial least squares path modeling. Structural Equation Modeling, 17(1), 82–109."],
    "constructs": [
        "Friedman, M. (1937). The use of ranks to avoid the assumption of normality implicit in the analysis of variance. Journal of the American Statistical Association, 32(200), 675–701."],
}


def references(results: dict) -> list[str]:
    """The report's references: the fixed list and those of the thesis analyses that ran, sorted."""
    extra = [r for key, refs in THESIS_REFERENCES.items() if key in results for r in refs]
    return REFERENCES + sorted(extra) if extra else REFERENCES


def versions() -> dict[str, str]:
    """Versions of cem-edu, Python and the numerical libraries that produced the numbers."""
    from importlib.metadata import PackageNotFoundError, version

    from ... import __version__

    out = {"cem-edu": __version__, "python": platform.python_version()}
    for pkg in ("numpy", "scipy", "pandas", "statsmodels", "matplotlib", "pingouin"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:  # pragma: no cover
            pass
    return out


def _sentences(ctx: Context, v: dict) -> list[str]:
    """The methods paragraph, one sentence per thing that was actually run."""
    out = ctx.out
    fields = {"version": v["cem-edu"], "python": v["python"]}
    if ctx.clean is not None:
        text = [out.t("report.methods.screening", **fields),
                out.t("report.methods_cleaning", dropped=len(ctx.raw) - len(ctx.data), n_raw=len(ctx.raw))]
    else:
        text = [out.t("report.methods.no_screening", **fields)]
    if ctx.rel is not None:
        text.append(out.t("report.methods.reliability"))
    fitted = ctx.sem if ctx.sem is not None else ctx.cfa
    if fitted is not None:
        missing = out.t({"fiml": "report.missing_fiml", "ml": "report.missing_fiml",
                         "pairwise": "report.missing_pairwise"}.get(fitted.missing, "report.missing_listwise"))
        estimator = out.t("report.estimator_wlsmv") if ctx.ordered else fitted.estimator
        key = "report.methods.models" if ctx.sem is not None else "report.methods.cfa"
        text.append(out.t(key, estimator=estimator, missing=missing, n=int(fitted.fit.get("ntotal", len(ctx.data)))))
    if ctx.sem is not None and (ctx.sem.estimates.op == ":=").any():
        boot = ctx.sem.extras.get("bootstrap") if isinstance(ctx.sem.extras, dict) else None
        ci = out.t("report.ci_boot", n=ctx.bootstrap) if ctx.sem.se_type == "bootstrap" and boot else out.t("report.ci_wald")
        if ctx.ordered and ctx.bootstrap:
            ci += " " + out.t("report.ordinal_no_bootstrap")
        elif ctx.bootstrap_default_off:
            ci += " " + out.t("report.fiml_no_default_bootstrap")
        text.append(out.t("report.methods.indirect", ci=ci))
    if ctx.pls is not None:
        ci = out.t("report.ci_boot", n=ctx.pls_draws) if ctx.pls_draws else out.t("report.pls.no_bootstrap")
        text.append(out.t("report.methods.pls_also" if ctx.sem is not None else "report.methods.pls", n=ctx.pls.n_used,
                          ci=ci))
    text += _moderation_sentences(ctx)
    if "invariance" in ctx.results:
        text.append(out.t("report.methods.invariance", group=ctx.group))
    if "content_validity" in ctx.results:
        cv = ctx.results["content_validity"]
        text.append(out.t("report.methods.content_validity", n=cv["n_experts"],
                          method="Lawshe CVR" if cv["method"] == "cvr" else "I-CVI, S-CVI, κ*"))
    for key in ("normality", "common_method", "constructs"):
        if key in ctx.results:
            text.append(out.t(f"report.methods.{key}"))
    text.append(out.t("report.methods.checked"))
    return text


def _moderation_sentences(ctx: Context) -> list[str]:
    """The moderation section's methods: product indicators and double-mean centring (CB-SEM) with the
    estimator, missing-data rule and n it used; the two-stage approach (PLS)."""
    out = ctx.out
    text = []

    def ns(runs):
        return out.digits("/".join(str(n) for n in dict.fromkeys(int(r["n"]) for r in runs)))

    runs = ctx.results.get("moderation")
    if runs:
        rule = "fiml" if runs[0]["missing"] == "fiml" else "listwise"
        text.append(out.t("report.methods.moderation", estimator=runs[0]["estimator"], n=ns(runs),
                          missing=out.t(f"report.missing_{rule}")))
        if ctx.ordered:
            text.append(out.t("report.methods.moderation_ordinal"))
    runs = ctx.results.get("moderation_pls")
    if runs:
        draws = runs[0]["bootstrap"]
        ci = out.t("report.ci_boot", n=draws) if draws else out.t("report.pls.no_bootstrap")
        text.append(out.t("report.methods.moderation_pls", n=ns(runs), ci=ci,
                          missing=out.t(f"report.pls.missing_{runs[0]['missing']}")))
    return text


def section(ctx: Context) -> Section:
    out = ctx.out
    s = Section("methods", out.t("report.s.methods"))
    v = versions()
    s.blocks.append(Paragraph(" ".join(_sentences(ctx, v)), box="methods"))
    s.blocks.append(out.heading("report.software"))
    s.blocks.append(Paragraph(", ".join(f"{k} {val}" for k, val in v.items()), ltr=True))
    s.blocks.append(out.heading("report.references"))
    s.blocks.append(out.bullets(references(ctx.results), ltr=True))
    ctx.results["software"] = v
    return s
