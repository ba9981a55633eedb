"""JX103 定量定性不符: the declared indicator type (指标值类型) and the target disagree."""

from __future__ import annotations

from typing import Any

import polars as pl

from jixiao.rules.base import Frames, findings, rule
from jixiao.textkeys import SPACE_RUN

_OPS = (">=", "<=", "=", ">", "<", "≥", "≤", "≧", "≦", "==", "=>", "=<")


@rule("JX103", "定量定性不符", "目标设置", "低")
def check(frames: Frames, opts: dict[str, Any]) -> pl.DataFrame:
    """检查什么：表中写明了「指标值类型」（≥、≤、=、>、<、定量 或 定性）的指标，类型与目标值是否一致：
    声明为定量，目标值里却没有任何数字（如「有效提高」）；声明为定性，目标值却是一个数值（如「95%」「12次」「3」）。
    日期（如「2026年12月31日前」）不算数值。表中没有「指标值类型」一栏的指标不检查（无从判断声明），
    目标值为空的指标由 JX106 负责。
    为什么是问题：定量指标要用数值考核完成程度，定性指标按等级评价；类型与目标值不符，
    自评时无法按规定的赋分方法打分，也说明填表时没有想清楚指标怎样衡量。
    示例：指标值类型为「≥」，目标值为「效果明显」；指标值类型为「定性」，目标值为「100%」。
    如何整改：定量指标把目标值改为数字并填写度量单位；确实只能定性描述的，把类型改为「定性」；
    已有明确数值的，把类型改为相应的比较符号。
    """
    # each distinct target text and declared type tested once, on its NFKC form as the shared
    # text keys hold it (jixiao.textkeys); outer spaces are no digit, so need no stripping first
    text = frames.text
    ind = frames.indicators.hstack([
        text.evaluate_nfkc("target_raw", ~pl.col("target_raw").fill_null("").str.contains(r"\d")).alias("__no_number"),
        text.evaluate_nfkc("declared_type", pl.col("declared_type").fill_null("").str.replace_all(SPACE_RUN, ""))
        .alias("__declared"),
    ])
    d = pl.col("__declared")
    raw = pl.col("target_raw").cast(pl.String).fill_null("").str.strip_chars()
    qual = d.str.contains("定性", literal=True)
    quant = ~qual & (d.is_in(list(_OPS)) | d.str.contains("定量", literal=True))
    no_number = pl.col("__no_number")
    bad_quant = quant & (raw != "") & no_number
    bad_qual = qual & (raw != "") & pl.col("target_value").is_not_null()
    df = ind.filter(bad_quant | bad_qual)
    msg = (
        pl.when(bad_quant)
        .then(pl.lit("指标「") + pl.col("name") + pl.lit("」的指标值类型为「") + d
              + pl.lit("」（定量），目标值「") + raw + pl.lit("」中却没有数字"))
        .otherwise(pl.lit("指标「") + pl.col("name") + pl.lit("」的指标值类型为「定性」，目标值「") + raw
                   + pl.lit("」却是数值，应按定量填写"))
    )
    return findings(df.sort("project_id", "indicator_id"), msg)


RULE = check
