"""The dashboard parts of `jixiao bench` at tiny scale (the seed database): concurrent websocket
sessions, the headless-Chromium pass over one page, the command on an existing database without
regenerating anything, and the one query contract the dashboard and the benchmark share."""

from __future__ import annotations

import argparse
import inspect
import json

import pytest

from jixiao import bench, bench_dashboard
from jixiao import queries as jq

CHROMIUM = bench_dashboard.CHROMIUM


def test_sessions_open_the_overview_and_another_page(seed_db):
    # as many sessions as pages: every other page at least once; their first runs at once on a cold server
    # (modules imported lazily by chart and table elements were seen half-initialised then)
    n = len(bench_dashboard.PAGES)
    r = bench_dashboard.sessions_pass(seed_db, n=n, timeout_s=120, log=lambda m: None)
    assert r["level"].startswith("websocket")
    for when in ("cold", "warm"):
        s = r[when]
        assert s["sessions"] == n and s["errors"] == 0, s["error_examples"]
        assert s["pages"]["总览"]["n"] == n  # every session opened the overview …
        others = [p for p in s["pages"] if p != "总览"]
        assert sorted(others) == sorted(t for t, _ in bench_dashboard.PAGES[1:])  # … and one other page each
        assert 0 < s["ready"]["p50_ms"] <= s["ready"]["p95_ms"] <= s["ready"]["max_ms"]
    t = bench_dashboard.check_targets(None, r)
    assert set(t) == {"sessions_cold_p95_ms", "sessions_warm_p95_ms"}


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is missing (apt-get install chromium fonts-noto-cjk)")
def test_browser_pass_over_one_page(seed_db):
    r = bench_dashboard.browser_pass(seed_db, rounds=1, pages=["趋势"], log=lambda m: None)
    page = r["pages"]["趋势"]
    assert page["errors"] == 0
    for key in ("first", "repeat", "interaction"):
        assert page[key]["n"] == 1 and page[key]["p50_ms"] > 0
    assert page["kb_first"] > 0  # the page's data came over the websocket
    text = bench_dashboard.format_table(r, None)
    assert "趋势" in text and "颜色区分" in text


def test_unknown_page_is_refused(seed_db):
    with pytest.raises(ValueError, match="unknown pages"):
        bench_dashboard.browser_pass(seed_db, rounds=1, pages=["没有这页"], log=lambda m: None)


def test_bench_runs_on_an_existing_database_without_generating(seed_db, tmp_path, capsys):
    args = argparse.Namespace(
        counties=410, years="2021-2025", seed=7, projects_per_unit=4, workdir=str(tmp_path), json_out=str(tmp_path / "s.json"),
        workers=2, batch_size=200, query_runs=2, db=seed_db, browser=False, browser_rounds=1, pages=None,
        sessions=2, queries_only=True, keep=True)
    code = bench.run_bench(args)
    summary = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))
    assert not (tmp_path / "corpus").exists() and "generate" not in summary  # nothing regenerated
    assert summary["db"] == str(seed_db) and summary["sessions"]["cold"]["errors"] == 0
    assert {"query_p95_ms", "sessions_cold_p95_ms", "sessions_warm_p95_ms"} == set(summary["targets"])
    assert "flags_filtered" in summary["queries"] and "flags_filtered [filtered]" in summary["queries"]
    assert code == (0 if all(t["ok"] for t in summary["targets"].values()) else 1)
    out = capsys.readouterr().out
    assert "sessions (websocket" in out and "targets" in out


def test_one_query_contract_for_the_dashboard_and_the_benchmark():
    from dashboard import data
    from dashboard.filters import Filters

    assert data.DEFAULT_PARAMS is jq.DEFAULT_PARAMS and data.FILTER_DEFAULTS is jq.FILTER_DEFAULTS
    assert bench._default_params() == jq.DEFAULT_PARAMS
    # the filter shape: what the sidebar's Filters bind is what the contract builds
    assert Filters().params() == jq.FILTER_DEFAULTS
    f = Filters(years=(2024, 2023), province="河北省", city="唐山市", units=("乙", "甲"), kind="goal", synthetic=False)
    assert f.params() == jq.filter_params(years=f.years, province=f.province, city=f.city, units=f.units,
                                          kind=f.kind, synthetic=f.synthetic)
    # every query's parameters are in the contract
    for name in jq.query_names():
        assert jq.query_params(jq.load_query(name)) <= jq.DEFAULT_PARAMS.keys(), name
    # the benchmark no longer reads the dashboard's source text
    src = inspect.getsource(bench)
    assert "dashboard/data.py" not in src and "dashboard\" / \"data.py" not in src and "ast.parse" not in src


def test_queries_run_with_the_waivers_registered(seed_db, tmp_path):
    """A query that reads waivers_now gets the current waivers on its cursor: an accepted flag
    is 'waived' in flags_filtered and no longer counted open in flag_counts."""
    import polars as pl

    from jixiao import db, waivers

    con = db.connect(seed_db, read_only=True)  # the dashboard's configuration: one instance per file
    try:
        sql, bound = jq.bind("flags_filtered", dict(jq.DEFAULT_PARAMS))
        before = jq.execute(con, sql, bound)
        first = before.row(0, named=True)
        log = tmp_path / "w.jsonl"
        waivers.accept([waivers.flag_key(first["rule"], first["project_id"], first["indicator_id"])],
                       "口径特殊", "张审核", log)
        now = waivers.load_waivers(log)
        after = jq.execute(con, sql, bound, now)
        assert set(before["status"]) == {"open"}
        assert after.filter(pl.col("flag_id") == first["flag_id"])["status"].to_list() == ["waived"]
        assert after.filter(pl.col("status") == "waived").height == 1
        # the same status as the overlay the CLI, the export and the reports use
        overlay = waivers.apply_waivers(before.drop(waivers.STATUS_COLUMNS), now)
        assert overlay.sort("flag_id")["status"].to_list() == after.sort("flag_id")["status"].to_list()
        csql, cbound = jq.bind("flag_counts", dict(jq.DEFAULT_PARAMS))
        c0, c1 = jq.execute(con, csql, cbound), jq.execute(con, csql, cbound, now)
        assert c0["n_open"].sum() - c1["n_open"].sum() == 1 and c0["n"].sum() == c1["n"].sum()
    finally:
        con.close()
