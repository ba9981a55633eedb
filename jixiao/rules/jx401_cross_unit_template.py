"""JX401 跨单位雷同指标: the same or nearly the same indicator text in two or more budget units."""

from __future__ import annotations

from typing import Any

import polars as pl

from jixiao.boilerplate import COMMON_NAMES, template_members, units_per_cluster
from jixiao.rules.base import Frames, findings, rule
from jixiao.scores import fmt_num


@rule("JX401", "跨单位雷同指标", "模板照搬", "中",
      threshold=0.8, min_chars=6, common_names=COMMON_NAMES, num_perm=64, bands=16)
def check(frames: Frames, opts: dict[str, Any]) -> pl.DataFrame:
    """检查什么：指标文字（三级指标名称 + 目标值 + 指标说明，去掉空格标点、数字统一视为同一个数）与另一个预算单位的某个指标
    相同或几乎相同（按相邻两字计算的 Jaccard 相似度 ≥ threshold，默认0.8）。两个单位出现即标记，相似的指标连成一组，
    组内各单位的这些指标都标记。各单位有意统一使用的常见短名称（选项 common_names，如「受益人员满意度」「项目成本」
    「项目完成时间」「资金支付及时率」）不论目标值如何都不算；去掉标点后不足 min_chars（默认6）个字的指标也不算。
    同一单位内部的相同指标不在此标记（项目间照搬见 JX402）。单位按省、市、县和单位名称区分。
    为什么是问题：绩效指标应根据本项目的内容和预算量身设定；不同单位、不同项目使用一字不差的指标，
    通常是照抄模板或他人的表格，指标与本单位实际工作脱节，考核失去意义。
    示例：甲县社保中心「努力构建和谐社会关系 服务对象满意 ≥95%」，乙县人社局「努力构建和谐社会关系 服务对象满意 ≥90%」。
    如何整改：结合本单位项目的具体内容、数量和预算，重新设定能反映本项目产出和效益的指标及目标值。
    """
    m = template_members(
        frames.indicators, frames.projects, threshold=float(opts["threshold"]), min_chars=int(opts["min_chars"]),
        common_names=tuple(opts.get("common_names") or ()), num_perm=int(opts["num_perm"]), bands=int(opts["bands"]),
        text=frames.text,
    )
    m = m.hstack([units_per_cluster(m).alias("__n_units")]).filter(pl.col("__n_units") >= 2)
    if m.height == 0:
        return findings(m, pl.lit(""))
    # Per cluster the first two units (sorted) with one example each: a member names the first
    # unit that is not its own.
    firsts = (
        m.group_by("cluster_id", "unit_key")
        .agg(pl.all().sort_by("project_id", "indicator_id").first())
        .sort("cluster_id", "unit_key")
        .with_columns(pl.int_range(pl.len()).over("cluster_id").alias("__r"))
        .filter(pl.col("__r") < 2)
        .select("cluster_id", "__r", pl.col("unit_key").alias("__o_unit"), pl.col("unit_name").alias("__o_name"),
                pl.col("project_name").alias("__o_project"), pl.col("name").alias("__o_ind"))
    )
    f0 = firsts.filter(pl.col("__r") == 0).drop("__r")
    f1 = firsts.filter(pl.col("__r") == 1).drop("__r").rename(lambda c: c if c == "cluster_id" else c + "1")
    m = m.join(f0, on="cluster_id").join(f1, on="cluster_id")
    own_first = pl.col("unit_key") == pl.col("__o_unit")

    def pick(c: str) -> pl.Expr:
        return pl.when(own_first).then(pl.col(c + "1")).otherwise(pl.col(c)).fill_null("")

    msg = (
        pl.lit("指标「") + pl.col("name").fill_null("") + pl.lit("」（目标值「") + pl.col("target_raw").fill_null("")
        + pl.lit("」）与另外") + (pl.col("__n_units") - 1).cast(pl.String)
        + pl.lit("个单位的指标相同或近似，如「") + pick("__o_name") + pl.lit("」项目「") + pick("__o_project")
        + pl.lit("」的「") + pick("__o_ind") + pl.lit("」；")
        + pl.when(pl.col("similarity") >= 1 - 1e-9).then(pl.lit("除数字外文字完全相同"))
        .otherwise(pl.lit("与该组代表文本的相似度为") + fmt_num(pl.col("similarity"), 2))
    )
    return findings(m.sort("project_id", "indicator_id"), msg)


RULE = check
