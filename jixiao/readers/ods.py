"""Read an OpenDocument spreadsheet (.ods) into raw `Row`s, like the .xlsx reader.

content.xml is streamed (iterparse, each row cleared once read): a cell's value type says
what it shows (`percentage` 0.96 reads "96%", `date` reads YYYY-MM-DD, `float` without a
spurious ".0"), `number-columns-spanned` / `number-rows-spanned` give the merged ranges, and
`number-*-repeated` runs are expanded only where they hold text — an empty run (LibreOffice
writes a million empty rows that way) costs nothing, a run of text beyond `limits` is refused.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

from jixiao.model import ReadError, ReadResult, Row
from jixiao.readers import limits
from jixiao.readers.container import check_zip, read_bytes, reason
from jixiao.readers.xlsx import _clean, _number_text

_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
T_TABLE, T_ROW, T_CELL, T_COVERED = (f"{{{_TABLE}}}{n}" for n in ("table", "table-row", "table-cell", "covered-table-cell"))
A_NAME = f"{{{_TABLE}}}name"
A_ROWS_REP, A_COLS_REP = f"{{{_TABLE}}}number-rows-repeated", f"{{{_TABLE}}}number-columns-repeated"
A_ROWS_SPAN, A_COLS_SPAN = f"{{{_TABLE}}}number-rows-spanned", f"{{{_TABLE}}}number-columns-spanned"
A_TYPE, A_VALUE = f"{{{_OFFICE}}}value-type", f"{{{_OFFICE}}}value"
A_DATE, A_BOOL = f"{{{_OFFICE}}}date-value", f"{{{_OFFICE}}}boolean-value"
T_P, T_S, T_TAB, T_BREAK = (f"{{{_TEXT}}}{n}" for n in ("p", "s", "tab", "line-break"))
A_C = f"{{{_TEXT}}}c"
T_ANNOTATION = f"{{{_OFFICE}}}annotation"


def read_ods(path: Path, data: bytes | None = None) -> ReadResult:
    """Given an .ods file (and its bytes if already read), returns its rows sheet by sheet
    (`sheet` = sheet name, `line` = 1-based row, `text_lines` "sheet!row<TAB>cells").

    Raises `ReadError` (Chinese) for a damaged archive, one that expands beyond the limits,
    or a sheet beyond MAX_ROWS / MAX_COLS / MAX_CELLS.
    """
    name = Path(path).name
    data = read_bytes(path) if data is None else data
    check_zip(name, data, "ods")
    rows: list[Row] = []
    text_lines: list[str] = []
    budget = limits.TextBudget(name)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open("content.xml") as content:
            for sheet, sheet_rows in _sheets(name, content):
                for line, cells in sheet_rows:
                    budget.take(cells)
                    rows.append(Row(cells=cells, line=line, sheet=sheet))
                    text_lines.append(f"{sheet}!{line}\t" + "\t".join(cells))
    except ReadError:
        raise
    except Exception as exc:
        raise ReadError(f"{name}：无法读取该 ODS 表格，文件可能已损坏 ({reason(exc)})") from None
    return ReadResult(rows=rows, text_lines=text_lines, layout="ods")


def _int(element, attribute: str) -> int:
    try:
        return max(1, int(element.get(attribute, "1")))
    except ValueError:
        return 1


def _sheets(name: str, content):
    """Given the file name and content.xml as a stream, yields (sheet name, rows) per sheet."""
    total = [0]
    padded = [0]  # cells of the sheets as returned, each row as wide as its sheet's widest
    sheet_name = ""
    grid: dict[int, dict[int, str]] = {}
    merges: list[tuple[int, int, int, int]] = []
    row_no = 0
    depth = 0
    for event, element in ET.iterparse(content, events=("start", "end")):
        tag = element.tag
        if tag == T_TABLE:
            if event == "start":
                depth += 1
                if depth == 1:
                    sheet_name, grid, merges, row_no = element.get(A_NAME, ""), {}, [], 0
            else:
                depth -= 1
                if depth == 0:
                    yield sheet_name, _resolve(f"{name}：工作表「{sheet_name}」", grid, merges, padded)
                element.clear()
            continue
        if event != "end" or tag != T_ROW or depth != 1:
            continue
        repeat = _int(element, A_ROWS_REP)
        cells = _row_cells(name, sheet_name, element, row_no, merges)
        if cells:
            # checked before a repeated row is copied: a row of 1,000 cells repeated 100,000
            # times is refused at once, not after building a hundred million entries
            if row_no + repeat > limits.MAX_ROWS:
                raise ReadError(f"{name}：工作表「{sheet_name}」超过 {limits.MAX_ROWS:,} 行上限，为防止内存耗尽未读取")
            total[0] += repeat * len(cells)
            if total[0] > limits.MAX_CELLS:
                raise ReadError(f"{name}：表格单元格总数超过 {limits.MAX_CELLS:,} 个上限，为防止内存耗尽未读取")
            for k in range(repeat):
                grid[row_no + k] = dict(cells)
        row_no += repeat
        element.clear()


def _row_cells(name: str, sheet: str, row, row_no: int, merges: list) -> dict[int, str]:
    """Given a table-row element, returns {column: text} of its non-empty cells and records
    its merged ranges; raises ReadError when a run of text goes past MAX_COLS."""
    cells: dict[int, str] = {}
    col = 0
    for cell in row:
        if cell.tag not in (T_CELL, T_COVERED):
            continue
        repeat = _int(cell, A_COLS_REP)
        text = _cell_text(cell) if cell.tag == T_CELL else ""
        if text:
            if col + repeat > limits.MAX_COLS:
                raise ReadError(f"{name}：工作表「{sheet}」超过 {limits.MAX_COLS:,} 列上限，为防止内存耗尽未读取")
            for k in range(repeat):
                cells[col + k] = text
        if cell.tag == T_CELL and (cell.get(A_ROWS_SPAN) or cell.get(A_COLS_SPAN)):
            merges.append((row_no, col, row_no + _int(cell, A_ROWS_SPAN) - 1, col + _int(cell, A_COLS_SPAN) - 1))
        col += repeat
    return cells


def _cell_text(cell) -> str:
    """Given a table-cell element, returns its text as the value type shows it."""
    kind = cell.get(A_TYPE)
    value = cell.get(A_VALUE)
    try:
        if kind == "percentage" and value is not None:
            return _number_text(round(float(value) * 100, 10)) + "%"
        if kind in ("float", "currency") and value is not None:
            number = float(value)
            return _number_text(int(number) if number.is_integer() and abs(number) < 1e16 else number)
        if kind == "date" and cell.get(A_DATE):
            stamp = cell.get(A_DATE, "")
            date, _, time = stamp.partition("T")
            return date if not time or time.strip("0:.") == "" else f"{date} {time[:8]}"
        if kind == "boolean":
            return "TRUE" if cell.get(A_BOOL, "").lower() == "true" else "FALSE"
    except ValueError:
        pass
    paragraphs = [_paragraph(p) for p in _paragraphs(cell)]
    return _clean(" ".join(p for p in paragraphs if p))


def _paragraphs(cell) -> list:
    """Given a table-cell element, returns its outermost text:p elements in document order
    (a text:p within another is read as part of it, once), leaving out comments."""
    out = []
    stack = list(reversed(cell))
    while stack:
        element = stack.pop()
        if element.tag == T_P:
            out.append(element)
        elif element.tag != T_ANNOTATION:
            stack.extend(reversed(element))
    return out


def _paragraph(p) -> str:
    """Given a text:p element, returns its text with text:s spaces, tabs and breaks; nested
    spans are walked with a stack into one list (a span nested 10,000 deep is read once,
    not copied once per level, and not by recursion)."""
    parts: list[str] = []
    stack: list = [p]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            parts.append(item)
            continue
        parts.append(item.text or "")
        for child in reversed(item):
            stack.append(child.tail or "")
            if child.tag == T_S:
                stack.append(" " * min(_int(child, A_C), 100))
            elif child.tag in (T_TAB, T_BREAK):
                stack.append(" ")
            elif child.tag != T_ANNOTATION:
                stack.append(child)
    return "".join(parts)


def _resolve(where: str, grid: dict[int, dict[int, str]], merges: list[tuple[int, int, int, int]],
             padded: list[int]) -> list[tuple[int, tuple[str, ...]]]:
    """Given the sheet's name for messages, {row: {col: text}}, its merged ranges and the
    padded cell count of the sheets before, returns (1-based row, cells) per non-empty row:
    a vertical merge repeats its text down its first column (as the xlsx reader does). Every
    row is as wide as the widest, so the rows times that width count against MAX_CELLS
    before they are built (one cell in column 1,000 widens every row of the sheet)."""
    import bisect

    keys = sorted(grid)
    budget = 4 * limits.MAX_CELLS  # overlapping ranges cannot make the work unbounded
    for r0, c0, r1, c1 in merges:
        anchor = grid.get(r0, {}).get(c0, "")
        if not anchor:
            continue
        for k in range(bisect.bisect_right(keys, r0), bisect.bisect_right(keys, r1)):
            budget -= 1
            if budget < 0:
                raise ReadError(f"{where}的合并单元格过多（区域相互重叠），未读取")
            grid[keys[k]][c0] = anchor
    width = max((max(cells) + 1 for cells in grid.values() if cells), default=0)
    rows = sum(1 for cells in grid.values() if cells)
    limits.check_padded(where, width, rows, padded[0])
    padded[0] += width * rows
    out = []
    for r in sorted(grid):
        cells = grid[r]
        if cells:
            out.append((r + 1, tuple(cells.get(c, "") for c in range(width))))
    return out
