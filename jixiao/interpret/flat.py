"""Stage 0 of the interpreter: a table flattened one cell per line, put back into rows.

Text taken from a web page (or saved by some converters) can hold a table with every cell on a
line of its own and an empty cell as an empty line: the rows are gone. Such a document is told
by its indicator header written one heading per line (一级指标 / 二级指标 / 三级指标 … each
alone, which no other layout does). Its rows are rebuilt from the vocabulary and the header:

- an indicator header is the run of header words (with the block cell before it, 绩效指标(90分));
  each indicator row then takes as many cells as the header has columns from its first cell on
  (a row starting at a 二级指标 has its 一级指标 merged away: one cell fewer), empty lines
  counted as empty cells, until a total row (合计 / 总分) or the end of the table;
- a budget header is the run of budget-header words (with the labels before it, 预算执行情况(10分)
  | 年度预算数(万元)); each budget row starts at its money label (总额, 其中：财政资金 …);
- a label takes the next line as its value (项目名称 / 51000021R…-工资性支出), goal heads take as
  many texts as there are heads; every other line stays a row of its own.

`regroup` returns None for any other document, which is then read as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from jixiao.interpret.budget import PARTS
from jixiao.interpret.rows import clean
from jixiao.levels import split_points, squeeze
from jixiao.model import Row
from jixiao.values import parse_number
from jixiao.vocabulary import Vocabulary

# A document is flattened when nearly all its rows are single cells …
SINGLE_SHARE = 0.9
# … and an indicator header is written over at least this many lines, two of them level heads.
MIN_HEADER_RUN = 4
_MONEY = frozenset(("budget", *PARTS))
_HEADER_CELL_MAX = 24


@dataclass
class Regrouped:
    """Rows rebuilt from a flattened table, and the rows whose cells did not fill the header."""

    rows: list[Row]
    irregular: list[int] = field(default_factory=list)  # source lines of indicator rows cut short


def regroup(rows: list[Row], vocab: Vocabulary) -> Regrouped | None:
    """Given a document's rows, returns them rebuilt into table rows when the document is a table
    flattened one cell per line (see the module), else None."""
    if not rows or any(r.sheet for r in rows):
        return None
    if sum(1 for r in rows if len(r.cells) == 1) < SINGLE_SHARE * len(rows):
        return None
    cells = _cells(rows)
    if not any(_header_run(cells, i, vocab) for i in range(len(cells))):
        return None
    return _Builder(cells, vocab).run()


def _cells(rows: list[Row]) -> list[tuple[int, str]]:
    """Given single-cell rows, returns (line, text) per line; each empty line between two rows is
    an empty cell ("")."""
    out: list[tuple[int, str]] = []
    prev = None
    for r in rows:
        if prev is not None:
            out.extend((ln, "") for ln in range(prev + 1, r.line))
        text = " ".join(clean(c) for c in r.cells if clean(c))
        out.append((r.line, text))
        prev = r.line
    return out


def _header_run(cells: list[tuple[int, str]], i: int, vocab: Vocabulary) -> int:
    """Given the cells and a position, returns the end of the indicator header written one heading
    per line from there (0 when none starts there)."""
    j, levels = i, 0
    while j < len(cells):
        text = cells[j][1]
        role = vocab.lookup("header", text) if text and len(text) <= _HEADER_CELL_MAX else None
        if role is None:
            break
        levels += role in ("l1", "l2", "l3")
        j += 1
    return j if j - i >= MIN_HEADER_RUN and levels >= 2 else 0


def _budget_run(cells: list[tuple[int, str]], i: int, vocab: Vocabulary) -> int:
    """Given the cells and a position, returns the end of a budget header written one heading per
    line from there (0 when none starts there): budget or adjusted, and executed, among them."""
    j, roles = i, set()
    while j < len(cells) and cells[j][1]:
        role = vocab.lookup("budget_header", cells[j][1])
        if role is None:
            break
        roles.add(role)
        j += 1
    return j if roles & {"budget", "adjusted"} and "executed" in roles else 0


class _Builder:
    """One walk over the flattened cells, emitting rows."""

    def __init__(self, cells: list[tuple[int, str]], vocab: Vocabulary) -> None:
        self.cells, self.v = cells, vocab
        self.out: list[Row] = []
        self.irregular: list[int] = []

    def run(self) -> Regrouped:
        i, n = 0, len(self.cells)
        while i < n:
            i = self.step(i)
        return Regrouped(self.out, self.irregular)

    def emit(self, part: list[tuple[int, str]]) -> None:
        texts = [t for _, t in part]
        if any(texts):
            self.out.append(Row(tuple(texts), part[0][0]))

    def text(self, i: int) -> str:
        return self.cells[i][1] if i < len(self.cells) else ""

    def step(self, i: int) -> int:
        """Given a position outside any table row, emits the row starting there and returns the
        position after it."""
        v, text = self.v, self.text(i)
        if not text:
            return i + 1  # an empty line between paragraphs
        prefix = 1 if v.lookup("block", split_points(text)[0]) else 0
        end = _header_run(self.cells, i + prefix, v)
        if end:
            self.emit(self.cells[i:end])
            return self.indicator_rows(end, self.cells[i + prefix:end])
        for prefix in (0, 1, 2):
            # 预算执行情况(10分) | 年度预算数(万元) before the budget headings: labels of the block
            if prefix and not all(self.text(k) and v.label(self.text(k)) for k in range(i, i + prefix)):
                break
            end = _budget_run(self.cells, i + prefix, v)
            if end:
                self.emit(self.cells[i:end])
                return self.budget_rows(end, end - i)
        heads = i
        while heads < len(self.cells) and self.text(heads) and v.goal_head(self.text(heads)):
            heads += 1
        if heads - i >= 2:
            self.emit(self.cells[i:heads])
            texts: list[tuple[int, str]] = []
            k = heads
            while k < len(self.cells) and len(texts) < heads - i and self.free_text(k):
                texts.append(self.cells[k])
                k += 1
            if texts:
                self.emit(texts)
            return k
        label = v.label(text)
        if label is not None and label[1] is None and self.free_text(i + 1):
            self.emit(self.cells[i:i + 2])
            return i + 2
        self.emit(self.cells[i:i + 1])
        return i + 1

    def free_text(self, i: int) -> bool:
        """Whether the cell at i is a value (not empty, not one of the form's own words)."""
        text = self.text(i)
        v = self.v
        return bool(text) and v.label(text) is None and v.goal_head(text) is None and \
            v.first_cell_kind(text) is None and not _header_run(self.cells, i, v) and \
            not (len(text) <= _HEADER_CELL_MAX and v.lookup("header", text))

    def ends_table(self, text: str) -> bool:
        """Whether a cell ends the indicator table: a total, footnote or form row, or a title."""
        v = self.v
        if v.first_cell_kind(text) is not None:
            return True
        return v.may_be_title(text) and v.title_kind(squeeze(text)) is not None

    def indicator_rows(self, i: int, header: list[tuple[int, str]]) -> int:
        """Given the position after an indicator header and the header's headings, emits its rows
        and returns the position after the table."""
        v = self.v
        roles = [v.lookup("header", t) for _, t in header]
        first_value = next((k for k, r in enumerate(roles) if r not in ("l1", "l2", "l3")), len(roles))
        start_of = {r: k for k, r in enumerate(roles) if r in ("l1", "l2")}
        name_at = next((k for k, r in enumerate(roles) if r == "l3"), first_value)
        width = len(header)
        n = len(self.cells)
        while i < n:
            text = self.text(i)
            if not text:
                i += 1
                continue
            kind = v.first_cell_kind(text)
            if kind == "total":
                # 合计 | 100 | | : its numbers and empty cells, up to the next text
                k = self.take(i, width, lambda k, t: not self.is_number(t))
                self.emit(self.cells[i:k])
                return k
            if kind is not None or self.ends_table(text) or _header_run(self.cells, i, v) or v.label(text):
                return i
            # The header column the row starts in: a row from its 二级指标 (or 三级指标) on has
            # the cells before merged into the row above.
            name = split_points(text)[0]
            if v.level1(name):
                at = start_of.get("l1", 0)
            elif v.level2(name):
                at = start_of.get("l2", start_of.get("l1", 0))
            else:
                at = name_at
            k = self.take(i, width - at, lambda k, t: v.first_cell_kind(t) is not None or (
                k - i > first_value - at and self.is_level(t)))
            if k - i < width - at:
                self.irregular.append(self.cells[i][0])
            self.emit(self.cells[i:k])
            i = k
        return i

    def budget_rows(self, i: int, header_width: int) -> int:
        """Given the position after a budget header and its width, emits the rows of the budget
        block (each from its money label) and returns the position after it."""
        v, n = self.v, len(self.cells)
        while i < n:
            text = self.text(i)
            if not text:
                i += 1
                continue
            label = v.label(text)
            if label is None or label[0] not in _MONEY:
                return i
            k = self.take(i, header_width, lambda k, t: v.label(t) is not None or bool(
                v.lookup("block", split_points(t)[0])) or bool(_header_run(self.cells, k, v)))
            self.emit(self.cells[i:k])
            i = k
        return i

    def take(self, i: int, width: int, stops: Callable[[int, str], bool]) -> int:
        """Given a row's first cell, its width and what stops it (a non-empty cell at k that
        `stops(k, text)`), returns the position after the row's last cell."""
        k, n = i + 1, len(self.cells)
        while k < n and k - i < width:
            t = self.cells[k][1]
            if t and stops(k, t):
                break
            k += 1
        return k

    def is_level(self, text: str) -> bool:
        """Whether a cell is a first- or second-level name (a new row's first cell)."""
        name = split_points(text)[0]
        return bool(self.v.level1(name) or self.v.level2(name))

    @staticmethod
    def is_number(text: str) -> bool:
        """Whether a cell is a number (the totals of a 总分 row)."""
        return parse_number(text) is not None
