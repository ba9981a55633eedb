"""Bad input gets a clear error and loses nothing: one bad file never stops the others."""

from __future__ import annotations

import os
import random
from pathlib import Path

import duckdb

from jixiao.ingest import ingest_paths, parse_file

ROOT = Path(__file__).resolve().parents[2]
SEED_004 = next((ROOT / "datasets" / "seeds").glob("004_*.txt"))
SEED_001 = next((ROOT / "datasets" / "seeds").glob("001_*.txt"))


def _statuses(reports):
    return {Path(r.path).name: r for r in reports}


def test_bad_files_fail_clearly_and_good_ones_load(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.xlsx").write_bytes(os.urandom(4096))
    (folder / "fake.docx").write_text("这不是一个 Word 文件", encoding="utf-8")
    (folder / "nul.txt").write_bytes(b"\x00\x01\x02binary\x00" * 100)
    (folder / "good.txt").write_bytes(SEED_004.read_bytes())
    reports = ingest_paths([folder], tmp_path / "db.duckdb", derive=False)
    by = _statuses(reports)
    assert by["good.txt"].status == "ok" and by["good.txt"].projects == 9
    for name in ("empty.txt", "binary.xlsx", "fake.docx", "nul.txt"):
        assert by[name].status == "failed", name
        assert by[name].message and "Traceback" not in by[name].message
    assert "空" in by["empty.txt"].message
    con = duckdb.connect(str(tmp_path / "db.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM projects").fetchone()[0] == 9
    # Failed files are recorded with their reason, so the documents page can show them.
    failed = con.execute("SELECT count(*) FROM documents WHERE status = 'failed' AND message IS NOT NULL").fetchone()[0]
    assert failed == 4


def test_truncated_document_keeps_complete_projects(tmp_path):
    lines = SEED_004.read_text(encoding="utf-8").split("\n")
    # Cut inside the eighth project's indicator table (after its 质量指标 rows).
    cut = next(i for i, ln in enumerate(lines) if ln.startswith("时效指标\t资金支付及时性"))
    path = tmp_path / "cut.txt"
    path.write_text("\n".join(lines[:cut]), encoding="utf-8")
    rep = parse_file(path)
    assert rep.report.status == "partial"
    assert rep.report.projects == 7
    assert "部门专项-社会保险工作经费及大楼运行经费" in rep.report.message
    assert "未导入" in rep.report.message


def test_self_evaluation_cut_before_total_is_partial(tmp_path):
    text = SEED_001.read_text(encoding="utf-8")
    # Cut in the middle of the last project's table (before its 总分 row).
    last = text.rindex("指标1: 推进社会保险事业高质量发展")
    path = tmp_path / "cut001.txt"
    path.write_text(text[:last], encoding="utf-8")
    rep = parse_file(path)
    assert rep.report.status == "partial"
    assert rep.report.projects == 7
    assert "国有企业退休人员社会化管理补助资金" in rep.report.message


def test_gb18030_and_utf8_bom_parse_the_same(tmp_path):
    text = SEED_004.read_text(encoding="utf-8")
    (tmp_path / "a_gb.txt").write_bytes(text.encode("gb18030"))
    (tmp_path / "b_bom.txt").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    (tmp_path / "c_utf16.txt").write_bytes(text.encode("utf-16"))
    ref = parse_file(SEED_004)
    for name, enc in (("a_gb.txt", "gb18030"), ("b_bom.txt", "utf-8-sig"), ("c_utf16.txt", "utf-16")):
        got = parse_file(tmp_path / name)
        assert got.report.status == "ok"
        assert got.frames["documents"]["encoding"][0] == enc
        assert got.frames["projects"]["name"].to_list() == ref.frames["projects"]["name"].to_list()
        assert got.frames["indicators"]["name"].to_list() == ref.frames["indicators"]["name"].to_list()


def test_wrong_encoding_is_not_mojibake(tmp_path):
    # Big5 text: not UTF-8, not GB18030-as-intended; whatever is detected, no project appears
    # from garbage and the file fails with a reason rather than loading mojibake.
    path = tmp_path / "latin.txt"
    path.write_bytes("Ceci n'est pas un tableau: données, résultats, façade.\n".encode("latin-1") * 50)
    rep = parse_file(path)
    assert rep.report.status == "failed"
    assert "未找到" in rep.report.message


def test_large_junk_file_fails_quickly(tmp_path):
    rng = random.Random(3)
    words = ["项目", "资金", "绩效", "目标", "完成", "社会", "保障", "提高", "12", "%", "\t"]
    path = tmp_path / "junk.txt"
    with path.open("w", encoding="utf-8") as f:
        for _ in range(60_000):
            f.write("".join(rng.choice(words) for _ in range(12)) + "\n")
    assert path.stat().st_size > 2_000_000
    rep = parse_file(path)
    assert rep.report.status == "failed"
    assert "未找到" in rep.report.message


def test_oversized_file_is_refused(tmp_path, monkeypatch):
    import jixiao.ingest as ingest

    monkeypatch.setattr(ingest, "MAX_BYTES", 1000)
    path = tmp_path / "big.txt"
    path.write_bytes(SEED_004.read_bytes())
    rep = ingest.parse_file(path)
    assert rep.report.status == "failed" and "过大" in rep.report.message


def test_reload_adds_nothing_and_changed_file_replaces(tmp_path):
    db = tmp_path / "db.duckdb"
    src = tmp_path / "doc.txt"
    src.write_bytes(SEED_004.read_bytes())
    first = ingest_paths([src], db, derive=False)
    again = ingest_paths([src, SEED_004], db, derive=False)
    assert [r.status for r in first] == ["ok"]
    assert [r.status for r in again] == ["skipped", "skipped"]
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM projects").fetchone()[0] == 9
    con.close()
    # The same path with new content (a unit's revised table) replaces the old version.
    # (total and its 财政拨款 part both change: a total that its parts do not add up to is partial)
    src.write_text(SEED_004.read_text(encoding="utf-8").replace("年度预算总额：\t5\t其中：财政拨款\t5\t",
                                                                "年度预算总额：\t6\t其中：财政拨款\t6\t"),
                   encoding="utf-8")
    third = ingest_paths([src], db, derive=False)
    assert third[0].status == "ok" and "替换" in third[0].message
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM projects").fetchone()[0] == 9
    assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == 1
    assert con.execute("SELECT budget FROM projects WHERE seq = 1").fetchone()[0] == 6


def test_unsupported_and_missing_paths(tmp_path):
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4")  # a PDF cut after its header
    (tmp_path / "notes.rtf").write_bytes(b"{\\rtf1\\ansi hello}")
    reports = ingest_paths([tmp_path / "notes.pdf", tmp_path / "notes.rtf", tmp_path / "nope.txt"],
                           tmp_path / "db.duckdb", derive=False)
    by = _statuses(reports)
    assert [by[n].status for n in ("notes.pdf", "notes.rtf", "nope.txt")] == ["failed"] * 3
    assert "PDF" in by["notes.pdf"].message and "损坏" in by["notes.pdf"].message
    assert "不支持" in by["notes.rtf"].message and "不存在" in by["nope.txt"].message


def test_phone_numbers_never_stored(tmp_path):
    seed_000 = next((ROOT / "datasets" / "seeds").glob("000_*.txt"))
    db = tmp_path / "db.duckdb"
    ingest_paths([seed_000], db, derive=False)
    con = duckdb.connect(str(db), read_only=True)
    for table in ("documents", "projects", "indicators", "source_lines"):
        text = " ".join(str(v) for row in con.execute(f"SELECT * FROM {table}").fetchall() for v in row)
        assert "17877717130" not in text and "1877717130" not in text, table
    assert con.execute("SELECT count(*) FROM source_lines WHERE text LIKE '%联系电话: ***%'").fetchone()[0] == 2


def test_a_document_the_database_refuses_does_not_sink_its_batch(tmp_path, monkeypatch):
    import jixiao.db as jdb

    real = jdb.load_batch

    def picky(con, frames, replace):
        if frames["projects"]["budget"].is_in([12000.0]).any():  # 004's last project
            raise RuntimeError("disk full")
        return real(con, frames, replace)

    monkeypatch.setattr(jdb, "load_batch", picky)
    seeds = sorted((ROOT / "datasets" / "seeds").glob("*.txt"))
    seen = []
    reports = ingest_paths(seeds, tmp_path / "db.duckdb", derive=False, batch_size=4, on_file=seen.append)
    by = {Path(r.path).name[:3]: r for r in reports}
    assert by["004"].status == "failed" and "disk full" in by["004"].message
    assert [by[k].status for k in ("000", "001", "003")] == ["ok", "ok", "ok"]
    assert sorted(r.status for r in seen) == ["failed", "ok", "ok", "ok"]
    con = duckdb.connect(str(tmp_path / "db.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM projects").fetchone()[0] == 28


def test_links_in_a_folder_leaving_it_or_going_nowhere_are_refused(tmp_path):
    # A link in an ingest folder to a file outside it would copy that file's text (any file
    # the loading user may read) into a database others view.
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    outside = tmp_path / "secret.txt"
    outside.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    (folder / "seed.txt").write_text(SEED_004.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "secret.txt").symlink_to(outside)
    (folder / "gone.txt").symlink_to(folder / "missing.txt")
    (folder / "again.txt").symlink_to(folder / "seed.txt")  # inside the folder: the same file, once
    (folder / "sub" / "loop").symlink_to(folder)
    db = tmp_path / "db.duckdb"
    reports = ingest_paths([folder], db, derive=False)
    by = _statuses(reports)
    assert by["seed.txt"].status == "ok"
    assert by["secret.txt"].status == "failed" and "文件夹以外" in by["secret.txt"].message
    assert by["gone.txt"].status == "failed" and "不存在" in by["gone.txt"].message
    assert "again.txt" not in by and len(reports) == 3
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM source_lines WHERE text LIKE '%root:%'").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM documents WHERE source_path LIKE '%secret%'").fetchone()[0] == 0
    con.close()
    # named on the command line, a link is what the user asked for
    direct = ingest_paths([folder / "secret.txt"], tmp_path / "db2.duckdb", derive=False)[0]
    assert "文件夹以外" not in direct.message and "绩效" in direct.message


def test_a_folder_reached_through_a_link_gives_its_files_their_real_paths(tmp_path):
    # A file's identity is its real path: the listing resolves each folder once, and a folder
    # loaded through a link, or again by its own name, is the same files — nothing added twice.
    real = tmp_path / "2024" / "county"
    real.mkdir(parents=True)
    (real / "seed.txt").write_text(SEED_004.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "inbox").symlink_to(tmp_path / "2024")
    db = tmp_path / "db.duckdb"
    first = ingest_paths([tmp_path / "inbox"], db, derive=False)
    assert [r.status for r in first] == ["ok"]
    con = duckdb.connect(str(db), read_only=True)
    shown = con.execute("SELECT source_path FROM documents").fetchall()
    con.close()
    assert shown == [(str((real / "seed.txt").resolve()),)] and "inbox" not in shown[0][0]
    again = ingest_paths([real, tmp_path / "inbox" / "county" / "seed.txt"], db, derive=False)
    assert [r.status for r in again] == ["skipped"]
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == 1
    con.close()


def test_a_copy_of_a_file_that_fails_fails_too_and_is_never_skipped(tmp_path):
    (tmp_path / "a.pdf").write_bytes(b"")
    (tmp_path / "b.txt").write_bytes(b"")
    (tmp_path / "c.txt").write_bytes(b"\x00\x01binary" * 50)
    (tmp_path / "d.xls").write_bytes(b"\x00\x01binary" * 50)
    reports = ingest_paths([tmp_path], tmp_path / "db.duckdb", derive=False)
    by = _statuses(reports)
    assert [by[n].status for n in ("a.pdf", "b.txt", "c.txt", "d.xls")] == ["failed"] * 4
    assert "空" in by["b.txt"].message and "a.pdf" in by["b.txt"].message
    assert "二进制" in by["d.xls"].message


def test_a_program_or_an_archive_under_a_document_name_is_named_for_what_it_is(tmp_path):
    import gzip

    (tmp_path / "绩效.pdf").write_bytes(b"MZ\x90\x00\x03\x00\x00\x00" + bytes(range(256)) * 8)  # a Windows .exe
    (tmp_path / "自评.docx").write_bytes(b"\x7fELF\x02\x01\x01" + bytes(200))
    (tmp_path / "目标.xls").write_bytes(b"7z\xbc\xaf\x27\x1c" + bytes(200))
    (tmp_path / "表.doc").write_bytes(b"Rar!\x1a\x07\x00" + bytes(200))
    (tmp_path / "表.txt").write_bytes(gzip.compress("项目名称".encode() * 50))
    (tmp_path / "junk.xlsx").write_bytes(bytes(range(256)) * 8)  # binary of no known kind
    by = _statuses(ingest_paths([tmp_path], tmp_path / "db.duckdb", derive=False))
    assert all(r.status == "failed" for r in by.values()) and len(by) == 6
    assert "程序" in by["绩效.pdf"].message and "程序" in by["自评.docx"].message
    for name in ("目标.xls", "表.doc", "表.txt"):
        assert "压缩" in by[name].message, name
    # the suffix promised a document the content is not
    assert ".xlsx" in by["junk.xlsx"].message and "不是" in by["junk.xlsx"].message
    assert "文本" not in by["junk.xlsx"].message


def test_a_file_name_with_a_newline_or_quotes_stays_on_its_own_report_line(tmp_path):
    name = 'we"ird\'\nname\r\t.txt'
    (tmp_path / name).write_text(SEED_004.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    reports = ingest_paths([tmp_path], tmp_path / "db.duckdb", derive=False)
    by = _statuses(reports)
    assert by[name].status == "ok" and by[name].path.endswith(name)  # the report keeps the real name
    lines = [r.line() for r in reports]
    assert all("\n" not in s and "\r" not in s for s in lines)
    shown = next(s for s in lines if "weird" in s.replace('"', "").replace("'", ""))
    assert shown.startswith("ok ") and 'we"ird\'\\nname\\r\\t.txt' in shown
    con = duckdb.connect(str(tmp_path / "db.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM documents WHERE source_path LIKE ?", ["%\nname%"]).fetchone()[0] == 1
    con.close()


def test_a_truncated_word_97_file_says_which_part_is_damaged(tmp_path):
    data = (ROOT / "tests" / "fixtures" / "formats" / "seed000.doc").read_bytes()
    (tmp_path / "cut.doc").write_bytes(data[: len(data) // 2])
    rep = ingest_paths([tmp_path / "cut.doc"], tmp_path / "db.duckdb", derive=False)[0]
    assert rep.status == "failed"
    assert "cut.doc：文件损坏或不完整，无法打开（Word 文档的 OLE2 复合文件损坏）" in rep.message
