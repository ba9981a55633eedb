"""Stage 1 of the interpreter: each row is classified once, by the vocabulary, into a `Kind`.

A `RowView` holds the row's cleaned cells and what the vocabulary says about them (title and
its kind, header roles, budget-block columns, labels, goal heads). The pass (`passes.py`)
dispatches on `kind`; classification does not depend on where the row is, the pass decides
what a kind means in its place (a label row inside an indicator table, for instance).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import Sequence

from jixiao.levels import split_points, squeeze
from jixiao.model import Row
from jixiao.vocabulary import Vocabulary, key

_TAGS = re.compile(r"<[^>]{1,20}>|\*\*|^#+\s*")
_TC_FIELD = re.compile(r"\s*TC\s.*$")  # Word TOC field code left in a title: "… TC 9、… \f C \l 1"
_YEAR_IN_TITLE = re.compile(r"(19|20)\d{2}(?=\s*[)）]?\s*年)")
_YEAR_ROW = re.compile(r"^[(（]?\s*((?:19|20)\d{2})\s*[)）]?\s*年度?\s*[)）]?$")
_POINTS_IN_CELL = re.compile(r"[(（]\s*(\d+(?:\.\d+)?)\s*分\s*[)）]")
_TITLE_MAX = 120


class Kind(Enum):
    """What a row is, as far as the vocabulary can tell on its own."""

    TITLE = "title"              # …绩效目标表 / …自评表
    YEAR = "year"                # (2026) 年度
    TOTAL = "total"              # 总分 / 合计
    FOOTER = "footer"            # 说明, 注:, 填表人 … (ends a table)
    NOT_INDICATOR = "not_indicator"  # 评价结论, 财政部门审核意见 … (ends a table, never an indicator)
    HEADER = "header"            # 一级指标 | 二级指标 | 三级指标 | 指标值 …
    BUDGET_HEADER = "budget_header"  # 年初预算数 | 全年执行数 | 分值 | 执行率 | 得分
    GOAL_HEADS = "goal_heads"    # 年度总体目标 | 预期目标 | 实际完成情况 (texts on the next row)
    LABEL = "label"              # 项目名称 | … ; 主管部门 | … | 实施单位 | …
    BLOCK = "block"              # 长期绩效指标 / 年度绩效指标 alone
    DATA = "data"                # anything else: indicator rows, texts, values


@dataclass(slots=True)
class RowView:
    """A row with its cleaned cells and what the vocabulary found in it."""

    row: Row
    cells: list[str]
    nonempty: list[str]
    kind: Kind
    title: str | None = None
    title_kind: str | None = None
    scope: str = "project"
    year: int | None = None
    header: dict[str, int] | None = None       # column role -> column
    block: str | None = None                   # long / annual for a 长期/年度绩效指标 table
    budget_cols: dict[str, int] | None = None  # budget role -> column
    budget_points: float | None = None         # 分值 (10分) in the budget header
    rate_basis: str | None = None              # "A" where the header says 执行率 (B/A)
    labels: Sequence[tuple[int, str, str | None]] = ()  # (column, field, inline value), see scan_labels
    heads: Sequence[tuple[int, str]] = ()               # goal heads (column, field)
    text: str = ""                                      # the non-empty cells joined, for cheap tests
    header_like: bool = False                           # text names a level head (vocab.may_be_header)
    _scanned: bool = False

    def at(self, row: Row) -> RowView:
        """Given another row with the same cells, returns this view for that row (what the
        vocabulary found is shared: nothing in a view changes once it is classified, but for
        the labels `scan_labels` looks up on demand)."""
        return RowView(row, self.cells, self.nonempty, self.kind, self.title, self.title_kind, self.scope,
                       self.year, self.header, self.block, self.budget_cols, self.budget_points, self.rate_basis,
                       self.labels, self.heads, self.text, self.header_like, self._scanned)

    @property
    def line(self) -> int:
        """Returns the row's source line."""
        return self.row.line

    @property
    def joined(self) -> str:
        """Returns the non-empty cells joined by " | " (how the parse report quotes a row)."""
        return " | ".join(self.nonempty)

    def scan_labels(self, vocab: Vocabulary) -> Sequence[tuple[int, str, str | None]]:
        """Returns the row's label cells (column, field, inline value), looked up once.

        A row is a LABEL row when its first cell is a label; the pass asks a DATA row for labels
        further right only outside indicator tables (003: "316004… | 单位：万元")."""
        if not self._scanned:
            self._scanned = True
            found = []
            for i, c in enumerate(self.cells):
                if c:
                    hit = vocab.label(c)
                    if hit is not None:
                        found.append((i, hit[0], hit[1]))
            if found:
                self.labels = found
        return self.labels

    @property
    def lead_label(self) -> str | None:
        """Returns the field of the row's first non-empty cell when that cell is a label."""
        if not self.labels:
            return None
        first = next(i for i, c in enumerate(self.cells) if c)
        col, fld, _ = self.labels[0]
        return fld if col == first else None


def _has_markup(text: str) -> bool:
    """Given a cell (or a row's cells joined), returns whether it may hold markup `_TAGS` removes."""
    return "<" in text or "*" in text or "#" in text


@lru_cache(maxsize=262144)
def clean(cell: str) -> str:
    """Given a raw cell, returns it without markup (markdown headings, <b>, **) and outer space."""
    if not cell:
        return ""
    if _has_markup(cell):
        cell = _TAGS.sub("", cell)
    return cell.strip()


# Views by the row's raw cells, kept with the vocabulary: a form's boilerplate rows (headers,
# labels, the satisfaction row, the budget block) recur across documents (two in five rows of a
# corpus sample). Bounded.
_VIEWS_MAX = 50_000  # (a view with its cells: about 2 KB)
_MISSING = object()


def classify(row: Row, vocab: Vocabulary) -> RowView | None:
    """Given a row and the vocabulary, returns the row's view, or None for a blank row (a row
    with the same cells as one seen before gets that row's classification)."""
    views = vocab.memo("row_views")
    seen = views.get(row.cells, _MISSING)
    if seen is not _MISSING:
        return seen.at(row) if seen is not None else None
    if len(views) >= _VIEWS_MAX:
        views.clear()
    view = views[row.cells] = _classify(row, vocab)
    return view


def _classify(row: Row, vocab: Vocabulary) -> RowView | None:
    if _has_markup("".join(row.cells)):
        cells = list(map(clean, row.cells))
    else:  # no markup in any cell: `clean` is the strip (three scans of the row, not a call per cell)
        cells = list(map(str.strip, row.cells))
    nonempty = list(filter(None, cells))
    if not nonempty:
        return None
    view = RowView(row, cells, nonempty, Kind.DATA)
    first = nonempty[0]
    if len(nonempty) == 1:
        m = _YEAR_ROW.match(squeeze(first))
        if m:
            view.kind, view.year = Kind.YEAR, int(m.group(1))
            return view
    if len(nonempty) <= 2 and _title(view, vocab):
        return view
    kind = vocab.first_cell_kind(first)
    if kind is not None:
        view.kind = Kind(kind)  # TOTAL, FOOTER or NOT_INDICATOR
        return view
    text = view.text = "\x1f".join(nonempty)  # one string for the cheap tests below
    view.header_like = vocab.may_be_header(text)
    if view.header_like and _header(view, vocab):
        return view
    if vocab.may_be_budget_header(text) and _budget_header(view, vocab):
        return view
    if vocab.label(first) is not None or vocab.goal_head(first) is not None:
        labels = view.scan_labels(vocab)
        if _goal_heads(view, vocab):
            return view
        if labels:
            view.kind = Kind.LABEL
            return view
    if len(nonempty) == 1 and vocab.lookup("block", split_points(first)[0]):
        view.kind, view.block = Kind.BLOCK, vocab.lookup("block", split_points(first)[0])
    return view


def _title(view: RowView, vocab: Vocabulary) -> bool:
    joined = " ".join(view.nonempty)
    if len(joined) > _TITLE_MAX or not vocab.may_be_title(joined):
        return False
    kind = vocab.title_kind(squeeze(joined))
    if kind is None or vocab.label(view.nonempty[0]) is not None:
        return False
    title = _TC_FIELD.sub("", joined).strip()
    m = _YEAR_IN_TITLE.search(title)
    view.kind, view.title, view.title_kind = Kind.TITLE, title, kind
    view.scope = vocab.title_scope(squeeze(title))
    view.year = int(m.group(0)) if m else None
    return True


def _header(view: RowView, vocab: Vocabulary) -> bool:
    """An indicator table's header: at least two of 一级/二级/三级指标, and a name column."""
    roles: dict[str, int] = {}
    levels = 0
    for i, c in enumerate(view.cells):
        if not c:
            continue
        name, _ = split_points(c)
        block = vocab.lookup("block", name)
        if block:
            view.block = block if block != "any" else view.block
            continue
        if len(c) > 24:
            continue
        role = vocab.lookup("header", c)
        if role is None:
            continue
        if role in ("l1", "l2", "l3"):
            levels += 1
            role = "name" if role == "l3" else role  # 三级指标 is the name column
        if role == "type" and "type" in roles:
            role = "direction"  # 计算符号 | 指标值 | 计量单位 | 指标方向: the second is the direction
        roles.setdefault(role, i)
    if levels < 2:
        return False
    if "name" not in roles and "description" in roles:
        # 湖南 / 陕西 申报表: 一级指标 | 二级指标 | 指标内容 | 指标值 — 指标内容 is the 三级指标.
        roles["name"] = roles.pop("description")
    if "name" not in roles:
        return False
    view.kind, view.header = Kind.HEADER, roles
    return True


def _budget_header(view: RowView, vocab: Vocabulary) -> bool:
    """A self-evaluation's budget header: a budget column (年初预算数 / 全年预算数 / 调整后预算数)
    and an executed column (全年执行数 / 预算执行数)."""
    cols: dict[str, int] = {}
    points = None
    basis = None
    marked_a = None  # the column written "(A)": the denominator of 执行率(B/A)
    for i, c in enumerate(view.cells):
        if not c:
            continue
        m = _POINTS_IN_CELL.search(c)
        if m and points is None:
            points = float(m.group(1))
        role = vocab.lookup("budget_header", c)
        if role is None:
            continue
        if role == "rate_a":
            role, basis = "rate", "A"  # 执行率(B/A): over the (A) column even where another budget column exists
        elif role in ("budget", "adjusted") and key(c).endswith("(A)"):  # 全年预算数（A）, NFKC
            marked_a = i
        cols.setdefault(role, i)
    if not ({"budget", "adjusted"} & cols.keys()) or "executed" not in cols:
        return False
    if "budget" not in cols:
        cols["budget"] = cols.pop("adjusted")
    if basis == "A" and marked_a is not None and marked_a == cols.get("adjusted"):
        basis = None  # 全年预算数(A) | 执行率(B/A): the rate is over the adjusted budget, the default
    view.kind, view.budget_cols, view.budget_points, view.rate_basis = Kind.BUDGET_HEADER, cols, points, basis
    return True


def _goal_heads(view: RowView, vocab: Vocabulary) -> bool:
    """年度总体目标 | 预期目标 | 实际完成情况, 项目绩效目标 | 长期目标 | 年度目标: every cell a goal
    head or a label without a value; the texts come on the next row, in the heads' order."""
    if len(view.nonempty) < 2:
        return False
    label_cols = {col for col, _, inline in view.labels if inline is None}
    heads: list[tuple[int, str]] = []
    for i, c in enumerate(view.cells):
        if not c:
            continue
        head = vocab.goal_head(c)
        if head is not None:
            heads.append((i, head))
        elif i not in label_cols:
            return False
    if not heads:
        return False
    view.kind, view.heads = Kind.GOAL_HEADS, heads
    return True
