"""Property: random cuts, shuffles and byte flips of the seeds never crash the ingest.

Whatever the damage, parse_file returns a report (ok / partial / failed) and the frames it
would load are in the schema; nothing raises.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jixiao import schema
from jixiao.ingest import parse_file

SEEDS = sorted((Path(__file__).resolve().parents[2] / "datasets" / "seeds").glob("*.txt"))
SEED_BYTES = [p.read_bytes() for p in SEEDS]
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _check(tmp_path: Path, data: bytes, name: str = "doc.txt") -> None:
    path = tmp_path / name
    path.write_bytes(data)
    parsed = parse_file(path)
    assert parsed.report.status in ("ok", "partial", "failed")
    if parsed.report.status == "failed":
        assert parsed.report.message
    for table, cols in (("projects", schema.PROJECTS), ("indicators", schema.INDICATORS)):
        if table in parsed.frames:
            assert parsed.frames[table].columns == list(cols)
    if parsed.report.status == "partial":  # a project cut off, or bytes the reader had to replace
        assert "未导入" in parsed.report.message or "已替换" in parsed.report.message


@SETTINGS
@given(seed=st.integers(0, len(SEEDS) - 1), cut=st.floats(0, 1))
def test_random_cuts_never_crash(tmp_path, seed, cut):
    data = SEED_BYTES[seed]
    _check(tmp_path, data[: int(len(data) * cut)])


@SETTINGS
@given(seed=st.integers(0, len(SEEDS) - 1), order=st.randoms(use_true_random=False))
def test_shuffled_lines_never_crash(tmp_path, seed, order):
    lines = SEED_BYTES[seed].split(b"\n")
    order.shuffle(lines)
    _check(tmp_path, b"\n".join(lines))


@SETTINGS
@given(seed=st.integers(0, len(SEEDS) - 1),
       flips=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), min_size=1, max_size=40))
def test_byte_flips_never_crash(tmp_path, seed, flips):
    data = bytearray(SEED_BYTES[seed])
    for pos, value in flips:
        data[min(int(pos * len(data)), len(data) - 1)] = value
    _check(tmp_path, bytes(data))


@SETTINGS
@given(seed=st.integers(0, len(SEEDS) - 1), cut=st.floats(0, 1), suffix=st.sampled_from([".xlsx", ".docx", ".md"]))
def test_seed_bytes_under_other_suffixes_never_crash(tmp_path, seed, cut, suffix):
    data = SEED_BYTES[seed]
    _check(tmp_path, data[: int(len(data) * cut)], name="doc" + suffix)
