"""jixiao (绩效): ingest, check and compare project performance goal and self-evaluation tables."""

__version__ = "0.1.0"
