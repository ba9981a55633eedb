"""Value parsing: operators, numbers, units, money in 万元, percentages as fractions, words."""

from __future__ import annotations

import pytest

from jixiao.values import parse_number, parse_points, parse_value

CASES = [
    # raw, unit column, type column -> op, value, unit, quantitative
    ("≥98%", None, None, ">=", 0.98, "%", True),
    (">=98%", None, None, ">=", 0.98, "%", True),
    ("＞=98%", None, None, ">=", 0.98, "%", True),
    ("＞＝98％", None, None, ">=", 0.98, "%", True),
    ("<=0.42万元/次", None, None, "<=", 0.42, "万元/次", True),
    ("＜=2.13万元", None, None, "<=", 2.13, "万元", True),
    ("≤1000万元", None, None, "<=", 1000.0, "万元", True),
    ("=45.5元/人/月", None, None, "=", 0.00455, "万元/人/月", True),
    ("＝12次", None, None, "=", 12.0, "次", True),
    ("=12次", None, None, "=", 12.0, "次", True),
    ("≥16.44万人", None, None, ">=", 16.44, "万人", True),
    (">57560人", None, None, ">", 57560.0, "人", True),
    ("<0.5%", None, None, "<", 0.005, "%", True),
    ("68400元", None, None, None, 6.84, "万元", True),
    ("6万元", None, None, None, 6.0, "万元", True),
    ("400个", None, None, None, 400.0, "个", True),
    ("100%", None, None, None, 1.0, "%", True),
    ("≥95", None, None, ">=", 95.0, None, True),
    ("平均费用20元/张", None, None, None, 0.002, "万元/张", True),
    ("总成本800万元", None, None, None, 800.0, "万元", True),
    ("95%以上", None, None, ">=", 0.95, "%", True),
    ("不超过2.13万元", None, None, "<=", 2.13, "万元", True),
    ("1,012.50万元", None, None, None, 1012.5, "万元", True),
    ("有效提高", None, None, None, None, None, False),
    ("成效显著", None, None, None, None, None, False),
    ("效果明显", None, None, None, None, None, False),
    ("全年", None, None, None, None, None, False),
    ("2024年年底", None, None, None, None, None, False),
    ("2024年", None, None, None, None, None, False),
    ("12月底", None, None, None, None, None, False),
    ("截止12月底", None, None, None, None, None, False),
    ("", None, None, None, None, None, False),
    # 000's separate 度量单位 and 指标值类型 columns
    ("95", "%", "≥", ">=", 0.95, "%", True),
    ("365", "天", "=", "=", 365.0, "天", True),
    ("3", "万元", "≤", "<=", 3.0, "万元", True),
    ("18.5", "元/亩", "≤", "<=", 0.00185, "万元/亩", True),
    ("2026年12月31日前", None, "定性", None, None, None, False),
    ("效果明显", None, "定性", None, None, None, False),
    ("效果明显", None, "≥", ">=", None, None, True),  # declared quantitative with no number (JX103)
]


@pytest.mark.parametrize("raw,unit,type_,op,value,out_unit,quant", CASES)
def test_parse_value_cases(raw, unit, type_, op, value, out_unit, quant):
    v = parse_value(raw, unit_hint=unit, type_hint=type_)
    assert (v.op, v.unit, v.is_quantitative) == (op, out_unit, quant)
    if value is None:
        assert v.value is None
    else:
        assert v.value == pytest.approx(value)
    assert v.raw == raw


@pytest.mark.parametrize("text,want", [
    ("1,012.00", 1012.0), ("17.52", 17.52), ("5", 5.0), ("100%", 1.0), ("0.00", 0.0),
    ("", None), ("按标准", None), ("５", 5.0),
])
def test_parse_number_cases(text, want):
    assert parse_number(text) == (pytest.approx(want) if want is not None else None)


@pytest.mark.parametrize("text,want", [
    ("项目成本控制在总成本范围内,得20分,每超出10%,扣2分", 20.0),
    ("达到计划值得满分3分,否则按实际值/计划值*指标分值计分。", 3.0),
    ("满意度大于等于95%的得10分,满意度小于95%且大于等于80%的得8分", 10.0),
    ("按照正常比例赋分", None),
])
def test_parse_points_cases(text, want):
    assert parse_points(text) == want
