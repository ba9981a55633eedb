"""derive._replace_table: a large derived table keeps every value and type, its id columns stored
as ZSTD; a small one is written as before."""

import duckdb
import polars as pl

from jixiao import derive


def _frame(n: int) -> pl.DataFrame:
    return pl.DataFrame({
        "indicator_id": [f"{i * 7919:016x}-001-{i % 50:03d}" for i in range(n)],
        "lineage_id": [f"{(i // 3) * 7919:016x}-001-001" for i in range(n)],
        "method": ["name" if i % 4 else None for i in range(n)],
        "similarity": [i / n for i in range(n)],
        "n": pl.Series(range(n), dtype=pl.Int32),
    })


def _compression(con, table: str) -> dict[str, set[str]]:
    con.execute("CHECKPOINT")
    rows = con.execute("SELECT column_name, compression FROM pragma_storage_info(?) "
                       "WHERE segment_type <> 'VALIDITY'", [table]).fetchall()
    out: dict[str, set[str]] = {}
    for col, comp in rows:
        out.setdefault(col, set()).add(comp)
    return out


def test_a_large_table_round_trips_with_its_ids_as_zstd(tmp_path, monkeypatch):
    monkeypatch.setattr(derive, "PARALLEL_WRITE_ROWS", 1000)
    con = duckdb.connect(str(tmp_path / "d.duckdb"))
    df = _frame(3000)
    con.execute("CREATE TABLE indicator_lineage (old VARCHAR)")  # replaced, not appended to
    derive._replace_table(con, "indicator_lineage", df)
    back = con.sql("SELECT * FROM indicator_lineage").pl()
    assert back.columns == df.columns
    assert back.schema["n"] == pl.Int32 and back.schema["similarity"] == pl.Float64
    assert back.sort("indicator_id").equals(df.sort("indicator_id"))
    comp = _compression(con, "indicator_lineage")
    assert comp["indicator_id"] <= {"ZSTD", "Constant"} and "ZSTD" in comp["indicator_id"]
    assert "ZSTD" in comp["lineage_id"]
    assert "ZSTD" not in comp["method"]  # not an id: DuckDB chooses


def test_a_small_table_is_written_as_it_was(tmp_path, monkeypatch):
    monkeypatch.setattr(derive, "PARALLEL_WRITE_ROWS", 10_000)
    con = duckdb.connect(str(tmp_path / "d.duckdb"))
    df = _frame(3000)
    derive._replace_table(con, "indicator_lineage", df)
    assert con.sql("SELECT * FROM indicator_lineage").pl().sort("indicator_id").equals(df.sort("indicator_id"))
    assert "ZSTD" not in _compression(con, "indicator_lineage")["indicator_id"]


def test_a_rederive_corrects_stored_expected_scores_that_differ(tmp_path):
    # derive writes only the expected scores that change: those that do must still be written
    # (a stored score that is wrong, missing, or a NaN where a number belongs)
    from jixiao import db
    from jixiao.derive import refresh
    from jixiao.ingest import ingest_paths
    from jixiao.db import REPO_ROOT

    path = tmp_path / "s.duckdb"
    ingest_paths([REPO_ROOT / "datasets" / "seeds"], path)
    con = db.connect(path)
    try:
        truth = dict(con.execute("SELECT indicator_id, score_expected FROM indicators "
                                 "WHERE score_expected IS NOT NULL ORDER BY indicator_id").fetchall())
        assert len(truth) >= 3
        a, b, c = list(truth)[:3]
        con.execute("UPDATE indicators SET score_expected = score_expected + 1 WHERE indicator_id = ?", [a])
        con.execute("UPDATE indicators SET score_expected = NULL WHERE indicator_id = ?", [b])
        con.execute("UPDATE indicators SET score_expected = 'NaN'::DOUBLE WHERE indicator_id = ?", [c])
        refresh(con)
        after = dict(con.execute("SELECT indicator_id, score_expected FROM indicators "
                                 "WHERE score_expected IS NOT NULL ORDER BY indicator_id").fetchall())
    finally:
        con.close()
    assert after == truth
