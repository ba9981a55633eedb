"""An AppTest per dashboard page on the seed database: the page runs without exception, shows
its key elements with the numbers the four seeds have, and one interaction works.

The seeds (datasets/seeds): 4 documents, 4 units, 37 projects (2 + 8 + 18 + 9), 317 indicators;
only 固原市社会保险事业管理中心 (2024, 8 projects, 111.30 万元 all executed) is a self-evaluation.

AppTest note: after `switch_page` the entry point's sidebar widgets are not in `at.sidebar`
(they still run), so filters are set through `at.session_state[<widget key>]` there; on the
default page (总览) the real widget is used.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"


def _db(path):
    """A read-only connection configured like the dashboard's (DuckDB refuses a second
    connection to the same file with another configuration)."""
    from jixiao.db import connect

    return connect(path, read_only=True)


def _sel(rows: list[int]) -> dict:
    return {"selection": {"rows": rows, "columns": [], "cells": []}}


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _ok(at, title: str) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == [title]


def _table(at, key: str):
    return next(d for d in at.dataframe if d.key == key)


def _frame_with(at, *columns: str):
    """The first table holding these columns (tables without row selection have no key in AppTest)."""
    return next(d.value for d in at.dataframe if set(columns) <= set(d.value.columns))


def _table_startswith(at, prefix: str):
    return next(d for d in at.dataframe if d.key and d.key.startswith(prefix))


def _downloads(at) -> list[str]:
    return [b.label for b in at.get("download_button")]


# --------------------------------------------------------------------------- 总览


def test_overview_metrics_match_seeds(open_page, seed_db):
    at = open_page("overview")
    _ok(at, "总览")
    m = _metrics(at)
    assert m["单位数"] == "4"
    assert m["项目数"] == "37"
    assert m["指标数"] == "317"
    assert m["预算合计（万元）"] == "17,303.21"  # 10 + 111.3 + 1,930.7 + 15,251.21
    assert m["执行合计（万元）"] == "111.30"
    assert m["平均执行率"] == "100.0%"
    con = _db(seed_db)
    by_sev = dict(con.sql("SELECT severity, count(*) FROM flags GROUP BY 1").fetchall())
    con.close()
    for sev in ("高", "中", "低"):
        assert m[f"未处理问题 · {sev}"] == str(by_sev.get(sev, 0))
    subheaders = [s.value for s in at.subheader]
    assert "问题最多的单位" in subheaders and "最常见的问题" in subheaders
    assert _downloads(at).count("下载 Excel") >= 2 and _downloads(at).count("下载 CSV") >= 2


def test_overview_year_filter_2024_keeps_eight_projects(seed_db):
    from dashboard.filters import K_YEAR

    at = AppTest.from_file(str(APP), default_timeout=60).run()  # 总览 is the default page
    at.sidebar.multiselect(key=K_YEAR).set_value([2024]).run()
    _ok(at, "总览")
    m = _metrics(at)
    assert m["项目数"] == "8"
    assert m["单位数"] == "1"
    assert "2024年" in at.caption[0].value


def test_overview_url_filter_applies(seed_db):
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["year"] = ["2024"]
    at.run()
    assert _metrics(at)["项目数"] == "8"


def test_overview_empty_filter_says_so(open_page):
    at = open_page("overview", state={"kind": "绩效自评表", "year": [2020]})
    assert not at.exception
    assert any("没有项目" in i.value for i in at.info)
    assert not at.metric


# --------------------------------------------------------------------------- 单位对比


def test_compare_units_side_by_side(open_page):
    at = open_page("compare")
    _ok(at, "单位对比")
    units = _frame_with(at, "unit", "n_self_eval", "full_marks_share")
    assert len(units) == 4
    row = units[units["unit"] == "固原市社会保险事业管理中心"].iloc[0]
    assert row["n_projects"] == 8 and abs(row["execution_rate"] - 1.0) < 1e-9
    assert at.get("plotly_chart"), "score box plot missing"
    assert "下载 Excel" in _downloads(at)


def test_compare_metric_switch_to_score(open_page):
    at = open_page("compare")
    at.selectbox(key="cmp_metric").set_value("score_mean").run()
    assert not at.exception
    # one self-evaluation unit alone in its province: nothing to compare, said in Chinese
    assert any("唯一单位" in i.value for i in at.info)


# --------------------------------------------------------------------------- 下钻


def test_drilldown_unit_project_indicator(open_page):
    at = open_page("drilldown")
    _ok(at, "下钻")
    units = _table(at, "dd_units").value
    k = int(units.index[units["unit"] == "固原市社会保险事业管理中心"][0])
    at.session_state["dd_units"] = _sel([k])
    at.run()
    assert not at.exception
    projects = _table_startswith(at, "dd_projects_")
    assert len(projects.value) == 8
    at.session_state[projects.key] = _sel([0])
    at.run()
    assert not at.exception
    indicators = _table_startswith(at, "dd_ind_")
    assert {"level1", "level2", "name", "target_raw", "actual_raw", "weight", "score_reported",
            "score_expected"} <= set(indicators.value.columns)
    assert len(indicators.value) == 10  # 社会保障卡预制卡… has 10 indicators
    at.session_state[indicators.key] = _sel([1])
    at.run()
    assert not at.exception
    assert any(s.value.startswith("④ 指标") for s in at.subheader)
    source = "\n".join(c.value for c in at.code)
    assert "电子印章数量" in source and "400个" in source  # the indicator's own source line
    assert "下载 CSV" in _downloads(at)


def test_drilldown_empty_filter(open_page):
    at = open_page("drilldown", state={"unit": ["不存在的单位"]})
    assert not at.exception


# --------------------------------------------------------------------------- 问题标记


def test_flags_template_cluster_occurrences(open_page):
    at = open_page("flags")
    clusters = _table(at, "tpl_clusters").value
    assert len(clusters) > 0
    assert list(clusters["n_units"]) == sorted(clusters["n_units"], reverse=True)
    at.session_state["tpl_clusters"] = _sel([0])
    at.run()
    assert not at.exception
    occ = _frame_with(at, "project_name", "indicator_name", "similarity")
    assert len(occ) == clusters.iloc[0]["n_indicators"]
    assert {"unit", "year", "project_name", "indicator_name", "target_raw"} <= set(occ.columns)


# --------------------------------------------------------------------------- 趋势


def test_trends_scatter_and_single_year_note(open_page):
    at = open_page("trends")
    _ok(at, "趋势")
    assert at.get("plotly_chart")
    assert any("只有 2024 年" in i.value for i in at.info)
    assert any("高分低执行" in s.value for s in at.success)  # no such project in the seeds
    at.session_state["tr_color"] = "按年度"
    at.run()
    assert not at.exception


def test_trends_no_self_evaluation(open_page):
    at = open_page("trends", state={"kind": "绩效目标表"})
    assert not at.exception
    assert any("自评" in i.value for i in at.info)


# --------------------------------------------------------------------------- 规则说明


def test_rules_catalog_with_counts(open_page, seed_db):
    at = open_page("rules")
    _ok(at, "规则说明")
    table = _frame_with(at, "rule", "why", "remedy")
    assert len(table) == 24  # JX101-JX404 and JX501-JX507
    con = _db(seed_db)
    n101 = con.sql("SELECT count(*) FROM flags WHERE rule = 'JX101'").fetchall()[0][0]
    con.close()
    assert int(table[table["rule"] == "JX101"]["n_flags"].iloc[0]) == n101
    assert len([e for e in at.expander if not e.label.startswith("登录")]) == 24  # one per rule (+ the sign-in)
    texts = [t.value for t in at.text]  # one plain-text block per rule, its sections headed 【…】
    assert len([t for t in texts if "【检查什么】" in t]) == 24
    for section in ("【检查什么】", "【为什么是问题】", "【示例】", "【如何整改】", "【选项（默认值）】"):
        assert section in texts[0]


# --------------------------------------------------------------------------- 数据导入 / 文档


def test_documents_list_and_source_text(open_page):
    at = open_page("documents")
    _ok(at, "数据导入 / 文档")
    docs = _table(at, "doc_table").value
    assert len(docs) == 4
    assert "phone" not in " ".join(docs.columns).lower()
    k = int(docs.index[docs["file"].str.startswith("001_")][0])
    at.session_state["doc_table"] = _sel([k])
    at.run()
    assert not at.exception
    text = "\n".join(c.value for c in at.code)
    assert "固原市社会保险事业管理中心" in text
    assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", text), "a phone number is shown"


# --------------------------------------------------------------------------- no database


@pytest.mark.parametrize("page", ["overview", "compare", "drilldown", "flags", "trends", "rules", "documents"])
def test_page_without_database_says_so(page, seed_db, tmp_path, monkeypatch):
    monkeypatch.setenv("JIXIAO_DB", str(tmp_path / "missing.duckdb"))
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    at.switch_page(f"views/{page}.py").run()
    assert not at.exception
    assert any("还没有数据库" in w.value for w in [*at.warning, *at.info])
