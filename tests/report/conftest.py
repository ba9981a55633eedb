"""Fixtures for the report tests: the four seeds loaded into a database of their own, with one
flag accepted (a waiver with a reason and a reviewer's name, which must not be printed) and
planted data a report must not leak: a phone number in a project's goal text and in a flag
message, and a flag message that starts with "=" (it must stay a string in Excel)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "datasets" / "seeds"

NANPU = "南堡开发区社会事业保险局"      # 003: 18 goal tables, many flags
GUYUAN = "固原市社会保险事业管理中心"   # 001: 8 self-evaluations
KORLA = "库尔勒市社会保险中心"          # 004: goal tables, five named 巴财…[2022]…
ZHIJIANG = "芷江侗族自治县社会保险服务中心"  # 000: 2 goal tables, no flags

PHONE_MOBILE = "13912345678"
PHONE_LANDLINE = "0996-2345678"
REVIEWER = "张三丰"
REASON = "该项目成本按补助比例核定，经核实口径特殊"


@pytest.fixture(scope="session")
def report_db(tmp_path_factory):
    """Returns (database path, facts) — facts names the planted and accepted items."""
    from jixiao.ingest import ingest_paths
    from jixiao.waivers import accept, flag_key

    d = tmp_path_factory.mktemp("report")
    db = d / "seeds.duckdb"
    waivers = d / "waivers.jsonl"
    # The waivers file is set only while loading (and per test by `con`): other test modules in
    # this process have their own.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JIXIAO_WAIVERS", str(waivers))
        ingest_paths([SEEDS], db)
    con = duckdb.connect(str(db))
    q = lambda sql, *a: con.execute(sql, list(a)).fetchall()  # noqa: E731
    # the first 南堡 project (by document order) and its flags
    pid = q("SELECT project_id FROM projects WHERE unit = ? ORDER BY seq LIMIT 1", NANPU)[0][0]
    waived = q("SELECT flag_id, rule, project_id, indicator_id, message FROM flags "
               "WHERE project_id = ? AND rule = 'JX101' ORDER BY flag_id LIMIT 1", pid)[0]
    accept([flag_key(waived[1], waived[2], waived[3])], REASON, REVIEWER, path=waivers)
    con.execute("UPDATE projects SET goal = goal || ?  WHERE project_id = ?", [f"（联系人电话：{PHONE_MOBILE}）", pid])
    phone_flag = q("SELECT flag_id FROM flags WHERE project_id = ? AND rule = 'JX404'", pid)[0][0]
    con.execute("UPDATE flags SET message = message || ? WHERE flag_id = ?", [f"，咨询电话 {PHONE_LANDLINE}", phone_flag])
    formula_flag = q("SELECT flag_id FROM flags WHERE project_id = ? AND rule = 'JX102'", pid)[0][0]
    con.execute("UPDATE flags SET message = '=1+2 ' || message WHERE flag_id = ?", [formula_flag])
    con.close()
    facts = {"project_id": pid, "waived_flag": waived[0], "waived_message": waived[4],
             "phone_flag": phone_flag, "formula_flag": formula_flag, "waivers": waivers}
    return db, facts


@pytest.fixture()
def con(report_db, monkeypatch):
    """A read-only connection to the report database, with its waivers file in effect."""
    from jixiao.db import connect

    db, facts = report_db
    monkeypatch.setenv("JIXIAO_WAIVERS", str(facts["waivers"]))
    c = connect(db, read_only=True)
    yield c
    c.close()
