"""Golden tests: the real seeds and hand-written documents in each layout parse as read by eye.

Expected values live beside the tests as data (golden/seeds.yml,
fixtures/handwritten/expected.json); the hand-written inline layout is also converted to
.xlsx and .docx and must parse the same.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import duckdb
import pytest
import yaml

from jixiao.ingest import ingest_paths
from jixiao.writers import rows_to_docx, rows_to_xlsx, text_to_blocks

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "datasets" / "seeds"
HAND = ROOT / "tests" / "fixtures" / "handwritten"
GOLDEN = yaml.safe_load((Path(__file__).parent / "golden" / "seeds.yml").read_text(encoding="utf-8"))
HAND_EXPECTED = json.loads((HAND / "expected.json").read_text(encoding="utf-8"))


def _same(got, want) -> bool:
    if isinstance(want, (int, float)) and not isinstance(want, bool) and got is not None:
        return math.isclose(float(got), float(want), rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(want, (int, float)) and not isinstance(want, bool):
        return False
    return got == want


def _load(tmp_path: Path, files: list[Path]):
    db_path = tmp_path / "golden.duckdb"
    reports = ingest_paths(files, db_path, derive=False)
    con = duckdb.connect(str(db_path), read_only=True)
    return reports, con


def _rows(con, sql, params=None):
    cur = con.cursor()
    res = cur.execute(sql, params or [])
    cols = [d[0] for d in res.description]
    return [dict(zip(cols, r)) for r in res.fetchall()]


def _check_doc(con, source: Path, exp: dict):
    docs = _rows(con, "SELECT * FROM documents WHERE source_path = ?", [str(source)])
    assert len(docs) == 1 and docs[0]["status"] == "ok", docs
    doc = docs[0]
    assert doc["kind"] == exp["kind"]
    if "layout" in exp:
        assert doc["layout"] == exp["layout"]
    projects = _rows(con, "SELECT * FROM projects WHERE doc_id = ? ORDER BY seq", [doc["doc_id"]])
    assert [p["name"] for p in projects] == [p["name"] for p in exp["projects"]]
    counts = _rows(con, "SELECT project_id, count(*) AS n FROM indicators WHERE doc_id = ? GROUP BY 1", [doc["doc_id"]])
    n_by_project = {r["project_id"]: r["n"] for r in counts}
    for got, want in zip(projects, exp["projects"]):
        assert got["year"] == exp["year"], got["name"]
        for key, value in want.items():
            if key == "n_indicators":
                assert n_by_project.get(got["project_id"], 0) == value, got["name"]
            elif key != "indicators":
                assert _same(got[key], value), (got["name"], key, got[key], value)
    return doc, projects


@pytest.mark.parametrize("seed", sorted(GOLDEN))
def test_seed_golden(tmp_path, seed):
    source = SEEDS / seed
    reports, con = _load(tmp_path, [source])
    assert [r.status for r in reports] == ["ok"]
    exp = GOLDEN[seed]
    doc, _ = _check_doc(con, source, exp)
    for want in exp["indicators"]:
        got = _rows(con, "SELECT * FROM indicators WHERE doc_id = ? AND source_line = ?", [doc["doc_id"], want["line"]])
        assert len(got) == 1, f"line {want['line']}: {len(got)} indicators"
        for key, value in want.items():
            if key != "line":
                assert _same(got[0][key], value), (want["line"], key, got[0][key], value)


def test_seed_totals(tmp_path):
    reports, con = _load(tmp_path, sorted(SEEDS.glob("*.txt")))
    assert [r.status for r in reports] == ["ok"] * 4
    assert con.execute("SELECT count(*) FROM projects").fetchone()[0] == 37
    assert con.execute("SELECT count(*) FROM indicators").fetchone()[0] == 317
    # Every indicator has canonical levels from the contract's vocabulary.
    assert con.execute("SELECT count(*) FROM indicators WHERE level1 NOT IN "
                       "('产出指标','效益指标','成本指标','满意度指标') OR level1 IS NULL").fetchone()[0] == 0


def _check_hand(con, source: Path, exp: dict):
    doc, projects = _check_doc(con, source, {**exp, "projects": [
        {k: v for k, v in p.items() if k != "indicators"} for p in exp["projects"]]})
    for got_p, want_p in zip(projects, exp["projects"]):
        inds = _rows(con, "SELECT * FROM indicators WHERE project_id = ? ORDER BY seq", [got_p["project_id"]])
        assert len(inds) == len(want_p["indicators"]), got_p["name"]
        for got, want in zip(inds, want_p["indicators"]):
            for key, value in want.items():
                assert _same(got[key], value), (got_p["name"], got["source_line"], key, got[key], value)


@pytest.mark.parametrize("name", sorted(HAND_EXPECTED))
def test_handwritten_golden(tmp_path, name):
    source = HAND / name
    reports, con = _load(tmp_path, [source])
    assert [r.status for r in reports] == ["ok"], reports[0].message
    _check_hand(con, source, HAND_EXPECTED[name])


@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
def test_handwritten_inline_as_office(tmp_path, fmt):
    name = next(n for n in HAND_EXPECTED if n.startswith("goal_inline_"))
    blocks = text_to_blocks((HAND / name).read_text(encoding="utf-8"))
    target = tmp_path / f"{Path(name).stem}.{fmt}"
    if fmt == "xlsx":
        rows_to_xlsx(blocks, target)
    else:
        rows_to_docx(blocks, target)
    reports, con = _load(tmp_path, [target])
    assert [r.status for r in reports] == ["ok"], reports[0].message
    exp = HAND_EXPECTED[name]
    # Source lines differ in an office file; everything else must match.
    exp = {**exp, "projects": [{**p, "indicators": [{k: v for k, v in i.items() if k != "source_line"}
                                                    for i in p["indicators"]]}
                               for p in exp["projects"]]}
    _check_hand(con, target, exp)


def _office_expected(name: str) -> dict:
    exp = HAND_EXPECTED[name]
    return {**exp, "projects": [{**p, "indicators": [{k: v for k, v in i.items() if k != "source_line"}
                                                     for i in p["indicators"]]} for p in exp["projects"]]}


def test_selfeval_split_over_sheets_and_page_breaks(tmp_path):
    """A self-evaluation as units send them: one project per sheet in .xlsx; in .docx each
    project's table continued after a page break, with a repeated title paragraph."""
    name = next(n for n in HAND_EXPECTED if n.startswith("selfeval_"))
    text = (HAND / name).read_bytes().decode("gb18030")
    blocks = [b for b in text_to_blocks(text) if b[1]]
    xlsx = tmp_path / "selfeval.xlsx"
    rows_to_xlsx(blocks, xlsx, sheet_names=[f"项目{k + 1}" for k in range(len(blocks))])
    docx = tmp_path / "selfeval.docx"
    rows_to_docx(blocks, docx, split_table_at={k: 12 for k in range(len(blocks))})
    for target in (xlsx, docx):
        db_dir = tmp_path / target.suffix[1:]
        db_dir.mkdir()
        reports, con = _load(db_dir, [target])
        assert [r.status for r in reports] == ["ok"], reports[0].message
        _check_hand(con, target, _office_expected(name))
