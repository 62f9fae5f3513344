"""One place for the look of every figure: palette, seaborn theme, direction and the Persian font.

The bundled Vazirmatn font (SIL OFL 1.1) is registered with matplotlib here and only here;
matplotlib >= 3.11 shapes Arabic script and lays it out right-to-left itself, so no reshaper is needed.
"""
from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

from ..i18n import get_language

FONT_FAMILY = "Vazirmatn"

PALETTE = {
    "functional": "#1b9e77", "mechanic": "#d95f02", "humanic": "#7570b3",
    "expectation": "#999999", "satisfaction": "#e7298a", "loyalty": "#66a61e",
    "word_of_mouth": "#e6ab02", "purchase_intent": "#a6761d",
    "positive": "#2c7bb6", "negative": "#d7191c", "neutral": "#bdbdbd",
}


def font_path(weight: str = "Regular") -> Path:
    """Path of the bundled Vazirmatn TTF (``weight`` "Regular" or "Bold")."""
    return Path(str(resources.files("cem_edu") / "fonts" / f"Vazirmatn-{weight}.ttf"))


@functools.cache
def register_fonts() -> str:
    """Register Vazirmatn with matplotlib and put it in the sans-serif fallback list after DejaVu Sans.

    Returns the family name. Safe to call many times. Latin text keeps DejaVu Sans
    glyphs, Persian text falls back to Vazirmatn (matplotlib's per-glyph font fallback).
    """
    from matplotlib import font_manager, rcParams

    for weight in ("Regular", "Bold"):
        font_manager.fontManager.addfont(str(font_path(weight)))
    fams = list(rcParams["font.sans-serif"])
    if FONT_FAMILY not in fams:
        rcParams["font.sans-serif"] = ["DejaVu Sans", FONT_FAMILY] + [f for f in fams if f != "DejaVu Sans"]
    return FONT_FAMILY


def set_theme(context: str = "notebook", font_scale: float = 1.0) -> None:
    """Apply the kit's seaborn theme and register the Persian font.

    The only function of the kit that changes global matplotlib settings.
    """
    import seaborn as sns

    sns.set_theme(context=context, style="whitegrid", font_scale=font_scale)
    register_fonts()


def apply_direction(ax, language: str | None = None):
    """For Persian figures, put the y axis on the right so the figure reads right-to-left."""
    if (language or get_language()) == "fa":
        ax.yaxis.tick_right()
        ax.yaxis.set_label_position("right")
    return ax


def prepare() -> None:
    """Make sure a Persian-capable font is registered before drawing text (cheap, cached)."""
    register_fonts()
