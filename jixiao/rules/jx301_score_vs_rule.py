"""JX301 得分与规则不符: a reported indicator score that the table's own scoring rules do not give."""

from __future__ import annotations

from typing import Any

import polars as pl

from jixiao.rules.base import Frames, findings, rule
from jixiao.scores import DETAIL_COLUMNS, expected_scores, fmt_num, indicator_label

_RULE_TEXT = {
    "positive": "；正向指标：全年实际值/指标值×分值",
    "satisfaction": "；满意度指标：全年实际值/指标值×分值",
    "reverse": "；反向指标：达成得满分，否则指标值/全年实际值×分值",
    "equal": "；等于型指标：相等得满分，否则按实际值与指标值之比计分",
    "qualitative": "；定性指标：达成预期得满分",
    "same_text": "；全年实际值与指标值相同，视为达成",
}


@rule("JX301", "得分与规则不符", "自评打分", "中", tolerance=0.5, qualitative_tier_ok=True)
def check(frames: Frames, opts: dict[str, Any]) -> pl.DataFrame:
    """检查什么：自评表中每个指标的填报得分是否等于表格自身评分规则给出的得分（jixiao.scores.expected_scores）：
    正向指标（≥、>、只写数字）得 min(实际值/指标值, 1)×分值；反向指标（≤、<）达成得满分，未达成得 指标值/实际值×分值；
    等于型指标相等得满分，否则按比例；满意度指标按正向；定性指标全年实际值与指标值相同或写明「达到/完成/实现/是」等即为达成，得满分。
    两个方向都检查：未达成目标却得满分（或高于规则得分），达成目标却被扣分。
    未达成目标却得满分的，不论与规则得分相差多少都提示（指标值≥95%、实际92%、10分得满分10分，不是四舍五入的问题）；
    其余情况差额不超过 tolerance（默认0.5分）不提示。
    规则无法适用（无分值、无实际值、单位不一致、定性实际值含义不明）的指标不检查；得分超过分值的交给 JX304。
    定性指标按表内「三档」规则：达成预期的得分可在分值的 80%–100%（tier_met_min，按评分设置表）之间，
    因此默认（qualitative_tier_ok=True）达成的定性指标得分落在「达成」档内不提示，低于该档才提示，提示中给出该档的最低分；
    设为 False 则任何扣分都提示。
    为什么是问题：自评得分应当由实际完成情况按规则算出。未完成却给满分会虚高绩效、掩盖问题；已完成却扣分则说明打分随意，
    两者都使自评结果失去依据，也无法在单位之间比较。
    示例：指标值「成效显著」，全年实际值「成效显著」，分值15分却只得10分（目标已达成却扣分，按「三档」规则应不低于12分）；
    指标值「≥95%」，全年实际值「92%」，仍得满分10分，按规则应得9.68分（未达成目标却得满分）。
    如何整改：按表内评分规则重新计算得分：达成的给满分，未达成的按比例或档次扣分，并在「未完成原因分析」中说明偏差原因；
    若实际值填写有误，更正实际值。
    """
    tol = float(opts["tolerance"])
    tier_ok = bool(opts.get("qualitative_tier_ok"))
    p, ind = frames.projects, frames.indicators

    if all(c in ind.columns for c in ("score_expected", *DETAIL_COLUMNS)):
        det = ind  # derive computed the details with the scores, once (scores.expected_scores)
    else:
        given = ind["score_expected"] if "score_expected" in ind.columns else None
        has_given = given is not None and given.null_count() < ind.height
        base = ind.rename({"score_expected": "__given"}) if "score_expected" in ind.columns else ind
        det = expected_scores(p, base, with_details=True)
        if has_given:
            det = det.with_columns(pl.coalesce(pl.col("__given"), pl.col("score_expected")).alias("score_expected"))

    s, e, w = pl.col("score_reported"), pl.col("score_expected"), pl.col("weight")
    met = pl.col("target_met")
    unmet = met.eq(False).fill_null(False)
    qualitative = pl.col("score_rule").eq("qualitative").fill_null(False)
    full = s >= w - 1e-9
    base_ok = s.is_not_null() & e.is_not_null() & w.is_not_null() & (s <= w + tol)
    # An unmet target given full marks is wrong however close the rule's score is: no tolerance.
    unmet_full = base_ok & unmet & full & (e < w - 1e-9)
    over = base_ok & ((s - e > tol) | unmet_full)
    # The 三档 tier is a tolerance for deductions on met qualitative targets only.
    in_tier = pl.lit(tier_ok) & qualitative & met.fill_null(False) & (s >= pl.col("score_floor") - tol)
    under = base_ok & (e - s > tol) & ~in_tier
    bad = det.filter(over | under)

    vals = (
        indicator_label() + pl.lit("：指标值为「") + pl.col("target_raw").fill_null("（空）")
        + pl.lit("」，全年实际值为「") + pl.col("actual_raw").fill_null("（空）") + pl.lit("」，")
    )
    tiered = pl.lit(tier_ok) & qualitative & met.fill_null(False) & (s < e)
    # One expected value per message: the rule's score, or for a tiered qualitative target the
    # lowest score of its 达成 tier (a deduction inside the tier is allowed, so 满分 is not "expected").
    kind = (
        pl.when((s > e) & unmet & full)
        .then(pl.lit("未达成目标却得满分") + fmt_num(s) + pl.lit("分，按规则应得") + fmt_num(e) + pl.lit("分"))
        .when(s > e)
        .then(pl.lit("得分") + fmt_num(s) + pl.lit("分高于按规则计算的") + fmt_num(e) + pl.lit("分"))
        .when(tiered)
        .then(pl.lit("目标已达成却扣分：得分") + fmt_num(s) + pl.lit("分，按规则应不低于")
              + fmt_num(pl.col("score_floor")) + pl.lit("分"))
        .when(met.fill_null(False))
        .then(pl.lit("目标已达成却扣分：得分") + fmt_num(s) + pl.lit("分，按规则应得") + fmt_num(e) + pl.lit("分"))
        .otherwise(pl.lit("得分") + fmt_num(s) + pl.lit("分低于按规则计算的") + fmt_num(e) + pl.lit("分"))
    )
    rule_text = (
        pl.when(tiered)
        .then(pl.lit("；定性指标按「三档」原则，达成预期的得分值的")
              + fmt_num(pl.col("score_floor") / w * 100, 0) + pl.lit("%–100%"))
        .otherwise(pl.col("score_rule").replace_strict(_RULE_TEXT, default="", return_dtype=pl.String))
    )
    msg = vals + kind + pl.lit("（分值") + fmt_num(w) + pl.lit("分") + rule_text + pl.lit("）")
    return findings(bad, msg)


RULE = check
