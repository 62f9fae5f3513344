"""Exception families of cem-edu.

Every error a user can cause is one of these; the message says what is wrong,
where, and how to fix it, e.g.::

    DataError: column 'FUN2' has value 8 in 3 rows (rows 14, 90, 311); the scale is 1–7.
    Set out_of_range="missing" to drop them.

The CLI prints ``str(error)`` on one line and exits with status 2.
"""
from __future__ import annotations

__all__ = ["CemError", "DataError", "ModelError", "InstrumentError", "EstimationWarning"]


class CemError(Exception):
    """Base class of every error cem-edu raises on purpose."""


class DataError(CemError, ValueError):
    """The data cannot be used as given (file, column, value, size)."""


class ModelError(CemError, ValueError):
    """The model syntax is malformed, not identified, or does not fit the data's variables."""


class InstrumentError(CemError, ValueError):
    """The questionnaire YAML is invalid (schema, duplicate ids, missing translations)."""


class EstimationWarning(UserWarning):
    """Estimation ran but the result needs care (non-convergence, Heywood case, ...)."""
