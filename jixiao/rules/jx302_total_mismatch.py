"""JX302 总分不符: a reported total that is not the sum of its scores."""

from __future__ import annotations

from typing import Any

import polars as pl

from jixiao.rules.base import Frames, findings, rule
from jixiao.scores import fmt_num


@rule("JX302", "总分不符", "自评打分", "高", tolerance=0.5)
def check(frames: Frames, opts: dict[str, Any]) -> pl.DataFrame:
    """检查什么：填报的总分是否等于各指标得分之和加预算执行率得分（未填预算执行率得分的按0计）。
    只检查填了总分、且至少有一个得分的项目；差额不超过 tolerance（默认0.5分）不提示。
    为什么是问题：总分是自评结论和结果应用（评级、预算安排）的依据。总分与明细对不上，要么明细打分被改过、
    要么总分是估填或抄自别处，自评结果不可信。
    示例：指标得分合计80分，加预算执行率得分10分应为90分，填报总分却为92分，相差2分。
    如何整改：重新逐项加总各指标得分与预算执行率得分，以明细合计为准更正总分；若明细有误，先更正明细再加总。
    """
    tol = float(opts["tolerance"])
    p, ind = frames.projects, frames.indicators
    s = pl.col("score_reported")
    agg = ind.group_by("project_id").agg(
        pl.when(s.count() > 0).then(s.sum()).otherwise(pl.lit(None, dtype=pl.Float64)).alias("__sum"),
    )
    df = (
        p.select("project_id", "doc_id", "budget_score_reported", "total_score_reported")
        .filter(pl.col("total_score_reported").is_not_null())
        .join(agg, on="project_id", how="left")
        .filter(pl.col("__sum").is_not_null() | pl.col("budget_score_reported").is_not_null())
        .with_columns((pl.col("__sum").fill_null(0) + pl.col("budget_score_reported").fill_null(0)).alias("__computed"))
        .filter((pl.col("total_score_reported") - pl.col("__computed")).abs() > tol)
        .sort("project_id")
    )
    total, computed = pl.col("total_score_reported"), pl.col("__computed")
    detail = (
        pl.when(pl.col("budget_score_reported").is_not_null())
        .then(
            pl.lit("各指标得分合计") + fmt_num(pl.col("__sum").fill_null(0)) + pl.lit("分加预算执行率得分")
            + fmt_num(pl.col("budget_score_reported")) + pl.lit("分应为") + fmt_num(computed) + pl.lit("分")
        )
        .otherwise(pl.lit("各指标得分合计为") + fmt_num(computed) + pl.lit("分（未填预算执行率得分）"))
    )
    msg = (
        pl.lit("填报总分为") + fmt_num(total) + pl.lit("分，") + detail + pl.lit("，相差")
        + fmt_num((total - computed).abs()) + pl.lit("分")
    )
    return findings(df, msg, per_project=True)


RULE = check
