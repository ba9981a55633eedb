"""Chart builders: pure functions from a Polars frame to a Plotly figure (no Streamlit here).

Labels are Chinese, amounts are 万元 with thousands separators, rates are shown as %, and no
chart shows document text or person names — only units, regions, rules and numbers. The text
that does come from documents (unit and project names) goes through `format.plot_frame` first:
Plotly renders <a href>, <span style> and <br> in labels, legends and hover text.

Every builder bounds what it draws, whatever its input: at most `MAX_MARKS` marks (points,
bars, tiles, cells) in a figure. At a million indicators a scatter becomes a binned density,
a treemap keeps the largest regions and units (the rest summed in one tile per parent, so every
total stays exact), colour by unit is kept for a handful of units and the others are one grey
group; exact numbers stay in the tables beside the charts.
"""

from __future__ import annotations

import math

import plotly.express as px
import plotly.graph_objects as go
import polars as pl

from dashboard.format import plot_frame, plot_text

# Columns that hold document text where the builders below meet them.
DOC_TEXT = ("unit", "name", "province", "city", "county", "rule_title")

FONT = "Noto Sans CJK SC, Noto Sans SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
SEVERITY_COLORS = {"高": "#c0392b", "中": "#e67e22", "低": "#95a5a6"}
HIGH_SCORE = 90.0
LOW_RATE = 0.8
SAME_LEVEL = "（本级）"
UNKNOWN = "（未识别）"
MAX_MARKS = 3000  # no figure draws more marks than this (see marks())
MAX_GROUPS = 40   # more boxes / bars than this are unreadable: charts keep the largest and say so
MAX_LINES = 8     # coloured lines in the per-unit trajectories: one distinct colour each
MAX_GREY_LINES = 200  # further units drawn as thin grey lines (one legend entry)
MAX_POINTS = 1500     # distinct scatter points above this: a binned density instead
MAX_COLOR_UNITS = 8   # colour by unit for at most this many units; the rest are one grey group
BOX_POINTS = 2000     # box / violin plots show every project up to this many, else boxes from quartiles
VIOLIN_SAMPLE = 400   # points per group a violin's shape is estimated from, at most
TREEMAP_UNITS = 120   # unit tiles in the treemap at most (largest budgets); the rest summed per county
TREEMAP_REGIONS = 80  # city and county tiles each at most
# Distinct colours (D3's ten without its grey, which is the colour of "the others"): a line or
# a group never shares its colour with another.
PALETTE = [c for c in px.colors.qualitative.D3 if c != "#7F7F7F"]
OTHER_COLOR = "#b8bec6"


def _style(fig: go.Figure, *, height: int | None = None, legend_title: str | None = None) -> go.Figure:
    fig.update_layout(
        font=dict(family=FONT, size=13),
        margin=dict(l=10, r=10, t=40, b=10),
        hoverlabel=dict(font_family=FONT),
        separators=".,",
        legend_title_text=legend_title,
    )
    if height:
        fig.update_layout(height=height)
    return fig


def _bar_height(n: int) -> int:
    return max(220, min(900, 60 + 28 * n))


def marks(fig: go.Figure) -> int:
    """Given a figure, returns how many marks it draws: points, bars and line vertices, treemap
    tiles, the non-empty cells of a heatmap, one per box drawn from quartiles and one per
    violin drawn without its points."""
    n = 0
    for t in fig.data:
        if t.type == "heatmap":
            n += sum(1 for row in (t.z or ()) for v in row if v is not None)
        elif t.type == "treemap":
            n += len(t.labels or ())
        elif t.type == "box" and t.q1 is not None:
            n += len(t.q1)
        elif t.type == "violin" and t.points is False:
            n += len(set(t.x or ()))
        else:
            n += max(len(t.x) if t.x is not None else 0, len(t.y) if t.y is not None else 0)
    return n


def _open_counts(flags_or_counts: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Given flags (one row each, with status) or counts (with n_open), returns the open flags
    per `by` as n_open."""
    df = flags_or_counts
    if "n_open" in df.columns:
        return df.group_by(by).agg(pl.col("n_open").sum()) if df.height else df.select(*by, "n_open")
    open_ = df.filter(pl.col("status") == "open")
    return open_.group_by(by).agg(pl.len().alias("n_open"))


def flags_by_rule(counts: pl.DataFrame, title: str = "各规则未处理问题数") -> go.Figure:
    """Given rule counts (rule, rule_title, severity, n_open), returns a horizontal bar chart,
    most frequent on top, coloured by severity."""
    df = plot_frame(counts, DOC_TEXT).filter(pl.col("n_open") > 0).with_columns(
        (pl.col("rule") + " " + pl.col("rule_title").fill_null("")).alias("label")
    ).sort(["n_open", "rule"], descending=[False, True]).tail(MAX_GROUPS)
    fig = go.Figure()
    for sev in ("高", "中", "低"):
        d = df.filter(pl.col("severity") == sev)
        if d.height:
            fig.add_trace(go.Bar(
                x=d["n_open"].to_list(), y=d["label"].to_list(), orientation="h", name=sev,
                marker_color=SEVERITY_COLORS[sev], text=d["n_open"].to_list(), textposition="outside",
                cliponaxis=False, hovertemplate="%{y}<br>未处理 %{x:,d} 条<extra></extra>"))
    fig.update_yaxes(title=None, categoryorder="array", categoryarray=df["label"].to_list())
    fig.update_xaxes(title="未处理问题数", tickformat=",d", range=[0, (df["n_open"].max() or 1) * 1.15])
    fig.update_layout(title=title, barmode="stack")
    return _style(fig, height=_bar_height(df.height), legend_title="严重程度")


def flags_by_unit(flags_or_counts: pl.DataFrame, top: int = 15, title: str = "各单位未处理问题数") -> go.Figure:
    """Given flags (unit, severity, status) or open counts (unit, severity, n_open), returns a
    stacked horizontal bar chart of the open flags of the `top` units with most of them, by
    severity."""
    counts = _open_counts(flags_or_counts.with_columns(pl.col("unit").fill_null("（未识别单位）")), ["unit", "severity"])
    counts = plot_frame(counts, DOC_TEXT).filter(pl.col("n_open") > 0)
    top = min(top, MAX_GROUPS)
    totals = counts.group_by("unit").agg(pl.col("n_open").sum()).sort(["n_open", "unit"], descending=[True, False]).head(top)
    order = totals.sort(["n_open", "unit"], descending=[False, True])["unit"].to_list()
    df = counts.filter(pl.col("unit").is_in(order))
    fig = go.Figure()
    for sev in ("高", "中", "低"):
        d = df.filter(pl.col("severity") == sev)
        if d.height:
            fig.add_trace(go.Bar(x=d["n_open"].to_list(), y=d["unit"].to_list(), orientation="h", name=sev,
                                 marker_color=SEVERITY_COLORS[sev], hovertemplate="%{y}<br>%{x:,d} 条<extra></extra>"))
    fig.update_yaxes(title=None, categoryorder="array", categoryarray=order)
    fig.update_xaxes(title="未处理问题数", tickformat=",d")
    fig.update_layout(title=title, barmode="stack")
    return _style(fig, height=_bar_height(len(order)), legend_title="严重程度")


def units_flags_per_project(units: pl.DataFrame, title: str = "每项目未处理问题数（按单位）") -> go.Figure:
    """Given units with flags_per_project and n_open_flags (the first MAX_GROUPS drawn), returns
    a horizontal bar chart."""
    df = plot_frame(units.head(MAX_GROUPS), DOC_TEXT).sort(["flags_per_project", "unit"], descending=[False, True])
    fig = go.Figure(go.Bar(
        x=df["flags_per_project"].to_list(), y=df["unit"].to_list(), orientation="h",
        text=df["flags_per_project"].to_list(), customdata=list(zip(df["n_open_flags"].to_list(), df["n_projects"].to_list())),
        marker_color="#1f5fa8", texttemplate="%{x:.1f}", textposition="outside", cliponaxis=False,
        hovertemplate="%{y}<br>每项目 %{x:.2f} 条<br>未处理 %{customdata[0]:,d} 条 / %{customdata[1]:,d} 个项目<extra></extra>",
    ))
    fig.update_yaxes(title=None)
    fig.update_xaxes(title="每项目未处理问题数", range=[0, (df["flags_per_project"].max() or 1) * 1.15])
    fig.update_layout(title=title)
    return _style(fig, height=_bar_height(df.height))


def _box_stats(df: pl.DataFrame, by: str, value: str) -> pl.DataFrame:
    """Per group: quartiles, Tukey fences (the furthest values within 1.5 IQR), mean and n."""
    q = df.group_by(by).agg(
        pl.col(value).quantile(0.25, "linear").alias("q1"), pl.col(value).median().alias("median"),
        pl.col(value).quantile(0.75, "linear").alias("q3"), pl.col(value).mean().alias("mean"), pl.len().alias("n"))
    f = df.join(q, on=by).with_columns((pl.col("q3") - pl.col("q1")).alias("iqr")).group_by(by).agg(
        pl.col(value).filter(pl.col(value) >= pl.col("q1") - 1.5 * pl.col("iqr")).min().alias("lowerfence"),
        pl.col(value).filter(pl.col(value) <= pl.col("q3") + 1.5 * pl.col("iqr")).max().alias("upperfence"))
    return q.join(f, on=by).sort(by)


def score_box(points: pl.DataFrame, by: str, by_label: str, violin: bool = False) -> go.Figure:
    """Given self-evaluation projects (total_score_reported and a grouping column), returns a
    box (or violin) plot of the totals per group: with every project as a point up to
    BOX_POINTS projects; above, boxes drawn from each group's quartiles (violins from a sample
    of each group)."""
    df = points.filter(pl.col("total_score_reported").is_not_null())
    if by == "county":
        # a city-level unit has no county: group it as "张掖市（本级）", not with other cities' ones
        df = df.with_columns(pl.coalesce(
            pl.col("county"), pl.col("city") + pl.lit(SAME_LEVEL), pl.col("province") + pl.lit(SAME_LEVEL),
            pl.lit(UNKNOWN)).alias("county"))
    else:
        df = df.with_columns(pl.col(by).fill_null(UNKNOWN))
    title = f"自评总分分布（按{by_label}）"
    groups = df.group_by(by).len().sort(["len", by], descending=[True, False])
    if groups.height > MAX_GROUPS:  # keep the chart readable: the groups with most projects
        df = df.filter(pl.col(by).is_in(groups.head(MAX_GROUPS)[by].to_list()))
        title += f"：项目最多的 {MAX_GROUPS} 个（共 {groups.height} 个）"
    y = "total_score_reported"
    style = dict(line_color="#1f5fa8", fillcolor="rgba(31,95,168,0.15)", marker=dict(size=7, opacity=0.75, color="#1f5fa8"))
    many = df.height > BOX_POINTS
    if not many:
        df = plot_frame(df.sort(by), DOC_TEXT)
        names = df["name"].to_list() if "name" in df.columns else [""] * df.height
        units = df["unit"].to_list() if "unit" in df.columns else [""] * df.height
        common = dict(x=df[by].to_list(), y=df[y].to_list(), customdata=list(zip(names, units)), name="",
                      hovertemplate="%{x}<br>自评总分 %{y:.2f}<br>项目：%{customdata[0]}<br>单位：%{customdata[1]}<extra></extra>",
                      pointpos=0, jitter=0.4, **style)
        fig = go.Figure(go.Violin(points="all", box_visible=True, **common) if violin else go.Box(boxpoints="all", **common))
    elif violin:  # the shape of each group estimated from a sample of it; no points
        sample = df.sort(by, "project_id" if "project_id" in df.columns else y).filter(
            pl.int_range(pl.len()).shuffle(seed=7).over(by) < VIOLIN_SAMPLE)
        sample = plot_frame(sample.sort(by), DOC_TEXT)
        fig = go.Figure(go.Violin(x=sample[by].to_list(), y=sample[y].to_list(), points=False, box_visible=True,
                                  name="", hoverinfo="skip", **style))
        title += f"；项目多，形状由每组至多 {VIOLIN_SAMPLE} 个项目的抽样估计"
    else:  # boxes from the quartiles: one mark per group, whatever the number of projects
        st = plot_frame(_box_stats(df, by, y), DOC_TEXT)
        fig = go.Figure(go.Box(
            x=st[by].to_list(), q1=st["q1"].to_list(), median=st["median"].to_list(), q3=st["q3"].to_list(),
            lowerfence=st["lowerfence"].to_list(), upperfence=st["upperfence"].to_list(), mean=st["mean"].to_list(),
            name="", boxpoints=False, customdata=st["n"].to_list(), hoverinfo="x+y", **style))
        title += "；项目多，箱体按四分位数画出，不逐个画点"
    # Up to the highest total, not just 100: a total above 100 is itself a finding (JX302).
    top = max(101.0, (df[y].max() or 100) + 2)
    fig.update_yaxes(title="自评总分（分）", range=[max(0, (df[y].min() or 60) - 5), top])
    fig.update_layout(title=title, showlegend=False)
    groups_drawn = df[by].n_unique()
    # up to 40 names side by side: steeper the more there are, so that they do not run together
    fig.update_xaxes(title=None, tickangle=0 if groups_drawn <= 6 else -20 if groups_drawn <= 12 else -50,
                     type="category", automargin=True)
    return _style(fig, height=420 if groups_drawn <= 12 else 480)
def median_diff(df: pl.DataFrame, metric_label: str, is_pct: bool = False) -> go.Figure:
    """Given unit_vs_median rows (unit, value, diff_city, diff_province, n_city, n_province),
    returns grouped horizontal bars: each unit's difference from its city's and province's median."""
    d = df = plot_frame(df, DOC_TEXT)
    note = ""
    if d.height > MAX_GROUPS:  # the units furthest above and below their province's median
        key = pl.coalesce("diff_province", "diff_city")
        d = pl.concat([d.sort(key, descending=True, nulls_last=True).head(MAX_GROUPS // 2),
                       d.sort(key, nulls_last=True).head(MAX_GROUPS // 2)]).unique("unit", keep="first")
        note = f"（高于、低于中位数最多的各 {MAX_GROUPS // 2} 个单位，共 {df.height} 个）"
    d = d.sort(["province", "city", "unit"], descending=True, nulls_last=True)
    units = d["unit"].to_list()
    fmt = "+.1%" if is_pct else "+.2f"
    vfmt = ".1%" if is_pct else ".2f"
    fig = go.Figure()
    for col, name, color, ncol in (("diff_city", "与本市中位数之差", "#1f5fa8", "n_city"),
                                    ("diff_province", "与本省中位数之差", "#e67e22", "n_province")):
        fig.add_trace(go.Bar(
            x=d[col].to_list(), y=units, name=name, orientation="h", marker_color=color,
            customdata=list(zip(d["value"].to_list(), d[ncol].to_list())),
            hovertemplate=(f"%{{y}}<br>{name}：%{{x:{fmt}}}<br>本单位：%{{customdata[0]:{vfmt}}}"
                           f"<br>中位数取自 %{{customdata[1]}} 个单位<extra></extra>"),
        ))
    fig.add_vline(x=0, line_color="#555", line_width=1)
    fig.update_layout(barmode="group", title=f"{metric_label}：各单位与本市、本省中位数之差{note}")
    fig.update_xaxes(title=f"{metric_label}之差" + ("（百分点）" if is_pct else ""), tickformat="+.0%" if is_pct else "+,.2f",
                     zeroline=True)
    fig.update_yaxes(title=None)
    fig.update_layout(legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1))
    fig = _style(fig, height=_bar_height(2 * len(units)) + 30)
    # the legend on its own line between the title and the bars (it covered the title's end)
    return fig.update_layout(margin=dict(t=72), title=dict(y=1.0, yref="container", yanchor="top", pad=dict(t=12)))


def _keep_top(df: pl.DataFrame, key: list[str], n: int, must: pl.DataFrame | None = None) -> pl.DataFrame:
    """Given rows with `budget` per `key`, returns the keys to draw: those in `must` first, then
    the largest budgets, n in all (at least all of `must`)."""
    totals = df.group_by(key).agg(pl.col("budget").sum()).sort(["budget", *key], descending=[True] + [False] * len(key))
    if must is not None and must.height:
        first = totals.join(must.unique(), on=key, how="semi", nulls_equal=True)
        rest = totals.join(must.unique(), on=key, how="anti", nulls_equal=True)
        return pl.concat([first, rest.head(max(0, n - first.height))]).select(key)
    return totals.head(n).select(key)


def budget_treemap(units: pl.DataFrame, max_units: int = TREEMAP_UNITS, max_regions: int = TREEMAP_REGIONS) -> go.Figure:
    """Given unit rows (province, city, county, unit, budget, n_projects), returns a treemap of
    budget by province → city → county → unit (万元): the `max_units` units with the largest
    budgets and at most `max_regions` cities and counties; under each region the rest is one
    tile ("其余 12 个单位"), so every region's total stays exact. Labels too small to read are
    hidden (hover shows them)."""
    df = plot_frame(units, DOC_TEXT).filter(pl.col("budget").fill_null(0) > 0).with_columns(
        pl.col("province").fill_null(UNKNOWN),
        pl.col("city").fill_null(SAME_LEVEL),
        pl.col("county").fill_null(SAME_LEVEL),
        pl.col("unit").fill_null("（未识别单位）"),
        pl.col("n_projects").fill_null(0),
    ).select("province", "city", "county", "unit", "budget", "n_projects")
    lv = ["province", "city", "county", "unit"]
    keep_u = _keep_top(df, lv, max_units)
    keep_c = _keep_top(df, lv[:3], max_regions, keep_u.select(lv[:3]))
    keep_m = _keep_top(df, lv[:2], max_regions, keep_c.select(lv[:2]))
    # Each level: kept names stay; the others of one parent become one "其余 n 个…" node, with
    # nothing below it. Rows are summed per path first, so the loop below sees few of them.
    rest = "\x00rest"
    df = df.with_columns(
        pl.struct(lv[:2]).is_in(keep_m.to_struct().implode()).alias("_m"),
        pl.struct(lv[:3]).is_in(keep_c.to_struct().implode()).alias("_c"),
        pl.struct(lv).is_in(keep_u.to_struct().implode()).alias("_u"),
    )
    paths = df.with_columns(
        pl.when(pl.col("_m")).then(pl.col("city")).otherwise(pl.lit(rest)).alias("p2"),
        pl.when(pl.col("_m") & pl.col("_c")).then(pl.col("county")).when(pl.col("_m")).then(pl.lit(rest)).alias("p3"),
        pl.when(pl.col("_m") & pl.col("_c") & pl.col("_u")).then(pl.col("unit"))
        .when(pl.col("_m") & pl.col("_c")).then(pl.lit(rest)).alias("p4"),
        # what a "其余" node holds: cities, counties or units, counted distinct
        pl.when(~pl.col("_m")).then(pl.concat_str("city", pl.lit("\x01")))
        .when(~pl.col("_c")).then(pl.concat_str("county", pl.lit("\x01")))
        .when(~pl.col("_u")).then(pl.concat_str("county", "unit", separator="\x01")).alias("_held"),
    ).group_by("province", "p2", "p3", "p4").agg(
        pl.col("budget").sum(), pl.col("n_projects").sum(), pl.col("_held").n_unique().alias("n_held"),
        pl.col("_held").is_null().all().alias("_none")).sort("province", "p2", "p3", "p4", nulls_last=True)
    value: dict[tuple, float] = {}
    count: dict[tuple, int] = {}
    label: dict[tuple, str] = {(): "全部"}
    parent: dict[tuple, tuple] = {}
    words = {2: "市（州）", 3: "县（区）", 4: "单位"}
    for prov, p2, p3, p4, budget, n, held, _ in paths.iter_rows():
        chain: list[tuple] = [()]
        for depth, name in enumerate((prov, p2, p3, p4), start=1):
            if name is None:
                break
            node = (*chain[-1], name)
            parent[node] = chain[-1]
            label[node] = f"其余 {held} 个{words[depth]}" if name == rest else name
            chain.append(node)
        for node in chain:  # bottom-up sums: a parent is exactly the sum of its children
            value[node] = value.get(node, 0.0) + budget
            count[node] = count.get(node, 0) + n
    ids = list(value)
    fig = go.Figure(go.Treemap(
        ids=["\x1f".join(x) or "全部" for x in ids], labels=[label[x] for x in ids],
        parents=["" if x == () else ("\x1f".join(parent[x]) or "全部") for x in ids],
        values=[value[x] for x in ids], customdata=[count[x] for x in ids], branchvalues="total",
        # three levels at a time (all, provinces, cities): a click on a tile opens the levels below
        root_color="#f4f6f9", maxdepth=3, marker=dict(line=dict(width=1, color="white")),
        texttemplate="%{label}",  # the amount in the hover: a label alone fits more tiles
        hovertemplate="%{label}<br>预算 %{value:,.2f} 万元<br>%{customdata:,d} 个项目<br>占上级 %{percentParent:.1%}<extra></extra>",
    ))
    shown = int(df["_u"].sum()) if df.height else 0
    note = f"（预算最大的 {shown} 个单位，共 {df.height} 个）" if shown < df.height else ""
    # labels that would be smaller than 11 px are hidden rather than drawn unreadably small
    # muted blues and greys: the tiles' sizes carry the budget, colours only tell provinces apart
    fig.update_layout(title=f"预算分布（万元）：省 → 市 → 县（区） → 单位{note}；点击方块逐级展开",
                      uniformtext=dict(minsize=11, mode="hide"),
                      extendtreemapcolors=False, treemapcolorway=["#c6dbef", "#9ecae1", "#d9d9d9", "#bcbddc", "#c7e9c0", "#fdd0a2", "#dadaeb"])
    return _style(fig, height=460)


def _names(names: list[str], total: int, limit: int = 6) -> str:
    shown = names[:limit]
    more = f"<br>… 等共 {total} 个项目" if total > limit else ""
    return "<br>".join(f"· {n}" for n in shown) + more


def _bins(lo: float, hi: float, n: int) -> tuple[float, float, int]:
    """Returns (start, step, count) of about n equal bins covering [lo, hi] with a round step."""
    span = max(hi - lo, 1e-9)
    raw = span / n
    mag = 10 ** int(f"{raw:e}".split("e")[1])
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = (lo // step) * step
    return start, step, int((hi - start) // step) + 1


def _quadrant(fig: go.Figure, xmin: float, ymax: float, layer: str) -> None:
    fig.add_shape(type="rect", x0=xmin, x1=LOW_RATE, y0=HIGH_SCORE, y1=ymax, fillcolor="rgba(192,57,43,0.10)",
                  line_width=0, layer=layer)
    fig.add_vline(x=LOW_RATE, line_dash="dash", line_color="#c0392b", line_width=1)
    fig.add_hline(y=HIGH_SCORE, line_dash="dash", line_color="#c0392b", line_width=1)
    fig.add_annotation(x=(xmin + LOW_RATE) / 2, y=ymax - 1, text="高分低执行<br>（得分≥90，执行率<80%）",
                       showarrow=False, font=dict(color="#c0392b", size=12), yanchor="top")


def _point_traces(fig: go.Figure, df: pl.DataFrame, order: list, group: str, grey: str | None) -> None:
    """One marker trace per group of `order` (df has _g, _x, _y): projects on the same point are
    one marker, its size growing with their number; `grey` names the group drawn in grey."""
    agg = (
        df.group_by("_g", "_x", "_y")
        .agg(pl.len().alias("n"), pl.col("name").sort().head(7).alias("names"),
             pl.col("unit").unique().sort().head(4).alias("units"), pl.col("unit").n_unique().alias("n_units"),
             pl.col("year").unique().sort().alias("years"), pl.col("budget").sum().alias("budget"))
        .with_columns(pl.col("_g").cast(pl.String))
        .sort("_g", "_x", "_y")
    )
    agg = plot_frame(agg, ("_g",))
    labels = plot_frame(pl.DataFrame({"k": [str(k) for k in order]}, schema={"k": pl.String}), ("k",))["k"].to_list()
    grey_label = plot_text(grey) if grey else None
    colours = iter(PALETTE)
    for key in labels:
        g = agg.filter(pl.col("_g") == key)
        if g.height == 0:
            continue
        hover = [  # names escaped here: only the few shown per point
            f"{'、'.join(plot_text(u) or '' for u in us)}{' 等' if nu > len(us) else ''}"
            f"（{'、'.join(str(y) for y in yrs)}年）<br>执行率 {x:.1%} · 自评总分 {y:.2f}"
            f"<br>{n} 个项目，预算合计 {b or 0:,.2f} 万元<br>{_names([plot_text(v) or '' for v in nm], n)}"
            for us, nu, yrs, x, y, n, b, nm in zip(g["units"], g["n_units"], g["years"], g["_x"], g["_y"], g["n"],
                                                   g["budget"], g["names"])
        ]
        is_grey = key == grey_label
        fig.add_trace(go.Scatter(
            x=g["_x"].to_list(), y=g["_y"].to_list(), mode="markers",
            name=f"{key}年" if group == "year" else key, customdata=g["n"].to_list(),
            marker=dict(size=[8 + 4 * (n - 1) ** 0.5 for n in g["n"].to_list()],
                        color=OTHER_COLOR if is_grey else next(colours),
                        opacity=0.6 if is_grey else 0.85, line=dict(width=1, color="white")),
            hovertext=hover, hoverinfo="text",
        ))


def execution_score_scatter(points: pl.DataFrame, color_by: str = "unit", max_points: int = MAX_POINTS) -> go.Figure:
    """Given self-evaluation projects (execution_rate, total_score_reported, unit, year, name,
    budget), returns the 执行率 × 自评总分 chart with the 高分低执行 quadrant (score ≥ 90 and
    rate < 80%) shaded and its lines drawn. color_by: "unit" or "year".

    Projects with the same rate and score (common: 100% and 90 分) are one point, its size
    growing with their number (hover lists them). Colour by unit keeps the MAX_COLOR_UNITS - 1
    units with most projects, the others are one grey group. Above `max_points` distinct points
    the chart is a density — projects counted in about 50 × 50 cells, shaded on a log scale —
    and, coloured by unit, the projects of those few units are drawn over it."""
    df = points.filter(pl.col("execution_rate").is_not_null() & pl.col("total_score_reported").is_not_null())
    xs, ys = df["execution_rate"], df["total_score_reported"]
    xmin = min(0.5, xs.min() if df.height else 0.5) - 0.05
    xmax = max(1.05, xs.max() if df.height else 1.05) + 0.02
    ymin = min(60.0, ys.min() if df.height else 60.0) - 3
    ymax = max(100.0, ys.max() if df.height else 100.0) + 2
    group = "unit" if color_by == "unit" else "year"
    fig = go.Figure()
    legend = "单位" if group == "unit" else "年度"
    df = df.with_columns(pl.col("execution_rate").round(4).alias("_x"), pl.col("total_score_reported").round(2).alias("_y"))
    ranked = df.group_by("unit").len().sort(["len", "unit"], descending=[True, False])
    distinct = df.select(pl.struct("_x", "_y").n_unique()).item() if df.height else 0
    if distinct > max_points:
        bx0, bdx, nx = _bins(xmin, xmax, 50)
        by0, bdy, ny = _bins(ymin, ymax, 50)
        cells = df.group_by(((pl.col("_x") - bx0) / bdx).floor().cast(pl.Int32).clip(0, nx - 1).alias("i"),
                            ((pl.col("_y") - by0) / bdy).floor().cast(pl.Int32).clip(0, ny - 1).alias("j")).len()
        z: list[list[float | None]] = [[None] * nx for _ in range(ny)]
        counts: list[list[int]] = [[0] * nx for _ in range(ny)]
        for i, j, n in cells.iter_rows():
            z[j][i], counts[j][i] = math.log10(n), n
        top = max(1.0, max((v for row in z for v in row if v is not None), default=1.0))
        ticks = [t for t in range(0, int(top) + 1)]
        fig.add_trace(go.Heatmap(
            x=[bx0 + (k + 0.5) * bdx for k in range(nx)], y=[by0 + (k + 0.5) * bdy for k in range(ny)], z=z,
            customdata=counts, zmin=0, zmax=top, name="全部项目",
            # light but never white at one project, dark at the most: every occupied cell is seen
            colorscale=[[0, "#dbe9f6"], [0.5, "#6baed6"], [1, "#08306b"]], hoverongaps=False,
            colorbar=dict(title="项目数", tickvals=ticks, ticktext=[f"{10 ** t:,}" for t in ticks]),
            hovertemplate=(f"执行率 %{{x:.0%}} ± {bdx / 2:.1%}<br>自评总分 %{{y:.1f}} ± {bdy / 2:g}"
                           "<br>%{customdata:,d} 个项目<extra></extra>")))
        _quadrant(fig, xmin, ymax, "above")
        title = f"执行率与自评总分（共 {df.height:,} 个自评项目，按格计数，颜色越深项目越多"
        if group == "unit":  # a handful of units over the density, in their own colours
            kept = ranked.head(MAX_COLOR_UNITS - 1)["unit"].to_list()
            _point_traces(fig, df.filter(pl.col("unit").is_in(kept)).with_columns(pl.col("unit").alias("_g")),
                          kept, group, None)
            title += f"；彩色点为自评项目最多的 {len(kept)} 个单位"
        else:
            legend = None
            title += "；项目多，不分年度着色，可在左侧筛选年度"
        title += "）"
    else:
        grey = None
        if group == "unit":
            if ranked.height > MAX_COLOR_UNITS:
                kept = ranked.head(MAX_COLOR_UNITS - 1)["unit"].to_list()
                grey = f"其他 {ranked.height - len(kept)} 个单位"
                df = df.with_columns(pl.when(pl.col("unit").is_in(kept)).then(pl.col("unit")).otherwise(pl.lit(grey))
                                     .alias("_g"))
                order = [*kept, grey]
            else:
                df = df.with_columns(pl.col("unit").alias("_g"))
                order = sorted(ranked["unit"].drop_nulls().to_list())
        else:
            df = df.with_columns(pl.col("year").alias("_g"))
            order = sorted(df["year"].drop_nulls().unique().to_list())
        _point_traces(fig, df, order, group, grey)
        _quadrant(fig, xmin, ymax, "below")
        title = "执行率与自评总分（每点一个或多个自评项目，点越大重合的项目越多）"
    fig.update_xaxes(title="预算执行率", tickformat=".0%", range=[xmin, xmax])
    fig.update_yaxes(title="自评总分（分）", range=[ymin, ymax])
    fig.update_layout(title=title, legend=dict(orientation="h", yanchor="top", y=-0.18, x=0))
    return _style(fig, height=520, legend_title=legend)


def unit_trajectories(trend: pl.DataFrame, metric: str, max_lines: int = MAX_LINES) -> go.Figure:
    """Given unit_year_trend rows, returns lines per unit over the years of `metric`
    ("score_mean" or "execution_rate"): the `max_lines` units with most self-evaluation projects
    each in its own colour, up to MAX_GREY_LINES further units as thin grey lines (one legend
    entry) and the median over all units drawn dashed."""
    is_rate = metric == "execution_rate"
    label = "执行率" if is_rate else "平均自评得分"
    vfmt = "%{y:.1%}" if is_rate else "%{y:.2f} 分"
    df = plot_frame(trend, DOC_TEXT).filter(pl.col(metric).is_not_null())
    title = f"各单位{label}的年度变化"
    top = df.group_by("unit").agg(pl.col("n_projects").sum()).sort(["n_projects", "unit"], descending=[True, False])
    n_units = top.height
    max_lines = min(max_lines, len(PALETTE))
    coloured = top.head(max_lines)["unit"].to_list()
    grey = top.slice(max_lines, MAX_GREY_LINES)["unit"].to_list()
    fig = go.Figure()
    if grey:  # context, not identity: one trace, lines separated by gaps
        g = df.filter(pl.col("unit").is_in(grey)).sort("unit", "year")
        xs, ys = [], []
        for _, part in g.group_by("unit", maintain_order=True):
            xs += [*part["year"].to_list(), None]
            ys += [*part[metric].to_list(), None]
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name=f"其他 {len(grey)} 个单位", hoverinfo="skip",
                                 line=dict(color=OTHER_COLOR, width=1), opacity=0.5))
    if n_units > 1:
        med = df.group_by("year").agg(pl.col(metric).median()).sort("year")
        fig.add_trace(go.Scatter(x=med["year"].to_list(), y=med[metric].to_list(), mode="lines",
                                 name=f"全部 {n_units} 个单位的中位数", line=dict(color="#333", width=2, dash="dash"),
                                 hovertemplate="%{x}年 中位数：" + vfmt + "<extra></extra>"))
    for k, unit in enumerate(coloured):
        d = df.filter(pl.col("unit") == unit).sort("year")
        fig.add_trace(go.Scatter(
            x=d["year"].to_list(), y=d[metric].to_list(), mode="lines+markers", name=unit,
            line=dict(color=PALETTE[k], width=2.5), marker=dict(size=7),
            customdata=d["n_projects"].to_list(),
            hovertemplate=f"{unit}<br>%{{x}}年：{vfmt}<br>%{{customdata}} 个自评项目<extra></extra>"))
    if n_units > max_lines:
        title += f"（自评项目最多的 {len(coloured)} 个单位着色，共 {n_units} 个" + (
            f"，灰线为其余 {len(grey)} 个" if grey and len(grey) == n_units - max_lines else
            f"，灰线为其后的 {len(grey)} 个" if grey else "") + "）"
    fig.update_xaxes(title="年度", dtick=1, tickformat="d")
    fig.update_yaxes(title=label, tickformat=".0%" if is_rate else ".0f")
    fig.update_layout(title=title)
    return _style(fig, height=400, legend_title="单位")


# --------------------------------------------------------------------------- project, counties, peers

MAX_COUNTIES = 12  # counties drawn side by side; the page's multi-select limits what is drawn
COUNTY_MEASURES = {  # column: (label, is a share)
    "execution_rate": ("执行率", True),
    "score_mean": ("平均自评得分", False),
    "high_score_low_rate_share": ("高分低执行占比", True),
    "flags_per_project": ("每项目问题数", False),
}


def county_compare(rollup: pl.DataFrame, measures: dict[str, tuple[str, bool]] | None = None) -> go.Figure:
    """Given county_rollup rows (label, and the measure columns) for the counties chosen,
    returns small multiples: one bar chart per measure, the counties side by side in the same
    order and colour in each, so a county is read across the measures. At most MAX_COUNTIES."""
    from plotly.subplots import make_subplots

    measures = measures or COUNTY_MEASURES
    df = plot_frame(rollup, ("label",)).head(MAX_COUNTIES)
    labels = df["label"].to_list()
    cols = 2
    rows = (len(measures) + cols - 1) // cols
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=[m[0] for m in measures.values()],
                        horizontal_spacing=0.08, vertical_spacing=0.22 if rows > 1 else 0.1)
    colors = [PALETTE[k % len(PALETTE)] for k in range(len(labels))]
    for k, (col, (label, is_share)) in enumerate(measures.items()):
        values = df[col].to_list() if col in df.columns else [None] * len(labels)
        fmt = ".1%" if is_share else ".2f"
        fig.add_trace(go.Bar(
            x=labels, y=values, marker_color=colors, showlegend=False, name=label,
            text=[None if v is None else (f"{v:.1%}" if is_share else f"{v:.2f}") for v in values],
            textposition="outside", cliponaxis=False,
            hovertemplate=f"%{{x}}<br>{label}：%{{y:{fmt}}}<extra></extra>",
        ), row=k // cols + 1, col=k % cols + 1)
        top = max([v for v in values if v is not None] or [0])
        yaxis = dict(tickformat=".0%" if is_share else ",.1f", title=None)
        if col == "score_mean":  # scores sit between 80 and 100: start the axis near them
            low = min([v for v in values if v is not None] or [80])
            yaxis["range"] = [max(0, low - 5), top + max(1.0, (top - low) * 0.25)]
        else:
            yaxis["range"] = [0, (top or 1) * 1.2]
        fig.update_yaxes(**yaxis, row=k // cols + 1, col=k % cols + 1)
        fig.update_xaxes(tickangle=-30 if len(labels) > 6 else 0, row=k // cols + 1, col=k % cols + 1)
    fig.update_layout(bargap=0.3)
    fig = _style(fig, height=330 * rows + 40)
    fig.update_layout(margin=dict(t=60))  # room for the first row's titles
    return fig


def peer_bars(peers: pl.DataFrame, metric: str, label: str, is_pct: bool, median: float | None) -> go.Figure:
    """Given unit_peers rows of one kind (unit, county, the metric), its label, whether it is a
    share and the kind's median, returns horizontal bars per unit (best on top; the
    MAX_GROUPS furthest from the median when there are more) with the median drawn."""
    df = plot_frame(peers, DOC_TEXT).filter(pl.col(metric).is_not_null())
    note = ""
    if df.height > MAX_GROUPS and median is not None:
        df = df.with_columns((pl.col(metric) - median).abs().alias("_d")).sort("_d", descending=True).head(MAX_GROUPS)
        note = f"（离中位数最远的 {MAX_GROUPS} 个，共 {peers.height} 个）"
    df = df.sort(metric, "unit", descending=[False, True])
    # the county where the unit's name does not already say it
    names = [f"{u}（{c}）" if c and c not in u else u
             for u, c in zip(df["unit"].to_list(), df["county"].fill_null("").to_list())]
    vfmt = ".1%" if is_pct else ".2f"
    fig = go.Figure(go.Bar(
        x=df[metric].to_list(), y=names, orientation="h", marker_color="#1f5fa8",
        text=[f"{v:.1%}" if is_pct else f"{v:.2f}" for v in df[metric].to_list()], textposition="outside",
        cliponaxis=False, hovertemplate=f"%{{y}}<br>{label}：%{{x:{vfmt}}}<extra></extra>",
    ))
    if median is not None:
        fig.add_vline(x=median, line_dash="dash", line_color="#c0392b", line_width=1,
                      annotation_text=f"同类中位数 {median:.1%}" if is_pct else f"同类中位数 {median:.2f}",
                      annotation_font_color="#c0392b", annotation_position="top")
    values = df[metric].to_list() or [0]
    if metric == "score_mean":  # scores sit close together: start the axis near them
        lo = max(0, min(values) - 5)
        fig.update_xaxes(range=[lo, max(values) + max(1.0, (max(values) - lo) * 0.12)])
    else:
        fig.update_xaxes(range=[0, max(max(values), median or 0) * 1.15 or 1])
    fig.update_xaxes(title=label, tickformat=".0%" if is_pct else ",.1f")
    fig.update_yaxes(title=None)
    fig.update_layout(title=f"同类单位：{label}{note}")
    return _style(fig, height=_bar_height(df.height) + 30)


def project_history(years: pl.DataFrame) -> go.Figure:
    """Given project_years rows (year, goal_budget, budget, executed, execution_rate,
    total_score_reported), returns the project over the years: budget and executed as bars
    (万元, left axis), the self-evaluation total as a line (right axis)."""
    df = years.sort("year")
    x = [f"{y}年" for y in df["year"].to_list()]
    budget = [b if b is not None else g for b, g in zip(df["budget"].to_list(), df["goal_budget"].to_list())]
    fig = go.Figure()
    fig.add_trace(go.Bar(x=x, y=budget, name="预算（万元）", marker_color="#9ecae1",
                         hovertemplate="%{x}<br>预算 %{y:,.2f} 万元<extra></extra>"))
    rates = df["execution_rate"].to_list()
    fig.add_trace(go.Bar(x=x, y=df["executed"].to_list(), name="执行数（万元）", marker_color="#1f5fa8",
                         customdata=[[r] for r in rates],
                         # inside the bar's top where it fits: above it, the score line's labels sat on it
                         text=[None if r is None else f"{r:.0%}" for r in rates], textposition="auto",
                         insidetextanchor="end",
                         hovertemplate="%{x}<br>执行数 %{y:,.2f} 万元<br>执行率 %{customdata[0]:.1%}<extra></extra>"))
    fig.add_trace(go.Scatter(x=x, y=df["total_score_reported"].to_list(), name="自评总分", yaxis="y2",
                             mode="lines+markers+text", line=dict(color="#e67e22", width=2),
                             text=[None if s is None else f"{s:.1f}" for s in df["total_score_reported"].to_list()],
                             textposition="top center", cliponaxis=False,
                             hovertemplate="%{x}<br>自评总分 %{y:.2f} 分<extra></extra>"))
    amounts = [v for v in [*budget, *df["executed"].to_list()] if v is not None]
    top = max(amounts or [1])
    # a negative amount or total (a refund, the table's own error) stays in view below 0
    bottom = min(0.0, min(amounts, default=0.0) * 1.25)
    # room above 100 for the label of a score near full marks (ticks stop at 100), and above a
    # reported total beyond full marks (the table's own error, which the rules flag): it stays in view
    scores = [v for v in df["total_score_reported"].to_list() if v is not None]
    score_top = max(115.0, max(scores, default=0) * 1.12)
    low_score = min(scores, default=0.0)
    score_bottom = low_score - 10 if low_score < 0 else 0.0
    fig.update_layout(
        barmode="group", title="历年预算、执行与自评总分（柱内数字为执行率）",
        yaxis=dict(title="万元", tickformat=",.0f", range=[bottom, max(top, 0.0) * 1.25 or 1]),
        yaxis2=dict(title="自评总分（分）", overlaying="y", side="right", range=[score_bottom, score_top],
                    tickvals=[0, 20, 40, 60, 80, 100], showgrid=False),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="right", x=1),
    )
    fig.update_xaxes(type="category")
    return _style(fig, height=340)
