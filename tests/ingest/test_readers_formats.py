"""The readers for what a bureau receives besides .txt/.xlsx/.docx: PDF, Word 97 .doc, Excel 97
.xls, .ods, HTML tables saved as .xls, Excel 2003 XML — type detected from the content.

The fixtures in tests/fixtures/formats/ were made from the seeds and the hand-written
documents (make_fixtures.py says how); each must give the same projects and indicators, field
by field, as the text it was made from.
"""

from __future__ import annotations

import gzip
import re
import shutil
import tempfile
from pathlib import Path

import pytest

from jixiao.ingest import collect_files, parse_file
from jixiao.model import ReadError
from jixiao.readers import DOCUMENT_SUFFIXES, detect, read_file
from jixiao.readers.html import read_html
from jixiao.readers.pdf import _join_lines

ROOT = Path(__file__).resolve().parents[2]
FORMATS = ROOT / "tests" / "fixtures" / "formats"
HANDWRITTEN = ROOT / "tests" / "fixtures" / "handwritten"
SEEDS = ROOT / "datasets" / "seeds"


def seed(number: str) -> Path:
    return next(SEEDS.glob(f"{number}_*.txt"))


def fixture(name: str, tmp_path: Path) -> Path:
    """Given a fixture name, returns its path (a gzipped fixture is unpacked into tmp_path)."""
    path = FORMATS / name
    if path.exists():
        return path
    packed = FORMATS / f"{name}.gz"
    target = tmp_path / name
    target.write_bytes(gzip.decompress(packed.read_bytes()))
    return target


# ---------------------------------------------------------------- same facts as the source

PROJECT_FIELDS = ["kind", "year", "name", "unit", "department", "code", "budget", "executed", "budget_points",
                  "budget_score_reported", "total_score_reported", "fund_fiscal", "fund_carryover", "fund_other",
                  "goal", "goal_summary", "fund_use", "spend_plan", "province", "city", "county"]
INDICATOR_FIELDS = ["level1", "level2", "level1_raw", "level2_raw", "level1_points", "name", "description",
                    "target_raw", "target_op", "target_value", "target_unit", "declared_type", "is_quantitative",
                    "weight", "actual_raw", "actual_value", "score_reported", "scoring_rule", "last_year_raw",
                    "basis", "evidence", "reason"]

CASES = [
    (seed(n), f"seed{n}.{ext}") for n in ("000", "001", "003", "004") for ext in ("pdf", "doc", "xls", "ods")
] + [
    (seed("004"), "seed004_html.xls"),
    (seed("004"), "seed004_xml2003.xls"),
    (HANDWRITTEN / "goal_inline_wengniute.txt", "wengniute_html.xls"),
    (HANDWRITTEN / "goal_inline_wengniute.txt", "wengniute.ods"),
    (HANDWRITTEN / "selfeval_zhangye.txt", "zhangye_html.xls"),
    (HANDWRITTEN / "selfeval_zhangye.txt", "zhangye.xls"),
    (HANDWRITTEN / "selfeval_zhangye.txt", "zhangye_pagebreak.pdf"),
    (HANDWRITTEN / "goal_shifted_yilong.txt", "yilong.pdf"),
    (HANDWRITTEN / "goal_shifted_yilong.txt", "yilong.doc"),
]


def _norm(value):
    """Given a field value, returns it comparable across formats: text without whitespace (a
    PDF cannot keep a space where a line wrapped), numbers rounded."""
    if isinstance(value, str):
        return re.sub(r"\s+", "", value)
    if isinstance(value, float):
        return round(value, 6)
    return value


def _facts(path: Path):
    parsed = parse_file(path)
    frames = parsed.frames
    return parsed.report, frames["projects"].to_dicts(), frames["indicators"].to_dicts()


@pytest.mark.parametrize(("source", "name"), CASES, ids=[name for _, name in CASES])
def test_fixture_gives_the_same_facts_as_its_source(source: Path, name: str, tmp_path: Path) -> None:
    ref_report, ref_projects, ref_indicators = _facts(source)
    report, projects, indicators = _facts(fixture(name, tmp_path))
    assert report.status == ref_report.status == "ok", report.message
    assert (len(projects), len(indicators)) == (len(ref_projects), len(ref_indicators))
    assert ref_indicators, "the source itself must have indicators"
    diffs = []
    for want, got in zip(ref_projects, projects):
        diffs += [(want["seq"], k, want[k], got[k]) for k in PROJECT_FIELDS
                  if _norm(want[k]) != _norm(got[k])]
    for want, got in zip(ref_indicators, indicators):
        diffs += [(want["indicator_id"][-7:], k, want[k], got[k]) for k in INDICATOR_FIELDS
                  if _norm(want[k]) != _norm(got[k])]
    assert diffs == []


# ---------------------------------------------------------------- detection by content


@pytest.mark.parametrize(("name", "kind"), [
    ("seed004.pdf", "pdf"), ("seed004.doc", "doc"), ("seed004.xls", "xls"), ("seed004.ods", "ods"),
    ("seed004_html.xls", "html"), ("seed004_xml2003.xls", "xml2003"), ("encrypted.doc", "doc"),
    ("encrypted.xls", "xls"), ("scan.pdf", "pdf"),
])
def test_type_comes_from_the_content_not_the_name(name: str, kind: str, tmp_path: Path) -> None:
    original = fixture(name, tmp_path)
    assert detect(original) == kind
    renamed = tmp_path / "renamed.txt"  # the wrong suffix changes nothing
    shutil.copyfile(original, renamed)
    assert detect(renamed) == kind
    if kind in ("pdf", "xls", "ods", "html") and name != "scan.pdf" and "encrypted" not in name:
        assert read_file(renamed).file_type == kind  # (the .doc facts tests read .doc files)


def test_xlsx_named_xls_and_text_named_xls_are_read_by_their_content(tmp_path: Path) -> None:
    from jixiao.writers import rows_to_xlsx

    book = tmp_path / "export.xls"
    rows_to_xlsx([[["项目名称", "x"], ["一级指标", "5"]]], book)
    assert read_file(book).file_type == "xlsx"
    text = tmp_path / "export2.xls"  # a tab-separated "Excel" export
    text.write_text("项目名称\t社保卡\n预算单位\t某某局\n", encoding="gb18030")
    result = read_file(text)
    assert result.file_type == "text" and result.rows[0].cells == ("项目名称", "社保卡")


def test_folder_walk_takes_document_suffixes_and_named_files_any_suffix(tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    for name in ("seed004.pdf", "seed004.xls", "seed004.ods", "seed004_html.xls", "seed000.doc"):
        shutil.copyfile(fixture(name, tmp_path), folder / name)
    (folder / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 100)
    (folder / "setup.exe").write_bytes(b"MZ" + b"\0" * 100)
    (folder / "~$seed004.doc").write_bytes(b"lock file")
    files, bad = collect_files([folder])
    assert sorted(f.name for f in files) == ["seed000.doc", "seed004.ods", "seed004.pdf", "seed004.xls",
                                             "seed004_html.xls"]
    assert bad == [] and {".pdf", ".doc", ".xls", ".ods", ".html", ".xlsx", ".docx", ".txt"} <= DOCUMENT_SUFFIXES
    odd = tmp_path / "scan_0001.dat"
    shutil.copyfile(FORMATS / "seed004.pdf", odd)
    files, bad = collect_files([odd])
    assert files == [odd] and bad == []
    assert parse_file(odd).report.projects == 9


# ---------------------------------------------------------------- PDF


def test_pdf_rows_keep_page_and_position() -> None:
    import pdfplumber

    with pdfplumber.open(FORMATS / "seed004.pdf") as pdf:
        pages = len(pdf.pages)
    result = read_file(FORMATS / "seed004.pdf")
    assert [row.line for row in result.rows] == list(range(1, len(result.rows) + 1))
    assert {row.sheet for row in result.rows} == {f"第{p}页" for p in range(1, pages + 1)}
    for row in result.rows:
        assert result.text_lines[row.line - 1] == f"{row.sheet}!{row.line}\t" + "\t".join(row.cells)
    # Titles and year lines outside the tables come in reading order, before their table.
    first = [row.cells for row in result.rows[:3]]
    assert first[0] == ("项目支出绩效目标表",) and first[1] == ("(2023年)",) and first[2][0] == "预算单位"


def test_pdf_source_lines_are_stored_with_their_page(tmp_path: Path) -> None:
    parsed = parse_file(FORMATS / "seed004.pdf")
    lines = parsed.frames["source_lines"].to_dicts()
    assert lines[0] == {"doc_id": parsed.report.doc_id, "line": 1, "text": "[第1页] 项目支出绩效目标表"}
    first = parsed.frames["indicators"].row(0, named=True)
    shown = next(line["text"] for line in lines if line["line"] == first["source_line"])
    assert first["source_sheet"] == "第1页" and shown.startswith("[第1页] 产出指标") and first["name"] in shown


def test_pdf_table_over_page_breaks_is_stitched() -> None:
    import pdfplumber

    path = FORMATS / "zhangye_pagebreak.pdf"
    with pdfplumber.open(path) as pdf:  # the file repeats the header on every page it runs onto
        raw_headers = sum(1 for page in pdf.pages for table in page.extract_tables()
                          for row in table if [(c or "").replace("\n", "") for c in row[:2]] == ["一级指标", "二级指标"])
    from jixiao.readers.text import read_text

    source = read_text(HANDWRITTEN / "selfeval_zhangye.txt")
    in_source = sum(1 for row in source.rows if row.cells[:2] == ("一级指标", "二级指标"))
    result = read_file(path)
    headers = [row for row in result.rows if row.cells[:2] == ("一级指标", "二级指标")]
    assert raw_headers > len(headers) == in_source
    # A row split by the page break is glued back: its tail on the next page is gone.
    assert not any(row.cells and [c for c in row.cells if c] == ["分。"] for row in result.rows)
    rule = next(row for row in result.rows if "指标1: 艾滋病检测人次" in row.cells)
    assert rule.sheet == "第1页" and any(c.endswith("该指标分值记分。") for c in rule.cells)
    # The budget header row of project 2 ran over a page break in all its cells.
    header = next(row for row in result.rows if "年初预算数(A)" in row.cells)
    assert {"分值 (10分)", "执行率(B/A)", "得分计算方法", "项目资金(万元)"} <= set(header.cells)


@pytest.mark.parametrize(("lines", "text"), [
    (["10", "0"], "100"), (["50.", "00"], "50.00"), (["2026", "年12", "月31", "日前"], "2026年12月31日前"),
    (["满意度指", "标"], "满意度指标"), (["Hello", "world"], "Hello world"), (["≥95", "%"], "≥95%"),
    (["B/A或", "A/B"], "B/A或A/B"),
])
def test_pdf_wrapped_lines_join_without_spaces(lines: list[str], text: str) -> None:
    assert _join_lines(lines) == text


def test_scan_fails_in_chinese_never_ok(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="扫描件.*OCR"):
        read_file(FORMATS / "scan.pdf")
    report = parse_file(FORMATS / "scan.pdf").report
    assert report.status == "failed" and "扫描件" in report.message and report.projects == 0


def test_pdf_with_a_scanned_page_is_partial_and_keeps_the_rest(tmp_path: Path) -> None:
    import pypdfium2 as pdfium

    mixed = pdfium.PdfDocument.new()
    mixed.import_pages(pdfium.PdfDocument(str(FORMATS / "seed004.pdf")))
    mixed.import_pages(pdfium.PdfDocument(str(FORMATS / "scan.pdf")))
    path = tmp_path / "mixed.pdf"
    mixed.save(str(path))
    report = parse_file(path).report
    assert report.status == "partial" and report.projects == 9
    assert f"第{len(mixed)}页没有文字层" in report.message


def _grid_pdf(path: Path, lines: int, size: int = 3000) -> Path:
    """Writes a one-page PDF of `lines` horizontal and `lines` vertical ruling lines crossing
    over the whole page (a drawing's grid; about 20 KB at 400 x 400) and a word, and returns
    its path."""
    ops = []
    for k in range(lines):
        at = 50 + (size - 100) * k / lines
        ops += [f"50 {at:.2f} m {size - 50} {at:.2f} l S", f"{at:.2f} 50 m {at:.2f} {size - 50} l S"]
    ops.append(f"BT /F1 12 Tf 60 {size - 40} Td (Plan) Tj ET")  # a text layer: the page is read
    content = "\n".join(ops).encode()
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>" % (size, size),
            b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    pdf, offsets = b"%PDF-1.4\n", []
    for i, obj in enumerate(objs, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1) + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    path.write_bytes(pdf)
    return path


def test_pdf_page_of_too_many_ruling_lines_is_skipped_and_the_rest_kept(tmp_path: Path) -> None:
    # pdfplumber compares every crossing of two lines with every other to form cells: a page of
    # 400 x 400 lines (160,000 crossings) kept it busy for minutes. It is skipped, and said so.
    import pypdfium2 as pdfium

    mixed = pdfium.PdfDocument.new()
    mixed.import_pages(pdfium.PdfDocument(str(FORMATS / "seed004.pdf")))
    mixed.import_pages(pdfium.PdfDocument(str(_grid_pdf(tmp_path / "grid.pdf", 400))))
    path = tmp_path / "mixed.pdf"
    mixed.save(str(path))
    report = parse_file(path).report
    assert report.status == "partial" and report.projects == 9
    assert f"第{len(mixed)}页的线条过多（横线 400 条、竖线 400 条" in report.message and "未读取该页" in report.message
    # alone it fails, and the message says why nothing was found
    alone = parse_file(tmp_path / "grid.pdf").report
    assert alone.status == "failed" and "未找到绩效目标表" in alone.message and "第1页的线条过多" in alone.message


def test_pdf_pages_beyond_the_files_line_budget_are_skipped_and_named(monkeypatch) -> None:
    # Pages under the page limit still cost the crossings squared each: a file of many (1,000
    # pages of drawings) has a budget of WORK_PAGES pages at the limit, then its pages are skipped.
    from jixiao.readers import limits
    from jixiao.readers import pdf

    monkeypatch.setattr(limits, "MAX_PDF_CROSSINGS", 240)  # seed001's pages cross 96–236 times
    monkeypatch.setattr(pdf, "WORK_PAGES", 3)  # 172,800: its first seven pages (172,249)
    report = parse_file(FORMATS / "seed001.pdf").report
    assert report.status == "partial" and 0 < report.projects < 8
    assert "第8页、第9页" in report.message and "（共 12 页）的线条过多" in report.message
    assert "第7页" not in report.message


def test_pdf_table_finder_spends_the_work_budget() -> None:
    import pdfplumber

    from jixiao.readers.pdf import _TooManyLines, find_tables

    with pdfplumber.open(FORMATS / "seed000.pdf") as doc:
        page = doc.pages[0]  # 157 crossings
        work = [157 ** 2 + 1]
        assert find_tables(page, work) and work == [1]
        with pytest.raises(_TooManyLines):
            find_tables(page, work)


def test_pdf_tables_are_pdfplumbers_own() -> None:
    # the guarded table finder takes pdfplumber's steps: the same tables on every page
    import pdfplumber

    from jixiao.readers.pdf import find_tables

    for name in ("seed000.pdf", "seed004.pdf", "yilong.pdf", "zhangye_pagebreak.pdf"):
        with pdfplumber.open(FORMATS / name) as pdf:
            for page in pdf.pages:
                ours = [(t.bbox, t.cells) for t in find_tables(page)]
                assert ours and ours == [(t.bbox, t.cells) for t in page.find_tables()], (name, page.page_number)


@pytest.mark.parametrize("name", ["encrypted.pdf", "encrypted.doc", "encrypted.xls"])
def test_encrypted_files_fail_with_that_reason(name: str) -> None:
    report = parse_file(FORMATS / name).report
    assert report.status == "failed" and "密码保护" in report.message


def test_encrypted_ooxml_package_fails_with_that_reason(tmp_path: Path) -> None:
    # An encrypted .xlsx/.docx is an OLE2 file holding EncryptionInfo and EncryptedPackage.
    path = tmp_path / "locked.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "EncryptionInfo".encode("utf-16-le"))
    assert "密码保护" in parse_file(path).report.message


# ---------------------------------------------------------------- .doc, .xls, .ods, HTML, XML 2003


def test_doc_conversion_leaves_no_temporary_files(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    result = read_file(FORMATS / "seed004.doc")
    assert result.file_type == "doc" and len(result.rows) == 134
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["formats.xls", "formats.ods"])
def test_xls_and_ods_show_numbers_as_formatted_and_resolve_merges(name: str) -> None:
    rows = {row.line: row.cells for row in read_file(FORMATS / name).rows}
    assert rows[1] == ("项目支出绩效自评表", "", "", "", "")  # merged across: text in A only
    assert rows[3] == ("完成率", "96%", "2025-12-31", "17.5", "98.5%")  # not 0.96, not a serial date
    assert [rows[r][:3] for r in (4, 5, 6)] == [("产出指标", "数量指标", "天数"), ("产出指标", "数量指标", "次数"),
                                               ("产出指标", "", "人数")]  # vertical merges copied down
    assert rows[6][3] == "0.5"


def test_html_table_charset_from_meta_and_spans() -> None:
    raw = (FORMATS / "seed004_html.xls").read_bytes()
    assert b"charset=gb2312" in raw and "库尔勒".encode("gb18030") in raw
    result = read_file(FORMATS / "seed004_html.xls")
    assert result.encoding == "gb18030"
    rows = [row.cells for row in result.rows]
    assert rows[0][0] == "项目支出绩效目标表" and rows[2][:3] == ("预算单位", "", "库尔勒市社会保险中心")
    at = next(i for i, cells in enumerate(rows) if "领取退休人员待遇" in cells)
    # rowspan="4" 产出指标 and rowspan="2" 数量指标: repeated down their first column.
    assert [cells[:3] for cells in rows[at:at + 3]] == [
        ("产出指标", "数量指标", "领取退休人员待遇"), ("产出指标", "数量指标", "发放补助次数"),
        ("产出指标", "质量指标", "发放退休人员补差")]


def test_html_reader_on_a_hand_written_export(tmp_path: Path) -> None:
    page = ("<html><head><meta charset='GBK'><title>不显示</title><style>td{}</style></head><body>"
            "<h3>2024年度项目支出绩效自评表</h3><p>单位：某某局&nbsp;</p><table>"
            "<tr><th rowspan=2>一级指标</th><th colspan=2>指标</th><td>x</td></tr>"
            "<tr><td>A<br>B</td><td>&lt;=5%</td><td>y</td></tr>"
            "<tr><td colspan=4>说明<table><tr><td>内</td></tr></table></td></tr></table>"
            "<script>var a = '<td>no</td>';</script></body></html>")
    path = tmp_path / "export.xls"
    path.write_bytes(page.encode("gbk"))
    result = read_html(path)
    assert [(r.sheet, r.cells) for r in result.rows] == [
        (None, ("2024年度项目支出绩效自评表",)),
        (None, ("单位：某某局",)),
        ("表格1", ("一级指标", "指标", "", "x")),
        ("表格1", ("一级指标", "A B", "<=5%", "y")),
        ("表格1", ("说明 内", "", "", "")),
    ]
    assert result.text_lines[2] == "表格1!3\t一级指标\t指标\t\tx"


def test_xml2003_percent_and_merges() -> None:
    result = read_file(FORMATS / "seed004_xml2003.xls")
    rows = [row.cells for row in result.rows]
    at = next(i for i, cells in enumerate(rows) if "领取退休人员待遇" in cells)
    assert rows[at + 1][:3] == ("产出指标", "数量指标", "发放补助次数")
    assert all(not re.fullmatch(r"0\.\d+", c) for cells in rows for c in cells)  # percents stay percents


# ---------------------------------------------------------------- Chinese messages


@pytest.mark.parametrize("name", ["seed004.pdf", "seed004.xls", "seed004.ods", "seed000.doc", "formats.xls"])
def test_truncated_files_fail_in_chinese(name: str, tmp_path: Path) -> None:
    data = fixture(name, tmp_path).read_bytes()
    path = tmp_path / f"cut_{name}"
    path.write_bytes(data[: len(data) // 3])
    report = parse_file(path).report
    assert report.status in ("failed", "partial")
    assert report.message and re.search(r"[\u4e00-\u9fff]", report.message) and "Traceback" not in report.message


def test_one_registry_covers_every_detected_type() -> None:
    import inspect

    from jixiao.readers import LAYOUT_OF, READERS, REFUSED, container

    returned = set(re.findall(r'return "([a-z0-9]+)"', inspect.getsource(container.sniff)))
    returned |= set(re.findall(r'return "([a-z0-9]+)"', inspect.getsource(container._sniff_ole)))
    returned |= set(re.findall(r'return "([a-z0-9]+)"', inspect.getsource(container._sniff_zip)))
    assert returned and returned <= set(READERS) | set(REFUSED)
    assert set(READERS) == set(LAYOUT_OF) and not set(READERS) & set(REFUSED)
    assert all(re.search(r"[\u4e00-\u9fff]", reason) for reason in REFUSED.values())


@pytest.mark.parametrize("name, file_type", [("seed004_html.xls", "html"), ("seed004.xls", "xls"),
                                             ("seed004.pdf", "pdf"), ("seed004.doc", "doc")])
def test_documents_record_the_type_the_content_has(name, file_type):
    from jixiao.ingest import parse_file

    doc = parse_file(FORMATS / name).frames["documents"].row(0, named=True)
    assert (doc["file_type"], doc["status"]) == (file_type, "ok")


def test_html_cut_inside_a_table_keeps_its_rows_and_is_partial(tmp_path: Path) -> None:
    # An HTML page saved as .xls, cut in the middle of a table (a broken download): the rows
    # of the open table are kept, and the document is partial, never ok.
    data = (FORMATS / "seed004_html.xls").read_bytes()
    cut = data.rindex(b"<tr>", 0, len(data) // 2) + 2
    whole = read_html(FORMATS / "seed004_html.xls")
    part = read_html(tmp_path / "cut.xls", data[:cut])
    assert part.problems and "未结束" in part.problems[0]
    assert part.rows[-1].cells == whole.rows[len(part.rows) - 1].cells  # the last full row is there
    f = tmp_path / "cut.xls"
    f.write_bytes(data[:cut])
    rep = parse_file(f).report
    assert rep.status == "partial" and "未结束" in rep.message
    assert "未结束" not in " ".join(read_html(FORMATS / "seed004_html.xls").problems)


def _items(spec):
    from jixiao.readers.pdf import _Item

    return [_Item(page, top, text if isinstance(text, list) else [text]) for text, page, top in spec]


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["第1页", "共3页", "x" * 41, "项目", ["第1", "页"], ["x" * 20, "x" * 21]]),
                          st.integers(1, 4), st.sampled_from([10.0, 11.5, 12.9, 13.0, 15.99, 16.0, 700.0])),
                max_size=30), st.sets(st.integers(0, 29), max_size=6))
def test_pdf_running_lines_are_those_repeated_on_another_page_at_the_same_height(spec, in_table) -> None:
    from jixiao.readers.pdf import _running

    items = _items(spec)
    for k in in_table & set(range(len(items))):
        items[k].table = object()  # a table row: never running text, and not a repeat of one

    def text(it):
        return "".join(it.cells)

    # the definition: a text line whose joined text (at most 40 characters) is a text line's on
    # at least two pages, each within 3 points of this line's height
    lines = [it for it in items if it.table is None]
    expected = {id(it) for it in lines
                if len(text(it)) <= 40 and len({o.page for o in lines if text(o) == text(it)
                                                and abs(o.top - it.top) < 3}) >= 2}
    assert _running(items) == expected


def test_pdf_many_identical_lines_are_judged_without_comparing_each_pair() -> None:
    from jixiao.readers.pdf import _running

    # 200 pages of 200 equal lines (a text export of a form letter): 40,000 lines, compared
    # pairwise 1.6 billion times before
    items = _items([("同上", page, 20.0 + 3.5 * k) for page in range(1, 201) for k in range(200)])
    assert len(_running(items)) == 40_000
    items.append(_items([("同上", 1, 5000.0)])[0])  # a line at a height no other page has
    assert id(items[-1]) not in _running(items)
