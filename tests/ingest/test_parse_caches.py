"""The parse's caches change no result.

The parse keeps what it worked out about a cell or a row across documents (a row's
classification by its cells, what a cell says as a level, a value parsed once, vocabulary keys,
the aligner's gains …). Every fixture document must give the same frames parsed with every cache
cleared before it (cold) as parsed after other documents filled them (warm): after all the
others, in two orders, and a second time. A cache that kept something of the document it was
filled from (a line number, a shared list changed in place) would make a frame differ.
"""

from __future__ import annotations

import functools
import gc
import random
from pathlib import Path

import pytest

from jixiao import vocabulary
from jixiao.ingest import parse_file
from jixiao.interpret import passes

ROOT = Path(__file__).resolve().parents[2]
# Text, spreadsheets and Word tables of several provinces' forms (PDF and .doc go through the
# same interpreter after slower readers: left out to keep the test short).
FILES = sorted(
    p for d in (ROOT / "datasets" / "seeds", ROOT / "tests" / "fixtures")
    for p in d.rglob("*")
    if p.is_file() and p.suffix.lower() in {".txt", ".xlsx", ".xls", ".ods", ".docx", ".htm", ".html"}
)


def _clear_caches() -> None:
    """Every cache of the parse emptied: the lru caches of jixiao's functions, the vocabulary
    (read anew, so its lookup caches and memos start empty) and the aligner's placements."""
    for obj in gc.get_objects():
        if isinstance(obj, functools._lru_cache_wrapper) and (getattr(obj, "__module__", "") or "").startswith("jixiao"):
            obj.cache_clear()
    vocabulary._load.cache_clear()
    vocabulary._current = None
    passes._ALIGNED.clear()  # the aligner's placements by row


def _result(path: Path):
    """Given a file, returns its parse as plain data: report and every frame's columns (the load
    time left out)."""
    parsed = parse_file(path)
    frames = {t: df.drop("loaded_at").to_dict(as_series=False) if t == "documents" else df.to_dict(as_series=False)
              for t, df in parsed.frames.items()}
    r = parsed.report
    return (r.status, r.message, r.projects, r.indicators, parsed.sha256, parsed.text_sha256, frames)


def test_fixtures_cover_the_forms():
    assert len(FILES) >= 20
    assert {p.suffix for p in FILES} >= {".txt", ".xls", ".ods"}


@pytest.fixture(scope="module")
def cold() -> dict[Path, tuple]:
    out = {}
    for path in FILES:
        _clear_caches()
        out[path] = _result(path)
    # Some of them must be read as indicators, or the comparison says little.
    assert sum(r[3] for r in out.values()) >= 200
    return out


@pytest.mark.parametrize("order", ["forward", "backward", "shuffled"])
def test_warm_caches_give_the_cold_frames(cold, order):
    files = list(FILES)
    if order == "backward":
        files.reverse()
    elif order == "shuffled":
        random.Random(7).shuffle(files)
    for path in files:  # warmed by the ones before it (and by the cold run's last file)
        assert _result(path) == cold[path], f"{path.name}: frames differ with warm caches ({order})"


def test_the_same_document_twice_in_a_row_and_under_another_name(cold, tmp_path):
    for path in FILES[:: max(1, len(FILES) // 8)]:
        first, second = _result(path), _result(path)
        assert first == second == cold[path]
        copy = tmp_path / ("copy" + path.suffix)
        copy.write_bytes(path.read_bytes())
        status, message, projects, indicators, sha, text_sha, frames = _result(copy)
        want = cold[path]
        # Same content under another path: the same rows but for the source's identity.
        assert (status, projects, indicators, sha, text_sha) == (want[0], want[2], want[3], want[4], want[5])
        assert frames["indicators"] == want[6]["indicators"]
        assert frames["projects"] == want[6]["projects"]


def test_a_view_for_another_row_keeps_every_field_but_the_row():
    """`RowView.at` copies field by field: a field added to RowView must be copied too."""
    import dataclasses

    from jixiao.interpret.rows import RowView, classify
    from jixiao.model import Row

    vocab = vocabulary.current()
    for cells in [("一级指标", "二级指标", "三级指标", "指标值", "分值"), ("项目名称", "乡村道路养护"),
                  ("年初预算数(A)", "全年执行数(B)", "分值(10分)", "执行率", "得分")]:
        view = classify(Row(cells, 3, "表1"), vocab)
        other = view.at(Row(cells, 40, "表2"))
        assert other.row == Row(cells, 40, "表2") and other.line == 40
        for f in dataclasses.fields(RowView):
            if f.name != "row":
                assert getattr(other, f.name) == getattr(view, f.name), f.name
        # A fresh classification of the second row agrees with the copy.
        again = classify(Row(cells, 41), vocab)
        assert again.kind is view.kind and again.header == view.header and again.line == 41


def test_an_ingest_leaves_the_garbage_collector_as_it_found_it(tmp_path):
    """A serial ingest (an upload, in a dashboard thread) collects garbage seldom while it parses
    and puts the thresholds back after, also when two overlap."""
    import threading

    from jixiao.ingest import PARSE_GC_THRESHOLDS, ingest_paths, parsing_gc

    before = gc.get_threshold()
    seen = []
    entered, leave = threading.Event(), threading.Event()

    def other():
        with parsing_gc():
            entered.set()
            leave.wait(10)
            seen.append(gc.get_threshold())

    t = threading.Thread(target=other)
    t.start()
    entered.wait(10)
    ingest_paths([FILES[0]], tmp_path / "x.duckdb", derive=False)  # ends while the other still parses
    assert gc.get_threshold() == PARSE_GC_THRESHOLDS
    leave.set()
    t.join()
    assert seen == [PARSE_GC_THRESHOLDS]
    assert gc.get_threshold() == before
