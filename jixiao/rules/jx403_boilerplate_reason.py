"""JX403 套话原因分析: template 未完成原因分析 texts, and reasons given where the target was met."""

from __future__ import annotations

from typing import Any

import polars as pl

from jixiao.rules.base import Frames, findings, rule
from jixiao.scores import fmt_num

# Texts that only say "nothing to explain": neither template nor a reason.
PLACEHOLDERS = ("无", "没有", "无偏差", "无差异", "不适用", "已完成", "完成", "全部完成", "已达成", "达成目标",
                "已达标", "达标", "无未完成", "无未完成情况", "无未完成原因", "/", "-", "—", "——", "空")


@rule("JX403", "套话原因分析", "自评打分", "中", min_repeats=3, min_chars=4, placeholders=PLACEHOLDERS)
def check(frames: Frames, opts: dict[str, Any]) -> pl.DataFrame:
    """检查什么：自评表「未完成原因分析」一栏是否是套话。两种情形：
    （一）同一段原因分析（去掉空格标点、数字视为同一个数后相同）在全部数据中出现在 min_repeats（默认3）个及以上指标上；
    （二）指标已经完成却仍写了原因分析：得分不低于分值，或全年实际值与目标值相同，或实际值按目标的方向达到了目标
    （「≥」实际不低于目标、「≤」实际不高于目标，单位相同）。
    只写「无」「已完成」「不适用」之类的（选项 placeholders）以及去掉标点后不足 min_chars（默认4）个字的不算原因分析。
    为什么是问题：未完成原因分析应针对偏离目标的具体指标，说明偏离的原因和改进措施；千篇一律的表态式语句，
    或在已完成的指标上照填一句「继续推进……」，说明自评流于形式，没有真正分析。
    示例：多个指标的原因分析都是「继续推进社会保险事业高质量发展」；目标「成效显著」、实际「成效显著」的指标，原因分析却写了一段话。
    如何整改：已完成的指标原因分析留空或填「无」；未完成的指标逐项写明偏离程度、具体原因和整改措施，不要复制同一段话。
    """
    ind = frames.indicators
    min_rep = int(opts["min_repeats"])
    min_chars = int(opts["min_chars"])
    ph = sorted({x for x in (opts.get("placeholders") or ())} | {""})
    # the shared text keys (jixiao.textkeys): reason, target and actual NFKC without whitespace or
    # trailing 。；, and the template form of reason (digits as #, no punctuation) — tested once
    # per distinct key (codes), the million rows only gathered
    text = frames.text
    rcode, rkeys = text.codes("reason_template")
    scode, skeys = text.codes("reason_squeezed")
    keep = pl.select(
        pl.lit(rkeys.to_frame("k").select((pl.col("k").str.len_chars() >= min_chars) & ~pl.col("k").is_in(ph))
               .to_series()).gather(rcode)
        & pl.lit(skeys.to_frame("k").select(~pl.col("k").fill_null("").is_in(ph)).to_series()).gather(scode)
    ).to_series().fill_null(False)
    cols = ["doc_id", "project_id", "indicator_id", "name", "target_raw", "target_op", "target_value", "target_unit",
            "actual_raw", "actual_value", "actual_unit", "score_reported", "weight"]
    df = ind.select(cols).hstack([
        rcode.alias("__rcode"), text.series("reason_squeezed").alias("__reason"),
        text.series("target_squeezed").alias("__tr"), text.series("actual_squeezed").alias("__ar"),
    ]).filter(keep).with_columns(pl.col("__reason", "__tr", "__ar").fill_null(""))
    df = df.with_columns(pl.len().over("__rcode").alias("__rep"))

    t, a, op = pl.col("target_value"), pl.col("actual_value"), pl.col("target_op")
    same_unit = pl.col("target_unit").fill_null("") == pl.col("actual_unit").fill_null("")
    eps = 1e-9 * pl.max_horizontal(t.abs(), a.abs(), pl.lit(1.0))
    nums = t.is_not_null() & a.is_not_null() & same_unit
    by_dir = nums & (
        pl.when(op == ">=").then(a >= t - eps)
        .when(op == ">").then(a > t)
        .when(op == "<=").then(a <= t + eps)
        .when(op == "<").then(a < t)
        .otherwise((a - t).abs() <= eps)
    )
    tr, ar = pl.col("__tr"), pl.col("__ar")
    same_text = (tr != "") & (tr == ar)
    full = pl.col("score_reported").is_not_null() & pl.col("weight").is_not_null() & (pl.col("weight") > 0) \
        & (pl.col("score_reported") >= pl.col("weight") - 1e-9)
    met = full | same_text | by_dir.fill_null(False)
    repeated = pl.col("__rep") >= min_rep
    df = df.filter(repeated | met)

    more = pl.when(pl.col("__reason").str.len_chars() > 40).then(pl.lit("…")).otherwise(pl.lit(""))
    quote = pl.col("__reason").str.slice(0, 40) + more
    why_met = (
        pl.when(full).then(pl.lit("得分") + fmt_num(pl.col("score_reported")) + pl.lit("已达分值") + fmt_num(pl.col("weight")))
        .otherwise(pl.lit("实际值「") + pl.coalesce(pl.col("actual_raw"), fmt_num(a)) + pl.lit("」已达到目标值「")
                   + pl.col("target_raw").fill_null("") + pl.lit("」"))
    )
    part_rep = pl.lit("与另外") + (pl.col("__rep") - 1).cast(pl.String) + pl.lit("个指标的原因分析相同")
    part_met = pl.lit("指标已完成（") + why_met + pl.lit("），却填写了未完成原因分析")
    msg = (
        pl.lit("指标「") + pl.col("name").fill_null("") + pl.lit("」的未完成原因分析「") + quote + pl.lit("」")
        + pl.when(repeated & met).then(part_rep + pl.lit("；且") + part_met)
        .when(repeated).then(part_rep + pl.lit("，属套话"))
        .otherwise(pl.lit("：") + part_met)
    )
    return findings(df.sort("project_id", "indicator_id"), msg)


RULE = check
