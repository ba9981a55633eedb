"""Budget units: one canonical name per unit, aliases as data, likely aliases suggested.

A unit's name as written goes through three steps to its canonical name (`unit_canonical`):

1. `clean_unit` — the same name written differently is the same name: full/half width, spaces,
   a unit code in front (`219001-轮台县社会保险中心`, `316004轮台县…`), ASCII brackets. This is
   applied automatically (method `normalised`).
2. aliases as data, one row a decision: `alias`, `canonical`, optional `province` / `county`
   (empty: anywhere), `decision` (`accept` or `reject`), `note`, `reviewer`, the time. Two
   sources, read in this order by `load_aliases` (the last row for a pair wins):
   - `datasets/unit_aliases.csv` — the shipped, hand-curated aliases (a missing `decision`
     means accept); `$JIXIAO_UNIT_ALIASES` points elsewhere. Never written by code.
   - the reviewers' decisions, a log beside the database (`<db stem>.unit_decisions.jsonl`,
     `$JIXIAO_UNIT_DECISIONS` overrides; git-ignored), like the waiver log: a deployment's
     decisions are its own data, not a tracked file. JSON Lines, appended under a lock by
     `record_decision` (the dashboard's merge page, `jixiao units accept|reject`); JSON keeps a
     note such as "-同上" as written, where a CSV cell would have needed formula-neutralising.
   A reviewer's accepted merge is an `accept` row; a rejected suggestion is a `reject` row, so
   it is not suggested as pending again; a merge is undone by a later `reject` row.
3. chains are followed (a → b, b → c gives a → c); a cycle stops at the first repeat.

Why files and not a table: the dashboard reads the database read-only, and the canonical
unit feeds every derived table (links between documents, year-to-year history, the JX50x flags,
roll-ups). A decision is appended to the log and takes effect when the derived tables are
rebuilt (`derive.refresh`, run after every ingest; `rebuild` runs it on a copy of the database
and swaps it in, as the upload page does), so every table agrees on which rows are one unit.
The log is found from the database being derived (`jixiao.db.live_path`: the copy an import
writes stands for the live file), so a rebuild on a copy reads the live database's decisions.

Suggestions (`unit_alias_suggestions`) pair names of one county that differ only by 服务, 本级,
a bracketed part, the county's name in front, or a cut-off ending (a name that does not end as
unit names do, or one cut just before its ending: 邹城市农业农村 / 邹城市农业农村局); never by a
number or a word that names another unit (轮台县人民医院 / 轮台县中医医院, 第一中学 / 第二中学,
轮台县教育局 / 轮台县教育局第一幼儿园 stay apart).
"""

from __future__ import annotations

import csv
import json
import os
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import polars as pl

from jixiao.db import REPO_ROOT
from jixiao.vocabulary import without_space

ALIAS_COLUMNS = ["alias", "canonical", "province", "county", "decision", "note", "reviewer", "decided_at"]
DECISIONS = ("accept", "reject")

UNIT_NAMES_SCHEMA = {
    "province": pl.String, "city": pl.String, "county": pl.String,
    "unit": pl.String,            # as written
    "unit_clean": pl.String,      # as written, cleaned (clean_unit): the names suggestions pair
    "unit_canonical": pl.String,
    "unit_group": pl.String,      # unit_canonical with the pending suggestions applied too (see `resolve`)
    "unit_kind": pl.String,
    "method": pl.String,          # same | normalised | alias
    "note": pl.String,            # the alias row's note, when an alias applied
    "n_projects": pl.Int64,
}
SUGGESTION_SCHEMA = {
    "province": pl.String, "city": pl.String, "county": pl.String,
    "unit_a": pl.String,          # the proposed canonical name (the fuller one)
    "unit_b": pl.String,          # the name proposed as its alias
    "reason": pl.String,          # 服务 / 本级 / 括号 / 县名前缀 / 截断, "、"-joined
    "similarity": pl.Float64,     # character similarity of the two names (0-1)
    "status": pl.String,          # pending | accepted | rejected
    "n_projects_a": pl.Int64, "n_projects_b": pl.Int64,
}

# A unit code in front of the name: 219001-轮台县…, 316004轮台县…, [219001]轮台县…
_CODE_PREFIX = re.compile(r"^[\[(（【]?\d{3,12}[\])）】]?[-－_—–.·、:：\s]*(?=[^\d\s])")
_TRAIL = ",，.。;；:：、-—_"  # taken off a name's end with any whitespace (`_without_trail`)
# How complete unit names end; a name ending otherwise is cut off (轮台县社会保险服务中).
UNIT_ENDINGS = ("局", "中心", "委员会", "委", "办公室", "办", "厅", "院", "所", "站", "馆", "队", "处", "部", "会",
                "校", "学", "园", "政府", "公司", "社", "场", "台", "室", "团", "厂", "协会", "联合会", "馆",
                "科", "股", "组", "庭", "署", "社区", "村", "镇", "乡", "街道", "办事处", "机关", "本级", "）")
_BRACKET = re.compile(r"（[^（）]*）")
_BENJI = re.compile(r"(（本级）|本级|（机关）|机关本级)$")

# The kind of unit, by the first pattern its canonical name matches (order: institutions
# before the bureaus that run them). Peers are compared within a kind.
UNIT_KINDS: tuple[tuple[str, str], ...] = (
    ("社保中心", r"社会保险|社会事业保险|社保|养老保险|医疗保险事业|机关事业单位养老"),
    ("就业服务中心", r"就业"),
    ("医保局", r"医疗保障"),
    ("人社局", r"人力资源和社会保障|人力资源社会保障|人社局"),
    ("疾控中心", r"疾病预防控制|疾控"),
    ("妇幼保健院", r"妇幼保健"),
    ("医院", r"医院|卫生院|卫生服务中心|卫生服务站"),
    ("卫健局", r"卫生健康|卫生和计划生育|卫健"),
    ("幼儿园", r"幼儿园"),
    ("小学", r"小学"),
    ("中学", r"中学|高中|初中|高级中学"),
    ("学校", r"学校|学院|职教中心|职业技术|职业中专|教学点"),
    ("教育局", r"教育局|教育和体育局|教育体育局|教体局|教育科技局|教育和科学技术局"),
    ("福利院", r"福利院|敬老院|养老院|救助站|儿童福利"),
    ("民政局", r"民政局"),
    ("农技推广中心", r"农业技术推广|农技|畜牧兽医|动物疫病|农机"),
    ("农业农村局", r"农业农村|农业局|农牧局|乡村振兴"),
    ("水利局", r"水利|水务"),
    ("公路养护中心", r"公路"),
    ("交通运输局", r"交通运输|交通局"),
    ("住建局", r"住房和城乡建设|住房城乡建设|住建"),
    ("图书馆", r"图书馆|文化馆|博物馆"),
    ("文旅局", r"文化和旅游|文化旅游|文体|文广"),
    ("林业局", r"林业|林草|自然资源"),
    ("退役军人事务局", r"退役军人"),
    ("应急管理局", r"应急管理"),
    ("市场监管局", r"市场监督|市场监管"),
    ("财政局", r"财政"),
    ("乡镇街道", r"[乡镇]人民政府|街道办事处|^.{1,8}[乡镇]$"),
)
_KIND_RES = tuple((k, re.compile(p)) for k, p in UNIT_KINDS)


# ----------------------------------------------------------------------------- names


def clean_unit(raw: str | None) -> str | None:
    """Given a unit name as written, returns the same name in one spelling: NFKC, no spaces, no
    unit code in front, brackets full width (（）), no trailing punctuation; None for nothing.

    "219001-轮台县社会保险中心" -> "轮台县社会保险中心"; "轮台县 人民医院(本级)" -> "轮台县人民医院（本级）".
    """
    if raw is None:
        return None
    s = unicodedata.normalize("NFKC", str(raw))
    s = without_space(s)
    s = _CODE_PREFIX.sub("", s)
    s = s.replace("(", "（").replace(")", "）").replace("[", "（").replace("]", "）")
    s = s.replace("【", "（").replace("】", "）")
    s = _without_trail(s)
    return s or None


def _without_trail(s: str) -> str:
    """Given a name, returns it without the punctuation and whitespace it ends with — by index
    from the end (a `[…]+$` pattern retried from every comma of a long run was quadratic)."""
    i = len(s)
    while i and (s[i - 1].isspace() or s[i - 1] in _TRAIL):
        i -= 1
    return s[:i]


def unit_kind(name: str | None) -> str:
    """Given a (canonical) unit name, returns its kind (教育局, 社保中心, 医院 …; 其他 when no
    pattern of UNIT_KINDS matches)."""
    if not name:
        return "其他"
    for kind, rx in _KIND_RES:
        if rx.search(name):
            return kind
    return "其他"


def is_complete(name: str) -> bool:
    """Given a cleaned unit name, returns whether it ends as unit names end (局, 中心, 院 …);
    a name that does not is taken as cut off by its form."""
    return name.endswith(UNIT_ENDINGS)


# ----------------------------------------------------------------------------- aliases and decisions

MAX_NOTE = 500
DECISION_KEYS = ["decision", "alias", "canonical", "province", "county", "note", "reviewer", "at"]


def aliases_path() -> Path:
    """Returns the shipped, hand-curated alias file: $JIXIAO_UNIT_ALIASES or datasets/unit_aliases.csv."""
    env = os.environ.get("JIXIAO_UNIT_ALIASES")
    return Path(env) if env else REPO_ROOT / "datasets" / "unit_aliases.csv"


def decisions_path(db_path: Path | str | None = None) -> Path:
    """Given a database file (None: the default one; the copy an import writes counts as its
    live file), returns its log of reviewers' merge decisions: $JIXIAO_UNIT_DECISIONS, else
    `<db folder>/<db stem>.unit_decisions.jsonl`."""
    from jixiao.db import default_db, live_path

    env = os.environ.get("JIXIAO_UNIT_DECISIONS")
    if env:
        return Path(env).expanduser()
    db = live_path(Path(db_path) if db_path else default_db())
    return db.with_name(f"{db.stem}.unit_decisions.jsonl")


def _alias_row(r: dict, seq: int) -> dict | None:
    """One alias row (from the CSV or the log), names cleaned; None when unusable."""
    alias, canonical = clean_unit(r.get("alias")), clean_unit(r.get("canonical"))
    decision = str(r.get("decision") or "accept").strip().lower()
    if not alias or not canonical or alias == canonical or decision not in DECISIONS:
        return None
    text = lambda k: str(r.get(k) or "").strip()  # noqa: E731
    return {"alias": alias, "canonical": canonical, "province": text("province"), "county": text("county"),
            "decision": decision, "note": text("note") or None, "reviewer": text("reviewer") or None,
            "decided_at": text("decided_at") or text("at") or None, "seq": seq}


def _csv_rows(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _log_rows(path: Path) -> list[dict]:
    """The decisions of a log, in the order written; a line that cannot be read (a write cut
    off by a crash) is skipped."""
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            e = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(e, dict):
            out.append(e)
    return out


def load_aliases(path: Path | None = None, *, db_path: Path | str | None = None) -> pl.DataFrame:
    """Returns the alias rows in the order they apply (ALIAS_COLUMNS, names cleaned, `seq` =
    order, decision lower-cased, empty decision = accept): given `path`, that one file (a
    `.csv` like the shipped one, else a decision log); else the shipped file (`aliases_path`) followed by the database's
    decision log (`decisions_path(db_path)`), so a reviewer's decision overrides a shipped row.
    Rows without an alias or a canonical name, or with an unknown decision, are left out."""
    schema = {c: pl.String for c in ALIAS_COLUMNS} | {"seq": pl.Int64}
    if path is not None:
        path = Path(path)
        raw = _csv_rows(path) if path.suffix.lower() == ".csv" else _log_rows(path)
    else:
        raw = _csv_rows(aliases_path()) + _log_rows(decisions_path(db_path))
    rows = [row for k, r in enumerate(raw) if (row := _alias_row(r, k)) is not None]
    return pl.DataFrame(rows, schema=schema) if rows else pl.DataFrame(schema=schema)


def record_decision(alias: str, canonical: str, decision: str, *, reviewer: str, note: str = "",
                    province: str = "", county: str = "", path: Path | None = None,
                    db_path: Path | str | None = None) -> dict:
    """Appends a reviewer's decision on merging `alias` into `canonical` (accept or reject) to
    the decision log (`path`, else `decisions_path(db_path)`) and returns the event written;
    raises ValueError for an unknown decision, two names that are one, no reviewer or a note
    too long. It takes effect at the next rebuild of the derived tables (`rebuild`)."""
    from jixiao.locking import exclusive

    decision = decision.strip().lower()
    if decision not in DECISIONS:
        raise ValueError(f"决定只能是 accept 或 reject，不是 {decision!r}")
    a, c = clean_unit(alias), clean_unit(canonical)
    if not a or not c or a == c:
        raise ValueError("合并需要两个不同的单位名称")
    from jixiao.privacy import mask_phones

    # a phone number typed into the note is never kept (it would show on the page and in exports)
    reviewer, note = (reviewer or "").strip(), mask_phones((note or "").strip())
    if not reviewer:
        raise ValueError("合并或拒绝合并必须写明审核人")
    if len(note) > MAX_NOTE:
        raise ValueError(f"说明过长（最多 {MAX_NOTE} 个字符）")
    event = {"decision": decision, "alias": a, "canonical": c, "province": (province or "").strip(),
             "county": (county or "").strip(), "note": note, "reviewer": reviewer,
             "at": datetime.now().astimezone().isoformat(timespec="seconds")}
    path = Path(path) if path else decisions_path(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with exclusive(path):
        torn = path.exists() and path.stat().st_size > 0 and not path.read_bytes().endswith(b"\n")
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:  # one write per decision; a line cut off by a crash before is closed first
            os.write(fd, (("\n" if torn else "") + json.dumps(event, ensure_ascii=False) + "\n").encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
    return event


def decision_log(path: Path | None = None, *, db_path: Path | str | None = None) -> pl.DataFrame:
    """Returns the reviewers' decisions of the log (`path`, else `decisions_path(db_path)`),
    newest first (DECISION_KEYS; an empty frame when there are none)."""
    rows = _log_rows(Path(path) if path else decisions_path(db_path))
    rows = [{k: str(r.get(k) or "") for k in DECISION_KEYS} for r in rows if _alias_row(r, 0) is not None]
    schema = {k: pl.String for k in DECISION_KEYS}
    return pl.DataFrame(rows[::-1], schema=schema) if rows else pl.DataFrame(schema=schema)


def _last_decisions(aliases: pl.DataFrame) -> pl.DataFrame:
    """The last row per (province, county, alias, canonical): the decision that stands."""
    return aliases.sort("seq").group_by(["province", "county", "alias", "canonical"], maintain_order=True).last()


def _scope_ok(row_prov: str, row_county: str, province: str | None, county: str | None) -> bool:
    return (not row_prov or row_prov == (province or "")) and (not row_county or row_county == (county or ""))


# ----------------------------------------------------------------------------- resolving


@dataclass(frozen=True)
class Units:
    """What `resolve` returns: every project's canonical unit, every name as written with how
    it was resolved, and the suggested merges."""

    project_units: pl.DataFrame   # project_id, unit_canonical, unit_group, unit_kind
    names: pl.DataFrame           # UNIT_NAMES_SCHEMA
    suggestions: pl.DataFrame     # SUGGESTION_SCHEMA


def resolve(projects: pl.DataFrame, aliases: pl.DataFrame | None = None) -> Units:
    """Given the projects (project_id, province, city, county, unit) and the alias rows
    (`load_aliases()` when None), returns each project's canonical unit, the names table and
    the suggestions. Work is per distinct (region, name), not per project.

    `unit_group` also applies the merges still pending (unit_b -> unit_a): until a reviewer says
    otherwise, two names of one county that differ only by 服务 / 本级 … are presumed one unit
    where the question is whether a unit copied *another* unit (JX401, JX402) — a unit is not
    accused of copying itself. Every comparison and link uses the reviewed `unit_canonical`."""
    aliases = load_aliases() if aliases is None else aliases
    standing = _last_decisions(aliases)
    accepted = standing.filter(pl.col("decision") == "accept").sort("seq")
    names = (
        projects.select("province", "city", "county", "unit")
        .group_by("province", "city", "county", "unit").agg(pl.len().cast(pl.Int64).alias("n_projects"))
        .sort("province", "city", "county", "unit", nulls_last=True)
    )
    rows = []
    by_alias: dict[str, list[dict]] = {}
    for a in accepted.to_dicts():  # in file order: the last matching row wins
        by_alias.setdefault(a["alias"], []).append(a)
    for r in names.iter_rows(named=True):
        cleaned = clean_unit(r["unit"])
        canonical, method, note = cleaned, ("same" if cleaned == r["unit"] else "normalised"), None
        if cleaned:
            seen = {cleaned}
            while True:
                hit = None
                for a in by_alias.get(canonical, ()):
                    if _scope_ok(a["province"], a["county"], r["province"], r["county"]):
                        hit = a
                if hit is None or hit["canonical"] in seen:
                    break
                canonical, method, note = hit["canonical"], "alias", hit["note"]
                seen.add(canonical)
        rows.append({**r, "unit_clean": cleaned, "unit_canonical": canonical, "unit_group": canonical, "unit_kind": unit_kind(canonical),
                     "method": method, "note": note})
    names_df = (pl.DataFrame(rows, schema=UNIT_NAMES_SCHEMA) if rows else pl.DataFrame(schema=UNIT_NAMES_SCHEMA))
    names_df = names_df.select(list(UNIT_NAMES_SCHEMA))
    suggestions = suggest(names_df, standing)
    names_df = _groups(names_df, suggestions)
    keys = ["province", "city", "county", "unit"]
    project_units = projects.select("project_id", *keys).join(
        names_df.select(*keys, "unit_canonical", "unit_group", "unit_kind"), on=keys, how="left", nulls_equal=True
    ).select("project_id", "unit_canonical", "unit_group", "unit_kind")
    return Units(project_units=project_units, names=names_df, suggestions=suggestions)


def _groups(names: pl.DataFrame, suggestions: pl.DataFrame) -> pl.DataFrame:
    """Given the names table and the suggestions, returns the names with `unit_group`: the
    canonical name after the pending merges too (unit_b's canonical -> unit_a's, followed)."""
    pending = suggestions.filter(pl.col("status") == "pending")
    if pending.height == 0:
        return names
    canon = {(r["province"], r["city"], r["county"], clean_unit(r["unit"])): r["unit_canonical"]
             for r in names.iter_rows(named=True)}
    parent: dict[tuple, str] = {}
    for r in pending.iter_rows(named=True):
        region = (r["province"], r["city"], r["county"])
        a, b = canon.get(region + (r["unit_a"],)), canon.get(region + (r["unit_b"],))
        if a and b and a != b:
            parent.setdefault(region + (b,), a)

    def group(region: tuple, name: str | None) -> str | None:
        seen = set()
        while name is not None and region + (name,) in parent and name not in seen:
            seen.add(name)
            name = parent[region + (name,)]
        return name

    names = names.with_columns(pl.Series("unit_group", [group((r["province"], r["city"], r["county"]), r["unit_canonical"])
                                                        for r in names.iter_rows(named=True)], dtype=pl.String))
    # A cut-off name tells no kind (轮台县社会福利); its presumed group does.
    return names.with_columns(pl.when(pl.col("unit_kind") == "其他")
                              .then(pl.col("unit_group").map_elements(unit_kind, return_dtype=pl.String))
                              .otherwise(pl.col("unit_kind")).alias("unit_kind"))


# ----------------------------------------------------------------------------- suggestions


def _reduce(name: str, county: str | None) -> tuple[str, list[str]]:
    """Given a cleaned name, returns its reduced form (without 本级, bracketed parts, 服务 and the
    county's name in front) and the reductions that changed it."""
    why = []
    s = name
    t = _BENJI.sub("", s)
    if t != s and t:
        why.append("本级")
        s = t
    t = _BRACKET.sub("", s)
    if t != s and t:
        why.append("括号")
        s = t
    t = s.replace("服务", "")
    if t != s and t:
        why.append("服务")
        s = t
    if county and s.startswith(county) and len(s) > len(county) + 1:
        why.append("县名前缀")
        s = s[len(county):]
    return s, why


def _fullness(name: str, county: str | None) -> tuple:
    """Sort key of the name proposed as canonical within a group: with the county's name, with
    服务 (the full official name), without 本级 or brackets, longer, then alphabetical."""
    return (
        0 if county and name.startswith(county) else 1,
        0 if "服务" in name else 1,
        1 if _BENJI.search(name) else 0,
        1 if _BRACKET.search(name) else 0,
        -len(name),
        name,
    )


def _similarity(a: str, b: str) -> float:
    from rapidfuzz.fuzz import ratio

    return round(ratio(a, b) / 100.0, 4)


def suggest(names: pl.DataFrame, standing: pl.DataFrame | None = None) -> pl.DataFrame:
    """Given the names table (UNIT_NAMES_SCHEMA) and the standing alias decisions, returns the
    suggested merges (SUGGESTION_SCHEMA): within one county, names whose reduced forms are equal
    (they differ by 服务 / 本级 / brackets / the county's name in front), and cut-off names (not
    ending as a unit name does, at least 6 characters) that begin another name of the county.
    Pairs already one canonical unit without a decision (the cleaning merged them) are left out."""
    standing = standing if standing is not None else pl.DataFrame(schema={c: pl.String for c in ALIAS_COLUMNS})
    if names.height == 0:
        return pl.DataFrame(schema=SUGGESTION_SCHEMA)
    by_region: dict[tuple, dict[str, int]] = {}
    canon_of: dict[tuple, str] = {}
    for r in names.iter_rows(named=True):
        cleaned = clean_unit(r["unit"])
        if not cleaned:
            continue
        region = (r["province"], r["city"], r["county"])
        counts = by_region.setdefault(region, {})
        counts[cleaned] = counts.get(cleaned, 0) + int(r["n_projects"])
        canon_of[region + (cleaned,)] = r["unit_canonical"]
    pairs: dict[tuple, dict] = {}

    def add(region, a, b, why):
        key = region + (a, b)
        if key in pairs:
            return
        pairs[key] = {"province": region[0], "city": region[1], "county": region[2], "unit_a": a, "unit_b": b,
                      "reason": "、".join(why), "similarity": _similarity(a, b),
                      "n_projects_a": by_region[region][a], "n_projects_b": by_region[region][b]}

    for region, counts in by_region.items():
        county = region[2]
        groups: dict[str, list[tuple[str, list[str]]]] = {}
        for name in counts:
            red, why = _reduce(name, county)
            groups.setdefault(red, []).append((name, why))
        head_of: dict[str, str] = {}
        for red, members in groups.items():
            members.sort(key=lambda m: _fullness(m[0], county))
            head = members[0][0]
            for name, _ in members:
                head_of[name] = head
            head_why = set(members[0][1])
            for name, why in members[1:]:
                add(region, head, name, [w for w in ("本级", "括号", "服务", "县名前缀") if (w in why) != (w in head_why)] or why)
        # Cut-off names: a prefix of another name of the county, not ending as unit names do —
        # or cut just before the ending (邹城市农业农村 / 邹城市农业农村局: 村 also ends names).
        # A longer name that goes on past an ending (教育局 / 教育局第一幼儿园) is another unit.
        for short in counts:
            if len(short) < 6:
                continue
            cut = not is_complete(short)
            longer = [n for n in counts if len(n) > len(short) and n.startswith(short)
                      and (cut or n[len(short):] in UNIT_ENDINGS)]
            heads = sorted({head_of[n] for n in longer}, key=lambda n: _fullness(n, county))
            for head in heads:
                if head_of.get(short) != head:
                    add(region, head, short, ["截断"])
    if not pairs:
        return pl.DataFrame(schema=SUGGESTION_SCHEMA)
    out = pl.DataFrame(list(pairs.values()))
    # Status from the standing decisions (either direction of the pair counts).
    status: dict[tuple, str] = {}
    for d in standing.sort("seq").iter_rows(named=True) if "seq" in standing.columns else []:
        for a, b in ((d["canonical"], d["alias"]), (d["alias"], d["canonical"])):
            status[(d["province"], d["county"], a, b)] = "accepted" if d["decision"] == "accept" else "rejected"

    def status_of(r: dict) -> str:
        for prov in (r["province"] or "", ""):
            for cty in (r["county"] or "", ""):
                s = status.get((prov, cty, r["unit_a"], r["unit_b"]))
                if s:
                    return s
        return "pending"

    out = out.with_columns(pl.Series("status", [status_of(r) for r in out.iter_rows(named=True)], dtype=pl.String))
    # A pair the cleaning or a chain of aliases already made one unit needs no decision.
    same = [canon_of.get((r["province"], r["city"], r["county"], r["unit_a"]))
            == canon_of.get((r["province"], r["city"], r["county"], r["unit_b"])) and r["status"] == "pending"
            for r in out.iter_rows(named=True)]
    out = out.filter(~pl.Series(same, dtype=pl.Boolean))
    return out.select([pl.col(c).cast(t) for c, t in SUGGESTION_SCHEMA.items()]).sort(
        "province", "city", "county", "unit_a", "unit_b", nulls_last=True)


# ----------------------------------------------------------------------------- taking effect


def rebuild(db_path: Path | str | None = None, *, on_wait=None) -> None:
    """Given the live database, recomputes every derived table (canonical units, links, flags …)
    in a copy and swaps it in, so a decision in the log takes effect while readers (the
    dashboard's read-only connection) keep the old file until the new one is complete.
    `on_wait` is called when another import holds the database (this one then waits)."""
    from jixiao import db
    from jixiao.ingest import ingest_into_copy

    ingest_into_copy([], Path(db_path) if db_path else db.default_db(), on_wait=on_wait)
