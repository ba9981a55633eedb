"""四川 部门预算项目支出绩效自评表 (报表编号 510000_0013zp) as a county unit filed it unfilled
(青神县发展和改革局, 2023): 完成值 and 得分 blank, the 权重 given. Expected values read off the
document by eye (tests/fixtures/provinces/selfeval_sichuan_qingshen_unfilled.txt):

- 项目名称 51000021R000000019951-工资性支出; 主管部门 青神县发展和改革局本级; 实施单位 青神县发展和改革局;
- 总额: 年初预算 238.93, 调整后预算数 251.89, 预算执行数 251.89, 预算执行率 100.00%, 权重 10, 得分 blank;
- 产出指标 / 数量指标 / 发放(缴纳)覆盖率 | = | 100 | % | (完成值 blank) | 权重 60 | (得分 blank);
  效益指标 / 社会效益指标 / 足额保障率(参保率) | = | 100 | % | | 30 | ;
- 合计 | … | 100 under 权重, 得分 blank: the weights' total (60 + 30 + 10), no score.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from jixiao.ingest import parse_file

PROVINCES = Path(__file__).resolve().parents[1] / "fixtures" / "provinces"
TAB = PROVINCES / "selfeval_sichuan_qingshen_unfilled.txt"
ROW1 = "\t产出指标\t数量指标\t发放(缴纳)覆盖率\t=\t100\t%\t\t60\t\t"
ROW2 = "\t效益指标\t社会效益指标\t足额保障率(参保率)\t=\t100\t%\t\t30\t\t"


def _close(a, b):
    return a is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def _read(parsed):
    projects = list(parsed.frames["projects"].iter_rows(named=True))
    assert len(projects) == 1, parsed.report.message
    return projects[0], list(parsed.frames["indicators"].sort("seq").iter_rows(named=True))


def _variant(tmp_path: Path, row1: str, row2: str):
    text = TAB.read_text(encoding="utf-8")
    assert ROW1 in text and ROW2 in text  # the fixture as the document has it
    path = tmp_path / "variant.txt"
    path.write_text(text.replace(ROW1, row1).replace(ROW2, row2), encoding="utf-8")
    return parse_file(path)


def test_identity_and_budget():
    p, _ = _read(parse_file(TAB))
    assert (p["name"], p["code"]) == ("工资性支出", "51000021R000000019951")
    assert (p["department"], p["unit"]) == ("青神县发展和改革局本级", "青神县发展和改革局")
    assert p["kind"] == "self_eval" and p["year"] == 2023 and p["county"] == "青神县"
    assert _close(p["budget"], 238.93) and _close(p["budget_adjusted"], 251.89) and _close(p["executed"], 251.89)
    assert _close(p["execution_rate_reported"], 1.0) and _close(p["execution_rate"], 1.0)
    assert _close(p["budget_points"], 10) and p["budget_score_reported"] is None


def test_weights_stay_weights_and_blank_scores_stay_blank():
    p, rows = _read(parse_file(TAB))
    assert [(r["level1"], r["level2"], r["name"]) for r in rows] == [
        ("产出指标", "数量指标", "发放(缴纳)覆盖率"), ("效益指标", "社会效益指标", "足额保障率(参保率)")]
    assert [r["weight"] for r in rows] == [60, 30]
    assert [r["score_reported"] for r in rows] == [None, None]
    assert [r["actual_raw"] for r in rows] == [None, None]
    assert all((r["target_op"], r["target_unit"]) == ("=", "%") and _close(r["target_value"], 1.0) for r in rows)
    # 合计 100 stands under 权重: the weights' total, not a score
    assert p["total_score_reported"] is None


def test_unfilled_form_is_partial_and_says_so():
    parsed = parse_file(TAB)
    assert parsed.report.status == "partial"
    assert "自评表尚未填写" in parsed.report.message and "2 项指标的得分均为空" in parsed.report.message
    # the form's own prompt in the 年度目标完成情况 cell is not the unit's text
    p, _ = _read(parsed)
    assert p["goal"] == "严格执行相关政策,保障工资及时、足额发放或社保及时、足额缴纳,预算编制科学合理,减少结余资金。"
    assert p["goal_summary"] is None


def test_actuals_given_scores_blank(tmp_path):
    parsed = _variant(tmp_path, ROW1.replace("%\t\t60", "%\t100\t60"), ROW2.replace("%\t\t30", "%\t100\t30"))
    _, rows = _read(parsed)
    assert [r["actual_raw"] for r in rows] == ["100", "100"]
    assert [r["weight"] for r in rows] == [60, 30] and [r["score_reported"] for r in rows] == [None, None]
    assert parsed.report.status == "partial" and "完成值" not in parsed.report.message


def test_filled_form_reads_weights_and_scores(tmp_path):
    parsed = _variant(tmp_path, ROW1.replace("%\t\t60\t", "%\t100\t60\t55"), ROW2.replace("%\t\t30\t", "%\t100\t30\t30"))
    p, rows = _read(parsed)
    assert [r["weight"] for r in rows] == [60, 30] and [r["score_reported"] for r in rows] == [55, 30]
    assert p["total_score_reported"] is None  # still the weights' total under 权重
    assert parsed.report.status == "ok", parsed.report.message


FLAT = PROVINCES / "selfeval_sichuan_qingshen_flat.txt"


def test_flattened_copy_reads_as_the_tab_copy():
    # one cell per line, an empty cell an empty line: the rows are rebuilt from the header
    parsed = parse_file(FLAT)
    p, rows = _read(parsed)
    tab_p, tab_rows = _read(parse_file(TAB))
    keys = ("name", "code", "department", "unit", "year", "budget", "budget_adjusted", "executed",
            "execution_rate_reported", "budget_points", "budget_score_reported", "total_score_reported", "goal")
    assert {k: p[k] for k in keys} == {k: tab_p[k] for k in keys}
    assert _close(p["budget"], 238.93) and _close(p["budget_adjusted"], 251.89) and _close(p["executed"], 251.89)
    ind = ("level1", "level2", "name", "target_op", "target_value", "target_unit", "weight", "actual_raw", "score_reported")
    assert [{k: r[k] for k in ind} for r in rows] == [{k: r[k] for k in ind} for r in tab_rows]
    assert [r["weight"] for r in rows] == [60, 30] and [r["score_reported"] for r in rows] == [None, None]
    assert p["total_score_reported"] is None
    assert parsed.report.status == "partial" and "自评表尚未填写" in parsed.report.message
    report = parsed.frames["documents"]["parse_report"][0]
    assert "每行一个单元格" in report


def _flat(tmp_path: Path, body: str):
    path = tmp_path / "flat.txt"
    path.write_text(body, encoding="utf-8")
    return parse_file(path)


FLAT_HEAD = "项目支出绩效自评表\n(2024年度)\n项目名称\n乡村道路养护\n实施单位\n某县交通运输局\n" \
            "一级指标\n二级指标\n三级指标\n指标值\n完成值\n分值\n得分\n"


def test_flattened_rows_with_merged_level_cells(tmp_path):
    # the second row's 一级指标 merged into the first's (a row from 二级指标 on), the third's
    # 一级 and 二级 both (a row from 三级指标 on); an empty 完成值 is an empty line
    body = FLAT_HEAD + "产出指标\n数量指标\n养护里程\n≥40公里\n42公里\n30\n30\n" \
        "质量指标\n路面完好率\n≥90%\n\n30\n25\n" \
        "群众投诉处理率\n100%\n100%\n30\n30\n" \
        "满意度指标\n服务对象满意度指标\n群众满意度\n≥90%\n95%\n10\n10\n" \
        "总分\n95\n"
    _, rows = _read(_flat(tmp_path, body))
    assert [(r["level1"], r["level2"], r["name"]) for r in rows] == [
        ("产出指标", "数量指标", "养护里程"), ("产出指标", "质量指标", "路面完好率"),
        ("产出指标", "质量指标", "群众投诉处理率"), ("满意度指标", "服务对象满意度指标", "群众满意度")]
    assert [r["actual_raw"] for r in rows] == ["42公里", None, "100%", "95%"]
    assert [r["weight"] for r in rows] == [30, 30, 30, 10] and [r["score_reported"] for r in rows] == [30, 25, 30, 10]


def test_a_flattened_row_cut_short_is_said(tmp_path):
    # a row with fewer lines than the header has columns (its last cell lost): rebuilt, and said
    body = FLAT_HEAD + "产出指标\n数量指标\n养护里程\n≥40公里\n42公里\n30\n" \
        "满意度指标\n服务对象满意度指标\n群众满意度\n≥90%\n95%\n10\n10\n总分\n40\n"
    parsed = _flat(tmp_path, body)
    assert parsed.report.status == "partial"
    assert "单元格少于表头的栏数" in parsed.report.message


def test_other_layouts_are_not_regrouped():
    from jixiao.interpret.flat import regroup
    from jixiao.readers import read_file
    from jixiao.vocabulary import current

    # the tab copy, and 河北's Word text (one cell per line with TABs, rows kept by the reader)
    for path in (TAB, PROVINCES / "selfeval_hebei_langfang.txt"):
        assert regroup(read_file(path, path.read_bytes()).rows, current()) is None
    assert regroup(read_file(FLAT, FLAT.read_bytes()).rows, current()) is not None


@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
def test_as_a_spreadsheet_or_word_table(tmp_path, fmt):
    # every blank a real cell of its column, as in the tab text: the same reading
    from jixiao.writers import rows_to_docx, rows_to_xlsx, text_to_blocks

    target = tmp_path / f"qingshen.{fmt}"
    (rows_to_xlsx if fmt == "xlsx" else rows_to_docx)(text_to_blocks(TAB.read_text(encoding="utf-8")), target)
    parsed = parse_file(target)
    p, rows = _read(parsed)
    assert [r["weight"] for r in rows] == [60, 30] and [r["score_reported"] for r in rows] == [None, None]
    assert p["total_score_reported"] is None and _close(p["budget_points"], 10) and _close(p["executed"], 251.89)
    assert parsed.report.status == "partial" and "自评表尚未填写" in parsed.report.message


def test_a_prompt_is_only_the_prompt_alone():
    from jixiao.interpret.passes import _is_prompt

    assert _is_prompt("对照年度目标,说明相关任务目标的完成情况(100字以内)")
    assert _is_prompt("结合自评情况,分析存在的问题及原因。（200字以内）")
    # the unit's text with the prompt left after it is kept
    assert not _is_prompt("全年按时足额发放工资及社保缴费，覆盖率100%，未发生拖欠。对照年度目标,说明相关任务目标的完成情况(100字以内)")
    assert not _is_prompt("全年按时足额发放工资及社保缴费")
