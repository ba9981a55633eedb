"""JX201 权重合计异常: a project's indicator weights that do not total 100."""

from __future__ import annotations

from typing import Any

import polars as pl

from jixiao.rules.base import Frames, findings, rule
from jixiao.scores import fmt_num, settings_for


@rule("JX201", "权重合计异常", "权重分值", "中", tolerance=0.5, accepted_goal_totals=(90, 100))
def check(frames: Frames, opts: dict[str, Any]) -> pl.DataFrame:
    """检查什么：项目各指标分值（权重）合计是否为100分。自评表：指标分值合计加预算执行率分值（通常10分）应为100分；
    自评表既未写预算执行率分值也未写其得分时，指标合计100分也算正确。目标表：指标合计90分（预留10分给预算执行率）或100分均可
    （选项 accepted_goal_totals，默认 (90, 100)；设为 None 时按评分设置表的 goal_reserved_points 取 100−预留分 与 100）。
    一个分值都没填的项目不检查；部分指标未填分值时，按已填分值合计判断，提示中注明未填的个数。允许误差 tolerance（默认0.5分）。
    提示按表内顺序列出相加的各项（各一级指标的分值合计与预算执行率分值），便于对照原表核对。
    为什么是问题：权重合计不是100分，自评总分就失去可比性，满分也不再是100分，说明指标设置或填表有误（漏填、多填、重复计分）。
    示例：自评表指标合计分值为85分，加预算执行率10分为95分，不等于100分；目标表指标合计为80分，既不是90分也不是100分。
    如何整改：逐项核对各指标分值，补齐漏填或删除多余指标，使自评表指标分值合计90分（加预算执行率10分为100分），
    目标表合计90分（预留10分）或100分。
    """
    tol = float(opts["tolerance"])
    accepted = opts.get("accepted_goal_totals")
    p, ind = frames.projects, frames.indicators

    w = pl.col("weight")
    agg = ind.group_by("project_id").agg(
        pl.when(w.count() > 0).then(w.sum()).otherwise(pl.lit(None, dtype=pl.Float64)).alias("weight_sum"),
        w.count().alias("n_weighted"),
        w.null_count().alias("n_missing"),
    )
    st = settings_for(p).select(
        "project_id", pl.col("budget_points").alias("__bp"), pl.col("goal_reserved_points").alias("__reserved")
    )
    df = (
        p.select("project_id", "doc_id", "kind", "budget_points", "budget_score_reported")
        .join(agg, on="project_id", how="inner")
        .join(st, on="project_id", how="left")
        .filter(pl.col("n_weighted") > 0)
    )

    s = pl.col("weight_sum")
    is_se = pl.col("kind") == "self_eval"
    points = pl.coalesce(pl.col("budget_points"), pl.col("__bp"))
    no_budget_row = pl.col("budget_points").is_null() & pl.col("budget_score_reported").is_null()
    se_ok = ((s + points - 100).abs() <= tol) | (no_budget_row & ((s - 100).abs() <= tol))

    if accepted is None:
        goal_ok = ((s - (100 - pl.col("__reserved"))).abs() <= tol) | ((s - 100).abs() <= tol)
        goal_text = fmt_num(100 - pl.col("__reserved")) + pl.lit("分（预留") + fmt_num(pl.col("__reserved")) + pl.lit("分给预算执行率）或100分")
    else:
        totals = [float(x) for x in accepted]
        goal_ok = pl.any_horizontal([(s - x).abs() <= tol for x in totals]) if totals else pl.lit(False)
        goal_text = pl.lit("或".join(f"{x:g}分" for x in totals))

    bad = df.filter(pl.when(is_se).then(~se_ok).otherwise(~goal_ok))
    # What was added, first level by first level in the table's order, so the unit can check
    # the sum against its own table: 产出指标40 + 效益指标30 + 满意度指标10 + 预算执行率10 = 90分.
    terms = (
        ind.filter(pl.col("project_id").is_in(bad["project_id"].implode()) & w.is_not_null())
        .group_by("project_id", pl.col("level1").fill_null("未分级指标"))
        .agg(w.sum().alias("__w"), pl.col("seq").min().alias("__first"))
        .sort("project_id", "__first", "level1")
        .group_by("project_id", maintain_order=True)
        .agg((pl.col("level1") + fmt_num(pl.col("__w"))).str.join(" + ").alias("__terms"))
    )
    bad = bad.join(terms, on="project_id", how="left")
    missing = (
        pl.when(pl.col("n_missing") > 0)
        .then(pl.lit("；另有") + pl.col("n_missing").cast(pl.String) + pl.lit("个指标未填写分值"))
        .otherwise(pl.lit(""))
    )
    budget_term = (
        pl.lit(" + 预算执行率") + fmt_num(points)
        + pl.when(pl.col("budget_points").is_null()).then(pl.lit("（表内未写，按评分设置）")).otherwise(pl.lit(""))
    )
    msg = (
        pl.when(is_se)
        .then(
            pl.lit("分值合计") + fmt_num(s + points) + pl.lit("分，不等于100分：") + pl.col("__terms")
            + budget_term + pl.lit(" = ") + fmt_num(s + points) + pl.lit("分")
        )
        .otherwise(
            pl.lit("目标表指标分值合计") + fmt_num(s) + pl.lit("分，不等于") + goal_text + pl.lit("：")
            + pl.col("__terms") + pl.lit(" = ") + fmt_num(s) + pl.lit("分")
        )
        + missing
    )
    return findings(bad.sort("project_id"), msg, per_project=True)


RULE = check
