"""The synthetic corpus goes through the real ingest: every generated project and indicator
arrives as written, the documents of one project are linked across kinds and years, the unit
names written another way are suggested for a merge, and every rule finds its planted defects
(precision ≥ 0.9, recall ≥ 0.95)."""

from __future__ import annotations

import csv
import json

import pytest

from jixiao import db, units
from jixiao.cli import main
from jixiao.ingest import ingest_paths
from jixiao.synth import evaluate as ev
from jixiao.synth import generate_corpus

RULES = ev.RULES


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """A tiny corpus (2 counties x 2 years) loaded into its own database, then every suggested
    unit merge accepted (as a reviewer would) and the derived tables rebuilt."""
    root = tmp_path_factory.mktemp("synth")
    out = root / "corpus"
    summary = generate_corpus(out, counties=2, years="2023-2024", seed=11, projects_per_unit=3, detail=True)
    db_path = root / "synth.duckdb"
    mp = pytest.MonkeyPatch()
    mp.setenv("JIXIAO_UNIT_ALIASES", str(root / "aliases.csv"))  # not the shipped aliases
    mp.setenv("JIXIAO_WAIVERS", str(root / "waivers.csv"))
    reports = ingest_paths([out], db_path, synthetic=True, batch_size=50)
    con = db.connect(db_path, read_only=True)
    before = {"links": ev.score_links(con, out), "units": ev.score_unit_suggestions(con, out)}
    accepted = ev.accept_unit_suggestions(con, units.decisions_path(db_path))
    con.close()
    units.rebuild(db_path)
    con = db.connect(db_path, read_only=True)
    yield {"out": out, "summary": summary, "reports": reports, "con": con, "before": before, "accepted": accepted}
    con.close()
    mp.undo()


def test_every_document_loads_completely(corpus):
    bad = [r.line() for r in corpus["reports"] if r.status != "ok"]
    assert not bad, bad
    assert len(corpus["reports"]) == corpus["summary"]["files"]


def test_every_generated_project_and_indicator_is_in_the_database(corpus):
    got = ev.check_loaded(corpus["con"], corpus["out"])
    assert got["problems"] == 0, got["examples"]
    assert got["projects_loaded"] == got["projects_expected"] == corpus["summary"]["projects"]
    assert got["indicators_loaded"] == got["indicators_expected"] == corpus["summary"]["indicators"]


def test_indicators_read_back_as_written(corpus):
    """Names, targets, weights and scores as the generator wrote them (indicators.csv) are what
    the parser reads, position by position."""
    ids = ev.doc_ids(corpus["con"], corpus["out"])
    rows = corpus["con"].execute(
        "SELECT indicator_id, name, target_raw, weight, score_reported FROM indicators").fetchall()
    db_rows = {r[0]: r[1:] for r in rows}
    with (corpus["out"] / "indicators.csv").open(encoding="utf-8") as fh:
        written = list(csv.DictReader(fh))
    assert len(written) == corpus["summary"]["indicators"]
    diffs = []
    for w in written:
        iid = f"{ids[w['file']]}-{int(w['project_seq']):03d}-{int(w['seq']):03d}"
        name, target, weight, score = db_rows[iid]
        if (name or "") != w["name"] or (target or "") != w["target_raw"]:
            diffs.append((w["file"], w["project_seq"], w["seq"], name, w["name"], target, w["target_raw"]))
        if (weight is None) != (w["weight"] == "") or (weight is not None and weight != pytest.approx(float(w["weight"]))):
            diffs.append((w["file"], w["project_seq"], w["seq"], "weight", weight, w["weight"]))
        if w["score"] and (score is None or abs(score - float(w["score"])) > 1e-6):
            diffs.append((w["file"], w["project_seq"], w["seq"], "score", score, w["score"]))
    assert not diffs, diffs[:10]


def test_each_rule_finds_its_planted_defects(corpus):
    scores = ev.score_rules(corpus["con"], corpus["out"])
    assert set(scores) == set(RULES)
    for rule, s in scores.items():
        assert s["planted"] >= 1, f"{rule}: nothing planted"
        assert s["precision"] >= 0.9, (rule, s, ev.mismatches(corpus["con"], corpus["out"], rule))
        assert s["recall"] >= 0.95, (rule, s, ev.mismatches(corpus["con"], corpus["out"], rule))


def test_ground_truth_names_existing_indicators(corpus):
    ids = ev.doc_ids(corpus["con"], corpus["out"])
    indicator_ids = {r[0] for r in corpus["con"].execute("SELECT indicator_id FROM indicators").fetchall()}
    project_ids = {r[0] for r in corpus["con"].execute("SELECT project_id FROM projects").fetchall()}
    for rule, pid, iid in ev.truth_keys(corpus["out"], ids):
        assert pid in project_ids, (rule, pid)
        assert not iid or iid in indicator_ids, (rule, iid)


def test_marked_synthetic(corpus):
    con = corpus["con"]
    assert con.execute("SELECT bool_and(synthetic) FROM documents").fetchone()[0] is True
    assert con.execute("SELECT bool_and(synthetic) FROM projects").fetchone()[0] is True
    assert json.loads((corpus["out"] / "summary.json").read_text(encoding="utf-8"))["synthetic"] is True


def test_layouts_formats_and_encodings_are_all_present(corpus):
    s = corpus["summary"]
    assert set(s["by_layout"]) == {"L000", "L001", "L003", "L004"}
    assert {"txt", "xlsx", "docx"} <= set(s["by_format"])
    assert {"utf-8", "utf-8-sig", "gb18030"} <= set(s["by_encoding"])
    encodings = {r[0] for r in corpus["con"].execute("SELECT encoding FROM documents").fetchall()}
    assert {"utf-8", "utf-8-sig", "gb18030"} <= encodings


def test_values_are_distributed_like_real_ones(corpus):
    con = corpus["con"]
    lo, hi = con.execute("SELECT min(budget), max(budget) FROM projects").fetchone()
    assert 0.2 <= lo and hi <= 20000
    totals = [r[0] for r in con.execute(
        "SELECT total_score_reported FROM projects WHERE kind = 'self_eval' AND total_score_reported IS NOT NULL").fetchall()]
    in_band = sum(1 for t in totals if 88 <= t <= 95) / len(totals)
    assert in_band >= 0.5, in_band
    kinds = dict(con.execute("SELECT kind, count(*) FROM projects GROUP BY kind").fetchall())
    # A self-evaluation for every goal-table project, but for those planted without one (JX507).
    with (corpus["out"] / "ground_truth.csv").open(encoding="utf-8") as fh:
        unpaired = sum(1 for r in csv.DictReader(fh) if r["rule"] == "JX507")
    assert 1 <= abs(kinds["goal"] - kinds["self_eval"]) <= unpaired
    per_file = con.execute("SELECT max(n_projects), avg(n_projects) FROM documents").fetchone()
    assert per_file[0] <= 25 and per_file[1] >= 2


def test_generate_command_writes_a_corpus(tmp_path, capsys):
    out = tmp_path / "cli"
    assert main(["generate", "--out", str(out), "--counties", "1", "--years", "2024", "--seed", "5",
                 "--projects-per-unit", "2", "--formats", "txt"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["by_format"] == {"txt": summary["files"]}
    assert (out / "ground_truth.csv").exists() and (out / "manifest.csv").exists()
    with (out / "manifest.csv").open(encoding="utf-8") as fh:
        assert sum(1 for _ in csv.DictReader(fh)) == summary["projects"]


def test_links_between_documents_and_years(corpus):
    after = ev.score_links(corpus["con"], corpus["out"])
    for kind in ("goal_self", "history"):
        assert after[kind]["truth"] > 20
        assert after[kind]["precision"] >= 0.98 and after[kind]["recall"] >= 0.95, (kind, after)
        # Before the merges a unit written two ways splits its documents, never links wrongly.
        assert corpus["before"]["links"][kind]["precision"] >= 0.98


def test_unit_names_written_another_way_are_suggested(corpus):
    s = corpus["before"]["units"]
    assert s["recall"] >= 0.95 and s["precision"] >= 0.9, s
    assert corpus["accepted"] == s["suggestions"]
    names = corpus["con"].execute("SELECT count(DISTINCT unit), count(DISTINCT unit_canonical) FROM projects").fetchone()
    assert names[0] >= names[1]
    truth = ev.unit_truth(corpus["out"])
    got = dict(((c, u), uc) for c, u, uc in corpus["con"].execute(
        "SELECT DISTINCT county, unit, unit_canonical FROM projects").fetchall())
    assert all(got[k] == v for k, v in truth.items() if k in got), "every name resolves to its unit after the merges"
