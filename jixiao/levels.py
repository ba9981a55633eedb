"""Canonical indicator levels (一级/二级指标) and their synonyms, as CONTRACT.md states them.

The tables write level names with spaces inside ("产出 指标 (40 分)"), declared points and
older synonyms (绩效指标 for 效益指标; 成本指标 as a second level under 产出指标). Matching
is on the text with whitespace removed and the points suffix cut off.
"""

from __future__ import annotations

import re
from functools import lru_cache

from jixiao import vocabulary

LEVEL1 = ("产出指标", "效益指标", "成本指标", "满意度指标")

LEVEL2_PARENT = {
    "数量指标": "产出指标",
    "质量指标": "产出指标",
    "时效指标": "产出指标",
    "经济成本指标": "成本指标",
    "社会成本指标": "成本指标",
    "生态环境成本指标": "成本指标",
    "经济效益指标": "效益指标",
    "社会效益指标": "效益指标",
    "生态效益指标": "效益指标",
    "可持续影响指标": "效益指标",
    "服务对象满意度指标": "满意度指标",
}
LEVEL2 = tuple(LEVEL2_PARENT)

# Written level names and their synonyms (绩效指标 for 效益指标; 成本指标 as a second level; 社会公众或
# 服务对象满意度指标 …) are data: roles level1 / level2 of datasets/vocabulary.csv. Only names ending in
# 指标 (or the bare cost kinds) are levels: "服务对象满意度" without 指标 is the most common 三级指标 name.

# First levels a second level always decides, whatever first level it is written under.
_DECIDED_BY_LEVEL2 = ("成本指标", "满意度指标")

_POINTS = re.compile(r"[（(]\s*(\d+(?:\.\d+)?)\s*分\s*[)）]\s*$")


@lru_cache(maxsize=262144)
def squeeze(text: str) -> str:
    """Given cell text, returns it without any whitespace (PDF extraction splits words)."""
    return vocabulary.without_space(text) if text else ""


@lru_cache(maxsize=65536)
def split_points(text: str) -> tuple[str, float | None]:
    """Given a level cell such as "产出 指标 (40 分)", returns ("产出指标", 40.0)."""
    s = squeeze(text)
    m = _POINTS.search(s)
    if m:
        return s[: m.start()], float(m.group(1))
    return s, None


def canonical_level1(text: str, vocab: vocabulary.Vocabulary | None = None) -> str | None:
    """Given a written first-level label, returns its canonical name or None if it is not one."""
    name, _ = split_points(text)
    return (vocab or vocabulary.current()).level1(name)


def canonical_level2(text: str, vocab: vocabulary.Vocabulary | None = None) -> str | None:
    """Given a written second-level label, returns its canonical name or None if it is not one."""
    name, _ = split_points(text)
    return (vocab or vocabulary.current()).level2(name)


def canonicalize(level1_raw: str | None, level2_raw: str | None,
                 vocab: vocabulary.Vocabulary | None = None) -> tuple[str | None, str | None]:
    """Given the raw first and second level of an indicator (and the vocabulary, by default the
    one in use), returns the canonical pair.

    A cost indicator is always under 成本指标, also where an older table files 成本指标 as a
    second level under 产出指标; likewise a satisfaction second level (社会公众或服务对象满意度指标,
    which older 申报表 put under 效益指标) is always under 满意度指标. Otherwise a known second level
    decides the first level only where none is written.
    """
    l2 = canonical_level2(level2_raw, vocab) if level2_raw else None
    l1 = canonical_level1(level1_raw, vocab) if level1_raw else None
    if l2 is not None:
        parent = LEVEL2_PARENT[l2]
        if parent in _DECIDED_BY_LEVEL2 or l1 is None:
            l1 = parent
    return l1, l2
