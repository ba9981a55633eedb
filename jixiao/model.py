"""The data that passes between the stages of an ingest.

Readers turn a file into `Row`s (raw cells with their source position) and nothing else;
the interpreter turns rows into `ParsedDocument`s (projects, indicators, a parse report); the
loader (`jixiao.ingest`) shapes those into database rows, in one place, and writes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from jixiao.values import Value


class Row(NamedTuple):
    """One row of cells as the source holds it.

    `cells` are the cell texts in column order (empty string for an empty cell), `line` is the
    1-based line (text), row (xlsx/xls/ods) or block number (docx/doc/html/pdf, counted through
    the document) where the row starts, and `sheet` names the sheet, table or PDF page
    ("第2页") it came from (None for text and for paragraphs outside tables). Immutable; a named
    tuple, made in a third of a frozen dataclass's time (a reader makes one per row).
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


# ---------------------------------------------------------------- what the interpreter returns


@dataclass(frozen=True)
class Note:
    """One line of a parse report: what was read, skipped, guessed or could not be placed, with
    the source line where there is one (rendered "第12行：…")."""

    text: str
    line: int | None = None

    def render(self) -> str:
        """Returns the note as a line of the parse report."""
        return f"第{self.line}行：{self.text}" if self.line else self.text


@dataclass
class ParsedIndicator:
    """One indicator as read: levels (canonical and as written), the 三级指标 name, the cells as
    written by column role (target, unit, type, weight, actual, score, reason …) and their values,
    parsed once. `horizon` is "long" for a 长期/实施期 table, "annual" otherwise."""

    level1: str | None
    level2: str | None
    level1_raw: str | None
    level2_raw: str | None
    level1_points: float | None
    name: str
    cells: dict[str, str]
    target: Value
    actual: Value
    last_year: Value
    weight: float | None
    score: float | None
    source_line: int
    source_sheet: str | None
    horizon: str = "annual"
    row_width: int = 0  # cells in the source row, for the completeness check


@dataclass
class BudgetFigures:
    """A project's money, in 万元: 年初预算数 A (`budget`), 调整后预算数 / 全年预算数 (`adjusted`),
    全年执行数 B (`executed`), the funds by source, and the self-evaluation's 预算执行率 line:
    `rate` as computed (B over `adjusted` where the form has it, else over A; `rate_basis` says
    which), `rate_reported` as written, `points` (分值) and `score` (得分) as written."""

    budget: float | None = None
    adjusted: float | None = None
    executed: float | None = None
    fiscal: float | None = None
    carryover: float | None = None
    other: float | None = None
    budget_written: float | None = None  # the total row's 年初预算数 as written (0 where it says 0)
    points: float | None = None
    score: float | None = None
    rate: float | None = None
    rate_reported: float | None = None
    rate_basis: str | None = None  # "A" or "adjusted"


@dataclass
class ParsedProject:
    """One project (or one 部门整体 table, `scope` "department"): its labels (`fields`: name,
    code, unit, department, goal …), money, indicators and where it starts. `ended` says the table
    was closed (total, footnote, next table); `incomplete` names why it is not loaded."""

    kind: str | None
    year: int | None
    title: str | None
    source_line: int
    source_sheet: str | None
    scope: str = "project"
    fields: dict[str, Any] = field(default_factory=dict)
    money: BudgetFigures = field(default_factory=BudgetFigures)
    indicators: list[ParsedIndicator] = field(default_factory=list)
    has_total: bool = False
    ended: bool = False
    incomplete: str | None = None

    @property
    def label(self) -> str:
        """Returns how the parse report names the project."""
        return self.fields.get("name") or self.title or f"第{self.source_line}行起的项目"


@dataclass
class ParsedDocument:
    """A document as read: its projects (complete or not), the parse report (`notes`), the
    problems that make it `partial` although every project is complete (`problems`), and how much
    of it the parser understood (`confidence`, 0–1)."""

    kind: str | None
    year: int | None
    projects: list[ParsedProject]
    notes: list[Note]
    problems: list[Note]
    confidence: float
    doc_text: str  # title and unit names, for region lookup

    @property
    def complete_projects(self) -> list[ParsedProject]:
        """Returns the projects that are loaded (those not cut off or empty)."""
        return [p for p in self.projects if not p.incomplete]

    @property
    def incomplete(self) -> list[str]:
        """Returns one line per project that is not loaded, saying why."""
        return [f"项目「{p.label}」（第{p.source_line}行起）{p.incomplete}，未导入" for p in self.projects if p.incomplete]
