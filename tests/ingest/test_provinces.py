"""Golden tests for the provinces' own forms (tests/fixtures/provinces/): hand-written documents in
the layouts of real public tables from 四川, 安徽 (财政部 10号), 湖南, 内蒙古, a 001-like table with
its budget row shifted, and a 部门整体 table. Expected facts, checked by eye against each
document, are in expected.json beside them; every document is also read as .xlsx and .docx."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from jixiao.ingest import parse_file
from jixiao.writers import rows_to_docx, rows_to_xlsx, text_to_blocks

HERE = Path(__file__).resolve().parents[1] / "fixtures" / "provinces"
EXPECTED = json.loads((HERE / "expected.json").read_text(encoding="utf-8"))


def _same(got, want) -> bool:
    if isinstance(want, (int, float)) and not isinstance(want, bool):
        return got is not None and math.isclose(float(got), float(want), rel_tol=1e-9, abs_tol=1e-9)
    return got == want


def _check(parsed, exp: dict, *, lines: bool = True) -> None:
    assert parsed.report.status == "ok", parsed.report.message
    doc = parsed.frames["documents"].row(0, named=True)
    assert doc["kind"] == exp["kind"]
    assert doc["confidence"] >= 0.95
    for text in exp["report"]:
        assert text in doc["parse_report"], text
    projects = list(parsed.frames["projects"].iter_rows(named=True))
    assert [p["name"] for p in projects] == [p["name"] for p in exp["projects"]]
    ind = parsed.frames["indicators"]
    for got, want in zip(projects, exp["projects"]):
        assert got["year"] == exp["year"]
        for key, value in want.items():
            if key != "indicators":
                assert _same(got[key], value), (got["name"], key, got[key], value)
        rows = list(ind.filter(ind["project_id"] == got["project_id"]).sort("seq").iter_rows(named=True))
        assert len(rows) == len(want["indicators"]), got["name"]
        for row, w in zip(rows, want["indicators"]):
            for key, value in w.items():
                if key == "source_line" and not lines:
                    continue
                assert _same(row[key], value), (got["name"], w["name"], key, row[key], value)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_province_layout_golden(name):
    _check(parse_file(HERE / name), EXPECTED[name])


@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_province_layout_as_office(tmp_path, name, fmt):
    blocks = text_to_blocks((HERE / name).read_text(encoding="utf-8"))
    target = tmp_path / f"{Path(name).stem}.{fmt}"
    (rows_to_xlsx if fmt == "xlsx" else rows_to_docx)(blocks, target)
    _check(parse_file(target), EXPECTED[name], lines=False)
