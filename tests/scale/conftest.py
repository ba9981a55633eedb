"""A small synthetic database with its derived tables, for the scale tests."""

from __future__ import annotations

from pathlib import Path

from jixiao import db
from jixiao.derive import refresh
from jixiao.ingest import ingest_paths
from jixiao.synth import generate_corpus


def derived_corpus_db(root: Path, *, counties: int, years: str, seed: int, name: str = "d.duckdb"):
    """Given a folder and the corpus's size, generates a text corpus there, ingests it without
    deriving and then runs `refresh` once; returns (database path, refresh's timings)."""
    generate_corpus(root / "corpus", counties=counties, years=years, seed=seed, projects_per_unit=3, formats="txt")
    path = root / name
    ingest_paths([root / "corpus" / "documents"], path, synthetic=True, batch_size=50, derive=False)
    con = db.connect(path)
    try:
        return path, refresh(con)
    finally:
        con.close()
