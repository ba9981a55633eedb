"""Province, city and county of a project from its unit, department or title text.

The gazetteer is the GB/T 2260 division table in ``datasets/gazetteer/adcodes.csv`` (12-digit
codes: the province is the first 2 digits, the city the first 4). A user-editable table,
``datasets/region_overrides.csv``, settles names the gazetteer cannot (development zones,
nicknames); it is checked first.

Matching is a dictionary scan, leftmost-longest, over two vocabularies:

- full names (芷江侗族自治县, 固原市, 宁夏回族自治区);
- short forms with the level suffix and any minority names cut off (芷江, 固原, 宁夏). Short
  forms are ordinary words often enough (和平, 东方, 中山) that one only counts with support:
  followed by a level character (芷江县, 宁夏区) or an organisation word (芷江社保, 固原人社),
  next to another place name (湖南怀化, 北京朝阳社保), or at the start of the text when it is
  a province's short form or 3 characters or longer (广西大学, 库尔勒…).

Two-character full names (新县, 高县, 成县) hide inside phrases like 创新县域 and 提高县级, so
they need the start of the text or a place name right before them (重庆市忠县). Names that
every city uses for its own districts (城区, 矿区, 郊区, 市中区 …) only count when their city
is named too.

Several places can share a name (朝阳区 in 北京 and 长春). The other names found in all the
given texts disambiguate (吉林省长春市朝阳区); without them the county stays unresolved.
"""

from __future__ import annotations

import csv
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from jixiao.vocabulary import without_space

if TYPE_CHECKING:
    import polars

_DATASETS = Path(__file__).resolve().parent.parent / "datasets"
GAZETTEER_PATH = _DATASETS / "gazetteer" / "adcodes.csv"
DEFAULT_OVERRIDES_PATH = _DATASETS / "region_overrides.csv"


@dataclass(frozen=True)
class Region:
    province: str | None
    city: str | None
    county: str | None
    matched: str | None  # the text fragment that decided it, None when unresolved


UNRESOLVED = Region(None, None, None, None)

# Municipalities: their prefecture rows are placeholders (市辖区, 县), the city is the
# municipality itself.
_MUNICIPALITIES = frozenset({"11", "12", "31", "50"})

# Placeholder rows that name no place.
_PLACEHOLDERS = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})

# District names many cities use for their own centre or outskirts; they also read as
# ordinary words in project titles (城区道路, 矿区治理). They count only with their city named.
_GENERIC = frozenset(
    {
        "城区", "矿区", "郊区", "东区", "西区", "城东区", "城西区", "城北区", "城中区",
        "市中区", "城关区", "新城区", "老城区", "古城区",
    }
)  # fmt: skip

# Level suffixes cut off to make short forms, longest first so 自治县 wins over 县.
_SUFFIXES = (
    "特别行政区", "自治区", "自治州", "自治县", "自治旗", "地区", "林区", "特区", "新区",
    "省", "市", "县", "区", "旗", "盟",
)  # fmt: skip

# The 56 nationalities as they appear in autonomous-area names, with or without 族
# (巴音郭楞蒙古自治州, 伊犁哈萨克自治州).
_ETHNIC = (
    "汉 蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 "
    "拉祜 水 东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 "
    "怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺"
).split()
_TRAILING_ETHNIC = re.compile(
    "(?:" + "|".join(sorted(_ETHNIC, key=len, reverse=True)) + ")族?$"
)

# A level character right after a short form tells which of its places is meant
# (海南州 is the prefecture, not the province; 芷江县 the county).
_LEVEL_CHARS = frozenset("省市县区州旗盟")

# Words that start an organisation's name after a place's short form (芷江社保中心, 固原人社局).
_ORG_WORDS = re.compile(
    "人社|人力资源|社保|社会保险|医保|医疗保障|财政|民政|教育|卫健|卫生健康|人民|政府|发改|"
    "发展和改革|农业|农村|水利|交通|住建|住房|自然资源|生态环境|文旅|文化|公安|司法|审计|统计|"
    "税务|林业|林草|商务|应急|退役军人|残联|妇联|团委|总工会|党委|县委|市委|区委|纪委|人大|政协|"
    "机关|事务|行政审批|市场监管|乡村振兴|扶贫|供销|科技|工信|经信|体育|广电|气象|地震|档案|"
    "老干|住房公积金|就业|城管|城市管理"
)

# Text before a name that still counts as its start (中共芷江县委).
_PREFIXES = ("中共",)


@dataclass(frozen=True)
class _Place:
    """One GB/T 2260 division with the names of the units above it."""

    code: str
    name: str
    level: int  # 1 province, 2 prefecture, 3 county
    prov_code: str
    city_code: str | None  # None for a province and for counties directly under one
    province: str
    city: str | None
    county: str | None
    generic: bool


@dataclass(frozen=True)
class _Gazetteer:
    full: dict[str, tuple[_Place, ...]]
    short: dict[str, tuple[_Place, ...]]
    province_stems: frozenset[str]
    lengths: dict[str, tuple[int, ...]]  # first character -> key lengths, longest first


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    fragment: str
    places: tuple[_Place, ...]
    full: bool
    anchored: bool  # valid on its own; otherwise it needs a valid neighbour


def _short_form(name: str) -> str | None:
    """Given a division's full name, returns its short form (芷江侗族自治县 → 芷江), or None
    when that would be shorter than 2 characters."""
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            stem = name[: -len(suffix)]
            break
    else:
        return None
    if suffix.startswith("自治"):
        # Cut the nationalities, but never down to one character (内蒙古, 西藏 stay).
        while True:
            cut = _TRAILING_ETHNIC.search(stem)
            if cut is None or cut.start() < 2:
                break
            stem = stem[: cut.start()]
    return stem if len(stem) >= 2 else None


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


@functools.lru_cache(maxsize=1)
def _gazetteer(path: Path = GAZETTEER_PATH) -> _Gazetteer:
    """Given the adcodes CSV, returns the name indexes (built once per process)."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        names = {row["adcode"].strip(): row["name"].strip() for row in csv.DictReader(fh)}

    places: list[_Place] = []
    for code, name in names.items():
        if name in _PLACEHOLDERS:
            continue
        prov_code, city_digits = code[:2], code[2:4]
        province = names.get(prov_code + "0" * 10)
        if province is None:
            continue
        municipality = prov_code in _MUNICIPALITIES
        if code[2:] == "0" * 10:
            level = 1
        elif code[4:] == "0" * 8:
            level = 2
        else:
            level = 3
        if municipality:
            # One city code for the municipality itself and for all its districts and counties.
            city_code, city = prov_code + "00", province
        elif level == 1 or city_digits == "90":
            # 90 = 省直辖县级行政区划: counties (仙桃市, 石河子市) with no prefecture above them.
            city_code, city = None, None
        else:
            city_code, city = code[:4], names.get(code[:4] + "0" * 8)
        places.append(
            _Place(
                code=code,
                name=name,
                level=level,
                prov_code=prov_code,
                city_code=city_code,
                province=province,
                city=city,
                county=name if level == 3 else None,
                generic=name in _GENERIC,
            )
        )

    full: dict[str, list[_Place]] = {}
    short: dict[str, list[_Place]] = {}
    province_stems: set[str] = set()
    for place in places:
        full.setdefault(place.name, []).append(place)
        stem = None if place.generic else _short_form(place.name)
        if stem is not None:
            short.setdefault(stem, []).append(place)
            if place.level == 1:
                province_stems.add(stem)

    lengths: dict[str, set[int]] = {}
    for key in (*full, *short):
        lengths.setdefault(key[0], set()).add(len(key))
    return _Gazetteer(
        full={k: tuple(v) for k, v in full.items()},
        short={k: tuple(v) for k, v in short.items()},
        province_stems=frozenset(province_stems),
        lengths={k: tuple(sorted(v, reverse=True)) for k, v in lengths.items()},
    )


@functools.lru_cache(maxsize=8)
def _overrides(path: Path) -> tuple[tuple[str, Region], ...]:
    """Given the overrides CSV, returns (match, region) pairs, longest match first; a missing
    file gives none."""
    if not path.is_file():
        return ()
    rows: list[tuple[str, Region]] = []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            match = without_space(row.get("match") or "")
            if not match:
                continue

            def field(key: str) -> str | None:
                return (row.get(key) or "").strip() or None

            rows.append(
                (match, Region(field("province"), field("city"), field("county"), match))
            )
    rows.sort(key=lambda pair: len(pair[0]), reverse=True)
    return tuple(rows)


def _scan(text: str, gaz: _Gazetteer) -> list[_Hit]:
    """Given one squeezed text, returns the place names found in it, left to right, without
    overlaps."""
    n = len(text)
    hits: list[_Hit] = []
    for i, ch in enumerate(text):
        for length in gaz.lengths.get(ch, ()):
            end = i + length
            if end > n:
                continue
            key = text[i:end]
            nxt = text[end] if end < n else ""
            after = text[end + 1] if end + 1 < n else ""
            places = gaz.full.get(key)
            # 区域 means "area": 江北区域 names no district.
            if places is not None and not (key.endswith("区") and nxt == "域"):
                hits.append(_Hit(i, end, key, places, True, length > 2))
            places = gaz.short.get(key)
            if places is None:
                continue
            if nxt in _LEVEL_CHARS and not (nxt == "区" and after == "域"):
                fitting = tuple(p for p in places if p.name.endswith(nxt))
                if fitting:
                    hits.append(_Hit(i, end + 1, key + nxt, fitting, False, True))
            anchored = _ORG_WORDS.match(text, end) is not None or (
                _at_start(text, i) and (length >= 3 or key in gaz.province_stems)
            )
            hits.append(_Hit(i, end, key, places, False, anchored))
    if not hits:
        return hits

    # Hits that are not valid on their own become valid next to a valid one (重庆市忠县,
    # 湖南怀化); two-character full names also at the start of the text (忠县人社局).
    valid = [h.anchored or (h.full and _at_start(text, h.start)) for h in hits]
    changed = True
    while changed:
        changed = False
        ends = {h.end for h, ok in zip(hits, valid) if ok}
        starts = {h.start for h, ok in zip(hits, valid) if ok}
        for k, h in enumerate(hits):
            if valid[k]:
                continue
            if h.start in ends or (not h.full and h.end in starts):
                valid[k] = changed = True

    # Leftmost-longest; a full name beats a short form of the same span.
    chosen: list[_Hit] = []
    pos = 0
    for h in sorted(
        (h for h, ok in zip(hits, valid) if ok),
        key=lambda h: (h.start, h.start - h.end, not h.full),
    ):
        if h.start >= pos:
            chosen.append(h)
            pos = h.end
    return chosen


def _at_start(text: str, i: int) -> bool:
    """Given a text and a position, returns whether a name may start there: the text's start,
    after a non-Chinese character (a code like 316004), or after a prefix like 中共."""
    return i == 0 or not _is_cjk(text[i - 1]) or any(text.endswith(p, 0, i) for p in _PREFIXES)


def _context(groups: Iterable[tuple[_Place, ...]]) -> tuple[set[str], set[str]]:
    """Given candidate groups, returns the provinces and cities that some group names
    unambiguously."""
    provinces: set[str] = set()
    cities: set[str] = set()
    for places in groups:
        if not places or all(p.generic for p in places):
            continue
        prov = {p.prov_code for p in places}
        if len(prov) == 1:
            provinces |= prov
        city = {p.city_code for p in places}
        if len(city) == 1 and None not in city:
            cities |= city  # type: ignore[arg-type]
    return provinces, cities


def _narrow(hit: _Hit, provinces: set[str], cities: set[str]) -> tuple[_Place, ...]:
    """Given a hit and the provinces and cities named elsewhere, returns the hit's places
    consistent with them."""
    places = (
        tuple(p for p in hit.places if p.city_code in cities)
        or tuple(p for p in hit.places if p.prov_code in provinces)
        or hit.places
    )
    places = tuple(p for p in places if not p.generic or p.city_code in cities)
    if not hit.full and len(places) > 1:
        # A short form shared by levels is far more often the higher one (河南 the province,
        # not 河南蒙古族自治县).
        top = min(p.level for p in places)
        places = tuple(p for p in places if p.level == top)
    return places


def _decide(hits: list[_Hit]) -> Region:
    """Given the hits from all texts in order, returns the most specific unambiguous region."""
    provinces, cities = _context(h.places for h in hits)
    narrowed = [_narrow(h, provinces, cities) for h in hits]
    # Once more with what the first round settled (北京朝阳社保: 朝阳 needs 北京's context).
    provinces, cities = _context(narrowed)
    narrowed = [_narrow(h, provinces, cities) for h in hits]
    pairs = list(zip(hits, narrowed))

    for hit, places in pairs:
        if len(places) == 1 and places[0].level == 3:
            p = places[0]
            return Region(p.province, p.city, p.county, hit.fragment)
    for hit, places in pairs:
        if places and len({p.city_code for p in places}) == 1 and places[0].city_code:
            p = places[0]
            return Region(p.province, p.city, None, hit.fragment)
    for hit, places in pairs:
        if places and len({p.prov_code for p in places}) == 1:
            return Region(places[0].province, None, None, hit.fragment)
    return UNRESOLVED


@functools.lru_cache(maxsize=65536)
def _resolve(texts: tuple[str, ...], overrides_path: Path) -> Region:
    """Given squeezed texts and the overrides file, returns their region (cached: the same
    unit recurs across many projects)."""
    for match, region in _overrides(overrides_path):
        if any(match in text for text in texts):
            return region
    hits = [h for text in texts for h in _scan_once(text)]
    return _decide(hits)


@functools.lru_cache(maxsize=65536)
def _scan_once(text: str) -> tuple[_Hit, ...]:
    """`_scan` over the gazetteer, cached: a unit's name recurs in every project it files, while
    the document text it is resolved with differs from file to file."""
    return tuple(_scan(text, _gazetteer()))


def resolve(*texts: str | None, overrides_path: Path | None = None) -> Region:
    """Given texts about one project, most telling first (unit name, department name,
    document title), returns the most specific region they name unambiguously.

    The overrides table is checked first (longest match first); then the gazetteer. A
    county-level result carries its province and city; a municipality's city is the
    municipality (北京市朝阳区 → 北京市, 北京市, 朝阳区); a county directly under its province
    (仙桃市, 石河子市) has city None. Texts naming no place give ``Region(None, None, None,
    None)``.
    """
    squeezed = tuple(without_space(t) for t in texts if isinstance(t, str) and t.strip())
    path = DEFAULT_OVERRIDES_PATH if overrides_path is None else Path(overrides_path)
    return _resolve(squeezed, path)


def region_note(texts: Iterable[str | None], region: Region) -> str | None:
    """Given the texts a region was resolved from and the region, returns the Chinese note a
    user sees when no province was found, or None when one was."""
    if region.province is not None:
        return None
    shown = [t.strip() for t in texts if isinstance(t, str) and t.strip()]
    if not shown:
        return "没有单位、部门或名称可用于识别所属地区，可在 datasets/region_overrides.csv 中补充"
    quoted = "".join(f"「{t}」" for t in shown)
    return f"无法从{quoted}识别所属地区，可在 datasets/region_overrides.csv 中补充"


def resolve_region_columns(
    df: polars.DataFrame,
    columns: list[str],
    overrides_path: Path | None = None,
) -> polars.DataFrame:
    """Given a frame and the names of its text columns, most telling first (e.g. ``["unit",
    "department", "name"]``), returns the frame with ``province``, ``city``, ``county`` and
    ``region_note`` columns added (replacing any of that name).

    Rows with the same texts are resolved once.
    """
    import polars as pl

    seen: dict[tuple[object, ...], tuple[str | None, ...]] = {}
    out: list[tuple[str | None, ...]] = []
    for texts in df.select(columns).iter_rows():
        row = seen.get(texts)
        if row is None:
            strings = [None if t is None else str(t) for t in texts]
            region = resolve(*strings, overrides_path=overrides_path)
            row = (region.province, region.city, region.county, region_note(strings, region))
            seen[texts] = row
        out.append(row)
    names = ("province", "city", "county", "region_note")
    return df.with_columns(
        pl.Series(name, [r[k] for r in out], dtype=pl.String) for k, name in enumerate(names)
    )
