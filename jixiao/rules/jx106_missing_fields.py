"""JX106 指标缺项: an indicator with no name, no target or no second level."""

from __future__ import annotations

from typing import Any

import polars as pl

from jixiao.rules.base import Frames, findings, rule
from jixiao.textkeys import SPACE_RUN


def _blank(col: str) -> pl.Expr:
    """Given a column name, returns whether the cell is null or only whitespace."""
    return pl.col(col).cast(pl.String).fill_null("").str.replace_all(SPACE_RUN, "") == ""


@rule("JX106", "指标缺项", "目标设置", "中")
def check(frames: Frames, opts: dict[str, Any]) -> pl.DataFrame:
    """检查什么：每个指标是否填全了三级指标名称、目标值（指标值）和二级指标。
    三项中缺任何一项即标记，一条提示列出所缺各项。二级指标按原表文字判断：原表写了但不是标准名称的，不算缺项。
    为什么是问题：没有名称不知道考核什么，没有目标值无法判断是否完成，没有二级指标则指标归类不清、
    无法核对各类指标是否齐全；自评时这些指标只能凭感觉打分。
    示例：「数量指标」下一行只填了目标值「≥95%」而三级指标名称为空；「受益人员满意度」目标值一栏空白。
    如何整改：补齐三级指标名称、可衡量的目标值和所属二级指标；确实不需要的空行应删除。
    """
    # each distinct text tested once
    cols = ("name", "target_raw", "level2", "level2_raw")
    ind = frames.indicators.hstack([frames.text.evaluate(c, _blank(c)).alias(f"__blank_{c}") for c in cols])
    no_name, no_target = pl.col("__blank_name"), pl.col("__blank_target_raw")
    no_l2 = pl.col("__blank_level2") & pl.col("__blank_level2_raw")
    df = ind.filter(no_name | no_target | no_l2)
    parts = pl.concat_list(
        pl.when(no_name).then(pl.lit("三级指标名称")).otherwise(pl.lit(None, dtype=pl.String)),
        pl.when(no_target).then(pl.lit("目标值")).otherwise(pl.lit(None, dtype=pl.String)),
        pl.when(no_l2).then(pl.lit("二级指标")).otherwise(pl.lit(None, dtype=pl.String)),
    ).list.drop_nulls().list.join("、")
    label = (
        pl.when(no_name)
        .then(pl.lit("第") + pl.col("seq").cast(pl.String).fill_null("?") + pl.lit("个指标（")
              + pl.coalesce(pl.col("level1"), pl.col("level1_raw"), pl.lit("未分类")) + pl.lit("）"))
        .otherwise(pl.lit("指标「") + pl.col("name") + pl.lit("」"))
    )
    return findings(df.sort("project_id", "indicator_id"), label + pl.lit("缺少") + parts)


RULE = check
