"""Canonical unit names: cleaning, suggested aliases (and pairs never suggested), the shipped
alias file and the reviewers' decision log beside the database, unit kinds."""

from __future__ import annotations

import polars as pl
import pytest

from jixiao import units
from jixiao.privacy import MASK
from jixiao.units import clean_unit, load_aliases, record_decision, resolve, unit_kind

LUNTAI = ["轮台县社会保险中心", "轮台县社会保险服务中心", "轮台县社会保险中心本级", "219001-轮台县社会保险中心"]


def _projects(names, county="轮台县", province="新疆维吾尔自治区"):
    return pl.DataFrame({"project_id": [f"p{i}" for i in range(len(names))], "province": province,
                         "city": "巴音郭楞蒙古自治州", "county": county, "unit": names})


def _none(tmp_path):
    return load_aliases(tmp_path / "missing.csv")


@pytest.mark.parametrize("raw, clean", [
    ("219001-轮台县社会保险中心", "轮台县社会保险中心"),
    ("219001轮台县社会保险中心", "轮台县社会保险中心"),
    ("[219001]轮台县教育局", "轮台县教育局"),
    ("轮台县 人民医院(本级)", "轮台县人民医院（本级）"),
    ("轮台县社会保险中心。", "轮台县社会保险中心"),
    ("轮台县第一中学", "轮台县第一中学"),
    ("", None),
    (None, None),
])
def test_clean_unit_table(raw, clean):
    assert clean_unit(raw) == clean


def test_luntai_variants_are_suggested_under_the_full_name(tmp_path):
    res = resolve(_projects(LUNTAI), _none(tmp_path))
    # The code prefix is the same name: no decision needed.
    names = {r["unit"]: (r["unit_canonical"], r["method"]) for r in res.names.iter_rows(named=True)}
    assert names["219001-轮台县社会保险中心"] == ("轮台县社会保险中心", "normalised")
    assert names["轮台县社会保险中心"] == ("轮台县社会保险中心", "same")
    got = {(r["unit_a"], r["unit_b"]): (r["reason"], r["status"]) for r in res.suggestions.iter_rows(named=True)}
    assert got == {
        ("轮台县社会保险服务中心", "轮台县社会保险中心"): ("服务", "pending"),
        ("轮台县社会保险服务中心", "轮台县社会保险中心本级"): ("本级、服务", "pending"),
    }
    # Nothing is merged before a reviewer says so.
    assert res.project_units["unit_canonical"].n_unique() == 3


def test_cut_off_bracket_and_county_prefix_are_suggested(tmp_path):
    res = resolve(_projects(["轮台县社会保险服务中心", "轮台县社会保险服务中", "轮台县人民医院", "轮台县人民医院（本级）",
                             "社会保险服务中心", "轮台县农业农村局", "轮台县农业农村"]), _none(tmp_path))
    got = {(r["unit_a"], r["unit_b"]): r["reason"] for r in res.suggestions.iter_rows(named=True)}
    assert got == {("轮台县社会保险服务中心", "轮台县社会保险服务中"): "截断",
                   ("轮台县人民医院", "轮台县人民医院（本级）"): "本级",
                   ("轮台县社会保险服务中心", "社会保险服务中心"): "县名前缀",
                   ("轮台县农业农村局", "轮台县农业农村"): "截断"}


def test_other_units_are_never_suggested(tmp_path):
    names = ["轮台县人民医院", "轮台县中医医院", "轮台县第一中学", "轮台县第二中学", "轮台县第一小学",
             "轮台县教育局", "轮台县教育局第一幼儿园", "轮台县社会保险服务中心", "轮台县人民医院分院"]
    res = resolve(_projects(names), _none(tmp_path))
    assert res.suggestions.height == 0
    # The same names in two counties are two units and are not compared.
    two = pl.concat([_projects(["轮台县社会保险中心"]), _projects(["轮台县社会保险服务中心"], county="库尔勒市")
                     .with_columns(pl.lit("q").alias("project_id"))])
    assert resolve(two, _none(tmp_path)).suggestions.height == 0


def test_accept_reject_and_undo_through_the_decision_log(tmp_path):
    path = tmp_path / "decisions.jsonl"
    record_decision("轮台县社会保险中心", "轮台县社会保险服务中心", "accept", reviewer="王审核", note="同一单位",
                    county="轮台县", path=path)
    record_decision("轮台县社会保险中心本级", "轮台县社会保险中心", "accept", reviewer="王审核", path=path)
    res = resolve(_projects(LUNTAI), load_aliases(path))
    canon = dict(zip(res.names["unit"], res.names["unit_canonical"]))
    # 本级 -> 社会保险中心 -> 社会保险服务中心: chains are followed; the code prefix joins them too.
    assert set(canon.values()) == {"轮台县社会保险服务中心"}
    assert dict(zip(res.names["unit"], res.names["method"]))["轮台县社会保险中心"] == "alias"
    status = {(r["unit_a"], r["unit_b"]): r["status"] for r in res.suggestions.iter_rows(named=True)}
    assert status[("轮台县社会保险服务中心", "轮台县社会保险中心")] == "accepted"
    # A later reject row undoes the merge and the suggestion shows as rejected.
    record_decision("轮台县社会保险中心", "轮台县社会保险服务中心", "reject", reviewer="李审核", county="轮台县", path=path)
    res = resolve(_projects(LUNTAI), load_aliases(path))
    canon = dict(zip(res.names["unit"], res.names["unit_canonical"]))
    assert canon["轮台县社会保险中心"] == "轮台县社会保险中心" and canon["轮台县社会保险中心本级"] == "轮台县社会保险中心"
    status = {(r["unit_a"], r["unit_b"]): r["status"] for r in res.suggestions.iter_rows(named=True)}
    assert status[("轮台县社会保险服务中心", "轮台县社会保险中心")] == "rejected"


def test_alias_rows_apply_only_in_their_county(tmp_path):
    path = tmp_path / "decisions.jsonl"
    record_decision("社会保险中心", "轮台县社会保险中心", "accept", reviewer="王审核", county="轮台县", path=path)
    res = resolve(pl.concat([_projects(["社会保险中心"]),
                             _projects(["社会保险中心"], county="库尔勒市").with_columns(pl.lit("q").alias("project_id"))]),
                  load_aliases(path))
    canon = {r["county"]: r["unit_canonical"] for r in res.names.iter_rows(named=True)}
    assert canon == {"轮台县": "轮台县社会保险中心", "库尔勒市": "社会保险中心"}


def test_bad_decisions_are_refused_and_notes_read_back_as_written(tmp_path):
    path = tmp_path / "decisions.jsonl"
    with pytest.raises(ValueError):
        record_decision("甲", "乙", "maybe", reviewer="王审核", path=path)
    with pytest.raises(ValueError):
        record_decision("219001-轮台县教育局", "轮台县教育局", "accept", reviewer="王审核", path=path)
    with pytest.raises(ValueError):  # a decision names its reviewer
        record_decision("轮台县教育局本级", "轮台县教育局", "accept", reviewer=" ", path=path)
    assert not path.exists()
    # JSON Lines keep a note as written: no apostrophe in front of "=" or "-" (nothing is a spreadsheet here)
    record_decision("轮台县教育局本级", "轮台县教育局", "accept", reviewer="-王审核", note="=HYPERLINK(\"x\")", path=path)
    record_decision("轮台县教育局机关", "轮台县教育局", "reject", reviewer="王审核", note="-同上，另一单位", path=path)
    phoned = tmp_path / "phoned.jsonl"  # a phone number typed into a note is not kept
    record_decision("轮台县教育局（机关）", "轮台县教育局", "accept", reviewer="王审核", note="已电话核实 13912345678",
                    path=phoned)
    assert "13912345678" not in phoned.read_text(encoding="utf-8")
    assert load_aliases(phoned)["note"].to_list() == [f"已电话核实 {MASK}"]
    got = load_aliases(path).select("alias", "decision", "note", "reviewer").rows()
    assert got == [("轮台县教育局本级", "accept", "=HYPERLINK(\"x\")", "-王审核"),
                   ("轮台县教育局机关", "reject", "-同上，另一单位", "王审核")]
    assert [r["note"] for r in units.decision_log(path).to_dicts()] == ["-同上，另一单位", "=HYPERLINK(\"x\")"]
    # A line cut off by a crash is skipped, and the next decision starts on a line of its own.
    with path.open("a", encoding="utf-8") as fh:
        fh.write('{"decision": "accept", "alias": "轮台')
    record_decision("轮台县教育局（本级）", "轮台县教育局", "accept", reviewer="王审核", path=path)
    assert load_aliases(path)["alias"].to_list() == ["轮台县教育局本级", "轮台县教育局机关", "轮台县教育局（本级）"]
    # A hand-written file: loose spelling, no decision column means accept, junk rows skipped.
    shipped = tmp_path / "unit_aliases.csv"
    shipped.write_text("alias,canonical,note\n 轮台县 医保局 ,轮台县医疗保障局,简称\n,,\n", encoding="utf-8")
    a = load_aliases(shipped)
    assert a.select("alias", "canonical", "decision").rows() == [("轮台县医保局", "轮台县医疗保障局", "accept")]


@pytest.mark.parametrize("name, kind", [
    ("轮台县社会保险服务中心", "社保中心"), ("南堡开发区社会事业保险局", "社保中心"),
    ("轮台县人力资源和社会保障局", "人社局"), ("轮台县公共就业服务中心", "就业服务中心"),
    ("轮台县教育局", "教育局"), ("轮台县第一中学", "中学"), ("轮台县教育局第一幼儿园", "幼儿园"),
    ("轮台县人民医院", "医院"), ("轮台县疾病预防控制中心", "疾控中心"), ("轮台县卫生健康委员会", "卫健局"),
    ("轮台县医疗保障局", "医保局"), ("轮台县轮台镇人民政府", "乡镇街道"), ("轮台县档案馆", "其他"),
])
def test_unit_kind_table(name, kind):
    assert unit_kind(name) == kind


def test_the_alias_file_in_the_repository_loads():
    a = units.load_aliases(units.REPO_ROOT / "datasets" / "unit_aliases.csv")
    assert set(a["decision"].unique()) <= {"accept", "reject"}


def test_pending_merges_make_a_presumed_group_and_a_rejection_splits_it(tmp_path):
    res = resolve(_projects(LUNTAI), _none(tmp_path))
    group = dict(zip(res.names["unit"], res.names["unit_group"]))
    assert set(group.values()) == {"轮台县社会保险服务中心"}  # presumed one unit while pending …
    assert res.names["unit_canonical"].n_unique() == 3        # … but not merged for comparisons
    path = tmp_path / "decisions.jsonl"
    record_decision("轮台县社会保险中心本级", "轮台县社会保险服务中心", "reject", reviewer="王审核", path=path)
    group = dict(zip(*resolve(_projects(LUNTAI), load_aliases(path)).names.select("unit", "unit_group")))
    assert group["轮台县社会保险中心本级"] == "轮台县社会保险中心本级"
    assert group["轮台县社会保险中心"] == "轮台县社会保险服务中心"


def test_shipped_aliases_then_the_databases_decisions(tmp_path, monkeypatch):
    shipped = tmp_path / "unit_aliases.csv"
    shipped.write_text("alias,canonical,county,note\n轮台县社保中心,轮台县社会保险中心,轮台县,简称\n"
                       "轮台县社会保险中心,轮台县社会保险服务中心,轮台县,\n", encoding="utf-8")
    monkeypatch.setenv("JIXIAO_UNIT_ALIASES", str(shipped))
    monkeypatch.delenv("JIXIAO_UNIT_DECISIONS", raising=False)
    db = tmp_path / "data" / "jixiao.duckdb"
    log = units.decisions_path(db)
    assert log == tmp_path / "data" / "jixiao.unit_decisions.jsonl"
    # The copy an import writes stands for its live file: a rebuild reads the live decisions.
    assert units.decisions_path(db.with_name(".jixiao.duckdb.ingest-k2x_9a.duckdb")) == log
    record_decision("轮台县社会保险中心", "轮台县社会保险服务中心", "reject", reviewer="王审核", county="轮台县",
                    db_path=db)
    a = load_aliases(db_path=db)
    assert a.select("alias", "decision").rows() == [("轮台县社保中心", "accept"), ("轮台县社会保险中心", "accept"),
                                                     ("轮台县社会保险中心", "reject")]
    # the reviewer's later reject overrides the shipped row: 社会保险中心 stays a unit of its own
    res = resolve(_projects(["轮台县社保中心", "轮台县社会保险中心", "轮台县社会保险服务中心"]), a)
    canon = dict(zip(res.names["unit"], res.names["unit_canonical"]))
    assert canon == {"轮台县社保中心": "轮台县社会保险中心", "轮台县社会保险中心": "轮台县社会保险中心",
                     "轮台县社会保险服务中心": "轮台县社会保险服务中心"}
    monkeypatch.setenv("JIXIAO_UNIT_DECISIONS", str(tmp_path / "elsewhere.jsonl"))
    assert units.decisions_path(db) == tmp_path / "elsewhere.jsonl"
