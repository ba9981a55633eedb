"""JX302 总分不符: a reported total that is not the sum of its scores, naming the indicator whose
score is off where the data shows one."""

from __future__ import annotations

from typing import Any

import polars as pl

from jixiao.rules.base import Frames, findings, rule
from jixiao.scores import ensure_expected, fmt_num, indicator_label


def _suspects(ind: pl.DataFrame, gaps: pl.DataFrame, tol: float, limit: int) -> pl.DataFrame:
    """Given the indicators (with score_expected) and per project the gap (total − computed),
    returns per project `__exact` (the indicators whose own error is exactly the gap) and
    `__off` (up to `limit` indicators whose score is off: above its weight, not the rule's
    score, or missing with a weight)."""
    s, e, w = pl.col("score_reported"), pl.col("score_expected"), pl.col("weight")
    label = indicator_label()
    # Each suspect: what is wrong with it, and by how much the sum would change if it were put right.
    over = s.is_not_null() & w.is_not_null() & (s > w + 1e-9)
    off_rule = s.is_not_null() & e.is_not_null() & ((s - e).abs() > tol) & ~over
    missing = s.is_null() & w.is_not_null() & (w > 0)
    df = (
        ind.join(gaps, on="project_id", how="inner")
        .with_columns(
            pl.when(over).then(label + pl.lit("得分") + fmt_num(s) + pl.lit("分超过其分值") + fmt_num(w) + pl.lit("分"))
            .when(off_rule).then(label + pl.lit("填报得分") + fmt_num(s) + pl.lit("分，按规则应得") + fmt_num(e) + pl.lit("分"))
            .when(missing).then(label + pl.lit("未填得分（分值") + fmt_num(w) + pl.lit("分）"))
            .alias("__what"),
            pl.when(over).then(w - s).when(off_rule).then(e - s).when(missing).then(w).alias("__fix"),
        )
        .filter(pl.col("__what").is_not_null())
        .with_columns(((pl.col("__gap") - pl.col("__fix")).abs() <= tol).alias("__explains"))
        .sort("project_id", "seq")
    )
    return df.group_by("project_id", maintain_order=True).agg(
        pl.col("__what").filter(pl.col("__explains")).str.join("；").alias("__exact"),
        pl.col("__what").head(limit).str.join("；").alias("__off"),
        pl.len().alias("__n_off"),
    )


@rule("JX302", "总分不符", "自评打分", "高", tolerance=0.5, max_named=3)
def check(frames: Frames, opts: dict[str, Any]) -> pl.DataFrame:
    """检查什么：填报的总分是否等于各指标得分之和加预算执行率得分（未填预算执行率得分的按0计）。
    只检查填了总分、且至少有一个得分的项目；差额不超过 tolerance（默认0.5分）不提示。
    提示中指出得分有问题的指标：某个指标的得分按规则更正（得分超过分值的按分值、与评分规则不符的按规则得分、
    漏填得分的按分值）后合计正好等于总分的，点名该指标；否则列出得分有疑问的指标（最多 max_named 个，默认3个）。
    为什么是问题：总分是自评结论和结果应用（评级、预算安排）的依据。总分与明细对不上，要么明细打分被改过、
    要么总分是估填或抄自别处，自评结果不可信。
    示例：指标得分合计80分，加预算执行率得分10分应为90分，填报总分却为92分，相差2分；
    其中指标「参保人数」填报得分8分，按规则应得10分，按规则更正后合计正好为92分。
    如何整改：重新逐项加总各指标得分与预算执行率得分，以明细合计为准更正总分；若明细有误（如提示中点名的指标），
    先按评分规则更正明细再加总。
    """
    tol = float(opts["tolerance"])
    limit = int(opts.get("max_named") or 3)
    p = frames.projects
    ind = ensure_expected(p, frames.indicators)
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
        .with_columns((pl.col("total_score_reported") - pl.col("__computed")).alias("__gap"))
        .filter(pl.col("__gap").abs() > tol)
        .sort("project_id")
    )
    sus = _suspects(ind, df.select("project_id", "__gap"), tol, limit)
    df = df.join(sus, on="project_id", how="left")

    total, computed = pl.col("total_score_reported"), pl.col("__computed")
    detail = (
        pl.when(pl.col("budget_score_reported").is_not_null())
        .then(
            pl.lit("各指标得分合计") + fmt_num(pl.col("__sum").fill_null(0)) + pl.lit("分加预算执行率得分")
            + fmt_num(pl.col("budget_score_reported")) + pl.lit("分应为") + fmt_num(computed) + pl.lit("分")
        )
        .otherwise(pl.lit("各指标得分合计为") + fmt_num(computed) + pl.lit("分（未填预算执行率得分）"))
    )
    exact = pl.col("__exact").fill_null("")
    off = pl.col("__off").fill_null("")
    more = pl.col("__n_off").cast(pl.Int64).fill_null(0) - limit
    named = (
        pl.when(exact != "")
        .then(pl.lit("；其中") + exact + pl.lit("，按规则更正后合计正好为") + fmt_num(total) + pl.lit("分，请核对该指标得分"))
        .when((off != "") & (more > 0))
        .then(pl.lit("；得分有疑问的指标有") + pl.col("__n_off").cast(pl.String) + pl.lit("个（列出前")
              + pl.lit(str(limit)) + pl.lit("个）：") + off)
        .when(off != "")
        .then(pl.lit("；得分有疑问的指标：") + off)
        .otherwise(pl.lit(""))
    )
    msg = (
        pl.lit("填报总分为") + fmt_num(total) + pl.lit("分，") + detail + pl.lit("，相差")
        + fmt_num(pl.col("__gap").abs()) + pl.lit("分") + named
    )
    return findings(df, msg, per_project=True)


RULE = check
