"""A self-evaluation's 总分 / 合计 row read by the column its numbers stand in, and a
self-evaluation whose 得分 column is blank throughout (an unfilled form) said so."""

from __future__ import annotations

from pathlib import Path

from jixiao.ingest import parse_file
from jixiao.interpret import interpret
from jixiao.model import Row

# 四川 510000_0013zp's layout (as tab text keeps it: every cell in its column, blanks included).
HEAD = """部门预算项目支出绩效自评表(2024年度)
项目名称\t51112624R000000050001-乡村道路养护
主管部门\t某县交通运输局本级\t实施单位\t某县交通运输局
预算执行情况(10分)\t年度预算数(万元)\t年初预算\t调整后预算数\t预算执行数\t预算执行率\t权重\t得分\t原因
\t总额\t20.00\t20.00\t20.00\t100.00%\t10\t{budget_score}\t
绩效指标(90分)\t一级指标\t二级指标\t三级指标\t指标性质\t指标值\t度量单位\t完成值\t权重\t得分\t未完成原因分析
\t产出指标\t数量指标\t养护里程\t≥\t40\t公里\t{actual}\t60\t{s1}\t
\t效益指标\t社会效益指标\t群众出行条件\t定性\t明显改善\t\t{actual2}\t30\t{s2}\t
"""


def _doc(total_row: str, **cells: str):
    fill = {"budget_score": "", "actual": "", "actual2": "", "s1": "", "s2": ""} | cells
    text = HEAD.format(**fill) + total_row + "评价结论\t结合自评情况说明\n"
    return interpret([Row(tuple(line.split("\t")), k) for k, line in enumerate(text.splitlines(), start=1)])


def test_a_total_under_the_weight_column_is_no_score():
    # Every score full (60 + 30 + 10 = 100 = the points): the 合计 row's 100 stands under 权重 and
    # 得分 is blank. It is the weights' total; read by its numbers alone it would pass for a score.
    doc = _doc("合计\t\t\t\t\t\t\t\t100\t\t\n", budget_score="10", actual="40", actual2="明显改善", s1="60", s2="30")
    p = doc.projects[0]
    assert [i.weight for i in p.indicators] == [60, 30]
    assert [i.score for i in p.indicators] == [60, 30]
    assert p.fields.get("total_score_reported") is None


def test_a_total_under_the_score_column_is_the_score():
    doc = _doc("合计\t\t\t\t\t\t\t\t100\t97\t\n", budget_score="10", actual="38", actual2="明显改善", s1="57", s2="30")
    assert doc.projects[0].fields["total_score_reported"] == 97
    # a packed 总分 row (its numbers in no particular column) is read by its numbers as before
    doc = _doc("总分\t97\n", budget_score="10", actual="38", actual2="明显改善", s1="57", s2="30")
    assert doc.projects[0].fields["total_score_reported"] == 97


def _status(tmp_path: Path, text: str):
    path = tmp_path / "doc.txt"
    path.write_text(text, encoding="utf-8")
    return parse_file(path).report


def test_a_self_evaluation_with_every_score_blank_is_partial(tmp_path):
    total = "合计\t\t\t\t\t\t\t\t100\t\t\n"
    # 得分 and 完成值 blank: an unfilled form, its weights and budget kept, no score invented
    doc = _doc(total)
    p = doc.projects[0]
    assert [i.weight for i in p.indicators] == [60, 30] and [i.score for i in p.indicators] == [None, None]
    rep = _status(tmp_path, HEAD.format(budget_score="", actual="", actual2="", s1="", s2="") + total)
    assert rep.status == "partial"
    assert "尚未填写" in rep.message and "得分均为空" in rep.message and "完成值也为空" in rep.message
    # 完成值 given, 得分 still blank: unfilled all the same (without the 完成值 clause)
    rep = _status(tmp_path, HEAD.format(budget_score="", actual="40", actual2="明显改善", s1="", s2="") + total)
    assert rep.status == "partial" and "得分均为空" in rep.message and "完成值" not in rep.message
    # one score given: filled (a blank score beside it is a finding for the rules, not an unfilled form)
    rep = _status(tmp_path, HEAD.format(budget_score="10", actual="40", actual2="明显改善", s1="60", s2="") + total)
    assert rep.status == "ok", rep.message


def test_a_self_evaluation_without_a_score_column_is_not_unfilled():
    # 湖南 县级专项资金绩效目标自评表: no 得分 column at all, nothing left unfilled
    path = Path(__file__).resolve().parents[1] / "fixtures" / "provinces" / "selfeval_special_fund_qidong.txt"
    parsed = parse_file(path)
    assert parsed.report.status == "ok", parsed.report.message
    assert "尚未填写" not in parsed.frames["documents"]["parse_report"][0]
