"""JX304 得分超过分值: a score above its weight."""

from __future__ import annotations

from typing import Any

import polars as pl

from jixiao.rules.base import CHECK_COLUMNS, Frames, findings, rule
from jixiao.scores import fmt_num, indicator_label


@rule("JX304", "得分超过分值", "自评打分", "高", tolerance=0.01)
def check(frames: Frames, opts: dict[str, Any]) -> pl.DataFrame:
    """检查什么：指标得分是否高于该指标分值（权重）；表中写明了预算执行率分值时，预算执行率得分是否高于该分值。
    超出不超过 tolerance（默认0.01分，只容许小数误差）不提示。
    为什么是问题：各表注明「得分一档最高不能超过该指标分值上限」，超过分值的得分必然是填错或有意拔高，
    还会使总分超过100分或掩盖其他指标的扣分。
    示例：指标「参保群众满意度」分值10分，填报得分12分；预算执行率分值10分，填报得分11分。
    如何整改：将得分更正为不超过分值的数值（达成目标的最多得满分），并同步更正总分。
    """
    tol = float(opts["tolerance"])
    ind = frames.indicators.filter(
        pl.col("score_reported").is_not_null() & pl.col("weight").is_not_null()
        & (pl.col("score_reported") > pl.col("weight") + tol)
    ).sort("project_id", "seq")
    ind_msg = (
        indicator_label() + pl.lit("得分") + fmt_num(pl.col("score_reported")) + pl.lit("分，超过该指标分值")
        + fmt_num(pl.col("weight")) + pl.lit("分")
    )
    proj = frames.projects.filter(
        pl.col("budget_score_reported").is_not_null() & pl.col("budget_points").is_not_null()
        & (pl.col("budget_score_reported") > pl.col("budget_points") + tol)
    ).sort("project_id")
    proj_msg = (
        pl.lit("预算执行率得分") + fmt_num(pl.col("budget_score_reported")) + pl.lit("分，超过其分值")
        + fmt_num(pl.col("budget_points")) + pl.lit("分")
    )
    out = pl.concat([findings(ind, ind_msg), findings(proj, proj_msg, per_project=True)], how="vertical")
    return out.select([pl.col(c).cast(t) for c, t in CHECK_COLUMNS.items()])


RULE = check
