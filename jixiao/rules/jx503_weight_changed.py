"""JX503 自评分值被改动: a weight that differs between the goal table and the self-evaluation."""

from __future__ import annotations

from typing import Any

import polars as pl

from jixiao.rules.base import Frames, findings, no_findings, rule
from jixiao.scores import fmt_num


@rule("JX503", "自评分值被改动", "权重分值", "中", reads_links=True, tolerance=0.01, rounding=0.51)
def check(frames: Frames, opts: dict[str, Any]) -> pl.DataFrame:
    """检查什么：同一项目的绩效目标表与自评表中配对的同一指标（按名称配对），分值（权重）是否不同。
    两份表都写了分值才比较（003 等不写分值的目标表不比较）。若一个项目的分值整体按同一比例换算
    （目标表指标合计100分、自评表指标合计90分另留10分给预算执行率，每个指标都按0.9折算，误差不超过
    rounding 默认0.51分），视为口径换算，不逐个标记。部门整体支出表不比较。
    为什么是问题：分值在目标表批复时就已确定，决定了每个指标对总分的影响。自评时把完成好的指标分值调高、
    完成差的调低，总分就会虚高。
    示例：目标表「参保人数」10分、「参保群众满意度」10分，自评表改为5分和15分。
    如何整改：自评表各指标的分值应与批复的绩效目标表一致；确需调整的，按程序调整目标表并说明。
    """
    tol = float(opts["tolerance"])
    rnd = float(opts["rounding"])
    # the columns read here only: the shared pairs are wide (every column of both indicators and
    # projects), and a filter copies each column it keeps — lazily, the select comes first
    pairs = frames.goal_self_pairs.lazy().filter(
        pl.col("p_kind_l").is_not_null() & pl.col("p_kind_r").is_not_null()
        & pl.col("weight_l").is_not_null() & pl.col("weight_r").is_not_null()
    ).select(
        "project_id_l", "project_id_r", "doc_id_r", "indicator_id_r", "name_l", "name_r", "weight_l", "weight_r",
    ).collect()
    if pairs.height == 0:
        return no_findings()
    # A project whose weights are all rescaled by one factor (100 -> 90 points) is a change of
    # convention, not of weights.
    # per pair of documents (windows: no group-by joined back on two string ids)
    doc = ["project_id_l", "project_id_r"]
    pairs = pairs.with_columns((pl.col("weight_r").sum() / pl.col("weight_l").sum()).over(doc).alias("__scale"))
    scaled_ok = (pl.col("weight_l") * pl.col("__scale") - pl.col("weight_r")).abs() <= rnd
    pairs = pairs.with_columns((((pl.col("__scale") - 1).abs() > tol).all() & scaled_ok.all()).over(doc)
                               .alias("__rescaled"))
    df = pairs.filter(~pl.col("__rescaled") & ((pl.col("weight_l") - pl.col("weight_r")).abs() > tol))
    name = pl.when(pl.col("name_r").fill_null("") != "").then(pl.col("name_r")).otherwise(pl.col("name_l")).fill_null("")
    msg = (pl.lit("指标「") + name + pl.lit("」的分值由绩效目标表的") + fmt_num(pl.col("weight_l")) + pl.lit("分改为自评表的")
           + fmt_num(pl.col("weight_r")) + pl.lit("分"))
    out = df.select(pl.col("doc_id_r").alias("doc_id"), pl.col("project_id_r").alias("project_id"),
                    pl.col("indicator_id_r").alias("indicator_id"), msg.alias("__msg"))
    return findings(out.sort("project_id", "indicator_id"), pl.col("__msg"))


RULE = check
