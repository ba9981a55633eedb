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
texts (name + target + description) and describes the clusters by projects, units and years;
`set_lsh_pairs` applies the same banding to sets of tokens (JX402 compares projects as sets of
indicators). `exact_all_pairs_clusters` is the slow exact reference used to measure recall.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Iterable, Sequence

import numpy as np
import polars as pl

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


def normalise_expr(expr: pl.Expr | str) -> pl.Expr:
    """Given a Polars text expression (or column name), returns the vectorised `normalise` of it
    (null -> "")."""
    e = pl.col(expr) if isinstance(expr, str) else expr
    return (
        e.cast(pl.String).fill_null("")
        .str.normalize("NFKC")
        .str.replace_all(_PUNCT_RE, "")
        .str.replace_all(r"\d+", "#")
        .str.to_lowercase()
    )


def unit_key_expr() -> pl.Expr:
    """Given nothing, returns the expression naming a budget unit in the projects frame:
    province/city/county/unit (so that two county offices with the same name stay apart), or
    the document id where the unit is unknown."""
    return (
        pl.when(pl.col("unit").is_null() | (pl.col("unit").str.strip_chars() == ""))
        .then(pl.lit("doc:") + pl.col("doc_id").cast(pl.String))
        .otherwise(
            pl.concat_str(
                [pl.col("province"), pl.col("city"), pl.col("county"), pl.col("unit")],
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
    keys = np.unique((tid << np.uint64(shift)) | code)
    counts = np.bincount((keys >> np.uint64(shift)).astype(np.int64), minlength=n).astype(np.int64)
    kstarts = np.cumsum(counts) - counts
    return keys, kstarts, counts, shift


def _signatures(keys: np.ndarray, starts: np.ndarray, counts: np.ndarray, shift: int,
                num_perm: int, seed: int) -> np.ndarray:
    """Given shingle keys grouped by text, returns the (n, num_perm) uint32 MinHash signatures
    (texts without shingles get all 0xFFFFFFFF)."""
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
    with np.errstate(over="ignore"):
        for k in range(num_perm):
            h = (x * a[k] + b[k]) >> np.uint64(32)
            sig[rows, k] = np.minimum.reduceat(h, seg).astype(np.uint32)
    return sig


def _star_edges(sig: np.ndarray, valid: np.ndarray, bands: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Given signatures and which rows take part, returns the distinct (lo, hi) star edges: per
    band and bucket, every member linked to the bucket's representative (chosen at random per
    band, so that different bands offer different representatives)."""
    ids = np.nonzero(valid)[0].astype(np.int64)
    n_perm = sig.shape[1]
    rows = max(1, n_perm // bands)
    parts_lo, parts_hi = [], []
    if len(ids) < 2:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    for j in range(bands):
        block = sig[ids, j * rows:(j + 1) * rows].astype(np.uint64)
        key = np.full(len(ids), np.uint64(seed * 1_000_003 + j), dtype=np.uint64)
        for r in range(block.shape[1]):
            key = _mix(key ^ block[:, r])
        prio = _mix(ids.astype(np.uint64) ^ np.uint64((seed + 1) * 7919 + j * 104729))
        order = np.lexsort((prio, key))
        ks = key[order]
        node = ids[order]
        new = np.empty(len(ks), dtype=bool)
        new[0] = True
        new[1:] = ks[1:] != ks[:-1]
        rep = node[np.nonzero(new)[0]][np.cumsum(new) - 1]
        m = node != rep
        if m.any():
            parts_lo.append(np.minimum(node[m], rep[m]))
            parts_hi.append(np.maximum(node[m], rep[m]))
    if not parts_lo:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    lo = np.concatenate(parts_lo)
    hi = np.concatenate(parts_hi)
    n = int(sig.shape[0])
    packed = np.unique(lo * n + hi)
    return packed // n, packed % n


def _intersections(keys: np.ndarray, starts: np.ndarray, counts: np.ndarray, shift: int,
                   a: np.ndarray, b: np.ndarray, chunk: int = 400_000) -> np.ndarray:
    """Given shingle keys and pairs (a, b) of text indexes, returns |shingles(a) ∩ shingles(b)|
    per pair (exact), by looking up the smaller side's shingles in the sorted key array."""
    out = np.zeros(len(a), dtype=np.int64)
    mask = np.uint64((1 << shift) - 1)
    for lo in range(0, len(a), chunk):
        aa, bb = a[lo:lo + chunk], b[lo:lo + chunk]
        swap = counts[aa] > counts[bb]
        s = np.where(swap, bb, aa)
        o = np.where(swap, aa, bb)
        c = counts[s]
        tot = int(c.sum())
        if tot == 0:
            continue
        edge = np.repeat(np.arange(len(s)), c)
        offs = np.arange(tot) - np.repeat(np.cumsum(c) - c, c)
        pos = np.repeat(starts[s], c) + offs
        q = (o[edge].astype(np.uint64) << np.uint64(shift)) | (keys[pos] & mask)
        idx = np.searchsorted(keys, q)
        idx[idx >= len(keys)] = len(keys) - 1
        hit = keys[idx] == q
        out[lo:lo + chunk] = np.bincount(edge, weights=hit, minlength=len(s)).astype(np.int64)
    return out


def _jaccard(keys, starts, counts, shift, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Given shingle keys and pairs of text indexes, returns their exact Jaccard similarity."""
    inter = _intersections(keys, starts, counts, shift, a, b)
    union = counts[a] + counts[b] - inter
    return np.where(union > 0, inter / np.maximum(union, 1), 1.0)


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


def _signature_agreement(sig: np.ndarray, a: np.ndarray, b: np.ndarray, chunk: int = 250_000) -> np.ndarray:
    """Given signatures and pairs, returns the share of equal MinHash values (Jaccard estimate)."""
    out = np.empty(len(a), dtype=np.float64)
    for lo in range(0, len(a), chunk):
        out[lo:lo + chunk] = (sig[a[lo:lo + chunk]] == sig[b[lo:lo + chunk]]).mean(axis=1)
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
    if len(a):
        ok = _jaccard(keys, starts, counts, shift, a, b) >= threshold - 1e-12
        a, b = a[ok], b[ok]
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
        sim[other] = _jaccard(keys, starts, counts, shift, other, rep[other])
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
    "units": pl.String,
}
MEMBER_SCHEMA = {"indicator_id": pl.String, "cluster_id": pl.String, "similarity": pl.Float64}


def indicator_texts(indicators: pl.DataFrame, min_chars: int = 6,
                    common_names: Iterable[str] = COMMON_NAMES) -> pl.DataFrame:
    """Given the indicators frame, returns indicator_id, project_id, name, target_raw and `text`
    (normalised name + target + description) for the indicators a template check looks at:
    not a common name (normalised, whatever the target) and `text` at least `min_chars` long."""
    common = sorted({normalise(c) for c in common_names or ()} - {""})
    text = normalise_expr("name") + normalise_expr("target_raw") + normalise_expr("description")
    return (
        indicators.select("indicator_id", "project_id", "name", "target_raw", "description")
        .with_columns(normalise_expr("name").alias("__name"), text.alias("text"))
        .filter(~pl.col("__name").is_in(common) & (pl.col("text").str.len_chars() >= int(min_chars)))
        .drop("__name")
    )


def template_clusters(indicators: pl.DataFrame, projects: pl.DataFrame, *, threshold: float = 0.8,
                      num_perm: int = 64, bands: int = 16, min_chars: int = 6,
                      common_names: Iterable[str] = COMMON_NAMES, seed: int = 1
                      ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Given indicators and projects, returns (clusters, members) of same or nearly the same
    indicator texts (normalised name + target + description, char-bigram Jaccard ≥ threshold).

    clusters: cluster_id ("T" + sha1 of the representative), representative (normalised text),
    example (name｜target of one indicator holding it), n_indicators, n_projects, n_units,
    n_years, units (up to 20 unit names, "、"-joined). members: indicator_id, cluster_id,
    similarity (to the representative). Only clusters of two or more indicators are returned;
    common names (`common_names`) and texts shorter than `min_chars` take no part.
    """
    t = indicator_texts(indicators, min_chars, common_names)
    if t.height == 0:
        return pl.DataFrame(schema=CLUSTER_SCHEMA), pl.DataFrame(schema=MEMBER_SCHEMA)
    uniq = t.group_by("text").agg(pl.len().alias("n")).sort("text")
    texts = uniq["text"].to_list()
    rep, sim = text_clusters(texts, uniq["n"].to_numpy(), threshold=threshold, num_perm=num_perm,
                             bands=bands, seed=seed)
    rep_text = uniq["text"].gather(rep)
    node = pl.DataFrame({
        "text": uniq["text"], "rep_text": rep_text, "similarity": sim, "n": uniq["n"],
    })
    n_in_comp = node.group_by("rep_text").agg(pl.col("n").sum().alias("__n"))
    node = node.join(n_in_comp, on="rep_text").filter(pl.col("__n") >= 2)
    if node.height == 0:
        return pl.DataFrame(schema=CLUSTER_SCHEMA), pl.DataFrame(schema=MEMBER_SCHEMA)
    reps = node.select(pl.col("rep_text").unique().sort())
    reps = reps.with_columns(
        pl.Series("cluster_id", [cluster_id(x) for x in reps["rep_text"].to_list()], dtype=pl.String)
    )
    node = node.join(reps, on="rep_text")
    proj = projects.select(
        "project_id", pl.col("unit").fill_null("（未知单位）").alias("__unit_name"),
        unit_key_expr().alias("__unit"), pl.col("year"),
    )
    members = (
        t.join(node.select("text", "cluster_id", "rep_text", "similarity"), on="text")
        .join(proj, on="project_id", how="left")
    )
    example = (
        members.filter(pl.col("text") == pl.col("rep_text"))
        .sort("indicator_id")
        .group_by("cluster_id", maintain_order=True)
        .first()
        .select("cluster_id", (pl.col("name").fill_null("") + pl.lit("｜") + pl.col("target_raw").fill_null("")).alias("example"))
    )
    unit_names = (
        members.select("cluster_id", "__unit", "__unit_name").unique()
        .sort("cluster_id", "__unit_name", "__unit")
        .group_by("cluster_id", maintain_order=True)
        .agg(pl.col("__unit_name").head(20).str.join("、").alias("__names"), pl.len().alias("__k"))
        .select("cluster_id", pl.when(pl.col("__k") > 20)
                .then(pl.col("__names") + pl.lit("等") + pl.col("__k").cast(pl.String) + pl.lit("个单位"))
                .otherwise(pl.col("__names")).alias("units"))
    )
    clusters = (
        members.group_by("cluster_id", "rep_text")
        .agg(
            pl.len().alias("n_indicators"),
            pl.col("project_id").n_unique().alias("n_projects"),
            pl.col("__unit").n_unique().alias("n_units"),
            pl.col("year").drop_nulls().n_unique().alias("n_years"),
        )
        .rename({"rep_text": "representative"})
        .join(example, on="cluster_id", how="left")
        .join(unit_names, on="cluster_id", how="left")
        .select([pl.col(c).cast(tp) for c, tp in CLUSTER_SCHEMA.items()])
        .sort("cluster_id")
    )
    members = members.select([pl.col(c).cast(tp) for c, tp in MEMBER_SCHEMA.items()]).sort("cluster_id", "indicator_id")
    return clusters, members


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
    keys = np.unique((set_ids.astype(np.uint64) << np.uint64(shift)) | tokens.astype(np.uint64))
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
