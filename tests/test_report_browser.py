"""The report as a reader sees it, in the system Chromium: Persian all the way, printable on A4,
readable on a phone. Screenshots and PDFs land in tests/output/ for a person to look at."""
from __future__ import annotations

import re

import pytest

from conftest import CHROMIUM_ARGS, ROOT

pytestmark = pytest.mark.browser

DATA = ROOT / "datasets" / "cem_survey.csv"
A4_PRINTABLE_PX = (round((210 - 24) / 25.4 * 96), round((297 - 28) / 25.4 * 96))  # @page margins 14 mm × 12 mm
RAW_NAMES = ["ntotal", "npar", "rmsea_ci_lower", "rmsea_ci_upper", "chisq", "pvalue", "flag:", "drop:",
             "straightliner", "too_many_missing", "mahalanobis_outlier", "attention_failed"]


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    from cem_edu.report import report

    folder = tmp_path_factory.mktemp("reports")
    return {lang: report(DATA, lang=lang, bootstrap=50, progress=False, out=folder / f"report_{lang}.html")
            for lang in ("en", "fa")}


@pytest.fixture(scope="module")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def test_persian_report_is_right_to_left_with_no_raw_field_names(browser, reports, output_dir):
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.goto(reports["fa"].as_uri())
    assert page.evaluate("document.documentElement.dir") == "rtl"
    directions = page.evaluate("[...document.querySelectorAll('table')].map(t => getComputedStyle(t).direction)")
    assert directions and set(directions) == {"rtl"}
    cells = page.evaluate("[...document.querySelectorAll('th, td, caption, h2, h3')].map(c => c.innerText)")
    found = sorted({name for text in cells for name in RAW_NAMES if name in text})
    assert not found, f"English field names in the Persian report: {found}"
    headings = page.evaluate("[...document.querySelectorAll('h2')].map(h => h.innerText)")
    assert not [h for h in headings if re.search(r"[0-9]", h)], headings  # Persian digits in headings
    markers = page.evaluate("[...document.querySelectorAll('nav ol')].map(o => getComputedStyle(o).listStyleType)")
    assert markers == ["persian"]          # the contents are numbered ۱. ۲. … like the headings
    page.screenshot(path=str(output_dir / "report_fa_top.png"))
    page.close()


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_printed_on_a4_no_table_or_figure_is_wider_than_the_page_or_split(browser, reports, lang, output_dir):
    width, height = A4_PRINTABLE_PX
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(reports[lang].as_uri())
    page.emulate_media(media="print")
    boxes = page.evaluate("""() => [...document.querySelectorAll('table, figure')].map(e => {
        const r = e.getBoundingClientRect();
        return {tag: e.tagName, caption: (e.querySelector('caption, figcaption') || {}).innerText || '',
                left: r.left, right: r.right, height: r.height, width: e.scrollWidth,
                avoid: getComputedStyle(e).breakInside};
    })""")
    assert len(boxes) > 10
    too_wide = [b["caption"] for b in boxes if b["right"] > width + 1 or b["left"] < -1 or b["width"] > width + 1]
    assert not too_wide, f"wider than an A4 page: {too_wide}"
    figures = [b for b in boxes if b["tag"] == "FIGURE"]
    assert figures and all(b["avoid"] == "avoid" for b in figures)
    too_tall = [b["caption"] for b in figures if b["height"] > height]
    assert not too_tall, f"a figure taller than a page would be split: {too_tall}"
    rows = page.evaluate("[...document.querySelectorAll('tr')].map(r => getComputedStyle(r).breakInside)")
    assert set(rows) == {"avoid"}
    heads = page.evaluate("[...document.querySelectorAll('h2, h3')].map(h => getComputedStyle(h).breakAfter)")
    assert set(heads) == {"avoid"}
    page.pdf(path=str(output_dir / f"report_{lang}.pdf"), format="A4", print_background=True)
    page.close()


def test_phone_width_one_contents_column_and_readable_figures(browser, reports, output_dir):
    page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    page.goto(reports["fa"].as_uri())
    assert page.evaluate("getComputedStyle(document.querySelector('nav ol')).columnCount") in ("1", "auto")
    widths = page.evaluate("[...document.querySelectorAll('figure svg')].map(s => s.getBoundingClientRect().width)")
    assert widths and min(widths) >= 34 * 16 - 1  # labels keep their size; the figure scrolls sideways
    page.screenshot(path=str(output_dir / "report_fa_phone.png"))
    page.close()
