"""Every chart builder bounds what it draws: fed 100,000 projects (and the units, trends and flag
counts of a million-indicator database), no figure has more than charts.MAX_MARKS marks, and
what is left out is summed or said — totals stay exact, titles say how many are shown."""

from __future__ import annotations

import random

import plotly.graph_objects as go
import polars as pl
import pytest

from dashboard import charts

N = 100_000
N_UNITS = 3000


@pytest.fixture(scope="module")
def points() -> pl.DataFrame:
    rng = random.Random(7)
    return pl.DataFrame({
        "project_id": [f"p{k:06d}" for k in range(N)],
        "year": [2021 + k % 5 for k in range(N)],
        "province": [f"省{k % 31:02d}" for k in range(N)],
        "city": [f"市{k % 310:03d}" for k in range(N)],
        "county": [f"县{k % 410:03d}" for k in range(N)],
        "unit": [f"单位{k % N_UNITS:04d}" for k in range(N)],
        "name": [f"项目{k}" for k in range(N)],
        "budget": [round(rng.random() * 500, 2) for _ in range(N)],
        "executed": [0.0] * N,
        # many on exactly 100% and 90 分, the pile-up the ×n labels used to blot
        "execution_rate": [1.0 if k % 3 == 0 else round(0.3 + rng.random() * 0.8, 4) for k in range(N)],
        "total_score_reported": [90.0 if k % 3 == 0 else round(55 + rng.random() * 45, 1) for k in range(N)],
    })


@pytest.fixture(scope="module")
def units(points) -> pl.DataFrame:
    return points.group_by("province", "city", "county", "unit").agg(
        pl.col("budget").sum(), pl.len().alias("n_projects"))


@pytest.fixture(scope="module")
def trend(points) -> pl.DataFrame:
    return points.group_by("unit", "year").agg(
        pl.len().alias("n_projects"), pl.col("total_score_reported").mean().alias("score_mean"),
        pl.col("execution_rate").mean())


def _trace_sizes(fig: go.Figure) -> int:
    """Every value a figure carries in its traces' x, y, labels, q1 and z (the JSON's bulk)."""
    n = 0
    for t in fig.data:
        for attr in ("x", "y", "labels", "q1"):
            v = getattr(t, attr, None)
            n += len(v) if v is not None else 0
        z = getattr(t, "z", None)
        n += sum(len(row) for row in z) if z is not None else 0
    return n


def test_scatter_becomes_a_density_with_every_project_counted(points):
    for color_by in ("unit", "year"):
        fig = charts.execution_score_scatter(points, color_by)
        assert charts.marks(fig) <= charts.MAX_MARKS
        assert _trace_sizes(fig) <= 3 * charts.MAX_MARKS
        heat = [t for t in fig.data if t.type == "heatmap"]
        assert len(heat) == 1
        assert sum(v for row in heat[0].customdata for v in row) == N  # no project lost in the bins
        assert all(v is None for row, counts in zip(heat[0].z, heat[0].customdata)
                   for v, n in zip(row, counts) if n == 0)  # empty cells stay blank
        assert f"{N:,}" in fig.layout.title.text
        marked = [t for t in fig.data if t.type == "scatter"]
        if color_by == "unit":  # the few units with most projects drawn over the density
            assert len(marked) == charts.MAX_COLOR_UNITS - 1
            assert len({t.marker.color for t in marked}) == len(marked)
        else:
            assert not marked
        # the quadrant stays marked above the density
        assert any(s.type == "rect" and s.x1 == charts.LOW_RATE and s.y0 == charts.HIGH_SCORE for s in fig.layout.shapes)


def test_scatter_colours_a_handful_of_units_and_groups_the_rest(points):
    few = points.head(600)  # few distinct points: a scatter, coloured by unit
    fig = charts.execution_score_scatter(few, "unit")
    assert charts.marks(fig) <= charts.MAX_MARKS
    assert len(fig.data) == charts.MAX_COLOR_UNITS
    assert fig.data[-1].name.startswith("其他 ") and fig.data[-1].marker.color == charts.OTHER_COLOR
    colours = [t.marker.color for t in fig.data[:-1]]
    assert len(set(colours)) == len(colours)  # no two units share a colour
    assert sum(sum(t.customdata) for t in fig.data) == few.height
    assert not any(t.text for t in fig.data)  # sizes, not "×n" labels


def test_box_plots_draw_quartiles_not_every_project(points):
    fig = charts.score_box(points, "county", "县（区）")  # 40 counties × ~244 projects
    assert charts.marks(fig) == charts.MAX_GROUPS
    box = fig.data[0]
    assert box.q1 is not None and len(box.x) == charts.MAX_GROUPS and box.boxpoints is False
    assert all(lo <= q1 <= m <= q3 <= hi for lo, q1, m, q3, hi in
               zip(box.lowerfence, box.q1, box.median, box.q3, box.upperfence))
    assert "四分位" in fig.layout.title.text
    assert fig.layout.xaxis.tickangle == -50  # 40 names along the axis: steep, not run together
    # 40 units × ~33 projects: few enough to show every project as a point
    fig = charts.score_box(points, "unit", "单位")
    assert fig.data[0].boxpoints == "all" and charts.marks(fig) <= charts.BOX_POINTS
    violin = charts.score_box(points, "county", "县（区）", violin=True)
    assert charts.marks(violin) <= charts.MAX_GROUPS
    assert _trace_sizes(violin) <= 2 * charts.MAX_GROUPS * charts.VIOLIN_SAMPLE


def test_treemap_keeps_the_largest_and_sums_the_rest_exactly(units):
    fig = charts.budget_treemap(units)
    assert charts.marks(fig) <= charts.MAX_MARKS
    t = fig.data[0]
    value = dict(zip(t.ids, t.values))
    assert value["全部"] == pytest.approx(units["budget"].sum())
    # every parent is the sum of its children (branchvalues "total")
    children: dict[str, float] = {}
    for i, p in zip(t.ids, t.parents):
        if p:
            children[p] = children.get(p, 0.0) + value[i]
    assert all(value[p] == pytest.approx(s) for p, s in children.items())
    leaves = [lab for lab, i in zip(t.labels, t.ids) if i not in children]
    assert sum(1 for lab in leaves if lab.startswith("单位")) == charts.TREEMAP_UNITS
    assert any(lab.startswith("其余 ") for lab in t.labels)
    assert fig.layout.uniformtext.mode == "hide"  # no label smaller than it can be read


def test_trajectories_colour_few_units_distinctly(trend):
    fig = charts.unit_trajectories(trend, "score_mean")
    assert charts.marks(fig) <= charts.MAX_MARKS
    coloured = [t for t in fig.data if t.mode == "lines+markers"]
    assert len(coloured) == charts.MAX_LINES
    assert len({t.line.color for t in coloured}) == charts.MAX_LINES  # never a colour twice
    names = [t.name for t in fig.data]
    assert any(n.startswith("其他 ") for n in names) and any("中位数" in n for n in names)


def test_bar_charts_stay_bounded():
    flags = pl.DataFrame({
        "rule": [f"JX{100 + k % 24}" for k in range(N)], "rule_title": ["标题"] * N,
        "severity": [("高", "中", "低")[k % 3] for k in range(N)],
        "unit": [f"单位{k % N_UNITS:04d}" for k in range(N)], "status": ["open"] * N,
    })
    counts = flags.group_by("rule", "rule_title", "severity", "unit").agg(pl.len().alias("n_open"))
    by_rule = counts.group_by("rule", "rule_title", "severity").agg(pl.col("n_open").sum())
    for fig in (charts.flags_by_unit(flags), charts.flags_by_unit(counts), charts.flags_by_rule(by_rule)):
        assert charts.marks(fig) <= 3 * charts.MAX_GROUPS
    assert sum(sum(t.x) for t in charts.flags_by_rule(by_rule).data) == N
    per_unit = counts.group_by("unit").agg(pl.col("n_open").sum().alias("n_open_flags"), pl.len().alias("n_projects"))
    per_unit = per_unit.with_columns((pl.col("n_open_flags") / pl.col("n_projects")).alias("flags_per_project"))
    assert charts.marks(charts.units_flags_per_project(per_unit)) <= charts.MAX_GROUPS


def test_project_history_keeps_a_total_beyond_full_marks_in_view():
    years = pl.DataFrame({"year": [2023, 2024], "goal_budget": [100.0, 100.0], "budget": [100.0, None],
                          "executed": [98.0, None], "execution_rate": [0.98, None],
                          "total_score_reported": [93.5, 128.0]})
    fig = charts.project_history(years)
    low, high = fig.layout.yaxis2.range
    assert low == 0 and high > 128.0  # the 128 the table reports is drawn, not cut off at 115
    assert charts.project_history(years.with_columns(pl.lit(90.0).alias("total_score_reported"))).layout.yaxis2.range[1] == 115
