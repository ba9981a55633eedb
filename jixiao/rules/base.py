"""What a rule is: a code, a Chinese title, a doc, options with defaults, and a pure check.

A check takes the normalized frames and its options and returns the offending rows as a frame
with the columns of `FLAG_COLUMNS` except `rule`/`severity`/`flag_id` (the runner adds those).
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any, Callable

import polars as pl

FLAG_SCHEMA = {
    "flag_id": pl.String,
    "rule": pl.String,
    "severity": pl.String,      # 高 / 中 / 低  (high / medium / low)
    "doc_id": pl.String,
    "project_id": pl.String,
    "indicator_id": pl.String,  # None when the flag is about a whole project
    "message": pl.String,       # Chinese; names the values that are wrong
}

# What a check returns: these columns, one row a finding.
CHECK_COLUMNS = {
    "doc_id": pl.String,
    "project_id": pl.String,
    "indicator_id": pl.String,
    "message": pl.String,
}

SEVERITIES = ("高", "中", "低")
CATEGORIES = ("目标设置", "权重分值", "自评打分", "模板照搬")


@dataclass(frozen=True)
class Frames:
    """The normalized data a check reads: projects and indicators (schema: jixiao.schema)."""

    projects: pl.DataFrame
    indicators: pl.DataFrame


@dataclass(frozen=True)
class Rule:
    """One entry of the catalog.

    `doc` holds the four sections 检查什么 / 为什么是问题 / 示例 / 如何整改 (Chinese), taken from
    the check function's docstring by `rule()`; `options` are the documented defaults.
    """

    code: str
    title: str
    category: str
    severity: str
    check: Callable[[Frames, dict[str, Any]], pl.DataFrame]
    options: dict[str, Any] = field(default_factory=dict)
    doc: dict[str, str] = field(default_factory=dict)

    def run(self, frames: Frames, **overrides: Any) -> pl.DataFrame:
        """Given frames and option overrides, returns this rule's findings (CHECK_COLUMNS)."""
        opts = {**self.options, **overrides}
        out = self.check(frames, opts)
        return out.select([pl.col(c).cast(t) for c, t in CHECK_COLUMNS.items()])


DOC_SECTIONS = ("检查什么", "为什么是问题", "示例", "如何整改")


def parse_doc(docstring: str) -> dict[str, str]:
    """Given a check's docstring with lines "检查什么：…" etc., returns {section: text}.

    A section runs from its heading to the next heading; every section must be present.
    """
    text = inspect.cleandoc(docstring or "")
    out: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        head = next((s for s in DOC_SECTIONS if line.startswith(s + "：") or line.startswith(s + ":")), None)
        if head:
            current = head
            out[current] = [line[len(head) + 1 :].strip()]
        elif current:
            out[current].append(line.strip())
    missing = [s for s in DOC_SECTIONS if s not in out]
    if missing:
        raise ValueError(f"rule doc is missing sections: {missing}")
    return {k: "\n".join(v).strip() for k, v in out.items()}


def rule(code: str, title: str, category: str, severity: str, **options: Any):
    """Decorator: given the catalog fields and default options, returns the check as a `Rule`."""
    assert severity in SEVERITIES and category in CATEGORIES, (code, severity, category)

    def wrap(fn: Callable[[Frames, dict[str, Any]], pl.DataFrame]) -> Rule:
        return Rule(code, title, category, severity, fn, dict(options), parse_doc(fn.__doc__))

    return wrap


def findings(df: pl.DataFrame, message: pl.Expr, *, per_project: bool = False) -> pl.DataFrame:
    """Given offending rows (with doc_id, project_id[, indicator_id]) and a message expression,
    returns them in CHECK_COLUMNS shape."""
    ind = pl.lit(None, dtype=pl.String) if per_project or "indicator_id" not in df.columns else pl.col("indicator_id")
    return df.select(
        pl.col("doc_id").cast(pl.String),
        pl.col("project_id").cast(pl.String),
        ind.cast(pl.String).alias("indicator_id"),
        message.cast(pl.String).alias("message"),
    )
