"""expected_scores, settings precedence, project_scores and score_distributions, checked by hand."""

from __future__ import annotations

import math

import polars as pl
import pytest

from jixiao import schema, scores
from jixiao.levels import canonicalize
from jixiao.values import parse_value


def _frames(rows: list[dict], kind: str = "self_eval", project: dict | None = None):
    """Given indicator dicts (raw texts) and a project kind, returns (projects, indicators)."""
    prow = {"project_id": "p1", "doc_id": "d1", "kind": kind, "year": 2024, "province": "测试省",
            "budget": 10.0, **(project or {})}
    projects = pl.DataFrame([{c: prow.get(c) for c in schema.PROJECTS}], schema=schema.PROJECTS)
    inds = []
    for k, r in enumerate(rows, start=1):
        r = {"indicator_id": f"p1.i{k}", "project_id": "p1", "doc_id": "d1", "seq": k, "name": f"指标{k}",
             "weight": 10.0, **r}
        if r.get("target_raw") is not None:
            v = parse_value(r["target_raw"])
            r.update(target_op=v.op, target_value=v.value, target_unit=v.unit, is_quantitative=v.is_quantitative)
        if r.get("actual_raw") is not None:
            v = parse_value(r["actual_raw"])
            r.update(actual_value=v.value, actual_unit=v.unit)
        l1, l2 = canonicalize(r.get("level1"), r.get("level2"))
        r.update(level1=l1 or r.get("level1"), level2=l2 or r.get("level2"))
        inds.append(r)
    indicators = pl.DataFrame([{c: r.get(c) for c in schema.INDICATORS} for r in inds], schema=schema.INDICATORS)
    return projects, indicators


SAT = {"level1": "满意度指标", "level2": "服务对象满意度指标"}

EXPECTED_CASES = [
    # (id, indicator fields, expected score)
    ("正向达成", {"target_raw": "≥90%", "actual_raw": "95%"}, 10.0),
    ("正向未达成按比例", {"target_raw": "≥95%", "actual_raw": "85.5%"}, 9.0),
    ("只写数字按正向", {"target_raw": "100人", "actual_raw": "80人"}, 8.0),
    ("大于号按正向", {"target_raw": ">50人", "actual_raw": "40人"}, 8.0),
    ("正向超额封顶", {"target_raw": "≥100人", "actual_raw": "150人"}, 10.0),
    ("正向目标为0", {"target_raw": "≥0次", "actual_raw": "0次"}, 10.0),
    ("反向达成", {"target_raw": "≤0.5%", "actual_raw": "0.3%"}, 10.0),
    ("反向未达成", {"target_raw": "<=0.42万元/次", "actual_raw": "0.5万元/次", "weight": 20.0}, 16.8),
    ("反向小于号达成", {"target_raw": "<5天", "actual_raw": "3天"}, 10.0),
    ("等于相等", {"target_raw": "=12次", "actual_raw": "12次"}, 10.0),
    ("等于偏高", {"target_raw": "=12次", "actual_raw": "15次"}, 8.0),
    ("等于偏低", {"target_raw": "=12次", "actual_raw": "9次"}, 7.5),
    ("定性相同", {"target_raw": "有效提高", "actual_raw": "有效提高", "weight": 15.0}, 15.0),
    ("定性空格全角", {"target_raw": "２０２４年 年底", "actual_raw": "2024年年底"}, 10.0),
    ("定性已完成", {"target_raw": "2024年年底", "actual_raw": "已完成"}, 10.0),
    ("定性是", {"target_raw": "资金合规使用", "actual_raw": "是"}, 10.0),
    ("定性达到预期目标", {"target_raw": "显著提高", "actual_raw": "达到预期目标"}, 10.0),
    ("定性未完成", {"target_raw": "2024年年底", "actual_raw": "未完成"}, None),
    ("定性基本完成", {"target_raw": "显著提高", "actual_raw": "基本完成"}, None),
    ("定性实际值不同", {"target_raw": "显著提高", "actual_raw": "有所提高"}, None),
    ("无分值", {"target_raw": "≥90%", "actual_raw": "95%", "weight": None}, None),
    ("单位不一致", {"target_raw": "≥100万元", "actual_raw": "50人"}, None),
    ("无实际值", {"target_raw": "≥90%"}, None),
    ("定量目标文字实际值", {"target_raw": "=12次", "actual_raw": "完成"}, None),
    ("实际值照抄目标值", {"target_raw": "≥90%", "actual_raw": "≥90%"}, 10.0),
    ("实际值未写百分号", {"target_raw": "≥95%", "actual_raw": "85.5"}, 9.0),
    ("满意度按正向", {**SAT, "target_raw": "≥90%", "actual_raw": "92"}, 10.0),
    ("满意度未达成", {**SAT, "target_raw": "=100%", "actual_raw": "95%"}, 9.5),
    ("满意度等于号超过也封顶", {**SAT, "target_raw": "=90%", "actual_raw": "99%"}, 10.0),
]


@pytest.mark.parametrize("fields,expected", [pytest.param(f, e, id=i) for i, f, e in EXPECTED_CASES])
def test_expected_scores(fields, expected):
    projects, indicators = _frames([fields])
    got = scores.expected_scores(projects, indicators)["score_expected"][0]
    if expected is None:
        assert got is None
    else:
        assert got == pytest.approx(expected, abs=1e-4)


def test_expected_scores_goal_table_is_none_and_shape_kept():
    projects, indicators = _frames([{"target_raw": "≥90%", "actual_raw": "95%"}] * 3, kind="goal")
    out = scores.expected_scores(projects, indicators)
    assert out.columns == indicators.columns
    assert out["indicator_id"].to_list() == indicators["indicator_id"].to_list()
    assert out["score_expected"].null_count() == 3


def test_expected_scores_keeps_order_across_projects():
    p1, i1 = _frames([{"target_raw": "≥90%", "actual_raw": "45%"}])
    p2 = p1.with_columns(pl.lit("p2").alias("project_id"), pl.lit("goal").alias("kind"))
    i2 = i1.with_columns(pl.lit("p2").alias("project_id"), pl.lit("p2.i1").alias("indicator_id"))
    inds = pl.concat([i2, i1, i2.with_columns(pl.lit("p2.i2").alias("indicator_id"))])
    out = scores.expected_scores(pl.concat([p1, p2]), inds)
    assert out["indicator_id"].to_list() == ["p2.i1", "p1.i1", "p2.i2"]
    assert out["score_expected"].to_list() == [None, 5.0, None]


def test_expected_scores_details_and_tiers():
    projects, indicators = _frames(
        [{"target_raw": "成效显著", "actual_raw": "成效显著", "weight": 15.0},
         {"target_raw": "≥95%", "actual_raw": "85.5%"},
         {"target_raw": "≤0.5%", "actual_raw": "0.3%"}],
        project={"province": "宁夏回族自治区"},
    )
    out = scores.expected_scores(projects, indicators, with_details=True)
    assert out["score_rule"].to_list() == ["qualitative", "positive", "reverse"]
    assert out["target_met"].to_list() == [True, False, True]
    assert out["score_floor"].to_list() == pytest.approx([12.0, 9.0, 10.0])


def test_expected_scores_missing_optional_columns():
    projects, indicators = _frames([{"target_raw": "≥90%", "actual_raw": "95%"}])
    out = scores.expected_scores(projects, indicators.drop("score_expected", "actual_unit"))
    assert out["score_expected"].to_list() == [10.0]


# --------------------------------------------------------------------------- settings


def _settings():
    rows = [
        {"province": None, "year": None, "budget_points": 10.0, "tier_met_min": 0.8, "tier_partial_min": 0.6},
        {"province": "宁夏回族自治区", "year": None, "tier_partial_min": 0.5},
        {"province": "宁夏回族自治区", "year": 2023, "budget_points": 15.0},
        {"province": None, "year": 2022, "tier_met_min": 0.9},
    ]
    return pl.DataFrame([{c: r.get(c) for c in scores.SETTINGS_SCHEMA} for r in rows], schema=scores.SETTINGS_SCHEMA)


def test_settings_precedence():
    projects = pl.DataFrame({
        "project_id": ["a", "b", "c", "d", "e", "f"],
        "province": ["宁夏回族自治区", "宁夏回族自治区", "湖南省", "湖南省", None, "宁夏"],
        "year": [2024, 2023, 2022, 2024, 2024, 2024],
    })
    out = scores.settings_for(projects, _settings()).sort("project_id")
    assert out["project_id"].to_list() == list("abcdef")
    assert out["tier_partial_min"].to_list() == [0.5, 0.5, 0.6, 0.6, 0.6, 0.5]
    assert out["budget_points"].to_list() == [10.0, 15.0, 10.0, 10.0, 10.0, 10.0]
    assert out["tier_met_min"].to_list() == [0.8, 0.8, 0.9, 0.8, 0.8, 0.8]
    assert out["settings_source"].to_list() == [
        "宁夏回族自治区", "宁夏回族自治区/2023", "2022", "默认", "默认", "宁夏回族自治区"]
    # Fields no row gives come from the built-in defaults.
    assert out["full_marks_tolerance"].to_list() == [0.01] * 6


def test_settings_without_default_row_use_builtin():
    projects = pl.DataFrame({"project_id": ["a"], "province": ["湖南省"], "year": [2024]})
    out = scores.settings_for(projects, _settings().filter(pl.col("province").is_not_null()))
    assert out["budget_points"][0] == 10.0 and out["settings_source"][0] == "内置默认"


def test_bundled_settings_file():
    st = scores.load_settings()
    assert set(scores.SETTINGS_SCHEMA) <= set(st.columns)
    projects = pl.DataFrame({"project_id": ["nx", "hn"], "province": ["宁夏回族自治区", "湖南省"], "year": [2024, 2026]})
    out = scores.settings_for(projects, st).sort("project_id")
    assert out["tier_partial_min"].to_list() == [0.6, 0.5]   # hn, nx
    assert out["budget_points"].to_list() == [10.0, 10.0]
    assert out["goal_reserved_points"].to_list() == [10.0, 10.0]
    assert out["tier_met_min"].to_list() == [0.8, 0.8]


# --------------------------------------------------------------------------- per project


def _tiny():
    projects = pl.DataFrame([
        {"project_id": "p1", "doc_id": "d1", "kind": "self_eval", "year": 2024, "province": "测试省",
         "budget": 100.0, "executed": 85.0, "budget_score_reported": 8.5, "total_score_reported": 88.5},
        {"project_id": "p2", "doc_id": "d2", "kind": "goal", "year": 2024, "province": "测试省", "budget": 50.0},
        {"project_id": "p3", "doc_id": "d3", "kind": "self_eval", "year": 2024, "province": "测试省",
         "budget": 10.0, "executed": 12.0, "execution_rate": 1.2, "budget_points": 10.0,
         "budget_score_reported": 10.0, "total_score_reported": 100.0},
    ], schema=schema.PROJECTS)
    rows = [
        ("p1", 40.0, 40.0, "≥90%", "95%"),
        ("p1", 50.0, 40.0, "≥100人", "80人"),
        ("p2", 50.0, None, "≥90%", None),
        ("p2", 40.0, None, "有效提高", None),
    ]
    inds = []
    for k, (pid, w, s, t, a) in enumerate(rows):
        tv, av = parse_value(t), parse_value(a)
        inds.append({"indicator_id": f"{pid}.i{k}", "project_id": pid, "weight": w, "score_reported": s,
                     "target_raw": t, "target_op": tv.op, "target_value": tv.value, "target_unit": tv.unit,
                     "actual_raw": a, "actual_value": av.value, "actual_unit": av.unit, "name": f"指标{k}", "seq": k})
    indicators = pl.DataFrame([{c: r.get(c) for c in schema.INDICATORS} for r in inds], schema=schema.INDICATORS)
    return projects, indicators


def test_project_scores():
    projects, indicators = _tiny()
    ps = scores.project_scores(projects, indicators)
    rows = {r["project_id"]: r for r in ps.iter_rows(named=True)}
    assert ps["project_id"].to_list() == ["p1", "p2", "p3"]
    p1 = rows["p1"]
    assert p1["execution_rate"] == pytest.approx(0.85)
    assert p1["budget_points"] == 10.0                      # from the settings
    assert p1["budget_score_expected"] == pytest.approx(8.5)
    assert p1["indicator_score_reported_sum"] == 80.0
    assert p1["indicator_score_expected_sum"] == pytest.approx(80.0)   # 40 + 50 × 80/100
    assert p1["total_expected"] == pytest.approx(88.5)
    assert (p1["weight_sum"], p1["n_indicators"], p1["n_scored"], p1["n_full_marks"]) == (90.0, 2, 2, 1)
    p2 = rows["p2"]
    assert p2["execution_rate"] is None and p2["budget_score_expected"] is None
    assert p2["indicator_score_reported_sum"] is None and p2["total_expected"] is None
    assert (p2["weight_sum"], p2["n_indicators"], p2["n_scored"]) == (90.0, 2, 0)
    p3 = rows["p3"]
    assert p3["budget_score_expected"] == 10.0              # rate 120% capped at 100%
    assert p3["n_indicators"] == 0 and p3["weight_sum"] is None and p3["total_expected"] is None


def test_score_distributions():
    projects = pl.DataFrame({
        "project_id": ["a1", "a2", "a3", "a4", "a5", "b1"],
        "city": ["甲市"] * 5 + ["乙市"],
        "year": [2024] * 6,
        "kind": ["self_eval"] * 4 + ["goal", "goal"],
        "budget": [10.0, 20.0, 30.0, 40.0, 50.0, 5.0],
        "executed": [8.0, 18.0, 30.0, 40.0, None, None],
        "total_score_reported": [80.0, 90.0, 100.0, 95.0, None, None],
    })
    ps = pl.DataFrame({
        "project_id": ["a1", "a2", "a3", "a4", "a5", "b1"],
        "execution_rate": [0.8, 0.9, 1.0, 1.0, None, None],
        "total_expected": [80.0, 88.0, 100.0, 95.0, None, None],
        "n_scored": [4, 4, 4, 4, 0, 0],
        "n_full_marks": [1, 2, 4, 3, 0, 0],
    })
    out = scores.score_distributions(projects, ps, ["city", "year"])
    assert out["city"].to_list() == sorted(["甲市", "乙市"])
    a = out.filter(pl.col("city") == "甲市").row(0, named=True)
    assert (a["n_projects"], a["n_self_eval"], a["n_total_reported"]) == (5, 4, 4)
    assert a["total_mean"] == pytest.approx(91.25)
    assert a["total_median"] == pytest.approx(92.5)        # (90 + 95) / 2
    assert a["total_p10"] == pytest.approx(83.0)           # 80 + 0.3 × (90 − 80)
    assert a["total_p90"] == pytest.approx(98.5)           # 95 + 0.7 × (100 − 95)
    assert a["share_total_full"] == pytest.approx(0.25)
    assert a["share_total_ge_90"] == pytest.approx(0.75)
    assert a["share_indicators_full"] == pytest.approx(10 / 16)
    assert a["score_gap_mean"] == pytest.approx(0.5)       # (0 + 2 + 0 + 0) / 4
    assert a["execution_rate_mean"] == pytest.approx(0.925)
    assert (a["budget_sum"], a["executed_sum"]) == (150.0, 96.0)
    b = out.filter(pl.col("city") == "乙市").row(0, named=True)
    assert (b["n_projects"], b["n_self_eval"], b["n_total_reported"]) == (1, 0, 0)
    assert b["total_median"] is None and b["share_total_full"] is None and b["share_indicators_full"] is None


def test_score_distributions_from_project_scores():
    projects, indicators = _tiny()
    projects = projects.with_columns(pl.lit("测试县").alias("county"))
    out = scores.score_distributions(projects, scores.project_scores(projects, indicators), ["county", "year"])
    r = out.row(0, named=True)
    assert (r["n_projects"], r["n_self_eval"]) == (3, 2)
    assert r["total_median"] == pytest.approx((88.5 + 100) / 2)
    assert r["share_indicators_full"] == pytest.approx(0.5)   # p1: 1 of 2 scored indicators at full marks
    assert r["score_gap_mean"] == pytest.approx(0.0)          # p3 has no expected total
    assert math.isclose(r["budget_sum"], 160.0)


def test_parse_level1_weights():
    assert scores.parse_level1_weights("产出指标:50;效益指标:30；满意度指标：10;坏") == {
        "产出指标": 50.0, "效益指标": 30.0, "满意度指标": 10.0}
    assert scores.parse_level1_weights(None) == {}


def test_fmt_num():
    out = pl.select(scores.fmt_num(pl.lit(10.0)).alias("a"), scores.fmt_num(pl.lit(8.8889)).alias("b"),
                    scores.fmt_pct(pl.lit(0.985)).alias("c"), scores.fmt_num(pl.lit(None, dtype=pl.Float64)).alias("d"))
    assert out.row(0) == ("10", "8.89", "98.5%", "（空）")
