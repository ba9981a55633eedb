"""A document's identity: where it comes from (a normalised path, an upload's name) and what it
holds (its bytes, its decoded text). Re-loads replace, never duplicate; nothing reported as
already loaded is deleted in the same run; a document the database refuses keeps its older
version, and the reason shown is the database's own."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import duckdb
import pytest

from jixiao.db import identity_key
from jixiao.ingest import ingest_paths

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "datasets" / "seeds"
SEED_004 = next(SEEDS.glob("004_*.txt"))
SEED_000 = next(SEEDS.glob("000_*.txt"))
BUDGET_004 = "年度预算总额：\t5\t其中：财政拨款\t5\t"  # 004's first project: 5 万元, all of it 财政拨款


def _edit(path: Path, budget: int) -> None:
    """Changes the first project's budget of a copy of seed 004 (a unit's revised table)."""
    path.write_text(SEED_004.read_text(encoding="utf-8").replace(BUDGET_004, f"年度预算总额：\t{budget}\t其中：财政拨款\t{budget}\t", 1),
                    encoding="utf-8")


def _docs(db: Path) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT doc_id, sha256, source_key, source_path, status FROM documents ORDER BY source_key").fetchall()
    finally:
        con.close()


def _one(db: Path, sql: str, params=()):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ------------------------------------------------------------------ 3. a retried batch


def _stray_project(db: Path, doc_id: str) -> None:
    """Makes the database refuse one document for real: a project row already holds the id
    its first project will get (a primary-key violation inside the batch)."""
    con = duckdb.connect(str(db))
    con.execute("INSERT INTO projects (project_id, doc_id) VALUES (?, 'stray')", [f"{doc_id}-001"])
    con.close()


@pytest.mark.parametrize("refused", ["a", "b"])
def test_retried_batch_keeps_each_documents_deletions_with_it(tmp_path, refused):
    folder, db = tmp_path / "in", tmp_path / "db.duckdb"
    folder.mkdir()
    _edit(folder / "a.txt", 11)
    _edit(folder / "b.txt", 21)
    assert [r.status for r in ingest_paths([folder], db, derive=False)] == ["ok", "ok"]
    old = {n: _sha(folder / f"{n}.txt") for n in "ab"}
    _edit(folder / "a.txt", 12)
    _edit(folder / "b.txt", 22)
    new = {n: _sha(folder / f"{n}.txt") for n in "ab"}
    _stray_project(db, new[refused][:16])

    reports = {Path(r.path).stem: r for r in ingest_paths([folder], db, derive=False, batch_size=2)}
    other = "b" if refused == "a" else "a"
    assert reports[refused].status == "failed"
    # the database's own reason, not the aborted transaction of the retry
    assert "Duplicate key" in reports[refused].message or "Constraint" in reports[refused].message
    assert "aborted" not in reports[refused].message
    assert reports[other].status == "ok" and "替换" in reports[other].message
    by_key = {}
    for _id, sha, _key, path, _status in _docs(db):
        by_key.setdefault(Path(path).stem, []).append(sha)
    # the refused file keeps its older version; the other one holds only its new version
    assert by_key[refused] == [old[refused]]
    assert by_key[other] == [new[other]]


# ------------------------------------------------------------------ 4. identity by normalised path


def test_same_folder_relative_then_absolute_replaces(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in").mkdir()
    _edit(tmp_path / "in" / "doc.txt", 7)
    db = tmp_path / "db.duckdb"
    assert [r.status for r in ingest_paths(["in"], db, derive=False)] == ["ok"]
    _edit(tmp_path / "in" / "doc.txt", 8)
    again = ingest_paths([str(tmp_path / "in")], db, derive=False)
    assert [r.status for r in again] == ["ok"] and "替换" in again[0].message
    docs = _docs(db)
    assert len(docs) == 1
    # the stored path is the absolute one, readable; the identity is its digest
    full = str((tmp_path / "in" / "doc.txt").resolve())
    assert docs[0][3] == full and docs[0][2] == identity_key(full)
    assert _one(db, "SELECT budget FROM projects WHERE seq = 1") == [(8.0,)]


def test_the_same_file_twice_in_one_run_loads_once(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in").mkdir()
    shutil.copy(SEED_004, tmp_path / "in" / "doc.txt")
    reports = ingest_paths(["in", str(tmp_path / "in"), "in/../in/doc.txt"], tmp_path / "db.duckdb", derive=False)
    assert [r.status for r in reports] == ["ok"]


def test_upload_scope_gives_identity_by_name(tmp_path):
    db = tmp_path / "db.duckdb"
    for k, budget in enumerate((31, 32)):
        tmp = tmp_path / f"jixiao-upload-{k}"  # a new random folder for every upload
        tmp.mkdir()
        _edit(tmp / "目标表.txt", budget)
        reports = ingest_paths([tmp / "目标表.txt"], db, derive=False, scope="upload")
        assert [r.status for r in reports] == ["ok"]
    docs = _docs(db)
    assert [(d[2], d[3]) for d in docs] == [(identity_key("upload:目标表.txt"), "目标表.txt")]
    assert _one(db, "SELECT budget FROM projects WHERE seq = 1") == [(32.0,)]


def test_two_uploads_with_one_name_do_not_replace_each_other(tmp_path):
    (tmp_path / "0").mkdir()
    (tmp_path / "1").mkdir()
    _edit(tmp_path / "0" / "表.txt", 1)
    _edit(tmp_path / "1" / "表.txt", 2)
    reports = ingest_paths([tmp_path / "0" / "表.txt", tmp_path / "1" / "表.txt"], tmp_path / "db.duckdb",
                           derive=False, scope="upload")
    by = {r.status: r for r in reports}
    assert sorted(by) == ["failed", "ok"] and "同名" in by["failed"].message
    assert by["failed"].path == str(tmp_path / "1" / "表.txt")


# ------------------------------------------------------------------ 5. copy, then edit


@pytest.mark.parametrize("copy_name", ["b.txt", "0.txt"], ids=["copy-after", "copy-before"])
@pytest.mark.parametrize("batch_size", [1, 3])
def test_copy_then_edit_keeps_the_copy_loaded(tmp_path, copy_name, batch_size):
    folder, db = tmp_path / "in", tmp_path / "db.duckdb"
    folder.mkdir()
    _edit(folder / "a.txt", 41)
    assert [r.status for r in ingest_paths([folder], db, derive=False)] == ["ok"]
    old = _sha(folder / "a.txt")
    shutil.copy(folder / "a.txt", folder / copy_name)
    _edit(folder / "a.txt", 42)
    new = _sha(folder / "a.txt")

    reports = ingest_paths([folder], db, derive=False, batch_size=batch_size)
    by = {Path(r.path).name: r for r in reports}
    assert by["a.txt"].status == "ok"
    assert by[copy_name].status in ("ok", "skipped")
    docs = {sha: Path(path).name for _id, sha, _key, path, _s in _docs(db)}
    # both contents loaded, each under the file that holds it now
    assert docs == {new: "a.txt", old: copy_name}
    # whatever was reported as already loaded is still there
    for r in reports:
        if r.status == "skipped":
            assert _one(db, "SELECT count(*) FROM documents WHERE doc_id = ?", [r.doc_id]) == [(1,)]
    assert _one(db, "SELECT count(*) FROM projects") == [(18,)]


def test_a_file_edited_to_equal_another_drops_its_old_version(tmp_path):
    folder, db = tmp_path / "in", tmp_path / "db.duckdb"
    folder.mkdir()
    _edit(folder / "a.txt", 51)
    _edit(folder / "b.txt", 52)
    ingest_paths([folder], db, derive=False)
    _edit(folder / "a.txt", 52)  # now the same as b.txt
    reports = {Path(r.path).name: r for r in ingest_paths([folder], db, derive=False)}
    assert reports["a.txt"].status == "skipped" and "已移除" in reports["a.txt"].message
    assert [Path(d[3]).name for d in _docs(db)] == ["b.txt"]


# ------------------------------------------------------------------ 11. one document, two encodings


def test_same_text_in_another_encoding_is_loaded_once(tmp_path):
    text = SEED_004.read_text(encoding="utf-8")
    folder, db = tmp_path / "in", tmp_path / "db.duckdb"
    folder.mkdir()
    (folder / "utf8.txt").write_bytes(text.encode("utf-8"))
    (folder / "gb.txt").write_bytes(text.encode("gb18030"))
    (folder / "crlf_bom.txt").write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    reports = {r.path.rsplit("/", 1)[-1]: r for r in ingest_paths([folder], db, derive=False)}
    assert sorted(r.status for r in reports.values()) == ["ok", "skipped", "skipped"]
    assert _one(db, "SELECT count(*), count(DISTINCT text_sha256) FROM documents") == [(1, 1)]
    # and in a later run, from another folder
    (tmp_path / "later").mkdir()
    (tmp_path / "later" / "utf16.txt").write_bytes(text.encode("utf-16"))
    later = ingest_paths([tmp_path / "later"], db, derive=False)
    assert [r.status for r in later] == ["skipped"] and "内容已导入过" in later[0].message
    assert _one(db, "SELECT count(*) FROM projects") == [(9,)]
