"""A project's money reconciled: a 资金总额 of 0 replaced by its parts, totals that do not add up
and written 执行率 that B over the budget does not give are problems the report names."""

from __future__ import annotations

import pytest

from jixiao.interpret.budget import BudgetLine, reconcile


def _run(total, parts=None, *, basis=None, self_eval=True):
    return reconcile(total, parts or {}, points_header=10, rate_basis=basis, self_eval=self_eval, line=7)


@pytest.mark.parametrize("total,parts,basis,want_rate,want_basis,problem,note", [
    # B/A where the form has no adjusted budget
    (BudgetLine(budget=20, executed=16, rate=0.8), {}, None, 0.8, "A", None, None),
    # 四川: B over 调整后预算数
    (BudgetLine(budget=25, adjusted=28, executed=26.6, rate=0.95), {}, None, 0.95, "adjusted", None, None),
    # the header says 执行率 (B/A): A is the denominator even with an adjusted column
    (BudgetLine(budget=25, adjusted=28, executed=26.6, rate=1.064), {}, "A", 1.064, "A", None, None),
    # written over A although the form says adjusted: kept by the form, said in a note, not a problem
    (BudgetLine(budget=25, adjusted=28, executed=26.6, rate=1.064), {}, None, 0.95, "adjusted", None, "是按年初预算数计算的"),
    # over-execution written as 100% (capped like its score)
    (BudgetLine(budget=10, executed=10.4, rate=1.0), {}, None, 1.04, "A", None, None),
    # a written rate that neither gives: the computed one is kept, and it is a problem
    (BudgetLine(budget=20, executed=16, rate=0.625), {}, None, 0.8, "A", "执行率填写为 62.5%", None),
    # no amounts at all: the written rate, with a note
    (BudgetLine(rate=0.9), {}, None, 0.9, None, None, "按填写值 90%"),
])
def test_execution_rate(total, parts, basis, want_rate, want_basis, problem, note):
    fig, notes, problems = _run(total, parts, basis=basis)
    assert fig.rate == pytest.approx(want_rate)
    assert fig.rate_basis == want_basis
    assert (problem is None) == (not problems), problems
    if problem:
        assert problem in problems[0].text and problems[0].line == 7
    if note:
        assert any(note in n.text for n in notes), notes


def test_zero_total_replaced_by_its_parts():
    # 10号 form: 年度资金总额 0 0 0 10 0 0 above 本年财政拨款 90 89.974 89.974
    total = BudgetLine(budget=0, adjusted=0, executed=0, points=10, rate=0, score=0)
    fig, notes, problems = _run(total, {"fund_fiscal": BudgetLine(budget=90, adjusted=89.974, executed=89.974)})
    assert (fig.budget, fig.adjusted, fig.executed, fig.fiscal) == (90, 89.974, 89.974, 90)
    assert fig.rate == pytest.approx(1.0) and fig.rate_reported == 0 and fig.score == 0
    assert not problems
    assert any("为0" in n.text and "90 万元" in n.text for n in notes)
    assert any("随总额作废" in n.text for n in notes)


@pytest.mark.parametrize("parts,problem", [
    ({"fund_fiscal": BudgetLine(budget=8), "fund_other": BudgetLine(budget=2)}, False),
    ({"fund_fiscal": BudgetLine(budget=8), "fund_other": BudgetLine(budget=1)}, True),
    ({"fund_fiscal": BudgetLine(budget=9.996)}, False),  # rounding
    ({"fund_fiscal": BudgetLine(budget=12)}, True),
])
def test_total_against_its_parts(parts, problem):
    fig, _, problems = _run(BudgetLine(budget=10), parts, self_eval=False)
    assert fig.budget == 10
    assert bool(problems) == problem
    if problem:
        assert "与各来源合计" in problems[0].text


def test_goal_table_keeps_only_the_budget():
    fig, _, problems = _run(BudgetLine(budget=5, executed=5, rate=1.0), {"fund_fiscal": BudgetLine(budget=5)},
                            self_eval=False)
    assert (fig.budget, fig.executed, fig.rate, fig.points, fig.fiscal) == (5, None, None, None, 5)
    assert not problems
