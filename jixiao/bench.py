"""`jixiao bench`: generate a corpus of a given size, load it, and measure what users wait for.

Steps and what each reports:

1. generate   the synthetic corpus (jixiao.synth): files, MB, projects, indicators, seconds;
2. ingest     ingest_paths(workers=2, batch_size=…) without the derive step: documents/s, MB/s,
              indicators/s, peak memory of the whole process tree (this process and the parser
              processes, RSS summed, sampled every 0.1 s), and whether every generated project
              and indicator arrived;
3. rules      derive.refresh: expected scores, project scores, template clusters
              (boilerplate), each rule, written back — seconds per step, peak memory;
4. queries    every queries/*.sql (the dashboard's) on a read-only connection with the
              dashboard's default parameters (all years, provinces, … — the heaviest case) and
              real ids for the drill-down ones: p50 / p95 over repeated runs after a warm-up;
5. boilerplate  near-duplicate recall of the MinHash LSH clusters (JX401's settings) against the
              exact all-pairs comparison (boilerplate.exact_all_pairs_clusters) on a sample of
              about 20,000 indicators (whole units, so that copies across years are in it);
6. units      the suggested unit merges against the names the generator wrote another way
              (precision, recall); then every suggestion is accepted, as a reviewer who agrees
              would (an alias file in the work folder), and the derived tables are rebuilt;
7. links      precision and recall of project_links (goal ↔ self-evaluation) and
              project_history (year to year) against the generator's projects, before and after
              the merges;
8. accuracy   per rule, precision and recall of the flags against the planted defects (after
              the merges: a unit written two ways is one unit once a reviewer said so);
9. browser    (--browser) every page in headless Chromium, first and repeat visit and one
              interaction, on servers started as `jixiao serve` starts them (bench_dashboard);
10. sessions  (--sessions N) N concurrent sessions at the websocket level, cold and warm.

Prints a table and a JSON summary (also written to --json FILE); the exit code is 0 when every
target is met, 1 otherwise. The targets (2 cores, 1M indicators) are TARGETS below and, for the
browser and the sessions, bench_dashboard's: ingest ≤ 60 s with peak memory ≤ 4 GB, the slowest
page query p95 ≤ 100 ms, all derived tables ≤ 15 s, boilerplate recall ≥ 0.95, every rule
precision ≥ 0.9 and recall ≥ 0.95, links (worst of goal ↔ self and year to year, after the
merges) precision ≥ 0.98 and recall ≥ 0.95, unit merge suggestions precision ≥ 0.9 and recall
≥ 0.95; pages ready ≤ 3 s on a first visit, ≤ 1.5 s on a repeat one, interactions ≤ 1 s, 50
sessions p95 ≤ 3 s with no error.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

TARGETS = {
    "ingest_seconds": 60.0,
    "ingest_peak_gb": 4.0,
    "query_p95_ms": 100.0,
    "rules_seconds": 15.0,
    "boilerplate_recall": 0.95,
    "rule_precision": 0.90,
    "rule_recall": 0.95,
    "link_precision": 0.98,
    "link_recall": 0.95,
    "unit_suggestion_precision": 0.90,
    "unit_suggestion_recall": 0.95,
}
QUERIES_DIR = Path(__file__).resolve().parents[1] / "queries"

# ----------------------------------------------------------------------------- memory


def _cpu() -> float:
    """CPU seconds (user + system) of this process and of its finished children."""
    import resource

    a, b = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime


class Step:
    """Times a step: wall seconds, CPU seconds of the process tree, peak memory of the tree and
    the load average before and after (other work on the machine shows there)."""

    def __enter__(self) -> Step:
        self.load0 = os.getloadavg()[0]
        self.cpu0 = _cpu()
        self.t0 = time.perf_counter()
        self.mem = TreeMemory().__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self.mem.__exit__(*exc)
        self.seconds = time.perf_counter() - self.t0
        self.cpu = _cpu() - self.cpu0
        self.load1 = os.getloadavg()[0]

    def info(self) -> dict:
        return {"seconds": round(self.seconds, 1), "cpu_seconds": round(self.cpu, 1),
                "peak_gb": round(self.mem.peak / 1e9, 2),
                "loadavg_before_after": [round(self.load0, 2), round(self.load1, 2)]}


class TreeMemory:
    """Samples the resident memory of this process and all its descendants (summed) in a
    background thread; `peak` is the largest sum seen, in bytes."""

    def __init__(self, interval: float = 0.1) -> None:
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._page = os.sysconf("SC_PAGE_SIZE")

    def __enter__(self) -> TreeMemory:
        self.peak = self.sample()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.sample())

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, self.sample())

    def sample(self) -> int:
        root = os.getpid()
        children: dict[int, list[int]] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat", "rb") as fh:
                    stat = fh.read()
            except OSError:
                continue
            ppid = int(stat.rsplit(b")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
        total, todo = 0, [root]
        while todo:
            pid = todo.pop()
            todo += children.get(pid, [])
            try:
                with open(f"/proc/{pid}/statm", "rb") as fh:
                    total += int(fh.read().split()[1]) * self._page
            except OSError:
                continue
        return total


# ----------------------------------------------------------------------------- steps


def _log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def _pct(values: list[float], q: float) -> float:
    s = sorted(values)
    if not s:
        return float("nan")
    k = (len(s) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def _default_params() -> dict[str, Any]:
    """Returns the query parameters the dashboard binds by default (jixiao.queries.DEFAULT_PARAMS,
    the one query contract both use): all years, provinces, … — the heaviest case."""
    from jixiao import queries as jq

    return dict(jq.DEFAULT_PARAMS)


def _load_queries() -> dict[str, str]:
    """Returns {name: SQL} of the dashboard's queries (queries/*.sql, includes expanded)."""
    from jixiao import queries as jq

    return {name: jq.load_query(name, QUERIES_DIR) for name in jq.query_names(QUERIES_DIR)}


def _real_ids(con) -> dict[str, Any]:
    """Returns real values for the drill-down parameters (a project with many indicators, one
    of its indicators, the largest template cluster, a document, a unit)."""
    out: dict[str, Any] = {}
    row = con.execute("SELECT project_id, doc_id, unit FROM projects WHERE project_id = "
                      "(SELECT project_id FROM indicators GROUP BY project_id ORDER BY count(*) DESC, project_id LIMIT 1)"
                      ).fetchone()
    if row:
        out["project_id"], out["doc_id"], out["unit"] = row
        ind = con.execute("SELECT indicator_id FROM indicators WHERE project_id = ? ORDER BY seq LIMIT 1", [row[0]]).fetchone()
        if ind:
            out["indicator_id"] = ind[0]
    try:
        c = con.execute("SELECT cluster_id FROM template_clusters ORDER BY n_indicators DESC, cluster_id LIMIT 1").fetchone()
        if c:
            out["cluster_id"] = c[0]
    except Exception:
        pass
    return out


def _filtered_case(con) -> dict[str, Any]:
    """Returns a typical narrowed filter (the province with most projects, its latest year) in
    the contract's filter shape — what a filter change asks."""
    from jixiao import queries as jq

    row = con.execute("SELECT province, max(year) FROM projects WHERE province IS NOT NULL "
                      "GROUP BY province ORDER BY count(*) DESC, province LIMIT 1").fetchone()
    return jq.filter_params(years=[row[1]], province=row[0]) if row else jq.filter_params()


def _report_query(sql: str) -> bool:
    """A query of the review reports (its header: used by jixiao/report): run when a report is
    downloaded, not when a page is opened."""
    m = re.search(r"^-- used by: (.*)$", sql, re.M)
    return bool(m and m.group(1).startswith("jixiao/report"))


def time_queries(db_path: Path, runs: int = 20, filtered: bool = True) -> dict[str, dict]:
    """Given a database, returns per dashboard query {p50_ms, p95_ms, max_ms, rows, params}
    (or {error}): every queries/*.sql run as the dashboard runs it (jixiao.queries.bind and
    execute: a cursor each, bound $parameters, the waivers registered, a Polars frame) with the
    contract's default parameters and real ids for the drill-down ones; with `filtered`, the
    queries that take the shared filters are timed again with one province and year
    ("<name> [filtered]")."""
    import duckdb

    from jixiao import queries as jq
    from jixiao import waivers as jw

    con = duckdb.connect(str(db_path), read_only=True,
                         config={"autoinstall_known_extensions": "false", "autoload_known_extensions": "false"})
    waivers = jw.load_waivers(jw.waivers_path(db_path))
    params = _default_params()
    params.update(_real_ids(con))
    cases = [("", params)]
    if filtered:
        cases.append((" [filtered]", {**params, **_filtered_case(con)}))
    out: dict[str, dict] = {}
    try:
        for suffix, case in cases:
            for name in jq.query_names(QUERIES_DIR):
                try:
                    sql, bound = jq.bind(name, case, QUERIES_DIR)
                except KeyError as e:
                    out[name + suffix] = {"error": f"unbound parameters: {e}"}
                    continue
                if suffix and not (jq.FILTER_DEFAULTS.keys() & bound.keys()):
                    continue  # the filter does not change this query
                try:
                    times = []
                    rows = 0
                    for i in range(runs + 1):
                        t = time.perf_counter()
                        res = jq.execute(con, sql, bound, waivers)
                        dt = (time.perf_counter() - t) * 1000
                        rows = res.height
                        if i:  # the first run warms caches
                            times.append(dt)
                    out[name + suffix] = {"p50_ms": round(_pct(times, 0.5), 1), "p95_ms": round(_pct(times, 0.95), 1),
                                          "max_ms": round(max(times), 1), "rows": rows,
                                          "params": {k: v for k, v in bound.items() if v not in ([], None, "")}}
                    if _report_query(sql):
                        out[name + suffix]["group"] = "report"
                except Exception as e:  # a broken query is reported, not fatal
                    out[name + suffix] = {"error": f"{type(e).__name__}: {e}"[:300]}
    finally:
        con.close()
    return out


def boilerplate_recall(db_path: Path, sample: int = 20000, seed: int = 7) -> dict:
    """Given a database, returns the recall (and precision) of the LSH template clusters
    against the exact all-pairs comparison on about `sample` indicators: whole units drawn at
    random, so that copies across years and documents are in the sample. Pairs are counted
    over distinct normalised texts (the unit both methods work on)."""
    import duckdb
    import numpy as np
    import polars as pl

    from jixiao.boilerplate import (
        exact_all_pairs_clusters,
        indicator_texts,
        text_clusters,
    )
    from jixiao.rules import BY_CODE

    opts = BY_CODE["JX401"].options
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        units = con.execute("SELECT p.unit, count(*) FROM indicators i JOIN projects p USING (project_id) "
                            "GROUP BY p.unit ORDER BY p.unit").fetchall()
        rng = random.Random(seed)
        rng.shuffle(units)
        chosen, n = [], 0
        for u, k in units:
            if n >= sample:
                break
            chosen.append(u)
            n += k
        ind = con.sql("SELECT i.indicator_id, i.project_id, i.doc_id, i.name, i.target_raw, i.description FROM indicators i "
                      "JOIN projects p USING (project_id) WHERE p.unit IN (SELECT unnest($u))",
                      params={"u": chosen}).pl()
    finally:
        con.close()
    t = indicator_texts(ind, int(opts["min_chars"]), opts["common_names"])
    uniq = t.group_by("text").agg(pl.len().alias("n")).sort("text")
    texts = uniq["text"].to_list()
    t0 = time.perf_counter()
    rep, _ = text_clusters(texts, uniq["n"].to_numpy(), threshold=float(opts["threshold"]),
                           num_perm=int(opts["num_perm"]), bands=int(opts["bands"]))
    t_lsh = time.perf_counter() - t0
    t0 = time.perf_counter()
    exact = exact_all_pairs_clusters(texts, float(opts["threshold"]))
    t_exact = time.perf_counter() - t0

    def pairs(labels: np.ndarray) -> int:
        _, counts = np.unique(labels, return_counts=True)
        return int((counts * (counts - 1) // 2).sum())

    both = pairs(exact.astype(np.int64) * (len(texts) + 1) + rep.astype(np.int64))
    p_exact, p_lsh = pairs(exact), pairs(rep)
    return {
        "indicators": ind.height, "units": len(chosen), "texts_checked": t.height, "distinct_texts": len(texts),
        "exact_pairs": p_exact, "lsh_pairs": p_lsh, "common_pairs": both,
        "recall": round(both / p_exact, 4) if p_exact else 1.0,
        "precision": round(both / p_lsh, 4) if p_lsh else 1.0,
        "exact_clusters": int(len(set(exact.tolist())) - 0), "lsh_seconds": round(t_lsh, 3),
        "exact_seconds": round(t_exact, 3),
    }


def ingest_profile(documents: Path, n_files: int = 300, seed: int = 7, top: int = 18) -> dict:
    """Given the corpus' documents folder, returns where one document's ingest time goes, on
    a sample of `n_files` files in one process: parse (read + interpret + frames) and load
    (insert into a scratch database) rates, and the functions with the most own time
    (cProfile) — what bounds the ingest."""
    import cProfile
    import pstats

    from jixiao import db
    from jixiao.ingest import batch_frames, collect_files, parse_file

    files, _ = collect_files([documents])
    rng = random.Random(seed)
    sample = sorted(rng.sample(files, min(n_files, len(files))))
    prof = cProfile.Profile()
    t = time.perf_counter()
    prof.enable()
    parsed = [parse_file(f, synthetic=True) for f in sample]
    prof.disable()
    t_parse = time.perf_counter() - t
    n_ind = sum(p.report.indicators for p in parsed)
    scratch = Path(tempfile.mkdtemp(prefix="jixiao-prof-")) / "x.duckdb"
    con = db.connect(scratch)
    t = time.perf_counter()
    for i in range(0, len(parsed), 100):
        chunk = parsed[i:i + 100]
        frames = batch_frames(chunk)
        db.load_batch(con, frames, [])
    t_load = time.perf_counter() - t
    con.close()
    shutil.rmtree(scratch.parent, ignore_errors=True)
    stats = pstats.Stats(prof)
    rows = []
    for (file, line, func), (cc, nc, tt, ct, _) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append((tt, ct, nc, f"{Path(file).name}:{line}({func})"))
    rows.sort(reverse=True)
    total = sum(r[0] for r in rows) or 1.0
    return {
        "sample_files": len(sample), "sample_indicators": n_ind,
        "parse_seconds_profiled": round(t_parse, 2),
        "load_seconds": round(t_load, 2), "load_indicators_per_s": round(n_ind / t_load) if t_load else None,
        "top_own_time": [{"function": r[3], "own_s": round(r[0], 3), "share": round(r[0] / total, 3),
                          "cumulative_s": round(r[1], 3), "calls": r[2]} for r in rows[:top]],
    }


def parse_rate(documents: Path, n_files: int = 300, seed: int = 7) -> float:
    """Returns the parse rate (indicators per second) of one process on a sample of files,
    without a profiler."""
    from jixiao.ingest import collect_files, parse_file

    files, _ = collect_files([documents])
    rng = random.Random(seed + 1)
    sample = sorted(rng.sample(files, min(n_files, len(files))))
    t = time.perf_counter()
    n = sum(parse_file(f, synthetic=True).report.indicators for f in sample)
    return n / (time.perf_counter() - t)


# ----------------------------------------------------------------------------- the run


def run_bench(args) -> int:
    """Given parsed arguments (counties, years, seed, projects_per_unit, workdir, json_out; also
    optional workers, batch_size, query_runs, keep), runs the benchmark, prints the table and the
    JSON summary; returns 0 when every target is met, 1 otherwise."""
    from jixiao import db
    from jixiao.ingest import BULK_BATCH, ingest_paths
    from jixiao.synth import evaluate as ev
    from jixiao.synth import generate_corpus
    from jixiao.units import decisions_path

    workers = int(getattr(args, "workers", None) or 2)
    batch_size = int(getattr(args, "batch_size", None) or BULK_BATCH)
    runs = int(getattr(args, "query_runs", None) or 20)
    own_dir = not args.workdir
    work = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="jixiao-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    corpus = work / "corpus"
    db_path = Path(args.db) if getattr(args, "db", None) else work / "bench.duckdb"
    summary: dict[str, Any] = {"params": {"counties": args.counties, "years": args.years, "seed": args.seed,
                                          "projects_per_unit": args.projects_per_unit, "workers": workers,
                                          "batch_size": batch_size, "cpus": os.cpu_count()},
                               "workdir": str(work), "loadavg_start": [round(x, 2) for x in os.getloadavg()]}
    dashboard_steps = bool(getattr(args, "browser", False) or getattr(args, "sessions", None)
                           or getattr(args, "queries_only", False))
    if dashboard_steps and db_path.exists():
        # Against the existing database: only the steps asked for, nothing regenerated.
        summary["db"] = str(db_path)
        try:
            _dashboard_steps(args, db_path, summary, runs)
        finally:
            if own_dir and not getattr(args, "keep", False):
                shutil.rmtree(work, ignore_errors=True)
        return _finish(summary, args)
    try:
        g = _corpus(corpus, args, summary)

        for p in (db_path, Path(str(db_path) + ".wal")):
            if p.exists():
                p.unlink()
        _log(f"ingesting with workers={workers}, batch_size={batch_size}")
        with Step() as st:
            reports = ingest_paths([corpus / "documents"], db_path, synthetic=True, workers=workers, batch_size=batch_size,
                                   derive=False)
        dt = st.seconds
        status: dict[str, int] = {}
        for r in reports:
            status[r.status] = status.get(r.status, 0) + 1
        con = db.connect(db_path, read_only=True)
        loaded = ev.check_loaded(con, corpus)
        con.close()
        summary["ingest"] = st.info()
        summary["ingest"].update({
            "documents": len(reports), "documents_per_s": round(len(reports) / dt, 1),
            "mb_per_s": round(g["bytes"] / 1e6 / dt, 2), "indicators_per_s": round(g["indicators"] / dt),
            "status": status,
            "projects_loaded": f"{loaded['projects_loaded']}/{loaded['projects_expected']}",
            "indicators_loaded": f"{loaded['indicators_loaded']}/{loaded['indicators_expected']}",
            "load_problem_count": loaded["problems"], "load_problems": loaded["examples"][:5],
        })
        _log(f"ingest {dt:.1f} s, cpu {st.cpu:.1f} s, peak {st.mem.peak / 1e9:.2f} GB")

        _log("derive.refresh (scores, boilerplate, rules)")
        from jixiao.derive import refresh

        con = db.connect(db_path)
        with Step() as st:
            timings = refresh(con)
        con.close()
        rule_times = {k.split(" ", 1)[1]: round(v, 2) for k, v in timings.items() if k.startswith("rule ")}
        summary["rules"] = st.info()
        summary["rules"].update({"steps": {k: round(v, 2) for k, v in timings.items() if not k.startswith("rule ")},
                                 "per_rule": rule_times})
        _log(f"refresh {st.seconds:.1f} s")

        _log("timing dashboard queries")
        summary["queries"] = time_queries(db_path, runs=runs)

        _log("boilerplate recall against exact all-pairs")
        summary["boilerplate"] = boilerplate_recall(db_path)
        summary["boilerplate"]["full_run_seconds"] = round(timings.get("boilerplate", float("nan")), 2)

        _log("ingest cost breakdown on a sample (one process)")
        prof = ingest_profile(corpus / "documents")
        prof["parse_indicators_per_s_one_process"] = round(parse_rate(corpus / "documents"))
        summary["ingest_profile"] = prof

        _log("unit merge suggestions, links before the merges")
        con = db.connect(db_path, read_only=True)
        summary["units"] = ev.score_unit_suggestions(con, corpus)
        links_before = ev.score_links(con, corpus)
        # the reviewers' decisions live beside the database; refresh reads them from there
        aliases = decisions_path(db_path)
        aliases.unlink(missing_ok=True)
        summary["units"]["accepted"] = ev.accept_unit_suggestions(con, aliases)
        con.close()
        _log(f"accepting {summary['units']['accepted']} suggested merges, rebuilding the derived tables")
        con = db.connect(db_path)
        with Step() as st:
            refresh(con)
        con.close()
        summary["units"]["rebuild_seconds"] = round(st.seconds, 1)

        _log("links and precision and recall per rule")
        con = db.connect(db_path, read_only=True)
        summary["links"] = {"before_merges": links_before, "after_merges": ev.score_links(con, corpus)}
        summary["accuracy"] = ev.score_rules(con, corpus)
        con.close()
        summary["db_mb"] = round(db_path.stat().st_size / 1e6, 1)
        if dashboard_steps:
            _dashboard_steps(args, db_path, summary, runs, queries=False)
    finally:
        if own_dir and not getattr(args, "keep", False):
            shutil.rmtree(work, ignore_errors=True)
    return _finish(summary, args)


def _finish(summary: dict, args) -> int:
    summary["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    summary["targets"] = check_targets(summary)
    print(format_table(summary))
    text = json.dumps(summary, ensure_ascii=False, indent=1, default=str)
    print(text)
    if args.json_out:
        Path(args.json_out).write_text(text + "\n", encoding="utf-8")
    return 0 if all(t["ok"] for t in summary["targets"].values()) else 1


def _corpus(corpus: Path, args, summary: dict) -> dict:
    """Generates the corpus — or reuses the one in the work folder when its summary.json says it
    was generated with the same counties, years, seed and projects per unit, by the same
    generator (a corpus from before a rule was planted would score that rule on nothing)."""
    from jixiao.synth import generate_corpus
    from jixiao.synth.corpus import fingerprint

    want = {"counties": args.counties, "seed": args.seed, "projects_per_unit": args.projects_per_unit,
            "generator": fingerprint()}
    old = corpus / "summary.json"
    if old.exists():
        try:
            g = json.loads(old.read_text(encoding="utf-8"))
        except ValueError:
            g = {}
        from jixiao.synth.corpus import parse_years

        same = all(g.get(k) == v for k, v in want.items()) and g.get("years") == parse_years(args.years)
        if same and (corpus / "documents").is_dir():
            _log(f"reusing the corpus in {corpus} (same counties, years, seed)")
            summary["generate"] = {k: g.get(k) for k in ("files", "projects", "indicators", "by_format", "by_layout",
                                                         "by_encoding")}
            summary["generate"].update(reused=True, mb=round((g.get("bytes") or 0) / 1e6, 1))
            return g
    _log(f"generating {args.counties} counties, {args.years}, seed {args.seed} into {corpus}")
    with Step() as st:
        g = generate_corpus(corpus, counties=args.counties, years=args.years, seed=args.seed,
                            projects_per_unit=args.projects_per_unit)
    summary["generate"] = {k: g[k] for k in ("files", "projects", "indicators", "by_format", "by_layout",
                                              "by_encoding")}
    summary["generate"].update(st.info(), mb=round(g["bytes"] / 1e6, 1))
    _log(f"generated {g['files']} files, {g['projects']} projects, {g['indicators']} indicators in {st.seconds:.1f} s")
    return g


def _dashboard_steps(args, db_path: Path, summary: dict, runs: int, queries: bool = True) -> None:
    """The steps that read an existing database: query timing (with --queries or alone), the
    browser pass (--browser) and concurrent sessions (--sessions N)."""
    from jixiao import bench_dashboard as bd

    if queries and (getattr(args, "queries_only", False) or not (args.browser or args.sessions)):
        _log("timing dashboard queries")
        summary["queries"] = time_queries(db_path, runs=runs)
    if getattr(args, "browser", False):
        pages = [p.strip() for p in args.pages.split(",")] if getattr(args, "pages", None) else None
        _log(f"browser: {args.browser_rounds} round(s) over {pages or 'every page'}")
        try:
            summary["browser"] = bd.browser_pass(db_path, rounds=int(args.browser_rounds), pages=pages,
                                                 log=lambda m: _log(m))
        except Exception as e:  # noqa: BLE001 - the other steps' figures are kept and printed
            summary["browser"] = {"error": f"{type(e).__name__}: {e}"[:500]}
    if getattr(args, "sessions", None):
        _log(f"{args.sessions} concurrent sessions")
        try:
            summary["sessions"] = bd.sessions_pass(db_path, int(args.sessions), log=lambda m: _log(m))
        except Exception as e:  # noqa: BLE001
            summary["sessions"] = {"error": f"{type(e).__name__}: {e}"[:500]}


def check_targets(s: dict) -> dict[str, dict]:
    """Given a summary, returns {target: {value, target, ok}} for the steps that ran."""
    from jixiao import bench_dashboard as bd

    out: dict[str, dict] = {}
    if "ingest" not in s:  # a run of the dashboard steps alone
        out = _query_target(s) if "queries" in s else {}
        out.update(bd.check_targets(s.get("browser"), s.get("sessions")))
        return out
    ing = s.get("ingest", {})
    out["ingest_seconds"] = {"value": ing.get("seconds"), "target": f"≤ {TARGETS['ingest_seconds']:g} s"}
    out["ingest_peak_gb"] = {"value": ing.get("peak_gb"), "target": f"≤ {TARGETS['ingest_peak_gb']:g} GB"}
    errors = [k for k, v in s.get("queries", {}).items() if "error" in v]
    out["query_p95_ms"] = _query_target(s)["query_p95_ms"]
    out["rules_seconds"] = {"value": s.get("rules", {}).get("seconds"), "target": f"≤ {TARGETS['rules_seconds']:g} s"}
    out["boilerplate_recall"] = {"value": s.get("boilerplate", {}).get("recall"),
                                 "target": f"≥ {TARGETS['boilerplate_recall']:g}"}
    acc = s.get("accuracy", {})
    out["rule_precision"] = {"value": min((v["precision"] for v in acc.values()), default=None),
                             "target": f"≥ {TARGETS['rule_precision']:g} (worst rule)"}
    out["rule_recall"] = {"value": min((v["recall"] for v in acc.values()), default=None),
                          "target": f"≥ {TARGETS['rule_recall']:g} (worst rule)"}
    links = s.get("links", {}).get("after_merges", {})
    for m in ("precision", "recall"):
        out[f"link_{m}"] = {"value": min((v[m] for v in links.values()), default=None),
                            "target": f"≥ {TARGETS['link_' + m]:g} (worst of goal↔self, year to year)"}
        out[f"unit_suggestion_{m}"] = {"value": s.get("units", {}).get(m),
                                       "target": f"≥ {TARGETS['unit_suggestion_' + m]:g}"}
    for k, v in out.items():
        if k not in TARGETS:
            continue
        val = v["value"]
        lim = TARGETS[k]
        if val is None:
            v["ok"] = False
        elif k in ("boilerplate_recall", "rule_precision", "rule_recall", "link_precision", "link_recall",
                   "unit_suggestion_precision", "unit_suggestion_recall"):
            v["ok"] = val >= lim
        else:
            v["ok"] = val <= lim
    if errors:
        out["query_p95_ms"]["ok"] = False
        out["query_p95_ms"]["errors"] = errors
    out.update(bd.check_targets(s.get("browser"), s.get("sessions")))
    return out


def _query_target(s: dict) -> dict[str, dict]:
    """The slowest page query (report queries, run on a download, are listed apart)."""
    q = {k: v["p95_ms"] for k, v in s.get("queries", {}).items() if "p95_ms" in v and v.get("group") != "report"}
    reports = {k: v["p95_ms"] for k, v in s.get("queries", {}).items() if v.get("group") == "report"}
    errors = [k for k, v in s.get("queries", {}).items() if "error" in v]
    worst = max(q, key=q.get) if q else None
    val = q[worst] if worst else None
    out = {"query_p95_ms": {"value": val, "query": worst, "target": f"≤ {TARGETS['query_p95_ms']:g} ms (slowest page query)",
                            "ok": val is not None and val <= TARGETS["query_p95_ms"] and not errors}}
    if reports:
        w = max(reports, key=reports.get)
        out["query_p95_ms"]["slowest_report_query"] = {"query": w, "p95_ms": reports[w]}
    if errors:
        out["query_p95_ms"]["errors"] = errors
    return out


def format_table(s: dict) -> str:
    """Returns the human-readable report."""
    from jixiao import bench_dashboard as bd

    lines = []
    g, ing, r = s.get("generate", {}), s.get("ingest", {}), s.get("rules", {})
    # on an existing database the corpus parameters say nothing: only the database is named
    shown = s["params"] if "ingest" in s else {"cpus": s["params"].get("cpus")}
    lines.append("== jixiao bench " + json.dumps(shown, ensure_ascii=False)
                 + f"  load average at start {s.get('loadavg_start')}, at end {s.get('loadavg_end')}")
    if "ingest" not in s:
        lines.append(f"database    {s.get('db')} (existing; dashboard steps only)")
        lines += _query_lines(s)
        dash = bd.format_table(s.get("browser"), s.get("sessions"))
        if dash:
            lines.append(dash)
        lines += _target_lines(s)
        return "\n".join(lines)
    made = ("reused from the work folder" if g.get("reused")
            else f"generated in {g.get('seconds')} s (cpu {g.get('cpu_seconds')} s)")
    lines.append(f"corpus      {g.get('files')} files ({g.get('mb')} MB), {g.get('projects')} projects, "
                 f"{g.get('indicators')} indicators, {made}; formats {g.get('by_format')}")
    lines.append(f"ingest      {ing.get('seconds')} s (cpu {ing.get('cpu_seconds')} s, load avg "
                 f"{ing.get('loadavg_before_after')})  {ing.get('documents_per_s')} docs/s  {ing.get('mb_per_s')} MB/s  "
                 f"{ing.get('indicators_per_s')} indicators/s  peak {ing.get('peak_gb')} GB")
    lines.append(f"            loaded {ing.get('projects_loaded')} projects, {ing.get('indicators_loaded')} indicators; "
                 f"documents {ing.get('status')}; differing from the manifest: {ing.get('load_problem_count')}")
    lines.append(f"rules       {r.get('seconds')} s (derive.refresh; cpu {r.get('cpu_seconds')} s)  peak {r.get('peak_gb')} GB")
    for k, v in r.get("steps", {}).items():
        lines.append(f"  {k:<28} {v:8.2f} s")
    for k, v in r.get("per_rule", {}).items():
        lines.append(f"  rule {k:<23} {v:8.2f} s")
    lines += _query_lines(s)
    b = s.get("boilerplate", {})
    lines.append(f"boilerplate recall {b.get('recall')} precision {b.get('precision')} on {b.get('indicators')} "
                 f"indicators ({b.get('distinct_texts')} distinct texts, {b.get('exact_pairs')} exact pairs); "
                 f"LSH {b.get('lsh_seconds')} s vs exact {b.get('exact_seconds')} s; full run {b.get('full_run_seconds')} s")
    p = s.get("ingest_profile")
    if p:
        lines.append(f"ingest cost on {p['sample_files']} files in one process: parse "
                     f"{p.get('parse_indicators_per_s_one_process')} indicators/s, load {p['load_indicators_per_s']} "
                     "indicators/s; own time by function (profiled parse):")
        for r in p["top_own_time"][:12]:
            lines.append(f"  {r['share'] * 100:5.1f}%  {r['own_s']:7.3f} s  {r['calls']:>9}  {r['function']}")
    u = s.get("units", {})
    if u:
        lines.append(f"units       {u.get('names_needing_review')} names written another way (needing a merge); "
                     f"{u.get('suggestions')} suggestions, {u.get('correct')} right: precision {u.get('precision')} "
                     f"recall {u.get('recall')}; all accepted, rebuilt in {u.get('rebuild_seconds')} s")
    for when, links in s.get("links", {}).items():
        for kind, v in links.items():
            lines.append(f"links       {kind:<10} {when:<14} truth {v['truth']:6d} found {v['found']:6d} "
                         f"right {v['correct']:6d}  precision {v['precision']:.4f} recall {v['recall']:.4f}")
    lines.append("accuracy    rule    planted  flagged    tp    fp    fn  precision  recall")
    for k, v in s.get("accuracy", {}).items():
        lines.append(f"            {k}  {v['planted']:8d} {v['flagged']:8d} {v['tp']:5d} {v['fp']:5d} {v['fn']:5d}"
                     f"  {v['precision']:9.3f} {v['recall']:7.3f}")
    dash = bd.format_table(s.get("browser"), s.get("sessions"))
    if dash:
        lines.append(dash)
    lines += _target_lines(s)
    return "\n".join(lines)


def _query_lines(s: dict) -> list[str]:
    if not s.get("queries"):
        return []
    lines = ["queries     (ms)                               p50      p95      max     rows"]
    for k, v in sorted(s["queries"].items(), key=lambda kv: -(kv[1].get("p95_ms") or 1e9)):
        if "error" in v:
            lines.append(f"  {k:<40} ERROR {v['error']}")
        else:
            lines.append(f"  {k:<40} {v['p50_ms']:8.1f} {v['p95_ms']:8.1f} {v['max_ms']:8.1f} {v['rows']:8d}"
                         + ("  (report download)" if v.get("group") == "report" else ""))
    return lines


def _target_lines(s: dict) -> list[str]:
    lines = ["targets"]
    for k, v in s.get("targets", {}).items():
        where = f" ({v['page']})" if v.get("page") else f" ({v['query']})" if v.get("query") else ""
        lines.append(f"  {'PASS' if v['ok'] else 'MISS'}  {k:<26} {v['value']!s:<10} {v['target']}{where}")
    return lines
