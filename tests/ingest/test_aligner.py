"""The aligner is pure: a row's cells placed in its header's columns by content and position.
Shifted rows, dropped empty cells and packed rows give the same fields as an aligned row."""

from __future__ import annotations

import pytest

from jixiao.interpret.align import align, align_columns, indicator_compat, profile
from jixiao.interpret.budget import BudgetLine, read_line

# 000-like header: 三级指标 at column 2, then 指标值 | 度量单位 | 指标值类型 | 分值
ROLES = [("target", 3), ("unit", 4), ("type", 5), ("weight", 6)]
WANT = {"target": "365", "unit": "天", "type": "=", "weight": "10"}


def _shifted(shift: int) -> list[tuple[str, int]]:
    return [(r, c + shift) for r, c in ROLES]


@pytest.mark.parametrize("cells,start,shift,want", [
    # aligned
    (["产出指标", "数量指标", "维护天数", "365", "天", "=", "10"], 3, 0, WANT),
    # shifted right by two (000: the level cells pushed right)
    (["", "", "产出指标", "数量指标", "维护天数", "365", "天", "=", "10"], 5, 2, WANT),
    # shifted left by one (a level cell lost)
    (["数量指标", "维护天数", "365", "天", "=", "10"], 2, -1, WANT),
    # the unit left empty: the type and weight stay in their columns
    (["产出指标", "数量指标", "维护天数", "365", "", "=", "10"], 3, 0, {"target": "365", "type": "=", "weight": "10"}),
    # packed: empty cells dropped by the extraction, so positions lie; content decides
    (["产出指标", "数量指标", "维护天数", "365", "=", "10"], 3, 0, {"target": "365", "type": "=", "weight": "10"}),
    # a qualitative row: 定性 is a type, a date a target
    (["", "时效指标", "完成时间", "2026年12月31日前", "定性"], 3, 0, {"target": "2026年12月31日前", "type": "定性"}),
])
def test_align_shifted_indicator_rows(cells, start, shift, want):
    assert align(cells, start, _shifted(shift), indicator_compat) == want


SELF_EVAL = [("weight", 3), ("target", 4), ("actual", 5), ("scoring_rule", 6), ("score", 7), ("reason", 8)]


@pytest.mark.parametrize("cells,want", [
    (["", "", "指标1: 电子印章数量", "10", "400个", "400个", "", "10"],
     {"weight": "10", "target": "400个", "actual": "400个", "score": "10"}),
    # 001: the score lands one column right, past an empty scoring rule
    (["", "", "指标1: 推进高质量发展", "10", "成效显著", "成效显著", "", "", "6", "继续推进"],
     {"weight": "10", "target": "成效显著", "actual": "成效显著", "score": "6", "reason": "继续推进"}),
    # a scoring text is a scoring rule, not a reason
    (["", "", "指标1: 覆盖人数", "10", "全覆盖", "全覆盖", "完成值达到指标值，记满分", "10"],
     {"weight": "10", "target": "全覆盖", "actual": "全覆盖", "scoring_rule": "完成值达到指标值，记满分", "score": "10"}),
])
def test_align_self_evaluation_rows(cells, want):
    assert align(cells, 3, SELF_EVAL, indicator_compat) == want


# 003's goal header: 三级指标 | 绩效指标描述 | 指标值 | 指标值确定依据
GOAL_003 = [("description", 3), ("target", 4), ("basis", 5)]


@pytest.mark.parametrize("cells,want", [
    # an amount with its unit where the description stands is the description (003 line 312)
    (["", "成本指标", "项目总成本", "6.5万元", "≥98%", "单位工作需要"],
     {"description": "6.5万元", "target": "≥98%", "basis": "单位工作需要"}),
    # the description left out and the cells packed: the amount is the target
    (["", "成本指标", "项目总成本", "6.5万元", "单位工作需要"], {"target": "6.5万元", "basis": "单位工作需要"}),
    # a bare number in the description column is a value out of place, not a description
    (["", "数量指标", "参保人数", "95", "单位工作需要"], {"target": "95", "basis": "单位工作需要"}),
])
def test_align_amounts_in_a_description_column(cells, want):
    assert align(cells, 3, GOAL_003, indicator_compat) == want


# 001 budget header: 年初预算数 (A) at column 4 … 得分 at 8, 得分计算方法 at 9
COLS_001 = {"budget": 4, "executed": 5, "points": 6, "rate": 7, "score": 8, "note": 9}
FULL = BudgetLine(budget=20, executed=16, points=10, rate=0.8, score=8)


@pytest.mark.parametrize("cells,label_col,want", [
    (["", "", "年度资金总额:", "", "20", "16", "10", "80%", "8", "执行率×该指标分值"], 2, FULL),
    # shifted one column left: label in the 2nd cell, values from the 4th (read 16 / 10 before)
    (["", "年度资金总额:", "", "20", "16", "10", "80%", "8", "执行率×该指标分值"], 1, FULL),
    # shifted one column right
    (["", "", "", "年度资金总额:", "", "20", "16", "10", "80%", "8"], 3, FULL),
    # packed: no empty cells at all
    (["年度资金总额:", "20", "16", "10", "80%", "8"], 0, FULL),
    # a part: amounts and the rate only
    (["", "", "其中: 财政拨款", "", "20", "16", "", "80%", ""], 2, BudgetLine(budget=20, executed=16, rate=0.8)),
    # nothing executed yet: 分值 stays 分值
    (["", "", "年度资金总额:", "", "20", "", "10", "0%", "0"], 2, BudgetLine(budget=20, points=10, rate=0.0, score=0)),
])
def test_budget_row_read_by_content(cells, label_col, want):
    assert read_line(cells, label_col, COLS_001, "万元") == want


def test_budget_row_placeholders_and_adjusted_budget():
    # 10号 form: 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分, parts with dashes
    cols = {"budget": 2, "adjusted": 3, "executed": 4, "points": 5, "rate": 6, "score": 7}
    got = read_line(["", "其中：当年财政拨款", "120", "120", "108", "—", "—", "—"], 1, cols, "万元")
    assert got == BudgetLine(budget=120, adjusted=120, executed=108)
    # 四川: 预算执行率 before 权重, amounts in 元 where the table says so
    cols = {"budget": 2, "adjusted": 3, "executed": 4, "rate": 5, "points": 6, "score": 7, "note": 8}
    got = read_line(["", "总额", "250,000", "280,000", "266,000", "95.00%", "10", "9.5"], 1, cols, "元")
    assert got == BudgetLine(budget=25, adjusted=28, executed=26.6, points=10, rate=0.95, score=9.5)


# 四川 510000_0013zp: 三级指标 | 指标性质 | 指标值 | 度量单位 | 完成值 | 权重 | 得分 | 未完成原因分析
SICHUAN = [("type", 4), ("target", 5), ("unit", 6), ("actual", 7), ("weight", 8), ("score", 9), ("reason", 10)]


@pytest.mark.parametrize("cells,want", [
    # 青神 2023, an unfilled self-evaluation: 完成值 and 得分 left blank, 60 stands under 权重.
    # The blank 得分 cell holds its column: 60 is not drawn into it (a number fits 得分 best).
    (["", "产出指标", "数量指标", "发放(缴纳)覆盖率", "=", "100", "%", "", "60", "", ""],
     {"type": "=", "target": "100", "unit": "%", "weight": "60"}),
    # 完成值 given, 得分 blank: 100 stays the actual, 60 the weight (not 100 → 权重, 60 → 得分)
    (["", "产出指标", "数量指标", "发放(缴纳)覆盖率", "=", "100", "%", "100", "60", "", ""],
     {"type": "=", "target": "100", "unit": "%", "actual": "100", "weight": "60"}),
    # 指标值 blank, 完成值 given: each number in its own column
    (["", "产出指标", "数量指标", "发放(缴纳)覆盖率", "=", "", "%", "100", "60", "", ""],
     {"type": "=", "unit": "%", "actual": "100", "weight": "60"}),
    # filled: weight and score both
    (["", "产出指标", "数量指标", "发放(缴纳)覆盖率", "=", "100", "%", "100", "60", "58", ""],
     {"type": "=", "target": "100", "unit": "%", "actual": "100", "weight": "60", "score": "58"}),
    # the same row packed (its empty cells lost): nothing holds a column, content decides as before
    (["", "产出指标", "数量指标", "发放(缴纳)覆盖率", "=", "100", "%", "60"],
     {"type": "=", "target": "100", "unit": "%", "score": "60"}),
])
def test_blank_cells_hold_their_columns(cells, want):
    assert align(cells, 4, SICHUAN, indicator_compat) == want


def test_content_still_moves_a_cell_one_column_past_a_blank():
    # 000: 定性 one column past 指标值类型, in 备注, with blank 度量单位 / 指标值类型 before it
    roles = [("target", 4), ("description", 5), ("scoring_rule", 6), ("unit", 7), ("type", 8), ("note", 9)]
    cells = ["", "效益指标", "可持续影响指标", "加强网络维护", "效果明显", "考核项目实施情况",
             "效果明显得15分,效果一般5分,否则不得分。", "", "", "定性"]
    assert align(cells, 4, roles, indicator_compat)["type"] == "定性"
    # 001: a scoring rule one column right, in 得分, past a blank 得分计算方法
    cells = ["", "", "质量指标", "指标1: 经办使用率", "10", "100%", "100%", "", "按B/A×该指标分值记分", "10", "", ""]
    roles = [("weight", 4), ("target", 5), ("actual", 6), ("scoring_rule", 7), ("score", 8), ("reason", 9)]
    got = align(cells, 4, roles, indicator_compat)
    assert got["scoring_rule"] == "按B/A×该指标分值记分" and got["score"] == "10"


def test_a_row_past_the_header_has_no_blank_that_holds():
    # 001: the cells displaced three columns right, past the header's last column
    cells = ["", "", "成本指标", "指标1: 网上经办率", "10", "100%", "100%", "", "", "", "按B/A×该指标分值记分", "10", ""]
    roles = [("weight", 4), ("target", 5), ("actual", 6), ("scoring_rule", 7), ("score", 8), ("reason", 9)]
    got = align(cells, 4, roles, indicator_compat)
    assert got["scoring_rule"] == "按B/A×该指标分值记分" and got["score"] == "10"


def test_profiles_are_what_the_aligner_reads_of_a_cell():
    roles = tuple(_shifted(0))
    a = ["产出指标", "数量指标", "维护天数", "365", "天", "=", "10"]
    b = ["产出指标", "数量指标", "培训人次", "1200", "人次", "≥", "15"]
    c = ["产出指标", "数量指标", "培训人次", "1200", "", "≥", "15"]  # the unit left empty
    d = ["产出指标", "数量指标", "培训人次", "1200", "人次", "定性", "15"]  # a type word, not an operator
    pa, pb, pc, pd = (profile(x, 3) for x in (a, b, c, d))
    # other numbers, units and operators that fit the roles alike: one profile, one placement
    assert pa == pb
    assert align_columns(a, 3, roles, indicator_compat) == align_columns(b, 3, roles, indicator_compat) == {
        "target": 3, "unit": 4, "type": 5, "weight": 6}
    # an empty cell is a profile of its own; 定性 fits 指标值类型 as ≥ does, but a unit column too
    assert pc != pa and pc[1] == 0
    assert pd != pb and pd[:2] == pb[:2]
    # a text where a number stood fits the roles otherwise
    e = ["产出指标", "数量指标", "培训人次", "按计划完成", "人次", "≥", "15"]
    assert profile(e, 3) != pb
