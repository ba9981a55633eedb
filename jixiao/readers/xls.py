"""Read an Excel 97-2003 .xls workbook (BIFF) into raw `Row`s, like the .xlsx reader.

xlrd with `formatting_info=True` gives the merged ranges and each cell's number format, so a
cell shown as 96% reads "96%" (not 0.96) and a date reads as a date. The OLE2 container is
checked first (encrypted, stream size within `limits`); each sheet's size is checked before
its rows are built (BIFF8 allows at most 65,536 x 256 cells anyway).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from jixiao.model import ReadError, ReadResult, Row
from jixiao.readers import limits
from jixiao.readers.container import ENCRYPTED, open_ole_streams, read_bytes, reason
from jixiao.readers.xlsx import _clean, _is_percent_code, _number_text


def read_xls(path: Path, data: bytes | None = None) -> ReadResult:
    """Given an .xls file (and its bytes if already read), returns its rows sheet by sheet.

    Rows, lines and `text_lines` are as `read_xlsx` gives them: `sheet` is the sheet name,
    `line` the 1-based Excel row, a vertical merge repeats its text down its first column.
    Raises `ReadError` (Chinese) for an encrypted, damaged or oversized workbook; a sheet that
    fails on its own is skipped and listed in `problems`.
    """
    import xlrd

    name = Path(path).name
    data = read_bytes(path) if data is None else data
    sizes = open_ole_streams(name, data, ("Workbook", "Book"), "Excel 工作簿")
    if not sizes:
        raise ReadError(f"{name}：不是 Excel 97-2003 工作簿（没有 Workbook 数据）")
    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True, ragged_rows=True)
    except Exception as exc:
        if "encrypt" in str(exc).lower():
            raise ReadError(f"{name}：{ENCRYPTED}") from None
        raise ReadError(f"{name}：无法读取该 Excel 97-2003 工作簿，文件可能已损坏 ({reason(exc)})") from None
    rows: list[Row] = []
    text_lines: list[str] = []
    problems: list[str] = []
    total = 0
    budget = limits.TextBudget(name)
    try:
        for index in range(book.nsheets):
            sheet_name = book.sheet_names()[index]
            try:
                sheet = book.sheet_by_index(index)
                width = max((sheet.row_len(r) for r in range(sheet.nrows)), default=0)
                total += sheet.nrows * width
                if sheet.nrows > limits.MAX_ROWS or width > limits.MAX_COLS or total > limits.MAX_CELLS:
                    raise ReadError(f"{name}：工作表「{sheet_name}」过大（{sheet.nrows:,} 行 × {width:,} 列），"
                                    f"为防止内存耗尽未读取")
                for line, cells in _sheet_rows(book, sheet, width, f"{name}：工作表「{sheet_name}」"):
                    budget.take(cells)
                    rows.append(Row(cells=cells, line=line, sheet=sheet_name))
                    text_lines.append(f"{sheet_name}!{line}\t" + "\t".join(cells))
            except ReadError:
                raise
            except Exception as exc:
                problems.append(f"工作表「{sheet_name}」无法读取，已跳过 ({reason(exc)})")
            finally:
                book.unload_sheet(index)
    finally:
        book.release_resources()
    return ReadResult(rows=rows, text_lines=text_lines, problems=problems, layout="xls")


def _sheet_rows(book, sheet, width: int, where: str) -> list[tuple[int, tuple[str, ...]]]:
    """Given the book, a loaded sheet, its width and its name for messages, returns (1-based
    row, cells) for each non-empty row, merged ranges resolved as the xlsx reader resolves
    them. Raises ReadError when the merged ranges together cover more than MAX_CELLS cells:
    ranges that do not overlap cover at most the sheet, and a few thousand ranges of the
    whole sheet (8 bytes each) would otherwise each be walked cell by cell."""
    grid = [[_cell_text(book, sheet, r, c) for c in range(sheet.row_len(r))] + [""] * (width - sheet.row_len(r))
            for r in range(sheet.nrows)]
    covered = 0
    for r0, r1, c0, c1 in sheet.merged_cells:  # upper bounds exclusive
        if r0 >= len(grid) or c0 >= width:
            continue
        covered += (min(r1, len(grid)) - r0) * (min(c1, width) - c0)
        if covered > limits.MAX_CELLS:
            raise ReadError(f"{where}的合并单元格区域合计超过 {limits.MAX_CELLS:,} 个单元格（区域相互重叠），"
                            f"文件可能已损坏，未读取")
        anchor = grid[r0][c0]
        for r in range(r0, min(r1, len(grid))):
            for c in range(c0, min(c1, width)):
                if (r, c) != (r0, c0):
                    grid[r][c] = anchor if c == c0 else ""
    used = max((max((i for i, t in enumerate(row) if t), default=-1) for row in grid), default=-1) + 1
    return [(r + 1, tuple(row[:used])) for r, row in enumerate(grid) if any(row)]


def _cell_text(book, sheet, r: int, c: int) -> str:
    """Given a cell position, returns its text as Excel shows its value: percent formats as
    "96%", dates as YYYY-MM-DD, numbers without a spurious ".0"."""
    import xlrd

    cell = sheet.cell(r, c)
    kind, value = cell.ctype, cell.value
    if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
        return ""
    if kind == xlrd.XL_CELL_TEXT:
        return _clean(value)
    if kind == xlrd.XL_CELL_BOOLEAN:
        return "TRUE" if value else "FALSE"
    fmt = _format_of(book, cell.xf_index)
    if kind == xlrd.XL_CELL_DATE:
        try:
            moment = xlrd.xldate_as_datetime(value, book.datemode)
        except Exception:
            return _number_text(value)
        if moment.time() == dt.time(0):
            return moment.date().isoformat()
        if moment.date() == dt.date(1899, 12, 31) or value < 1:
            return moment.time().isoformat(timespec="seconds")
        return moment.isoformat(sep=" ", timespec="minutes" if moment.second == 0 else "seconds")
    if fmt and _is_percent_code(fmt):
        return _number_text(round(float(value) * 100, 10)) + "%"
    return _number_text(value)


def _format_of(book, xf_index: int | None) -> str:
    """Given an XF index, returns the cell's number format string ("" when unknown)."""
    try:
        xf = book.xf_list[xf_index]
        return book.format_map[xf.format_key].format_str or ""
    except Exception:
        return ""
