"""Layouts beyond the seeds: the national (财政部) self-evaluation template, read by the same
vocabulary — 年初预算数/全年预算数/全年执行数, 预期目标/实际完成情况 on a second row, 年度指标值,
实际完成值, 偏差原因分析及改进措施, 总分 with the weight total before the score."""

from __future__ import annotations

from pathlib import Path

import pytest

from jixiao.ingest import parse_file

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "layouts"


def test_national_selfeval_template():
    parsed = parse_file(FIXTURES / "national_selfeval_2021.txt")
    assert parsed.report.status == "ok"
    p = parsed.frames["projects"].row(0, named=True)
    assert (p["kind"], p["year"], p["name"]) == ("self_eval", 2021, "农村饮水安全维修养护")
    assert (p["department"], p["unit"]) == ("武陟县水利局", "武陟县农村供水管理站")
    assert (p["province"], p["city"], p["county"]) == ("河南省", "焦作市", "武陟县")
    assert (p["budget"], p["executed"], p["budget_score_reported"], p["total_score_reported"]) == (120, 108, 9, 98)
    assert p["execution_rate"] == pytest.approx(0.9)
    assert p["goal"] == "完成全县农村饮水工程维修养护，保障供水安全"
    assert p["goal_summary"] == "完成维修养护工程56处，供水保障率99%"
    ind = parsed.frames["indicators"]
    assert ind.height == 7
    first = ind.row(0, named=True)
    assert (first["name"], first["target_op"], first["target_value"], first["actual_raw"]) == ("维修养护工程数量", ">=", 60, "56处")
    assert (first["weight"], first["score_reported"]) == (15, 14)
    assert first["reason"] == "部分工程因汛期顺延至次年"
    assert ind["level1"].to_list() == ["产出指标"] * 3 + ["成本指标", "效益指标", "效益指标", "满意度指标"]
    assert ind["weight"].sum() + 10 == 100


@pytest.mark.parametrize("unit", ["南堡开发区第一中学", "南堡开发区实验幼儿园", "南堡开发区社会事业保险局"])
def test_cell_per_line_unit_code_names(tmp_path, unit):
    seed = next((Path(__file__).resolve().parents[2] / "datasets" / "seeds").glob("003_*.txt"))
    path = tmp_path / "003.txt"
    path.write_text(seed.read_text(encoding="utf-8").replace("316004南堡开发区社会事业保险局", f"316004{unit}"),
                    encoding="utf-8")
    parsed = parse_file(path)
    assert set(parsed.frames["projects"]["unit"]) == {unit}
