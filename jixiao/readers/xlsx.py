"""Read an .xlsx workbook into raw `Row`s (cell texts with sheet name and Excel row number).

Cells come from python-calamine (fast, Rust); it exposes merged ranges, so openpyxl is not needed.
Percent number formats are not visible through calamine, so they are found by a cheap scan of
the styles part and the sheet XML (see `_scan_sheets_safe`), which also checks each sheet's size.
"""

from __future__ import annotations

import bisect
import datetime as dt
import io
import itertools
import math
import posixpath
import re
import zipfile
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree as ET

import python_calamine

from jixiao.model import ReadError, ReadResult, Row
from jixiao.readers import limits
from jixiao.readers.container import check_zip, read_bytes, reason, reraise_interrupts

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# Built-in number formats 9 ("0%") and 10 ("0.00%") have no numFmt entry in styles.xml.
_BUILTIN_PERCENT_IDS = {9, 10}
# A <c> start tag (optionally namespace-prefixed); its attributes are parsed separately
# because attribute order is not fixed.
# Tag patterns read at most a bounded run of attributes (real tags hold under 200 bytes): an
# unbounded one reads, from every "<c " or "<row " of a hostile sheet without a closing ">",
# to the end of the part — a 2 KB sheet took 9 s (quadratic).
_CELL_TAG = re.compile(rb"<(?:\w+:)?c\s([^>]{0,1024})>")
_ATTR_R = re.compile(rb'\br="([A-Z]+)([0-9]+)"')
_ATTR_S = re.compile(rb'\bs="([0-9]+)"')
_BREAK = re.compile(r"[\r\n\t\v\f]")
_WHITESPACE = re.compile(r"\s+")


def read_xlsx(path: Path, data: bytes | None = None) -> ReadResult:
    """Given the path of an .xlsx file, returns its rows sheet by sheet in workbook order.

    Each non-empty sheet row becomes a `Row` with `sheet` = sheet name, `line` = the 1-based
    Excel row number, and `cells` = the texts of columns A up to the sheet's last used column.
    Vertically merged ranges repeat their top-left text in every row of the range (first column
    only); the other cells of a merged range are empty. Blank rows are dropped, but line numbers
    stay the true row numbers. Numbers lose a spurious ".0", percent-formatted numbers read
    "98.5%", dates read YYYY-MM-DD, and line breaks inside a cell become a space.

    `text_lines` has one display line per returned row, "<sheet>!<row><TAB><tab-joined cells>";
    unlike text files it is NOT indexed by `Row.line` (several sheets share row numbers), so
    look a row up by its "sheet!line" prefix.

    Before calamine sees the file, the archive's sizes are checked and each sheet's declared
    `<dimension>` and largest cell reference are compared with `limits` (calamine allocates the
    whole rectangle up to the last cell). Raises `ReadError` (Chinese) for a file that is empty,
    not a zip, a legacy/encrypted OLE2 file, truncated, not a workbook, or too large. A sheet
    that fails on its own is skipped with a note (the document is then `partial`).
    """
    name = Path(path).name
    data = read_bytes(path) if data is None else data
    members = check_zip(name, data, "xlsx", verify=True)
    notes: list[str] = []
    problems: list[str] = []
    percent_by_sheet = _scan_sheets_safe(name, data, members, notes, problems)
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except BaseException as exc:  # calamine raises several types; none may escape as-is
        reraise_interrupts(exc)
        raise ReadError(f"{name}：无法读取该 Excel 工作簿，文件可能已损坏 ({reason(exc)})") from None

    rows: list[Row] = []
    text_lines: list[str] = []
    budget = limits.TextBudget(name)
    try:
        sheet_names = list(workbook.sheet_names)
    except BaseException as exc:
        reraise_interrupts(exc)
        raise ReadError(f"{name}：无法列出工作簿中的工作表，文件可能已损坏 ({reason(exc)})") from None

    for sheet_name in sheet_names:
        try:
            sheet_rows = _read_sheet(workbook, sheet_name, percent_by_sheet.get(sheet_name, set()))
        except BaseException as exc:
            reraise_interrupts(exc)
            problems.append(f"工作表「{sheet_name}」无法读取，已跳过 ({reason(exc)})")
            continue
        for line, cells in sheet_rows:
            budget.take(cells)
            rows.append(Row(cells=cells, line=line, sheet=sheet_name))
            text_lines.append(f"{sheet_name}!{line}\t" + "\t".join(cells))
    return ReadResult(rows=rows, text_lines=text_lines, notes=notes, problems=problems)


def _read_sheet(
    workbook: python_calamine.CalamineWorkbook, name: str, percent: set[tuple[int, int]]
) -> list[tuple[int, tuple[str, ...]]]:
    """Given the workbook, a sheet name and its percent-formatted (row, col) cells, returns
    (1-based row number, cells) for each non-empty row, merged ranges resolved."""
    sheet = workbook.get_sheet_by_name(name)
    end = sheet.end
    if end is not None:  # a second guard: what calamine itself found
        rows, cols = end[0] + 1, end[1] + 1
        if rows > limits.MAX_ROWS or cols > limits.MAX_COLS or rows * cols > limits.MAX_CELLS:
            raise ReadError(f"工作表过大（{rows:,} 行 × {cols:,} 列）")
    # skip_empty_area=False pads the grid from A1, so indexes are true 0-based positions.
    values = sheet.to_python(skip_empty_area=False)
    grid: list[list[str]] = [
        [_cell_text(v, (r, c) in percent) for c, v in enumerate(row)] for r, row in enumerate(values)
    ]
    # Merged ranges are clipped to the grid (a range past the last used cell adds nothing), and
    # the work they cause is bounded, however many overlapping ranges a file declares.
    budget = 4 * limits.MAX_CELLS
    for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or []:
        if r0 >= len(grid):
            continue
        anchor = grid[r0][c0] if c0 < len(grid[r0]) else ""
        for r in range(r0, min(r1, len(grid) - 1) + 1):
            row = grid[r]
            last = min(c1, len(row) - 1)
            budget -= max(0, last - c0 + 1)
            if budget < 0:
                raise ReadError("合并单元格过多")
            for c in range(c0, last + 1):
                if r == r0 and c == c0:
                    continue
                # Copies go down the first column only; Excel leaves the rest blank anyway.
                row[c] = anchor if c == c0 else ""
    width = max((max((i for i, t in enumerate(row) if t), default=-1) for row in grid), default=-1) + 1
    out: list[tuple[int, tuple[str, ...]]] = []
    for r, row in enumerate(grid):
        if any(row):
            cells = (row + [""] * (width - len(row)))[:width]
            out.append((r + 1, tuple(cells)))
    return out


def _cell_text(value: object, percent: bool) -> str:
    """Given a calamine cell value and whether its format is a percent, returns its text."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return _clean(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        if percent:
            return _number_text(float(value) * 100) + "%"
        return _number_text(value)
    if isinstance(value, dt.datetime):  # before date: datetime is a subclass of date
        if value.time() == dt.time(0):
            return value.date().isoformat()
        spec = "minutes" if value.second == 0 and value.microsecond == 0 else "seconds"
        return value.isoformat(sep=" ", timespec=spec)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat(timespec="seconds")
    return _clean(str(value))


def _number_text(value: float | int) -> str:
    """Given a number, returns it as Excel would show it in General format, without exponent."""
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        return str(value)
    if value == int(value) and abs(value) < 1e16:
        return str(int(value))
    # 15 significant digits is Excel's display precision; it hides binary noise (0.1+0.2).
    text = f"{value:.15g}"
    if "e" in text:
        text = format(Decimal(text), "f")
    return text


def _clean(text: str) -> str:
    """Given raw cell text, returns it stripped, each run of whitespace holding a line break or
    tab as one space (other runs as they are). Run by run: a pattern with whitespace on both
    sides of the break retried from every space of a long run without one (quadratic: a cell of
    32,000 spaces took 7 s)."""
    text = text.strip()
    if _BREAK.search(text) is None:
        return text
    return _WHITESPACE.sub(lambda m: " " if _BREAK.search(m.group()) else m.group(), text)


def _scan_sheets_safe(name: str, data: bytes, members: set[str], notes: list[str],
                      problems: list[str]) -> dict[str, set[tuple[int, int]]]:
    """Given the xlsx bytes, checks every worksheet's size against `limits` (raising ReadError)
    and returns {sheet name: {(row, col) 0-based}} of percent-formatted cells; when the styles
    cannot be read, percentages read as fractions and a note says so. Formula cells saved
    without their result (what a program, not Excel, wrote) read as blank: `problems` gets a
    line per sheet naming them, so the document is not reported as fully read."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        try:
            percent_styles = _percent_style_ids(archive.read("xl/styles.xml")) if "xl/styles.xml" in members else set()
        except Exception as exc:
            notes.append(f"未能识别百分比格式，百分数按小数读取 (styles unreadable: {reason(exc)})")
            percent_styles = set()
        try:
            sheet_paths = _sheet_paths(archive, members)
        except Exception:
            sheet_paths = {}
        # Every worksheet part is size-checked, listed in the workbook or not (calamine may read it).
        parts = {part: sheet for sheet, part in sheet_paths.items()}
        for member in sorted(members):
            if member.startswith("xl/worksheets/") and member.endswith(".xml"):
                parts.setdefault(member, member.rsplit("/", 1)[-1])
        result: dict[str, set[tuple[int, int]]] = {}
        total_cells = tags = 0
        for part, sheet in parts.items():
            cells, area, unsaved, n_tags = _scan_sheet(name, sheet, archive.read(part), percent_styles)
            total_cells += area
            tags += n_tags
            if unsaved:
                where = "、".join(f"{_column_letters(c)}{r + 1}" for r, c in unsaved[:5]) + ("等" if len(unsaved) > 5 else "")
                problems.append(f"工作表「{sheet}」有 {len(unsaved)} 个公式单元格没有保存计算结果（{where}），读作空白；"
                                f"请在 Excel 或 WPS 中打开、重新计算并保存后再导入 (formulas without cached values)")
            if total_cells > limits.MAX_CELLS:
                raise ReadError(f"{name}：工作簿的单元格总数过多（超过 {limits.MAX_CELLS:,} 个上限），未读取")
            if cells:
                result[sheet] = cells
        _check_shared_text(name, archive, members, parts, tags)
        return result


_SI_START = re.compile(rb"<(?:\w+:)?si[\s>/]")
_T_TEXT = re.compile(rb"<(?:\w+:)?t(?:\s[^>]{0,512})?>([^<]*)")
_SHARED_REF = re.compile(rb'\bt="s"')
_V_INDEX = re.compile(rb"\s*<(?:\w+:)?v>\s*(\d{1,10})\s*<")


def _check_shared_text(name: str, archive: zipfile.ZipFile, members: set[str], parts, tags: int) -> None:
    """Given the archive, its worksheet parts and their cell count, raises ReadError when the
    shared strings the cells show add up past MAX_TEXT_CHARS — before calamine, which copies a
    shared string into every cell showing it. The longest string's XML in bytes (tags and all,
    at least its characters) times the cell count bounds that cheaply, without decoding; only a
    workbook past the bound has each string's text measured (its <t> runs, in characters) and
    its references counted."""
    texts = [archive.read(m) for m in members if m.lower().endswith("sharedstrings.xml")]
    starts = [[m.start() for m in _SI_START.finditer(text)] for text in texts]
    widest = max((b - a for text, s in zip(texts, starts) for a, b in zip(s, s[1:] + [len(text)])), default=0)
    if widest * tags <= limits.MAX_TEXT_CHARS:
        return
    lengths: list[int] = []  # per string, the longest of the parts holding one (there is one)
    for text, s in zip(texts, starts):
        own = [0] * len(s)
        for match in _T_TEXT.finditer(text):
            at = bisect.bisect_right(s, match.start()) - 1
            if at >= 0:
                own[at] += len(match.group(1).decode("utf-8", "replace"))
        lengths = [max(pair) for pair in itertools.zip_longest(own, lengths, fillvalue=0)]
    shown = 0
    for part in parts:
        xml = archive.read(part)
        for match in _CELL_TAG.finditer(xml):
            if _SHARED_REF.search(match.group(1)):
                index = _V_INDEX.match(xml, match.end())
                if index is not None and int(index.group(1)) < len(lengths):
                    shown += lengths[int(index.group(1))]
        if shown > limits.MAX_TEXT_CHARS:
            raise limits.too_much_text(name, "同一共享文字被大量单元格引用")


_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s[^>]{0,512}?ref=\"([A-Za-z]*)(\d*)(?::([A-Za-z]*)(\d*))?\"")
_ROW_TAG = re.compile(rb"<(?:\w+:)?row\s[^>]{0,512}?\br=\"(\d+)\"")


_CELL_END = re.compile(rb"</(?:\w+:)?c>")
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_VALUE = re.compile(rb"<(?:\w+:)?v>\s*[^<\s]|<(?:\w+:)?is>")


def _scan_sheet(name: str, sheet: str, xml: bytes, percent_styles: set[int]
                ) -> tuple[set[tuple[int, int]], int, list[tuple[int, int]]]:
    """Given a worksheet's XML, returns (percent-formatted cells, rows x columns it spans from A1,
    formula cells without a saved result, 0-based, in sheet order, the number of cell tags); raises ReadError when its
    declared dimension or its largest cell reference exceeds the limits."""
    def check(rows: int, cols: int, what: str) -> None:
        if rows > limits.MAX_ROWS or cols > limits.MAX_COLS or rows * cols > limits.MAX_CELLS:
            raise ReadError(
                f"{name}：工作表「{sheet}」{what}过大（{rows:,} 行 × {cols:,} 列，上限 {limits.MAX_ROWS:,} 行、"
                f"{limits.MAX_COLS:,} 列、{limits.MAX_CELLS:,} 个单元格），为防止内存耗尽未读取；"
                f"请删除多余的空行空列后另存")

    dim = _DIMENSION.search(xml, 0, 4096) or _DIMENSION.search(xml)
    if dim is not None and dim.group(3) is not None:
        last_col = dim.group(3) or dim.group(1)
        last_row = dim.group(4) or dim.group(2)
        if last_col and last_row:
            check(int(last_row), _column_index(last_col.upper()) + 1, "声明的范围")
    max_row = max_col = n_cells = 0
    cells: set[tuple[int, int]] = set()
    unsaved: list[tuple[int, int]] = []
    formulas = _FORMULA.search(xml) is not None  # most sheets have none: nothing more to look at
    # A cell's body ends at its "</c>", or at the next cell where it has none (a damaged part).
    # The next "</c>" is found once for every cell before it (searched again only once a cell
    # starts past it; len(xml) when there is none), and the body searched in place: one search,
    # or a copy, per cell to the same far end was quadratic where cells do not close.
    close_at = -1
    for match in _ROW_TAG.finditer(xml):
        max_row = max(max_row, int(match.group(1)))
    for match, after in _with_next(_CELL_TAG.finditer(xml)):
        n_cells += 1
        attrs = match.group(1)
        ref = _ATTR_R.search(attrs)
        if ref is None:
            continue
        row, col = int(ref.group(2)), _column_index(ref.group(1)) + 1
        if row > max_row:
            max_row = row
        if col > max_col:
            max_col = col
        if percent_styles:
            style = _ATTR_S.search(attrs)
            if style is not None and int(style.group(1)) in percent_styles:
                cells.add((row - 1, col - 1))
        if formulas and not attrs.endswith(b"/"):
            if close_at < match.end():
                close = _CELL_END.search(xml, match.end())
                close_at = close.start() if close else len(xml)
            start, end = match.end(), min(close_at, after.start() if after is not None else len(xml))
            if _FORMULA.search(xml, start, end) and not _VALUE.search(xml, start, end):
                unsaved.append((row - 1, col - 1))
    check(max_row, max(max_col, 1), "的内容范围")
    if n_cells > limits.MAX_CELLS:
        check(max_row, n_cells, "的单元格数")
    return cells, max_row * max(max_col, 1), unsaved, n_cells


def _with_next(items):
    """Given an iterator, yields each item with the one after it (None after the last)."""
    prev = next(items, None)
    for item in items:
        yield prev, item
        prev = item
    if prev is not None:
        yield prev, None


def _percent_style_ids(styles_xml: bytes) -> set[int]:
    """Given styles.xml, returns the indexes of cellXfs entries whose number format is a percent."""
    root = ET.fromstring(styles_xml)
    percent_fmt_ids = set(_BUILTIN_PERCENT_IDS)
    for fmt in root.iter(f"{_NS_MAIN}numFmt"):
        if _is_percent_code(fmt.get("formatCode", "")):
            percent_fmt_ids.add(int(fmt.get("numFmtId", "-1")))
    xfs = root.find(f"{_NS_MAIN}cellXfs")
    if xfs is None:
        return set()
    return {
        i for i, xf in enumerate(xfs.findall(f"{_NS_MAIN}xf")) if int(xf.get("numFmtId", "0")) in percent_fmt_ids
    }


def _is_percent_code(code: str) -> bool:
    """Given a number format code, returns whether a % appears outside quotes/escapes
    (only such a % makes Excel multiply the value by 100)."""
    unquoted = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", code.split(";")[0])
    return "%" in unquoted


def _sheet_paths(archive: zipfile.ZipFile, names: set[str]) -> dict[str, str]:
    """Given the open archive, returns {sheet name: zip part path} for the worksheets."""
    workbook = ET.fromstring(archive.read("xl/workbook.xml"))
    rels_part = "xl/_rels/workbook.xml.rels"
    targets: dict[str, str] = {}
    if rels_part in names:
        for rel in ET.fromstring(archive.read(rels_part)).iter(f"{_NS_PKG_REL}Relationship"):
            target = rel.get("Target", "")
            part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
            targets[rel.get("Id", "")] = part
    paths: dict[str, str] = {}
    for sheet in workbook.iter(f"{_NS_MAIN}sheet"):
        part = targets.get(sheet.get(f"{_NS_REL}id", ""))
        if part and part in names:
            paths[sheet.get("name", "")] = part
    return paths


def _column_letters(index: int) -> str:
    """Given a 0-based column index, returns its letters (0 -> "A", 27 -> "AB")."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def _column_index(letters: bytes) -> int:
    """Given column letters (b"A", b"AB"), returns the 0-based column index."""
    index = 0
    for ch in letters:
        index = index * 26 + (ch - 64)
    return index - 1
