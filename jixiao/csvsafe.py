"""CSV cells that cannot become formulas: the one helper every CSV the project writes goes
through (the dashboard's CSV downloads, `jixiao flags --format csv`).

Spreadsheet programs run a cell that starts with = + - @ (and, after a tab or carriage return,
whatever follows) as a formula: `=HYPERLINK("http://…","点此")` in a waiver reason or a document's
text would become a link or worse in the reviewer's Excel. Such a text cell gets a leading
apostrophe (the OWASP advice: Excel shows the text as written). A text that is just a signed
number (-5, +3.5, -12%) stays as it is — Excel reads it as that number, no formula — and
numeric columns are never touched, so a negative amount stays a number.
"""

from __future__ import annotations

import re

import polars as pl

# Full-width ＝＋－＠ too: some spreadsheet programs fold them to ASCII while typing in CJK.
_RISKY = re.compile(r"^[ \u3000]*[=+\-@\t\r＝＋－＠]")
_SIGNED_NUMBER = re.compile(r"^[+-]?[0-9]+(?:\.[0-9]+)?%?$")
# The same, for Polars (Rust regex): a leading blank run, then a trigger character.
_RISKY_PL = "^[ \u3000]*[=+\\-@\t\r＝＋－＠]"
_SIGNED_NUMBER_PL = "^[+-]?[0-9]+(?:\\.[0-9]+)?%?$"


def safe_cell(value: str | None) -> str | None:
    """Given a text cell, returns it so that no spreadsheet runs it as a formula: a leading '
    where it starts (after blanks) with = + - @, a tab or a carriage return, unless it is a
    plain signed number."""
    if value is None or not _RISKY.match(value) or _SIGNED_NUMBER.match(value):
        return value
    return "'" + value


def safe_frame(df: pl.DataFrame) -> pl.DataFrame:
    """Given a frame, returns it with every String column made safe (`safe_cell`), vectorised;
    other columns (numbers, dates, booleans) unchanged."""
    exprs = [
        pl.when(pl.col(c).str.contains(_RISKY_PL) & ~pl.col(c).str.contains(_SIGNED_NUMBER_PL))
        .then(pl.lit("'") + pl.col(c)).otherwise(pl.col(c)).alias(c)
        for c, t in df.schema.items() if t == pl.String
    ]
    return df.with_columns(exprs) if exprs else df


def write_csv(df: pl.DataFrame, **kwargs) -> str:
    """Given a frame, returns it as CSV text with every cell safe (Polars write_csv options pass
    through). The header is made safe too: column names may come from data."""
    safe = safe_frame(df)
    safe = safe.rename({c: safe_cell(c) for c in safe.columns if safe_cell(c) != c})
    return safe.write_csv(**kwargs)
