"""The report as a Word document (.docx), built with python-docx from the report's blocks.

Every table is a real Word table in APA style (rules above and below the header and at the bottom,
no vertical lines, the header row repeated on a new page), every figure a PNG at print resolution
(300 dpi), captions numbered ("Table 1." / «جدول ۱.»), the methods paragraph, software and
references. In Persian the section, paragraphs (``w:bidi``), tables (``w:bidiVisual``) and runs
(``w:rtl``) are right to left, digits are Persian (the Writer formats them, as in the HTML page) and
the font is Vazirmatn (bundled with cem-edu; Tahoma as the named fallback for the complex-script
text, Times New Roman for Latin text in English).

Reference: APA (2020), *Publication Manual of the American Psychological Association* (7th ed.),
§7.8–7.22 (tables: number in bold, title in italics above, notes below) and §7.24–7.36 (figures).
ECMA-376 Part 1 §17.3.1.6 (bidi), §17.4.1 (bidiVisual), §17.3.2.30 (rtl).
"""
from __future__ import annotations

import io
import uuid

from .blocks import Bullets, Figure, Heading, Paragraph, Table
from .html import Writer

__all__ = ["render_docx", "FONT_FA", "FONT_FALLBACK"]

FONT_FA = "Vazirmatn"
FONT_FALLBACK = "Tahoma"  # on every Windows and in most Office installs; has the Persian letters
FONT_EN = "Times New Roman"
LRI, PDI = "\u2066", "\u2069"
TEXT_WIDTH_CM = 16.0  # A4 (21 cm) less 2.5 cm margins


def _el(tag: str, **attrs):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    el = OxmlElement(tag)
    for k, v in attrs.items():
        el.set(qn(f"w:{k}"), str(v))
    return el


def _set(parent, tag: str, **attrs):
    """Replace (or add) the child ``tag`` of ``parent`` with one carrying ``attrs``."""
    from docx.oxml.ns import qn

    for old in parent.findall(qn(tag)):
        parent.remove(old)
    el = _el(tag, **attrs)
    parent.append(el)
    return el


class _Docx:
    """One Word document being written in one language."""

    def __init__(self, out: Writer):
        from docx import Document
        from docx.enum.section import WD_ORIENT
        from docx.shared import Cm

        self.out = out
        self.fa = out.fa
        self.doc = Document()
        self.n_tables = 0
        self.n_figures = 0
        sec = self.doc.sections[0]
        sec.orientation = WD_ORIENT.PORTRAIT
        sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(sec, side, Cm(2.5))
        if self.fa:
            sec._sectPr.append(_el("w:bidi"))  # the section (page numbers, columns) right to left
        self._styles()
        self._font_table()
        self._page_numbers()

    # ------------------------------------------------------------------ styles and fonts
    def _fonts(self, rpr, size_pt: float | None = None, bold: bool | None = None, italic: bool | None = None):
        """Font names on a run/style property element: Vazirmatn for every script in Persian (with the
        complex-script font named explicitly), Times New Roman for Latin text and Vazirmatn for
        Persian text in English; theme fonts removed so the names hold."""
        from docx.oxml.ns import qn

        latin = FONT_FA if self.fa else FONT_EN
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = _el("w:rFonts")
            rpr.insert(0, fonts)
        for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
            fonts.attrib.pop(qn(f"w:{attr}"), None)
        fonts.set(qn("w:ascii"), latin)
        fonts.set(qn("w:hAnsi"), latin)
        fonts.set(qn("w:eastAsia"), latin)
        fonts.set(qn("w:cs"), FONT_FA)
        if size_pt is not None:
            _set(rpr, "w:sz", val=int(size_pt * 2))
            _set(rpr, "w:szCs", val=int(size_pt * 2))
        if bold is not None:
            for tag in ("w:b", "w:bCs"):
                _set(rpr, tag, val=int(bold))
        if italic is not None:
            for tag in ("w:i", "w:iCs"):
                _set(rpr, tag, val=int(italic))
        lang = "fa-IR" if self.fa else "en-US"
        _set(rpr, "w:lang", val=lang, eastAsia=lang, bidi="fa-IR")

    def _styles(self):
        from docx.enum.style import WD_STYLE_TYPE
        from docx.shared import Pt, RGBColor

        styles = self.doc.styles
        sizes = {"Normal": (11, None, None), "Title": (20, True, None), "Heading 1": (15, True, None),
                 "Heading 2": (12.5, True, None), "Caption": (10.5, None, None), "List Bullet": (11, None, None)}
        for name, (size, bold, italic) in sizes.items():
            st = styles[name]
            self._fonts(st.element.get_or_add_rPr(), size, bold, italic)
            if name.startswith(("Heading", "Title")):
                st.font.color.rgb = RGBColor(0x1F, 0x29, 0x33)
            if self.fa:
                _set(st.element.get_or_add_pPr(), "w:bidi")
        styles["Caption"].font.color.rgb = RGBColor(0x1F, 0x29, 0x33)
        styles["Normal"].paragraph_format.space_after = Pt(6)
        note = styles.add_style("Table Note", WD_STYLE_TYPE.PARAGRAPH)
        note.base_style = styles["Normal"]
        self._fonts(note.element.get_or_add_rPr(), 9.5)
        note.paragraph_format.space_after = Pt(10)
        cell = styles.add_style("Table Text", WD_STYLE_TYPE.PARAGRAPH)
        cell.base_style = styles["Normal"]
        self._fonts(cell.element.get_or_add_rPr(), 9)
        cell.paragraph_format.space_after = Pt(0)
        cell.paragraph_format.space_before = Pt(0)
        # the document default (docDefaults) too, for text outside every style
        defaults = self.doc.styles.element.find(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}docDefaults")
        if defaults is not None:
            rpr = defaults.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}rPrDefault")
            if rpr is not None and len(rpr):
                self._fonts(rpr[0])

    def _font_table(self):
        """Name Vazirmatn in the font table with its fallback (``w:altName``), family and Arabic charset,
        and embed its regular and bold faces (obfuscated as ECMA-376 Part 1 §17.8.1 prescribes), so
        Word and LibreOffice show the Persian text in Vazirmatn where it is not installed and
        substitute a font with the Persian letters (Tahoma) where embedded fonts are switched off."""
        from importlib import resources

        from docx.opc.constants import RELATIONSHIP_TYPE as RT
        from docx.opc.packuri import PackURI
        from docx.opc.part import Part
        from docx.oxml.ns import qn
        from lxml import etree

        part = self.doc.part
        fonts_part = next((r.target_part for r in part.rels.values() if r.reltype == RT.FONT_TABLE), None)
        if fonts_part is None:  # pragma: no cover - python-docx's template has one
            return
        root = etree.fromstring(fonts_part.blob)
        for f in root.findall(qn("w:font")):
            if f.get(qn("w:name")) == FONT_FA:
                root.remove(f)
        font = _el("w:font", name=FONT_FA)
        font.append(_el("w:altName", val=FONT_FALLBACK))
        font.append(_el("w:charset", val="B2"))  # ARABIC_CHARSET
        font.append(_el("w:family", val="swiss"))
        font.append(_el("w:pitch", val="variable"))
        folder = resources.files("cem_edu") / "fonts"
        for k, (face, tag) in enumerate([("Regular", "w:embedRegular"), ("Bold", "w:embedBold")], start=1):
            key = "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"cem-edu/{FONT_FA}-{face}")).upper() + "}"
            blob = _obfuscate((folder / f"{FONT_FA}-{face}.ttf").read_bytes(), key)
            font_part = Part(PackURI(f"/word/fonts/font{k}.odttf"),
                             "application/vnd.openxmlformats-officedocument.obfuscatedFont", blob, part.package)
            rid = fonts_part.relate_to(font_part, RT.FONT)
            embed = _el(tag, fontKey=key)
            embed.set(qn("r:id"), rid)
            font.append(embed)
        root.append(font)
        fonts_part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
        settings = self.doc.settings.element
        zoom = settings.find(qn("w:zoom"))
        flag = _el("w:embedTrueTypeFonts")
        if zoom is not None:
            zoom.addnext(flag)
        else:
            settings.insert(0, flag)

    def _page_numbers(self):
        """A centred page number in the footer (a PAGE field)."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        p = self.doc.sections[0].footer.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        self._direction(p)
        run = p.add_run()
        run._r.append(_el("w:fldChar", fldCharType="begin"))
        instr = _el("w:instrText")
        instr.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        instr.text = " PAGE \\* Arabic " if not self.fa else " PAGE "
        run._r.append(instr)
        run._r.append(_el("w:fldChar", fldCharType="end"))

    # ------------------------------------------------------------------ paragraphs and runs
    def _direction(self, paragraph, ltr: bool = False):
        """``w:bidi`` on a Persian paragraph (explicit, though the styles say it too); an LTR paragraph
        in a Persian report (software names, references) says ``w:bidi w:val=0``."""
        if not self.fa:
            return
        ppr = paragraph._p.get_or_add_pPr()
        if ltr:
            _set(ppr, "w:bidi", val=0)
        else:
            _set(ppr, "w:bidi")

    def _runs(self, paragraph, text: str, *, bold=None, italic=None, ltr: bool = False):
        """Add ``text`` as runs: in Persian every run is marked right to left (``w:rtl``) and complex
        script (``w:cs``), except the left-to-right isolates (numbers, options), which keep their
        isolate marks and are their own left-to-right runs."""
        parts = []
        rest = text
        while LRI in rest:
            before, _, after = rest.partition(LRI)
            inner, _, rest = after.partition(PDI)
            parts += [(before, False), (LRI + inner + PDI, True)]
        parts.append((rest, False))
        for chunk, isolate in parts:
            if not chunk:
                continue
            run = paragraph.add_run(chunk)
            if bold is not None:
                run.bold = bold
            if italic is not None:
                run.italic = italic
            if self.fa and not ltr and not isolate:
                rpr = run._r.get_or_add_rPr()
                rpr.append(_el("w:rtl"))
                rpr.append(_el("w:cs"))
                if bold:
                    rpr.append(_el("w:bCs"))
                if italic:
                    rpr.append(_el("w:iCs"))
        return paragraph

    def paragraph(self, text: str, style: str | None = None, *, ltr: bool = False, **run):
        p = self.doc.add_paragraph(style=style)
        self._direction(p, ltr)
        return self._runs(p, text, ltr=ltr, **run)

    def heading(self, text: str, level: int):
        p = self.doc.add_heading(level=level)
        self._direction(p)
        return self._runs(p, text)

    def _shade(self, paragraph, fill: str = "F5F7FA", rule: bool = True):
        """A shaded paragraph with a rule on its starting side (the HTML callout)."""
        ppr = paragraph._p.get_or_add_pPr()
        if rule:
            bdr = _el("w:pBdr")
            bdr.append(_el("w:right" if self.fa else "w:left", val="single", sz=24, space=6, color="2C7BB6"))
            ppr.append(bdr)
        ppr.append(_el("w:shd", val="clear", color="auto", fill=fill))

    def caption(self, kind: str, text: str):
        """"Table 1." in bold, then the title in italics (APA), kept with what follows."""
        number = self.n_tables if kind == "table" else self.n_figures
        label = self.out.t(f"report.docx.{kind}", n=self.out.digits(str(number)))
        p = self.doc.add_paragraph(style="Caption")
        self._direction(p)
        self._runs(p, label + " ", bold=True, italic=False)
        self._runs(p, text, italic=True, bold=False)
        p.paragraph_format.keep_with_next = True
        return p

    # ------------------------------------------------------------------ blocks
    def table(self, block: Table):
        from docx.enum.table import WD_TABLE_ALIGNMENT
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Pt

        self.n_tables += 1
        self.caption("table", block.caption)
        head, rows = self.out.cells(block)
        table = self.doc.add_table(rows=1 + len(rows), cols=len(head))
        table.alignment = WD_TABLE_ALIGNMENT.CENTER if len(head) > 5 else WD_TABLE_ALIGNMENT.LEFT
        tbl_pr = table._tbl.tblPr
        if self.fa:
            tbl_pr.append(_el("w:bidiVisual"))  # columns run right to left
        borders = _el("w:tblBorders")
        for side in ("top", "bottom"):
            borders.append(_el(f"w:{side}", val="single", sz=12, space=0, color="000000"))
        for side in ("left", "right", "insideH", "insideV"):
            borders.append(_el(f"w:{side}", val="nil"))
        tbl_pr.append(borders)
        start, end = (WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.RIGHT)  # bidi paragraphs mirror both
        for r, cells in enumerate([head, *rows]):
            row = table.rows[r]
            tr_pr = row._tr.get_or_add_trPr()
            tr_pr.append(_el("w:cantSplit"))
            if r == 0:
                tr_pr.append(_el("w:tblHeader"))  # repeated at the top of each page
            for c, (text, numeric) in enumerate(cells):
                cell = row.cells[c]
                p = cell.paragraphs[0]
                p.style = self.doc.styles["Table Text"]
                self._direction(p)
                p.alignment = end if numeric and c > 0 else start
                # a short table stays on one page; a long one may break, but never after its header
                p.paragraph_format.keep_with_next = r < len(rows) if len(rows) <= 18 else r == 0
                self._runs(p, text, bold=(r == 0) or None)
                if r == 0:
                    tc_pr = cell._tc.get_or_add_tcPr()
                    bdr = _el("w:tcBorders")
                    bdr.append(_el("w:bottom", val="single", sz=6, space=0, color="000000"))
                    tc_pr.append(bdr)
        self._widths(table, [head, *rows], 7.5 if len(head) > 9 else 9)
        if len(head) > 9:  # a wide table: smaller type
            for row in table.rows:
                for cell in row.cells:
                    for run in cell.paragraphs[0].runs:
                        run.font.size = Pt(7.5)
                        _set(run._r.get_or_add_rPr(), "w:szCs", val=15)
        if block.note:
            p = self.doc.add_paragraph(style="Table Note")
            self._direction(p)
            label = self.out.t("report.docx.note")
            note = block.note[len(label):].lstrip() if block.note.startswith(label) else block.note
            self._runs(p, label + " ", italic=True)
            self._runs(p, note)
        else:
            self.doc.add_paragraph(style="Table Note")

    @staticmethod
    def _widths(table, cells, size_pt: float):
        """Column widths in proportion to their longest word and text (so a column of sentences is wide
        and a column of numbers narrow), filling the text width."""
        from docx.shared import Cm

        ncol = len(cells[0])
        need = []
        for c in range(ncol):
            texts = [row[c][0] for row in cells]
            longest_word = max((len(w) for t in texts for w in t.split()), default=1)
            longest = max((len(t) for t in texts), default=1)
            numeric = all(row[c][1] for row in cells[1:]) and len(cells) > 1
            body = max((len(row[c][0]) for row in cells[1:]), default=1)
            if numeric:  # numbers never wrap: the widest number, or the header's longest word
                need.append(max(body + 1, longest_word + 1, 5))
            else:
                need.append(max(longest_word + 1, min(longest, 30 if c == 0 else 38) * (1.0 if c == 0 else 0.8), 5))
        char_cm = size_pt * 0.021  # an average character's width
        total = sum(need) * char_cm
        scale = TEXT_WIDTH_CM / total if total > TEXT_WIDTH_CM or ncol > 4 else 1.0
        widths = [Cm(n * char_cm * scale + 0.2) for n in need]
        table.autofit = False
        for c, col in enumerate(table.columns):
            col.width = widths[c]  # w:gridCol, which LibreOffice reads
        for row in table.rows:
            for c, cell in enumerate(row.cells):
                cell.width = widths[c]

    def figure(self, block: Figure):
        from docx.shared import Cm

        self.n_figures += 1
        self.caption("figure", block.caption)
        png = block.png()
        width, height = _png_size(png)
        w_cm = TEXT_WIDTH_CM
        if height and width and w_cm * height / width > 20.0:  # a tall figure: fit the page height
            w_cm = 20.0 * width / height
        p = self.doc.add_paragraph()
        self._direction(p)
        p.add_run().add_picture(io.BytesIO(png), width=Cm(min(w_cm, width / 300 * 2.54)))
        p.paragraph_format.keep_together = True

    def block(self, block):
        from docx.shared import Pt

        if isinstance(block, Table):
            self.table(block)
        elif isinstance(block, Figure):
            self.figure(block)
        elif isinstance(block, Heading):
            self.heading(block.text, 2)
        elif isinstance(block, Bullets):
            for item in block.items:
                self.paragraph(item, "List Bullet", ltr=block.ltr)
        elif isinstance(block, Paragraph):
            if block.cls == "note":
                p = self.paragraph(block.text, "Table Note", ltr=block.ltr)
            elif block.cls == "skipped":
                p = self.paragraph(block.text, ltr=block.ltr, italic=True)
            else:
                p = self.paragraph(block.text, ltr=block.ltr)
            if block.cls == "callout" or block.box:
                self._shade(p, rule=block.cls == "callout")
                p.paragraph_format.space_before = Pt(6)
        elif isinstance(block, str):  # raw HTML from a section not (yet) written with ctx.out: its text
            import html
            import re

            text = html.unescape(re.sub(r"<[^>]+>", " ", block.replace("<span dir=\"ltr\">", LRI)
                                        .replace("</span>", PDI)))
            self.paragraph(re.sub(r"\s+", " ", text).strip())
        else:
            raise TypeError(f"the Word renderer does not know the block {type(block).__name__}")


def _obfuscate(font: bytes, key: str) -> bytes:
    """An embedded font as Word stores it: the first 32 bytes XOR the 16 bytes of the GUID ``key``
    read in reverse order (ECMA-376 Part 1 §17.8.1, "Font Embedding")."""
    hexdigits = key.strip("{}").replace("-", "")
    k = bytes(int(hexdigits[i:i + 2], 16) for i in range(0, 32, 2))[::-1]
    head = bytes(b ^ k[i % 16] for i, b in enumerate(font[:32]))
    return head + font[32:]


def _png_size(png: bytes) -> tuple[int, int]:
    """Width and height in pixels from a PNG's IHDR chunk."""
    import struct

    if png[:8] != b"\x89PNG\r\n\x1a\n":
        return 0, 0
    return struct.unpack(">II", png[16:24])


def render_docx(result) -> bytes:
    """The Word document of a built report (:class:`~cem_edu.report.context.ReportResult`) as bytes."""
    from .. import __version__
    from .build import meta

    out = result.out
    w = _Docx(out)
    m = meta(result)
    props = w.doc.core_properties
    props.title, props.language = m["title"], ("fa-IR" if out.fa else "en-US")
    props.author, props.comments = "cem-edu", f"cem-edu {__version__}"
    props.keywords = "cem-edu"
    import datetime as _dt

    stamp = _dt.datetime.combine(_dt.date.today(), _dt.time())
    props.created = props.modified = stamp
    props.last_modified_by, props.revision = "cem-edu", 1
    title = w.doc.add_heading(level=0)
    w._direction(title)
    w._runs(title, m["title"])
    w.paragraph(m["generated"], "Table Note")
    if m["omitted"]:
        w.paragraph(m["omitted"], "Table Note")
    w.paragraph(m["contents"], bold=True)  # the contents, as the page's navigation
    for number, sec in zip(m["numbers"], result.document):
        w.paragraph(f"{number}. {sec.title}", "Table Text")
    for number, sec in zip(m["numbers"], result.document):
        w.heading(f"{number}. {sec.title}", 1)
        for block in sec.blocks:
            w.block(block)
    buf = io.BytesIO()
    w.doc.save(buf)
    return buf.getvalue()
