"""Text work done once per distinct value.

A million indicators hold about 110k distinct names and targets: normalising (NFKC, regular
expressions) every row does the same work ten times over. `with_distinct` evaluates
expressions on the distinct values of a column and joins the results back, row order kept, so
the result is the same frame the expressions would give row by row.
"""

from __future__ import annotations

import polars as pl


def with_distinct(df: pl.DataFrame, col: str, **exprs: pl.Expr) -> pl.DataFrame:
    """Given a frame, one of its columns and named expressions that read only that column
    (elementwise: each value's result depends on that value alone), returns the frame with the
    named columns added, each expression evaluated once per distinct value (null included)."""
    if not exprs:
        return df
    values = df.select(pl.col(col).unique()).with_columns(**exprs)
    # Only the one column is joined (a wide frame is not copied); one row per row of df.
    got = df.select(col).join(values, on=col, how="left", nulls_equal=True, maintain_order="left")
    return df.hstack(got.drop(col).get_columns())


def with_dense_rank(df: pl.DataFrame, col: str, name: str, *, start: int = 1) -> pl.DataFrame:
    """Given a frame, a column and a new column's name, returns the frame with that column: the
    place of each row's value among the column's distinct values in sorted order (from `start`,
    Int64; nulls stay null) — `rank("dense")` (+ start − 1), sorting the distinct values only."""
    ids = (df.select(pl.col(col).drop_nulls().unique().sort())
           .with_row_index(name, offset=start).with_columns(pl.col(name).cast(pl.Int64)))
    got = df.select(col).join(ids, on=col, how="left", maintain_order="left")
    return df.hstack([got[name]])
