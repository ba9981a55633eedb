"""JX102 满意度指标错位: a satisfaction indicator placed outside the first level 满意度指标."""

from __future__ import annotations

from typing import Any

import polars as pl

from jixiao.rules.base import Frames, findings, rule
from jixiao.textkeys import SPACE_RUN


@rule("JX102", "满意度指标错位", "目标设置", "中", keywords=("满意",))
def check(frames: Frames, opts: dict[str, Any]) -> pl.DataFrame:
    """检查什么：三级指标名称含「满意」（满意度、满意率、满意程度等，选项 keywords）的指标，
    是否放在一级指标「满意度指标」（二级指标「服务对象满意度指标」）之下。一级指标为空的指标不判断。
    为什么是问题：满意度反映服务对象的主观评价，按规定单列为满意度指标；放进产出、效益或成本指标，
    既重复计分，又挤占了本应反映产出和效益的指标位置。
    示例：「生态效益指标」下填「服务对象满意度 ≥95%」；「社会效益指标」下填「群众满意率 ≥90%」。
    如何整改：把该指标移到「满意度指标—服务对象满意度指标」下，原位置改填真正反映产出或效益的指标。
    """
    ind = frames.indicators
    words = [w for w in (opts.get("keywords") or ()) if w]
    if not words:
        return findings(ind.clear(), pl.lit(""))
    # the name's NFKC form as the shared text keys hold it (jixiao.textkeys), each distinct name once
    name = pl.col("name").fill_null("").str.replace_all(SPACE_RUN, "")
    hit = frames.text.evaluate_nfkc("name", pl.any_horizontal([name.str.contains(w, literal=True) for w in words]))
    df = ind.filter(pl.lit(hit) & pl.col("level1").is_not_null() & (pl.col("level1") != "满意度指标"))
    level2 = pl.coalesce(pl.col("level2"), pl.col("level2_raw"))
    where = pl.col("level1") + pl.when(level2.is_not_null()).then(pl.lit("/") + level2).otherwise(pl.lit(""))
    msg = (
        pl.lit("满意度类指标「") + pl.col("name") + pl.lit("」放在「") + where
        + pl.lit("」下，应归入「满意度指标/服务对象满意度指标」")
    )
    return findings(df.sort("project_id", "indicator_id"), msg)


RULE = check
