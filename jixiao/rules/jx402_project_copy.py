"""JX402 项目间照搬: a project whose indicators are nearly all the same as another project's."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from jixiao.boilerplate import set_lsh_pairs, unit_key_expr
from jixiao.distinct import with_dense_rank
from jixiao.rules.base import Frames, findings, rule
from jixiao.scores import fmt_num


@rule("JX402", "项目间照搬", "模板照搬", "高", reads_links=True, share=0.8, min_indicators=5)
def check(frames: Frames, opts: dict[str, Any]) -> pl.DataFrame:
    """检查什么：两个项目的指标（三级指标名称 + 目标值，去掉空格标点、数字统一视为同一个数）相同的比例达到 share
    （默认0.8，相同指标数 ÷ 两个项目中指标较多一方的指标数），两个项目都按项目标记，并写明另一个项目和相同比例。
    不论是否同一单位；但同一单位同名的项目，以及跨文件、跨年度配对为同一项目的（同一项目的不同年度、
    目标表与自评表，名称写法略有不同也算），不算照搬。
    去重后不足 min_indicators（默认5）个指标的项目不参加比较。大数据量下用 MinHash 分桶找候选项目对，
    再逐对精确计算相同比例。
    为什么是问题：不同项目的内容、资金规模和受益对象各不相同，绩效指标几乎一样，说明指标是复制来的，
    并没有针对本项目测算，自评结果也就无法反映各项目的真实绩效。
    示例：「城乡居民养老保险区财政补贴」与「城乡居民医疗保险财政补贴」9个指标中有8个名称和目标值完全相同。
    如何整改：按各项目的资金用途、实施内容和受益对象分别设定数量、质量、时效、成本和效益指标，并据实测算目标值。
    """
    ind, proj = frames.indicators, frames.projects
    share = float(opts["share"])
    min_n = int(opts["min_indicators"])
    # An indicator's key is its name and target in their template forms (normalise_expr, shared
    # with the template clusters), "name\x1ftarget": counted as integer codes of the two forms.
    name_code, names = frames.text.codes("name_template")
    target_code, targets = frames.text.codes("target_template")
    width = max(targets.len(), 1)
    # a project is its row (Frames.indicator_projects, in id order): integers, not string ids
    all_ids, prow = frames.indicator_projects
    keys = pl.DataFrame([prow.alias("__q"), (name_code.cast(pl.Int64) * width + target_code.cast(pl.Int64)).alias("__pair")]
                        ).filter(pl.col("__q").is_not_null())
    span = max(names.len(), 1) * width
    if span * max(all_ids.len(), 1) < 2 ** 62:  # one integer a key: a unique several times faster than of two
        one = (keys["__q"] * span + keys["__pair"]).unique()
        keys = pl.DataFrame([(one // span).alias("__q"), (one % span).alias("__pair")])
    else:
        keys = keys.unique()
    # the distinct pairs, spelt out once: not the empty name with the empty target
    pairs = keys.select(pl.col("__pair").unique())
    pairs = pairs.with_columns(
        (names.gather(pairs["__pair"] // width) + "\x1f" + targets.gather(pairs["__pair"] % width)).alias("__key"))
    keys = keys.join(pairs.filter(pl.col("__key") != "\x1f"), on="__pair", how="semi")
    sizes = keys.group_by("__q").agg(pl.len().alias("__size")).filter(pl.col("__size") >= min_n)
    keys = keys.join(sizes.select("__q"), on="__q", how="semi")
    empty = findings(proj.clear(), pl.lit(""), per_project=True)
    if sizes.height < 2:
        return empty
    # __p: the place of a compared project in id order
    pids = sizes.sort("__q").with_row_index("__p")
    keys = keys.join(pids.select("__q", "__p"), on="__q")
    # the token of a key: its place among the keys of the compared projects in text order
    tokens = with_dense_rank(pairs.join(keys.select(pl.col("__pair").unique()), on="__pair", how="semi"), "__key", "__t",
                             start=1)
    keys = keys.join(tokens.select("__pair", "__t"), on="__pair")
    # Pairs with share ≥ s have Jaccard ≥ s / (2 − s) (equal sizes are the worst case).
    a, b, na, nb, inter = set_lsh_pairs(
        keys["__p"].to_numpy(), keys["__t"].to_numpy(), pids.height, min_jaccard=share / (2 - share)
    )
    if len(a) == 0:
        return empty
    sh = inter / np.maximum(np.maximum(na, nb), 1)
    pairs = pl.DataFrame({"__a": a, "__b": b, "__inter": inter, "__share": sh}).filter(pl.col("__share") >= share - 1e-9)
    # the projects of these pairs: what tells a copy from the same project (unit and name,
    # lineage) as integer codes for the 2 × pairs rows, what the messages say for the flagged only
    found = pids.join(pl.concat([pairs["__a"], pairs["__b"]]).unique().cast(pids["__p"].dtype).to_frame("__p"),
                      on="__p", how="semi")
    found = found.with_columns(all_ids.gather(found["__q"]).alias("project_id")).drop("__q")
    # The name without its year (2024年…): one project's name in two years is one name (the
    # links' name key, Frames.project_name_key).
    named = proj.hstack([frames.project_name_key.alias("__name")]).join(found.select("project_id"), on="project_id",
                                                                      how="semi")
    info = found.join(
        named.select("project_id", "doc_id", "__name", pl.col("name").fill_null("").alias("__name_shown"),
                     unit_key_expr(named).alias("__unit"), pl.col("unit").fill_null("（未知单位）").alias("__unit_name"),
                     pl.col("year")),
        on="project_id", how="left",
    ).join(
        frames.lineage.project_lineage.select("project_id", pl.col("lineage_id").alias("__lin")), on="project_id",
        how="left")
    for col, code in (("__unit", "__uc"), ("__name", "__nc"), ("__lin", "__lc")):
        info = with_dense_rank(info, col, code)
    codes = info.select("__p", "__uc", "__nc", "__lc")
    both = pl.concat([
        pairs.select(pl.col("__a").alias("__p"), pl.col("__b").alias("__q"), "__inter", "__share"),
        pairs.select(pl.col("__b").alias("__p"), pl.col("__a").alias("__q"), "__inter", "__share"),
    ])
    best = (
        both.join(codes, on="__p").join(codes.select(pl.all().name.suffix("_o")).rename({"__p_o": "__q"}), on="__q")
        # The same project in its other documents and years (linked, jixiao.links) is not a copy.
        .filter(~((pl.col("__uc") == pl.col("__uc_o")) & (pl.col("__nc") == pl.col("__nc_o"))))
        .filter(~(pl.col("__lc") == pl.col("__lc_o")).fill_null(False))
        # __p is in project id order: the other project with the highest share, the first by id
        .sort("__p", pl.col("__share"), "__q", descending=[False, True, False])
        .group_by("__p", maintain_order=True).first()
        .select("__p", "__q", "__inter", "__share")
    )
    other = info.select(pl.all().name.suffix("_o")).rename({"__p_o": "__q"})
    df = best.join(info, on="__p").join(other, on="__q")
    year_o = pl.when(pl.col("year_o").is_not_null()).then(pl.lit("，") + pl.col("year_o").cast(pl.String) + pl.lit("年")).otherwise(pl.lit(""))
    msg = (
        pl.lit("本项目") + pl.col("__size").cast(pl.String) + pl.lit("个不同指标（名称+目标值）与项目「") + pl.col("__name_shown_o")
        + pl.lit("」（") + pl.col("__unit_name_o") + year_o + pl.lit("，") + pl.col("__size_o").cast(pl.String)
        + pl.lit("个指标）有") + pl.col("__inter").cast(pl.String) + pl.lit("个名称和目标值相同，相同比例")
        + fmt_num(pl.col("__share") * 100, 1) + pl.lit("%")
    )
    return findings(df.sort("project_id"), msg, per_project=True)


RULE = check
