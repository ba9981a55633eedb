"""`jixiao export --parquet DIR`: the normalized tables as Parquet, partitioned by province and
year, readable as they are by DuckDB, Spark or Trino.

Layout (one folder per table, hive style):

    DIR/documents/data_0.parquet                      unpartitioned
    DIR/rules/data_0.parquet                          unpartitioned
    DIR/template_clusters/data_0.parquet              unpartitioned (a cluster spans provinces)
    DIR/waiver_events/data_0.parquet                  unpartitioned: every accept / undo, as logged
    DIR/projects/province=湖南省/year=2024/data_0.parquet
    DIR/indicators/province=…/year=…/…                 province and year of the indicator's project
    DIR/flags/… (with status, waiver_reason, waiver_reviewer, waived_at as the waiver log says now),
    DIR/project_scores/…, DIR/template_members/…, DIR/score_distribution/…
    DIR/project_links/…, DIR/project_history/…, DIR/indicator_links/…  by the goal-table (this year's) project
    DIR/unit_names/data_0.parquet                     unpartitioned (names as written -> canonical unit)

Written with DuckDB `COPY … (FORMAT parquet, PARTITION_BY (province, year))`. The partition
columns live in the folder names, not in the files (hive convention): read with
`read_parquet('DIR/projects/**/*.parquet', hive_partitioning = true)` in DuckDB,
`spark.read.parquet('DIR/projects')` in Spark, or a Hive-connector table in Trino. A project
with no resolved province (or year) goes to `province=__HIVE_DEFAULT_PARTITION__`, the name all
three read back as NULL. DuckDB percent-encodes non-ASCII partition values (province=%E6%B9%96…);
Spark and Trino decode such names byte by byte into mojibake, so the folders are renamed to the
plain UTF-8 value (province=湖南省) that Spark itself writes. source_lines (the documents' text)
is not exported.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import unquote

from jixiao import db

# name -> SQL giving the rows (with province and year for the partitioned ones).
_PROJECT_KEYS = "SELECT project_id, province, year FROM projects"
TABLES: dict[str, tuple[str, bool]] = {
    "documents": ("SELECT * FROM documents", False),
    "projects": ("SELECT * FROM projects", True),
    "indicators": (f"SELECT i.*, p.province, p.year FROM indicators i LEFT JOIN ({_PROJECT_KEYS}) p USING (project_id)",
                   True),
    # flags with their status as the waiver log says now (registered as flags_now, see below)
    "flags": (f"SELECT f.*, p.province, p.year FROM flags_now f LEFT JOIN ({_PROJECT_KEYS}) p USING (project_id)",
              True),
    "waiver_events": ("SELECT * FROM waiver_events_now", False),
    "rules": ("SELECT * FROM rules", False),
    "project_scores": (f"SELECT s.*, p.province, p.year FROM project_scores s LEFT JOIN ({_PROJECT_KEYS}) p "
                       "USING (project_id)", True),
    "score_distribution": ("SELECT * FROM score_distribution", True),
    "template_clusters": ("SELECT * FROM template_clusters", False),
    "template_members": ("SELECT m.*, p.province, p.year FROM template_members m "
                         f"LEFT JOIN ({_PROJECT_KEYS}) p USING (project_id)", True),
    # Links between documents and years: partitioned by the (goal-table, this-year) project.
    "project_links": (f"SELECT l.*, p.province, p.year FROM project_links l LEFT JOIN ({_PROJECT_KEYS}) p "
                      "ON p.project_id = l.goal_project_id", True),
    "project_history": (f"SELECT h.*, p.province, p.year FROM project_history h LEFT JOIN ({_PROJECT_KEYS}) p "
                        "USING (project_id)", True),
    "indicator_links": (f"SELECT l.*, p.province, p.year FROM indicator_links l LEFT JOIN ({_PROJECT_KEYS}) p "
                        "ON p.project_id = l.left_project_id", True),
    "unit_names": ("SELECT * FROM unit_names", False),
}


def export_parquet(db_path: Path | str | None, out_dir: Path) -> dict[str, int]:
    """Given a database (None: the default one) and a folder, writes every table of TABLES that
    the database has as Parquet under out_dir/<table>/ and returns {table: rows written}.

    An existing out_dir/<table>/ is replaced; other files in out_dir are left alone.
    """
    path = Path(db_path) if db_path else db.default_db()
    if not path.exists():
        raise FileNotFoundError(f"数据库不存在：{path}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    con = db.connect(path, read_only=True)
    written: dict[str, int] = {}
    try:
        present = {r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'").fetchall()}
        if "flags" in present:  # the waiver log, read once, is what the export's statuses say
            from jixiao.waivers import flags_with_status, load_events, waivers_path

            con.register("flags_now", flags_with_status(con).to_arrow())
            con.register("waiver_events_now", load_events(waivers_path(path)).to_arrow())
            present |= {"waiver_events"}
        for name, (sql, partitioned) in TABLES.items():
            needed = {name}
            if "JOIN" in sql:
                needed |= {"projects", "indicators"} if name == "template_members" else {"projects"}
            if not needed <= present:
                continue
            target = out_dir / name
            if target.exists():
                shutil.rmtree(target)
            n = con.execute(f"SELECT count(*) FROM ({sql})").fetchone()[0]
            if partitioned:
                con.execute(f"COPY ({sql}) TO '{_sql_path(target)}' (FORMAT parquet, PARTITION_BY (province, year))")
                _plain_partition_names(target)
            else:
                target.mkdir(parents=True)
                con.execute(f"COPY ({sql}) TO '{_sql_path(target / 'data_0.parquet')}' (FORMAT parquet)")
            written[name] = int(n)
    finally:
        con.close()
    return written


def _sql_path(p: Path) -> str:
    return str(p).replace("'", "''")


def _plain_partition_names(root: Path) -> None:
    """Renames percent-encoded partition folders (province=%E6%B9%96…) to their UTF-8 value,
    deepest first, unless the value holds a character a folder name cannot (/, NUL) or the
    name is the NULL marker."""
    for dirpath, dirnames, _ in os.walk(root, topdown=False):
        for d in dirnames:
            if "=" not in d or "%" not in d:
                continue
            key, _, value = d.partition("=")
            plain = unquote(value)
            if plain == value or "/" in plain or "\x00" in plain or plain in (".", ".."):
                continue
            src, dst = Path(dirpath) / d, Path(dirpath) / f"{key}={plain}"
            if not dst.exists():
                src.rename(dst)
