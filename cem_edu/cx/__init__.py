"""Customer-experience analytics: NPS, expectation–experience gaps, journey map, customer
rating matrix, importance–performance map (IPMA), key drivers and the action plan.

Every function takes plain pandas objects (a DataFrame and column names, or Series) first;
the instrument (``ce.load_instrument()``) only adds conveniences (which items form the
experience score, which expectation item mirrors which experience item, item scales).
Figures are in :mod:`cem_edu.plots` (``nps_bar``, ``gap_plot``, ``journey_heatmap``,
``funnel``, ``rating_matrix``, ``ipma_map``).
"""
from __future__ import annotations

from ._common import CHANNELS, STAGES, translate_columns, value_label
from .action_plan import ACTION_COLUMNS, action_plan, export_action_plan
from .drivers import key_drivers, relative_weights
from .gap import BAIN_2005, delivery_gap, gap, paired_gap
from .ipma import IPMA_QUADRANTS, ipma, ipma_table, performance, total_effects_on
from .journey import JourneyMap, funnel_table, journey_map, journey_template, read_actions
from .nps import NPSResult, nps, nps_class
from .rating_matrix import QUADRANTS, hitouch_example, quadrant_label, quadrant_summary, rating_matrix

__all__ = [
    "nps", "NPSResult", "nps_class",
    "gap", "paired_gap", "delivery_gap", "BAIN_2005",
    "journey_map", "JourneyMap", "funnel_table", "journey_template", "read_actions", "STAGES", "CHANNELS",
    "rating_matrix", "quadrant_summary", "quadrant_label", "hitouch_example", "QUADRANTS",
    "ipma", "ipma_table", "performance", "total_effects_on", "IPMA_QUADRANTS",
    "key_drivers", "relative_weights",
    "action_plan", "export_action_plan", "ACTION_COLUMNS",
    "translate_columns", "value_label",
]
