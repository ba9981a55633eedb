"""The interpreter: rows of raw cells (from any reader) -> documents, projects and indicators.

It knows the vocabulary of 项目支出绩效目标表 / 绩效自评表 — titles, labels (项目名称, 预算单位,
年度资金总额 …), header words (一级指标, 指标值, 分值, 得分 …), level names and value shapes —
and nothing about particular files. Rows are read in one pass:

- a title (…绩效目标表 / …自评表) or a second 项目名称 starts a project;
- label rows fill the project's fields (a label's value is the next non-empty cell);
- a header row (一级/二级/三级指标 …) gives the columns of the indicator table;
- indicator rows are placed against that header: level cells are recognised by name, the
  三级指标 name follows them, and the remaining cells are aligned to the header's roles by a
  small dynamic programme that weighs position against what each cell looks like — extracted
  text shifts whole rows and drops empty cells, so neither position nor order alone is enough;
- a total row (总分), footnotes (说明, 填表人 …) or the next title end the table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from jixiao.levels import LEVEL2_PARENT, canonical_level1, canonical_level2, canonicalize, split_points, squeeze
from jixiao.model import Row
from jixiao.values import normalize_op, parse_number, parse_points, parse_value

# ---------------------------------------------------------------- vocabulary

_TAGS = re.compile(r"<[^>]{1,20}>|\*\*|^#+\s*")
_TC_FIELD = re.compile(r"\s*TC\s.*$")  # Word TOC field code left in a title: "… TC 9、… \f C \l 1"

_TITLE = re.compile(r"(绩效目标表|绩效目标申报表|绩效自评表|自评表|绩效评价表)")
_SELF_EVAL_TITLE = re.compile(r"(自评|评价表)")
_YEAR_IN_TITLE = re.compile(r"(19|20)\d{2}(?=\s*[)）]?\s*年)")
_YEAR_ROW = re.compile(r"^[(（]?\s*((?:19|20)\d{2})\s*[)）]?\s*年度?\s*[)）]?$")
_YEAR_PROSE = re.compile(r"((?:19|20)\d{2})\s*年")

_LABELS: list[tuple[str, re.Pattern[str]]] = [
    ("name", re.compile(r"^项目名称$")),
    ("code", re.compile(r"^项目(编码|代码|编号)$")),
    ("department", re.compile(r"^(主管部门(及代码)?|主管单位|主管部门名称)$")),
    ("unit", re.compile(r"^(部门[(（]?单位[)）]?名称|部门[(（]单位名称[)）]|单位名称|预算单位|实施单位|项目实施单位|项目单位|申报单位|预算部门|部门名称)$")),
    ("budget", re.compile(r"^(年度资金总额|年度预算总额|资金总额|预算数|年度预算数|项目总金额|预算总额|项目资金总额|年度预算资金)$")),
    ("fund_fiscal", re.compile(r"^(其中)?(财政拨款|财政资金|本级财政资金|财政性资金|当年财政拨款)$")),
    ("fund_carryover", re.compile(r"^(其中)?上年结转(资金)?$")),
    ("fund_other", re.compile(r"^(其中)?其他资金$")),
    ("goal", re.compile(r"^(年度履职目标|年度总体目标|项目总体目标|总体目标|年度绩效目标|绩效目标|年度目标|项目绩效目标)$")),
    ("fund_use", re.compile(r"^(预算规模及)?资金用途$")),
    ("spend_plan", re.compile(r"^资金支出计划.*$")),
    ("lead", re.compile(r"^(项目负责人|联系人|联系电话|负责人)$")),
    ("money_unit", re.compile(r"^单位[:：]?万元$")),
    ("funds_block", re.compile(r"^项目资金.*$")),
]
_LABEL_MAX = 24

# Header words -> column role. Order matters: the first match wins.
_HEADER_ROLES: list[tuple[str, re.Pattern[str]]] = [
    ("l1", re.compile(r"^一级指标$")),
    ("l2", re.compile(r"^二级指标$")),
    ("name", re.compile(r"^三级指标(名称)?$")),
    ("type", re.compile(r"^(指标值类型|指标类型|指标性质|指标方向)$")),
    ("basis", re.compile(r"^(指标值设置依据|指标值确定依据|设置依据|指标来源|目标值设定依据)")),
    ("description", re.compile(r"^(指标解释|绩效指标描述|指标说明|指标内容|指标值内容|指标解释.*)")),
    ("scoring_rule", re.compile(r"(评[(（]?扣[)）]?分标准|得分计算方法|赋分规则|评分标准|计分方法|评分规则)")),
    ("unit", re.compile(r"^(度量单位|计量单位|单位)$")),
    ("last_year", re.compile(r"^(上年完成值|上年实际值|上年指标值|上年度完成值|上年值)")),
    ("weight", re.compile(r"^(指标分值权重|分值|权重|指标权重|指标分值|分值权重)")),
    ("actual", re.compile(r"^(全年实际值|实际完成值|实际值|完成值|年度实际完成值|全年完成值)")),
    ("target", re.compile(r"^(指标值|年度指标值|目标值|年度目标值|指标目标值)")),
    ("score", re.compile(r"^得分$")),
    ("reason", re.compile(r"(未完成原因|偏差原因|原因分析|改进措施)")),
    ("evidence", re.compile(r"^佐证(资料|材料)")),
    ("note", re.compile(r"^备注$")),
]

_GOAL_PAIR_HEADS = frozenset({"预期目标", "年初设定目标", "年度预期目标"})
_HEADER_LEVEL_WORDS = frozenset({"一级指标", "二级指标", "三级指标"})
_TOTAL = re.compile(r"^(总分|合计|总计|综合得分|自评得分|总得分)$")
_FOOTER = re.compile(r"^(说明|注[:：1１]|填表人|联系电话|填表日期|单位负责人|业务股室审核|绩效股审核|财务负责人|审核人|部门负责人|分管领导|填报人|备注[:：])")
_INDICATOR_PREFIX = re.compile(r"^指标\s*\d+\s*[:：]\s*")
_FILLER = re.compile(r"^[.。…·、\s]*$")
_UNIT_CODE = re.compile(r"^\d{3,12}\s*(\S{2,40}(局|中心|委员会|办公室|厅|院|所|站|馆|队|处|部|会|校|学|园|医院|政府|公司|委|办|社|场|台|室|团|厂))$")
_GOAL_PREFIX = re.compile(r"^(年初设定目标|年度目标|总体目标)\s*[:：]\s*")
_SUMMARY = re.compile(r"^年度总体目标完成情况综述\s*[:：]?\s*")
_PHONE = re.compile(r"(?<!\d)(1[3-9]\d[\s-]?\d{4}[\s-]?\d{3,4}|0\d{2,3}[\s-]?\d{7,8})(?!\d)")


@lru_cache(maxsize=262144)
def clean(cell: str) -> str:
    """Given a raw cell, returns it without markup (markdown headings, <b>, **) and outer space."""
    return _TAGS.sub("", cell or "").strip()


def mask_phones(text: str) -> str:
    """Given a line of text, returns it with phone numbers replaced by ***."""
    return _PHONE.sub("***", text)


@lru_cache(maxsize=65536)
def _label_of(cell: str) -> str | None:
    s = squeeze(cell).rstrip(":：")
    s = re.sub(r"[(（]万元[)）]$", "", s)
    s = re.sub(r"^其中[:：]", "其中", s)
    if not s or len(s) > _LABEL_MAX:
        return None
    for key, pat in _LABELS:
        if pat.match(s):
            return key
    return None


def _header_roles(row: Row) -> dict[str, int] | None:
    if sum("级指标" in c for c in row.cells) < 2 and "级指标" not in "".join(row.cells).replace(" ", ""):
        return None  # most rows: no 一级/二级/三级指标 header words at all
    cells = [squeeze(clean(c)) for c in row.cells]
    levels = sum(1 for c in cells if c in ("一级指标", "二级指标", "三级指标"))
    if levels < 2:
        return None
    roles: dict[str, int] = {}
    for i, c in enumerate(cells):
        c = re.sub(r"[(（][^)）]*[)）]$", "", c) if not c.startswith("评") else c
        if not c or len(c) > 20:
            continue
        for role, pat in _HEADER_ROLES:
            if pat.search(c) and role not in roles:
                roles[role] = i
                break
    return roles if "name" in roles else None


# ---------------------------------------------------------------- results


@dataclass
class ParsedIndicator:
    level1_raw: str | None
    level2_raw: str | None
    level1_points: float | None
    name: str
    fields: dict[str, str]
    source_line: int
    source_sheet: str | None

    def record(self) -> dict[str, Any]:
        """Returns the indicator as a row of the `indicators` table (ids filled by the loader)."""
        f = self.fields
        l1, l2 = canonicalize(self.level1_raw, self.level2_raw)
        target = parse_value(f.get("target"), unit_hint=f.get("unit"), type_hint=f.get("type"))
        actual = parse_value(f.get("actual"), unit_hint=f.get("unit") if f.get("actual") else None)
        last = parse_value(f.get("last_year"), unit_hint=f.get("unit") if f.get("last_year") else None)
        weight = parse_number(f.get("weight"))
        if weight is None:
            weight = parse_points(f.get("scoring_rule"))
        return {
            "level1": l1, "level2": l2,
            "level1_raw": self.level1_raw, "level2_raw": self.level2_raw,
            "level1_points": self.level1_points,
            "name": self.name,
            "description": f.get("description") or None,
            "target_raw": f.get("target") or None,
            "target_op": target.op, "target_value": target.value, "target_unit": target.unit,
            "declared_type": f.get("type") or None,
            "is_quantitative": target.is_quantitative,
            "weight": weight,
            "actual_raw": f.get("actual") or None,
            "actual_value": actual.value, "actual_unit": actual.unit,
            "score_reported": parse_number(f.get("score")),
            "score_expected": None,
            "scoring_rule": f.get("scoring_rule") or None,
            "last_year_raw": f.get("last_year") or None,
            "last_year_value": last.value,
            "basis": f.get("basis") or None,
            "evidence": f.get("evidence") or None,
            "reason": f.get("reason") or None,
            "source_line": self.source_line,
            "source_sheet": self.source_sheet,
        }


@dataclass
class ParsedProject:
    kind: str | None
    year: int | None
    title: str | None
    source_line: int
    source_sheet: str | None
    fields: dict[str, Any] = field(default_factory=dict)
    indicators: list[ParsedIndicator] = field(default_factory=list)
    has_total: bool = False
    ended: bool = False  # something after the table (footnote, total, next title) was seen
    incomplete: bool = False  # the file ended inside this project's table


@dataclass
class ParsedDocument:
    kind: str | None
    year: int | None
    projects: list[ParsedProject]
    incomplete: list[str]
    notes: list[str]
    doc_text: str  # title and unit names, for region lookup

    @property
    def complete_projects(self) -> list[ParsedProject]:
        return [p for p in self.projects if not p.incomplete]


# ---------------------------------------------------------------- indicator rows

def _is_number(cell: str) -> bool:
    v = parse_number(cell)
    return v is not None and "%" not in cell


@lru_cache(maxsize=65536)
def _looks_like_value(cell: str) -> bool:
    s = squeeze(cell)
    if not s or len(s) > 24:
        return False
    v = parse_value(s)
    return v.value is not None and (s[0].isdigit() or normalize_op(s[:2]) is not None
                                    or normalize_op(s[:1]) is not None or s[0] in "≥≤＞＜＝")


_RULE_WORDS = re.compile(r"(得分|记分|计分|赋分|扣分|满分|得\d+分|分值|B/A|三档|比例|不得分|扣完)")


@lru_cache(maxsize=262144)
def _compat(role: str, cell: str) -> float:
    """How well a cell's content fits a header role (positive fits, negative contradicts)."""
    s = cell.strip()
    if not s:
        return -0.1
    number = _is_number(s) and len(s) <= 8
    if role == "type":
        return 4.0 if (normalize_op(s) or squeeze(s) in ("定性", "定量")) else -5.0
    if role in ("weight", "score"):
        return (4.0 if role == "score" else 3.0) if number and 0 <= (parse_number(s) or 0) <= 100 else -5.0
    if role == "unit":
        return 2.0 if len(squeeze(s)) <= 8 and not re.search(r"\d", s) and not normalize_op(s) else -3.0
    if role == "scoring_rule":
        return 3.0 if _RULE_WORDS.search(squeeze(s)) else (-3.0 if number else 0.5)
    if role in ("target", "actual"):
        return 2.0
    if role == "last_year":
        return 2.0 if re.search(r"\d", s) else 0.5
    # description, basis, reason, note, evidence: free text
    return -2.0 if number else 1.0


def _align(cells: list[str], start: int, roles: list[tuple[str, int]]) -> dict[str, str]:
    """Given the row's cells, the first cell after the name, and the header roles with their
    expected columns (already shifted), returns {role: cell} by the best monotone alignment.

    Score = how well each cell's content fits its role minus 0.3 per column of displacement;
    only non-empty cells take part (an empty cell can fill no role).
    """
    idx = [k for k in range(start, len(cells)) if cells[k].strip()]
    n, m = len(idx), len(roles)
    if n == 0 or m == 0:
        return {}
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    came = [[0] * (m + 1) for _ in range(n + 1)]  # 0 = skip cell, 1 = skip role, 2 = assign
    for i in range(1, n + 1):
        col = idx[i - 1]
        cell = cells[col]
        row_best, prev = best[i], best[i - 1]
        for j in range(1, m + 1):
            role, exp = roles[j - 1]
            b, how = prev[j], 0
            if row_best[j - 1] > b:
                b, how = row_best[j - 1], 1
            gain = _compat(role, cell) - 0.3 * abs(col - exp)
            if gain > 0 and prev[j - 1] + gain > b:
                b, how = prev[j - 1] + gain, 2
            row_best[j] = b
            came[i][j] = how
    out: dict[str, str] = {}
    i, j = n, m
    while i > 0 and j > 0:
        how = came[i][j]
        if how == 2:
            out[roles[j - 1][0]] = cells[idx[i - 1]]
            i, j = i - 1, j - 1
        elif how == 1:
            j -= 1
        else:
            i -= 1
    return out


@dataclass
class _LevelCells:
    l1: tuple[int, str] | None
    l2: tuple[int, str] | None
    last: int  # index of the last level cell, -1 when none


def _level_cells(cells: list[str]) -> _LevelCells:
    found: list[tuple[int, str]] = []
    for i, c in enumerate(cells):
        if not c.strip():
            continue
        name, _ = split_points(c)
        if name in ("绩效指标",) or canonical_level1(c) or canonical_level2(c):
            found.append((i, c))
            continue
        break
    if not found:
        return _LevelCells(None, None, -1)
    last = found[-1][0]
    l1 = l2 = None
    tail = found[-1]
    if len(found) >= 2 and canonical_level2(tail[1]) and canonical_level1(found[-2][1]):
        l2, l1 = tail, found[-2]
    elif canonical_level2(tail[1]) and canonical_level1(tail[1]):
        # Alone, 成本指标 is an old second level (under 产出指标); 满意度指标 is a first level.
        if LEVEL2_PARENT[canonical_level2(tail[1])] == "成本指标":
            l2 = tail
        else:
            l1 = tail
    elif canonical_level2(tail[1]):
        l2 = tail
    elif canonical_level1(tail[1]) and split_points(tail[1])[0] != "绩效指标":
        l1 = tail
    elif canonical_level1(tail[1]):
        # 绩效指标 alone is a block label in some tables and the old name of 效益指标 in others:
        # it is a level only where a second level follows.
        l1 = tail if len(found) == 1 else None
    return _LevelCells(l1, l2, last)


# ---------------------------------------------------------------- the pass


class _State:
    def __init__(self) -> None:
        self.projects: list[ParsedProject] = []
        self.current: ParsedProject | None = None
        self.header: dict[str, int] | None = None
        self.budget_cols: dict[str, int] | None = None
        self.budget_points_header: float | None = None
        self.pending_title: str | None = None  # the last table title, for projects named after it
        self.pending_year: int | None = None
        self.pending: str | None = None  # a label whose value comes on the next row
        self.plan_labels: dict[int, str] = {}
        self.l1: tuple[str | None, float | None] = (None, None)
        self.l2: str | None = None
        self.preamble: list[str] = []
        self.doc_kind: str | None = None
        self.notes: list[str] = []
        self.skipped: dict[str, int] = {"preamble": 0, "filler": 0, "footer": 0, "other": 0}


def _new_project(st: _State, row: Row, title: str | None = None, kind: str | None = None,
                 year: int | None = None) -> ParsedProject:
    _close(st)
    p = ParsedProject(kind=kind, year=year, title=title, source_line=row.line, source_sheet=row.sheet)
    st.projects.append(p)
    st.current = p
    st.header = None
    st.budget_cols = None
    st.budget_points_header = None
    st.pending = None
    st.l1, st.l2 = (None, None), None
    return p


def _close(st: _State) -> None:
    if st.current is not None and st.current.indicators:
        st.current.ended = True
    st.current = None


def _title_of(cells: list[str]) -> str | None:
    if not any("表" in c for c in cells):
        return None
    joined = " ".join(c for c in cells if c)
    if len([c for c in cells if c]) > 2 or len(joined) > 120:
        return None
    if _TITLE.search(squeeze(joined)) and not _label_of(cells[0]):
        return _TC_FIELD.sub("", joined).strip()
    return None


def _next_value(cells: list[str], i: int) -> str | None:
    for c in cells[i + 1:]:
        if c.strip():
            return None if _label_of(c) else c.strip()
    return None


def _handle_labels(st: _State, row: Row, cells: list[str]) -> bool:
    """Fills project fields from label cells; returns True when the row was a label row."""
    labels = [(i, _label_of(c)) for i, c in enumerate(cells)]
    labels = [(i, k) for i, k in labels if k]
    if not labels:
        return False
    p = st.current
    if p is not None and "unit" not in p.fields:
        # 003: "316004南堡开发区社会事业保险局 | 单位：万元" — a unit code and name, no label.
        for c in cells:
            m = _UNIT_CODE.match(squeeze(c))
            if m:
                p.fields["unit"] = m.group(1)
                break
    if any(k == "name" for _, k in labels):
        name = next((_next_value(cells, i) for i, k in labels if k == "name"), None)
        if p is None or p.fields.get("name") or p.indicators:
            p = _new_project(st, row, title=st.pending_title, kind=st.doc_kind, year=st.pending_year)
        if name:
            p.fields["name"] = name
    if p is None:
        p = _new_project(st, row, kind=st.doc_kind, year=st.pending_year)
    for i, key in labels:
        value = _next_value(cells, i)
        if key in ("name", "lead", "money_unit"):
            continue
        if key == "funds_block":
            continue
        if key in ("budget", "fund_fiscal", "fund_carryover", "fund_other"):
            if st.budget_cols and key in ("budget", "fund_fiscal"):
                _budget_block_row(st, p, cells, key)
                continue
            num = parse_number(value) if value else None
            if num is not None:
                p.fields[key] = num
            continue
        if key == "goal":
            if value and squeeze(value) in _GOAL_PAIR_HEADS:
                # National template: "年度总体目标 | 预期目标 | 实际完成情况", texts on the next row.
                st.pending = "goal_pair"
            elif value:
                p.fields["goal"] = _GOAL_PREFIX.sub("", value)
                for c in cells[i + 2:]:
                    if _SUMMARY.match(squeeze(c)):
                        summary = re.split(r"[:：]", c, maxsplit=1)
                        p.fields["goal_summary"] = summary[1].strip() if len(summary) > 1 else ""
            else:
                st.pending = "goal"
            continue
        if key == "fund_use":
            if value and not parse_number(value) and not _label_of(value):
                # 003 puts 预算数 right after the label: then the use text comes on a later row.
                p.fields["fund_use"] = value
            st.pending = "fund_use" if "fund_use" not in p.fields else None
            continue
        if key == "spend_plan":
            st.plan_labels = {j: c.strip() for j, c in enumerate(cells) if j > i and c.strip()}
            st.pending = "spend_plan"
            continue
        if value:
            if key == "unit":
                p.fields["unit"] = value
            elif key == "department":
                p.fields["department"] = value
            elif key == "code":
                p.fields["code"] = value
    return True


def _budget_header(cells: list[str]) -> tuple[dict[str, int], float | None] | None:
    if not any("执行数" in c for c in cells):
        return None
    sq = [squeeze(c) for c in cells]
    if not any(s.startswith(("年初预算数", "全年预算数", "预算数(A)", "年初预算")) for s in sq):
        return None
    if not any(s.startswith(("全年执行数", "执行数")) for s in sq):
        return None
    cols: dict[str, int] = {}
    points = None
    for i, s in enumerate(sq):
        if s.startswith(("年初预算数", "全年预算数", "预算数", "年初预算")):
            cols.setdefault("budget", i)
        elif s.startswith(("全年执行数", "执行数")):
            cols.setdefault("executed", i)
        elif s.startswith("分值"):
            cols.setdefault("points", i)
            points = parse_points("得" + re.sub(r"[^\d.]", "", s) + "分") if re.search(r"\d", s) else None
        elif s.startswith("执行率"):
            cols.setdefault("rate", i)
        elif s == "得分":
            cols.setdefault("score", i)
    return cols, points


def _budget_block_row(st: _State, p: ParsedProject, cells: list[str], key: str) -> None:
    cols = st.budget_cols or {}
    got = {k: parse_number(cells[c]) if c < len(cells) else None for k, c in cols.items()}
    if got.get("budget") is None:
        # Misaligned extraction: read the numbers after the label in order A, B, [分值], rate%, 得分.
        label_i = next(i for i, c in enumerate(cells) if _label_of(c) in ("budget", "fund_fiscal"))
        nums = [c for c in cells[label_i + 1:] if parse_number(c) is not None]
        plain = [parse_number(c) for c in nums if "%" not in c]
        got = {"budget": plain[0] if plain else None, "executed": plain[1] if len(plain) > 1 else None}
        if key == "budget" and len(plain) >= 3:
            got["score"] = plain[-1]
            if len(plain) >= 4:
                got["points"] = plain[2]
    if key == "budget":
        p.fields["budget"] = got.get("budget")
        p.fields["executed"] = got.get("executed")
        p.fields["budget_points"] = got.get("points") if got.get("points") is not None else st.budget_points_header
        p.fields["budget_score_reported"] = got.get("score")
    else:
        p.fields["fund_fiscal"] = got.get("budget")


def _indicator_row(st: _State, row: Row, cells: list[str]) -> None:
    p = st.current
    header = st.header
    assert p is not None and header is not None
    # A header cell merged down into the first data row (2-row template headers) is not data.
    cells = ["" if squeeze(c) in _HEADER_LEVEL_WORDS else c for c in cells]
    lv = _level_cells(cells)
    if lv.l1 is not None:
        name1, points = split_points(lv.l1[1])
        st.l1 = (name1, points)
        st.l2 = None
    if lv.l2 is not None:
        st.l2 = split_points(lv.l2[1])[0]
    # The 三级指标 cell follows the level cells. Where the first cell after them is a value
    # (004: "时效指标 | | =100%"), the name was left empty and sits just before the target.
    j = lv.last + 1
    while j < len(cells) and not cells[j].strip():
        j += 1
    if j >= len(cells):
        return
    if _looks_like_value(cells[j]):
        name_col, name, start = j - 1, "", j
    else:
        name_col, name, start = j, _INDICATOR_PREFIX.sub("", cells[j].strip()), j + 1
        if _FILLER.match(name) and all(_FILLER.match(c) for c in cells[start:]):
            st.skipped["filler"] += 1
            return  # 指标2: / ..... filler rows of the template
    shift = name_col - header["name"]
    roles = sorted(((r, c + shift) for r, c in header.items() if r not in ("l1", "l2", "name")),
                   key=lambda t: t[1])
    _emit(st, row, name, _align(cells, start, roles))


def _emit(st: _State, row: Row, name: str, fields: dict[str, str]) -> None:
    p = st.current
    assert p is not None
    if _FILLER.match(name):
        name = ""
    values = {k: v for k, v in fields.items() if v and not _FILLER.match(v)}
    if not name and not any(k in values for k in ("target", "weight", "actual", "score")):
        st.skipped["filler"] += 1
        return  # 指标2: / ..... filler rows of the template
    p.indicators.append(ParsedIndicator(
        level1_raw=st.l1[0], level2_raw=st.l2, level1_points=st.l1[1], name=name,
        fields=values, source_line=row.line, source_sheet=row.sheet,
    ))


def interpret(rows: list[Row]) -> ParsedDocument:
    """Given the rows of one document, returns its projects and indicators.

    Projects whose table was cut off (the file ends inside it) are marked incomplete and
    named in `incomplete`; rows before the first table (a department-level preamble) only
    contribute the document year.
    """
    st = _State()
    for row in rows:
        cells = [clean(c) for c in row.cells]
        nonempty = [c for c in cells if c]
        if not nonempty:
            continue
        joined = " ".join(nonempty)
        title = _title_of(cells)
        if title:
            kind = "self_eval" if _SELF_EVAL_TITLE.search(squeeze(title)) else "goal"
            st.doc_kind = st.doc_kind or kind
            m = _YEAR_IN_TITLE.search(title)
            st.pending_title = title
            st.pending_year = int(m.group(0)) if m else None
            _new_project(st, row, title=title, kind=kind, year=st.pending_year)
            continue
        if len(nonempty) == 1 and _YEAR_ROW.match(squeeze(nonempty[0])):
            year = int(_YEAR_ROW.match(squeeze(nonempty[0])).group(1))
            st.pending_year = year
            if st.current is not None and not st.current.indicators:
                st.current.year = year
            continue
        if st.current is None and not any(_label_of(c) == "name" for c in cells):
            if _header_roles(row) is None:
                st.preamble.append(joined)
                st.skipped["preamble"] += 1
                continue
        first = squeeze(nonempty[0])
        if _TOTAL.match(first):
            if st.current is not None:
                nums = [parse_number(c) for c in nonempty[1:] if parse_number(c) is not None]
                if nums:
                    st.current.fields["total_score_reported"] = nums[-1]
                st.current.has_total = True
                st.current.ended = True
            continue
        if _FOOTER.match(first):
            st.skipped["footer"] += 1
            if st.current is not None and st.current.indicators:
                st.current.ended = True
            st.header = None if (st.current and st.current.indicators) else st.header
            continue
        header = _header_roles(row)
        if header is not None:
            if st.current is None:
                _new_project(st, row, kind=st.doc_kind, year=st.pending_year)
            st.header = header
            if "actual" in header or "score" in header:
                st.current.kind = "self_eval"
            elif st.current.kind is None:
                st.current.kind = "goal"
            continue
        bh = _budget_header(cells)
        if bh is not None:
            if st.current is None:
                _new_project(st, row, kind=st.doc_kind, year=st.pending_year)
            st.budget_cols, st.budget_points_header = bh
            st.current.kind = "self_eval"
            continue
        if st.header is None or st.current is None or not st.current.indicators:
            if _handle_labels(st, row, cells):
                continue
        p = st.current
        if p is None:
            st.preamble.append(joined)
            continue
        if st.header is not None and not p.ended:
            _indicator_row(st, row, cells)
            continue
        # Rows between the labels and the indicator table.
        if st.pending == "fund_use" and len(nonempty) == 1 and parse_number(nonempty[0]) is None:
            p.fields["fund_use"] = nonempty[0]
            st.pending = None
        elif st.pending == "spend_plan":
            plan = [f"{label}:{cells[j]}" for j, label in sorted(st.plan_labels.items())
                    if j < len(cells) and cells[j]]
            if plan:
                p.fields["spend_plan"] = ";".join(plan)
            st.pending = None
        elif st.pending == "goal":
            p.fields["goal"] = joined
            st.pending = None
        elif st.pending == "goal_pair":
            p.fields["goal"] = nonempty[0]
            if len(nonempty) > 1:
                p.fields["goal_summary"] = " ".join(nonempty[1:])
            st.pending = None
        elif "unit" not in p.fields and any(_UNIT_CODE.match(squeeze(c)) for c in nonempty):
            p.fields["unit"] = next(_UNIT_CODE.match(squeeze(c)).group(1) for c in nonempty if _UNIT_CODE.match(squeeze(c)))
        else:
            # Rows after a table's end (说明:, 注: and their numbered items) are footnotes.
            st.skipped["footer" if p.ended else "other"] += 1
        continue
    st.current = None  # end of file: the last project has not necessarily ended
    return _finish(st)


def _finish(st: _State) -> ParsedDocument:
    doc_year = None
    for text in st.preamble:
        m = _YEAR_PROSE.search(text)
        if m:
            doc_year = int(m.group(1))
            break
    years = [p.year for p in st.projects if p.year]
    if doc_year is None and years:
        doc_year = max(set(years), key=years.count)
    incomplete: list[str] = []
    projects = [p for p in st.projects if p.fields.get("name") or p.indicators]
    for k, p in enumerate(projects):
        p.year = p.year or doc_year
        p.kind = p.kind or st.doc_kind or "goal"
        last = k == len(projects) - 1
        label = p.fields.get("name") or p.title or f"第{p.source_line}行起的项目"
        problem = None
        if not p.indicators:
            problem = "没有读到任何指标"
        elif last and not p.ended:
            if p.kind == "self_eval" and not p.has_total:
                problem = "文件在指标表中途结束（缺少总分行）"
            elif not any(canonicalize(i.level1_raw, i.level2_raw)[0] == "满意度指标" for i in p.indicators):
                problem = "文件在指标表中途结束（缺少满意度指标）"
            elif not p.indicators[-1].fields.get("target"):
                problem = "最后一行指标不完整"
        if problem:
            p.incomplete = True
            incomplete.append(f"项目「{label}」（第{p.source_line}行起）{problem}，未导入")
    labels = {"preamble": "表前文字（如部门整体目标）", "filler": "模板空行（指标2:、.....）",
              "footer": "表尾说明、签字栏", "other": "未识别的行"}
    skipped = "，".join(f"{labels[k]} {v} 行" for k, v in st.skipped.items() if v)
    if skipped:
        st.notes.append("跳过：" + skipped)
    text = " ".join([*(p.title or "" for p in projects[:3])])
    kind = st.doc_kind or (projects[0].kind if projects else None)
    return ParsedDocument(kind=kind, year=doc_year, projects=projects, incomplete=incomplete,
                          notes=st.notes, doc_text=text)
