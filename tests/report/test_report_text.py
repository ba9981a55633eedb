"""The report's small text helpers: Chinese ordinals, sheet names Excel accepts, file names
Windows accepts, number formats."""

from __future__ import annotations

import pytest

from jixiao.report.text import cn_number, join_lines, money, num, pct, safe_file_stem, sheet_name, years_text


@pytest.mark.parametrize("n, text", [(1, "一"), (9, "九"), (10, "十"), (11, "十一"), (18, "十八"), (20, "二十"),
                                     (21, "二十一"), (100, "一百"), (105, "一百零五"), (110, "一百一十"),
                                     (1001, "一千零一")])
def test_cn_number(n, text):
    assert cn_number(n) == text


@pytest.mark.parametrize("years, text", [([2025], "2025年度"), ([2023, 2024, 2025], "2023—2025年度"),
                                         ([2025, 2023], "2023、2025年度"), ([], "")])
def test_years_text(years, text):
    assert years_text(years) == text


@pytest.mark.parametrize("wanted, got", [
    ("巴财企[2022]38号关于拨付原水利水电医院退休人员待遇补差资金", "巴财企〔2022〕38号关于拨付原水利水电医院退休人员待遇补差"),  # 31 characters
    ("a:b*c?d/e\\f", "a：b＊c？d／e＼f"),
    ("'引号'", "引号"),
    ("History", "History表"),
    ("   ", "工作表"),
])
def test_sheet_name_is_valid(wanted, got):
    name = sheet_name(wanted, set())
    assert name == got[:31]
    assert len(name) <= 31 and not set(name) & set("[]:*?/\\")


def test_sheet_names_stay_unique_after_truncation():
    used: set[str] = set()
    long = "部门专项-财政对机关事业单位养老保险基金的补助市级兜底资金（第一批）"
    names = [sheet_name(long, used) for _ in range(3)] + [sheet_name("问题清单", used), sheet_name("问题清单", used)]
    assert len(set(names)) == 5 and all(len(n) <= 31 for n in names)
    assert names[1].endswith("～2") and names[2].endswith("～3") and names[4] == "问题清单～2"


@pytest.mark.parametrize("name, stem", [
    ("库尔勒市社会保险中心", "库尔勒市社会保险中心"),
    ('a/b\\c:d*e?f"g<h>i|j', "a_b_c_d_e_f_g_h_i_j"),
    ("CON", "_CON"), ("nul.txt", "_nul.txt"), ("单位. ", "单位"), ("", "未命名单位"),
])
def test_safe_file_stem(name, stem):
    assert safe_file_stem(name) == stem


def test_numbers_as_the_bureau_writes_them():
    assert num(1930.7) == "1,930.7" and num(10.0) == "10" and num(None) == "—" and num(91.375) == "91.38"
    assert money(1930.7) == "1,930.70万元" and pct(0.98) == "98.00%"


def test_join_lines_keeps_chinese_together_and_latin_apart():
    assert join_lines("成本指标应写明\n项目成本") == "成本指标应写明项目成本"
    assert join_lines("tolerance\ndefault 0.5") == "tolerance default 0.5"
