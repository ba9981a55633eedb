"""The generator is deterministic: the same arguments give the same bytes (also the .xlsx and
.docx containers, and whatever the number of worker processes); another seed gives another
corpus."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from jixiao.synth import generate_corpus, parse_years


def _digest(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_same_bytes(tmp_path):
    a = generate_corpus(tmp_path / "a", counties=2, years="2023-2024", seed=3, projects_per_unit=3)
    b = generate_corpus(tmp_path / "b", counties=2, years="2023-2024", seed=3, projects_per_unit=3)
    da, db = _digest(tmp_path / "a"), _digest(tmp_path / "b")
    assert da == db
    assert any(k.endswith(".xlsx") for k in da) and any(k.endswith(".docx") for k in da)
    assert {k: v for k, v in a.items() if k != "seconds"} == {k: v for k, v in b.items() if k != "seconds"}


def test_worker_count_does_not_change_the_bytes(tmp_path):
    generate_corpus(tmp_path / "one", counties=4, years="2024", seed=9, projects_per_unit=2, workers=1)
    generate_corpus(tmp_path / "two", counties=4, years="2024", seed=9, projects_per_unit=2, workers=2)
    assert _digest(tmp_path / "one") == _digest(tmp_path / "two")


def test_another_seed_another_corpus(tmp_path):
    generate_corpus(tmp_path / "a", counties=1, years="2024", seed=1, projects_per_unit=2)
    generate_corpus(tmp_path / "b", counties=1, years="2024", seed=2, projects_per_unit=2)
    assert _digest(tmp_path / "a") != _digest(tmp_path / "b")


def test_regenerating_into_the_same_folder_leaves_no_stale_files(tmp_path):
    out = tmp_path / "c"
    generate_corpus(out, counties=3, years="2023-2024", seed=4, projects_per_unit=2)
    (out / "README.md").write_text("kept", encoding="utf-8")
    generate_corpus(out, counties=1, years="2024", seed=4, projects_per_unit=2)
    fresh = tmp_path / "fresh"
    generate_corpus(fresh, counties=1, years="2024", seed=4, projects_per_unit=2)
    left = _digest(out)
    assert left.pop("README.md")
    assert left == _digest(fresh)


@pytest.mark.parametrize("text, years", [("2021-2025", [2021, 2022, 2023, 2024, 2025]), ("2024", [2024]),
                                         ("2023,2021", [2021, 2023])])
def test_parse_years(text, years):
    assert parse_years(text) == years


def test_bad_arguments_are_refused(tmp_path):
    with pytest.raises(ValueError):
        generate_corpus(tmp_path / "x", counties=1, years="2024", formats="txt,pdf")
    with pytest.raises(ValueError):
        parse_years("2025-2021")
