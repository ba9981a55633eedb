"""The queries the project view, search, county roll-ups, peers and the merge page will read, on
the bundled synthetic sample (datasets/sample). The expected values were read off the sample's
documents (noted at each test) or recomputed here from the tables another way."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import polars as pl
import pytest

from jixiao.ingest import ingest_paths
from jixiao.queries import bind, execute
from jixiao.synth import evaluate as ev

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "datasets" / "sample"
DEFAULTS = {"years": [], "provinces": [], "cities": [], "counties": [], "units": [], "kind": None, "synthetic": None,
            "project_id": "", "q": "", "limit": 500, "unit_kind": "", "high_score": 90.0, "low_rate": 0.8}


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    d = tmp_path_factory.mktemp("sample")
    mp = pytest.MonkeyPatch()
    mp.setenv("JIXIAO_UNIT_ALIASES", str(d / "aliases.csv"))  # no reviewer decisions yet
    mp.setenv("JIXIAO_WAIVERS", str(d / "waivers.csv"))
    ingest_paths([SAMPLE / "documents"], d / "sample.duckdb", synthetic=True, workers=2, batch_size=50)
    c = duckdb.connect(str(d / "sample.duckdb"), read_only=True)
    yield c
    c.close()
    mp.undo()


def run(con, name: str, **params) -> pl.DataFrame:
    # the one query contract: parameters bound as the dashboard binds them, no waivers accepted
    return execute(con, *bind(name, {**DEFAULTS, **params}))


def pid(con, file: str, seq: int) -> str:
    ids = ev.doc_ids(con, SAMPLE)
    return f"{ids[file]}-{seq:03d}"


def test_goal_beside_self_evaluation_shows_an_easier_target(con):
    # 330482 (平湖市) 2023 部门专项-贵康镇山盛村乡村医生补助: the goal table (GB18030) says
    # 拨付时限 <=15个工作日, the self-evaluation ≤19.4个工作日 with 15个工作日 done.
    self_id = pid(con, "documents/330482/self-2023-health.txt", 1)
    df = run(con, "project_goal_vs_self", project_id=self_id)
    row = df.filter(pl.col("name") == "贵康镇山盛村乡村医生补助拨付时限").row(0, named=True)
    assert (row["status"], row["goal_target"], row["self_target"], row["actual_raw"]) == (
        "linked", "<=15个工作日", "≤19.4个工作日", "15个工作日")
    assert row["change_rules"] == "JX501" and row["change_severity"] == "高"
    assert "更容易" in row["change_messages"]
    # The same rows from the goal table's side; its other seven indicators agree.
    goal_id = pid(con, "documents/330482/goal-2023-health.txt", 1)
    assert run(con, "project_goal_vs_self", project_id=goal_id).equals(df)
    assert df.height == 8 and df.filter(pl.col("change_rules").is_null()).height == 7


def test_goal_beside_self_evaluation_shows_a_dropped_and_an_added_indicator_and_moved_weights(con):
    # 330482 2023 双安镇月九村公益性岗位补贴: the goal table's 项目完成时间 (2023年11月30日前) is not in
    # the self-evaluation (.docx), which has 双安镇月九村公益性岗位资金准确率 (10分, 100%) instead.
    df = run(con, "project_goal_vs_self", project_id=pid(con, "documents/330482/goal-2023-hr.txt", 4))
    by = {r["name"]: r for r in df.iter_rows(named=True)}
    assert by["项目完成时间"]["status"] == "missing" and by["项目完成时间"]["goal_target"] == "2023年11月30日前"
    added = by["双安镇月九村公益性岗位资金准确率"]
    assert (added["status"], added["self_weight"], added["self_target"], added["change_rules"]) == ("added", 10.0, "100%", "JX502")
    # 2023年嘉兴平湖市乡村医生补助: 人数 10分 -> 7分, 个数 5分 -> 8分 (goal-2023-health.txt / self-2023-health.txt).
    df = run(con, "project_goal_vs_self", project_id=pid(con, "documents/330482/self-2023-health.txt", 2))
    moved = df.filter(pl.col("change_rules") == "JX503").select("name", "goal_weight", "self_weight").rows()
    assert sorted(moved) == [("嘉兴平湖市乡村医生补助人数", 10.0, 7.0), ("嘉兴平湖市村卫生室补助个数", 5.0, 8.0)]


def test_a_project_year_by_year(con):
    # Project code 470-2827-JBN-K9WY (an 003 goal table, so the code is in the goal tables only):
    # 桥光街道湾坝村农作物病虫害统防统治补助, 2023-2025, goal and self-evaluation every year.
    start = con.execute("SELECT project_id FROM projects WHERE code = '470-2827-JBN-K9WY' AND year = 2024").fetchall()[0][0]
    years = run(con, "project_years", project_id=start)
    assert years["year"].to_list() == [2023, 2024, 2025]
    assert years["goal_project_id"].null_count() == 0 and years["self_project_id"].null_count() == 0
    assert set(years["goal_name"]) == {"桥光街道湾坝村农作物病虫害统防统治补助"}
    with (SAMPLE / "manifest.csv").open(encoding="utf-8") as fh:
        budgets = {int(r["year"]): float(r["budget"]) for r in csv.DictReader(fh)
                   if r["project"] == "桥光街道湾坝村农作物病虫害统防统治补助" and r["kind"] == "self_eval"}
    assert dict(zip(years["year"], years["budget"])) == budgets
    inds = run(con, "project_indicator_years", project_id=start)
    per = inds.group_by("indicator_lineage_id").agg(pl.len().alias("n"), pl.col("name").n_unique().alias("names"))
    # Each indicator kept its name; one that runs through all three years sits in six documents.
    assert per["names"].max() == 1 and per["n"].max() == 6
    assert inds["indicator_id"].n_unique() == inds.height


def test_search_by_name_or_code_across_units_and_years(con):
    by_code = run(con, "project_search", q="470-2827-jbn-k9wy")
    assert by_code["matched"].unique().to_list() == ["code"] and by_code["year"].sort().to_list() == [2023, 2024, 2025]
    by_name = run(con, "project_search", q="乡村医生补助")
    n = con.execute("SELECT count(*) FROM projects WHERE strpos(name, '乡村医生补助') > 0").fetchall()[0][0]
    assert by_name.height == n and by_name["county"].n_unique() > 1 and by_name["year"].n_unique() == 3
    assert run(con, "project_search", q="").height == 0
    assert run(con, "project_search", q="'); DROP TABLE projects; --").height == 0


def test_county_rollup_agrees_with_the_projects(con):
    df = run(con, "county_rollup")
    assert df.height == 10 and df["n_projects"].sum() == 1625
    p = con.cursor().sql("SELECT p.*, s.execution_rate AS s_rate FROM projects p LEFT JOIN project_scores s USING (project_id)").pl()
    se = p.filter(pl.col("kind") == "self_eval").with_columns(pl.coalesce("execution_rate", "s_rate").alias("rate"))
    for row in df.iter_rows(named=True):
        c = se.filter(pl.col("county") == row["county"])
        assert row["execution_rate"] == pytest.approx(c["executed"].sum() / c["budget"].sum())
        hs = c.filter((pl.col("total_score_reported") >= 90) & (pl.col("rate") < 0.8)).height
        assert row["n_high_score_low_rate"] == hs
        assert row["score_mean"] == pytest.approx(c["total_score_reported"].mean())
    flags = con.execute("SELECT count(*) FROM flags").fetchall()[0][0]
    assert df["n_flags_all"].sum() == flags
    assert df["n_open_flags"].sum() == flags  # nothing accepted yet: every flag is open
    assert (df["flags_per_project"] == df["n_open_flags"] / df["n_projects"]).all()
    one = run(con, "county_rollup", counties=["平湖市", "轮台县"])
    assert sorted(one["county"]) == ["平湖市", "轮台县"]


def test_peers_by_kind_of_unit(con):
    df = run(con, "unit_peers", unit_kind="社保中心")
    assert df.height >= 5 and df["unit"].str.contains("社会保险").all()
    assert (df["n_peers"] == df.height).all() and df["county"].n_unique() == df.height
    assert df["kind_score_median"][0] == pytest.approx(df["score_mean"].median())
    everyone = run(con, "unit_peers")
    assert "教育局" in set(everyone["unit_kind"]) and "其他" not in set(everyone["unit_kind"])


def test_merge_suggestions_pair_names_of_one_unit(con):
    df = run(con, "unit_alias_suggestions")
    truth = ev.unit_truth(SAMPLE)
    from jixiao.units import clean_unit

    true = {(c, clean_unit(w)): t for (c, w), t in truth.items()}
    assert df.height == 8 and set(df["status"]) == {"pending"}
    assert all(true[(r["county"], r["unit_a"])] == true[(r["county"], r["unit_b"])] for r in df.iter_rows(named=True))


def test_contract_views_exist_with_their_columns(con):
    cols = lambda t: [r[0] for r in con.execute(f"DESCRIBE {t}").fetchall()]  # noqa: E731
    assert cols("project_links")[:4] == ["goal_project_id", "self_eval_project_id", "method", "similarity"]
    assert cols("project_history")[:4] == ["project_id", "previous_project_id", "method", "similarity"]
    assert {"left_indicator_id", "right_indicator_id", "link_kind", "method", "similarity"} <= set(cols("indicator_links"))
    # Every projects row has its canonical unit.
    assert con.execute("SELECT count(*) FROM projects WHERE unit IS NOT NULL AND unit_canonical IS NULL").fetchall()[0][0] == 0
