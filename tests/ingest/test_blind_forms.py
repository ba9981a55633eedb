"""Province forms met in a blind test on real public documents (the fixtures copy the rows that
matter from tables published by 云南, 河北 and 内蒙古 units; names and phone numbers left out).
Each test names the form's feature; expected values were read off the documents by eye."""

from __future__ import annotations

import math
from pathlib import Path

from jixiao.ingest import parse_file

PROVINCES = Path(__file__).resolve().parents[1] / "fixtures" / "provinces"


def _project(parsed):
    projects = list(parsed.frames["projects"].iter_rows(named=True))
    assert len(projects) == 1
    return projects[0]


def _indicators(parsed):
    ind = parsed.frames["indicators"]
    return list(ind.sort("seq").iter_rows(named=True))


def _close(a, b):
    return a is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def test_yunnan_budget_row_with_blank_first_amount_is_not_shifted():
    # 云南 公开14表: 年初预算数 blank, 全年预算数 = 全年执行数 = 387664.62, 分值 10, 执行率 100%,
    # 得分 10. The blank first column is a column, not a shift.
    p = _project(parse_file(PROVINCES / "selfeval_yunnan_yongde.txt"))
    assert _close(p["execution_rate"], 1.0)
    assert _close(p["budget_points"], 10)
    assert _close(p["budget_score_reported"], 10)


def test_yunnan_amounts_in_yuan_are_stored_in_wanyuan():
    # 项目资金（元）: the amounts are in 元; the database holds 万元.
    p = _project(parse_file(PROVINCES / "selfeval_yunnan_yongde.txt"))
    assert p["budget"] is None
    assert _close(p["budget_adjusted"], 38.766462)
    assert _close(p["executed"], 38.766462)


def test_yunnan_two_row_header_splits_target_into_operator_value_unit():
    # 年度指标值 spans 指标性质 | 指标值 | 度量单位 on the header's second row; 实际完成值 follows.
    parsed = parse_file(PROVINCES / "selfeval_yunnan_yongde.txt")
    rows = {r["name"]: r for r in _indicators(parsed)}
    first = rows["学生受资助人数"]
    assert (first["target_op"], first["target_value"], first["target_unit"]) == (">=", 735, "人次")
    assert first["actual_raw"] == "735" and first["weight"] == 10 and first["score_reported"] == 10
    rate = rows["资金到位及时率"]
    assert (rate["target_op"], rate["target_value"], rate["target_unit"]) == (">=", 1.0, "%")
    assert rate["score_reported"] == 7
    qual = rows["减轻贫困学生家庭经济负担"]
    assert qual["target_raw"] == "有效" and qual["target_op"] is None and qual["actual_raw"] == "有效"
    assert "指标性质" not in parsed.frames["documents"].row(0, named=True)["parse_report"]


def test_yunnan_level_written_as_list_head_with_deng():
    # 满意度指标 | 服务对象满意度指标等 | 学生满意度 | ≧ | 95 | % …: "…指标等" is the second level.
    rows = _indicators(parse_file(PROVINCES / "selfeval_yunnan_yongde.txt"))
    sat = [r for r in rows if r["level1"] == "满意度指标"]
    assert [r["name"] for r in sat][:2] == ["学生满意度", "家长满意度"]
    assert all(r["level2"] == "服务对象满意度指标" for r in sat[:2])
    assert sat[0]["level2_raw"] == "服务对象满意度指标等"


def test_yunnan_other_matters_row_is_not_an_indicator():
    # 其他需要说明事项 | 无 sits between the indicators and 总分: part of the form.
    parsed = parse_file(PROVINCES / "selfeval_yunnan_yongde.txt")
    names = [r["name"] for r in _indicators(parsed)]
    assert len(names) == 9 and "其他需要说明事项" not in names
    assert _close(_project(parsed)["total_score_reported"], 96)


def test_yunnan_box_drawing_equals_is_an_operator():
    # 政策知晓率 | ═ | 100 | %: the 指标性质 written with U+2550.
    rows = {r["name"]: r for r in _indicators(parse_file(PROVINCES / "selfeval_yunnan_yongde.txt"))}
    assert rows["政策知晓率"]["target_op"] == "="
    assert rows["生均补助标准达标率"]["target_op"] == "="


def test_hebei_numbered_indicator_names_and_empty_template_rows():
    # 河北 10号 form saved from Word (one cell per line): "指标1工程完工率" is 工程完工率; the
    # template's empty "指标2" / "……" rows are not indicators.
    parsed = parse_file(PROVINCES / "selfeval_hebei_langfang.txt")
    rows = _indicators(parsed)
    assert [r["name"] for r in rows] == [
        "工程资金金额", "工程完工率", "工程验收合格率", "项目完成及时率", "成本控制率",
        "安全率", "学校发展能力", "长期使用性", "学生满意度"]
    assert rows[0]["target_raw"] == "43.2" and rows[0]["actual_raw"] == "37.24"
    assert rows[0]["weight"] == 10 and rows[0]["score_reported"] == 9
    assert rows[0]["reason"].startswith("已完工")
    assert [r["level2"] for r in rows[5:8]] == ["经济效益指标", "社会效益指标", "可持续影响指标"]
    assert rows[8]["level1"] == "满意度指标" and rows[8]["level2"] == "服务对象满意度指标"
    p = _project(parsed)
    assert (p["budget"], p["executed"], p["budget_score_reported"]) == (43.2, 37.24, 9)
    assert _close(p["execution_rate"], 37.24 / 43.2)
    assert parsed.report.status == "ok", parsed.report.message


def test_neimenggu_operator_in_the_direction_column_beside_zhengxiang():
    # 内蒙古 (乌海) 目标表: 指标性质 | 指标方向 hold 正向 | = — the operator is where the content says.
    rows = {r["name"]: r for r in _indicators(parse_file(PROVINCES / "goal_neimenggu_wuhai.txt"))}
    assert (rows["出差人数"]["target_op"], rows["出差人数"]["target_value"]) == ("=", 8)
    assert (rows["工作任务完成率"]["target_op"], rows["工作任务完成率"]["target_value"]) == ("=", 1.0)
    cost = rows["出差总成本"]
    assert (cost["level1"], cost["target_op"], cost["target_value"], cost["target_unit"]) == ("成本指标", "=", 1, "万元")
    assert cost["weight"] == 4


def test_neimenggu_fiscal_source_written_as_caizheng_bokuan_shu():
    # 资金总额 3 = 其中：财政拨款数 3 + 其他资金 0: the sources add up.
    parsed = parse_file(PROVINCES / "goal_neimenggu_wuhai.txt")
    assert _project(parsed)["budget"] == 3
    assert "各来源合计" not in (parsed.report.message or "")


def test_neimenggu_bracketed_unit_codes():
    # 主管部门 (433)乌海市供销合作社联合社(部门), 实施单位 (433001)乌海市供销合作社联合社.
    p = _project(parse_file(PROVINCES / "goal_neimenggu_wuhai.txt"))
    assert p["department"] == "乌海市供销合作社联合社"
    assert p["unit"] == "乌海市供销合作社联合社"
    assert (p["year"], p["city"]) == (2021, "乌海市")


def test_yunnan_two_row_header_as_spreadsheet_with_merged_level_heads(tmp_path):
    # Saved as .xlsx/.docx the level heads are merged down over both header rows, so the second
    # row repeats 一级指标 | 二级指标 | 三级指标 before 指标性质 | 指标值 | 度量单位.
    from jixiao.writers import rows_to_docx, rows_to_xlsx, text_to_blocks

    blocks = text_to_blocks((PROVINCES / "selfeval_yunnan_yongde.txt").read_text(encoding="utf-8"))
    for fmt, write in (("xlsx", rows_to_xlsx), ("docx", rows_to_docx)):
        target = tmp_path / f"yongde.{fmt}"
        write(blocks, target)
        parsed = parse_file(target)
        assert parsed.report.status == "ok", (fmt, parsed.report.message)
        rows = {r["name"]: r for r in _indicators(parsed)}
        first = rows["学生受资助人数"]
        assert (first["target_op"], first["target_value"], first["target_unit"]) == (">=", 735, "人次"), fmt
        assert (first["actual_raw"], first["weight"], first["score_reported"]) == ("735", 10, 10), fmt
        assert rows["资金到位及时率"]["score_reported"] == 7, fmt


def test_neimenggu_form_rows_are_known():
    # 归口科室 and the funds block head 投入目标（万元） | 资金来源 | 年初安排金额（万元） are the form's.
    report = parse_file(PROVINCES / "goal_neimenggu_wuhai.txt").frames["documents"].row(0, named=True)["parse_report"]
    assert "归口科室" not in report and "投入目标" not in report


def test_unplaced_cell_repeating_a_placed_value_is_quoted():
    # 项目财政资金到位时间 | 正向 | = | 44,561 | 44,561 | 10: the 计量单位 cell repeats the target
    # (an Excel date serial); the report quotes it rather than an empty 「」.
    report = parse_file(PROVINCES / "goal_neimenggu_wuhai.txt").frames["documents"].row(0, named=True)["parse_report"]
    assert "「44,561」" in report and "「」" not in report


def test_sub_header_over_the_name_column_is_not_a_refinement(tmp_path):
    # Found by the shuffled-lines fuzz test: a row of value-column names right under the header
    # whose cells fall on the 三级指标 column must not take that column away.
    doc = tmp_path / "t.txt"
    doc.write_text("项目支出绩效目标表\n项目名称\t甲项目\n一级指标\t二级指标\t三级指标\t指标值\n"
                   "\t\t指标值\t度量单位\n产出指标\t数量指标\t培训人数\t≥100人\n", encoding="utf-8")
    parsed = parse_file(doc)
    assert "解析出错" not in (parsed.report.message or "")
