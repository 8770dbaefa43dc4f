#!/usr/bin/env bash
# Developer entry point: ./hc run | ./hc test | ./hc doctor | ./hc setup | ./hc --help
# The Python interpreter is the one on PATH (python3), or $HC_PYTHON. When it cannot import
# Odoo 18 (and HC_PYTHON is not set), tools/hc.py sets Odoo 18 up in .hc/venv and re-runs itself there.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
py="${HC_PYTHON:-python3}"
if ! command -v "$py" >/dev/null 2>&1; then
  echo "hc: '$py' not found. Install Python 3.10-3.12 (Debian/Ubuntu: sudo apt-get install python3 python3-venv)." >&2
  exit 2
fi
exec "$py" "$here/tools/hc.py" "$@"
