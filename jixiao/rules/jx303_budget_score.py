"""JX303 预算执行得分不符: a 预算执行率 score that is not min(rate, 1) × its points."""

from __future__ import annotations

from typing import Any

import polars as pl

from jixiao.rules.base import Frames, findings, rule
from jixiao.scores import fmt_num, fmt_pct, settings_for


@rule("JX303", "预算执行得分不符", "自评打分", "高", tolerance=0.1)
def check(frames: Frames, opts: dict[str, Any]) -> pl.DataFrame:
    """检查什么：预算执行率得分是否等于 min(执行率, 1)×预算执行率分值。执行率按金额计算：表中有全年
    预算数（调整后预算数）时为全年执行数/全年预算数（表中注明按年初预算数计算的除外），否则为全年执行数/
    年初预算数；没有金额时取表中写的执行率。分值取表中写的分值，未写时取评分设置表（默认10分）。
    只检查填了预算执行率得分且能得到执行率的项目；差额不超过 tolerance（默认0.1分）不提示。
    为什么是问题：预算执行率得分是唯一可以完全按公式算出的分数，算错或凑整（如执行率85%仍给10分）
    说明自评未按规则打分，会抬高总分、掩盖资金沉淀。
    示例：年初预算数100万元，全年执行数85万元，执行率85%，分值10分，应得8.5分，填报得分为10分。
    如何整改：按「执行率×分值，最高不超过分值」重新计算预算执行率得分，并同步更正总分。
    """
    tol = float(opts["tolerance"])
    p = frames.projects
    st = settings_for(p).select("project_id", pl.col("budget_points").alias("__bp"))
    b, adj, x = pl.col("budget"), pl.col("budget_adjusted"), pl.col("executed")
    rate = pl.coalesce(pl.col("execution_rate"), pl.when(b > 0).then(x / b))
    df = (
        p.filter(pl.col("budget_score_reported").is_not_null())
        .join(st, on="project_id", how="left")
        .with_columns(
            rate.alias("__rate"),
            pl.coalesce(pl.col("budget_points"), pl.col("__bp")).alias("__points"),
        )
        .filter(pl.col("__rate").is_not_null() & pl.col("__points").is_not_null())
        .with_columns((pl.col("__rate").clip(0, 1) * pl.col("__points")).alias("__expected"))
        .filter((pl.col("budget_score_reported") - pl.col("__expected")).abs() > tol)
        .sort("project_id")
    )
    # the amounts the rate was computed from: B / 全年预算数 where that gives it, else B / A
    by_adjusted = adj.is_not_null() & (adj > 0) & ((x / adj - pl.col("__rate")).abs() < 1e-9)
    by_budget = b.is_not_null() & (b > 0) & ((x / b - pl.col("__rate")).abs() < 1e-9)
    executed = pl.lit("（全年执行数") + fmt_num(x, 4) + pl.lit("万元/")
    money = (
        pl.when(x.is_null()).then(pl.lit(""))
        .when(by_adjusted).then(executed + pl.lit("全年预算数") + fmt_num(adj, 4) + pl.lit("万元）"))
        .when(by_budget).then(executed + pl.lit("年初预算数") + fmt_num(b, 4) + pl.lit("万元）"))
        .otherwise(pl.lit(""))
    )
    msg = (
        pl.lit("预算执行率为") + fmt_pct(pl.col("__rate")) + money + pl.lit("，分值") + fmt_num(pl.col("__points"))
        + pl.lit("分，应得") + fmt_num(pl.col("__expected")) + pl.lit("分，填报得分为")
        + fmt_num(pl.col("budget_score_reported")) + pl.lit("分")
    )
    return findings(df, msg, per_project=True)


RULE = check
