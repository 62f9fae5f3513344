"""One place for the look of every figure."""
from __future__ import annotations

from ..i18n import get_language, register_fonts

PALETTE = {
    "functional": "#1b9e77", "mechanic": "#d95f02", "humanic": "#7570b3",
    "expectation": "#999999", "satisfaction": "#e7298a", "loyalty": "#66a61e",
    "word_of_mouth": "#e6ab02", "purchase_intent": "#a6761d",
    "positive": "#2c7bb6", "negative": "#d7191c", "neutral": "#bdbdbd",
}


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
