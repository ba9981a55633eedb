"""JX505 项目照抄上年: a goal table whose indicators and targets are nearly all the same as the
same project's goal table of the previous year."""

from __future__ import annotations

from typing import Any

import polars as pl

from jixiao.links import text_keys
from jixiao.rules.base import Frames, findings, no_findings, project_scope, rule
from jixiao.scores import fmt_num


@rule("JX505", "项目照抄上年", "模板照搬", "中", reads_links=True, share=0.9, min_indicators=5)
def check(frames: Frames, opts: dict[str, Any]) -> pl.DataFrame:
    """检查什么：同一项目（同一单位，按项目编码或名称跨年配对）今年与上年的绩效目标表，指标「名称 + 目标值」
    相同的比例达到 share（默认0.9，相同个数 ÷ 两年中指标较多一年的个数），标记今年的项目。比较时日期中的年份
    不计（只把「2024年年底」改成「2025年年底」仍算相同），数值目标比较数值和单位。任一年不足 min_indicators
    （默认5）个有名称的指标不比较；部门整体支出表不比较。
    为什么是问题：项目每年的任务量、资金和上年完成情况都在变化，绩效目标应据此重新测算。几乎原样照抄上年的
    指标和目标值，说明目标没有结合本年度实际设定，常常还留着上年的日期（见 JX506）。
    示例：2025年「城乡居民养老保险补贴」目标表10个指标中有10个的名称和目标值与2024年完全相同，
    包括「参保人数 ≥85000人」和「项目完成时间 2024年12月31日前」。
    如何整改：根据本年度的任务、预算和上年实际完成情况重新设定数量、质量、时效、成本和效益目标，并更新日期。
    """
    share = float(opts["share"])
    min_n = int(opts["min_indicators"])
    proj = project_scope(frames.projects)
    goals = proj.filter(pl.col("kind") == "goal")
    hist = frames.lineage.project_history.join(goals.select("project_id"), on="project_id", how="semi").join(
        goals.select(pl.col("project_id").alias("previous_project_id")), on="previous_project_id", how="semi")
    if hist.height == 0:
        return no_findings()
    keys = (text_keys(frames.indicators.select("project_id", "name", "target_raw", "target_value", "target_unit"),
                      frames.text)
            .select("project_id", pl.col("__key").alias("__n"), pl.col("__target").alias("__t"))
            .filter(pl.col("__n") != "").unique())
    sizes = keys.group_by("project_id").agg(pl.len().alias("__size"))
    cur = hist.join(sizes, on="project_id").join(
        sizes.rename({"project_id": "previous_project_id", "__size": "__size_p"}), on="previous_project_id")
    cur = cur.filter((pl.col("__size") >= min_n) & (pl.col("__size_p") >= min_n))
    inter = (cur.select("project_id", "previous_project_id").join(keys, on="project_id")
             .join(keys.rename({"project_id": "previous_project_id"}), on=["previous_project_id", "__n", "__t"])
             .group_by("project_id").agg(pl.len().alias("__same")))
    df = cur.join(inter, on="project_id").with_columns(
        (pl.col("__same") / pl.max_horizontal("__size", "__size_p")).alias("__share"))
    df = df.filter(pl.col("__share") >= share - 1e-9)
    if df.height == 0:
        return no_findings()
    info = proj.select("project_id", "doc_id")
    prev = proj.select(pl.col("project_id").alias("previous_project_id"), pl.col("year").alias("__py"))
    df = df.join(info, on="project_id").join(prev, on="previous_project_id")
    msg = (pl.lit("本项目") + pl.col("__size").cast(pl.String) + pl.lit("个指标中有") + pl.col("__same").cast(pl.String)
           + pl.lit("个的名称和目标值与") + pl.col("__py").cast(pl.String) + pl.lit("年同一项目的绩效目标表（")
           + pl.col("__size_p").cast(pl.String) + pl.lit("个指标）相同，相同比例") + fmt_num(pl.col("__share") * 100, 1)
           + pl.lit("%，目标疑为照抄上年"))
    return findings(df.sort("project_id"), msg, per_project=True)


RULE = check
