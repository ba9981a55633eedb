"""Canonical indicator levels (一级/二级指标) and their synonyms, as CONTRACT.md states them.

The tables write level names with spaces inside ("产出 指标 (40 分)"), declared points and
older synonyms (绩效指标 for 效益指标; 成本指标 as a second level under 产出指标). Matching
is on the text with whitespace removed and the points suffix cut off.
"""

from __future__ import annotations

import re

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

# Written first-level names -> canonical. 绩效指标 is the older name of 效益指标 (001).
LEVEL1_SYNONYMS = {
    "产出指标": "产出指标",
    "效益指标": "效益指标",
    "绩效指标": "效益指标",
    "成本指标": "成本指标",
    "满意度指标": "满意度指标",
}

# Written second-level names -> canonical.
LEVEL2_SYNONYMS = {
    **{name: name for name in LEVEL2},
    "成本指标": "经济成本指标",
    "满意度指标": "服务对象满意度指标",
    "生态环境效益指标": "生态效益指标",
    "可持续发展指标": "可持续影响指标",
    "可持续影响效益指标": "可持续影响指标",
    "服务对象满意指标": "服务对象满意度指标",
    "社会公众满意度指标": "服务对象满意度指标",
    "经济成本": "经济成本指标",
    "社会成本": "社会成本指标",
    "生态环境成本": "生态环境成本指标",
}
# Only names ending in 指标 (or the bare cost kinds) are levels: "服务对象满意度" without 指标
# is the most common 三级指标 name there is.

_POINTS = re.compile(r"[（(]\s*(\d+(?:\.\d+)?)\s*分\s*[)）]\s*$")
_SPACE = re.compile(r"\s+")


def squeeze(text: str) -> str:
    """Given cell text, returns it without any whitespace (PDF extraction splits words)."""
    return _SPACE.sub("", text or "")


def split_points(text: str) -> tuple[str, float | None]:
    """Given a level cell such as "产出 指标 (40 分)", returns ("产出指标", 40.0)."""
    s = squeeze(text)
    m = _POINTS.search(s)
    if m:
        return s[: m.start()], float(m.group(1))
    return s, None


def canonical_level1(text: str) -> str | None:
    """Given a written first-level label, returns its canonical name or None if it is not one."""
    name, _ = split_points(text)
    return LEVEL1_SYNONYMS.get(name)


def canonical_level2(text: str) -> str | None:
    """Given a written second-level label, returns its canonical name or None if it is not one."""
    name, _ = split_points(text)
    return LEVEL2_SYNONYMS.get(name)


def canonicalize(level1_raw: str | None, level2_raw: str | None) -> tuple[str | None, str | None]:
    """Given the raw first and second level of an indicator, returns the canonical pair.

    A cost indicator is always under 成本指标, also where an older table files 成本指标 as a
    second level under 产出指标; a known second level decides its first level.
    """
    l2 = canonical_level2(level2_raw) if level2_raw else None
    l1 = canonical_level1(level1_raw) if level1_raw else None
    if l2 is not None:
        parent = LEVEL2_PARENT[l2]
        if parent == "成本指标" or l1 is None:
            l1 = parent
    return l1, l2
