"""JX404 目标值千篇一律: most of a project's indicators carry the same target."""

from __future__ import annotations

from typing import Any

import polars as pl

from jixiao.rules.base import Frames, findings, rule
from jixiao.scores import fmt_num


@rule("JX404", "目标值千篇一律", "目标设置", "中", share=2 / 3, min_indicators=4, band_min=0.95)
def check(frames: Frames, opts: dict[str, Any]) -> pl.DataFrame:
    """检查什么：一个项目的指标中，目标值几乎相同的占比达到 share（默认三分之二）及以上即按项目标记，不论这些指标衡量的是人数、次数、
    成本还是时间。「几乎相同」指：同属高百分比档（单位为%、数值不低于 band_min 即95%，如「≥95%」「≥98%」「100%」都算同一档，
    「≤」「<」的百分比不算），或目标值文字相同（如都是「有效提高」）。只统计填了目标值的指标，
    不足 min_indicators（默认4）个的项目不检查。提示写明该目标值、个数和涉及的指标。
    为什么是问题：目标值应按各指标的内容分别测算：人数、次数要写数量，成本要写金额，时效要写时间；
    几乎所有指标都填「≥98%」或「有效提高」，说明目标是套用的，无法据此考核。
    示例：某补贴项目9个指标中，「享受社会保险补贴人数」「补贴准确率」「项目成本」「服务对象满意度」等9个目标值都是「≥98%」「≥95%」或「100%」。
    如何整改：逐个指标按其计量内容设定目标值：数量指标写实际数量，成本指标写金额，时效指标写完成时限，只有比率类指标才用百分比。
    """
    ind = frames.indicators
    share = float(opts["share"])
    min_n = int(opts["min_indicators"])
    band_min = float(opts["band_min"])
    # Integers, not strings, over the million rows: a project is its row (Frames.indicator_projects,
    # in id order), a target its code of the shared key (NFKC, no whitespace or trailing 。；),
    # the band -1; the texts only for the projects flagged.
    pids, prow = frames.indicator_projects
    code, forms = frames.text.codes("target_squeezed")
    forms = forms.fill_null("")
    # ties between two targets as many times go to the first in text order (the band first)
    order = pl.concat([forms, pl.Series(["\x00band"])]).rank("dense").cast(pl.Int64)
    band_label = "≥" + f"{band_min * 100:g}%"
    in_band = (
        (pl.col("target_unit") == "%") & (pl.col("target_value") >= band_min - 1e-9)
        & ~pl.col("target_op").fill_null("").is_in(["<=", "<"])
    )
    t = ind.select(in_band.fill_null(False).alias("__band")).with_row_index("__row").hstack([
        prow.alias("__p"), code.cast(pl.Int64).alias("__code")]).filter(
        (forms != "").gather(code) & prow.is_not_null())
    t = t.with_columns(
        pl.when(pl.col("__band")).then(pl.lit(-1, dtype=pl.Int64)).otherwise(pl.col("__code")).alias("__key"),
        pl.len().over("__p").alias("__n"),
    ).filter(pl.col("__n") >= min_n)
    best = (
        t.group_by("__p", "__key")
        .agg(pl.col("__row").first(), pl.col("__n").first(), pl.len().alias("__k"))
        .filter(pl.col("__k") >= share * pl.col("__n") - 1e-9)
        .with_columns(pl.lit(order).gather(pl.when(pl.col("__key") >= 0).then(pl.col("__key"))
                                           .otherwise(forms.len())).alias("__order"))
        .sort("__p", pl.col("__k"), "__order", descending=[False, True, False])
        .group_by("__p", maintain_order=True).first()
    )
    # The forms and names only for the flagged projects.
    rows = t.join(best.select("__p", "__key"), on=["__p", "__key"], how="semi")
    detail = (
        ind.select("name", pl.col("seq").fill_null(0).alias("__seq"), "indicator_id")[rows["__row"]]
        .hstack([rows["__p"], forms.gather(rows["__code"]).alias("__raw")])
        .group_by("__p")
        .agg(
            pl.col("__raw").unique().sort().str.join("、").alias("__forms"),
            pl.col("name").fill_null("").sort_by("__seq", "indicator_id").head(4).str.join("」「").alias("__names"),
        )
    )
    best = best.with_columns(pids.gather(best["__p"]).alias("project_id"), ind["doc_id"].gather(best["__row"]),
                             (pl.col("__key") == -1).alias("__is_band"))
    g = best.join(detail, on="__p")
    band = pl.col("__is_band")
    what = (
        pl.when(band).then(pl.lit(band_label + "档（") + pl.col("__forms") + pl.lit("）"))
        .otherwise(pl.lit("「") + pl.col("__forms") + pl.lit("」"))
    )
    msg = (
        pl.lit("本项目") + pl.col("__n").cast(pl.String) + pl.lit("个指标中有") + pl.col("__k").cast(pl.String)
        + pl.lit("个（") + fmt_num(pl.col("__k") / pl.col("__n") * 100, 0) + pl.lit("%）目标值同为")
        + what + pl.lit("，涉及「") + pl.col("__names") + pl.lit("」等，未按指标内容分别设定")
    )
    return findings(g.sort("project_id"), msg, per_project=True)


RULE = check
