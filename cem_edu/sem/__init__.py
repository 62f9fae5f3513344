"""Structural equation models in lavaan syntax: CFA, SEM, multigroup; ML estimation.

    import cem_edu as ce
    res = ce.fit("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6", data)
    res.estimates; res.fit; res.r2; res.residuals(); res.total_effects()

The numbers follow lavaan 0.6 (``sem()``/``cfa()`` defaults, ML with biased
covariances, expected information, chisq = N F); tests compare them with stored
lavaan output (tests/reference/sem_core.R).

This module is the public front only. The pipeline (data -> sample statistics -> model ->
starts -> estimation -> information -> tests -> fit measures -> standardised solution) is in
``pipeline.py``; listwise and FIML are two kinds of sample statistics in it (``stats.fiml`` is
None for listwise, a ``fiml.FimlData`` of missing-data patterns for FIML). Shared missing-data
code (patterns, casewise likelihood, EM H1, saturated information) is in ``missing.py``; the
batched estimator of the bootstrap and Monte Carlo power in ``batch.py``.

Internal interface (used by robust.py, fiml.py, bootstrap.py, invariance.py, power.py):

* ``prepare(model, data, group=, group_equal=, group_partial=, std_lv=, meanstructure=, missing=,
  fixed_x=) -> (Model, SampleStats, frame)`` — parse, parameter table, sample statistics (listwise
  moments, or EM moments + ``stats.fiml`` for ``missing="fiml"``), fixed.x filled in.
* ``fiml.fiml_estimate(model, stats, start=None) -> (x, EstimateInfo, H, objective)``;
  ``fiml.fiml_measures(res, objective, mlr)`` FIML χ², baseline and FIML-C fit measures.
* ``ml.estimate(model, stats, start=x0, return_info=False) -> x`` (numpy only; warm start for
  bootstrap/power); ``ml.stats_from_moments(ov, covs, means, ns)`` builds SampleStats from moments.
* ``ml.objective(model, stats, x, need)``: F (``need=0``), + gradient (1), + expected Hessian (2,
  = 2 x unit expected information) or exact Hessian (3).
* ``ml.information(model, stats, x)``: unit expected information; ``vcov = inv(info) / N``.
* ``Model.implied(x) -> [(Sigma_g, mu_g or None)]``; ``Model.jacobian(x) -> [(dvechSigma_g (p*, npar),
  dmu_g (p, npar) or None)]``; ``Model.matrices(x, g)``; ``Model.total_effects(x, g)``;
  ``Model.rows`` / ``Model.partable`` (``free`` = 1-based index into x, shared by equal labels).
* ``finish(model, stats, x, opt, ..., information=None, vcov=None, warn_listwise=True) -> FitResult``
  (pass your own ``vcov`` for robust or bootstrap standard errors); ``fitmeasures.fit_measures(model,
  stats, x)``.
* ``ml.information_batch(model, X, weights) -> (R, k, k)``: unit expected information at many
  parameter rows at once (depends on x only; NaN rows where Sigma is not PD) — Monte Carlo power.
* ``ml.start_values`` always returns admissible starts (PD Sigma; covariances shrunk, else lavaan-like
  ``ml.simple_start``) or raises ModelError; ``ml.admissible_start(model, stats, x)`` repairs any x.
* ``Model.derivatives(x, g, local=True)``: derivatives of group g's own parameters only
  (``Model.active[g]``, global 0-based indices).
* ``fit(..., _warn_listwise=False)`` silences the listwise-deletion warning (emitted once per call
  otherwise) for callers that fit several models to the same data (invariance).
* ``cem_edu.stats.threads.single_blas_thread()`` (context manager) / ``blas_single_threaded`` (decorator): BLAS
  on one thread inside, restored after; ``fit``, ``ml.estimate``, ``ml.information``,
  ``ml.information_batch``, ``invariance`` and ``power`` already run inside it.
"""
from __future__ import annotations

from . import ml  # noqa: F401 - internal interface (cem_edu.sem.ml)
from ..stats.threads import blas_single_threaded, single_blas_thread  # noqa: F401 - re-exported
from .model import Model
from .partable import build_partable
from .pipeline import finish, fit, prepare
from .result import FitResult
from .syntax import parse_syntax

__all__ = ["fit", "FitResult", "prepare", "finish", "Model", "parse_syntax", "build_partable",
           "invariance", "power"]


# invariance() and power() live in submodules of the same name: import them eagerly so the
# functions, not the submodules, are bound to these names (both modules import lazily inside).
from .invariance import invariance  # noqa: E402
from .power import power  # noqa: E402

# small dense linear algebra runs faster on one BLAS thread (see cem_edu/stats/threads.py): scoped to each call
invariance = blas_single_threaded(invariance)
power = blas_single_threaded(power)
