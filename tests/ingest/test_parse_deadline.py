"""A parse that runs too long is stopped and said so, and a parse worker that dies costs its
own file only: the other files load, and the dashboard's uploads are parsed in a worker, so
neither can take the server with them."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from pathlib import Path

import duckdb

from jixiao import ingest
from jixiao.ingest import ingest_paths, parse_file
from jixiao.readers import limits
from tests.ingest.test_readers_formats import _grid_pdf

ROOT = Path(__file__).resolve().parents[2]
SEED_000 = next((ROOT / "datasets" / "seeds").glob("000_*.txt"))
FORMATS = ROOT / "tests" / "fixtures" / "formats"


def _busy(*_args, **_kw):
    while True:  # Python work, as a slow parse is
        sum(range(1000))


def test_a_parse_past_its_deadline_fails_in_chinese_and_disarms_the_timer(monkeypatch) -> None:
    monkeypatch.setattr(limits, "MAX_PARSE_SECONDS", 1)
    monkeypatch.setattr(ingest, "interpret", _busy)
    before = signal.getsignal(signal.SIGALRM)
    started = time.monotonic()
    report = parse_file(SEED_000).report
    assert time.monotonic() - started < 30
    assert report.status == "failed" and report.message.startswith("解析超时：1 秒内未能读完，未导入")
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0) and signal.getsignal(signal.SIGALRM) is before


def test_a_reader_that_catches_library_failures_does_not_take_the_deadline_for_one(tmp_path: Path, monkeypatch) -> None:
    # the xlsx reader turns any failure of a sheet into "skipped" and carries on: the deadline
    # must get through it, not leave the file reported as read without that sheet
    from jixiao.readers import xlsx

    monkeypatch.setattr(limits, "MAX_PARSE_SECONDS", 1)
    monkeypatch.setattr(xlsx, "_read_sheet", _busy)
    from jixiao.writers import rows_to_xlsx

    path = tmp_path / "table.xlsx"
    rows_to_xlsx([[["项目名称", "x"]]], path, merge_levels=False)
    report = parse_file(path).report
    assert report.status == "failed" and "解析超时" in report.message and "已跳过" not in report.message


def test_the_deadline_is_not_armed_outside_the_main_thread() -> None:
    armed = []
    thread = threading.Thread(target=lambda: armed.append(limits.deadline(1).__enter__()))
    thread.start()
    thread.join()
    assert armed == [False]


def test_an_isolated_parse_past_its_deadline_fails_and_the_next_file_loads(tmp_path: Path, monkeypatch) -> None:
    # a page of 400 x 400 ruling lines, its guard lifted, holds pdfplumber for minutes; the
    # worker's deadline (read from the environment it inherits) stops it
    monkeypatch.setenv("JIXIAO_MAX_PDF_CROSSINGS", str(10 ** 9))
    monkeypatch.setenv("JIXIAO_MAX_PARSE_SECONDS", "3")
    grid = _grid_pdf(tmp_path / "grid.pdf", 400)
    db_path = tmp_path / "t.duckdb"
    reports = ingest_paths([grid, SEED_000], db_path, isolate=True, derive=False)
    by_name = {Path(r.path).name: r for r in reports}
    assert by_name["grid.pdf"].status == "failed" and "解析超时：3 秒内未能读完" in by_name["grid.pdf"].message
    assert by_name[SEED_000.name].status == "ok" and by_name[SEED_000.name].indicators == 16
    con = duckdb.connect(str(db_path), read_only=True)
    assert con.execute("SELECT count(*) FROM indicators").fetchone()[0] == 16
    assert con.execute("SELECT status FROM documents WHERE source_path LIKE '%grid.pdf'").fetchone()[0] == "failed"
    con.close()


def _cpu_seconds(pid: int) -> float:
    """Given a process id, returns the CPU time it has used (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_a_parse_worker_that_dies_fails_its_file_only(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("JIXIAO_MAX_PDF_CROSSINGS", str(10 ** 9))  # the grid keeps its worker busy
    grid = _grid_pdf(tmp_path / "grid.pdf", 400)
    before = {child.pid for child in multiprocessing.active_children()}
    reports: list = []
    run = threading.Thread(target=lambda: reports.extend(
        ingest_paths([grid, SEED_000], tmp_path / "t.duckdb", isolate=True, derive=False)))
    run.start()
    deadline = time.monotonic() + 60
    killed = []
    while not killed and time.monotonic() < deadline:
        time.sleep(0.5)
        for child in multiprocessing.active_children():
            # the upload's worker, well into the grid's parse (starting takes about a second)
            if child.pid not in before and _cpu_seconds(child.pid) > 4:
                os.kill(child.pid, signal.SIGKILL)  # as the kernel's out-of-memory killer would
                killed.append(child.pid)
    run.join(120)
    assert len(killed) == 1 and not run.is_alive()
    by_name = {Path(r.path).name: r for r in reports}
    assert by_name["grid.pdf"].status == "failed" and by_name["grid.pdf"].message.startswith("解析进程意外退出")
    assert by_name[SEED_000.name].status == "ok" and by_name[SEED_000.name].indicators == 16


def test_a_worker_that_gives_no_answer_past_the_deadline_is_killed(tmp_path: Path, monkeypatch) -> None:
    # the worker's own deadline is far off (as when a compiled library does not return): the
    # parent waits the deadline and the margin, kills it, and goes on with the next file
    monkeypatch.setenv("JIXIAO_MAX_PDF_CROSSINGS", str(10 ** 9))
    monkeypatch.setenv("JIXIAO_MAX_PARSE_SECONDS", "1000")
    monkeypatch.setattr(limits, "MAX_PARSE_SECONDS", 2)
    monkeypatch.setattr(ingest, "KILL_MARGIN_SECONDS", 3)
    grid = _grid_pdf(tmp_path / "grid.pdf", 400)
    started = time.monotonic()
    reports = ingest_paths([grid, SEED_000], tmp_path / "t.duckdb", isolate=True, derive=False)
    assert time.monotonic() - started < 60
    by_name = {Path(r.path).name: r for r in reports}
    assert by_name["grid.pdf"].status == "failed"
    assert by_name["grid.pdf"].message.startswith("解析超时：2 秒内未能读完，解析进程已终止")
    assert by_name[SEED_000.name].status == "ok" and by_name[SEED_000.name].indicators == 16
    assert not [c for c in multiprocessing.active_children() if _cpu_seconds(c.pid) > 4]


def test_a_bulk_load_whose_worker_dies_loads_every_other_file_once(tmp_path: Path, monkeypatch) -> None:
    import shutil

    monkeypatch.setenv("JIXIAO_MAX_PDF_CROSSINGS", str(10 ** 9))
    monkeypatch.setenv("JIXIAO_MAX_PARSE_SECONDS", "8")  # the grid's second try, alone, stops here
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    _grid_pdf(tmp_path / "a" / "grid.pdf", 400)
    seeds = sorted((ROOT / "datasets" / "seeds").glob("*.txt"))
    for seed in seeds:
        shutil.copy(seed, tmp_path / "b" / seed.name)
    before = {child.pid for child in multiprocessing.active_children()}
    reports: list = []
    db_path = tmp_path / "t.duckdb"
    run = threading.Thread(target=lambda: reports.extend(
        ingest_paths([tmp_path / "a", tmp_path / "b"], db_path, workers=2, derive=False)))
    run.start()
    killed = []
    deadline = time.monotonic() + 60
    while not killed and time.monotonic() < deadline:
        time.sleep(0.3)
        for child in multiprocessing.active_children():
            if child.pid not in before and _cpu_seconds(child.pid) > 3:  # the grid's worker
                os.kill(child.pid, signal.SIGKILL)
                killed.append(child.pid)
    run.join(180)
    assert len(killed) == 1 and not run.is_alive()
    names = [Path(r.path).name for r in reports]
    assert sorted(names) == sorted(["grid.pdf"] + [s.name for s in seeds])  # each once
    by_name = {Path(r.path).name: r for r in reports}
    assert by_name["grid.pdf"].status == "failed" and "解析超时：8 秒内未能读完" in by_name["grid.pdf"].message
    assert all(by_name[s.name].status == "ok" for s in seeds)
    con = duckdb.connect(str(db_path), read_only=True)
    loaded = con.execute("SELECT count(*) FROM indicators").fetchone()[0]
    con.close()
    assert loaded == sum(by_name[s.name].indicators for s in seeds) > 0
