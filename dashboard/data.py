"""The dashboard's data access: the only module with Streamlit caching and database access.

- One read-only DuckDB connection per database file version, cached with `st.cache_resource`
  and keyed by (path, version). The 数据导入 page swaps a new file in with
  `ingest_into_copy` (os.replace); DuckDB keeps one database instance per path inside a
  process, so the old connection is closed *before* the new one is opened, else the new one
  would silently reuse the old instance and keep showing the old file.
- Every query is a file `queries/<name>.sql`, run on its own `cursor()` (one connection is not
  thread-safe and every browser session runs on its own thread) with bound `$name` parameters —
  user values never go into the SQL text.
- Queries run through `jixiao.queries` (the query contract the benchmark uses too): the
  parameter defaults and the filter shape live there, not here.
- Results are Polars frames cached once for every session (`st.cache_resource`: shared, never
  copied — callers must not change them in place), keyed by the query text, its parameters,
  the database path and version and, for a query that reads the waivers, the waiver log's
  version. What pages derive from them (per-unit joins, counts, labels) is cached the same
  way (`_shared`), so a repeat visit does no data work at all.
- A flag's status is joined in SQL (queries/_flag_status.sql) with the waivers accepted now
  (`jixiao.waivers.current_waivers` of the log, the same events `flags_with_status` reads for
  the CLI, the export and the reports), so accepting or undoing a flag shows at once, without
  re-ingesting, and counts of open flags never pass every flag through Python. Writing to the
  log needs a signed-in 审核 or 管理 user (`dashboard.auth`), whose name is recorded.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import weakref
from pathlib import Path
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import duckdb
import polars as pl
import streamlit as st

from jixiao import db as jdb
from jixiao.readers import UPLOAD_SUFFIXES
from jixiao import queries as jqueries
from jixiao.privacy import mask_frame
from jixiao import waivers as jwaivers
from jixiao.users import REVIEWER, User

if TYPE_CHECKING:  # pragma: no cover
    from dashboard.filters import Filters

QUERIES_DIR = jqueries.QUERIES_DIR
CONNECT_CONFIG = {"autoinstall_known_extensions": "false", "autoload_known_extensions": "false"}
# The tables a page may read: the loaded ones and every table derive writes (one list, jixiao.db's).
REQUIRED_TABLES = set(jdb.TABLES) | set(jdb.DERIVED_TABLES)
# What the upload page takes (the readers' document suffixes; the content then decides the reader).
UPLOAD_TYPES = UPLOAD_SUFFIXES

# The query contract (jixiao.queries): the shared filters as query parameters (an empty list or
# None means "all") and every parameter any query takes, with its harmless default.
FILTER_DEFAULTS = jqueries.FILTER_DEFAULTS
DEFAULT_PARAMS = jqueries.DEFAULT_PARAMS
PAGE_ROWS = jqueries.PAGE_ROWS  # rows per page of the flags table


# --------------------------------------------------------------------------- database file


def db_path() -> Path:
    """Returns the database the dashboard reads: $JIXIAO_DB, else the project's default file."""
    return jdb.default_db()


def file_version(path: Path) -> tuple[int, int, int] | None:
    """Given a path, returns (mtime_ns, inode, size) — what changes when the file is replaced —
    or None when it does not exist."""
    try:
        s = path.stat()
    except OSError:
        return None
    return (s.st_mtime_ns, s.st_ino, s.st_size)


def _close(con: duckdb.DuckDBPyConnection) -> None:
    try:
        con.close()
    except Exception:  # already closed
        pass


@st.cache_resource(show_spinner=False, on_release=_close)
def _connect(path: str, version: tuple) -> duckdb.DuckDBPyConnection:
    """Opens the read-only connection for one version of the database file."""
    return duckdb.connect(path, read_only=True, config=CONNECT_CONFIG)


_lock = threading.Lock()
_open_versions: dict[str, tuple] = {}


def _connection(path: str, version: tuple) -> duckdb.DuckDBPyConnection:
    """Returns the connection for (path, version), closing connections to older versions first."""
    with _lock:
        if _open_versions.get(path) not in (None, version):
            # The file was swapped: release (close) every cached connection before reconnecting.
            _connect.clear()
            _open_versions.clear()
        _open_versions[path] = version
        return _connect(path, version)


# --------------------------------------------------------------------------- queries


def load_query(name: str) -> str:
    """Given a query name, returns the text of queries/<name>.sql, includes expanded."""
    return jqueries.load_query(name, QUERIES_DIR)


query_params = jqueries.query_params


@st.cache_resource(show_spinner=False, max_entries=512)
def _run_cached(key: str, path: str, version: tuple, waivers: tuple | None, _sql: str,
                _params: dict[str, Any]) -> pl.DataFrame:
    # key: the query's name and its bound parameters (the text follows the name); hashing one
    # string is cheaper than hashing the text and the parameters on every page run
    con = _connection(path, version)
    return jqueries.execute(con, _sql, _params, _current_waivers(*waivers) if waivers else None)


_SHARED: list[Callable] = []  # every _shared function (to clear them)
_seen: dict[str, tuple] = {}


_resolved: dict[Path, str] = {}


def _db() -> tuple[str, tuple]:
    path = db_path()
    version = file_version(path)
    if version is None:
        raise FileNotFoundError(str(path))
    full = _resolved.get(path) or _resolved.setdefault(path, str(path.resolve()))
    if _seen.get(full, version) != version:  # a new file was swapped in: results of the old one go
        _clear_results()
    _seen[full] = version
    return full, version


def run(name: str, **params: Any) -> pl.DataFrame:
    """Given a query name and its parameters, returns the result as a Polars frame (cached for
    every session per query, parameters, database version and — for a query reading the
    waivers — waiver log version). Only the parameters the query uses are bound; a missing one
    raises KeyError. The frame is shared: derive new frames from it, never change it."""
    sql, bound = jqueries.bind(name, params, QUERIES_DIR)
    path, version = _db()
    key = f"{name}\x1f{sorted(bound.items())!r}\x1f{hash(sql)}"
    return _run_cached(key, path, version, _waivers_key() if jqueries.reads_waivers(sql) else None, sql, bound)


def _versions() -> tuple:
    """What every derived result depends on: the database file's version and the waiver log's."""
    return (*_db(), _waivers_key())


def _shared(fn: Callable) -> Callable:
    """Caches a page-data function for every session, keyed by its arguments and `_versions()`
    (the inner function takes them as its first argument)."""
    cached = st.cache_resource(show_spinner=False, max_entries=256)(fn)

    def call(*args, **kw):
        return cached(_versions(), *args, **kw)

    call.__doc__, call.__name__ = fn.__doc__, fn.__name__
    _SHARED.append(cached)
    return call


@st.cache_resource(show_spinner=False, max_entries=256)
def _figure(v: tuple, name: str, depends: tuple, _build: Callable[[], Any]) -> Any:
    return _build()


def figure(name: str, build: Callable[[], Any], *depends: Any) -> Any:
    """Given a chart's name, a function that builds it (a charts.* call) and everything the
    chart depends on besides the data versions (the filters, the page's choices), returns the
    figure — built once for every session per (name, depends, database and waiver-log
    version). The figure is shared: show it, never change it."""
    return _figure(_versions(), name, depends, build)


_SHARED.append(_figure)


_memo_lock = threading.Lock()
_memo: dict[int, dict] = {}


def derived(frame: pl.DataFrame, key: Any, fn: Callable[[pl.DataFrame], Any]) -> Any:
    """Given a frame (one of the shared, cached results), a key and a function of the frame,
    returns fn(frame), computed once per frame object and key — what pages derive from cached
    results (counts, medians, labels) is then shared too. Forgotten with the frame."""
    slot = _memo.get(id(frame))
    if slot is not None and key in slot:
        return slot[key]
    value = fn(frame)
    with _memo_lock:
        slot = _memo.get(id(frame))
        if slot is None:
            slot = _memo[id(frame)] = {}
            weakref.finalize(frame, _memo.pop, id(frame), None)
        slot[key] = value
    return value


def _clear_results() -> None:
    _run_cached.clear()
    for cached in _SHARED:
        cached.clear()


def clear_caches() -> None:
    """Forgets cached query results, derived data and waivers (the connection follows the file version)."""
    _clear_results()
    _events_cached.clear()
    _current_waivers.clear()


UPDATING = "数据正在更新，当前显示更新前的数据。导入完成后刷新本页即可看到新数据。"
STALE = ("得分、问题标记和模板雷同不是根据当前数据计算的（上次导入或计算可能被中断），页面上的这些结果可能不全。"
         "重新启动 `jixiao serve` 或运行一次 `jixiao ingest` 会重新计算。")


def import_running() -> bool:
    """Returns whether an import (the command line or an upload) is writing a new version of
    the database right now (its import lock is held)."""
    return jdb.import_running(db_path())


def _open_error(e: Exception) -> str:
    """A DuckDB error on opening, in Chinese (never DuckDB's English lock message)."""
    if import_running():
        return UPDATING
    why = jdb.friendly_error(e) or "文件可能已损坏，或由其他程序改动过"
    return f"数据库暂时无法读取：{why}。请稍后刷新本页；一直如此时请重新导入。"


def problem() -> str | None:
    """Returns why the dashboard cannot show data (in Chinese), or None when the database is fine."""
    path = db_path()
    if not path.exists():
        if import_running():
            return "数据正在首次导入，完成后刷新本页即可看到数据。"
        return (f"还没有数据库（{path}）。请在「数据导入」页上传绩效目标表或绩效自评表，"
                "或在命令行运行 `jixiao ingest datasets/seeds` 后刷新本页。")
    try:
        tables = set(run("db_tables")["table_name"].to_list())
        # a derived table written by an older version may lack columns the queries read
        lacking = set(_file_state(*_db()).missing_derived) if REQUIRED_TABLES <= tables else set()
    except duckdb.Error as e:
        return _open_error(e)
    missing = (REQUIRED_TABLES - tables) | lacking
    if missing:
        if import_running():
            return UPDATING
        return f"数据库缺少表（或表中的列） {', '.join(sorted(missing))}（可能由旧版本生成或导入被中断）。请重新运行 `jixiao ingest`。"
    return None


@st.cache_resource(show_spinner=False, max_entries=8)
def _file_state(path: str, version: tuple) -> jdb.State:
    """Given a database file and its version, returns its `jixiao.db.State` (read once per version)."""
    with _connection(path, version).cursor() as cur:
        return jdb.state(cur)


def derived_stale() -> bool:
    """Returns whether the database's derived tables (scores, flags, clusters) lag behind its
    data (meta: derived_version < base_version), e.g. after a load that was killed."""
    try:
        meta = dict(run("db_meta").iter_rows())
    except duckdb.Error:  # a file from before the meta table: nothing to tell
        return False
    base, derived = meta.get(jdb.BASE_VERSION), meta.get(jdb.DERIVED_VERSION)
    return derived is None or (base is not None and derived < base)


def notice() -> str | None:
    """Returns what the user should know about the data shown (in Chinese) — an import is
    under way, or the derived tables are stale — or None."""
    if import_running():
        return UPDATING
    if derived_stale():
        return STALE
    return None


def show_notice() -> None:
    """Shows `notice()` (if any) as an information box."""
    msg = notice()
    if msg:
        st.info(msg, icon=":material/update:")


def require_db() -> None:
    """Stops the page with a clear Chinese message when there is no usable database; says
    when an import is under way or the derived tables are stale."""
    msg = problem()
    if msg:
        st.warning(msg, icon=":material/database_off:")
        st.stop()
    show_notice()


# --------------------------------------------------------------------------- waivers


def waiver_log() -> Path:
    """Returns the waiver log of the database the dashboard reads (jixiao.waivers.waivers_path)."""
    return jwaivers.waivers_path(db_path())


@st.cache_resource(show_spinner=False, max_entries=8)
def _events_cached(path: str, version: tuple | None) -> pl.DataFrame:
    return jwaivers.load_events(Path(path))


def _waivers_key() -> tuple:
    path = waiver_log()
    return (str(path), file_version(path))


def waiver_events() -> pl.DataFrame:
    """Returns every accept / undo event of the log, in the order written (cached until the
    log changes, also when another process writes it)."""
    return _events_cached(*_waivers_key())


@st.cache_resource(show_spinner=False, max_entries=8)
def _current_waivers(path: str, version: tuple | None) -> pl.DataFrame:
    return jwaivers.current_waivers(_events_cached(path, version))


def _writer(user: User | None) -> User:
    if user is None or not user.may(REVIEWER):
        raise PermissionError("需要登录的审核或管理用户才能更改问题标记")
    return user


def flag_keys(rows: Iterable[dict]) -> list[tuple[str, str, str]]:
    """Given flag rows (rule, project_id, indicator_id), returns their waiver keys."""
    return [jwaivers.flag_key(r["rule"], r["project_id"], r.get("indicator_id")) for r in rows]


def accept_flags(rows: Iterable[dict], reason: str, user: User | None) -> int:
    """Given flag rows, a reason and the signed-in user, accepts those that are open (one event
    each, the user's name as reviewer); returns how many. PermissionError without a 审核/管理
    user, ValueError without a reason."""
    n = jwaivers.accept(flag_keys(rows), reason, _writer(user).name, waiver_log())
    return n  # the log's new version keys every cache that depends on it


def undo_flags(rows: Iterable[dict], user: User | None, reason: str = "") -> int:
    """Given flag rows and the signed-in user, undoes the acceptance of those accepted now;
    returns how many."""
    n = jwaivers.undo(flag_keys(rows), _writer(user).name, reason, waiver_log())
    return n


EVENT_LABELS = {jwaivers.ACCEPT: "接受", jwaivers.UNDO: "撤销接受"}


def _labelled(events: pl.DataFrame) -> pl.DataFrame:
    """Adds `action` (接受 / 撤销接受) and `time` ("2026-12-01 10:02:03", local time as logged)."""
    return events.with_columns(
        pl.col("event").replace_strict(EVENT_LABELS, default=pl.col("event"), return_dtype=pl.String).alias("action"),
        pl.col("at").str.slice(0, 19).str.replace("T", " ").alias("time"),
    )


def flag_history(rows: Iterable[dict]) -> pl.DataFrame:
    """Given flag rows, returns their accept / undo events, newest first, with action and time."""
    return _labelled(jwaivers.history(waiver_events(), flag_keys(rows)))


# --------------------------------------------------------------------------- page data


def filter_options() -> pl.DataFrame:
    """Returns the distinct (year, province, city, county, unit, kind, synthetic) combinations."""
    return run("filter_options")


@_shared
def _filter_values(v: tuple, column: str, province: str | None, city: str | None, county: str | None) -> list:
    df = filter_options()
    for col, value in (("province", province), ("city", city), ("county", county)):
        if value is not None:
            df = df.filter(pl.col(col) == value)
    return sorted(x for x in df.get_column(column).unique().to_list() if x is not None)


def filter_values(column: str, province: str | None = None, city: str | None = None,
                  county: str | None = None) -> list:
    """Given a filter column (year, province, city, county, unit) and the regions chosen above
    it (None = all), returns the values the sidebar offers, sorted (shared: do not change it)."""
    return _filter_values(column, province, city, county)


def overview_metrics(f: Filters) -> dict[str, Any]:
    """Returns the headline numbers for the filter (one dict)."""
    df = run("overview_metrics", **f.params())
    return df.row(0, named=True) if df.height else {}


@_shared
def _flags(v: tuple, f: Filters, rules: tuple[str, ...], severities: tuple[str, ...], status: str,
           top: int | None, offset: int) -> pl.DataFrame:
    df = run("flags_filtered", **f.params(), rules=list(rules), severities=list(severities), status=status, top=top,
             offset=offset)
    return df.with_columns((pl.col("rule") + " " + pl.col("rule_title").fill_null("")).alias("rule_label"))


def flags(f: Filters, rules: Iterable[str] = (), severities: Iterable[str] = (),
          status: str | None = None, top: int | None = None, offset: int = 0) -> pl.DataFrame:
    """Returns the flags of the filtered projects with their status now (status, waiver_reason,
    waiver_reviewer, waived_at) and rule_label, in display order; `status` ("open" / "waived")
    keeps only those; `top` from `offset`: one page of them (top None: every flag — for counts
    use `flag_counts`, for the headline `flag_totals`)."""
    return _flags(f, tuple(sorted(rules)), tuple(sorted(severities)), status or "", top, int(offset))


def flag_counts(f: Filters, rules: Iterable[str] = (), severities: Iterable[str] = ()) -> pl.DataFrame:
    """Returns per (rule, rule_title, severity, unit) the flags of the filtered projects: n and
    n_open (open now) — what severity_counts, rule_counts and the per-unit chart take, without
    every flag."""
    return run("flag_counts", **f.params(), rules=sorted(rules), severities=sorted(severities))


def flag_totals(f: Filters, rules: Iterable[str] = (), severities: Iterable[str] = (),
                status: str | None = None) -> dict[str, Any]:
    """Returns the filtered flags' headline: n, n_open, n_projects, n_units (and the open ones'
    n_projects_open, n_units_open, first_open_flag)."""
    df = run("flag_totals", **f.params(), rules=sorted(rules), severities=sorted(severities), status=status or "")
    return dict(df.row(0, named=True))


def _as_counts(frame: pl.DataFrame) -> pl.DataFrame:
    """Given flags (one row each, with status) or flag_counts rows, returns counts: n and n_open
    per rule, rule_title, severity, unit."""
    if "n_open" in frame.columns:
        return frame
    keys = [c for c in ("rule", "rule_title", "severity", "unit") if c in frame.columns]
    return frame.group_by(keys).agg(pl.len().cast(pl.Int64).alias("n"),
                                    (pl.col("status") == "open").sum().cast(pl.Int64).alias("n_open"))


def severity_counts(frame: pl.DataFrame) -> dict[str, int]:
    """Given flags or flag counts, returns the open ones per severity {高: n, 中: n, 低: n}."""
    def count(frame: pl.DataFrame) -> dict[str, int]:
        c = _as_counts(frame)
        counts = dict(c.group_by("severity").agg(pl.col("n_open").sum()).iter_rows()) if c.height else {}
        return {s: int(counts.get(s, 0)) for s in ("高", "中", "低")}

    return dict(derived(frame, "severity_counts", count))


def rule_counts(frame: pl.DataFrame, open_only: bool = False) -> pl.DataFrame:
    """Given flags or flag counts, returns per rule: title, severity, n (all), n_open; most open
    first. With open_only, rules without open flags are left out."""
    return derived(frame, ("rule_counts", open_only), lambda fr: _rule_counts(fr, open_only))


def _rule_counts(frame: pl.DataFrame, open_only: bool) -> pl.DataFrame:
    c = _as_counts(frame)
    if c.height == 0:
        return pl.DataFrame(schema={"rule": pl.String, "rule_title": pl.String, "severity": pl.String,
                                    "n": pl.Int64, "n_open": pl.Int64})
    out = (
        c.group_by("rule", "rule_title", "severity")
        .agg(pl.col("n").sum().cast(pl.Int64), pl.col("n_open").sum().cast(pl.Int64))
        .sort(["n_open", "n", "rule"], descending=[True, True, False])
    )
    return out.filter(pl.col("n_open") > 0) if open_only else out


def unit_comparison(f: Filters) -> pl.DataFrame:
    """Returns one row per unit with budget, execution, scores, full-marks share and open flags
    (n_open_flags, flags_per_project), in region order."""
    return run("unit_comparison", **f.params())


def units_by_flags(units: pl.DataFrame, n: int = 10) -> pl.DataFrame:
    """Given unit_comparison rows, returns the n units with the most open flags per project."""
    return derived(units, ("units_by_flags", n), lambda units: units.filter(pl.col("n_open_flags") > 0).sort(
        ["flags_per_project", "n_open_flags", "unit"], descending=[True, True, False]
    ).head(n))


UNIT_METRICS = {
    "flags_per_project": "每项目问题数",
    "score_mean": "平均自评得分",
    "execution_rate": "执行率",
    "full_marks_share": "满分占比",
}


def unit_vs_median(units: pl.DataFrame, metric: str) -> pl.DataFrame:
    """Given unit_comparison rows and a metric column, returns per unit its value, the median of
    the units of its city and of its province (over units with a value), the differences (null
    where the unit is the only one there) and how many units each median is taken over."""
    return derived(units, ("unit_vs_median", metric), lambda units: _unit_vs_median(units, metric))


def _unit_vs_median(units: pl.DataFrame, metric: str) -> pl.DataFrame:
    df = units.filter(pl.col(metric).is_not_null()).select(
        "province", "city", "county", "unit", pl.col(metric).alias("value")
    )
    if df.height == 0:
        return df.with_columns(
            *[pl.lit(None, dtype=pl.Float64).alias(c) for c in
              ("city_median", "province_median", "diff_city", "diff_province")],
            *[pl.lit(None, dtype=pl.UInt32).alias(c) for c in ("n_city", "n_province")],
        )
    return df.with_columns(
        pl.col("value").median().over("province", "city").alias("city_median"),
        pl.len().over("province", "city").alias("n_city"),
        pl.col("value").median().over("province").alias("province_median"),
        pl.len().over("province").alias("n_province"),
    ).with_columns(
        # a unit alone in its city (province) has nothing to be compared with: no difference
        pl.when(pl.col("n_city") >= 2).then(pl.col("value") - pl.col("city_median")).alias("diff_city"),
        pl.when(pl.col("n_province") >= 2).then(pl.col("value") - pl.col("province_median")).alias("diff_province"),
    ).sort(["province", "city", "unit"], nulls_last=True)


def self_eval_projects(f: Filters) -> pl.DataFrame:
    """Returns one row per self-evaluation project: execution rate, reported and rule total."""
    return run("self_eval_projects", **f.params())


def scatter_points(f: Filters) -> pl.DataFrame:
    """Returns the self-evaluation projects with both an execution rate and a reported total
    (what the 执行率 × 自评总分 chart draws)."""
    return derived(self_eval_projects(f), "scatter_points", lambda p: p.filter(
        pl.col("execution_rate").is_not_null() & pl.col("total_score_reported").is_not_null()))


def high_score_low_rate(points: pl.DataFrame, high_score: float, low_rate: float) -> pl.DataFrame:
    """Given scatter points, returns the 高分低执行 ones (total ≥ high_score, rate < low_rate),
    lowest rate first."""
    return derived(points, ("quadrant", high_score, low_rate), lambda p: p.filter(
        (pl.col("total_score_reported") >= high_score) & (pl.col("execution_rate") < low_rate)
    ).sort(["execution_rate", "unit", "year", "project_id"]))


def high_score_low_rate_by_county(points: pl.DataFrame, high_score: float, low_rate: float) -> pl.DataFrame:
    """Given self_eval_projects rows (with a rate and a total), returns per (province, city,
    county): n_self_eval, n_quadrant (高分低执行), share_quadrant, and the quadrant projects'
    budget, executed and execution rate (their sums' ratio); counties with most such projects first."""
    return derived(points, ("quadrant_by_county", high_score, low_rate),
                   lambda p: _quadrant_by_county(p, high_score, low_rate))


def _quadrant_by_county(points: pl.DataFrame, high_score: float, low_rate: float) -> pl.DataFrame:
    q = (pl.col("total_score_reported") >= high_score) & (pl.col("execution_rate") < low_rate)
    return (
        points.group_by("province", "city", "county")
        .agg(
            pl.len().alias("n_self_eval"),
            q.sum().cast(pl.Int64).alias("n_quadrant"),
            pl.col("budget").filter(q).sum().alias("quadrant_budget"),
            pl.col("executed").filter(q).sum().alias("quadrant_executed"),
        )
        .filter(pl.col("n_quadrant") > 0)
        .with_columns(
            (pl.col("n_quadrant") / pl.col("n_self_eval")).alias("share_quadrant"),
            pl.when(pl.col("quadrant_budget") > 0).then(pl.col("quadrant_executed") / pl.col("quadrant_budget"))
            .alias("quadrant_rate"),
        )
        .sort(["n_quadrant", "share_quadrant", "province", "city", "county"],
              descending=[True, True, False, False, False], nulls_last=True)
    )


def n_distinct(frame: pl.DataFrame, column: str) -> int:
    """Given a (shared) frame and a column, returns its number of distinct values."""
    return int(derived(frame, ("n_distinct", column), lambda d: d[column].n_unique()))


def distinct_values(frame: pl.DataFrame, column: str) -> list:
    """Given a (shared) frame and a column, returns its distinct non-null values, sorted."""
    return list(derived(frame, ("distinct", column), lambda d: sorted(d[column].drop_nulls().unique().to_list())))


def unit_year_trend(f: Filters) -> pl.DataFrame:
    """Returns per (unit, year) the mean self-evaluation score and the execution rate."""
    return run("unit_year_trend", **f.params())


def units_with_years(trend: pl.DataFrame, n: int = 2) -> list[str]:
    """Given unit_year_trend rows, returns the units with data in at least n years."""
    def units(trend: pl.DataFrame) -> list[str]:
        if trend.height == 0:
            return []
        per = trend.group_by("unit").agg(pl.col("year").n_unique().alias("k")).filter(pl.col("k") >= n)
        return sorted(per["unit"].drop_nulls().to_list())

    return list(derived(trend, ("units_with_years", n), units))


def projects_by_unit(f: Filters, unit: str) -> pl.DataFrame:
    """Returns the unit's projects in the filter, with their open flag counts (n_open_flags)."""
    return run("projects_by_unit", **f.params(), unit=unit)


def project_detail(project_id: str) -> dict[str, Any] | None:
    """Returns one project's fields (with its source file), or None."""
    df = run("project_detail", project_id=project_id)
    return df.row(0, named=True) if df.height else None


def project_flags(project_id: str) -> pl.DataFrame:
    """Returns the project's flags with their status now."""
    return run("project_flags", project_id=project_id)


@_shared
def _project_indicators(v: tuple, project_id: str) -> pl.DataFrame:
    df = run("project_indicators", project_id=project_id)
    fl = project_flags(project_id).filter((pl.col("status") == "open") & pl.col("indicator_id").is_not_null())
    per = fl.group_by("indicator_id").agg(
        pl.len().cast(pl.Int64).alias("n_open_flags"),
        (pl.col("rule") + " " + pl.col("rule_title").fill_null("")).unique().sort().str.join("；").alias("flag_rules"),
    )
    return df.join(per, on="indicator_id", how="left").with_columns(pl.col("n_open_flags").fill_null(0))


def project_indicators(project_id: str) -> pl.DataFrame:
    """Returns the project's indicators in order, with open flag counts and messages."""
    return _project_indicators(project_id)


def _masked(lines: pl.DataFrame) -> pl.DataFrame:
    # Source text is masked at ingest; masking again on the way out also covers a file loaded
    # before the masking knew every form (until `jixiao serve` migrates it).
    return mask_frame(lines)


def indicator_source_lines(indicator_id: str) -> pl.DataFrame:
    """Returns the source lines (line, text) the indicator was read from, phone numbers masked."""
    return _masked(run("indicator_source_lines", indicator_id=indicator_id))


def flag_source_context(project_id: str, indicator_id: str | None) -> pl.DataFrame:
    """Given a flag's project and indicator (None for a flag about the whole project), returns
    its source lines (line, text, part): the indicator table's header rows ('header'), the two
    rows before the indicator ('before') and the indicator's own rows ('flagged')."""
    return _masked(run("flag_source_context", project_id=project_id, indicator_id=indicator_id or ""))


def decisions(flag_frame: pl.DataFrame) -> pl.DataFrame:
    """Given flags (as from `flags`), returns the accept / undo events about them, newest first,
    with the flag's rule title, unit, project and indicator."""
    events = waiver_events()
    if events.height == 0 or flag_frame.height == 0:
        return _labelled(events).with_columns(*[pl.lit(None, dtype=pl.String).alias(c) for c in
                                                ("rule_title", "unit", "project_name", "indicator_name")]).head(0)
    about = flag_frame.select(
        "rule", "project_id", pl.col("indicator_id").fill_null(""), "rule_title", "unit", "project_name",
        "indicator_name").unique(subset=["rule", "project_id", "indicator_id"], keep="first")
    return _labelled(events.with_row_index("_n").join(about, on=["rule", "project_id", "indicator_id"], how="inner")
                     .sort("_n", descending=True).drop("_n"))


def template_clusters(f: Filters, limit: int = 500, min_units: int = 2) -> pl.DataFrame:
    """Returns up to `limit` template clusters touching the filter and shared by at least
    `min_units` units, most units first (n_clusters = how many in all)."""
    return run("template_clusters", **f.params(), limit=limit, min_units=int(min_units))


def template_occurrences(cluster_id: str) -> pl.DataFrame:
    """Returns every indicator of a template cluster with its unit, year and project."""
    return run("template_occurrences", cluster_id=cluster_id)


def rules_catalog(flag_frame: pl.DataFrame | None = None) -> pl.DataFrame:
    """Returns the rule catalog; given flags or flag counts, with their counts per rule
    (n_flags, n_open)."""
    cat = run("rules_catalog")
    if flag_frame is None:
        return cat
    counts = rule_counts(flag_frame).group_by("rule").agg(pl.col("n").sum().alias("n_flags"), pl.col("n_open").sum())
    return cat.join(counts, on="rule", how="left").with_columns(
        pl.col("n_flags").fill_null(0).cast(pl.Int64), pl.col("n_open").fill_null(0).cast(pl.Int64)
    )


@_shared
def _documents(v: tuple) -> pl.DataFrame:
    return run("documents_list").with_columns(
        pl.col("source_path").str.replace(r"^.*/", "").alias("file"),
        (pl.col("size_bytes") / 1024).alias("size_kb"),
    )


def documents() -> pl.DataFrame:
    """Returns the loaded documents (status, counts, encoding, unit, region), those that need
    attention first."""
    return _documents()


def document_detail(doc_id: str) -> dict[str, Any]:
    """Given a document id, returns its parse_report and n_lines (source lines) — {} when unknown."""
    df = run("document_detail", doc_id=doc_id)
    return df.row(0, named=True) if df.height else {}


def document_lines(doc_id: str, line_from: int = 1, line_to: int = 2000) -> pl.DataFrame:
    """Returns a document's source lines between two line numbers (inclusive), phone numbers masked."""
    return _masked(run("document_lines", doc_id=doc_id, line_from=int(line_from), line_to=int(line_to)))


# --------------------------------------------------------------------------- one project, search


SEARCH_LIMIT = 30       # project chains listed for one search
_SEARCH_ROWS = 400      # documents read for them (a chain has up to two per year)
MAX_SEARCH = 100        # characters of a search kept


def project_search(q: str, limit: int = SEARCH_LIMIT) -> pl.DataFrame:
    """Given the text typed (a project name or 项目编码, or part of one), returns one row per
    project — its documents and years together (`lineage_id`) — whose name or code contains it,
    best match first: project_id (the best-matching document, opened by the project view),
    name, code, unit (canonical), province, city, county, years (sorted list), n_docs, matched
    (code / code_part / name); at most `limit` rows. Nothing for an empty text."""
    import unicodedata

    text = unicodedata.normalize("NFKC", q or "").strip()[:MAX_SEARCH]
    df = run("project_search", q=text, limit=_SEARCH_ROWS)
    return (
        df.with_row_index("_rank")
        .group_by("lineage_id", maintain_order=True)
        .agg(pl.col("project_id").first(), pl.col("name").first(), pl.col("code").drop_nulls().first(),
             pl.col("unit").first(), pl.col("province").first(), pl.col("city").first(), pl.col("county").first(),
             pl.col("year").unique().sort().alias("years"), pl.len().alias("n_docs"), pl.col("matched").first(),
             pl.col("_rank").min())
        .sort("_rank").drop("_rank").head(limit)
    )


def project_goal_vs_self(project_id: str) -> pl.DataFrame:
    """Given a project (its goal table or its self-evaluation), returns the pair side by side
    per indicator (queries/project_goal_vs_self.sql: status linked / missing / added /
    goal_only, both targets and weights, actual and scores, the JX501-JX503 changes)."""
    return run("project_goal_vs_self", project_id=project_id)


def project_chain_flags(project_id: str) -> pl.DataFrame:
    """Given a project, returns the flags of its whole chain (every document and year) with
    year, kind, indicator and its lineage id, and its status now (waivers joined in SQL)."""
    return run("project_chain_flags", project_id=project_id)


def project_years(project_id: str) -> pl.DataFrame:
    """Given a project, returns it year by year (goal and self-evaluation of each year side by
    side: budgets, executed, execution rate, totals) with n_open_flags per year."""
    df = run("project_years", project_id=project_id)
    fl = project_chain_flags(project_id).filter(pl.col("status") == "open")
    per = fl.group_by("year").agg(pl.len().cast(pl.Int64).alias("n_open_flags"))
    return df.join(per, on="year", how="left").with_columns(pl.col("n_open_flags").fill_null(0)).sort("year")


def project_indicator_years(project_id: str) -> pl.DataFrame:
    """Given a project, returns every indicator of every document of its chain with its
    indicator_lineage_id (the same indicator across documents and years)."""
    return run("project_indicator_years", project_id=project_id)


def year_column(year: int, what: str) -> str:
    """The pivot's column for one year and one value: "2024年 目标值"."""
    return f"{year}年 {what}"


def indicator_pivot(rows: pl.DataFrame, flag_frame: pl.DataFrame | None = None) -> pl.DataFrame:
    """Given project_indicator_years rows (and optionally the chain's flags), returns one row
    per indicator of the chain, in document order, with level1, level2, name (as in its latest
    document) and per year "YYYY年 目标值" (the goal table's target, else the self-evaluation's),
    "YYYY年 实际值" (the self-evaluation's actual), and `flags`: the open flags on the
    indicator, "2026年 JX504、JX506; …" (null when none), plus `flag_years`: {year: [rules]}."""
    if rows.height == 0:
        return pl.DataFrame(schema={"indicator_lineage_id": pl.String, "level1": pl.String, "level2": pl.String,
                                    "name": pl.String, "flags": pl.String})
    key = "indicator_lineage_id"
    goal = rows.filter(pl.col("kind") == "goal").group_by(key, "year").agg(
        pl.col("target_raw").first().alias("goal_target"))
    self_ = rows.filter(pl.col("kind") == "self_eval").group_by(key, "year").agg(
        pl.col("target_raw").first().alias("self_target"), pl.col("actual_raw").first().alias("actual"))
    cells = (rows.select(key, "year").unique()
             .join(goal, on=[key, "year"], how="left").join(self_, on=[key, "year"], how="left")
             .with_columns(pl.coalesce("goal_target", "self_target").alias("target")))
    # names and levels as in the latest document; order as the documents list them
    last = (rows.sort("year", "kind").group_by(key, maintain_order=True)
            .agg(pl.col("level1").last(), pl.col("level2").last(),
                 pl.col("name").filter(pl.col("name") != "").last().alias("name"),
                 pl.col("seq").min().alias("_seq"), pl.col("year").min().alias("_first")))
    out = last.sort("_seq", "_first", key)
    for y in sorted(cells["year"].unique().to_list()):
        c = cells.filter(pl.col("year") == y).select(
            key, pl.col("target").alias(year_column(y, "目标值")), pl.col("actual").alias(year_column(y, "实际值")))
        out = out.join(c, on=key, how="left", maintain_order="left")
    out = out.drop("_seq", "_first")
    fl = (flag_frame.filter((pl.col("status") == "open") & pl.col("indicator_id").is_not_null())
          if flag_frame is not None and flag_frame.height else None)
    if fl is None or fl.height == 0:
        return out.with_columns(pl.lit(None, dtype=pl.String).alias("flags"))
    per = (fl.group_by("indicator_lineage_id", "year").agg(pl.col("rule").unique().sort())
           .sort("indicator_lineage_id", "year")
           .with_columns((pl.col("year").cast(pl.String) + "年 " + pl.col("rule").list.join("、")).alias("_t"))
           .group_by("indicator_lineage_id", maintain_order=True).agg(pl.col("_t").str.join("；").alias("flags")))
    return out.join(per, on=key, how="left", maintain_order="left")


# --------------------------------------------------------------------------- counties and peers


def region_label() -> pl.Expr:
    """The county's label: the county, or "某市（本级）" / "某省（本级）" for units above counties."""
    from dashboard.format import SAME_LEVEL, UNKNOWN_REGION

    return pl.coalesce(pl.col("county"), pl.col("city") + pl.lit(SAME_LEVEL), pl.col("province") + pl.lit(SAME_LEVEL),
                       pl.lit(UNKNOWN_REGION))


def county_rollup(f: Filters) -> pl.DataFrame:
    """Returns one row per county in the filter (queries/county_rollup.sql: units, projects,
    执行率, mean and median score, 高分低执行 projects and their share, open flags n_open_flags
    and flags_per_project = open flags ÷ projects as 单位对比 counts them, n_flags_all) with a
    `label` (county, or 某市（本级）) and `key` (province / city / county)."""
    from dashboard.charts import HIGH_SCORE, LOW_RATE

    df = run("county_rollup", **f.params(), high_score=HIGH_SCORE, low_rate=LOW_RATE)
    keys = ["province", "city", "county"]
    return derived(df, "county_labels", lambda d: d.with_columns(
        region_label().alias("label"),
        pl.concat_str([pl.col(k).fill_null("—") for k in keys], separator=" / ").alias("key")))


# The rules the project view starts from: documents of one project that disagree (goal table
# and self-evaluation, one year and the next).
PROJECT_VIEW_RULES = ("JX501", "JX502", "JX503", "JX504", "JX505", "JX506")

PEER_METRICS = {
    "score_mean": "平均自评得分",
    "execution_rate": "执行率",
    "flags_per_project": "每项目问题数",
}


def unit_peers(f: Filters, unit_kind: str = "") -> pl.DataFrame:
    """Given the filters and a kind of unit ("" = every kind), returns the units of that kind
    side by side (queries/unit_peers.sql: open flags per project as 单位对比 counts them, the
    kind's medians over all its units in the filter kind_*_median) with the medians over the
    kind's units of the unit's province (province_kind_*_median) and n_province_peers."""
    by_prov = ["unit_kind", "province"]
    return derived(run("unit_peers", **f.params(), unit_kind=unit_kind), "province_medians", lambda df: df.with_columns(
        pl.col("execution_rate").median().over(by_prov).alias("province_kind_execution_rate_median"),
        pl.col("score_mean").median().over(by_prov).alias("province_kind_score_median"),
        pl.col("flags_per_project").median().over(by_prov).alias("province_kind_flags_per_project_median"),
        pl.len().over(by_prov).alias("n_province_peers"),
    ))


def unit_kinds(peers: pl.DataFrame) -> pl.DataFrame:
    """Given unit_peers rows of every kind, returns each kind with its number of units, the
    most numerous first (其他 last)."""
    if peers.height == 0:
        return pl.DataFrame(schema={"unit_kind": pl.String, "n_units": pl.UInt32})
    return (peers.group_by("unit_kind").agg(pl.len().alias("n_units"))
            .sort(pl.col("unit_kind") == "其他", pl.col("n_units"), pl.col("unit_kind"),
                  descending=[False, True, False]))


# --------------------------------------------------------------------------- unit merges


def unit_alias_suggestions() -> pl.DataFrame:
    """Returns the suggested unit merges with their status (pending first)."""
    return run("unit_alias_suggestions")


def unit_merge_projects(suggestion: dict) -> pl.DataFrame:
    """Given a suggestion row (province, city, county, unit_a, unit_b), returns the projects on
    each side (side a: the proposed canonical name, b: the alias)."""
    return run("unit_merge_projects", province=suggestion.get("province"), city=suggestion.get("city"),
               county=suggestion.get("county"), unit_a=suggestion["unit_a"], unit_b=suggestion["unit_b"])


def unit_decision_log() -> Path:
    """Returns the database's log of merge decisions (jixiao.units.decisions_path)."""
    from jixiao import units

    return units.decisions_path(db_path())


@st.cache_data(show_spinner=False, max_entries=8)
def _decisions_cached(path: str, version: tuple | None) -> pl.DataFrame:
    from jixiao import units

    return units.decision_log(Path(path))


def unit_decisions() -> pl.DataFrame:
    """Returns the reviewers' merge decisions, newest first (cached until the log changes)."""
    path = unit_decision_log()
    return _decisions_cached(str(path), file_version(path))


def merge_units(suggestions: Iterable[dict], decision: str, user: User | None, note: str = "",
                on_wait: Callable[[], None] | None = None) -> int:
    """Given suggestion rows, "accept" (merge unit_b into unit_a) or "reject", and the
    signed-in user, records one decision each in the database's log (the user's name as
    reviewer) and rebuilds the derived tables on a copy that is then swapped in
    (jixiao.units.rebuild); returns how many were recorded. PermissionError without a
    审核/管理 user. `on_wait` is called when another import holds the database."""
    from jixiao import units

    if user is None or not user.may(REVIEWER):
        raise PermissionError("需要登录的审核或管理用户才能合并单位")
    rows = list(suggestions)
    for r in rows:
        units.record_decision(r["unit_b"], r["unit_a"], decision, reviewer=user.name, note=note,
                              province=r.get("province") or "", county=r.get("county") or "",
                              db_path=db_path())
    _decisions_cached.clear()
    if rows:
        with _ingest_lock:
            units.rebuild(db_path(), on_wait=on_wait)
        clear_caches()
    return len(rows)


# --------------------------------------------------------------------------- warming

def warm() -> None:
    """Computes what every page shows for the unfiltered view (the queries and what pages derive
    from them) into the shared caches, then the overview of each year alone (the filter most
    often set first), so that the first visitor after a start or an import finds it ready.
    Errors are left to the page that would meet them."""
    from dashboard.filters import Filters

    f = Filters()
    if problem() is not None:
        return
    derived_stale()
    for col in ("year", "province", "unit"):
        filter_values(col)
    _warm_overview(f)
    units = unit_comparison(f)
    unit_vs_median(units, next(iter(UNIT_METRICS)))
    county_rollup(f)
    unit_peers(f, "")
    points = scatter_points(f)
    high_score_low_rate(points, DEFAULT_PARAMS["high_score"], DEFAULT_PARAMS["low_rate"])
    high_score_low_rate_by_county(points, DEFAULT_PARAMS["high_score"], DEFAULT_PARAMS["low_rate"])
    n_distinct(points, "unit")
    trend = unit_year_trend(f)
    units_with_years(trend, 2)
    flags(f, status="open", top=PAGE_ROWS)
    flag_totals(f, status="open")
    flags(f, rules=PROJECT_VIEW_RULES, status="open")
    rules_catalog(flag_counts(f))
    documents()
    template_clusters(f)
    unit_alias_suggestions()
    for year in filter_values("year"):
        _warm_overview(Filters(years=(int(year),)))


def _warm_overview(f: Filters) -> None:
    counts = flag_counts(f)
    overview_metrics(f)
    severity_counts(counts)
    rule_counts(counts, open_only=True)
    units_by_flags(unit_comparison(f), n=10)


def warm_in_background(interval: float = 2.0, first_now: bool = False) -> threading.Thread:
    """Starts a daemon thread that warms the caches now and again whenever the database file or
    the waiver log changes (an import swapped a new file in, a flag was accepted) and no import
    is running; with `first_now`, the first warming is done before it returns (a server then
    opens its port with the caches ready). Returns the thread."""
    import logging
    import time

    # Outside a script run Streamlit warns on every cached call ("missing ScriptRunContext").
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(logging.ERROR)

    seen = None
    if first_now:
        try:
            seen = (file_version(db_path()), _waivers_key())
            warm()
        except Exception:  # noqa: BLE001 - the thread tries again
            seen = None

    def loop() -> None:
        nonlocal seen
        while True:
            try:
                now = (file_version(db_path()), _waivers_key())
                if now != seen and now[0] is not None and not import_running():
                    warm()
                    seen = now
            except Exception:  # noqa: BLE001 - a page shows the problem; warming tries again later
                pass
            time.sleep(interval)

    thread = threading.Thread(target=loop, name="jixiao-warm", daemon=True)
    thread.start()
    return thread


# --------------------------------------------------------------------------- review reports


def _current_connection() -> duckdb.DuckDBPyConnection:
    path = db_path()
    version = file_version(path)
    if version is None:
        raise FileNotFoundError(str(path))
    return _connection(str(path.resolve()), version)


def _report_filter(f: Filters, units: Iterable[str] = ()):
    from dataclasses import replace

    from jixiao.report import ReportFilter

    return replace(ReportFilter.like(f), units=tuple(units))


def report_file(unit: str, f: Filters, fmt: str) -> bytes:
    """Given a unit, the sidebar filters and "docx" / "xlsx", returns the unit's review report
    (审核意见) over the filter's years and tables. Built when called — on the download click, not
    on every rerun — from the read-only connection and the waivers as they stand now."""
    from jixiao.report import ReportSource, render

    return render(ReportSource(_current_connection(), _report_filter(f)).build(unit), fmt)


def reports_zip(f: Filters) -> bytes:
    """Given the sidebar filters, returns a .zip with the Word and Excel report of every unit
    in them (built when called)."""
    from jixiao.report import reports_zip as _zip

    return _zip(_current_connection(), _report_filter(f, f.units))


def report_file_name(unit: str, f: Filters, fmt: str) -> str:
    """Given a unit, the filters and a format, returns the download's file name."""
    from jixiao.report import file_name_for

    return file_name_for(unit, f.years, fmt)


# --------------------------------------------------------------------------- ingest

_ingest_lock = threading.Lock()


def max_upload_mb() -> int:
    """Returns the upload limit in MB (Streamlit's server.maxUploadSize, from config.toml)."""
    try:
        return int(st.get_option("server.maxUploadSize"))
    except Exception:
        return 200


def max_parse_text() -> str:
    """Returns one file's parse deadline (JIXIAO_MAX_PARSE_SECONDS) in words: "3 分钟", "90 秒"."""
    from jixiao.readers import limits

    seconds = limits.MAX_PARSE_SECONDS
    return f"{seconds // 60} 分钟" if seconds % 60 == 0 else f"{seconds} 秒"


def check_upload(name: str, size: int) -> str | None:
    """Given an uploaded file's name and size, returns why it cannot be imported (Chinese) or None."""
    suffix = Path(name).suffix.lower().lstrip(".")
    if suffix not in UPLOAD_TYPES:
        shown = f".{suffix}" if suffix else "（无后缀）"
        return (f"不支持的文件类型 {shown}；可导入 PDF（带文字层）、Word（.docx .doc .wps）、"
                f"Excel（.xlsx .xls .et）、.ods、网页表格（.htm .html）和文本（.txt .md）")
    if size == 0:
        return "文件是空的"
    limit = max_upload_mb()
    if size > limit * 1024 * 1024:
        return f"文件过大（{size / 1048576:.1f} MB），上限 {limit} MB"
    return None


def report_frame(rows: list[dict]) -> pl.DataFrame:
    """Given per-file report dicts (file, status, projects, indicators, message), returns a frame."""
    schema = {"file": pl.String, "status": pl.String, "projects": pl.Int64, "indicators": pl.Int64, "message": pl.String}
    return pl.DataFrame(rows, schema=schema) if rows else pl.DataFrame(schema=schema)


# A file name's limit on disk is 255 bytes (about 85 Chinese characters); uploads keep theirs
# up to this many bytes and are otherwise shortened (`upload_file_name`).
UPLOAD_NAME_BYTES = 180


def upload_file_name(name: str, k: int = 0) -> tuple[str, bool]:
    """Given an uploaded file's name, returns (the name it is stored under, whether it was
    shortened): the name itself when it fits in UPLOAD_NAME_BYTES; else its beginning, "…", a
    short digest of the whole name (the same name gives the same stored name, so uploading it
    again replaces it; two long names with one beginning stay apart) and its suffix."""
    import hashlib

    safe = Path((name or "").replace("\x00", "").replace("\\", "/")).name.strip()
    if safe in ("", ".", ".."):
        return f"upload_{k}", True
    if len(safe.encode("utf-8")) <= UPLOAD_NAME_BYTES:
        return safe, False
    suffix = Path(safe).suffix
    if len(suffix.encode("utf-8")) > 16:
        suffix = ""
    tail = "…" + hashlib.sha1(safe.encode("utf-8")).hexdigest()[:8] + suffix
    room = UPLOAD_NAME_BYTES - len(tail.encode("utf-8"))
    stem = safe[: len(safe) - len(suffix)] if suffix else safe
    out = ""
    for ch in stem:
        if len((out + ch).encode("utf-8")) > room:
            break
        out += ch
    return out.rstrip() + tail, True


def ingest_uploads(files: list[tuple[str, bytes]], user: User | None,
                   on_file: Callable[[Any], None] | None = None,
                   on_wait: Callable[[], None] | None = None) -> list[Any]:
    """Given uploaded (file name, content) pairs and the signed-in user, writes them to a temporary folder and ingests
    them into a copy of the database that is then swapped in (`ingest_into_copy`); returns the
    per-file reports (named by the uploaded names) and clears the caches so the new data shows.
    Uploads are identified by file name (scope "upload"): a file uploaded again replaces its
    earlier upload. Each file is parsed in a worker process (`isolate`), within the parse
    deadline: a hostile file costs that worker, never the server's memory or its threads.
    Each file succeeds or fails on its own: one that cannot be written (a name too long is
    shortened first, see `upload_file_name`) gets a failed report with a Chinese reason and the
    others load. `on_wait` is called when another import holds the database.
    PermissionError without a 审核/管理 user: nothing is written."""
    from dataclasses import replace

    if user is None or not user.may(REVIEWER):
        raise PermissionError("需要登录的审核或管理用户才能导入文档")

    from jixiao.ingest import FileReport, ingest_into_copy

    tmp = Path(tempfile.mkdtemp(prefix="jixiao-upload-"))
    failed: list[Any] = []
    try:
        paths, shown, notes = [], {}, {}
        for k, (name, content) in enumerate(files):
            stored, shortened = upload_file_name(name, k)
            target = tmp / f"{k:03d}" / stored  # one folder each: the name stays the file's own
            try:
                target.parent.mkdir()
                target.write_bytes(content)
            except OSError as e:
                rep = FileReport(name, "failed", message=f"文件无法保存到临时目录（{e.strerror or type(e).__name__}），未导入")
                failed.append(rep)
                if on_file:
                    on_file(rep)
                continue
            paths.append(target)
            shown[str(target)] = name
            if shortened:
                notes[str(target)] = f"文件名过长（{len(name)} 个字符），以「{stored}」保存"

        def named(rep):
            key = str(rep.path)
            if key not in shown:
                return rep
            message = "；".join(x for x in (rep.message, notes.get(key)) if x) or None
            return replace(rep, path=shown[key], message=message)

        reports = []
        if paths:
            with _ingest_lock:
                reports = ingest_into_copy(paths, db_path(), on_file=(lambda r: on_file(named(r))) if on_file else None,
                                           scope="upload", on_wait=on_wait, isolate=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    clear_caches()
    return [named(r) for r in reports] + failed
