"""Languages (fa/en), the string catalogue, Persian fonts and digit handling.

* ``set_language("fa" | "en")`` switches every label the kit prints or plots.
* ``t(key, **fields)`` looks a string up in the catalogue: ``cem_edu/locales/*.yaml``,
  one file per module (``{key: {en: ..., fa: ...}}``), merged on first use.
* ``register_fonts()`` adds the bundled Vazirmatn font (SIL OFL 1.1) to matplotlib.
  matplotlib >= 3.11 shapes Arabic script and lays it out right-to-left itself,
  so no reshaper is needed.
* ``to_persian_digits`` / ``to_ascii_digits`` convert digits for display and intake.
"""
from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

import yaml

__all__ = [
    "LANGUAGES", "set_language", "get_language", "t", "register_fonts", "font_path",
    "to_persian_digits", "to_ascii_digits", "format_number", "FONT_FAMILY", "RTL_CSS",
]

LANGUAGES = ("en", "fa")
FONT_FAMILY = "Vazirmatn"
_state = {"language": "en"}

PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
ARABIC_INDIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
_TO_ASCII = str.maketrans(PERSIAN_DIGITS + ARABIC_INDIC_DIGITS, "0123456789" * 2)
_TO_PERSIAN = str.maketrans("0123456789", PERSIAN_DIGITS)


def set_language(language: str) -> str:
    """Set the language of every label, table heading and figure text ("fa" or "en")."""
    lang = str(language).lower().strip()
    if lang not in LANGUAGES:
        from .errors import CemError
        raise CemError(f"unknown language {language!r}; choose one of {', '.join(LANGUAGES)}")
    _state["language"] = lang
    if lang == "fa":
        register_fonts()
    _notebook_direction(lang)
    return lang


#: CSS for the bilingual notebooks in JupyterLab/Jupyter (the book ships the same rules in
#: notebooks/_ext/static/cem_book.css): Persian blocks read right to left in Vazirmatn; inline code
#: inside them is isolated left to right, so `{"mechanic": [...]}` is not reordered by the bidi
#: algorithm; ordered lists count in Persian numerals.
RTL_CSS = """<style id="cem-edu-rtl">
.jp-RenderedMarkdown [dir=rtl], .jp-RenderedHTMLCommon [dir=rtl], .rendered_html [dir=rtl],
.jp-RenderedHTMLCommon .cem-fa {direction: rtl; text-align: right; font-family: Vazirmatn, Tahoma, sans-serif;}
[dir=rtl] code, [dir=rtl] kbd, [dir=rtl] samp {direction: ltr; unicode-bidi: isolate;}
[dir=rtl] pre {direction: ltr; text-align: left; unicode-bidi: isolate;}
[dir=rtl][lang=fa] ol, [lang=fa] [dir=rtl] ol {list-style-type: persian;}
.cem-edu-output.fa {direction: rtl; text-align: right;}
</style>"""


def _notebook_direction(lang: str) -> None:
    """Inside Jupyter, inject the CSS so Persian prose and tables read right-to-left.

    The notebooks are bilingual (their Persian blocks show whatever the language of tables and
    figures), so the style sheet is injected on every ``set_language`` call (the style lives in that
    cell's output: re-running the cell must bring it back).
    """
    import sys

    if "IPython" not in sys.modules:
        return
    try:
        from IPython import get_ipython
        from IPython.display import HTML, display
    except ImportError:  # pragma: no cover
        return
    shell = get_ipython()
    if shell is None or type(shell).__name__ != "ZMQInteractiveShell":
        return
    display(HTML(RTL_CSS))


def get_language() -> str:
    """The language currently in use ("en" by default)."""
    return _state["language"]


@functools.cache
def _catalogue() -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {}
    folder = resources.files("cem_edu") / "locales"
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".yaml"):
            merged.update(yaml.safe_load(entry.read_text(encoding="utf-8")) or {})
    return merged


def t(key: str, language: str | None = None, **fields) -> str:
    """Translate ``key`` into the current (or given) language and fill ``{fields}``.

    In Persian, numeric fields (int, float) are written with Persian digits; strings are left as they are.

    A key missing from the catalogue is returned as is, so a typo is visible, not fatal.
    """
    lang = language or get_language()
    entry = _catalogue().get(key)
    if entry is None:
        text = key
    else:
        text = entry.get(lang) or entry.get("en") or key
    if fields:
        if lang == "fa":  # numbers in Persian digits; text (column names such as FUN2) stays as it is
            fields = {k: (to_persian_digits(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v)
                      for k, v in fields.items()}
        text = text.format(**fields)
    return text


def font_path(weight: str = "Regular") -> Path:
    """Path of the bundled Vazirmatn TTF (``weight`` "Regular" or "Bold")."""
    return Path(str(resources.files("cem_edu") / "fonts" / f"Vazirmatn-{weight}.ttf"))


@functools.cache
def register_fonts() -> str:
    """Register Vazirmatn with matplotlib and put it first in the sans-serif fallback list.

    Returns the family name. Safe to call many times. Latin text keeps DejaVu Sans
    glyphs through matplotlib's font fallback.
    """
    from matplotlib import font_manager, rcParams

    for weight in ("Regular", "Bold"):
        font_manager.fontManager.addfont(str(font_path(weight)))
    fams = list(rcParams["font.sans-serif"])
    if FONT_FAMILY not in fams:
        rcParams["font.sans-serif"] = ["DejaVu Sans", FONT_FAMILY] + [f for f in fams if f != "DejaVu Sans"]
    return FONT_FAMILY


def to_ascii_digits(value):
    """Replace Persian (۰–۹) and Arabic-Indic (٠–٩) digits by ASCII digits; other values unchanged."""
    if isinstance(value, str):
        return value.translate(_TO_ASCII)
    return value


def to_persian_digits(value) -> str:
    """Render a number or string with Persian digits and the Persian decimal separator (٫)."""
    text = str(value)
    out = text.translate(_TO_PERSIAN)
    # decimal point between digits -> Arabic decimal separator
    chars = list(out)
    for i, ch in enumerate(chars):
        if ch == "." and 0 < i < len(chars) - 1 and chars[i - 1] in PERSIAN_DIGITS and chars[i + 1] in PERSIAN_DIGITS:
            chars[i] = "٫"
    return "".join(chars)


def format_number(value, digits: int = 2, language: str | None = None) -> str:
    """Format a number with ``digits`` decimals, in Persian digits when the language is fa."""
    try:
        text = f"{float(value):.{digits}f}"
    except (TypeError, ValueError):
        return str(value)
    return to_persian_digits(text) if (language or get_language()) == "fa" else text
