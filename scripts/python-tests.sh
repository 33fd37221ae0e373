#!/usr/bin/env bash
# Builds the Python package (bindings/python) with maturin into target/pyenv and runs its
# tests with pytest. Needs the environment scripts/install-deps.sh makes. Arguments go to
# pytest, e.g. `bash scripts/python-tests.sh -m "not spark"` to skip the Spark tests.
# The tests compare with the CLI: PATRON_CLI names it, or this builds target/debug/patron.
# tests/python.rs runs this from `cargo test` (the README's test command).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
pyenv="${PATRON_PYENV:-$root/target/pyenv}"
if [ ! -x "$pyenv/bin/python" ] || [ ! -x "$pyenv/bin/maturin" ]; then
  echo "target/pyenv is missing: run scripts/install-deps.sh first" >&2
  exit 1
fi
export VIRTUAL_ENV="$pyenv"
export PATH="$pyenv/bin:$PATH"
# Spark's Python workers run the same interpreter.
export PYSPARK_PYTHON="$pyenv/bin/python"
export PYSPARK_DRIVER_PYTHON="$pyenv/bin/python"
cd "$root"
if [ -z "${PATRON_CLI:-}" ]; then
  cargo build --quiet -p patron-cli --bin patron
  export PATRON_CLI="$root/target/debug/patron"
fi
# The native module builds in its own target directory (its own cargo workspace).
(cd bindings/python && CARGO_TARGET_DIR="$root/target/python" maturin develop --quiet --release)
cd bindings/python
set +e
python -m pytest -q "$@" tests
status=$?
set -e
# pytest exits 5 when it collected no test: that is a failure here, not a pass.
exit "$status"
