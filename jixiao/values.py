"""Parsing of target and actual values: `≥98%`, `<=0.42万元/次`, `=12次`, `有效提高`.

Pure functions. Amounts are converted to 万元 (元 / 千元 / 亿元 are scaled), percentages to
fractions (98% -> 0.98, unit kept as "%"), operators normalised to ASCII (>=, <=, =, >, <).
Dates (2024年年底, 12月底, 2026年12月31日前) and words (有效提高, 全年) are qualitative.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from jixiao.privacy import mask_phones
from jixiao.vocabulary import without_space

OPS = (">=", "<=", "=", ">", "<")

# Operators as written, after NFKC (which turns ＞＝ into >= and ＝ into =).
_OP_WORDS = [
    ("≥", ">="), ("≧", ">="), ("⩾", ">="), ("=>", ">="), (">=", ">="),
    ("≤", "<="), ("≦", "<="), ("⩽", "<="), ("=<", "<="), ("<=", "<="),
    ("大于或等于", ">="), ("大于等于", ">="), ("不低于", ">="), ("不少于", ">="), ("不小于", ">="),
    ("小于或等于", "<="), ("小于等于", "<="), ("不高于", "<="), ("不超过", "<="), ("不多于", "<="),
    ("不大于", "<="), ("控制在", "<="),
    ("大于", ">"), ("高于", ">"), ("超过", ">"), ("小于", "<"), ("低于", "<"),
    ("等于", "="), ("==", "="), ("=", "="), (">", ">"), ("<", "<"),
    ("═", "="),  # box-drawing double bar (U+2550), typed for = in 云南 tables; NFKC keeps it
]
_SUFFIX_OPS = [("及以上", ">="), ("以上", ">="), ("及以下", "<="), ("以下", "<="), ("以内", "<="), ("之内", "<=")]
_NUM = r"[-+]?\d+(?:,\d{3})*(?:\.\d+)?"
_VALUE = re.compile(rf"^(?P<prefix>[^\d<>=]*?)(?P<op>>=|<=|=|>|<)?(?P<num>{_NUM})(?P<unit>[^\d]*)$")
_TYPE_QUAL = ("定性",)
_DATE_UNIT = re.compile(r"^(年|月(?!份?[/人次])|日|号)")
_MONEY = {"元": 1e-4, "千元": 1e-1, "万元": 1.0, "亿元": 1e4}
_MONEY_LONGEST_FIRST = sorted(_MONEY, key=len, reverse=True)
_AMOUNT_SUFFIX = {**_MONEY, "万": 1.0}
_NUMBER_CELL = re.compile(rf"({_NUM})(%|万元|万|元|亿元)?")
_AMOUNT = re.compile(rf"({_NUM})(亿元|万元|千元|元|万)?")
_DIGIT = re.compile(r"\d")
# Any operator word at all (a cheap test before the ordered search in `_split_op`).
_ANY_OP = re.compile("|".join(re.escape(w) for w, _ in _OP_WORDS))
_POINTS_RULE = re.compile(r"得(?:满分)?(\d+(?:\.\d+)?)分")


@dataclass(frozen=True)
class Value:
    """A parsed value: the text as written, operator, number, unit and whether it is a number."""

    raw: str
    op: str | None
    value: float | None
    unit: str | None
    is_quantitative: bool


def normalize_text(text: str | None) -> str:
    """Given cell text, returns it NFKC-normalised (full width -> ASCII) without whitespace."""
    if text is None:
        return ""
    if type(text) is str:
        return _normalized(text)
    return _normalized(str(text))


@lru_cache(maxsize=262144)
def _normalized(s: str) -> str:
    """normalize_text of a str, cached: one new cell is normalised by several parsers (a number,
    an operator, a value) as the aligner weighs it for each column."""
    if not s.isascii():  # ASCII is its own NFKC form
        s = unicodedata.normalize("NFKC", s)
    return without_space(s)


def _no_phone(text) -> str:
    """Given cell text (or None), returns it with phone numbers masked: a phone is no value."""
    return "" if text is None else mask_phones(str(text)) or ""


@lru_cache(maxsize=65536)
def normalize_op(text: str | None) -> str | None:
    """Given an operator as written (≥, ＞=, 大于等于, …), returns >=, <=, =, >, < or None."""
    s = normalize_text(text)
    for word, op in _OP_WORDS:
        if s == word:
            return op
    return None


def _split_op(s: str) -> tuple[str | None, str]:
    if _ANY_OP.search(s) is None:
        return None, s
    for word, op in _OP_WORDS:
        i = s.find(word)
        # An operator word counts only before the first digit ("≥98%", "不低于95%").
        if i >= 0 and not _DIGIT.search(s, 0, i):
            return op, s[:i] + s[i + len(word):]
    return None, s


def scale_unit(value: float, unit: str | None) -> tuple[float, str | None]:
    """Given a number and its unit as written, returns it in stored units (万元, fractions for %)."""
    if not unit:
        return value, None
    # Rounding drops float noise from scaling (68400元 -> 6.84, not 6.840000000000001).
    if unit.startswith(("%", "百分比")):  # 安徽/甘肃 systems write "≥100百分比"
        return round(value / 100.0, 10), "%"
    if unit == "万":  # "250万": an amount in 万元 (万人, 万亩 … keep their unit)
        return value, "万元"
    if unit.startswith("‰"):
        return round(value / 1000.0, 10), "%"
    for money in _MONEY_LONGEST_FIRST:
        if unit.startswith(money):
            return round(value * _MONEY[money], 10), "万元" + unit[len(money):]
    return value, unit


@lru_cache(maxsize=65536)
def parse_number(text: str | None) -> float | None:
    """Given a cell that should hold a number ("1,012.00", "17.52", "100%", "250万"), returns it
    or None.

    A percentage comes back as a fraction ("100%" -> 1.0), an amount in 万元 ("68400元" -> 6.84,
    "250万" -> 250); anything else non-numeric -> None.
    """
    s = normalize_text(_no_phone(text)).replace("，", ",")  # a phone is no number (see parse_value)
    if not s:
        return None
    m = _NUMBER_CELL.fullmatch(s)
    if not m:
        return None
    v = float(m.group(1).replace(",", ""))
    suffix = m.group(2)
    if suffix == "%":
        return round(v / 100.0, 10)
    if suffix in _AMOUNT_SUFFIX:
        return round(v * _AMOUNT_SUFFIX[suffix], 10)
    return v


@lru_cache(maxsize=65536)
def parse_amount(text: str | None, unit: str = "万元") -> float | None:
    """Given a budget cell ("250万", "1,234.5", "90.00", "3,309,840.00" in a 元 table,
    "6923.36万元(其中：上级财政资金…)"), returns the amount in 万元 or None.

    `unit` is the table's money unit (单位：万元 / 金额单位：元) for bare numbers; a unit written
    in the cell wins. Text after the amount is allowed only in brackets or after a separator.
    """
    s = normalize_text(_no_phone(text)).replace("，", ",")  # a phone is no amount
    m = _AMOUNT.match(s)
    if not m:
        return None
    rest = s[m.end():]
    if rest and rest[0] not in "([（【;；,、":
        return None
    v = float(m.group(1).replace(",", ""))
    written = m.group(2)
    factor = _AMOUNT_SUFFIX.get(written or unit, 1.0)
    return round(v * factor, 10)


def parse_points(text: str | None) -> float | None:
    """Given a scoring text such as "达到计划值得满分3分，否则…", returns the first full score (3.0)."""
    s = normalize_text(text)
    m = _POINTS_RULE.search(s)
    return float(m.group(1)) if m else None


@lru_cache(maxsize=262144)
def parse_value(raw: str | None, unit_hint: str | None = None, type_hint: str | None = None) -> Value:
    """Given a target/actual cell, and optionally the table's 度量单位 and 指标值类型 cells,
    returns the parsed `Value`.

    The type column (≥ = ≤ 定性) decides quantitative vs qualitative where present; otherwise a
    value is quantitative when it is a number with an optional operator, unit and short lead-in
    ("平均费用20元/张", "总成本800万元"), and not a date.
    """
    raw_s = "" if raw is None else str(raw).strip()
    # A phone number written as a value (138 0013 8000 as 指标值) is masked before it is read:
    # stored as 13800138000.0 it would survive the masking of every text column.
    s = normalize_text(_no_phone(raw_s))
    type_s = normalize_text(type_hint)
    type_op = normalize_op(type_s) if type_s else None
    declared_qual = type_s in _TYPE_QUAL
    hint = normalize_text(unit_hint) or None

    op, value, unit = None, None, None
    if s:
        for word, sop in _SUFFIX_OPS:
            if s.endswith(word) and _DIGIT.search(s):
                s, op = s[: -len(word)], sop
                break
        wop, rest = _split_op(s)
        op = wop or op
        m = _VALUE.match(rest)
        if m and len(m.group("prefix")) <= 8 and len(m.group("unit")) <= 8:
            unit_w = m.group("unit") or None
            num = float(m.group("num").replace(",", ""))
            is_date = unit_w is not None and bool(_DATE_UNIT.match(unit_w)) and (
                1900 <= num <= 2100 or (unit_w.startswith(("月", "日", "号")) and num <= 31))
            if not is_date:
                value, unit = scale_unit(num, unit_w or hint)
            else:
                op = None
        else:
            op = None if not m else op
    if value is None:
        op = None
    quantitative = value is not None
    if type_op is not None:
        quantitative = True
        op = op or type_op
    elif declared_qual:
        quantitative = False
        op = None
    if not quantitative:
        op = None
    return Value(raw_s, op, value, unit, quantitative)
