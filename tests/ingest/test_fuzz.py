"""Properties of the ingest under damage: cuts, shuffles and byte flips of the seeds.

Whatever the damage, parse_file returns a consistent report — never an internal error turned
into a failed report (解析出错), which fails these tests — and what it loads is what the document
says: a document cut at a line keeps only projects that are exactly the original's (the last one
possibly shorter, never altered or invented).
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jixiao import schema
from jixiao.ingest import parse_file
from jixiao.interpret.assess import PARTIAL_BELOW

SEEDS = sorted((Path(__file__).resolve().parents[2] / "datasets" / "seeds").glob("*.txt"))
SEED_BYTES = [p.read_bytes() for p in SEEDS]
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
_ORIGINALS: dict[int, list[tuple]] = {}


def _parse(tmp_path: Path, data: bytes, name: str = "doc.txt"):
    path = tmp_path / name
    path.write_bytes(data)
    return parse_file(path)


def _check(parsed) -> None:
    """The report is consistent with the frames, whatever the input."""
    rep = parsed.report
    assert rep.status in ("ok", "partial", "failed")
    assert "解析出错" not in (rep.message or ""), rep.message  # an internal error, not bad input
    for table, cols in (("projects", schema.PROJECTS), ("indicators", schema.INDICATORS)):
        if table in parsed.frames:
            assert parsed.frames[table].columns == list(cols)
    if not parsed.frames:
        assert rep.status == "failed" and rep.message
        return
    doc = parsed.frames["documents"].row(0, named=True)
    projects, indicators = parsed.frames["projects"], parsed.frames["indicators"]
    assert (doc["status"], doc["message"]) == (rep.status, rep.message)
    assert (rep.projects, rep.indicators) == (projects.height, indicators.height)
    assert (doc["n_projects"], doc["n_indicators"]) == (projects.height, indicators.height)
    assert 0.0 <= doc["confidence"] <= 1.0
    if rep.status == "failed":
        assert rep.message and projects.height == 0 and doc["confidence"] == 0.0
    elif rep.status == "partial":
        assert rep.message
    else:
        assert rep.message is None and doc["confidence"] >= PARTIAL_BELOW
    if indicators.height:
        assert set(indicators["project_id"]) <= set(projects["project_id"])
        assert indicators["source_line"].min() >= 1


def _facts(parsed) -> list[tuple]:
    """Returns (project name, [(indicator name, target as written, weight, score)]) per project."""
    if not parsed.frames or parsed.frames["projects"].height == 0:
        return []
    ind = parsed.frames["indicators"]
    out = []
    for p in parsed.frames["projects"].iter_rows(named=True):
        rows = ind.filter(ind["project_id"] == p["project_id"]).sort("seq")
        out.append((p["name"], p["budget"], list(zip(rows["name"], rows["target_raw"], rows["weight"], rows["score_reported"]))))
    return out


def _original(tmp_path: Path, seed: int) -> list[tuple]:
    if seed not in _ORIGINALS:
        _ORIGINALS[seed] = _facts(_parse(tmp_path, SEED_BYTES[seed], "orig.txt"))
    return _ORIGINALS[seed]


@SETTINGS
@given(seed=st.integers(0, len(SEEDS) - 1), cut=st.floats(0, 1))
def test_cut_at_a_line_keeps_only_the_originals_projects(tmp_path, seed, cut):
    lines = SEED_BYTES[seed].split(b"\n")
    parsed = _parse(tmp_path, b"\n".join(lines[: int(len(lines) * cut)]))
    _check(parsed)
    got, want = _facts(parsed), _original(tmp_path, seed)
    assert len(got) <= len(want)
    for k, project in enumerate(got):
        name, budget, inds = project
        assert (name, budget) == want[k][:2]
        if k < len(got) - 1:
            assert inds == want[k][2], name
        else:  # the last project may end early (a complete-looking table), never differ
            assert inds == want[k][2][: len(inds)] and inds, name


@SETTINGS
@given(seed=st.integers(0, len(SEEDS) - 1), cut=st.floats(0, 1))
def test_random_cuts_never_crash(tmp_path, seed, cut):
    data = SEED_BYTES[seed]
    _check(_parse(tmp_path, data[: int(len(data) * cut)]))


@SETTINGS
@given(seed=st.integers(0, len(SEEDS) - 1), order=st.randoms(use_true_random=False))
def test_shuffled_lines_never_crash(tmp_path, seed, order):
    lines = SEED_BYTES[seed].split(b"\n")
    order.shuffle(lines)
    _check(_parse(tmp_path, b"\n".join(lines)))


@SETTINGS
@given(seed=st.integers(0, len(SEEDS) - 1),
       flips=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), min_size=1, max_size=40))
def test_byte_flips_never_crash(tmp_path, seed, flips):
    data = bytearray(SEED_BYTES[seed])
    for pos, value in flips:
        data[min(int(pos * len(data)), len(data) - 1)] = value
    _check(_parse(tmp_path, bytes(data)))


@SETTINGS
@given(seed=st.integers(0, len(SEEDS) - 1), cut=st.floats(0, 1), suffix=st.sampled_from([".xlsx", ".docx", ".md"]))
def test_seed_bytes_under_other_suffixes_never_crash(tmp_path, seed, cut, suffix):
    data = SEED_BYTES[seed]
    _check(_parse(tmp_path, data[: int(len(data) * cut)], name="doc" + suffix))


def test_seeds_are_ok_and_confident(tmp_path):
    for seed, data in enumerate(SEED_BYTES):
        parsed = _parse(tmp_path, data, f"seed{seed}.txt")
        _check(parsed)
        assert parsed.report.status == "ok", parsed.report.message
        assert parsed.frames["documents"]["confidence"][0] >= 0.95
