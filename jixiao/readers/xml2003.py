"""Read an Excel 2003 XML spreadsheet (SpreadsheetML, often saved or exported as .xls) into
raw `Row`s, like the .xlsx reader: ss:Index positions, ss:MergeAcross / ss:MergeDown merges
(a vertical merge repeats its text down its first column), percent and date styles.
"""

from __future__ import annotations

import io
from bisect import bisect_right
from pathlib import Path
from xml.etree import ElementTree as ET

from jixiao.model import ReadError, ReadResult, Row
from jixiao.readers import limits
from jixiao.readers.container import read_bytes, reason
from jixiao.readers.xlsx import _clean, _is_percent_code, _number_text

_SS = "{urn:schemas-microsoft-com:office:spreadsheet}"
_PERCENT_NAMES = {"percent"}


def read_xml2003(path: Path, data: bytes | None = None) -> ReadResult:
    """Given a SpreadsheetML file (and its bytes if already read), returns its rows sheet by
    sheet (`sheet` = worksheet name, `line` = 1-based row). Raises ReadError (Chinese) for a
    damaged file or one beyond MAX_ROWS / MAX_COLS / MAX_CELLS."""
    name = Path(path).name
    data = read_bytes(path) if data is None else data
    percent_styles: set[str] = set()
    rows: list[Row] = []
    text_lines: list[str] = []
    total = 0
    budget = limits.TextBudget(name)
    try:
        for _, element in ET.iterparse(io.BytesIO(data), events=("end",)):
            if element.tag == f"{_SS}Style":
                fmt = element.find(f"{_SS}NumberFormat")
                code = fmt.get(f"{_SS}Format", "") if fmt is not None else ""
                if code.lower() in _PERCENT_NAMES or _is_percent_code(code):
                    percent_styles.add(element.get(f"{_SS}ID", ""))
            elif element.tag == f"{_SS}Worksheet":
                sheet = element.get(f"{_SS}Name", "")
                sheet_rows, cells = _worksheet(name, sheet, element, percent_styles)
                total += cells
                if total > limits.MAX_CELLS:
                    raise ReadError(f"{name}：表格单元格总数超过 {limits.MAX_CELLS:,} 个上限，未读取")
                for line, values in sheet_rows:
                    budget.take(values)
                    rows.append(Row(cells=values, line=line, sheet=sheet))
                    text_lines.append(f"{sheet}!{line}\t" + "\t".join(values))
                element.clear()
    except ReadError:
        raise
    except Exception as exc:
        raise ReadError(f"{name}：无法读取该 Excel 2003 XML 表格，文件可能已损坏 ({reason(exc)})") from None
    return ReadResult(rows=rows, text_lines=text_lines, layout="xml2003")


def _index(element, default: int) -> int:
    try:
        return int(element.get(f"{_SS}Index", default))
    except ValueError:
        return default


def _worksheet(name: str, sheet: str, element, percent_styles: set[str]):
    """Given a Worksheet element, returns ([(row, cells)], cell count), merges resolved."""
    table = element.find(f"{_SS}Table")
    grid: dict[int, dict[int, str]] = {}
    downs: list[tuple[int, int, int, str]] = []
    r = 0
    for row in table.iter(f"{_SS}Row") if table is not None else ():
        r = _index(row, r + 1)
        c = 0
        for cell in row.iter(f"{_SS}Cell"):
            c = _index(cell, c + 1)
            if r > limits.MAX_ROWS or c > limits.MAX_COLS:
                raise ReadError(f"{name}：工作表「{sheet}」超过 {limits.MAX_ROWS:,} 行或 {limits.MAX_COLS:,} 列上限，未读取")
            text = _cell_text(cell, percent_styles)
            if text:
                grid.setdefault(r, {})[c] = text
            try:
                across = max(0, int(cell.get(f"{_SS}MergeAcross", "0")))
                down = max(0, int(cell.get(f"{_SS}MergeDown", "0")))
            except ValueError:
                across = down = 0
            if down and text:
                downs.append((r, c, min(down, limits.MAX_ROWS), text))
            c += across
    # A merge repeats its text only into rows that hold cells: walk those rows (found by
    # bisection), not the merge's whole height — a MergeDown of 99,999 on every cell would
    # otherwise loop billions of times. Filled cells are counted against MAX_CELLS as read.
    present = sorted(grid)
    filled = 0
    for r0, c0, down, text in downs:
        start = bisect_right(present, r0)
        stop = bisect_right(present, r0 + down)
        filled += stop - start
        if filled > limits.MAX_CELLS:
            raise ReadError(f"{name}：工作表「{sheet}」合并单元格展开后超过 {limits.MAX_CELLS:,} 个单元格上限，未读取")
        for rr in present[start:stop]:
            grid[rr][c0] = text
    width = max((max(cells) for cells in grid.values() if cells), default=0)
    limits.check_padded(f"{name}：工作表「{sheet}」", width, len(grid))
    out = [(rr, tuple(grid[rr].get(cc, "") for cc in range(1, width + 1))) for rr in sorted(grid) if grid[rr]]
    return out, len(out) * width


def _cell_text(cell, percent_styles: set[str]) -> str:
    """Given a Cell element, returns its shown text."""
    data = cell.find(f"{_SS}Data")
    if data is None:
        return ""
    kind = data.get(f"{_SS}Type", "String")
    text = "".join(data.itertext())
    if kind == "Number":
        try:
            value = float(text)
        except ValueError:
            return _clean(text)
        if cell.get(f"{_SS}StyleID", "") in percent_styles:
            return _number_text(round(value * 100, 10)) + "%"
        return _number_text(int(value) if value.is_integer() and abs(value) < 1e16 else value)
    if kind == "DateTime":
        date, _, time = text.partition("T")
        return date if not time or time.strip("0:.") == "" else f"{date} {time[:8]}"
    if kind == "Boolean":
        return "TRUE" if text.strip() in ("1", "true") else "FALSE"
    return _clean(text)
