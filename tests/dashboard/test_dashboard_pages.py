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
    # 10 + 111.3 + 1,930.7 + 15,251.21 万元: in 亿元 on the card, exact in its help
    assert m["预算（亿元）"] == "1.73"
    assert "17,303.21 万元" in next(x for x in at.metric if x.label == "预算（亿元）").proto.help
    assert m["执行（万元）"] == "111.30"
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
    # % columns are shown times 100 (fixed decimals: 100.00%); the download keeps the fraction
    assert row["n_projects"] == 8 and abs(row["execution_rate"] - 100.0) < 1e-9
    assert at.get("plotly_chart"), "score box plot missing"
    assert any(c.value.startswith("每个点是一个自评项目") for c in at.caption)  # few projects: each one drawn
    assert "下载 Excel" in _downloads(at)


MEDIAN_TAB = "与本市、本省中位数比较"


def test_compare_metric_switch_to_score(open_page):
    at = open_page("compare")
    at.session_state["cmp_tab"] = MEDIAN_TAB
    at.run()
    at.selectbox(key="cmp_metric").set_value("score_mean").run()
    assert not at.exception
    # one self-evaluation unit alone in its province: nothing to compare, said in Chinese
    assert any("唯一单位" in i.value for i in at.info)


def test_compare_only_the_open_tab_is_built_and_choices_survive_a_switch(open_page):
    at = open_page("compare")
    # the box-plot tab is open: the median tab's widget and chart are not built
    assert not [s for s in at.selectbox if s.key == "cmp_metric"]
    assert at.get("plotly_chart")
    at.toggle(key="cmp_violin").set_value(True).run()
    at.session_state["cmp_tab"] = MEDIAN_TAB
    at.run()
    assert not at.exception
    at.selectbox(key="cmp_metric").set_value("execution_rate").run()
    assert [s for s in at.selectbox if s.key == "cmp_metric"]
    at.session_state["cmp_tab"] = "自评总分分布"
    at.run()
    assert at.toggle(key="cmp_violin").value is True  # kept while its tab was closed
    at.session_state["cmp_tab"] = MEDIAN_TAB
    at.run()
    assert at.selectbox(key="cmp_metric").value == "execution_rate"


def test_compare_counties_and_peers_tabs_built_only_when_open_and_keep_choices(open_page):
    at = open_page("compare")
    # closed by default: neither the counties' multi-select nor the peers' kinds are built
    assert not [m for m in at.multiselect if m.key and m.key.startswith("cmp_counties")]
    assert not [s for s in at.selectbox if s.key and s.key.startswith("cmp_peer_kind")]
    at.session_state["cmp_tab"] = "县（区）汇总"
    at.run()
    assert not at.exception
    counties = next(m for m in at.multiselect if m.key.startswith("cmp_counties"))
    assert len(counties.value) == 4  # the counties with most projects, at most 6
    counties.set_value(counties.value[:1]).run()
    at.session_state["cmp_tab"] = "同类单位对比"
    at.run()
    assert not at.exception
    assert not [m for m in at.multiselect if m.key.startswith("cmp_counties")]
    at.segmented_control(key="cmp_peer_metric").set_value("execution_rate").run()
    assert [s for s in at.selectbox if s.key.startswith("cmp_peer_kind")]
    at.session_state["cmp_tab"] = "县（区）汇总"
    at.run()
    # the choice made before the tab was closed is back
    assert len(next(m for m in at.multiselect if m.key.startswith("cmp_counties")).value) == 1
    at.session_state["cmp_tab"] = "同类单位对比"
    at.run()
    assert at.segmented_control(key="cmp_peer_metric").value == "execution_rate"


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
    source = "\n".join(t.value for t in at.text)
    assert "电子印章数量" in source and "400个" in source  # the indicator's own source line
    assert "下载 CSV" in _downloads(at)


def test_drilldown_empty_filter(open_page):
    at = open_page("drilldown", state={"unit": ["不存在的单位"]})
    assert not at.exception


# --------------------------------------------------------------------------- 问题标记


def test_flags_template_cluster_occurrences(open_page, seed_db):
    # The seeds' repeated texts are each within one unit: by default no template, and the page says
    # how many the switch would show.
    at = open_page("flags")
    _ok(at, "问题标记")
    assert not any(d.key == "tpl_clusters" for d in at.dataframe)
    con = _db(seed_db)
    n_one_unit = con.sql("SELECT count(*) FROM template_clusters WHERE n_units = 1").fetchall()[0][0]
    con.close()
    assert n_one_unit > 0
    assert any("没有两个及以上单位共用的模板" in i.value and f"另有 {n_one_unit:,} 组" in i.value for i in at.info)
    at = open_page("flags", state={"tpl_all": True})
    clusters = _table(at, "tpl_clusters").value
    assert len(clusters) == n_one_unit
    assert list(clusters["n_units"]) == sorted(clusters["n_units"], reverse=True)
    at.session_state["tpl_clusters"] = _sel([0])
    at.run()
    assert not at.exception
    occ = _frame_with(at, "project_name", "indicator_name", "written_similarity")
    assert len(occ) == clusters.iloc[0]["n_indicators"]
    assert {"unit", "year", "project_name", "indicator_name", "target_raw", "drilldown"} <= set(occ.columns)


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
    assert len(table) == 25  # JX101-JX404 and JX501-JX507
    con = _db(seed_db)
    n101 = con.sql("SELECT count(*) FROM flags WHERE rule = 'JX101'").fetchall()[0][0]
    con.close()
    assert int(table[table["rule"] == "JX101"]["n_flags"].iloc[0]) == n101
    assert len([e for e in at.expander if not e.label.startswith("登录")]) == 25  # one per rule (+ the sign-in)
    texts = [t.value for t in at.text]  # one plain-text block per rule, its sections headed 【…】
    assert len([t for t in texts if "【检查什么】" in t]) == 25
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
    text = "\n".join(t.value for t in at.text)
    assert not at.code  # plain text (st.text), not the syntax highlighter
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


def test_documents_needing_attention_come_first_with_unit_and_county(db_copy, tmp_path):
    from jixiao.db import connect
    from jixiao.ingest import ingest_paths

    root = Path(__file__).resolve().parents[2]
    seed = (root / "datasets" / "seeds" / "004_9f3eda296765d47b.txt").read_text(encoding="utf-8").split("\n")
    cut = next(i for i, ln in enumerate(seed) if ln.startswith("时效指标\t资金支付及时性"))
    (tmp_path / "cut.txt").write_text("\n".join(seed[:cut]), encoding="utf-8")
    ingest_paths([root / "tests" / "fixtures" / "formats" / "scan.pdf", tmp_path / "cut.txt"], db_copy)
    con = connect(db_copy)
    con.execute("UPDATE documents SET confidence = 0.8 WHERE source_path LIKE '%001_%'")
    con.close()

    at = AppTest.from_file(str(APP), default_timeout=60).run()
    at.switch_page("views/documents.py").run()
    _ok(at, "数据导入 / 文档")
    docs = _table(at, "doc_table").value
    assert len(docs) == 6
    assert list(docs["attention_label"][:3]) == ["失败", "部分导入", "未完全识别"]
    assert docs.iloc[0]["file"] == "scan.pdf" and docs.iloc[1]["file"] == "cut.txt"
    assert docs.iloc[2]["file"].startswith("001_") and docs.iloc[2]["confidence"] == pytest.approx(80.0)
    assert set(docs["attention_label"][3:]) == {""}
    assert {"unit", "county", "city", "year"} <= set(docs.columns)
    # seed 004 (cut): 库尔勒市社会保险中心, 巴音郭楞蒙古自治州 库尔勒市, 2023
    assert (docs.iloc[1]["unit"], docs.iloc[1]["city"], docs.iloc[1]["county"], docs.iloc[1]["year"]) == (
        "库尔勒市社会保险中心", "巴音郭楞蒙古自治州", "库尔勒市", 2023)
    assert any("需要关注的文档 3 个" in m.value for m in at.markdown)
    # a failed document says why, above its parse report
    at.session_state["doc_table"] = _sel([0])
    at.run()
    _ok(at, "数据导入 / 文档")
    assert any("失败" in e.value for e in at.error)
    # only those that need attention
    at.session_state["doc_attention"] = True
    at.run()
    assert len(_table(at, "doc_table").value) == 3


def _refresh(path) -> None:
    from jixiao.db import connect
    from jixiao.derive import refresh

    con = connect(path)
    try:
        refresh(con)
    finally:
        con.close()


def test_templates_default_to_two_units_and_show_the_lowest_similarity(db_copy):
    """One of 南堡's projects moved to another unit: the text its ten projects share becomes a
    template of two units, the only one the default list shows; with the switch, all; the
    seeds' 每季度拨付资金数 ≤2.13万元 / <=3.75万元 are one text to the clustering (numbers as #)
    but 81% alike as written, and the list says so, not 100%."""
    from jixiao.db import connect

    con = connect(db_copy)
    pid = con.sql("SELECT min(p.project_id) FROM template_members m JOIN template_clusters c USING (cluster_id) "
                  "JOIN projects p USING (project_id) WHERE c.example = '努力构建和谐社会关系｜≥95%'").fetchall()[0][0]
    con.execute("UPDATE projects SET unit = '曹妃甸区社会事业保险局', unit_canonical = '曹妃甸区社会事业保险局' "
                "WHERE project_id = ?", [pid])
    quarterly = con.sql("SELECT min(m.similarity), any_value(c.min_similarity) FROM template_members m "
                        "JOIN template_clusters c USING (cluster_id) WHERE c.example LIKE '每季度拨付资金数%'").fetchall()[0]
    con.close()
    assert quarterly[0] == 1.0  # the clustering's own similarity: 100%
    _refresh(db_copy)

    at = AppTest.from_file(str(APP), default_timeout=60).run()
    at.switch_page("views/flags.py").run()
    _ok(at, "问题标记")
    clusters = _table(at, "tpl_clusters").value
    con = connect(db_copy, read_only=True)
    shared = {r[0] for r in con.sql("SELECT cluster_id FROM template_clusters WHERE n_units >= 2").fetchall()}
    n_all = con.sql("SELECT count(*) FROM template_clusters").fetchall()[0][0]
    con.close()
    # the moved project's texts that its unit's other projects share, and nothing else
    assert set(clusters["cluster_id"]) == shared and 0 < len(shared) < n_all
    assert set(clusters["n_units"]) == {2}
    row = clusters[clusters["example"] == "努力构建和谐社会关系｜≥95%"].iloc[0]
    assert (row["n_units"], row["n_projects"], row["n_indicators"]) == (2, 10, 10)
    assert any("两个及以上单位" in c.value for c in at.caption)

    at.session_state["tpl_all"] = True
    at.run()
    _ok(at, "问题标记")
    clusters = _table(at, "tpl_clusters").value
    assert len(clusters) == n_all and 1 in set(clusters["n_units"])
    row = clusters[clusters["example"] == "每季度拨付资金数｜≤2.13万元"].iloc[0]
    # 每季度拨付资金数<=2.13万元 against 每季度拨付资金数<=3.75万元: 13 characters in common of 16 and 16
    assert row["min_similarity"] == pytest.approx(100 * (1 - (16 + 16 - 2 * 13) / 32))
    assert (clusters["min_similarity"] <= 100).all()


def test_trends_lists_high_score_low_rate_with_regions_and_a_county_rollup(db_copy):
    from jixiao.db import connect

    con = connect(db_copy)
    pid, name = con.sql("SELECT project_id, name FROM projects WHERE kind = 'self_eval' ORDER BY project_id LIMIT 1"
                        ).fetchall()[0]
    con.execute("UPDATE projects SET executed = budget * 0.5, execution_rate = 0.5, total_score_reported = 95 "
                "WHERE project_id = ?", [pid])
    con.close()
    _refresh(db_copy)

    at = AppTest.from_file(str(APP), default_timeout=60).run()
    at.switch_page("views/trends.py").run()
    _ok(at, "趋势")
    table = _table(at, "tr_quadrant")
    rows = table.value
    assert list(rows["project_id"]) == [pid]
    # the key figures come right after unit, county and year; the long name later
    order = list(table.proto.column_order)
    assert order[:6] == ["unit", "county", "year", "execution_rate", "total_score_reported", "total_expected"]
    assert {"province", "city", "county"} <= set(order) and order.index("name") == 6
    assert rows.iloc[0]["execution_rate"] == pytest.approx(50.0)  # shown as 50.00%
    rollup = _frame_with(at, "n_quadrant", "share_quadrant")
    # 固原市 has no county: its units are 固原市（本级）; 1 of its 8 self-evaluations
    assert list(rollup["county"]) == ["（本级）"] and list(rollup["n_quadrant"]) == [1]
    assert rollup.iloc[0]["share_quadrant"] == pytest.approx(100 / 8)
    # a selected row: the project's full name and a link to 下钻
    at.session_state["tr_quadrant"] = _sel([0])
    at.run()
    _ok(at, "趋势")
    assert any(name.replace("（", "").replace("）", "")[:10] in m.value.replace("\\", "").replace("（", "").replace("）", "")
               for m in at.markdown)
    assert any(p.value == "在下钻中查看" for p in at.get("page_link"))
