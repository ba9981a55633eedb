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
    1-based line (text), row (xlsx) or block number (docx) where the row starts, and `sheet`
    names the xlsx sheet or docx table it came from (None for text).
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

    `text_lines` is the file as numbered lines (for text files the decoded lines, for xlsx/docx
    one tab-joined line per row), so that `Row.line` can be shown in context. `notes` say what
    the reader skipped or had to guess (encoding, unreadable sheets).
    """

    rows: list[Row]
    text_lines: list[str]
    encoding: str | None = None
    notes: list[str] = field(default_factory=list)
    layout: str | None = None  # the reader's finer shape where it has one (text: tabular / cell per line)


class ReadError(Exception):
    """A file that cannot be read at all (binary, empty, undecodable, corrupt container)."""
