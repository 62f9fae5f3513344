"""Every figure of the kit (matplotlib/seaborn), Persian-aware.

Plot functions take ``data=`` plus column names or a result object, accept ``ax=``
and return the Axes (seaborn's convention). Text goes through ``cem_edu.i18n.t``,
so ``ce.set_language("fa")`` changes every label; Persian is shaped and laid out
right-to-left by matplotlib (>= 3.11) with the bundled Vazirmatn font.
Analysis modules never import this package.
"""
from __future__ import annotations

import importlib

from ._theme import register_fonts, set_theme

# public plot name -> submodule of cem_edu.plots
_LAZY = {
    "likert": "items", "item_histograms": "items",
    "scree": "factor", "heatmap": "factor", "htmt_heatmap": "factor", "loadings": "factor",
    "path_diagram": "path", "pls_path_diagram": "pls",
    "nps_bar": "cx", "gap_plot": "cx", "journey_heatmap": "cx", "funnel": "cx",
    "rating_matrix": "cx", "ipma_map": "cx",
    "power_curve": "power",
    "construct_map": "instrument",
    "johnson_neyman": "moderation", "simple_slopes": "moderation",
}

__all__ = ["set_theme", "register_fonts", *_LAZY]


def __getattr__(name):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'cem_edu.plots' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __name__), name)
