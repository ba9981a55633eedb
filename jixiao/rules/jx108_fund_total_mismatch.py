"""JX108 资金合计不符: a 年度资金总额 (年初预算数) that is not the sum of its sources (财政拨款,
上年结转, 其他资金) as the same table writes them."""

from __future__ import annotations

from typing import Any

import polars as pl

from jixiao.rules.base import Frames, findings, rule
from jixiao.scores import fmt_num


@rule("JX108", "资金合计不符", "目标设置", "中", tolerance=0.005)
def check(frames: Frames, opts: dict[str, Any]) -> pl.DataFrame:
    """检查什么：表中写的年度资金总额（年初预算数）是否等于其中各来源（财政拨款、上年结转、其他资金）之和。
    两种情况提示：总额写为0而各来源有金额；各来源之和超过总额，或各来源都填了金额而合计与总额不符。
    某个来源空着时，只在各来源之和已超过总额时提示（空着的来源可能是0，也可能漏填）。
    差额不超过总额的 tolerance（默认0.5%，至少0.01万元）不提示。
    为什么是问题：资金总额是预算执行率、成本指标与预算比较的依据。总额与来源对不上，说明表中金额有漏填、
    错填或抄自别处，执行率和预算执行得分也就无从核实。系统按各来源合计读取写为0的总额，并在解析报告中说明。
    示例：年度资金总额填写为0万元，其中财政拨款90万元，各来源合计90万元；或年度资金总额100万元，
    其中财政拨款120万元，超过总额20万元。
    如何整改：核对预算批复，按「年度资金总额=财政拨款+上年结转+其他资金」更正总额或各来源金额，空着的来源填0。
    """
    tol = float(opts["tolerance"])
    parts = ("fund_fiscal", "fund_carryover", "fund_other")
    written = pl.col("budget_written")
    total_parts = pl.sum_horizontal(*[pl.col(c) for c in parts])
    complete = pl.all_horizontal(*[pl.col(c).is_not_null() for c in parts])
    any_part = pl.any_horizontal(*[pl.col(c).is_not_null() for c in parts])
    slack = pl.max_horizontal(pl.lit(0.01), written.abs() * tol)
    void = (written == 0) & (total_parts > 0)
    over = (written > 0) & (total_parts - written > slack)
    differs = (written > 0) & complete & ((total_parts - written).abs() > slack)
    # a table without a total row (or with it blank) says nothing about one
    df = frames.projects.filter(written.is_not_null() & any_part & (void | over | differs)).sort("project_id")
    named = pl.concat_str(
        [pl.when(pl.col(c).is_not_null()).then(pl.lit(label) + fmt_num(pl.col(c), 4) + pl.lit("万元"))
         for c, label in zip(parts, ("财政拨款", "上年结转", "其他资金"))],
        separator="、", ignore_nulls=True)
    msg = (
        pl.when(void).then(pl.lit("年度资金总额填写为") + fmt_num(written, 4) + pl.lit("万元，其中") + named
                           + pl.lit("，各来源合计") + fmt_num(total_parts, 4) + pl.lit("万元"))
        .otherwise(pl.lit("年度资金总额") + fmt_num(written, 4) + pl.lit("万元，其中") + named + pl.lit("，各来源合计")
                   + fmt_num(total_parts, 4) + pl.lit("万元，") + pl.when(total_parts > written)
                   .then(pl.lit("超过总额") + fmt_num(total_parts - written, 4) + pl.lit("万元"))
                   .otherwise(pl.lit("比总额少") + fmt_num(written - total_parts, 4) + pl.lit("万元")))
    )
    return findings(df, msg, per_project=True)


RULE = check
