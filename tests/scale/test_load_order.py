"""derive.in_id_order: the loaded rows sorted by id without sorting a million strings."""

import polars as pl

from jixiao.derive import in_id_order


def _rows(ids):
    return pl.DataFrame({"indicator_id": ids, "doc_id": [i.split("-")[0] for i in ids], "v": list(range(len(ids)))})


def test_documents_loaded_out_of_order_come_back_in_id_order():
    # as stored: each document's rows together, the documents in loading order
    df = _rows(["c-001-001", "c-001-002", "a-001-001", "a-002-001", "a-002-002", "b-001-001"])
    out = in_id_order(df, "indicator_id")
    assert out["indicator_id"].to_list() == ["a-001-001", "a-002-001", "a-002-002", "b-001-001",
                                             "c-001-001", "c-001-002"]
    assert out["v"].to_list() == [2, 3, 4, 5, 0, 1]  # whole rows moved, not just the ids


def test_rows_of_one_document_apart_or_out_of_order_still_get_sorted():
    apart = _rows(["b-001-001", "a-001-002", "b-001-002", "a-001-001"])
    assert in_id_order(apart, "indicator_id")["indicator_id"].to_list() == sorted(apart["indicator_id"])
    within = _rows(["a-001-002", "a-001-001"])
    assert in_id_order(within, "indicator_id")["v"].to_list() == [1, 0]


def test_sorted_and_tiny_frames_are_returned_as_they_are():
    df = _rows(["a-001-001", "b-001-001"])
    assert in_id_order(df, "indicator_id").equals(df)
    assert in_id_order(_rows([]), "indicator_id").height == 0
