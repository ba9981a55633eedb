"""The SQL in queries/ and the contract for running it — the one module the dashboard
(dashboard/data.py) and the benchmark (jixiao.bench) both run queries through.

- One query per file, loaded by name, with shared fragments included: a line
  `-- include: NAME` is replaced by queries/_NAME.sql (fragments start with "_" and are not
  queries themselves; a fragment may include another), so the shared sidebar filter lives in
  one place.
- The parameters: `FILTER_DEFAULTS` is the shape of the shared filters as $parameters (what
  `Selection.params()` returns — the dashboard's Filters and the reports' ReportFilter are
  Selections — and `filter_params` builds), `DEFAULT_PARAMS` every
  parameter any query takes with its harmless default. Values are never formatted into the
  text; `bind` picks the ones a query uses and `execute` binds them.
- The waivers: a query that reads the relation `waivers_now` (the flags accepted now, from
  `jixiao.waivers.current_waivers`) gets it registered on its own cursor by `execute`, so a
  flag's status is joined in SQL, not overlaid in Python over every flag.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from jixiao.db import REPO_ROOT

QUERIES_DIR = REPO_ROOT / "queries"
_INCLUDE = re.compile(r"^(?P<indent>[ \t]*)-- include: (?P<name>[a-z0-9_]+)[ \t]*$", re.M)
_HEADER = re.compile(r"^(--[^\n]*\n)+")


def query_names(folder: Path = QUERIES_DIR) -> list[str]:
    """Returns the names of the queries (not the fragments) in queries/, sorted."""
    return sorted(p.stem for p in folder.glob("*.sql") if not p.stem.startswith("_"))


@lru_cache(maxsize=256)
def _read(path: Path, mtime: float) -> str:
    return path.read_text(encoding="utf-8")


def _file(name: str, folder: Path) -> str:
    if not re.fullmatch(r"_?[a-z0-9_]+", name):
        raise ValueError(f"bad query name {name!r}")
    path = folder / f"{name}.sql"
    return _read(path, path.stat().st_mtime)


def _expand(name: str, folder: Path) -> tuple[str, list[Path]]:
    used = [folder / f"{name}.sql"]

    def expand(m: re.Match[str]) -> str:
        used.append(folder / f"_{m.group('name')}.sql")
        fragment = _HEADER.sub("", _file("_" + m.group("name"), folder)).rstrip("\n")
        # a fragment may include another (the shared filter is in one, read by two)
        fragment = _INCLUDE.sub(expand, fragment)
        return "\n".join(m.group("indent") + line if line else line for line in fragment.split("\n"))

    return _INCLUDE.sub(expand, _file(name, folder)), used


_expanded: dict[tuple[str, Path], tuple[tuple, str]] = {}


def load_query(name: str, folder: Path = QUERIES_DIR) -> str:
    """Given a query name, returns the text of queries/<name>.sql with its includes expanded
    (kept until one of its files changes: the dashboard asks for it on every page run)."""
    hit = _expanded.get((name, folder))
    if hit is not None:
        stamps, text = hit
        if all(p.stat().st_mtime_ns == t for p, t in stamps):
            return text
    text, used = _expand(name, folder)
    _expanded[(name, folder)] = (tuple((p, p.stat().st_mtime_ns) for p in used), text)
    return text


# --------------------------------------------------------------------------- the contract

# The shared filters as query parameters: an empty list or None means "all".
FILTER_DEFAULTS: dict[str, Any] = {
    "years": [], "provinces": [], "cities": [], "counties": [], "units": [], "kind": None, "synthetic": None,
}
# Rows a dashboard table shows at most (the rest is counted, and fetched for a download).
TABLE_ROWS = 4000
# Rows per page of a paged table (the flags: tens of thousands at scale), and what a page
# query fetches ($top from $offset).
PAGE_ROWS = 1000
# Every parameter any query takes, with a harmless default (the tests run each query with them;
# the benchmark times each query with them, the heaviest case: everything in the filter).
DEFAULT_PARAMS: dict[str, Any] = {
    **FILTER_DEFAULTS, "rules": [], "severities": [], "unit": "", "project_id": "", "indicator_id": "",
    "cluster_id": "", "doc_id": "", "line_from": 1, "line_to": 2000, "limit": 500,
    # project search, peers by kind of unit, the 高分低执行 quadrant (charts.HIGH_SCORE, charts.LOW_RATE)
    "q": "", "unit_kind": "", "high_score": 90.0, "low_rate": 0.8,
    # flags: "open" / "waived" / "" (all); rows shown at most (the rest is counted and downloadable)
    "status": "", "top": PAGE_ROWS, "offset": 0,
    "min_units": 2,  # template clusters: shared by at least this many units
    # one suggested unit merge: its region and its two names
    "province": "", "city": "", "county": "", "unit_a": "", "unit_b": "",
}
# The relation a query reads for the flags accepted now (registered per cursor by `execute`).
WAIVERS = "waivers_now"
WAIVER_COLUMNS = ("rule", "project_id", "indicator_id", "reason", "reviewer", "waived_at")

_PARAM_RE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_WAIVERS_RE = re.compile(rf"\b{WAIVERS}\b")


# The kinds of table as the Chinese user reads them.
KIND_LABELS = {"goal": "绩效目标表", "self_eval": "绩效自评表"}


@dataclass(frozen=True)
class Selection:
    """A selection of the shared filters — the dashboard's sidebar (dashboard.filters.Filters),
    a report's range (jixiao.report.ReportFilter). Empty tuples and None mean "all"."""

    years: tuple[int, ...] = ()
    province: str | None = None
    city: str | None = None
    county: str | None = None
    units: tuple[str, ...] = ()
    kind: str | None = None          # goal | self_eval
    synthetic: bool | None = None    # False = 真实, True = 合成

    @classmethod
    def like(cls, f: Any) -> "Selection":
        """Given any object with these fields, returns the same selection."""
        return cls(years=tuple(getattr(f, "years", ()) or ()), province=getattr(f, "province", None),
                   city=getattr(f, "city", None), county=getattr(f, "county", None),
                   units=tuple(getattr(f, "units", ()) or ()), kind=getattr(f, "kind", None),
                   synthetic=getattr(f, "synthetic", None))

    def params(self) -> dict[str, Any]:
        """Returns the shared query parameters ($years, $provinces, … $synthetic)."""
        return filter_params(self.years, self.province, self.city, self.county, self.units, self.kind, self.synthetic)

    def describe(self) -> str:
        """Returns the selection in one Chinese line, e.g. "2024年 · 宁夏回族自治区 · 绩效自评表"."""
        parts = ["、".join(f"{y}年" for y in sorted(self.years)) if self.years else "全部年度"]
        parts.append(" / ".join(x for x in (self.province, self.city, self.county) if x) or "全部地区")
        if self.units:
            parts.append("、".join(self.units) if len(self.units) <= 2 else f"{len(self.units)} 个单位")
        parts.append(KIND_LABELS.get(self.kind or "", "全部表类型"))
        if self.synthetic is not None:
            parts.append("仅合成数据" if self.synthetic else "仅真实数据")
        return " · ".join(parts)


def filter_params(years=(), province: str | None = None, city: str | None = None, county: str | None = None,
                  units=(), kind: str | None = None, synthetic: bool | None = None) -> dict[str, Any]:
    """Given a selection of the shared filters (None / empty = all), returns it as the
    FILTER_DEFAULTS-shaped query parameters."""
    return {
        "years": sorted(int(y) for y in years),
        "provinces": [province] if province else [],
        "cities": [city] if city else [],
        "counties": [county] if county else [],
        "units": sorted(units),
        "kind": kind,
        "synthetic": synthetic,
    }


def _code(sql: str) -> str:
    return "\n".join(line.split("--", 1)[0] for line in sql.splitlines())


@lru_cache(maxsize=512)
def _needs(sql: str) -> tuple[frozenset[str], bool]:
    code = _code(sql)
    return frozenset(_PARAM_RE.findall(code)), bool(_WAIVERS_RE.search(code))


def query_params(sql: str) -> set[str]:
    """Given a query's text, returns the names of its $parameters (comments ignored)."""
    return set(_needs(sql)[0])


def reads_waivers(sql: str) -> bool:
    """Given a query's text, returns whether it reads the waivers relation (`waivers_now`)."""
    return _needs(sql)[1]


def _bindable(value: Any) -> Any:
    return list(value) if isinstance(value, (tuple, set, frozenset)) else value


def bind(name: str, params: dict[str, Any], folder: Path = QUERIES_DIR) -> tuple[str, dict[str, Any]]:
    """Given a query name and parameters, returns (its SQL, the parameters it uses — sorted by
    name, tuples as lists). A parameter it needs and is not given raises KeyError."""
    sql = load_query(name, folder)
    needed = _needs(sql)[0]
    missing = needed - params.keys()
    if missing:
        raise KeyError(f"query {name} needs parameters {sorted(missing)}")
    return sql, {k: _bindable(params[k]) for k in sorted(needed)}


def no_waivers():
    """Returns an empty waivers relation (no flag accepted)."""
    import polars as pl

    return pl.DataFrame(schema={c: pl.String for c in WAIVER_COLUMNS})


def execute(con, sql: str, params: dict[str, Any] | None = None, waivers=None):
    """Given a connection, a query's text and its bound parameters (and, for a query that reads
    `waivers_now`, the current waivers: a frame with WAIVER_COLUMNS, None = none accepted),
    returns the result as a Polars frame. One cursor per query: a connection is not
    thread-safe, and a registered relation stays on its cursor."""
    with con.cursor() as cur:
        if reads_waivers(sql):
            w = no_waivers() if waivers is None else waivers
            cur.register(WAIVERS, w.select(WAIVER_COLUMNS).to_arrow())
        return cur.sql(sql, params=params or None).pl()
