"""The DuckDB database: schema (with a small migration for older files), bulk loads in one
transaction per batch, the base/derived version bookkeeping, and writing through a copy.

Tables hold the normalized rows (schema: jixiao.schema); derived results (scores, flags,
distributions, template clusters) are recomputed by `jixiao.derive` after every ingest and
written as tables too, so the dashboard only reads.

Three things keep readers safe while someone writes:

- **Write through a copy** (`write_via_copy`): every load copies the live file, writes the copy
  and swaps it in with `os.replace`. A running dashboard (read-only connection) never blocks the
  writer and never sees half a load; a failure leaves the live file untouched.
- **One writer at a time**: `import_lock` holds an exclusive `flock` on `<db>.lock` around the
  copy-and-swap, so two imports cannot both copy the same file and lose each other's work.
  `import_running` tells the dashboard that an import is under way.
- **Versions in `meta`**: `base_version` is incremented in the same transaction as every change
  of documents/projects/indicators; `derive.refresh` writes `derived_version` (the base version
  it computed from) in the same transaction as the derived tables. They differ after a load or a
  derive that was killed: `is_stale` says so, `ensure_current` rebuilds.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from jixiao import schema

try:  # POSIX; elsewhere imports are not serialised (the project deploys on Linux)
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DB = REPO_ROOT / "data" / "jixiao.duckdb"

TABLES = {
    "documents": (schema.DOCUMENTS, "doc_id"),
    "projects": (schema.PROJECTS, "project_id"),
    "indicators": (schema.INDICATORS, "indicator_id"),
    "source_lines": (schema.SOURCE_LINES, None),
}
# Tables `derive.refresh` writes: all of them must exist for the derived state to be current.
DERIVED_TABLES = ("project_scores", "score_distribution", "template_clusters", "template_members", "flags", "rules",
                  "unit_names", "unit_alias_suggestions", "project_links", "project_history", "indicator_links",
                  "project_lineage", "indicator_lineage", "flag_context", "document_units", "score_cells")
# Columns of derived tables that readers rely on and that a file written before them lacks (a
# derived table is written whole, so a missing column means an older derive: recompute).
DERIVED_COLUMNS = {"unit_names": ("unit_clean",),
                   # each flag's key and its project's filter columns (queries/_filtered_flags.sql)
                   "flag_context": ("rule", "severity", "project_id", "indicator_id", "in_projects", "scope", "year",
                                    "province", "city", "county", "unit", "unit_canonical", "kind", "synthetic",
                                    "project_name")}

# meta keys (a key/value table, so others can add their own)
BASE_VERSION, DERIVED_VERSION, MASK_VERSION = "base_version", "derived_version", "mask_version"


def default_db() -> Path:
    """Returns the database path used without --db: $JIXIAO_DB or data/jixiao.duckdb in the repo."""
    env = os.environ.get("JIXIAO_DB")
    return Path(env) if env else DEFAULT_DB


def connect(path: Path | str | None = None, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Given a database path, returns a connection (schema created and migrated when writable).

    Extensions are never downloaded: only those bundled with the wheel are available.
    """
    path = Path(path) if path else default_db()
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    config = {"autoinstall_known_extensions": "false", "autoload_known_extensions": "false"}
    con = duckdb.connect(str(path), read_only=read_only, config=config)
    if not read_only:
        try:
            init_schema(con)
        except BaseException:
            con.close()
            raise
    return con


# --------------------------------------------------------------------------- schema and migration


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'main' AND table_name = ? "
        "ORDER BY ordinal_position", [table]).fetchall()]


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'").fetchall()}


def missing_columns(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Returns {table: [columns of the schema it lacks]} for the base tables that exist (a file
    written before those columns were added)."""
    out = {}
    present = _tables(con)
    for name, (sch, _) in TABLES.items():
        if name in present:
            have = set(_columns(con, name))
            lack = [c for c in sch if c not in have]
            if lack:
                out[name] = lack
    return out


def init_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Creates the base tables and `meta` if missing and migrates an older file: columns the
    schema gained since are added (NULL for existing rows), documents get their identity
    (`source_key`) from their stored path, and text stored before the current phone masking
    is masked again."""
    present = _tables(con)
    fresh = "documents" not in present
    for table, cols in missing_columns(con).items():
        for c in cols:
            con.execute(f'ALTER TABLE {table} ADD COLUMN "{c}" {schema.duck_type(TABLES[table][0][c])}')
    for name, (sch, pk) in TABLES.items():
        con.execute(schema.ddl(name, sch, pk))
    con.execute("CREATE INDEX IF NOT EXISTS source_lines_doc ON source_lines(doc_id, line)")
    if "meta" not in present:
        con.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value BIGINT)")
        # A file from before `meta`: trust derived tables it has (they were written by the ingest
        # that loaded it); without them it is stale.
        has_derived = set(DERIVED_TABLES) <= present
        con.execute("INSERT INTO meta VALUES (?, 0), (?, ?)", [BASE_VERSION, DERIVED_VERSION, 0 if has_derived else None])
    _backfill_source_keys(con)
    from jixiao import privacy

    done = meta_get(con, MASK_VERSION)
    if fresh:
        meta_set(con, MASK_VERSION, privacy.MASK_VERSION)
    elif done is None or done < privacy.MASK_VERSION:
        _remask(con)
        meta_set(con, MASK_VERSION, privacy.MASK_VERSION)


def identity_key(identity: str) -> str:
    """Given a document's identity (a normalised absolute path, or "upload:<file name>"),
    returns its `source_key`: the SHA-256 hex digest — exact, and free of the phone numbers a
    file name may hold."""
    import hashlib

    return hashlib.sha256(identity.encode("utf-8")).hexdigest()


def source_key_of_path(stored: str) -> str:
    """Given a document's stored source_path from before identities were stored, returns its
    source_key: uploads (a jixiao-upload-… temporary folder) are "upload:<name>", other paths
    are normalised to absolute ones (a relative path against the current folder, best effort)."""
    p = Path(stored)
    if p.parent.name.startswith("jixiao-upload-"):
        return identity_key(f"upload:{p.name}")
    return identity_key(str(p.resolve()))


def _backfill_source_keys(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute("SELECT doc_id, source_path FROM documents WHERE source_key IS NULL").fetchall()
    if not rows:
        return
    keys = pl.DataFrame({"doc_id": [r[0] for r in rows],
                         "source_key": [source_key_of_path(r[1] or r[0]) for r in rows]})
    with _registered(con, "_keys", keys):
        con.execute("UPDATE documents SET source_key = k.source_key FROM _keys k WHERE documents.doc_id = k.doc_id")


# Key columns of each base table, for rewriting masked values in place.
_KEYS = {"documents": ["doc_id"], "projects": ["project_id"], "indicators": ["indicator_id"],
         "source_lines": ["doc_id", "line"]}
# Numbers read from a text column: where the text held a phone, so did the number.
_READ_FROM = {("indicators", "target_raw"): "target_value", ("indicators", "actual_raw"): "actual_value",
              ("indicators", "last_year_raw"): "last_year_value"}


def _remask(con: duckdb.DuckDBPyConnection) -> None:
    """Masks phone numbers in every stored text column (a file loaded before the masking covered
    every field and form); the derived tables are then stale and get rebuilt."""
    from jixiao.privacy import PREFILTER, mask_phones, maskable

    changed = False
    for table, keys in _KEYS.items():
        for col, dtype in TABLES[table][0].items():
            if dtype != pl.String or not maskable(col) or col in keys:
                continue
            cur = con.cursor()
            df = cur.sql(f'SELECT {", ".join(keys)}, "{col}" AS v FROM {table} WHERE regexp_matches("{col}", $p)',
                         params={"p": PREFILTER}).pl()
            cur.close()
            if df.height == 0:
                continue
            df = df.with_columns(pl.col("v").map_elements(mask_phones, return_dtype=pl.String).alias("m"))
            df = df.filter(pl.col("m") != pl.col("v"))
            if df.height == 0:
                continue
            on = " AND ".join(f"{table}.{k} = x.{k}" for k in keys)
            number = _READ_FROM.get((table, col))
            also = f', "{number}" = NULL' if number else ""
            with _registered(con, "_masked", df):
                con.execute(f'UPDATE {table} SET "{col}" = x.m{also} FROM _masked x WHERE {on}')
            changed = True
    if changed:
        bump_base_version(con)


@contextlib.contextmanager
def _registered(con: duckdb.DuckDBPyConnection, name: str, df: pl.DataFrame) -> Iterator[None]:
    """Registers a frame for one statement. Unregistering cannot fail loudly: inside a
    transaction aborted by that statement it raises "Current transaction is aborted", which
    would hide the statement's own error."""
    con.register(name, df.to_arrow())
    try:
        yield
    finally:
        try:
            con.unregister(name)
        except duckdb.Error:
            pass


# --------------------------------------------------------------------------- meta: versions


def meta_get(con: duckdb.DuckDBPyConnection, key: str) -> int | None:
    """Returns the meta value of `key` (None when missing or the file has no meta table)."""
    try:
        row = con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchall()
    except duckdb.CatalogException:
        return None
    return row[0][0] if row else None


def meta_set(con: duckdb.DuckDBPyConnection, key: str, value: int | None) -> None:
    """Sets a meta value (inside the caller's transaction, if any)."""
    con.execute("DELETE FROM meta WHERE key = ?", [key])
    con.execute("INSERT INTO meta VALUES (?, ?)", [key, value])


def bump_base_version(con: duckdb.DuckDBPyConnection) -> int:
    """Marks a change of the base tables (call it in the transaction that makes the change);
    returns the new base version. Anyone who writes documents, projects or indicators calls it."""
    v = (meta_get(con, BASE_VERSION) or 0) + 1
    meta_set(con, BASE_VERSION, v)
    return v


@dataclass(frozen=True)
class State:
    """How current a database file is: its base and derived versions, the derived tables it
    lacks, and the base columns it lacks (a file from an older version)."""

    base_version: int | None
    derived_version: int | None
    missing_derived: tuple[str, ...]
    missing_columns: dict

    @property
    def stale(self) -> bool:
        """The derived tables (scores, flags, clusters) are not computed from the current data."""
        return bool(self.missing_derived) or self.derived_version is None or (
            self.base_version is not None and self.derived_version < self.base_version)

    @property
    def needs_migration(self) -> bool:
        """The file lacks columns or the meta table of the current schema."""
        return bool(self.missing_columns) or self.base_version is None


def _derived_columns() -> dict[str, tuple[str, ...]]:
    """The columns of derived tables that the dashboard's queries need (a table written by an
    older version without them is rebuilt, like a missing one)."""
    from jixiao import boilerplate

    return {"template_clusters": tuple(boilerplate.CLUSTER_SCHEMA), "template_members": tuple(boilerplate.MEMBER_SCHEMA),
            **DERIVED_COLUMNS}


def state(con: duckdb.DuckDBPyConnection) -> State:
    """Given a connection (read-only is fine), returns the file's `State`."""
    present = _tables(con)
    needed = _derived_columns()
    return State(
        base_version=meta_get(con, BASE_VERSION) if "meta" in present else None,
        derived_version=meta_get(con, DERIVED_VERSION) if "meta" in present else None,
        missing_derived=tuple(t for t in DERIVED_TABLES if t not in present
                              or not set(needed.get(t, ())) <= set(_columns(con, t))),
        missing_columns=missing_columns(con),
    )


def is_stale(con: duckdb.DuckDBPyConnection) -> bool:
    """Given a connection, returns whether its derived tables lag behind its base data."""
    return state(con).stale


# --------------------------------------------------------------------------- documents and loads


@dataclass
class Known:
    """A loaded document as the ingest's skip and replace logic sees it."""

    doc_id: str
    sha256: str | None
    text_sha256: str | None
    status: str | None
    source_key: str | None
    source_path: str | None


def existing_documents(con: duckdb.DuckDBPyConnection) -> list[Known]:
    """Returns every loaded document's identity (`Known`)."""
    rows = con.execute("SELECT doc_id, sha256, text_sha256, status, source_key, source_path FROM documents").fetchall()
    return [Known(*r) for r in rows]


def delete_documents(con: duckdb.DuckDBPyConnection, doc_ids: list[str]) -> None:
    """Removes documents and everything loaded from them."""
    if not doc_ids:
        return
    for table in ("source_lines", "indicators", "projects", "documents"):
        con.execute(f"DELETE FROM {table} WHERE doc_id IN (SELECT unnest($ids))", {"ids": list(doc_ids)})


def move_documents(con: duckdb.DuckDBPyConnection, moves: list[tuple[str, str, str]]) -> None:
    """Given (doc_id, source_key, source_path) triples, records documents under a new source:
    a copy of a file that now holds other content keeps the old content loaded."""
    for doc_id, key, path in moves:
        con.execute("UPDATE documents SET source_key = ?, source_path = ? WHERE doc_id = ?", [key, path, doc_id])


def insert_frames(con: duckdb.DuckDBPyConnection, frames: dict[str, pl.DataFrame]) -> None:
    """Bulk-inserts {table: frame} (frames already in the table's schema) via Arrow."""
    for table, df in frames.items():
        if df.height == 0:
            continue
        sch, _ = TABLES[table]
        df = df.select([pl.col(c).cast(t) for c, t in sch.items()])
        cols = ", ".join(f'"{c}"' for c in sch)
        with _registered(con, "_incoming", df):
            con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _incoming")


def load_batch(con: duckdb.DuckDBPyConnection, frames: dict[str, pl.DataFrame], replace: list[str],
               moves: list[tuple[str, str, str]] = ()) -> None:
    """Writes a batch of parsed documents in one transaction: first removes the `replace` doc
    ids and records `moves` (see move_documents), then inserts, and bumps the base version.
    On failure the transaction is rolled back and the error of the statement that failed is
    raised (not a later "transaction is aborted")."""
    with transaction(con):
        delete_documents(con, replace)
        move_documents(con, list(moves))
        insert_frames(con, frames)
        bump_base_version(con)


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Runs the block in one transaction: committed when it completes, rolled back when it
    raises — and then the block's own error propagates, not the rollback's."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
        con.execute("COMMIT")
    except BaseException:
        try:
            con.execute("ROLLBACK")
        except duckdb.Error:
            pass
        raise


# --------------------------------------------------------------------------- one writer, through a copy


def lock_path(db_path: Path | str) -> Path:
    """Returns the lock file of a database: `<db>.lock` beside it."""
    p = Path(db_path)
    return p.with_name(p.name + ".lock")


class ImportBusy(RuntimeError):
    """Another import holds the database's lock (only raised when not waiting)."""


BUSY_MESSAGE = "另一个导入正在进行（同一数据库），请等它完成后再试。"


@contextlib.contextmanager
def import_lock(db_path: Path | str, *, wait: bool = True,
                on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Holds the database's import lock (exclusive flock on `<db>.lock`) for the block. When
    another import holds it: calls `on_wait` once and waits (wait=True) or raises ImportBusy.
    The lock dies with its process, so a killed import never leaves the database locked."""
    path = lock_path(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fh = open(path, "a+")
    try:
        if fcntl is not None and not _try_lock(fh):
            if not wait:
                raise ImportBusy(BUSY_MESSAGE)
            if on_wait:
                on_wait()
            fcntl.flock(fh, fcntl.LOCK_EX)
        fh.seek(0)
        fh.truncate()
        fh.write(f"{os.getpid()}\n")
        fh.flush()
        yield
    finally:
        fh.close()  # releases the flock


def _try_lock(fh) -> bool:
    # A few quick tries: `import_running` in a dashboard holds a shared lock for an instant,
    # which is not another import.
    for _ in range(10):
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            time.sleep(0.02)
    return False


def import_running(db_path: Path | str) -> bool:
    """Returns whether an import (in any process) holds the database's lock right now. Only
    reads: a missing lock file means none ever ran."""
    if fcntl is None:
        return False
    try:
        fh = open(lock_path(db_path))
    except OSError:
        return False
    try:
        fcntl.flock(fh, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        fh.close()
    return False


def _wal(p: Path) -> Path:
    return p.with_name(p.name + ".wal")


# The copy write_via_copy works on: `.<live name>.ingest-<random>.duckdb` beside the live file.
_COPY_PREFIX, _COPY_MARK = ".", ".ingest-"


def file_of(con: duckdb.DuckDBPyConnection) -> Path | None:
    """Given a connection, returns its database file (None for an in-memory database)."""
    try:
        rows = con.cursor().sql(
            "SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchall()
    except duckdb.Error:  # an unusual connection: the callers fall back to the default database
        return None
    return Path(rows[0][0]) if rows and rows[0][0] else None


def live_path(path: Path | str) -> Path:
    """Given a database file, returns the live database it stands for: the file itself, or,
    for the copy `write_via_copy` is writing, the live file it will replace. Files that belong
    to a database (its waiver log, its unit decisions) are named after the live file."""
    path = Path(path)
    name = path.name
    if name.startswith(_COPY_PREFIX) and _COPY_MARK in name and name.endswith(".duckdb"):
        live = name[len(_COPY_PREFIX):name.rindex(_COPY_MARK)]
        if live:
            return path.with_name(live)
    return path


def write_via_copy(db_path: Path | str, work: Callable[[Path], object], *, wait: bool = True,
                   on_wait: Callable[[], None] | None = None):
    """Given the live database and `work(copy_path)`, runs work on a copy of the file under the
    import lock and swaps the copy in atomically; returns what work returned. The live file
    keeps its permissions; a failure (or a kill) leaves it untouched."""
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with import_lock(db_path, wait=wait, on_wait=on_wait):
        for leftover in db_path.parent.glob(f"{_COPY_PREFIX}{db_path.name}{_COPY_MARK}*"):  # from a killed import
            leftover.unlink(missing_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f"{_COPY_PREFIX}{db_path.name}{_COPY_MARK}", suffix=".duckdb",
                                   dir=db_path.parent)
        os.close(fd)
        tmp_path = Path(tmp)
        existed = db_path.exists()
        try:
            if existed:
                shutil.copyfile(db_path, tmp_path)
                shutil.copymode(db_path, tmp_path)
                if _wal(db_path).exists():  # a writer that died before its checkpoint
                    shutil.copyfile(_wal(db_path), _wal(tmp_path))
            else:
                tmp_path.unlink()
            result = work(tmp_path)
            if not existed:  # mkstemp's 0600 is for secrets, not for a shared database
                umask = os.umask(0)
                os.umask(umask)
                os.chmod(tmp_path, 0o666 & ~umask)
            os.replace(tmp_path, db_path)
            # The live file's old WAL (if any) is in the copy now; replayed on the new file it would corrupt it.
            _wal(db_path).unlink(missing_ok=True)
            return result
        finally:
            for leftover in (tmp_path, _wal(tmp_path)):
                leftover.unlink(missing_ok=True)


def ensure_current(db_path: Path | str, *, log: Callable[[str], None] | None = None) -> bool:
    """Given a database file, migrates it (older schema) and rebuilds its derived tables when
    they are stale, through a copy (see write_via_copy), so readers are never blocked. Returns
    whether anything was done. Used by `jixiao serve` before it starts the dashboard."""
    db_path = Path(db_path)
    if not db_path.exists():
        return False
    con = connect(db_path, read_only=True)
    try:
        st = state(con)
        from jixiao import privacy

        remask = (meta_get(con, MASK_VERSION) or 0) < privacy.MASK_VERSION
    finally:
        con.close()
    if not (st.stale or st.needs_migration or remask):
        return False
    say = log or (lambda msg: print(msg, file=sys.stderr))
    if st.needs_migration or remask:
        say("数据库由旧版本生成：正在升级表结构…")

    def work(copy: Path) -> None:
        from jixiao.derive import refresh

        c = connect(copy)  # migrates
        try:
            if is_stale(c):
                say("得分和问题标记不是最新的（上次导入或计算可能被中断）：正在重新计算…")
                refresh(c)
        finally:
            c.close()

    write_via_copy(db_path, work, on_wait=lambda: say("另一个导入正在进行，等待其完成…"))
    return True


def friendly_error(e: BaseException) -> str | None:
    """Given a DuckDB error, returns what it means in Chinese for the errors a user meets
    (a file held by another writer, not a database, a newer file format), else None."""
    text = str(e)
    if "lock" in text.lower() and ("Conflicting" in text or "Could not set lock" in text):
        return "数据库文件正被另一个程序以写入方式打开，暂时无法读取；请稍后再试。"
    if "not a valid DuckDB database" in text:
        return "该文件不是可用的数据库（可能已损坏或不是 DuckDB 数据库）。"
    if "version" in text.lower() and "storage" in text.lower():
        return "数据库文件由更新版本的程序写入，当前版本无法读取。"
    return None
