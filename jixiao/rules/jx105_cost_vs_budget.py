"""JX105 成本与预算不符: cost indicators that cannot add up to the project budget."""

from __future__ import annotations

from typing import Any

import polars as pl

from jixiao.rules.base import Frames, findings, rule
from jixiao.scores import fmt_num
from jixiao.textkeys import SPACE_RUN

_MONEY = r"^(万元|万(/|$))"

# Per-what cues in a cost indicator's name, used when its unit is a bare 万元 ("每次发放 ≤84.33万元").
_NAME_DIMS = (
    (r"每次|单次|每批", "次"),
    (r"每季度|每季|按季", "季度"),
    (r"每月|按月|月均|每个月", "月"),
    (r"每人|人均", "人"),
)
# Names that say "per something" without saying per what: the product cannot be formed.
# 标准 as in 补助标准 (a rate per head) but not 高标准农田 (a kind of farmland).
_NAME_UNKNOWN = r"平均|单价|(?:^|[^高])标准|单位成本|每"
_NAME_YEAR = r"每年|全年|年度"

# Units of quantity indicators -> (dimension, factor): 万人 counts 10,000 people.
_COUNT_UNITS = {
    "次": ("次", 1.0), "万次": ("次", 1e4),
    "人": ("人", 1.0), "名": ("人", 1.0), "万人": ("人", 1e4),
    "人次": ("人次", 1.0), "万人次": ("人次", 1e4),
    "月": ("月", 1.0), "个月": ("月", 1.0),
    "季度": ("季度", 1.0), "季": ("季度", 1.0), "个季度": ("季度", 1.0),
    "户": ("户", 1.0), "万户": ("户", 1e4),
}
_DIM_ALIASES = {"季": "季度", "个月": "月", "名": "人", "个季度": "季度"}
# A number of times (次) also stands for months and quarters: monthly / quarterly payments.
_TIMES_ALSO = ("月", "季度")


def _dims(unit: pl.Expr, name: pl.Expr) -> pl.Expr:
    """Given the stored unit and the name, returns the list of per-dimensions of a cost amount
    (["次"], ["人", "月"], [] for a total, ["?"] for per-something-unknown)."""
    from_unit = unit.str.replace(_MONEY, "").str.strip_chars("/").str.split("/").list.eval(
        pl.element().replace(_DIM_ALIASES)
    ).list.filter(pl.element() != "")
    by_name = pl.lit(None, dtype=pl.List(pl.String))
    for pattern, dim in reversed(_NAME_DIMS):
        by_name = pl.when(name.str.contains(pattern)).then(pl.lit([dim])).otherwise(by_name)
    by_name = (
        pl.when(name.str.contains(_NAME_YEAR)).then(pl.lit([], dtype=pl.List(pl.String)))
        .otherwise(pl.when(by_name.is_null() & name.str.contains(_NAME_UNKNOWN)).then(pl.lit(["?"])).otherwise(by_name))
    )
    return (
        pl.when(from_unit.list.len() > 0).then(from_unit)
        .otherwise(pl.coalesce(by_name, pl.lit([], dtype=pl.List(pl.String))))
    )


@rule("JX105", "成本与预算不符", "目标设置", "高", tolerance=0.05)
def check(frames: Frames, opts: dict[str, Any]) -> pl.DataFrame:
    """检查什么：成本指标的金额能否与项目年度预算对上，相差超过 tolerance（默认5%）即标记。分两种情形：
    （一）总成本：项目的成本指标全部是总额（单位「万元」、名称中没有「每次」「每季度」「人均」等），则各成本指标金额之和应等于年度预算；
    只有一个时标记该指标，多个时按项目标记并写出合计。
    （二）单位成本：项目只有一个金额型成本指标且是单价，如「≤0.42万元/次」「每季度拨付资金数 ≤2.13万元」「=120元/人/月」，
    则单价 × 次数应等于年度预算。次数取同一项目非成本指标中单位相符的数量，如「发放补助次数 =12次」「资金支付次数 =4次」「制发社会保障卡数量 =1000张」（万人、万次按万折算）；
    每季度另可按4个季度、每月另可按12个月计；「元/人/月」要同时找到人数（如「=200人」）和月数（单位为月，或按月发放的次数），
    找不到就不判断。有多个可用的次数时，任一乘积对得上即不标记。
    无法检查的情形：预算为空；成本指标是百分比或文字（由 JX101 标记）；既有总额又有单价、或有多个单价的成本指标
    （可能各自只是预算的一部分）；名称写「平均」「单价」「标准」但单位只有「万元」、说不清按什么计的单价；找不到次数、人数或月数的单价。
    为什么是问题：成本指标是预算编制的依据，单价 × 数量或总成本应与预算一致；对不上说明成本测算、
    数量指标或预算金额至少有一处填错，或者成本指标只是随手填写。
    示例：成本指标「每次发放」≤0.42万元/次，「发放补助次数」=12次，合计5.04万元，与预算5万元相符（不标记）；
    若单价写成1万元/次，合计12万元，比预算5万元多140%，标记。
    如何整改：按预算测算过程填写成本指标：总额型写项目总成本，单价型写单价并在数量指标中写明数量，使二者乘积与预算一致；
    预算调整后同步修改成本指标。
    """
    tol = float(opts.get("tolerance") or 0.0)
    ind = frames.indicators
    proj = frames.projects.select("project_id", "budget").filter(pl.col("budget").is_not_null() & (pl.col("budget") > 0))
    unit = pl.col("target_unit").fill_null("")
    # the columns read below only, and the unit's pattern tested on the cost rows with a value
    # only (a filter copies every column it keeps; a predicate is evaluated on every row)
    cost = (
        ind.select("indicator_id", "project_id", "doc_id", "name", "target_raw", "target_value", "target_unit",
                   "level1").with_row_index("__row")
        .filter((pl.col("level1") == "成本指标") & pl.col("target_value").is_not_null())
        .filter(unit.str.contains(_MONEY))
        .join(proj, on="project_id", how="inner")
    )
    # the dimensions of each distinct (unit, name) read once, from the name's NFKC form as the
    # shared text keys hold it (jixiao.textkeys)
    name_n = pl.col("__name_n").fill_null("").str.replace_all(SPACE_RUN, "")
    dims = (cost.select("target_unit", "name", frames.text.nfkc("name", cost["__row"]).alias("__name_n")).unique()
            .select("target_unit", "name", _dims(unit, name_n).alias("__dims")))
    cost = (
        cost.drop("__row").join(dims, on=["target_unit", "name"], how="left", nulls_equal=True, maintain_order="left")
        .with_columns(
            (pl.col("__dims").list.len() == 0).alias("__total"),
            pl.len().over("project_id").alias("__n_money"),
            (pl.col("__dims").list.len() == 0).all().over("project_id").alias("__all_total"),
        )
    )
    out = []

    # (a) Totals: the sum of a project's total-cost amounts against its budget.
    # in id order once: each project's first indicator and its names in id order are then its
    # first rows (a group keeps its rows' order), not four sorts per project
    totals = cost.filter(pl.col("__all_total")).sort("indicator_id")
    tot = totals.group_by("project_id").agg(
        pl.col("doc_id").first(), pl.col("budget").first(), pl.col("target_value").sum().alias("__sum"),
        pl.len().alias("__k"), pl.col("indicator_id").first().alias("__one"),
        pl.col("name").first().alias("__name"),
        pl.col("target_raw").first().alias("__raw"),
        pl.col("name").str.join("、").alias("__names"),
    )
    dev = (pl.col("__sum") - pl.col("budget")) / pl.col("budget")
    bad = tot.filter(dev.abs() > tol + 1e-9)
    diff = fmt_num(dev.abs() * 100, 1) + pl.lit("%")
    more = pl.when(dev > 0).then(pl.lit("多")).otherwise(pl.lit("少"))
    single = bad.filter(pl.col("__k") == 1)
    out.append(findings(
        single.with_columns(pl.col("__one").alias("indicator_id")),
        pl.lit("成本指标「") + pl.col("__name") + pl.lit("」目标值「") + pl.col("__raw") + pl.lit("」即") + fmt_num(pl.col("__sum"))
        + pl.lit("万元，比年度预算") + fmt_num(pl.col("budget")) + pl.lit("万元") + more + diff,
    ))
    multi = bad.filter(pl.col("__k") > 1)
    out.append(findings(
        multi,
        pl.lit("成本指标「") + pl.col("__names") + pl.lit("」合计") + fmt_num(pl.col("__sum"))
        + pl.lit("万元，比年度预算") + fmt_num(pl.col("budget")) + pl.lit("万元") + more + diff,
        per_project=True,
    ))

    # (b) A project's only money cost indicator is an amount per something: amount x counts.
    per = cost.filter((pl.col("__n_money") == 1) & ~pl.col("__total") & ~pl.col("__dims").list.contains("?"))
    if per.height:
        # Quantities of the same projects: a known count unit maps to its dimension (万人 -> 人 ×10⁴),
        # any other unit is its own dimension (元/张 finds "制卡数量 =1000张").
        cunit = pl.col("target_unit").fill_null("")
        dim_of = cunit.replace_strict({k: v[0] for k, v in _COUNT_UNITS.items()}, default=cunit, return_dtype=pl.String)
        factor = cunit.replace_strict({k: v[1] for k, v in _COUNT_UNITS.items()}, default=1.0, return_dtype=pl.Float64)
        # the indicators of those projects first (a few), then the tests of their units
        counts = ind.select("project_id", "level1", "name", "target_raw", "target_value", "target_unit").filter(
            pl.col("project_id").is_in(per["project_id"].implode())
        ).filter(
            (pl.col("level1") != "成本指标") & pl.col("target_value").is_not_null() & (pl.col("target_value") > 0)
            & (cunit != "") & (cunit != "%") & ~cunit.str.contains(_MONEY)
        ).select(
            "project_id",
            dim_of.alias("dim"),
            (pl.col("target_value") * factor).alias("n"),
            (pl.lit("「") + pl.col("name").fill_null("") + pl.lit("」") + pl.col("target_raw").fill_null("")).alias("what"),
        )
        extra = counts.filter(pl.col("dim") == "次").select(
            "project_id", pl.lit(list(_TIMES_ALSO)).alias("dim"), "n", "what").explode("dim")
        cand = pl.concat([counts, extra]).unique(maintain_order=True)
        dims = per.select("indicator_id", "project_id", "__dims").with_columns(
            pl.col("__dims").list.len().alias("__nd")
        ).explode("__dims").with_columns(pl.int_range(pl.len()).over("indicator_id").alias("pos")).rename({"__dims": "dim"})
        fixed = pl.DataFrame({"dim": ["季度", "月", "年"], "n": [4.0, 12.0, 1.0],
                              "what": ["4个季度", "12个月", "1年"]})
        # Fixed counts only where the amount has a single dimension (每季度 ×4, 每月 ×12).
        fixed_c = dims.filter(pl.col("__nd") == 1).join(fixed, on="dim", how="inner")
        found_c = dims.join(cand, on=["project_id", "dim"], how="inner")
        options = pl.concat([fixed_c.select("indicator_id", "pos", "n", "what"),
                             found_c.select("indicator_id", "pos", "n", "what")]).unique()
        prod = per.select(
            "indicator_id", "project_id", "doc_id", "budget", "name", "target_raw", "target_value", "target_unit",
            pl.col("target_value").alias("__prod"), pl.lit("").alias("__how"), pl.col("__dims").list.len().alias("__nd"),
        )
        max_nd = int(prod["__nd"].max() or 0)
        for k in range(max_nd):
            step = options.filter(pl.col("pos") == k).drop("pos")
            prod = prod.join(step, on="indicator_id", how="left").filter(
                (pl.col("__nd") <= k) | pl.col("n").is_not_null()
            ).with_columns(
                pl.when(pl.col("__nd") > k).then(pl.col("__prod") * pl.col("n")).otherwise(pl.col("__prod")).alias("__prod"),
                pl.when(pl.col("__nd") > k).then(pl.col("__how") + pl.lit(" × ") + pl.col("what"))
                .otherwise(pl.col("__how")).alias("__how"),
            ).drop("n", "what")
        dev = (pl.col("__prod") - pl.col("budget")) / pl.col("budget")
        best = (
            prod.with_columns(dev.alias("__dev"))
            .sort("indicator_id", pl.col("__dev").abs(), "__how")
            .group_by("indicator_id", maintain_order=True).first()
            .filter(pl.col("__dev").abs() > tol + 1e-9)
        )
        d = pl.col("__dev")
        out.append(findings(
            best,
            pl.lit("成本指标「") + pl.col("name") + pl.lit("」") + pl.col("target_raw") + pl.col("__how")
            + pl.lit(" = ") + fmt_num(pl.col("__prod")) + pl.lit("万元，比年度预算") + fmt_num(pl.col("budget"))
            + pl.lit("万元") + pl.when(d > 0).then(pl.lit("多")).otherwise(pl.lit("少"))
            + fmt_num(d.abs() * 100, 1) + pl.lit("%"),
        ))
    return pl.concat(out).sort("project_id", "indicator_id", nulls_last=False)


RULE = check
