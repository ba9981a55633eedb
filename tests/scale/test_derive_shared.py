"""derive.refresh computes its shared pieces once (text keys, score details, goal-self pairs,
links) and runs its steps at once: its tables must be the ones each piece gives computed on its
own, one step after another. On a synthetic corpus (every rule's defects planted)."""

from __future__ import annotations

import shutil
from concurrent.futures import Future

import numpy as np
import polars as pl
import pytest

from jixiao import boilerplate, db, scores
from jixiao.derive import canonical_units, load_frames, refresh
from jixiao.links import compute
from jixiao.rules import BY_CODE, RULES, run_rules
from jixiao.rules.base import Frames
from jixiao.textkeys import TextKeys, keys

from .conftest import derived_corpus_db

DERIVED = ("project_scores", "score_distribution", "project_links", "project_history", "indicator_links",
           "project_lineage", "indicator_lineage", "template_clusters", "template_members", "flags", "flag_context",
           "document_units", "score_cells")


def _tables(path) -> dict[str, pl.DataFrame]:
    con = db.connect(path, read_only=True)
    try:
        out = {t: con.sql(f"SELECT * FROM {t}").pl() for t in DERIVED}
        out["score_expected"] = con.sql("SELECT indicator_id, score_expected FROM indicators ORDER BY 1").pl()
        return out
    finally:
        con.close()


@pytest.fixture(scope="module")
def corpus_db(tmp_path_factory):
    path, _ = derived_corpus_db(tmp_path_factory.mktemp("derive"), counties=2, years="2023-2025", seed=5)
    return path  # refreshed at once (the default)


def test_parallel_refresh_writes_what_one_step_after_another_writes(corpus_db, tmp_path):
    at_once = _tables(corpus_db)
    assert at_once["flags"].height > 50 and at_once["template_members"].height > 0
    assert at_once["indicator_links"].height > 0 and at_once["project_history"].height > 0
    con = db.connect(corpus_db)
    refresh(con, parallel=False)
    con.close()
    in_order = _tables(corpus_db)
    for name, df in at_once.items():
        assert df.equals(in_order[name]), name


def test_shared_pieces_give_what_each_consumer_computes_alone(corpus_db, tmp_path):
    tables = _tables(corpus_db)
    copy = tmp_path / "copy.duckdb"
    shutil.copy(corpus_db, copy)
    con = db.connect(copy)
    frames = canonical_units(con, load_frames(con))  # the projects as derive reads them (unit groups)
    con.close()
    projects = frames.projects
    # expected scores with no shared keys, in a shuffled order: the same score per indicator
    shuffled = frames.indicators.sample(fraction=1.0, shuffle=True, seed=3)
    alone = scores.expected_scores(projects, shuffled).select("indicator_id", "score_expected").sort("indicator_id")
    assert alone.equals(tables["score_expected"])
    indicators = frames.indicators.drop("score_expected").join(tables["score_expected"], on="indicator_id",
                                                               maintain_order="left")
    # the links and the template clusters, each with its own text keys
    lineage = compute(projects, indicators)
    for name in ("project_links", "project_history", "indicator_links", "project_lineage", "indicator_lineage"):
        assert getattr(lineage, name).equals(tables[name]), name
    clusters, members = boilerplate.template_clusters(indicators, projects, links=lineage.project_links)
    assert clusters.equals(tables["template_clusters"])
    assert members.equals(tables["template_members"])
    # the rules on frames without the links, the score details or the text keys derive shares
    flags = run_rules(Frames(projects=projects, indicators=indicators))
    assert flags.equals(tables["flags"])


def test_text_keys_are_the_expressions_row_by_row():
    ind = pl.DataFrame({
        "indicator_id": ["a", "b", "c", "d", "e"],
        "name": ["参保 人数", None, "参保 人数", "２０２４年度 资金到位率。", ""],
        "target_raw": ["≥ 98％", "2024年年底", None, "≥ 98％", "有效提高"],
        "actual_raw": [None, "已完成", "95%", "95%", "达到"],
        "description": [None] * 5,
        "reason": ["继续推进，", None, "继续推进，", "", "无"],
    }, schema_overrides={"description": pl.String})
    text = TextKeys(ind)
    for name, (col, expr) in keys().items():
        got = text.series(name)
        # the registry's expressions read their column NFKC-normalised (TextKeys does it once)
        nfkc = ind.with_columns(pl.col(col).str.normalize("NFKC"))
        assert got.name == name and got.to_list() == nfkc.select(expr.alias(name)).to_series().to_list(), name
    # ... and give what the public expressions (normalising themselves) give on the raw texts
    from jixiao.boilerplate import normalise_expr, written_expr
    from jixiao.links import name_key_expr, target_text_key_expr
    from jixiao.scores import normalize_text_expr
    for name, expr in (("name_template", normalise_expr("name")), ("target_written", written_expr("target_raw")),
                       ("name_key", name_key_expr("name")), ("target_text_key", target_text_key_expr()),
                       ("reason_squeezed", normalize_text_expr(pl.col("reason")))):
        assert text.series(name).to_list() == ind.select(expr).to_series().to_list(), name
    assert text.series("name_key").to_list()[3] == "资金到位率"  # ２０２４年度 is a year, full width or not
    assert text.series("target_written").to_list()[0] == ">=98%"
    code, values = text.codes("name_template")
    assert code[0] == code[2] != code[1]  # the same name, the same code
    assert values.gather(code).to_list() == text.series("name_template").to_list()
    assert text.evaluate("target_raw", pl.col("target_raw").str.contains("年")).to_list() == [False, True, None, False,
                                                                                               False]
    assert text.check(ind.select("indicator_id", "name")) is text
    with pytest.raises(ValueError):
        text.check(ind.reverse())  # other rows: refused, never stacked beside the wrong indicators


def test_minhash_signatures_and_star_edges_match_their_definitions():
    rng = np.random.default_rng(11)
    alphabet = list("社保卡发放补贴资金到位率满意度人数次万元")
    texts = ["".join(rng.choice(alphabet, size=int(k))) for k in rng.integers(0, 40, size=3000)]
    texts += texts[:500]  # exact repeats land in one bucket in every band
    keys_, starts, counts, shift = boilerplate._shingle_keys(texts)
    sig = boilerplate._signatures(keys_, starts, counts, shift, 16, 4)
    # definition: per permutation k, the least (x * a_k + b_k) >> 32 over a text's shingles
    x = boilerplate._mix(keys_ & np.uint64((1 << shift) - 1))
    r = np.random.default_rng(4)
    a = r.integers(1, 2**63, size=16, dtype=np.uint64) | np.uint64(1)
    b = r.integers(0, 2**63, size=16, dtype=np.uint64)
    for t in (0, 1, 7, 2999, 3200):
        lo, n = starts[t], counts[t]
        if n == 0:
            assert (sig[t] == 0xFFFFFFFF).all()
            continue
        with np.errstate(over="ignore"):
            want = [int(((x[lo:lo + n] * a[k] + b[k]) >> np.uint64(32)).min()) for k in range(16)]
        assert sig[t].tolist() == want
    # star edges: per band and bucket, every member linked to the member visited first
    lo_, hi_ = boilerplate._star_edges(sig, counts > 0, 4, 4)
    ids = np.nonzero(counts > 0)[0]
    want = set()
    for j in range(4):
        key = np.full(len(ids), np.uint64(4 * 1_000_003 + j), dtype=np.uint64)
        for c in range(4):
            key = boilerplate._mix(key ^ sig[ids, j * 4 + c].astype(np.uint64))
        prio = boilerplate._mix(ids.astype(np.uint64) ^ np.uint64(5 * 7919 + j * 104729))
        first: dict[int, int] = {}
        for i in np.argsort(prio):
            first.setdefault(int(key[i]), int(ids[i]))
        for i, node in enumerate(ids.tolist()):
            rep = first[int(key[i])]
            if rep != node:
                want.add((min(rep, node), max(rep, node)))
    assert set(zip(lo_.tolist(), hi_.tolist())) == want and len(want) >= 400


def test_rules_that_read_no_links_run_without_them(corpus_db, tmp_path):
    # derive runs the rules that read no links while the links are being found: a rule that says
    # so (reads_links=False) must run with links that are not there
    copy = tmp_path / "copy.duckdb"
    shutil.copy(corpus_db, copy)
    con = db.connect(copy)
    frames = canonical_units(con, load_frames(con))
    con.close()
    missing: Future = Future()
    missing.set_exception(RuntimeError("no links"))
    blind = Frames(projects=frames.projects, indicators=frames.indicators, links=missing)
    readers = {r.code for r in RULES if r.reads_links}
    assert {"JX402", "JX501", "JX507"} <= readers
    for r in RULES:
        if not r.reads_links:
            r.run(blind)  # raises if it reads the links
    with pytest.raises(RuntimeError):
        BY_CODE["JX507"].run(blind)


def test_duckdb_threads_is_restored_after_the_block_also_on_error(tmp_path):
    from jixiao.derive import duckdb_threads

    con = db.connect(tmp_path / "t.duckdb")
    try:
        con.execute("SET threads = 2")
        with pytest.raises(RuntimeError):
            with duckdb_threads(con, 1):
                assert con.sql("SELECT current_setting('threads')").fetchall()[0][0] == 1
                raise RuntimeError("inside")
        assert con.sql("SELECT current_setting('threads')").fetchall()[0][0] == 2
    finally:
        con.close()
