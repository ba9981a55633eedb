"""Parallel loading: a folder's files are parsed together by one worker, and the result is the
same as loading them one by one."""

import hashlib
import shutil
from pathlib import Path

import polars as pl

from jixiao import db
from jixiao.ingest import folder_chunks, ingest_paths, source_of

SEEDS = Path(__file__).resolve().parents[2] / "datasets" / "seeds"


def test_folder_chunks_keep_order_and_cut_at_folders_and_limit(tmp_path):
    paths = [tmp_path / "a" / "1.txt", tmp_path / "a" / "2.txt", tmp_path / "a" / "3.txt",
             tmp_path / "b" / "1.txt", tmp_path / "a" / "4.txt", tmp_path / "5.txt"]
    sources = [source_of(p) for p in paths]
    runs = folder_chunks(sources, limit=2)
    assert [[s.path for s in run] for run in runs] == [
        paths[0:2], paths[2:3], paths[3:4], paths[4:5], paths[5:6]]
    assert folder_chunks([]) == []


def test_parallel_load_equals_serial_load(tmp_path):
    docs = tmp_path / "docs"
    for k, folder in enumerate(("county_a", "county_b")):
        (docs / folder).mkdir(parents=True)
        for seed in sorted(SEEDS.iterdir())[k::2]:
            shutil.copy(seed, docs / folder / seed.name)
    serial = ingest_paths([docs], tmp_path / "one.duckdb", workers=1, derive=False)
    parallel = ingest_paths([docs], tmp_path / "two.duckdb", workers=2, batch_size=3, derive=False)
    assert [(Path(r.path).name, r.status, r.indicators) for r in parallel] == \
        [(Path(r.path).name, r.status, r.indicators) for r in serial]
    assert sum(r.indicators for r in parallel) > 0

    def rows(name, sql="SELECT indicator_id, name, target_raw, weight FROM indicators ORDER BY indicator_id"):
        con = db.connect(tmp_path / name, read_only=True)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()

    # each document under its own file's identity (results matched back to their sources)
    docs_sql = "SELECT doc_id, source_path, source_key, n_indicators FROM documents ORDER BY doc_id"
    assert rows("two.duckdb", docs_sql) == rows("one.duckdb", docs_sql)
    assert all(Path(path).parent.parent == docs for _, path, _, _ in rows("two.duckdb", docs_sql))

    assert rows("two.duckdb") == rows("one.duckdb")
    assert len(rows("two.duckdb")) == sum(r.indicators for r in serial)


def _one_folder(tmp_path):
    docs = tmp_path / "docs" / "county"
    docs.mkdir(parents=True)
    for seed in sorted(SEEDS.iterdir()):
        shutil.copy(seed, docs / seed.name)
    return docs


def test_columnar_batches_hold_exactly_the_chosen_files_rows(tmp_path):
    from jixiao.ingest import _parse_jobs, batch_frames, parse_file

    docs = _one_folder(tmp_path)
    files = sorted(docs.iterdir())
    jobs = [(str(f), False, source_of(f)) for f in files]
    shared = _parse_jobs(jobs)  # as a worker returns them: one frame per table for the job
    one_by_one = [parse_file(f) for f in files]
    assert all(p.rows and not p.tables for p in shared)
    assert all(not p.rows and p.tables for p in one_by_one)
    # the first and third files only (a skipped file between them), and a mix of both forms
    for chosen in ([shared[0], shared[2]], [shared[2], one_by_one[3], shared[1]]):
        got = batch_frames(chosen)
        doc_ids = [p.report.doc_id for p in chosen]
        for table, frame in got.items():
            want = pl.concat([p.frames[table] for p in chosen])
            assert frame.equals(want), table
            assert frame["doc_id"].unique(maintain_order=True).to_list() == doc_ids, table
            assert frame.n_chunks() == 1, table
    ref = batch_frames([one_by_one[0], one_by_one[2]])
    got = batch_frames([shared[0], shared[2]])
    for t in ref:  # (parsed twice: the documents' loaded_at may fall in different seconds)
        assert got[t].drop("loaded_at", strict=False).equals(ref[t].drop("loaded_at", strict=False)), t
    assert ref["indicators"].height == shared[0].report.indicators + shared[2].report.indicators > 0


def test_columnar_load_a_refused_file_fails_alone_and_a_reload_adds_nothing(tmp_path):
    docs = _one_folder(tmp_path)
    files = sorted(docs.iterdir())
    db_path = tmp_path / "db.duckdb"
    refused = files[1]
    doc_id = hashlib.sha256(refused.read_bytes()).hexdigest()[:16]
    con = db.connect(db_path)
    # the database refuses it for real: its first project's id is taken
    con.execute("INSERT INTO projects (project_id, doc_id) VALUES (?, 'stray')", [f"{doc_id}-001"])
    con.close()

    def counts():
        con = db.connect(db_path, read_only=True)
        try:
            return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                    for t in ("documents", "projects", "indicators", "source_lines")}
        finally:
            con.close()

    # one worker job, one batch for the four files: the retry one by one slices their rows
    first = {Path(r.path).name: r for r in ingest_paths([docs], db_path, workers=2, batch_size=4, derive=False)}
    assert first[refused.name].status == "failed" and "写入数据库失败" in first[refused.name].message
    others = [first[f.name] for f in files if f != refused]
    assert [r.status for r in others] == ["ok", "ok", "ok"]
    loaded = counts()
    assert loaded["documents"] == 3
    assert loaded["indicators"] == sum(r.indicators for r in others) > 0
    assert loaded["projects"] == sum(r.projects for r in others) + 1  # the stray row

    # what was loaded is loaded once: a re-load skips it and adds nothing
    again = {Path(r.path).name: r for r in ingest_paths([docs], db_path, workers=2, batch_size=4, derive=False)}
    assert [again[f.name].status for f in files if f != refused] == ["skipped"] * 3
    assert again[refused.name].status == "failed"
    assert counts() == loaded

    # once the database accepts it, the refused file loads alone and matches a serial load
    con = db.connect(db_path)
    con.execute("DELETE FROM projects WHERE doc_id = 'stray'")
    con.close()
    last = {Path(r.path).name: r for r in ingest_paths([docs], db_path, workers=2, batch_size=4, derive=False)}
    assert last[refused.name].status == "ok"
    serial = ingest_paths([docs], tmp_path / "serial.duckdb", workers=1, derive=False)
    assert counts()["indicators"] == sum(r.indicators for r in serial)
    sql = "SELECT * EXCLUDE (loaded_at) FROM documents ORDER BY doc_id"
    con, ref = db.connect(db_path, read_only=True), db.connect(tmp_path / "serial.duckdb", read_only=True)
    try:
        assert con.execute(sql).fetchall() == ref.execute(sql).fetchall()
        for table, order in (("indicators", "indicator_id"), ("source_lines", "doc_id, line")):
            q = f"SELECT * FROM {table} ORDER BY {order}"
            assert con.execute(q).fetchall() == ref.execute(q).fetchall(), table
    finally:
        con.close()
        ref.close()


def test_columnar_leaves_a_job_as_it_came_when_a_value_does_not_fit():
    from jixiao.ingest import columnar, parse_file

    files = sorted(SEEDS.iterdir())[:2]
    good, bad = parse_file(files[0]), parse_file(files[1])
    bad.tables["documents"]["size_bytes"] = ["not a number"]
    out = columnar([good, bad])
    assert all(p.tables and p.rows is None for p in out)  # nothing lost, nothing half converted
    assert columnar([parse_file(files[0])])[0].rows is not None


def test_parallel_load_of_a_folder_holding_one_file_or_none_loads_it(tmp_path):
    # The workers start before the listing: a folder that turns out to hold one file (or the same
    # file named twice) is parsed here, not dropped with the pool.
    one = tmp_path / "one"
    one.mkdir()
    seed = sorted(SEEDS.iterdir())[0]
    shutil.copy(seed, one / seed.name)
    reports = ingest_paths([one], tmp_path / "a.duckdb", workers=2, derive=False)
    assert [(Path(r.path).name, r.status) for r in reports] == [(seed.name, "ok")] and reports[0].indicators > 0
    twice = ingest_paths([one / seed.name, one], tmp_path / "b.duckdb", workers=2, derive=False)
    assert [r.status for r in twice] == ["ok"]
    con = db.connect(tmp_path / "b.duckdb", read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM indicators").fetchone()[0] == reports[0].indicators
    finally:
        con.close()
    (tmp_path / "empty").mkdir()
    assert ingest_paths([tmp_path / "empty"], tmp_path / "c.duckdb", workers=2, derive=False) == []
