"""Province forms met in a blind test on real public documents (the fixtures copy the rows that
matter from tables published by 云南, 河北 and 内蒙古 units; names and phone numbers left out).
Each test names the form's feature; expected values were read off the documents by eye."""

from __future__ import annotations

import math
from pathlib import Path

from jixiao.ingest import parse_file

PROVINCES = Path(__file__).resolve().parents[1] / "fixtures" / "provinces"


def _project(parsed):
    projects = list(parsed.frames["projects"].iter_rows(named=True))
    assert len(projects) == 1
    return projects[0]


def _indicators(parsed):
    ind = parsed.frames["indicators"]
    return list(ind.sort("seq").iter_rows(named=True))


def _close(a, b):
    return a is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def test_yunnan_budget_row_with_blank_first_amount_is_not_shifted():
    # 云南 公开14表: 年初预算数 blank, 全年预算数 = 全年执行数 = 387664.62, 分值 10, 执行率 100%,
    # 得分 10. The blank first column is a column, not a shift.
    p = _project(parse_file(PROVINCES / "selfeval_yunnan_yongde.txt"))
    assert _close(p["execution_rate"], 1.0)
    assert _close(p["budget_points"], 10)
    assert _close(p["budget_score_reported"], 10)


def test_yunnan_amounts_in_yuan_are_stored_in_wanyuan():
    # 项目资金（元）: the amounts are in 元; the database holds 万元.
    p = _project(parse_file(PROVINCES / "selfeval_yunnan_yongde.txt"))
    assert p["budget"] is None
    assert _close(p["budget_adjusted"], 38.766462)
    assert _close(p["executed"], 38.766462)

