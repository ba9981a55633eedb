"""JX202 分值与声明不符: a first level whose declared points differ from its indicators' total."""

from __future__ import annotations

from typing import Any

import polars as pl

from jixiao.rules.base import Frames, findings, rule
from jixiao.scores import fmt_num
from jixiao.textkeys import SPACE_RUN

# "产出 指标 (40 分)" -> "产出指标": whitespace and the points suffix removed.
_POINTS_SUFFIX = r"[（(]\d+(?:\.\d+)?分[)）]$"


@rule("JX202", "分值与声明不符", "权重分值", "中", tolerance=0.5)
def check(frames: Frames, opts: dict[str, Any]) -> pl.DataFrame:
    """检查什么：一级指标栏写明了分值（如「产出指标（40分）」）时，其下各三级指标分值之和是否等于该声明分值。
    按表中写的一级指标（level1_raw）分组，而不是按规范化后的一级指标：老式表格把成本指标作为二级指标列在
    「产出指标（40分）」之下，这些行规范化后属于成本指标，但占用的是产出指标声明的40分。
    部分指标未填分值时按已填分值合计判断并注明未填个数；一个分值都没填的分组不检查。允许误差 tolerance（默认0.5分）。
    为什么是问题：声明分值与明细合计不一致，说明表内分值前后矛盾，读者无法判断哪一个才是真实权重，
    一级指标之间的权重结构（如产出40、效益40、满意度20）也随之失真。
    示例：「产出指标（40分）」下列有数量、质量、时效、成本4类共5个指标，每个10分，合计50分，不等于声明的40分。
    如何整改：按声明分值调整其下各指标分值，或更正一级指标栏的声明分值，使两者一致，并同时复核总分是否仍为100分。
    """
    tol = float(opts["tolerance"])
    ind = frames.indicators.with_row_index("__row").filter(pl.col("level1_points").is_not_null())
    if ind.is_empty():
        return findings(ind.select("doc_id", "project_id"), pl.lit(""), per_project=True)

    # both level columns' NFKC form as the shared text keys hold it (jixiao.textkeys)
    text, rows = frames.text, ind["__row"]
    ind = ind.drop("__row").hstack([text.nfkc("level1_raw", rows).alias("__raw_n"),
                                    text.nfkc("level1", rows).alias("__level1_n")])
    label = (
        pl.coalesce(pl.col("__raw_n"), pl.col("__level1_n")).fill_null("")
        .str.replace_all(SPACE_RUN, "").str.replace(_POINTS_SUFFIX, "")
    )
    w = pl.col("weight")
    grouped = (
        ind.with_columns(label.alias("__label"))
        .group_by("project_id", "__label", "level1_points")
        .agg(
            pl.col("doc_id").first(),
            pl.when(w.count() > 0).then(w.sum()).otherwise(pl.lit(None, dtype=pl.Float64)).alias("weight_sum"),
            w.count().alias("n_weighted"),
            w.null_count().alias("n_missing"),
            pl.col("seq").min().alias("__first"),
        )
        .filter(pl.col("weight_sum").is_not_null() & ((pl.col("weight_sum") - pl.col("level1_points")).abs() > tol))
        .sort("project_id", "__first", "__label")
    )
    name = pl.when(pl.col("__label") == "").then(pl.lit("（未写名称）")).otherwise(pl.col("__label"))
    missing = (
        pl.when(pl.col("n_missing") > 0)
        .then(pl.lit("（另有") + pl.col("n_missing").cast(pl.String) + pl.lit("个指标未填写分值）"))
        .otherwise(pl.lit(""))
    )
    msg = (
        pl.lit("一级指标「") + name + pl.lit("」声明") + fmt_num(pl.col("level1_points"))
        + pl.lit("分，其下") + pl.col("n_weighted").cast(pl.String) + pl.lit("个指标分值合计")
        + fmt_num(pl.col("weight_sum")) + pl.lit("分，不等于声明分值") + missing
    )
    return findings(grouped, msg, per_project=True)


RULE = check
