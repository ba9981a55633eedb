"""JX107 指标重复: the same indicator name twice in one project."""

from __future__ import annotations

from typing import Any

import polars as pl

from jixiao.rules.base import Frames, findings, rule
from jixiao.textkeys import as_nfkc


def name_key(col: str = "name", nfkc: bool = True) -> pl.Expr:
    """Given a name column, returns its comparison key: NFKC, lower case, no whitespace or
    punctuation, without a leading "指标1:" numbering (digits are kept: 2023年 ≠ 2024年); with
    nfkc=False the name is taken as NFKC already (`jixiao.textkeys`)."""
    return (
        as_nfkc(pl.col(col), nfkc, fill="")
        .str.replace_all(r"[\p{P}\p{S}\p{Z}\s]+", "")
        .str.replace(r"^指标\d+", "")
        .str.to_lowercase()
    )


@rule("JX107", "指标重复", "目标设置", "低")
def check(frames: Frames, opts: dict[str, Any]) -> pl.DataFrame:
    """检查什么：同一项目内是否有两行及以上三级指标名称相同（忽略空格、标点、全半角和「指标1：」这类编号）。
    第二次及以后出现的那一行被标记，提示写明各次出现所在的一级/二级指标。名称为空的行不在此检查（由 JX106 负责）。
    为什么是问题：同一指标重复设置会重复计分、夸大权重，或者是复制粘贴后忘了改名，
    真正要考核的内容（如质量、时效）因此缺失。
    示例：「发放生活补贴入账」既在数量指标下（=12次），又在质量指标下（≥98%）。
    如何整改：删除重复的指标，或把其中一行改成真正要考核的另一项内容，并相应调整分值。
    """
    ind = frames.indicators
    grp = ["project_id", "__key"]
    # Only names seen twice in a project go on to the (costlier) text work below: found on
    # integers where the rows are in project order (derive's, by id) — a project is its run of
    # rows, a name its code of the shared key (name_key()) — not by a window over two strings.
    code, distinct = frames.text.codes("name_repeat_key")
    pid = ind["project_id"]
    if pid.null_count() == 0 and pid.is_sorted():
        named = (distinct != "").gather(code)
        key = pid.rle_id().cast(pl.Int64) * max(distinct.len(), 1) + code.cast(pl.Int64)
        twice = pl.select(pl.lit(named) & pl.lit(key).is_duplicated()).to_series()
        df = ind.filter(twice).hstack([distinct.gather(code.filter(twice)).alias("__key")])
    else:
        df = (
            ind.hstack([frames.text.series("name_repeat_key").alias("__key")])  # name_key(), shared
            .filter((pl.col("__key") != "") & (pl.len().over(grp) > 1))
        )
    level = (
        pl.coalesce(pl.col("level1"), pl.col("level1_raw"), pl.lit("?")) + pl.lit("/")
        + pl.coalesce(pl.col("level2"), pl.col("level2_raw"), pl.lit("?"))
    )
    df = df.with_columns(level.alias("__level"), pl.col("seq").fill_null(0).alias("__seq")).sort(
        "project_id", "__key", "__seq", "indicator_id"
    )
    levels = df.group_by(grp).agg(pl.col("__level").str.join("、").alias("__levels"), pl.len().alias("__n"))
    df = (
        df.with_columns(pl.int_range(pl.len()).over(grp).alias("__k"))
        .filter(pl.col("__k") > 0)
        .join(levels, on=grp)
    )
    msg = (
        pl.lit("指标「") + pl.col("name") + pl.lit("」在本项目中出现") + pl.col("__n").cast(pl.String)
        + pl.lit("次（") + pl.col("__levels") + pl.lit("），本行为第") + (pl.col("__k") + 1).cast(pl.String)
        + pl.lit("次")
    )
    return findings(df.sort("project_id", "indicator_id"), msg)


RULE = check
