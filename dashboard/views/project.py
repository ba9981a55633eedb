"""项目视图: one project's whole life on one page — its goal table beside its self-evaluation,
indicator by indicator with the changes between them highlighted (JX501–JX503), then the same
project year by year (budget, execution, scores, each indicator's target and actual) with the
rules across years (JX504–JX507).

The project is in the address (`?project=<project_id>`, any document of the project, any year),
so a link opens it on a fresh server; choosing another year changes the address too. Opened
from the sidebar search, from 下钻's project level and from a flag. The sidebar filters do not
narrow it: a project is shown with all its documents and years."""

import polars as pl
import streamlit as st

from dashboard import charts, data, export, filters, links
from dashboard import format as fmt

# cell colours: target made easier (JX501, 高), other changes, an indicator missing / added
# (close to Streamlit's :red-background / :orange-background / :gray-background / :green-background of the legend)
EASIER, CHANGED, MISSING, ADDED = "#fbdada", "#ffe9cc", "#eceff3", "#d8f0dc"
TARGET_RULES = ("JX104", "JX501", "JX504", "JX506")  # rules about an indicator's target
PAIR_STATUS = {"linked": "已配对", "missing": "自评表缺此指标", "added": "自评表新增", "goal_only": "仅有目标表"}
CROSS_YEAR_RULES = ("JX504", "JX505", "JX506", "JX507")

st.title("项目视图")
data.require_db()

pid = st.query_params.get(links.PROJECT_PARAM)
if not pid:
    st.info("在左侧边栏「搜索项目」中输入项目名称或项目编码（跨单位、跨年度查找），点击找到的项目即可在此查看它的"
            "目标表与自评表对照和历年情况；也可以从「下钻」的项目或「问题标记」中的标记打开。", icon=":material/search:")
    # somewhere to start: the projects (in the sidebar's filter) whose documents disagree most
    f = filters.current()
    changed = data.flags(f, rules=data.PROJECT_VIEW_RULES, status="open")
    if changed.height:
        top = (changed.group_by("project_id", "project_name", "unit", "year", "kind")
               .agg(pl.len().alias("n"), pl.col("rule").unique().sort().str.join("、").alias("rules"))
               .sort(["n", "year", "project_id"], descending=[True, True, False]).head(12))
        st.markdown(f"**可以从这些项目看起**：目标表与自评表、与上年不一致之处最多的项目（{fmt.md_escape(f.describe())}）")
        for r in top.iter_rows(named=True):
            links.project_link(r["project_id"], label=fmt.md_escape(
                f"{r['project_name']} · {r['unit']} · {r['year']}年{fmt.KIND_LABELS.get(r['kind'], '')} · "
                f"{r['n']} 处（{r['rules']}）"))
    st.stop()

# A link to this page from this page (the sidebar search) runs it with the new project but
# leaves the browser's address as it was: say the project again so the address follows.
st.query_params[links.PROJECT_PARAM] = pid

p = data.project_detail(pid)
if p is None:
    st.warning(f"找不到项目「{fmt.md_escape(pid)}」：它可能已随文档重新导入而更换了编号。请用左侧的「搜索项目」重新查找。")
    st.stop()

years = data.project_years(pid)
head = st.container()  # filled below, once the year is known

# --- the year shown: any year of the project's chain (the address follows)
year_list = years["year"].to_list()
if len(year_list) > 1:
    chosen = st.segmented_control("年度", year_list, default=p["year"], format_func=lambda y: f"{y}年",
                                  key=fmt.widget_key("pv_year", pid),
                                  help="该项目有多个年度的文档；选择一个年度查看当年的目标表与自评表对照")
    if chosen is not None and chosen != p["year"]:
        r = years.filter(pl.col("year") == chosen).row(0, named=True)
        same_kind = r["self_project_id"] if p["kind"] == "self_eval" else r["goal_project_id"]
        pid = same_kind or r["self_project_id"] or r["goal_project_id"]
        st.query_params[links.PROJECT_PARAM] = pid
        p = data.project_detail(pid) or p
year = p["year"]
this_year = years.filter(pl.col("year") == year).row(0, named=True) if year in year_list else {}

# --- header
name = this_year.get("goal_name") or this_year.get("self_name") or p.get("name") or pid
head.subheader(fmt.md_escape(name), anchor=False)
unit = p.get("unit_canonical") or p.get("unit")
written = f"（文档写作「{fmt.md_escape(p['unit'])}」）" if p.get("unit") and p["unit"] != unit else ""
region = " / ".join(x for x in (p.get("province"), p.get("city"), p.get("county")) if x) or "地区未识别"
code = this_year.get("code") or p.get("code")
span = f"{year_list[0]}–{year_list[-1]} 年共 {len(year_list)} 个年度" if len(year_list) > 1 else f"仅 {year} 年"
head.caption(f"单位：{fmt.md_escape(unit or '—')}{written} · {fmt.md_escape(region)} · "
             f"主管部门：{fmt.md_escape(p.get('department') or '—')} · 项目编码：{fmt.md_escape(code or '—')} · {span}")

st.caption(f"{year} 年（金额单位：万元）")
c = st.columns(6)
c[0].metric("目标表资金", fmt.fmt_num(this_year.get("goal_budget")), border=True, help="绩效目标表的年度资金总额（万元）")
c[1].metric("年初预算", fmt.fmt_num(this_year.get("budget")), border=True, help="绩效自评表的年初预算数 A（万元）")
c[2].metric("全年执行数", fmt.fmt_num(this_year.get("executed")), border=True, help="绩效自评表的全年执行数 B（万元）")
c[3].metric("执行率", fmt.fmt_pct(this_year.get("execution_rate")), border=True)
c[4].metric("自评总分", fmt.fmt_num(this_year.get("total_score_reported")), border=True,
            help=f"自评表填报的总分；按表内评分规则应得 {fmt.fmt_num(this_year.get('total_expected'))} 分")
c[5].metric("未处理问题", fmt.fmt_int(this_year.get("n_open_flags")), border=True, help="当年目标表和自评表的未处理问题标记")

goal_id, self_id = this_year.get("goal_project_id"), this_year.get("self_project_id")
row = st.container(horizontal=True, gap="medium")
with row:
    if goal_id:
        links.drilldown_link(unit, goal_id, label="在下钻中查看目标表")
    if self_id:
        links.drilldown_link(unit, self_id, label="在下钻中查看自评表")

goal_p = data.project_detail(goal_id) if goal_id else None
self_p = data.project_detail(self_id) if self_id else None
with st.expander("年度总体目标（目标表）与完成情况（自评表）"):
    left, right = st.columns(2, gap="large")
    # document text as plain text (st.text), never Markdown or HTML
    left.markdown("**绩效目标表**")
    left.text((goal_p or {}).get("goal") or "（无目标表或未填写）")
    right.markdown("**绩效自评表**")
    right.text(f"年初设定目标：{(self_p or {}).get('goal') or '—'}\n\n"
               f"完成情况：{(self_p or {}).get('goal_summary') or '—'}" if self_p else "（无自评表）")

titles = dict(data.rules_catalog().select("rule", "title").iter_rows())


def rule_names(codes: str | None) -> str | None:
    """"JX501,JX503" -> "JX501 自评目标值被改动；JX503 自评分值被改动"."""
    if not codes:
        return None
    return "；".join(f"{c} {titles.get(c, '')}".strip() for c in codes.split(","))


def num_text(col: str) -> pl.Expr:
    """A score or weight as short text (10, 9.17), for the coloured tables."""
    return pl.col(col).round(2).cast(pl.String).str.replace(r"\.0$", "").alias(col)


def styled_config(spec: dict, widths: dict[str, int]) -> dict:
    """The column config of a coloured table (every value shown as text): labels from the
    spec, widths in pixels. (Pinned columns would be greyed like an index: not used.)"""
    cfg = fmt.column_config({c: fmt.text(s.label, s.help, s.width) for c, s in spec.items()})
    for c, w in widths.items():
        cfg[c]["width"] = w
    return cfg


def to_styled(frame: pl.DataFrame, text_cols) -> "object":
    """The frame as pandas for a Styler, text columns without nulls (a Styler would print None)."""
    return frame.with_columns(pl.col(c).fill_null("") for c in text_cols if c in frame.columns).to_pandas()


# --- ① goal table beside self-evaluation
st.subheader(f"① 目标表与自评表对照（{year}年）", anchor=False)
gvs = data.project_goal_vs_self(pid)
if gvs.height == 0:
    st.info("该项目没有读到指标。")
else:
    if not goal_id:
        st.info(f"该项目 {year} 年只有绩效自评表，没有找到对应的绩效目标表（同一单位、同一年度按项目编码或名称配对）。"
                "下表只列自评表的指标。")
    elif not self_id:
        st.info(f"该项目 {year} 年只有绩效目标表，没有找到对应的绩效自评表。下表只列目标表的指标。")
    shown = gvs.with_columns(
        pl.col("status").replace_strict(PAIR_STATUS, default=pl.col("status"), return_dtype=pl.String).alias("pair"),
        pl.concat_str([
            pl.when(pl.col("target_easier")).then(pl.lit("目标放宽 JX501"))
              .when(pl.col("target_changed")).then(pl.lit("目标改动 JX501")),
            pl.when(pl.col("weight_changed")).then(pl.lit("分值改动 JX503")),
            pl.when(pl.col("status") == "missing").then(pl.lit("自评缺此指标 JX502")),
            pl.when(pl.col("status") == "added").then(pl.lit("自评新增 JX502")),
        ], separator="、", ignore_nulls=True).replace("", None).alias("change"),
        pl.col("change_rules").map_elements(rule_names, return_dtype=pl.String).alias("rule_names"),
    ).with_columns(
        pl.when(pl.col("change").is_null() & (pl.col("status") == "linked")).then(pl.lit("一致"))
        .otherwise(pl.col("change")).alias("change"))
    n = {k: int(shown[c].sum()) for k, c in (("easier", "target_easier"), ("target", "target_changed"),
                                             ("weight", "weight_changed"))}
    n["missing"] = shown.filter(pl.col("status") == "missing").height
    n["added"] = shown.filter(pl.col("status") == "added").height
    if goal_id and self_id:
        if any(n.values()):
            st.markdown(f"目标值改动 **{n['target']}** 项（其中放宽 **{n['easier']}** 项）、分值改动 **{n['weight']}** 项、"
                        f"自评表缺少 **{n['missing']}** 项、自评表新增 **{n['added']}** 项。")
        else:
            st.success("自评表与目标表的指标、目标值和分值一致。")
    st.caption("底色　:red-background[目标值被放宽（更容易完成，JX501 高）]　:orange-background[目标值或分值被改动（JX501、JX503）]"
               "　:gray-background[目标表有、自评表缺少（JX502）]　:green-background[自评表新增（JX502）]。"
               "是否改动以规则的判断为准：同一目标的不同写法（如「≥98%」与「>=98%」）不算改动。")

    # the two targets side by side, then the weights: a change reads across one pair of cells
    spec = {
        "change": fmt.text("变化"),
        "name": fmt.text("三级指标", width="medium"),
        "goal_target": fmt.text("目标表·指标值"),
        "self_target": fmt.text("自评表·指标值"),
        "actual_raw": fmt.text("全年实际值"),
        "goal_weight": fmt.score("目标表·分值"),
        "self_weight": fmt.score("自评表·分值"),
        "score_reported": fmt.score("自评得分"),
        "score_expected": fmt.score("规则得分", help="按表内评分规则应得的分数"),
        "change_messages": fmt.text("规则说明", width="large"),
        "level2": fmt.text("二级指标"),
        "level1": fmt.text("一级指标"),
        "rule_names": fmt.text("规则"),
        "pair": fmt.text("配对"),
    }
    cols = list(spec)
    view = shown.with_columns(num_text(c) for c in ("goal_weight", "self_weight", "score_reported", "score_expected"))

    def paint(r):
        # one row of the pandas frame -> a CSS string per column (Streamlit shows background colours)
        out = [""] * len(r.index)
        where = {c: k for k, c in enumerate(r.index)}

        def put(cols_, colour):
            for c_ in cols_:
                if c_ in where:
                    out[where[c_]] = f"background-color: {colour}"

        if r["status"] == "missing":
            put(cols, MISSING)
        elif r["status"] == "added":
            put(cols, ADDED)
        if r["target_changed"]:
            put(("goal_target", "self_target", "change"), EASIER if r["target_easier"] else CHANGED)
        if r["weight_changed"]:
            put(("goal_weight", "self_weight"), CHANGED)
            if not r["target_changed"]:
                put(("change",), CHANGED)
        return out

    styled = to_styled(view.select(*cols, "status", "target_changed", "target_easier", "weight_changed"), cols)
    st.dataframe(styled.style.apply(paint, axis=1), column_order=cols,
                 column_config=styled_config(spec, {"change": 125, "name": 210}),
                 hide_index=True, key=fmt.widget_key("pv_gvs", pid), height=min(38 + 35 * view.height + 8, 640))
    export.download_buttons(shown, f"{name}_{year}年_目标表与自评表对照", fmt.widget_key("pv_gvs_dl", pid), spec)

# --- ② year by year
st.subheader("② 历年情况", anchor=False)
if len(year_list) <= 1:
    st.info(f"该项目只找到 {year} 年的文档（按同一单位、项目编码或名称与上一年配对）。导入其他年度的文档后，这里会列出历年的"
            "预算、执行、得分和每个指标的目标值与实际值。")
else:
    st.plotly_chart(charts.project_history(years), key=fmt.widget_key("pv_hist_chart", pid))
export.table(years, {
    "year": fmt.year(),
    "goal_budget": fmt.money("目标表资金（万元）"),
    "budget": fmt.money("自评年初预算（万元）"),
    "executed": fmt.money("全年执行数（万元）"),
    "execution_rate": fmt.pct("执行率"),
    "total_score_reported": fmt.score("自评总分"),
    "total_expected": fmt.score("规则总分", help="按表内评分规则重新计算的总分"),
    "n_open_flags": fmt.integer("未处理问题"),
    "goal_name": fmt.text("目标表项目名称", width="medium"),
    "self_name": fmt.text("自评表项目名称", width="medium"),
}, name=f"{name}_历年情况", key=fmt.widget_key("pv_years", pid))

chain_flags = data.project_chain_flags(pid)
pivot = data.indicator_pivot(data.project_indicator_years(pid), chain_flags)
st.markdown("**各指标历年的目标值与实际值**（每格「目标值 / 实际值」：目标值取当年目标表，没有目标表时取自评表；"
            "实际值取当年自评表，没有时为 —）")
if pivot.height:
    year_cols = [c for c in pivot.columns if c.endswith(("目标值", "实际值"))]
    chain_years = sorted({int(c[:4]) for c in year_cols})
    # one column a year on screen (five years fit); the download keeps target and actual apart
    shown_years = pivot.with_columns(
        pl.concat_str([pl.col(data.year_column(y, "目标值")).fill_null("—"), pl.lit(" / "),
                       pl.col(data.year_column(y, "实际值")).fill_null("—")]).alias(f"{y}年") for y in chain_years)
    pspec = {"name": fmt.text("三级指标", width="medium"),
             **{f"{y}年": fmt.text(f"{y}年") for y in chain_years}, "flags": fmt.text("问题标记", width="medium"),
             "level2": fmt.text("二级指标"), "level1": fmt.text("一级指标")}
    # the cell of a year whose target a rule questions that year: orange, red when 高
    open_ind = chain_flags.filter((pl.col("status") == "open") & pl.col("indicator_id").is_not_null()
                                  & pl.col("rule").is_in(TARGET_RULES))
    marks = {(r["indicator_lineage_id"], r["year"]): r["severity"] for r in
             open_ind.group_by("indicator_lineage_id", "year").agg(pl.col("severity").min()).iter_rows(named=True)}

    def paint_years(r):
        out = [""] * len(r.index)
        for k, col in enumerate(r.index):
            if col.endswith("年") and col[:4].isdigit():
                sev = marks.get((r["indicator_lineage_id"], int(col[:4])))
                if sev:
                    out[k] = f"background-color: {EASIER if sev == '高' else CHANGED}"
        return out

    pv = to_styled(shown_years.select("indicator_lineage_id", *pspec), list(pspec))
    st.dataframe(pv.style.apply(paint_years, axis=1), column_order=list(pspec),
                 column_config=styled_config(pspec, {"name": 190}),
                 hide_index=True, key=fmt.widget_key("pv_pivot", pid), height=min(38 + 35 * pivot.height + 8, 640))
    export.download_buttons(pivot, f"{name}_各指标历年", fmt.widget_key("pv_pivot_dl", pid),
                            {**{c: pspec[c] for c in ("level1", "level2", "name")},
                             **{c: fmt.text(c) for c in year_cols}, "flags": pspec["flags"]})
    st.caption("有底色的格：规则对该指标当年的目标值有未处理的问题标记（JX501 自评改动目标、JX504 低于上年实际、"
               "JX506 时效年份不符、JX104；:red-background[高]　:orange-background[中、低]），全部标记见「问题标记」列。"
               "同一指标跨年度按名称配对。")

cross = fmt.label_codes(chain_flags.filter(pl.col("rule").is_in(CROSS_YEAR_RULES)))
st.markdown(f"**跨年度与配套检查**（JX504 目标低于上年实际、JX505 照抄上年、JX506 时效年份不符、JX507 目标表与自评表不配套；"
            f"{cross.height} 条）")
flag_spec = {
    "year": fmt.year(),
    "kind": fmt.text("表类型"),
    "rule": fmt.text("规则"),
    "rule_title": fmt.text("规则名称", width="medium"),
    "severity": fmt.text("严重程度"),
    "indicator_name": fmt.text("指标", width="medium"),
    "message": fmt.text("问题说明", width="large"),
    "status": fmt.text("状态"),
}
if cross.height == 0:
    st.success("该项目历年没有跨年度或配套方面的问题标记。")
else:
    export.table(cross, flag_spec, name=f"{name}_跨年度问题", key=fmt.widget_key("pv_cross", pid))
everything = fmt.label_codes(chain_flags)
with st.expander(f"该项目历年的全部问题标记（{everything.height} 条）"):
    if everything.height == 0:
        st.success("该项目历年没有问题标记。")
    else:
        export.table(everything, flag_spec, name=f"{name}_全部问题标记", key=fmt.widget_key("pv_all_flags", pid))
