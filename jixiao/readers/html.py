"""Read an HTML table — what many government systems export as "Excel" (.xls) or "Word"
(.doc) — into raw `Row`s, like the .docx reader.

The charset comes from a BOM, else the `<meta>` tag (GB2312 and GBK are read as their
superset GB18030), else the text reader's detection. rowspan / colspan are expanded as the
other readers expand merges: the text in the top-left cell, repeated down the first column of
a vertical span, empty elsewhere. Text outside tables (titles, 单位, year lines) becomes
one-cell rows in document order; script, style and head are skipped.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from jixiao.model import ReadError, ReadResult, Row
from jixiao.readers import limits
from jixiao.readers.container import read_bytes

_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "gb_2312-80": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030",
            "gb18030": "gb18030", "utf8": "utf-8", "unicode": "utf-16"}
_BLOCKS = frozenset({"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "table", "br", "title", "center",
                     "section", "article", "header", "footer", "caption"})
_SKIP = frozenset({"script", "style", "head", "noscript", "template", "xml"})
_SPACES = re.compile(r"[\s\u00a0\u3000]+")


def decode_html(data: bytes) -> tuple[str, str, list[str]]:
    """Given HTML bytes, returns (text, encoding, problems): BOM, then the meta charset,
    then the text reader's detection. Undecodable bytes become U+FFFD and a problem."""
    from jixiao.readers.text import decode

    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return decode(data)
    match = _META_CHARSET.search(data[:8192])
    if match:
        declared = match.group(1).decode("ascii", "ignore").lower()
        encoding = _ALIASES.get(declared, declared)
        try:
            return data.decode(encoding), encoding, []
        except LookupError:
            pass
        except UnicodeDecodeError:
            text = data.decode(encoding, errors="replace")
            bad = text.count("\ufffd")
            if bad <= max(16, len(text) // 1000):
                return text, encoding, [f"有 {bad} 处字节不是有效的 {declared} 编码，已替换为 �，这些位置的内容可能不完整"]
    return decode(data)


def read_html(path: Path, data: bytes | None = None) -> ReadResult:
    """Given an HTML file (and its bytes if already read), returns its paragraphs and table
    rows in document order: paragraphs as one-cell rows (`sheet` None), table rows with
    `sheet` "表格N"; `line` counts them, and `text_lines[line - 1]` shows each ("表格N!line<TAB>
    cells" for a table row). Raises ReadError (Chinese) beyond MAX_ROWS / MAX_COLS / MAX_CELLS.
    """
    name = Path(path).name
    data = read_bytes(path) if data is None else data
    text, encoding, problems = decode_html(data)
    parser = _TableParser(name)
    parser.feed(text)
    parser.close()
    if parser.tables:  # the file ends inside a table (a cut download): keep its rows, say so
        while parser.tables:
            parser.handle_endtag("table")
        problems = [*problems, "文件在表格中途结束（网页表格未结束），最后一个表格可能不完整 (truncated HTML table)"]
    parser.flush_text()
    rows: list[Row] = []
    text_lines: list[str] = []
    budget = limits.TextBudget(name)
    for sheet, cells in parser.blocks:
        budget.take(cells)
        line = len(text_lines) + 1
        if sheet is None:
            text_lines.append(cells[0])
        else:
            text_lines.append(f"{sheet}!{line}\t" + "\t".join(cells))
        rows.append(Row(cells=tuple(cells), line=line, sheet=sheet))
    if not rows:
        raise ReadError(f"{name}：网页文件中没有表格或文字")
    notes = [] if encoding in ("utf-8", "utf-8-sig") else [f"编码识别为 {encoding}"]
    return ReadResult(rows=rows, text_lines=text_lines, encoding=encoding, notes=notes, problems=problems,
                      layout="html_table")


class _Table:
    def __init__(self, label: str) -> None:
        self.label = label
        self.rows: list[list[str]] = []
        self.spans: dict[int, tuple[int, str]] = {}  # column -> (rows still covered, text to repeat)
        self.new_spans: dict[int, tuple[int, str]] = {}  # spans started in the current row
        self.row: list[str] | None = None
        self.col = 0
        self.cell: list[str] | None = None
        self.cell_span = (1, 1)
        self.width = 0  # of the widest row so far (rows are padded to it when the table ends)


class _TableParser(HTMLParser):
    """Collects paragraphs and table rows (spans expanded) in document order."""

    def __init__(self, name: str) -> None:
        super().__init__(convert_charrefs=True)
        self.name = name
        self.blocks: list[tuple[str | None, list[str]]] = []
        self.tables: list[_Table] = []  # open tables, innermost last
        self.count = 0
        self.skip = 0
        self.text: list[str] = []
        self.cells = 0

    # -- text outside tables
    def flush_text(self) -> None:
        text = _SPACES.sub(" ", "".join(self.text)).strip()
        self.text = []
        if text:
            self.blocks.append((None, [text]))

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        table = self.tables[-1] if self.tables else None
        if table is None:
            self.text.append(data)
        elif table.cell is not None:
            table.cell.append(data)

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in _SKIP:
            self.skip += 1
            return
        if self.skip:
            return
        table = self.tables[-1] if self.tables else None
        if tag == "table":
            if table is not None and table.cell is not None:
                self.tables.append(_Table(table.label))  # nested: flattened into the cell's text
                self.tables[-1].nested = True  # type: ignore[attr-defined]
                return
            self.flush_text()
            self.count += 1
            self.tables.append(_Table(f"表格{self.count}"))
            return
        if table is None:
            if tag in _BLOCKS:
                self.flush_text()
            return
        if tag == "tr":
            self._end_row(table)
            table.row, table.col = [], 0
        elif tag in ("td", "th"):
            if table.row is None:
                table.row, table.col = [], 0
            self._end_cell(table)
            values = dict(attrs)
            table.cell = []
            table.cell_span = (_span(values.get("rowspan"), limits.MAX_ROWS), _span(values.get("colspan"), limits.MAX_COLS))
        elif tag in _BLOCKS and table.cell is not None:
            table.cell.append(" ")

    def handle_startendtag(self, tag: str, attrs) -> None:
        self.handle_starttag(tag, attrs)
        if tag in _SKIP:
            self.skip -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
            return
        if self.skip or not self.tables:
            if tag in _BLOCKS:
                self.flush_text()
            return
        table = self.tables[-1]
        if tag in ("td", "th"):
            self._end_cell(table)
        elif tag == "tr":
            self._end_row(table)
        elif tag == "table":
            self._end_row(table)
            self.tables.pop()
            if getattr(table, "nested", False) and self.tables:
                outer = self.tables[-1]
                if outer.cell is not None:
                    outer.cell.append(" " + " ".join(c for row in table.rows for c in row if c) + " ")
                return
            for row in table.rows:
                if any(row):
                    row.extend([""] * (table.width - len(row)))  # every row as wide as the widest
                    self.blocks.append((table.label, row))

    # -- table grid
    def _end_cell(self, table: _Table) -> None:
        if table.cell is None:
            return
        text = _SPACES.sub(" ", "".join(table.cell)).strip()
        table.cell = None
        rowspan, colspan = table.cell_span
        row = table.row if table.row is not None else []
        table.row = row
        col = self._free(table, table.col)
        if col + colspan > limits.MAX_COLS:
            raise ReadError(f"{self.name}：表格超过 {limits.MAX_COLS:,} 列上限（colspan），为防止内存耗尽未读取")
        while len(row) < col + colspan:
            row.append("")
        row[col] = text
        if rowspan > 1:
            table.new_spans[col] = (rowspan - 1, text)
            for c in range(col + 1, col + colspan):
                table.new_spans[c] = (rowspan - 1, "")
        table.col = col + colspan

    def _free(self, table: _Table, col: int) -> int:
        """Given a column, returns the first column from it not covered by a rowspan above,
        filling covered positions in the current row with the spanned text."""
        row = table.row
        while col in table.spans and table.spans[col][0] > 0:
            while len(row) <= col:
                row.append("")
            row[col] = table.spans[col][1]
            col += 1
        return col

    def _end_row(self, table: _Table) -> None:
        self._end_cell(table)
        if table.row is None:
            return
        row = table.row
        # Columns still covered by a rowspan after the row's last cell.
        for col in sorted(table.spans):
            if col >= table.col and table.spans[col][0] > 0:
                while len(row) <= col:
                    row.append("")
                row[col] = table.spans[col][1]
        table.spans = {c: (n - 1, t) for c, (n, t) in table.spans.items() if n > 1}
        table.spans.update(table.new_spans)
        table.new_spans = {}
        # Rows are padded once, when the table ends: the widest row measured again at every row,
        # and the earlier rows widened at every wider one, made a long table quadratic.
        # Counted as padded: each row at the widest width (the earlier rows again when it grows).
        if len(row) > table.width:
            self.cells += (len(row) - table.width) * len(table.rows)
            table.width = len(row)
        self.cells += table.width
        if len(table.rows) >= limits.MAX_ROWS or self.cells > limits.MAX_CELLS:
            raise ReadError(f"{self.name}：表格过大（超过 {limits.MAX_ROWS:,} 行或 {limits.MAX_CELLS:,} 个单元格上限），未读取")
        table.rows.append(row)
        table.row, table.col = None, 0


def _span(value: str | None, cap: int) -> int:
    """Given a rowspan/colspan attribute, returns it as 1..cap (as browsers clamp it)."""
    try:
        return min(cap, max(1, int(str(value).strip() or 1)))
    except ValueError:
        return 1
