"""Every download button on every page gives a file that opens: each page is run with AppTest
on the seed database (rows selected down to one indicator, one flag, one template cluster and
one document, so the deeper tables' buttons are drawn too), every `st.download_button` is
captured as it is drawn, its data built as a click would and opened — Excel with openpyxl
(title line with the filter and the date, row count, frozen header, autofilter, the rows),
CSV as UTF-8 with its header, Word with python-docx, a .zip member by member.

The seeds hold five project names an Excel sheet cannot be called (巴财企[2022]38号 …): their
indicator tables in 下钻 are among the files opened."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from streamlit.testing.v1 import AppTest

from tests.dashboard.conftest import APP, select

BRACKETED = "2022年-巴财企[2022]38号关于拨付原水利水电医院退休人员待遇补差资"


@pytest.fixture()
def captured(monkeypatch):
    """Records every download button drawn (label, file name, data) while the real one draws."""
    import streamlit as st

    real = st.download_button
    got: list[dict] = []

    def recording(label, data=None, file_name=None, *args, **kwargs):
        got.append({"label": label, "file_name": file_name, "data": data, "key": kwargs.get("key")})
        return real(label, data, file_name, *args, **kwargs)

    monkeypatch.setattr(st, "download_button", recording)
    return got


def _content(button: dict) -> bytes:
    data = button["data"]
    data = data() if callable(data) else data
    return data.encode("utf-8") if isinstance(data, str) else bytes(data)


def check_xlsx(content: bytes, name: str, *, table: bool = True) -> int:
    """Opens a workbook; for a table download checks its layout and returns its data rows."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames, name
    rows = 0
    for ws in book.worksheets:
        assert len(ws.title) <= 31 and not set(ws.title) & set("[]:*?/\\"), (name, ws.title)
        title = ws.cell(1, 1).value
        assert isinstance(title, str) and title.strip(), (name, "title line")
        if not table:
            continue
        assert "导出日期：" in title and "筛选：" in title, (name, title)
        note = ws.cell(2, 1).value
        m = re.fullmatch(r"共 ([\d,]+) 行", note or "")
        assert m, (name, note)
        n = int(m.group(1).replace(",", ""))
        header = [c.value for c in ws[3]]
        assert header and all(isinstance(h, str) and h for h in header), (name, header)
        assert ws.freeze_panes == "A4", (name, ws.freeze_panes)
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A3:"), (name, ws.auto_filter.ref)
        data_rows = [r for r in ws.iter_rows(min_row=4, values_only=True) if any(v is not None for v in r)]
        assert len(data_rows) == n > 0, (name, len(data_rows), n)
        rows += n
    return rows


def check_file(button: dict) -> None:
    name = button["file_name"]
    content = _content(button)
    assert content, name
    if name.endswith(".xlsx"):
        check_xlsx(content, name, table=not button["key"].startswith("dd_report"))
    elif name.endswith(".csv"):
        text = content.decode("utf-8-sig")
        header = text.splitlines()[0].split(",")
        assert all(h for h in header) and len(text.splitlines()) >= 2, name
    elif name.endswith(".docx"):
        from docx import Document

        assert any(p.text.strip() for p in Document(io.BytesIO(content)).paragraphs), name
    elif name.endswith(".zip"):
        with zipfile.ZipFile(io.BytesIO(content)) as z:
            members = z.namelist()
            assert members, name
            for m in members:
                if m.endswith(".xlsx"):
                    check_xlsx(z.read(m), m, table=False)
    else:  # pragma: no cover - a new kind of download needs a check here
        raise AssertionError(f"unchecked download {name}")


def _table(at, key: str):
    return next(d for d in at.dataframe if d.key == key)


def _table_startswith(at, prefix: str):
    return next(d for d in at.dataframe if d.key and d.key.startswith(prefix))


def _open(page: str, state: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=90)
    for k, v in (state or {}).items():
        at.session_state[k] = v
    at.run()
    at.switch_page(f"views/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _drawn(captured: list[dict], since: int) -> list[dict]:
    """The buttons drawn by the last run (a rerun draws every button again)."""
    return captured[since:]


@pytest.mark.parametrize("page", ["overview", "compare", "trends", "rules"])
def test_every_download_of_a_page_opens(seed_db, captured, page):
    _open(page)
    assert captured, f"{page}: no download button"
    for b in captured:
        check_file(b)


def test_drilldown_downloads_open_down_to_a_bracketed_project(seed_db, captured):
    at = _open("drilldown")
    units = _table(at, "dd_units").value
    at.session_state["dd_units"] = select([int(units.index[units["unit"] == "库尔勒市社会保险中心"][0])])
    at.run()
    projects = _table_startswith(at, "dd_projects_")
    k = int(projects.value.index[projects.value["name"] == BRACKETED][0])
    at.session_state[projects.key] = select([k])
    at.run()
    indicators = _table_startswith(at, "dd_ind_")
    at.session_state[indicators.key] = select([0])
    start = len(captured)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    drawn = _drawn(captured, start)
    names = [b["file_name"] for b in drawn]
    # the project's indicator table: its sheet name had brackets
    ind = next(b for b in drawn if b["file_name"].endswith(".xlsx") and BRACKETED[:20] in b["file_name"]
               and "_指标_" in b["file_name"])
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(_content(ind)))
    assert book.sheetnames[0].startswith("2022年-巴财企〔2022〕38号")
    assert check_xlsx(_content(ind), ind["file_name"]) == len(indicators.value)
    assert {n.rsplit(".", 1)[1] for n in names} == {"xlsx", "csv", "docx", "zip"}
    for b in drawn:
        check_file(b)


def test_flags_downloads_open_with_a_flag_and_a_template_selected(seed_db, captured):
    at = _open("flags", {"tpl_all": True, "status": "全部"})
    flags_key = next(d.key for d in at.dataframe if d.key and d.key.startswith("fl_table_"))
    at.session_state[flags_key] = select([0])
    at.session_state["tpl_clusters"] = select([0])
    start = len(captured)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    drawn = _drawn(captured, start)
    keys = {b["key"].rsplit("_", 1)[0] for b in drawn}
    assert {"fl_table_0_1", "tpl_clusters"} <= keys and any(k.startswith("tpl_occ") for k in keys), keys
    for b in drawn:
        check_file(b)
    occ = next(b for b in drawn if b["key"].startswith("tpl_occ") and b["file_name"].endswith(".xlsx"))
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(_content(occ))).active
    assert "整个数据库" in ws.cell(1, 1).value  # the occurrences are not filtered: the title says so
    assert "下钻" not in [c.value for c in ws[3]]  # the link column is for the screen only


def test_documents_downloads_open_with_a_document_selected(seed_db, captured):
    at = _open("documents")
    at.session_state["doc_table"] = select([0])
    start = len(captured)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    drawn = _drawn(captured, start)
    assert len(drawn) == 4  # the list and the document's source text, each Excel and CSV
    for b in drawn:
        check_file(b)


def test_excel_sheet_names_are_made_valid_and_titled():
    import polars as pl

    from dashboard import export
    from dashboard import format as fmt

    df = pl.DataFrame({"name": ["甲"], "rate": [0.5]})
    spec = {"name": fmt.text("名称"), "rate": fmt.pct("执行率")}
    for wanted in ("巴财企[2022]38号", "a/b\\c:d*e?f", "'引号'", "很长" * 40, ""):
        content = export.to_excel_bytes(df, spec, wanted, export.title_line(wanted, "2024年 · 全部地区"))
        check_xlsx(content, wanted)
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(export.to_excel_bytes(df, spec, "巴财企[2022]38号"))).active
    assert ws.title == "巴财企〔2022〕38号"
    assert ws.cell(4, 2).value == 0.5 and ws.cell(4, 2).number_format == "0.00%"


def test_flags_table_is_paged_and_downloads_every_flag(seed_db, captured, monkeypatch):
    """At scale the flags table holds one page (the query's $top from $offset); the caption
    gives the rows shown and the whole count, a page number turns the page, and the downloads
    fetch every flag of the filter."""
    from dashboard import data
    from jixiao.db import connect

    con = connect(seed_db, read_only=True)
    n = con.sql("SELECT count(*) FROM flags f JOIN projects p USING (project_id) "
                "WHERE coalesce(p.scope, 'project') = 'project'").fetchall()[0][0]
    con.close()
    assert n > 6
    monkeypatch.setattr(data, "PAGE_ROWS", 3)
    start = len(captured)
    at = _open("flags", {"status": "全部"})
    page1 = _table_startswith(at, "fl_table_").value
    assert len(page1) == 3
    assert any(c.value.startswith(f"第 1–3 条（共 {n:,} 条，每页 3 条") for c in at.caption)
    drawn = [b for b in _drawn(captured, start) if b["key"].startswith("fl_table_")]
    xlsx = next(b for b in drawn if b["file_name"].endswith(".xlsx"))
    assert check_xlsx(_content(xlsx), xlsx["file_name"]) == n
    csv = next(b for b in drawn if b["file_name"].endswith(".csv"))
    assert len(_content(csv).decode("utf-8-sig").splitlines()) == n + 1
    # page 2: the next three flags in the same order
    pages = -(-n // 3)
    box = next(x for x in at.number_input if x.label == f"页码（共 {pages:,} 页）")
    box.set_value(2).run()
    assert not at.exception
    page2 = _table_startswith(at, "fl_table_").value
    assert len(page2) == 3
    assert any(c.value.startswith(f"第 4–6 条（共 {n:,} 条") for c in at.caption)
    whole = _content(xlsx)
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(whole)).active
    header = [c.value for c in ws[3]]
    col = header.index("问题说明") + 1
    messages = [ws.cell(r, col).value for r in range(4, 4 + n)]
    assert list(page1["message"]) == messages[:3] and list(page2["message"]) == messages[3:6]
