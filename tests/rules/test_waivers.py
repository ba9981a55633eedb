"""Waivers: accepting a flag needs a reason; waived flags stay listed with status waived."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from jixiao.ingest import ingest_paths
from jixiao.waivers import add_waiver, apply_waivers, load_waivers

SEEDS = Path(__file__).resolve().parents[2] / "datasets" / "seeds"


def _flags():
    return pl.DataFrame({
        "flag_id": ["JX101:a:1", "JX101:b:1", "JX202:p:1"], "rule": ["JX101", "JX101", "JX202"],
        "severity": ["中"] * 3, "doc_id": ["d"] * 3, "project_id": ["p", "p", "p"],
        "indicator_id": ["a", "b", None], "message": ["m1", "m2", "m3"],
    })


def test_waiver_needs_a_reason(tmp_path):
    path = tmp_path / "w.csv"
    with pytest.raises(ValueError):
        add_waiver("JX101", "p", "a", "   ", path=path)
    assert not path.exists()


def test_waived_flags_are_kept_and_marked(tmp_path):
    path = tmp_path / "w.csv"
    add_waiver("JX101", "p", "a", "成本按标准定额，经业务科室确认", reviewer="李审核", path=path)
    add_waiver("JX202", "p", None, "分值声明为模板遗留", path=path)
    out = apply_waivers(_flags(), load_waivers(path))
    assert out.height == 3
    status = dict(zip(out["flag_id"], out["status"]))
    assert status == {"JX101:a:1": "waived", "JX101:b:1": "open", "JX202:p:1": "waived"}
    assert out.filter(pl.col("flag_id") == "JX101:a:1")["waiver_reason"][0].startswith("成本按标准定额")


def test_a_waiver_row_without_reason_in_the_file_is_ignored(tmp_path):
    path = tmp_path / "w.csv"
    path.write_text("rule,project_id,indicator_id,reason,reviewer,waived_at\nJX101,p,a,,x,2026-01-01\n",
                    encoding="utf-8")
    assert set(apply_waivers(_flags(), load_waivers(path))["status"]) == {"open"}


def test_cli_flags_shows_waivers_accepted_after_ingest(tmp_path, monkeypatch):
    db = tmp_path / "x.duckdb"
    waivers = tmp_path / "w.csv"
    monkeypatch.setenv("JIXIAO_WAIVERS", str(waivers))
    ingest_paths([next(SEEDS.glob("004_*.txt"))], db)
    env = {"JIXIAO_WAIVERS": str(waivers)}
    import os

    run = lambda: subprocess.run([sys.executable, "-m", "jixiao.cli", "flags", "--db", str(db), "--format", "json"],
                                 capture_output=True, text=True, env={**os.environ, **env})
    before = json.loads(run().stdout)
    target = next(f for f in before if f["rule"] == "JX106")
    pid, iid = target["flag_id"].split(":")[1].rsplit("-", 1)[0], target["flag_id"].split(":")[1]
    add_waiver("JX106", pid, iid, "该行为表格换行残留，已与单位核实", path=waivers)
    after = {f["flag_id"]: f for f in json.loads(run().stdout)}
    assert len(after) == len(before)
    assert after[target["flag_id"]]["status"] == "waived"
    assert after[target["flag_id"]]["waiver_reason"] == "该行为表格换行残留，已与单位核实"
