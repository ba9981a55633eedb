"""The project view, the search, the county roll-up and peers on 单位对比, and the unit merge page.

Two databases: the seeds (conftest's `seed_db`: 4 units, each its own county, all 社保中心;
project codes such as 316-1201-JBN-WMEB) and the hand-written documents of one unit across two
years (tests/fixtures/lineage, see its README): the 2025 goal table of 轮台县社会保险服务中心, its
2025 self-evaluation written by 轮台县社会保险中心 (服务 left out) and the 2026 goal table with a
code in front of the name. The values asserted are the ones the README reads off the documents.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import polars as pl
import pytest

ROOT = Path(__file__).resolve().parents[2]
LINEAGE = ROOT / "tests" / "fixtures" / "lineage"
SERVICE, SHORT = "轮台县社会保险服务中心", "轮台县社会保险中心"
P1, P1_2026, P2, P3 = "城乡居民基本养老保险补贴", "2026年城乡居民基本养老保险补贴", "被征地农民养老保险补贴", "社会保险经办业务经费"
EASIER, CHANGED, MISSING, ADDED = "#fbdada", "#ffe9cc", "#eceff3", "#d8f0dc"


@pytest.fixture(scope="module")
def lineage_built(tmp_path_factory) -> Path:
    """The three hand-written documents loaded once (no reviewer decisions, no shipped aliases)."""
    from jixiao.ingest import ingest_paths

    d = tmp_path_factory.mktemp("lineage_dashboard")
    mp = pytest.MonkeyPatch()
    mp.setenv("JIXIAO_UNIT_ALIASES", str(d / "no_aliases.csv"))
    db = d / "luntai.duckdb"
    reports = ingest_paths(sorted(LINEAGE.glob("*.txt")), db)
    assert [r.status for r in reports] == ["ok", "ok", "ok"]
    mp.undo()
    return db


@pytest.fixture()
def lineage_db(seed_db, lineage_built, tmp_path, monkeypatch) -> Path:
    """A private copy of the hand-written database for one test, read by the dashboard; its
    decision log and waiver log are its own."""
    db = tmp_path / "luntai.duckdb"
    shutil.copyfile(lineage_built, db)
    monkeypatch.setenv("JIXIAO_DB", str(db))
    monkeypatch.setenv("JIXIAO_UNIT_ALIASES", str(tmp_path / "no_aliases.csv"))
    monkeypatch.setenv("JIXIAO_WAIVERS", str(tmp_path / "waivers.jsonl"))
    monkeypatch.delenv("JIXIAO_UNIT_DECISIONS", raising=False)
    return db


def select(rows: list[int]) -> dict:
    return {"selection": {"rows": rows, "columns": [], "cells": []}}


def _rows(db: Path, sql: str) -> list[tuple]:
    """Reads with a connection configured like the dashboard's (DuckDB refuses two configurations)."""
    from jixiao.db import connect

    con = connect(db, read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _pid(db: Path, kind: str, year: int, name: str) -> str:
    return _rows(db, f"SELECT project_id FROM projects WHERE kind = '{kind}' AND year = {year} AND name = '{name}'")[0][0]


def _ok(at, title: str | None = None) -> None:
    assert not at.exception, [e.value for e in at.exception]
    if title:
        assert [t.value for t in at.title] == [title]


def _frame_with(at, *columns: str):
    return next(d for d in at.dataframe if set(columns) <= set(d.value.columns))


def _colours(table) -> dict[tuple[int, str], str]:
    """The background colour of each styled cell of a table: {(row, column name): "#rrggbb"}."""
    css = table.proto.arrow_data.styler.styles
    cols = list(table.value.columns)
    out = {}
    for selectors, colour in re.findall(r"([^{}]+)\{\s*background-color:\s*(#[0-9a-f]{6})\s*\}", css):
        for r, c in re.findall(r"row(\d+)_col(\d+)", selectors):
            out[(int(r), cols[int(c)])] = colour
    return out


def _param(at, name: str) -> str | None:
    """The address's query parameter (AppTest gives a string or a list of them)."""
    v = at.query_params.get(name)
    return v[-1] if isinstance(v, list) else v


def _texts(at) -> str:
    return " ".join([m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
                    + [s.value for s in at.success] + [w.value for w in at.warning])


# --------------------------------------------------------------------------- the project view


def test_project_view_goal_beside_self_with_changed_targets_highlighted(open_page, lineage_db):
    at = open_page("project", query={"project": _pid(lineage_db, "self_eval", 2025, P1)})
    _ok(at, "项目视图")
    assert P1 in [s.value for s in at.subheader]
    table = _frame_with(at, "change", "goal_target", "self_target", "actual_raw")
    df = table.value
    by = {r["name"]: r for _, r in df.iterrows()}
    # 参保人数 ≥5.5万人 in the goal table, ≥5.2万人 in the self-evaluation (5.3万人 done): made easier
    row = by["参保人数"]
    assert (row["goal_target"], row["self_target"], row["actual_raw"]) == ("≥5.5万人", "≥5.2万人", "5.3万人")
    assert row["change"] == "目标放宽 JX501" and "JX501" in row["rule_names"]
    assert (by["人均经办成本"]["goal_target"], by["人均经办成本"]["self_target"]) == ("<=3.5元/人", "≤3.8元/人")
    # =100% and 100% are one target: no change
    assert by["养老金发放准确率"]["change"] == "一致"
    colours = _colours(table)
    k = list(df["name"]).index("参保人数")
    assert colours[(k, "goal_target")] == colours[(k, "self_target")] == EASIER
    ok = list(df["name"]).index("养老金发放准确率")
    assert not [c for (r, c) in colours if r == ok]
    assert any("目标值改动 2 项（其中放宽 2 项）" in m.value.replace("**", "") for m in at.markdown)
    # the year by year below it, without leaving the page
    assert "② 历年情况" in [s.value for s in at.subheader]


def test_project_view_dropped_added_and_moved_weights(open_page, lineage_db):
    at = open_page("project", query={"project": _pid(lineage_db, "goal", 2025, P2)})
    _ok(at, "项目视图")
    table = _frame_with(at, "change", "goal_target", "self_target")
    df = table.value
    colours = _colours(table)
    names = list(df["name"])
    # 补贴对象认定准确率 (=100%) is not in the self-evaluation; 政策宣传次数 ≥4次 (10 points) is new there
    k = names.index("补贴对象认定准确率")
    assert df.iloc[k]["change"] == "自评缺此指标 JX502" and df.iloc[k]["self_target"] == ""
    assert colours[(k, "name")] == MISSING
    k = names.index("政策宣传次数")
    assert (df.iloc[k]["change"], df.iloc[k]["self_target"], df.iloc[k]["self_weight"]) == ("自评新增 JX502", "≥4次", "10")
    assert colours[(k, "name")] == ADDED

    at = open_page("project", query={"project": _pid(lineage_db, "self_eval", 2025, P3)})
    table = _frame_with(at, "change", "goal_weight", "self_weight")
    df = table.value
    moved = df[df["change"] == "分值改动 JX503"][["name", "goal_weight", "self_weight"]].values.tolist()
    assert sorted(moved) == [["办事群众满意度", "10", "15"], ["经办业务笔数", "10", "5"]]
    k = list(df["name"]).index("经办业务笔数")
    assert _colours(table)[(k, "self_weight")] == CHANGED


def test_project_view_year_by_year_and_its_flags(open_page, lineage_db):
    goal_2026 = _pid(lineage_db, "goal", 2026, P1_2026)
    at = open_page("project", query={"project": _pid(lineage_db, "self_eval", 2025, P1)})
    years = _frame_with(at, "year", "goal_budget", "execution_rate").value
    assert years["year"].tolist() == [2025, 2026]
    table = _frame_with(at, "2025年", "2026年", "flags")
    pivot = table.value
    row = pivot[pivot["name"] == "参保人数"].iloc[0]
    # 2025: goal ≥5.5万人, 5.3万人 done; 2026: goal ≥5.2万人 (no self-evaluation yet), below that actual (JX504)
    assert (row["2025年"], row["2026年"]) == ("≥5.5万人 / 5.3万人", "≥5.2万人 / —")
    assert "2026年 JX504" in row["flags"]
    k = list(pivot["name"]).index("参保人数")
    colours = _colours(table)
    assert colours[(k, "2026年")] == CHANGED  # JX504 is 中
    assert colours[(k, "2025年")] == EASIER   # JX501 (made easier in the 2025 self-evaluation) is 高
    from dashboard import data

    wide = data.indicator_pivot(data.project_indicator_years(_pid(lineage_db, "goal", 2025, P1)))
    assert wide.filter(pl.col("name") == "参保人数").select("2025年 目标值", "2025年 实际值", "2026年 目标值").row(0) == (
        "≥5.5万人", "5.3万人", "≥5.2万人")
    cross = _frame_with(at, "rule", "message", "indicator_name").value
    assert {"JX504", "JX506"} <= set(cross["rule"])
    # choosing 2026 shows that year's goal table and writes it into the address
    at.segmented_control[0].set_value(2026).run()
    _ok(at)
    assert _param(at, "project") == goal_2026
    assert P1_2026 in [s.value for s in at.subheader]
    assert any("只有绩效目标表" in i.value for i in at.info)  # 2026 has no self-evaluation yet


def test_a_flag_accepted_on_the_chain_shows_accepted_in_the_project_view(lineage_db):
    from dashboard import data
    from jixiao.users import User

    pid = _pid(lineage_db, "self_eval", 2025, P1)
    chain = data.project_chain_flags(pid)
    jx504 = chain.filter(pl.col("rule") == "JX504")
    assert jx504.height >= 1 and set(chain["status"]) == {"open"}
    assert data.accept_flags(jx504.head(1).to_dicts(), "次年目标已与单位核实", User("张审核", "审核")) == 1
    after = data.project_chain_flags(pid)
    row = after.filter(pl.col("flag_id") == jx504["flag_id"][0]).row(0, named=True)
    assert (row["status"], row["waiver_reason"], row["waiver_reviewer"]) == ("waived", "次年目标已与单位核实", "张审核")
    assert after.filter(pl.col("flag_id") != row["flag_id"])["status"].unique().to_list() == ["open"]


def test_project_view_without_or_with_an_unknown_project(open_page, seed_db):
    at = open_page("project")
    _ok(at, "项目视图")
    assert any("搜索项目" in i.value for i in at.info)
    at = open_page("project", query={"project": "'); DROP TABLE projects; --"})
    _ok(at, "项目视图")
    assert any("找不到项目" in w.value for w in at.warning)


def test_project_view_without_a_project_suggests_where_to_start(open_page, lineage_db):
    at = open_page("project")
    _ok(at, "项目视图")
    starts = [(p.proto.label, p.proto.query_string) for p in at.get("page_link") if "项目视图" not in p.proto.label]
    # the documents the README lists with JX501-JX506 flags, those with two first: 城乡居民基本养老
    # 保险补贴's 2025 self-evaluation (two targets made easier), 社会保险经办业务经费's (two weights
    # moved), 2026年城乡居民基本养老保险补贴 (JX504, JX506); then one each for 被征地农民养老保险补贴
    pid = lambda kind, year, name: f"project={_pid(lineage_db, kind, year, name)}"  # noqa: E731
    assert {q for _, q in starts[:3]} == {pid("self_eval", 2025, P1), pid("self_eval", 2025, P3),
                                          pid("goal", 2026, P1_2026)}
    assert {q for _, q in starts[3:]} == {pid("goal", 2025, P2), pid("self_eval", 2025, P2), pid("goal", 2026, P2)}
    assert any("2 处（JX501）" in label and P1 in label for label, _ in starts)


def test_project_view_is_linked_from_drilldown_and_flags(open_page, seed_db):
    at = open_page("drilldown", state={"dd_units": select([0])})
    key = next(d.key for d in at.dataframe if d.key and d.key.startswith("dd_projects"))
    at.session_state[key] = select([0])
    at.run()
    _ok(at)
    links = [p for p in at.get("page_link") if "项目视图" in p.proto.label]
    assert links and links[0].proto.page.endswith("project") and "project=" in links[0].proto.query_string
    at = open_page("flags", state={"status": "全部"})
    key = next(d.key for d in at.dataframe if d.key and d.key.startswith("fl_table"))
    at.session_state[key] = select([0])
    at.run()
    assert [p for p in at.get("page_link") if "项目视图" in p.proto.label]


# --------------------------------------------------------------------------- search


def _search(at, text: str):
    at.text_input(key="search_q").input(text).run()
    return at


def _results(at) -> list[tuple[str, str]]:
    """The search's result links: (label, query string) of each link to the project view."""
    return [(p.proto.label, p.proto.query_string) for p in at.get("page_link")
            if p.proto.page.endswith("project") and p.proto.query_string.startswith("project=")]


def test_search_by_code_and_by_name_links_to_the_project_view(open_page, seed_db):
    at = _search(open_page("overview"), "316-1201-jbn-wmeb")  # any case
    _ok(at, "总览")
    want = _rows(seed_db, "SELECT project_id FROM projects WHERE code = '316-1201-JBN-WMEB'")[0][0]
    assert _results(at) == [("城乡居民养老保险区财政补贴", f"project={want}")]
    assert any("316-1201-JBN-WMEB · 南堡开发区社会事业保险局 · 南堡开发区 · 2020年" in c.value.replace("\\", "")
               for c in at.caption)  # (Markdown-escaped on the page)
    at = open_page("project", query={"project": want})  # where the link goes
    assert "城乡居民养老保险区财政补贴" in [s.value for s in at.subheader]

    at = _search(open_page("compare"), "机关养老保险")  # part of a name, from another page
    assert sorted(label for label, _ in _results(at)) == ["机关养老保险定期待遇缺口", "机关养老保险统筹外退休人员丧葬费"]
    at = _search(open_page("overview"), "'); DROP TABLE projects; --")
    assert not _results(at) and any("没有名称或编码包含该文字的项目" in c.value for c in at.caption)
    assert _rows(seed_db, "SELECT count(*) FROM projects")[0][0] == 37


def test_search_finds_a_project_across_years_and_units(open_page, lineage_db):
    at = _search(open_page("overview"), "城乡居民基本养老保险")
    # the 2025 goal table, its self-evaluation (another spelling of the unit) and 2026's goal
    # table (2026年… in front) are one project: one entry spanning both years
    assert len(_results(at)) == 1
    assert any(c.value.endswith("2025–2026年") for c in at.caption)
    from dashboard import data

    found = data.project_search("城乡居民基本养老保险")
    assert found["years"].to_list() == [[2025, 2026]] and found["n_docs"].to_list() == [3]


# --------------------------------------------------------------------------- counties and peers


def test_county_rollup_and_counties_side_by_side(open_page, seed_db):
    at = open_page("compare", state={"cmp_tab": "县（区）汇总"})
    _ok(at, "单位对比")
    rollup = _frame_with(at, "label", "n_high_score_low_rate", "flags_per_project").value
    by = {r["label"]: r for _, r in rollup.iterrows()}
    assert set(by) == {"固原市（本级）", "库尔勒市", "南堡开发区", "芷江侗族自治县"}
    guyuan = by["固原市（本级）"]
    # 8 self-evaluations, 111.30 万元 all executed; none 高分低执行 (all executed)
    assert (guyuan["n_projects"], guyuan["n_self_eval"], guyuan["n_high_score_low_rate"]) == (8, 8, 0)
    # rates are shown in percent on screen (downloads keep the fraction)
    assert abs(guyuan["execution_rate"] - 100.0) < 1e-9 and guyuan["high_score_low_rate_share"] == 0
    open_flags = dict(_rows(seed_db, "SELECT coalesce(county, city), count(*) FROM flags JOIN projects USING (project_id) "
                                     "GROUP BY 1"))
    assert by["南堡开发区"]["flags_per_project"] == pytest.approx(open_flags["南堡开发区"] / 18)
    import pandas as pd

    assert by["库尔勒市"]["n_self_eval"] == 0 and pd.isna(by["库尔勒市"]["execution_rate"])  # goal tables only
    # the counties drawn: the multi-select (at most 12) feeds one small-multiples figure
    counties = next(m for m in at.multiselect if m.key and m.key.startswith("cmp_counties"))
    assert len(counties.value) == 4
    assert sorted(_county_chart_labels(at)) == sorted(by)
    counties.set_value(counties.value[:2]).run()
    _ok(at)
    assert len(_county_chart_labels(at)) == 2  # only what is chosen is drawn


def _county_chart_labels(at) -> list[str]:
    """The counties the 县（区）对比 small multiples draw (the x of its first bar chart)."""
    import json

    for chart in at.get("plotly_chart"):
        fig = json.loads(chart.proto.spec)
        titles = [a.get("text") for a in fig.get("layout", {}).get("annotations", [])]
        if "高分低执行占比" in titles:
            return fig["data"][0]["x"]
    raise AssertionError("no county chart")


def test_peers_by_kind_of_unit(open_page, seed_db):
    at = open_page("compare", state={"cmp_tab": "同类单位对比"})
    kind = next(s for s in at.selectbox if s.key and s.key.startswith("cmp_peer_kind"))
    assert kind.value == "社保中心" and "社保中心（4 个单位）" in kind.format_func(kind.value)
    peers = _frame_with(at, "unit", "score_rank", "kind_score_median").value
    assert len(peers) == 4  # every 社保中心 of every county side by side
    guyuan = peers[peers["unit"] == "固原市社会保险事业管理中心"].iloc[0]
    assert guyuan["score_rank"] == 1 and guyuan["kind_score_median"] == pytest.approx(guyuan["score_mean"])
    # goal tables have no scores: no rank
    import pandas as pd

    assert pd.isna(peers[peers["unit"] == "库尔勒市社会保险中心"].iloc[0]["score_rank"])


# --------------------------------------------------------------------------- unit merges


def _suggestions(at):
    return next(d for d in at.dataframe if d.key and d.key.startswith("um_table"))


def test_merge_page_shows_suggestions_and_no_controls_signed_out(open_page, lineage_db):
    for user in (None, "李查看"):
        at = open_page("units", user=user)
        _ok(at, "单位名称合并")
        table = _suggestions(at)
        assert table.value[["unit_a", "unit_b", "reason_label"]].values.tolist() == [[SERVICE, SHORT, "差「服务」二字"]]
        at.session_state[table.key] = select([0])
        at.run()
        _ok(at)
        # the projects on each side: 7 goal tables (2025, 2026) under 服务, 3 self-evaluations without
        assert any(f"{SERVICE}**：7 个项目" in m.value for m in at.markdown)
        assert any(f"{SHORT}**：3 个项目" in m.value for m in at.markdown)
        assert not [b for b in at.button if b.label.startswith(("合并", "不合并", "撤销"))]
        assert any("登录后可合并或拒绝合并单位名称" in i.value for i in at.info)
    assert not (lineage_db.parent / "luntai.unit_decisions.jsonl").exists()


def test_merge_as_reviewer_records_the_decision_and_rebuilds(open_page, lineage_db):
    from dashboard import data
    from dashboard.filters import Filters
    from jixiao import units

    assert sorted(data.unit_comparison(Filters())["unit"].to_list()) == sorted([SERVICE, SHORT])
    at = open_page("units", user="张审核")
    table = _suggestions(at)
    at.session_state[table.key] = select([0])
    at.run()
    at.text_input(key="um_note").input("-同一单位，自评表漏写「服务」")
    next(b for b in at.button if b.label.startswith("合并：")).click().run()
    _ok(at, "单位名称合并")
    assert any("已合并" in s.value and "共有 10 个项目" in s.value for s in at.success)
    log = units.decision_log(db_path=lineage_db)
    assert log.select("decision", "alias", "canonical", "county", "reviewer", "note").rows() == [
        ("accept", SHORT, SERVICE, "轮台县", "张审核", "-同一单位，自评表漏写「服务」")]
    assert log["at"][0]  # when
    # the rebuilt database shows one unit everywhere
    assert {u for (u,) in _rows(lineage_db, "SELECT DISTINCT unit_canonical FROM projects")} == {SERVICE}
    assert _rows(lineage_db, "SELECT status FROM unit_alias_suggestions") == [("accepted",)]
    assert data.unit_comparison(Filters())["unit"].to_list() == [SERVICE]
    assert at.metric[1].value == "1"  # 已合并
    # and undone: the pair is two units again
    at.segmented_control(key="um_status").set_value("已合并").run()
    table = _suggestions(at)
    at.session_state[table.key] = select([0])
    at.run()
    next(b for b in at.button if b.label == "撤销合并").click().run()
    _ok(at)
    assert any("已撤销合并" in s.value for s in at.success)
    assert {u for (u,) in _rows(lineage_db, "SELECT DISTINCT unit_canonical FROM projects")} == {SERVICE, SHORT}
    assert units.decision_log(db_path=lineage_db)["decision"].to_list() == ["reject", "accept"]


def test_a_unit_written_two_ways_shows_once_after_the_merge(lineage_db):
    """Every comparison, trend and roll-up reads the canonical unit (the shared filter's `unit`)."""
    from dashboard import data
    from dashboard.filters import Filters
    from jixiao import units

    f = Filters()
    before = data.unit_comparison(f)
    assert before.height == 2
    units.record_decision(SHORT, SERVICE, "accept", reviewer="审核员", county="轮台县", db_path=lineage_db)
    units.rebuild(lineage_db)
    assert data.unit_comparison(f)["unit"].to_list() == [SERVICE]
    assert data.overview_metrics(f)["n_units"] == 1
    assert set(data.unit_year_trend(f)["unit"]) == {SERVICE}
    assert set(data.self_eval_projects(f)["unit"]) == {SERVICE}
    assert data.projects_by_unit(f, SERVICE).height == 10 and data.projects_by_unit(f, SHORT).height == 0
    assert set(data.flags(f)["unit"]) == {SERVICE}
    assert data.county_rollup(f)["n_units"].to_list() == [1]
    assert data.unit_peers(f)["unit"].to_list() == [SERVICE]
    assert set(data.filter_options()["unit"]) == {SERVICE}
    assert data.project_detail(_pid(lineage_db, "self_eval", 2025, P1))["unit_canonical"] == SERVICE
    assert data.project_search(P2)["unit"].to_list() == [SERVICE]
    # every template, also those of one unit only (the list's default is two or more units)
    clusters = data.template_clusters(f, min_units=1)["cluster_id"].to_list()
    assert clusters
    assert set(pl.concat([data.template_occurrences(c) for c in clusters],
                         how="vertical_relaxed")["unit"].to_list()) == {SERVICE}


def test_the_yearly_chart_leaves_room_above_a_score_near_full_marks():
    from dashboard import charts

    years = pl.DataFrame({"year": [2023, 2024], "goal_budget": [100.0, 120.0], "budget": [100.0, None],
                          "executed": [95.0, 110.0], "execution_rate": [0.95, 0.9167],
                          "total_score_reported": [99.2, 100.0]})
    fig = charts.project_history(years)
    score = next(t for t in fig.data if t.name == "自评总分")
    assert list(score.text) == ["99.2", "100.0"] and score.cliponaxis is False
    low, high = fig.layout.yaxis2.range
    assert low == 0 and high >= 110  # the label sits above its point, inside the plot
    assert max(fig.layout.yaxis2.tickvals) == 100  # the axis still reads up to full marks


def test_the_yearly_chart_keeps_a_negative_amount_and_total_in_view():
    from dashboard import charts

    # a refund larger than the spending (executed < 0) and a reported total below zero: both are
    # the table's own errors, and the chart must show them, not cut them off at the axis
    years = pl.DataFrame({"year": [2023, 2024], "goal_budget": [100.0, 120.0], "budget": [100.0, 120.0],
                          "executed": [-20.0, 110.0], "execution_rate": [-0.2, 0.9167],
                          "total_score_reported": [-5.0, 90.0]})
    fig = charts.project_history(years)
    low, high = fig.layout.yaxis.range
    assert low <= -20 and high >= 120
    low2, high2 = fig.layout.yaxis2.range
    assert low2 < -5 and high2 >= 100
    # without negatives the axes still start at 0
    fig = charts.project_history(years.with_columns(pl.col("executed").abs(), pl.col("total_score_reported").abs()))
    assert fig.layout.yaxis.range[0] == 0 and fig.layout.yaxis2.range[0] == 0
