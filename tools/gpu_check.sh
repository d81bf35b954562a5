#!/usr/bin/env bash
# The GPU check on a lent GPU machine, from a bare start: install the wheels that
# tools/gpu_wheels.py downloaded into .whl/ (papermill, the Jupyter kernel, torchinfo), then run
# `python -m helpers.gpu_check` with its files under $OUT (what the device tool brings back).
#
#   device run: command "bash tools/gpu_check.sh", carry [".whl"], timeout_s 590
#   here:       bash tools/gpu_check.sh --tiny --device cpu     (writes benchmarks/gpu/latest/)
set -euo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-python3}"
[ -x .venv/bin/python ] && python=.venv/bin/python
if ! "$python" -c "import papermill, ipykernel, torchinfo" 2>/dev/null && compgen -G ".whl/*.whl" >/dev/null
then
  "$python" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
    --target /tmp/gpu-check-site .whl/*.whl
  export PYTHONPATH=/tmp/gpu-check-site${PYTHONPATH:+:$PYTHONPATH}
  echo "gpu_check.sh: installed $(ls .whl/*.whl | wc -l) wheels into /tmp/gpu-check-site"
fi
export PYTHONUNBUFFERED=1 PYTHON="$python"
exec "$python" -m helpers.gpu_check --out "${OUT:-benchmarks/gpu/latest}" "$@"
