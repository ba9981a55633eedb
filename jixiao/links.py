"""Links between documents: a project's goal table and its self-evaluation, the same project a
year earlier, and within each linked pair the same indicator on both sides.

Given projects (with `unit_canonical`) and indicators, `compute` returns:

- `project_links` (goal_project_id, self_eval_project_id, method, similarity): each
  self-evaluation project and its goal-table project — same canonical unit, year and scope;
- `project_history` (project_id, previous_project_id, method, similarity): each project and the
  same project in year − 1 — same canonical unit and scope, the same kind first (a goal table's
  previous is last year's goal table), the other kind where that year has none of its kind;
- `indicator_links` (left_indicator_id, right_indicator_id, link_kind, method, similarity,
  left_project_id, right_project_id): within each linked pair, indicators matched one to one;
  `link_kind` is `goal_self` (left = goal table, right = self-evaluation) or `previous`
  (left = this year, right = the year before);
- `project_lineage` / `indicator_lineage` (id, lineage_id): the connected chains, so "the same
  project (indicator) in every document and year" is one equality.

Every link is one to one; a project or indicator without a partner is simply absent. Unlinked
projects are found again by JX507, unlinked indicators by JX502.

How projects are matched, within a block of one unit (the canonical unit, or its presumed group
while a suggested merge awaits review: the method then ends in `_pending_unit`), year (and
year − 1), scope (and compatible regions): first the same 项目编码, then the same normalised name (NFKC, no spaces or
punctuation, no year such as 2024年度), then — for what is left, with rapidfuzz inside the
block — a cut-off name (the shorter, ≥ 6 characters, begins the longer: some forms cut the
项目名称 cell), a similar name (similarity ≥ `NAME_SIMILAR`, some indicator names in common), or a fairly
similar name with mostly the same indicators — never two names that differ in a place or a
number (宁新村 / 长凤村, 一期 / 二期: `distinct_objects`). Candidates are taken best first, each project once.

How indicators are matched, within a linked pair: the same normalised name (duplicates in
order), then similar names (normalised Levenshtein ≥ `INDICATOR_SIMILAR`, a same second level
breaking ties), then the same second level and the same target where a name is empty or the
names are at least half alike (a nameless row of one table).

Exact stages are Polars joins over all blocks at once — indicators on integer rows and name
codes (the shared text keys), string ids only in the tables returned; only the leftovers of a
block reach rapidfuzz, so a million indicators take seconds. `Lineage.rows` keeps those rows
for the rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import polars as pl

from jixiao.distinct import with_dense_rank
from jixiao.textkeys import SPACE_RUN, as_nfkc


PROJECT_LINKS_SCHEMA = {"goal_project_id": pl.String, "self_eval_project_id": pl.String, "method": pl.String,
                        "similarity": pl.Float64}
PROJECT_HISTORY_SCHEMA = {"project_id": pl.String, "previous_project_id": pl.String, "method": pl.String,
                          "similarity": pl.Float64}
INDICATOR_LINKS_SCHEMA = {"left_indicator_id": pl.String, "right_indicator_id": pl.String, "link_kind": pl.String,
                          "method": pl.String, "similarity": pl.Float64, "left_project_id": pl.String,
                          "right_project_id": pl.String}
PROJECT_LINEAGE_SCHEMA = {"project_id": pl.String, "lineage_id": pl.String}
INDICATOR_LINEAGE_SCHEMA = {"indicator_id": pl.String, "lineage_id": pl.String}

NAME_SIMILAR = 0.8          # project names this alike are the same project (within a unit-year)
NAME_WITH_INDICATORS = 0.45  # ... or this alike with INDICATOR_OVERLAP of their indicator names in common
INDICATOR_OVERLAP = 0.6
MIN_SHARED = 0.2            # a similar name needs at least this share of indicator names in common
PREFIX_MIN = 6              # a cut-off name keeps at least this many characters
INDICATOR_SIMILAR = 0.7     # indicator names this alike are the same indicator (within a pair)
LEVEL_TARGET_NAMES = 0.5    # same level and target count only with names at least this alike (or one empty)

_PUNCT = r"[\p{P}\p{S}\p{Z}\s]+"
_YEAR_RANGE = r"(?:19|20)\d{2}\s*[-—–~至到]\s*(?:19|20)\d{2}\s*年度?"
_YEAR = r"[（(]?\s*(?:19|20)\d{2}\s*年度?\s*[)）]?|[（(]\s*(?:19|20)\d{2}\s*[)）]"


@dataclass(frozen=True)
class Lineage:
    """The links of one set of frames (see the module docstring for each table)."""

    project_links: pl.DataFrame
    project_history: pl.DataFrame
    indicator_links: pl.DataFrame
    project_lineage: pl.DataFrame
    indicator_lineage: pl.DataFrame
    rows: Rows | None = None  # the same links as integer rows (compute sets it; see Rows)

    @staticmethod
    def empty() -> Lineage:
        """Returns a Lineage with every table empty (in its schema)."""
        return Lineage(*(pl.DataFrame(schema=s) for s in (PROJECT_LINKS_SCHEMA, PROJECT_HISTORY_SCHEMA,
                                                          INDICATOR_LINKS_SCHEMA, PROJECT_LINEAGE_SCHEMA,
                                                          INDICATOR_LINEAGE_SCHEMA)))


@dataclass(frozen=True)
class Rows:
    """The integer rows `compute` found the links on, for the rules to gather by instead of
    joining string ids: `indicator_ids` and `project_ids` sorted (a row is a place in them),
    `indicator_project` per indicator row its project's row (null for none), `left` / `right`
    per row of `indicator_links` (same order) its two indicators' rows, and per project row
    the name key the projects were matched on (`project_name_key`, name_key_expr)."""

    indicator_ids: pl.Series
    project_ids: pl.Series
    indicator_project: pl.Series
    left: np.ndarray
    right: np.ndarray
    project_name_key: pl.Series | None = None


# ----------------------------------------------------------------------------- normalised keys


def name_key_expr(col: str | pl.Expr, nfkc: bool = True) -> pl.Expr:
    """Given a name column, returns its comparison key: NFKC, lower case, without years
    (2024年度, （2025）, 2024-2026年), spaces and punctuation (null -> ""); with nfkc=False the
    name is taken as NFKC already (`jixiao.textkeys`)."""
    e = as_nfkc(pl.col(col) if isinstance(col, str) else col, nfkc, fill="")
    return (
        e.str.replace_all(_YEAR_RANGE, "").str.replace_all(_YEAR, "")
        .str.replace_all(_PUNCT, "").str.to_lowercase()
    )


def code_key_expr(col: str = "code") -> pl.Expr:
    """Given the 项目编码 column, returns it NFKC, upper case, without spaces; null when empty."""
    e = pl.col(col).cast(pl.String).str.normalize("NFKC").str.replace_all(SPACE_RUN, "").str.to_uppercase()
    return pl.when(e.str.len_chars() > 0).then(e).otherwise(None)


def target_text_key_expr(col: str | pl.Expr = "target_raw", nfkc: bool = True) -> pl.Expr:
    """Given the target text column, returns its key for a target that is not a number: the
    text with years masked (2024年年底 and 2025年年底 agree), without spaces or punctuation
    (with nfkc=False the text is taken as NFKC already)."""
    e = as_nfkc(pl.col(col) if isinstance(col, str) else col, nfkc, fill="")
    return (e.str.replace_all(r"(?:19|20)\d{2}", "Y").str.replace_all(_PUNCT, "").str.to_lowercase())


def target_key_expr(text_key: pl.Expr | None = None) -> pl.Expr:
    """Returns an indicator's target as a comparable key: value|unit for a number (the
    operator left out: 000 tables keep it in another column and many forms drop `=`), else the
    text key (`target_text_key_expr`; pass it as a column where it is already computed)."""
    num = pl.concat_str([pl.col("target_value").round(6).cast(pl.String), pl.col("target_unit").fill_null("")],
                        separator="|")
    txt = target_text_key_expr() if text_key is None else text_key
    return pl.when(pl.col("target_value").is_not_null()).then(num).otherwise(txt)


# ----------------------------------------------------------------------------- greedy one to one


def _greedy(cands: pl.DataFrame, left: str, right: str, order: list[str]) -> pl.DataFrame:
    """Given candidate pairs and sort columns (best first), returns the pairs taken best first
    with each left and each right id used once."""
    if cands.height == 0:
        return cands
    cands = cands.sort(order, descending=True, maintain_order=True)
    # Rounds of "the best candidate of each left is also the best of its right": vectorised,
    # and the same result as taking candidates one by one in order (ties broken by the order).
    cands = cands.with_row_index("__rank")
    taken = []
    while cands.height:
        best_l = cands.group_by(left).agg(pl.col("__rank").min())
        best_r = cands.group_by(right).agg(pl.col("__rank").min())
        ok = cands.join(best_l, on=[left, "__rank"], how="semi").join(best_r, on=[right, "__rank"], how="semi")
        if ok.height == 0:  # cannot happen (the overall best is mutual), but never loop forever
            break
        taken.append(ok)
        cands = cands.join(ok.select(left), on=left, how="anti").join(ok.select(right), on=right, how="anti")
    return pl.concat(taken).sort("__rank").drop("__rank")


# ----------------------------------------------------------------------------- projects


def unit_block_expr(projects: pl.DataFrame) -> pl.Expr:
    """Given the projects frame, returns the unit that blocks links: the canonical unit, or its
    presumed group (`unit_group`, pending merges applied) where the frame has one — a project's
    goal table and self-evaluation written under 轮台县社会保险中心 / …服务中心 are linked before a
    reviewer merges the names (the link's method says so)."""
    cols = [pl.col("unit_canonical"), pl.col("unit")]
    if "unit_group" in projects.columns:
        cols.insert(0, pl.col("unit_group"))
    return pl.coalesce(cols).fill_null("")


def project_places(project_id: pl.Series, project_ids: pl.Series) -> pl.Series:
    """Given a column of project ids and the project ids sorted, returns per row its id's place
    in them (Int64; null where absent). Indicators in id order are in project order: then only
    the first row of each run is looked up."""
    index = project_ids.to_frame("project_id").with_row_index("__p").with_columns(pl.col("__p").cast(pl.Int64))
    if project_id.null_count() == 0 and project_id.is_sorted():
        run = project_id.rle_id()
        firsts = project_id.filter((run != run.shift(1)).fill_null(True))
        got = firsts.to_frame("project_id").join(index, on="project_id", how="left", maintain_order="left")["__p"]
        return got.gather(run)
    return project_id.to_frame("project_id").join(index, on="project_id", how="left", maintain_order="left")["__p"]


def _project_side(projects: pl.DataFrame, project_ids: pl.Series) -> pl.DataFrame:
    """Given projects and their ids sorted (`__proj`: a project's place in them), returns the
    project side table of `match_projects` (indicator names are looked up for the leftovers
    only: `_name_sets`), every project (those without a unit are never linked: the caller
    leaves them out)."""
    index = project_ids.to_frame("project_id").with_row_index("__proj").with_columns(pl.col("__proj").cast(pl.Int64))
    return projects.select(
        "project_id", "kind", "year", pl.col("scope").fill_null("project"),
        unit_block_expr(projects).alias("__unit"),
        pl.coalesce("unit_canonical", "unit").fill_null("").alias("__canon"),
        pl.col("province").fill_null("").alias("__prov"), pl.col("county").fill_null("").alias("__county"),
        name_key_expr("name").alias("__key"), code_key_expr().alias("__code"),
        pl.col("name").fill_null("").alias("__name"),
    ).join(index, on="project_id", how="left", maintain_order="left")


def _name_sets(ind: pl.DataFrame, projects: pl.Series) -> dict[int, set]:
    """Given the indicator side table and project rows, returns per project row the set of
    its indicators' name codes (empty names left out; a project without any is absent)."""
    got = (ind.filter(pl.col("__named") & pl.col("__proj").is_in(projects.unique().implode()))
           .group_by("__proj").agg(pl.col("__key").unique()))
    return dict(zip(got["__proj"].to_list(), (set(x) for x in got["__key"].to_list())))


def _region_ok() -> pl.Expr:
    # A region the resolver could not place is compatible with any (it names no other county).
    return (((pl.col("__prov") == pl.col("__prov_r")) | (pl.col("__prov") == "") | (pl.col("__prov_r") == ""))
            & ((pl.col("__county") == pl.col("__county_r")) | (pl.col("__county") == "") | (pl.col("__county_r") == "")))


# A name that differs from another in a place (…村, …镇) or a number (一期 / 二期, 第一 / 第二)
# names another object, however alike the rest is.
_PLACE_CHARS = frozenset("村镇乡区县市组屯寨社街")
_NUMERAL = re.compile(r"[0-9一二三四五六七八九十百零〇两ⅰⅱⅲⅳⅴ]|期|号|批|段|标")


def distinct_objects(a: str, b: str) -> bool:
    """Given two normalised names, returns whether the part where they differ names another
    place or another number (宁新村 / 长凤村, 一期 / 二期): then they are two things."""
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    j = 0
    while j < n - i and a[len(a) - 1 - j] == b[len(b) - 1 - j]:
        j += 1
    ma, mb = a[i:len(a) - j], b[i:len(b) - j]
    if not ma and not mb:
        return False
    after = a[len(a) - j] if j else ""
    if after in _PLACE_CHARS or (ma and ma[-1] in _PLACE_CHARS) or (mb and mb[-1] in _PLACE_CHARS):
        return True
    return bool(_NUMERAL.search(ma + mb))


def _jaccard(a: set | None, b: set | None) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def match_projects(left: pl.DataFrame, right: pl.DataFrame, year_offset: int,
                   ind: pl.DataFrame | None = None) -> pl.DataFrame:
    """Given two sides from `_project_side` (left year = right year + year_offset) and the
    indicator side table (`_indicator_side`; None: no indicators), returns the one-to-one pairs
    (left_id, right_id, method, similarity), best evidence first.

    Within one year a name that begins another is a cut-off form of it, whatever the lost tail
    says; across years a longer name that adds a place or a number (…（二期）) is another project."""
    from rapidfuzz.distance import Indel

    out_schema = {"left_id": pl.String, "right_id": pl.String, "method": pl.String, "similarity": pl.Float64}
    if left.height == 0 or right.height == 0:
        return pl.DataFrame(schema=out_schema)
    r = right.with_columns((pl.col("year") + year_offset).alias("year")).rename(
        {c: c + "_r" for c in right.columns if c not in ("year", "scope", "__unit")})
    block = ["__unit", "year", "scope"]
    cands = []
    code = left.filter(pl.col("__code").is_not_null()).join(
        r.filter(pl.col("__code_r").is_not_null()), left_on=block + ["__code"], right_on=block + ["__code_r"])
    cands.append(code.filter(_region_ok()).select(pl.col("project_id").alias("left_id"), pl.col("project_id_r").alias("right_id"),
                                                  pl.lit("code").alias("method"), pl.lit(1.0).alias("similarity"),
                                                  pl.lit(3).alias("__stage")))
    name = left.filter(pl.col("__key") != "").join(r, left_on=block + ["__key"], right_on=block + ["__key_r"])
    cands.append(name.filter(_region_ok()).select(pl.col("project_id").alias("left_id"), pl.col("project_id_r").alias("right_id"),
                                                  pl.lit("name").alias("method"), pl.lit(1.0).alias("similarity"),
                                                  pl.lit(2).alias("__stage")))
    exact = _greedy(pl.concat(cands), "left_id", "right_id", ["__stage", "similarity"])
    # What is left, block by block: cut-off, similar names, similar indicators.
    rest_l = left.join(exact.select(pl.col("left_id").alias("project_id")), on="project_id", how="anti")
    rest_r = r.join(exact.select(pl.col("right_id").alias("project_id_r")), on="project_id_r", how="anti")
    pairs = rest_l.join(rest_r, on=block).filter(_region_ok())
    fuzzy = []
    if pairs.height:
        lk, rk = pairs["__key"].to_list(), pairs["__key_r"].to_list()
        sims = [1.0 - Indel.normalized_distance(a, b) if a and b else 0.0 for a, b in zip(lk, rk)]
        # the indicator names of the projects of a pair whose names are alike enough to need
        # them only (sets: as many as in common)
        need = pl.Series(np.nonzero(np.asarray(sims) >= NAME_WITH_INDICATORS)[0], dtype=pl.Int64)
        sets = {} if ind is None or need.len() == 0 else _name_sets(
            ind, pl.concat([pairs["__proj"].gather(need), pairs["__proj_r"].gather(need)]))
        lp, rp = pairs["__proj"].to_list(), pairs["__proj_r"].to_list()
        for k in range(pairs.height):
            a, b = lk[k], rk[k]
            if not a or not b:
                continue
            short, long_ = (a, b) if len(a) <= len(b) else (b, a)
            sim = sims[k]
            prefix = len(short) >= PREFIX_MIN and long_.startswith(short)
            if year_offset == 0 and prefix:
                fuzzy.append((k, "name_prefix", max(sim, 0.9), 1))
                continue
            if not prefix and sim < NAME_WITH_INDICATORS:
                continue  # nothing below takes it
            if distinct_objects(a, b):
                continue
            if prefix:
                fuzzy.append((k, "name_prefix", max(sim, 0.9), 1))
                continue
            li, ri = sets.get(lp[k]), sets.get(rp[k])
            j = _jaccard(li, ri)
            # A similar name alone is not enough when both have indicators and share none of
            # them (城乡居民养老保险补贴 / 城乡居民医疗保险补贴).
            if sim >= NAME_SIMILAR and (j >= MIN_SHARED or not li or not ri):
                fuzzy.append((k, "name_similar", sim, 1))
            elif sim >= NAME_WITH_INDICATORS and j >= INDICATOR_OVERLAP:
                fuzzy.append((k, "indicators", round(0.5 * sim + 0.5 * j, 4), 0))
    if fuzzy:
        idx = np.array([f[0] for f in fuzzy])
        fz = pl.DataFrame({
            "left_id": pairs["project_id"].gather(idx), "right_id": pairs["project_id_r"].gather(idx),
            "method": [f[1] for f in fuzzy], "similarity": [round(f[2], 4) for f in fuzzy],
            "__stage": pl.Series([f[3] for f in fuzzy], dtype=pl.Int32),
        })
        exact = pl.concat([exact, _greedy(fz, "left_id", "right_id", ["__stage", "similarity"])], how="vertical_relaxed")
    # Linked across two unit names a reviewer has not merged yet: say so.
    canon = exact.join(left.select(pl.col("project_id").alias("left_id"), "__canon"), on="left_id").join(
        r.select(pl.col("project_id_r").alias("right_id"), "__canon_r"), on="right_id")
    exact = canon.with_columns(pl.when(pl.col("__canon") != pl.col("__canon_r"))
                               .then(pl.col("method") + "_pending_unit").otherwise(pl.col("method")).alias("method"))
    return exact.select([pl.col(c).cast(t) for c, t in out_schema.items()])


def link_goal_self(side: pl.DataFrame, ind: pl.DataFrame | None = None) -> pl.DataFrame:
    """Given the project side table (and the indicator side table), returns project_links
    (goal ↔ self-evaluation, same year)."""
    m = match_projects(side.filter(pl.col("kind") == "goal"), side.filter(pl.col("kind") == "self_eval"), 0, ind)
    return m.select(pl.col("left_id").alias("goal_project_id"), pl.col("right_id").alias("self_eval_project_id"),
                    "method", "similarity")


def link_history(side: pl.DataFrame, ind: pl.DataFrame | None = None) -> pl.DataFrame:
    """Given the project side table (and the indicator side table), returns project_history:
    each project and the same project in year − 1, of its own kind first, then of the other
    kind for those still without one."""
    parts = []
    for kind, other in (("goal", "self_eval"), ("self_eval", "goal")):
        cur = side.filter(pl.col("kind") == kind)
        same = match_projects(cur, side.filter(pl.col("kind") == kind), 1, ind)
        rest = cur.join(same.select(pl.col("left_id").alias("project_id")), on="project_id", how="anti")
        # The other kind only for a unit-year that has none of this kind in year − 1.
        have = side.filter(pl.col("kind") == kind).select("__unit", (pl.col("year") + 1).alias("year"), "scope").unique()
        rest = rest.join(have, on=["__unit", "year", "scope"], how="anti")
        cross = match_projects(rest, side.filter(pl.col("kind") == other), 1, ind)
        parts += [same, cross.with_columns((pl.col("method") + "_other_kind").alias("method"))]
    m = pl.concat(parts)
    return m.select(pl.col("left_id").alias("project_id"), pl.col("right_id").alias("previous_project_id"),
                    "method", "similarity")


# ----------------------------------------------------------------------------- indicators


def _indicator_side(indicators: pl.DataFrame, project_ids: pl.Series, text=None) -> tuple[pl.DataFrame, pl.Series]:
    """Given indicators, their projects' ids sorted and their shared text keys (if any), returns
    (the side table of `match_indicators`, the indicator ids sorted). The side table has one
    row per indicator in id order (`__pos`, its row; `__proj`, its project's place in
    project_ids), the name key as an integer code (`__key`; `__named`: not empty), level 2 and
    the target's parts, and `__dup`: the place of a name seen twice in its project (in seq
    order; 0 otherwise). Integers, not string ids: every join of the links is on them."""
    from jixiao.textkeys import text_keys_for

    keys = text_keys_for(indicators, text)
    code, names = keys.codes("name_key")
    side = indicators.select("indicator_id", "seq", "level2", "target_value", "target_unit").hstack([
        code.cast(pl.Int64).alias("__key"), (names != "").gather(code).alias("__named"),
        keys.series("target_text_key").alias("__ttext"),
        project_places(indicators["project_id"], project_ids).alias("__proj"),
    ])
    if side["indicator_id"].is_sorted():
        side = side.with_columns(pl.int_range(pl.len(), dtype=pl.Int64).alias("__pos"))
    else:
        side = with_dense_rank(side, "indicator_id", "__pos", start=0).sort("__pos")
    ids = side["indicator_id"]
    # Ordered only where a name is there twice in a project (a few rows): elsewhere it is the first.
    width = max(names.len(), 1)
    twice = side.filter(pl.col("__named") & (pl.col("__proj") * width + pl.col("__key")).is_duplicated())
    dup = np.zeros(side.height, dtype=np.int64)
    if twice.height:
        twice = twice.select("__pos", pl.int_range(pl.len()).over("__proj", "__key", order_by=["seq", "__pos"]).alias("__d"))
        dup[twice["__pos"].to_numpy()] = twice["__d"].to_numpy()
    return side.drop("indicator_id").hstack([pl.Series("__dup", dup)]), ids


def _target_keys(df: pl.DataFrame, suffix: str) -> pl.Series:
    """Given rows with the target's parts (target_value, target_unit, __ttext; each + suffix),
    returns their target keys (`target_key_expr`)."""
    parts = df.select(pl.col(c + suffix).alias(c) for c in ("target_value", "target_unit", "__ttext"))
    return parts.select(target_key_expr(pl.col("__ttext"))).to_series()


def match_indicators(pairs: pl.DataFrame, ind: pl.DataFrame, names: pl.Series) -> pl.DataFrame:
    """Given project pairs as project rows (__lp, __rp), the indicator side table and the name
    keys by code, returns the indicator links of these pairs as rows: __lpos, __rpos (indicator
    rows), __lp, __rp, method, similarity."""
    from rapidfuzz.distance import Levenshtein

    out_schema = {"__lpos": pl.Int64, "__rpos": pl.Int64, "__lp": pl.Int64, "__rp": pl.Int64, "method": pl.String,
                  "similarity": pl.Float64}
    if pairs.height == 0:
        return pl.DataFrame(schema=out_schema)
    pairs = pairs.select("__lp", "__rp").unique().with_row_index("__pair").with_columns(pl.col("__pair").cast(pl.Int64))
    base = ind.select("__pos", "__proj", "__key", "__named", "__dup")
    L = base.join(pairs.select("__lp", "__pair"), left_on="__proj", right_on="__lp").drop("__proj")
    R = base.join(pairs.select("__rp", "__pair"), left_on="__proj", right_on="__rp").drop("__proj")
    # 1. The same name; a name twice in a project matches in order (`__dup`, _indicator_side):
    # (pair, name, place) as one integer where it fits — a join on one column, several times faster.
    dups = int(ind["__dup"].max() or 0) + 1
    span = max(names.len(), 1) * dups
    if pairs.height * span < 2 ** 62:
        one, on = [((pl.col("__pair") * max(names.len(), 1) + pl.col("__key")) * dups + pl.col("__dup")).alias("__k")], ["__k"]
    else:
        one, on = [pl.col("__pair").alias("__p"), "__key", "__dup"], ["__p", "__key", "__dup"]
    same = (L.filter(pl.col("__named")).select(pl.col("__pos").alias("__lpos"), "__pair", *one)
            .join(R.filter(pl.col("__named")).select(pl.col("__pos").alias("__rpos"), *one), on=on))
    Lr = L.join(same.select(pl.col("__lpos").alias("__pos")), on="__pos", how="anti")
    Rr = R.join(same.select(pl.col("__rpos").alias("__pos")), on="__pos", how="anti")
    same = same.select("__lpos", "__rpos", "__pair", pl.lit("name").alias("method"), pl.lit(1.0).alias("similarity"))
    # 2./3. Leftovers of a pair: similar names, then same level and target (in id order: ties
    # of the one-to-one choice go to the first); their texts gathered by row.
    cand = (Lr.select(pl.col("__pos").alias("__lpos"), "__pair", "__key")
            .join(Rr.select(pl.col("__pos").alias("__rpos"), "__pair", pl.col("__key").alias("__key_r")), on="__pair")
            .sort("__lpos", "__rpos"))
    texts = ind.select("level2", "target_value", "target_unit", "__ttext")
    cand = cand.hstack(texts[cand["__lpos"]]).hstack(texts[cand["__rpos"]].rename(lambda c: c + "_r"))
    rows = []
    if cand.height:
        a = names.gather(cand["__key"]).to_list()
        b = names.gather(cand["__key_r"]).to_list()
        l2a, l2b = cand["level2"].fill_null("").to_list(), cand["level2_r"].fill_null("").to_list()
        ta, tb = _target_keys(cand, "").to_list(), _target_keys(cand, "_r").to_list()
        for k in range(cand.height):
            sim = Levenshtein.normalized_similarity(a[k], b[k]) if a[k] and b[k] else 0.0
            same_l2 = bool(l2a[k]) and l2a[k] == l2b[k]
            if sim >= INDICATOR_SIMILAR:
                rows.append((k, "name_similar", sim, 2, sim + (0.01 if same_l2 else 0.0)))
            elif same_l2 and ta[k] and ta[k] == tb[k] and (not a[k] or not b[k] or sim >= LEVEL_TARGET_NAMES):
                rows.append((k, "level_target", sim, 1, sim))
    links = [same]
    if rows:
        idx = np.array([r[0] for r in rows])
        fz = cand.select("__lpos", "__rpos", "__pair")[idx].with_columns(
            pl.Series("method", [r[1] for r in rows], dtype=pl.String),
            pl.Series("similarity", [round(r[2], 4) for r in rows], dtype=pl.Float64),
            pl.Series("__stage", [r[3] for r in rows], dtype=pl.Int32),
            pl.Series("__score", [r[4] for r in rows], dtype=pl.Float64),
        )
        links.append(_greedy(fz, "__lpos", "__rpos", ["__stage", "__score"]).drop("__stage", "__score"))
    found = pl.concat([x.select("__lpos", "__rpos", "__pair", "method", "similarity") for x in links])
    found = found.hstack(pairs.select("__lp", "__rp")[found["__pair"]])
    return found.select([pl.col(c).cast(t) for c, t in out_schema.items()])


# ----------------------------------------------------------------------------- chains


def _chains(ids: pl.Series, year: pl.Series, goal_last: pl.Series, a: np.ndarray, b: np.ndarray) -> pl.DataFrame:
    """Given ids sorted (named as their column), per id its year and whether it is not a goal
    table (nulls first), and links as rows of ids (a, b; -1 for none), returns every linked id
    with its chain's id: the chain's first member in (year, kind, id) order."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    id_col = ids.name
    n = ids.len()
    ok = (a >= 0) & (b >= 0)
    a, b = a[ok], b[ok]
    linked = np.zeros(n, dtype=bool)
    linked[a] = True
    linked[b] = True
    if not linked.any():
        return pl.DataFrame(schema={id_col: pl.String, "lineage_id": pl.String})
    g = coo_matrix((np.ones(len(a), dtype=np.int8), (a, b)), shape=(n, n))
    comp = connected_components(g, directed=False)[1]
    rows = np.nonzero(linked)[0]
    # the head of a chain: its first member by (year, kind, row), nulls first (rows are in id order)
    yr = year.cast(pl.Int64).fill_null(np.iinfo(np.int64).min).to_numpy()[rows]
    gl = goal_last.cast(pl.Int8).fill_null(-1).to_numpy()[rows]
    order = np.lexsort((rows, gl, yr))
    c_sorted = comp[rows[order]]
    comps, first = np.unique(c_sorted, return_index=True)
    head_of = np.full(int(comp.max()) + 1, -1, dtype=np.int64)
    head_of[comps] = rows[order][first]
    return pl.DataFrame({id_col: ids.gather(rows), "lineage_id": ids.gather(head_of[comp[rows]])})


# ----------------------------------------------------------------------------- all together


def _project_rows(links: pl.DataFrame, a: str, b: str, index: pl.DataFrame) -> pl.DataFrame:
    """Given project links, their two id columns and the projects' index (project_id, __i),
    returns the links as project rows (__lp, __rp; null where absent), in the links' order."""
    return links.select(a, b).join(index.rename({"project_id": a, "__i": "__lp"}), on=a, how="left",
                                   maintain_order="left").join(
        index.rename({"project_id": b, "__i": "__rp"}), on=b, how="left", maintain_order="left").select("__lp", "__rp")


def compute(projects: pl.DataFrame, indicators: pl.DataFrame, text=None) -> Lineage:
    """Given projects (with unit_canonical) and indicators (and their shared
    `jixiao.textkeys.TextKeys`, if any), returns every link table (Lineage, with its Rows)."""
    from jixiao.textkeys import text_keys_for

    text = text_keys_for(indicators, text)
    pinfo = projects.select("project_id", pl.col("year").alias("__year"), (pl.col("kind") != "goal").alias("__goal_last"))
    if not pinfo["project_id"].is_sorted():
        pinfo = pinfo.sort("project_id")
    pids = pinfo["project_id"]
    ind, ids = _indicator_side(indicators, pids, text)
    names = text.codes("name_key")[1]
    keyed = _project_side(projects, pids)  # the name keys computed once, for both sides (and the rules)
    side = keyed.filter(pl.col("__unit") != "")
    name_key = keyed.select("__proj", "__key").sort("__proj")["__key"]
    plinks = link_goal_self(side, ind)
    history = link_history(side, ind)
    index = pids.to_frame("project_id").with_row_index("__i").with_columns(pl.col("__i").cast(pl.Int64))
    gs_rows = _project_rows(plinks, "goal_project_id", "self_eval_project_id", index)
    prev_rows = _project_rows(history, "project_id", "previous_project_id", index)
    found = pl.concat([
        match_indicators(gs_rows, ind, names).with_columns(pl.lit(False).alias("__prev")),
        match_indicators(prev_rows, ind, names).with_columns(pl.lit(True).alias("__prev")),
    ])
    # Stable output order for tests and diffs: indicator links by kind (goal_self first), then
    # left id — its row (one link per left indicator and kind, so no ties).
    found = found[np.lexsort((found["__lpos"].to_numpy(), found["__prev"].to_numpy()))]
    ia, ib = found["__lpos"].to_numpy(), found["__rpos"].to_numpy()
    ilinks = found.select(
        ids.gather(ia).alias("left_indicator_id"), ids.gather(ib).alias("right_indicator_id"),
        pl.when("__prev").then(pl.lit("previous")).otherwise(pl.lit("goal_self")).alias("link_kind"),
        "method", "similarity",
        pids.gather(found["__lp"]).alias("left_project_id"), pids.gather(found["__rp"]).alias("right_project_id"),
    ).select([pl.col(c).cast(t) for c, t in INDICATOR_LINKS_SCHEMA.items()])
    # the chains: per indicator row its project's year and kind
    proj_of = ind["__proj"]
    plin = _chains(pids, pinfo["__year"], pinfo["__goal_last"],
                   pl.concat([gs_rows["__lp"], prev_rows["__lp"]]).fill_null(-1).to_numpy(),
                   pl.concat([gs_rows["__rp"], prev_rows["__rp"]]).fill_null(-1).to_numpy())
    ilin = _chains(ids, pinfo["__year"].gather(proj_of), pinfo["__goal_last"].gather(proj_of), ia, ib)
    return Lineage(
        project_links=plinks.sort("goal_project_id"),
        project_history=history.sort("project_id"),
        indicator_links=ilinks,
        project_lineage=plin, indicator_lineage=ilin,
        rows=Rows(indicator_ids=ids, project_ids=pids, indicator_project=proj_of, left=ia, right=ib,
                  project_name_key=name_key),
    )


# ----------------------------------------------------------------------------- for the rules


def rows_for(lineage: Lineage, indicators: pl.DataFrame) -> Rows | None:
    """Given the links and an indicators frame, returns the links' Rows if their indicator rows
    are that frame's rows (the same ids in the same order), else None."""
    rows = lineage.rows
    if rows is None or indicators.height != rows.indicator_ids.len():
        return None
    ids = indicators["indicator_id"]
    return rows if ids is rows.indicator_ids or ids.equals(rows.indicator_ids) else None


def project_rows(rows: Rows, projects: pl.DataFrame) -> np.ndarray | None:
    """Given the links' Rows and a projects frame, returns per project row of the links that
    project's row in the frame (-1 where it is not there), or None when the frame holds a
    project the links do not (then the caller joins ids)."""
    got = projects.select("project_id").with_row_index("__f").join(
        rows.project_ids.to_frame("project_id").with_row_index("__p"), on="project_id", how="left")
    if got["__p"].null_count():
        return None
    out = np.full(rows.project_ids.len(), -1, dtype=np.int64)
    out[got["__p"].to_numpy()] = got["__f"].to_numpy()
    return out


def indicator_pairs(lineage: Lineage, projects: pl.DataFrame, indicators: pl.DataFrame, link_kind: str,
                    columns: list[str]) -> pl.DataFrame:
    """Given the links, the frames, a link kind (goal_self / previous) and indicator columns,
    returns one row per indicator link of that kind: the columns of the left indicator with
    suffix `_l`, of the right one with `_r`, and both projects' doc_id, kind, year, scope, name
    (null where the project is not in `projects`)."""
    pcols = ["doc_id", "kind", "year", "scope", "name"]
    pinfo = projects.select("project_id", *[pl.col(c) for c in pcols if c in projects.columns])
    icols = ["indicator_id", "project_id", *[c for c in columns if c not in ("indicator_id", "project_id")]]
    kind = lineage.indicator_links["link_kind"] == link_kind
    links = lineage.indicator_links.select("left_indicator_id", "right_indicator_id", "method", "similarity").filter(kind)
    rows = rows_for(lineage, indicators)
    where = None if rows is None else project_rows(rows, pinfo)
    if where is not None:
        # by row: gathers instead of joining a million string ids
        mask = kind.to_numpy()
        where = pl.Series(where)
        # selected once: a frame of columns chunked apart (the text keys stacked beside) is
        # rechunked by a select, which costs more than the gathers
        cols = indicators.select(icols[1:])
        sides = []
        for at, sfx, ids in ((rows.left[mask], "_l", "left_indicator_id"), (rows.right[mask], "_r", "right_indicator_id")):
            f = where.gather(rows.indicator_project.gather(at))  # null: no project, -1: not in `projects`
            f = pl.select(pl.when(f >= 0).then(f)).to_series()
            info = pinfo.drop("project_id").select(pl.all().gather(f))
            # the ids are the links' own: the other columns gathered
            got = cols[at].hstack(info.rename({c: "p_" + c for c in info.columns}))
            sides.append(got.rename(lambda c, sfx=sfx: c + sfx).with_columns(links[ids].alias("indicator_id" + sfx)))
        return links.hstack(sides[0]).hstack(sides[1])
    side = indicators.select(icols).join(pinfo.rename({c: "p_" + c for c in pinfo.columns if c != "project_id"}),
                                         on="project_id", how="left")
    left = side.rename({c: c + "_l" for c in side.columns})
    right = side.rename({c: c + "_r" for c in side.columns})
    return (links.join(left, left_on="left_indicator_id", right_on="indicator_id_l")
            .join(right, left_on="right_indicator_id", right_on="indicator_id_r")
            .with_columns(pl.col("left_indicator_id").alias("indicator_id_l"),
                          pl.col("right_indicator_id").alias("indicator_id_r")))


def comparable(value: str, unit: str) -> tuple[pl.Expr, pl.Expr]:
    """Given a value and a unit column, returns (value, unit) expressions with 万-counts spelt
    out (5.5 万人 -> 55000 人; money is already in 万元) and an empty unit for none."""
    u = pl.col(unit).fill_null("").str.strip_chars()
    wan = u.str.starts_with("万") & ~u.str.starts_with("万元") & (u.str.len_chars() > 1)
    v = pl.when(wan).then(pl.col(value) * 10000.0).otherwise(pl.col(value))
    return v, pl.when(wan).then(u.str.slice(1)).otherwise(u)


_DATE_YM = re.compile(r"((?:19|20)\d{2})\s*年\s*(?:(\d{1,2})\s*月|年?底|年?末)")


def deadline(text: str | None) -> tuple[int, int] | None:
    """Given a date target (2024年12月31日前, 2024年年底, 2024年6月底), returns (year, month) of its
    deadline, or None when the text names no year and month (年底 and 年末 are December)."""
    if not text:
        return None
    m = _DATE_YM.search(str(text))
    if not m:
        return None
    return int(m.group(1)), int(m.group(2)) if m.group(2) else 12


_SYMBOL = {">=": "≥", "<=": "≤", "=": "=", ">": ">", "<": "<"}


def target_text(raw: str, op: str, value: str, unit: str) -> pl.Expr:
    """Given the target columns, returns the target as a message shows it: as written, except a
    bare number (000 tables keep the operator and the unit in other columns) which is shown
    with them ("≥98%", "≤695.05万元")."""
    r = pl.col(raw).cast(pl.String).fill_null("").str.strip_chars()
    bare = r.str.contains(r"^[-+]?[\d.,]+$") & pl.col(value).is_not_null()
    pct = pl.col(unit).fill_null("") == "%"
    num = (pl.when(pct).then(pl.col(value) * 100).otherwise(pl.col(value))).round(6).cast(pl.String).str.replace(r"\.0$", "")
    sym = pl.col(op).replace_strict(_SYMBOL, default="", return_dtype=pl.String).fill_null("")
    return pl.when(bare).then(sym + num + pl.col(unit).fill_null("")).otherwise(r)
