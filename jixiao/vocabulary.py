"""The words of 绩效目标表 / 绩效自评表, loaded from one data file (`datasets/vocabulary.csv`).

Every label (项目名称, 主管部门 …), header word (一级指标, 指标值, 分值 …), budget-block word
(年初预算数, 调整后预算数 …), level name, title word and non-indicator row word (评价结论,
财政部门审核意见 …) the interpreter knows is a row of that file: `role,word,means,note`. A bureau
teaches the parser its province's word by adding a row; no code changes.

Matching is on a *key*: the cell NFKC-normalised (full-width -> ASCII), without whitespace and
without a trailing colon. A word ending in `*` matches as a prefix, a word starting with `re:` is
a regular expression matched against the whole key; otherwise the key must equal the word. The
exact word wins over prefixes, and the longest prefix wins.

`load(path)` reads and checks a file once (cached); `current()` is the file named by
$JIXIAO_VOCABULARY, or the bundled one.
"""

from __future__ import annotations

import csv
import os
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

ENV = "JIXIAO_VOCABULARY"
DEFAULT_PATH = Path(__file__).resolve().parents[1] / "datasets" / "vocabulary.csv"

# What `means` may be, per role (None: free, e.g. the canonical level names are checked below).
PROJECT_FIELDS = ("name", "code", "department", "unit", "budget", "fund_fiscal", "fund_carryover", "fund_other",
                  "goal", "goal_long", "goal_summary", "fund_use", "spend_plan", "funds_block", "money_unit",
                  "skip", "tasks")
COLUMN_ROLES = ("l1", "l2", "l3", "name", "type", "direction", "basis", "description", "scoring_rule", "unit", "last_year",
                "weight", "actual", "target", "score", "reason", "evidence", "note")
BUDGET_ROLES = ("budget", "adjusted", "executed", "points", "rate", "rate_a", "score", "note")
ROLES: dict[str, tuple[str, ...] | None] = {
    "title": ("goal", "self_eval"),
    "title_scope": ("department",),
    "label": PROJECT_FIELDS,
    "goal_head": ("goal", "goal_long", "goal_summary"),
    "header": COLUMN_ROLES,
    "budget_header": BUDGET_ROLES,
    "level1": None,
    "level2": None,
    "block": ("long", "annual", "any"),
    "total": ("total",),
    "footer": ("footer",),
    "not_indicator": ("opinion", "remark", "conclusion"),
    "unit_suffix": ("",),
    "spend_period": ("quarter", "month", "half", "year", "total"),
}

_CACHE_MAX = 200_000
_MISSING = object()
_ENUM = re.compile(r"^(?:[(（]?[一二三四五六七八九十]+[)）、.．]|\d{1,2}[.、．)）](?!\d)|[(（]\d{1,2}[)）])")
_TRAILING_PAREN = re.compile(r"\([^()]*\)$")
_INLINE = re.compile(r"^([^:：]{2,24}?)\s*[:：]\s*(\S.*)$")  # "项目名称：…" (the value as written)
_AMOUNT_TAIL = re.compile(r"^[-+]?\d[\d,]*(?:\.\d+)?\s*(?:亿元|万元|千元|元|万)?")


class VocabularyError(ValueError):
    """A vocabulary file that cannot be used: an unknown role, a meaning the role does not have,
    a bad regular expression. The message names the file and the line."""


def without_space(text: str) -> str:
    """Given a text, returns it without any whitespace (Unicode's, as `\\s` means in a str
    pattern: str.split splits on exactly those characters) — the one way the parser and the
    unit names squeeze a text. A split and a join take a half (no space in a long cell) to a
    fifth (spaces) of the time of a regular expression's test and substitution."""
    return "".join(text.split())


@lru_cache(maxsize=262144)
def key(text: str | None) -> str:
    """Given cell text, returns its lookup key: NFKC, no whitespace, no trailing colon (cached:
    a cell is looked up in several roles)."""
    if not text:
        return ""
    s = text if text.isascii() else unicodedata.normalize("NFKC", text)
    return without_space(s).rstrip(":")


@dataclass
class _Words:
    exact: dict[str, str] = field(default_factory=dict)
    prefixes: list[tuple[str, str]] = field(default_factory=list)  # longest first
    patterns: list[tuple[re.Pattern[str], str]] = field(default_factory=list)

    @property
    def starts(self) -> tuple[str, ...]:
        """Returns the prefixes as one tuple (for str.startswith), made once they are sorted."""
        got = self.__dict__.get("_starts")
        if got is None or len(got) != len(self.prefixes):
            got = self.__dict__["_starts"] = tuple(p for p, _ in self.prefixes)
        return got

    def find(self, k: str) -> str | None:
        hit = self.exact.get(k)
        if hit is not None:
            return hit
        if self.prefixes and k.startswith(self.starts):  # one C-level test before the ordered loop
            for p, means in self.prefixes:
                if k.startswith(p):
                    return means
        for pat, means in self.patterns:
            if pat.fullmatch(k):
                return means
        return None


class Vocabulary:
    """The loaded word lists with cached lookups. Given a cell, each method returns what the
    cell means in that role, or None."""

    def __init__(self, path: Path, words: dict[str, _Words]) -> None:
        self.path = path
        self._words = words
        self._cache: dict[str, dict[str, object]] = {role: {} for role in ROLES}
        self._label_cache: dict[str, tuple[str, str | None] | None] = {}
        self._head_cache: dict[str, str | None] = {}
        self._first_cache: dict[str, str | None] = {}
        self._form_cache: dict[str, bool] = {}
        self._memos: dict[str, dict] = {}
        suffixes = sorted(words["unit_suffix"].exact, key=len, reverse=True)
        alt = "|".join(re.escape(s) for s in suffixes) or "局"
        # 003: "316004南堡开发区社会事业保险局" — a unit code and name in one cell, no label.
        self.unit_code = re.compile(rf"^\d{{3,12}}\s*(\S{{2,40}}(?:{alt}))$")
        # Cheap tests before a row is looked at cell by cell: the words a header row or a budget
        # header must contain (一级/二级/三级指标; an executed column).
        header = words["header"]
        self.level_header_words = frozenset(w for w, m in header.exact.items() if m in ("l1", "l2", "l3"))
        marks = [*self.level_header_words, *(w for w, m in header.prefixes if m in ("l1", "l2", "l3"))]
        self._header_marks = _any_of(marks)
        self._title_marks = _any_of(list(words["title"].exact))
        self._form_words = frozenset(words["label"].exact) | frozenset(header.exact)
        budget = words["budget_header"]
        self._executed_marks = _any_of([w for w, m in [*budget.exact.items(), *budget.prefixes] if m == "executed"])

    def memo(self, name: str) -> dict:
        """Given a name, returns a dict kept with this vocabulary under that name, for a caller's
        facts derived from it (a vocabulary read anew from a changed file starts empty). The
        caller bounds what it keeps there."""
        got = self._memos.get(name)
        if got is None:
            got = self._memos[name] = {}
        return got

    def may_be_header(self, text: str) -> bool:
        """Given a row's text, returns False when it cannot be an indicator header (it names no
        一级/二级/三级指标)."""
        return self._header_marks.search(text) is not None

    def is_form_word(self, text: str) -> bool:
        """Given a cell, returns True when it is one of the form's own words — a label (项目名称,
        部门, 单位名称 …) or a header word (指标值, 分值 …), alone or before a colon."""
        cache = self._form_cache
        hit = cache.get(text)
        if hit is None:
            k = key(text)
            head = k.split(":", 1)[0] if ":" in k else k
            head = _TRAILING_PAREN.sub("", head) if head.endswith(")") else head
            hit = _bare_label(head) in self._form_words
            if len(cache) > _CACHE_MAX:
                cache.clear()
            cache[text] = hit
        return hit

    def may_be_title(self, text: str) -> bool:
        """Given a row's text, returns False when it names no table (绩效目标表, 自评表 …)."""
        return self._title_marks.search(text) is not None

    def may_be_budget_header(self, text: str) -> bool:
        """Given a row's text, returns False when it cannot be a budget header (it names no
        executed column)."""
        return self._executed_marks.search(text) is not None

    def words(self, role: str) -> dict[str, str]:
        """Given a role, returns its exact words and what they mean (prefix/regex words excluded)."""
        return dict(self._words[role].exact)

    def lookup(self, role: str, text: str) -> str | None:
        """Given a role and cell text, returns what the text means in that role, or None."""
        cache = self._cache[role]
        if text in cache:
            return cache[text]  # type: ignore[return-value]
        if len(cache) > _CACHE_MAX:
            cache.clear()
        hit = cache[text] = self._find(role, key(text))
        return hit

    def _find(self, role: str, k: str) -> str | None:
        """Given a role and a key, returns what it means in that role, or None."""
        hit = self._words[role].find(k) if k else None
        if hit is None and role in ("header", "budget_header", "label", "not_indicator", "block", "spend_period") and k.endswith(")"):
            # "指标解释(指标值内容)", "年初预算数(A)", "分值(10分)", "实施单位(盖章)"
            stripped = _TRAILING_PAREN.sub("", k)
            if stripped and stripped != k:
                hit = self._words[role].find(stripped)
        return hit

    def label(self, cell: str) -> tuple[str, str | None] | None:
        """Given a cell, returns (project field, value written in the same cell) when it is a label.

        "主管部门" -> ("department", None); "其中：财政拨款" -> ("fund_fiscal", None);
        "年度资金总额：120" and "总额10606.75万元" -> ("budget", "120" / "10606.75万元");
        "年初设定目标：确保…" (a goal head with its text) -> ("goal", "确保…").
        """
        cache = self._label_cache
        if cell in cache:
            return cache[cell]
        out = self._label(cell)
        if len(cache) > _CACHE_MAX:  # bounded: a bulk ingest sees millions of distinct cells
            cache.clear()
        cache[cell] = out
        return out

    def _label(self, cell: str) -> tuple[str, str | None] | None:
        if cell[0] in "≥≤><=＞＜＝" or (len(cell) > 30 and ":" not in cell[:26] and "：" not in cell[:26]):
            return None  # values and long texts without a label in front: most cells of indicator rows
        k = key(cell)
        if not k or len(k) > 60:
            return None
        bare = _bare_label(k)
        if bare and len(bare) <= 24:
            hit = self.lookup("label", bare)
            if hit is not None:
                return hit, None
        # A label and its value in one cell: "项目名称：…", "财政拨款:90", "总额10606.75万元".
        m = _INLINE.match(cell.strip())
        if m:
            head = _bare_label(key(m.group(1)))
            hit = self.lookup("label", head) if head else None
            if hit is None and head:
                hit = self.lookup("goal_head", head)
            if hit is not None:
                return hit, m.group(2).strip()
        # "总额10606.75万元": an amount label and the amount, no colon.
        first_digit = next((i for i, ch in enumerate(k[:25]) if ch.isdigit()), -1)  # (only 2–24 counts)
        if 2 <= first_digit <= 24 and _AMOUNT_TAIL.fullmatch(k[first_digit:]):
            head = _bare_label(k[:first_digit])
            hit = self.lookup("label", head) if head else None
            if hit in ("budget", "fund_fiscal", "fund_carryover", "fund_other"):
                return hit, k[first_digit:]
        return None

    def goal_head(self, cell: str) -> str | None:
        """Given a cell, returns the goal field it heads (预期目标 -> goal, 实际完成情况 -> goal_summary)."""
        cache = self._head_cache
        hit = cache.get(cell, _MISSING)
        if hit is _MISSING:
            if len(cache) > _CACHE_MAX:
                cache.clear()
            hit = cache[cell] = None if len(cell) > 40 else self.lookup("goal_head", _bare_label(key(cell)) or cell)
        return hit

    def first_cell_kind(self, cell: str) -> str | None:
        """Given a row's first non-empty cell, returns "total", "footer" or "not_indicator" when the
        cell makes the row one (总分, 说明…, 评价结论), else None. (The row kind is the caller's:
        the interpreter maps these names to its own.)"""
        cache = self._first_cache
        if cell in cache:
            return cache[cell]
        if len(cache) > _CACHE_MAX:
            cache.clear()
        out = None
        k = key(cell)
        for role in ("total", "footer", "not_indicator"):
            if self._find(role, k):
                out = role
                break
        cache[cell] = out
        return out

    def title_kind(self, squeezed: str) -> str | None:
        """Given a row's text without whitespace, returns goal / self_eval when it names a table."""
        if self._title_marks.search(squeezed) is None:
            return None
        k = unicodedata.normalize("NFKC", squeezed)
        kinds = {means for word, means in self._words["title"].exact.items() if word in k}
        if not kinds:
            return None
        return "self_eval" if "self_eval" in kinds else "goal"

    def title_scope(self, squeezed: str) -> str:
        """Given a title, returns "department" for 部门整体 tables, else "project"."""
        k = unicodedata.normalize("NFKC", squeezed)
        return "department" if any(word in k for word in self._words["title_scope"].exact) else "project"

    def level1(self, name: str) -> str | None:
        """Given a first-level name without points ("产出指标"), returns its canonical name."""
        return _level(self._words["level1"].exact, name)

    def level2(self, name: str) -> str | None:
        """Given a second-level name without points, returns its canonical name."""
        return _level(self._words["level2"].exact, name)


def _level(exact: dict[str, str], name: str) -> str | None:
    # 云南's form prints the level as a list head: "服务对象满意度指标等".
    hit = exact.get(name)
    if hit is None and len(name) > 3 and name.endswith("等"):
        hit = exact.get(name[:-1])
    return hit


def _any_of(words: list[str]) -> re.Pattern[str]:
    """Given words, returns a pattern finding any of them, spaces allowed between characters."""
    alts = sorted({w for w in words if w}, key=len, reverse=True)
    if not alts:
        return re.compile(r"(?!)")
    return re.compile("|".join(r"\s*".join(re.escape(ch) for ch in unicodedata.normalize("NFKC", w)) for w in alts))


def _bare_label(k: str) -> str:
    """Given a key, returns it without a leading item number (1. / 一、 / (一)) or 其中."""
    k = _ENUM.sub("", k)
    if k.startswith("其中"):
        k = k[2:].lstrip(":")
    return k


def _normalise_word(word: str) -> str:
    w = without_space(unicodedata.normalize("NFKC", word))
    return w if w.endswith(("*", ":*")) else w.rstrip(":")


def _read(path: Path) -> dict[str, _Words]:
    words = {role: _Words() for role in ROLES}
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as e:
        raise VocabularyError(f"词表文件无法读取：{path}（{e.strerror or e}）") from e
    rows = csv.reader(text.splitlines())
    header = next(rows, None)
    if not header or [h.strip() for h in header[:3]] != ["role", "word", "means"]:
        raise VocabularyError(f"{path}: 第1行应为表头 role,word,means,note")
    for lineno, row in enumerate(rows, start=2):
        if not row or not row[0].strip() or row[0].lstrip().startswith("#"):
            continue
        role = row[0].strip()
        word = row[1].strip() if len(row) > 1 else ""
        means = row[2].strip() if len(row) > 2 else ""
        allowed = ROLES.get(role, ())
        if role not in ROLES:
            raise VocabularyError(f"{path}:{lineno}: 未知的 role「{role}」，可用：{'、'.join(ROLES)}")
        if not word:
            raise VocabularyError(f"{path}:{lineno}: 缺少 word")
        if allowed is not None and means not in allowed:
            raise VocabularyError(f"{path}:{lineno}: role「{role}」的 means 应为 {' / '.join(a or '(空)' for a in allowed)}，"
                                  f"不是「{means}」")
        if role in ("level1", "level2"):
            from jixiao.levels import LEVEL1, LEVEL2

            if means not in (LEVEL1 if role == "level1" else LEVEL2):
                raise VocabularyError(f"{path}:{lineno}: 「{means}」不是规范的{'一' if role == 'level1' else '二'}级指标名称")
        bucket = words[role]
        if word.startswith("re:"):
            try:
                bucket.patterns.append((re.compile(word[3:]), means))
            except re.error as e:
                raise VocabularyError(f"{path}:{lineno}: 正则表达式有误：{e}") from e
        elif word.endswith("*"):
            bucket.prefixes.append((_normalise_word(word[:-1]), means))
        else:
            bucket.exact[_normalise_word(word)] = means
    for bucket in words.values():
        bucket.prefixes.sort(key=lambda t: len(t[0]), reverse=True)
    return words


@lru_cache(maxsize=8)
def _load(path: str, mtime: float) -> Vocabulary:
    p = Path(path)
    return Vocabulary(p, _read(p))


def load(path: str | Path | None = None) -> Vocabulary:
    """Given a vocabulary file (default: the bundled one), returns it loaded and checked.

    Cached per file and modification time, so each process reads a file once. Raises
    `VocabularyError` (a Chinese message with the file and line) for a file it cannot use.
    """
    p = Path(path) if path else DEFAULT_PATH
    try:
        mtime = p.stat().st_mtime
    except OSError as e:
        raise VocabularyError(f"词表文件不存在：{p}") from e
    return _load(str(p.resolve()), mtime)


_current: tuple[str | None, Vocabulary] | None = None


def current() -> Vocabulary:
    """Returns the vocabulary in use: the file named by $JIXIAO_VOCABULARY, else the bundled one.

    Read once per process and value of the variable (`load` re-reads a file that changed).
    """
    global _current
    env = os.environ.get(ENV) or None
    if _current is None or _current[0] != env:
        _current = (env, load(env))
    return _current[1]
