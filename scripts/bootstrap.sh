# Sourced by start.sh and test.sh: make .venv/ and install the project into it when missing or
# when pyproject.toml changed since the last install. Needs Python 3.11+ as python3 (or $PYTHON).
set -euo pipefail
PY=${PYTHON:-python3}
extras=${1:-}
if ! "$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
  echo "jixiao needs Python 3.11 or newer (found: $("$PY" --version 2>&1))" >&2
  exit 1
fi
stamp_want="$(sha256sum pyproject.toml | cut -c1-16)${extras}"
stamp_file=.venv/.jixiao-installed
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
if [ ! -f "$stamp_file" ] || ! grep -qx "$stamp_want" "$stamp_file"; then
  echo "Installing jixiao${extras} into .venv/ ..." >&2
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip >&2
  .venv/bin/python -m pip install -q --disable-pip-version-check -e ".${extras}" >&2
  echo "$stamp_want" > "$stamp_file"
fi
