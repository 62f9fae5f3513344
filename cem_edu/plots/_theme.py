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


def persian_tick_digits(ax, language: str | None = None, axes: str = "xy"):
    """In Persian figures, write the numbers on the tick labels of the numeric ``axes`` ("x", "y", "xy")
    with Persian digits (matplotlib's own tick positions and number format, digits translated), as the
    item-distribution and power plots do for their axes. Numeric axes keep their direction: numbers grow
    left to right (and bottom to top) in Persian figures too; :func:`apply_direction` moves the y axis."""
    if (language or get_language()) != "fa":
        return ax
    from matplotlib.ticker import Formatter

    from ..i18n import to_persian_digits

    class _PersianDigits(Formatter):
        def __init__(self, base):
            self.base = base

        def set_axis(self, axis):
            super().set_axis(axis)
            self.base.set_axis(axis)

        def set_locs(self, locs):
            self.base.set_locs(locs)

        def __call__(self, x, pos=None):
            return to_persian_digits(self.base(x, pos))

        def get_offset(self):
            return to_persian_digits(self.base.get_offset())

    for name in axes:
        axis = ax.xaxis if name == "x" else ax.yaxis
        axis.set_major_formatter(_PersianDigits(axis.get_major_formatter()))
    return ax


def prepare() -> None:
    """Make sure a Persian-capable font is registered before drawing text (cheap, cached)."""
    register_fonts()
