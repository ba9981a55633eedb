"""What the interpreter concludes about a document: complete or cut off (on evidence, never a
guess), rows that look wrong (partial, with the reason), and how sure it is (confidence)."""

from __future__ import annotations

from pathlib import Path

import pytest

from jixiao.ingest import parse_file

HEAD = """项目支出绩效目标表
(2025)年度
项目名称\t乡村道路养护
实施单位\t临泽县交通运输局
年度资金总额\t12
一级指标\t二级指标\t三级指标\t指标值\t分值
"""
OUTPUT = """产出指标\t数量指标\t养护里程\t≥40公里\t30
\t质量指标\t路面完好率\t≥90%\t30
"""
BENEFIT = """效益指标\t社会效益指标\t群众出行条件\t明显改善\t30
"""
SATISFACTION = """满意度指标\t服务对象满意度指标\t沿线群众满意度\t≥90%\t10
"""
SELF_HEAD = """项目支出绩效自评表
(2024年度)
项目名称\t乡村道路养护
实施单位\t临泽县交通运输局
项目资金(万元)\t年初预算数\t全年执行数\t分值\t执行率\t得分
年度资金总额\t20\t16\t10\t80%\t8
一级指标\t二级指标\t三级指标\t分值\t指标值\t全年实际值\t得分
产出指标\t数量指标\t养护里程\t45\t≥40公里\t42公里\t45
效益指标\t社会效益指标\t群众出行条件\t45\t明显改善\t明显改善\t40
"""


def _parse(tmp_path: Path, text: str):
    path = tmp_path / "doc.txt"
    path.write_text(text, encoding="utf-8")
    return parse_file(path)


@pytest.mark.parametrize("text,status,why", [
    # complete, without a satisfaction indicator, and nothing after the table: a finding, not a cut
    (HEAD + OUTPUT + BENEFIT, "ok", None),
    (HEAD + OUTPUT + BENEFIT + SATISFACTION, "ok", None),
    # the file ends after the first first-level group: cut off
    (HEAD + OUTPUT, "failed", "只读到「产出指标」"),
    # a self-evaluation with a 得分 column ends without its 总分 row, its points short of full: cut off
    (SELF_HEAD.replace("\t40\n", "\t40\n", 1).replace("群众出行条件\t45", "群众出行条件\t30"), "failed", "缺少总分行"),
    # … with its points full (90 + 10 for the budget): a form without a total row, loaded and said
    (SELF_HEAD, "partial", "没有总分行"),
    (SELF_HEAD + "总分\t\t\t\t\t\t93\n", "ok", None),
    # a footnote closes the table whatever it holds
    (HEAD + OUTPUT + "说明\t无\n", "ok", None),
])
def test_cut_off_only_on_evidence(tmp_path, text, status, why):
    rep = _parse(tmp_path, text).report
    assert rep.status == status, rep.message
    if why:
        assert why in rep.message and ("未导入" in rep.message) == (status == "failed")
    if status == "partial":  # kept, with what was read
        assert (rep.projects, rep.indicators) == (1, 2)


def test_self_evaluation_reads_budget_and_total(tmp_path):
    parsed = _parse(tmp_path, SELF_HEAD + "总分\t\t\t\t\t\t93\n")
    p = parsed.frames["projects"].row(0, named=True)
    assert (p["budget"], p["executed"], p["execution_rate"], p["budget_score_reported"], p["total_score_reported"]) == (
        20, 16, 0.8, 8, 93)


@pytest.mark.parametrize("row,why", [
    ("产出指标\t时效指标\t单位名称\t临泽县交通运输局\t10\n", "「单位名称」是表格的栏目名"),
    ("\t\t部门\t临泽县交通运输局\n", "没有读到任何指标"),  # a 部门 row after the table starts a project that has none
])
def test_rows_that_look_wrong_make_it_partial(tmp_path, row, why):
    parsed = _parse(tmp_path, HEAD + OUTPUT + BENEFIT + row + SATISFACTION)
    rep = parsed.report
    assert rep.status == "partial" and why in rep.message, rep.message
    names = parsed.frames["indicators"]["name"].to_list()
    assert "单位名称" not in names and "部门" not in names


def test_budget_that_does_not_reconcile_is_partial(tmp_path):
    text = SELF_HEAD.replace("年度资金总额\t20\t16\t10\t80%\t8", "年度资金总额\t20\t16\t10\t60%\t6") + "总分\t\t\t\t\t\t91\n"
    rep = _parse(tmp_path, text).report
    assert rep.status == "partial"
    assert "执行率填写为 60%" in rep.message and "应为 80%" in rep.message
    parts = HEAD.replace("年度资金总额\t12", "年度资金总额\t12\n其中：财政拨款\t10\n其他资金\t1")
    rep = _parse(tmp_path, parts + OUTPUT + BENEFIT + SATISFACTION).report
    assert rep.status == "partial" and "与各来源合计 11 万元不符" in rep.message


def test_opinion_and_remark_rows_are_not_indicators(tmp_path):
    tail = "其他需说明的问题\t无\n主管部门审核意见\t同意\n财政部门审核意见\t同意\n"
    parsed = _parse(tmp_path, HEAD + OUTPUT + BENEFIT + SATISFACTION + tail)
    assert parsed.report.status == "ok"
    assert parsed.frames["indicators"].height == 4


def test_low_confidence_is_partial_and_names_the_lines(tmp_path):
    unknown = "".join(f"项目类别码{k}\t代码{k}\n" for k in range(10))
    head = HEAD.replace("一级指标", unknown + "一级指标")
    parsed = _parse(tmp_path, head + OUTPUT + BENEFIT + SATISFACTION)
    doc = parsed.frames["documents"].row(0, named=True)
    assert doc["status"] == "partial" and "解析把握度低" in doc["message"] and "10 行未能识别" in doc["message"]
    assert doc["confidence"] < 0.8
    assert "第6行：未能识别的行「项目类别码0 | 代码0」" in doc["parse_report"]
    assert parsed.frames["indicators"].height == 4
    # rows in the table that are not indicators (no level, no value) lower the confidence too
    inside = _parse(tmp_path, HEAD + unknown + OUTPUT + BENEFIT + SATISFACTION).frames["documents"].row(0, named=True)
    assert inside["status"] == "partial" and "10 个指标缺少一级或二级指标" in inside["message"]
    # the same document without them is understood
    clean = _parse(tmp_path, HEAD + OUTPUT + BENEFIT + SATISFACTION).frames["documents"].row(0, named=True)
    assert clean["status"] == "ok" and clean["confidence"] == 1.0


def test_department_wide_table_is_loaded_with_its_scope(tmp_path):
    text = HEAD.replace("项目支出绩效目标表", "临泽县交通运输局部门整体支出绩效目标表").replace(
        "项目名称\t乡村道路养护\n", "") + OUTPUT + BENEFIT + SATISFACTION
    parsed = _parse(tmp_path, text)
    p = parsed.frames["projects"].row(0, named=True)
    assert (parsed.report.status, p["scope"], p["unit"]) == ("ok", "department", "临泽县交通运输局")
    assert "部门整体" in parsed.frames["documents"]["parse_report"][0]
