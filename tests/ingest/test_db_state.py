"""The database file under faults and age: the command line loads while another process reads
it, two imports never lose each other's work, a killed load is detected and rebuilt, a swap
keeps the file's permissions, and a file from before the newer columns still opens."""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from jixiao import db
from jixiao.ingest import ingest_into_copy, ingest_paths

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "datasets" / "seeds"
HAND = ROOT / "tests" / "fixtures" / "handwritten"
SEED_004 = next(SEEDS.glob("004_*.txt"))


def jixiao(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "jixiao.cli", *args], capture_output=True, text=True,
                          timeout=300, **kw)


def _count(db_path: Path, sql: str):
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


@pytest.fixture()
def seeded(tmp_path) -> Path:
    path = tmp_path / "live.duckdb"
    ingest_paths([SEEDS], path)
    return path


def _holder(db_path: Path, read_only: bool) -> subprocess.Popen:
    """Another process that keeps the database open (as a dashboard does, read-only) until killed."""
    code = textwrap.dedent(f"""
        import duckdb, sys, time
        con = duckdb.connect({str(db_path)!r}, read_only={read_only})
        con.execute("SELECT count(*) FROM documents").fetchall()
        print("open", flush=True)
        time.sleep(120)
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "open"
    return proc


# ------------------------------------------------------------------ 8. load while another process reads


def test_cli_ingest_while_a_reader_holds_the_database(seeded):
    reader = _holder(seeded, read_only=True)
    try:
        run = jixiao("ingest", str(HAND / "selfeval_zhangye.txt"), "--db", str(seeded))
    finally:
        reader.kill()
        reader.wait()
    assert run.returncode == 0, run.stderr
    assert "lock" not in (run.stdout + run.stderr).lower()
    assert _count(seeded, "SELECT count(*) FROM projects") == 40
    assert not db.is_stale(duckdb.connect(str(seeded), read_only=True))


def test_a_database_held_for_writing_gives_a_chinese_error(seeded):
    writer = _holder(seeded, read_only=False)  # e.g. an older jixiao writing in place
    try:
        run = jixiao("flags", "--db", str(seeded))
    finally:
        writer.kill()
        writer.wait()
    assert run.returncode != 0
    assert "另一个程序" in run.stderr and "Conflicting" not in run.stderr and "lock" not in run.stderr


def test_a_second_import_waits_and_keeps_the_first_ones_work(seeded):
    """While one import holds the lock (and has copied the file), a second one waits, says so,
    then loads on top of the first one's result: both documents are there."""
    second = None

    def first(copy: Path) -> None:
        nonlocal second
        second = subprocess.Popen(
            [sys.executable, "-m", "jixiao.cli", "ingest", str(HAND / "goal_shifted_yilong.txt"), "--db", str(seeded)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = second.stderr.readline()  # the waiting message, before anything is loaded
        assert "另一个导入正在进行" in line
        assert db.import_running(seeded)
        ingest_paths([HAND / "selfeval_zhangye.txt"], copy)

    db.write_via_copy(seeded, first)
    out, err = second.communicate(timeout=300)
    assert second.returncode == 0, err
    con = duckdb.connect(str(seeded), read_only=True)
    names = {Path(r[0]).name for r in con.execute("SELECT source_path FROM documents").fetchall()}
    con.close()
    assert {"selfeval_zhangye.txt", "goal_shifted_yilong.txt"} <= names
    assert not db.import_running(seeded)


def test_import_lock_refuses_without_waiting(tmp_path):
    path = tmp_path / "x.duckdb"
    with db.import_lock(path):
        with pytest.raises(db.ImportBusy, match="另一个导入正在进行"):
            with db.import_lock(path, wait=False):
                pass
    with db.import_lock(path, wait=False):  # free again
        pass


# ------------------------------------------------------------------ 9. a killed load


def test_a_killed_load_is_detected_and_rebuilt(seeded):
    assert not db.is_stale(duckdb.connect(str(seeded), read_only=True))
    code = textwrap.dedent(f"""
        import os, signal
        from jixiao.ingest import ingest_paths
        ingest_paths([{str(HAND / 'selfeval_zhangye.txt')!r}], {str(seeded)!r}, derive=False)
        os.kill(os.getpid(), signal.SIGKILL)  # killed between the load and the derive step
    """)
    proc = subprocess.run([sys.executable, "-c", code], timeout=300)
    assert proc.returncode == -signal.SIGKILL
    con = duckdb.connect(str(seeded), read_only=True)
    assert db.is_stale(con)
    lacking = con.execute("SELECT count(*) FROM projects WHERE project_id NOT IN "
                          "(SELECT project_id FROM project_scores)").fetchone()[0]
    assert lacking == 3  # the new projects have no scores
    con.close()

    messages = []
    assert db.ensure_current(seeded, log=messages.append)  # what `jixiao serve` does before it starts
    assert any("重新计算" in m for m in messages)
    con = duckdb.connect(str(seeded), read_only=True)
    assert not db.is_stale(con)
    assert con.execute("SELECT count(*) FROM projects WHERE project_id NOT IN "
                       "(SELECT project_id FROM project_scores)").fetchone()[0] == 0
    con.close()
    assert not db.ensure_current(seeded)  # nothing left to do


def test_a_failed_derive_keeps_the_previous_derived_tables_and_says_stale(seeded, monkeypatch):
    import jixiao.boilerplate as boilerplate
    from jixiao.derive import refresh

    before = _count(seeded, "SELECT count(*) FROM flags")
    ingest_paths([HAND / "selfeval_zhangye.txt"], seeded, derive=False)

    def broken(*a, **k):
        raise MemoryError("out of memory in the middle of the derive step")

    monkeypatch.setattr(boilerplate, "template_clusters", broken)
    con = db.connect(seeded)
    with pytest.raises(MemoryError):
        refresh(con)
    # the scores written before the failure were rolled back with the rest
    assert con.execute("SELECT count(*) FROM flags").fetchone()[0] == before
    assert db.is_stale(con)
    con.close()


def test_cli_serve_rebuilds_a_stale_database_before_starting(seeded, monkeypatch):
    from jixiao import cli

    ingest_paths([HAND / "selfeval_zhangye.txt"], seeded, derive=False)
    started = []
    monkeypatch.setattr(cli.subprocess, "call", lambda cmd, env: started.append(cmd) or 0)
    assert cli.main(["serve", "--db", str(seeded)]) == 0
    assert started
    assert not db.is_stale(duckdb.connect(str(seeded), read_only=True))


# ------------------------------------------------------------------ 11. file mode, old files


def test_swap_keeps_the_files_mode(seeded):
    os.chmod(seeded, 0o644)
    ingest_into_copy([HAND / "selfeval_zhangye.txt"], seeded)
    assert stat.S_IMODE(seeded.stat().st_mode) == 0o644
    fresh = seeded.parent / "fresh.duckdb"
    ingest_into_copy([SEED_004], fresh, derive=False)
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o666 & ~umask
    assert not list(seeded.parent.glob(".*ingest-*"))  # no temporary copy left behind


def _make_old(path: Path) -> None:
    """Turns a database into one as an earlier version wrote it: no meta table, none of the
    columns added since, and a phone number in a goal that the masking of the time missed."""
    con = duckdb.connect(str(path))
    con.execute("DROP TABLE meta")
    for table, cols in {"documents": ["confidence", "source_key", "text_sha256"],
                        "projects": ["unit_canonical", "scope"]}.items():
        for c in cols:
            con.execute(f'ALTER TABLE {table} DROP COLUMN "{c}"')
    con.execute("UPDATE projects SET goal = goal || '（联系人 138 0013 8000）' WHERE seq = 1")
    con.close()


def test_a_database_from_an_older_version_opens_and_keeps_working(seeded):
    _make_old(seeded)
    con = duckdb.connect(str(seeded), read_only=True)
    assert db.state(con).needs_migration
    con.close()
    assert db.ensure_current(seeded)
    con = duckdb.connect(str(seeded), read_only=True)
    st = db.state(con)
    assert not st.needs_migration and not st.stale and not db.missing_columns(con)
    # identities recovered from the stored paths: a re-load of the same files adds nothing
    assert con.execute("SELECT count(*) FROM documents WHERE source_key IS NULL").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM projects WHERE goal LIKE '%13800138000%' "
                       "OR goal LIKE '%138 0013 8000%'").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM projects WHERE goal LIKE '%（联系人 ***）'").fetchone()[0] == 4
    con.close()
    again = ingest_paths([SEEDS], seeded)
    assert {r.status for r in again} == {"skipped"}
    assert _count(seeded, "SELECT count(*) FROM projects") == 37


def test_an_old_database_is_migrated_by_the_ingest_too(seeded):
    _make_old(seeded)
    run = jixiao("ingest", str(HAND / "selfeval_zhangye.txt"), "--db", str(seeded))
    assert run.returncode == 0, run.stderr
    assert _count(seeded, "SELECT count(*) FROM projects") == 40
    assert _count(seeded, "SELECT count(*) FROM documents WHERE source_key IS NULL") == 0
