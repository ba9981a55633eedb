"""Write tables of cell texts as .xlsx / .docx files laid out like units' real templates.

Used by tests and by the synthetic-corpus generator. A *block* is one table: a list of rows of
cell texts. A block may also be given as the (paragraphs, rows) pair that `text_to_blocks`
returns; its paragraphs are then written before the table (as title rows in xlsx).

With `merge_levels`, cells are merged the way templates merge them (see `_merge_plan`):
the 一级/二级指标 column cells span the rows they head, and a label's value spans the row.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Sequence

import xlsxwriter
from docx import Document
from docx.enum.text import WD_BREAK

Rows = list[list[str]]

_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.(\d+))?")
_PERCENT = re.compile(r"(-?(?:0|[1-9]\d*)(?:\.(\d+))?)%")
# Beyond 15 significant digits Excel rounds, so longer digit strings (IDs, codes) stay text.
_MAX_DIGITS = 15


def text_to_blocks(text: str) -> list[tuple[list[str], Rows]]:
    """Given a tab-separated text document, returns (paragraphs before the table, table rows)
    per table.

    A line containing a tab is a table row: split on tabs, cells stripped, trailing empty cells
    trimmed, leading empty cells kept (an all-empty tab line adds no row but does not end the
    table). Adjacent table lines form one table; any other line ends it. Other non-empty lines
    are paragraphs attached to the next table; paragraphs after the last table come back as a
    final entry with no rows.
    """
    blocks: list[tuple[list[str], Rows]] = []
    paragraphs: list[str] = []
    rows: Rows = []
    in_table = False
    for raw in text.split("\n"):
        line = raw.rstrip("\r")
        if "\t" in line:
            cells = [cell.strip() for cell in line.split("\t")]
            while cells and not cells[-1]:
                cells.pop()
            if cells:
                rows.append(cells)
            in_table = True
            continue
        if in_table and rows:
            blocks.append((paragraphs, rows))
            paragraphs, rows = [], []
        in_table = False
        if line.strip():
            paragraphs.append(line.strip())
    if rows:
        blocks.append((paragraphs, rows))
    elif paragraphs:
        blocks.append((paragraphs, []))
    return blocks


def rows_to_xlsx(
    blocks: list[Rows] | list,
    path: Path,
    *,
    sheet_names: list[str] | None = None,
    merge_levels: bool = True,
) -> None:
    """Given blocks (tables of cell texts) and a path, writes an .xlsx workbook there.

    By default all blocks go on one sheet ("Sheet1"), separated by a blank row; with
    `sheet_names` (one per block) block i goes to sheet i. Paragraphs of (paragraphs, rows)
    blocks become title rows in column A above the table. Numeric texts ("5", "17.52", "52.00")
    are written as numbers (trailing zeros kept by a number format), "98.5%" as 0.985 with a
    percent format; everything else as a string (never a formula, even "=3人").
    """
    pairs = [_split_block(block) for block in blocks]
    if sheet_names is not None and len(sheet_names) != len(pairs):
        raise ValueError(f"sheet_names has {len(sheet_names)} names for {len(pairs)} blocks")
    workbook = xlsxwriter.Workbook(
        str(path), {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
    )
    formats: dict[tuple[bool, str | None], object] = {}

    def cell_format(table: bool, num_format: str | None):
        """Given whether the cell is in a table and its number format, returns a cached Format."""
        key = (table, num_format)
        if key not in formats:
            props: dict[str, object] = {"text_wrap": True, "valign": "vcenter"}
            if table:
                props["border"] = 1
            if num_format:
                props["num_format"] = num_format
            formats[key] = workbook.add_format(props)
        return formats[key]

    def put(sheet, r: int, c: int, text: str, table: bool) -> None:
        """Given a sheet position and a text, writes it as a number or a string."""
        value, num_format = _excel_value(text)
        fmt = cell_format(table, num_format)
        if isinstance(value, str):
            sheet.write_string(r, c, value, fmt)
        else:
            sheet.write_number(r, c, value, fmt)

    try:
        groups = [[pair] for pair in pairs] if sheet_names is not None else [pairs]
        names = sheet_names if sheet_names is not None else ["Sheet1"]
        for name, group in zip(names, groups):
            sheet = workbook.add_worksheet(name)
            r = 0
            max_width = 1
            for index, (paragraphs, rows) in enumerate(group):
                if index:
                    r += 1  # blank separator row between tables on one sheet
                width = max((len(row) for row in rows), default=1)
                max_width = max(max_width, width)
                for text in paragraphs:
                    if merge_levels and width > 1:
                        sheet.merge_range(r, 0, r, width - 1, "", cell_format(False, None))
                    put(sheet, r, 0, text, False)
                    r += 1
                if merge_levels:
                    vertical, horizontal = _merge_plan(rows)
                    for r0, r1, c in vertical:
                        sheet.merge_range(r + r0, c, r + r1, c, "", cell_format(True, None))
                    for rr, c0, c1 in horizontal:
                        sheet.merge_range(r + rr, c0, r + rr, c1, "", cell_format(True, None))
                for row in rows:
                    for c in range(width):
                        text = row[c] if c < len(row) else ""
                        if text:
                            put(sheet, r, c, text, True)
                        else:  # a blank with a format still draws the table's borders
                            sheet.write_blank(r, c, None, cell_format(True, None))
                    r += 1
            sheet.set_column(0, max_width - 1, 16)
    finally:
        workbook.close()


def rows_to_docx(
    blocks: list[Rows] | list,
    path: Path,
    *,
    paragraphs_before: dict[int, list[str]] | None = None,
    split_table_at: dict[int, int] | None = None,
    merge_levels: bool = True,
) -> None:
    """Given blocks (tables of cell texts) and a path, writes a .docx document there.

    Block i becomes a table preceded by `paragraphs_before[i]` (then by the block's own
    paragraphs if it is a (paragraphs, rows) pair). `split_table_at[i] = k` cuts table i after
    its row k into two tables with a page-break paragraph between (a table continued on the
    next page). Two tables with nothing between them get an empty paragraph so Word keeps them
    apart. With `merge_levels`, cells are merged like the templates (python-docx `cell.merge`).
    """
    paragraphs_before = paragraphs_before or {}
    split_table_at = split_table_at or {}
    document = Document()
    last_was_table = False
    for i, block in enumerate(blocks):
        own_paragraphs, rows = _split_block(block)
        paragraphs = list(paragraphs_before.get(i, [])) + own_paragraphs
        for text in paragraphs:
            document.add_paragraph(text)
        if not rows:
            last_was_table = last_was_table and not paragraphs
            continue
        if last_was_table and not paragraphs:
            document.add_paragraph()
        k = split_table_at.get(i)
        parts = [rows[:k], rows[k:]] if k is not None and 0 < k < len(rows) else [rows]
        for j, part in enumerate(parts):
            if j:
                document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
            _add_docx_table(document, part, merge_levels)
        last_was_table = True
    document.save(str(path))


def _add_docx_table(document, rows: Rows, merge_levels: bool) -> None:
    """Given a document and rows of cell texts, appends them as a bordered table."""
    width = max(1, max(len(row) for row in rows))
    table = document.add_table(rows=len(rows), cols=width)
    table.style = "Table Grid"
    # Collect cell objects once: table.cell(r, c) rebuilds the whole grid on every call.
    grid = [row.cells for row in table.rows]
    for cells, texts in zip(grid, rows):
        for c, text in enumerate(texts):
            if text:
                cells[c].text = text
    if not merge_levels:
        return
    vertical, horizontal = _merge_plan(rows)
    # Vertical merges only mark vMerge, so the horizontal merges can still use the same objects.
    for r0, r1, c in vertical:
        grid[r0][c].merge(grid[r1][c])
    for r, c0, c1 in horizontal:
        grid[r][c0].merge(grid[r][c1])


def _split_block(block: Sequence) -> tuple[list[str], Rows]:
    """Given a block (rows, or a (paragraphs, rows) pair), returns (paragraphs, rows)."""
    if isinstance(block, tuple) and len(block) == 2:
        paragraphs, rows = block
        return [str(p) for p in paragraphs], [[str(c) for c in row] for row in rows]
    return [], [[str(c) for c in row] for row in block]


def _excel_value(text: str) -> tuple[str | int | float, str | None]:
    """Given a cell text, returns (value to write, number format or None): numeric texts
    become numbers, "98.5%" becomes 0.985 with a percent format, the rest stays text."""
    match = _PERCENT.fullmatch(text)
    if match and _digits(match.group(1)) <= _MAX_DIGITS:
        decimals = len(match.group(2) or "")
        num_format = "0%" if not decimals else "0." + "0" * decimals + "%"
        return float(Decimal(match.group(1)) / 100), num_format
    match = _NUMBER.fullmatch(text)
    if match and _digits(text) <= _MAX_DIGITS:
        decimals = match.group(1)
        if decimals is None:
            return int(text), None
        # Only keep a fixed format when General would drop written trailing zeros ("52.00").
        num_format = "0." + "0" * len(decimals) if decimals.endswith("0") else None
        return float(text), num_format
    return text, None


def _digits(text: str) -> int:
    """Given a numeric text, returns how many digits it has."""
    return sum(ch.isdigit() for ch in text)


def _merge_plan(rows: Rows) -> tuple[list[tuple[int, int, int]], list[tuple[int, int, int]]]:
    """Given a table's rows, returns (vertical, horizontal) merges as they appear in templates.

    Vertical (first_row, last_row, column): a non-empty cell spans the following rows whose
    cell in that column is empty and lies before the row's first non-empty cell (the level
    columns on the left of an indicator table, or 项目资金 over its sub-rows).
    Horizontal (row, first_col, last_col): in a row with 2-3 non-empty cells, the last one (the
    label's value) spans the trailing empty cells up to the table's width.
    """
    width = max((len(row) for row in rows), default=0)

    def text(r: int, c: int) -> str:
        """Given a position, returns the stripped cell text ("" past the row's end)."""
        return rows[r][c].strip() if c < len(rows[r]) else ""

    leads = [next((c for c in range(width) if text(r, c)), width) for r in range(len(rows))]
    vertical: list[tuple[int, int, int]] = []
    for c in range(width):
        anchor: int | None = None
        end: int | None = None
        for r in range(len(rows)):
            if anchor is not None and not text(r, c) and c < leads[r]:
                end = r
                continue
            if anchor is not None and end is not None:
                vertical.append((anchor, end, c))
            anchor = r if text(r, c) else None
            end = None
        if anchor is not None and end is not None:
            vertical.append((anchor, end, c))
    covered = {(r, c) for r0, r1, c in vertical for r in range(r0, r1 + 1)}
    horizontal: list[tuple[int, int, int]] = []
    for r in range(len(rows)):
        filled = [c for c in range(width) if text(r, c)]
        if not 2 <= len(filled) <= 3:
            continue
        first = filled[-1]
        if (r, first) in covered:
            continue
        last = first
        while last + 1 < width and (r, last + 1) not in covered:
            last += 1
        if last > first:
            horizontal.append((r, first, last))
    return vertical, horizontal
