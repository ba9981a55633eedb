"""Tests for jixiao.regions: province / city / county from unit, department and title text."""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl
import pytest

from jixiao import regions
from jixiao.regions import Region, resolve, resolve_region_columns

REPO = Path(__file__).resolve().parents[2]
NO_OVERRIDES = REPO / "tests" / "ingest" / "no-such-overrides.csv"


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        # Full county name; the seed documents' units.
        (("芷江侗族自治县社会保险服务中心",), ("湖南省", "怀化市", "芷江侗族自治县")),
        (("固原市本级",), ("宁夏回族自治区", "固原市", None)),
        (("固原市社会保险事业管理中心",), ("宁夏回族自治区", "固原市", None)),
        (("固原市人力资源和社会保障局",), ("宁夏回族自治区", "固原市", None)),
        # A county-level city under an autonomous prefecture.
        (("库尔勒市社会保险中心",), ("新疆维吾尔自治区", "巴音郭楞蒙古自治州", "库尔勒市")),
        # Short forms with a level character or an organisation word after them.
        (("芷江县人社局",), ("湖南省", "怀化市", "芷江侗族自治县")),
        (("芷江社保中心",), ("湖南省", "怀化市", "芷江侗族自治县")),
        (("中共芷江县委",), ("湖南省", "怀化市", "芷江侗族自治县")),
        (("固原人社局",), ("宁夏回族自治区", "固原市", None)),
        (("海南州财政局",), ("青海省", "海南藏族自治州", None)),
        # Municipalities are their own city.
        (("北京市朝阳区人力资源和社会保障局",), ("北京市", "北京市", "朝阳区")),
        (("重庆市忠县人力资源和社会保障局",), ("重庆市", "重庆市", "忠县")),
        (("北京市财政局",), ("北京市", "北京市", None)),
        (("北京朝阳社保中心",), ("北京市", "北京市", "朝阳区")),
        # 河北区 is a district of 天津, not the province 河北.
        (("河北区教育局",), ("天津市", "天津市", "河北区")),
        (("河北省财政厅",), ("河北省", None, None)),
        # Ambiguous district names settled by the same or another text.
        (("吉林省长春市朝阳区财政局",), ("吉林省", "长春市", "朝阳区")),
        (("朝阳区人力资源和社会保障局", "长春市"), ("吉林省", "长春市", "朝阳区")),
        (("朝阳区人力资源和社会保障局", "吉林省人力资源和社会保障厅"), ("吉林省", "长春市", "朝阳区")),
        (("浙江西湖区文旅局",), ("浙江省", "杭州市", "西湖区")),
        # Generic district names count only with their city.
        (("阳泉市城区财政局",), ("山西省", "阳泉市", "城区")),
        # Provinces alone, full and short.
        (("宁夏回族自治区财政厅",), ("宁夏回族自治区", None, None)),
        (("宁夏财政厅",), ("宁夏回族自治区", None, None)),
        (("新疆生产建设兵团",), ("新疆维吾尔自治区", None, None)),
        (("广西大学",), ("广西壮族自治区", None, None)),
        (("内蒙古财政厅",), ("内蒙古自治区", None, None)),
        (("西藏大学",), ("西藏自治区", None, None)),
        (("湖南省人力资源和社会保障厅",), ("湖南省", None, None)),
        # 河南 is also 河南蒙古族自治县's short form; the province is the likelier reading.
        (("河南大学",), ("河南省", None, None)),
        # A county directly under its province has no city.
        (("仙桃市财政局",), ("湖北省", None, "仙桃市")),
        # Texts in order: the most specific region wins, None and blanks are skipped.
        ((None, "", "芷江侗族自治县社会保险服务中心"), ("湖南省", "怀化市", "芷江侗族自治县")),
        (("湖南省财政厅", "芷江县城乡居民养老保险"), ("湖南省", "怀化市", "芷江侗族自治县")),
        # PDF extraction splits words with spaces.
        (("芷江侗族 自治县社会保险服务中心",), ("湖南省", "怀化市", "芷江侗族自治县")),
    ],
)
def test_resolve_names_region(texts, expected):
    region = resolve(*texts, overrides_path=NO_OVERRIDES)
    assert (region.province, region.city, region.county) == expected
    assert region.matched


@pytest.mark.parametrize(
    "text",
    [
        "世界和平促进会",  # 和平 (和平区, 和平县) inside an ordinary word
        "和平饭店",  # a two-character short form at the start needs an organisation word
        "中山大学附属医院",  # 中山市's short form
        "东方红小学",  # 东方市's short form
        "创新县域经济",  # 新县 inside 创新县域
        "提高县级医院服务能力",  # 高县 inside 提高县级
        "建成县级示范点",  # 成县
        "城区道路改造",  # 城区 without its city
        "矿区生态修复",
        "老城区改造",
        "江北区域协调发展",  # 区域 is not 江北区
        "朝阳区人力资源和社会保障局",  # 朝阳区 in 北京 and in 长春, nothing else to tell
        "城乡居民基本养老保险待遇发放",
        "社会保险服务中心",
        "",
    ],
)
def test_resolve_no_place(text):
    assert resolve(text, overrides_path=NO_OVERRIDES) == Region(None, None, None, None)


def test_resolve_no_texts():
    assert resolve(overrides_path=NO_OVERRIDES) == Region(None, None, None, None)
    assert resolve(None, None, overrides_path=NO_OVERRIDES) == Region(None, None, None, None)


def test_resolve_matched_fragment():
    assert resolve("芷江社保中心", overrides_path=NO_OVERRIDES).matched == "芷江"
    assert resolve("芷江县人社局", overrides_path=NO_OVERRIDES).matched == "芷江县"
    assert resolve("固原市本级", overrides_path=NO_OVERRIDES).matched == "固原市"


def test_resolve_shipped_override():
    region = resolve("316004南堡开发区社会事业保险局")
    assert region == Region("河北省", "唐山市", "南堡开发区", "南堡开发区")


def test_resolve_missing_overrides_file():
    region = resolve("316004南堡开发区社会事业保险局", overrides_path=NO_OVERRIDES)
    assert region == Region(None, None, None, None)


def test_resolve_override_bom_longest_first_blank_county(tmp_path):
    path = tmp_path / "overrides.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["match", "province", "city", "county", "note"])
        writer.writerow(["示范区", "河北省", "", "", "too short, must lose"])
        writer.writerow(["曹妃甸示范区", "河北省", "唐山市", "", "blank county"])
    region = resolve("曹妃甸示范区管委会", overrides_path=path)
    assert region == Region("河北省", "唐山市", None, "曹妃甸示范区")


def test_resolve_override_beats_gazetteer(tmp_path):
    path = tmp_path / "overrides.csv"
    path.write_text(
        "match,province,city,county,note\n芷江社保,湖南省,怀化市,,test\n", encoding="utf-8"
    )
    assert resolve("芷江社保中心", overrides_path=path) == Region("湖南省", "怀化市", None, "芷江社保")


def test_resolve_region_columns_adds_columns_and_notes():
    df = pl.DataFrame(
        {
            "unit": ["芷江侗族自治县社会保险服务中心", "社会保险服务中心", "芷江侗族自治县社会保险服务中心", None],
            "department": [None, "人社局", None, None],
            "name": ["城乡居民养老保险", "就业补贴", "城乡居民养老保险", None],
            "province": [None, None, None, None],
        },
        schema_overrides={"province": pl.String},
    )
    out = resolve_region_columns(df, ["unit", "department", "name"])
    assert out.columns == [
        *("unit", "department", "name"),
        *("province", "city", "county", "region_note"),
    ]
    assert out["province"].to_list() == ["湖南省", None, "湖南省", None]
    assert out["city"].to_list() == ["怀化市", None, "怀化市", None]
    assert out["county"].to_list() == ["芷江侗族自治县", None, "芷江侗族自治县", None]
    notes = out["region_note"].to_list()
    assert notes[0] is None and notes[2] is None
    assert notes[1] == (
        "无法从「社会保险服务中心」「人社局」「就业补贴」识别所属地区，"
        "可在 datasets/region_overrides.csv 中补充"
    )
    assert "datasets/region_overrides.csv" in notes[3]
