"""Stage 4 of the interpreter: what the pass read, judged — completeness, sanity and confidence.

- **Completeness.** A project is refused only on evidence that the text ends inside its table:
  the file ends in it (nothing after the table: no total, footnote or next table) *and* the table
  shows it — a self-evaluation with a 得分 column but no 总分 row, a last row with neither target
  nor points or with fewer cells than every other row, or a single first level whose points fall
  short of a full table. A goal table
  without a 满意度指标, or whose points do not add up, is complete (a finding for the rules).
- **Sanity.** Rows that look wrong make the document `partial` with the reason: a label such as
  项目名称 in an indicator row, a project without indicators, budget figures that do not reconcile,
  a self-evaluation whose 得分 column is blank throughout (an unfilled form: loaded with its goals,
  weights and money, its scores left null).
- **Confidence** (0–1) multiplies the shares of rows understood, cells placed, labels known and
  indicators with a target and both levels (`confidence`); below `PARTIAL_BELOW` the document is
  `partial`, and the report names what could not be placed, with the line.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING

from jixiao.interpret.budget import reconcile
from jixiao.model import Note, ParsedDocument, ParsedProject

if TYPE_CHECKING:
    from jixiao.interpret.passes import Pass

PARTIAL_BELOW = 0.8
# A goal table's points are 90 (10 reserved for 预算执行率) or 100; a self-evaluation's 90 + 10.
FULL_POINTS = 90.0

_YEAR_PROSE = re.compile(r"((?:19|20)\d{2})\s*年")


def finish(ps: Pass) -> ParsedDocument:
    """Given the pass after the last row, returns the parsed document with its report."""
    notes: list[Note] = []
    problems: list[Note] = []
    doc_year = next((int(m.group(1)) for text in ps.preamble for m in [_YEAR_PROSE.search(text)] if m), None)
    # A project with nothing but a title is a title (a repeated heading); one with a name, unit or
    # department and no indicators is reported (没有读到任何指标), never dropped in silence.
    projects = [p for p in ps.projects if p.indicators or any(p.fields.get(k) for k in ("name", "unit", "department", "code"))]
    years = [p.year for p in projects if p.year]
    if doc_year is None and years:
        doc_year = max(set(years), key=years.count)
    for p in projects:
        p.year = p.year or doc_year
        p.kind = p.kind or ps.doc_kind or "goal"
        _horizons(p, notes)
        money = ps.money[id(p)]
        p.money, money_notes, money_problems = reconcile(
            money.total, money.parts, points_header=money.points_header, rate_basis=money.rate_basis,
            self_eval=p.kind == "self_eval", line=money.line or p.source_line)
        notes.extend(_about(p, n) for n in money_notes)
        problems.extend(_about(p, n) for n in money_problems)
        _total(p)
        if not p.fields.get("unit") and p.fields.get("department"):
            p.fields["unit"] = p.fields["department"]
            notes.append(Note(f"项目「{p.label}」未写实施单位，按主管部门「{p.fields['department']}」计", p.source_line))
        if p.scope == "department":
            notes.append(Note(f"「{p.label}」是部门整体支出绩效表，按部门整体（scope=department）导入", p.source_line))
    for k, p in enumerate(projects):
        if not p.indicators:
            p.incomplete = "没有读到任何指标"
        elif k == len(projects) - 1 and not p.ended:
            p.incomplete = cut_off(p)
        if not p.incomplete and _lacks_total(p):
            problems.append(Note(f"项目「{p.label}」的自评表没有总分行（指标分值已满 {FULL_POINTS:g} 分，按完整的表导入，请核对原文）",
                                 p.source_line))
        if not p.incomplete and _unscored(p):
            blank_actuals = "，完成值也为空" if not any(i.cells.get("actual") for i in p.indicators) else ""
            problems.append(Note(f"项目「{p.label}」的自评表尚未填写：{len(p.indicators)} 项指标的得分均为空{blank_actuals}"
                                 f"（按未评分导入：指标、权重和预算照录，得分留空）", p.source_line))
    for note in ps.bogus:
        problems.append(note)
    if ps.count["bogus"] > len(ps.bogus):
        problems.append(Note(f"另有 {ps.count['bogus'] - len(ps.bogus)} 行栏目名处在指标行的位置"))
    conf = confidence(ps.count, [i for p in projects if not p.incomplete for i in p.indicators]) if any(
        not p.incomplete for p in projects) else 0.0
    if conf < PARTIAL_BELOW and any(not p.incomplete for p in projects):
        problems.append(Note(f"解析把握度低（{conf:.2f}）：{_why(ps.count, projects)}"))
    unplaced = ps.unplaced + ps.unplaced_cells
    if unplaced:
        notes.append(Note("未能归入的内容（请核对原文）："))
        notes.extend(unplaced)
        more = ps.count["unplaced"] - ps.count["bogus"] - len(ps.unplaced)
        if more > 0:
            notes.append(Note(f"……另有 {more} 行未能识别"))
    skipped = {"preamble": "表前文字（如部门整体目标）", "skipped": "模板空行、表尾说明、签字栏和审核意见"}
    counted = "，".join(f"{label} {ps.count[k]} 行" for k, label in skipped.items() if ps.count[k])
    if counted:
        notes.append(Note("跳过：" + counted))
    text = " ".join(p.title or "" for p in projects[:3])
    kind = ps.doc_kind or (projects[0].kind if projects else None)
    return ParsedDocument(kind=kind, year=doc_year, projects=projects, notes=notes, problems=problems,
                          confidence=round(conf, 3), doc_text=text)


def cut_off(p: ParsedProject) -> str | None:
    """Given the file's last project, whose table nothing follows, returns why it was cut off —
    or None when the table itself shows it is complete."""
    weights = _weights(p)
    # No 总分 row is evidence only with points short of full: some forms have no total row.
    if _lacks_total(p) and (weights is None or weights < FULL_POINTS):
        return "文件在指标表中途结束（有得分栏而缺少总分行）"
    last = p.indicators[-1]
    if not last.cells.get("target") and last.weight is None and last.score is None and not last.cells.get("actual"):
        return "最后一行指标不完整"
    widths = {i.row_width for i in p.indicators[:-1]}
    if len(p.indicators) > 3 and len(widths) == 1 and last.row_width < min(widths):
        # Every other row of the table has the same cells (one cell per line, a sheet, a Word
        # grid): a shorter last row is a row cut off, not a short indicator.
        return f"最后一行指标不完整（比其他行少 {min(widths) - last.row_width} 个单元格）"
    level1s = {i.level1 for i in p.indicators if i.level1}
    if len(level1s) <= 1 and (weights is None or weights < FULL_POINTS):
        only = next(iter(level1s), "一级指标")
        return f"文件在指标表中途结束（只读到「{only}」）"
    # Points short of the file's other tables are not evidence: weights that do not add up are a
    # finding (JX201) as often as a cut.
    return None


def confidence(count: Counter[str], indicators: list) -> float:
    """Given the pass's counts and the loaded indicators, returns how much was understood (0–1).

    The product of four shares, so that any one of them going wrong shows: rows read (not left
    unplaced), cells placed in indicator rows, label rows known (square root: an unknown label
    costs less than an unknown row), and indicators with a target and both levels (half for the
    target, a quarter per level).
    """
    rows_ok = count["read"] + count["skipped"]
    rows = _share(rows_ok, rows_ok + count["unplaced"])
    cells = _share(count["cells_placed"], count["cells_placed"] + count["cells_unplaced"])
    labels = _share(count["label_rows"], count["label_rows"] + count["unplaced"] - count["bogus"])
    inds = (sum(_indicator_ok(i) for i in indicators) / len(indicators)) if indicators else 0.0
    return rows * cells * labels ** 0.5 * inds


def _indicator_ok(ind) -> float:
    has_target = bool(ind.cells.get("target") or ind.cells.get("actual"))
    has_levels = (ind.level1 is not None) + (ind.level2 is not None)
    return 0.5 * has_target + 0.25 * has_levels


def _why(count: Counter[str], projects: list[ParsedProject]) -> str:
    inds = [i for p in projects for i in p.indicators]
    reasons = []
    if count["unplaced"]:
        reasons.append(f"{count['unplaced']} 行未能识别")
    if count["cells_unplaced"]:
        reasons.append(f"{count['cells_unplaced']} 个单元格未归入栏目")
    no_target = sum(1 for i in inds if not (i.cells.get("target") or i.cells.get("actual")))
    no_level = sum(1 for i in inds if i.level1 is None or i.level2 is None)
    if no_target:
        reasons.append(f"{no_target} 个指标没有指标值")
    if no_level:
        reasons.append(f"{no_level} 个指标缺少一级或二级指标")
    return "，".join(reasons) or "版式未能完全识别"


def _share(good: int, total: int) -> float:
    return 1.0 if total <= 0 else good / total


def _lacks_total(p: ParsedProject) -> bool:
    """Whether a self-evaluation with a 得分 column has no 总分 row."""
    return p.kind == "self_eval" and bool(p.fields.get("_score_column")) and not p.has_total


def _unscored(p: ParsedProject) -> bool:
    """Whether a self-evaluation with a 得分 column has no score at all: not one indicator's 得分
    and no 总分 (an unfilled form — its goals and weights are read, its scores are not invented)."""
    return (p.kind == "self_eval" and bool(p.fields.get("_score_column")) and bool(p.indicators)
            and all(i.score is None for i in p.indicators) and p.fields.get("total_score_reported") is None)


def _weights(p: ParsedProject) -> float | None:
    ws = [i.weight for i in p.indicators if i.weight is not None]
    return round(sum(ws), 6) if ws and len(ws) >= len(p.indicators) // 2 else None


def _horizons(p: ParsedProject, notes: list[Note]) -> None:
    """A 申报表 with a 长期绩效指标 table and a 年度绩效指标 table: the annual one is the year's goals."""
    long = [i for i in p.indicators if i.horizon == "long"]
    if not long:
        return
    if len(long) < len(p.indicators):
        p.indicators = [i for i in p.indicators if i.horizon != "long"]
        notes.append(Note(f"项目「{p.label}」的长期绩效指标 {len(long)} 项未导入（以年度绩效指标为准）", long[0].source_line))
    else:
        notes.append(Note(f"项目「{p.label}」只有长期绩效指标，按其导入", long[0].source_line))


def _total(p: ParsedProject) -> None:
    """总分 / 合计: where its numbers stand in the table's 权重 / 得分 columns, the one under 得分 is
    the score and one under 权重 alone is the points total (no score reported). Otherwise, with
    two numbers the last is the score (the first the points); one number is the points total
    where it equals the points (indicators + 预算执行率) and not the scores (四川: 合计 | 100 with
    the 得分 column empty), else the score."""
    nums = p.fields.pop("_total_numbers", None)
    by_role = p.fields.pop("_total_by_role", None)
    if by_role is not None:
        if "score" in by_role:
            p.fields["total_score_reported"] = by_role["score"]
        return
    if not nums:
        return
    if len(nums) == 1:
        points = (_weights(p) or 0.0) + (p.money.points or 0.0)
        scores = sum(i.score or 0.0 for i in p.indicators) + (p.money.score or 0.0)
        scored = any(i.score is not None for i in p.indicators)
        if abs(nums[0] - points) < 1e-6 and (not scored or abs(nums[0] - scores) > 1e-6):
            return
    p.fields["total_score_reported"] = nums[-1]


def _about(p: ParsedProject, note: Note) -> Note:
    return Note(f"项目「{p.label}」：{note.text}", note.line)
