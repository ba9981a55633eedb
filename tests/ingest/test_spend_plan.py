"""资金支出计划 (the spend plan) as forms write it and table readers give it: the heads (3月底,
一季度, 1月 …) on the label's row or the next, the values under them or beside them, the label
spanning two rows, a head repeated into its empty value's cell by a merge; whatever is not
understood stays out of the plan. Expected plans are read off the rows written here."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import docx
import openpyxl
import pytest

from jixiao.ingest import parse_file
from jixiao.interpret import interpret
from jixiao.model import Row
from jixiao.writers import rows_to_docx, rows_to_xlsx
from tests.ingest.test_readers_formats import fixture

ROOT = Path(__file__).resolve().parents[2]
FULL = "3月底:25%;6月底:50%;10月底:75%;12月底:100%"

HEAD = [
    ["2024年项目支出绩效目标表"],
    ["项目名称", "社区培训"],
    ["主管部门", "某县人力资源和社会保障局"],
]
TABLE = [
    ["绩效目标", "完成培训任务"],
    ["一级指标", "二级指标", "三级指标", "指标值"],
    ["产出指标", "数量指标", "培训人数", "≥100人"],
    ["效益指标", "社会效益指标", "就业率", "≥80%"],
]


def plan_of(block: list[list[str]]) -> tuple[str | None, list]:
    """Given the rows of a spend-plan block, returns the plan read from a goal table holding it
    and that table's indicators."""
    rows = [Row(tuple(cells), k) for k, cells in enumerate(HEAD + block + TABLE, start=1)]
    doc = interpret(rows)
    assert len(doc.projects) == 1
    p = doc.projects[0]
    return p.fields.get("spend_plan"), p.indicators


@pytest.mark.parametrize("block, plan", [
    pytest.param([["资金支出计划（%）", "3月底", "6月底", "10月底", "12月底"],
                  ["", "25%", "50%", "75%", "100%"]], FULL, id="values-under-a-leading-empty-cell"),
    pytest.param([["资金支出计划（%）", "3月底", "6月底", "10月底", "12月底"],
                  ["资金支出计划（%）", "25%", "50%", "75%", "100%"]], FULL, id="label-spanning-both-rows"),
    pytest.param([["资金支出计划（%）", "3月底", "6月底", "10月底", "12月底"],
                  ["资金支出计划（%）", "3月底", "6月底", "10月底", "100%"]], "12月底:100%",
                 id="heads-spanning-their-empty-values"),
    pytest.param([["资金支出计划（%）", "3月底", "6月底", "10月底", "12月底"],
                  ["", "", "", "", "100%"]], "12月底:100%", id="empty-quarters"),
    pytest.param([["资金支出计划", "1季度", "2季度", "3季度", "4季度"],
                  ["", "20%", "30%", "30%", "20%"]], "1季度:20%;2季度:30%;3季度:30%;4季度:20%", id="quarters"),
    pytest.param([["资金支出计划（万元）", "第一季度", "第二季度", "第三季度", "第四季度", "合计"],
                  ["", "20", "40", "40", "", "100"]], "第一季度:20;第二季度:40;第三季度:40;合计:100",
                 id="amounts-and-a-total"),
    pytest.param([["资金支出计划", "（%）", "上半年", "全年"],
                  ["资金支出计划", "", "40%", "100%"]], "上半年:40%;全年:100%", id="a-unit-cell-beside-the-label"),
    pytest.param([["资金支出计划（%）"],
                  ["", "一季度", "二季度", "三季度", "四季度"],
                  ["", "25%", "50%", "75%", "100%"]], "一季度:25%;二季度:50%;三季度:75%;四季度:100%",
                 id="label-alone-heads-on-the-next-row"),
    pytest.param([["分季度支出进度", "一季度", "10%", "二季度", "40%", "三季度", "70%", "四季度", "100%"]],
                 "一季度:10%;二季度:40%;三季度:70%;四季度:100%", id="pairs-on-one-row"),
    pytest.param([["资金支出计划", "3月底25%", "6月底50%", "10月底75%", "12月底100%"]], FULL, id="pairs-in-cells"),
    pytest.param([["资金支出计划：3月底25%，6月底50%，10月底75%，12月底100%"]], FULL, id="pairs-in-the-label-cell"),
    pytest.param([["资金支出计划", "3月底:25%；6月底:50%；10月底:75%；12月底:100%"]], FULL, id="pairs-as-one-text"),
    pytest.param([["资金支出计划", "上半年", "40%"], ["资金支出计划", "下半年", "60%"]], "上半年:40%;下半年:60%",
                 id="one-pair-per-row-under-a-spanning-label"),
    pytest.param([["分月支出计划", "1月", "2月", "3月", "4月", "5月", "6月"],
                  ["", "5%", "10%", "20%", "30%", "40%", "50%"],
                  ["", "7月", "8月", "9月", "10月", "11月", "12月"],
                  ["", "60%", "70%", "80%", "85%", "90%", "100%"]],
                 "1月:5%;2月:10%;3月:20%;4月:30%;5月:40%;6月:50%;7月:60%;8月:70%;9月:80%;10月:85%;11月:90%;12月:100%",
                 id="months-in-two-bands"),
    pytest.param([["资金支出计划（%）", "3月底", "6月底", "10月底", "12月底"],
                  ["25%", "50%", "75%", "100%"]], FULL, id="values-row-without-the-label-cell"),
    pytest.param([["资金支出计划（%）", "", "3月底", "6月底", "10月底", "12月底"],
                  ["资金支出计划（%）", "25%", "50%", "75%", "100%"]], FULL, id="a-grid-off-by-a-column"),
    pytest.param([["资金支出计划（%）", "3月底", "6月底", "10月底", "12月底"],
                  ["", "", "100%"]], "6月底:100%", id="a-short-row-lines-up-by-column"),
    pytest.param([["资金支出计划（%）", "3 月底", "6 月底", "10月底", "12月底"],
                  ["", "25 %", "50%", "75%", "100%"]], FULL, id="pdf-spaces"),
])
def test_spend_plan_variants(block: list[list[str]], plan: str) -> None:
    got, indicators = plan_of(block)
    assert got == plan
    assert [i.name for i in indicators] == ["培训人数", "就业率"]


@pytest.mark.parametrize("block", [
    pytest.param([["资金支出计划", "按进度均衡支出"]], id="a-text-instead-of-heads"),
    pytest.param([["资金支出计划（%）", "3月底", "6月底", "10月底", "12月底"],
                  ["", "按进度拨付", "", "", ""]], id="a-text-under-the-heads"),
    pytest.param([["资金支出计划（%）", "3月底", "6月底", "10月底", "12月底"],
                  ["", "25%", "50%", "75%", "100%", "备注"]], id="a-cell-outside-the-heads"),
    pytest.param([["资金支出计划（%）", "3月底", "6月底", "10月底", "12月底"],
                  ["100%"]], id="a-value-under-the-label"),
    pytest.param([["资金支出计划", "3月底", "25%", "项目验收", "100%"]], id="a-pair-with-an-unknown-head"),
    pytest.param([["资金支出计划（%）", "3月底", "6月底", "10月底", "12月底"]], id="heads-without-values"),
])
def test_spend_plan_not_understood_is_left_out(block: list[list[str]]) -> None:
    got, indicators = plan_of(block)
    assert got is None
    assert [i.name for i in indicators] == ["培训人数", "就业率"]


def test_a_plan_not_understood_is_named_in_the_parse_report() -> None:
    rows = [Row(tuple(c), k) for k, c in enumerate(HEAD + [["资金支出计划", "按进度均衡支出"]] + TABLE, start=1)]
    doc = interpret(rows)
    assert "spend_plan" not in doc.projects[0].fields
    assert "第4行：资金支出计划未能识别（未导入）：「按进度均衡支出」" in [n.render() for n in doc.notes]


def test_a_row_after_the_plan_is_read_as_itself() -> None:
    # The goal text right after the values is the project's goal, not part of the plan.
    got, _ = plan_of([["资金支出计划（%）", "3月底", "6月底", "10月底", "12月底"],
                      ["", "25%", "50%", "75%", "100%"],
                      ["年度目标", "完成全年培训"]])
    assert got == FULL


def test_an_indicator_named_like_a_spend_schedule_stays_an_indicator() -> None:
    rows = [Row(tuple(c), k) for k, c in enumerate(HEAD + TABLE[:3] + [
        ["效益指标", "社会效益指标", "预算支出进度", "≥90%"], ["", "", "3月底", "25%"]], start=1)]
    p = interpret(rows).projects[0]
    assert "spend_plan" not in p.fields
    assert [i.name for i in p.indicators] == ["培训人数", "预算支出进度", "3月底"]


# ---------------------------------------------------------------- real merges, through the readers


def plans_in(path: Path) -> list[str | None]:
    """Given a file, returns the spend plan of each project, once the file has read completely."""
    parsed = parse_file(path)
    assert parsed.report.status == "ok", parsed.report.message
    return parsed.frames["projects"]["spend_plan"].to_list()


def test_xlsx_label_and_empty_quarters_merged_down(tmp_path: Path) -> None:
    # openpyxl: 资金支出计划（%） spans two rows, as do 3月底 / 6月底 (no value under them).
    wb = openpyxl.Workbook()
    ws = wb.active
    for r, cells in enumerate(HEAD + [["资金支出计划（%）", "3月底", "6月底", "10月底", "12月底"],
                                      ["", "", "", "75%", "100%"]] + TABLE, start=1):
        for c, text in enumerate(cells, start=1):
            if text:
                ws.cell(r, c, text)
    for col in "ABC":
        ws.merge_cells(f"{col}4:{col}5")
    path = tmp_path / "plan.xlsx"
    wb.save(path)
    assert plans_in(path) == ["10月底:75%;12月底:100%"]


def test_docx_label_merged_down(tmp_path: Path) -> None:
    # python-docx: the label spans the heads' row and the values' row (a vertical merge).
    rows = HEAD[1:] + [["资金支出计划", "一季度", "二季度", "三季度", "四季度"],
                       ["", "10%", "40%", "70%", "100%"]] + TABLE
    document = docx.Document()
    document.add_paragraph(HEAD[0][0])
    table = document.add_table(rows=len(rows), cols=5)
    for r, cells in enumerate(rows):
        for c, text in enumerate(cells):
            table.cell(r, c).text = text
    table.cell(2, 0).merge(table.cell(3, 0))
    table.cell(2, 0).text = "资金支出计划"  # merge joins both cells' paragraphs: keep one
    path = tmp_path / "plan.docx"
    document.save(path)
    assert plans_in(path) == ["一季度:10%;二季度:40%;三季度:70%;四季度:100%"]


def test_html_rowspan_label_and_quarter(tmp_path: Path) -> None:
    # A web system's export (HTML saved as .xls): the label and 3月底 (no value) span two rows,
    # the values row holds only the cells not covered.
    cell = "<td>{}</td>".format
    rows = "".join("<tr>" + "".join(cell(c) for c in cells) + "</tr>" for cells in HEAD[1:])
    rows += ('<tr><td rowspan="2">资金支出计划（%）</td><td rowspan="2">3月底</td><td>6月底</td><td>10月底</td>'
             "<td>12月底</td></tr><tr><td>50%</td><td>75%</td><td>100%</td></tr>")
    rows += "".join("<tr>" + "".join(cell(c) for c in cells) + "</tr>" for cells in TABLE)
    path = tmp_path / "plan.xls"
    path.write_text(f'<html><head><meta charset="utf-8"></head><body><p>{HEAD[0][0]}</p>'
                    f'<table border="1">{rows}</table></body></html>', encoding="utf-8")
    assert plans_in(path) == ["6月底:50%;10月底:75%;12月底:100%"]


def _blocks_of(source: Path):
    spec = importlib.util.spec_from_file_location("make_fixtures", ROOT / "tests" / "fixtures" / "formats" / "make_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.blocks_of(source)


SEED003 = next((ROOT / "datasets" / "seeds").glob("003_*.txt"))
SHUNDE = ROOT / "tests" / "fixtures" / "handwritten" / "goal_cellperline_shunde.txt"
# Read off the documents: 003's projects 1, 2, 9, 15–18 plan only 12月底 (100% / 100); shunde's
# second project leaves 10月底 empty, its third 3月底 and 10月底.
PLANS = {
    SEED003: ["12月底:100%"] * 2 + [FULL] * 6 + ["12月底:100%"] + [FULL] * 5
    + ["12月底:100", "12月底:100%", "12月底:100", "12月底:100%"],
    SHUNDE: ["3月底:20%;6月底:50%;10月底:80%;12月底:100%", "3月底:10%;6月底:40%;12月底:100%", "6月底:50%;12月底:100%"],
}


@pytest.mark.parametrize("suffix", ["xlsx", "docx"])
@pytest.mark.parametrize("source", [SEED003, SHUNDE], ids=["seed003", "shunde"])
def test_spend_plan_through_xlsx_and_docx(source: Path, suffix: str, tmp_path: Path) -> None:
    # Written with the template merges: the label, and the quarters before the first value,
    # span the heads' row and the values' row.
    path = tmp_path / f"plan.{suffix}"
    (rows_to_xlsx if suffix == "xlsx" else rows_to_docx)(_blocks_of(source), path)
    assert plans_in(source) == PLANS[source]
    assert plans_in(path) == PLANS[source]


@pytest.mark.parametrize("name", ["seed003.ods", "seed003.xls", "seed003.pdf", "seed003.doc"])
def test_seed003_spend_plan_in_every_format_fixture(name: str, tmp_path: Path) -> None:
    # The committed fixtures (LibreOffice's .ods/.xls/.doc/PDF of the merged tables): every
    # reader repeats the label, and 3月底 … over their empty values, into the values row.
    assert plans_in(fixture(name, tmp_path)) == PLANS[SEED003]
