"""The interpreter: rows of raw cells (from any reader) -> documents, projects and indicators.

It knows the vocabulary of 项目支出绩效目标表 / 绩效自评表 (`datasets/vocabulary.csv`, loaded by
`jixiao.vocabulary`) and nothing about particular files. It runs in stages:

1. `rows.classify` — each row once: title, year, header, budget header, label, goal heads,
   total, footnote, non-indicator row, or data;
2. `align.align` — a pure aligner that places a row's cells in the header's columns by content
   and position (indicator rows, and the budget block's rows);
3. `passes.Pass` — one pass over the classified rows, a small handler per kind, building
   projects (`budget.read_line` / `budget.reconcile` for the money);
4. `assess.finish` — completeness (a table the file ends in), sanity (rows that look wrong) and
   the document's confidence, with a parse report that names what could not be placed.
"""

from __future__ import annotations

from jixiao.interpret.passes import Pass
from jixiao.interpret.rows import clean
from jixiao.model import ParsedDocument, Row
from jixiao.vocabulary import Vocabulary, current

__all__ = ["ParsedDocument", "clean", "interpret"]


def interpret(rows: list[Row], vocab: Vocabulary | None = None) -> ParsedDocument:
    """Given the rows of one document (and optionally a vocabulary, by default the one in use),
    returns its projects and indicators with the parse report and confidence.

    Projects whose table was cut off (the file ends inside it) are marked incomplete; rows before
    the first table (a department-level preamble) only contribute the document year.
    """
    return Pass(vocab or current()).run(rows)
