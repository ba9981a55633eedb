"""A report over several years and both kinds of table, for a unit of the bundled synthetic
sample (one county, 2023–2025): the title names the span and both reviews, every year's
projects with open flags get a section, and the summary adds up to the database."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from docx import Document

from jixiao.report import ReportSource, render

COUNTY = Path(__file__).resolve().parents[2] / "datasets" / "sample" / "documents" / "130126"


@pytest.fixture(scope="module")
def sample_con(tmp_path_factory):
    from jixiao.db import connect
    from jixiao.ingest import ingest_paths

    d = tmp_path_factory.mktemp("sample")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JIXIAO_WAIVERS", str(d / "none.csv"))
        ingest_paths([COUNTY], d / "s.duckdb", synthetic=True)
        con = connect(d / "s.duckdb", read_only=True)
        yield con
        con.close()


def test_multi_year_report_for_a_synthetic_unit(sample_con):
    unit, n, n_goal, n_self = sample_con.execute(
        "SELECT unit, count(*), count(*) FILTER (WHERE kind = 'goal'), count(*) FILTER (WHERE kind = 'self_eval') "
        "FROM projects GROUP BY unit HAVING count(DISTINCT year) = 3 AND count(DISTINCT kind) = 2 "
        "ORDER BY unit LIMIT 1").fetchone()
    rep = ReportSource(sample_con).build(unit, report_date=date(2026, 12, 1))
    doc = Document(io.BytesIO(render(rep, "docx")))
    assert doc.paragraphs[0].text == f"关于{unit}\n2023—2025年度项目支出绩效目标及自评的审核意见"
    summary = next([[c.text for c in r.cells] for r in t.rows] for t in doc.tables if t.rows[0].cells[0].text == "审核项目")
    assert summary[0][1].startswith(f"{n} 个（绩效目标表 {n_goal} 个、绩效自评表 {n_self} 个）")
    flagged = sample_con.execute(
        "SELECT count(DISTINCT f.project_id) FROM flags f JOIN projects p USING (project_id) WHERE p.unit = ?",
        [unit]).fetchone()[0]
    assert flagged > 0
    assert sum(p.style.name == "Heading 2" for p in doc.paragraphs) == flagged
    infos = [p.text for p in doc.paragraphs if p.style.name == "说明文字" and "年绩效" in p.text]
    assert {t[:4] for t in infos} <= {"2023", "2024", "2025"} and len(infos) == flagged
