"""Read a PDF with a text layer (what Word, WPS and Excel export) into raw `Row`s.

pdfplumber finds the tables from their ruling lines; this module assigns each character to
its cell itself (so a cell's wrapped lines can be joined the way the text was written), reads
the text outside the tables (titles, 单位, year lines) line by line, and puts both in reading
order, page by page. A table that runs onto the next page is stitched back:

- the continuation's leading rows that repeat rows of the table's first part (a repeated
  header, Word's "重复标题行" or Excel's print titles) are dropped;
- a row split by the page break comes back as an extra row holding only the tails of its
  taller cells: when the first row of the continuation fills only cells that the previous
  row also fills, and each of those cells ran to the bottom of the previous row, it is glued
  onto that row.

Each row keeps where it came from: `sheet` is the page ("第2页"), `line` counts rows through
the document, and `text_lines[line - 1]` is "第2页!<line><TAB>cells" for the source view.
A PDF without a text layer (a scan) is refused in Chinese: OCR is not supported.
"""

from __future__ import annotations

import bisect
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from jixiao.model import ReadError, ReadResult, Row
from jixiao.readers import limits
from jixiao.readers.container import ENCRYPTED, read_bytes, reason
from jixiao.vocabulary import without_space

SCAN = ("这是扫描件或纯图片 PDF（没有文字层），不支持图片识别（OCR）；"
        "请导入能复制文字的 PDF，或 Word / Excel 原件")
_PAGE_NUMBER = re.compile(r"^[-—–\s]*(第\s*)?\d{1,4}\s*(页)?\s*([/／共]\s*\d{1,4}\s*页?)?[-—–\s]*$")
_ASCII_LETTER = re.compile(r"[A-Za-z]")
_EPS = 1.0
# The cell-forming work a file may take, in pages at the crossings limit (the work is the
# crossings squared, summed over the pages): a real 绩效 PDF of 20 pages uses a five-hundredth.
WORK_PAGES = 10


@dataclass
class _Cell:
    """One real (anchor) cell of a table on one page."""

    row: int
    col: int
    x0: float
    top: float
    x1: float
    bottom: float
    rowspan: int = 1
    colspan: int = 1
    chars: list[dict] = field(default_factory=list)
    text: str = ""
    last_line_bottom: float = 0.0
    last_line_x1: float = 0.0
    line_height: float = 0.0
    n_lines: int = 0


@dataclass
class _Item:
    """A row to emit: a text line outside tables, or a table row."""

    page: int
    top: float
    cells: list[str]
    table: "_Table | None" = None
    index: int = -1  # row index in its table


@dataclass
class _Table:
    page: int
    bbox: tuple[float, float, float, float]
    col_x: list[float]  # left edge of each grid column, and the right edge last
    rows: list[list[str]] = field(default_factory=list)  # one text per grid column, merges expanded
    anchors: list[dict[int, _Cell]] = field(default_factory=list)  # per row: cells starting there
    row_bottom: list[float] = field(default_factory=list)
    row_top: list[float] = field(default_factory=list)
    cell_at: dict[tuple[int, int], _Cell] = field(default_factory=dict)  # grid position -> its cell


def read_pdf(path: Path, data: bytes | None = None) -> ReadResult:
    """Given a PDF (and its bytes if already read), returns its rows in reading order.

    Raises `ReadError` (Chinese) for a damaged or encrypted PDF, one with more than
    `limits.MAX_PDF_PAGES` pages, more than `limits.MAX_CELLS` cells, or no text at all (a
    scan). Pages without text in an otherwise readable PDF are skipped and listed in
    `problems` (the document is then `partial`).
    """
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    name = Path(path).name
    data = read_bytes(path) if data is None else data
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        pages = pdf.pages
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise ReadError(f"{name}：{ENCRYPTED}") from None
    except Exception as exc:
        # pdfplumber wraps pdfminer's errors: look at the wrapped one too.
        inner = [exc, *exc.args, exc.__context__]
        if any(isinstance(e, (PDFPasswordIncorrect, PDFEncryptionError)) for e in inner):
            raise ReadError(f"{name}：{ENCRYPTED}") from None
        raise ReadError(f"{name}：PDF 文件损坏或不完整，无法打开 ({reason(exc)})") from None
    with pdf:
        if len(pages) > limits.MAX_PDF_PAGES:
            raise ReadError(f"{name}：PDF 页数过多（{len(pages):,} 页，上限 {limits.MAX_PDF_PAGES:,} 页），未读取")
        items: list[_Item] = []
        image_pages: list[int] = []
        dense_pages: list[tuple[int, int, int]] = []  # (page, horizontal lines, vertical lines)
        cid_chars = all_chars = 0
        budget = [limits.MAX_CELLS]
        work = [WORK_PAGES * limits.MAX_PDF_CROSSINGS ** 2]
        for number, page in enumerate(pages, start=1):
            try:
                chars = [c for c in page.chars if c.get("upright", True) or c["text"].strip()]
                if not chars:
                    if page.images:
                        image_pages.append(number)
                    continue
                all_chars += len(chars)
                cid_chars += sum(1 for c in chars if c["text"].startswith("(cid:"))
                items.extend(_page_items(page, number, chars, budget, work, name))
            except _TooManyLines as dense:
                dense_pages.append((number, dense.horizontal, dense.vertical))
            except ReadError:
                raise
            except Exception as exc:
                raise ReadError(f"{name}：PDF 第{number}页无法读取，文件可能已损坏 ({reason(exc)})") from None
            finally:
                page.close()
    if not all_chars:
        raise ReadError(f"{name}：{SCAN}" if image_pages or pages else f"{name}：PDF 中没有任何页面")
    if cid_chars > 0.3 * all_chars:
        raise ReadError(f"{name}：PDF 的字体没有文字编码（只能显示、不能复制文字），无法读取其内容；请导入 Word / Excel 原件")
    problems = []
    if image_pages:
        problems.append(f"{_listed(image_pages)}没有文字层（可能是扫描页），未读取，不支持图片识别（OCR）")
    if len(dense_pages) == 1:
        number, h, v = dense_pages[0]
        problems.append(f"第{number}页的线条过多（横线 {h:,} 条、竖线 {v:,} 条，交点超过 {limits.MAX_PDF_CROSSINGS:,} 个），"
                        f"像是图纸或底纹而不是绩效表格，未读取该页")
    elif dense_pages:
        problems.append(f"{_listed([p for p, _, _ in dense_pages])}（共 {len(dense_pages)} 页）的线条过多（一页的交点超过 {limits.MAX_PDF_CROSSINGS:,} 个，"
                        f"或全文件累计过多），像是图纸或底纹而不是绩效表格，未读取这些页")
    rows, text_lines = _emit(_stitch(items))
    return ReadResult(rows=rows, text_lines=text_lines, problems=problems, layout="pdf")


def _listed(pages: list[int]) -> str:
    """Given page numbers, returns them as a report names them: the first ten, then 等."""
    return "、".join(f"第{p}页" for p in pages[:10]) + ("等" if len(pages) > 10 else "")


# ---------------------------------------------------------------- one page


class _TooManyLines(Exception):
    """A page whose ruling lines cross more often than limits.MAX_PDF_CROSSINGS."""

    def __init__(self, horizontal: int, vertical: int):
        super().__init__(horizontal, vertical)
        self.horizontal, self.vertical = horizontal, vertical


def find_tables(page, work: list[int] | None = None) -> list:
    """Given a pdfplumber page (and the file's work budget, which it spends), returns its
    tables as `page.find_tables()` does (default settings: cells from the ruling lines), by
    the same steps — but with the crossings of the lines counted before the cells are formed,
    a step that compares every crossing with every other. Raises _TooManyLines above
    limits.MAX_PDF_CROSSINGS, or when the crossings squared exceed what is left of `work` (the
    pairs of lines are counted first: finding the crossings compares every horizontal line
    with every vertical one)."""
    from pdfplumber import utils
    from pdfplumber.table import (Table, TableSettings, cells_to_tables, edges_to_intersections,
                                  intersections_to_cells, merge_edges)

    s = TableSettings.resolve(None)
    edges = [*utils.filter_edges(page.edges, "v", min_length=s.edge_min_length_prefilter),
             *utils.filter_edges(page.edges, "h", min_length=s.edge_min_length_prefilter)]
    edges = merge_edges(edges, snap_x_tolerance=s.snap_x_tolerance, snap_y_tolerance=s.snap_y_tolerance,
                        join_x_tolerance=s.join_x_tolerance, join_y_tolerance=s.join_y_tolerance)
    edges = utils.filter_edges(edges, min_length=s.edge_min_length)
    horizontal = sum(1 for e in edges if e["orientation"] == "h")
    vertical = len(edges) - horizontal
    if horizontal * vertical > 100 * limits.MAX_PDF_CROSSINGS:
        raise _TooManyLines(horizontal, vertical)
    crossings = edges_to_intersections(edges, s.intersection_x_tolerance, s.intersection_y_tolerance)
    if len(crossings) > limits.MAX_PDF_CROSSINGS or (work is not None and len(crossings) ** 2 > work[0]):
        raise _TooManyLines(horizontal, vertical)
    if work is not None:
        work[0] -= len(crossings) ** 2
    return [Table(page, cells) for cells in cells_to_tables(intersections_to_cells(crossings))]


def _page_items(page, number: int, chars: list[dict], budget: list[int], work: list[int],
                name: str) -> list[_Item]:
    """Given a page, its number and characters, returns its text lines and table rows by y
    (raises _TooManyLines for a page of too many ruling lines, see `find_tables`)."""
    tables = [_table(t, number, budget, name) for t in find_tables(page, work)]
    tables = [t for t in tables if t is not None]
    outside: list[dict] = []
    for ch in chars:
        cx, cy = (ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2
        for table in tables:
            x0, top, x1, bottom = table.bbox
            if x0 <= cx <= x1 and top <= cy <= bottom:
                _assign(table, ch, cx, cy)
                break
        else:
            outside.append(ch)
    items: list[_Item] = []
    for table in tables:
        _finish(table)
        for index, cells in enumerate(table.rows):
            items.append(_Item(number, table.row_top[index], cells, table, index))
    for top, cells in _text_lines(outside):
        if len(cells) == 1 and _PAGE_NUMBER.match(cells[0]):
            continue  # a page number is not content
        items.append(_Item(number, top, cells))
    items.sort(key=lambda item: (item.top, item.table is not None))
    return items


def _table(found, page: int, budget: list[int], name: str) -> _Table | None:
    """Given a pdfplumber table, returns its grid of anchor cells (no text yet)."""
    rows = found.rows
    if not rows:
        return None
    width = max(len(r.cells) for r in rows)
    budget[0] -= width * len(rows)
    if budget[0] < 0:
        raise ReadError(f"{name}：PDF 中的表格单元格过多（超过 {limits.MAX_CELLS:,} 个上限），未读取")
    if width > limits.MAX_COLS or len(rows) > limits.MAX_ROWS:
        raise ReadError(f"{name}：PDF 第{page}页的表格过大（{len(rows):,} 行 × {width:,} 列），未读取")
    lefts: dict[int, float] = {}
    right = found.bbox[2]
    for r in rows:
        for c, bbox in enumerate(r.cells):
            if bbox is not None:
                lefts.setdefault(c, bbox[0])
    col_x = [lefts.get(c, lefts.get(c - 1, found.bbox[0])) for c in range(width)] + [right]
    tops = [min(b[1] for b in r.cells if b is not None) for r in rows]
    table = _Table(page, found.bbox, col_x, row_top=tops)
    for ri, r in enumerate(rows):
        anchors: dict[int, _Cell] = {}
        for c, bbox in enumerate(r.cells):
            if bbox is None:
                continue
            x0, top, x1, bottom = bbox
            colspan = max(1, sum(1 for k in range(c, width) if x0 - _EPS <= col_x[k] < x1 - _EPS))
            rowspan = max(1, sum(1 for k in range(ri, len(rows)) if top - _EPS <= tops[k] < bottom - _EPS))
            cell = _Cell(ri, c, x0, top, x1, bottom, rowspan, colspan)
            anchors[c] = cell
            for rr in range(ri, ri + rowspan):
                for cc in range(c, c + colspan):
                    table.cell_at.setdefault((rr, cc), cell)
        table.anchors.append(anchors)
        table.row_bottom.append(max(b[3] for b in r.cells if b is not None))
    return table


def _assign(table: _Table, ch: dict, cx: float, cy: float) -> None:
    """Given a table and a character inside its box, adds the character to its cell."""
    tops = table.row_top
    r = max(0, bisect.bisect_right(tops, cy) - 1)
    c = max(0, min(len(table.col_x) - 2, bisect.bisect_right(table.col_x, cx) - 1))
    cell = table.cell_at.get((r, c))
    if cell is None:
        for rr in range(r, -1, -1):  # a position pdfplumber left without a cell: the nearest above
            cell = table.cell_at.get((rr, c))
            if cell is not None:
                break
    if cell is not None:
        cell.chars.append(ch)


def _finish(table: _Table) -> None:
    """Given a table whose cells have their characters, sets each cell's text and the grid of
    row texts: a merged cell's text in its top-left position, copied down the first column of
    a vertical merge (as the xlsx and docx readers do), empty elsewhere."""
    width = len(table.col_x) - 1
    grid = [[""] * width for _ in table.anchors]
    for anchors in table.anchors:
        for cell in anchors.values():
            lines = _lines(cell.chars)
            cell.text = _join_lines([text for _, _, text in lines])
            if lines:
                cell.n_lines = len(lines)
                cell.last_line_bottom = lines[-1][1]
                cell.line_height = max(ch["bottom"] - ch["top"] for ch in cell.chars)
                cell.last_line_x1 = max(ch["x1"] for ch in cell.chars if ch["top"] >= lines[-1][0] - 1)
            for rr in range(cell.row, min(len(grid), cell.row + cell.rowspan)):
                grid[rr][cell.col] = cell.text
    table.rows = grid


# ---------------------------------------------------------------- text from characters


def _lines(chars: list[dict]) -> list[tuple[float, float, str]]:
    """Given characters, returns (top, bottom, text) per visual line, top to bottom; a space is
    kept inside a line only between two Latin/digit characters set apart by a gap."""
    if not chars:
        return []
    chars = sorted(chars, key=lambda ch: (ch["top"], ch["x0"]))
    groups: list[list[dict]] = []
    for ch in chars:
        if groups:
            last = groups[-1]
            ref = last[0]
            tolerance = max(1.5, 0.5 * (ref["bottom"] - ref["top"]))
            if abs(ch["top"] - ref["top"]) <= tolerance:
                last.append(ch)
                continue
        groups.append([ch])
    out = []
    for group in groups:
        group.sort(key=lambda ch: ch["x0"])
        out.append((min(c["top"] for c in group), max(c["bottom"] for c in group), _line_text(group)))
    return out


def _line_text(group: list[dict]) -> str:
    """Given one line's characters in x order, returns its text."""
    parts: list[str] = []
    prev = None
    for ch in group:
        text = ch["text"]
        if prev is not None and text.strip():
            gap = ch["x0"] - prev["x1"]
            size = max(1.0, prev.get("size") or (prev["bottom"] - prev["top"]))
            if gap > 0.25 * size and parts and parts[-1] != " ":
                left, right = parts[-1][-1:], text[:1]
                if left.isascii() and right.isascii() and left.isalnum() and right.isalnum():
                    parts.append(" ")
                elif gap > 1.5 * size:
                    parts.append(" ")
        if text == " " and (not parts or parts[-1] == " "):
            prev = ch
            continue
        parts.append(text)
        prev = ch
    return "".join(parts).strip()


def _join_lines(lines: list[str]) -> str:
    """Given a cell's visual lines, returns its text: wrapped lines joined without a space
    (CJK text and numbers wrap anywhere: 10⏎0 is 100), with one space only between two Latin
    words (Latin text wraps at a space)."""
    text = ""
    for line in lines:
        if not line:
            continue
        if text and _ASCII_LETTER.fullmatch(text[-1]) and _ASCII_LETTER.fullmatch(line[0]):
            text += " "
        text += line
    return text


def _text_lines(chars: list[dict]) -> list[tuple[float, list[str]]]:
    """Given the characters outside tables, returns (top, cells) per line; a wide gap (more
    than two characters) splits a line into cells, as the columns of a layout."""
    out: list[tuple[float, list[str]]] = []
    if not chars:
        return out
    groups: dict[int, list[dict]] = {}
    for ch in sorted(chars, key=lambda ch: (ch["top"], ch["x0"])):
        placed = False
        for key in list(groups)[-3:]:
            ref = groups[key][0]
            if abs(ch["top"] - ref["top"]) <= max(1.5, 0.5 * (ref["bottom"] - ref["top"])):
                groups[key].append(ch)
                placed = True
                break
        if not placed:
            groups[len(groups)] = [ch]
    for group in groups.values():
        group.sort(key=lambda ch: ch["x0"])
        cells: list[list[dict]] = [[]]
        for ch in group:
            if cells[-1]:
                prev = cells[-1][-1]
                size = max(1.0, prev.get("size") or (prev["bottom"] - prev["top"]))
                if ch["x0"] - prev["x1"] > 2.0 * size:
                    cells.append([])
            cells[-1].append(ch)
        texts = [_line_text(c) for c in cells]
        texts = [t for t in texts if t]
        if texts:
            out.append((min(c["top"] for c in group), texts))
    return out


# ---------------------------------------------------------------- stitching pages


def _stitch(items: list[_Item]) -> list[_Item]:
    """Given the items of all pages in order, returns them with tables continued on the next
    page stitched back: repeated header rows dropped, a row split by the break glued."""
    out: list[_Item] = []
    running = _running(items)
    by_page: dict[int, list[_Item]] = {}
    for it in items:
        by_page.setdefault(it.page, []).append(it)
    chain_first: _Table | None = None  # the first part of the table being continued
    last_row: _Item | None = None  # the last table row emitted
    k = 0
    while k < len(items):
        item = items[k]
        if item.table is None:
            out.append(item)
            if id(item) not in running:
                last_row = None
            k += 1
            continue
        table = item.table
        part = [it for it in items[k:] if it.table is table]
        k += len(part)
        previous = last_row.table if last_row is not None else None
        if (previous is not None and previous.page + 1 == table.page and _same_columns(previous, table)
                and _alone(previous, by_page[previous.page], running, after=True)
                and _alone(table, by_page[table.page], running, after=False)):
            first = chain_first or previous
            part = _drop_repeated(part, first)
            if part and _is_fragment(part[0], last_row):
                _glue(last_row, part[0])
                part = part[1:]
        else:
            chain_first = table
        out.extend(part)
        if part:
            last_row = part[-1]
    return out


def _running(items: list[_Item]) -> set[int]:
    """Given all items, returns the ids of the text items that repeat on other pages at about
    the same height (a running header or footer, at most 40 characters), which do not
    interrupt a table running over the page break. Same texts are grouped and swept by
    height, so a document of many identical lines costs n log n, not n squared."""
    groups: dict[str, list[_Item]] = {}
    for it in items:
        if it.table is None:
            text = "".join(it.cells)
            if len(text) <= 40:
                groups.setdefault(text, []).append(it)
    out: set[int] = set()
    for group in groups.values():
        if len(group) < 2:
            continue
        group.sort(key=lambda it: it.top)
        pages: dict[int, int] = {}  # page -> items in the window (top within 3 of the item's)
        lo = hi = 0
        for it in group:
            while hi < len(group) and group[hi].top < it.top + 3:
                pages[group[hi].page] = pages.get(group[hi].page, 0) + 1
                hi += 1
            while group[lo].top <= it.top - 3:
                pages[group[lo].page] -= 1
                if not pages[group[lo].page]:
                    del pages[group[lo].page]
                lo += 1
            if len(pages) >= 2:
                out.add(id(it))
    return out


def _alone(table: _Table, page_items: list[_Item], running: set[int], after: bool) -> bool:
    """Given a table, the items of its page and a side (after it, or before it), returns
    whether nothing but running text is on that side of it there."""
    top = table.bbox[1]
    return not any(it.table is not table and ((it.top > top) if after else (it.top < top))
                   and (it.table is not None or id(it) not in running) for it in page_items)


def _same_columns(a: _Table, b: _Table) -> bool:
    """Given two tables, returns whether their columns line up (a continuation): the same
    outer edges, and every column edge of the one with fewer columns is an edge of the other
    (a part holding only merged cells shows fewer edges); the coarser is re-gridded."""
    if abs(a.col_x[0] - b.col_x[0]) > 4.0 or abs(a.col_x[-1] - b.col_x[-1]) > 4.0:
        return False
    coarse, fine = (a, b) if len(a.col_x) <= len(b.col_x) else (b, a)
    if not all(any(abs(x - y) <= 4.0 for y in fine.col_x) for x in coarse.col_x):
        return False
    if len(coarse.col_x) != len(fine.col_x):
        _regrid(coarse, fine.col_x)
    return True


def _regrid(table: _Table, col_x: list[float]) -> None:
    """Given a table and a finer set of column edges, re-places its cells on that grid (each
    cell's text in the first column it covers), changing its row lists in place."""
    width = len(col_x) - 1
    for ri, anchors in enumerate(table.anchors):
        moved: dict[int, _Cell] = {}
        for cell in anchors.values():
            cell.col = min(range(width), key=lambda k: abs(col_x[k] - cell.x0))
            cell.colspan = max(1, sum(1 for k in range(cell.col, width) if cell.x0 - _EPS <= col_x[k] < cell.x1 - _EPS))
            moved[cell.col] = cell
        table.anchors[ri] = moved
    grid = [[""] * width for _ in table.rows]
    for anchors in table.anchors:
        for cell in anchors.values():
            for rr in range(cell.row, min(len(grid), cell.row + cell.rowspan)):
                grid[rr][cell.col] = cell.text
    for row, new in zip(table.rows, grid):
        row[:] = new
    table.col_x = list(col_x)
    table.cell_at = {}


def _norm(cells: list[str]) -> tuple[str, ...]:
    return tuple(map(without_space, cells))


def _drop_repeated(part: list[_Item], first: _Table) -> list[_Item]:
    """Given a continuation's rows and the table's first part, returns the rows without the
    leading ones that repeat a run of the first part's rows (a repeated header)."""
    originals = [_norm(r) for r in first.rows]
    best = 0
    for start in range(len(originals)):
        n = 0
        while n < len(part) and start + n < len(originals) and _norm(part[n].cells) == originals[start + n] \
                and any(originals[start + n]):
            n += 1
        best = max(best, n)
    return part[best:]


def _is_fragment(row: _Item, previous: _Item) -> bool:
    """Given the first row of a continuation and the row before the page break, returns
    whether the row is the tail of the previous one (split by the break): it fills only cells
    the previous row fills, and each of those ran on — its last line reaches the bottom of the
    row and the cell's right edge (a wrapped line is full). A short cell (a weight, a score)
    that ended early means the row below is a new row."""
    if row.table is None or previous.table is None:
        return False
    filled = {c for c, text in enumerate(row.cells) if text.strip() and row.table.anchors[row.index].get(c)}
    if not filled:
        return False
    before = previous.table.anchors[previous.index]
    filled_before = {c for c, cell in before.items() if cell.text.strip()}
    if not filled <= filled_before:
        return False
    bottom = previous.table.row_bottom[previous.index]
    after = row.table.anchors[row.index]
    for c in filled:
        cell = before[c]
        size = max(cell.line_height, 6.0)
        if cell.last_line_bottom < bottom - 1.8 * size - 3.0:
            return False  # that cell ended well above the break: the row below is a new row
        # A line wraps when the next word does not fit: the gap left at its end is at most
        # about that word's width (one character for CJK, a whole run for Latin and digits).
        if cell.x1 - cell.last_line_x1 > max(2.5 * size, _first_run_width(after[c]) + size):
            return False  # its last line was not full, so its text did not run on
    return True


def _first_run_width(cell: _Cell) -> float:
    """Given a cell, returns the width of the unbreakable run its text starts with (a Latin
    or digit run, with the punctuation around it; else one character)."""
    lines = sorted(cell.chars, key=lambda ch: (round(ch["top"]), ch["x0"]))
    if not lines:
        return 0.0
    first = [ch for ch in lines if abs(ch["top"] - lines[0]["top"]) < 2]
    run = [first[0]]
    for ch in first[1:]:
        if ch["text"].isascii() and not ch["text"].isspace():
            run.append(ch)
        else:
            break
    return run[-1]["x1"] - run[0]["x0"]


def _glue(previous: _Item, fragment: _Item) -> None:
    """Given the row before the break and its tail, appends the tail's cells to the row."""
    anchors = fragment.table.anchors[fragment.index]
    for c, text in enumerate(fragment.cells):
        cell = anchors.get(c)
        if text.strip() and cell is not None:
            previous.cells[c] = _join_lines([previous.cells[c], text]) if previous.cells[c] else text
            # A vertical merge continued on this page repeats the whole text, not its tail.
            for rr in range(fragment.index + 1, min(len(fragment.table.rows), fragment.index + cell.rowspan)):
                fragment.table.rows[rr][c] = previous.cells[c]


# ---------------------------------------------------------------- rows


def _emit(items: list[_Item]) -> tuple[list[Row], list[str]]:
    """Given the stitched items, returns the rows and their display lines."""
    rows: list[Row] = []
    text_lines: list[str] = []
    for item in items:
        cells = list(item.cells)
        while len(cells) > 1 and not cells[-1].strip():
            cells.pop()
        if not any(c.strip() for c in cells):
            continue
        line = len(text_lines) + 1
        sheet = f"第{item.page}页"
        rows.append(Row(cells=tuple(cells), line=line, sheet=sheet))
        text_lines.append(f"{sheet}!{line}\t" + "\t".join(cells))
    return rows, text_lines
