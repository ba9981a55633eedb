"""Hostile containers are refused before they are read (issue 9.1, 9.2), and what the readers
return never exceeds the limits in `jixiao.readers.limits`, whatever a file declares.

Each defect of the issue has a test that failed before the limits existed: a 5 KB workbook
whose cells are A1 and XFD1048576 aborted the process; a sheet expanding a thousandfold, a
`gridSpan` of 400,000,000 and an ODS run of 100 million repeated cells took gigabytes.
"""

from __future__ import annotations

import io
import struct
import subprocess
import sys
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jixiao.ingest import parse_file
from jixiao.model import ReadError, ReadResult
from jixiao.readers import limits, read_file
from jixiao.readers.xlsx import _column_letters as _col
from jixiao.writers import rows_to_docx, rows_to_xlsx

ROOT = Path(__file__).resolve().parents[2]
FORMATS = ROOT / "tests" / "fixtures" / "formats"
SEED_004 = next((ROOT / "datasets" / "seeds").glob("004_*.txt"))
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _replace_member(data: bytes, member: str, content: bytes) -> bytes:
    """Given a zip's bytes, returns them with one member's content replaced."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item.filename, content if item.filename == member else src.read(item.filename))
    return out.getvalue()


def _base_xlsx(tmp_path: Path) -> bytes:
    path = tmp_path / "base.xlsx"
    rows_to_xlsx([[["项目名称", "x"]]], path, merge_levels=False)
    return path.read_bytes()


def _base_docx(tmp_path: Path) -> bytes:
    path = tmp_path / "base.docx"
    rows_to_docx([[["项目名称", "x"]]], path, merge_levels=False)
    return path.read_bytes()


def _sheet(cells: list[str], dimension: str | None = None, merges: list[str] = ()) -> bytes:
    """Given cell references (each gets a short text), returns a worksheet's XML."""
    by_row: dict[int, list[str]] = {}
    for ref in cells:
        row = int("".join(ch for ch in ref if ch.isdigit()))
        by_row.setdefault(row, []).append(ref)
    rows = "".join(
        f'<row r="{r}">' + "".join(f'<c r="{ref}" t="inlineStr"><is><t>v{ref}</t></is></c>' for ref in refs) + "</row>"
        for r, refs in sorted(by_row.items()))
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    merge = (f'<mergeCells count="{len(merges)}">' + "".join(f'<mergeCell ref="{m}"/>' for m in merges)
             + "</mergeCells>") if merges else ""
    return f'<worksheet xmlns="{MAIN}">{dim}<sheetData>{rows}</sheetData>{merge}</worksheet>'.encode()


def _document(body: str) -> bytes:
    return f'<w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>'.encode()


def _table(rows: list[list[tuple[int, str]]], grid_before: int = 0) -> str:
    """Given rows of (gridSpan, text) cells, returns a w:tbl."""
    trs = []
    for cells in rows:
        pr = f'<w:trPr><w:gridBefore w:val="{grid_before}"/></w:trPr>' if grid_before else ""
        tcs = "".join(f'<w:tc><w:tcPr><w:gridSpan w:val="{span}"/></w:tcPr><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>'
                      for span, text in cells)
        trs.append(f"<w:tr>{pr}{tcs}</w:tr>")
    return "<w:tbl>" + "".join(trs) + "</w:tbl>"


# ---------------------------------------------------------------- 9.1: declared and actual sheet size


def test_xlsx_with_a1_and_xfd1048576_fails_cleanly_and_the_others_load(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    hostile = _replace_member(_base_xlsx(tmp_path), "xl/worksheets/sheet1.xml", _sheet(["A1", "XFD1048576"]))
    assert len(hostile) < 8000
    (folder / "a_hostile.xlsx").write_bytes(hostile)
    (folder / "b_good.txt").write_bytes(SEED_004.read_bytes())
    # In a child process: before the limits this aborted the interpreter (exit 134).
    run = subprocess.run([sys.executable, "-m", "jixiao.cli", "ingest", str(folder), "--db", str(tmp_path / "x.duckdb")],
                         capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert run.returncode == 1, run.stderr[-2000:]
    lines = run.stdout.splitlines()
    hostile_line = next(line for line in lines if "a_hostile.xlsx" in line)
    assert hostile_line.startswith("failed") and "过大" in hostile_line and "1,048,576 行" in hostile_line
    assert any(line.startswith("ok") and "b_good.txt" in line for line in lines)


def test_xlsx_declaring_a_huge_dimension_is_refused_before_calamine(tmp_path: Path) -> None:
    path = tmp_path / "declared.xlsx"
    path.write_bytes(_replace_member(_base_xlsx(tmp_path), "xl/worksheets/sheet1.xml",
                                     _sheet(["A1"], dimension="A1:XFD1048576")))
    with pytest.raises(ReadError, match="声明的范围过大"):
        read_file(path)


def test_xlsx_within_limits_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "fine.xlsx"
    path.write_bytes(_replace_member(_base_xlsx(tmp_path), "xl/worksheets/sheet1.xml",
                                     _sheet(["A1", "C3"], dimension="A1:C3", merges=["A3:A9999999"])))
    result = read_file(path)
    assert [(row.line, row.cells) for row in result.rows] == [(1, ("vA1", "", "")), (3, ("", "", "vC3"))]


# ---------------------------------------------------------------- 9.2: what a container expands to


def test_zip_expanding_beyond_the_limit_is_refused(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(limits, "MAX_UNZIPPED_BYTES", 2 * limits.MB)
    big = _sheet([f"A{r}" for r in range(1, 60_000)])
    assert len(big) > 2 * limits.MB
    path = tmp_path / "big.xlsx"
    path.write_bytes(_replace_member(_base_xlsx(tmp_path), "xl/worksheets/sheet1.xml", big))
    with pytest.raises(ReadError, match="解压后过大"):
        read_file(path)


def test_zip_bomb_member_is_refused_by_its_ratio(tmp_path: Path) -> None:
    bomb = f'<worksheet xmlns="{MAIN}"><sheetData>'.encode() + b" " * (20 * limits.MB) + b"</sheetData></worksheet>"
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(_replace_member(_base_xlsx(tmp_path), "xl/worksheets/sheet1.xml", bomb))
    assert path.stat().st_size < 100_000
    with pytest.raises(ReadError, match="压缩比异常"):
        read_file(path)


def test_zip_member_larger_than_its_header_says_is_refused(tmp_path: Path) -> None:
    data = bytearray(_replace_member(_base_xlsx(tmp_path), "xl/worksheets/sheet1.xml", _sheet(["A1", "B2"])))
    # Understate the sheet's uncompressed size in both headers (a library trusting them would
    # allocate too little, or too much for the next member).
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    struct.pack_into("<I", data, info.header_offset + 22, 10)  # local header: uncompressed size
    central = next(start for start in range(len(data) - 46) if data[start:start + 4] == b"PK\x01\x02"
                   and struct.unpack_from("<I", data, start + 42)[0] == info.header_offset)
    struct.pack_into("<I", data, central + 24, 10)  # central directory: uncompressed size
    path = tmp_path / "liar.xlsx"
    path.write_bytes(bytes(data))
    with pytest.raises(ReadError, match="损坏或不完整"):
        read_file(path)


def test_docx_gridspan_of_400_million_is_refused_without_allocating(tmp_path: Path) -> None:
    path = tmp_path / "span.docx"
    path.write_bytes(_replace_member(_base_docx(tmp_path), "word/document.xml",
                                     _document(_table([[(1, "a"), (400_000_000, "b")]]))))
    tracemalloc.start()
    try:
        with pytest.raises(ReadError, match="gridSpan"):
            read_file(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50 * limits.MB


def test_docx_grid_before_and_row_count_are_capped(tmp_path: Path, monkeypatch) -> None:
    base = _base_docx(tmp_path)
    path = tmp_path / "before.docx"
    path.write_bytes(_replace_member(base, "word/document.xml", _document(_table([[(1, "a")]], grid_before=10**9))))
    with pytest.raises(ReadError, match="gridBefore"):
        read_file(path)
    monkeypatch.setattr(limits, "MAX_ROWS", 50)
    path.write_bytes(_replace_member(base, "word/document.xml", _document(_table([[(1, "a")]] * 51))))
    with pytest.raises(ReadError, match="行数过多"):
        read_file(path)


def test_ods_repeated_cells_expand_only_within_limits(tmp_path: Path) -> None:
    data = (FORMATS / "formats.ods").read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        content = archive.read("content.xml").decode()
    # An empty run of a million rows (as LibreOffice writes) costs nothing ...
    empty = content.replace("</table:table>", '<table:table-row table:number-rows-repeated="1000000">'
                            '<table:table-cell table:number-columns-repeated="16384"/></table:table-row></table:table>', 1)
    path = tmp_path / "empty_runs.ods"
    path.write_bytes(_replace_member(data, "content.xml", empty.encode()))
    assert len(read_file(path).rows) == 5
    # ... a run of text of 100 million columns is refused.
    hostile = content.replace("</table:table>", '<table:table-row><table:table-cell table:number-columns-repeated='
                              '"100000000" office:value-type="string"><text:p>x</text:p></table:table-cell>'
                              "</table:table-row></table:table>", 1)
    path.write_bytes(_replace_member(data, "content.xml", hostile.encode()))
    with pytest.raises(ReadError, match="列上限"):
        read_file(path)


def test_pdf_page_count_and_ole_stream_sizes_are_capped(monkeypatch) -> None:
    monkeypatch.setattr(limits, "MAX_PDF_PAGES", 2)
    with pytest.raises(ReadError, match="页数过多"):
        read_file(FORMATS / "seed004.pdf")
    monkeypatch.setattr(limits, "MAX_STREAM_BYTES", 1024)
    for name in ("seed004.xls", "seed000.doc"):
        with pytest.raises(ReadError, match="数据过大"):
            read_file(FORMATS / name)


def test_html_spans_are_clamped_not_allocated(tmp_path: Path) -> None:
    path = tmp_path / "spans.xls"
    path.write_text('<table><tr><td rowspan="999999999">a</td><td colspan="999999999">b</td></tr>'
                    "<tr><td>c</td></tr></table>", encoding="utf-8")
    with pytest.raises(ReadError, match="列上限"):
        read_file(path)  # 1 + a colspan clamped to MAX_COLS does not fit
    path.write_text('<table><tr><td rowspan="999999999">a</td><td>b</td></tr><tr><td>c</td></tr></table>',
                    encoding="utf-8")
    assert [row.cells for row in read_file(path).rows] == [("a", "b"), ("a", "c")]


def test_limits_come_from_the_environment(tmp_path: Path) -> None:
    code = "from jixiao.readers import limits; print(limits.MAX_ROWS, limits.MAX_UNZIPPED_BYTES, limits.MAX_COLS)"
    env = {"JIXIAO_MAX_ROWS": "123", "JIXIAO_MAX_UNZIPPED_MB": "7", "JIXIAO_MAX_COLS": "nonsense", "PATH": ""}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, timeout=60)
    assert out.stdout.split() == ["123", str(7 * limits.MB), "1000"]


# ---------------------------------------------------------------- properties: never a crash, never past the caps

SMALL = {"MAX_ROWS": 40, "MAX_COLS": 12, "MAX_CELLS": 300}
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _within_caps(result: ReadResult) -> None:
    assert isinstance(result, ReadResult)
    by_sheet: dict[object, int] = {}
    for row in result.rows:
        assert len(row.cells) <= SMALL["MAX_COLS"]
        by_sheet[row.sheet] = by_sheet.get(row.sheet, 0) + 1
    assert all(n <= SMALL["MAX_ROWS"] for n in by_sheet.values())
    assert sum(len(row.cells) for row in result.rows) <= SMALL["MAX_CELLS"]


def _read(path: Path) -> None:
    try:
        result = read_file(path)
    except ReadError as exc:
        assert str(exc) and "Traceback" not in str(exc)
        return
    _within_caps(result)


@pytest.fixture
def small_limits(monkeypatch):
    for name, value in SMALL.items():
        monkeypatch.setattr(limits, name, value)


@PROPERTY
@given(cells=st.lists(st.tuples(st.integers(0, 20_000), st.integers(1, 2_000_000)), min_size=1, max_size=12),
       dim=st.none() | st.tuples(st.integers(0, 20_000), st.integers(1, 2_000_000)),
       merge=st.none() | st.tuples(st.integers(1, 60), st.integers(0, 30), st.integers(1, 10**7), st.integers(0, 30)),
       cut=st.none() | st.floats(0.05, 0.99))
def test_xlsx_property(tmp_path: Path, small_limits, cells, dim, merge, cut) -> None:
    refs = sorted({f"{_col(c)}{r}" for c, r in cells})
    sheet = _sheet(refs, dimension=f"A1:{_col(dim[0])}{dim[1]}" if dim else None,
                   merges=[f"{_col(merge[1])}{merge[0]}:{_col(merge[3])}{merge[2]}"] if merge else [])
    data = _replace_member(_base_xlsx(tmp_path), "xl/worksheets/sheet1.xml", sheet)
    if cut is not None:
        data = data[: int(len(data) * cut)]
    path = tmp_path / "p.xlsx"
    path.write_bytes(data)
    _read(path)


@PROPERTY
@given(rows=st.lists(st.lists(st.tuples(st.integers(-5, 10**9), st.text("甲乙ab1", max_size=3)), min_size=1, max_size=6),
                     min_size=1, max_size=60),
       before=st.integers(0, 30), nested=st.booleans(), cut=st.none() | st.floats(0.05, 0.99))
def test_docx_property(tmp_path: Path, small_limits, rows, before, nested, cut) -> None:
    table = _table(rows, grid_before=before)
    if nested:
        table = table.replace("<w:t>", f"{_table(rows[:2])}<w:p/><w:t>", 1) if "<w:t>" in table else table
    data = _replace_member(_base_docx(tmp_path), "word/document.xml", _document(table))
    if cut is not None:
        data = data[: int(len(data) * cut)]
    path = tmp_path / "p.docx"
    path.write_bytes(data)
    _read(path)


@PROPERTY
@given(cells=st.lists(st.tuples(st.integers(1, 10**8), st.integers(1, 10**6), st.integers(1, 10**6),
                                st.sampled_from(["string", "float", "percentage", "date"])), min_size=1, max_size=8),
       row_repeat=st.integers(1, 10**7), cut=st.none() | st.floats(0.05, 0.99))
def test_ods_property(tmp_path: Path, small_limits, cells, row_repeat, cut) -> None:
    data = (FORMATS / "formats.ods").read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        content = archive.read("content.xml").decode()
    values = {"string": "", "float": ' office:value="1.5"', "percentage": ' office:value="0.25"',
              "date": ' office:date-value="2025-01-02"'}
    xml = "".join(f'<table:table-cell table:number-columns-repeated="{rep}" table:number-columns-spanned="{cs}" '
                  f'table:number-rows-spanned="{rs}" office:value-type="{kind}"{values[kind]}><text:p>t</text:p>'
                  f"</table:table-cell>" for rep, cs, rs, kind in cells)
    row = f'<table:table-row table:number-rows-repeated="{row_repeat}">{xml}</table:table-row>'
    data = _replace_member(data, "content.xml", content.replace("</table:table>", row + "</table:table>", 1).encode())
    if cut is not None:
        data = data[: int(len(data) * cut)]
    path = tmp_path / "p.ods"
    path.write_bytes(data)
    _read(path)


@PROPERTY
@given(spans=st.lists(st.tuples(st.integers(-3, 10**9), st.integers(-3, 10**9)), min_size=1, max_size=10),
       rows=st.integers(1, 60), cut=st.none() | st.floats(0.05, 0.99))
def test_html_property(tmp_path: Path, small_limits, spans, rows, cut) -> None:
    cells = "".join(f'<td rowspan="{r}" colspan="{c}">x</td>' for r, c in spans)
    page = "<html><body><table>" + f"<tr>{cells}</tr>" * rows + "</table></body></html>"
    data = page.encode()
    if cut is not None:
        data = data[: int(len(data) * cut)]
    path = tmp_path / "p.xls"
    path.write_bytes(data)
    _read(path)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(["seed004.pdf", "seed004.xls", "formats.xls", "seed004_html.xls", "seed004_xml2003.xls",
                             "formats.ods"]),
       position=st.floats(0.0, 1.0), junk=st.binary(min_size=1, max_size=64), truncate=st.booleans())
def test_damaged_fixtures_give_rows_or_a_read_error(tmp_path: Path, name, position, junk, truncate) -> None:
    data = (FORMATS / name).read_bytes()
    cut = int(len(data) * position)
    data = data[:cut] if truncate else data[:cut] + junk + data[cut + len(junk):]
    path = tmp_path / name
    path.write_bytes(data)
    try:
        result = read_file(path)
    except ReadError as exc:
        assert str(exc)
        return
    assert isinstance(result, ReadResult)
    report = parse_file(path).report
    assert report.status in ("ok", "partial", "failed") and "解析出错" not in (report.message or "")


@pytest.mark.parametrize("depth", [40, 300])
def test_docx_with_tables_nested_deeply_reads_or_says_so_in_chinese(tmp_path: Path, depth: int) -> None:
    inner = "<w:p><w:r><w:t>项目名称</w:t></w:r></w:p>"
    for _ in range(depth):
        inner = f"<w:tbl><w:tr><w:tc>{inner}<w:p/></w:tc></w:tr></w:tbl>"
    path = tmp_path / "nested.docx"
    path.write_bytes(_replace_member(_base_docx(tmp_path), "word/document.xml", _document(inner + "<w:p/>")))
    if depth < 100:  # a table in a table in a table …: flattened into the outer cell
        assert any("项目名称" in c for row in read_file(path).rows for c in row.cells)
        return
    with pytest.raises(ReadError) as err:
        read_file(path)
    message = str(err.value)
    assert "嵌套过深" in message and "Excessive" not in message


# ---------------------------------------------------------------- time: small files, quadratic work
# Each of these inputs held a parse for seconds to minutes before (found by an audit: quadratic
# loops and patterns retried from every position of a long run); the tests assert what is read.


@pytest.mark.parametrize("xml", [
    # a comment full of tag openings without ">": a pattern reading attributes to the next ">"
    f'<worksheet xmlns="{MAIN}"><sheetData/><!--'.encode() + b"<row " * 20_000 + b"--></worksheet>",
    f'<worksheet xmlns="{MAIN}"><sheetData/><!--'.encode() + b"<c " * 20_000 + b"--></worksheet>",
    f'<worksheet xmlns="{MAIN}"><sheetData/><!--'.encode() + b"<dimension " * 20_000 + b"--></worksheet>",
    # cells that never close, after a formula tag: each cell's body was the rest of the part
    f'<worksheet xmlns="{MAIN}"><sheetData><f>'.encode() + b'<c r="A1">' * 20_000 + b"</sheetData></worksheet>",
], ids=["rows-in-comment", "cells-in-comment", "dimensions-in-comment", "unclosed-cells"])
def test_xlsx_scan_of_a_small_hostile_sheet_is_linear(tmp_path: Path, xml: bytes) -> None:
    path = tmp_path / "scan.xlsx"
    path.write_bytes(_replace_member(_base_xlsx(tmp_path), "xl/worksheets/sheet1.xml", xml))
    assert path.stat().st_size < 10_000
    report = parse_file(path).report
    assert report.status == "failed" and "未找到绩效目标表" in report.message


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=" \t\n\r\u3000\xa0\x0b\x0c\x1cab", max_size=24))
def test_cell_cleaning_turns_each_run_holding_a_break_into_one_space(text: str) -> None:
    import re

    from jixiao.readers.xlsx import _clean

    # what the pattern \s*[\r\n\t\v\f]+\s* gave, without its quadratic retries
    assert _clean(text) == re.sub(r"\s*[\r\n\t\v\f]+\s*", " ", text.strip())


def test_a_cell_of_a_long_space_run_keeps_it(tmp_path: Path) -> None:
    from jixiao.readers.xlsx import _clean

    cell = "a" + " \u3000\xa0" * 20_000 + "b"
    assert _clean(cell) == cell and _clean(cell + "\n c") == cell + " c"


def test_html_long_table_rows_are_padded_to_the_widest_and_counted_so(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "long.xls"
    path.write_text("<table><tr><td>项目名称</td><td>x</td></tr>" + "<tr><td>1</td></tr>" * 30_000 + "</table>",
                    encoding="utf-8")
    rows = read_file(path).rows
    assert len(rows) == 30_001 and rows[-1].cells == ("1", "") and rows[0].cells == ("项目名称", "x")
    # a wide row late in a table counts every earlier row at its width
    monkeypatch.setattr(limits, "MAX_CELLS", 5_000)
    path.write_text("<table>" + "<tr><td>1</td></tr>" * 100 + "<tr>" + "<td>w</td>" * 60 + "</tr></table>",
                    encoding="utf-8")
    with pytest.raises(ReadError, match="表格过大"):
        read_file(path)


def test_a_unit_name_with_a_long_space_run_is_read(tmp_path: Path) -> None:
    # seed 000's unit, written with 40,000 spaces before a (部门) mark: the mark's pattern
    # retried from every space
    seed = next((ROOT / "datasets" / "seeds").glob("000_*.txt"))
    unit = "芷江侗族自治县社会保险服务中心"
    text = seed.read_text(encoding="utf-8")
    assert text.count(unit) == 2  # (its two projects)
    path = tmp_path / "spaces.txt"
    path.write_text(text.replace(unit, unit + " " * 40_000 + "x（部门）"), encoding="utf-8")
    report = parse_file(path).report
    assert report.status == "ok" and report.projects == 2 and report.indicators == 16


def test_one_cell_per_line_with_a_long_continuation_joins_its_lines(tmp_path: Path) -> None:
    path = tmp_path / "cells.txt"
    path.write_text("\t项目名称\n\tx\n" + "\n".join(["续行文字"] * 100_000) + "\n\ty\n", encoding="utf-8")
    (row,) = read_file(path).rows
    assert row.cells[0] == "项目名称" and row.cells[2] == "y"
    assert row.cells[1] == "x " + " ".join(["续行文字"] * 100_000)


def test_a_report_quotes_at_most_a_bounded_text(tmp_path: Path) -> None:
    from jixiao.ingest import MESSAGE_MAX

    path = tmp_path / "long_name.txt"
    path.write_text("项目名称\t" + "长" * 200_000 + "\n", encoding="utf-8")
    report = parse_file(path).report
    assert report.status == "failed" and len(report.message) < MESSAGE_MAX + 100
    assert "共 " in report.message and "此处截断" in report.message


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="，,。. \u3000\t—_-a县局", max_size=20))
def test_unit_names_lose_their_trailing_punctuation_as_before(name: str) -> None:
    import re

    from jixiao.units import _without_trail

    assert _without_trail(name) == re.sub(r"[\s,，.。;；:：、\-—_]+$", "", name)
    assert _without_trail("某县民政局" + "，" * 40_000 + "x") == "某县民政局" + "，" * 40_000 + "x"


def _spreadsheetml(rows: str) -> str:
    return ('<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
            'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="表1"><Table>'
            + rows + "</Table></Worksheet></Workbook>")


def test_xml2003_merge_down_fills_the_rows_that_hold_cells(tmp_path: Path) -> None:
    path = tmp_path / "merge.xls"
    path.write_text(_spreadsheetml(
        '<Row><Cell ss:MergeDown="99999"><Data ss:Type="String">产出指标</Data></Cell>'
        '<Cell><Data ss:Type="String">a</Data></Cell></Row>'
        '<Row ss:Index="5"><Cell ss:Index="2"><Data ss:Type="String">b</Data></Cell></Row>'
        '<Row ss:Index="200000"><Cell ss:Index="2"><Data ss:Type="String">c</Data></Cell></Row>'), encoding="utf-8")
    with pytest.raises(ReadError, match="行或"):
        read_file(path)  # row 200,000 is past MAX_ROWS
    path.write_text(path.read_text(encoding="utf-8").replace('ss:Index="200000"', 'ss:Index="90000"'), encoding="utf-8")
    rows = read_file(path).rows
    assert [(row.line, row.cells) for row in rows] == [
        (1, ("产出指标", "a")), (5, ("产出指标", "b")), (90000, ("产出指标", "c"))]


def test_xml2003_merges_over_every_row_are_bounded_by_the_cell_limit(tmp_path: Path) -> None:
    # 3,000 rows, each opening a merge of 99,999 rows: once 300 million steps of a loop; the
    # merges overlap into 4.5 million filled cells, past MAX_CELLS
    path = tmp_path / "merges.xls"
    cell = '<Row><Cell ss:MergeDown="99999"><Data ss:Type="String">x</Data></Cell></Row>'
    path.write_text(_spreadsheetml(cell * 3_000), encoding="utf-8")
    assert path.stat().st_size < 300_000
    with pytest.raises(ReadError, match="合并单元格展开后超过"):
        read_file(path)
    path.write_text(_spreadsheetml(cell * 500), encoding="utf-8")  # 125,000 fills: read
    rows = read_file(path).rows
    assert len(rows) == 500 and {row.cells for row in rows} == {("x",)}


def test_xls_merged_ranges_overlapping_past_the_cell_limit_are_refused(monkeypatch) -> None:
    import xlrd

    from jixiao.readers.xls import _sheet_rows

    book = xlrd.open_workbook(str(FORMATS / "seed004.xls"), formatting_info=True)
    sheet = book.sheet_by_index(0)
    width = max(sheet.row_len(r) for r in range(sheet.nrows))
    real = _sheet_rows(book, sheet, width, "x")
    assert real and real[0][1][0] == "项目支出绩效目标表"
    # 4,000 ranges of the whole sheet (32 KB of records): each walked its area before
    monkeypatch.setattr(sheet, "merged_cells", [(0, sheet.nrows, 0, width)] * 4_000)
    monkeypatch.setattr(limits, "MAX_CELLS", 100_000)
    with pytest.raises(ReadError, match="seed004.xls：工作表「表1」的合并单元格区域合计超过 100,000"):
        _sheet_rows(book, sheet, width, "seed004.xls：工作表「表1」")
    # a few whole-sheet ranges are within the budget: the sheet reads as its top-left cell
    monkeypatch.setattr(sheet, "merged_cells", [(0, sheet.nrows, 0, width)] * 3)
    rows = _sheet_rows(book, sheet, width, "x")
    assert [cells for _, cells in rows] == [("项目支出绩效目标表",)] * sheet.nrows


def _ods_with(tmp_path: Path, rows_xml: str, name: str = "hostile.ods") -> Path:
    """Given table-row XML, returns an .ods whose first sheet has those rows after its first
    (before the million empty rows LibreOffice writes at the end)."""
    data = (FORMATS / "formats.ods").read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        content = archive.read("content.xml").decode()
    path = tmp_path / name
    path.write_bytes(_replace_member(data, "content.xml", content.replace("</table:table-row>", "</table:table-row>" + rows_xml, 1).encode()))
    return path


def test_ods_repeated_rows_are_counted_before_they_are_copied(tmp_path: Path) -> None:
    # a row of 1,000 text cells repeated 90,000 times (1 KB): 90 million cells, once built
    # row by row before the count was checked (3.6 GB)
    row = ('<table:table-row table:number-rows-repeated="90000"><table:table-cell table:number-columns-repeated="1000" '
           'office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>')
    tracemalloc.start()
    with pytest.raises(ReadError, match="hostile.ods：表格单元格总数超过 2,000,000"):
        read_file(_ods_with(tmp_path, row))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 50 * limits.MB


def test_ods_sparse_sheet_is_counted_as_padded(tmp_path: Path) -> None:
    # 3,000 rows of one cell and one cell in column 1,000: three million cells once padded
    rows = ('<table:table-row table:number-rows-repeated="3000"><table:table-cell office:value-type="string">'
            '<text:p>a</text:p></table:table-cell></table:table-row><table:table-row>'
            '<table:table-cell table:number-columns-repeated="999"/><table:table-cell office:value-type="string">'
            '<text:p>z</text:p></table:table-cell></table:table-row>')
    with pytest.raises(ReadError, match="按最宽一行（1,000 列）补齐后超过"):
        read_file(_ods_with(tmp_path, rows))
    rows = rows.replace('"3000"', '"300"')  # 301,000 cells: read, the far cell in its place
    result = read_file(_ods_with(tmp_path, rows))
    far = [row for row in result.rows if "z" in row.cells]
    assert len(far) == 1 and far[0].cells[999] == "z" and len(far[0].cells) == 1000
    assert sum(row.cells[:1] == ("a",) for row in result.rows) == 300


def test_ods_merge_message_names_the_file_and_sheet(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(limits, "MAX_CELLS", 100)
    # 50 rows, each opening a merge over all the rows below: 1,225 fills, past 4 x 100
    rows = ('<table:table-row><table:table-cell table:number-rows-spanned="1000" office:value-type="string">'
            '<text:p>m</text:p></table:table-cell></table:table-row>') * 50
    with pytest.raises(ReadError, match=r"hostile.ods：工作表「格式」的合并单元格过多"):
        read_file(_ods_with(tmp_path, rows))


def test_ods_nested_spans_are_read_once_and_comments_left_out(tmp_path: Path) -> None:
    depth = 20_000  # deeper than Python's recursion, and quadratic when copied per level
    nested = "<text:span>" * depth + "深" + "</text:span>" * depth
    cell = (f'<table:table-row><table:table-cell office:value-type="string"><text:p>项目<text:s text:c="2"/>'
            f'{nested}<text:tab/>尾</text:p><office:annotation><text:p>批注：请核实</text:p></office:annotation>'
            '</table:table-cell></table:table-row>')
    rows = read_file(_ods_with(tmp_path, cell)).rows
    assert rows[1].cells[0] == "项目  深 尾"


def _shared_string_xlsx(tmp_path: Path, long_text: str, refs: int) -> Path:
    """Given a text and a count, returns an xlsx whose shared string 1 is that text, shown in
    `refs` cells of column B under a 项目名称 header."""
    sst = (f'<sst xmlns="{MAIN}" count="2" uniqueCount="2"><si><t>项目名称</t></si><si><t>{long_text}</t></si>'
           "<si><t>短</t></si></sst>").encode()
    rows = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>' + "".join(
        f'<row r="{r}"><c r="A{r}" t="s"><v>2</v></c><c r="B{r}" t="s"><v>{1 if r < refs + 2 else 2}</v></c></row>'
        for r in range(2, max(refs, 100) + 2))
    sheet = f'<worksheet xmlns="{MAIN}"><sheetData>{rows}</sheetData></worksheet>'.encode()
    data = _replace_member(_base_xlsx(tmp_path), "xl/sharedStrings.xml", sst)
    path = tmp_path / "shared.xlsx"
    path.write_bytes(_replace_member(data, "xl/worksheets/sheet1.xml", sheet))
    return path


def test_xlsx_shared_string_shown_in_many_cells_is_refused_before_calamine(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(limits, "MAX_TEXT_CHARS", 1_000_000)
    # 3,000 characters in 334 cells: 1,002,000 shown (and 338 cells of 短, a header of 4)
    path = _shared_string_xlsx(tmp_path, "长" * 3_000, 334)
    assert path.stat().st_size < 20_000
    with pytest.raises(ReadError, match="shared.xlsx：表格文字合计超过 1,000,000 个字符上限（同一共享文字"):
        read_file(path)
    # in 332 cells: 996,000 + 336 + 4 shown, read, every cell whole (counted with the string's
    # XML, 3,016 a cell, it would pass the limit)
    rows = read_file(_shared_string_xlsx(tmp_path, "长" * 3_000, 332)).rows
    assert sum(row.cells[1] == "长" * 3_000 for row in rows) == 332


def test_cells_shown_many_times_count_against_the_text_limit_in_every_reader(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(limits, "MAX_TEXT_CHARS", 100_000)
    text = "重" * 1_000
    # an ODS cell of 1,000 characters repeated over 10 columns and 20 rows (2,000 cells)
    ods = _ods_with(tmp_path, f'<table:table-row table:number-rows-repeated="20"><table:table-cell '
                              f'table:number-columns-repeated="10" office:value-type="string"><text:p>{text}</text:p>'
                              "</table:table-cell></table:table-row>")
    # an Excel 2003 XML cell merged down 200 rows that hold cells
    xml = tmp_path / "merged.xls"
    xml.write_text(_spreadsheetml(f'<Row><Cell ss:MergeDown="500"><Data ss:Type="String">{text}</Data></Cell></Row>'
                                  + '<Row><Cell ss:Index="2"><Data ss:Type="String">r</Data></Cell></Row>' * 200),
                   encoding="utf-8")
    # an HTML table cell spanning 200 rows
    html = tmp_path / "span.xls"
    html.write_text(f'<table><tr><td rowspan="300">{text}</td><td>a</td></tr>' + "<tr><td>b</td></tr>" * 200
                    + "</table>", encoding="utf-8")
    for path in (ods, xml, html):
        with pytest.raises(ReadError, match=f"{path.name}：表格文字合计超过 100,000 个字符上限"):
            read_file(path)
    monkeypatch.setattr(limits, "MAX_TEXT_CHARS", 1_000_000)  # each within a larger limit
    assert [len(read_file(path).rows) for path in (xml, html)] == [201, 201]
    assert sum(row.cells.count(text) == 10 for row in read_file(ods).rows) == 20
