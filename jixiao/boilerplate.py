"""Template and near-duplicate detection over short Chinese texts (rules JX401, JX402).

The method follows TECH_NOTES "Near-duplicate text at scale":

1. normalise every text (NFKC, no whitespace or punctuation, digit runs -> "#") and keep each
   distinct normalised text once (exact duplicates are one node);
2. MinHash over the character bigrams of each distinct text (numpy, multiply-shift hashing of
   mixed 64-bit bigram codes), then LSH banding;
3. inside each bucket every text is linked to ONE representative of that bucket ("star" edges,
   the representative chosen at random per band), so a bucket of k texts gives k-1 edges and
   never k²/2 pairs;
4. every edge is checked with the exact bigram Jaccard similarity (edges whose MinHash estimate is
   far below the threshold are dropped first); only edges at or above the threshold are kept;
5. connected components of the verified edges are the clusters.

`text_clusters` is the core over a list of texts; `template_clusters` applies it to indicator
texts (name + target + description) and describes the clusters by projects (a goal table and
its own self-evaluation are one project), units and years, with an honest similarity: the
lowest pairwise similarity of the texts as written (numbers and signs included), since the
clustering itself reads every number as "#" (≥92% and ≥95% are the same to it);
`set_lsh_pairs` applies the same banding to sets of tokens (JX402 compares projects as sets of
indicators). `exact_all_pairs_clusters` is the slow exact reference used to measure recall.

At a million indicators the work is done on numbers, not strings: each distinct (name, target,
description) is joined into a text once, and `template_members` keeps beside its frame the same
rows with their cluster, text, unit and project numbered (`_Factors`), which `cluster_details`
and `template_clusters` sort and count; strings are gathered once, for the tables.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor
import unicodedata
import weakref
from typing import Iterable, NamedTuple, Sequence

import numpy as np
import polars as pl

from jixiao.textkeys import SPACE_RUN, as_nfkc


# Short names that every unit uses on purpose; JX401 leaves them out whatever their target is.
COMMON_NAMES: tuple[str, ...] = (
    "受益人员满意度", "受益群众满意度", "受益对象满意度", "受益群体满意度", "受益人群满意度",
    "服务对象满意度", "群众满意度", "社会公众满意度", "参保群众满意度", "参保人员满意度",
    "参保对象满意度", "参保单位满意度", "学生满意度", "家长满意度", "患者满意度", "群众满意率",
    "项目成本", "项目总成本", "成本控制", "项目成本控制", "总成本", "经济成本", "预算控制数",
    "项目完成时间", "项目完成及时率", "完成及时率", "资金支付及时率", "资金拨付及时率",
    "资金发放及时率", "资金到位率", "资金到位及时率", "资金使用合规率", "资金使用合规性",
    "预算执行率", "任务完成率", "工作完成率",
)

_PUNCT_RE = r"[\p{P}\p{S}\p{Z}\s]+"
_DIGITS = re.compile(r"\d+")

_M64 = np.uint64(0xFFFFFFFFFFFFFFFF)
_CODE_BITS = 43                     # a bigram code: 2 x 21-bit code points, bit 42 marks a unigram
_CODE_MASK = np.uint64((1 << _CODE_BITS) - 1)
_UNIGRAM = np.uint64(1 << 42)


# ----------------------------------------------------------------------------- normalisation


def normalise(text: str | None) -> str:
    """Given a text, returns its template form: NFKC (full width -> half width), lower case,
    without whitespace, punctuation or symbols, every run of digits replaced by "#".

    "≥ 98％" -> "#", "总成本８００万元。" -> "总成本#万元". Same result as `normalise_expr`.
    """
    if text is None:
        return ""
    s = unicodedata.normalize("NFKC", str(text))
    s = "".join(ch for ch in s if not (ch.isspace() or unicodedata.category(ch)[0] in "PSZ"))
    return _DIGITS.sub("#", s).lower()


def written_expr(expr: pl.Expr | str, nfkc: bool = True) -> pl.Expr:
    """Given a Polars text expression (or column name), returns the text as written for an
    honest comparison: NFKC (full width -> half width), lower case, no whitespace, ≥ ≤ as >= <=
    (one sign written two ways); numbers, signs and punctuation kept (null -> ""). With
    nfkc=False the text is taken as NFKC already (`jixiao.textkeys`)."""
    e = as_nfkc(pl.col(expr) if isinstance(expr, str) else expr, nfkc, fill="")
    return (e.str.replace_all(SPACE_RUN, "")
            .str.replace_all("≥", ">=", literal=True).str.replace_all("≤", "<=", literal=True).str.to_lowercase())


def written_similarity(a: Sequence[str], b: Sequence[str]) -> np.ndarray:
    """Given two equally long lists of texts (as from `written_expr`), returns per pair their
    similarity as written: the normalised Indel similarity (1 − insertions and deletions needed
    ÷ both lengths; rapidfuzz `fuzz.ratio` / 100), 1.0 for two empty texts."""
    from rapidfuzz import fuzz, process

    if len(a) == 0:
        return np.zeros(0, np.float64)
    return process.cpdist(list(a), list(b), scorer=fuzz.ratio, workers=-1).astype(np.float64) / 100.0


# A cluster with more distinct written texts than this has its pairs scored block by block.
_PAIRS_BLOCK = 2048


def lowest_pairwise(cluster: np.ndarray | pl.Series, written: Sequence[str] | pl.Series) -> dict[str, float]:
    """Given per distinct text its cluster id and its written form (one row per distinct
    (cluster, text)), returns {cluster id: the lowest similarity (`written_similarity`) of any
    two of its texts} — 1.0 for a cluster of one text. Exact: every pair is scored (small
    clusters all at once as pairs, large ones as blocks of a distance matrix)."""
    if len(cluster) == 0:
        return {}
    # sorted by cluster in Polars (a numpy argsort of a million Python strings takes a third of a second)
    cluster = pl.Series("cluster", cluster) if not isinstance(cluster, pl.Series) else cluster
    order = cluster.arg_sort()  # (the order inside a cluster does not change its lowest pair)
    if isinstance(written, pl.Series):
        texts = np.asarray(written.gather(order).to_list(), dtype=object)
    else:
        texts = np.asarray(list(written), dtype=object)[order.to_numpy()]
    ids, lowest = _lowest_pairwise(cluster.gather(order), texts)
    return dict(zip(ids.to_list(), lowest.tolist()))


def _lowest_pairwise(cluster: pl.Series, written: np.ndarray) -> tuple[pl.Series, np.ndarray]:
    """Given per distinct text its cluster, sorted by cluster, and its written form (an object
    array of str), returns (each cluster once, in that order; its lowest pairwise similarity)."""
    from rapidfuzz import fuzz, process

    new = np.ones(len(cluster), dtype=bool)
    new[1:] = (cluster.slice(1) != cluster.slice(0, len(cluster) - 1)).to_numpy()
    starts = np.nonzero(new)[0]
    ends = np.append(starts[1:], len(cluster))
    sizes = ends - starts
    lowest = np.ones(len(starts), dtype=np.float64)  # a cluster of one text: 1.0
    # Small clusters, grouped by size: every pair of every cluster of that size in one call.
    for k in np.unique(sizes[(sizes >= 2) & (sizes <= 64)]):
        groups = np.nonzero(sizes == k)[0]
        i, j = np.triu_indices(int(k), 1)
        left = (starts[groups][:, None] + i[None, :]).ravel()
        right = (starts[groups][:, None] + j[None, :]).ravel()
        sim = written_similarity(written[left], written[right]).reshape(len(groups), len(i))
        lowest[groups] = sim.min(axis=1)
    for g in np.nonzero(sizes > 64)[0]:
        texts = list(written[starts[g]:ends[g]])
        low = 1.0
        for lo in range(0, len(texts), _PAIRS_BLOCK):
            m = process.cdist(texts[lo:lo + _PAIRS_BLOCK], texts[lo:], scorer=fuzz.ratio, workers=-1,
                              dtype=np.float32)
            # only pairs (i, j) with j > i: mask the block's lower triangle and diagonal
            m[np.tril_indices(m.shape[0], 0, m.shape[1])] = np.inf
            low = min(low, float(m.min()) / 100.0)
        lowest[g] = low
    return cluster.gather(starts), lowest


def normalise_expr(expr: pl.Expr | str, nfkc: bool = True) -> pl.Expr:
    """Given a Polars text expression (or column name), returns the vectorised `normalise` of it
    (null -> ""); with nfkc=False the text is taken as NFKC already (`jixiao.textkeys`)."""
    e = as_nfkc(pl.col(expr) if isinstance(expr, str) else expr, nfkc, fill="")
    return (
        e.str.replace_all(_PUNCT_RE, "")
        .str.replace_all(r"\d+", "#")
        .str.to_lowercase()
    )


def unit_key_expr(projects: pl.DataFrame | None = None) -> pl.Expr:
    """Given the projects frame (optional), returns the expression naming a budget unit in it:
    province/city/county/unit (so that two county offices with the same name stay apart), or
    the document id where the unit is unknown. The unit is its canonical name where derive has
    set one, and its presumed group (`unit_group`: pending merges applied) where the frame has
    one (jixiao.units: one unit written two ways is one unit, not two that copy each other)."""
    cols = [pl.col("unit_canonical"), pl.col("unit")]
    if projects is not None and "unit_group" in projects.columns:
        cols.insert(0, pl.col("unit_group"))
    unit = pl.coalesce(cols)
    return (
        pl.when(unit.is_null() | (unit.str.strip_chars() == ""))
        .then(pl.lit("doc:") + pl.col("doc_id").cast(pl.String))
        .otherwise(
            pl.concat_str(
                [pl.col("province"), pl.col("city"), pl.col("county"), unit],
                separator="/", ignore_nulls=True,
            )
        )
    )


# ----------------------------------------------------------------------------- hashing helpers


def _mix(x: np.ndarray) -> np.ndarray:
    """Given uint64 values, returns them scrambled by the splitmix64 finaliser (wrapping maths)."""
    with np.errstate(over="ignore"):
        z = x + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def _sorted_unique(x: np.ndarray) -> np.ndarray:
    """Given an array, returns its distinct values sorted (sort-based; numpy 2's hash-based
    np.unique is several times slower on millions of uint64)."""
    x = np.sort(x)
    if len(x) < 2:
        return x
    keep = np.empty(len(x), dtype=bool)
    keep[0] = True
    keep[1:] = x[1:] != x[:-1]
    return x[keep]


def _shingle_keys(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Given texts, returns (keys, starts, counts, shift): the sorted distinct (text, bigram) keys
    `text << shift | code`, and per text where its keys start and how many there are.

    A one-character text has its character as its only shingle; an empty text has none.
    """
    n = len(texts)
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=n)
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, np.uint64), np.zeros(n, np.int64), np.zeros(n, np.int64), _CODE_BITS
    cp = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    ends = np.cumsum(lengths)
    starts = ends - lengths
    nonempty = lengths > 0
    last = np.zeros(total, dtype=bool)
    last[ends[nonempty] - 1] = True
    nxt = np.zeros_like(cp)
    nxt[:-1] = cp[1:]
    code = np.where(last, cp | _UNIGRAM, (cp << np.uint64(21)) | nxt)
    keep = ~last
    keep[starts[lengths == 1]] = True
    code = code[keep]
    per_text = np.where(lengths >= 2, lengths - 1, lengths)
    tid = np.repeat(np.arange(n, dtype=np.uint64), per_text)
    shift = _CODE_BITS
    if int(n).bit_length() + _CODE_BITS > 64:
        # Too many texts to pack beside a raw code: number the distinct bigrams densely instead.
        vocab, code = np.unique(code, return_inverse=True)
        code = code.astype(np.uint64)
        shift = max(1, int(len(vocab)).bit_length())
    keys = _sorted_unique((tid << np.uint64(shift)) | code)
    counts = np.bincount((keys >> np.uint64(shift)).astype(np.int64), minlength=n).astype(np.int64)
    kstarts = np.cumsum(counts) - counts
    return keys, kstarts, counts, shift


# Keys hashed per block of texts: a block's keys and hashes stay in the CPU cache for all the
# permutations (a pass over all keys per permutation was three times slower).
_SIG_BLOCK = 1 << 14


def _signatures(keys: np.ndarray, starts: np.ndarray, counts: np.ndarray, shift: int,
                num_perm: int, seed: int) -> np.ndarray:
    """Given shingle keys grouped by text, returns the (n, num_perm) uint32 MinHash signatures
    (texts without shingles get all 0xFFFFFFFF). Blocks of texts run on a few threads (numpy
    releases the GIL)."""
    n = len(counts)
    sig = np.full((n, num_perm), 0xFFFFFFFF, dtype=np.uint32)
    has = counts > 0
    if not has.any():
        return sig
    mask = np.uint64((1 << shift) - 1)
    x = _mix(keys & mask)
    rng = np.random.default_rng(seed)
    a = rng.integers(1, 2**63, size=num_perm, dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, 2**63, size=num_perm, dtype=np.uint64)
    seg = starts[has]
    rows = np.nonzero(has)[0]
    out = np.empty((len(rows), num_perm), dtype=np.uint32)
    # blocks of whole texts, about _SIG_BLOCK keys each (the keys of the texts with any are contiguous)
    cuts = np.unique(np.concatenate([[0], np.searchsorted(seg, np.arange(_SIG_BLOCK, len(keys), _SIG_BLOCK)),
                                     [len(seg)]]))

    def one(j: int) -> None:
        r0, r1 = int(cuts[j]), int(cuts[j + 1])
        k0 = int(seg[r0])
        k1 = int(seg[r1]) if r1 < len(seg) else len(keys)
        xs, local = x[k0:k1], seg[r0:r1] - k0
        h = np.empty(len(xs), dtype=np.uint64)
        block = out[r0:r1]
        with np.errstate(over="ignore"):
            for k in range(num_perm):
                np.multiply(xs, a[k], out=h)
                np.add(h, b[k], out=h)
                # the top 32 bits of the minimum are the minimum of the top 32 bits: one shift per text
                block[:, k] = np.minimum.reduceat(h, local) >> np.uint64(32)

    _run_threads(one, range(len(cuts) - 1))
    sig[rows] = out
    return sig


def _run_threads(fn, items) -> list:
    """Given a function and items, returns [fn(item) ...] computed on a small thread pool."""
    items = list(items)
    workers = max(1, min(4, os.cpu_count() or 1, len(items)))
    if workers == 1:
        return [fn(i) for i in items]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(fn, items))


def _star_edges(sig: np.ndarray, valid: np.ndarray, bands: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Given signatures and which rows take part, returns the distinct (lo, hi) star edges: per
    band and bucket, every member linked to the bucket's representative (chosen at random per
    band, so that different bands offer different representatives)."""
    ids = np.nonzero(valid)[0].astype(np.int64)
    rows = max(1, sig.shape[1] // bands)
    if len(ids) < 2:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)

    every = len(ids) == sig.shape[0]  # (usually): the band's columns as they are, not a copy

    def band(j: int) -> tuple[np.ndarray, np.ndarray]:
        block = sig[:, j * rows:(j + 1) * rows] if every else sig[ids, j * rows:(j + 1) * rows]
        key = np.full(len(ids), np.uint64(seed * 1_000_003 + j), dtype=np.uint64)
        for r in range(block.shape[1]):
            key = _mix(key ^ block[:, r])
        # Each bucket's representative is its member of lowest priority, a random order per
        # band (the mix is a bijection: priorities never tie). The edges are deduplicated and
        # sorted below, so the order inside a bucket does not matter: one unstable sort.
        prio = _mix(ids.astype(np.uint64) ^ np.uint64((seed + 1) * 7919 + j * 104729))
        order = np.argsort(key)
        ks = key[order]
        node = order if every else ids[order]
        p = prio[order]
        new = np.empty(len(ks), dtype=bool)
        new[0] = True
        new[1:] = ks[1:] != ks[:-1]
        heads = np.nonzero(new)[0]
        bucket = np.cumsum(new) - 1
        lowest = np.minimum.reduceat(p, heads)
        rep = node[np.nonzero(p == lowest[bucket])[0]][bucket]
        m = node != rep
        return np.minimum(node[m], rep[m]), np.maximum(node[m], rep[m])

    parts = [p for p in _run_threads(band, range(bands)) if len(p[0])]
    if not parts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    lo = np.concatenate([p[0] for p in parts])
    hi = np.concatenate([p[1] for p in parts])
    n = int(sig.shape[0])
    packed = _sorted_unique(lo * n + hi)
    return packed // n, packed % n


def _intersections(keys: np.ndarray, starts: np.ndarray, counts: np.ndarray, shift: int,
                   a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Given shingle keys and pairs (a, b) of text indexes, returns |shingles(a) ∩ shingles(b)|
    per pair (exact), by looking up the smaller side's shingles in the sorted key array."""
    s, o = _smaller_first(counts, a, b)
    return _hits(keys, starts, shift, s, o, np.zeros(len(s), dtype=np.int64), counts[s])


def _smaller_first(counts: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Given shingle counts and pairs, returns the pairs as (side with fewer shingles, other side)."""
    swap = counts[a] > counts[b]
    return np.where(swap, b, a), np.where(swap, a, b)


def _hits(keys: np.ndarray, starts: np.ndarray, shift: int, s: np.ndarray, o: np.ndarray,
          first: np.ndarray, take: np.ndarray, chunk: int = 400_000) -> np.ndarray:
    """Given shingle keys and pairs (s, o) of text indexes, returns per pair how many of s's
    shingles first .. first + take − 1 (in key order) o has too."""
    out = np.zeros(len(s), dtype=np.int64)
    mask = np.uint64((1 << shift) - 1)
    for lo in range(0, len(s), chunk):
        ss, oo, c = s[lo:lo + chunk], o[lo:lo + chunk], take[lo:lo + chunk]
        tot = int(c.sum())
        if tot == 0:
            continue
        edge = np.repeat(np.arange(len(ss)), c)
        offs = np.arange(tot) - np.repeat(np.cumsum(c) - c, c)
        pos = np.repeat(starts[ss] + first[lo:lo + chunk], c) + offs
        q = (oo[edge].astype(np.uint64) << np.uint64(shift)) | (keys[pos] & mask)
        idx = np.searchsorted(keys, q)
        idx[idx >= len(keys)] = len(keys) - 1
        hit = keys[idx] == q
        out[lo:lo + chunk] = np.bincount(edge, weights=hit, minlength=len(ss)).astype(np.int64)
    return out


def _jaccard(keys, starts, counts, shift, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Given shingle keys and pairs of text indexes, returns their exact Jaccard similarity."""
    return _jaccard_of(_intersections(keys, starts, counts, shift, a, b), counts[a], counts[b])


def _jaccard_of(inter: np.ndarray, ca: np.ndarray, cb: np.ndarray) -> np.ndarray:
    """Given intersection sizes and both sets' sizes, returns the Jaccard similarity (1.0 for two empty sets)."""
    union = ca + cb - inter
    return np.where(union > 0, inter / np.maximum(union, 1), 1.0)


def _verified(keys, starts, counts, shift, a: np.ndarray, b: np.ndarray, threshold: float) -> np.ndarray:
    """Given shingle keys, pairs of text indexes and a threshold, returns per pair its exact
    Jaccard similarity if that is at least threshold − 1e-12, else NaN.

    Half of the smaller side's shingles are looked up first: a pair that cannot reach the
    threshold even if all the others were shared (most candidate pairs) is not looked at further.
    """
    s, o = _smaller_first(counts, a, b)
    cs = counts[s]
    half = (cs + 1) // 2
    inter = _hits(keys, starts, shift, s, o, np.zeros(len(s), dtype=np.int64), half)
    # the most the pair could share: every shingle not looked up yet (a margin for rounding)
    live = np.nonzero(_jaccard_of(inter + cs - half, counts[a], counts[b]) >= threshold - 1e-9)[0]
    inter[live] += _hits(keys, starts, shift, s[live], o[live], half[live], cs[live] - half[live])
    out = np.full(len(a), np.nan)
    jac = _jaccard_of(inter[live], counts[a[live]], counts[b[live]])
    ok = jac >= threshold - 1e-12
    out[live[ok]] = jac[ok]
    return out


def _components(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Given n nodes and edges (a, b), returns per node the smallest node index of its connected
    component (vectorised union-find: hook roots onto the smaller root, then pointer jumping)."""
    parent = np.arange(n, dtype=np.int64)
    if len(a) == 0:
        return parent
    while True:
        pa, pb = parent[a], parent[b]
        diff = pa != pb
        if not diff.any():
            return parent
        lo = np.minimum(pa[diff], pb[diff])
        hi = np.maximum(pa[diff], pb[diff])
        np.minimum.at(parent, hi, lo)
        while True:
            pp = parent[parent]
            if np.array_equal(pp, parent):
                break
            parent = pp


def _signature_agreement(sig: np.ndarray, a: np.ndarray, b: np.ndarray, chunk: int = 8192) -> np.ndarray:
    """Given signatures and pairs, returns the share of equal MinHash values (Jaccard estimate)."""
    out = np.empty(len(a), dtype=np.float64)

    # small chunks: both gathered blocks stay in the CPU cache (chunks of 200k pairs took twice as long)
    def one(lo: int) -> None:
        eq = sig[a[lo:lo + chunk]] == sig[b[lo:lo + chunk]]
        out[lo:lo + chunk] = np.count_nonzero(eq, axis=1) / sig.shape[1]

    _run_threads(one, range(0, len(a), chunk))
    return out


# ----------------------------------------------------------------------------- text clusters


def text_clusters(texts: Sequence[str], weights: Sequence[float] | np.ndarray | None = None, *,
                  threshold: float = 0.8, num_perm: int = 64, bands: int = 16, seed: int = 1,
                  margin: float = 0.2) -> tuple[np.ndarray, np.ndarray]:
    """Given distinct texts (already normalised) and optional weights (how many rows each
    stands for), returns (rep, sim): per text the index of its cluster's representative (itself
    for a text without near duplicates) and its exact char-bigram Jaccard similarity to it.

    Clusters are components of verified star edges (Jaccard ≥ threshold). The representative
    is the member with the largest weight, ties broken by the lowest index. `margin`: edges whose
    MinHash estimate is below threshold − margin are not verified (with 64 permutations the
    estimate's standard deviation is ≤ 0.06).
    """
    n = len(texts)
    if n == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.float64)
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
    keys, starts, counts, shift = _shingle_keys(texts)
    sig = _signatures(keys, starts, counts, shift, num_perm, seed)
    a, b = _star_edges(sig, counts > 0, bands, seed)
    if len(a):
        est = _signature_agreement(sig, a, b)
        keep = est >= threshold - margin
        a, b = a[keep], b[keep]
    jac = _verified(keys, starts, counts, shift, a, b, threshold)
    ok = ~np.isnan(jac)
    a, b, jac = a[ok], b[ok], jac[ok]
    verified = a * n + b  # the edges kept (sorted, packed) with their exact similarity, read again below
    root = _components(n, a, b)
    idx = np.arange(n)
    order = np.lexsort((idx, -w, root))
    first = np.ones(n, dtype=bool)
    first[1:] = root[order][1:] != root[order][:-1]
    rep_of_root = np.full(n, -1, dtype=np.int64)
    rep_of_root[root[order][first]] = order[first]
    rep = rep_of_root[root]
    sim = np.ones(n, dtype=np.float64)
    other = np.nonzero(rep != idx)[0]
    if len(other):
        # most members are joined to their representative by an edge already verified
        pair = np.minimum(other, rep[other]) * n + np.maximum(other, rep[other])
        at = np.minimum(np.searchsorted(verified, pair), max(len(verified) - 1, 0))
        known = (verified[at] == pair) if len(verified) else np.zeros(len(pair), dtype=bool)
        sim[other[known]] = jac[at[known]]
        new = other[~known]
        sim[new] = _jaccard(keys, starts, counts, shift, new, rep[new])
    return rep, sim


def exact_all_pairs_clusters(texts: Sequence[str], threshold: float = 0.8) -> np.ndarray:
    """Given texts (already normalised; a few thousand at most), returns per text the smallest
    index of its cluster, where clusters are the components of ALL pairs with char-bigram
    Jaccard ≥ threshold. Slow exact reference for testing the LSH recall."""
    from scipy import sparse  # scipy comes with datasketch; only this test helper needs it

    n = len(texts)
    keys, starts, counts, shift = _shingle_keys(texts)
    mask = np.uint64((1 << shift) - 1)
    rows = (keys >> np.uint64(shift)).astype(np.int64)
    _, cols = np.unique(keys & mask, return_inverse=True)
    m = sparse.csr_matrix((np.ones(len(keys), dtype=np.int32), (rows, cols)), shape=(n, int(cols.max(initial=-1)) + 1))
    inter = (m @ m.T).tocoo()
    i, j, v = inter.row, inter.col, inter.data
    sel = i < j
    i, j, v = i[sel], j[sel], v[sel]
    jac = v / (counts[i] + counts[j] - v)
    ok = jac >= threshold - 1e-12
    return _components(n, i[ok].astype(np.int64), j[ok].astype(np.int64))


def cluster_id(text: str) -> str:
    """Given a representative normalised text, returns its stable cluster id "T" + 10 hex."""
    return "T" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]


# ----------------------------------------------------------------------------- indicator clusters

CLUSTER_SCHEMA = {
    "cluster_id": pl.String, "representative": pl.String, "example": pl.String,
    "n_indicators": pl.Int64, "n_projects": pl.Int64, "n_units": pl.Int64, "n_years": pl.Int64,
    "units": pl.String, "min_similarity": pl.Float64,
}
MEMBER_SCHEMA = {"indicator_id": pl.String, "cluster_id": pl.String, "similarity": pl.Float64,
                 "project_id": pl.String, "written_similarity": pl.Float64}
_DETAIL_SCHEMA = {
    "indicator_id": pl.String, "project_id": pl.String, "doc_id": pl.String, "name": pl.String,
    "target_raw": pl.String, "text": pl.String, "written": pl.String, "cluster_id": pl.String,
    "representative": pl.String, "similarity": pl.Float64, "unit_key": pl.String, "unit_name": pl.String,
    "project_name": pl.String, "year": pl.Int32,
}


class _Texts(NamedTuple):
    """The indicators a template check looks at, with their texts numbered (`_indicator_texts`)."""
    rows: np.ndarray      # the indexes of those indicators in the frame, ascending
    node: np.ndarray      # per row the number of its `text`: its place among `texts`
    texts: pl.Series      # the distinct normalised texts, sorted
    wid: np.ndarray       # per row the number of its `written`: its place among `written`
    written: pl.Series    # the distinct written texts


def _groups(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Given integer keys, returns (one row of each distinct key, by key; per row the number of
    its key)."""
    order = np.argsort(key)  # any row of a key will do: one unstable sort
    k = key[order]
    new = np.ones(len(k), dtype=bool)
    new[1:] = k[1:] != k[:-1]
    group = np.empty(len(k), dtype=np.int64)
    group[order] = np.cumsum(new) - 1
    return order[new], group


def _numbered(s: pl.Series, *, sort: bool) -> tuple[np.ndarray, pl.Series]:
    """Given a series, returns (per row the place of its value among the distinct values, those
    values: sorted if `sort`, else in any fixed order); nulls are a value."""
    # grouped by a 64-bit hash of each value, then checked: every row equals its group's value
    first, place = _groups(s.hash().to_numpy())
    distinct = s.gather(first)
    if not distinct.gather(place).eq_missing(s).all():  # two values with one hash: by the values
        distinct = s.unique(maintain_order=True)
        place = s.to_frame("__v").join(distinct.to_frame("__v").with_row_index("__i"), on="__v", how="left",
                                       nulls_equal=True, maintain_order="left")["__i"].to_numpy().astype(np.int64)
    if sort:  # (a sort and a join of the distinct values: Polars' arg_sort of strings is slower)
        ordered = distinct.sort()
        rank = distinct.to_frame("__v").join(ordered.to_frame("__v").with_row_index("__i"), on="__v", how="left",
                                             nulls_equal=True, maintain_order="left")["__i"].to_numpy()
        place, distinct = rank.astype(np.int64)[place], ordered
    return place, distinct


def _tuple_groups(codes: Sequence[np.ndarray], sizes: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """Given per row the codes of a few columns (column i's codes below sizes[i]), returns (one
    row of each distinct tuple of codes, per row the number of its tuple)."""
    key, n = codes[0].astype(np.int64), max(1, int(sizes[0]))
    for c, s in zip(codes[1:], sizes[1:]):
        s = max(1, int(s))
        if n * s >= 1 << 62:  # the packed key would overflow: number the tuples so far densely first
            distinct, key = np.unique(key, return_inverse=True)
            key, n = key.astype(np.int64), len(distinct)
        key, n = key * s + c.astype(np.int64), n * s
    return _groups(key)


def _indicator_texts(indicators: pl.DataFrame, min_chars: int, common_names: Iterable[str], text) -> _Texts:
    """Given the indicators frame, the options of `indicator_texts` and its shared text keys (or
    None), returns the indicators it takes with their texts numbered (`_Texts`).

    Everything per row is integer work on the text keys' codes: each name, target and
    description is normalised once (texts repeat ~10 times), and each distinct (name, target,
    description) is concatenated once, not once per indicator.
    """
    from jixiao.textkeys import text_keys_for

    common = pl.Series(sorted({normalise(c) for c in common_names or ()} - {""}), dtype=pl.String)
    keys = text_keys_for(indicators, text)
    parts = ("name", "target", "description")
    template = [keys.codes(f"{p}_template") for p in parts]
    written = [keys.codes(f"{p}_written") for p in parts]
    codes = [c.to_numpy() for c, _ in template]
    length = sum(d.str.len_chars().to_numpy().astype(np.int64)[c] for c, (_, d) in zip(codes, template))
    keep = ~template[0][1].is_in(common.implode()).to_numpy()[codes[0]] & (length >= int(min_chars))
    rows = np.nonzero(keep)[0]

    def joined(forms: list[tuple[pl.Series, pl.Series]]) -> tuple[pl.Series, np.ndarray]:
        # (each distinct tuple's concatenated text, per taken row its tuple)
        per_row = [c.to_numpy()[rows] for c, _ in forms]
        first, group = _tuple_groups(per_row, [len(d) for _, d in forms])
        out = forms[0][1].gather(per_row[0][first])
        for c, (_, d) in zip(per_row[1:], forms[1:]):
            out = out + d.gather(c[first])
        return out, group

    ttext, tgroup = joined(template)
    node, texts = _numbered(ttext, sort=True)  # numbered in sorted order: text_clusters breaks ties by it
    wtext, wgroup = joined(written)
    wid, wdistinct = _numbered(wtext, sort=False)
    return _Texts(rows, node[tgroup], texts.rename("text"), wid[wgroup], wdistinct.rename("written"))


def indicator_texts(indicators: pl.DataFrame, min_chars: int = 6,
                    common_names: Iterable[str] = COMMON_NAMES, text=None) -> pl.DataFrame:
    """Given the indicators frame (and its shared `jixiao.textkeys.TextKeys`, if any), returns
    indicator_id, project_id, doc_id, name, target_raw, `text` (normalised name + target +
    description) and `written` (the same as written, `written_expr`) for the indicators a
    template check looks at: not a common name (normalised, whatever the target) and `text` at
    least `min_chars` long."""
    t = _indicator_texts(indicators, min_chars, common_names, text)
    return indicators.select("indicator_id", "project_id", "doc_id", "name", "target_raw")[t.rows].hstack(
        [t.texts.gather(t.node), t.written.gather(t.wid)])


def template_members(indicators: pl.DataFrame, projects: pl.DataFrame, *, threshold: float = 0.8,
                     num_perm: int = 64, bands: int = 16, min_chars: int = 6,
                     common_names: Iterable[str] = COMMON_NAMES, seed: int = 1, text=None) -> pl.DataFrame:
    """Given indicators and projects, returns one row per indicator that has the same or nearly
    the same text as at least one other indicator: indicator_id, project_id, doc_id, name,
    target_raw, text, written, cluster_id, representative, similarity, unit_key, unit_name,
    project_name, year. The detailed form of `template_clusters` (JX401 reads it directly).

    The last result is kept for the same projects and options and the same indicators — the
    same frame, or the same shared text keys (`text`: derive's rules read the indicators with
    their scores, the clusters were built from them without) — so that building the template
    tables and running JX401 clusters once, also when they run at once in two threads (derive):
    the second waits for the first.
    """
    key = (float(threshold), int(num_perm), int(bands), int(min_chars), tuple(common_names or ()), int(seed))
    with _LAST_LOCK:
        hit = _LAST.get("members")
        if hit is not None and hit[1]() is projects and hit[2] == key and (
                hit[0]() is indicators or (text is not None and hit[4]() is text.check(indicators))):
            return hit[3]
        out, factors = _template_members(indicators, projects, threshold=threshold, num_perm=num_perm, bands=bands,
                                         min_chars=min_chars, common_names=common_names, seed=seed, text=text)
        # cluster_details reads this frame's numbered form, not its strings
        _LAST["factors"] = (weakref.ref(out), factors)
        try:
            _LAST["members"] = (weakref.ref(indicators), weakref.ref(projects), key, out,
                                weakref.ref(text) if text is not None else (lambda: None))
        except TypeError:  # not weak-referenceable: no caching
            _LAST.pop("members", None)
        return out


_LAST: dict[str, tuple] = {}
_LAST_LOCK = threading.Lock()


class _Factors(NamedTuple):
    """A `template_members` frame's clusters, texts, units, projects and indicators numbered, so
    that `cluster_details` and `template_clusters` sort, group and join integers: `ids` has per
    row (same order) __c (its cluster's place among `clusters`, sorted cluster ids), __n (its
    representative's place among `representatives`), __r (its text is the representative), __w
    (its place among `written`), __u (its (unit_name, unit_key) pair's row in `units`, sorted),
    __p (its (project_id, unit_key, year)'s row in `projects`) and __i (its indicator id's rank)."""
    ids: pl.DataFrame
    clusters: pl.Series
    representatives: pl.Series
    written: pl.Series
    units: pl.DataFrame
    projects: pl.DataFrame


def _factors_of(m: pl.DataFrame) -> _Factors:
    """Given a `template_members` frame, returns its `_Factors` computed from its columns."""
    c, clusters = _numbered(m["cluster_id"], sort=True)
    n, representatives = _numbered(m["representative"], sort=True)
    w, written = _numbered(m["written"], sort=False)

    def rows_of(cols: list[str], sort: bool) -> tuple[pl.Series, pl.DataFrame]:
        # (per row the place of its tuple of `cols` among the distinct tuples, those tuples)
        distinct = m.select(cols).unique(maintain_order=not sort)
        distinct = (distinct.sort(cols) if sort else distinct).with_row_index("__x")
        place = m.select(cols).join(distinct, on=cols, how="left", nulls_equal=True, maintain_order="left")["__x"]
        return place.cast(pl.Int64), distinct.drop("__x")

    u, units = rows_of(["unit_name", "unit_key"], True)
    p, projects = rows_of(["project_id", "unit_key", "year"], False)
    ids = pl.DataFrame({"__c": c, "__n": n, "__r": (m["text"] == m["representative"]).fill_null(False), "__w": w,
                        "__u": u, "__p": p, "__i": m["indicator_id"].rank("ordinal").cast(pl.Int64)})
    return _Factors(ids, clusters, representatives, written, units, projects)


def _factors(m: pl.DataFrame) -> _Factors:
    """Given a `template_members` frame, returns its `_Factors`: kept by `template_members`
    for the frame it returned last, else computed."""
    with _LAST_LOCK:
        got = _LAST.get("factors")
    return got[1] if got is not None and got[0]() is m else _factors_of(m)


def _template_members(indicators: pl.DataFrame, projects: pl.DataFrame, *, threshold: float, num_perm: int,
                      bands: int, min_chars: int, common_names: Iterable[str], seed: int, text=None
                      ) -> tuple[pl.DataFrame, _Factors | None]:
    """Given indicators, projects and the options of `template_members`, returns its frame
    (uncached) with its `_Factors` (None for no rows)."""
    t = _indicator_texts(indicators, min_chars, common_names, text)
    if len(t.rows) == 0:
        return pl.DataFrame(schema=_DETAIL_SCHEMA), None
    n = np.bincount(t.node, minlength=len(t.texts))
    texts = t.texts.to_list()
    rep, sim = text_clusters(texts, n, threshold=threshold, num_perm=num_perm, bands=bands, seed=seed)
    size = np.bincount(rep, weights=n, minlength=len(rep))
    keep = size[rep] >= 2
    if not keep.any():
        return pl.DataFrame(schema=_DETAIL_SCHEMA), None
    take = keep[t.node]
    rows, node, wid = t.rows[take], t.node[take], t.wid[take]
    reps = _sorted_unique(rep[keep])
    ids = pl.Series("cluster_id", [cluster_id(texts[r]) for r in reps.tolist()], dtype=pl.String)
    place = np.full(len(rep), -1, dtype=np.int64)
    place[reps] = np.arange(len(reps))
    cluster = place[rep[node]]  # per row its cluster's place among `reps`
    # two representatives could share a cluster id (10 hex digits): a cluster is its id
    crank, clusters = _numbered(ids, sort=True)
    proj = projects.select(
        "project_id", unit_key_expr(projects).alias("unit_key"), pl.coalesce("unit_canonical", "unit").fill_null("（未知单位）").alias("unit_name"),
        pl.col("name").fill_null("").alias("project_name"), pl.col("year").cast(pl.Int32),
    ).with_row_index("__p")
    # a member whose project is unknown has no unit: the (null, null) pair is a unit too
    units = (pl.concat([proj.select("unit_name", "unit_key"),
                        pl.DataFrame({"unit_name": [None], "unit_key": [None]}, schema={"unit_name": pl.String, "unit_key": pl.String})])
             .unique().sort("unit_name", "unit_key").with_row_index("__u"))
    none = units.filter(pl.col("unit_name").is_null() & pl.col("unit_key").is_null())["__u"][0]
    # (in order: a project's row is its number __p)
    proj = proj.join(units, on=["unit_name", "unit_key"], how="left", nulls_equal=True, maintain_order="left")
    out = indicators.select("indicator_id", "project_id", "doc_id", "name", "target_raw")[rows].hstack([
        t.texts.gather(node), t.written.gather(wid), ids.gather(cluster), t.texts.gather(rep[node]).alias("representative"),
        pl.Series("similarity", sim[node]),
    ]).join(proj, on="project_id", how="left", maintain_order="left")
    known = proj.select("project_id", "unit_key", "year")
    p = out["__p"].cast(pl.Int64).fill_null(-1).to_numpy().copy()
    if (p < 0).any():  # members of projects not in `projects`: each project id is one more row
        q, unknown = _numbered(out["project_id"].filter(pl.Series(p < 0)), sort=False)
        p[p < 0] = q + known.height
        known = pl.concat([known, unknown.to_frame("project_id")], how="diagonal")
    f = _Factors(
        pl.DataFrame({"__c": crank[cluster], "__n": rep[node], "__r": rep[node] == node, "__w": wid,
                      "__u": out["__u"].fill_null(none).cast(pl.Int64), "__p": p,
                      "__i": out["indicator_id"].rank("ordinal").cast(pl.Int64)}),
        clusters, t.texts, t.written, units.drop("__u"), known)
    return out.select([pl.col(c).cast(tp) for c, tp in _DETAIL_SCHEMA.items()]), f


def units_per_cluster(m: pl.DataFrame) -> pl.Series:
    """Given `template_members` rows, returns per row (same order) the number of distinct unit
    keys among its cluster's members (a null key is one unit, as n_unique counts it) — counted
    on the members' numbered form (`_Factors`), not by a window over two string columns."""
    if m.height == 0:
        return pl.Series("n_units", [], dtype=pl.Int64)
    f = _factors(m)
    unit, _ = _numbered(f.projects["unit_key"], sort=False)
    c = f.ids["__c"].to_numpy()
    k = unit[f.ids["__p"].to_numpy()]
    width = int(k.max(initial=0)) + 1
    n = np.bincount(_sorted_unique(c * width + k) // width, minlength=len(f.clusters))
    return pl.Series("n_units", n[c], dtype=pl.Int64)


def project_groups(projects: pl.DataFrame, links: pl.DataFrame | None) -> pl.DataFrame:
    """Given projects and project_links (goal_project_id, self_eval_project_id; None for none),
    returns project_id → project_group: a self-evaluation's group is its goal table's project,
    every other project is its own group (a goal table and its self-evaluation are one project)."""
    ids = projects.select(pl.col("project_id").cast(pl.String))
    if links is None or links.height == 0:
        return ids.with_columns(pl.col("project_id").alias("project_group"))
    pairs = links.select(pl.col("self_eval_project_id").cast(pl.String).alias("project_id"),
                         pl.col("goal_project_id").cast(pl.String).alias("__goal")).unique("project_id", keep="first")
    return ids.join(pairs, on="project_id", how="left").select(
        "project_id", pl.coalesce("__goal", "project_id").alias("project_group"))


def template_clusters(indicators: pl.DataFrame, projects: pl.DataFrame, *, links: pl.DataFrame | None = None,
                      threshold: float = 0.8, num_perm: int = 64, bands: int = 16, min_chars: int = 6,
                      common_names: Iterable[str] = COMMON_NAMES, seed: int = 1, text=None
                      ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Given indicators, projects and (optionally) project_links, returns (clusters, members) of
    same or nearly the same indicator texts (normalised name + target + description, char-bigram
    Jaccard ≥ threshold) used in two or more projects.

    A project's goal table and its own self-evaluation (a row of `links`) count as one project:
    a text shared by those two only is the same project's text, not a template, and is left out.
    clusters: cluster_id ("T" + sha1 of the representative), representative (normalised text),
    example (name｜target of one indicator holding it), n_indicators, n_projects (so counted),
    n_units, n_years, units (up to 20 unit names, "、"-joined), min_similarity (the lowest
    `written_similarity` of any two of its texts as written: numbers and signs count, so a
    cluster holding ≥92% and ≥95% is below 1). members: indicator_id, cluster_id, similarity
    (to the representative, normalised, as the rules read it), project_id, written_similarity
    (to the example, as written). Common names (`common_names`) and texts shorter than
    `min_chars` take no part. `text`: the indicators' shared `jixiao.textkeys.TextKeys`, if any.
    """
    m = template_members(indicators, projects, threshold=threshold, num_perm=num_perm, bands=bands,
                         min_chars=min_chars, common_names=common_names, seed=seed, text=text)
    if m.height == 0:
        return pl.DataFrame(schema=CLUSTER_SCHEMA), pl.DataFrame(schema=MEMBER_SCHEMA)
    details = cluster_details(m)
    f = _factors(m)
    groups = f.projects.join(project_groups(projects, links), on="project_id", how="left", maintain_order="left")
    group, _ = _numbered(groups["project_group"].fill_null(groups["project_id"]), sort=False)
    unit, _ = _numbered(groups["unit_key"], sort=False)  # a null unit key counts as one unit, as n_unique does
    p = f.ids["__p"].to_numpy()
    c, rep = f.ids["__c"].to_numpy(), f.ids["__n"].to_numpy()
    g, k = group[p], unit[p]
    year, _ = _numbered(f.projects["year"], sort=False)
    y = np.where(f.projects["year"].is_null().to_numpy(), -1, year)[p]  # -1: no year (not counted)

    def distinct_per(group_of_row: np.ndarray, value: np.ndarray, n_groups: int) -> np.ndarray:
        # per group the number of distinct values among its rows
        width = int(value.max(initial=0)) + 1
        return np.bincount(_sorted_unique(group_of_row * width + value) // width, minlength=n_groups)

    # whole clusters are kept or left out, so each kept cluster's details are as computed
    keep = distinct_per(c, g, len(f.clusters))[c] >= 2
    if not keep.any():
        return pl.DataFrame(schema=CLUSTER_SCHEMA), pl.DataFrame(schema=MEMBER_SCHEMA)
    c, rep, g, k, y = c[keep], rep[keep], g[keep], k[keep], y[keep]
    first, cn = _groups(c * len(f.representatives) + rep)  # one group per (cluster id, representative)
    dated = y >= 0
    counts = pl.DataFrame({
        "__c": c[first], "__n": rep[first], "n_indicators": np.bincount(cn),
        "n_projects": distinct_per(cn, g, len(first)), "n_units": distinct_per(cn, k, len(first)),
        "n_years": distinct_per(cn[dated], y[dated], len(first)),
    })
    clusters = (
        counts.with_columns(f.clusters.gather(counts["__c"]).alias("cluster_id"),
                            f.representatives.gather(counts["__n"]).alias("representative"))
        .join(details["clusters"], on="cluster_id", how="left")
        .select([pl.col(c).cast(tp) for c, tp in CLUSTER_SCHEMA.items()])
        .sort("cluster_id")
    )
    members = details["members"].join(clusters.select("cluster_id"), on="cluster_id", how="semi", maintain_order="left")
    return clusters, members


def cluster_details(m: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """Given `template_members` rows, returns what the template tables say of each cluster that
    needs no project links, for every cluster: {"clusters": cluster_id, example, units,
    min_similarity; "members": MEMBER_SCHEMA rows sorted by cluster and indicator}. Kept for
    the same members frame, so that derive computes it while the links are still being found."""
    with _LAST_LOCK:
        hit = _LAST.get("details")
        if hit is not None and hit[0]() is m:
            return hit[1]
    if m.height == 0:
        out = {"clusters": pl.DataFrame(schema={"cluster_id": pl.String, "example": pl.String, "units": pl.String,
                                                "min_similarity": pl.Float64}),
               "members": pl.DataFrame(schema=MEMBER_SCHEMA)}
    else:
        out = _details(m, _factors(m))
    with _LAST_LOCK:
        _LAST["details"] = (weakref.ref(m), out)
    return out


def _details(m: pl.DataFrame, f: _Factors) -> dict[str, pl.DataFrame]:
    """Given `template_members` rows and their `_Factors`, returns `cluster_details` (uncached)."""
    ids = f.ids.with_row_index("__k")
    c, i = ids["__c"].to_numpy(), ids["__i"].to_numpy()
    order = np.argsort(c * (int(i.max()) + 1) + i)  # the members' order: by cluster id, then indicator id
    # per cluster the first indicator (by id) holding the representative: its example
    first = ids[order].filter(pl.col("__r")).unique("__c", keep="first", maintain_order=True)
    example = m.select("name", "target_raw")[first["__k"]].select(
        (pl.col("name").fill_null("") + pl.lit("｜") + pl.col("target_raw").fill_null("")).alias("example")
    ).hstack([first["__c"]])
    n_units = len(f.units)
    cu = _sorted_unique(c * n_units + ids["__u"].to_numpy())  # sorted by cluster, then unit name and key
    cu = pl.DataFrame({"__c": cu // n_units, "__u": cu % n_units})
    unit_names = (
        cu.with_columns(f.units["unit_name"].gather(cu["__u"]))
        .group_by("__c", maintain_order=True)
        .agg(pl.col("unit_name").head(20).str.join("、").alias("__names"), pl.len().alias("__k"))
        .select("__c", pl.when(pl.col("__k") > 20)
                .then(pl.col("__names") + pl.lit("等") + pl.col("__k").cast(pl.String) + pl.lit("个单位"))
                .otherwise(pl.col("__names")).alias("units"))
    )
    cw = _sorted_unique(c * len(f.written) + ids["__w"].to_numpy())
    # each written text a member holds made a Python string once, for both similarities below
    wu = _sorted_unique(cw % len(f.written))
    text_of = np.empty(len(f.written), dtype=object)
    text_of[wu] = f.written.gather(wu).to_list()
    low_c, low = _lowest_pairwise(pl.Series(cw // len(f.written)), text_of[cw % len(f.written)])
    low = pl.DataFrame({"__c": low_c, "min_similarity": low}, schema={"__c": pl.Int64, "min_similarity": pl.Float64})
    # a text written as its example is 1.0 (most members): only the others are scored, each
    # distinct pair of texts once (members repeat their texts)
    example_w = np.zeros(len(f.clusters), dtype=np.int64)
    example_w[first["__c"].to_numpy()] = first["__w"].to_numpy()
    w = ids["__w"].to_numpy()
    x = example_w[c]
    ws = np.ones(len(w), dtype=np.float64)
    other = np.nonzero(w != x)[0]
    if len(other):
        key = w[other] * len(f.written) + x[other]
        one, inv = _groups(key)
        pairs = key[one]
        ws[other] = written_similarity(text_of[pairs // len(f.written)], text_of[pairs % len(f.written)])[inv]
    members = m.select("indicator_id", "cluster_id", "similarity", "project_id").hstack(
        [pl.Series("written_similarity", ws)])[order].select([pl.col(c).cast(tp) for c, tp in MEMBER_SCHEMA.items()])
    clusters = example.join(unit_names, on="__c", how="left").join(low, on="__c", how="left")
    clusters = clusters.select(f.clusters.gather(clusters["__c"]).alias("cluster_id"), "example", "units",
                               "min_similarity")
    return {"clusters": clusters, "members": members}


# ----------------------------------------------------------------------------- set similarity


def set_lsh_pairs(set_ids: np.ndarray, tokens: np.ndarray, n_sets: int, *, min_jaccard: float,
                  num_perm: int = 63, bands: int = 21, seed: int = 7, margin: float = 0.2
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Given set membership rows (set index, token id as non-negative integers) for `n_sets`
    sets, returns candidate pairs of sets found by MinHash LSH with star edges, as
    (a, b, size_a, size_b, intersection) with exact intersection sizes. Pairs whose MinHash
    estimate is below min_jaccard − margin are dropped; the caller applies its own measure."""
    set_ids = np.asarray(set_ids, dtype=np.int64)
    tokens = np.asarray(tokens, dtype=np.int64)
    empty = (np.zeros(0, np.int64),) * 5
    if n_sets < 2 or len(set_ids) == 0:
        return empty
    shift = max(1, int(tokens.max(initial=0)).bit_length())
    if int(n_sets).bit_length() + shift > 63:
        _, tokens = np.unique(tokens, return_inverse=True)
        shift = max(1, int(tokens.max(initial=0)).bit_length())
    keys = _sorted_unique((set_ids.astype(np.uint64) << np.uint64(shift)) | tokens.astype(np.uint64))
    counts = np.bincount((keys >> np.uint64(shift)).astype(np.int64), minlength=n_sets).astype(np.int64)
    starts = np.cumsum(counts) - counts
    sig = _signatures(keys, starts, counts, shift, num_perm, seed)
    a, b = _star_edges(sig, counts > 0, bands, seed)
    if len(a) == 0:
        return empty
    keep = _signature_agreement(sig, a, b) >= min_jaccard - margin
    a, b = a[keep], b[keep]
    inter = _intersections(keys, starts, counts, shift, a, b)
    return a, b, counts[a], counts[b], inter
