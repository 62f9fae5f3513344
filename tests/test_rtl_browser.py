"""Issue #22: Persian notebooks render right to left in a real browser (Chromium, headless).

Each notebook is exported as JupyterLab renders it (nbconvert's lab template: the same
``jp-RenderedMarkdown`` markup) with the kit's JupyterLab style sheet (``cem_edu.notebook.RTL_CSS``,
injected by ``ce.set_language``) and the book's (``notebooks/_ext/static/cem_book.css``). Checked:
the Persian exercise lists are real lists (``<ol>``, counted in Persian numerals), inline code inside
Persian prose is isolated left to right, and Persian headings sit in their RTL block. Screenshots
of the Persian exercise sections go to tests/output/ (rtl_<notebook>.png).
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import CHROMIUM_ARGS, ROOT

NOTEBOOKS = ["01_cem_theory", "05_reliability_validity", "09_journey_map"]
BOOK_CSS = ROOT / "notebooks" / "_ext" / "static" / "cem_book.css"
FONTS = ROOT / "cem_edu" / "fonts"


def _page(name: str, out: Path) -> Path:
    import nbformat
    from nbconvert import HTMLExporter

    from cem_edu.notebook import RTL_CSS

    nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    body, _ = HTMLExporter(template_name="lab").from_notebook_node(nb)
    book_css = BOOK_CSS.read_text(encoding="utf-8")
    book_css = re.sub(r'url\("([^"]+)"\)', lambda m: f'url("{(FONTS / m.group(1)).as_uri()}")', book_css)
    body = body.replace("</head>", f"{RTL_CSS}<style>{book_css}</style></head>", 1)
    path = out / f"{name}.html"
    path.write_text(body, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def browser(chromium_path):
    pytest.importorskip("nbconvert")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_persian_lists_and_code_in_chromium(name, browser, tmp_path, output_dir):
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    page.goto(_page(name, tmp_path).as_uri(), wait_until="domcontentloaded")
    # the Persian exercise list is an <ol> with one <li> per exercise, counted in Persian numerals
    lists = page.locator('div[dir="rtl"] ol')
    assert lists.count() >= 1, f"{name}: no ordered list inside a Persian block"
    exercises = page.locator('div[dir="rtl"]:has(h2:text("تمرین‌ها")) ol, '
                             'div[dir="rtl"]:has(h2:text("تمرین‌ها")) ~ div[dir="rtl"] ol').first
    if exercises.count() == 0:
        exercises = lists.last
    assert exercises.locator("li").count() >= 3
    style = exercises.evaluate("e => [getComputedStyle(e).listStyleType, getComputedStyle(e).direction]")
    assert style == ["persian", "rtl"], style
    # inline code inside Persian prose is isolated left to right
    code = page.locator('div[dir="rtl"] p code, div[dir="rtl"] li code')
    assert code.count() >= 1
    for i in range(min(code.count(), 20)):
        css = code.nth(i).evaluate("e => [getComputedStyle(e).direction, getComputedStyle(e).unicodeBidi]")
        assert css == ["ltr", "isolate"], (name, i, css)
    # the Persian prose itself reads right to left in Vazirmatn
    p = page.locator('div[dir="rtl"] p').first
    assert p.evaluate("e => getComputedStyle(e).direction") == "rtl"
    assert "Vazirmatn" in p.evaluate("e => getComputedStyle(e).fontFamily")
    exercises.scroll_into_view_if_needed()
    exercises.screenshot(path=str(output_dir / f"rtl_{name}_exercises.png"))
    if name == "05_reliability_validity":
        # the first edition showed {"mechanic": [...]} as {[...] :"mechanic"} inside Persian text
        item = page.locator('div[dir="rtl"] li:has(code:text("{\\"mechanic\\": [...]}"))').first
        assert item.count() == 1
        box_code = item.locator('code:text("{\\"mechanic\\": [...]}")').bounding_box()
        assert box_code["width"] > 50
        item.screenshot(path=str(output_dir / "rtl_05_inline_code.png"))
    page.close()


def test_jupyterlab_and_book_share_the_rtl_rules():
    from cem_edu.notebook import RTL_CSS

    book = BOOK_CSS.read_text(encoding="utf-8")
    for rule in ("direction: ltr; unicode-bidi: isolate", "list-style-type: persian"):
        assert rule in RTL_CSS and rule in book, rule


def test_set_language_injects_the_css_in_any_language(monkeypatch):
    # the notebooks are bilingual: Persian prose is shown whatever the language of tables and figures
    import sys
    import types

    from cem_edu import notebook

    shown = []
    fake_display = types.SimpleNamespace(HTML=lambda s: s, display=lambda x: shown.append(x))
    shell = type("ZMQInteractiveShell", (), {})()
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: shell))
    monkeypatch.setitem(sys.modules, "IPython.display", fake_display)
    notebook.set_language("en")
    notebook.set_language("fa")
    notebook.set_language("en")
    assert shown == [notebook.RTL_CSS] * 3


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_built_book_pages_in_chromium(name, browser, output_dir):
    """The same checks on the built book (make book); skipped when the site has not been built."""
    page_file = ROOT / "notebooks" / "_build" / "html" / f"{name}.html"
    if not page_file.is_file():
        pytest.skip("the book is not built (make book)")
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.goto(page_file.as_uri(), wait_until="domcontentloaded")
    lists = page.locator('div[dir="rtl"] ol:visible')      # solutions sit in closed <details>
    assert lists.count() >= 1
    assert lists.last.evaluate("e => getComputedStyle(e).listStyleType") == "persian"
    code = page.locator('div[dir="rtl"] code')
    assert code.count() >= 1
    assert code.first.evaluate("e => [getComputedStyle(e).direction, getComputedStyle(e).unicodeBidi]") == ["ltr", "isolate"]
    assert page.locator(".math").count() == 0            # no currency dollar turned into TeX
    lists.last.scroll_into_view_if_needed()
    lists.last.screenshot(path=str(output_dir / f"book_{name}_list.png"), timeout=10000)
    page.close()
