"""`jixiao report` as a user runs it: one file for a unit, one file per unit for --all-units,
Chinese messages with close matches for a unit it cannot find, and the exit codes of the other
commands (0 done, 2 for a wrong request or a missing database)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
from docx import Document

from .conftest import GUYUAN, KORLA, NANPU, ZHIJIANG

UNITS = sorted([NANPU, GUYUAN, KORLA, ZHIJIANG])


def jixiao(report_db, *args: str) -> subprocess.CompletedProcess:
    db, facts = report_db
    env = {**os.environ, "JIXIAO_WAIVERS": str(facts["waivers"])}
    return subprocess.run([sys.executable, "-m", "jixiao.cli", "report", "--db", str(db), *args],
                          capture_output=True, text=True, env=env, timeout=300)


def test_all_units_writes_one_file_per_unit(report_db, tmp_path):
    out = tmp_path / "reports"
    run = jixiao(report_db, "--all-units", "--out", str(out), "--date", "2026-12-01")
    assert run.returncode == 0, run.stderr
    files = sorted(p.name for p in out.iterdir())
    assert len(files) == 4 and all(f.endswith(".docx") for f in files)
    assert sorted(f.split("_")[0] for f in files) == UNITS
    for f in out.iterdir():  # each is a Word document about its own unit
        doc = Document(str(f))
        assert f.name.split("_")[0] in doc.paragraphs[0].text
    assert "共 4 个单位：写入 4 份，失败 0 份" in run.stderr


def test_all_units_as_excel_for_one_year(report_db, tmp_path):
    out = tmp_path / "x"
    run = jixiao(report_db, "--all-units", "--year", "2024", "--format", "xlsx", "--out", str(out))
    assert run.returncode == 0, run.stderr
    files = list(out.iterdir())
    assert [f.name for f in files] == [f"{GUYUAN}_2024年度_复核意见.xlsx"]  # the only 2024 unit
    assert "总体情况" in openpyxl.load_workbook(files[0]).sheetnames


def test_all_units_into_one_zip(report_db, tmp_path):
    out = tmp_path / "all.zip"
    run = jixiao(report_db, "--all-units", "--out", str(out))
    assert run.returncode == 0, run.stderr
    names = zipfile.ZipFile(out).namelist()
    assert len(names) == 8 and sum(n.endswith(".docx") for n in names) == 4


def test_one_unit_to_a_file_by_its_suffix(report_db, tmp_path):
    out = tmp_path / "k.xlsx"
    run = jixiao(report_db, "--unit", KORLA, "--out", str(out))
    assert run.returncode == 0, run.stderr
    assert f"已写入 {out}" in run.stdout and "需要整改的问题 10 条" in run.stdout
    wb = openpyxl.load_workbook(io.BytesIO(out.read_bytes()))
    assert KORLA in wb["总体情况"]["A1"].value


def test_unknown_unit_names_close_matches(report_db, tmp_path):
    run = jixiao(report_db, "--unit", "库尔勒社保中心", "--out", str(tmp_path / "a.docx"))
    assert run.returncode == 2
    assert "未找到单位「库尔勒社保中心」" in run.stderr and KORLA in run.stderr
    assert not (tmp_path / "a.docx").exists()


def test_unit_outside_the_year_says_which_years_it_has(report_db, tmp_path):
    run = jixiao(report_db, "--unit", KORLA, "--year", "2025", "--out", str(tmp_path / "a.docx"))
    assert run.returncode == 2
    assert "没有项目" in run.stderr and "2023年" in run.stderr


def test_wrong_output_and_missing_database(report_db, tmp_path):
    assert jixiao(report_db, "--unit", KORLA, "--out", str(tmp_path / "a.pdf")).returncode == 2
    assert jixiao(report_db, "--all-units", "--out", str(tmp_path / "a.docx")).returncode == 2
    run = subprocess.run([sys.executable, "-m", "jixiao.cli", "report", "--db", str(tmp_path / "none.duckdb"),
                          "--unit", KORLA, "--out", str(tmp_path / "a.docx")], capture_output=True, text=True)
    assert run.returncode == 2 and "数据库不存在" in run.stderr
    assert "Traceback" not in run.stderr
