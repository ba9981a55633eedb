"""Derived tables, recomputed after every ingest: canonical units (and suggested aliases),
expected scores, project scores, score distributions, template clusters, links between
documents and years, the rule catalog and the flags (without status: waivers are
overlaid when read, by `jixiao.waivers.flags_with_status`, so a status is never stale).

All computation is Polars (and numpy); results are written back to DuckDB as tables so the
dashboard, `jixiao flags` and the export only read. After the expected scores, the links, the
template clusters and the scores and rules run at once (`_refresh`).
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor

import duckdb
import numpy as np
import polars as pl

from jixiao import schema

DISTRIBUTION_GRAINS = {
    "unit": ["province", "city", "county", "unit", "year"],
    "county": ["province", "city", "county", "year"],
    "city": ["province", "city", "year"],
    "province": ["province", "year"],
}


# A table of at least a row group (DuckDB's 122,880 rows) is written on all the machine's
# threads, even within derive's one-thread streams: written on one, its row groups waited for
# the commit — a second of commit at 1M, with nothing else left to run beside it.
PARALLEL_WRITE_ROWS = 122_880


def _replace_table(con: duckdb.DuckDBPyConnection, name: str, df: pl.DataFrame, lock=None) -> None:
    """Given the connection, a table name and a frame, replaces the table with the frame (via
    Arrow); with `lock`, holding it (derive's parallel steps share the one connection). A
    table of a row group or more stores its id columns as ZSTD (`_table_ddl`)."""
    big = df.height >= PARALLEL_WRITE_ROWS
    with lock if lock is not None else contextlib.nullcontext(), \
            duckdb_threads(con, os.cpu_count() or 1) if big else contextlib.nullcontext():
        con.register("_derived", df.to_arrow())
        try:
            if big:
                con.execute(f"CREATE OR REPLACE TABLE {name} ({_table_ddl(con, '_derived')})")
                con.execute(f"INSERT INTO {name} SELECT * FROM _derived")
            else:
                con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM _derived")
        finally:
            con.unregister("_derived")


def _table_ddl(con: duckdb.DuckDBPyConnection, relation: str) -> str:
    """Given a registered relation, returns the column list of a table for it, its text id
    columns (`…_id`) stored as ZSTD. Ids are random hex, nearly all distinct: DuckDB's default
    string compression (a dictionary, then FSST symbols) finds little in them and cost 1.5–2
    CPU-s a derive at 1M in trying (indicator_links, indicator_lineage, template_members); ZSTD
    writes them faster and smaller (lookups by them are a few ms slower)."""
    cols = con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()
    return ", ".join(
        f'"{c}" {t}' + (" USING COMPRESSION zstd" if t == "VARCHAR" and c.endswith("_id") else "")
        for c, t, *_ in cols)


def load_frames(con: duckdb.DuckDBPyConnection):
    """Returns (projects, indicators) from the database as Polars frames in the schema."""
    from jixiao.rules.base import Frames

    return Frames(projects=load_table(con.cursor(), "projects"), indicators=load_table(con.cursor(), "indicators"))


_LOADED = {"projects": ("project_id", schema.PROJECTS), "indicators": ("indicator_id", schema.INDICATORS)}

# Indicator columns no derived table reads — no score, link, template or rule (tests/scale's
# shared-pieces test runs every rule on the full frames against refresh's flags): refresh
# leaves them in the database. 评分标准 alone is a quarter of the text at 1M; loading and
# ordering these cost ~0.6 CPU-s a refresh.
UNREAD_INDICATOR_COLUMNS = ("scoring_rule", "basis", "evidence", "source_sheet", "source_line", "is_quantitative")


def load_table(cur: duckdb.DuckDBPyConnection, table: str, skip: tuple[str, ...] = ()) -> pl.DataFrame:
    """Given a cursor, "projects" or "indicators" and columns to leave out (`skip`), returns
    that table as a Polars frame in the schema without those columns, in id order."""
    id_col, types = _LOADED[table]
    exclude = f" EXCLUDE ({', '.join(skip)})" if skip else ""
    df = in_id_order(cur.sql(f"SELECT *{exclude} FROM {table}").pl(), id_col)
    return df.select([pl.col(c).cast(t) for c, t in types.items() if c not in skip])


def in_id_order(df: pl.DataFrame, id_col: str) -> pl.DataFrame:
    """Given a table's rows as stored and its id column, returns them sorted by id.

    Rows are stored as loaded: each document's rows together and in id order (an id begins
    with its document's). So the documents' runs are put in order — a sort of some ten
    thousand ids, not of a million (ORDER BY doubled the load at 1M) — and the result is
    checked; anything else (rows of one document apart) gets the full sort."""
    n = df.height
    if n < 2 or df[id_col].is_sorted():
        return df
    doc = df["doc_id"]
    starts = (doc != doc.shift(1)).fill_null(True).arg_true().to_numpy()
    lengths = np.diff(np.append(starts, n))
    order = df[id_col].gather(starts).arg_sort().to_numpy()
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    # a stable sort by the run's rank: cheaper than by the string id, or than a gather by index
    out = df.sort(pl.Series(np.repeat(rank, lengths)), maintain_order=True)
    return out if out[id_col].is_sorted() else df.sort(id_col)


def canonical_units(con: duckdb.DuckDBPyConnection, frames):
    """Given the loaded frames, fills projects.unit_canonical from the unit names, the shipped
    aliases and the database's decision log (jixiao.units.load_aliases), writes `unit_names` and
    `unit_alias_suggestions`, and returns the frames with the canonical units."""
    from jixiao import units
    from jixiao.rules.base import Frames

    from jixiao.db import file_of

    # The decisions of the database being derived (a copy an import writes reads its live file's).
    db_file = file_of(con)
    aliases = units.load_aliases(db_path=db_file) if db_file else units.load_aliases(units.aliases_path())
    res = units.resolve(frames.projects, aliases)
    # unit_group (pending merges applied) rides along for the copy rules; it is not a column of projects.
    projects = frames.projects.drop("unit_canonical").join(
        res.project_units.select("project_id", "unit_canonical", "unit_group"), on="project_id", how="left"
    ).select(*frames.projects.columns, "unit_group")
    # inside refresh's one transaction, like every other derived write
    con.register("_units", res.project_units.select("project_id", "unit_canonical").to_arrow())
    try:
        con.execute("UPDATE projects SET unit_canonical = u.unit_canonical FROM _units u "
                    "WHERE projects.project_id = u.project_id "
                    "AND projects.unit_canonical IS DISTINCT FROM u.unit_canonical")
    finally:
        con.unregister("_units")
    _replace_table(con, "unit_names", res.names)
    _replace_table(con, "unit_alias_suggestions", res.suggestions)
    return Frames(projects=projects, indicators=frames.indicators)


def document_links(con: duckdb.DuckDBPyConnection, projects: pl.DataFrame, indicators: pl.DataFrame, text=None,
                   lock=None):
    """Given projects (with canonical units) and indicators (and their shared text keys),
    computes the links between documents and years (jixiao.links) once, writes project_links,
    project_history, indicator_links, project_lineage and indicator_lineage (holding `lock`,
    if given, for each write), and returns them (a Lineage) for the rules. A failure is
    reported and leaves the tables empty, never missing."""
    from jixiao.links import Lineage, compute

    try:
        lineage = compute(projects, indicators, text)
    except Exception as e:  # the links must not stop the other derived tables
        print(f"项目关联计算失败：{type(e).__name__}: {e}", file=sys.stderr)
        lineage = Lineage.empty()
    for name in ("project_links", "project_history", "indicator_links", "project_lineage", "indicator_lineage"):
        _replace_table(con, name, getattr(lineage, name), lock)
    return lineage


def flag_context(con: duckdb.DuckDBPyConnection) -> None:
    """Writes `flag_context`: per flag its indicator's sequence number and name (null for a flag
    about a whole project) and its place in the order the flags are listed in (rule, unit,
    year, project name, indicator — project-wide flags first —, flag id) — looked up and
    ranked once here rather than joined with every indicator on every page visit; and the
    flag's key (rule, project, indicator, severity) with its project's filter columns and name
    (null, and in_projects false, for a flag of no loaded project), so the flags of the
    filtered projects are read without joining the projects on their string ids on every page
    (queries/_filtered_flags.sql, flags_filtered). No status: that is the waivers', joined when read."""
    con.execute("""
        CREATE OR REPLACE TABLE flag_context AS
        SELECT f.flag_id, i.seq AS indicator_seq, i.name AS indicator_name,
               row_number() OVER (ORDER BY f.rule, coalesce(p.unit_canonical, p.unit), p.year, p.name,
                                  i.seq NULLS FIRST, f.flag_id) AS display_order,
               f.rule, f.severity, f.project_id, f.indicator_id,
               p.project_id IS NOT NULL AS in_projects, p.scope, p.year, p.province, p.city, p.county,
               p.unit, p.unit_canonical, p.kind, p.synthetic, p.name AS project_name
        FROM flags f
        LEFT JOIN projects p USING (project_id)
        LEFT JOIN indicators i USING (indicator_id)
        ORDER BY display_order
    """)


def document_units(con: duckdb.DuckDBPyConnection) -> None:
    """Writes `document_units`: per document with projects the canonical unit(s) of its projects
    (joined by 、, in order) and the most frequent (province, city, county, year) among them —
    what the documents page lists beside each file, grouped from the 112,623 projects once here
    rather than on every visit (queries/documents_list.sql)."""
    con.execute("""
        CREATE OR REPLACE TABLE document_units AS
        WITH units AS (
            SELECT doc_id,
                   string_agg(DISTINCT coalesce(unit_canonical, unit), '、' ORDER BY coalesce(unit_canonical, unit)) AS unit
            FROM projects
            GROUP BY doc_id
        ),
        places AS (
            SELECT doc_id, province, city, county, year, count(*) AS n FROM projects GROUP BY ALL
        ),
        per_doc AS (
            -- a tie goes to the first place in order (arg_max took any of them, one per run)
            SELECT doc_id, first({'province': province, 'city': city, 'county': county, 'year': year}
                                 ORDER BY n DESC, province, city, county, year) AS w
            FROM places
            GROUP BY doc_id
        )
        SELECT u.doc_id, u.unit, w.w.province, w.w.city, w.w.county, w.w.year
        FROM units u
        LEFT JOIN per_doc w USING (doc_id)
        ORDER BY u.doc_id
    """)


# The columns the shared filter reads (queries/_project_filter.sql): one cell of score_cells each.
FILTER_CELL = ["scope", "year", "province", "city", "county", "unit", "unit_canonical", "kind", "synthetic"]


def score_cells(projects: pl.DataFrame, pscores: pl.DataFrame) -> pl.DataFrame:
    """Given the projects (with canonical units) and their project scores, returns `score_cells`:
    the indicator counts of the scores (indicators, scored, given full marks) summed per cell of
    the shared filter's columns (FILTER_CELL) — so a comparison of units reads a few ten thousand
    cells through the shared filter instead of joining every project to its scores on their
    string ids on every visit (queries/unit_comparison.sql). A sum over no values is null, as
    SQL's."""
    def total(c: str) -> pl.Expr:
        return pl.when(pl.col(c).is_not_null().any()).then(pl.col(c).sum()).cast(pl.Int64).alias(c)

    counts = pscores.select("project_id", "n_indicators", "n_scored", "n_full_marks")
    return (projects.select("project_id", *FILTER_CELL).join(counts, on="project_id", how="left")
            .group_by(FILTER_CELL)
            .agg(pl.col("n_indicators").fill_null(0).sum().cast(pl.Int64), total("n_scored"), total("n_full_marks"))
            .sort(FILTER_CELL, nulls_last=True))


def refresh(con: duckdb.DuckDBPyConnection, *, verbose: bool = False, parallel: bool = True) -> dict[str, float]:
    """Recomputes every derived table from projects and indicators; returns seconds per step.

    One transaction: the derived tables and `meta.derived_version` (the base version they were
    computed from) are written together, so a refresh that is killed or fails leaves the
    previous derived state and says it is stale (`jixiao.db.is_stale`). `parallel=False` runs
    the steps one after another (the same tables; for measuring and comparing)."""
    from jixiao import db

    base = db.meta_get(con, db.BASE_VERSION) or 0
    with db.transaction(con):
        timings = _refresh(con, verbose=verbose, parallel=parallel)
        db.meta_set(con, db.DERIVED_VERSION, base)
    return timings


class _InOrder:
    """An executor that runs each task when it is submitted (`refresh(parallel=False)`)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def submit(self, fn, *args, **kwargs) -> Future:
        f: Future = Future()
        try:
            f.set_result(fn(*args, **kwargs))
        except BaseException as e:  # kept for .result(), as a pool would
            f.set_exception(e)
        return f


def _refresh(con: duckdb.DuckDBPyConnection, *, verbose: bool = False, parallel: bool = True) -> dict[str, float]:
    from jixiao import scores
    from jixiao.rules.base import Frames
    from jixiao.textkeys import TextKeys

    timings: dict[str, float] = {}
    t = time.perf_counter()
    # The indicators load on a thread of their own while the projects load and their units
    # resolve here: the units need no indicator.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="derive-load") if parallel else _InOrder() as pool:
        indicators = pool.submit(load_table, con.cursor(), "indicators", UNREAD_INDICATOR_COLUMNS)
        projects = load_table(con.cursor(), "projects")
        t_units = time.perf_counter()
        frames = canonical_units(con, Frames(projects=projects, indicators=None))
        timings["units"] = time.perf_counter() - t_units
        frames = Frames(projects=frames.projects, indicators=indicators.result())
    settings = scores.load_settings()
    # the normalised texts, computed once for the scores, the links, the clusters and the rules
    text = TextKeys(frames.indicators)
    projects, loaded = frames.projects, frames.indicators
    timings["load"] = time.perf_counter() - t - timings["units"]

    # From here three streams run at once, each mostly in Polars, numpy and DuckDB (which
    # release the GIL): the links, the template clusters (MinHash needs no links; only the
    # clusters' last step does) — neither reads a score — and, here, the scores and the rules
    # (one by one; a rule that reads the links or the template members waits for them). Writes
    # share the one connection and its transaction, one at a time.
    with duckdb_threads(con, 1):
        return _streams(con, timings, projects, loaded, text, settings, parallel=parallel, verbose=verbose)


@contextlib.contextmanager
def duckdb_threads(con: duckdb.DuckDBPyConnection, n: int):
    """Within: the database runs each statement on `n` threads; the setting before is restored
    after. Derive's small writes take as long on one thread as on two, and the second thread's
    share is CPU the Python streams beside them would have had (a table of a row group or more
    is still written on all threads: `_replace_table`)."""
    before = con.sql("SELECT current_setting('threads')").fetchall()[0][0]
    con.execute(f"SET threads = {int(n)}")
    try:
        yield
    finally:
        con.execute(f"SET threads = {int(before)}")


def _streams(con, timings, projects, loaded, text, settings, *, parallel: bool, verbose: bool) -> dict[str, float]:
    """Given the loaded frames, their text keys and the score settings, computes and writes
    every derived table after the canonical units (see `_refresh`); returns `timings`."""
    from jixiao import scores
    from jixiao.boilerplate import cluster_details, template_clusters, template_members
    from jixiao.rules import RULES, finalize_flags, rules_frame, run_rules
    from jixiao.rules.base import Frames

    lock = threading.Lock()

    def timed(name, fn, *args, **kwargs):
        t0 = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            timings[name] = time.perf_counter() - t0

    def boilerplate(links_future: Future):
        # the MinHash clustering and what it says of each cluster, beside the links
        cluster_details(template_members(loaded, projects, text=text))
        # after the links: a goal table and its own self-evaluation are one project to the templates
        clusters, members = template_clusters(loaded, projects, links=links_future.result().project_links,
                                              text=text)
        _replace_table(con, "template_clusters", clusters, lock)
        _replace_table(con, "template_members", members, lock)  # with each member's project (MEMBER_SCHEMA)

    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="derive") if parallel else _InOrder() as pool:
        links = pool.submit(timed, "links", document_links, con, projects, loaded, text, lock)
        clusters = pool.submit(timed, "boilerplate", boilerplate, links)

        t = time.perf_counter()
        # with the details JX301 reads (score_rule, target_met, score_floor): computed once, here
        indicators = scores.expected_scores(projects, loaded, settings, with_details=True, text=text)
        timings["expected_scores"] = time.perf_counter() - t

        t = time.perf_counter()
        exp = indicators.select("indicator_id", "score_expected")
        if "score_expected" in loaded.columns and loaded["indicator_id"].equals(exp["indicator_id"]):
            # The scores as loaded are the stored ones (same rows, same order): only those that
            # differ go to the database, not a million rows joined there to find none (a re-derive).
            # Equal here is equal there, so the UPDATE's own test still decides which change.
            exp = exp.filter(~exp["score_expected"].eq_missing(loaded["score_expected"]))
        with lock:
            con.register("_exp", exp.to_arrow())
            try:
                # only the scores that change (a re-derive rewrites none; an ingest its new rows')
                con.execute("UPDATE indicators SET score_expected = e.score_expected FROM _exp e "
                            "WHERE indicators.indicator_id = e.indicator_id "
                            "AND indicators.score_expected IS DISTINCT FROM e.score_expected")
            finally:
                con.unregister("_exp")
        timings["write_expected"] = time.perf_counter() - t

        def project_scores() -> None:
            pscores = scores.project_scores(projects, indicators, settings)
            _replace_table(con, "project_scores", pscores, lock)
            _replace_table(con, "score_cells", score_cells(projects, pscores), lock)
            parts = []
            # Distributions by unit group a unit's documents under its one canonical name.
            # Only project tables: a 部门整体 table (scope department) is not one more project of its unit.
            by_unit = projects.filter(pl.col("scope").fill_null("project") == "project").with_columns(
                pl.col("unit_canonical").fill_null(pl.col("unit")).alias("unit"))
            for grain, by in DISTRIBUTION_GRAINS.items():
                d = scores.score_distributions(by_unit, pscores, by)
                parts.append(d.with_columns(pl.lit(grain).alias("grain")))
            _replace_table(con, "score_distribution", pl.concat(parts, how="diagonal_relaxed"), lock)

        rule_frames = Frames(projects=projects, indicators=indicators, links=links, texts=text)

        def report(rule, error):  # one broken rule must not hide the others' flags
            print(f"规则 {rule.code} 运行失败：{type(error).__name__}: {error}", file=sys.stderr)

        # The rules that read the links can only start when the links end, and then ran one by
        # one while a pool thread sat idle: every other one of them runs there instead, the first
        # thing a pool thread takes once its stream is done (the links end first).
        linked = [r.code for r in RULES if r.reads_links]
        beside = set(linked[1::2])
        beside_done = pool.submit(timed, "rules beside", run_rules, rule_frames, codes=sorted(beside),
                                  timings=timings, on_error=report) if beside else None

        # No rule reads the project scores: they wait for a pool thread to be free, and the
        # rules — the longest stream — start without them.
        project_scores_done = pool.submit(timed, "scores", project_scores)

        t = time.perf_counter()
        # The other rules one at a time here, those that read the links last (the others run
        # while the links are found).
        flags = run_rules(rule_frames, codes=[r.code for r in RULES if r.code not in beside], timings=timings,
                          on_error=report, order=lambda r: r.reads_links)
        if beside_done is not None:
            flags = finalize_flags([flags, beside_done.result()])  # the ids of one run of every rule
        clusters.result()  # the clusters' errors are refresh's errors, like the writes'
        links.result()
        project_scores_done.result()
        # Every stream has ended: what is left runs alone, on all the machine's threads (on one
        # it was half a second of flag_context's window and lookups in the serial tail at 1M).
        with duckdb_threads(con, os.cpu_count() or 1):
            _replace_table(con, "flags", flags)
            _replace_table(con, "rules", rules_frame())
            flag_context(con)
            document_units(con)
        timings["rules"] = time.perf_counter() - t
    if verbose:
        for k, v in timings.items():
            print(f"{k:>28}: {v:6.2f} s", file=sys.stderr)
    return timings
