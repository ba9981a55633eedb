"""Stage 2 of the interpreter: the aligner, a pure function from a row's cells to column roles.

Extracted text shifts whole rows left or right and drops empty cells, so neither a cell's
position nor its order alone says which column it belongs to. `align` finds the best monotone
assignment of the row's cells to the header's roles, weighing how well each cell's content fits
a role (a `compat` function: a score is a number, a type is ≥/=/≤/定性, a scoring rule mentions
得分/赋分 …) against its distance from the role's expected column.

Where a row keeps its empty cells (tab text, spreadsheets, Word and PDF tables), an empty cell is
a real cell of its column: it holds that column's role (`BLANK_HOLD`), so a number next to an
empty 得分 column stays in its own 权重 column instead of being drawn into 得分 by content. A
cell still moves when its content clearly belongs elsewhere (a number in a text column, 定性
one column past 指标值类型: real extractions displace cells by a column). Where the empty cells
were dropped (packed rows) there is nothing to hold a column, and content decides as before.

Two compat functions are here: `indicator_compat` for indicator rows and `budget_compat` for
the budget block of a self-evaluation (A, 调整后预算数, B, 分值, 执行率, 得分).
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import Callable, Sequence

from jixiao.levels import squeeze
from jixiao.values import normalize_op, parse_number

Compat = Callable[[str, str], float]

# Per column of displacement; content outweighs position, position breaks ties.
POSITION_COST = 0.3
# What an empty cell gains by holding its own column's role. Above the largest content preference
# between two roles a number fits (a number fits 得分 4, 权重 3, 完成值 2: a cell drawn one column
# over, pulling its neighbour after it, gains under 1.4), below the gain of a cell whose content
# belongs one column over (定性 as 指标值类型 rather than 备注: 4 - 0.3 - 1 = 2.7).
BLANK_HOLD = 2.0

_RULE_WORDS = re.compile(r"(得分|记分|计分|赋分|扣分|满分|得\d+分|分值|B/A|三档|比例|不得分|扣完)")
_DIGIT = re.compile(r"\d")
_PLACEHOLDER = frozenset({"—", "——", "-", "--", "/", "／", "无", "－", "\\"})
_TYPE_WORDS = frozenset({"定性", "定量", "正向", "反向", "正向指标", "反向指标"})


def align(cells: list[str], start: int, roles: Sequence[tuple[str, int]], compat: Compat) -> dict[str, str]:
    """Given a row's cells, the first cell to place, and the roles with their expected columns
    (already shifted to this row), returns {role: cell} by the best monotone alignment
    (`align_columns`)."""
    return {role: cells[col] for role, col in align_columns(cells, start, roles, compat).items()}


def align_columns(cells: list[str], start: int, roles: Sequence[tuple[str, int]], compat: Compat) -> dict[str, int]:
    """Given a row's cells, the first cell to place, and the roles with their expected columns
    (already shifted to this row), returns {role: column of its cell} by the best monotone
    alignment.

    Score = compat(role, cell) minus POSITION_COST per column of displacement, and a cell is
    placed only where its gain is positive. An empty cell standing in a role's own column holds
    that role (gain BLANK_HOLD there, nothing elsewhere) and leaves it out of the result — unless
    the row has cells past the header's last column (cells displaced to the right, as extracted
    text has them: then its blank cells stand nowhere in particular). Ties keep the earlier role.
    """
    roles = tuple(roles)
    width = len(cells)
    idx = [k for k in range(start, width) if cells[k].strip()]
    # Cells past the header's last column: the row is displaced, its blanks hold nothing.
    if idx and roles and idx[-1] <= max(expected for _, expected in roles):
        blanks = [e for _, e in roles if start <= e < width and not cells[e].strip()]
        if blanks:
            idx = sorted(idx + blanks)
    n, m = len(idx), len(roles)
    if n == 0 or m == 0:
        return {}
    prev = [0.0] * (m + 1)
    came: list[list[int]] = [[]] * (n + 1)  # per cell: per role 0 = skip cell, 1 = skip role, 2 = assign
    for i in range(1, n + 1):
        col = idx[i - 1]
        gains = _gains(cells[col], col, roles, compat) if cells[col].strip() else _holds(col, roles)
        cur = [0.0] * (m + 1)
        how_row = [0] * (m + 1)
        left = 0.0  # cur[j - 1]
        for j in range(1, m + 1):
            b, how = prev[j], 0
            if left > b:
                b, how = left, 1
            gain = gains[j - 1]
            if gain > 0:
                diag = prev[j - 1] + gain
                if diag > b:
                    b, how = diag, 2
            cur[j] = left = b
            how_row[j] = how
        came[i] = how_row
        prev = cur
    out: dict[str, int] = {}
    i, j = n, m
    while i > 0 and j > 0:
        how = came[i][j]
        if how == 2:
            if cells[idx[i - 1]].strip():
                out[roles[j - 1][0]] = idx[i - 1]
            i, j = i - 1, j - 1
        elif how == 1:
            j -= 1
        else:
            i -= 1
    return out


def profile(cells: list[str], start: int) -> tuple[int, ...]:
    """Given an indicator row's cells and the first cell to place, returns per cell from `start`
    on its profile (`indicator_facts`): what `align_columns` reads of a cell with
    `indicator_compat` is whether it is empty and how it fits each role, and both follow from
    its facts, so rows with equal profiles (the same kinds of numbers, words and blanks: a
    unit's indicators with this year's values) align alike under the same roles."""
    return tuple(map(indicator_facts, cells[start:]))


@lru_cache(maxsize=262144)
def _gains(cell: str, col: int, roles: tuple[tuple[str, int], ...], compat: Compat) -> tuple[float, ...]:
    """Given a cell, its column and the roles, returns the cell's gain per role: its fit minus the
    cost of its displacement. Cached: a template's cell recurs in its column across rows and files
    (four in five uses on a corpus sample)."""
    cost = POSITION_COST
    return tuple([compat(name, cell) - cost * abs(col - expected) for name, expected in roles])


@lru_cache(maxsize=65536)
def _holds(col: int, roles: tuple[tuple[str, int], ...]) -> tuple[float, ...]:
    """Given an empty cell's column and the roles, returns its gain per role: BLANK_HOLD for the
    role of its own column, nothing (0: never placed) for the others."""
    return tuple([BLANK_HOLD if expected == col else 0.0 for _, expected in roles])


_UNIT_AFTER_NUMBER = re.compile(r"\d\s*[^\d\s.,，%]")


def _is_number(cell: str) -> bool:
    return "%" not in cell and parse_number(cell) is not None


# What indicator_compat reads of a cell, interned: id -> facts (id 0: an empty cell). New facts
# (a few dozen ever) are added under a lock: uploads parse in threads.
_FACTS: dict[tuple, int] = {}
_FACTS_BY_ID: list[tuple] = [()]
_FACTS_LOCK = threading.Lock()


@lru_cache(maxsize=262144)
def indicator_facts(cell: str) -> int:
    """Given a cell, returns the id of its facts for `indicator_compat` (0 for an empty cell):
    cells with one id fit every indicator column alike."""
    s = cell.strip()
    if not s:
        return 0
    number = len(s) <= 8 and _is_number(s)
    op = bool(normalize_op(s))
    sq = squeeze(s)
    facts = (
        number, number and 0 <= (parse_number(s) or 0) <= 100, op or sq in _TYPE_WORDS,
        len(sq) <= 8 and not _DIGIT.search(s) and not op, bool(_RULE_WORDS.search(sq)),
        bool(_DIGIT.search(s)), bool(number and _UNIT_AFTER_NUMBER.search(s)),
    )
    got = _FACTS.get(facts)
    if got is None:
        with _FACTS_LOCK:
            got = _FACTS.get(facts)
            if got is None:  # the id is published only once its facts are in the list
                _FACTS_BY_ID.append(facts)
                got = _FACTS[facts] = len(_FACTS_BY_ID) - 1
    return got


@lru_cache(maxsize=4096)
def _fit(role: str, facts_id: int) -> float:
    if facts_id == 0:
        return -0.1
    number, small_number, type_like, unit_like, rule_words, digit, unit_after = _FACTS_BY_ID[facts_id]
    if role in ("type", "direction"):
        return 4.0 if type_like else -5.0
    if role in ("weight", "score"):
        return (4.0 if role == "score" else 3.0) if small_number else -5.0
    if role == "unit":
        return 2.0 if unit_like else -3.0
    if role == "scoring_rule":
        return 3.0 if rule_words else (-3.0 if number else 0.5)
    if role in ("target", "actual"):
        return 2.0
    if role == "last_year":
        return 2.0 if digit else 0.5
    # description, basis, reason, note, evidence: free text. A bare number there is a value out
    # of place; an amount with its unit (003: 指标描述「6.5万元」 beside a ≥98% target) is a
    # description that only fits where it stands (a column away, the target takes it).
    if number:
        return 0.3 if unit_after else -2.0
    return 1.0


def indicator_compat(role: str, cell: str) -> float:
    """How well a cell's content fits an indicator column (positive fits, negative contradicts):
    a function of the cell's facts (`indicator_facts`)."""
    return _fit(role, indicator_facts(cell))


def is_placeholder(cell: str) -> bool:
    """Given a cell, returns True for a dash or slash standing for "nothing here" (—, /, 无)."""
    return squeeze(cell) in _PLACEHOLDER


@lru_cache(maxsize=65536)
def budget_compat(role: str, cell: str) -> float:
    """How well a cell fits a budget-block column: amounts are plain numbers, 执行率 a percentage
    (or a fraction up to 1.5), 分值 and 得分 numbers up to 100, the note column text."""
    s = squeeze(cell)
    if not s or s in _PLACEHOLDER:
        return -0.1
    percent = s.endswith("%") or s.endswith("％")
    v = parse_number(s)
    if role in ("budget", "adjusted", "executed"):
        return 3.0 if v is not None and not percent else -5.0
    if role == "rate":
        if percent and v is not None:
            return 5.0
        return 0.5 if v is not None and 0 <= v <= 1.5 else -3.0
    if role in ("points", "score"):
        # As strong as an amount: a number up to 100 is either, its column decides.
        return 3.0 if v is not None and not percent and 0 <= v <= 100 else -5.0
    # note (原因, 得分计算方法): text
    return -3.0 if v is not None else 1.0
