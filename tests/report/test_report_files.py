"""The review reports as a unit would open them: the .docx read back with python-docx and the
.xlsx with openpyxl, checked against numbers the tests compute from the database themselves."""

from __future__ import annotations

import io
import re
from datetime import date

import openpyxl
import pytest
from docx import Document

from jixiao.report import ReportFilter, ReportSource, render
from jixiao.report.text import cn_number

from .conftest import GUYUAN, KORLA, NANPU, PHONE_LANDLINE, PHONE_MOBILE, REASON, REVIEWER, ZHIJIANG

DAY = date(2026, 12, 1)
PHONE_RE = re.compile(r"(?<!\d)(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})(?!\d)")


def _docx(con, unit, flt=None):
    rep = ReportSource(con, flt).build(unit, report_date=DAY)
    return rep, Document(io.BytesIO(render(rep, "docx")))


def _xlsx(con, unit, flt=None):
    rep = ReportSource(con, flt).build(unit, report_date=DAY)
    return rep, openpyxl.load_workbook(io.BytesIO(render(rep, "xlsx")))


def _tables(doc) -> list[list[list[str]]]:
    return [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]


def _all_text(doc) -> str:
    parts = [p.text for p in doc.paragraphs]
    parts += [c for t in _tables(doc) for row in t for c in row]
    for s in doc.sections:
        parts += [p.text for p in s.header.paragraphs] + [p.text for p in s.footer.paragraphs]
    cp = doc.core_properties
    parts += [cp.title or "", cp.subject or "", cp.author or "", cp.comments or ""]
    return "\n".join(parts)


def _sheet_text(wb) -> str:
    return "\n".join(str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v is not None)


def _kv(doc, first_label: str) -> dict[str, str]:
    """The label/value table whose first cell is `first_label`, as a dict."""
    t = next(t for t in _tables(doc) if t and t[0][0] == first_label)
    out = {}
    for row in t:
        for k in range(0, len(row) - 1, 2):
            out[row[k]] = row[k + 1]
    return out


def _open_flags(con, unit, waived: str | None):
    rows = con.execute(
        "SELECT f.flag_id, f.rule, f.severity, f.project_id, p.name FROM flags f JOIN projects p USING (project_id) "
        "WHERE p.unit = ? ORDER BY f.flag_id", [unit]).fetchall()
    return [r for r in rows if r[0] != waived]


# --------------------------------------------------------------------------- header and summary


def test_docx_header_title_and_region(con):
    _, doc = _docx(con, GUYUAN)
    paras = [p.text for p in doc.paragraphs]
    assert paras[0] == f"关于{GUYUAN}\n2024年度项目支出绩效自评的复核意见"
    head = _kv(doc, "被审核单位")
    assert head["被审核单位"] == GUYUAN
    assert head["所属地区"] == "宁夏回族自治区 / 固原市"
    assert head["审核年度"] == "2024年"
    assert head["审核日期"] == "2026年12月1日"
    assert head["筛选条件"] == "全部年度 · 全部地区 · 全部表类型"
    assert f"{GUYUAN}：" in paras  # the salutation
    # the signature: the city's finance bureau (固原 is a city-level unit), then the date
    k = paras.index("固原市财政局")
    assert paras[k + 1] == "2026年12月1日"


def test_docx_goal_tables_are_a_review_of_targets(con):
    _, doc = _docx(con, NANPU, ReportFilter(years=(2020,)))
    assert doc.paragraphs[0].text.endswith("2020年度项目支出绩效目标的审核意见")
    assert _kv(doc, "被审核单位")["筛选条件"] == "2020年 · 全部地区 · 全部表类型"


def test_docx_summary_numbers_match_the_database(con):
    _, doc = _docx(con, GUYUAN)
    n, budget, executed, mean_reported = con.execute(
        "SELECT count(*), sum(budget), sum(executed), avg(total_score_reported) FROM projects "
        "WHERE unit = ? AND kind = 'self_eval'", [GUYUAN]).fetchone()
    mean_rules, n_rules = con.execute(
        "SELECT avg(s.total_expected), count(s.total_expected) FROM project_scores s JOIN projects p USING (project_id) "
        "WHERE p.unit = ?", [GUYUAN]).fetchone()
    n_ind = con.execute("SELECT count(*) FROM indicators i JOIN projects p USING (project_id) WHERE p.unit = ?",
                        [GUYUAN]).fetchone()[0]
    assert (n, n_ind) == (8, 68) and abs(budget - 111.3) < 1e-9  # the seed: 8 projects, 111.30 万元
    s = _kv(doc, "审核项目")
    assert s["审核项目"] == f"8 个（绩效目标表 0 个、绩效自评表 8 个），绩效指标 {n_ind} 个"
    assert s["自评表年初预算数"] == f"{budget:,.2f}万元"
    assert s["自评表全年执行数"] == f"{executed:,.2f}万元，预算执行率 {executed / budget * 100:.2f}%"
    assert s["平均自评总分"].startswith(f"{mean_reported:.2f}".rstrip("0").rstrip(".") + "分（8 个项目")
    assert s["按规则计算的平均总分"].startswith(f"{mean_rules:.2f}".rstrip("0").rstrip(".") + f"分（{n_rules} 个项目")
    flags = _open_flags(con, GUYUAN, None)
    by_sev = {sev: sum(1 for f in flags if f[2] == sev) for sev in ("高", "中", "低")}
    n_projects = len({f[3] for f in flags})
    assert s["需要整改的问题"] == (f"{len(flags)} 条，涉及 {n_projects} 个项目；"
                                   f"高 {by_sev['高']} 条、中 {by_sev['中']} 条、低 {by_sev['低']} 条")


def test_summary_counts_open_flags_without_the_accepted_one(con, report_db):
    _, facts = report_db
    _, doc = _docx(con, NANPU)
    flags = _open_flags(con, NANPU, facts["waived_flag"])
    s = _kv(doc, "审核项目")
    assert s["需要整改的问题"].startswith(f"{len(flags)} 条，")
    assert s["经核实无需整改"] == "1 条"


# --------------------------------------------------------------------------- per project


def test_docx_one_section_per_project_with_open_flags(con, report_db):
    _, facts = report_db
    _, doc = _docx(con, NANPU)
    flags = _open_flags(con, NANPU, facts["waived_flag"])
    names = con.execute("SELECT project_id, name, seq FROM projects WHERE unit = ? ORDER BY seq", [NANPU]).fetchall()
    with_flags = [name for pid, name, _ in names if any(f[3] == pid for f in flags)]
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
    assert headings == [f"（{cn_number(k)}）{name}" for k, name in enumerate(with_flags, 1)]


def test_docx_says_remedy_once_per_rule_and_project(con, report_db):
    _, facts = report_db
    _, doc = _docx(con, GUYUAN)
    flags = _open_flags(con, GUYUAN, None)
    groups = {(f[3], f[1]) for f in flags}
    remedies = [p.text for p in doc.paragraphs if p.text.startswith("整改要求：")]
    assert len(remedies) == len(groups)
    # 001's first project has three JX202 flags: one group, one 整改要求, one table of three rows
    rule_heads = [p.text for p in doc.paragraphs if p.style.name == "Heading 3"]
    jx202 = [h for h in rule_heads if "（JX202" in h]
    assert jx202 and jx202[0].endswith("3 条）")
    remedy = con.execute("SELECT remedy FROM rules WHERE rule = 'JX202'").fetchone()[0]
    assert f"整改要求：{''.join(x.strip() for x in remedy.splitlines())}" in remedies


def test_docx_flag_tables_quote_messages_and_indicators(con):
    _, doc = _docx(con, GUYUAN)
    msg, seq, name = con.execute(
        "SELECT f.message, i.seq, i.name FROM flags f JOIN indicators i USING (indicator_id) JOIN projects p "
        "ON p.project_id = f.project_id WHERE p.unit = ? AND f.rule = 'JX301' ORDER BY f.flag_id LIMIT 1",
        [GUYUAN]).fetchone()
    rows = [r for t in _tables(doc) if t[0] == ["序号", "指标", "问题及涉及的数值"] for r in t[1:]]
    assert [f"{seq}. {name}", msg] in [r[1:] for r in rows]


def test_accepted_flag_listed_with_its_reason_and_not_as_a_problem(con, report_db):
    _, facts = report_db
    _, doc = _docx(con, NANPU)
    heads = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert heads[:3] == ["一、总体情况", "二、存在的问题及整改要求", "三、经核实无需整改的事项"]
    accepted = next(t for t in _tables(doc) if t[0] == ["序号", "项目", "事项", "核实意见"])
    assert len(accepted) == 2 and accepted[1][3] == REASON and facts["waived_message"] in accepted[1][2]
    problem_rows = [r for t in _tables(doc) if t[0] == ["序号", "指标", "问题及涉及的数值"] for r in t[1:]]
    assert all(r[2] != facts["waived_message"] for r in problem_rows)
    assert REVIEWER not in _all_text(doc)  # the reviewer's name stays out of the letter


def test_unit_without_flags_reads_as_a_clean_review(con):
    _, doc = _docx(con, ZHIJIANG)
    text = _all_text(doc)
    assert "审核未发现需要整改的问题" in text and "均未发现需要整改的问题" in text
    assert "附件：审核规则说明" not in text


def test_docx_layout_fits_a4_with_chinese_fonts(con):
    from docx.oxml.ns import qn
    from docx.shared import Cm

    _, doc = _docx(con, NANPU)
    sec = doc.sections[0]
    assert abs(sec.page_width - Cm(21)) < Cm(0.01) and sec.page_height > sec.page_width
    text_width = sec.page_width - sec.left_margin - sec.right_margin
    for t in doc.tables:
        widths = [int(g.get(qn("w:w"))) for g in t._tbl.tblGrid.findall(qn("w:gridCol"))]
        assert abs(sum(widths) * 635 - text_width) < Cm(0.05)  # twips → EMU
        assert t._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
    normal = doc.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert normal.get(qn("w:eastAsia")) == "仿宋"
    # the font table names a GB2312 (charset 86) fallback for each Chinese font
    ft = next(r.target_part for r in doc.part.rels.values() if r.reltype.endswith("/fontTable"))
    assert "宋体".encode() in ft.blob and b'w:altName w:val="SimSun"' in ft.blob and b'w:charset w:val="86"' in ft.blob
    footer = doc.sections[0].footer._element.xml
    assert "PAGE" in footer and "NUMPAGES" in footer


# --------------------------------------------------------------------------- privacy


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_no_phone_number_anywhere(con, report_db, fmt):
    rep = ReportSource(con).build(NANPU, report_date=DAY)
    # the planted numbers are in the database, in the goal text and in a flag message ...
    goal = con.execute("SELECT goal FROM projects WHERE project_id = ?", [report_db[1]["project_id"]]).fetchone()[0]
    assert PHONE_MOBILE in goal
    assert any(PHONE_LANDLINE in f.message for p in rep.projects for g in p.groups for f in g.items)
    data = render(rep, fmt)
    text = _all_text(Document(io.BytesIO(data))) if fmt == "docx" else _sheet_text(openpyxl.load_workbook(io.BytesIO(data)))
    # ... and in none of the report's text, which quotes both places masked
    assert "联系人电话：***" in text and "咨询电话 ***" in text
    assert not PHONE_RE.findall(text), PHONE_RE.findall(text)


# --------------------------------------------------------------------------- Excel


def test_xlsx_sheets_have_title_frozen_header_autofilter_and_widths(con):
    rep, wb = _xlsx(con, KORLA, ReportFilter(years=(2023,)))
    for ws in wb.worksheets:
        title = ws["A1"].value
        assert rep.title in title and "筛选：2023年 · 全部地区 · 全部表类型" in title and "2026年12月1日" in title
        assert ws.freeze_panes == "A4"
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A3:")
        assert all(ws.column_dimensions[c].width >= 6 for c in "AB")
    assert wb.sheetnames[:3] == ["总体情况", "问题分类", "问题清单"] and wb.sheetnames[-1] == "规则说明"


def test_xlsx_sheet_names_are_sanitised_for_seed_project_names(con):
    _, wb = _xlsx(con, KORLA)
    bracketed = [n for (n,) in con.execute("SELECT name FROM projects WHERE unit = ? AND name LIKE '%[%'", [KORLA]).fetchall()]
    assert len(bracketed) >= 2  # 巴财企[2022]32号… and 巴财社[2022]81号… have flags
    names = wb.sheetnames
    assert len(names) == len({n.lower() for n in names})
    for n in names:
        assert len(n) <= 31 and not set(n) & set("[]:*?/\\") and not n.startswith("'")
    assert any(n.startswith("（一）巴财企〔2022〕32号") for n in names)


def test_xlsx_lists_every_open_flag_once_and_strings_stay_strings(con, report_db):
    _, facts = report_db
    _, wb = _xlsx(con, NANPU)
    ws = wb["问题清单"]
    header = [c.value for c in ws[3]]
    rows = [r for r in ws.iter_rows(min_row=4, values_only=True)]
    assert len(rows) == len(_open_flags(con, NANPU, facts["waived_flag"]))
    msg_col = header.index("问题说明")
    formula = [c for (c,) in ws.iter_rows(min_row=4, min_col=msg_col + 1, max_col=msg_col + 1)
               if isinstance(c.value, str) and c.value.startswith("=1+2")]
    assert len(formula) == 1 and formula[0].data_type == "s"
    accepted = wb["无需整改事项"]
    head = [c.value for c in accepted[3]]
    row = [c.value for c in accepted[4]]
    assert row[head.index("核实意见（接受理由）")] == REASON
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", row[head.index("接受时间")])


def test_xlsx_project_sheet_gives_the_remedy_once_per_rule(con):
    _, wb = _xlsx(con, GUYUAN)
    ws = next(ws for ws in wb.worksheets if ws.title.startswith("（一）"))
    header = [c.value for c in ws[3]]
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    rule, remedy = header.index("规则"), header.index("整改要求（每类问题一次）")
    for code in {r[rule] for r in rows}:
        said = [r[remedy] for r in rows if r[rule] == code and r[remedy]]
        assert len(said) == 1, code
