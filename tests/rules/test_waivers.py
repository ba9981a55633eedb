"""Waivers: an append-only log of accept / undo events; a flag's status is its key's last event,
read when asked, so the CLI, the export and `flags_with_status` agree without re-ingesting."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest

from jixiao import waivers as w
from jixiao.ingest import ingest_paths

SEEDS = Path(__file__).resolve().parents[2] / "datasets" / "seeds"


def _flags():
    return pl.DataFrame({
        "flag_id": ["JX101:a:1", "JX101:b:1", "JX202:p:1"], "rule": ["JX101", "JX101", "JX202"],
        "severity": ["中"] * 3, "doc_id": ["d"] * 3, "project_id": ["p", "p", "p"],
        "indicator_id": ["a", "b", None], "message": ["m1", "m2", "m3"],
    })


def _status(path) -> dict[str, str]:
    out = w.apply_waivers(_flags(), w.load_waivers(path))
    return dict(zip(out["flag_id"], out["status"]))


def _lines(path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


def test_accept_needs_a_reason_and_a_reviewer(tmp_path):
    path = tmp_path / "w.jsonl"
    with pytest.raises(ValueError, match="理由"):
        w.accept([("JX101", "p", "a")], "   ", "张审核", path)
    with pytest.raises(ValueError, match="审核人"):
        w.accept([("JX101", "p", "a")], "已核实", "  ", path)
    with pytest.raises(ValueError, match="审核人"):
        w.undo([("JX101", "p", "a")], "", path=path)
    assert not path.exists()


def test_accepted_flags_are_kept_and_marked(tmp_path):
    path = tmp_path / "w.jsonl"
    assert w.accept([("JX101", "p", "a")], "成本按标准定额，经业务科室确认", "李审核", path) == 1
    assert w.accept([("JX202", "p", None)], "分值声明为模板遗留", "李审核", path) == 1
    out = w.apply_waivers(_flags(), w.load_waivers(path))
    assert out.height == 3 and out["flag_id"].to_list() == _flags()["flag_id"].to_list()
    assert _status(path) == {"JX101:a:1": "waived", "JX101:b:1": "open", "JX202:p:1": "waived"}
    row = out.filter(pl.col("flag_id") == "JX101:a:1").row(0, named=True)
    assert row["waiver_reason"].startswith("成本按标准定额") and row["waiver_reviewer"] == "李审核"
    assert row["waived_at"][:4].isdigit() and "T" in row["waived_at"]


def test_undo_appends_and_the_last_event_wins(tmp_path):
    path = tmp_path / "w.jsonl"
    key = ("JX101", "p", "a")
    w.accept([key], "第一次接受", "张审核", path)
    assert w.undo([key], "王管理", "材料不全", path) == 1
    assert _status(path)["JX101:a:1"] == "open"
    w.accept([key], "补充材料后再次接受", "张审核", path)
    assert _status(path)["JX101:a:1"] == "waived"
    events = _lines(path)
    assert [(e["event"], e["reviewer"], e["reason"]) for e in events] == [
        ("accept", "张审核", "第一次接受"), ("undo", "王管理", "材料不全"), ("accept", "张审核", "补充材料后再次接受")]
    assert len({e["event_id"] for e in events}) == 3
    hist = w.history(w.load_events(path), [key])
    assert hist["reason"].to_list() == ["补充材料后再次接受", "材料不全", "第一次接受"]  # newest first
    assert w.load_waivers(path)["reason"].to_list() == ["补充材料后再次接受"]


def test_a_second_click_changes_nothing(tmp_path):
    path = tmp_path / "w.jsonl"
    key = ("JX101", "p", "a")
    assert w.accept([key, key], "已核实", "张审核", path) == 1  # duplicates in one selection
    assert w.accept([key], "又一次", "张审核", path) == 0      # already accepted
    assert w.undo([("JX101", "p", "b")], "张审核", path=path) == 0  # never accepted
    assert len(_lines(path)) == 1


def test_bulk_accept_is_one_batch(tmp_path):
    path = tmp_path / "w.jsonl"
    keys = [("JX404", f"p{k}", "") for k in range(5)]
    assert w.accept(keys, "统一口径", "张审核", path) == 5
    events = _lines(path)
    assert len({e["batch"] for e in events}) == 1 and events[0]["batch"]
    assert {e["at"] for e in events} == {events[0]["at"]}


def test_old_csv_is_read_and_rewritten_as_a_log(tmp_path):
    path = tmp_path / "waivers.csv"
    path.write_text("rule,project_id,indicator_id,reason,reviewer,waived_at\n"
                    "JX101,p,a,旧的接受,老审核,2026-01-01 10:00\n"
                    "JX101,p,b,,x,2026-01-01\n", encoding="utf-8")  # no reason: never a waiver
    assert _status(path) == {"JX101:a:1": "waived", "JX101:b:1": "open", "JX202:p:1": "open"}
    assert w.load_waivers(path)["reviewer"].to_list() == ["老审核"]
    w.accept([("JX202", "p", "")], "新的接受", "张审核", path)
    events = _lines(path)  # now JSON Lines, the old decision first
    assert [(e["event"], e["rule"], e["reason"]) for e in events] == [
        ("accept", "JX101", "旧的接受"), ("accept", "JX202", "新的接受")]
    assert _status(path) == {"JX101:a:1": "waived", "JX101:b:1": "open", "JX202:p:1": "waived"}


def test_the_old_datasets_csv_is_the_default_databases_history(tmp_path, monkeypatch):
    legacy = tmp_path / "datasets" / "waivers.csv"
    legacy.parent.mkdir()
    legacy.write_text("rule,project_id,indicator_id,reason,reviewer,waived_at\n"
                      "JX101,p,a,旧的接受,老审核,2026-01-01 10:00\n", encoding="utf-8")
    default_db = tmp_path / "data" / "jixiao.duckdb"
    monkeypatch.setattr(w, "LEGACY_PATH", legacy)
    monkeypatch.setattr(w, "DEFAULT_DB", default_db)
    monkeypatch.setenv("JIXIAO_DB", str(default_db))
    monkeypatch.delenv("JIXIAO_WAIVERS", raising=False)
    log = w.waivers_path()
    assert log == tmp_path / "data" / "jixiao.waivers.jsonl" and not log.exists()
    assert _status(log)["JX101:a:1"] == "waived"             # read from the old file
    assert _status(tmp_path / "other.waivers.jsonl")["JX101:a:1"] == "open"  # another database: not its history
    w.undo([("JX101", "p", "a")], "张审核", "重新审核", log)
    assert [(e["event"], e["reason"]) for e in _lines(log)] == [("accept", "旧的接受"), ("undo", "重新审核")]
    assert _status(log)["JX101:a:1"] == "open"


def test_a_torn_last_line_is_skipped_and_the_next_event_starts_fresh(tmp_path):
    path = tmp_path / "w.jsonl"
    w.accept([("JX101", "p", "a")], "已核实", "张审核", path)
    with path.open("a", encoding="utf-8") as f:
        f.write('{"event_id": "x", "event": "accept", "rule": "JX1')  # a crash mid-write
    assert _status(path)["JX101:a:1"] == "waived"
    w.accept([("JX101", "p", "b")], "已核实", "张审核", path)
    assert _status(path) == {"JX101:a:1": "waived", "JX101:b:1": "waived", "JX202:p:1": "open"}


def test_the_log_lives_beside_the_database(monkeypatch, tmp_path):
    monkeypatch.delenv("JIXIAO_WAIVERS", raising=False)
    assert w.waivers_path(tmp_path / "x.duckdb") == tmp_path / "x.waivers.jsonl"
    monkeypatch.setenv("JIXIAO_WAIVERS", str(tmp_path / "elsewhere.jsonl"))
    assert w.waivers_path(tmp_path / "x.duckdb") == tmp_path / "elsewhere.jsonl"


def _writer(path: str, who: int, n: int) -> None:
    for k in range(n):
        # every writer tries the same shared keys (only one may accept each) and its own keys
        w.accept([("JX101", "shared", f"i{k}")], f"理由 {who}-{k}", f"审核{who}", Path(path))
        w.accept([("JX101", f"p{who}", f"i{k}")], f"理由 {who}-{k}", f"审核{who}", Path(path))
        if k % 3 == 0:
            w.undo([("JX101", f"p{who}", f"i{k}")], f"审核{who}", path=Path(path))


def test_concurrent_writers_do_not_corrupt_the_log(tmp_path):
    path = tmp_path / "w.jsonl"
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_writer, args=(str(path), who, 30)) for who in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    events = _lines(path)  # every line parses
    shared = [e for e in events if e["project_id"] == "shared"]
    assert sorted(e["indicator_id"] for e in shared) == sorted(f"i{k}" for k in range(30)), \
        "each shared key accepted exactly once: the check and the append happen under one lock"
    assert len(events) == 30 + 4 * (30 + 10)
    current = w.load_waivers(path)
    assert current.height == 30 + 4 * 20  # per writer: 30 accepted, 10 of them undone


# --------------------------------------------------------------------------- one read for everyone


def _cli_flags(db) -> dict[str, dict]:
    out = subprocess.run([sys.executable, "-m", "jixiao.cli", "flags", "--db", str(db), "--format", "json"],
                         capture_output=True, text=True, env=dict(os.environ), check=True)
    return {f["flag_id"]: f for f in json.loads(out.stdout)}


def _exported_flags(db, out) -> dict[str, tuple]:
    from jixiao.export import export_parquet

    export_parquet(db, out)
    rows = duckdb.sql(f"SELECT flag_id, status, waiver_reason, waiver_reviewer FROM "
                      f"read_parquet('{out}/flags/**/*.parquet', hive_partitioning = true)").fetchall()
    return {r[0]: r[1:] for r in rows}


def test_cli_export_and_flags_with_status_agree_after_accept_and_undo(tmp_path, monkeypatch):
    db = tmp_path / "x.duckdb"
    monkeypatch.delenv("JIXIAO_WAIVERS", raising=False)  # the log beside the database
    ingest_paths([next(SEEDS.glob("004_*.txt"))], db)
    log = w.waivers_path(db)
    assert log == tmp_path / "x.waivers.jsonl"

    def status_now():
        con = duckdb.connect(str(db), read_only=True)
        try:
            df = w.flags_with_status(con)
        finally:
            con.close()
        return {r["flag_id"]: (r["status"], r["waiver_reason"], r["waiver_reviewer"]) for r in df.to_dicts()}

    before = status_now()
    assert before and {s for s, *_ in before.values()} == {"open"}
    target = next(f for f in sorted(before) if f.startswith("JX106"))
    con = duckdb.connect(str(db), read_only=True)
    rule, pid, iid = con.sql("SELECT rule, project_id, indicator_id FROM flags WHERE flag_id = $f",
                             params={"f": target}).fetchall()[0]
    con.close()

    w.accept([(rule, pid, iid)], "该行为表格换行残留，已与单位核实", "张审核", log)
    after = status_now()
    assert after[target] == ("waived", "该行为表格换行残留，已与单位核实", "张审核")
    assert sum(s == "waived" for s, *_ in after.values()) >= 1
    cli = _cli_flags(db)
    assert {k: (v["status"], v["waiver_reason"], v["waiver_reviewer"]) for k, v in cli.items()} == after
    assert _exported_flags(db, tmp_path / "out1") == after

    w.undo([(rule, pid, iid)], "王管理", "误判", log)
    undone = status_now()
    assert undone == before
    cli = _cli_flags(db)
    assert {k: (v["status"], v["waiver_reason"], v["waiver_reviewer"]) for k, v in cli.items()} == undone
    assert _exported_flags(db, tmp_path / "out2") == undone
    events = duckdb.sql(f"SELECT event, reviewer FROM read_parquet('{tmp_path}/out2/waiver_events/*.parquet')").fetchall()
    assert events == [("accept", "张审核"), ("undo", "王管理")]


def test_ingest_does_not_bake_a_status_into_the_flags_table(tmp_path, monkeypatch):
    db = tmp_path / "x.duckdb"
    monkeypatch.setenv("JIXIAO_WAIVERS", str(tmp_path / "w.jsonl"))
    ingest_paths([next(SEEDS.glob("004_*.txt"))], db)
    con = duckdb.connect(str(db), read_only=True)
    cols = {r[0] for r in con.sql("DESCRIBE flags").fetchall()}
    con.close()
    assert not cols & set(w.STATUS_COLUMNS)
