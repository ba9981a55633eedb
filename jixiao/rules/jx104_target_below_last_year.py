"""JX104 目标值低于上年实际 (the target's level, in both directions): a target weaker than last year's actual (上年完成值), by the direction of
its operator: below it for ≥/>, above it for ≤/<.

The title was 目标值低于上年实际, which reads wrong for a reverse (≤) target that is *higher*
than last year; the code stays JX104."""

from __future__ import annotations

from typing import Any

import polars as pl

from jixiao.rules.base import Frames, findings, rule
from jixiao.values import parse_value


def _last_year_units(raw: pl.Series) -> pl.DataFrame:
    """Given last-year texts, returns last_year_raw -> unit as the value parser stores it, parsing
    each distinct text once (a few thousand at most, not one call a row)."""
    uniq = raw.drop_nulls().unique().sort()
    units = [parse_value(x).unit for x in uniq.to_list()]
    return pl.DataFrame({"last_year_raw": uniq, "__ly_unit": pl.Series(units, dtype=pl.String)})


@rule("JX104", "目标值低于上年实际", "目标设置", "中", tolerance=1e-9)
def check(frames: Frames, opts: dict[str, Any]) -> pl.DataFrame:
    """检查什么：填写了「上年完成值」的定量指标，目标水平是否低于上年实际完成情况（比上年还宽松）。
    按目标值的比较方向判断：「≥」「>」（正向指标）目标值低于上年完成值，「≤」「<」（反向指标，如成本、故障率）
    目标值高于上年完成值（上限放宽，目标水平同样是降低了），即为标记。「=」没有方向，不判断。只比较单位相同的数值（百分比与百分比、万元与万元、人与人）；
    上年完成值为文字（如「有效提高」）或单位不同的不比较。
    为什么是问题：绩效目标应体现年度进步，至少不低于已经达到的水平；把目标定得比上年实际还低，
    自评时轻松「完成」，目标失去约束作用。
    示例：「城乡居民参保覆盖率」目标值「≥95%」，上年完成值「100%」；「故障率」目标值「≤5%」，上年完成值「2%」。
    如何整改：以上年完成值为基础设定目标，正向指标不低于上年实际，反向指标不高于上年实际；
    确因政策或任务调整需要降低的，在「指标值设置依据」中写明理由。
    """
    ind = frames.indicators
    tol = float(opts.get("tolerance") or 0.0)
    cand = ind.filter(
        pl.col("last_year_value").is_not_null()
        & pl.col("target_value").is_not_null()
        & pl.col("target_op").is_in([">=", ">", "<=", "<"])
    )
    if cand.height == 0:
        return findings(cand, pl.lit(""))
    cand = cand.join(_last_year_units(cand["last_year_raw"]), on="last_year_raw", how="left")
    same_unit = pl.col("target_unit").fill_null("") == pl.col("__ly_unit").fill_null("")
    t, ly = pl.col("target_value"), pl.col("last_year_value")
    eps = tol * pl.max_horizontal(t.abs(), ly.abs(), pl.lit(1.0))
    up = pl.col("target_op").is_in([">=", ">"])
    weaker = pl.when(up).then(t < ly - eps).otherwise(t > ly + eps)
    df = cand.filter(same_unit & weaker)
    # The comparison word follows the direction; the conclusion is the title's for both (the
    # contract's name 目标值低于上年实际 speaks of the target's level: a looser ceiling is a lower target).
    msg = (
        pl.lit("指标「") + pl.col("name") + pl.lit("」目标值「") + pl.col("target_raw")
        + pl.when(up).then(pl.lit("」低于上年完成值「")).otherwise(pl.lit("」高于上年完成值「"))
        + pl.col("last_year_raw")
        + pl.when(up).then(pl.lit("」（正向指标，越高越好），目标水平低于上年实际"))
        .otherwise(pl.lit("」（反向指标，越低越好，上限放宽），目标水平低于上年实际"))
    )
    return findings(df.sort("project_id", "indicator_id"), msg)


RULE = check
