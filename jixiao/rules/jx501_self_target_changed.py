"""JX501 自评目标值被改动: a self-evaluation target that differs from its goal-table target."""

from __future__ import annotations

from typing import Any

import polars as pl

from jixiao.links import comparable, deadline, target_text
from jixiao.rules.base import Frames, findings, no_findings, rule
from jixiao.textkeys import as_nfkc

_UP, _DOWN = [">=", ">"], ["<=", "<"]
_PUNCT = r"[\p{P}\p{S}\p{Z}\s]+"


def target_compare_key(col: str, nfkc: bool = True) -> pl.Expr:
    """Given a target text column, returns it as compared for a change: NFKC, lower case,
    without spaces or punctuation (null -> ""); with nfkc=False the text is taken as NFKC
    already (`jixiao.textkeys`)."""
    return (as_nfkc(pl.col(col), nfkc, fill="").str.replace_all(_PUNCT, "")
            .str.to_lowercase())


def _deadlines(texts: pl.Series) -> pl.DataFrame:
    """Given target texts, returns text -> deadline as year*12+month (each distinct text once)."""
    # deadline() needs a 年: the other texts (most targets) have none and are not looked at
    uniq = texts.drop_nulls().unique().sort()
    uniq = uniq.filter(uniq.str.contains("年", literal=True))
    vals = []
    for t in uniq.to_list():
        d = deadline(t)
        vals.append(None if d is None else d[0] * 12 + d[1])
    return pl.DataFrame({"__t": uniq, "__ym": pl.Series(vals, dtype=pl.Int64)})


@rule("JX501", "自评目标值被改动", "自评打分", "中", reads_links=True, tolerance=1e-9)
def check(frames: Frames, opts: dict[str, Any]) -> pl.DataFrame:
    """检查什么：自评表中的指标，与同一项目绩效目标表中的同一指标（同一单位、同一年度，按项目编码或项目名称配对，
    指标按名称配对）相比，目标值是否被改动。数值目标比较数值、单位和比较方向（「≥98%」与「>=98%」、
    「100%」与「=100%」、000 表把符号写在「指标值类型」列都算相同；5.5万人与55000人相同）；文字目标比较文字；
    时限目标比较年月（「2024年12月31日前」与「2024年年底」相同）。目标变得更容易完成——正向指标（≥、>）
    数值调低、反向指标（≤、<）数值调高、时限推后、「>」改为「≥」——记为高严重度，其余改动为中。
    任一方目标值为空的不比较（那是 JX106 指标缺项）；部门整体支出表不比较。
    为什么是问题：自评应对照年初批复的绩效目标逐项打分。自评时悄悄改低目标，实际完成值就显得「达标」，
    分数虚高，绩效目标失去约束；即使改得更难，也说明两份表对不上，需要说明依据。
    示例：目标表「参保人数 ≥5.5万人」，自评表写「≥5.2万人」；目标表「每人次成本 ≤3.5元」，自评表写「≤3.8元」。
    如何整改：自评表的指标值应与批复的绩效目标表一致；年度中目标确需调整的，应按程序报批调整目标表，
    并在自评中说明调整依据和批复文件。
    """
    tol = float(opts.get("tolerance") or 0.0)
    pairs = frames.goal_self_pairs
    pairs = pairs.filter(pl.col("p_kind_l").is_not_null() & pl.col("p_kind_r").is_not_null())  # both of project scope
    # A target written the same on both sides (text, operator, value, unit), or two numbers the
    # same with the same operator and unit, is not changed whatever the tests below say of it:
    # most pairs, left out before the string work.
    eq = lambda c: pl.col(c + "_l").eq_missing(pl.col(c + "_r"))  # noqa: E731
    same_number = pl.col("target_value_l").is_not_null() & (pl.col("target_value_l") == pl.col("target_value_r"))
    same = (eq("target_op") & eq("target_unit") & (same_number | (eq("target_raw") & eq("target_value")))).fill_null(False)
    pairs = pairs.filter(~same | pl.col("target_value_l").is_nan().fill_null(False))
    blank = lambda c: pl.col(c).cast(pl.String).fill_null("").str.strip_chars() == ""  # noqa: E731
    pairs = pairs.filter(~blank("target_raw_l") & ~blank("target_raw_r"))
    if pairs.height == 0:
        return no_findings()
    vl, ul = comparable("target_value_l", "target_unit_l")
    vr, ur = comparable("target_value_r", "target_unit_r")
    pairs = pairs.with_columns(vl.alias("__vl"), ul.alias("__ul"), vr.alias("__vr"), ur.alias("__ur"))
    dl = _deadlines(pl.concat([pairs["target_raw_l"], pairs["target_raw_r"]]))
    pairs = (pairs.join(dl.rename({"__t": "target_raw_l", "__ym": "__ym_l"}), on="target_raw_l", how="left")
             .join(dl.rename({"__t": "target_raw_r", "__ym": "__ym_r"}), on="target_raw_r", how="left"))
    both_num = pl.col("__vl").is_not_null() & pl.col("__vr").is_not_null()
    both_date = pl.col("__ym_l").is_not_null() & pl.col("__ym_r").is_not_null()
    eps = tol * pl.max_horizontal(pl.col("__vl").abs(), pl.col("__vr").abs(), pl.lit(1.0))
    opl, opr = pl.col("target_op_l"), pl.col("target_op_r")
    op = pl.coalesce(opl, opr)
    value_diff = (pl.col("__vl") - pl.col("__vr")).abs() > eps
    unit_diff = pl.col("__ul") != pl.col("__ur")
    op_diff = opl.is_not_null() & opr.is_not_null() & (opl != opr)
    num_changed = both_num & (value_diff | unit_diff | op_diff)
    # A bare number ("400个") against one with an operator is the same target written shorter.
    num_easier = both_num & ~unit_diff & (
        (op.is_in(_UP) & (pl.col("__vr") < pl.col("__vl") - eps))
        | (op.is_in(_DOWN) & (pl.col("__vr") > pl.col("__vl") + eps))
        | (~value_diff & (((opl == ">") & (opr == ">=")) | ((opl == "<") & (opr == "<="))))
    )
    num_harder = both_num & ~unit_diff & (
        (op.is_in(_UP) & (pl.col("__vr") > pl.col("__vl") + eps))
        | (op.is_in(_DOWN) & (pl.col("__vr") < pl.col("__vl") - eps))
    )
    date_changed = ~both_num & both_date & (pl.col("__ym_l") != pl.col("__ym_r"))
    text_changed = ~both_num & ~both_date & (pl.col("target_compare_key_l") != pl.col("target_compare_key_r"))
    df = pairs.with_columns(
        (num_changed | date_changed | text_changed).alias("__changed"),
        (num_easier | (date_changed & (pl.col("__ym_r") > pl.col("__ym_l")))).alias("__easier"),
        (num_harder | (date_changed & (pl.col("__ym_r") < pl.col("__ym_l")))).alias("__harder"),
    ).filter(pl.col("__changed"))
    how = (pl.when(pl.col("__easier")).then(pl.lit("，目标变得更容易完成"))
           .when(pl.col("__harder")).then(pl.lit("，目标被提高"))
           .otherwise(pl.lit("，目标值与目标表不一致")))
    name = pl.when(pl.col("name_r").fill_null("") != "").then(pl.col("name_r")).otherwise(pl.col("name_l")).fill_null("")
    before = target_text("target_raw_l", "target_op_l", "target_value_l", "target_unit_l")
    after = target_text("target_raw_r", "target_op_r", "target_value_r", "target_unit_r")
    msg = (pl.lit("自评表指标「") + name + pl.lit("」的目标值由绩效目标表的「") + before
           + pl.lit("」改为「") + after + pl.lit("」") + how)
    out = df.select(pl.col("doc_id_r").alias("doc_id"), pl.col("project_id_r").alias("project_id"),
                    pl.col("indicator_id_r").alias("indicator_id"), msg.alias("__msg"),
                    pl.when(pl.col("__easier")).then(pl.lit("高")).otherwise(pl.lit("中")).alias("__sev"))
    return findings(out.sort("project_id", "indicator_id"), pl.col("__msg"), severity=pl.col("__sev"))

RULE = check
