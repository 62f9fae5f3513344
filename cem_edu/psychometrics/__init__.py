"""The psychometrics layer: item statistics, reliability, validity and factor analysis.

Owns item descriptives (``describe``), the construct
specification shared by every analysis here (``constructs``: which items measure which
construct, from an instrument, a dict or lavaan syntax), reliability and validity — alpha,
omega, composite reliability, AVE, HTMT, Fornell–Larcker (``reliability``, with the one-factor
measurement models in ``measurement``), ordinal alpha on polychoric correlations (from ``stats``) and
exploratory factor analysis with KMO, Bartlett and parallel analysis (``factor``), and the thesis
toolkit: content validity from an expert panel (``content_validity``), normality screening
(``normality``), common-method bias (``common_method``), tests on construct scores
(``construct_tests``) and latent moderation by product indicators (``moderation``).

May import: ``errors``, ``i18n``, ``instrument``, ``intake`` and the SEM engine ``sem`` (omega's
CFA, the latent method factor, the moderation model); ``sem`` never imports this package. Never imports plots, report, CLI or collect code.
"""
from .common_method import common_method
from .construct_tests import correlation_table, friedman, one_sample_t
from .content_validity import cvi, cvr, impact_score
from .describe import describe_items
from .factor import bartlett, efa, kmo, parallel_analysis
from .normality import normality
from .reliability import (alpha, ave, composite_reliability, cross_loadings, fornell_larcker, htmt, omega,
                          reliability)

__all__ = ["describe_items", "alpha", "omega", "composite_reliability", "ave", "htmt", "fornell_larcker",
           "cross_loadings", "reliability", "efa", "kmo", "bartlett", "parallel_analysis", "cvr", "cvi",
           "impact_score", "normality", "common_method", "one_sample_t", "friedman", "correlation_table"]
