"""Excel (.xlsx) layout for the reports, on xlsxwriter: one sheet per section, each with a title
line (report, filter, date), a frozen header row, an autofilter, set column widths and wrapped
long texts. Strings are always written as strings — never formulas, URLs or numbers — and pass
through `text.clean` (phone numbers masked) first. Sheet names are made valid and unique by
`text.sheet_name`."""

from __future__ import annotations

import io
import math
import unicodedata
from dataclasses import dataclass

import xlsxwriter

from jixiao.report.text import clean, sheet_name

TITLE_ROW, NOTE_ROW, HEADER_ROW = 0, 1, 2
LINE_PT = 14.0  # one line of 10 pt text


def _display_width(text: str) -> int:
    """Given a text, returns its width in Excel column units: a CJK (wide) character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _lines(text: str, width: float) -> int:
    """Given a cell's text and its column width, returns how many lines it wraps to."""
    usable = max(width - 1.5, 1.0)
    return sum(max(1, math.ceil(_display_width(part) / usable)) for part in text.split("\n"))


@dataclass(frozen=True)
class XColumn:
    """A sheet column: header, width in characters, and kind (text, wrap, int, money, pct, score)."""

    header: str
    width: float
    kind: str = "text"


class ExcelWriter:
    """Builds one workbook; sections call `sheet(...)` once per table."""

    def __init__(self, title_line: str) -> None:
        self.buf = io.BytesIO()
        self.book = xlsxwriter.Workbook(self.buf, {
            "in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
            "strings_to_numbers": False,
        })
        self.title_line = clean(title_line)
        self.used: set[str] = set()
        b = self.book
        base = {"font_name": "宋体", "font_size": 10, "valign": "top"}
        self.fmt = {
            "title": b.add_format({**base, "bold": True, "font_size": 12}),
            "note": b.add_format({**base, "font_color": "#595959"}),
            "header": b.add_format({**base, "bold": True, "bg_color": "#E7E6E6", "border": 1, "text_wrap": True,
                                    "valign": "vcenter", "align": "center"}),
            "text": b.add_format({**base, "border": 1}),
            "wrap": b.add_format({**base, "border": 1, "text_wrap": True}),
            "int": b.add_format({**base, "border": 1, "num_format": "0"}),
            "money": b.add_format({**base, "border": 1, "num_format": "#,##0.00"}),
            "pct": b.add_format({**base, "border": 1, "num_format": "0.00%"}),
            "score": b.add_format({**base, "border": 1, "num_format": "0.##"}),
        }

    def sheet(self, name: str, columns: list[XColumn], rows: list[list[object]], note: str = "") -> str:
        """Adds a sheet holding one table; returns the sheet's (sanitised) name."""
        name = sheet_name(name, self.used)
        ws = self.book.add_worksheet(name)
        ws.write_string(TITLE_ROW, 0, self.title_line, self.fmt["title"])
        if note:
            ws.write_string(NOTE_ROW, 0, clean(note), self.fmt["note"])
        for c, col in enumerate(columns):
            ws.set_column(c, c, col.width)
            ws.write_string(HEADER_ROW, c, clean(col.header), self.fmt["header"])
        for r, values in enumerate(rows, start=HEADER_ROW + 1):
            for c, (col, v) in enumerate(zip(columns, values)):
                self._cell(ws, r, c, col.kind, v)
            # Excel and LibreOffice do not grow a row for wrapped text on opening: set its height.
            n = max([_lines(clean(v), col.width) for col, v in zip(columns, values) if col.kind == "wrap" and v] or [1])
            if n > 1:
                ws.set_row(r, min(LINE_PT * n + 2, 409))
        ws.freeze_panes(HEADER_ROW + 1, 0)
        ws.autofilter(HEADER_ROW, 0, HEADER_ROW + max(len(rows), 1), len(columns) - 1)
        ws.set_row(HEADER_ROW, 30)
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(HEADER_ROW)
        return name

    def _cell(self, ws, r: int, c: int, kind: str, v: object) -> None:
        if v is None or v == "":
            ws.write_blank(r, c, None, self.fmt["wrap" if kind == "wrap" else "text"])
        elif kind in ("int", "money", "pct", "score") and isinstance(v, (int, float)) and not isinstance(v, bool):
            ws.write_number(r, c, float(v), self.fmt[kind])
        else:
            ws.write_string(r, c, clean(v), self.fmt["wrap" if kind == "wrap" else "text"])

    def to_bytes(self) -> bytes:
        self.book.set_properties({"title": self.title_line, "author": "", "comments": ""})
        self.book.close()
        return self.buf.getvalue()
