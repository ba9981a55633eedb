"""Waivers: a reviewer accepts a flag with a required reason; flags then show as waived.

Waivers are data in a CSV (datasets/waivers.csv, or $JIXIAO_WAIVERS) keyed by the flag's rule
and the project/indicator it is about, so they survive re-ingests of the same content.
Flags are never dropped: `apply_waivers` only sets status (open / waived) and the reason.
"""

from __future__ import annotations

import csv
import os
from datetime import datetime
from pathlib import Path

import polars as pl

from jixiao.db import REPO_ROOT

COLUMNS = ["rule", "project_id", "indicator_id", "reason", "reviewer", "waived_at"]


def waivers_path() -> Path:
    """Returns the waivers file: $JIXIAO_WAIVERS or datasets/waivers.csv."""
    env = os.environ.get("JIXIAO_WAIVERS")
    return Path(env) if env else REPO_ROOT / "datasets" / "waivers.csv"


def load_waivers(path: Path | None = None) -> pl.DataFrame:
    """Returns the waivers as a frame (empty with the columns when the file is missing)."""
    path = path or waivers_path()
    schema = {c: pl.String for c in COLUMNS}
    if not path.exists():
        return pl.DataFrame(schema=schema)
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = [{c: (r.get(c) or None) for c in COLUMNS} for r in csv.DictReader(f)]
    df = pl.DataFrame(rows, schema=schema) if rows else pl.DataFrame(schema=schema)
    # A waiver without a reason is not a waiver.
    return df.filter(pl.col("reason").is_not_null() & (pl.col("reason").str.strip_chars() != ""))


def add_waiver(rule: str, project_id: str, indicator_id: str | None, reason: str, reviewer: str = "",
               path: Path | None = None) -> None:
    """Appends a waiver; raises ValueError when the reason is empty."""
    if not reason or not reason.strip():
        raise ValueError("接受标记必须填写理由")
    path = path or waivers_path()
    new = not path.exists()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS)
        if new:
            w.writeheader()
        w.writerow({"rule": rule, "project_id": project_id, "indicator_id": indicator_id or "",
                    "reason": reason.strip(), "reviewer": reviewer.strip(),
                    "waived_at": datetime.now().strftime("%Y-%m-%d %H:%M")})


def apply_waivers(flags: pl.DataFrame, waivers: pl.DataFrame) -> pl.DataFrame:
    """Given flags and waivers, returns the flags with status (open/waived) and waiver_reason."""
    w = waivers.select(
        "rule", "project_id", pl.col("indicator_id").fill_null(""),
        pl.col("reason").alias("waiver_reason"), pl.col("reviewer").alias("waiver_reviewer"),
    ).unique(subset=["rule", "project_id", "indicator_id"], keep="last")
    out = flags.drop([c for c in ("status", "waiver_reason", "waiver_reviewer") if c in flags.columns])
    out = out.with_columns(pl.col("indicator_id").fill_null("").alias("_ind")).join(
        w.rename({"indicator_id": "_ind"}), on=["rule", "project_id", "_ind"], how="left"
    ).drop("_ind")
    return out.with_columns(
        pl.when(pl.col("waiver_reason").is_not_null()).then(pl.lit("waived")).otherwise(pl.lit("open")).alias("status")
    ).sort("flag_id")


def flags_with_status(con) -> pl.DataFrame:
    """Given a database connection, returns the `flags` table with the waivers as they stand now
    (status, waiver_reason, waiver_reviewer): the one read that the CLI, the dashboard, the
    export and the reports share, so a flag's status is never stale."""
    flags = con.cursor().sql("SELECT * FROM flags").pl()
    return apply_waivers(flags, load_waivers())
