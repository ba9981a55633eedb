"""The pieces of `jixiao bench` on a tiny corpus (the benchmark itself is a command, not a
test): query timing, the boilerplate recall measurement, the ingest profile, the targets."""

from __future__ import annotations

import pytest

from jixiao import bench
from .conftest import derived_corpus_db


@pytest.fixture(scope="module")
def small_db(tmp_path_factory):
    root = tmp_path_factory.mktemp("bench")
    db_path, timings = derived_corpus_db(root, counties=1, years="2023-2024", seed=2, name="b.duckdb")
    return {"root": root, "db": db_path, "timings": timings}


def test_every_dashboard_query_is_timed(small_db):
    got = bench.time_queries(small_db["db"], runs=2)
    names = set(bench._load_queries())
    filtered = {n.removesuffix(" [filtered]") for n in got if n.endswith(" [filtered]")}
    assert set(got) == names | {f"{n} [filtered]" for n in filtered}
    assert {"overview_metrics", "flags_filtered", "unit_comparison"} <= filtered  # they take the shared filters
    assert "project_detail" not in filtered  # it does not
    for name, r in got.items():
        assert "error" not in r, (name, r)
        assert r["p50_ms"] <= r["p95_ms"] <= r["max_ms"], name
    # the filtered case binds one province and one year, in the contract's filter shape
    assert len(got["overview_metrics [filtered]"]["params"]["provinces"]) == 1


def test_boilerplate_recall_against_exact_pairs(small_db):
    r = bench.boilerplate_recall(small_db["db"], sample=5000)
    assert r["exact_pairs"] > 0
    assert 0.95 <= r["recall"] <= 1.0 and 0.0 <= r["precision"] <= 1.0


def test_ingest_profile_names_the_hot_functions(small_db):
    p = bench.ingest_profile(small_db["root"] / "corpus" / "documents", n_files=5)
    assert p["sample_files"] == 5 and p["sample_indicators"] > 0
    assert p["top_own_time"] and all(r["own_s"] >= 0 for r in p["top_own_time"])


def test_targets_and_table():
    summary = {
        "params": {"counties": 1},
        "ingest": {"seconds": 130.0, "peak_gb": 1.0},
        "rules": {"seconds": 10.0},
        "queries": {"a": {"p50_ms": 1.0, "p95_ms": 2.0, "max_ms": 3.0, "rows": 1}, "b": {"error": "x"}},
        "boilerplate": {"recall": 0.99},
        "accuracy": {"JX101": {"planted": 1, "flagged": 1, "tp": 1, "fp": 0, "fn": 0, "precision": 1.0, "recall": 1.0}},
    }
    t = bench.check_targets(summary)
    assert not t["ingest_seconds"]["ok"] and t["ingest_peak_gb"]["ok"] and t["rules_seconds"]["ok"]
    assert not t["query_p95_ms"]["ok"] and t["query_p95_ms"]["errors"] == ["b"]
    assert t["rule_precision"]["ok"] and t["boilerplate_recall"]["ok"]
    summary["targets"] = t
    text = bench.format_table(summary)
    assert "MISS  ingest_seconds" in text and "PASS  rules_seconds" in text
    # the corpus line says whether the corpus was generated (and in how long) or reused
    summary["generate"] = {"files": 3, "seconds": 1.5, "cpu_seconds": 2.0}
    assert "generated in 1.5 s (cpu 2.0 s)" in bench.format_table(summary)
    summary["generate"] = {"files": 3, "mb": 0.1, "projects": 4, "indicators": 5, "by_format": {"txt": 3}, "reused": True}
    line = next(ln for ln in bench.format_table(summary).splitlines() if ln.startswith("corpus"))
    assert "reused" in line and "None" not in line


def test_tree_memory_sees_this_process():
    with bench.TreeMemory() as mem:
        block = bytearray(50_000_000)
    assert mem.peak > 50_000_000
    del block


def test_a_corpus_is_reused_only_from_the_same_generator(tmp_path, monkeypatch):
    import json
    from types import SimpleNamespace

    import jixiao.synth
    from jixiao.synth.corpus import fingerprint

    made = []

    def fake_generate(out, **kw):
        made.append(kw)
        (out / "documents").mkdir(parents=True, exist_ok=True)
        g = {"counties": kw["counties"], "years": [2024], "seed": kw["seed"], "projects_per_unit": kw["projects_per_unit"],
             "generator": fingerprint(),
             "files": 1, "projects": 1, "indicators": 1, "by_format": {}, "by_layout": {}, "by_encoding": {}, "bytes": 1}
        (out / "summary.json").write_text(json.dumps(g), encoding="utf-8")
        return g

    monkeypatch.setattr(jixiao.synth, "generate_corpus", fake_generate)
    args = SimpleNamespace(counties=1, years="2024", seed=7, projects_per_unit=4)
    corpus = tmp_path / "corpus"
    bench._corpus(corpus, args, {})
    bench._corpus(corpus, args, {})  # the same generator: reused
    assert len(made) == 1
    g = json.loads((corpus / "summary.json").read_text(encoding="utf-8"))
    g["generator"] = "an older one"  # as a corpus made before the generator changed
    (corpus / "summary.json").write_text(json.dumps(g), encoding="utf-8")
    bench._corpus(corpus, args, {})
    assert len(made) == 2
