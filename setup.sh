#!/usr/bin/env bash
# Set up a fresh machine: a virtual environment in .venv with the pinned packages, and (on Debian or
# Ubuntu) Chromium for the PDF export, poppler-utils for the tests and dataset-fashion-mnist, the
# real images the tests and `python -m helpers.commands.fashion_mnist` train on. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")"
say() { echo "setup.sh: $*"; }

python="${PYTHON:-python3}"
command -v "$python" >/dev/null || { say "no $python found: install Python 3.11 (or set PYTHON)" >&2; exit 1; }
version=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then
  say "Python $version is too old: the project needs 3.10 or newer (tested with 3.11); set PYTHON=python3.11" >&2
  exit 1
fi
[ "$version" = "3.11" ] || say "Python $version: the project is tested with 3.11 (set PYTHON to choose another)"

if [ -x .venv/bin/python ]; then
  say "[1/3] virtual environment .venv exists"
else
  say "[1/3] creating the virtual environment .venv with Python $version"
  "$python" -m venv .venv
fi
say "[2/3] installing the pinned packages of requirements.txt (PyTorch is large: a few minutes the first time)"
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -r requirements.txt

missing=()
command -v chromium >/dev/null || command -v google-chrome >/dev/null || [ -n "${CHROME_PATH:-}" ] \
  || missing+=(chromium)
command -v pdftoppm >/dev/null || missing+=(poppler-utils)
[ -e /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] \
  || [ -e /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte ] \
  || [ -n "${FASHION_MNIST_DIR:-}" ] || missing+=(dataset-fashion-mnist)
if [ ${#missing[@]} -eq 0 ]; then
  say "[3/3] system packages present (a browser for the PDFs, poppler-utils, Fashion-MNIST)"
elif command -v apt-get >/dev/null; then
  say "[3/3] installing ${missing[*]} with apt-get"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq && $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
else
  say "[3/3] install ${missing[*]} yourself (see README.md: PDF export, Fashion-MNIST)" >&2
fi
say "ready. Run ./run_all.sh --profile smoke"
