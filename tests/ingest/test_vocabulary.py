"""The vocabulary is data (datasets/vocabulary.csv): it holds the variants of real public tables,
a word added to a copy of the file is understood, and a broken file says where it is broken."""

from __future__ import annotations

from pathlib import Path

import pytest

from jixiao import vocabulary
from jixiao.ingest import parse_file
from jixiao.interpret.rows import Kind, classify
from jixiao.model import Row

ROOT = Path(__file__).resolve().parents[2]
V = vocabulary.load()

# The variants real public tables use (issue 8), as written in the documents: role, cell, meaning.
VARIANTS = [
    ("label", "项目支出名称", "name"), ("label", "专项资金名称", "name"), ("label", "项目名称：", "name"),
    ("label", "预算部门", "department"), ("label", "县级主管部门", "department"),
    ("label", "主管部门及其编码", "department"), ("label", "主管部门及代码", "department"),
    ("label", "年度本级预算金额", "budget"), ("label", "资金总额", "budget"), ("label", "项目资金申请（万元）", "budget"),
    ("label", "其中：本年财政拨款", "fund_fiscal"), ("label", "年度资金总额：", "budget"),
    ("label", "长期目标", "goal_long"), ("label", "年度目标", "goal"), ("label", "实施期绩效目标", "goal_long"),
    ("label", "本年度绩效目标", "goal"), ("label", "实施单位 （盖章）", "unit"),
    ("header", "指标性质", "type"), ("header", "计算符号", "type"), ("header", "指标方向", "type"),
    ("header", "指标值", "target"), ("header", "度量单位", "unit"), ("header", "计量单位", "unit"),
    ("header", "年度指标值", "target"), ("header", "实际完成值", "actual"), ("header", "完成值", "actual"),
    ("header", "偏差原因分析及改进措施", "reason"), ("header", "评（扣）分标准", "scoring_rule"),
    ("header", "指标解释(指标值内容)", "description"),
    ("budget_header", "调整后预算数", "adjusted"), ("budget_header", "全年预算数", "adjusted"),
    ("budget_header", "年初预算", "budget"), ("budget_header", "预算执行数", "executed"),
    ("budget_header", "执行率 (B/A)", "rate_a"), ("budget_header", "全年预算数(A)", "adjusted"),
    ("not_indicator", "财政部门审核意见", "opinion"), ("not_indicator", "主管部门审核意见", "opinion"),
    ("not_indicator", "其他需说明的问题", "remark"), ("not_indicator", "评价结论", "conclusion"),
    ("not_indicator", "存在问题", "conclusion"), ("not_indicator", "改进措施", "conclusion"),
    ("title_scope", "部门整体支出绩效目标表", "department"),
    ("label", "资金支出计划（%）", "spend_plan"), ("label", "分季度支出进度", "spend_plan"),
    ("spend_period", "3月底", "month"), ("spend_period", "12月31日前", "month"), ("spend_period", "1-3月", "month"),
    ("spend_period", "第一季度", "quarter"), ("spend_period", "1季度（%）", "quarter"), ("spend_period", "Q4", "quarter"),
    ("spend_period", "上半年", "half"), ("spend_period", "合计", "total"),
]


@pytest.mark.parametrize("role,cell,means", VARIANTS)
def test_vocabulary_variants_of_real_tables(role, cell, means):
    if role == "label":
        assert V.label(cell)[0] == means
    elif role == "title_scope":
        assert V.title_scope(cell) == means
    else:
        assert V.lookup(role, cell) == means


@pytest.mark.parametrize("written,canonical", [
    ("社会公众或服务对象满意度指标", "服务对象满意度指标"), ("满意度指标", "服务对象满意度指标"),
    ("成本指标", "经济成本指标"), ("环境效益指标", "生态效益指标"),
])
def test_vocabulary_level2_synonyms(written, canonical):
    assert V.level2(written) == canonical


def test_vocabulary_inline_values():
    assert V.label("年度资金总额：120") == ("budget", "120")
    assert V.label("总额10606.75万元") == ("budget", "10606.75万元")
    assert V.label("年初设定目标：确保业务正常") == ("goal", "确保业务正常")
    assert V.label("项目成本控制在总成本范围内") is None  # a sentence, not a label


def test_vocabulary_levels_are_canonical_contract_names():
    from jixiao.levels import LEVEL1, LEVEL2

    assert set(V.words("level1").values()) <= set(LEVEL1)
    assert set(V.words("level2").values()) <= set(LEVEL2)
    assert set(LEVEL1) <= set(V.words("level1")) and set(LEVEL2) <= set(V.words("level2"))


DOC = """项目支出绩效目标表
(2025)年度
资金项目名称\t乡村道路养护
实施单位\t临泽县交通运输局
年度资金总额\t12
一级指标\t二级指标\t三级指标\t指标值\t分值
产出指标\t数量指标\t养护里程\t≥40公里\t30
\t质量指标\t路面完好率\t≥90%\t30
效益指标\t社会效益指标\t群众出行条件\t明显改善\t20
满意度指标\t群众满意程度指标\t沿线群众满意度\t≥90%\t10
说明\t无
"""


def test_vocabulary_word_added_to_a_copy_is_understood(tmp_path, monkeypatch):
    doc = tmp_path / "doc.txt"
    doc.write_text(DOC, encoding="utf-8")
    before = parse_file(doc)
    p = before.frames["projects"].row(0, named=True)
    assert p["name"] == "项目支出绩效目标表"  # 资金项目名称 is not known: the title stands in
    last = before.frames["indicators"].row(-1, named=True)
    assert last["name"] != "沿线群众满意度"  # an unknown second level shifts the row

    copy = tmp_path / "vocabulary.csv"
    text = vocabulary.DEFAULT_PATH.read_text(encoding="utf-8")
    copy.write_text(text + "label,资金项目名称,name,a county's own word\n"
                    "level2,群众满意程度指标,服务对象满意度指标,\n", encoding="utf-8")
    monkeypatch.setenv(vocabulary.ENV, str(copy))
    after = parse_file(doc)
    assert after.report.status == "ok", after.report.message
    assert after.frames["projects"].row(0, named=True)["name"] == "乡村道路养护"
    last = after.frames["indicators"].row(-1, named=True)
    assert (last["name"], last["level1"], last["level2"], last["target_value"]) == (
        "沿线群众满意度", "满意度指标", "服务对象满意度指标", 0.9)


@pytest.mark.parametrize("line,message", [
    ("lable,项目名称,name,", "未知的 role"),
    ("label,项目名称,title,", "means 应为"),
    ("level1,产出,产出类指标,", "不是规范的一级指标名称"),
    ("header,re:([,target,", "正则表达式有误"),
])
def test_vocabulary_broken_file_names_the_line(tmp_path, line, message):
    bad = tmp_path / "bad.csv"
    bad.write_text("role,word,means,note\nlabel,项目名称,name,\n" + line + "\n", encoding="utf-8")
    with pytest.raises(vocabulary.VocabularyError) as err:
        vocabulary.load(bad)
    assert message in str(err.value) and ":3:" in str(err.value)


@pytest.mark.parametrize("cells,kind", [
    (("项目支出绩效自评表",), Kind.TITLE),
    (("(2024年度)",), Kind.YEAR),
    (("一级指标", "二级指标", "三级指标", "指标值"), Kind.HEADER),
    (("项目资金(万元)", "年初预算数", "调整后预算数", "预算执行数", "执行率"), Kind.BUDGET_HEADER),
    (("年度总体目标", "预期目标", "实际完成情况"), Kind.GOAL_HEADS),
    (("主管部门", "某县教育局"), Kind.LABEL),
    (("合计", "", "100", "96"), Kind.TOTAL),
    (("填表人：",), Kind.FOOTER),
    (("财政部门审核意见", "同意"), Kind.NOT_INDICATOR),
    (("产出指标", "数量指标", "培训人数", "≥100人"), Kind.DATA),
])
def test_row_classified_once_by_the_vocabulary(cells, kind):
    assert classify(Row(cells, 1), V).kind is kind


def test_readme_documents_every_role_and_meaning():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### How to teach the parser a new word"):]
    for role, meanings in vocabulary.ROLES.items():
        assert f"`{role}`" in section, role
        for means in meanings or ():
            if means:
                assert f"`{means}`" in section, (role, means)


def test_without_space_drops_exactly_what_a_regex_whitespace_matches():
    # One squeeze for the parser and the unit names: every code point \s matches is dropped
    # (full-width and no-break spaces included), and nothing else.
    import re
    import sys

    from jixiao.levels import squeeze
    from jixiao.vocabulary import without_space

    every = "".join(map(chr, range(0xD800))) + "".join(map(chr, range(0xE000, sys.maxunicode + 1)))
    assert without_space(every) == re.sub(r"\s+", "", every)
    assert without_space("产出 指标\u3000(40\xa0分)\t") == "产出指标(40分)" == squeeze("产出 指标\u3000(40\xa0分)\t")
    assert without_space("社会保险中心") == "社会保险中心" and squeeze("") == ""


def test_the_polars_squeeze_drops_what_the_parsers_squeeze_drops():
    # The rules and keys squeeze columns in Polars (Rust's regex); a text must come out as the
    # parser's str squeeze makes it, code point by code point (Rust's \s alone keeps U+001C–001F).
    import sys

    import polars as pl

    from jixiao.textkeys import SPACE_RUN
    from jixiao.vocabulary import without_space

    chars = [chr(c) for c in [*range(0xD800), *range(0xE000, sys.maxunicode + 1)]]
    got = pl.Series(chars).str.replace_all(SPACE_RUN, "").to_list()
    assert [c for c, g in zip(chars, got) if g != without_space(c)] == []
    assert pl.Series(["产出\x1f指标\u3000（40 分）"]).str.replace_all(SPACE_RUN, "").to_list() == ["产出指标（40分）"]
    assert pl.Series(["a\x1fb"]).str.replace_all(r"\s+", "").to_list() == ["a\x1fb"]  # why SPACE_RUN exists
