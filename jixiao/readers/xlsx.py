"""Read an .xlsx workbook into raw `Row`s (cell texts with sheet name and Excel row number).

Cells come from python-calamine (fast, Rust); it exposes merged ranges, so openpyxl is not needed.
Percent number formats are not visible through calamine, so they are found by a cheap scan of
the styles part and the sheet XML (see `_percent_cells`).
"""

from __future__ import annotations

import datetime as dt
import io
import math
import posixpath
import re
import zipfile
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree as ET

import python_calamine

from jixiao.readers.container import check_zip
from jixiao.model import ReadError, ReadResult, Row

# Encrypted OOXML is an OLE2 container holding an "EncryptionInfo" stream (name in UTF-16LE).

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# Built-in number formats 9 ("0%") and 10 ("0.00%") have no numFmt entry in styles.xml.
_BUILTIN_PERCENT_IDS = {9, 10}
# A <c> start tag (optionally namespace-prefixed); its attributes are parsed separately
# because attribute order is not fixed.
_CELL_TAG = re.compile(rb"<(?:\w+:)?c\s([^>]*)>")
_ATTR_R = re.compile(rb'\br="([A-Z]+)([0-9]+)"')
_ATTR_S = re.compile(rb'\bs="([0-9]+)"')
_INNER_BREAKS = re.compile(r"\s*[\r\n\t\v\f]+\s*")


def read_xlsx(path: Path) -> ReadResult:
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

    Raises `ReadError` for a file that is empty, not a zip, a legacy/encrypted OLE2 file
    (.xls or password-protected), a truncated zip, or a zip that is not a workbook. A sheet that
    fails on its own is skipped with a note.
    """
    data = _read_bytes(path)
    members = check_zip(Path(path).name, data, "xlsx")
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except BaseException as exc:  # calamine raises several types; none may escape as-is
        _reraise_interrupts(exc)
        if not any(n.startswith("xl/") for n in members):
            raise ReadError(f"{Path(path).name}: zip archive without an Excel workbook inside, not an xlsx") from None
        raise ReadError(f"{Path(path).name}: not a readable xlsx workbook ({_reason(exc)})") from None

    notes: list[str] = []
    percent_by_sheet = _percent_cells_safe(data, notes)
    rows: list[Row] = []
    text_lines: list[str] = []
    try:
        sheet_names = list(workbook.sheet_names)
    except BaseException as exc:
        _reraise_interrupts(exc)
        raise ReadError(f"{Path(path).name}: cannot list the workbook's sheets ({_reason(exc)})") from None

    for name in sheet_names:
        try:
            sheet_rows = _read_sheet(workbook, name, percent_by_sheet.get(name, set()))
        except BaseException as exc:
            _reraise_interrupts(exc)
            notes.append(f"sheet {name!r} skipped: {_reason(exc)}")
            continue
        for line, cells in sheet_rows:
            rows.append(Row(cells=cells, line=line, sheet=name))
            text_lines.append(f"{name}!{line}\t" + "\t".join(cells))
    return ReadResult(rows=rows, text_lines=text_lines, notes=notes)


def _read_bytes(path: Path) -> bytes:
    """Given a path, returns the file's bytes, or raises ReadError if it cannot be opened."""
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise ReadError(f"{Path(path).name}: cannot open file ({exc.strerror or exc})") from None


def _reraise_interrupts(exc: BaseException) -> None:
    """Given a caught exception, re-raises it if it is an interrupt rather than a read failure.

    Broad catching is needed because a Rust panic inside calamine surfaces as pyo3's
    PanicException, which derives from BaseException, not Exception.
    """
    if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit)):
        raise exc


def _reason(exc: BaseException) -> str:
    """Given a library exception, returns a one-line English reason without a traceback."""
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def _read_sheet(
    workbook: python_calamine.CalamineWorkbook, name: str, percent: set[tuple[int, int]]
) -> list[tuple[int, tuple[str, ...]]]:
    """Given the workbook, a sheet name and its percent-formatted (row, col) cells, returns
    (1-based row number, cells) for each non-empty row, merged ranges resolved."""
    sheet = workbook.get_sheet_by_name(name)
    # skip_empty_area=False pads the grid from A1, so indexes are true 0-based positions.
    values = sheet.to_python(skip_empty_area=False)
    grid: list[list[str]] = [
        [_cell_text(v, (r, c) in percent) for c, v in enumerate(row)] for r, row in enumerate(values)
    ]
    for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or []:
        anchor = grid[r0][c0] if r0 < len(grid) and c0 < len(grid[r0]) else ""
        if r1 > r0 and anchor:
            _ensure_size(grid, r1 + 1, c0 + 1)
        for r in range(r0, min(r1, len(grid) - 1) + 1):
            row = grid[r]
            for c in range(c0, min(c1, len(row) - 1) + 1):
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


def _ensure_size(grid: list[list[str]], nrows: int, ncols: int) -> None:
    """Given the grid, pads it in place to at least nrows x ncols empty cells."""
    width = max([ncols] + [len(row) for row in grid])
    for row in grid:
        row.extend([""] * (width - len(row)))
    while len(grid) < nrows:
        grid.append([""] * width)


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
    """Given raw cell text, returns it stripped with inner line breaks/tabs as one space."""
    return _INNER_BREAKS.sub(" ", text.strip())


def _percent_cells_safe(data: bytes, notes: list[str]) -> dict[str, set[tuple[int, int]]]:
    """Given the xlsx bytes, returns {sheet name: {(row, col) 0-based}} of percent-formatted
    cells; on any trouble returns {} and adds a note (percentages then read as fractions)."""
    try:
        return _percent_cells(data)
    except Exception as exc:
        notes.append(f"percent formats not detected ({_reason(exc)}); such cells read as fractions")
        return {}


def _percent_cells(data: bytes) -> dict[str, set[tuple[int, int]]]:
    """Given the xlsx bytes, returns {sheet name: {(row, col)}} of cells whose style has a
    percent number format, by scanning styles.xml and each sheet's <c r=.. s=..> tags."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        if "xl/workbook.xml" not in names or "xl/styles.xml" not in names:
            return {}
        percent_styles = _percent_style_ids(archive.read("xl/styles.xml"))
        if not percent_styles:
            return {}
        sheet_paths = _sheet_paths(archive, names)
        result: dict[str, set[tuple[int, int]]] = {}
        for sheet_name, part in sheet_paths.items():
            cells: set[tuple[int, int]] = set()
            for match in _CELL_TAG.finditer(archive.read(part)):
                attrs = match.group(1)
                style = _ATTR_S.search(attrs)
                if style is None or int(style.group(1)) not in percent_styles:
                    continue
                ref = _ATTR_R.search(attrs)
                if ref is not None:
                    cells.add((int(ref.group(2)) - 1, _column_index(ref.group(1))))
            if cells:
                result[sheet_name] = cells
        return result


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


def _column_index(letters: bytes) -> int:
    """Given column letters (b"A", b"AB"), returns the 0-based column index."""
    index = 0
    for ch in letters:
        index = index * 26 + (ch - 64)
    return index - 1
