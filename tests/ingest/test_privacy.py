"""No phone number, in any form, in any table, download or export: `privacy.mask_phones` on
every form (property-based, embedded in Chinese text), nothing else eaten (years, amounts,
dates, codes), and a document with numbers in every field loaded, exported and downloaded."""

from __future__ import annotations

import io
import re
import unicodedata
from pathlib import Path

import duckdb
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao.privacy import mask_frame, mask_phones

ROOT = Path(__file__).resolve().parents[2]
SEED_004 = next((ROOT / "datasets" / "seeds").glob("004_*.txt"))

# ------------------------------------------------------------------ the forms, as a generator

digit = st.sampled_from("0123456789")
FULL = str.maketrans("0123456789+-()", "０１２３４５６７８９＋－（）")


def digits(n: int):
    return st.text(alphabet="0123456789", min_size=n, max_size=n)


def _join(groups: list[str], sep: str) -> str:
    return sep.join(groups)


SEPS = st.sampled_from(["", " ", "-", " - ", "－", "\u3000", "\xa0"])


@st.composite
def mobile(draw) -> str:
    number = "1" + draw(st.sampled_from("3456789")) + draw(digits(9))
    shape = draw(st.sampled_from(["bare", "3-4-4", "4-3-4", "dots"]))
    sep = draw(SEPS)
    if shape == "bare":
        core = number
    elif shape == "3-4-4":
        core = _join([number[:3], number[3:7], number[7:]], sep)
    elif shape == "4-3-4":
        core = _join([number[:4], number[4:7], number[7:]], sep)
    else:
        core = _join([number[:3], number[3:7], number[7:]], ".")
    prefix = draw(st.sampled_from(["", "+86", "+86 ", "+86-", "0086", "0086 ", "86", "(+86)", "（+86）", "(86)"]))
    return prefix + core


@st.composite
def landline(draw) -> str:
    area = draw(st.sampled_from(["010", "021", "029", "0951", "0996", "0817", "0755"]))
    local = draw(st.sampled_from("23456789")) + draw(digits(draw(st.sampled_from([6, 7]))))
    if draw(st.booleans()) and len(local) == 8:
        local = local[:4] + draw(st.sampled_from(["", " ", "-"])) + local[4:]
    form = draw(st.sampled_from(["(a)l", "（a）l", "a-l", "a l", "al", "a－l", "+86-a-l", "+86 a l", "a - l"]))
    text = (form.replace("+86-a", "+86-" + area[1:]).replace("+86 a", "+86 " + area[1:])
            .replace("a", area, 1).replace("l", local, 1))
    ext = draw(st.sampled_from(["", "-801", "转801", " ext. 12", "-8"]))
    return text + ext


@st.composite
def service(draw) -> str:
    n = draw(st.sampled_from(["400", "800"])) + draw(digits(7))
    sep = draw(SEPS)
    return _join([n[:3], n[3:6], n[6:]], sep)


@st.composite
def after_keyword(draw) -> str:
    word = draw(st.sampled_from(["电话：", "联系电话: ", "手机", "传真：", "Tel:", "TEL ", "座机："]))
    number = draw(st.sampled_from("23456789")) + draw(digits(draw(st.sampled_from([6, 7, 9]))))
    return word, number


@st.composite
def phone(draw) -> str:
    text = draw(st.one_of(mobile(), landline(), service()))
    return text.translate(FULL) if draw(st.booleans()) else text


# Text around a number: Chinese and punctuation, no digits, and never a unit that makes a
# number an amount (元, 万, 亿, %).
CJK = "的目标保障提高退休人员生活水平补助发放次数联系负责人库尔勒市社会保险中心项目资金年度总体，。；、：（）【】 "
around = st.text(alphabet=CJK, max_size=12)


@settings(max_examples=400, deadline=None)
@given(before=around, number=phone(), after=around)
def test_every_phone_form_is_masked_in_chinese_text(before, number, after):
    assert mask_phones(before + number + after) == before + "***" + after


@settings(max_examples=150, deadline=None)
@given(before=around, pair=after_keyword(), after=around)
def test_numbers_after_a_phone_word_are_masked(before, pair, after):
    word, number = pair
    assert mask_phones(before + word + number + after) == before + word + "***" + after


@settings(max_examples=150, deadline=None)
@given(a=phone(), b=phone(), middle=st.sampled_from(["，", "、", "/", " 或 ", "；备用"]))
def test_two_numbers_side_by_side(a, b, middle):
    assert mask_phones(f"电话{a}{middle}{b}。") == f"电话***{middle}***。"


@pytest.mark.parametrize("text, masked", [
    ("咨询0951-2034567/2034568。", "咨询***/***。"),
    ("咨询（0951）2034567、2034568、6234 5678", "咨询***、***、***"),
    ("热线 010-62345678，62345679转8", "热线 ***，***"),
    ("0951-2034567，2026年完成", "***，2026年完成"),  # a year after it is no number of that landline
])
def test_local_numbers_listed_after_a_landline_share_its_area_code(text, masked):
    assert mask_phones(text) == masked


# ------------------------------------------------------------------ what must survive

year = st.integers(1990, 2099).map(str)


@st.composite
def date(draw) -> str:
    y, m, d = draw(st.integers(1990, 2099)), draw(st.integers(1, 12)), draw(st.integers(1, 28))
    return draw(st.sampled_from([f"{y}年{m}月{d}日", f"{y}-{m:02d}-{d:02d}", f"{y}/{m:02d}/{d:02d}",
                                 f"{y}{m:02d}{d:02d}", f"{y}.{m:02d}.{d:02d}", f"{y}年{m}月{d}日前",
                                 f"{y}-{y + 2}年", f"{y}年1月-12月"]))


@st.composite
def amount(draw) -> str:
    whole = draw(st.integers(0, 10 ** 11))
    cents = draw(st.integers(0, 99))
    return draw(st.sampled_from([f"{whole}.{cents:02d}", f"{whole:,}.{cents:02d}", f"{whole}元", f"{whole}万元",
                                 f"{whole} 元", f"{whole}%", f"{cents}.5%", f"≥{cents}%", f"<={whole % 1000}.42万元/次"]))


@st.composite
def code(draw) -> str:
    adcode6 = str(draw(st.integers(110000, 829999)))
    adcode12 = adcode6 + draw(digits(6))
    return draw(st.sampled_from([
        adcode6, adcode12, adcode12 + draw(digits(8)),  # 6- and 12-digit adcodes, a 20-digit 项目编码
        f"{adcode6}-{draw(year)}-{draw(st.integers(1, 9999)):04d}", f"XM{draw(year)}{draw(digits(6))}",
        "65282219001", "62072124000000000001", f"{draw(st.integers(1, 999))}次",
        "400000-1990-0001", "800123-2024-0456",  # dash-linked codes that begin like a 400/800 number
    ]))



ZH = str.maketrans("0123456789", "〇一二三四五六七八九")


@pytest.mark.parametrize("text,masked", [
    # a mobile and a landline written in Chinese numerals, one character per digit
    ("联系电话：" + "13800138000".translate(ZH) + "（王）", "联系电话：***（王）"),
    ("填表人手机 幺三九 一二三四 五六七八", "填表人手机 ***"),
    ("咨询：零九五一-二〇三四五六七", "咨询：***"),
    ("请拨" + "18977771234".translate(ZH) + "联系", "请拨***联系"),
])
def test_phone_numbers_in_chinese_numerals_are_masked(text, masked):
    assert mask_phones(text) == masked


@pytest.mark.parametrize("text", [
    "二〇二四年十二月三十一日前完成", "第一二三批次", "一二三四五六七八九十", "统一规划，一次性补助，一般公共预算",
    "覆盖一〇〇个村，二〇二五年完成",
])
def test_chinese_numerals_that_are_not_phones_survive(text):
    assert mask_phones(text) == text

@settings(max_examples=400, deadline=None)
@given(before=around, token=st.one_of(year, date(), amount(), code()), after=around)
def test_years_dates_amounts_and_codes_survive(before, token, after):
    text = before + token + after
    assert mask_phones(text) == text


@pytest.mark.parametrize("text", [
    "2024", "1234.56", "2026年12月31日", "65282219001", "130102001001", "13800138000.50", "13800138000元",
    "项目编码：620702-2024-0001", "12345热线", "邮编735000", "第3季度完成95%", "0.13800138000",
    "联系电话：0951-2034567 2026年12月",  # the landline goes, the year after it stays
])
def test_known_non_phones_survive(text):
    out = mask_phones(text)
    if "电话" in text:
        assert out == "联系电话：*** 2026年12月"
    else:
        assert out == text


def test_mask_frame_masks_text_columns_but_not_ids_hashes_or_numbers():
    df = pl.DataFrame({
        "doc_id": ["13800138000"], "sha256": ["13900139000"], "source_key": ["/in/13800138000.txt"],
        "goal": ["联系 138 0013 8000"], "source_path": ["/in/13800138000.txt"], "budget": [-13800138000.0],
        "note": [None],
    })
    out = mask_frame(df)
    assert out.row(0) == ("13800138000", "13900139000", "/in/13800138000.txt", "联系 ***", "/in/***.txt",
                          -13800138000.0, None)


# ------------------------------------------------------------------ a document with numbers everywhere

PHONES = {  # the form written into the document -> its digits, which must appear nowhere
    "（0996）2034567": "2034567", "138 0013 8000": "13800138000", "+86 139-0013-9000": "13900139000",
    "１３６００１３６０００": "13600136000", "8613700137000": "13700137000", "(0951)2034568转801": "2034568",
    "400-810-8888": "4008108888", "0951 2034569": "2034569",
}


def _leaky_document(path: Path) -> None:
    text = SEED_004.read_text(encoding="utf-8")
    p = list(PHONES)
    text = text.replace("库尔勒市社会保险中心", f"库尔勒市社会保险中心（咨询{p[0]}）", 1)
    text = text.replace("目标1、领取退休人员待遇补差3人", f"目标1、领取退休人员待遇补差3人（经办 {p[1]}）", 1)
    text = text.replace("\t领取退休人员待遇\t", f"\t领取退休人员待遇{p[2]}\t", 1)
    text = text.replace("历史标准", f"历史标准{p[3]}", 1)
    text = text.replace("2022年-巴财企", f"{p[4]} 2022年-巴财企", 1)
    text = text.replace("工作资料", f"工作资料{p[5]}", 1)
    text = text.replace("按照正常比例赋分", f"按照正常比例赋分，咨询{p[6]}", 1)
    text = text.replace("张琪悦", f"张琪悦 {p[7]}", 1)
    path.write_text(text, encoding="utf-8")


def _leaks(values) -> list[str]:
    found = []
    for v in values:
        if not isinstance(v, str):
            continue
        flat = re.sub(r"[\s\-()+（）]", "", unicodedata.normalize("NFKC", v))
        found += [d for d in PHONES.values() if d in flat]
    return found


def test_no_phone_in_any_table_export_or_download(tmp_path):
    from jixiao.export import export_parquet
    from jixiao.ingest import ingest_paths

    doc = tmp_path / "in" / "leaky_13800138000.txt"
    doc.parent.mkdir()
    _leaky_document(doc)
    db = tmp_path / "db.duckdb"
    reports = ingest_paths([doc.parent], db)
    assert reports[0].status == "ok", reports[0].message
    con = duckdb.connect(str(db), read_only=True)
    tables = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()]
    seen = 0
    for table in tables:
        rows = con.execute(f"SELECT * FROM {table}").fetchall()
        assert not _leaks(v for row in rows for v in row), table
        seen += len(rows)
    assert seen > 100
    # the masked text is where the numbers were
    goal = con.execute("SELECT goal FROM projects WHERE seq = 1").fetchone()[0]
    assert "（经办 ***）" in goal
    unit = con.execute("SELECT unit FROM projects WHERE seq = 1").fetchone()[0]
    assert unit == "库尔勒市社会保险中心（咨询***）"
    con.close()

    written = export_parquet(db, tmp_path / "parquet")
    assert written["projects"] == 9
    for f in (tmp_path / "parquet").rglob("*.parquet"):
        rows = duckdb.sql(f"SELECT * FROM read_parquet('{f}')").fetchall()
        assert not _leaks(v for row in rows for v in row), f
        assert not _leaks([str(f.relative_to(tmp_path))])


def test_source_text_downloads_hold_no_phone(tmp_path, monkeypatch):
    from dashboard import data, export
    from dashboard import format as fmt
    from jixiao.ingest import ingest_paths

    doc = tmp_path / "leaky.txt"
    _leaky_document(doc)
    db = tmp_path / "db.duckdb"
    ingest_paths([doc], db, derive=False)
    con = duckdb.connect(str(db))
    doc_id = con.execute("SELECT doc_id FROM documents").fetchone()[0]
    # a line as a file written before masking covered this form holds it
    con.execute("UPDATE source_lines SET text = '填表人：某某 电话 138-0013-8000' WHERE doc_id = ? AND line = 1", [doc_id])
    con.close()
    monkeypatch.setenv("JIXIAO_DB", str(db))
    lines = data.document_lines(doc_id, 1, 2000)
    spec = {"line": fmt.integer("行号"), "text": fmt.text("内容")}
    csv_text = export.to_csv_bytes(lines, spec).decode("utf-8-sig")
    assert "***" in csv_text and not _leaks([csv_text])
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(export.to_excel_bytes(lines, spec))).active
    assert not _leaks(v for row in sheet.iter_rows(values_only=True) for v in row)
    # and the 原文 shown on the page
    shown = fmt.source_text(data.document_lines(doc_id, 1, 5))
    assert "填表人：某某 电话 ***" in shown and not _leaks([shown])


def _number_leaks(values) -> list[str]:
    """Phone digits in any stored value, numbers included (a phone read as 13800138000.0)."""
    found = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            continue
        flat = f"{v:.0f}" if isinstance(v, float) and v == v and abs(v) < 1e18 else str(v)
        found += [d for d in PHONES.values() if d in flat]
    return found


def test_a_phone_written_as_a_value_is_not_stored_as_a_number(tmp_path):
    from jixiao.ingest import ingest_paths
    from jixiao.values import parse_amount, parse_number, parse_value

    # the values a cell holds: a phone is no number, whatever column it is in
    for form in PHONES:
        assert parse_value(form).value is None, form
        assert parse_value(form, None, "≥").value is None, form
        assert parse_number(form) is None and parse_amount(form) is None, form
    assert parse_value("13800138000.50").value == 13800138000.5  # a decimal is no phone
    assert parse_number("≥98%") is None and parse_value("≥98%").value == 0.98

    text = SEED_004.read_text(encoding="utf-8")
    # a target and a previous-year value that are phone numbers (a careless 指标值 / 上年完成值)
    text = text.replace("\t=3人\t历史标准\t\t", "\t13800138000\t历史标准\t(0951)2034568\t", 1)
    text = text.replace("\t=12次\t历史标准\t\t", "\t+86 139-0013-9000\t历史标准\t\t", 1)
    doc = tmp_path / "leaky.txt"
    doc.write_text(text, encoding="utf-8")
    db = tmp_path / "db.duckdb"
    assert ingest_paths([doc], db)[0].status in ("ok", "partial")
    con = duckdb.connect(str(db), read_only=True)
    tables = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()]
    for table in tables:
        rows = con.execute(f"SELECT * FROM {table}").fetchall()
        values = [v for row in rows for v in row]
        assert not _leaks(values) and not _number_leaks(values), table
    raws = con.execute("SELECT target_raw, target_value FROM indicators WHERE target_raw LIKE '%***%'").fetchall()
    assert raws and all(v is None for _, v in raws)
    con.close()


def test_an_older_file_loses_the_numbers_read_from_a_phone(tmp_path):
    from jixiao import db as jdb
    from jixiao.ingest import ingest_paths

    doc = tmp_path / "seed.txt"
    doc.write_text(SEED_004.read_text(encoding="utf-8"), encoding="utf-8")
    path = tmp_path / "db.duckdb"
    ingest_paths([doc], path, derive=False)
    con = duckdb.connect(str(path))
    # as a file loaded before values were masked holds them
    con.execute("UPDATE indicators SET target_raw = '138 0013 8000', target_value = 13800138000 WHERE seq = 1")
    con.execute("UPDATE meta SET value = 1 WHERE key = 'mask_version'")
    jdb.init_schema(con)
    rows = con.execute("SELECT target_raw, target_value FROM indicators WHERE seq = 1").fetchall()
    assert rows and all(r == ("***", None) for r in rows)
    assert con.execute("SELECT count(*) FROM indicators WHERE target_value IS NOT NULL").fetchone()[0] > 10
    con.close()
