"""Read a .docx document into raw `Row`s: body paragraphs and table rows in document order.

The package's main document part (named by its relationships) is parsed with lxml, and its
body walked directly so that gridSpan, vMerge, gridBefore and content controls (w:sdt) are
handled exactly and cheaply. (python-docx's `Document` loads every part, styles and settings
too, into its own element classes: half of a document's reading time, for nothing read here.)
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from pathlib import Path

from docx.oxml.ns import qn
from lxml import etree

from jixiao.model import ReadError, ReadResult, Row
from jixiao.readers import limits
from jixiao.readers.container import NESTED_TOO_DEEP, check_zip, read_bytes, reason, too_deep
from jixiao.readers.xlsx import _clean

_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"

_P, _TBL, _TR, _TC = qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc")
_SDT, _SDT_CONTENT, _CUSTOM_XML = qn("w:sdt"), qn("w:sdtContent"), qn("w:customXml")
_T, _TAB, _BR, _CR, _NB_HYPHEN = qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr"), qn("w:noBreakHyphen")
_DEL, _VAL = qn("w:del"), qn("w:val")
_DOCUMENT, _BODY = qn("w:document"), qn("w:body")
_TBL_GRID, _GRID_COL, _TR_PR, _TC_PR = qn("w:tblGrid"), qn("w:gridCol"), qn("w:trPr"), qn("w:tcPr")
_GRID_BEFORE, _GRID_SPAN, _V_MERGE = qn("w:gridBefore"), qn("w:gridSpan"), qn("w:vMerge")

# As python-docx parses parts: whitespace between elements dropped, entities never resolved,
# nothing fetched; lxml's own depth limit (256) stands.
_PARSER = etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True)
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_MAIN_PART_REL = "/officeDocument"  # (the transitional and the strict relationship type end so)


def read_docx(path: Path, data: bytes | None = None) -> ReadResult:
    """Given the path of a .docx file, returns its body paragraphs and table rows in order.

    Every body block (a paragraph, or one row of a table) gets the next 1-based `line`, and
    `text_lines[line - 1]` is that block's text: a paragraph's text, or "表格N!line<TAB>cells"
    for a table row (the source view finds a table's rows by that prefix). Empty paragraphs
    (blank lines, page-break paragraphs) are counted and appear as "" in `text_lines`, but
    yield no Row, so line numbers stay true to the document. A paragraph Row has one cell and
    `sheet` None; a table row has one cell per grid column and `sheet` "表格N" (1-based, in
    body order; a table continued after a page break is simply the next table). A horizontally merged cell
    keeps its text in its first grid column, the others are empty; a vertically merged cell
    repeats the top cell's text in each row (first column of the span). Cell text is its
    paragraphs joined by a space; a nested table is flattened into its cell's text.

    Raises `ReadError` (Chinese) for an empty file, a file that is not a zip, a legacy .doc /
    encrypted document, a truncated zip, a zip that is not a Word document, or a document that
    declares more than `limits` allow (a gridSpan/gridBefore beyond MAX_COLS columns, a table
    beyond MAX_ROWS rows, more than MAX_CELLS cells) — checked before the row is built.
    """
    name = Path(path).name
    data = read_bytes(path) if data is None else data
    check_zip(name, data, "docx")
    try:
        body = _open_body(data)
    except Exception as exc:  # zipfile/lxml raise many types; none may escape as-is
        if too_deep(exc):
            raise ReadError(f"{name}：{NESTED_TOO_DEEP}") from None
        raise ReadError(f"{name}：无法读取该 Word 文档，文件可能已损坏 ({reason(exc)})") from None
    return read_body(body, name)


def _open_body(data: bytes):
    """Given a .docx package's bytes, returns its main document's w:body element; raises
    ValueError when the package names no Word document part (or it has no body)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        part = _main_part(archive)
        root = etree.fromstring(archive.read(part), _PARSER)
    body = root.find(_BODY) if root.tag == _DOCUMENT else None
    if body is None:
        raise ValueError(f"{part} is not a Word document body (root {root.tag!r})")
    return body


def _main_part(archive: zipfile.ZipFile) -> str:
    """Given a .docx package, returns the zip member of its main document part (the target of
    the package's officeDocument relationship; word/document.xml when the package names none)."""
    names = set(archive.namelist())
    if "_rels/.rels" in names:
        rels = etree.fromstring(archive.read("_rels/.rels"), _PARSER)
        for rel in rels.iterchildren(_RELS):
            target = rel.get("Target") or ""
            if (rel.get("Type") or "").endswith(_MAIN_PART_REL) and rel.get("TargetMode") != "External":
                part = posixpath.normpath(target.lstrip("/"))
                if part in names:
                    return part
                raise ValueError(f"the main document part {target!r} is missing")
    if "word/document.xml" in names:
        return "word/document.xml"
    raise ValueError("no main document part (not a Word package)")


def read_body(body, name: str) -> ReadResult:
    """Given a w:body element and the file name (for messages), returns its rows (see read_docx)."""
    rows: list[Row] = []
    text_lines: list[str] = []
    table_count = 0
    budget = [limits.MAX_CELLS]
    chars = limits.TextBudget(name)
    for block in _block_children(body):
        if block.tag == _P:
            text = _paragraph_text(block)
            text_lines.append(text)
            if text:
                rows.append(Row(cells=(text,), line=len(text_lines)))
            continue
        table_count += 1
        label = f"表格{table_count}"
        for cells in _table_rows(block, name, budget):
            chars.take(cells)
            line = len(text_lines) + 1
            text_lines.append(f"{label}!{line}\t" + "\t".join(cells))
            if any(cells):
                rows.append(Row(cells=cells, line=line, sheet=label))
    return ReadResult(rows=rows, text_lines=text_lines)


def _block_children(parent):
    """Given a body/cell element, yields its w:p and w:tbl children in order, looking inside
    content controls and custom XML wrappers (they hide blocks one level down)."""
    for child in parent.iterchildren():
        tag = child.tag
        if tag == _P or tag == _TBL:
            yield child
        elif tag == _SDT:
            content = child.find(_SDT_CONTENT)
            if content is not None:
                yield from _block_children(content)
        elif tag == _CUSTOM_XML:
            yield from _block_children(child)



def _paragraph_text(p) -> str:
    """Given a w:p element, returns its visible text with breaks as spaces, stripped."""
    parts: list[str] = []
    _collect_text(p, parts)
    return _clean("".join(parts))


def _collect_text(element, parts: list[str]) -> None:
    """Given an element, appends its text pieces to parts, skipping deleted revisions and the
    markup-compatibility fallback (which repeats the chosen content, e.g. text boxes)."""
    for child in element.iterchildren():
        tag = child.tag
        if not isinstance(tag, str) or tag == _DEL or tag == _MC_FALLBACK:
            continue  # comments / processing instructions have non-string tags
        if tag == _T:
            parts.append(child.text or "")
        elif tag == _TAB:
            parts.append("\t")
        elif tag == _BR or tag == _CR:
            parts.append("\n")
        elif tag == _NB_HYPHEN:
            parts.append("-")
        elif tag == _P:
            # A paragraph nested in a text box: keep it apart from the surrounding text.
            parts.append(" ")
            _collect_text(child, parts)
            parts.append(" ")
        else:
            _collect_text(child, parts)


def _row_tcs(tr):
    """Given a w:tr, yields its w:tc cells in order, looking inside content controls."""
    for child in tr.iterchildren():
        if child.tag == _TC:
            yield child
        elif child.tag in (_SDT, _CUSTOM_XML):
            inner = child.find(_SDT_CONTENT) if child.tag == _SDT else child
            if inner is not None:
                yield from _row_tcs(inner)


def _table_rows(tbl, name: str = "", budget: list[int] | None = None) -> list[tuple[str, ...]]:
    """Given a w:tbl (and the file name and a one-item remaining-cells budget shared by the
    file), returns one tuple of grid-column texts per w:tr, merges resolved; raises ReadError
    when the table declares more columns, rows or cells than `limits` allow."""
    budget = budget if budget is not None else [limits.MAX_CELLS]
    grid = tbl.find(_TBL_GRID)
    width = sum(1 for _ in grid.iterchildren(_GRID_COL)) if grid is not None else 0
    _check_width(name, width)
    # vMerge continuation cells carry no text: remember the restart cell's text per column.
    top_text: dict[int, str] = {}
    raw_rows: list[dict[int, str]] = []
    for tr in tbl.iterchildren(_TR):
        if len(raw_rows) >= limits.MAX_ROWS:
            raise ReadError(f"{name}：表格行数过多（超过 {limits.MAX_ROWS:,} 行上限），为防止内存耗尽未读取")
        col = _int_prop(tr.find(_TR_PR), _GRID_BEFORE, 0)
        _check_width(name, col)
        cells: dict[int, str] = {}
        for tc in _row_tcs(tr):
            tc_pr = tc.find(_TC_PR)
            span = max(1, _int_prop(tc_pr, _GRID_SPAN, 1))
            _check_width(name, col + span)
            v_merge = tc_pr.find(_V_MERGE) if tc_pr is not None else None
            text = _cell_text(tc, name, budget)
            if v_merge is not None and v_merge.get(_VAL) != "restart":
                text = text or top_text.get(col, "")
            else:
                top_text[col] = text
            cells[col] = text
            col += span
        width = max(width, col)
        budget[0] -= width
        if budget[0] < 0:
            raise ReadError(f"{name}：文档中的表格单元格过多（超过 {limits.MAX_CELLS:,} 个上限），为防止内存耗尽未读取")
        raw_rows.append(cells)
    return [tuple(cells.get(c, "") for c in range(width)) for cells in raw_rows]


def _check_width(name: str, columns: int) -> None:
    """Given a column count a table row declares, raises ReadError beyond `limits.MAX_COLS`."""
    if columns > limits.MAX_COLS:
        raise ReadError(f"{name}：表格声明了 {columns:,} 列（gridSpan/gridBefore），超过 {limits.MAX_COLS:,} 列上限，"
                        f"文件可能已损坏或被构造，未读取")


def _int_prop(props, tag: str, default: int) -> int:
    """Given a property element (trPr/tcPr or None), returns the int w:val of its child tag
    (a Clark name, `qn` of it)."""
    if props is None:
        return default
    child = props.find(tag)
    if child is None:
        return default
    try:
        return int(child.get(_VAL, default))
    except ValueError:
        return default


def _cell_text(tc, name: str = "", budget: list[int] | None = None) -> str:
    """Given a w:tc, returns its paragraphs (and flattened nested tables) joined by a space."""
    pieces: list[str] = []
    for block in _block_children(tc):
        if block.tag == _P:
            pieces.append(_paragraph_text(block))
        else:
            pieces.extend(text for row in _table_rows(block, name, budget) for text in row)
    return " ".join(piece for piece in pieces if piece)
