"""What a rule is: a code, a Chinese title, a doc, options with defaults, and a pure check.

A check takes the normalized frames and its options and returns the offending rows as a frame
with the columns of `CHECK_COLUMNS` (the runner adds `rule`, `flag_id` and the rule's severity;
a check may return its own `severity` column where findings of one rule differ in weight).
"""

from __future__ import annotations

import inspect
from concurrent.futures import Future
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable

import numpy as np
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


# The indicator columns of `Frames.goal_self_pairs` (each with suffix _l and _r), and the shared
# text keys (jixiao.textkeys) they carry.
GOAL_SELF_COLUMNS = ("doc_id", "name", "target_raw", "target_op", "target_value", "target_unit", "weight")
GOAL_SELF_KEYS = ("target_compare_key",)


@dataclass(frozen=True)
class Frames:
    """The normalized data a check reads: projects and indicators (schema: jixiao.schema), and
    the links between documents (`lineage`: goal table ↔ self-evaluation, previous year,
    indicators matched within linked pairs; see jixiao.links).

    `derive.refresh` passes the links and the text keys it computed once (`links=`, `texts=`);
    frames built without them (rule cases, tests) compute them on first use.
    """

    projects: pl.DataFrame
    indicators: pl.DataFrame
    links: Any = None  # jixiao.links.Lineage, or a future of one (derive computes it beside the first rules)
    texts: Any = None  # jixiao.textkeys.TextKeys of `indicators`

    @cached_property
    def text(self):
        """Returns the normalised texts of the indicators (jixiao.textkeys.TextKeys), shared."""
        from jixiao.textkeys import text_keys_for

        return text_keys_for(self.indicators, self.texts)

    @cached_property
    def goal_self_pairs(self) -> pl.DataFrame:
        """Returns the indicator pairs goal table ↔ self-evaluation of the projects of project
        scope (`jixiao.links.indicator_pairs` with GOAL_SELF_COLUMNS and GOAL_SELF_KEYS), joined once for the
        rules that compare the two documents (JX501, JX503)."""
        from jixiao.links import indicator_pairs

        ind = self.indicators.hstack([self.text.series(k) for k in GOAL_SELF_KEYS])
        return indicator_pairs(self.lineage, project_scope(self.projects), ind, "goal_self",
                               list(GOAL_SELF_COLUMNS + GOAL_SELF_KEYS))

    def link_rows(self, link_kind: str) -> pl.DataFrame:
        """Given a link kind (goal_self / previous), returns its indicator links as rows of
        `indicators`: `left` and `right` (Int64), one row per link whose two indicators are in
        the frame — joined once per kind, so the rules gather by row instead of joining ids."""
        cache = self.__dict__.setdefault("_link_rows", {})
        got = cache.get(link_kind)
        if got is None and self.rows is not None:  # the rows the links were found on: no join
            mask = (self.lineage.indicator_links["link_kind"] == link_kind).to_numpy()
            got = cache[link_kind] = pl.DataFrame({"left": self.rows.left[mask], "right": self.rows.right[mask]},
                                                  schema={"left": pl.Int64, "right": pl.Int64})
        if got is None:
            index = self.indicators.select("indicator_id").with_row_index("__row")
            links = self.lineage.indicator_links.filter(pl.col("link_kind") == link_kind)
            got = cache[link_kind] = (
                links.select("left_indicator_id", "right_indicator_id")
                .join(index.rename({"indicator_id": "left_indicator_id", "__row": "left"}), on="left_indicator_id")
                .join(index.rename({"indicator_id": "right_indicator_id", "__row": "right"}), on="right_indicator_id")
                .select(pl.col("left").cast(pl.Int64), pl.col("right").cast(pl.Int64))
            )
        return got

    @cached_property
    def rows(self):
        """Returns the integer rows of the links (jixiao.links.Rows) if they are rows of
        `indicators`, else None (then a rule joins ids)."""
        from jixiao.links import rows_for

        return rows_for(self.lineage, self.indicators)

    @cached_property
    def indicator_projects(self) -> tuple[pl.Series, pl.Series]:
        """Returns (the project ids sorted, per indicator row its project's place in them,
        Int64, null for none): the links' rows where they are there already and this frame's,
        else joined once (a rule that reads no links never waits for them)."""
        links = self.links
        ready = links is not None and (not isinstance(links, Future) or (links.done() and links.exception() is None))
        if ready and self.rows is not None:
            return self.rows.project_ids, self.rows.indicator_project
        from jixiao.links import project_places

        pids = self.projects["project_id"].unique().sort()
        return pids, project_places(self.indicators["project_id"], pids)

    @cached_property
    def project_name_key(self) -> pl.Series:
        """Returns per project (the rows of `projects`, same order) its name key
        (jixiao.links.name_key_expr): the links' own where they have it, else computed."""
        from jixiao.links import name_key_expr, project_rows

        rows = self.rows
        if rows is not None and rows.project_name_key is not None:
            where = project_rows(rows, self.projects)
            if where is not None and (where >= 0).sum() == self.projects.height:
                at = np.empty(self.projects.height, dtype=np.int64)
                at[where[where >= 0]] = np.nonzero(where >= 0)[0]
                return rows.project_name_key.gather(at).alias("name_key")
        return self.projects.select(name_key_expr("name").alias("name_key")).to_series()

    @cached_property
    def lineage(self):
        """Returns the links of these frames (jixiao.links.Lineage), computed once."""
        if self.links is not None:
            return self.links.result() if isinstance(self.links, Future) else self.links
        from jixiao.links import compute
        from jixiao.units import clean_unit

        projects = self.projects
        if "unit_canonical" not in projects.columns or projects["unit_canonical"].null_count() == projects.height:
            uniq = projects["unit"].drop_nulls().unique().to_list()
            mapping = pl.DataFrame({"unit": pl.Series(uniq, dtype=pl.String),
                                    "unit_canonical": pl.Series([clean_unit(u) for u in uniq], dtype=pl.String)})
            projects = projects.drop("unit_canonical", strict=False).join(mapping, on="unit", how="left")
        return compute(projects, self.indicators, self.text)


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
    reads_links: bool = False  # reads Frames.lineage (derive's rules wait for the links)

    def run(self, frames: Frames, **overrides: Any) -> pl.DataFrame:
        """Given frames and option overrides, returns this rule's findings (CHECK_COLUMNS, plus
        `severity` where the check sets one per finding, e.g. 高 for a target made easier)."""
        opts = {**self.options, **overrides}
        out = self.check(frames, opts)
        cols = [pl.col(c).cast(t) for c, t in CHECK_COLUMNS.items()]
        if "severity" in out.columns:
            bad = set(out["severity"].drop_nulls().unique().to_list()) - set(SEVERITIES)
            if bad:
                raise ValueError(f"{self.code}: unknown severities {sorted(bad)}")
            cols.append(pl.col("severity").cast(pl.String).fill_null(self.severity))
        return out.select(cols)


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


def rule(code: str, title: str, category: str, severity: str, *, reads_links: bool = False, **options: Any):
    """Decorator: given the catalog fields, whether the check reads the links (Frames.lineage)
    and default options, returns the check as a `Rule`."""
    assert severity in SEVERITIES and category in CATEGORIES, (code, severity, category)

    def wrap(fn: Callable[[Frames, dict[str, Any]], pl.DataFrame]) -> Rule:
        return Rule(code, title, category, severity, fn, dict(options), parse_doc(fn.__doc__), reads_links)

    return wrap


def findings(df: pl.DataFrame, message: pl.Expr, *, per_project: bool = False,
             severity: pl.Expr | None = None) -> pl.DataFrame:
    """Given offending rows (with doc_id, project_id[, indicator_id]) and a message expression
    (and optionally a severity expression per row), returns them in CHECK_COLUMNS shape."""
    ind = pl.lit(None, dtype=pl.String) if per_project or "indicator_id" not in df.columns else pl.col("indicator_id")
    cols = [
        pl.col("doc_id").cast(pl.String),
        pl.col("project_id").cast(pl.String),
        ind.cast(pl.String).alias("indicator_id"),
        message.cast(pl.String).alias("message"),
    ]
    if severity is not None:
        cols.append(severity.cast(pl.String).alias("severity"))
    return df.select(cols)


def no_findings() -> pl.DataFrame:
    """Returns an empty findings frame (CHECK_COLUMNS)."""
    return pl.DataFrame(schema=CHECK_COLUMNS)


def project_scope(projects: pl.DataFrame) -> pl.DataFrame:
    """Given the projects frame, returns the projects of project scope (部门整体 tables, scope
    'department', are left out by the rules that compare one project's documents)."""
    if "scope" not in projects.columns:
        return projects
    return projects.filter(pl.col("scope").fill_null("project") != "department")
