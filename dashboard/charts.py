"""Chart builders: pure functions from a Polars frame to a Plotly figure (no Streamlit here).

Labels are Chinese, amounts are 万元 with thousands separators, rates are shown as %, and no
chart shows document text or person names — only units, regions, rules and numbers. The text
that does come from documents (unit and project names) goes through `format.plot_frame` first:
Plotly renders <a href>, <span style> and <br> in labels, legends and hover text.
"""

from __future__ import annotations

import plotly.express as px
import plotly.graph_objects as go
import polars as pl

from dashboard.format import plot_frame

# Columns that hold document text where the builders below meet them.
DOC_TEXT = ("unit", "name", "province", "city", "county", "rule_title")

FONT = "Noto Sans CJK SC, Noto Sans SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
SEVERITY_COLORS = {"高": "#c0392b", "中": "#e67e22", "低": "#95a5a6"}
HIGH_SCORE = 90.0
LOW_RATE = 0.8
SAME_LEVEL = "（本级）"
UNKNOWN = "（未识别）"
MAX_GROUPS = 40   # more boxes / bars than this are unreadable: charts keep the largest and say so
MAX_LINES = 12    # lines in the per-unit trajectories
GL_POINTS = 5000  # above this many points the scatter uses WebGL


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


def flags_by_rule(counts: pl.DataFrame, title: str = "各规则未处理问题数") -> go.Figure:
    """Given rule counts (rule, rule_title, severity, n_open), returns a horizontal bar chart,
    most frequent on top, coloured by severity."""
    df = plot_frame(counts, DOC_TEXT).filter(pl.col("n_open") > 0).with_columns(
        (pl.col("rule") + " " + pl.col("rule_title").fill_null("")).alias("规则")
    ).sort("n_open")
    fig = px.bar(
        df, x="n_open", y="规则", color="severity", orientation="h", color_discrete_map=SEVERITY_COLORS,
        category_orders={"severity": ["高", "中", "低"]}, labels={"n_open": "未处理问题数", "severity": "严重程度"},
        title=title, text="n_open",
    )
    fig.update_traces(hovertemplate="%{y}<br>未处理 %{x:,d} 条<extra></extra>", textposition="outside", cliponaxis=False)
    fig.update_yaxes(title=None, categoryorder="array", categoryarray=df["规则"].to_list())
    fig.update_xaxes(title="未处理问题数", tickformat=",d", range=[0, (df["n_open"].max() or 1) * 1.15])
    return _style(fig, height=_bar_height(df.height), legend_title="严重程度")


def flags_by_unit(flag_frame: pl.DataFrame, top: int = 15, title: str = "各单位未处理问题数") -> go.Figure:
    """Given flags (unit, severity, status), returns a stacked horizontal bar chart of the open
    flags of the `top` units with most of them, by severity."""
    open_ = plot_frame(flag_frame, DOC_TEXT).filter(pl.col("status") == "open").with_columns(pl.col("unit").fill_null("（未识别单位）"))
    totals = open_.group_by("unit").len().sort(["len", "unit"], descending=[True, False]).head(top)
    df = (open_.filter(pl.col("unit").is_in(totals["unit"].to_list()))
          .group_by("unit", "severity").len().rename({"len": "n"}))
    order = totals.sort(["len", "unit"], descending=[False, True])["unit"].to_list()
    fig = px.bar(
        df, x="n", y="unit", color="severity", orientation="h", color_discrete_map=SEVERITY_COLORS,
        category_orders={"severity": ["高", "中", "低"], "unit": order},
        labels={"n": "未处理问题数", "unit": "单位", "severity": "严重程度"}, title=title,
    )
    fig.update_traces(hovertemplate="%{y}<br>%{x:,d} 条<extra></extra>")
    fig.update_yaxes(title=None, categoryorder="array", categoryarray=order)
    fig.update_xaxes(title="未处理问题数", tickformat=",d")
    return _style(fig, height=_bar_height(len(order)), legend_title="严重程度")


def units_flags_per_project(units: pl.DataFrame, title: str = "每项目未处理问题数（按单位）") -> go.Figure:
    """Given units with flags_per_project and n_open_flags, returns a horizontal bar chart."""
    df = plot_frame(units, DOC_TEXT).sort(["flags_per_project", "unit"], descending=[False, True])
    fig = px.bar(
        df, x="flags_per_project", y="unit", orientation="h", title=title, text="flags_per_project",
        custom_data=["n_open_flags", "n_projects"], labels={"flags_per_project": "每项目问题数", "unit": "单位"},
    )
    fig.update_traces(
        marker_color="#1f5fa8", texttemplate="%{x:.1f}", textposition="outside", cliponaxis=False,
        hovertemplate="%{y}<br>每项目 %{x:.2f} 条<br>未处理 %{customdata[0]:,d} 条 / %{customdata[1]:,d} 个项目<extra></extra>",
    )
    fig.update_yaxes(title=None)
    fig.update_xaxes(title="每项目未处理问题数", range=[0, (df["flags_per_project"].max() or 1) * 1.15])
    return _style(fig, height=_bar_height(df.height))


def score_box(points: pl.DataFrame, by: str, by_label: str, violin: bool = False) -> go.Figure:
    """Given self-evaluation projects (total_score_reported and a grouping column), returns a
    box (or violin) plot of the totals per group with every project as a point."""
    df = plot_frame(points, DOC_TEXT).filter(pl.col("total_score_reported").is_not_null())
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
    df = df.sort(by)
    common = dict(x=by, y="total_score_reported", points="all", hover_data={"name": True, "unit": True},
                  labels={by: by_label, "total_score_reported": "自评总分", "name": "项目", "unit": "单位"})
    fig = px.violin(df, box=True, **common) if violin else px.box(df, **common)
    fig.update_traces(marker=dict(size=7, opacity=0.75), line_color="#1f5fa8", fillcolor="rgba(31,95,168,0.15)",
                      marker_color="#1f5fa8", pointpos=0, jitter=0.4)
    # Up to the highest total, not just 100: a total above 100 is itself a finding (JX302).
    top = max(101.0, (df["total_score_reported"].max() or 100) + 2)
    fig.update_yaxes(title="自评总分（分）", range=[max(0, (df["total_score_reported"].min() or 60) - 5), top])
    fig.update_layout(title=title)
    fig.update_xaxes(title=None, tickangle=-20 if df[by].n_unique() > 6 else 0)
    return _style(fig, height=420)


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
    return _style(fig, height=_bar_height(2 * len(units)))


def budget_treemap(units: pl.DataFrame) -> go.Figure:
    """Given unit rows (province, city, county, unit, budget, n_projects), returns a treemap of
    budget by province → city → county → unit (万元)."""
    df = plot_frame(units, DOC_TEXT).filter(pl.col("budget").fill_null(0) > 0).with_columns(
        pl.col("province").fill_null(UNKNOWN),
        pl.col("city").fill_null(SAME_LEVEL),
        pl.col("county").fill_null(SAME_LEVEL),
        pl.col("unit").fill_null("（未识别单位）"),
    )
    fig = px.treemap(
        df, path=[px.Constant("全部"), "province", "city", "county", "unit"], values="budget",
        custom_data=["n_projects"],
    )
    fig.update_traces(
        root_color="#f4f6f9", textinfo="label+value",
        texttemplate="%{label}<br>%{value:,.2f} 万元",
        hovertemplate="%{label}<br>预算 %{value:,.2f} 万元<br>占上级 %{percentParent:.1%}<extra></extra>",
        marker=dict(colorscale="Blues"),
    )
    fig.update_layout(title="预算分布（万元）：省 → 市 → 县（区） → 单位")
    return _style(fig, height=460)


PALETTE = px.colors.qualitative.D3 + px.colors.qualitative.Set2


def _names(names: list[str], limit: int = 6) -> str:
    shown = names[:limit]
    more = f"<br>… 等共 {len(names)} 个项目" if len(names) > limit else ""
    return "<br>".join(f"· {n}" for n in shown) + more


def execution_score_scatter(points: pl.DataFrame, color_by: str = "unit") -> go.Figure:
    """Given self-evaluation projects (execution_rate, total_score_reported, unit, year, name,
    budget), returns the 执行率 × 自评总分 scatter with the 高分低执行 quadrant (score ≥ 90 and
    rate < 80%) shaded and its lines drawn. color_by: "unit" or "year".

    Projects with the same rate and score (common: 100% and 90 分) are drawn as one larger
    point labelled ×n, so none hides behind another."""
    df = plot_frame(points, DOC_TEXT).filter(
        pl.col("execution_rate").is_not_null() & pl.col("total_score_reported").is_not_null())
    group = "unit" if color_by == "unit" else "year"
    agg = (
        df.with_columns(pl.col("execution_rate").round(4).alias("_x"), pl.col("total_score_reported").round(2).alias("_y"))
        .group_by(group, "_x", "_y")
        .agg(pl.len().alias("n"), pl.col("name").sort().alias("names"), pl.col("unit").unique().sort().alias("units"),
             pl.col("year").unique().sort().alias("years"),
             pl.col("budget").sum().alias("budget"))
        .sort(group, "_x", "_y")
    )
    fig = go.Figure()
    for k, key in enumerate(sorted(agg[group].unique().to_list(), key=str)):
        g = agg.filter(pl.col(group) == key)
        hover = [
            f"{'、'.join(u)}（{'、'.join(str(y) for y in yrs)}年）<br>执行率 {x:.1%} · 自评总分 {y:.2f}"
            f"<br>预算合计 {b:,.2f} 万元<br>{_names(nm)}"
            for u, yrs, x, y, b, nm in zip(g["units"], g["years"], g["_x"], g["_y"], g["budget"], g["names"])
        ]
        trace = go.Scattergl if agg.height > GL_POINTS else go.Scatter
        fig.add_trace(trace(
            x=g["_x"].to_list(), y=g["_y"].to_list(), mode="markers+text", name=f"{key}年" if group == "year" else str(key),
            marker=dict(size=[10 + 5 * (n - 1) ** 0.5 for n in g["n"].to_list()], color=PALETTE[k % len(PALETTE)],
                        opacity=0.85, line=dict(width=1, color="white")),
            text=[f"×{n}" if n > 1 else "" for n in g["n"].to_list()], textposition="middle left",
            textfont=dict(size=11, color="#333"), hovertext=hover, hoverinfo="text",
        ))
    xs, ys = df["execution_rate"].to_list(), df["total_score_reported"].to_list()
    xmin = min([0.5, *xs]) - 0.05
    xmax = max([1.05, *xs]) + 0.02
    ymin = min([60.0, *ys]) - 3
    ymax = max([100.0, *ys]) + 2
    fig.add_shape(type="rect", x0=xmin, x1=LOW_RATE, y0=HIGH_SCORE, y1=ymax, fillcolor="rgba(192,57,43,0.10)",
                  line_width=0, layer="below")
    fig.add_vline(x=LOW_RATE, line_dash="dash", line_color="#c0392b", line_width=1)
    fig.add_hline(y=HIGH_SCORE, line_dash="dash", line_color="#c0392b", line_width=1)
    fig.add_annotation(x=(xmin + LOW_RATE) / 2, y=ymax - 1, text="高分低执行<br>（得分≥90，执行率<80%）",
                       showarrow=False, font=dict(color="#c0392b", size=12), yanchor="top")
    fig.update_xaxes(title="预算执行率", tickformat=".0%", range=[xmin, xmax])
    fig.update_yaxes(title="自评总分（分）", range=[ymin, ymax])
    fig.update_layout(title="执行率与自评总分（每点一个自评项目，×n 表示 n 个项目重合）")
    return _style(fig, height=480, legend_title="单位" if color_by == "unit" else "年度")


def unit_trajectories(trend: pl.DataFrame, metric: str) -> go.Figure:
    """Given unit_year_trend rows, returns lines per unit over the years of `metric`
    ("score_mean" or "execution_rate")."""
    is_rate = metric == "execution_rate"
    label = "执行率" if is_rate else "平均自评得分"
    df = plot_frame(trend, DOC_TEXT).filter(pl.col(metric).is_not_null())
    title = f"各单位{label}的年度变化"
    top = df.group_by("unit").agg(pl.col("n_projects").sum()).sort(["n_projects", "unit"], descending=[True, False])
    if top.height > MAX_LINES:
        df = df.filter(pl.col("unit").is_in(top.head(MAX_LINES)["unit"].to_list()))
        title += f"（自评项目最多的 {MAX_LINES} 个单位，共 {top.height} 个）"
    df = df.sort("unit", "year")
    fig = px.line(df, x="year", y=metric, color="unit", markers=True,
                  labels={"year": "年度", metric: label, "unit": "单位"}, custom_data=["unit", "n_projects"])
    fig.update_traces(hovertemplate=(
        "%{customdata[0]}<br>%{x}年：" + ("%{y:.1%}" if is_rate else "%{y:.2f} 分") +
        "<br>%{customdata[1]} 个自评项目<extra></extra>"))
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
                         text=[None if r is None else f"{r:.0%}" for r in rates], textposition="outside",
                         hovertemplate="%{x}<br>执行数 %{y:,.2f} 万元<br>执行率 %{customdata[0]:.1%}<extra></extra>"))
    fig.add_trace(go.Scatter(x=x, y=df["total_score_reported"].to_list(), name="自评总分", yaxis="y2",
                             mode="lines+markers+text", line=dict(color="#e67e22", width=2),
                             text=[None if s is None else f"{s:.1f}" for s in df["total_score_reported"].to_list()],
                             textposition="top center", hovertemplate="%{x}<br>自评总分 %{y:.2f} 分<extra></extra>"))
    top = max([v for v in budget if v is not None] or [1])
    fig.update_layout(
        barmode="group", title="历年预算、执行与自评总分（柱上数字为执行率）",
        yaxis=dict(title="万元", tickformat=",.0f", range=[0, top * 1.25]),
        yaxis2=dict(title="自评总分（分）", overlaying="y", side="right", range=[0, 105], dtick=20, showgrid=False),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="right", x=1),
    )
    fig.update_xaxes(type="category")
    return _style(fig, height=340)
