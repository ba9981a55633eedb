"""The 资金支出计划 block (the spend plan) of a goal table, read by its vocabulary: period heads
(3月底, 一季度, 1月, 上半年 …; role `spend_period` of the vocabulary) and the share or amount
planned for each (25%, 100, 200万元).

Forms write the block in several ways, and a table reader repeats a merged cell into every row
it covers, so the same block comes as
- the heads on the label's row and the values on the next row, that row's first cell empty or
  the label again (the label spanning both rows), a head repeated where its cell spans the
  empty value below it (003: 资金支出计划（%） | 3月底 | 6月底 | 10月底 | 12月底, then
  资金支出计划（%） | 3月底 | 6月底 | 10月底 | 100%);
- the label alone, the heads on the next row and the values on the one after;
- pairs on one row: 一季度 | 25% | 二季度 | 50%, cells "3月底25%", or one text
  "3月底:25%;6月底:50%", one pair per row under a label spanning them;
- the heads in bands (1月 … 6月, values, 7月 … 12月, values).

`Reading` takes the rows one at a time and says whether it understood each; whatever is not
understood (a text in a value's place, a cell outside the heads' columns) is left out of the
plan and the row to the rest of the interpreter. The plan is written "3月底:25%;6月底:50%": each
head with its value as written (whitespace removed), in the table's order.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from jixiao.interpret.align import is_placeholder
from jixiao.levels import squeeze
from jixiao.vocabulary import Vocabulary, key

# A planned share or amount: 25%, 25.5, 100, 200万元 (after NFKC: ％ -> %).
_VALUE = re.compile(r"\d+(?:\.\d+)?\s*(?:%|万元|元)?")
# A head and its value in one piece of text: "3月底25%", "一季度:25%", "12月31日前=100%" (NFKC).
_PAIR = re.compile(r"(.+?)[:=]?(\d+(?:\.\d+)?(?:%|万元|元)?)")
_SEPARATORS = re.compile(r"[;,、\s]+")
# A cell stating only the values' unit beside the heads: "（%）", "单位：%", "万元".
_UNIT_CELL = re.compile(r"[(]?(?:单位:?)?(?:%|万元|元)[)]?")


def plan_value(cell: str) -> str | None:
    """Given a cell, returns it as a plan value (whitespace removed) when it is a share or an
    amount, else None."""
    s = squeeze(cell)
    return s if s and _VALUE.fullmatch(unicodedata.normalize("NFKC", s)) else None


def read_pairs(cells: list[str], vocab: Vocabulary) -> list[str] | None:
    """Given texts holding heads and values ("一季度", "25%", …; "3月底25%"; "3月底:25%;6月底:50%"),
    returns their head:value pairs when the texts are nothing but such pairs, else None."""
    tokens = [t for c in cells for t in _SEPARATORS.split(unicodedata.normalize("NFKC", c)) if t]
    out: list[str] = []
    i = 0
    while i < len(tokens):
        t = tokens[i]
        value = plan_value(tokens[i + 1]) if i + 1 < len(tokens) else None
        if value is not None and vocab.lookup("spend_period", t) is not None:
            out.append(f"{t}:{value}")
            i += 2
            continue
        m = _PAIR.fullmatch(t)
        if m is None or vocab.lookup("spend_period", m.group(1)) is None:
            return None
        out.append(f"{m.group(1)}:{m.group(2)}")
        i += 1
    return out or None


@dataclass
class Reading:
    """One spend-plan block being read: the label cell, the heads waiting for their values
    (column -> head), and the pairs read so far."""

    vocab: Vocabulary
    label: str = ""
    heads: dict[int, str] = field(default_factory=dict)
    pairs: list[str] = field(default_factory=list)
    unread: list[str] = field(default_factory=list)  # the label row's cells not understood

    def _is_label(self, cell: str) -> bool:
        """Given a cell, returns True for the label (repeated by a merge) or a unit cell beside it."""
        k = key(cell)
        return k == self.label or _UNIT_CELL.fullmatch(k) is not None

    def first(self, cells: list[str], col: int) -> bool:
        """Given the label's row and the label's column, reads what follows the label on that row;
        returns True when rows of the block may follow (heads waiting for values, the label
        alone, pairs that may go on)."""
        self.label = key(cells[col])
        rest = [(j, c) for j, c in enumerate(cells) if j > col and c and not self._is_label(c)]
        if not rest:
            return True  # the label alone: heads (or pairs) on the next row
        if self._heads_or_pairs(rest):
            return True
        self.unread = [c for _, c in rest]
        return False

    def inline(self, text: str) -> None:
        """Given the text written in the label's own cell ("资金支出计划：3月底25%，…"), takes its
        pairs when the whole text is pairs."""
        got = read_pairs([text], self.vocab)
        if got:
            self.pairs += got
        else:
            self.unread = [text]

    def next(self, cells: list[str]) -> bool:
        """Given the next row, reads it as values under the waiting heads, or as more heads or
        pairs; returns False (nothing taken) when the row is not part of the block."""
        if self.heads:
            got = self._values(cells)
            if got is None:
                return False
            self.pairs += got
            self.heads = {}
        else:
            rest = [(j, c) for j, c in enumerate(cells) if c and not self._is_label(c)]
            if not rest or not self._heads_or_pairs(rest):
                return False
        return True

    def text(self) -> str | None:
        """Returns the plan read so far ("3月底:25%;6月底:50%"), or None when it holds no value."""
        return ";".join(self.pairs) or None

    # ------------------------------------------------------------ the row shapes

    def _heads_or_pairs(self, rest: list[tuple[int, str]]) -> bool:
        """Given a row's cells after the label (column, text), takes them as heads (every cell a
        period) or as pairs (a head and its value in one or two cells); returns whether it did."""
        if all(self.vocab.lookup("spend_period", c) is not None for _, c in rest):
            self.heads = {j: squeeze(c) for j, c in rest}
            return True
        got = read_pairs([c for _, c in rest], self.vocab)
        if got is None:
            return False
        self.pairs += got
        return True

    def _values(self, cells: list[str]) -> list[str] | None:
        """Given the row under the heads, returns head:value for each head with a value, or None
        when a cell is not understood. A head repeated in its own column is its cell spanning an
        empty value; the label (spanning both rows) or nothing may stand outside the heads."""
        got: list[str] = []
        for j, c in enumerate(cells):
            if not c or is_placeholder(c):
                continue
            head = self.heads.get(j)
            if head is None:
                if self._is_label(c) and j < min(self.heads):
                    continue
                return self._values_in_order(cells)
            if squeeze(c) == head:
                continue
            value = plan_value(c)
            if value is None:
                return None
            got.append(f"{head}:{value}")
        return got

    def _values_in_order(self, cells: list[str]) -> list[str] | None:
        """Given a values row whose cells do not stand under the heads (a text written without
        the label's empty cell, a grid off by a column), returns the values in the heads' order
        when the row, past the label, is exactly one value per head, else None."""
        values = [plan_value(c) for c in cells if c and not self._is_label(c)]
        if len(values) != len(self.heads) or None in values:
            return None
        return [f"{head}:{v}" for head, v in zip((self.heads[j] for j in sorted(self.heads)), values)]
