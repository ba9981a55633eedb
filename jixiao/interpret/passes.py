"""Stage 3 of the interpreter: one pass over the classified rows, dispatching on the row's kind.

- a title (…绩效目标表 / …自评表) or a 项目名称 after a table starts a project;
- label rows fill the project's fields (a label's value is the next non-empty cell, or the
  text after its colon); a label whose text comes on the next row leaves an `expect` handler;
- the 资金支出计划 label hands the rows of its block (period heads and their values, by the
  vocabulary's `spend_period`) to `plan.Reading`;
- a budget header starts the self-evaluation's budget block, whose rows are read by content
  (`budget.read_line`);
- an indicator header gives the columns of the indicator table; indicator rows are placed
  against it: level cells are recognised by name, the 三级指标 follows them, and the other cells
  are aligned to the header's roles (`align.align`);
- a total row (总分), a footnote (说明, 填表人 …), a non-indicator row (评价结论, 审核意见 …)
  or the next title ends the table.

Every row's outcome is counted (read, skipped, not placed) for the confidence (`assess.py`).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

from jixiao.interpret import assess, plan
from jixiao.interpret.align import align_columns, indicator_compat, is_placeholder, profile
from jixiao.interpret.budget import PARTS, BudgetLine, read_line
from jixiao.interpret.rows import Kind, RowView, classify
from jixiao.levels import LEVEL2_PARENT, canonicalize, split_points, squeeze
from jixiao.model import Note, ParsedDocument, ParsedIndicator, ParsedProject, Row
from jixiao.values import normalize_op, parse_amount, parse_number, parse_points, parse_value
from jixiao.vocabulary import Vocabulary

# The template's numbering of 三级指标: "指标1: …" (001), "指标1工程完工率" (河北, no colon);
# "指标2" alone is a template row left empty.
_INDICATOR_PREFIX = re.compile(r"^指标\s*\d{1,2}\s*[:：、.．]?\s*(?!\d)")
_FILLER_CHARS = ".。…·、 \t\u3000"
_NO_VALUE = parse_value(None)
_BARE_NUMBER = re.compile(r"^\s*\d+(?:\.\d+)?\s*$")
# 四川: "51000021R000000019951-工资性支出" — the project code written before the name.
_CODE_NAME = re.compile(r"^([0-9A-Za-z]{12,40})\s*[-－—_]\s*(\S.*)$")
# 安徽: "219001-池州市贵池区棠溪镇人民政府" — a unit code before the unit's name.
_CODE_PREFIX = re.compile(r"^\d{2,12}\s*[-－—]\s*(?=\D)")
# 内蒙古: "(433001)乌海市供销合作社联合社", "(433)…(部门)" — the code in brackets, and the system's
# (部门) marking the department's own entry.
_BRACKET_CODE = re.compile(r"^[(（]\s*\d{2,12}\s*[)）]\s*(?=\S)")
_DEPT_MARK = re.compile(r"[(（]\s*部门\s*[)）]$")  # (the space before it is stripped after: a leading \s* retried from every space of a long run)
# 项目资金（元） / 年初预算数(万元): the money unit a block label or budget header states.
_UNIT_IN_LABEL = re.compile(r"[(（]\s*(亿元|万元|千元|元)\s*[)）]\s*$")
# 四川: "对照年度目标,说明相关任务目标的完成情况(100字以内)" — the form's own prompt in a text
# cell, left as printed where the unit wrote nothing.
_INSTRUCTION = re.compile(r"[(（]\s*\d+\s*字以内\s*[)）]\s*[。.]?\s*$")
_SENTENCE_END = re.compile(r"[。；;！!？?]")
IDENTITY = ("name", "code", "department", "unit")
MAX_EXAMPLES = 12
_SEEN_MAX = 200_000
# Columns by (first cell placed, roles, the profiles of the row's cells from it on): see indicator_row.
_ALIGNED: dict[tuple, dict[str, int]] = {}
_ALIGNED_MAX = 50_000


@dataclass
class _Table:
    """The indicator table in force: its columns by role and which goals it holds."""

    roles: dict[str, int]
    horizon: str = "annual"
    fresh: bool = True  # no row read under the header yet: a sub-header may still refine it
    _shifted: dict[int, tuple[tuple[str, int], ...]] = field(default_factory=dict)

    def refine(self, sub: dict[str, int]) -> bool:
        """Given a sub-header's roles by column (云南: 年度指标值 spanning 指标性质 | 指标值 |
        度量单位 on the row below), puts them in place of the spanning cell's role and returns
        True; returns False (nothing changed) where they would cover a level or name column."""
        taken = set(sub.values())
        if any(self.roles.get(r) in taken for r in ("l1", "l2", "name")):
            return False
        self.roles = {r: c for r, c in self.roles.items() if c not in taken and r not in sub} | sub
        self._shifted.clear()
        return True

    @property
    def name_col(self) -> int:
        return self.roles["name"]

    def shifted(self, shift: int) -> tuple[tuple[str, int], ...]:
        """Returns the value roles with their expected columns, shifted, in column order."""
        got = self._shifted.get(shift)
        if got is None:
            got = self._shifted[shift] = tuple(sorted(
                ((r, c + shift) for r, c in self.roles.items() if r not in ("l1", "l2", "name")), key=lambda t: t[1]))
        return got


@dataclass
class _Budget:
    """A self-evaluation's budget block in force: its header's columns, 分值 and rate basis."""

    cols: dict[str, int]
    points: float | None
    rate_basis: str | None


@dataclass
class _Money:
    """The budget rows of one project: the total row and the parts by source."""

    total: BudgetLine | None = None
    parts: dict[str, BudgetLine] = field(default_factory=dict)
    line: int = 0
    points_header: float | None = None
    rate_basis: str | None = None


class Pass:
    """The pass over one document's rows. `run(rows)` returns the `ParsedDocument`.

    Each row kind has one handler (`on_<kind>`), given the row's view and returning its outcome
    for the confidence: "read", "skipped" (understood, nothing to keep: footnotes, filler),
    "preamble" (before the first table) or "unplaced". A label whose text comes on a later row
    leaves `expect`, a handler offered the next data or label row first. Label fields are filled
    by one setter per field kind (`_LABEL_SETTERS`).
    """

    def __init__(self, vocab: Vocabulary) -> None:
        self.v = vocab
        self.projects: list[ParsedProject] = []
        self.money: dict[int, _Money] = {}
        self.p: ParsedProject | None = None
        self.table: _Table | None = None
        self.budget: _Budget | None = None
        self.expect: Callable[[RowView], bool] | None = None
        self.l1: tuple[str | None, float | None] = (None, None)
        self.l2: str | None = None
        self.doc_kind: str | None = None
        self.pending_title: str | None = None
        self.pending_year: int | None = None
        self.pending_block: str | None = None
        self.money_unit = "万元"
        self.preamble: list[str] = []
        self.count: Counter[str] = Counter()
        self.unplaced: list[Note] = []
        self.unplaced_cells: list[Note] = []
        self.bogus: list[Note] = []
        self.canon: dict[tuple[str | None, str | None], tuple[str | None, str | None]] = {}
        # cell -> (name without points, its level1, level2 and block), kept with the vocabulary
        self.level_cells_seen: dict[str, tuple[str, str | None, str | None, str | None]] = vocab.memo("level_cells")

    # ------------------------------------------------------------ driver

    def run(self, rows: list[Row]) -> ParsedDocument:
        """Given a document's rows, returns the document as read."""
        # The handlers by kind, bound here and dropped at the end: bound methods kept on the
        # pass would tie it in a reference cycle, and every document would wait for the cyclic
        # garbage collector to be freed.
        handlers: dict[Kind, Callable[[RowView], str]] = {
            Kind.TITLE: self.on_title, Kind.YEAR: self.on_year, Kind.TOTAL: self.on_total,
            Kind.FOOTER: self.on_footer, Kind.NOT_INDICATOR: self.on_footer,
            Kind.HEADER: self.on_header, Kind.BUDGET_HEADER: self.on_budget_header,
            Kind.GOAL_HEADS: self.on_goal_heads, Kind.LABEL: self.on_label, Kind.BLOCK: self.on_block,
            Kind.DATA: self.on_data,
        }
        count, vocab = self.count, self.v
        open_kinds = (Kind.DATA, Kind.LABEL)
        for row in rows:
            view = classify(row, vocab)
            if view is None:
                continue
            if self.expect is not None:
                if view.kind in open_kinds:
                    expect, self.expect = self.expect, None
                    if expect(view):
                        count["read"] += 1
                        continue
                else:
                    self.expect = None
            outcome = handlers[view.kind](view)
            count[outcome] += 1
            if outcome == "unplaced" and len(self.unplaced) < MAX_EXAMPLES:
                self.unplaced.append(Note(f"未能识别的行「{_quote(view.joined)}」", view.line))
        self.p = None  # end of file: the last project has not necessarily ended
        self.expect = None  # (a handler left waiting holds the pass: a reference cycle)
        return assess.finish(self)

    # ------------------------------------------------------------ projects

    def new_project(self, view: RowView, title: str | None = None, kind: str | None = None,
                    year: int | None = None, scope: str = "project") -> ParsedProject:
        """Closes the current project and starts one at this row."""
        self.close()
        p = ParsedProject(kind=kind or self.doc_kind, year=year if year is not None else self.pending_year,
                          title=title, source_line=view.line, source_sheet=view.row.sheet, scope=scope)
        self.projects.append(p)
        self.money[id(p)] = _Money(line=view.line)
        self.p = p
        self.table = self.budget = None
        self.expect = None
        self.l1, self.l2 = (None, None), None
        return p

    def close(self) -> None:
        """Ends the current project (its table is complete when something follows it)."""
        if self.p is not None and self.p.indicators:
            self.p.ended = True
        self.p = None

    def in_table(self) -> bool:
        """True while indicator rows are being read: a header is in force and the table not ended."""
        return self.table is not None and self.p is not None and not self.p.ended

    # ------------------------------------------------------------ handlers: one per kind

    def on_title(self, view: RowView) -> str:
        self.doc_kind = self.doc_kind or view.title_kind
        self.pending_title, self.pending_year = view.title, view.year
        self.new_project(view, title=view.title, kind=view.title_kind, year=view.year, scope=view.scope)
        return "read"

    def on_year(self, view: RowView) -> str:
        self.pending_year = view.year
        if self.p is not None and not self.p.indicators:
            self.p.year = view.year
        return "read" if self.p is not None else "preamble"

    def on_total(self, view: RowView) -> str:
        p = self.p
        if p is None:
            return "preamble"
        nums = [parse_number(c) for c in view.nonempty[1:]]
        p.fields["_total_numbers"] = [n for n in nums if n is not None]
        by_role = self.total_by_column(view)
        if by_role is not None:
            p.fields["_total_by_role"] = by_role
        p.has_total = True
        p.ended = True
        return "read"

    def total_by_column(self, view: RowView) -> dict[str, float] | None:
        """Given a total row (总分 / 合计) under an indicator table, returns its numbers by the
        column they stand in ({"weight": 100, "score": 98.5}) when every number stands exactly in
        the table's 权重 or 得分 column, else None (a packed or displaced row: `assess` reads it by
        its numbers). 四川: 合计 | … | 100 under 权重, 得分 blank, is the weights' total."""
        table = self.table
        if table is None:
            return None
        role_at = {c: r for r, c in table.roles.items()}
        got: dict[str, float] = {}
        for k, c in enumerate(view.cells):
            if not c:
                continue
            v = parse_number(c)
            if v is None:
                continue
            role = role_at.get(k)
            if role not in ("weight", "score"):
                return None
            got[role] = v
        return got or None

    def on_footer(self, view: RowView) -> str:
        # 说明, 填表人 …, and 评价结论, 存在问题, 财政部门审核意见 … (part of the form, never an
        # indicator): they end the table.
        p = self.p
        if p is None:
            return "preamble"
        if p.indicators:
            p.ended = True
            self.table = None
        return "skipped"

    def on_block(self, view: RowView) -> str:
        self.pending_block = view.block
        return "read" if self.p is not None else "preamble"

    def on_header(self, view: RowView) -> str:
        p = self.p
        table = self.table
        assert view.header is not None
        if table is not None and table.fresh and p is not None and not p.ended and all(
                view.header.get(r) == table.roles.get(r) for r in ("l1", "l2", "name")):
            # The header's second row with the level heads merged down into it (a spreadsheet
            # fills merged cells): 一级指标 | 二级指标 | 三级指标 | 指标性质 | 指标值 | 度量单位.
            sub = {r: c for r, c in view.header.items() if r not in ("l1", "l2", "name")}
            if sub and table.refine(sub):
                return "read"
        if p is None or (p.ended and p.indicators):
            p = self.new_project(view, title=self.pending_title if p is not None else None)
        self.table = _Table(view.header, view.block or self.pending_block or "annual")
        self.pending_block = None
        self.budget = None
        self.l1, self.l2 = (None, None), None
        if "actual" in view.header or "score" in view.header:
            p.kind = "self_eval"
        elif p.kind is None:
            p.kind = "goal"
        # Internal facts for the completeness check (keys with _ are not project fields).
        p.fields["_score_column"] = "score" in view.header or p.fields.get("_score_column", False)
        return "read"

    def on_budget_header(self, view: RowView) -> str:
        p = self.p if self.p is not None else self.new_project(view)
        assert view.budget_cols is not None
        self.budget = _Budget(view.budget_cols, view.budget_points, view.rate_basis)
        self.note_money_unit(view)
        money = self.money[id(p)]
        money.points_header, money.rate_basis = view.budget_points, view.rate_basis
        p.kind = "self_eval"
        return "read"

    def on_goal_heads(self, view: RowView) -> str:
        if self.p is None:
            return "preamble"
        heads = [fld for _, fld in view.heads]
        head_cols = {col for col, _ in view.heads}
        # The row's own labels (年度总体目标, 项目基本情况): a merged cell repeats them on the next row.
        row_labels = {c for i, c in enumerate(view.cells) if c and i not in head_cols}
        p = self.p

        def take(next_view: RowView) -> bool:
            texts = [c for c in next_view.nonempty if c not in row_labels]
            if not texts or any(self.v.label(c) is not None for c in texts):
                return False
            # The texts come in the heads' order; with fewer texts, the last heads are the filled ones.
            for fld, text in zip(heads[len(heads) - len(texts):] if len(texts) < len(heads) else heads, texts):
                if not _is_prompt(text):  # the form's prompt left in place: nothing written
                    p.fields.setdefault(fld, text)
            if len(texts) > len(heads):
                p.fields[heads[-1]] = " ".join(texts[len(heads) - 1:])
            return True

        self.expect = take
        return "read"

    def on_label(self, view: RowView) -> str:
        lead = view.lead_label
        p = self.p
        if p is None:
            if not any(fld in IDENTITY for _, fld, _ in view.labels):
                self.preamble.append(view.joined)
                return "preamble"
        elif self.in_table() and p.indicators:
            if lead in IDENTITY:
                # A 项目名称 (or 预算单位 …) after a table: the next project, without a title.
                self.close()
            elif lead == "skip":
                p.ended = True  # 项目负责人 / 联系电话 after the table: the table is over
                return "skipped"
            else:
                return self.on_data(view)
        elif p.ended and p.indicators:
            if not any(fld in IDENTITY for _, fld, _ in view.labels):
                return "skipped"  # signature lines and notes after the table
            self.close()
        self.fill_labels(view)
        return "read"

    def on_data(self, view: RowView) -> str:
        p = self.p
        if self.in_table() and p is not None and p.indicators:
            return self.indicator_row(view)
        if view.kind is Kind.DATA and not (p is not None and p.ended) and view.scan_labels(self.v):
            return self.on_label(view)  # labels further right: "316004… | 单位：万元"
        if p is None:
            self.preamble.append(view.joined)
            return "preamble"
        if self.in_table():
            return self.indicator_row(view)
        if "unit" not in p.fields:
            m = next((self.v.unit_code.match(squeeze(c)) for c in view.nonempty if self.v.unit_code.match(squeeze(c))), None)
            if m:
                p.fields["unit"] = m.group(1)
                return "read"
        # Rows after a table's end (说明:, 注: and their numbered items) are footnotes.
        return "skipped" if p.ended else "unplaced"

    # ------------------------------------------------------------ labels

    def next_value(self, view: RowView, col: int) -> str | None:
        """Returns the label's value: the next non-empty cell, unless that is a label itself."""
        for c in view.cells[col + 1:]:
            if c:
                return None if self.v.label(c) is not None else c
        return None

    def fill_labels(self, view: RowView) -> None:
        """Fills the project's fields from a label row (starting a project where needed)."""
        p = self.p
        labels = view.labels
        self.count["label_rows"] += 1
        if p is not None and "unit" not in p.fields:
            # 003: "316004南堡开发区社会事业保险局 | 单位：万元" — a unit code and name, no label.
            for c in view.nonempty:
                m = self.v.unit_code.match(squeeze(c))
                if m:
                    p.fields["unit"] = m.group(1)
                    break
        if any(fld == "name" for _, fld, _ in labels):
            if p is None or p.fields.get("name") or p.indicators:
                p = self.new_project(view, title=self.pending_title)
        elif p is None:
            p = self.new_project(view)
        for col, fld, inline in labels:
            value = inline if inline is not None else self.next_value(view, col)
            setter = _LABEL_SETTERS.get(fld)
            if setter is not None:
                setter(self, p, view, col, fld, value, inline is not None)

    def set_identity(self, p: ParsedProject, view: RowView, col: int, fld: str, value: str | None, inline: bool) -> None:
        if not value:
            return
        if fld == "name":
            m = _CODE_NAME.match(value)
            if m and "code" not in p.fields:
                p.fields["code"], value = m.group(1), m.group(2).strip()
        elif fld in ("unit", "department"):
            bare = _DEPT_MARK.sub("", _BRACKET_CODE.sub("", _CODE_PREFIX.sub("", value))).strip()
            value = bare or value
        p.fields[fld] = value

    def set_money(self, p: ParsedProject, view: RowView, col: int, fld: str, value: str | None, inline: bool) -> None:
        money = self.money[id(p)]
        if self.budget is not None and not inline:
            line = read_line(view.cells, col, self.budget.cols, self.money_unit)
        else:
            line = BudgetLine(budget=parse_amount(value, self.money_unit) if value else None)
        if not line.any_amount() and line.rate is None and line.score is None:
            return
        if fld == "budget":
            if money.total is None:
                money.total, money.line = line, view.line
        else:
            old = money.parts.get(fld)
            money.parts[fld] = line if old is None else _add_lines(old, line)

    def set_goal(self, p: ParsedProject, view: RowView, col: int, fld: str, value: str | None, inline: bool) -> None:
        if value:
            p.fields[fld] = value
            return
        rest = [c for c in view.cells[col + 1:] if c]
        if rest:
            return  # the next cell is a label (年初设定目标：…) that carries the text
        if fld in ("goal", "goal_long"):
            def take(next_view: RowView) -> bool:
                if next_view.kind is Kind.LABEL:
                    return False
                p.fields[fld] = " ".join(next_view.nonempty)
                return True

            self.expect = take

    def set_fund_use(self, p: ParsedProject, view: RowView, col: int, fld: str, value: str | None, inline: bool) -> None:
        if value and parse_number(value) is None:
            p.fields["fund_use"] = value
            return
        # 003 puts 预算数 right after the label: then the use text comes on a later row.
        def take(next_view: RowView) -> bool:
            if next_view.kind is Kind.LABEL or len(next_view.nonempty) != 1 or parse_number(next_view.nonempty[0]) is not None:
                return False
            p.fields["fund_use"] = next_view.nonempty[0]
            return True

        self.expect = take

    def set_spend_plan(self, p: ParsedProject, view: RowView, col: int, fld: str, value: str | None, inline: bool) -> None:
        # The block's rows (heads, values, pairs) are read by `plan.Reading`; a row it does not
        # understand goes on to its own handler, and nothing not understood enters the plan.
        reading = plan.Reading(self.v)
        if inline:
            reading.inline(value or "")
        elif reading.first(view.cells, col):
            self.expect_plan(p, reading)
        self.write_plan(p, reading)
        if reading.unread:
            self.count["cells_unplaced"] += len(reading.unread)
            if len(self.unplaced_cells) < MAX_EXAMPLES:
                self.unplaced_cells.append(Note(f"资金支出计划未能识别（未导入）：「{_quote('」「'.join(reading.unread[:4]))}」",
                                                view.line))

    def expect_plan(self, p: ParsedProject, reading: plan.Reading) -> None:
        """Offers the next row to the spend-plan block being read, and the one after while it takes them."""
        def take(next_view: RowView) -> bool:
            if not reading.next(next_view.cells):
                return False
            self.write_plan(p, reading)
            self.expect_plan(p, reading)
            return True

        self.expect = take

    @staticmethod
    def write_plan(p: ParsedProject, reading: plan.Reading) -> None:
        """Given a project and its spend-plan block, sets spend_plan to what the block holds so far."""
        text = reading.text()
        if text:
            p.fields["spend_plan"] = text

    def set_money_unit(self, p: ParsedProject, view: RowView, col: int, fld: str, value: str | None, inline: bool) -> None:
        text = squeeze(view.cells[col])
        self.money_unit = "元" if text.endswith("元") and not text.endswith("万元") else "万元"

    def note_money_unit(self, view: RowView) -> None:
        """Takes the money unit from a row's cells where one states it in brackets (云南:
        项目资金（元）); the unit holds for the amounts that follow."""
        for c in view.nonempty:
            if self._take_money_unit(c):
                return

    def _take_money_unit(self, cell: str) -> bool:
        """Given a cell, takes the money unit it states in brackets, if any; returns whether it did."""
        m = _UNIT_IN_LABEL.search(cell)
        if m:
            self.money_unit = m.group(1)
        return m is not None

    def set_funds_block(self, p: ParsedProject, view: RowView, col: int, fld: str, value: str | None, inline: bool) -> None:
        self._take_money_unit(view.cells[col])

    def set_tasks(self, p: ParsedProject, view: RowView, col: int, fld: str, value: str | None, inline: bool) -> None:
        # 部门整体 tables: the task list (任务名称 | 主要内容 | 预算金额 总额 | 财政拨款 …) is not
        # indicators; its rows are taken until the next known row (金额合计, 年度总体目标 …).
        def take(next_view: RowView) -> bool:
            if next_view.kind is Kind.LABEL:
                # The sub-header "总额 | 财政拨款 | 其他资金": money labels without amounts.
                money = ("budget", *PARTS)
                if not all(fld in money and inline is None and self.next_value(next_view, c) is None
                           for c, fld, inline in next_view.labels):
                    return False
            elif next_view.kind is not Kind.DATA:
                return False
            self.expect = take
            return True

        self.expect = take

    # ------------------------------------------------------------ indicator rows

    def indicator_row(self, view: RowView) -> str:
        p, table = self.p, self.table
        assert p is not None and table is not None
        if table.fresh:
            table.fresh = False
            sub = self.subheader(view)
            if sub and table.refine(sub):
                table.fresh = True
                return "read"
        # A header cell merged down into the first data row (2-row template headers) is not data.
        cells = view.cells
        if view.header_like:
            words = self.v.level_header_words
            cells = ["" if squeeze(c) in words else c for c in cells]
        l1, l2, last = self.level_cells(cells)
        if l1 is not None:
            self.l1 = split_points(l1)
            self.l2 = None
        if l2 is not None:
            self.l2 = split_points(l2)[0]
        # The 三级指标 cell follows the level cells. Where the first cell after them is a value
        # (004: "时效指标 | | =100%"), the name was left empty and sits just before the target.
        j = last + 1
        while j < len(cells) and not cells[j]:
            j += 1
        if j >= len(cells):
            return "read" if last >= 0 else "skipped"  # a level cell alone (merged level rows)
        if _looks_like_value(cells[j]):
            name_col, name, start = j - 1, "", j
        else:
            name = _INDICATOR_PREFIX.sub("", cells[j]) if cells[j].startswith("指标") else cells[j]
            name_col, start = j, j + 1
            if _filler(name) and all(_filler(c) for c in cells[start:]):
                return "skipped"  # 指标2: / ..... filler rows of the template
        roles = table.shifted(name_col - table.name_col)
        # The aligner is pure and reads of a cell only whether it is empty and how it fits each
        # role (its facts): a row whose cells from `start` on have the profiles of a row seen
        # before (the satisfaction row, a unit's indicators year after year) takes its columns.
        key = (start, roles, profile(cells, start))
        cols = _ALIGNED.get(key)
        if cols is None:
            if len(_ALIGNED) >= _ALIGNED_MAX:
                _ALIGNED.clear()
            cols = _ALIGNED[key] = align_columns(cells, start, roles, indicator_compat)
        return self.emit(view, cells, start, name, {role: cells[col] for role, col in cols.items()})

    def subheader(self, view: RowView) -> dict[str, int] | None:
        """Given the row under an indicator header, returns its value roles by column when every
        cell is a value column's name (the second row of a two-row header), else None."""
        sub: dict[str, int] = {}
        for i, c in enumerate(view.cells):
            if not c:
                continue
            role = self.v.lookup("header", c) if len(c) <= 24 else None
            if role is None or role in ("l1", "l2", "l3", "name") or role in sub:
                return None
            sub[role] = i
        return sub or None

    def level_cells(self, cells: list[str]) -> tuple[str | None, str | None, int]:
        """Given an indicator row, returns its first-level cell, second-level cell (either None
        where the row has none) and the column of its last level cell (-1 when none)."""
        v = self.v
        found: list[tuple[int, str, str | None, str | None, str | None]] = []
        last = -1
        known = self.level_cells_seen
        for i, c in enumerate(cells):
            if not c:
                continue
            seen = known.get(c)
            if seen is None:
                name, _ = split_points(c)
                seen = (name, v.level1(name), v.level2(name), v.lookup("block", name))
                if len(known) > _SEEN_MAX:
                    known.clear()
                known[c] = seen
            name, level1, level2, block = seen
            if level1 or level2:
                found.append((i, name, level1, level2, block))
                last = i
                continue
            if block:
                last = i  # 长期绩效指标 in the first column (a merged block cell): not a level
                continue
            break
        if not found:
            return None, None, last
        raw = cells
        tail_i, _, tail1, tail2, tail_block = found[-1]
        if len(found) >= 2 and tail2 and found[-2][2]:
            return raw[found[-2][0]], raw[tail_i], last
        if tail2 and tail1:
            # Alone, 成本指标 is an old second level (under 产出指标); 满意度指标 is a first level.
            if LEVEL2_PARENT[tail2] == "成本指标":
                return None, raw[tail_i], last
            return raw[tail_i], None, last
        if tail2:
            return None, raw[tail_i], last
        if tail_block != "any":
            return raw[tail_i], None, last
        # 绩效指标 alone is a block label in some tables and the old name of 效益指标 in others
        # (block and level1 both): it is a level only where a second level follows.
        return (raw[tail_i] if len(found) == 1 else None), None, last

    def emit(self, view: RowView, cells: list[str], start: int, name: str, got: dict[str, str]) -> str:
        p, table = self.p, self.table
        assert p is not None and table is not None
        if _filler(name) or is_placeholder(name):
            name = ""
        fields = {k: v for k, v in got.items() if v.strip(_FILLER_CHARS)}
        if not name and not any(k in fields and not is_placeholder(fields[k]) for k in ("target", "weight", "actual", "score")):
            return "skipped"  # 指标2: / ..... / 指标1: / | / | / — filler rows of the template
        if name and len(name) <= 16 and self.v.is_form_word(name):
            if len(self.bogus) < MAX_EXAMPLES:
                self.bogus.append(Note(f"「{_quote(name)}」是表格的栏目名，却处在指标行的位置（未作为指标导入）", view.line))
            self.count["bogus"] += 1
            return "unplaced"
        self.count["cells_placed"] += len(fields) + 1
        rest_cells = cells[start:]
        missed = len(rest_cells) - rest_cells.count("") - len(fields)
        if missed > 0:
            rest = [c for c in cells[start:] if not _filler(c) and not is_placeholder(c)]
            missed = len(rest) - len(fields)
        if missed > 0:
            self.count["cells_unplaced"] += missed
            if len(self.unplaced_cells) < MAX_EXAMPLES:
                placed = Counter(got.values())
                lost = []
                for c in rest:  # by count: a cell repeating a placed one's text is lost too
                    if placed[c] > 0:
                        placed[c] -= 1
                    else:
                        lost.append(c)
                self.unplaced_cells.append(Note(f"指标「{_quote(name)}」有 {missed} 个单元格未能归入任何栏目："
                                                f"「{_quote('」「'.join(lost[:3]))}」", view.line))
        l1_raw, points = self.l1
        levels = (l1_raw, self.l2)
        canon = self.canon.get(levels)
        if canon is None:
            canon = self.canon[levels] = canonicalize(l1_raw, self.l2, self.v)
        unit = fields.get("unit")
        if "direction" in fields and normalize_op(fields["direction"]) and not normalize_op(fields.get("type")):
            # The operator written in the 指标方向 column — alone, or beside 正向/反向 in the
            # 指标性质 column (内蒙古 乌海: 指标性质 | 指标方向 holding 正向 | =): content decides.
            kept = fields.get("type")
            fields["type"] = fields["direction"]
            if kept:
                fields["direction"] = kept
        weight = parse_number(fields["weight"]) if "weight" in fields else None
        if weight is None and "scoring_rule" in fields:
            weight = parse_points(fields["scoring_rule"])
        actual, last = fields.get("actual"), fields.get("last_year")
        target = parse_value(fields.get("target"), unit, fields.get("type"))  # (positional: a cheaper cache key)
        # Without a 度量单位 column, a bare actual ("100" beside "≥100%") is in the target's unit.
        hint = unit or (target.unit if actual and _BARE_NUMBER.match(actual) else None)
        p.indicators.append(ParsedIndicator(
            level1=canon[0], level2=canon[1], level1_raw=l1_raw, level2_raw=self.l2, level1_points=points,
            name=name, cells=fields,
            target=target,
            actual=parse_value(actual, hint) if actual else _NO_VALUE,
            last_year=parse_value(last, unit) if last else _NO_VALUE,
            weight=weight, score=parse_number(fields["score"]) if "score" in fields else None,
            source_line=view.line, source_sheet=view.row.sheet, horizon=table.horizon,
            row_width=len(view.cells),
        ))
        return "read"


_LABEL_SETTERS: dict[str, Callable[..., None]] = {
    **{f: Pass.set_identity for f in IDENTITY},
    **{f: Pass.set_money for f in ("budget", *PARTS)},
    **{f: Pass.set_goal for f in ("goal", "goal_long", "goal_summary")},
    "fund_use": Pass.set_fund_use,
    "spend_plan": Pass.set_spend_plan,
    "money_unit": Pass.set_money_unit,
    "funds_block": Pass.set_funds_block,
    "tasks": Pass.set_tasks,
    # skip: known labels that carry nothing to keep
}


def _add_lines(a: BudgetLine, b: BudgetLine) -> BudgetLine:
    """Two rows of the same source (单位资金 and 财政专户管理资金 are both 其他资金): their sum."""
    out = BudgetLine()
    for f in ("budget", "adjusted", "executed"):
        x, y = getattr(a, f), getattr(b, f)
        setattr(out, f, None if x is None and y is None else (x or 0) + (y or 0))
    return out


@lru_cache(maxsize=65536)
def _looks_like_value(cell: str) -> bool:
    s = squeeze(cell)
    if not s or len(s) > 24:
        return False
    if not (s[0].isdigit() or s[0] in "≥≤＞＜＝" or normalize_op(s[:2]) is not None
            or normalize_op(s[:1]) is not None):
        return False  # how it starts, before it is parsed (cheap: most cells tested are names)
    return parse_value(s).value is not None


def _is_prompt(text: str) -> bool:
    """Given a text cell, returns True when it is the form's own prompt alone: one sentence ending
    in (100字以内). Sentences before the prompt are the unit's text with the prompt left after it,
    and kept."""
    m = _INSTRUCTION.search(text)
    return m is not None and _SENTENCE_END.search(text[:m.start()].rstrip("。. ")) is None


def _filler(cell: str) -> bool:
    """Given a cell, returns True when it is empty or template filler ("....." / "、")."""
    return not cell.strip(_FILLER_CHARS)


def _quote(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "…"
