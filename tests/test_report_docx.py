"""The report in Word: read back with python-docx (tables and their numbers equal the HTML page's,
numbered captions, right to left in Persian) and, where LibreOffice is installed, converted to PDF
headless and drawn page by page (pdftoppm), as a reader would print it."""
from __future__ import annotations

import html
import io
import re
import shutil
import subprocess
import sys
import zipfile

import pytest

from cem_edu.report import build_report, report
from conftest import ROOT

docx = pytest.importorskip("docx")

DATA = ROOT / "datasets" / "cem_survey.csv"
HS = ROOT / "datasets" / "holzinger_swineford.csv"
HS_MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
LRI, PDI = "\u2066", "\u2069"


@pytest.fixture(scope="module")
def built():
    """The bundled data's report in Persian and English, built once; the .docx bytes of each."""
    out = {}
    for lang in ("fa", "en"):
        res = build_report(DATA, lang=lang, bootstrap=0, progress=False)
        out[lang] = (res, res.docx())
    return out


def _html_tables(page: str) -> list[list[list[str]]]:
    """Every table of the HTML page as rows of cell texts (isolates as the Writer writes them)."""
    tables = []
    for body in re.findall(r"<table[^>]*>(.*?)</table>", page, flags=re.S):
        rows = []
        for tr in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S):
            cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, flags=re.S)
            rows.append([html.unescape(c.replace('<span dir="ltr">', LRI).replace("</span>", PDI)) for c in cells])
        tables.append(rows)
    return tables


def _docx_tables(document) -> list[list[list[str]]]:
    return [[[cell.text for cell in row.cells] for row in t.rows] for t in document.tables]


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_every_table_of_the_page_is_a_word_table_with_the_same_numbers(built, lang):
    res, data = built[lang]
    document = docx.Document(io.BytesIO(data))
    want, got = _html_tables(res.html), _docx_tables(document)
    assert len(want) >= 15 and len(got) == len(want)
    for k, (w, g) in enumerate(zip(want, got)):
        assert g == w, f"table {k + 1} differs"
    # the figures are pictures (PNG at 300 dpi), as many as the page's figures
    pictures = [n for n in zipfile.ZipFile(io.BytesIO(data)).namelist() if n.startswith("word/media/")]
    assert len(pictures) == res.html.count("<figure>") >= 5
    assert all(n.endswith(".png") for n in pictures)


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_captions_are_numbered_tables_and_figures_apart(built, lang):
    res, data = built[lang]
    document = docx.Document(io.BytesIO(data))
    captions = [p.text for p in document.paragraphs if p.style.name == "Caption"]
    tables = [c for c in captions if c.startswith("Table" if lang == "en" else "جدول")]
    figures = [c for c in captions if c.startswith("Figure" if lang == "en" else "شکل")]
    assert len(tables) == len(document.tables) and len(figures) == res.html.count("<figure>")
    digits = (lambda n: str(n)) if lang == "en" else (lambda n: str(n).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")))
    word = ("Table", "Figure") if lang == "en" else ("جدول", "شکل")
    for i, c in enumerate(tables, start=1):
        assert c.startswith(f"{word[0]} {digits(i)}. "), c
    for i, c in enumerate(figures, start=1):
        assert c.startswith(f"{word[1]} {digits(i)}. "), c
    # the caption's number is bold and its title italic (APA); the HTML caption is the title
    first = next(p for p in document.paragraphs if p.style.name == "Caption")
    assert first.runs[0].bold and first.runs[-1].italic
    titles = re.findall(r"<caption>(.*?)</caption>", res.html)
    titles = [html.unescape(t.replace('<span dir="ltr">', LRI).replace("</span>", PDI)) for t in titles]
    assert titles == [c.split(". ", 1)[1] for c in tables]
    # sections numbered as in the page; the methods paragraph is there
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == [f"{digits(i + 1)}. {s.title}" for i, s in enumerate(res.sections)]
    text = "\n".join(p.text for p in document.paragraphs)
    assert ("maximum likelihood" in text or "ML" in text) if lang == "en" else "برآورد" in text


def test_persian_document_is_right_to_left_with_persian_digits_and_font(built):
    res, data = built["fa"]
    document = docx.Document(io.BytesIO(data))
    body = document.element.body
    assert body.find(f"{W}sectPr/{W}bidi") is not None  # the section (page) right to left
    for t in document.tables:
        assert t._tbl.tblPr.find(f"{W}bidiVisual") is not None  # columns from the right
    persian = re.compile("[\u0600-\u06ff]")
    paragraphs = list(document.paragraphs) + [p for t in document.tables for row in t.rows for c in row.cells
                                              for p in c.paragraphs]
    checked = 0
    for p in paragraphs:
        if not persian.search(p.text):
            continue
        bidi = p._p.pPr.find(f"{W}bidi") if p._p.pPr is not None else None
        assert bidi is not None and bidi.get(f"{W}val") in (None, "1", "true"), p.text
        for run in p.runs:
            if persian.search(run.text) and not run.text.startswith(LRI):  # an isolate (number) stays LTR
                assert run._r.rPr.find(f"{W}rtl") is not None, run.text
                assert run._r.rPr.find(f"{W}cs") is not None, run.text
        checked += 1
    assert checked > 200
    # numbers in Persian digits, as in the page; n of the cleaned data in a table cell
    n = res.results["cleaning"]["n_clean"]
    cells = {c.text for t in document.tables for row in t.rows for c in row.cells}
    assert f"{LRI}{str(n).translate(str.maketrans('0123456789', '۰۱۲۳۴۵۶۷۸۹'))}{PDI}" in cells
    latin = [c for c in cells if re.fullmatch(r"[0-9.,\s<—−*-]*[0-9][0-9.,\s<—−*-]*", c.replace(LRI, "").replace(PDI, ""))]
    assert latin == [], f"numbers in Latin digits in the Persian report: {latin[:5]}"
    # the font: Vazirmatn for the complex script, named in the styles, with a fallback, embedded
    normal = document.styles["Normal"].element.rPr.find(f"{W}rFonts")
    assert normal.get(f"{W}cs") == "Vazirmatn"
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    table = zipfile.ZipFile(io.BytesIO(data)).read("word/fontTable.xml").decode()
    assert re.search(r'<w:font w:name="Vazirmatn"><w:altName w:val="Tahoma"/>', table)
    assert "w:embedRegular" in table and "w:embedBold" in table
    assert {"word/fonts/font1.odttf", "word/fonts/font2.odttf"} <= set(names)
    # software versions and references stay left to right
    refs = [p for p in document.paragraphs if p.text.startswith("Fornell")]
    assert refs and refs[0]._p.pPr.find(f"{W}bidi").get(f"{W}val") == "0"


def test_english_document_is_left_to_right(built):
    _, data = built["en"]
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    assert "<w:bidi" not in xml and "bidiVisual" not in xml and "<w:rtl" not in xml


def test_embedded_font_is_the_bundled_font_unobfuscated_back():
    from importlib import resources

    from cem_edu.report.word import _obfuscate

    font = (resources.files("cem_edu") / "fonts" / "Vazirmatn-Regular.ttf").read_bytes()
    key = "{6C0A5E2B-1F3D-4E5A-9B8C-7D6E5F4A3B2C}"
    hidden = _obfuscate(font, key)
    assert hidden[32:] == font[32:] and hidden[:32] != font[:32]
    assert _obfuscate(hidden, key) == font  # XOR twice gives the font back (ECMA-376 §17.8.1)
    # the key's bytes in reverse order: the first byte is XOR-ed with the key's last byte (0x2C)
    assert hidden[0] == font[0] ^ 0x2C and hidden[15] == font[15] ^ 0x6C and hidden[16] == font[16] ^ 0x2C


def test_report_function_and_cli_write_word(tmp_path):
    path = report(HS, model=HS_MODEL, bootstrap=0, progress=False, out=tmp_path / "r.docx", lang="fa")
    document = docx.Document(str(path))
    assert len(document.tables) == build_report(HS, model=HS_MODEL, bootstrap=0, progress=False).html.count("<table")
    out = tmp_path / "cli.docx"
    p = subprocess.run([sys.executable, "-m", "cem_edu.cli", "report", str(HS), "--model", str(_model(tmp_path)),
                        "--format", "docx", "--out", str(out), "--bootstrap", "0", "--quiet"],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert zipfile.ZipFile(out).read("word/document.xml").startswith(b"<?xml")
    p = subprocess.run([sys.executable, "-m", "cem_edu.cli", "report", str(HS), "--format", "pdf"],
                       capture_output=True, text=True)
    assert p.returncode == 2 and "Traceback" not in p.stderr and "docx" in p.stderr
    with pytest.raises(ce_data_error(), match="choose html"):
        report(HS, model=HS_MODEL, format="odt", out=tmp_path / "x")
    # the format and the file name agree, or the report says so before any analysis runs
    p = subprocess.run([sys.executable, "-m", "cem_edu.cli", "report", str(HS), "--format", "docx", "--out",
                        str(tmp_path / "r.html"), "--quiet"], capture_output=True, text=True)
    assert p.returncode == 2 and "name the file with .docx" in p.stderr and "Traceback" not in p.stderr
    with pytest.raises(ce_data_error(), match="with .html"):
        report(HS, model=HS_MODEL, format="html", out=tmp_path / "r.docx")


def ce_data_error():
    import cem_edu as ce

    return ce.DataError


def _model(tmp_path):
    m = tmp_path / "m.lav"
    m.write_text(HS_MODEL)
    return m


def test_html_stays_the_default(tmp_path):
    path = report(HS, model=HS_MODEL, bootstrap=0, progress=False, out=tmp_path / "r.html")
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


@pytest.mark.slow
def test_persian_word_report_renders_in_libreoffice(built, tmp_path, output_dir):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None or shutil.which("pdftoppm") is None:
        pytest.skip("LibreOffice or pdftoppm not installed (apt-get install libreoffice-writer-nogui poppler-utils)")
    from PIL import Image

    src = tmp_path / "report_fa.docx"
    src.write_bytes(built["fa"][1])
    env_home = tmp_path / "home"  # a private LibreOffice profile: no clash with another running soffice
    p = subprocess.run([soffice, f"-env:UserInstallation=file://{env_home}", "--headless", "--convert-to", "pdf",
                        "--outdir", str(tmp_path), str(src)], capture_output=True, text=True, timeout=240)
    pdf = tmp_path / "report_fa.pdf"
    assert p.returncode == 0 and pdf.exists(), p.stderr
    shutil.copy(pdf, output_dir / "report_fa_docx.pdf")
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "page")], check=True, timeout=240)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 10
    for page in pages:
        grey = Image.open(page).convert("L")
        ink = sum(grey.histogram()[:200]) / (grey.width * grey.height)
        assert ink > 0.005, f"{page.name} is blank"
    # the embedded Vazirmatn drew the Persian text (not a fallback font without the letters)
    if shutil.which("pdffonts"):
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
        assert "Vazirmatn" in fonts


def test_a_raw_html_block_of_an_older_section_becomes_its_text_in_word():
    from cem_edu.report.context import ReportResult, Section
    from cem_edu.report.html import Writer

    res = ReportResult([Section("x", "X", ['<p class="callout">a &amp; <span dir="ltr">b</span></p>'])], {},
                       Writer("en"))
    document = docx.Document(io.BytesIO(res.docx()))
    assert f"a & {LRI}b{PDI}" in [p.text for p in document.paragraphs]
    assert '<p class="callout">a &amp; <span dir="ltr">b</span></p>' in res.html
