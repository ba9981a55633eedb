"""Work done once per distinct value: a dense rank that sorts the distinct values only.

(The normalised indicator texts, computed once per distinct text, are `jixiao.textkeys`.)
"""

from __future__ import annotations

import polars as pl


def with_dense_rank(df: pl.DataFrame, col: str, name: str, *, start: int = 1) -> pl.DataFrame:
    """Given a frame, a column and a new column's name, returns the frame with that column: the
    place of each row's value among the column's distinct values in sorted order (from `start`,
    Int64; nulls stay null) — `rank("dense")` (+ start − 1), sorting the distinct values only."""
    ids = (df.select(pl.col(col).drop_nulls().unique().sort())
           .with_row_index(name, offset=start).with_columns(pl.col(name).cast(pl.Int64)))
    got = df.select(col).join(ids, on=col, how="left", maintain_order="left")
    return df.hstack([got[name]])
