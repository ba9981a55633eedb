"""The data that passes between the stages of an ingest.

Readers turn a file into `Row`s (raw cells with their source position) and nothing else;
the interpreter turns rows into `ParsedDocument`s; the loader writes those into DuckDB.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Row:
    """One row of cells as the source holds it.

    `cells` are the cell texts in column order (empty string for an empty cell), `line` is the
    1-based line (text), row (xlsx/xls/ods) or block number (docx/doc/html/pdf, counted through
    the document) where the row starts, and `sheet` names the sheet, table or PDF page
    ("第2页") it came from (None for text and for paragraphs outside tables).
    """

    cells: tuple[str, ...]
    line: int
    sheet: str | None = None

    def nonempty(self) -> list[tuple[int, str]]:
        """Given the row, returns (column, text) for every non-blank cell."""
        return [(i, c) for i, c in enumerate(self.cells) if c.strip()]


@dataclass
class ReadResult:
    """What a reader got out of one file: its rows, the source text lines for display, and notes.

    `text_lines` is the file as numbered lines (for text files the decoded lines, for other
    formats one tab-joined line per row, prefixed "<sheet>!<line><TAB>" where rows carry a
    sheet), so that `Row.line` can be shown in context. `notes` say what the reader had to
    guess (encoding, formats) without doubting the content. `problems` say what the reader
    could not read (undecodable bytes, a sheet or page skipped): anything there makes the
    document `partial`, with these reasons in its message. `file_type` is the type detected
    from the content (pdf, xls, html …; see `jixiao.readers.READERS`), set by `read_file`.
    """

    rows: list[Row]
    text_lines: list[str]
    encoding: str | None = None
    notes: list[str] = field(default_factory=list)
    layout: str | None = None  # the reader's finer shape where it has one (text: tabular / cell per line)
    problems: list[str] = field(default_factory=list)
    file_type: str | None = None


class ReadError(Exception):
    """A file that cannot be read at all (binary, empty, undecodable, corrupt container)."""
