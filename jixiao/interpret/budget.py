"""The budget block, read by what its cells hold, and a project's money reconciled.

A self-evaluation's budget block is a header (年初预算数 | 调整后预算数 / 全年预算数 | 全年执行数 |
分值 | 执行率 | 得分) and rows per source (年度资金总额, 其中：财政拨款, 上年结转, 其他资金 …). Rows are
shifted against the header as often as indicator rows are, so a row's numbers are aligned to the
header's columns by content (an amount, a percentage, a score) with the aligner; a row shifted by
a column gives the same figures as an aligned one.

`reconcile` then settles a project's figures: a 资金总额 of 0 (or none) whose parts are not 0 is
replaced by the parts' sum; a total that differs from its parts, or a written 执行率 that B over
the budget does not give, is a problem the parse report names.
"""

from __future__ import annotations

from dataclasses import dataclass

from jixiao.interpret.align import align, budget_compat, is_placeholder
from jixiao.model import BudgetFigures, Note
from jixiao.values import parse_amount, parse_number

AMOUNTS = ("budget", "adjusted", "executed")
PARTS = ("fund_fiscal", "fund_carryover", "fund_other")
# Written and computed rates agree when they round to the same percent (half a point either way).
RATE_TOLERANCE = 0.006


@dataclass
class BudgetLine:
    """The figures of one budget row (万元; rate as a fraction; None where the cell is empty)."""

    budget: float | None = None
    adjusted: float | None = None
    executed: float | None = None
    points: float | None = None
    rate: float | None = None
    score: float | None = None

    def any_amount(self) -> bool:
        """Returns True when the row holds any amount."""
        return any(getattr(self, a) is not None for a in AMOUNTS)


def read_line(cells: list[str], label_col: int, cols: dict[str, int], money_unit: str) -> BudgetLine:
    """Given a budget row's cells, the column of its label, the header's columns by role and the
    table's money unit, returns the row's figures.

    The header's columns are shifted so that its first figure column falls on the row's first
    figure; then content decides (a percentage is the rate, a text the note) and position breaks
    ties, so a row shifted by a column reads the same as an aligned one.
    """
    values = [k for k in range(label_col + 1, len(cells)) if cells[k].strip() and not is_placeholder(cells[k])]
    if not values or not cols:
        return BudgetLine()
    ordered = sorted(cols.items(), key=lambda t: t[1])
    # Unshifted first: a row whose first figure column is left blank (云南: 年初预算数 empty,
    # 全年预算数 and 全年执行数 given) is aligned, not shifted.
    for shift in dict.fromkeys((0, values[0] - ordered[0][1])):
        by_col = {col + shift: role for role, col in ordered}
        if all(k in by_col and budget_compat(by_col[k], cells[k]) > 0 for k in values):
            got = {by_col[k]: cells[k] for k in values}  # every figure in its column: nothing to weigh
            break
    else:
        got = align(cells, label_col + 1, [(role, col + shift) for role, col in ordered], budget_compat)
    line = BudgetLine()
    for role, text in got.items():
        if role in AMOUNTS:
            setattr(line, role, parse_amount(text, money_unit))
        elif role == "rate":
            v = parse_number(text)
            line.rate = v if v is not None and ("%" in text or "％" in text or v <= 1.5) else None
        elif role in ("points", "score"):
            setattr(line, role, parse_number(text))
    return line


def reconcile(total: BudgetLine | None, parts: dict[str, BudgetLine], *, points_header: float | None,
              rate_basis: str | None, self_eval: bool, line: int) -> tuple[BudgetFigures, list[Note], list[Note]]:
    """Given a project's total row and its parts by source, returns its figures, the notes for the
    parse report and the problems (figures that do not reconcile).

    - A total of 0 or none whose parts hold amounts: the parts' sum, said in a note.
    - A total that differs from its parts' sum (beyond rounding): a problem.
    - The execution rate is B over 调整后预算数 / 全年预算数 where the form has one (unless its
      header says B/A), else B over A. A written rate that neither gives is a problem; the
      computed rate is kept, and the note says so.
    """
    notes: list[Note] = []
    problems: list[Note] = []
    t = total or BudgetLine()
    fig = BudgetFigures(points=t.points if t.points is not None else (points_header if self_eval else None),
                        score=t.score, rate_reported=t.rate)
    fig.fiscal = parts["fund_fiscal"].budget if "fund_fiscal" in parts else None
    fig.carryover = parts["fund_carryover"].budget if "fund_carryover" in parts else None
    fig.other = parts["fund_other"].budget if "fund_other" in parts else None
    fig.budget_written = t.budget
    total_void = False
    for amount in AMOUNTS:
        value = getattr(t, amount)
        part_values = [getattr(p, amount) for p in parts.values() if getattr(p, amount) is not None]
        part_sum = round(sum(part_values), 6) if part_values else None
        if (value is None or value == 0) and part_sum:
            if value == 0:
                total_void = True
            notes.append(Note(f"{_NAMES[amount]}为{'0' if value == 0 else '空'}，各来源（财政拨款等）合计 "
                              f"{_fmt(part_sum)} 万元，采用合计值", line))
            value = part_sum
        elif value and part_sum is not None and len(part_values) == len(parts) and abs(value - part_sum) > max(0.01, 0.005 * value):
            problems.append(Note(f"{_NAMES[amount]} {_fmt(value)} 万元与各来源合计 {_fmt(part_sum)} 万元不符", line))
        setattr(fig, amount, value)
    if not self_eval:
        fig.executed = fig.adjusted = None
        fig.points = fig.score = fig.rate_reported = None
        return fig, notes, problems
    basis = "adjusted" if fig.adjusted and rate_basis != "A" else "A"
    denominator = fig.adjusted if basis == "adjusted" else fig.budget
    if fig.executed is not None and denominator:
        fig.rate, fig.rate_basis = round(fig.executed / denominator, 10), basis
    elif fig.rate_reported is not None:
        fig.rate, fig.rate_basis = fig.rate_reported, None
        notes.append(Note(f"预算执行率按填写值 {_pct(fig.rate_reported)}（缺少预算数或执行数，无法核算）", line))
    written = fig.rate_reported
    if written is not None and fig.rate is not None and fig.rate_basis is not None and not _agrees(written, fig.rate):
        formula = "执行数/调整后预算数" if basis == "adjusted" else "执行数/年初预算数"
        other = fig.budget if basis == "adjusted" else fig.adjusted
        alt = fig.executed / other if other and fig.executed is not None else None
        if total_void:
            notes.append(Note(f"资金总额行的执行率 {_pct(written)} 随总额作废，按{formula}计为 {_pct(fig.rate)}", line))
        elif alt is not None and _agrees(written, alt):
            notes.append(Note(f"执行率 {_pct(written)} 是按{'年初预算数' if basis == 'adjusted' else '调整后预算数'}"
                              f"计算的；按本表的{formula}为 {_pct(fig.rate)}，采用后者", line))
        else:
            problems.append(Note(f"执行率填写为 {_pct(written)}，按{formula}（{_fmt(fig.executed)}/{_fmt(denominator)}）"
                                 f"应为 {_pct(fig.rate)}，采用计算值", line))
    return fig, notes, problems


_NAMES = {"budget": "资金总额（年初预算数）", "adjusted": "调整后预算数", "executed": "执行数"}


def _agrees(written: float, computed: float) -> bool:
    # A rate above 100% is often written as 100% (执行率 capped like its score).
    return abs(written - computed) <= RATE_TOLERANCE or (computed > 1 and abs(written - 1) <= RATE_TOLERANCE)


def _fmt(v: float | None) -> str:
    return "—" if v is None else f"{v:,.4f}".rstrip("0").rstrip(".")


def _pct(v: float) -> str:
    return f"{v * 100:.2f}".rstrip("0").rstrip(".") + "%"
