#!/usr/bin/env bash
# Set up a fresh machine: a virtual environment in .venv with the pinned packages, and (on Debian or
# Ubuntu) Chromium for the PDF export and poppler-utils for the tests. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")"
python="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$python" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -r requirements.txt
missing=()
command -v chromium >/dev/null || command -v google-chrome >/dev/null || [ -n "${CHROME_PATH:-}" ] \
  || missing+=(chromium)
command -v pdftoppm >/dev/null || missing+=(poppler-utils)
if [ ${#missing[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null; then
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq && $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "setup.sh: install ${missing[*]} yourself (see README.md, PDF export)" >&2
  fi
fi
echo "setup.sh: ready. Run ./run_all.sh --profile smoke"
