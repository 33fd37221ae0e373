#!/usr/bin/env bash
# Installs what the project's gates need beyond the Rust toolchain, gcc and python3:
# valgrind (C/C++ tests under valgrind), g++ (the C++ tests), pkg-config, binutils (readelf:
# tests/c_abi.rs checks how the C programs are linked, and requires it in CI), and for the
# `patron serve` client examples a JDK (javac, java) and Python's `requests`; for the policy
# workbench's browser test (cli/tests/workbench_browser.rs) Debian's chromium, node/npm, and
# the pinned playwright-core (`npm ci` in cli/tests/browser/, from its package-lock.json).
# Idempotent.
set -euo pipefail
missing=()
command -v valgrind >/dev/null 2>&1 || missing+=(valgrind)
command -v g++ >/dev/null 2>&1 || missing+=(g++)
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
command -v readelf >/dev/null 2>&1 || missing+=(binutils)
command -v javac >/dev/null 2>&1 || missing+=(default-jdk-headless)
# The workbench's browser test and bundle check.
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present"
else
  echo "installing: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi
# examples/clients/python_client.py (run by cli/tests/serve_clients.rs) needs `requests`
# for the python3 on PATH.
if python3 -c 'import requests' >/dev/null 2>&1; then
  echo "python requests: present"
else
  echo "installing python requests"
  python3 -m pip install --quiet requests \
    || { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-requests; }
fi
# The workbench's browser test drives Chromium with playwright-core (pinned by the lock file,
# installed into cli/tests/browser/node_modules; no browser is downloaded).
browser_tests="$(dirname "$0")/../cli/tests/browser"
if [ -d "$browser_tests/node_modules/playwright-core" ]; then
  echo "playwright-core: present"
else
  echo "installing playwright-core (npm ci in cli/tests/browser)"
  (cd "$browser_tests" && npm ci --no-audit --no-fund --loglevel=error)
fi
# The Python package (bindings/python): a virtual environment in target/pyenv with maturin,
# pytest, pyarrow, pandas, Polars and PySpark at the versions pinned in
# bindings/python/requirements-dev.txt (PySpark runs on the JDK installed above).
root="$(cd "$(dirname "$0")/.." && pwd)"
pyenv="$root/target/pyenv"
requirements="$root/bindings/python/requirements-dev.txt"
if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
  echo "installing python3-venv"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-venv
fi
[ -x "$pyenv/bin/python" ] || python3 -m venv "$pyenv"
if cmp -s "$requirements" "$pyenv/requirements-dev.txt"; then
  echo "python environment (target/pyenv): present"
else
  echo "installing the python environment into target/pyenv"
  "$pyenv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
  cp "$requirements" "$pyenv/requirements-dev.txt"
fi
