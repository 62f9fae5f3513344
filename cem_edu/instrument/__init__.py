"""The instrument layer: the questionnaire as data.

Owns the questionnaire schema (``checks``), the :class:`Instrument` model — constructs, items,
scales, reverse keys, scoring and lavaan model syntax (``model``) — and its exports to XLSForm,
codebook, JSON and a printable form (``export``).

May import: ``cem_edu.errors``, ``cem_edu.i18n``, ``cem_edu._paths``. Never imports intake,
analysis, plots, report, CLI or collect code.
"""
from .model import (DEFAULT_INSTRUMENT, KINDS, ROLES, SCHEMA_PATH, STAGES, TOUCHPOINTS, Construct, Field,
                    Instrument, Item, Scale, load_instrument, recoded_items, validate_instrument)

__all__ = ["Instrument", "Construct", "Item", "Scale", "Field", "load_instrument", "validate_instrument", "recoded_items",
           "DEFAULT_INSTRUMENT", "SCHEMA_PATH", "ROLES", "KINDS", "TOUCHPOINTS", "STAGES"]
