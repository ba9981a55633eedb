"""The `jixiao` command as a user runs it: one line per file, exit codes, re-loads, flags."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "datasets" / "seeds"


def jixiao(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "jixiao.cli", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=300)


def test_ingest_folder_prints_a_line_per_file_and_exits_0(tmp_path):
    db = tmp_path / "x.duckdb"
    run = jixiao("ingest", str(SEEDS), "--db", str(db))
    assert run.returncode == 0, run.stderr
    lines = [ln for ln in run.stdout.splitlines() if ln.strip()]
    assert len(lines) == 4 and all(ln.startswith("ok") for ln in lines)
    assert "projects=18 indicators=162" in run.stdout
    again = jixiao("ingest", str(SEEDS), "--db", str(db))
    assert again.returncode == 0
    assert all(ln.startswith("skipped") for ln in again.stdout.splitlines() if ln.strip())


def test_ingest_with_a_bad_file_exits_1_and_loads_the_good(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(next(SEEDS.glob("004_*.txt")), folder / "good.txt")
    (folder / "bad.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    db = tmp_path / "x.duckdb"
    run = jixiao("ingest", str(folder), "--db", str(db))
    assert run.returncode == 1
    assert "Traceback" not in run.stdout + run.stderr
    out = {ln.split()[1].split("/")[-1]: ln.split()[0] for ln in run.stdout.splitlines() if ln.strip()}
    assert out == {"bad.xlsx": "failed", "good.txt": "ok"}
    flags = jixiao("flags", "--db", str(db), "--format", "json")
    assert flags.returncode == 0
    rows = json.loads(flags.stdout)
    assert rows and {"rule", "severity", "status", "message"} <= set(rows[0])


def test_flags_formats(tmp_path):
    db = tmp_path / "x.duckdb"
    assert jixiao("ingest", str(SEEDS), "--db", str(db)).returncode == 0
    csv_out = jixiao("flags", "--db", str(db), "--format", "csv")
    assert csv_out.returncode == 0 and csv_out.stdout.startswith("flag_id,rule,")
    table = jixiao("flags", "--db", str(db))
    assert table.returncode == 0 and "JX101" in table.stdout


def test_missing_database_is_a_clear_error(tmp_path):
    run = jixiao("flags", "--db", str(tmp_path / "none.duckdb"))
    assert run.returncode != 0 and "Traceback" not in run.stderr and run.stderr.strip()
