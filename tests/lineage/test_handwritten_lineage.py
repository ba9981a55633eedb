"""Documents not seen before (tests/fixtures/lineage, typed by hand; see its README): one unit's
goal tables for 2025 and 2026 and its 2025 self-evaluation, in the 004 and 001 layouts, the unit
spelt three ways. The links are right, each planted change is flagged by its rule and nothing
else is, before and after a reviewer merges the unit's two names."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from jixiao import units
from jixiao.ingest import ingest_paths

DOCS = Path(__file__).resolve().parents[1] / "fixtures" / "lineage"
SERVICE, SHORT = "轮台县社会保险服务中心", "轮台县社会保险中心"
P1, P1_2026, P2, P3, P4 = ("城乡居民基本养老保险补贴", "2026年城乡居民基本养老保险补贴", "被征地农民养老保险补贴",
                           "社会保险经办业务经费", "就业见习补贴")

# (rule, severity, kind, year, project, indicator or None), read off the documents.
EXPECTED_FLAGS = sorted([
    ("JX501", "高", "self_eval", 2025, P1, "参保人数"),
    ("JX501", "高", "self_eval", 2025, P1, "人均经办成本"),
    ("JX502", "中", "goal", 2025, P2, "补贴对象认定准确率"),
    ("JX502", "中", "self_eval", 2025, P2, "政策宣传次数"),
    ("JX503", "中", "self_eval", 2025, P3, "经办业务笔数"),
    ("JX503", "中", "self_eval", 2025, P3, "办事群众满意度"),
    ("JX504", "中", "goal", 2026, P1_2026, "参保人数"),
    ("JX505", "中", "goal", 2026, P2, None),
    ("JX506", "中", "goal", 2026, P1_2026, "项目完成时间"),
    ("JX507", "低", "goal", 2025, P4, None),
], key=str)


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    d = tmp_path_factory.mktemp("handwritten_lineage")
    mp = pytest.MonkeyPatch()
    mp.setenv("JIXIAO_UNIT_ALIASES", str(d / "unit_aliases.csv"))
    mp.setenv("JIXIAO_WAIVERS", str(d / "waivers.csv"))
    db = d / "luntai.duckdb"
    reports = ingest_paths(sorted(DOCS.glob("*.txt")), db)  # not the README (.md is a document type)
    yield {"dir": d, "db": db, "reports": reports}
    mp.undo()


def _read(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _flags(db):
    rows = _read(db, "SELECT f.rule, f.severity, p.kind, p.year, p.name, i.name FROM flags f "
                     "JOIN projects p USING (project_id) LEFT JOIN indicators i USING (indicator_id)")
    return sorted(rows, key=str)


def _links(db):
    goal_self = _read(db, "SELECT g.year, g.name, s.name, l.method FROM project_links l "
                          "JOIN projects g ON g.project_id = l.goal_project_id "
                          "JOIN projects s ON s.project_id = l.self_eval_project_id ORDER BY 1, 2")
    history = _read(db, "SELECT p.year, p.kind, p.name, q.year, q.kind, q.name, h.method FROM project_history h "
                        "JOIN projects p ON p.project_id = h.project_id "
                        "JOIN projects q ON q.project_id = h.previous_project_id ORDER BY 1, 3")
    return goal_self, history


def test_the_documents_load_with_their_units(env):
    assert [(Path(r.path).name, r.status, r.projects, r.indicators) for r in env["reports"]] == [
        ("goal_2025_luntai_inline.txt", "ok", 4, 30), ("goal_2026_luntai_inline.txt", "ok", 3, 23),
        ("self_2025_luntai.txt", "ok", 3, 23)]
    names = dict(_read(env["db"], "SELECT DISTINCT unit, unit_canonical FROM projects"))
    # The code in front (219001-) is the same name — the interpreter already reads the unit
    # without it; 服务 left out waits for a reviewer.
    assert names == {SERVICE: SERVICE, SHORT: SHORT}
    assert _read(env["db"], "SELECT unit_a, unit_b, reason, status FROM unit_alias_suggestions") == [
        (SERVICE, SHORT, "服务", "pending")]


def test_links_are_right_before_the_merge(env):
    goal_self, history = _links(env["db"])
    # Linked under the presumed unit (the method says so); 就业见习补贴 has no self-evaluation.
    assert sorted(goal_self) == sorted([(2025, P1, P1, "name_pending_unit"), (2025, P2, P2, "name_pending_unit"),
                                        (2025, P3, P3, "name_pending_unit")])
    assert sorted(history) == sorted([(2026, "goal", P1_2026, 2025, "goal", P1, "name"),
                                      (2026, "goal", P2, 2025, "goal", P2, "name"),
                                      (2026, "goal", P3, 2025, "goal", P3, "name")])
    # All nine indicators of 城乡居民基本养老保险补贴 are matched goal ↔ self (=100% and 100% too).
    n = _read(env["db"], f"SELECT count(*) FROM indicator_links l JOIN projects p ON p.project_id = l.left_project_id "
                         f"WHERE l.link_kind = 'goal_self' AND p.name = '{P1}'")[0][0]
    assert n == 9


def test_each_planted_change_is_flagged_by_its_rule_and_nothing_else(env):
    assert _flags(env["db"]) == EXPECTED_FLAGS


def test_a_reviewer_merges_the_two_names_and_it_takes_effect(env):
    units.record_decision(SHORT, SERVICE, "accept", reviewer="审核员", note="同一单位，自评表漏写「服务」",
                          county="轮台县", db_path=env["db"])
    units.rebuild(env["db"])
    names = dict(_read(env["db"], "SELECT DISTINCT unit, unit_canonical FROM projects"))
    assert set(names.values()) == {SERVICE}
    assert _read(env["db"], "SELECT status FROM unit_alias_suggestions") == [("accepted",)]
    assert dict(_read(env["db"], "SELECT unit, method FROM unit_names"))[SHORT] == "alias"
    goal_self, _ = _links(env["db"])
    assert sorted(goal_self) == sorted([(2025, P1, P1, "name"), (2025, P2, P2, "name"), (2025, P3, P3, "name")])
    assert _flags(env["db"]) == EXPECTED_FLAGS


def test_the_units_command_lists_accepts_and_refuses_without_a_reviewer(tmp_path, monkeypatch, capsys):
    from jixiao.cli import main

    db = tmp_path / "cli.duckdb"
    monkeypatch.setenv("JIXIAO_UNIT_ALIASES", str(tmp_path / "aliases.csv"))
    aliases = units.decisions_path(db)
    monkeypatch.setenv("JIXIAO_WAIVERS", str(tmp_path / "waivers.csv"))
    ingest_paths(sorted(DOCS.glob("*.txt")), db)
    assert main(["units", "suggestions", "--db", str(db)]) == 0
    assert "pending" in capsys.readouterr().out
    assert main(["units", "accept", SHORT, SERVICE, "--db", str(db)]) == 2  # no reviewer
    assert not aliases.exists()
    assert main(["units", "accept", SHORT, SERVICE, "--reviewer", "审核员", "--county", "轮台县", "--db", str(db)]) == 0
    # the decision went to the log beside the database, not into the repository
    assert aliases == tmp_path / "cli.unit_decisions.jsonl"
    assert [(e["alias"], e["decision"], e["reviewer"]) for e in units.decision_log(aliases).to_dicts()] == [
        (SHORT, "accept", "审核员")]
    assert set(dict(_read(db, "SELECT DISTINCT unit, unit_canonical FROM projects")).values()) == {SERVICE}
