"""Real counties (GB/T 2260, datasets/gazetteer/adcodes.csv) and made-up town names.

A county qualifies when its full name occurs once in the gazetteer, is three characters or
longer, and the region resolver places "<county>人力资源和社会保障局" in exactly that county — so
every synthetic unit resolves. Town names are two characters from vocab.PLACE_CHARS, never a
gazetteer name or short form, and each is given to one county only (so a town name is enough
to tell two counties' indicators apart).
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from functools import lru_cache

from jixiao.regions import GAZETTEER_PATH, resolve
from jixiao.synth import vocab

TOWNS_PER_COUNTY = 14


@dataclass(frozen=True)
class County:
    adcode: str        # 6 digits
    name: str          # full name, e.g. 仪陇县
    province: str
    city: str | None
    short: str         # the county's name as used inside indicator names (short form for 自治县)
    prefix: str        # its city (or province), written before it in county-wide indicator names

    @property
    def subject(self) -> str:
        """The subject of a county-wide programme: 常德津市市, 怀化芷江 (a county name alone
        differs from another county's in too few characters to tell their indicators apart)."""
        return self.prefix + self.short


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    with GAZETTEER_PATH.open(encoding="utf-8-sig", newline="") as fh:
        return {row["adcode"].strip(): row["name"].strip() for row in csv.DictReader(fh)}


@lru_cache(maxsize=1)
def _candidates() -> tuple[tuple[str, str], ...]:
    """Returns (adcode6, name) of the county-level divisions with a unique, resolvable-looking
    name, sorted by code (the order the seed shuffles)."""
    names = _names()
    counts: dict[str, int] = {}
    for n in names.values():
        counts[n] = counts.get(n, 0) + 1
    out = []
    for code, name in sorted(names.items()):
        if code[4:6] == "00" or code[6:] != "000000" or code[2:4] == "00":
            continue
        if counts[name] != 1 or len(name) < 3 or name in ("市辖区",):
            continue
        if not name.endswith(("县", "旗", "市", "区")):
            continue
        out.append((code[:6], name))
    return tuple(out)


@lru_cache(maxsize=4096)
def _check(code: str, name: str) -> County | None:
    """Given a candidate county, returns it when the resolver places its units in it."""
    r1 = resolve(f"{name}人力资源和社会保障局")
    r2 = resolve(f"{name}第一中学")
    if r1.county != name or r2.county != name or r1.province is None:
        return None
    short = name
    if "自治" in name:
        from jixiao.regions import _short_form

        short = _short_form(name) or name
    from jixiao.regions import _short_form

    above = r1.city or r1.province
    prefix = _short_form(above) or above
    return County(code, name, r1.province, r1.city, short, prefix)


def choose_counties(n: int, seed: int) -> list[County]:
    """Given how many and a seed, returns n distinct counties (deterministic; districts are
    allowed but counties, banners and county-level cities come first)."""
    rng = random.Random(f"jixiao-synth-counties:{seed}")
    cands = list(_candidates())
    rng.shuffle(cands)
    # Mostly 县/旗/县级市, a few districts, as in a real national sample.
    cands.sort(key=lambda c: 0 if not c[1].endswith("区") else 1 if rng.random() < 0.25 else 2)
    out: list[County] = []
    cities: set[str] = set()
    grams: list[set[str]] = []
    # One county per city first (their indicators then differ in the city's name too); and
    # never two counties whose subjects (城市简称 + 县名) differ in fewer than 3 character pairs
    # (宿迁泗阳县 / 宿迁泗洪县): their county-wide indicators would read alike.
    for pass_ in (0, 1):
        for code, name in cands:
            if len(out) == n:
                break
            if (pass_ == 0) == (code[:4] in cities) or any(c.adcode == code for c in out):
                continue
            c = _check(code, name)
            if c is None:
                continue
            g = _bigrams(c.subject + "\x00")  # as in a name: the subject, then the rest
            if any(len(g - h) < 3 or len(h - g) < 3 for h in grams):
                continue
            out.append(c)
            grams.append(g)
            cities.add(code[:4])
    if len(out) < n:
        raise ValueError(f"only {len(out)} counties with unique names are available, {n} asked")
    return out


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)}


@lru_cache(maxsize=1)
def _forbidden() -> frozenset[str]:
    """Returns gazetteer full names and their two-character stems (a town must not look like a
    real place to the resolver)."""
    out = set()
    for name in _names().values():
        out.add(name)
        out.add(name[:2])
    return frozenset(out)


def village_stems(seed: int, n_counties: int, index: int) -> list[str]:
    """Given a seed, the number of counties and a county's index, returns the two-character
    village / community names that county may use: every county gets its own share, so a
    village name is never repeated in another county (a town name alone differs from another
    county's in too few characters)."""
    rng = random.Random(f"jixiao-synth-villages:{seed}")
    chars = vocab.PLACE_CHARS
    stems = [a + b for a in chars for b in chars]
    rng.shuffle(stems)
    return stems[index::n_counties]


def town_pool(seed: int, n_counties: int) -> list[list[str]]:
    """Given a seed and a number of counties, returns TOWNS_PER_COUNTY town names per county,
    all distinct across the corpus."""
    rng = random.Random(f"jixiao-synth-towns:{seed}")
    chars = vocab.PLACE_CHARS
    stems = [a + b for a in chars for b in chars if a != b]
    stems = [s for s in stems if s not in _forbidden()]
    rng.shuffle(stems)
    need = n_counties * TOWNS_PER_COUNTY
    if need > len(stems):
        raise ValueError(f"too many counties for the town-name pool ({len(stems) // TOWNS_PER_COUNTY} at most)")
    out = []
    for i in range(n_counties):
        part = stems[i * TOWNS_PER_COUNTY:(i + 1) * TOWNS_PER_COUNTY]
        out.append([s + rng.choice(vocab.TOWN_SUFFIXES) for s in part])
    return out
