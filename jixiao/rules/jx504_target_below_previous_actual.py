"""JX504 目标低于上年实际: a goal target weaker than the same indicator's actual in the previous
year's self-evaluation (the cross-document twin of JX104)."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from jixiao.links import comparable, target_text
from jixiao.rules.base import Frames, findings, no_findings, project_scope, rule
from jixiao.scores import fmt_num

_UP, _DOWN = [">=", ">"], ["<=", "<"]


def _take(col: pl.Series, rows: np.ndarray) -> pl.Series:
    """Given a column and rows of it (-1 for none), returns col[rows], null where none."""
    got = col.gather(np.maximum(rows, 0))
    return pl.select(pl.when(pl.lit(pl.Series(rows >= 0))).then(got)).to_series()


@rule("JX504", "目标低于上年实际", "目标设置", "中", reads_links=True, tolerance=1e-9, include_cost=False)
def check(frames: Frames, opts: dict[str, Any]) -> pl.DataFrame:
    """检查什么：绩效目标表中的定量指标，目标值是否比同一项目上一年度自评表中同一指标的实际完成值（全年实际值）
    还弱：「≥」「>」（正向）目标值低于上年实际，「≤」「<」（反向）目标值高于上年实际；只写了数字的目标（「145人」）
    按同一指标当年自评表（或上年）写的方向判断。项目按同一单位、
    项目编码或名称跨年配对，指标按名称配对；只比较单位相同的数值（5.5万人与55000人相同）。
    与 JX104 不同，不依赖表中的「上年完成值」一栏，适用于没有这一栏的表；已填写「上年完成值」且与上年自评
    实际值相同的，由 JX104 判断，这里不重复标记。成本指标默认不比较（include_cost=False）：成本目标随当年预算
    变化，高于上年实际支出多半是预算增加，不是目标放松。部门整体支出表不比较。
    为什么是问题：绩效目标应体现年度进步，至少不低于已经达到的水平；上年已经完成的数，今年的目标反而定得更低，
    自评时轻松「完成」，目标失去约束作用。
    示例：上年自评「城乡居民养老保险参保人数」全年实际值「56000人」，今年目标表写「≥52000人」；
    上年「业务办理时限」实际「≤3个工作日」完成「2个工作日」，今年目标写「≤5个工作日」。
    如何整改：以上年实际完成情况为基础设定目标，正向指标不低于上年实际，反向指标不高于上年实际；
    确因政策或任务调整需要降低的，在「指标值设置依据」中写明理由。
    """
    tol = float(opts.get("tolerance") or 0.0)
    proj = project_scope(frames.projects)
    ind = frames.indicators
    n = ind.height
    # Rows, not ids: per indicator row its project's kind and year (null outside project scope;
    # its project's place from Frames.indicator_projects), the links as rows (Frames.link_rows),
    # so what follows gathers instead of joining.
    pids, prow = frames.indicator_projects
    by_place = pids.to_frame("project_id").join(
        proj.select("project_id", pl.col("kind").alias("__k"), pl.col("year").alias("__y")), on="project_id", how="left",
        maintain_order="left")
    scoped = by_place.select(pl.col("__k", "__y").gather(prow))
    in_scope = scoped["__k"].is_not_null().to_numpy()
    is_self = (scoped["__k"] == "self_eval").fill_null(False).to_numpy()
    is_goal = (scoped["__k"] == "goal").fill_null(False).to_numpy()
    prev, gs = frames.link_rows("previous"), frames.link_rows("goal_self")
    this, last = prev["left"].to_numpy(), prev["right"].to_numpy()
    self_of = np.full(n, -1, dtype=np.int64)  # a goal-table indicator's self-evaluation twin
    self_of[gs["left"].to_numpy()] = gs["right"].to_numpy()
    # Last year's actual: the previous indicator itself when it is a self-evaluation's, else
    # the self-evaluation indicator linked to last year's goal-table indicator.
    keep = in_scope[last]
    chain_this, chain_last = this[keep], last[keep]
    chain_self = np.where(is_self[chain_last], chain_last, self_of[chain_last])
    found = chain_self >= 0
    if not found.any():
        return no_findings()
    self_row = np.full(n, -1, dtype=np.int64)
    self_row[chain_this[found]] = chain_self[found]
    last_row = np.full(n, -1, dtype=np.int64)
    last_row[this] = last
    # this year's goal-table indicators with last year's actual in a self-evaluation of project scope
    rows = np.nonzero(is_goal & (self_row >= 0))[0]
    rows = rows[in_scope[self_row[rows]]]
    if len(rows) == 0:
        return no_findings()
    srow = self_row[rows]
    op = ind["target_op"]
    # A bare number ("145人", as many forms write ≥) takes its direction from the same
    # indicator's self-evaluation this year, else from last year's.
    g = ind.select("indicator_id", "project_id", "doc_id", "name", "level1", "target_raw", "target_op", "target_value",
                   "target_unit", "last_year_value")[rows].with_columns(
        pl.coalesce(pl.col("target_op"), _take(op, self_of[rows]), _take(op, last_row[rows]), op.gather(srow))
        .alias("target_op"),
        ind["actual_value"].gather(srow).alias("__a"),
        pl.coalesce(ind["actual_unit"].gather(srow), ind["target_unit"].gather(srow)).alias("__au"),
        ind["actual_raw"].gather(srow).alias("__araw"),
        scoped["__y"].gather(srow).alias("__sy"),
    ).filter(pl.col("target_value").is_not_null() & pl.col("target_op").is_in(_UP + _DOWN))
    if not opts.get("include_cost"):
        g = g.filter(pl.col("level1").fill_null("") != "成本指标")
    df = g.filter(pl.col("__a").is_not_null())
    if df.height == 0:
        return no_findings()
    tv, tu = comparable("target_value", "target_unit")
    av, au = comparable("__a", "__au")
    df = df.with_columns(tv.alias("__t"), tu.alias("__tu"), av.alias("__av"), au.alias("__auu"))
    t, a = pl.col("__t"), pl.col("__av")
    eps = tol * pl.max_horizontal(t.abs(), a.abs(), pl.lit(1.0))
    up = pl.col("target_op").is_in(_UP)
    weaker = pl.when(up).then(t < a - eps).otherwise(t > a + eps)
    # The same finding as JX104 when the table's own 上年完成值 says what the self-evaluation said.
    same_as_104 = pl.col("last_year_value").is_not_null() & (
        (pl.col("last_year_value") - pl.col("__a")).abs() <= 1e-9 * pl.max_horizontal(pl.col("__a").abs(), pl.lit(1.0)))
    df = df.filter((pl.col("__tu") == pl.col("__auu")) & weaker & ~same_as_104)
    target = target_text("target_raw", "target_op", "target_value", "target_unit")
    actual = pl.when(pl.col("__araw").fill_null("") != "").then(pl.col("__araw")).otherwise(fmt_num(pl.col("__a")))
    msg = (pl.lit("指标「") + pl.col("name").fill_null("") + pl.lit("」目标值「") + target
           + pl.when(up).then(pl.lit("」低于")).otherwise(pl.lit("」高于"))
           + pl.col("__sy").cast(pl.String) + pl.lit("年自评的全年实际值「") + actual
           + pl.when(up).then(pl.lit("」，正向指标的目标比上年实际还低"))
           .otherwise(pl.lit("」，反向指标的目标比上年实际还宽松")))
    return findings(df.sort("project_id", "indicator_id"), msg)


RULE = check
