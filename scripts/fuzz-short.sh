#!/usr/bin/env bash
# A short fuzzing pass over every cargo-fuzz target in fuzz/ (issue 9): each target runs for
# FUZZ_SECONDS (default 30) seconds, one after another, from the committed seed corpus
# (fuzz/seeds/<target>) plus whatever earlier runs left in fuzz/corpus/<target>. `.ci/run`
# calls it when FUZZ=1. A crash, a timeout (an input running longer than FUZZ_TIMEOUT
# seconds) or an out-of-memory stops the pass with a non-zero exit; the input is saved under
# fuzz/artifacts/<target>/ and the log under fuzz/logs/.
#
#   bash scripts/fuzz-short.sh                      # every target, 30 s each
#   FUZZ_SECONDS=600 FUZZ_TARGETS=policy bash scripts/fuzz-short.sh
#
# cargo-fuzz needs nightly-only compiler flags; on the stable toolchain RUSTC_BOOTSTRAP=1
# allows them. Fuzz builds use their own target directory (fuzz/target).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${FUZZ_SECONDS:-30}"
timeout="${FUZZ_TIMEOUT:-10}"
targets="${FUZZ_TARGETS:-customer_json batch policy c_abi plan tiers}"
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "==> installing cargo-fuzz from crates.io"
  cargo install cargo-fuzz --locked
fi

echo "==> building the fuzz targets"
cargo fuzz build

mkdir -p fuzz/logs
status=0
for target in $targets; do
  mkdir -p "fuzz/corpus/$target"
  log="fuzz/logs/$target.log"
  # Inputs up to 8 KiB (16 KiB for policies, whose scripts are longer): large enough for
  # every shape, small enough to keep executions fast.
  max_len=8192
  [ "$target" = policy ] && max_len=16384
  echo "==> fuzzing $target for ${seconds}s (log: $log)"
  if cargo fuzz run "$target" "fuzz/corpus/$target" "fuzz/seeds/$target" -- \
      -max_total_time="$seconds" -timeout="$timeout" -rss_limit_mb=2048 -max_len="$max_len" \
      -print_final_stats=1 >"$log" 2>&1; then
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
    echo "    ok: $runs executions, corpus $(ls "fuzz/corpus/$target" | wc -l) inputs"
  else
    status=1
    echo "    FAILED: see $log and fuzz/artifacts/$target/" >&2
    grep -E 'panicked at|ERROR: libFuzzer|SUMMARY|Test unit written' "$log" | head -20 >&2 || true
  fi
done
exit "$status"
