#!/usr/bin/env bash
# Run the notebooks in order and export each to PDF: ./run_all.sh [--profile smoke|full|rehearsal]
# [--only NN ...] [--no-pdf]. Outputs go to reports/<profile>/. See README.md.
set -euo pipefail
cd "$(dirname "$0")"
python="${PYTHON:-}"
if [ -z "$python" ]; then
  if [ -x .venv/bin/python ]; then python=.venv/bin/python; else python=python3; fi
fi
exec "$python" -m helpers.run.pipeline "$@"
