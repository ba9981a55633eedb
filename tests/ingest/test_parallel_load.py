"""Parallel loading: a folder's files are parsed together by one worker, and the result is the
same as loading them one by one."""

import shutil
from pathlib import Path

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
