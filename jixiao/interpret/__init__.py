"""The interpreter: rows of raw cells (from any reader) -> documents, projects and indicators.

It knows the vocabulary of 项目支出绩效目标表 / 绩效自评表 (`datasets/vocabulary.csv`, loaded by
`jixiao.vocabulary`) and nothing about particular files. It runs in stages:

0. `flat.regroup` — only for a table flattened one cell per line (a web page's text): its rows
   rebuilt from the header's columns and the empty lines;
1. `rows.classify` — each row once: title, year, header, budget header, label, goal heads,
   total, footnote, non-indicator row, or data;
2. `align.align` — a pure aligner that places a row's cells in the header's columns by content
   and position (indicator rows, and the budget block's rows);
3. `passes.Pass` — one pass over the classified rows, a small handler per kind, building
   projects (`budget.read_line` / `budget.reconcile` for the money, `plan.Reading` for the
   资金支出计划 block);
4. `assess.finish` — completeness (a table the file ends in), sanity (rows that look wrong) and
   the document's confidence, with a parse report that names what could not be placed.
"""

from __future__ import annotations

from jixiao.interpret.flat import regroup
from jixiao.interpret.passes import Pass
from jixiao.interpret.rows import clean
from jixiao.model import Note, ParsedDocument, Row
from jixiao.vocabulary import Vocabulary, current

__all__ = ["ParsedDocument", "clean", "interpret"]


def interpret(rows: list[Row], vocab: Vocabulary | None = None) -> ParsedDocument:
    """Given the rows of one document (and optionally a vocabulary, by default the one in use),
    returns its projects and indicators with the parse report and confidence.

    Projects whose table was cut off (the file ends inside it) are marked incomplete; rows before
    the first table (a department-level preamble) only contribute the document year. A table
    flattened one cell per line is read from its rebuilt rows, and the report says so.
    """
    vocab = vocab or current()
    flat = regroup(rows, vocab)
    if flat is None:
        return Pass(vocab).run(rows)
    doc = Pass(vocab).run(flat.rows)
    doc.notes.insert(0, Note("表格为每行一个单元格的文本（行结构已丢失）：已按表头的栏数和空行（空单元格）重建表格的行，请核对原文"))
    if flat.irregular:
        where = "、".join(f"第{ln}行" for ln in flat.irregular[:5]) + ("等" if len(flat.irregular) > 5 else "")
        doc.problems.append(Note(f"每行一个单元格的表格中，有 {len(flat.irregular)} 行指标的单元格少于表头的栏数（{where}），"
                                 f"行可能重建有误，请核对原文"))
    return doc
