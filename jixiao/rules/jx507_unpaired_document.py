"""JX507 目标表与自评表不配套: a goal-table project without its self-evaluation, or the reverse,
where the same unit's other documents of that year are loaded."""

from __future__ import annotations

from typing import Any

import polars as pl

from jixiao.links import unit_block_expr
from jixiao.rules.base import Frames, findings, no_findings, project_scope, rule


@rule("JX507", "目标表与自评表不配套", "自评打分", "低", reads_links=True)
def check(frames: Frames, opts: dict[str, Any]) -> pl.DataFrame:
    """检查什么：有绩效目标表却找不到同一项目自评表的项目，以及有自评表却找不到目标表的项目（同一单位、同一年度，
    按项目编码或名称配对）。只在同一单位当年另一种表已经导入时才判断（单位当年的自评表一份都没导入，
    是资料未收齐，不标记）；同一份表重复导入、其中一份已配对的不标记。部门整体支出表不检查。
    为什么是问题：每个有绩效目标的项目年底都应自评，自评的项目也应有年初批复的目标。缺了一方，目标是否完成
    无从核对：可能漏报了自评，也可能自评的项目没有申报目标，或两份表的项目名称、编码对不上。
    示例：轮台县社会保险中心2025年导入了5个项目的目标表和4个项目的自评表，「社会保险经办业务经费」只有目标表。
    如何整改：补报缺少的自评表或绩效目标表；若两份表其实是同一项目，统一项目名称和项目编码。
    """
    # The unit as the links see it (pending merges presumed), so "its unit's documents" agree
    # with them; the name key the links computed (Frames.project_name_key).
    proj = project_scope(frames.projects.hstack([frames.project_name_key.alias("__key")]))
    proj = proj.with_columns(unit_block_expr(proj).alias("__unit"))
    if proj.height == 0:
        return no_findings()
    links = frames.lineage.project_links
    linked = pl.concat([links["goal_project_id"], links["self_eval_project_id"]]).unique()
    proj = proj.with_columns(pl.col("project_id").is_in(linked.implode()).alias("__linked"))
    block = ["__unit", "year"]
    other = {"goal": "self_eval", "self_eval": "goal"}
    loaded = proj.group_by(*block, "kind").agg(pl.len().alias("__n"))
    rows = proj.filter(~pl.col("__linked") & (pl.col("__unit") != "") & pl.col("kind").is_in(list(other)))
    rows = rows.with_columns(pl.col("kind").replace_strict(other, return_dtype=pl.String).alias("__other"))
    rows = rows.join(loaded.rename({"kind": "__other"}), on=block + ["__other"])
    # A second copy of a document already paired (loaded twice under two names) is not unpaired.
    twin = proj.filter(pl.col("__linked")).select(*block, "kind", "__key").unique()
    rows = rows.join(twin, on=block + ["kind", "__key"], how="anti")
    if rows.height == 0:
        return no_findings()
    unit = pl.when(pl.col("unit").fill_null("") != "").then(pl.col("unit")).otherwise(pl.col("__unit"))
    msg = (pl.when(pl.col("kind") == "goal")
           .then(pl.lit("本项目有绩效目标表，但") + unit + pl.col("year").cast(pl.String) + pl.lit("年已导入的")
                 + pl.col("__n").cast(pl.String) + pl.lit("个自评项目中没有它的自评表"))
           .otherwise(pl.lit("本项目有自评表，但") + unit + pl.col("year").cast(pl.String) + pl.lit("年已导入的")
                      + pl.col("__n").cast(pl.String) + pl.lit("个绩效目标表项目中没有它的目标表")))
    return findings(rows.sort("project_id"), msg, per_project=True)


RULE = check
