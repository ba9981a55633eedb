"""JX502 自评指标缺失或新增: a goal-table indicator missing from the self-evaluation, or one added there."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from jixiao.links import target_text
from jixiao.rules.base import Frames, findings, no_findings, project_scope, rule


@rule("JX502", "自评指标缺失或新增", "自评打分", "中", reads_links=True)
def check(frames: Frames, opts: dict[str, Any]) -> pl.DataFrame:
    """检查什么：同一项目的绩效目标表与自评表（同一单位、同一年度配对）逐个指标对照（按名称，名称不同的再按
    相近名称、二级指标和目标值），目标表中有、自评表中找不到的指标（标在目标表的该指标上），以及自评表中有、
    目标表中没有的指标（标在自评表的该指标上）。只比较两份表都已导入的项目；部门整体支出表不比较。
    为什么是问题：自评应对年初设定的全部绩效指标逐项评价。自评时删掉完成不好的指标、换上容易完成的指标，
    得分就不能反映目标的完成情况；新增的指标没有经过目标审核，也没有可比的目标值。
    示例：目标表有「城乡居民养老保险参保率 ≥95%」，自评表中没有这个指标，却多了一个「政策宣传次数 ≥4次」。
    如何整改：自评表应保留目标表的全部指标并如实填写完成值；目标确需调整的，先按程序调整绩效目标表，
    并在自评中说明。
    """
    proj = project_scope(frames.projects)
    lin = frames.lineage
    pairs = lin.project_links.join(proj.select(pl.col("project_id").alias("goal_project_id")), on="goal_project_id",
                                   how="semi").join(proj.select(pl.col("project_id").alias("self_eval_project_id")),
                                                    on="self_eval_project_id", how="semi")
    if pairs.height == 0:
        return no_findings()
    ind = frames.indicators
    cols = ["indicator_id", "project_id", "doc_id", "seq", "name", "target_raw", "target_op", "target_value",
            "target_unit", "level2"]
    # by row (Frames.link_rows): which indicators have a partner on the other side
    rows = frames.link_rows("goal_self")
    linked_left = np.zeros(ind.height, dtype=bool)
    linked_left[rows["left"].to_numpy()] = True
    linked_right = np.zeros(ind.height, dtype=bool)
    linked_right[rows["right"].to_numpy()] = True
    in_goal = ind["project_id"].is_in(pairs["goal_project_id"].implode()).to_numpy()
    in_self = ind["project_id"].is_in(pairs["self_eval_project_id"].implode()).to_numpy()
    missing = ind.select(cols).filter(pl.Series(in_goal & ~linked_left)).with_columns(pl.lit(True).alias("__missing"))
    added = ind.select(cols).filter(pl.Series(in_self & ~linked_right)).with_columns(pl.lit(False).alias("__missing"))
    df = pl.concat([missing, added])
    if df.height == 0:
        return no_findings()
    name = pl.when(pl.col("name").fill_null("") != "").then(pl.col("name")).otherwise(pl.lit("（无名称）"))
    target = target_text("target_raw", "target_op", "target_value", "target_unit")
    what = (pl.lit("「") + name + pl.lit("」") + pl.when(target != "").then(pl.lit("（目标值「") + target + pl.lit("」）"))
            .otherwise(pl.lit("")))
    msg = (pl.when(pl.col("__missing"))
           .then(pl.lit("绩效目标表的指标") + what + pl.lit("在同一项目的自评表中没有，未对该目标作出评价"))
           .otherwise(pl.lit("自评表新增了指标") + what + pl.lit("，同一项目的绩效目标表中没有这个指标")))
    return findings(df.sort("project_id", "seq"), msg)


RULE = check
