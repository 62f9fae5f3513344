"""Latent growth curve models with lavaan's ``growth()`` defaults.

``growth(model, data, ...)`` is :func:`cem_edu.sem.fit` with the defaults of lavaan's
``growth()``: a mean structure, the intercepts of the observed variables fixed to 0
(``int.ov.free = FALSE``) and the means of the latent variables (intercept, slope, ...)
free (``int.lv.free = TRUE``); everything else as ``sem()`` (covariances among the
exogenous growth factors free, exogenous covariates fixed.x). The growth factors are
defined by fixed loadings, e.g. a linear model for four waves::

    i =~ 1*t1 + 1*t2 + 1*t3 + 1*t4
    s =~ 0*t1 + 1*t2 + 2*t3 + 3*t4

so that E(t_k) = E(i) + lambda_k E(s). An intercept or mean the model gives itself
(``t1 ~ 1``, ``s ~ 0*1``) is kept as written. Time-invariant covariates enter as
regressions of the growth factors (``i ~ x1``), time-varying ones as regressions of the
observed variables (``t1 ~ c1``).

Reference: Rosseel (2012), lavaan, J. Stat. Softw. 48(2), sec. 6 (``growth()``);
Bollen & Curran (2006), Latent Curve Models, Wiley, ch. 2.
"""
from __future__ import annotations

from dataclasses import replace

from .partable import variable_names
from .syntax import parse_syntax

__all__ = ["growth", "growth_syntax"]


def growth_syntax(model: str, fixed_x: bool = True) -> str:
    """``model`` with lavaan's growth() mean structure written out: ``v ~ 0*1`` for every
    observed variable (except exogenous covariates, whose means are fixed.x) and ``f ~ 1``
    for every latent variable, unless the model already gives that intercept or mean."""
    statements, _ = parse_syntax(model)
    names = variable_names(statements, fixed_x=fixed_x)
    given = {s.lhs for s in statements if s.op == "~1"}
    extra = [f"{v} ~ 0*1" for v in names.ov if v not in names.ov_x and v not in given]
    extra += [f"{f} ~ 1" for f in names.lv if f not in given]
    return model.rstrip() + "\n" + "\n".join(extra) + "\n"


def growth(model: str, data, **kwargs):
    """Fit a latent growth curve model with lavaan's ``growth()`` defaults.

    Parameters
    ----------
    model : lavaan syntax of the growth factors (fixed loadings), e.g.
        ``"i =~ 1*t1 + 1*t2 + 1*t3 + 1*t4\\ns =~ 0*t1 + 1*t2 + 2*t3 + 3*t4"``.
    data : DataFrame (or CleanData) with the repeated measures (and covariates).
    **kwargs : any option of :func:`cem_edu.sem.fit` (estimator, missing, group, bootstrap, ...);
        ``meanstructure`` is always on.

    Returns the FitResult (``res.syntax`` is the model as given;
    ``res.extras["model_type"] == "growth"``).
    """
    from . import fit

    if kwargs.pop("meanstructure", True) is False:
        from ..errors import ModelError
        from ..i18n import t
        raise ModelError(t("sem.growth.meanstructure"))
    syntax = growth_syntax(model, fixed_x=kwargs.get("fixed_x", True))
    res = fit(syntax, data, meanstructure=True, **kwargs)
    return replace(res, syntax=model, extras={**res.extras, "model_type": "growth"})
