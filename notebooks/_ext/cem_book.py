"""Sphinx extension for the cem-edu book (Jupyter Book 1.x): Persian blocks that survive Sphinx.

The notebooks wrap Persian prose in ``<div dir="rtl" lang="fa"> ... </div>`` inside a markdown
cell. JupyterLab renders each cell on its own, so a heading inside such a block is fine there.
Sphinx, however, turns every heading into a ``<section>``: the raw ``<div>`` would open in one
section and its ``</div>`` close in the next, and browsers then close the page's own layout
``<div>`` -- the rest of the page falls out of the article column.

So, when Sphinx reads a notebook (or a MyST page), this extension closes the Persian block just
before each heading inside it and reopens it just after; the notebooks themselves are not touched.
It also ships the kit's own Vazirmatn font (``cem_edu/fonts``, SIL OFL) and a small style sheet,
so Persian text renders the same with no network and no system fonts, and a Persian heading
(a heading followed by a Persian block) is right-aligned.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
FONTS = HERE.parent.parent / "cem_edu" / "fonts"

_OPEN = re.compile(r'^<div\s+[^>]*dir="rtl"[^>]*>\s*$')
_CLOSE = re.compile(r"^</div>\s*$")
_HEADING = re.compile(r"^#{1,6}\s")
_FENCE = re.compile(r"^(```|~~~)")


def split_rtl_blocks(text: str) -> str:
    """Close an open ``<div dir="rtl">`` block before each markdown heading and reopen it after.

    Lines inside fenced code blocks are left alone; a block that would be empty is dropped.
    Text without such a heading is returned unchanged.
    """
    out: list[str] = []
    open_tag: str | None = None
    fence: str | None = None
    for line in text.split("\n"):
        stripped = line.strip()
        if fence is not None:
            if stripped.startswith(fence):
                fence = None
        elif _FENCE.match(stripped):
            fence = stripped[:3]
        elif open_tag is None and _OPEN.match(stripped):
            open_tag = stripped
        elif open_tag is not None and _CLOSE.match(stripped):
            open_tag = None
        elif open_tag is not None and _HEADING.match(line):
            while out and not out[-1].strip():
                out.pop()
            if out and out[-1].strip() == open_tag:
                out.pop()                      # nothing between the opening tag and the heading
            else:
                out += ["", "</div>"]
            out += ["", line, "", open_tag, ""]
            continue
        out.append(line)
    return "\n".join(out)


def _source_read(app, docname: str, source: list[str]) -> None:
    text = source[0]
    if '<div' not in text or 'rtl' not in text:
        return
    path = Path(app.env.doc2path(docname))
    if path.suffix == ".ipynb":
        notebook = json.loads(text)
        changed = False
        for cell in notebook.get("cells", []):
            if cell.get("cell_type") != "markdown":
                continue
            old = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            new = split_rtl_blocks(old)
            if new != old:
                cell["source"] = new
                changed = True
        if changed:
            source[0] = json.dumps(notebook, ensure_ascii=False)
    else:
        source[0] = split_rtl_blocks(text)


def _add_static(app) -> None:
    app.config.html_static_path.append(str(HERE / "static"))
    if FONTS.is_dir():
        app.config.html_static_path.append(str(FONTS))


def setup(app):
    app.connect("source-read", _source_read)
    app.connect("builder-inited", _add_static)
    app.add_css_file("cem_book.css")
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
