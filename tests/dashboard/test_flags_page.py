"""问题标记 with AppTest on the seed database: filters in the URL, no writing control unless a
审核/管理 user is signed in, accepting (one, several, everything shown) with the signed-in name
as reviewer, undo, the history of a flag, and the link from a flag to 下钻 with its source lines.

Numbers are checked against the database the page reads (flags of the four seeds), not
against the page's own output."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl

import pytest


def select(rows: list[int]) -> dict:
    return {"selection": {"rows": rows, "columns": [], "cells": []}}


def _db(path):
    from jixiao.db import connect

    return connect(path, read_only=True)


def _count(seed_db, sql: str) -> int:
    con = _db(seed_db)
    try:
        return con.sql(sql).fetchall()[0][0]
    finally:
        con.close()


def _flags_table(at):
    return next(d for d in at.dataframe if d.key and d.key.startswith("fl_table_"))


def _buttons(at) -> list[str]:
    return [b.label for b in at.button]


def _click(at, label: str):
    next(b for b in at.button if b.label == label).click()
    return at.run()


def _history(at):
    """The history table of the selected flag (tables without selection have no key in AppTest)."""
    return next(d.value for d in at.dataframe if "action" in d.value.columns and "unit" not in d.value.columns)


def _events(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def _rule_label(seed_db, rule: str) -> str:
    con = _db(seed_db)
    try:
        return f"{rule} {con.sql('SELECT title FROM rules WHERE rule = $r', params={'r': rule}).fetchall()[0][0]}"
    finally:
        con.close()


def _ok(at):
    assert not at.exception, [e.value for e in at.exception]


# --------------------------------------------------------------------------- filters in the URL


def test_flags_filters_come_from_the_url(open_page, seed_db):
    label = _rule_label(seed_db, "JX101")
    at = open_page("flags", query={"rule": label, "status": "全部"})
    _ok(at)
    table = _flags_table(at).value
    assert len(table) == _count(seed_db, "SELECT count(*) FROM flags WHERE rule = 'JX101'") > 0
    assert set(table["rule"]) == {"JX101"}
    assert at.multiselect(key="rule").value == ["JX101"]
    assert at.selectbox(key="status").value == "全部"


def test_flags_rule_in_the_url_may_be_its_code(open_page, seed_db):
    # a hand-written address names the rule by its code, not by the widget's label
    at = open_page("flags", query={"rule": ["JX101", "JX999"], "status": "全部"})
    _ok(at)
    assert at.multiselect(key="rule").value == ["JX101"]
    assert set(_flags_table(at).value["rule"]) == {"JX101"}


def test_flags_rule_codes_and_labels_in_one_url_both_count(open_page, seed_db):
    # ?rule=JX202&rule=<JX101's label>: the label chooses JX101 and the code adds JX202
    con = _db(seed_db)
    rules = [r for (r,) in con.execute("SELECT DISTINCT rule FROM flags ORDER BY rule").fetchall()]
    con.close()
    assert len(rules) >= 2
    first, second = rules[0], rules[1]
    at = open_page("flags", query={"rule": [second, _rule_label(seed_db, first)], "status": "全部"})
    _ok(at)
    assert at.multiselect(key="rule").value == [first, second]
    assert set(_flags_table(at).value["rule"]) == {first, second}
    # the address now names both by label, as the widget writes it: a reload or a copy keeps both
    assert at.query_params["rule"] == [_rule_label(seed_db, first), _rule_label(seed_db, second)]
    # a rule the user removes afterwards stays removed (the address's code is applied once)
    at.multiselect(key="rule").unselect(second).run()
    _ok(at)
    assert at.multiselect(key="rule").value == [first]
    assert set(_flags_table(at).value["rule"]) == {first}


def test_flags_filters_are_bound_to_the_url(open_page, seed_db):
    at = open_page("flags")
    # the browser writes a bound widget's value into the address (checked in the Chromium test)
    assert [w.proto.query_param_key for w in (at.multiselect(key="rule"), at.multiselect(key="severity"),
                                               at.selectbox(key="status"))] == ["rule", "severity", "status"]
    at.multiselect(key="severity").select("高").run()
    at.selectbox(key="status").select("全部").run()
    _ok(at)
    table = _flags_table(at).value
    assert len(table) == _count(seed_db, "SELECT count(*) FROM flags WHERE severity = '高'") > 0
    assert set(table["severity"]) == {"高"}


# --------------------------------------------------------------------------- who sees writing controls


@pytest.mark.parametrize("user", [None, "李查看"])
def test_flags_no_writing_controls_unless_reviewer(open_page, waiver_log, user):
    at = open_page("flags", user=user, state={"status": "全部"})
    _ok(at)
    at.session_state[_flags_table(at).key] = select([0, 1])
    at.run()
    _ok(at)
    labels = _buttons(at)
    assert not any(lb.startswith(("接受", "撤销")) for lb in labels), labels
    assert not [t for t in at.text_area if t.key in ("fl_reason", "fl_bulk_reason")]
    hints = " ".join(i.value for i in at.info)
    assert "登录后可接受或撤销问题标记" in hints
    if user == "李查看":
        assert "「查看」" in hints
    assert not waiver_log.exists()


def test_flags_reviewer_gets_writing_controls(open_page):
    at = open_page("flags", user="张审核")
    _ok(at)
    assert any(lb.startswith("接受全部") for lb in _buttons(at)), "accept-all-shown for a reviewer"
    at.session_state[_flags_table(at).key] = select([0])
    at.run()
    assert "接受此标记" in _buttons(at)


# --------------------------------------------------------------------------- accept, history, undo


def test_flags_accept_history_and_undo(open_page, waiver_log, seed_db):
    at = open_page("flags", user="张审核", state={"status": "全部"})
    key = _flags_table(at).key
    first = _flags_table(at).value.iloc[0]
    at.session_state[key] = select([0])
    at.run()
    assert any("尚无处理记录" in c.value for c in at.caption)
    _click(at, "接受此标记")
    assert any("接受理由" in e.value for e in at.error), "an empty reason must be refused"
    assert _events(waiver_log) == []

    at.session_state[key] = select([0])
    at.text_area(key="fl_reason").input("口径特殊，已与单位核实")
    _click(at, "接受此标记")
    _ok(at)
    events = _events(waiver_log)
    assert [(e["event"], e["rule"], e["reviewer"], e["reason"]) for e in events] == [
        ("accept", first["rule"], "张审核", "口径特殊，已与单位核实")]
    assert any("已接受" in s.value for s in at.success)
    table = _flags_table(at).value
    row = table[table["flag_id"] == first["flag_id"]].iloc[0]
    assert (row["status"], row["waiver_reviewer"], row["waiver_reason"]) == ("已接受", "张审核", "口径特殊，已与单位核实")

    # the history of the flag, then undo it
    key = _flags_table(at).key  # a fresh table after the decision: nothing ticked
    at.session_state[key] = select([int(table.index[table["flag_id"] == first["flag_id"]][0])])
    at.run()
    assert "接受此标记" not in _buttons(at)
    hist = _history(at)
    assert list(hist["action"]) == ["接受"] and list(hist["reviewer"]) == ["张审核"]
    at.text_input(key="fl_undo_reason").input("单位补充了材料，重新审核")
    _click(at, "撤销接受")
    _ok(at)
    events = _events(waiver_log)
    assert [(e["event"], e["reviewer"]) for e in events] == [("accept", "张审核"), ("undo", "张审核")]
    assert events[1]["reason"] == "单位补充了材料，重新审核"
    table = _flags_table(at).value
    assert list(table[table["flag_id"] == first["flag_id"]]["status"]) == ["未处理"]
    idx = int(table.index[table["flag_id"] == first["flag_id"]][0])
    at.session_state[_flags_table(at).key] = select([idx])
    at.run()
    hist = _history(at)
    assert list(hist["action"]) == ["撤销接受", "接受"], "newest first, nothing overwritten"
    # 处理记录 tab lists both decisions
    log = next(d.value for d in at.dataframe if {"action", "unit"} <= set(d.value.columns))
    assert list(log["action"]) == ["撤销接受", "接受"]


def test_flags_bulk_accept_of_a_selection(open_page, waiver_log, seed_db):
    label = _rule_label(seed_db, "JX404")
    at = open_page("flags", user="王管理", query={"rule": label})
    table = _flags_table(at).value
    assert len(table) >= 3
    at.session_state[_flags_table(at).key] = select([0, 1, 2])
    at.run()
    assert any("已勾选 3 条" in m.value for m in at.markdown)
    at.text_area(key="fl_reason").input("同一单位的统一口径，已核实")
    _click(at, "接受 3 条标记")
    _ok(at)
    events = _events(waiver_log)
    assert len(events) == 3 and {e["rule"] for e in events} == {"JX404"}
    assert {e["reviewer"] for e in events} == {"王管理"}
    assert len({e["batch"] for e in events}) == 1 and events[0]["batch"], "one decision, one batch"
    # the default filter (未处理) no longer lists them
    assert len(_flags_table(at).value) == len(table) - 3


def test_flags_accept_all_shown_needs_confirmation(open_page, waiver_log, seed_db):
    label = _rule_label(seed_db, "JX404")
    at = open_page("flags", user="张审核", query={"rule": label})
    n = _count(seed_db, "SELECT count(*) FROM flags WHERE rule = 'JX404'")
    assert len(_flags_table(at).value) == n > 0
    button = f"接受全部 {n:,} 条"
    at.text_area(key="fl_bulk_reason").input("模板口径由上级统一规定")
    _click(at, button)
    assert any("请先勾选" in e.value for e in at.error)
    assert _events(waiver_log) == []
    at.text_area(key="fl_bulk_reason").input("模板口径由上级统一规定")
    next(c for c in at.checkbox if c.label.startswith("确认接受")).check()
    _click(at, button)
    _ok(at)
    events = _events(waiver_log)
    assert len(events) == n and {e["rule"] for e in events} == {"JX404"}
    assert {e["reason"] for e in events} == {"模板口径由上级统一规定"}
    assert any(f"已接受 {n:,} 条" in s.value for s in at.success)
    assert not [d for d in at.dataframe if d.key and d.key.startswith("fl_table_")], "no open JX404 left"


def test_flags_accept_all_takes_every_open_flag_not_only_the_rows_shown(open_page, waiver_log, seed_db, monkeypatch):
    """The table shows one page (data.PAGE_ROWS); accepting everything the filters show accepts
    every open flag of the filter, fetched when the form is submitted."""
    from dashboard import data

    monkeypatch.setattr(data, "PAGE_ROWS", 2)
    where = "FROM flags f JOIN projects p USING (project_id) WHERE coalesce(p.scope, 'project') = 'project'"
    n = _count(seed_db, f"SELECT count(*) {where}")
    # a waiver is per (rule, project, indicator): flags sharing that key are accepted together
    keys = _count(seed_db, f"SELECT count(DISTINCT (f.rule, f.project_id, coalesce(f.indicator_id, ''))) {where}")
    assert n >= keys > 2
    at = open_page("flags", user="张审核")
    assert len(_flags_table(at).value) == 2
    at.text_area(key="fl_bulk_reason").input("统一口径")
    next(c for c in at.checkbox if c.label.startswith("确认接受")).check()
    _click(at, f"接受全部 {n:,} 条")
    _ok(at)
    events = _events(waiver_log)
    assert len(events) == keys and len({(e["rule"], e["project_id"], e["indicator_id"]) for e in events}) == keys
    assert any(f"已接受 {n:,} 条" in s.value for s in at.success)  # as the button said


# --------------------------------------------------------------------------- to the drill-down


def test_flag_opens_its_drilldown_with_header_lines(open_page, seed_db):
    con = _db(seed_db)
    rule, pid, iid, name = con.sql(
        "SELECT f.rule, f.project_id, f.indicator_id, i.name FROM flags f JOIN indicators i USING (indicator_id) "
        "WHERE i.seq > 2 ORDER BY f.flag_id LIMIT 1").fetchall()[0]
    con.close()
    at = open_page("flags", query={"rule": _rule_label(seed_db, rule)})
    table = _flags_table(at).value
    idx = int(table.index[table["indicator_id"] == iid][0])
    at.session_state[_flags_table(at).key] = select([idx])
    at.run()
    _ok(at)
    # the flag's source lines: header rows of its table above, its own rows marked
    code = "\n".join(t.value for t in at.text)
    assert "一级指标" in code and "▶" in code
    link = next(p for p in at.get("page_link") if p.value == "在下钻中查看")
    params = dict(parse_qsl(link.proto.query_string))
    assert (params["dd_project"], params["dd_indicator"]) == (pid, iid)

    for k, v in params.items():
        at.query_params[k] = v
    at.switch_page("views/drilldown.py")
    at.run()
    _ok(at)
    subheaders = [s.value for s in at.subheader]
    assert any(s.startswith("④ 指标") and name[:6] in s.replace("\\", "") for s in subheaders), subheaders
    assert not any(k.startswith("dd_") for k in at.query_params), "the focus is taken once"


def test_template_occurrence_links_to_its_drilldown(open_page):
    at = open_page("flags", state={"tpl_all": True})  # the seeds' clusters are each in one unit
    at.session_state["tpl_clusters"] = select([0])
    at.run()
    occ_key = next(d.key for d in at.dataframe if d.key and d.key.startswith("tpl_occ_"))
    occ = next(d.value for d in at.dataframe if d.key == occ_key)
    at.session_state[occ_key] = select([1])
    at.run()
    _ok(at)
    link = next(p for p in at.get("page_link") if p.value == "在下钻中查看")
    params = dict(parse_qsl(link.proto.query_string))
    assert params == {"dd_unit": occ.iloc[1]["unit"], "dd_project": occ.iloc[1]["project_id"],
                      "dd_indicator": occ.iloc[1]["indicator_id"]}


def test_drilldown_says_when_the_linked_unit_is_outside_the_filter(open_page, seed_db):
    con = _db(seed_db)
    unit, pid = con.sql("SELECT unit, project_id FROM projects WHERE year <> 2024 ORDER BY project_id LIMIT 1").fetchall()[0]
    con.close()
    at = open_page("drilldown", query={"year": "2024", "dd_unit": unit, "dd_project": pid})
    _ok(at)
    assert any("不在当前筛选范围内" in i.value for i in at.info)
