"""The dashboard's data, export and chart helpers outside the pages: the connection follows a
database swapped in by an upload, waivers show at once, downloads open in Excel, uploads are
checked, and every chart builder takes an empty frame."""

from __future__ import annotations

import io
from pathlib import Path

import plotly.graph_objects as go
import polars as pl
import pytest

from dashboard import charts, data, export
from dashboard import format as fmt
from dashboard.filters import Filters
from jixiao.users import User

ROOT = Path(__file__).resolve().parents[2]
HAND = ROOT / "tests" / "fixtures" / "handwritten"
REVIEWER = User("张审核", "审核")


def test_upload_ingest_swaps_database_and_pages_see_it(db_copy):
    assert data.run("overview_metrics", **data.FILTER_DEFAULTS)["n_projects"][0] == 37
    seen = []
    reports = data.ingest_uploads([("selfeval_zhangye.txt", (HAND / "selfeval_zhangye.txt").read_bytes())],
                                  REVIEWER, on_file=seen.append)
    assert [r.status for r in reports] == ["ok"] and len(seen) == 1
    # the cached read-only connection to the old file was closed and a new one opened
    assert data.run("overview_metrics", **data.FILTER_DEFAULTS)["n_projects"][0] == 40
    assert "selfeval_zhangye.txt" in data.documents()["file"].to_list()
    # same content again: skipped, nothing added
    again = data.ingest_uploads([("copy.txt", (HAND / "selfeval_zhangye.txt").read_bytes())], REVIEWER)
    assert [r.status for r in again] == ["skipped"]
    assert data.run("overview_metrics", **data.FILTER_DEFAULTS)["n_projects"][0] == 40


def test_accept_flag_overlays_at_once_and_needs_a_reviewer(seed_db, waiver_log):
    from jixiao.users import User

    f = Filters()
    first = data.flags(f).row(0, named=True)
    assert first["status"] == "open"
    reviewer = User("张审核", "审核")
    with pytest.raises(ValueError):
        data.accept_flags([first], "   ", reviewer)
    for nobody in (None, User("李查看", "查看")):  # anonymous and 查看 users change nothing
        with pytest.raises(PermissionError):
            data.accept_flags([first], "已核实", nobody)
    assert not waiver_log.exists()
    assert data.accept_flags([first], "已核实", reviewer) == 1
    again = data.flags(f).filter(pl.col("flag_id") == first["flag_id"]).row(0, named=True)
    assert again["status"] == "waived" and again["waiver_reason"] == "已核实"
    assert again["waiver_reviewer"] == "张审核" and again["waived_at"]
    assert data.flags(f, status="open").filter(pl.col("flag_id") == first["flag_id"]).height == 0
    assert data.undo_flags([first], User("王管理", "管理")) == 1
    assert data.flags(f).filter(pl.col("flag_id") == first["flag_id"])["status"].to_list() == ["open"]
    hist = data.flag_history([first])
    assert hist["action"].to_list() == ["撤销接受", "接受"]
    assert hist["reviewer"].to_list() == ["王管理", "张审核"]


@pytest.mark.parametrize("name,size,ok", [
    ("a.txt", 10, True), ("b.DOCX", 10, True), ("c.pdf", 10, True), ("c.xls", 10, True), ("c.doc", 10, True),
    ("c.ods", 10, True), ("c.html", 10, True), ("d.txt", 0, False), ("e.xlsx", 10 ** 10, False), ("noext", 10, False),
    ("f.exe", 10, False), ("g.png", 10, False),
])
def test_check_upload(name, size, ok):
    why = data.check_upload(name, size)
    assert (why is None) == ok
    if why:  # refusals are in Chinese
        assert any("\u4e00" <= ch <= "\u9fff" for ch in why)


SPEC = {"unit": fmt.text("单位"), "budget": fmt.money("预算（万元）"), "rate": fmt.pct("执行率"), "n": fmt.integer("项目数")}
FRAME = pl.DataFrame({"unit": ["甲单位", "乙单位"], "budget": [1234.5, 10.0], "rate": [0.95, None], "n": [3, 1],
                      "secret": ["x", "y"]})


def test_excel_export_has_chinese_headers_and_numbers():
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(export.to_excel_bytes(FRAME, SPEC, "测试", "测试 · 筛选：2024年"))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "测试 · 筛选：2024年"
    assert rows[2] == ("单位", "预算（万元）", "执行率", "项目数")
    assert rows[3] == ("甲单位", 1234.5, 0.95, 3)
    assert sheet.cell(4, 2).number_format == "#,##0.00" and sheet.cell(4, 3).number_format == "0.00%"
    assert sheet.freeze_panes == "A4" and sheet.auto_filter.ref == "A3:D5"


def test_csv_export_has_bom_and_percentages():
    raw = export.to_csv_bytes(FRAME, SPEC)
    assert raw.startswith("\ufeff".encode("utf-8"))
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0] == "单位,预算（万元）,执行率(%),项目数"
    assert "甲单位,1234.5,95.0,3" in text
    assert "secret" not in text


def test_source_text_is_plain_with_line_numbers():
    lines = pl.DataFrame({"line": [9, 10], "text": ["\t一级指标\t<b>二级</b>", "指标1"]})
    out = fmt.source_text(lines)
    assert out.splitlines() == [" 9 │ 一级指标 │ <b>二级</b>", "10 │ 指标1"]


def test_filters_describe_in_chinese():
    assert Filters().describe() == "全部年度 · 全部地区 · 全部表类型"
    text = Filters(years=(2024,), province="宁夏回族自治区", kind="self_eval", synthetic=False).describe()
    assert text == "2024年 · 宁夏回族自治区 · 绩效自评表 · 仅真实数据"


EMPTY_POINTS = pl.DataFrame(schema={
    "project_id": pl.String, "year": pl.Int32, "province": pl.String, "city": pl.String, "county": pl.String,
    "unit": pl.String, "name": pl.String, "budget": pl.Float64, "executed": pl.Float64,
    "execution_rate": pl.Float64, "total_score_reported": pl.Float64})


def test_charts_on_seed_data_and_empty_frames(seed_db):
    f = Filters()
    fl = data.flags(f)
    units = data.unit_comparison(f)
    points = data.self_eval_projects(f)
    figs = [
        charts.flags_by_rule(data.rule_counts(fl)), charts.flags_by_unit(fl),
        charts.units_flags_per_project(units), charts.budget_treemap(units),
        charts.score_box(points, "county", "县（区）"), charts.score_box(points, "unit", "单位", violin=True),
        charts.median_diff(data.unit_vs_median(units, "flags_per_project"), "每项目问题数"),
        charts.execution_score_scatter(points, "unit"), charts.execution_score_scatter(points, "year"),
        charts.unit_trajectories(data.unit_year_trend(f), "score_mean"),
        # empty inputs
        charts.flags_by_rule(data.rule_counts(fl.head(0))), charts.flags_by_unit(fl.head(0)),
        charts.execution_score_scatter(EMPTY_POINTS), charts.score_box(EMPTY_POINTS, "unit", "单位"),
        charts.budget_treemap(units.head(0)), charts.unit_trajectories(data.unit_year_trend(f).head(0), "execution_rate"),
    ]
    assert all(isinstance(x, go.Figure) for x in figs)
    # the 高分低执行 quadrant is drawn: a shaded rectangle and the two threshold lines
    scatter = charts.execution_score_scatter(points, "unit")
    assert any(s.type == "rect" and s.x1 == charts.LOW_RATE and s.y0 == charts.HIGH_SCORE for s in scatter.layout.shapes)
    # overlapping projects are merged into one point that carries their number, none lost
    n_points = sum(sum(tr.customdata) for tr in scatter.data)
    assert n_points == points.height == 8
    assert not any(tr.text for tr in scatter.data)  # no "×n" labels to pile up at 100%


def test_charts_stay_readable_with_many_units():
    n = 120
    units = pl.DataFrame({
        "province": ["甲省"] * n, "city": [f"{k % 10}市" for k in range(n)], "county": [None] * n,
        "unit": [f"单位{k:03d}" for k in range(n)], "value": [float(k) for k in range(n)],
    })
    med = units.with_columns(
        pl.col("value").median().over("city").alias("city_median"), pl.len().over("city").alias("n_city"),
        pl.col("value").median().alias("province_median"), pl.lit(n).alias("n_province"),
    ).with_columns((pl.col("value") - pl.col("city_median")).alias("diff_city"),
                   (pl.col("value") - pl.col("province_median")).alias("diff_province"))
    fig = charts.median_diff(med, "平均自评得分")
    assert max(len(t.y) for t in fig.data) == charts.MAX_GROUPS
    points = units.select("province", "city", "county", "unit", pl.lit("项目").alias("name"),
                          pl.lit(2024).alias("year"), pl.col("value").alias("total_score_reported"))
    box = charts.score_box(points, "unit", "单位")
    assert len(set(box.data[0].x)) == charts.MAX_GROUPS and "共 120 个" in box.layout.title.text


def test_overview_notes_synthetic_projects(db_copy):
    from streamlit.testing.v1 import AppTest

    from jixiao.ingest import ingest_paths

    ingest_paths([HAND / "goal_inline_wengniute.txt"], db_copy, synthetic=True)
    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert any("合成" in c.value for c in at.caption)
    assert at.metric[1].value == "40"  # 37 seeds + 3 synthetic projects
    at.sidebar.selectbox(key="source").set_value("真实").run()
    assert at.metric[1].value == "37"
    assert not any("合成（测试）项目" in c.value for c in at.caption)


def test_md_escape_keeps_document_text_literal():
    # (U+2060, an invisible word joiner, keeps GFM from turning http://x into a link)
    assert fmt.md_escape("**加粗** [链接](http://x) <b>") == "\\*\\*加粗\\*\\* \\[链接\\]\\(http\u2060\\://x\\) \\<b\\>"
    assert fmt.md_escape(None) == ""


DASHBOARD = ROOT / "dashboard"


@pytest.mark.parametrize("path", sorted(DASHBOARD.rglob("*.py")), ids=lambda p: p.relative_to(DASHBOARD).as_posix())
def test_module_boundaries(path):
    """data.py alone caches and touches DuckDB; charts.py has no Streamlit; nothing renders HTML
    (style.py alone adds a <style> element, of the constant style.css)."""
    src = path.read_text(encoding="utf-8")
    assert "unsafe_allow_html" not in src
    if path.name != "style.py":
        assert "st.html" not in src
    if path.name != "data.py":
        assert "st.cache_" not in src and "import duckdb" not in src
    if path.name == "charts.py":
        assert "import streamlit" not in src


def test_upload_with_a_very_long_name_loads_on_its_own(db_copy, monkeypatch):
    """A 300-character Chinese file name (900 bytes: no file system takes it) is stored under a
    shortened name and loads; a file that cannot be written fails alone, in Chinese."""
    from pathlib import Path as _Path

    long_name = "关于印发某某县二〇二四年度部门项目支出绩效目标表的通知（" + "附件说明" * 70 + "）.txt"
    assert len(long_name) > 300 and len(long_name.encode("utf-8")) > 900
    stored, shortened = data.upload_file_name(long_name)
    assert shortened and stored.endswith(".txt") and len(stored.encode("utf-8")) <= data.UPLOAD_NAME_BYTES
    assert stored.startswith("关于印发某某县") and data.upload_file_name(long_name) == (stored, True)
    assert data.upload_file_name("目标表.xlsx") == ("目标表.xlsx", False)

    real_write = _Path.write_bytes

    def flaky(self, content):
        if self.name == "坏盘.txt":
            raise OSError(28, "No space left on device")
        return real_write(self, content)

    monkeypatch.setattr(_Path, "write_bytes", flaky)
    seen = []
    reports = data.ingest_uploads([
        (long_name, (HAND / "goal_inline_wengniute.txt").read_bytes()),
        ("selfeval_zhangye.txt", (HAND / "selfeval_zhangye.txt").read_bytes()),
        ("坏盘.txt", b"whatever"),
    ], REVIEWER, on_file=seen.append)
    by_name = {r.path: r for r in reports}
    assert set(by_name) == {long_name, "selfeval_zhangye.txt", "坏盘.txt"}
    assert by_name[long_name].status == "ok" and "文件名过长" in by_name[long_name].message
    assert by_name["selfeval_zhangye.txt"].status == "ok"
    bad = by_name["坏盘.txt"]
    assert bad.status == "failed" and "无法保存" in bad.message and "未导入" in bad.message
    assert {r.path for r in seen} == set(by_name)  # progress named by the uploaded names too
    files = data.documents()["file"].to_list()
    assert stored in files and "selfeval_zhangye.txt" in files


def test_amounts_for_metric_cards_stay_short_and_exact_in_help():
    # the number before the unit stays below 10,000: the card holds it (checked at 1440 and 1280 px)
    assert fmt.amount_parts(12_345_678.9) == ("1,234.57", "亿元")
    assert fmt.amount_parts(9_876.54) == ("9,876.54", "万元")
    assert fmt.amount_parts(17_303.21) == ("1.73", "亿元")
    assert fmt.amount_parts(9_999.999) == ("1.00", "亿元")  # not "10,000.00 万元"
    assert fmt.amount_parts(1.5e9) == ("15.00", "万亿元")
    assert fmt.amount_parts(None) == ("—", "万元")
    assert fmt.fmt_amount(12_345_678.9) == "1,234.57 亿元"


def test_parsed_values_are_shown_in_their_unit():
    assert fmt.value_with_unit(1.0, "%") == "100%"
    assert fmt.value_with_unit(0.985, "%") == "98.5%"
    assert fmt.value_with_unit(5.2, "万人") == "5.2万人"
    assert fmt.value_with_unit(95.0, None) == "95"
    assert fmt.value_with_unit(None, "%") == "—"
    row = {"target_value": 1.0, "target_unit": "%", "actual_value": 0.92, "actual_unit": "%", "weight": 10.0}
    table = dict(fmt.field_table(row, fmt.INDICATOR_FIELDS).iter_rows())
    assert table["指标值（数值）"] == "100%" and table["实际完成值（数值）"] == "92%" and table["分值"] == "10"


def test_percent_columns_show_one_fixed_format():
    df = pl.DataFrame({"rate": [0.6078, 0.622, 1.0, None], "n": [1, 2, 3, 4]})
    spec = {"rate": fmt.pct("执行率"), "n": fmt.integer("数")}
    shown = fmt.display_frame(df, spec)
    assert shown["rate"].to_list()[:3] == pytest.approx([60.78, 62.2, 100.0]) and shown["rate"][3] is None
    assert shown["n"].to_list() == [1, 2, 3, 4]  # other columns untouched
    assert fmt.column_config(spec)["rate"]["type_config"]["format"] == "%.2f%%"  # 62.20%, 100.00%


def test_style_sheet_is_style_only_and_says_the_uploader_in_chinese():
    from dashboard import style

    css = style.css(20)
    assert "<" not in css and ">" not in css.replace("> ", "")  # nothing but CSS inside the <style>
    assert "__" not in css  # every placeholder filled
    for chinese in ("选择文件", "单个文件不超过 20 MB", "松开鼠标即可添加文件", "没有匹配的选项"):
        assert chinese in css
    import tomllib

    config = tomllib.loads((ROOT / "streamlit_config" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["disableDataExport"] is True  # no built-in, formula-unsafe CSV export


def test_no_multiselect_offers_select_all(open_page):
    for page in ("overview", "flags"):
        at = open_page(page)
        boxes = list(at.multiselect) + list(at.sidebar.multiselect)
        assert boxes, page
        assert all(m.proto.select_all == 0 for m in boxes), [(m.label, m.proto.select_all) for m in boxes]


def test_uploads_need_a_signed_in_reviewer_even_called_directly(db_copy):
    from jixiao.users import User

    before = data.file_version(data.db_path())
    content = (HAND / "selfeval_zhangye.txt").read_bytes()
    for nobody in (None, User("李查看", "查看")):  # anonymous and 查看 users load nothing
        with pytest.raises(PermissionError, match="登录"):
            data.ingest_uploads([("selfeval_zhangye.txt", content)], nobody)
    assert data.file_version(data.db_path()) == before
    assert "selfeval_zhangye.txt" not in data.documents()["file"].to_list()
    reports = data.ingest_uploads([("selfeval_zhangye.txt", content)], User("张审核", "审核"))
    assert [r.status for r in reports] == ["ok"]


def test_a_derived_table_without_the_columns_the_pages_read_is_a_problem_not_a_crash(seed_db, tmp_path, monkeypatch):
    # a file from an older version: flag_context without the flags' filter columns
    import shutil

    import duckdb

    from dashboard import data

    old = tmp_path / "old.duckdb"
    shutil.copy(seed_db, old)
    con = duckdb.connect(str(old))
    con.execute("CREATE OR REPLACE TABLE flag_context AS SELECT flag_id, indicator_seq, indicator_name, display_order "
                "FROM flag_context")
    con.close()
    monkeypatch.setenv("JIXIAO_DB", str(old))
    msg = data.problem()
    assert msg is not None and "flag_context" in msg


def test_the_parse_deadline_is_told_in_words(monkeypatch):
    from dashboard import data as dashboard_data
    from jixiao.readers import limits

    monkeypatch.setattr(limits, "MAX_PARSE_SECONDS", 180)
    assert dashboard_data.max_parse_text() == "3 分钟"
    monkeypatch.setattr(limits, "MAX_PARSE_SECONDS", 90)
    assert dashboard_data.max_parse_text() == "90 秒"
