"""JX101 成本指标目标值非金额: a cost indicator whose target is a percentage or carries no money unit."""

from __future__ import annotations

from typing import Any

import polars as pl

from jixiao.rules.base import Frames, findings, rule

# A money unit as stored: 万元 (元/千元/亿元 are scaled to 万元 by the parser), 万元/次 …, or a
# bare 万 ("总成本350万"), which in a cost indicator can only mean 万元.
MONEY_UNIT = r"^(万元|万(/|$))"
_AMOUNT_IN_TEXT = r"\d+(?:\.\d+)?\s*(?:亿元|万元|千元|元|万)"


@rule("JX101", "成本指标目标值非金额", "目标设置", "中", allow_bare_number=False)
def check(frames: Frames, opts: dict[str, Any]) -> pl.DataFrame:
    """检查什么：一级指标为成本指标的三级指标，其目标值是否为金额。目标值为百分比（如「≥98%」）、
    文字（如「按标准执行」「正常开展」）、带非货币单位的数（如「12次」）或没有单位的数，均视为非金额。
    金额单位指元、千元、万元、亿元（含「万元/次」「元/人/月」等单价）及「万」。没有单位的纯数字默认也算非金额
    （选项 allow_bare_number=True 时不标记，适用于表头已写明「单位：万元」的表）。
    目标值为空的成本指标不在此检查，由 JX106 指标缺项负责。
    为什么是问题：成本指标应写明项目成本或单位成本的金额，才能与预算核对、考核成本控制；
    写成完成率或满意度式的百分比、或一句文字，成本指标就形同虚设。
    示例：成本指标「项目成本」指标说明为「总成本800万元」，目标值却填「≥98%」；成本指标「保障社会保险业务经办正常开展」目标值为「正常开展」。
    如何整改：把成本指标的目标值改为金额，如「≤800万元」或「≤0.42万元/次」，并与年度预算核对一致。
    """
    ind = frames.indicators
    raw = pl.col("target_raw").cast(pl.String).fill_null("").str.strip_chars()
    unit = pl.col("target_unit").fill_null("")
    value = pl.col("target_value")
    money = unit.str.contains(MONEY_UNIT)
    pct = unit == "%"
    bare = value.is_not_null() & (unit == "")
    bad = (pl.col("level1") == "成本指标") & (raw != "") & ~money
    if opts.get("allow_bare_number"):
        bad = bad & ~bare

    df = ind.filter(bad)
    name = pl.col("name").fill_null("")
    head = pl.lit("成本指标「") + name + pl.lit("」的目标值为「") + raw + pl.lit("」，")
    why = (
        pl.when(pct).then(pl.lit("是百分比，不是金额"))
        .when(value.is_null()).then(pl.lit("是文字描述，没有金额"))
        .when(unit == "").then(pl.lit("没有金额单位（元/万元）"))
        .otherwise(pl.lit("单位为「") + unit + pl.lit("」，不是金额单位"))
    )
    amount = pl.col("description").cast(pl.String).fill_null("").str.extract(f"({_AMOUNT_IN_TEXT})", 1)
    hint = (
        pl.when(amount.is_not_null())
        .then(pl.lit("；指标说明中写有金额「") + amount + pl.lit("」，应填入目标值"))
        .otherwise(pl.lit(""))
    )
    return findings(df.sort("project_id", "indicator_id"), head + why + hint)


RULE = check
