"""Numerical building blocks shared by the SEM engine and the psychometric analyses.

Owns pairwise moments with missing values (``moments``: covariances, correlations, squared
multiple correlations), one BLAS thread for small-matrix work (``threads``: the re-entrant,
thread-safe ``single_blas_thread`` / ``blas_single_threaded`` used by ``sem`` and
``psychometrics``) and polychoric correlations with their thresholds (``polychoric``: the two-step estimator shared by ``ce.reliability(...,
ordinal=True)`` as psych computes it and by WLSMV as lavaan does).

May import: ``errors`` and ``i18n`` only; analyses above (``sem``, ``psychometrics``) import it.
"""
