"""Scores as the tables' own rules give them, and score settings as data.

The self-evaluations state their scoring rules in footnotes (注 1–4 of the 固原 tables):

- a quantitative positive target (≥**) scores 全年实际值 (B) / 年度指标值 (A) × 分值;
- a reverse target (≤**) scores A / B × 分值;
- a qualitative target scores in three tiers, 100-80% (含) / 80-50% (含) / 50-0% of its points;
- 得分一档最高不能超过该指标分值上限: no score above the indicator's points;
- 预算执行率 scores 执行率 × 该指标分值 (usually 10), capped at its points.

Settings that differ by province or year (the points of 预算执行率, the qualitative tiers, what a
goal table's weights total) are data in `datasets/score_settings.csv`: one row per province
and/or year, a blank province and year being the national default. For a project the most
specific row wins (province+year > province > year > default), field by field: a blank cell in
a more specific row falls through to the next one.

Everything here is vectorised Polars (no Python loop over rows); `expected_scores` runs on a
million indicators in seconds.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import polars as pl

from jixiao.textkeys import SPACE_RUN, as_nfkc, text_keys_for

SETTINGS_PATH = Path(__file__).resolve().parents[1] / "datasets" / "score_settings.csv"

SETTINGS_SCHEMA = {
    "province": pl.String,
    "year": pl.Int32,
    "budget_points": pl.Float64,         # 预算执行率 分值 in a self-evaluation
    "goal_reserved_points": pl.Float64,  # points a goal table leaves for 预算执行率 (indicators total 100 - this, or 100)
    "tier_met_min": pl.Float64,          # lower bound of the 达成 tier of a qualitative indicator (share of its points)
    "tier_partial_min": pl.Float64,      # lower bound of the 部分达成 tier
    "full_marks_tolerance": pl.Float64,  # a score within this of its points counts as full marks
    "level1_weights": pl.String,         # usual first-level points, "产出指标:50;效益指标:30;满意度指标:10" (documentation)
    "note": pl.String,
}
VALUE_COLUMNS = [c for c in SETTINGS_SCHEMA if c not in ("province", "year")]

# Used where no settings row (not even the default one) gives a value.
BUILTIN_DEFAULTS = {
    "budget_points": 10.0,
    "goal_reserved_points": 10.0,
    "tier_met_min": 0.8,
    "tier_partial_min": 0.6,
    "full_marks_tolerance": 0.01,
    "level1_weights": "产出指标:50;效益指标:30;满意度指标:10",
    "note": "内置默认值",
}

SATISFACTION_LEVEL2 = "服务对象满意度指标"
SATISFACTION_LEVEL1 = "满意度指标"

# An actual value that says the (qualitative) target was reached: 达到 / 已完成 / 实现 / 是 ...
# Anchored, so 未完成, 基本完成, 部分实现 do not match.
ACHIEVED_PATTERN = (
    r"^(?:已|均已|均|全部|全面|按时|按期|如期|顺利)?(?:达到|完成|达成|实现|符合|达标)了?"
    r"(?:目标|预期|预期目标|年度目标|指标值|指标|要求|任务)?$|^是$"
)

# Province names are matched without their suffix, so 宁夏 matches 宁夏回族自治区.
_PROVINCE_SUFFIX = r"(?:壮族|回族|维吾尔)?(?:自治区|特别行政区|省|市)$"


# --------------------------------------------------------------------------- settings


@lru_cache(maxsize=8)
def _read_settings(path: str) -> pl.DataFrame:
    p = Path(path)
    if not p.exists():
        return pl.DataFrame([{"province": None, "year": None, **BUILTIN_DEFAULTS}], schema=SETTINGS_SCHEMA)
    df = pl.read_csv(p, schema_overrides=SETTINGS_SCHEMA, encoding="utf8")
    for c, t in SETTINGS_SCHEMA.items():
        if c not in df.columns:
            df = df.with_columns(pl.lit(None, dtype=t).alias(c))
    return df.select([pl.col(c).cast(t) for c, t in SETTINGS_SCHEMA.items()]).with_columns(
        pl.col("province").str.strip_chars().replace("", None)
    )


def load_settings(path: str | Path | None = None) -> pl.DataFrame:
    """Given a settings CSV path (default `datasets/score_settings.csv`), returns its rows with
    the columns of SETTINGS_SCHEMA (blank province/year = null = applies to all)."""
    return _read_settings(str(Path(path) if path is not None else SETTINGS_PATH))


def _province_key(col: str) -> pl.Expr:
    return pl.col(col).cast(pl.String).str.replace_all(SPACE_RUN, "").str.replace(_PROVINCE_SUFFIX, "").replace("", None)


def settings_for(projects: pl.DataFrame, settings: pl.DataFrame | None = None) -> pl.DataFrame:
    """Given projects (project_id, province, year) and settings rows, returns one settings row per
    project_id: the value columns of SETTINGS_SCHEMA plus `settings_source` (which row decided).

    Precedence: province+year > province > year > default, field by field; values no row gives
    come from BUILTIN_DEFAULTS. Four joins, no Python loop over projects.
    """
    settings = load_settings() if settings is None else settings
    for c, t in SETTINGS_SCHEMA.items():
        if c not in settings.columns:
            settings = settings.with_columns(pl.lit(None, dtype=t).alias(c))
    s = settings.with_columns(
        _province_key("province").alias("_pk"),
        pl.col("year").cast(pl.Int32),
        pl.concat_str(
            [pl.col("province").fill_null(""), pl.col("year").cast(pl.String).fill_null("")], separator="/"
        ).str.strip_chars("/").replace("", "默认").alias("_src"),
    )
    vals = VALUE_COLUMNS + ["_src"]

    p = projects.select(
        pl.col("project_id"),
        (_province_key("province") if "province" in projects.columns else pl.lit(None, dtype=pl.String)).alias("_pk"),
        (pl.col("year").cast(pl.Int32) if "year" in projects.columns else pl.lit(None, dtype=pl.Int32)).alias("year"),
    )
    tiers = [
        (s.filter(pl.col("_pk").is_not_null() & pl.col("year").is_not_null()), ["_pk", "year"]),
        (s.filter(pl.col("_pk").is_not_null() & pl.col("year").is_null()), ["_pk"]),
        (s.filter(pl.col("_pk").is_null() & pl.col("year").is_not_null()), ["year"]),
    ]
    out = p
    for i, (t, keys) in enumerate(tiers):
        # The last row of a key wins where the file repeats it.
        t = t.unique(subset=keys, keep="last", maintain_order=True).select(
            keys + [pl.col(c).alias(f"{c}__{i}") for c in vals]
        )
        out = out.join(t, on=keys, how="left", maintain_order="left")
    default = s.filter(pl.col("_pk").is_null() & pl.col("year").is_null()).tail(1)
    if default.height:
        out = out.with_columns([pl.lit(default[c][0], dtype=default[c].dtype).alias(f"{c}__3") for c in vals])
    else:
        out = out.with_columns([pl.lit(None, dtype=s[c].dtype).alias(f"{c}__3") for c in vals])

    def pick(c: str) -> pl.Expr:
        return pl.coalesce([pl.col(f"{c}__{i}") for i in range(4)])

    exprs = []
    for c in VALUE_COLUMNS:
        e = pick(c)
        if c in BUILTIN_DEFAULTS:
            e = e.fill_null(pl.lit(BUILTIN_DEFAULTS[c], dtype=SETTINGS_SCHEMA[c]))
        exprs.append(e.cast(SETTINGS_SCHEMA[c]).alias(c))
    exprs.append(pick("_src").fill_null("内置默认").alias("settings_source"))
    return out.select([pl.col("project_id"), *exprs])


def parse_level1_weights(text: str | None) -> dict[str, float]:
    """Given a level1_weights setting such as "产出指标:50;效益指标:30;满意度指标:10", returns
    {"产出指标": 50.0, ...}; malformed parts are skipped."""
    out: dict[str, float] = {}
    for part in (text or "").replace("；", ";").replace("：", ":").split(";"):
        name, _, value = part.partition(":")
        try:
            out[name.strip()] = float(value)
        except ValueError:
            continue
    return out


# --------------------------------------------------------------------------- formatting helpers


def fmt_num(expr: pl.Expr, digits: int = 2) -> pl.Expr:
    """Given a numeric expression, returns it as text for a message: 10.0 -> "10", 8.889 -> "8.89"."""
    return (
        pl.when(expr.is_null())
        .then(pl.lit("（空）"))
        .otherwise(expr.round(digits).cast(pl.String).str.replace(r"\.0$", ""))
    )


def fmt_pct(expr: pl.Expr, digits: int = 2) -> pl.Expr:
    """Given a fraction expression, returns it as a percentage text: 0.985 -> "98.5%"."""
    return pl.when(expr.is_null()).then(pl.lit("（空）")).otherwise(fmt_num(expr * 100, digits) + pl.lit("%"))


def normalize_text_expr(expr: pl.Expr, nfkc: bool = True) -> pl.Expr:
    """Given a text expression, returns it NFKC-normalised, without whitespace and trailing 。；
    (with nfkc=False the text is taken as NFKC already: `jixiao.textkeys`)."""
    return as_nfkc(expr, nfkc).str.replace_all(SPACE_RUN, "").str.replace(r"[。.;；,，、]+$", "")


# --------------------------------------------------------------------------- expected scores

# What `expected_scores(with_details=True)` adds (JX301 reads them).
DETAIL_COLUMNS = ("score_rule", "target_met", "score_floor")


def _with_col(df: pl.DataFrame, name: str, dtype: pl.DataType) -> pl.DataFrame:
    return df if name in df.columns else df.with_columns(pl.lit(None, dtype=dtype).alias(name))


def expected_scores(
    projects: pl.DataFrame,
    indicators: pl.DataFrame,
    settings: pl.DataFrame | None = None,
    *,
    with_details: bool = False,
    text=None,
) -> pl.DataFrame:
    """Given projects (project_id, kind, province, year) and their indicators, returns the
    indicators (same rows, same order) with `score_expected` filled: the score the tables' stated
    rules give a self-evaluation indicator, None for goal tables and where the rules cannot be
    applied (no weight, no actual value, units that differ, a qualitative actual that neither
    repeats the target nor says it was reached).

    Rules: positive (>=, >, a bare number, and any numeric satisfaction indicator):
    min(actual/target, 1) × weight; reverse (<=, <): actual ≤ target → weight, else
    target/actual × weight; `=`: equal (within 1e-9 + 1e-6·|target|) → weight, else
    min(actual, target)/max(actual, target) × weight; qualitative: actual text equal to the
    target text (NFKC, no whitespace) or an achieving word (达到/完成/达成/实现/符合/是 …) →
    weight. An actual written exactly as its target (≥90% / ≥90%) counts as met whatever its type.
    Percent numbers written without "%" against a "%" target (98 against 95%) are read as
    percentages when above 1. `text`: the indicators' shared `jixiao.textkeys.TextKeys`, if any.

    With `with_details`, also returns `score_rule` (positive / reverse / equal / satisfaction /
    qualitative; same_text for a quantitative target whose actual repeats it), `target_met` (bool) and `score_floor`: the lowest score the rules
    allow (for a met qualitative target tier_met_min × weight, from the settings; otherwise
    score_expected).
    """
    ind = indicators
    for c, t in (("target_op", pl.String), ("target_value", pl.Float64), ("target_unit", pl.String),
                 ("actual_value", pl.Float64), ("actual_unit", pl.String), ("target_raw", pl.String),
                 ("actual_raw", pl.String), ("weight", pl.Float64), ("level1", pl.String),
                 ("level2", pl.String), ("score_expected", pl.Float64)):
        ind = _with_col(ind, c, t)
    columns = list(ind.columns)

    kinds = projects.select(pl.col("project_id"), pl.col("kind").alias("__kind")).unique("project_id", keep="first")
    df = ind.join(kinds, on="project_id", how="left", maintain_order="left")
    # each distinct target and actual text normalised once (the shared keys where given)
    keys = text_keys_for(indicators, text)
    df = df.hstack([keys.series("target_squeezed").alias("__tn"), keys.series("actual_squeezed").alias("__an")])

    t0, a0 = pl.col("target_value"), pl.col("actual_value")
    tu, au = pl.col("target_unit"), pl.col("actual_unit")
    # "98" against "95%": the table's unit column applied to the target only.
    a = pl.when(tu.eq("%") & au.is_null() & (a0 > 1)).then(a0 / 100).otherwise(a0)
    t = pl.when(au.eq("%") & tu.is_null() & (t0 > 1)).then(t0 / 100).otherwise(t0)
    w = pl.col("weight")
    op = pl.col("target_op")
    units_ok = tu.is_null() | au.is_null() | (tu == au)
    numeric = t.is_not_null() & a.is_not_null() & units_ok
    is_sat = pl.col("level2").eq(SATISFACTION_LEVEL2).fill_null(False) | pl.col("level1").eq(SATISFACTION_LEVEL1).fill_null(False)

    tn, an = pl.col("__tn"), pl.col("__an")
    same_text = (tn == an).fill_null(False) & (an.str.len_chars() > 0).fill_null(False)
    achieved_word = an.str.contains(ACHIEVED_PATTERN).fill_null(False)

    rule = (
        pl.when(t0.is_null() & (tn.str.len_chars() > 0).fill_null(False)).then(pl.lit("qualitative"))
        .when(same_text).then(pl.lit("same_text"))
        .when(numeric & is_sat).then(pl.lit("satisfaction"))
        .when(numeric & (op.is_null() | op.is_in([">=", ">"]))).then(pl.lit("positive"))
        .when(numeric & op.is_in(["<=", "<"])).then(pl.lit("reverse"))
        .when(numeric & (op == "=")).then(pl.lit("equal"))
        .otherwise(pl.lit(None, dtype=pl.String))
    )
    df = df.with_columns(rule.alias("__rule"), a.alias("__a"), t.alias("__t"),
                         same_text.alias("__same"), achieved_word.alias("__ach"))

    r, A, T = pl.col("__rule"), pl.col("__a"), pl.col("__t")
    eq_tol = 1e-9 + 1e-6 * T.abs()
    ratio_up = pl.when((T > 0) & (A >= 0)).then((A / T).clip(0, 1)).when((T == 0) & (A >= 0)).then(pl.lit(1.0))
    ratio_down = pl.when(A <= T).then(pl.lit(1.0)).when((A > 0) & (T >= 0)).then((T / A).clip(0, 1))
    ratio_eq = (
        pl.when((A - T).abs() <= eq_tol).then(pl.lit(1.0))
        .when((A >= 0) & (T >= 0)).then(pl.min_horizontal(A, T) / pl.max_horizontal(A, T))
    )
    met = (
        pl.when(r == "same_text").then(pl.lit(True))
        .when(r.is_in(["positive", "satisfaction"])).then(A >= T)
        .when(r == "reverse").then(A <= T)
        .when(r == "equal").then((A - T).abs() <= eq_tol)
        .when(r == "qualitative").then(pl.when(pl.col("__same") | pl.col("__ach")).then(pl.lit(True)))
        .otherwise(pl.lit(None, dtype=pl.Boolean))
    )
    ratio = (
        pl.when(r == "same_text").then(pl.lit(1.0))
        .when(r.is_in(["positive", "satisfaction"])).then(ratio_up)
        .when(r == "reverse").then(ratio_down)
        .when(r == "equal").then(ratio_eq)
        .when((r == "qualitative") & (pl.col("__same") | pl.col("__ach"))).then(pl.lit(1.0))
        .otherwise(pl.lit(None, dtype=pl.Float64))
    )
    applies = (pl.col("__kind") == "self_eval").fill_null(False) & w.is_not_null() & (w >= 0)
    expected = pl.when(applies).then((ratio * w).round(4)).otherwise(pl.lit(None, dtype=pl.Float64))
    df = df.with_columns(expected.alias("score_expected"), met.alias("target_met"))

    if not with_details:
        return df.select(columns)

    st = settings_for(projects, settings).select("project_id", "tier_met_min").unique("project_id", keep="first")
    df = df.join(st, on="project_id", how="left", maintain_order="left")
    floor = (
        pl.when((r == "qualitative") & pl.col("score_expected").is_not_null())
        .then((pl.col("tier_met_min").fill_null(BUILTIN_DEFAULTS["tier_met_min"]) * w).round(4))
        .otherwise(pl.col("score_expected"))
    )
    df = df.with_columns(
        pl.when(applies).then(r).otherwise(pl.lit(None, dtype=pl.String)).alias("score_rule"),
        pl.when(applies).then(pl.col("target_met")).otherwise(pl.lit(None, dtype=pl.Boolean)).alias("target_met"),
        floor.alias("score_floor"),
    )
    return df.select(columns + [c for c in DETAIL_COLUMNS if c not in columns])


def ensure_expected(projects: pl.DataFrame, indicators: pl.DataFrame, settings: pl.DataFrame | None = None) -> pl.DataFrame:
    """Given projects and indicators, returns the indicators with `score_expected` as given, or
    computed by `expected_scores` where the column is missing or entirely null."""
    if "score_expected" in indicators.columns and indicators["score_expected"].null_count() < indicators.height:
        return indicators
    return expected_scores(projects, indicators, settings)


# --------------------------------------------------------------------------- per project


def _project_col(projects: pl.DataFrame, name: str, dtype: pl.DataType) -> pl.Expr:
    return pl.col(name).cast(dtype) if name in projects.columns else pl.lit(None, dtype=dtype).alias(name)


def project_scores(
    projects: pl.DataFrame, indicators: pl.DataFrame, settings: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Given projects and indicators, returns one row per project, sorted by project_id:

    project_id, kind, execution_rate (B/A as given, else executed/budget; self-evaluations only),
    budget_points (as written, else from the settings), budget_score_expected
    (min(rate, 1) × budget_points; self-evaluations only), budget_score_reported,
    total_score_reported, indicator_score_reported_sum, indicator_score_expected_sum,
    total_expected (expected indicator sum + budget_score_expected; self-evaluations only),
    weight_sum, n_indicators, n_weighted, n_scored (weight and score both given), n_expected,
    n_full_marks (score within full_marks_tolerance of its weight).
    Sums over no values are null, not 0.
    """
    st = settings_for(projects, settings).unique("project_id", keep="first")
    p = projects.select(
        pl.col("project_id"),
        _project_col(projects, "kind", pl.String),
        _project_col(projects, "budget", pl.Float64),
        _project_col(projects, "executed", pl.Float64),
        _project_col(projects, "execution_rate", pl.Float64),
        _project_col(projects, "budget_points", pl.Float64),
        _project_col(projects, "budget_score_reported", pl.Float64),
        _project_col(projects, "total_score_reported", pl.Float64),
    ).join(st.select("project_id", pl.col("budget_points").alias("__bp"), "full_marks_tolerance"),
           on="project_id", how="left")

    is_se = pl.col("kind") == "self_eval"
    rate = pl.coalesce(
        pl.col("execution_rate"),
        pl.when(pl.col("budget") > 0).then(pl.col("executed") / pl.col("budget")),
    )
    p = p.with_columns(
        pl.when(is_se).then(rate).otherwise(pl.lit(None, dtype=pl.Float64)).alias("execution_rate"),
        pl.coalesce(pl.col("budget_points"), pl.col("__bp")).alias("budget_points"),
    ).with_columns(
        pl.when(is_se).then((pl.col("execution_rate").clip(0, 1) * pl.col("budget_points")).round(4))
        .otherwise(pl.lit(None, dtype=pl.Float64)).alias("budget_score_expected"),
    )

    ind = ensure_expected(projects, indicators, settings)
    tol = p.select("project_id", "full_marks_tolerance")
    ind = ind.select("project_id", "weight", "score_reported", "score_expected").join(tol, on="project_id", how="left")
    w, s, e = pl.col("weight"), pl.col("score_reported"), pl.col("score_expected")
    scored = w.is_not_null() & s.is_not_null()

    def nsum(x: pl.Expr) -> pl.Expr:
        return pl.when(x.count() > 0).then(x.sum()).otherwise(pl.lit(None, dtype=pl.Float64))

    agg = ind.group_by("project_id").agg(
        nsum(s).alias("indicator_score_reported_sum"),
        nsum(e).alias("indicator_score_expected_sum"),
        nsum(w).alias("weight_sum"),
        pl.len().cast(pl.Int64).alias("n_indicators"),
        w.count().cast(pl.Int64).alias("n_weighted"),
        scored.sum().cast(pl.Int64).alias("n_scored"),
        e.count().cast(pl.Int64).alias("n_expected"),
        (scored & (w > 0) & (s >= w - pl.col("full_marks_tolerance").fill_null(0.01))).sum().cast(pl.Int64).alias("n_full_marks"),
    )
    out = p.join(agg, on="project_id", how="left").with_columns(
        [pl.col(c).fill_null(0) for c in ("n_indicators", "n_weighted", "n_scored", "n_expected", "n_full_marks")]
    ).with_columns(
        pl.when(is_se & pl.col("indicator_score_expected_sum").is_not_null())
        .then((pl.col("indicator_score_expected_sum") + pl.col("budget_score_expected").fill_null(0)).round(4))
        .otherwise(pl.lit(None, dtype=pl.Float64)).alias("total_expected"),
    )
    return out.select(
        "project_id", "kind", "execution_rate", "budget_points", "budget_score_expected",
        "budget_score_reported", "total_score_reported", "indicator_score_reported_sum",
        "indicator_score_expected_sum", "total_expected", "weight_sum", "n_indicators",
        "n_weighted", "n_scored", "n_expected", "n_full_marks",
    ).sort("project_id")


# --------------------------------------------------------------------------- distributions

FULL_MARKS_TOTAL = 100.0


def score_distributions(projects: pl.DataFrame, project_scores: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Given projects, their `project_scores` and grouping columns of projects (e.g. ["unit",
    "year"], ["county", "year"], ["province", "year"]), returns one row per group, sorted by it:

    n_projects, n_self_eval, n_total_reported (self-evaluations with a total), total_mean /
    total_median / total_p10 / total_p90 of total_score_reported over self-evaluations (linear
    interpolation), share_total_full (total ≥ 100), share_total_ge_90, share_indicators_full
    (indicators with full marks among those with weight and score, self-evaluations),
    score_gap_mean (reported − expected total, where both are known), execution_rate_mean
    (self-evaluations), budget_sum, executed_sum.
    """
    by = list(by)
    base_cols = list(dict.fromkeys(["project_id", *by, "kind", "budget", "executed", "total_score_reported"]))
    numeric = ("budget", "executed", "total_score_reported")
    base = projects.select([
        pl.col(c) if c in projects.columns
        else pl.lit(None, dtype=pl.Float64 if c in numeric else pl.String).alias(c)
        for c in base_cols
    ])
    extra = [c for c in project_scores.columns if c not in base.columns]
    df = base.join(project_scores.select(["project_id", *extra]), on="project_id", how="left")
    for c, t in (("execution_rate", pl.Float64), ("total_expected", pl.Float64),
                 ("n_scored", pl.Int64), ("n_full_marks", pl.Int64)):
        df = _with_col(df, c, t)

    is_se = pl.col("kind") == "self_eval"
    tot = pl.col("total_score_reported").filter(is_se & pl.col("total_score_reported").is_not_null())
    n_sc = pl.col("n_scored").filter(is_se).sum()
    out = df.group_by(by).agg(
        pl.len().cast(pl.Int64).alias("n_projects"),
        is_se.sum().cast(pl.Int64).alias("n_self_eval"),
        tot.count().cast(pl.Int64).alias("n_total_reported"),
        tot.mean().alias("total_mean"),
        tot.median().alias("total_median"),
        tot.quantile(0.1, interpolation="linear").alias("total_p10"),
        tot.quantile(0.9, interpolation="linear").alias("total_p90"),
        (tot >= FULL_MARKS_TOTAL - 1e-9).mean().alias("share_total_full"),
        (tot >= 90 - 1e-9).mean().alias("share_total_ge_90"),
        pl.when(n_sc > 0).then(pl.col("n_full_marks").filter(is_se).sum() / n_sc)
        .otherwise(pl.lit(None, dtype=pl.Float64)).alias("share_indicators_full"),
        (pl.col("total_score_reported") - pl.col("total_expected")).filter(is_se).mean().alias("score_gap_mean"),
        pl.col("execution_rate").filter(is_se).mean().alias("execution_rate_mean"),
        pl.col("budget").sum().alias("budget_sum"),
        pl.col("executed").sum().alias("executed_sum"),
    )
    return out.sort(by, nulls_last=True)


def indicator_label() -> pl.Expr:
    """Returns an expression naming an indicator in a message: 指标「参保群众满意度」, or
    第3个指标 where the name is empty."""
    name = pl.col("name").cast(pl.String).str.strip_chars()
    seq = pl.col("seq").cast(pl.String)
    return (
        pl.when(name.is_not_null() & (name.str.len_chars() > 0))
        .then(pl.lit("指标「") + name + pl.lit("」"))
        .otherwise(pl.lit("第") + seq.fill_null("?") + pl.lit("个指标"))
    )
