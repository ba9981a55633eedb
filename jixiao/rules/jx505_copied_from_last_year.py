"""JX505 项目照抄上年: a goal table whose indicators and targets are nearly all the same as the
same project's goal table of the previous year."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

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
    # Integers, not strings: a project is its row (Frames.indicator_projects), an indicator's
    # key its name code and its target — value|unit for a number, else the text code — as in
    # jixiao.links.target_key_expr; only the indicators of the projects compared.
    pids, prow = frames.indicator_projects
    index = pids.to_frame("project_id").with_row_index("__i").with_columns(pl.col("__i").cast(pl.Int64))
    hist = hist.join(index.rename({"__i": "__a"}), on="project_id").join(
        index.rename({"project_id": "previous_project_id", "__i": "__b"}), on="previous_project_id")
    compared = np.zeros(pids.len(), dtype=bool)
    compared[hist["__a"].to_numpy()] = True
    compared[hist["__b"].to_numpy()] = True
    name_code, names = frames.text.codes("name_key")
    text_code, _ = frames.text.codes("target_text_key")
    keep = pl.Series(compared).gather(prow).fill_null(False) & (names != "").gather(name_code)
    rows = frames.indicators.select("target_value", "target_unit").hstack(
        [prow.alias("__p"), name_code.alias("__n"), text_code.cast(pl.Int64).alias("__tc")]).filter(keep)
    # a number as its bits (equal bits, equal text: the key spells the rounded value exactly)
    v = rows["target_value"].round(6).fill_null(0.0).to_numpy()
    bits = pl.Series(np.where(np.isnan(v), np.nan, v).view(np.int64))
    num = pl.col("target_value").is_not_null()
    keys = rows.hstack([bits.alias("__bits")]).select(
        "__p", "__n", num.alias("__num"), pl.when(num).then(pl.col("__bits")).otherwise(0).alias("__v"),
        pl.when(num).then(pl.col("target_unit").fill_null("")).otherwise(pl.lit("")).alias("__u"),
        pl.when(num).then(-1).otherwise(pl.col("__tc")).alias("__t"),
    ).unique()
    key = ["__n", "__num", "__v", "__u", "__t"]
    sizes = keys.group_by("__p").agg(pl.len().alias("__size"))
    cur = hist.join(sizes.rename({"__p": "__a"}), on="__a").join(
        sizes.rename({"__p": "__b", "__size": "__size_p"}), on="__b")
    cur = cur.filter((pl.col("__size") >= min_n) & (pl.col("__size_p") >= min_n))
    inter = (cur.select("__a", "__b").join(keys.rename({"__p": "__a"}), on="__a")
             .join(keys.rename({"__p": "__b"}), on=["__b", *key])
             .group_by("__a").agg(pl.len().alias("__same")))
    df = cur.join(inter, on="__a").with_columns(
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
