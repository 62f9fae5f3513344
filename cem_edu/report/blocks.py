"""The report's content as format-neutral blocks: what a section says, not how a format draws it.

A section builds its content with the :class:`~cem_edu.report.html.Writer` (``ctx.out``), whose
``table``, ``figure``, ``paragraph``, ``heading``, ``bullets`` and ``skipped`` return these blocks.
Two renderers draw them: :mod:`cem_edu.report.html` (the self-contained HTML page) and
:mod:`cem_edu.report.docx` (a Word document). Numbers, p-values and the language stay in the Writer,
which both renderers ask (``Writer.cells``), so a table reads the same in both formats.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

__all__ = ["Block", "Table", "Figure", "Paragraph", "Heading", "Bullets"]


class Block:
    """Base class of the report's blocks."""


@dataclass(eq=False)
class Table(Block):
    """An APA-style table of ``frame``: float columns with ``digits`` decimals, integer columns
    without, ``pcols`` as p-values, the index as the first column when ``index``."""

    frame: pd.DataFrame
    caption: str
    digits: int = 3
    note: str | None = None
    index: bool = True
    pcols: tuple = ()


@dataclass(eq=False)
class Figure(Block):
    """A figure: a matplotlib figure (closed in pyplot, still drawable) or ready PNG bytes."""

    fig: object | None = None
    caption: str = ""
    image: bytes | None = None
    _cache: dict = field(default_factory=dict, repr=False)

    def svg(self) -> str:
        """The figure as inline SVG (text as paths, so Persian needs no font in the viewer)."""
        if "svg" not in self._cache:
            import io
            import re

            import matplotlib

            buf = io.StringIO()
            with matplotlib.rc_context({"svg.fonttype": "path", "svg.hashsalt": "cem-edu"}):
                self.fig.savefig(buf, format="svg", bbox_inches="tight")
            svg = buf.getvalue()
            svg = svg[svg.find("<svg"):]  # drop the XML prolog and doctype: inline SVG
            self._cache["svg"] = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
        return self._cache["svg"]

    def png(self, dpi: int = 300) -> bytes:
        """The figure as PNG at print resolution (``dpi``, 300 by default)."""
        if self.image is not None:
            return self.image
        if ("png", dpi) not in self._cache:
            import io

            buf = io.BytesIO()
            self.fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
            self._cache[("png", dpi)] = buf.getvalue()
        return self._cache[("png", dpi)]


@dataclass(eq=False)
class Paragraph(Block):
    """A paragraph. ``cls``: None, ``"callout"`` (a highlighted remark), ``"note"``, ``"skipped"``
    (why a section could not run); ``ltr``: left-to-right even in a Persian report (software names,
    references); ``box``: a shaded box around it (``"methods"``)."""

    text: str
    cls: str | None = None
    ltr: bool = False
    box: str | None = None


@dataclass(eq=False)
class Heading(Block):
    """A sub-heading inside a section."""

    text: str


@dataclass(eq=False)
class Bullets(Block):
    """A bulleted list; ``ltr`` as in :class:`Paragraph`."""

    items: list
    ltr: bool = False
