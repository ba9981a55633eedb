"""The DuckDB database: schema, bulk loads in one transaction per batch, and the default path.

Tables hold the normalized rows (schema: jixiao.schema); derived results (scores, flags,
distributions, template clusters) are recomputed by `jixiao.derive` after every ingest and
written as tables too, so the dashboard only reads.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import polars as pl

from jixiao import schema

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DB = REPO_ROOT / "data" / "jixiao.duckdb"

TABLES = {
    "documents": (schema.DOCUMENTS, "doc_id"),
    "projects": (schema.PROJECTS, "project_id"),
    "indicators": (schema.INDICATORS, "indicator_id"),
    "source_lines": (schema.SOURCE_LINES, None),
}


def default_db() -> Path:
    """Returns the database path used without --db: $JIXIAO_DB or data/jixiao.duckdb in the repo."""
    env = os.environ.get("JIXIAO_DB")
    return Path(env) if env else DEFAULT_DB


def connect(path: Path | str | None = None, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Given a database path, returns a connection (schema created when writable).

    Extensions are never downloaded: only those bundled with the wheel are available.
    """
    path = Path(path) if path else default_db()
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    config = {"autoinstall_known_extensions": "false", "autoload_known_extensions": "false"}
    con = duckdb.connect(str(path), read_only=read_only, config=config)
    if not read_only:
        init_schema(con)
    return con


def init_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Creates the base tables if missing."""
    for name, (sch, pk) in TABLES.items():
        con.execute(schema.ddl(name, sch, pk))
    con.execute("CREATE INDEX IF NOT EXISTS source_lines_doc ON source_lines(doc_id, line)")


def existing_documents(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, str, str]]:
    """Returns {sha256: (doc_id, status, source_path)} for every loaded document."""
    rows = con.execute("SELECT sha256, doc_id, status, source_path FROM documents").fetchall()
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


def delete_documents(con: duckdb.DuckDBPyConnection, doc_ids: list[str]) -> None:
    """Removes documents and everything loaded from them."""
    if not doc_ids:
        return
    for table in ("source_lines", "indicators", "projects", "documents"):
        con.execute(f"DELETE FROM {table} WHERE doc_id IN (SELECT unnest($ids))", {"ids": doc_ids})


def insert_frames(con: duckdb.DuckDBPyConnection, frames: dict[str, pl.DataFrame]) -> None:
    """Bulk-inserts {table: frame} (frames already in the table's schema) via Arrow."""
    for table, df in frames.items():
        if df.height == 0:
            continue
        sch, _ = TABLES[table]
        df = df.select([pl.col(c).cast(t) for c, t in sch.items()])
        con.register("_incoming", df.to_arrow())
        try:
            cols = ", ".join(f'"{c}"' for c in sch)
            con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _incoming")
        finally:
            con.unregister("_incoming")


def load_batch(con: duckdb.DuckDBPyConnection, frames: dict[str, pl.DataFrame], replace: list[str]) -> None:
    """Writes a batch of parsed documents in one transaction, first removing `replace` doc ids."""
    con.execute("BEGIN TRANSACTION")
    try:
        delete_documents(con, replace)
        insert_frames(con, frames)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
