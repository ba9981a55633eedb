"""The text reader on damaged encodings (issue 9.11): a few invalid UTF-8 bytes must not lose
the whole document — it loads what is readable and is `partial`, saying where the bytes were."""

from __future__ import annotations

from pathlib import Path

import pytest

from jixiao.ingest import parse_file
from jixiao.model import ReadError
from jixiao.readers.text import decode

ROOT = Path(__file__).resolve().parents[2]
SEED_004 = next((ROOT / "datasets" / "seeds").glob("004_*.txt"))


def _damaged(tmp_path: Path, bom: bytes = b"") -> tuple[Path, list[int]]:
    """Given tmp_path, returns seed 004 with an invalid byte in three lines, and those lines."""
    lines = SEED_004.read_bytes().split(b"\n")
    hit = [k for k, line in enumerate(lines) if "受益人员满意度".encode() in line][:3]
    for k in hit:
        lines[k] = lines[k].replace("受益人员满意度".encode(), "受益人员满意".encode() + b"\xff" + "度".encode(), 1)
    path = tmp_path / "damaged.txt"
    path.write_bytes(bom + b"\n".join(lines))
    return path, [k + 1 for k in hit]


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_a_few_invalid_utf8_bytes_keep_the_document(tmp_path: Path, bom: bytes) -> None:
    path, bad_lines = _damaged(tmp_path, bom)
    assert len(bad_lines) == 3
    clean = parse_file(SEED_004)
    parsed = parse_file(path)
    report = parsed.report
    assert report.status == "partial"
    assert (report.projects, report.indicators) == (clean.report.projects, clean.report.indicators) == (9, 71)
    assert all(f"第{k}行" in report.message for k in bad_lines) and "UTF-8" in report.message
    assert parsed.frames["documents"]["encoding"][0] == ("utf-8-sig" if bom else "utf-8")
    # Only the damaged names differ, and only by the replaced byte.
    got = parsed.frames["indicators"]["name"].to_list()
    want = clean.frames["indicators"]["name"].to_list()
    changed = [(w, g) for w, g in zip(want, got) if w != g]
    assert changed == [("受益人员满意度", "受益人员满意\ufffd度")] * 3


def test_gb18030_is_still_gb18030_and_binary_still_fails() -> None:
    text = SEED_004.read_text(encoding="utf-8")
    decoded, encoding, problems = decode(text.encode("gb18030"))
    assert (decoded, encoding, problems) == (text, "gb18030", [])
    with pytest.raises(ReadError, match="二进制"):
        decode(b"\x00\x01\x02" * 100)


def test_mostly_invalid_utf8_is_not_taken_for_utf8() -> None:
    # GBK bytes are invalid UTF-8 almost everywhere: that is GBK, not damaged UTF-8.
    decoded, encoding, problems = decode("项目支出绩效目标表，预算单位：某某局".encode("gbk") * 20)
    assert encoding == "gb18030" and problems == [] and "项目支出" in decoded
