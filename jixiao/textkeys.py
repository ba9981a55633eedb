"""Normalised indicator texts, computed once and read by everyone who compares texts: expected
scores, the links between documents, the template clusters and the rules.

A million indicators hold about 110k distinct names and targets. `TextKeys` maps the rows of an
indicators frame to each text column's distinct values once (one join per column); a key
(`keys()`: its name, its column and its expression) is then evaluated on the distinct values only,
gathered back to the rows and kept, so the name key the links use is the one JX505 reads and the
template form JX402 reads is the one the clusters were built from. Every key begins with NFKC:
each column's distinct values are normalised once and the keys read that form (their
expressions built with nfkc=False) — normalising 156k reasons took as long as the rest of a key.
"""

from __future__ import annotations

import threading
from functools import lru_cache

import polars as pl


# A run of whitespace as Python's str.split sees it, for Polars: `.str.replace_all(SPACE_RUN, "")`
# takes out of a column what vocabulary.without_space (the parser's squeeze) takes out of a str.
# (Rust's \s is Unicode White_Space, which leaves out the four separators U+001C–U+001F.)
SPACE_RUN = r"[\s\x1c-\x1f]+"


def as_nfkc(e: pl.Expr, nfkc: bool = True, fill: str | None = None) -> pl.Expr:
    """Given a text expression, returns it as text — nulls as `fill` where one is given — and
    NFKC-normalised, unless nfkc=False (a text known to be NFKC already)."""
    e = e.cast(pl.String)
    if fill is not None:
        e = e.fill_null(fill)
    return e.str.normalize("NFKC") if nfkc else e


@lru_cache(maxsize=1)
def keys() -> dict[str, tuple[str, pl.Expr]]:
    """Returns the registry {key name: (text column, expression over that column alone)}; each
    expression reads its column NFKC-normalised (`TextKeys` normalises it once)."""
    # imported here: these modules read `TextKeys`, the registry reads their expressions
    from jixiao.boilerplate import normalise_expr, written_expr
    from jixiao.links import name_key_expr, target_text_key_expr
    from jixiao.rules.jx107_duplicate_indicator import name_key
    from jixiao.rules.jx501_self_target_changed import target_compare_key
    from jixiao.scores import normalize_text_expr

    return {
        # NFKC, no years, spaces or punctuation, lower case (links, JX505)
        "name_key": ("name", name_key_expr("name", nfkc=False)),
        # the same, digits kept and a leading 指标1 numbering dropped (JX107)
        "name_repeat_key": ("name", name_key("name", nfkc=False)),
        # template forms: digit runs as "#" (template clusters, JX402) and the text as written
        "name_template": ("name", normalise_expr("name", nfkc=False)),
        "name_written": ("name", written_expr("name", nfkc=False)),
        "target_template": ("target_raw", normalise_expr("target_raw", nfkc=False)),
        "target_written": ("target_raw", written_expr("target_raw", nfkc=False)),
        "description_template": ("description", normalise_expr("description", nfkc=False)),
        "description_written": ("description", written_expr("description", nfkc=False)),
        "reason_template": ("reason", normalise_expr("reason", nfkc=False)),
        # NFKC, no whitespace or trailing 。；, null kept (expected scores; JX403, JX404)
        "target_squeezed": ("target_raw", normalize_text_expr(pl.col("target_raw"), nfkc=False)),
        "actual_squeezed": ("actual_raw", normalize_text_expr(pl.col("actual_raw"), nfkc=False)),
        "reason_squeezed": ("reason", normalize_text_expr(pl.col("reason"), nfkc=False)),
        # a target that is not a number, years masked (links, JX505)
        "target_text_key": ("target_raw", target_text_key_expr(nfkc=False)),
        # ... years kept: a text target changed between two documents (JX501)
        "target_compare_key": ("target_raw", target_compare_key("target_raw", nfkc=False)),
    }


class TextKeys:
    """The keys of one indicators frame's texts (see the module docstring), each computed on
    first use and kept. Thread-safe: derive's parallel steps share one."""

    def __init__(self, indicators: pl.DataFrame):
        self._ind = indicators
        self._height = indicators.height
        self._distinct: dict[str, tuple[pl.DataFrame, pl.Series]] = {}
        self._normalised: dict[str, pl.DataFrame] = {}
        self._values: dict[str, tuple[pl.Series, pl.Series]] = {}
        self._series: dict[str, pl.Series] = {}
        self._codes: dict[str, tuple[pl.Series, pl.Series]] = {}
        self._lock = threading.Lock()  # guards _locks
        self._locks: dict[tuple[str, str], threading.Lock] = {}

    @property
    def height(self) -> int:
        """Returns the number of rows the keys are for."""
        return self._height

    def _held(self, kind: str, name: str) -> threading.Lock:
        # one lock per column and per key: two threads asking for different keys do not wait
        with self._lock:
            return self._locks.setdefault((kind, name), threading.Lock())

    def _column(self, col: str) -> tuple[pl.DataFrame, pl.Series]:
        # (distinct values with their index __u, per row the index of its value)
        with self._held("column", col):
            return self._column_unlocked(col)

    def _column_unlocked(self, col: str) -> tuple[pl.DataFrame, pl.Series]:
        got = self._distinct.get(col)
        if got is None:
            src = self._ind.select(pl.col(col).cast(pl.String)) if col in self._ind.columns else \
                pl.DataFrame({col: pl.Series([None] * self._height, dtype=pl.String)})
            values = src.select(pl.col(col).unique()).with_row_index("__u")
            index = src.join(values, on=col, how="left", nulls_equal=True, maintain_order="left")["__u"]
            got = self._distinct[col] = (values.drop("__u"), index)
        return got

    def _nfkc(self, col: str) -> tuple[pl.DataFrame, pl.Series]:
        # (the column's distinct values NFKC-normalised, in the order of `_column`; its index)
        values, index = self._column(col)
        with self._held("nfkc", col):
            got = self._normalised.get(col)
            if got is None:
                got = self._normalised[col] = values.select(as_nfkc(pl.col(col)))
            return got, index

    def _per_value(self, name: str) -> tuple[pl.Series, pl.Series]:
        # (the key of each distinct value of its column, per row the index of its value):
        # evaluated once for both `series` and `codes`, on the NFKC form of the values
        with self._held("value", name):
            got = self._values.get(name)
            if got is None:
                col, expr = keys()[name]
                values, index = self._nfkc(col)
                got = self._values[name] = (values.select(expr.alias(name)).to_series(), index)
            return got

    def series(self, name: str) -> pl.Series:
        """Given a key name of `keys()`, returns the key of every row (same order), named `name`."""
        with self._held("series", name):
            s = self._series.get(name)
            if s is None:
                per_value, index = self._per_value(name)
                s = self._series[name] = per_value.gather(index)
            return s

    def codes(self, name: str) -> tuple[pl.Series, pl.Series]:
        """Given a key name, returns (per row an integer code of its key, the distinct keys by
        code): equal keys have equal codes, so a rule can join and count integers."""
        with self._held("codes", name):
            got = self._codes.get(name)
            if got is None:
                per_value, index = self._per_value(name)
                per_value = per_value.to_frame()
                distinct = per_value.select(pl.col(name).unique()).with_row_index("__code")
                code_of_value = per_value.join(distinct, on=name, how="left", nulls_equal=True,
                                               maintain_order="left")["__code"]
                got = self._codes[name] = (code_of_value.gather(index), distinct[name])
            return got

    def evaluate(self, col: str, expr: pl.Expr) -> pl.Series:
        """Given a column and an expression that reads that column alone, elementwise (a rule's
        own test, with its options), returns its value for every row, evaluated once per
        distinct value (not kept)."""
        values, index = self._column(col)
        return values.select(expr).to_series().gather(index)

    def nfkc(self, col: str, rows: pl.Series | None = None) -> pl.Series:
        """Given a text column (and row indexes, else every row), returns its values at those rows
        NFKC-normalised (nulls kept): the form the keys read, normalised once per distinct value,
        so a rule that needs the normalised text itself gathers it rather than normalising again."""
        values, index = self._nfkc(col)
        return values.to_series().gather(index if rows is None else index.gather(rows))

    def evaluate_nfkc(self, col: str, expr: pl.Expr) -> pl.Series:
        """Given a column and an expression that reads that column alone, elementwise, returns its
        value for every row, evaluated once per distinct value on the value NFKC-normalised (a
        rule's own test of the normalised text; not kept)."""
        values, index = self._nfkc(col)
        return values.select(expr).to_series().gather(index)

    def frame(self, *names: str) -> pl.DataFrame:
        """Given key names, returns a frame of those keys, one row per indicator (same order)."""
        return pl.DataFrame([self.series(n) for n in names])

    def check(self, indicators: pl.DataFrame) -> "TextKeys":
        """Given the frame a caller will stack these keys beside, returns self if they are its
        rows in its order (the same indicator ids), else raises ValueError."""
        if indicators is self._ind:
            return self
        if indicators.height != self._height or (
                "indicator_id" in indicators.columns and "indicator_id" in self._ind.columns
                and not indicators["indicator_id"].equals(self._ind["indicator_id"])):
            raise ValueError("text keys of other indicators")
        return self


def text_keys_for(indicators: pl.DataFrame, text: TextKeys | None) -> TextKeys:
    """Given an indicators frame and its shared keys (or None), returns keys for that frame:
    the shared ones (checked to be its rows), else new ones."""
    return TextKeys(indicators) if text is None else text.check(indicators)
