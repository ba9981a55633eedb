"""What a review report (审核意见) says, gathered from the database: `ReportSource` reads the
filtered projects, their flags with the waivers as they stand now and the rule catalog once,
and `ReportSource.build(unit)` returns one unit's `Report` — plain data the writers lay out.

Flag status comes only from `jixiao.waivers.flags_with_status` (the one read the CLI, the
dashboard and the export share); columns it may add later (waived_at, history …) are used
where present and ignored where not.
"""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import polars as pl

from jixiao import queries
from jixiao.report.text import join_lines, years_text
from jixiao.vocabulary import without_space

SEVERITIES = ("高", "中", "低")
KIND_LABELS = queries.KIND_LABELS


class UnitNotFound(LookupError):
    """The asked-for unit has no projects in the report's range; `message` says so in Chinese
    and names close matches."""

    def __init__(self, message: str, matches: list[str]):
        super().__init__(message)
        self.message = message
        self.matches = matches


# Which projects a report covers: the dashboard's sidebar filters (empty = all).
ReportFilter = queries.Selection


@dataclass
class FlagItem:
    """One flag as the report quotes it."""

    flag_id: str
    rule: str
    severity: str
    indicator_seq: int | None
    indicator_name: str | None
    message: str
    status: str                       # open | waived
    waiver_reason: str | None = None
    waived_at: str | None = None

    @property
    def indicator_label(self) -> str:
        """The indicator as a reader finds it in the table: "3. 参保人数", or "（整个项目）"."""
        if self.indicator_seq is None and not self.indicator_name:
            return "（整个项目）"
        name = (self.indicator_name or "").strip() or "（未填名称）"
        return f"{self.indicator_seq}. {name}" if self.indicator_seq is not None else name

    @property
    def indicator_text(self) -> str:
        """The indicator's name for a table column beside its number: the name, "（未填名称）",
        or "（整个项目）" for a flag about the whole project."""
        if self.indicator_seq is None and not self.indicator_name:
            return "（整个项目）"
        return (self.indicator_name or "").strip() or "（未填名称）"


@dataclass
class RuleInfo:
    """A rule as the report explains it (from the rules table, the catalog filling gaps)."""

    rule: str
    title: str
    severity: str
    why: str
    remedy: str


@dataclass
class RuleGroup:
    """The open flags of one rule in one project: the 如何整改 text is said once for them."""

    rule: RuleInfo
    items: list[FlagItem]


@dataclass
class ProjectSection:
    """One project of the unit with its open flags grouped by rule and its accepted flags."""

    project_id: str
    year: int | None
    kind: str | None
    name: str
    code: str | None
    department: str | None
    budget: float | None
    executed: float | None
    execution_rate: float | None
    total_reported: float | None
    total_expected: float | None
    goal: str | None
    n_indicators: int
    groups: list[RuleGroup] = field(default_factory=list)
    accepted: list[FlagItem] = field(default_factory=list)

    @property
    def n_open(self) -> int:
        return sum(len(g.items) for g in self.groups)

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind or "", "")


@dataclass
class Summary:
    """The numbers of the report's 总体情况 (money in 万元, rates as fractions)."""

    n_projects: int
    n_goal: int
    n_self_eval: int
    n_indicators: int
    budget_goal: float | None         # sum of 年度资金总额 of the goal tables
    budget_self_eval: float | None    # sum of 年初预算数 of the self-evaluations
    executed: float | None            # sum of 全年执行数
    execution_rate: float | None      # executed / budget_self_eval
    score_reported_mean: float | None # mean 自评总分 of the self-evaluations that give one
    n_score_reported: int
    score_expected_mean: float | None # mean total by the tables' own rules (project_scores.total_expected)
    n_score_expected: int
    open_by_severity: dict[str, int]
    n_open: int
    n_projects_with_open: int
    n_accepted: int
    by_rule: list[dict[str, Any]]     # rule, title, severity, n_projects, n_flags (open), most first


@dataclass
class Report:
    """One unit's review report: header fields, summary, per-project sections, the rules quoted."""

    unit: str
    province: str | None
    city: str | None
    county: str | None
    years: list[int]
    kinds: list[str]
    department_only: bool
    filter_text: str
    report_date: date
    bureau: str
    summary: Summary
    projects: list[ProjectSection]
    rules: list[RuleInfo]
    n_documents: int

    @property
    def region(self) -> str:
        return " / ".join(x for x in (self.province, self.city, self.county) if x) or "（地区未识别）"

    @property
    def kind_text(self) -> str:
        """The documents reviewed: 项目支出绩效目标表 / 自评表 / 目标表和自评表."""
        scope = "部门整体支出" if self.department_only else "项目支出"
        if self.kinds == ["goal"]:
            return f"{scope}绩效目标表"
        if self.kinds == ["self_eval"]:
            return f"{scope}绩效自评表"
        return f"{scope}绩效目标表和绩效自评表"

    @property
    def title(self) -> str:
        """The letter's title, by the kind of documents: 关于XX单位2025年度项目支出绩效目标的审核意见,
        …绩效自评的复核意见, or …绩效目标及自评的审核意见."""
        scope = "部门整体支出" if self.department_only else "项目支出"
        what = {("goal",): "绩效目标的审核意见", ("self_eval",): "绩效自评的复核意见"}.get(
            tuple(self.kinds), "绩效目标及自评的审核意见")
        return f"关于{self.unit}{years_text(self.years)}{scope}{what}"

    @property
    def title_lines(self) -> str:
        """The title broken where it reads well on a centred line: after the unit's name
        (关于XX单位 / 2025年度项目支出绩效目标的审核意见) when it is too long for one line."""
        head = f"关于{self.unit}"
        return self.title if len(self.title) <= 22 else head + "\n" + self.title[len(head):]

    @property
    def open_projects(self) -> list[ProjectSection]:
        return [p for p in self.projects if p.groups]

    @property
    def clean_projects(self) -> list[ProjectSection]:
        return [p for p in self.projects if not p.groups]

    @property
    def accepted(self) -> list[tuple[ProjectSection, FlagItem]]:
        return [(p, a) for p in self.projects for a in p.accepted]


def _norm(name: str) -> str:
    return without_space(unicodedata.normalize("NFKC", name or ""))


def bureau_for(province: str | None, city: str | None, county: str | None) -> str:
    """Given a unit's region, returns the finance bureau that signs its report: the county's
    (库尔勒市财政局), else the city's, else the province's 财政厅; "财政局" when unknown."""
    if county:
        return f"{county}财政局"
    if city:
        return f"{city}财政局"
    if province:
        return f"{province}财政厅"
    return "财政局"


def _sort_severity(sev: str | None) -> int:
    return SEVERITIES.index(sev) if sev in SEVERITIES else len(SEVERITIES)


class ReportSource:
    """Given a read-only connection and a filter, reads once what every unit's report needs;
    `units()` lists the units in range and `build(unit)` returns one unit's Report."""

    def __init__(self, con, flt: ReportFilter | None = None):
        from jixiao.waivers import flags_with_status

        self.filter = flt or ReportFilter()
        self._con = con
        params = self.filter.params()
        self.projects = con.cursor().sql(queries.load_query("report_projects"), params=params).pl()
        inds = con.cursor().sql(queries.load_query("report_flag_indicators"), params=params).pl()
        flags = flags_with_status(con)
        ids = self.projects["project_id"].implode()
        flags = flags.filter(pl.col("project_id").is_in(ids))
        for c in ("waiver_reason", "waived_at"):
            if c not in flags.columns:
                flags = flags.with_columns(pl.lit(None, dtype=pl.String).alias(c))
        # the log's ISO time with offset, shown as a reader expects it: 2026-12-01 11:11
        at = pl.col("waived_at").cast(pl.String)
        at = at.str.slice(0, 16).str.replace("T", " ", literal=True)
        self.flags = flags.with_columns(at.alias("waived_at")).join(
            inds.select("indicator_id", "indicator_seq", "indicator_name"), on="indicator_id", how="left")
        self.rules = self._rules(con)

    @staticmethod
    def _rules(con) -> dict[str, RuleInfo]:
        from jixiao.rules import BY_CODE

        table = con.cursor().sql("SELECT * FROM rules").pl() if _has_table(con, "rules") else pl.DataFrame()
        out: dict[str, RuleInfo] = {}
        for r in table.iter_rows(named=True):
            out[r["rule"]] = RuleInfo(r["rule"], r.get("title") or r["rule"], r.get("severity") or "",
                                      join_lines(r.get("why")), join_lines(r.get("remedy")))
        for code, rule in BY_CODE.items():  # the code's catalog fills what an older table lacks
            have = out.get(code)
            if have is None:
                out[code] = RuleInfo(code, rule.title, rule.severity, join_lines(rule.doc["为什么是问题"]),
                                     join_lines(rule.doc["如何整改"]))
            else:
                have.why = have.why or join_lines(rule.doc["为什么是问题"])
                have.remedy = have.remedy or join_lines(rule.doc["如何整改"])
        return out

    def units(self) -> list[str]:
        """Returns the units (their one name across documents) with projects in range, sorted."""
        return sorted(self.projects["unit_key"].drop_nulls().unique().to_list())

    def resolve(self, name: str) -> str:
        """Given a unit name as typed (as written in a document, or its canonical name), returns
        the unit's canonical name; raises UnitNotFound with close matches."""
        keys = self.projects.select("unit", "unit_key").unique()
        wanted = _norm(name)
        for unit, key in keys.iter_rows():
            if wanted in (_norm(unit), _norm(key)):
                return key
        names = sorted(set(keys["unit"].drop_nulls().to_list()) | set(keys["unit_key"].drop_nulls().to_list()))
        where = "" if self.filter == ReportFilter() else f"（筛选：{self.filter.describe()}）"
        elsewhere = self._outside_filter(wanted) if where else None
        if elsewhere:
            unit, years = elsewhere
            raise UnitNotFound(f"单位「{unit}」在所选范围{where}内没有项目；该单位有"
                               + "、".join(f"{y}年" for y in years) + "的项目。", [unit])
        contains = [n for n in names if wanted and (wanted in _norm(n) or _norm(n) in wanted)]
        close = difflib.get_close_matches(wanted, names, n=5, cutoff=0.4)
        matches = list(dict.fromkeys(contains + close))[:5]
        msg = f"未找到单位「{name}」{where}。"
        msg += ("相近的单位：" + "、".join(matches) + "。") if matches else "用 jixiao report --all-units 可为每个单位各写一份。"
        raise UnitNotFound(msg, matches)

    def _outside_filter(self, wanted: str) -> tuple[str, list[int]] | None:
        """Given a normalised unit name, returns (its canonical name, its years) when the unit
        has projects outside the filter, else None."""
        rows = self._con.cursor().execute(
            "SELECT DISTINCT unit, coalesce(unit_canonical, unit) AS unit_key, year FROM projects").fetchall()
        hits = [(key, year) for unit, key, year in rows if wanted in (_norm(unit or ""), _norm(key or ""))]
        if not hits:
            return None
        return hits[0][0], sorted({y for _, y in hits if y is not None})

    def build(self, unit: str, *, report_date: date | None = None, bureau: str | None = None) -> Report:
        """Given a unit (canonical or as written), returns its Report over the filter's range."""
        key = self.resolve(unit)
        p = self.projects.filter(pl.col("unit_key") == key)
        fl = self.flags.filter(pl.col("project_id").is_in(p["project_id"].implode()))
        region = p.select("province", "city", "county").drop_nulls("province").head(1)
        province, city, county = region.row(0) if region.height else (None, None, None)
        sections = [self._section(row, fl) for row in p.iter_rows(named=True)]
        used = sorted({f.rule for s in sections for g in s.groups for f in g.items}
                      | {a.rule for s in sections for a in s.accepted})
        return Report(
            unit=key, province=province, city=city, county=county,
            years=sorted(y for y in p["year"].unique().to_list() if y is not None),
            kinds=[k for k in ("goal", "self_eval") if k in set(p["kind"].to_list())],
            department_only=p.height > 0 and bool((p["scope"] == "department").all()),
            filter_text=self.filter.describe(), report_date=report_date or date.today(),
            bureau=bureau or bureau_for(province, city, county),
            summary=_summary(p, fl, self.rules), projects=sections,
            rules=[self.rules[c] for c in used if c in self.rules],
            n_documents=p["doc_id"].n_unique(),
        )

    def _rule(self, code: str) -> RuleInfo:
        return self.rules.get(code) or RuleInfo(code, code, "", "", "")

    def _section(self, row: dict[str, Any], flags: pl.DataFrame) -> ProjectSection:
        mine = flags.filter(pl.col("project_id") == row["project_id"]).sort(
            "rule", pl.col("indicator_seq"), "flag_id", nulls_last=False)
        items = [FlagItem(r["flag_id"], r["rule"], r["severity"], r["indicator_seq"], r["indicator_name"],
                          r["message"] or "", r["status"], r.get("waiver_reason"), r.get("waived_at"))
                 for r in mine.iter_rows(named=True)]
        open_ = [f for f in items if f.status != "waived"]
        groups = [RuleGroup(self._rule(code), [f for f in open_ if f.rule == code])
                  for code in dict.fromkeys(f.rule for f in open_)]
        groups.sort(key=lambda g: (_sort_severity(g.items[0].severity), g.rule.rule))
        return ProjectSection(
            project_id=row["project_id"], year=row["year"], kind=row["kind"], name=row["name"] or "（未填项目名称）",
            code=row["code"], department=row["department"], budget=row["budget"], executed=row["executed"],
            execution_rate=row["execution_rate"], total_reported=row["total_score_reported"],
            total_expected=row["total_expected"], goal=row["goal"], n_indicators=int(row["n_indicators"] or 0),
            groups=groups, accepted=[f for f in items if f.status == "waived"],
        )


def _has_table(con, name: str) -> bool:
    rows = con.cursor().execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]).fetchall()
    return bool(rows and rows[0][0])


def _sum(s: pl.Series) -> float | None:
    return float(s.sum()) if s.drop_nulls().len() else None


def _summary(p: pl.DataFrame, fl: pl.DataFrame, rules: dict[str, RuleInfo]) -> Summary:
    goal = p.filter(pl.col("kind") == "goal")
    se = p.filter(pl.col("kind") == "self_eval")
    budget_se, executed = _sum(se["budget"]), _sum(se["executed"])
    rep = se["total_score_reported"].drop_nulls()
    exp = se["total_expected"].drop_nulls()
    open_ = fl.filter(pl.col("status") != "waived")
    by_sev = {s: open_.filter(pl.col("severity") == s).height for s in SEVERITIES}
    by_rule = []
    if open_.height:
        agg = open_.group_by("rule").agg(pl.len().alias("n_flags"), pl.col("project_id").n_unique().alias("n_projects"))
        for r in agg.iter_rows(named=True):
            info = rules.get(r["rule"])
            by_rule.append({"rule": r["rule"], "title": info.title if info else r["rule"],
                            "severity": open_.filter(pl.col("rule") == r["rule"])["severity"][0],
                            "n_projects": int(r["n_projects"]), "n_flags": int(r["n_flags"])})
        by_rule.sort(key=lambda d: (_sort_severity(d["severity"]), -d["n_flags"], d["rule"]))
    return Summary(
        n_projects=p.height, n_goal=goal.height, n_self_eval=se.height,
        n_indicators=int(p["n_indicators"].sum() or 0),
        budget_goal=_sum(goal["budget"]), budget_self_eval=budget_se, executed=executed,
        execution_rate=(executed / budget_se) if executed is not None and budget_se else None,
        score_reported_mean=float(rep.mean()) if rep.len() else None, n_score_reported=rep.len(),
        score_expected_mean=float(exp.mean()) if exp.len() else None, n_score_expected=exp.len(),
        open_by_severity=by_sev, n_open=open_.height, n_projects_with_open=open_["project_id"].n_unique(),
        n_accepted=fl.height - open_.height, by_rule=by_rule,
    )
