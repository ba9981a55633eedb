"""Word (.docx) layout for the reports, on python-docx: an A4 portrait page with the margins of
Chinese official letters, Chinese fonts set for East Asian text (w:eastAsia) with a font-table
fallback (charset GB2312, family and PANOSE, Windows names as altName) so a machine without
宋体/仿宋 still picks a CJK serif, fixed-width tables that fit the text block and repeat their
header row on every page, and page numbers in the footer.

Every string passes through `text.clean` (phone numbers masked) before it reaches the file.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor

from jixiao.report.text import clean

PAGE_W, PAGE_H = Cm(21.0), Cm(29.7)
MARGINS = {"top": Cm(3.0), "bottom": Cm(2.6), "left": Cm(2.8), "right": Cm(2.6)}
TEXT_WIDTH_CM = 21.0 - 2.8 - 2.6  # 15.6 cm: every table's columns add up to this

LATIN = "Times New Roman"
SONG, FANGSONG, HEI, KAI = "宋体", "仿宋", "黑体", "楷体"

# Font-table entries: what Word and LibreOffice need to substitute a missing Chinese font with
# a Chinese one of the same kind (charset 86 = GB2312).
_FONTS = {
    SONG: ("SimSun", "02010600030101010101", "auto", "variable"),
    FANGSONG: ("FangSong", "02010609060101010101", "modern", "fixed"),
    HEI: ("SimHei", "02010609060101010101", "modern", "fixed"),
    KAI: ("KaiTi", "02010609060101010101", "modern", "fixed"),
}

BODY_PT, TABLE_PT, TITLE_PT = 12, 10.5, 18   # 小四, 五号, 小二


@dataclass(frozen=True)
class Column:
    """A table column: header text, width in cm, alignment ("left" / "center" / "right")."""

    header: str
    width_cm: float
    align: str = "left"


_ALIGN = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
          "right": WD_ALIGN_PARAGRAPH.RIGHT, "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}


def _set_fonts(rpr, east_asia: str, latin: str = LATIN) -> None:
    """Sets a run-properties element's fonts: Latin and East Asian, theme fonts removed (they
    would override the names), and the East Asian language zh-CN."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        if fonts.get(qn(attr)) is not None:
            del fonts.attrib[qn(attr)]
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:hint"), "eastAsia")
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")


def _font_table(doc) -> None:
    part = next(r.target_part for r in doc.part.rels.values() if r.reltype == RT.FONT_TABLE)
    root = parse_xml(part.blob)
    have = {f.get(qn("w:name")) for f in root.findall(qn("w:font"))}
    for name, (alt, panose, family, pitch) in _FONTS.items():
        if name in have:
            continue
        root.append(parse_xml(
            f'<w:font {nsdecls("w")} w:name="{name}"><w:altName w:val="{alt}"/>'
            f'<w:panose1 w:val="{panose}"/><w:charset w:val="86"/><w:family w:val="{family}"/>'
            f'<w:pitch w:val="{pitch}"/></w:font>'))
    from lxml import etree

    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _style(doc, name: str, east_asia: str, size: float, *, bold: bool = False, base: str | None = None,
           align=None, space_before: float = 0, space_after: float = 0, keep_next: bool = False,
           outline: int | None = None):
    from docx.enum.style import WD_STYLE_TYPE

    styles = doc.styles
    st = styles[name] if name in [s.name for s in styles] else styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    if base:
        st.base_style = styles[base]
    st.font.size = Pt(size)
    st.font.bold = bold
    st.font.italic = False
    st.font.color.rgb = RGBColor(0, 0, 0)
    _set_fonts(st.element.get_or_add_rPr(), east_asia)
    pf = st.paragraph_format
    pf.space_before, pf.space_after = Pt(space_before), Pt(space_after)
    pf.line_spacing = 1.35
    pf.keep_with_next = keep_next
    if align is not None:
        pf.alignment = align
    if outline is not None:  # headings show in Word's navigation pane
        ppr = st.element.get_or_add_pPr()
        lvl = ppr.find(qn("w:outlineLvl"))
        if lvl is None:
            lvl = OxmlElement("w:outlineLvl")
            ppr.append(lvl)
        lvl.set(qn("w:val"), str(outline))
    return st


class WordWriter:
    """Builds one report document; sections call its small methods (heading, para, table …)."""

    def __init__(self) -> None:
        doc = Document()
        sec = doc.sections[0]
        sec.orientation = WD_ORIENT.PORTRAIT
        sec.page_width, sec.page_height = PAGE_W, PAGE_H
        sec.top_margin, sec.bottom_margin = MARGINS["top"], MARGINS["bottom"]
        sec.left_margin, sec.right_margin = MARGINS["left"], MARGINS["right"]
        sec.footer_distance = Cm(1.5)
        # document defaults, then the styles the report uses
        defaults = doc.styles.element.find(qn("w:docDefaults"))
        if defaults is not None:
            rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
            if rpr is not None:
                _set_fonts(rpr, FANGSONG)
        normal = _style(doc, "Normal", FANGSONG, BODY_PT, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
        normal.paragraph_format.widow_control = True
        _style(doc, "报告标题", SONG, TITLE_PT, bold=True, base="Normal", align=WD_ALIGN_PARAGRAPH.CENTER,
               space_before=6, space_after=12)
        _style(doc, "Heading 1", HEI, 14, base="Normal", space_before=12, space_after=6, keep_next=True, outline=0)
        _style(doc, "Heading 2", KAI, BODY_PT, bold=True, base="Normal", space_before=10, space_after=4,
               keep_next=True, outline=1)
        _style(doc, "Heading 3", FANGSONG, BODY_PT, bold=True, base="Normal", space_before=6, space_after=3,
               keep_next=True, outline=2)
        _style(doc, "表格文字", SONG, TABLE_PT, base="Normal", align=WD_ALIGN_PARAGRAPH.LEFT)
        _style(doc, "说明文字", FANGSONG, TABLE_PT, base="Normal", space_after=3)
        for name in ("Header", "Footer"):
            _style(doc, name, SONG, 9, base="Normal", align=WD_ALIGN_PARAGRAPH.CENTER)
        _font_table(doc)
        self.doc = doc
        self._page_numbers()

    # --------------------------------------------------------------- text

    def title(self, text: str) -> None:
        """The centred title; a newline in `text` is a line break within it."""
        p = self.doc.add_paragraph(style="报告标题")
        for i, line in enumerate(clean(text).split("\n")):
            if i:
                p.add_run().add_break()
            p.add_run(line)

    def heading(self, text: str, level: int = 1) -> None:
        self.doc.add_paragraph(clean(text), style=f"Heading {level}")

    def para(self, text: str, *, indent: bool = True, align: str | None = None, bold_prefix: str | None = None,
             style: str | None = None, space_before: float | None = None, keep_next: bool = False) -> None:
        """A paragraph; indent=True gives the first-line indent of two characters. A bold_prefix
        (e.g. "整改要求：") is set in bold before the text; keep_next keeps it on the page of what
        follows (a sentence that introduces a table)."""
        p = self.doc.add_paragraph(style=style)
        p.paragraph_format.keep_with_next = keep_next
        if indent:
            size = TABLE_PT if style == "说明文字" else BODY_PT
            p.paragraph_format.first_line_indent = Pt(2 * size)
        if align:
            p.alignment = _ALIGN[align]
        if space_before is not None:
            p.paragraph_format.space_before = Pt(space_before)
        if bold_prefix:
            p.add_run(clean(bold_prefix)).bold = True
        p.add_run(clean(text))

    def blank(self, n: int = 1) -> None:
        for _ in range(n):
            self.doc.add_paragraph()

    def page_break(self) -> None:
        self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    # --------------------------------------------------------------- tables

    def table(self, columns: list[Column], rows: list[list[object]], *, header: bool = True,
              label_cols: tuple[int, ...] = ()) -> None:
        """A fixed-layout table whose column widths add up to the text width; long texts wrap
        inside their cells; the header row repeats on every page and rows do not split.
        `label_cols` are shaded as labels (a form-like table without a header row)."""
        total = sum(c.width_cm for c in columns)
        assert abs(total - TEXT_WIDTH_CM) < 0.05, f"columns add up to {total} cm, not {TEXT_WIDTH_CM}"
        t = self.doc.add_table(rows=0, cols=len(columns))
        t.style = self.doc.styles["Table Grid"]
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        t.autofit = False
        tblpr = t._tbl.tblPr
        layout = OxmlElement("w:tblLayout")
        layout.set(qn("w:type"), "fixed")
        tblpr.append(layout)
        width = OxmlElement("w:tblW")
        width.set(qn("w:w"), str(int(total * 567)))
        width.set(qn("w:type"), "dxa")
        for old in tblpr.findall(qn("w:tblW")):
            tblpr.remove(old)
        tblpr.append(width)
        for col, spec in zip(t.columns, columns):
            col.width = Cm(spec.width_cm)
        grid = t._tbl.tblGrid
        for gc, spec in zip(grid.findall(qn("w:gridCol")), columns):
            gc.set(qn("w:w"), str(int(spec.width_cm * 567)))
        if header:
            self._row(t, columns, [c.header for c in columns], header=True)
        for r in rows:
            self._row(t, columns, r, label_cols=label_cols)
        self.doc.add_paragraph(style="说明文字")  # space after the table

    def _row(self, t, columns: list[Column], values: list[object], *, header: bool = False,
             label_cols: tuple[int, ...] = ()) -> None:
        row = t.add_row()
        trpr = row._tr.get_or_add_trPr()
        cant = OxmlElement("w:cantSplit")
        trpr.append(cant)
        if header:
            h = OxmlElement("w:tblHeader")
            trpr.append(h)
        for k, (cell, spec, value) in enumerate(zip(row.cells, columns, values)):
            cell.width = Cm(spec.width_cm)
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            lines = clean(value).split("\n") or [""]
            p = cell.paragraphs[0]
            p.style = self.doc.styles["表格文字"]
            p.alignment = _ALIGN["center" if header else spec.align]
            for i, line in enumerate(lines):
                if i:
                    p = cell.add_paragraph(style="表格文字")
                    p.alignment = _ALIGN["center" if header else spec.align]
                run = p.add_run(line)
                run.bold = header
            label = k in label_cols
            if label:
                for run in p.runs:
                    run.bold = True
            if header or label:
                shd = OxmlElement("w:shd")
                shd.set(qn("w:val"), "clear")
                shd.set(qn("w:color"), "auto")
                shd.set(qn("w:fill"), "E7E6E6" if header else "F2F2F2")
                cell._tc.get_or_add_tcPr().append(shd)

    # --------------------------------------------------------------- footer, output

    def _page_numbers(self) -> None:
        """Footer: 第 N 页 共 M 页, as fields Word and LibreOffice fill in."""
        p = self.doc.sections[0].footer.paragraphs[0]
        p.style = self.doc.styles["Footer"]
        p.add_run("第 ")
        self._field(p, "PAGE")
        p.add_run(" 页  共 ")
        self._field(p, "NUMPAGES")
        p.add_run(" 页")

    @staticmethod
    def _field(p, code: str) -> None:
        for kind, text in (("begin", None), ("instr", code), ("separate", None), ("text", "1"), ("end", None)):
            run = p.add_run()
            if kind == "instr":
                el = OxmlElement("w:instrText")
                el.set(qn("xml:space"), "preserve")
                el.text = f" {text} "
            elif kind == "text":
                el = OxmlElement("w:t")
                el.text = text
            else:
                el = OxmlElement("w:fldChar")
                el.set(qn("w:fldCharType"), kind)
            run._r.append(el)

    def set_properties(self, title: str, subject: str) -> None:
        """Document properties: a title and subject, and no author name (python-docx's default
        author would otherwise name whoever made the template)."""
        cp = self.doc.core_properties
        cp.title, cp.subject = clean(title), clean(subject)
        cp.author, cp.last_modified_by, cp.comments = "", "", ""
        cp.keywords = "审核意见"

    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        self.doc.save(buf)
        return buf.getvalue()
