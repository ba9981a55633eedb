"""`jixiao export --parquet`: the tables read back from the Parquet files (DuckDB with hive
partitioning, and pyarrow's dataset reader as Spark would) give the same figures as the
database: row counts, budget sums per province and year, flag counts per rule."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from jixiao import db
from jixiao.cli import main
from jixiao.ingest import ingest_paths
from jixiao.synth import generate_corpus

PARTITIONED = ("projects", "indicators", "flags", "project_scores", "template_members", "score_distribution",
               "project_links", "project_history", "indicator_links")


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    root = tmp_path_factory.mktemp("export")
    corpus = root / "corpus"
    generate_corpus(corpus, counties=2, years="2023-2024", seed=21, projects_per_unit=2, formats="txt")
    # One document whose unit names no place: its projects have no province (NULL partition).
    src = next(p for p in sorted(corpus.rglob("goal-*.txt")) if "预算单位" in p.read_text(encoding="utf-8", errors="ignore"))
    text = src.read_text(encoding=_encoding(src))
    unit = next(line.split("\t")[2] for line in text.splitlines() if line.startswith("预算单位"))
    odd = root / "extra" / "unknown-unit.txt"
    odd.parent.mkdir()
    odd.write_text(text.replace(unit, "某某单位"), encoding="utf-8")
    db_path = root / "x.duckdb"
    ingest_paths([corpus, odd.parent], db_path, synthetic=True, batch_size=50)
    out = root / "parquet"
    assert main(["export", "--parquet", str(out), "--db", str(db_path)]) == 0
    con = db.connect(db_path, read_only=True)
    yield {"db": con, "out": out}
    con.close()


def _encoding(path: Path) -> str:
    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return "gb18030"


def _read(out: Path, table: str) -> str:
    if table in PARTITIONED:
        return f"read_parquet('{out / table}/*/*/*.parquet', hive_partitioning = true)"
    return f"read_parquet('{out / table}/*.parquet')"


def test_row_counts_match(exported):
    con, out = exported["db"], exported["out"]
    for table in ("documents", "projects", "indicators", "flags", "rules", "project_scores",
                  "template_clusters", "template_members", "score_distribution", "project_links",
                  "project_history", "indicator_links", "unit_names"):
        want = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        got = duckdb.sql(f"SELECT count(*) FROM {_read(out, table)}").fetchall()[0][0]
        assert got == want, table
    assert not (out / "source_lines").exists()


def test_budget_sums_per_province_and_year_match(exported):
    con, out = exported["db"], exported["out"]
    q = "SELECT province, year, count(*), round(sum(budget), 4), round(sum(executed), 4) FROM {} GROUP BY ALL ORDER BY ALL"
    want = con.execute(q.format("projects")).fetchall()
    got = duckdb.sql(q.format(_read(out, "projects"))).fetchall()
    assert got == want
    assert any(r[0] is None for r in want)  # the unresolved unit went to the NULL partition


def test_indicators_and_flags_per_partition_match(exported):
    con, out = exported["db"], exported["out"]
    want = con.execute("SELECT p.province, p.year, count(*), round(sum(i.weight), 4) FROM indicators i "
                       "JOIN projects p USING (project_id) GROUP BY ALL ORDER BY ALL").fetchall()
    got = duckdb.sql(f"SELECT province, year, count(*), round(sum(weight), 4) FROM {_read(out, 'indicators')} "
                     "GROUP BY ALL ORDER BY ALL").fetchall()
    assert got == want
    want = con.execute("SELECT rule, count(*) FROM flags GROUP BY rule ORDER BY rule").fetchall()
    got = duckdb.sql(f"SELECT rule, count(*) FROM {_read(out, 'flags')} GROUP BY rule ORDER BY rule").fetchall()
    assert got == want and len(want) >= 10


def test_hive_layout_is_plain_utf8_and_readable_without_duckdb(exported):
    out = exported["out"]
    dirs = [p.name for p in (out / "projects").iterdir()]
    assert all(d.startswith("province=") and "%" not in d for d in dirs), dirs
    assert "province=__HIVE_DEFAULT_PARTITION__" in dirs
    assert all(p.name.startswith("year=") for d in (out / "projects").iterdir() for p in d.iterdir())
    assert list((out / "documents").glob("*.parquet")) and list((out / "rules").glob("*.parquet"))
    import pyarrow.dataset as ds

    table = ds.dataset(out / "projects", format="parquet", partitioning="hive").to_table()
    assert table.num_rows == exported["db"].execute("SELECT count(*) FROM projects").fetchone()[0]
    provinces = set(table.column("province").to_pylist())
    assert None in provinces and any(p and p.endswith(("省", "区", "市")) for p in provinces)


def test_export_replaces_an_earlier_export(exported, tmp_path):
    out = exported["out"]
    before = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.parquet"))
    from jixiao.export import export_parquet

    written = export_parquet(exported["db"].execute("PRAGMA database_list").fetchone()[2], out)
    assert written["projects"] == exported["db"].execute("SELECT count(*) FROM projects").fetchone()[0]
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.parquet")) == before
