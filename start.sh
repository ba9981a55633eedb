#!/usr/bin/env bash
# Quick start: install into .venv/, build the bundled sample database if missing, start the dashboard.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/bootstrap.sh ""  # an explicit argument, or "source" passes on our "$@"
if [ ! -f data/jixiao.duckdb ]; then
  echo "Building the sample database from datasets/ ..." >&2
  # Exit 1 only means some file loaded partly; the dashboard still starts on what loaded.
  .venv/bin/jixiao ingest datasets/seeds --quiet || [ $? -eq 1 ]
  # The synthetic 10-county sample, marked synthetic so the dashboard can filter it out.
  .venv/bin/jixiao ingest --synthetic datasets/sample/documents --quiet --workers 2 --batch-size 50 || [ $? -eq 1 ]
fi
exec .venv/bin/jixiao serve "$@"
