"""Source lines as stored: phone numbers masked, texts cut at 2,000 characters, xlsx rows kept."""


def test_source_lines_masked_where_suspect_and_cut_at_2000_characters():
    from jixiao.ingest import _source_lines

    long_line = "项目说明：" + "很" * 2500 + "联系电话 13800138000"
    lines = ["年度资金总额\t10606.75", "联系人：张三 电话：13800138000", long_line, "", "2023-12-31 填报"]
    got = _source_lines("d1", lines)
    assert got["doc_id"] == ["d1"] * 5 and got["line"] == [1, 2, 3, 4, 5]
    text = got["text"]
    assert text[0] == lines[0] and text[3] == "" and text[4] == lines[4]  # numbers, not phones: as written
    assert "13800138000" not in text[1] and text[1].startswith("联系人：张三 电话：")
    assert len(text[2]) == 2000 and text[2] == long_line[:2000]  # masked first, then cut
    # xlsx display lines keep their sheet and Excel row
    xl = _source_lines("d2", ["表1!7\t项目名称\t电话 13800138000", "表1!9\t合计"])
    assert xl["line"] == [7, 9] and xl["text"][1] == "[表1] 合计" and "13800138000" not in xl["text"][0]
