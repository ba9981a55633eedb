"""The rule catalog: one module per rule, listed here in code order (the registry).

`RULES` is the whole catalog; `run_rules` runs it over the normalized frames and returns the
flags frame (FLAG_SCHEMA), sorted and with stable ids.
"""

from __future__ import annotations

import importlib
import time
from typing import Any, Callable

import polars as pl

from jixiao.rules.base import FLAG_SCHEMA, Frames, Rule

# The registry: one module per rule code, in code order.
_MODULES = (
    "jx101_cost_target_not_money",
    "jx102_satisfaction_misplaced",
    "jx103_type_mismatch",
    "jx104_target_below_last_year",
    "jx105_cost_vs_budget",
    "jx106_missing_fields",
    "jx107_duplicate_indicator",
    "jx108_fund_total_mismatch",
    "jx201_weight_total",
    "jx202_declared_points",
    "jx301_score_vs_rule",
    "jx302_total_mismatch",
    "jx303_budget_score",
    "jx304_score_over_weight",
    "jx401_cross_unit_template",
    "jx402_project_copy",
    "jx403_boilerplate_reason",
    "jx404_uniform_targets",
    "jx501_self_target_changed",
    "jx502_indicator_missing_or_added",
    "jx503_weight_changed",
    "jx504_target_below_previous_actual",
    "jx505_copied_from_last_year",
    "jx506_stale_year_in_date",
    "jx507_unpaired_document",
)
RULES: list[Rule] = [importlib.import_module(f"jixiao.rules.{name}").RULE for name in _MODULES]
BY_CODE = {r.code: r for r in RULES}


def run_rules(frames: Frames, options: dict[str, dict[str, Any]] | None = None,
              codes: list[str] | None = None, *, timings: dict[str, float] | None = None,
              on_error: Callable[[Rule, Exception], None] | None = None,
              order: Callable[[Rule], Any] | None = None) -> pl.DataFrame:
    """Given the frames and per-rule option overrides ({code: {option: value}}), returns all flags.

    `timings` (if given) receives seconds per rule; with `on_error`, a rule that raises is
    reported there and skipped instead of stopping the others. `order`: a sort key for the
    order the rules run in (derive runs those that wait for the links last); the flags are the
    same in any order.
    """
    options = options or {}
    chosen = [r for r in RULES if not codes or r.code in codes]
    found_by: dict[str, pl.DataFrame] = {}
    for r in sorted(chosen, key=order) if order else chosen:
        t0 = time.perf_counter()
        try:
            found = r.run(frames, **options.get(r.code, {}))
        except Exception as e:
            if on_error is None:
                raise
            on_error(r, e)
            continue
        if timings is not None:
            timings[f"rule {r.code}"] = time.perf_counter() - t0
        found_by[r.code] = found
    parts = []
    for r in chosen:  # in code order, whatever order they ran in
        if r.code not in found_by:
            continue
        found = found_by[r.code]
        # A check may grade its own findings (a per-row severity); the rule's severity otherwise.
        severity = pl.col("severity").fill_null(r.severity) if "severity" in found.columns else pl.lit(r.severity)
        parts.append(found.with_columns(pl.lit(r.code).alias("rule"), severity.alias("severity")))
    return finalize_flags(parts)


def finalize_flags(parts: list[pl.DataFrame]) -> pl.DataFrame:
    """Given each rule's findings (with rule and severity columns), returns the flags frame:
    sorted, with stable ids (rule:object:n)."""
    if not parts:
        return pl.DataFrame(schema=FLAG_SCHEMA)
    flags = pl.concat(parts, how="diagonal_relaxed").sort(
        ["rule", "doc_id", "project_id", "indicator_id", "message"], nulls_last=False
    )
    key = pl.coalesce("indicator_id", "project_id")
    flags = flags.with_columns(
        (pl.col("rule") + ":" + key + ":" + (pl.int_range(pl.len()).over("rule", key) + 1).cast(pl.String)).alias("flag_id")
    )
    return flags.select([pl.col(c).cast(t) for c, t in FLAG_SCHEMA.items()])


def rules_frame() -> pl.DataFrame:
    """Returns the catalog as the `rules` view: rule, title, category, severity, description, and
    the doc sections and options."""
    return pl.DataFrame(
        [
            {
                "rule": r.code, "title": r.title, "category": r.category, "severity": r.severity,
                "description": r.doc["检查什么"], "why": r.doc["为什么是问题"], "example": r.doc["示例"],
                "remedy": r.doc["如何整改"],
                "options": ", ".join(f"{k}={v!r}" for k, v in r.options.items()),
            }
            for r in RULES
        ]
    )
