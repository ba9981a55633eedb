"""What a reader may allocate: limits checked before (or while) a file is read.

A hostile or broken file can declare a sheet of 16,384 x 1,048,576 cells, a zip member that
inflates a thousandfold, or a table cell spanning 400 million grid columns. Every reader checks
these limits before it builds anything of that size and refuses the file with a Chinese reason
(`ReadError`). Real 绩效 tables are far below them: a county's largest workbook has a few
thousand rows and under 40 columns.

Each limit is a module constant read once from an environment variable (see README):

| constant | env | default |
| --- | --- | --- |
| MAX_UNZIPPED_BYTES | JIXIAO_MAX_UNZIPPED_MB | 256 MB: all members of an xlsx/docx/ods together, uncompressed |
| MAX_ZIP_RATIO | JIXIAO_MAX_ZIP_RATIO | 200: uncompressed / compressed size of a member larger than 1 MB |
| MAX_ZIP_MEMBERS | JIXIAO_MAX_ZIP_MEMBERS | 10,000 members in one archive |
| MAX_ROWS | JIXIAO_MAX_ROWS | 100,000 rows in one sheet or table |
| MAX_COLS | JIXIAO_MAX_COLS | 1,000 columns in one sheet or table (also a docx gridSpan/gridBefore) |
| MAX_CELLS | JIXIAO_MAX_CELLS | 2,000,000 cells (rows x columns) in one file |
| MAX_PDF_PAGES | JIXIAO_MAX_PDF_PAGES | 1,000 pages |
| MAX_PDF_CROSSINGS | JIXIAO_MAX_PDF_CROSSINGS | 10,000 crossings of ruling lines on one PDF page (a real table page has a few hundred to 2,000) |
| MAX_STREAM_BYTES | JIXIAO_MAX_STREAM_MB | 64 MB: one stream of an .xls/.doc (OLE2) file |
| MAX_TEXT_CHARS | JIXIAO_MAX_TEXT_MCHARS | 64 million characters in all cells of one file, merged and repeated cells counted at each place they show |
| MAX_PARSE_SECONDS | JIXIAO_MAX_PARSE_SECONDS | 180 s to read and interpret one file (see `deadline`) |

A cell's text is held once however often it shows (a merge, a repeated ODS cell, an xlsx shared
string), but each row's display line copies it: a 200 KB workbook of one 30,000-character
shared string in 40,000 cells asked for 5.6 GB. `TextBudget` counts what the rows show before
that line is built; the xlsx reader checks its shared strings before calamine copies them.
"""

from __future__ import annotations

import os
import signal
import threading
from contextlib import contextmanager


def _env_int(name: str, default: int, scale: int = 1) -> int:
    """Given an environment variable name and a default, returns its positive integer value
    (times scale), or the default times scale when unset or not a positive integer."""
    try:
        value = int(os.environ.get(name, ""))
    except ValueError:
        value = default
    return (value if value > 0 else default) * scale


MB = 1024 * 1024
MAX_UNZIPPED_BYTES = _env_int("JIXIAO_MAX_UNZIPPED_MB", 256, MB)
MAX_ZIP_RATIO = _env_int("JIXIAO_MAX_ZIP_RATIO", 200)
ZIP_RATIO_MIN_BYTES = 1 * MB  # small members (an empty sheet of zeros) may compress very well
MAX_ZIP_MEMBERS = _env_int("JIXIAO_MAX_ZIP_MEMBERS", 10_000)
MAX_ROWS = _env_int("JIXIAO_MAX_ROWS", 100_000)
MAX_COLS = _env_int("JIXIAO_MAX_COLS", 1_000)
MAX_CELLS = _env_int("JIXIAO_MAX_CELLS", 2_000_000)
MAX_PDF_PAGES = _env_int("JIXIAO_MAX_PDF_PAGES", 1_000)
# pdfplumber forms cells by comparing every crossing of two ruling lines with every other: a page
# of 200 x 200 lines (a drawing, a hatched background, or a hostile file of 20 KB) took 26 s,
# 400 x 400 more than five minutes.
MAX_PDF_CROSSINGS = _env_int("JIXIAO_MAX_PDF_CROSSINGS", 10_000)
MAX_STREAM_BYTES = _env_int("JIXIAO_MAX_STREAM_MB", 64, MB)
MAX_TEXT_CHARS = _env_int("JIXIAO_MAX_TEXT_MCHARS", 64, 1_000_000)
# The sizes above bound what a file may ask for; a parse slower than this is stopped all the
# same (a pattern or a layout no audit found). Real files take well under ten seconds.
MAX_PARSE_SECONDS = _env_int("JIXIAO_MAX_PARSE_SECONDS", 180)


class ParseTimeout(BaseException):
    """Raised inside a parse that ran past its deadline. A BaseException, as KeyboardInterrupt
    is: readers that catch a library's failures as Exception must not take it for a damaged
    file and carry on."""


@contextmanager
def deadline(seconds: float):
    """Within the block, raises ParseTimeout once `seconds` have passed (a real-time timer and
    SIGALRM: Python code and regular expressions are interrupted; a library's compiled loop
    when it returns). Yields whether the deadline is armed: only in a process's main thread
    (a parse worker, the command line) — the dashboard parses in such a worker, not itself."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield False
        return

    def expire(signum, frame):
        raise ParseTimeout(seconds)

    previous = signal.signal(signal.SIGALRM, expire)
    # then every second: an alarm raised where Python drops exceptions (a __del__, a GC
    # callback, a library's bare except) is raised again
    signal.setitimer(signal.ITIMER_REAL, seconds, 1.0)
    try:
        yield True
    finally:
        try:
            signal.setitimer(signal.ITIMER_REAL, 0)
        finally:
            signal.signal(signal.SIGALRM, previous)


class TextBudget:
    """The characters a file's rows show, counted against MAX_TEXT_CHARS as they are emitted."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.left = MAX_TEXT_CHARS

    def take(self, cells) -> None:
        """Given a row's cells, counts their characters; raises ReadError (Chinese) past the
        limit, before the row's display line is built."""
        self.left -= sum(map(len, cells))
        if self.left < 0:
            raise too_much_text(self.name, "合并或重复的单元格在每处都计")


def too_much_text(name: str, why: str):
    """Given a file name and how its text grew, returns the ReadError refusing it past
    MAX_TEXT_CHARS."""
    from jixiao.model import ReadError

    return ReadError(f"{name}：表格文字合计超过 {MAX_TEXT_CHARS:,} 个字符上限（{why}），为防止内存耗尽未读取")


def check_padded(where: str, width: int, rows: int, before: int = 0) -> None:
    """Given a sheet (file and sheet name, for the message), its widest row, its row count and
    the cells of the file's sheets before it, raises ReadError when they and its rows padded
    to that width pass MAX_CELLS — checked before the rows are built: one cell in column
    1,000 widens every row of the sheet."""
    if before + width * rows > MAX_CELLS:
        from jixiao.model import ReadError

        raise ReadError(f"{where}按最宽一行（{width:,} 列）补齐后超过 {MAX_CELLS:,} 个单元格上限，为防止内存耗尽未读取")


def mb(n: int) -> str:
    """Given a byte count, returns it as "12.3 MB"."""
    return f"{n / MB:.1f} MB"
