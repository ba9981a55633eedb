"""The dashboard's queries (queries/*.sql): each has its header, runs on the seed database with
default parameters, binds user values (an injection attempt is just a value that matches
nothing), and every query that filters projects includes the one shared filter fragment."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dashboard import data
from dashboard.filters import Filters

ROOT = Path(__file__).resolve().parents[2]
QUERIES = sorted(p for p in (ROOT / "queries").glob("*.sql") if not p.stem.startswith("_"))
FRAGMENTS = sorted((ROOT / "queries").glob("_*.sql"))
HEADER = ("-- purpose:", "-- grain:", "-- parameters:", "-- used by:")
EVIL = "'); DROP TABLE projects; --"


def _header(path: Path) -> str:
    lines = path.read_text(encoding="utf-8").splitlines()
    return "\n".join(line for line in lines[: next(k for k, line in enumerate(lines) if not line.startswith("--"))])


def _filter_block(sql: str) -> str | None:
    m = re.search(r"-- filters:begin.*?-- filters:end", sql, re.DOTALL)
    return m.group(0) if m else None


def test_queries_exist():
    assert len(QUERIES) >= 10


@pytest.mark.parametrize("path", QUERIES + FRAGMENTS, ids=lambda p: p.stem)
def test_query_has_header(path):
    head = _header(path)
    for field in HEADER:
        assert field in head, f"{path.name}: header lacks {field}"


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_query_runs_with_default_parameters(path, seed_db):
    sql = data.load_query(path.stem)
    params = data.query_params(sql)
    assert params <= data.DEFAULT_PARAMS.keys(), f"{path.name}: undeclared parameters {params - data.DEFAULT_PARAMS.keys()}"
    df = data.run(path.stem, **{k: data.DEFAULT_PARAMS[k] for k in params})
    assert df.width > 0


def _hostile(name: str, default):
    """The injection string wherever a query takes text (lists of text included)."""
    if name == "years":
        return [2024]
    if isinstance(default, list):
        return [EVIL]
    if isinstance(default, str) or name == "kind":
        return EVIL
    return default


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_query_binds_hostile_values(path, seed_db):
    sql = data.load_query(path.stem)
    params = data.query_params(sql)
    data.run(path.stem, **{k: _hostile(k, data.DEFAULT_PARAMS[k]) for k in params})
    assert data.run("overview_metrics", **data.FILTER_DEFAULTS)["n_projects"][0] == 37  # projects still there


def test_shared_filter_lives_in_one_fragment():
    raw = {p.name: p.read_text(encoding="utf-8") for p in QUERIES}
    including = [n for n, t in raw.items() if "-- include: filtered_projects" in t]
    assert len(including) >= 6
    for name, text in raw.items():
        # No query writes its own copy of the filter: $years appears only through the fragment.
        assert _filter_block(text) is None, f"{name} repeats the filter block"
        assert "years" not in data.query_params(text), f"{name} filters by year outside the shared fragment"
    expanded = data.load_query(including[0].removesuffix(".sql"))
    assert _filter_block(expanded) and "-- include:" not in expanded


def test_filters_to_parameters_empty_means_all(seed_db):
    assert data.run("overview_metrics", **Filters().params())["n_projects"][0] == 37
    assert data.run("overview_metrics", **Filters(years=(2024,)).params())["n_projects"][0] == 8
    assert data.run("overview_metrics", **Filters(province="河北省").params())["n_projects"][0] == 18
    assert data.run("overview_metrics", **Filters(kind="self_eval").params())["n_projects"][0] == 8
    assert data.run("overview_metrics", **Filters(synthetic=True).params())["n_projects"][0] == 0
    assert data.run("overview_metrics", **Filters(units=(EVIL,)).params())["n_projects"][0] == 0


def test_run_refuses_missing_parameter(seed_db):
    with pytest.raises(KeyError):
        data.run("projects_by_unit", **data.FILTER_DEFAULTS)


def test_department_tables_are_not_counted_as_projects(tmp_path, monkeypatch):
    """A 部门整体 table (scope department) is loaded but stays out of every filtered query: its
    budget is the department's whole budget, not one more project."""
    from jixiao.ingest import ingest_paths

    db = tmp_path / "dept.duckdb"
    monkeypatch.setenv("JIXIAO_WAIVERS", str(tmp_path / "w.jsonl"))
    provinces = ROOT / "tests" / "fixtures" / "provinces"
    ingest_paths([provinces / "dept_goal_yudu.txt", provinces / "goal_hunan_longhui.txt"], db)
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    dept = con.execute("SELECT count(*) FROM projects WHERE scope = 'department'").fetchone()[0]
    total = con.execute("SELECT count(*) FROM projects").fetchone()[0]
    con.close()
    assert dept >= 1 and total > dept
    monkeypatch.setenv("JIXIAO_DB", str(db))
    data.clear_caches()
    metrics = data.overview_metrics(Filters())
    assert metrics["n_projects"] == total - dept


def _expanded(tmp_path, name: str, text: str) -> str:
    """Given a query's text, returns it with queries/'s fragments included (as load_query does)."""
    import shutil

    from jixiao import queries as jq

    for frag in FRAGMENTS:
        shutil.copy(frag, tmp_path / frag.name)
    (tmp_path / f"{name}.sql").write_text(text, encoding="utf-8")
    return jq.load_query(name, tmp_path)


@pytest.fixture()
def dept_flags_db(tmp_path):
    """A database with a 部门整体 table beside a project table, and a flag whose project is not
    loaded (written into flags after the derive, flag_context rebuilt from it)."""
    import duckdb

    from jixiao.derive import flag_context
    from jixiao.ingest import ingest_paths

    path = tmp_path / "deptflags.duckdb"
    provinces = ROOT / "tests" / "fixtures" / "provinces"
    ingest_paths([provinces / "dept_goal_yudu.txt", provinces / "goal_hunan_longhui.txt"], path)
    con = duckdb.connect(str(path))
    try:
        # one flag on the department table, one on a project table, one on a project not loaded
        con.execute("INSERT INTO flags (flag_id, rule, severity, doc_id, project_id, indicator_id, message) "
                    "SELECT 'zz-' || scope, 'JX101', '中', doc_id, project_id, NULL, '（测试）' FROM projects "
                    "QUALIFY row_number() OVER (PARTITION BY scope ORDER BY project_id) = 1")
        con.execute("INSERT INTO flags (flag_id, rule, severity, doc_id, project_id, indicator_id, message) "
                    "VALUES ('zz-gone', 'JX101', '中', 'gone', 'gone-001', NULL, '（测试）')")
        flag_context(con)
    finally:
        con.close()
    return path


@pytest.mark.parametrize("which", ["seeds", "department and unloaded"])
def test_filtered_flags_are_the_flags_of_the_filtered_projects(seed_db, dept_flags_db, tmp_path, which):
    """_filtered_flags.sql reads each flag's project from flag_context (written in derive): it
    gives what every flag with its status joined to the filtered projects gives, for every filter
    and with a flag accepted — 部门整体 tables and flags of projects no longer loaded included."""
    import duckdb
    import polars as pl

    from jixiao import queries as jq

    path = seed_db if which == "seeds" else dept_flags_db

    cols = "flag_id, rule, severity, project_id, indicator_id, province, city, county, unit, year, kind, status"
    new = _expanded(tmp_path, "ff_new", "WITH f AS (\n    -- include: filtered_flags\n)\n"
                                        f"SELECT {cols} FROM f ORDER BY flag_id\n")
    old = _expanded(tmp_path, "ff_old", "WITH p AS (\n    -- include: filtered_projects\n),\n"
                                        "fs AS (\n    -- include: flag_status\n)\n"
                                        f"SELECT {', '.join('f.' + c if c in ('flag_id', 'rule', 'severity', 'project_id', 'indicator_id', 'status') else 'p.' + c for c in cols.split(', '))}\n"
                                        "FROM fs f JOIN p USING (project_id) ORDER BY flag_id\n")
    assert "-- include:" not in new and _filter_block(new)
    con = duckdb.connect(str(path), read_only=True, config=data.CONNECT_CONFIG)  # as the dashboard's
    try:
        first = con.sql("SELECT rule, project_id, coalesce(indicator_id, '') FROM flags ORDER BY flag_id LIMIT 1").fetchall()[0]
        waivers = pl.DataFrame([dict(zip(jq.WAIVER_COLUMNS, (*first, "已核实", "张审核", "2026-12-01")))])
        unit, county = con.sql("SELECT coalesce(unit_canonical, unit), county FROM projects "
                               "WHERE county IS NOT NULL ORDER BY project_id LIMIT 1").fetchall()[0]
        for f in (Filters(), Filters(years=(2024,)), Filters(province="河北省"), Filters(kind="self_eval"),
                  Filters(synthetic=True), Filters(synthetic=False), Filters(units=(unit,)),
                  Filters(county=county)):
            a = jq.execute(con, old, jq.bind("ff_old", f.params(), tmp_path)[1], waivers)
            b = jq.execute(con, new, jq.bind("ff_new", f.params(), tmp_path)[1], waivers)
            assert a.equals(b), f
            if f == Filters() and which == "seeds":
                assert a.height > 0 and "waived" in a["status"].to_list()
            elif f == Filters():  # the project table's flag only: not the department's, not the unloaded one
                assert "zz-project" in a["flag_id"].to_list()
                assert not {"zz-department", "zz-gone"} & set(a["flag_id"].to_list())
    finally:
        con.close()
