"""Links between documents: goal table ↔ self-evaluation, year to year, indicators within a
pair — by code, by name (years, cut-off endings, small edits), one to one, never across units
or between two places or phases."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from jixiao.links import compute, distinct_objects, name_key_expr
from jixiao.rules.cases import frames_from_case


def _lineage(projects):
    f = frames_from_case({"projects": projects})
    return f, compute(f.projects, f.indicators)


def _ind(name, target="≥10人", level2="数量指标", **kw):
    return {"level1": "产出指标", "level2": level2, "name": name, "target_raw": target, **kw}


def _pairs(df, a, b):
    return sorted(zip(df[a].to_list(), df[b].to_list()))


def test_goal_and_self_evaluation_by_code_name_and_cut_off_name():
    _, lin = _lineage([
        {"project_id": "g1", "kind": "goal", "unit": "甲县人社局", "name": "2024年就业补助资金", "indicators": [_ind("培训人数")]},
        {"project_id": "s1", "kind": "self_eval", "unit": "甲县人社局", "name": "就业补助资金（2024年度）", "indicators": [_ind("培训人数")]},
        {"project_id": "g2", "kind": "goal", "unit": "甲县人社局", "name": "城乡居民基本养老保险财政补贴资金", "indicators": [_ind("参保人数")]},
        {"project_id": "s2", "kind": "self_eval", "unit": "甲县人社局", "name": "城乡居民基本养老保险财政补", "indicators": [_ind("参保人数")]},
        {"project_id": "g3", "kind": "goal", "unit": "甲县人社局", "code": "219001-23-0012", "name": "公益性岗位补贴", "indicators": [_ind("安置人数")]},
        {"project_id": "s3", "kind": "self_eval", "unit": "甲县人社局", "code": "219001-23-0012", "name": "公益性岗位及社保补贴", "indicators": [_ind("安置人数")]},
    ])
    got = {(r["goal_project_id"], r["self_eval_project_id"]): r["method"] for r in lin.project_links.iter_rows(named=True)}
    assert got == {("g1", "s1"): "name", ("g2", "s2"): "name_prefix", ("g3", "s3"): "code"}


def test_links_stay_within_unit_year_and_are_one_to_one():
    _, lin = _lineage([
        {"project_id": "g1", "kind": "goal", "unit": "甲县人社局", "name": "就业补助资金"},
        {"project_id": "g2", "kind": "goal", "unit": "甲县人社局", "name": "就业补助资金"},  # the same table twice
        {"project_id": "s1", "kind": "self_eval", "unit": "甲县人社局", "name": "就业补助资金"},
        {"project_id": "s2", "kind": "self_eval", "unit": "乙县人社局", "name": "就业补助资金"},
        {"project_id": "s3", "kind": "self_eval", "unit": "甲县人社局", "name": "就业补助资金", "year": 2025},
    ])
    assert _pairs(lin.project_links, "goal_project_id", "self_eval_project_id") == [("g1", "s1")]


def test_two_places_or_two_phases_are_two_projects():
    assert distinct_objects("双坪镇宁新村学校校舍维修改造", "双坪镇长凤村学校校舍维修改造")
    assert distinct_objects("城区供水管网改造一期", "城区供水管网改造二期")
    assert distinct_objects("第一中学", "第二中学")
    assert not distinct_objects("城乡居民养老保险补贴", "城乡居民基本养老保险补贴")
    _, lin = _lineage([
        {"project_id": "a", "kind": "goal", "unit": "甲县教育局", "year": 2024, "name": "双坪镇长凤村学校校舍维修改造",
         "indicators": [_ind("长凤村校舍维修面积")]},
        {"project_id": "b", "kind": "goal", "unit": "甲县教育局", "year": 2025, "name": "双坪镇宁新村学校校舍维修改造",
         "indicators": [_ind("宁新村校舍维修面积")]},
    ])
    assert lin.project_history.height == 0


def test_history_prefers_the_same_kind_and_falls_back_to_the_other():
    _, lin = _lineage([
        {"project_id": "g24", "kind": "goal", "unit": "甲县人社局", "year": 2024, "name": "就业补助资金"},
        {"project_id": "s24", "kind": "self_eval", "unit": "甲县人社局", "year": 2024, "name": "就业补助资金"},
        {"project_id": "g25", "kind": "goal", "unit": "甲县人社局", "year": 2025, "name": "2025年就业补助资金"},
        {"project_id": "s25", "kind": "self_eval", "unit": "甲县人社局", "year": 2025, "name": "就业补助资金"},
        # 2023: only a self-evaluation of the project was loaded.
        {"project_id": "s23", "kind": "self_eval", "unit": "甲县人社局", "year": 2023, "name": "就业补助资金"},
        {"project_id": "g22", "kind": "goal", "unit": "甲县人社局", "year": 2022, "name": "就业补助资金"},
    ])
    got = {(r["project_id"], r["previous_project_id"]): r["method"] for r in lin.project_history.iter_rows(named=True)}
    assert got == {("g25", "g24"): "name", ("s25", "s24"): "name", ("s24", "s23"): "name",
                   ("g24", "s23"): "name_other_kind", ("s23", "g22"): "name_other_kind"}
    lineage = dict(zip(lin.project_lineage["project_id"], lin.project_lineage["lineage_id"]))
    assert set(lineage.values()) == {"g22"} and len(lineage) == 6


def test_indicators_match_by_name_then_similar_name_then_level_and_target():
    f, lin = _lineage([
        {"project_id": "g", "kind": "goal", "unit": "甲县人社局", "name": "就业补助资金", "indicators": [
            _ind("培训人数", "≥500人"), _ind("培训合格率", "≥90%", "质量指标"), _ind("培训合格率", "≥95%", "时效指标"),
            _ind("资金发放及时率", "100%", "时效指标"), _ind("", "=12个月"), _ind("城镇登记失业率", "≤4.5%", "社会效益指标"),
        ]},
        {"project_id": "s", "kind": "self_eval", "unit": "甲县人社局", "name": "就业补助资金", "indicators": [
            _ind("培训合格率", "≥90%", "质量指标"), _ind("培训合格率", "≥95%", "时效指标"), _ind("培训人数", "≥450人"),
            _ind("资金拨付及时率", "100%", "时效指标"), _ind("补贴发放月数", "=12个月"), _ind("政策宣传次数", "≥4次"),
        ]},
    ])
    got = {(r["left_indicator_id"], r["right_indicator_id"]): r["method"] for r in lin.indicator_links.iter_rows(named=True)}
    assert got == {("g.i1", "s.i3"): "name", ("g.i2", "s.i1"): "name", ("g.i3", "s.i2"): "name",
                   ("g.i4", "s.i4"): "name_similar", ("g.i5", "s.i5"): "level_target"}
    # 城镇登记失业率 and 政策宣传次数 are an indicator dropped and one added: no link.
    assert set(lin.indicator_lineage["indicator_id"]) == set(f.indicators["indicator_id"]) - {"g.i6", "s.i6"}


def test_name_key_drops_years_spaces_and_punctuation():
    df = pl.DataFrame({"n": ["2024年度 就业补助资金", "就业补助资金（2025）", "就业补助资金(2023-2025年)", None]})
    assert df.select(name_key_expr("n"))["n"].to_list() == ["就业补助资金"] * 3 + [""]


@pytest.mark.parametrize("scope", ["department"])
def test_department_tables_link_among_themselves(scope):
    _, lin = _lineage([
        {"project_id": "g", "kind": "goal", "unit": "甲县人社局", "scope": scope, "name": "甲县人社局部门整体支出"},
        {"project_id": "s", "kind": "self_eval", "unit": "甲县人社局", "scope": "project", "name": "甲县人社局部门整体支出"},
        {"project_id": "s2", "kind": "self_eval", "unit": "甲县人社局", "scope": scope, "name": "甲县人社局部门整体支出"},
    ])
    assert _pairs(lin.project_links, "goal_project_id", "self_eval_project_id") == [("g", "s2")]


def test_links_across_a_pending_unit_merge_say_so():
    from jixiao.units import load_aliases, resolve

    f = frames_from_case({"projects": [
        {"project_id": "g", "kind": "goal", "unit": "轮台县社会保险服务中心", "name": "城乡居民养老保险补贴"},
        {"project_id": "s", "kind": "self_eval", "unit": "轮台县社会保险中心", "name": "城乡居民养老保险补贴"},
    ]})
    u = resolve(f.projects, load_aliases(Path("/nonexistent/aliases.csv")))
    projects = f.projects.drop("unit_canonical").join(u.project_units.drop("unit_kind"), on="project_id")
    lin = compute(projects, f.indicators)
    assert lin.project_links.select("goal_project_id", "self_eval_project_id", "method").rows() == [
        ("g", "s", "name_pending_unit")]
    # Without the presumed group (names as canonical only) the two are two units.
    assert compute(f.projects, f.indicators).project_links.height == 0
