"""The catalog on the four real seeds: the defects one sees by reading them are caught, and
the rules that find nothing there find nothing. Every expectation below was checked by hand
against the documents (line numbers are the source lines of datasets/seeds/*.txt)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from jixiao.ingest import ingest_paths

SEEDS = Path(__file__).resolve().parents[2] / "datasets" / "seeds"


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    db = tmp_path_factory.mktemp("seedflags") / "seeds.duckdb"
    ingest_paths([SEEDS], db)
    c = duckdb.connect(str(db), read_only=True)
    yield c
    c.close()


def _flag_lines(con, rule: str, seed_prefix: str) -> list[int]:
    rows = con.execute(
        "SELECT i.source_line FROM flags f JOIN indicators i USING (indicator_id) "
        "JOIN documents d ON d.doc_id = f.doc_id WHERE f.rule = ? AND d.source_path LIKE ? ORDER BY 1",
        [rule, f"%/{seed_prefix}_%"]).fetchall()
    return [r[0] for r in rows]


def _message(con, rule: str, seed_prefix: str, line: int) -> str:
    return con.execute(
        "SELECT f.message FROM flags f JOIN indicators i USING (indicator_id) JOIN documents d ON d.doc_id = f.doc_id "
        "WHERE f.rule = ? AND d.source_path LIKE ? AND i.source_line = ?", [rule, f"%/{seed_prefix}_%", line]).fetchone()[0]


def _count(con, rule: str) -> int:
    return con.execute("SELECT count(*) FROM flags WHERE rule = ?", [rule]).fetchone()[0]


def test_cost_targets_not_money(con):
    # 003: every project's 成本指标 carries ≥98%; 001: 正常开展, 100%, 按标准执行 ×2, 按规定执行.
    assert _count(con, "JX101") == 23
    assert _flag_lines(con, "JX101", "001") == [70, 117, 211, 257, 304]
    assert len(_flag_lines(con, "JX101", "003")) == 18
    msg = con.execute("SELECT message FROM flags f JOIN indicators i USING (indicator_id) "
                      "WHERE rule = 'JX101' AND i.source_line = 96").fetchone()[0]
    assert "项目成本" in msg and "≥98%" in msg


def test_satisfaction_outside_its_level(con):
    # 003: 生态效益指标 holding 服务对象满意度 in ten of the eighteen projects.
    assert _count(con, "JX102") == 10
    assert _flag_lines(con, "JX102", "003")[:2] == [117, 226]


def test_targets_weaker_than_last_year(con):
    # 004: ≥95% against 100% last year (84, 120, 124, 156, 161) and ≤29.08万元 against 26.83万元 (86).
    assert _flag_lines(con, "JX104", "004") == [84, 86, 120, 124, 156, 161]
    assert _count(con, "JX104") == 6
    # The title covers both directions, and each message says which way it is weaker.
    assert con.execute("SELECT title FROM rules WHERE rule = 'JX104'").fetchone()[0] == "目标值低于上年实际"  # the contract's name
    assert _message(con, "JX104", "004", 84) == (
        "指标「城乡居民参保覆盖」目标值「>=95%」低于上年完成值「100%」（正向指标，越高越好），目标水平低于上年实际")
    assert _message(con, "JX104", "004", 86) == (
        "指标「每次发放(补助)」目标值「<=29.08万元」高于上年完成值「26.83万元」（反向指标，越低越好，上限放宽），目标水平低于上年实际")


def test_missing_name(con):
    assert _flag_lines(con, "JX106", "004") == [32]
    assert _count(con, "JX106") == 1


def test_duplicate_indicators(con):
    # 001 职业年金: the same text three times; 004: 发放生活补贴入账 twice; 003: 服务对象满意度 twice in ten projects …
    assert _count(con, "JX107") == 15
    assert 316 in _flag_lines(con, "JX107", "001") and 310 in _flag_lines(con, "JX107", "001")
    assert _flag_lines(con, "JX107", "004") == [102]


def test_declared_points(con):
    # Every 001 self-evaluation declares 满意度指标 (20分) over one 10-point indicator; the first and
    # last also misstate 产出 (50 and 55 against 40) and 效益 (30 and 25 against 40).
    assert _count(con, "JX202") == 12
    msgs = [r[0] for r in con.execute("SELECT message FROM flags WHERE rule = 'JX202'").fetchall()]
    assert sum("满意度指标" in m for m in msgs) == 8


def test_scores_against_the_tables_rules(con):
    # Met qualitative targets scored below the 80% 达成 band: 6/10, 10/15, 11/15, 5/10.
    # 12/15 (lines 217, 263, 310) is inside the band and not flagged.
    assert _flag_lines(con, "JX301", "001") == [30, 36, 76, 82, 123, 129, 170, 176, 223, 269, 316, 354, 358]
    # One expected value: line 76 (成效显著 / 成效显著, 15 points, scored 10) must have at least
    # the 达成 tier's 12 (80% of 15) — not also "应得15分".
    msg = _message(con, "JX301", "001", 76)
    assert "得分10分，按规则应不低于12分" in msg and "应得15分" not in msg
    # Every actual in 001 repeats its target: no unmet target, so no "未达成目标却得满分".
    assert not any("未达成" in m for (m,) in con.execute("SELECT message FROM flags WHERE rule = 'JX301'").fetchall())


def test_template_reasons(con):
    # 001: every 未完成原因分析 is written for a target that was met.
    assert len(_flag_lines(con, "JX403", "001")) == 15


def test_uniform_targets_and_copied_projects(con):
    # 003: every project puts ≥95%/≥98% on nearly every indicator whatever it measures.
    assert _count(con, "JX404") == 18
    pairs = con.execute(
        "SELECT p.name, f.message FROM flags f JOIN projects p USING (project_id) WHERE rule = 'JX402'").fetchall()
    names = {n for n, _ in pairs}
    assert {"医疗救助补助资金", "优抚对象医疗补助", "部门专项-城乡居民社会养老保险财政配套",
            "生育保险、职工医保合并，所需设备、网络升级费用"} <= names
    assert all("相同" in m for _, m in pairs)


@pytest.mark.parametrize("rule", ["JX103", "JX105", "JX108", "JX201", "JX302", "JX303", "JX304", "JX401"])
def test_rules_that_find_nothing_in_the_seeds(con, rule):
    # Weights total 90 (+10), totals reconcile, cost × times matches the budget within 5% in 004
    # (0.42万元 × 12 ≈ 5), declared types agree with the targets, and no text repeats across units.
    assert _count(con, rule) == 0


def test_rules_table_lists_every_rule(con):
    rows = con.execute("SELECT rule, title, description FROM rules ORDER BY rule").fetchall()
    assert [r[0] for r in rows][:3] == ["JX101", "JX102", "JX103"] and len(rows) == 25
    assert all(r[1] and r[2] for r in rows)
