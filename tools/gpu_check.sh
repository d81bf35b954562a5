#!/usr/bin/env bash
# The GPU check on a GPU machine without network, from a bare start: install the wheels that
# tools/gpu_wheels.py downloaded into .whl/ (papermill and the Jupyter kernel), then run
# `python -m helpers.commands.gpu_check` with its files under $OUT (default benchmarks/gpu/latest/).
#
#   on the GPU machine, the checkout copied with .whl/:   bash tools/gpu_check.sh
#   on a CPU, the tiny mode:      bash tools/gpu_check.sh --tiny --device cpu
set -euo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-python3}"
[ -x .venv/bin/python ] && python=.venv/bin/python
if ! "$python" -c "import papermill, ipykernel" 2>/dev/null && compgen -G ".whl/*.whl" >/dev/null
then
  "$python" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
    --target /tmp/gpu-check-site .whl/*.whl
  export PYTHONPATH=/tmp/gpu-check-site${PYTHONPATH:+:$PYTHONPATH}
  echo "gpu_check.sh: installed $(ls .whl/*.whl | wc -l) wheels into /tmp/gpu-check-site"
fi
export PYTHONUNBUFFERED=1 PYTHON="$python"
exec "$python" -m helpers.commands.gpu_check --out "${OUT:-benchmarks/gpu/latest}" "$@"
