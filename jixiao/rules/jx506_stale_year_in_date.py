"""JX506 时效目标年份不符: a date target naming a year other than the table's."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import polars as pl

from jixiao.rules.base import Frames, findings, no_findings, project_scope, rule
from jixiao.textkeys import SPACE_RUN

_Y = r"(?:19|20)\d{2}"
# A span of years: 2024-2026年, 2024年至2026年, 2024—2026年度.
_RANGE = re.compile(rf"({_Y})\s*年?\s*[-—–~～至到]\s*({_Y})\s*年?")
# A year that names a date: 2025年…, 2025-12-31, 2025.12, 2025/6.
_DATE_YEAR = re.compile(rf"(?<!\d)({_Y})(?:\s*年|[-./]\s*\d{{1,2}}(?!\d))")
# Words before a year that make it a point of comparison or a starting point, not a deadline.
_REFERENCE = re.compile(r"(较|比|同比|相比|对比|与|基于|以|截至|自|从|起|上年|基期|基数|比照|参照)\s*$")
# Targets of a multi-year goal may name a later year (实施期, 建设期, 规划 …).
_MULTI_YEAR = re.compile(r"实施期|项目周期|建设期|全周期|周期内|累计|规划|分年度|跨年|整体目标|总体目标|中期|三年|五年")


def stale_years(text: str | None, year: int | None, multi_year: bool = False) -> list[int]:
    """Given a target text and the table's year, returns the years it names as dates that are
    not the table's: a year inside a span that includes the table's year is fine (2024-2026年 in
    2025), a span wholly before or after it is not; a year after a word of comparison (较2024年,
    截至2024年底) is a reference, not a date; a later year is fine in a multi-year goal."""
    if not text or year is None:
        return []
    s = str(text)
    out: list[int] = []
    for m in _RANGE.finditer(s):
        a, b = sorted((int(m.group(1)), int(m.group(2))))
        if not a <= year <= b and not (multi_year and b > year):
            out.append(b if b < year else a)
    s = _RANGE.sub(" ", s)
    for m in _DATE_YEAR.finditer(s):
        y = int(m.group(1))
        if y == year or _REFERENCE.search(s[max(0, m.start() - 4):m.start()]):
            continue
        if y > year and multi_year:
            continue
        out.append(y)
    return sorted(set(out))


@rule("JX506", "时效目标年份不符", "目标设置", "中", reads_links=True, flag_future=True)
def check(frames: Frames, opts: dict[str, Any]) -> pl.DataFrame:
    """检查什么：指标的目标值（多为时效指标，如「项目完成时间」）写的日期，年份是否不是本表的年度：2026年度的表
    写「2025年年底」「2025年12月31日前」。包含本年度的年份区间（2026年度表中的「2024-2026年」）、比较的基准年
    （「较2025年提高」「截至2025年底」）不算；实施期、建设期、累计、规划等跨年度目标中晚于本年度的年份不算；
    flag_future=False 时只标记早于本年度的年份。自评表中与已配对的目标表指标目标值相同的，只标记在目标表上。
    部门整体支出表不检查。
    为什么是问题：年度绩效目标应在本年度内完成，写上年的日期多半是照抄上年的目标表没有改，写以后的日期则说明
    年度目标和跨年度目标混在一起；按这样的目标自评，时效指标无法判断是否按期完成。
    示例：2026年度目标表「项目完成时间」目标值「2025年年底」；2025年度自评表「资金拨付时间」目标值
    「2024年12月31日前」。
    如何整改：把时效目标改为本年度内的具体时限（如「2026年12月31日前」）；跨年度项目写明本年度应完成的阶段
    和时限，实施期目标另行填写。
    """
    flag_future = bool(opts.get("flag_future", True))
    proj = project_scope(frames.projects).select("project_id", "year", "kind")
    dated = frames.text.evaluate("target_raw", pl.col("target_raw").str.contains(r"(19|20)\d{2}"))
    ind = frames.indicators.select("doc_id", "project_id", "indicator_id", "name", "target_raw", "target_value",
                                   "description").with_row_index("__row").filter(
        pl.col("target_value").is_null() & pl.lit(dated))
    if ind.height == 0:
        return no_findings()
    df = ind.join(proj, on="project_id")
    multi = pl.concat_str([pl.col("name").fill_null(""), pl.col("target_raw").fill_null(""),
                           pl.col("description").fill_null("")]).str.contains(_MULTI_YEAR.pattern)
    df = df.with_columns(multi.alias("__multi"))
    keys = df.select("target_raw", "year", "__multi").unique()
    stale = [stale_years(t, y, m) for t, y, m in keys.iter_rows()]
    if not flag_future:
        stale = [[s for s in ys if s < y] for ys, (_, y, _) in zip(stale, keys.iter_rows())]
    keys = keys.with_columns(pl.Series("__stale", stale, dtype=pl.List(pl.Int64)))
    df = df.join(keys, on=["target_raw", "year", "__multi"]).filter(pl.col("__stale").list.len() > 0)
    # A self-evaluation repeating its goal table's target: the finding belongs to the goal table.
    # by row (Frames.link_rows): a self-evaluation indicator's goal-table twin and its target
    rows = frames.link_rows("goal_self")
    goal_of = np.full(frames.indicators.height, -1, dtype=np.int64)
    goal_of[rows["right"].to_numpy()] = rows["left"].to_numpy()
    goal = pl.Series(goal_of).gather(df["__row"])
    goal = pl.select(pl.when(goal >= 0).then(goal)).to_series()
    # both targets' NFKC form as the shared text keys hold it (jixiao.textkeys)
    text = frames.text
    df = df.hstack([goal.alias("__goal"), text.nfkc("target_raw", df["__row"]).alias("__t_n"),
                    text.nfkc("target_raw", goal).alias("__goal_n")])
    norm = lambda c: pl.col(c).fill_null("").str.replace_all(SPACE_RUN, "")  # noqa: E731
    df = df.filter(~((pl.col("kind") == "self_eval") & pl.col("__goal").is_not_null() & (norm("__t_n") == norm("__goal_n"))))
    years = pl.col("__stale").list.eval(pl.element().cast(pl.String)).list.join("、")
    earlier = pl.col("__stale").list.max() < pl.col("year")
    msg = (pl.lit("指标「") + pl.col("name").fill_null("") + pl.lit("」目标值「") + pl.col("target_raw")
           + pl.lit("」写的是") + years + pl.lit("年，本表是") + pl.col("year").cast(pl.String) + pl.lit("年度")
           + pl.when(earlier).then(pl.lit("，早于本年度，疑为沿用上年的目标表"))
           .otherwise(pl.lit("，不是本年度的时限")))
    return findings(df.sort("project_id", "indicator_id"), msg)


RULE = check
