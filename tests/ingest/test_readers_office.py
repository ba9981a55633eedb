"""Tests for the xlsx/docx readers and the writers that make office fixtures.

Fixtures are built both with `jixiao.writers` and directly with openpyxl / python-docx, so the
readers are not only checked against their own writer.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jixiao.ingest import parse_file
from jixiao.model import ReadError, ReadResult, Row
from jixiao.readers import read_file
from jixiao.readers.docx import read_docx
from jixiao.readers.xlsx import read_xlsx
from jixiao.writers import rows_to_docx, rows_to_xlsx, text_to_blocks

SEEDS = Path(__file__).resolve().parents[2] / "datasets" / "seeds"


def by_line(result: ReadResult, sheet: str | None = None) -> dict[int, tuple[str, ...]]:
    """Given a read result (and optionally a sheet), returns {line: cells} of its rows."""
    return {row.line: row.cells for row in result.rows if sheet is None or row.sheet == sheet}


def trimmed(cells: tuple[str, ...]) -> tuple[str, ...]:
    """Given cells, returns them without trailing empty cells."""
    cells = list(cells)
    while cells and not cells[-1]:
        cells.pop()
    return tuple(cells)


# ---------------------------------------------------------------- xlsx built with openpyxl


@pytest.fixture
def openpyxl_workbook(tmp_path: Path) -> Path:
    """Given tmp_path, returns an xlsx with merges, number formats, two tables and two sheets."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "目标表"
    ws["A1"] = "项目支出绩效目标表"
    ws.merge_cells("A1:F1")
    ws["A3"] = "项目名称"
    ws["B3"] = "  社保卡\n制卡经费 "
    ws.merge_cells("B3:F3")
    for col, text in enumerate(["一级指标", "二级指标", "三级指标", "指标值", "分值", "执行率"], start=1):
        ws.cell(row=5, column=col, value=text)
    ws["A6"] = "产出指标"
    ws.merge_cells("A6:A8")
    ws["B6"] = "数量指标"
    ws.merge_cells("B6:B7")
    ws["B8"] = "质量指标"
    ws["C6"], ws["D6"], ws["E6"], ws["F6"] = "维护天数", 365.0, 5.0, 1.0
    ws["F6"].number_format = "0%"
    ws["C7"], ws["D7"], ws["E7"], ws["F7"] = "预算", 17.52, 10, 0.985
    ws["F7"].number_format = "0.0%"
    ws["C8"], ws["D8"] = "完成时间", dt.date(2025, 12, 31)
    ws["D8"].number_format = "yyyy-mm-dd"
    # Row 9 blank, then a second table on the same sheet.
    ws["A10"] = "项目名称"
    ws["B10"] = "第二个项目"
    ws["A11"] = "资金"
    ws["B11"] = 0.1 + 0.2
    other = wb.create_sheet("自评表")
    other["B2"] = "年度总体目标"
    other["C2"] = "=3人"  # text starting with "=": openpyxl would store a formula, so force text
    other["C2"].data_type = "s"
    path = tmp_path / "openpyxl.xlsx"
    wb.save(path)
    return path


def test_xlsx_vertical_merge_copies_into_each_row(openpyxl_workbook: Path) -> None:
    rows = by_line(read_xlsx(openpyxl_workbook), "目标表")
    assert [rows[n][0] for n in (6, 7, 8)] == ["产出指标"] * 3
    assert [rows[n][1] for n in (6, 7, 8)] == ["数量指标", "数量指标", "质量指标"]


def test_xlsx_horizontal_merge_keeps_first_column_only(openpyxl_workbook: Path) -> None:
    rows = by_line(read_xlsx(openpyxl_workbook), "目标表")
    assert rows[1] == ("项目支出绩效目标表", "", "", "", "", "")
    assert rows[3] == ("项目名称", "社保卡 制卡经费", "", "", "", "")


def test_xlsx_numbers_percentages_dates(openpyxl_workbook: Path) -> None:
    rows = by_line(read_xlsx(openpyxl_workbook), "目标表")
    assert rows[6][3:] == ("365", "5", "100%")
    assert rows[7][3:] == ("17.52", "10", "98.5%")
    assert rows[8][3] == "2025-12-31"
    assert rows[11][1] == "0.3"


def test_xlsx_two_tables_one_sheet_and_two_sheets(openpyxl_workbook: Path) -> None:
    result = read_xlsx(openpyxl_workbook)
    assert [row.sheet for row in result.rows] == ["目标表"] * 8 + ["自评表"]
    # Blank rows are dropped but the remaining rows keep their true Excel row numbers.
    assert [row.line for row in result.rows] == [1, 3, 5, 6, 7, 8, 10, 11, 2]
    assert by_line(result, "目标表")[10][:2] == ("项目名称", "第二个项目")
    assert result.rows[-1] == Row(cells=("", "年度总体目标", "=3人"), line=2, sheet="自评表")
    assert result.text_lines[0] == "目标表!1\t项目支出绩效目标表\t\t\t\t\t"
    assert result.text_lines[-1] == "自评表!2\t\t年度总体目标\t=3人"
    assert result.notes == [] and result.problems == []


def test_xlsx_broken_sheet_is_skipped_with_note(openpyxl_workbook: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken_sheet.xlsx"
    with zipfile.ZipFile(openpyxl_workbook) as src, zipfile.ZipFile(broken, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet2.xml":
                data = b"<worksheet><sheetData><row><c r="
            dst.writestr(item, data)
    try:
        result = read_xlsx(broken)
    except ReadError:
        pytest.skip("calamine rejects the whole workbook for one broken sheet")
    assert {row.sheet for row in result.rows} == {"目标表"}
    assert any("自评表" in problem for problem in result.problems)  # the document becomes partial


def _formula_workbook(path: Path, cached: str | None) -> Path:
    """A self-evaluation block whose 合计 weight is =SUM(...): saved by openpyxl (no result in
    the file), or with the result Excel would have saved (`cached`)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "自评表"
    for row in (["三级指标", "权重"], ["发放人数", 30], ["满意度", 70], ["合计", "=SUM(B2:B3)"]):
        ws.append(row)
    wb.save(path)
    if cached is not None:  # as Excel saves it: the formula and its value
        with zipfile.ZipFile(path) as src:
            items = [(i, src.read(i.filename)) for i in src.infolist()]
        with zipfile.ZipFile(path, "w") as dst:
            for item, data in items:
                if item.filename == "xl/worksheets/sheet1.xml":
                    data = re.sub(rb"(<f>SUM\(B2:B3\)</f>)(<v\s*/>|<v></v>)?", rb"\1<v>" + cached.encode() + rb"</v>", data)
                dst.writestr(item, data)
    return path


def test_xlsx_formula_without_a_saved_result_is_a_problem_not_a_silent_blank(tmp_path: Path) -> None:
    result = read_xlsx(_formula_workbook(tmp_path / "formula.xlsx", None))
    assert by_line(result, "自评表")[4] == ("合计", "")  # nothing to read: blank, and said so
    assert len(result.problems) == 1
    assert "自评表" in result.problems[0] and "B4" in result.problems[0] and "公式" in result.problems[0]


def test_column_letters_as_excel_writes_them() -> None:
    from jixiao.readers.xlsx import _column_letters, _column_index

    assert [_column_letters(i) for i in (0, 25, 26, 27, 701, 702)] == ["A", "Z", "AA", "AB", "ZZ", "AAA"]
    assert all(_column_index(_column_letters(i).encode()) == i for i in range(2000))


def test_xlsx_formula_saved_with_its_result_reads_the_result(tmp_path: Path) -> None:
    result = read_xlsx(_formula_workbook(tmp_path / "saved.xlsx", "100"))
    assert by_line(result, "自评表")[4] == ("合计", "100")
    assert result.problems == []


# ---------------------------------------------------------------- xlsx built with the writer


def test_rows_to_xlsx_writes_numbers_and_merges(tmp_path: Path) -> None:
    block = [
        ["项目名称", "社保网络维护"],
        ["一级指标", "二级指标", "三级指标", "指标值", "执行率"],
        ["产出指标", "数量指标", "天数", "5", "100%"],
        ["", "", "金额", "17.52", "98.5%"],
        ["", "质量指标", "处理率", "=100%", "0.00"],
    ]
    path = tmp_path / "writer.xlsx"
    rows_to_xlsx([block, [["资金", "3"]]], path)
    ws = openpyxl.load_workbook(path).active
    assert (ws["D3"].value, ws["D4"].value) == (5, 17.52)
    assert ws["E3"].value == 1.0 and "%" in ws["E3"].number_format
    assert ws["D5"].value == "=100%" and ws["D5"].data_type == "s"
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"B1:E1", "A3:A5", "B3:B4"} <= merged
    rows = by_line(read_xlsx(path))
    assert rows[1] == ("项目名称", "社保网络维护", "", "", "")
    assert [rows[n][:2] for n in (3, 4, 5)] == [("产出指标", "数量指标"), ("产出指标", "数量指标"), ("产出指标", "质量指标")]
    assert rows[3][3:] == ("5", "100%") and rows[4][3:] == ("17.52", "98.5%")
    assert rows[5][3:] == ("=100%", "0")
    assert 6 not in rows and rows[7][:2] == ("资金", "3")  # blank separator row between tables


def test_rows_to_xlsx_sheet_per_block(tmp_path: Path) -> None:
    path = tmp_path / "sheets.xlsx"
    rows_to_xlsx([[["a", "1"]], [["b", "2"]]], path, sheet_names=["甲", "乙"], merge_levels=False)
    result = read_xlsx(path)
    assert [(r.sheet, r.line, r.cells) for r in result.rows] == [("甲", 1, ("a", "1")), ("乙", 1, ("b", "2"))]


# ---------------------------------------------------------------- docx built with python-docx


@pytest.fixture
def python_docx_document(tmp_path: Path) -> Path:
    """Given tmp_path, returns a docx: paragraphs, a merged table, a page break, its continuation."""
    document = docx.Document()
    document.add_paragraph("项目支出绩效目标表")  # line 1
    document.add_paragraph("")  # line 2, empty
    document.add_paragraph("(2025) 年度")  # line 3
    table = document.add_table(rows=5, cols=4)  # lines 4-8
    texts = [
        ["项目名称", "社保网络维护", "", ""],
        ["一级指标", "二级指标", "三级指标", "指标值"],
        ["产出指标", "数量指标", "维护天数", "365"],
        ["", "", "故障处理", "100%"],
        ["", "质量指标", "满意度", "≥95%"],
    ]
    for row, values in zip(table.rows, texts):
        for cell, text in zip(row.cells, values):
            cell.text = text
    table.cell(0, 1).merge(table.cell(0, 3))
    table.cell(2, 0).merge(table.cell(4, 0))
    table.cell(2, 1).merge(table.cell(3, 1))
    # Two paragraphs in one cell and a nested table in another.
    table.cell(2, 2).add_paragraph("（天）")
    nested = table.cell(4, 3).add_table(rows=1, cols=2)
    nested.cell(0, 0).text, nested.cell(0, 1).text = "附", "表"
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)  # line 9, empty
    table2 = document.add_table(rows=3, cols=4)  # lines 10-12
    table2.cell(0, 0).text, table2.cell(0, 2).text = "效益指标", "社会效益"
    table2.cell(1, 2).text = "生态效益"
    table2.cell(0, 0).merge(table2.cell(1, 0))
    table2.cell(2, 2).text, table2.cell(2, 3).text = "可持续影响", "长期"
    # The last row starts one grid column in (gridBefore), as some converters write.
    tr = table2.rows[2]._tr
    tr.remove(tr.tc_lst[0])
    grid_before = OxmlElement("w:gridBefore")
    grid_before.set(qn("w:val"), "1")
    tr.get_or_add_trPr().insert(0, grid_before)
    document.add_paragraph("填表人: 张三")  # line 13
    path = tmp_path / "python-docx.docx"
    document.save(path)
    return path


def test_docx_paragraphs_tables_and_line_numbers(python_docx_document: Path) -> None:
    result = read_docx(python_docx_document)
    assert [(r.line, r.sheet) for r in result.rows] == [
        (1, None), (3, None),
        (4, "表格1"), (5, "表格1"), (6, "表格1"), (7, "表格1"), (8, "表格1"),
        (10, "表格2"), (11, "表格2"), (12, "表格2"),
        (13, None),
    ]  # fmt: skip
    assert result.text_lines[1] == "" and result.text_lines[8] == ""
    assert result.rows[0].cells == ("项目支出绩效目标表",)
    # Table rows are shown with their table and line, so the source view can find them.
    for row in result.rows:
        prefix = f"{row.sheet}!{row.line}\t" if row.sheet else ""
        assert result.text_lines[row.line - 1] == prefix + "\t".join(row.cells)


def test_docx_merges(python_docx_document: Path) -> None:
    rows = by_line(read_docx(python_docx_document))
    assert rows[4] == ("项目名称", "社保网络维护", "", "")  # gridSpan: text in the first column
    assert rows[6] == ("产出指标", "数量指标", "维护天数 （天）", "365")
    assert rows[7] == ("产出指标", "数量指标", "故障处理", "100%")  # vMerge copied down
    assert rows[8] == ("产出指标", "质量指标", "满意度", "≥95% 附 表")  # nested table flattened
    assert rows[10] == ("效益指标", "", "社会效益", "")
    assert rows[11] == ("效益指标", "", "生态效益", "")
    assert rows[12] == ("", "", "可持续影响", "长期")  # gridBefore shifts the row's cells


def test_rows_to_docx_split_table_and_paragraphs(tmp_path: Path) -> None:
    block = [
        ["项目名称", "社保网络维护"],
        ["一级指标", "二级指标", "三级指标"],
        ["产出指标", "数量指标", "天数"],
        ["", "", "次数"],
        ["", "", "人数"],
    ]
    path = tmp_path / "writer.docx"
    rows_to_docx(
        [block, [["其他", "x"]]],
        path,
        paragraphs_before={0: ["项目支出绩效目标表", "(2025) 年度"]},
        split_table_at={0: 4},
    )
    result = read_docx(path)
    assert [(r.line, r.sheet, trimmed(r.cells)) for r in result.rows] == [
        (1, None, ("项目支出绩效目标表",)),
        (2, None, ("(2025) 年度",)),
        (3, "表格1", ("项目名称", "社保网络维护")),
        (4, "表格1", ("一级指标", "二级指标", "三级指标")),
        (5, "表格1", ("产出指标", "数量指标", "天数")),
        (6, "表格1", ("产出指标", "数量指标", "次数")),
        (8, "表格2", ("", "", "人数")),  # continuation after the page break (line 7)
        (10, "表格3", ("其他", "x")),  # line 9: empty paragraph keeping tables apart
    ]
    assert result.text_lines[6] == ""


# ---------------------------------------------------------------- text_to_blocks and round trips


def test_text_to_blocks_groups_paragraphs_and_rows() -> None:
    text = "\n标题\n\n(2023年)\na\tb\t\t\n\t\tc\n\t\t\nd\te\n\n尾注\n后一表\nx\ty\n结尾\n"
    assert text_to_blocks(text) == [
        (["标题", "(2023年)"], [["a", "b"], ["", "", "c"], ["d", "e"]]),
        (["尾注", "后一表"], [["x", "y"]]),
        (["结尾"], []),
    ]


def _same_text(read: str, written: str) -> bool:
    """Given a read cell and the written text, returns whether they match (numbers by value)."""
    if read == written:
        return True
    try:
        return float(read) == float(written)
    except ValueError:
        return False


def _indicator_rows(blocks: list[tuple[list[str], list[list[str]]]]) -> list[list[str]]:
    """Given blocks, returns every row after each table's 一级指标 header row."""
    out: list[list[str]] = []
    for _, rows in blocks:
        header = next(i for i, row in enumerate(rows) if row and row[0] == "一级指标")
        out.extend(rows[header + 1 :])
    return out


def _assert_rows_in_order(originals: list[list[str]], read_rows: list[Row]) -> None:
    """Given the written indicator rows and the read rows, asserts each written row appears,
    in order, with every non-empty cell in its column; written-empty cells may only be filled
    before the row's first text (copies of a vertically merged level cell)."""
    position = 0
    for original in originals:
        lead = next(i for i, text in enumerate(original) if text)
        while position < len(read_rows):
            cells = read_rows[position].cells
            position += 1
            padded = original + [""] * (len(cells) - len(original))
            if len(padded) == len(cells) and all(
                _same_text(got, want) if want else (not got or j < lead)
                for j, (got, want) in enumerate(zip(cells, padded))
            ):
                break
        else:
            pytest.fail(f"row {original} not found in order")


def test_round_trip_seed_004_through_xlsx(tmp_path: Path) -> None:
    seed = next(SEEDS.glob("004_*.txt"))
    blocks = text_to_blocks(seed.read_text(encoding="utf-8"))
    path = tmp_path / "seed004.xlsx"
    rows_to_xlsx(blocks, path)
    result = read_xlsx(path)
    assert result.notes == []
    _assert_rows_in_order(_indicator_rows(blocks), result.rows)


def test_round_trip_seed_004_through_docx(tmp_path: Path) -> None:
    seed = next(SEEDS.glob("004_*.txt"))
    blocks = text_to_blocks(seed.read_text(encoding="utf-8"))
    path = tmp_path / "seed004.docx"
    rows_to_docx(blocks, path)
    _assert_rows_in_order(_indicator_rows(blocks), read_docx(path).rows)


# ---------------------------------------------------------------- unreadable files


def _real_xlsx(tmp_path: Path) -> bytes:
    """Given tmp_path, returns the bytes of a small valid xlsx."""
    path = tmp_path / "real.xlsx"
    rows_to_xlsx([[["项目名称", "x"], ["一级指标", "5"]]], path)
    return path.read_bytes()


def _real_docx(tmp_path: Path) -> bytes:
    """Given tmp_path, returns the bytes of a small valid docx."""
    path = tmp_path / "real.docx"
    rows_to_docx([[["项目名称", "x"]]], path)
    return path.read_bytes()


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504


@pytest.mark.parametrize(
    ("name", "make", "words"),
    [
        ("empty.xlsx", lambda tmp: b"", "文件为空"),
        ("junk.xlsx", lambda tmp: bytes(range(256)) * 8, "不是 zip 压缩包"),
        ("truncated.xlsx", lambda tmp: (d := _real_xlsx(tmp))[: len(d) // 2], "损坏或不完整"),
        ("old.xlsx", lambda tmp: OLE, "旧版 Excel 97-2003"),
        ("locked.xlsx", lambda tmp: OLE + "EncryptionInfo".encode("utf-16-le"), "密码保护"),
        ("word.xlsx", _real_docx, "这是Word 文档"),
        ("other.xlsx", lambda tmp: _zip_with({"hello.txt": b"hi"}), "没有Excel 工作簿"),
    ],
)
def test_read_xlsx_errors(tmp_path: Path, name: str, make, words: str) -> None:
    path = tmp_path / name
    path.write_bytes(make(tmp_path))
    with pytest.raises(ReadError) as info:
        read_xlsx(path)
    message = str(info.value)
    assert words in message and name in message and "Traceback" not in message


@pytest.mark.parametrize(
    ("name", "make", "words"),
    [
        ("empty.docx", lambda tmp: b"", "文件为空"),
        ("text.docx", lambda tmp: "项目支出绩效目标表\n项目名称\tx\n".encode(), "不是 zip 压缩包"),
        ("truncated.docx", lambda tmp: (d := _real_docx(tmp))[: len(d) // 2], "损坏或不完整"),
        ("old.docx", lambda tmp: OLE, "旧版 Word 97-2003"),
        ("excel.docx", _real_xlsx, "这是Excel 工作簿"),
        ("other.docx", lambda tmp: _zip_with({"hello.txt": b"hi"}), "没有Word 文档"),
    ],
)
def test_read_docx_errors(tmp_path: Path, name: str, make, words: str) -> None:
    path = tmp_path / name
    path.write_bytes(make(tmp_path))
    with pytest.raises(ReadError) as info:
        read_docx(path)
    message = str(info.value)
    assert words in message and name in message and "Traceback" not in message


def _main_part_moved(data: bytes, stale: bytes, new: str, keep_new: bool = True) -> bytes:
    """Given a .docx's bytes, returns a copy whose package relationship names `new` as the main
    document part (holding the original body, or missing without `keep_new`), while
    word/document.xml holds `stale` (another document's body)."""
    members = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            members[info.filename] = archive.read(info)
    body = members["word/document.xml"]
    rels = members["_rels/.rels"].decode()
    assert 'Target="word/document.xml"' in rels
    members["word/document.xml"] = stale
    if keep_new:
        members[new] = body
    members["_rels/.rels"] = rels.replace('Target="word/document.xml"', f'Target="/{new}"').encode()
    return _zip_with(members)


def test_docx_main_part_is_the_one_the_package_names(tmp_path: Path) -> None:
    """The body read is the part the package's officeDocument relationship names (here with a
    leading slash, as some tools write it), not whatever word/document.xml holds."""
    original, other = tmp_path / "a.docx", tmp_path / "other.docx"
    rows_to_docx([[["项目名称", "社保卡制卡经费"], ["一级指标", "产出指标"]]], original)
    rows_to_docx([[["项目名称", "旧的草稿"]]], other)
    with zipfile.ZipFile(other) as archive:
        stale = archive.read("word/document.xml")
    moved = tmp_path / "b.docx"
    moved.write_bytes(_main_part_moved(original.read_bytes(), stale, "word/document2.xml"))
    assert [r.cells[:2] for r in read_docx(moved).rows] == [("项目名称", "社保卡制卡经费"), ("一级指标", "产出指标")]
    assert read_docx(moved).rows == read_docx(original).rows
    gone = tmp_path / "gone.docx"
    gone.write_bytes(_main_part_moved(original.read_bytes(), stale, "word/document2.xml", keep_new=False))
    with pytest.raises(ReadError) as info:
        read_docx(gone)
    assert "gone.docx" in str(info.value) and "无法读取该 Word 文档" in str(info.value)


def test_docx_whose_main_part_is_not_word_document_xml_is_read(tmp_path: Path) -> None:
    """Word Online names the main part word/document2.xml, with no word/document.xml at all:
    the package is still a Word document, read through its relationship."""
    original = tmp_path / "a.docx"
    seed = sorted((Path(__file__).resolve().parents[2] / "datasets" / "seeds").iterdir())[0]
    rows_to_docx([[list(r.cells) for r in read_file(seed).rows]], original)  # a whole goal table
    members = {}
    with zipfile.ZipFile(original) as archive:
        for info in archive.infolist():
            members[info.filename] = archive.read(info)
    members["word/document2.xml"] = members.pop("word/document.xml")
    members["_rels/.rels"] = members["_rels/.rels"].replace(b'Target="word/document.xml"',
                                                            b'Target="word/document2.xml"')
    online = tmp_path / "online.docx"
    online.write_bytes(_zip_with(members))
    assert read_docx(online).rows == read_docx(original).rows
    report = parse_file(online).report
    assert (report.status, report.projects, report.indicators) == ("ok", 2, 16)  # seed 000: 2 projects, 16 indicators
    # named as a workbook, it is still recognised as a Word document, and said so
    named_xlsx = tmp_path / "online.xlsx"
    named_xlsx.write_bytes(online.read_bytes())
    with pytest.raises(ReadError) as info:
        read_xlsx(named_xlsx)
    assert "这是Word 文档" in str(info.value)
    # a zip holding neither that part nor a Word package's relationships is refused, and says so
    del members["_rels/.rels"]
    none = tmp_path / "none.docx"
    none.write_bytes(_zip_with(members))
    with pytest.raises(ReadError) as info:
        read_docx(none)
    assert "none.docx" in str(info.value) and "没有Word 文档" in str(info.value)


def _zip_with(members: dict[str, bytes]) -> bytes:
    """Given {member name: bytes}, returns a zip archive holding them."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for member, data in members.items():
            archive.writestr(member, data)
    return buffer.getvalue()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(position=st.floats(0.05, 0.95), junk=st.binary(min_size=1, max_size=64))
def test_corrupted_files_raise_only_read_error(tmp_path: Path, position: float, junk: bytes) -> None:
    for suffix, make, read in (("xlsx", _real_xlsx, read_xlsx), ("docx", _real_docx, read_docx)):
        data = make(tmp_path)
        cut = int(len(data) * position)
        path = tmp_path / f"corrupt.{suffix}"
        path.write_bytes(data[:cut] + junk + data[cut + len(junk) :])
        try:
            result = read(path)
        except ReadError:
            continue
        assert isinstance(result, ReadResult)


def test_a_member_with_an_empty_name_is_a_read_error(tmp_path: Path) -> None:
    """A damaged archive can give a member an empty name (zipfile's is_dir then raises
    IndexError): checking the members says the file is damaged, or reads on, and raises nothing
    else. Found by the property test above."""
    import io as _io
    import zipfile

    from jixiao.readers import container

    archive = zipfile.ZipFile(_io.BytesIO(_real_xlsx(tmp_path)))
    infos = archive.infolist()
    infos[0].filename = ""
    try:
        container._verify_members("x.xlsx", archive, infos, "Excel 文件")
    except ReadError as e:
        assert "损坏" in str(e)
