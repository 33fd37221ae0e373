#!/usr/bin/env bash
# Issue 16's performance targets measured in one spell, on one commit, one after another, so
# that the ratios compare like with like (BENCHMARKS.md, "Issue 16's targets in one spell").
#
# Runs, from the repository root, each step's command (the same commands BENCHMARKS.md
# names), saves each step's whole output under $OUT (default target/targets/<date>), and
# prints each step's figure lines. Nothing here asserts: the figures are read and written
# into BENCHMARKS.md with the machine's load, which is printed before and after each step.
#
# Usage: benches/targets.sh [STEP ...]
#   steps: peers peers-callgrind evaluate instructions ffi history stream   (default: all)
#   STREAM_FILE=path   the 1,000,000-customer JSON Lines file of the stream step (default
#                      target/bench/customers-1m.jsonl, made when missing by
#                      `python3 benches/gen_customers.py 1000000 --seed 19 -o ...`)
#   JQ=0               skip `jq -c .` on the stream file (it takes over a minute)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-target/targets/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"
STREAM_FILE=${STREAM_FILE:-target/bench/customers-1m.jsonl}
steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=(peers peers-callgrind evaluate instructions ffi history stream)

say() { printf '\n== %s  (%s, load %s)\n' "$1" "$(date -u +%H:%M:%S)" "$(cut -d' ' -f1-3 /proc/loadavg)"; }

# Instructions counted by callgrind inside `function` of `program args…`, divided by `per`.
callgrind_per() {
    local function=$1 per=$2 log=$3
    shift 3
    valgrind --tool=callgrind --callgrind-out-file=/dev/null --toggle-collect="$function" \
        "$@" >/dev/null 2>"$log"
    local collected
    collected=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$log")
    echo "$collected instructions / $per = $((collected / per)) per evaluation"
}

echo "commit $(git rev-parse --short HEAD)$(git diff --quiet || echo ' (with uncommitted changes)'), $(nproc) cores, output in $OUT"
for step in "${steps[@]}"; do
    case $step in
    peers)
        say "reference work: patron-peers --n 20000 --runs 7, three invocations"
        (cd benches/peers && cargo build --release -q)
        for k in 1 2 3; do
            (cd benches/peers && ./target/release/patron-peers --n 20000 --runs 7) | tee "$OUT/peers.$k.txt"
        done
        ;;
    peers-callgrind)
        say "reference work by instructions: benches/peers/callgrind.sh"
        (cd benches/peers && ./callgrind.sh native=100000 patron=2000 patron-fresh=2000 zen=1000) | tee "$OUT/peers-callgrind.txt"
        ;;
    evaluate)
        say "default policy: cargo bench --bench evaluate 'evaluate/rust_api', twice"
        for k in 1 2; do
            cargo bench -q --bench evaluate -- --warm-up-time 1 --measurement-time 3 'evaluate/rust_api' 2>&1 |
                tee "$OUT/evaluate.$k.txt" | grep -E '^evaluate/|time:'
        done
        ;;
    instructions)
        say "default policy by instructions: examples/instructions.rs under callgrind (256 evaluations)"
        cargo build -q --release --example instructions
        callgrind_per 'instructions::run_loop' 256 "$OUT/instructions.log" target/release/examples/instructions 4 | tee "$OUT/instructions.txt"
        ;;
    ffi)
        say "C ABI against the Rust JSON path: cargo bench --features ffi --bench ffi, three runs"
        for k in 1 2 3; do
            cargo bench -q --features ffi --bench ffi -- --warm-up-time 1 --measurement-time 3 2>&1 |
                tee "$OUT/ffi.$k.txt" | grep -E '^ffi|time:'
        done
        ;;
    history)
        say "history: examples/history.rs under callgrind, K = 0, 200, 1000 pairs (100 evaluations each)"
        cargo build -q --release --example history
        for k in 0 200 1000; do
            echo -n "K=$k: "
            callgrind_per 'history::run_loop' 100 "$OUT/history.$k.log" target/release/examples/history "$k" 100
        done | tee "$OUT/history.txt"
        ;;
    stream)
        say "1,000,000 customers streamed: patron eval $STREAM_FILE --format jsonl > /dev/null"
        if [ ! -f "$STREAM_FILE" ]; then
            mkdir -p "$(dirname "$STREAM_FILE")"
            python3 benches/gen_customers.py 1000000 --seed 19 -o "$STREAM_FILE"
        fi
        cargo build -q --release -p patron-cli
        for k in 1 2 3; do
            /usr/bin/time -v target/release/patron eval "$STREAM_FILE" --as-of 2026-11-23 --format jsonl \
                >/dev/null 2>"$OUT/stream.$k.txt" || { cat "$OUT/stream.$k.txt"; exit 1; }
            grep -E 'Elapsed|User time|System time|Maximum resident' "$OUT/stream.$k.txt" | tr -s ' \t' ' ' | paste -sd';'
        done
        if [ "${JQ:-1}" != 0 ] && command -v jq >/dev/null; then
            say "for scale: jq -c . $STREAM_FILE > /dev/null"
            /usr/bin/time -v jq -c . "$STREAM_FILE" >/dev/null 2>"$OUT/jq.txt"
            grep -E 'Elapsed|User time|System time|Maximum resident' "$OUT/jq.txt" | tr -s ' \t' ' ' | paste -sd';'
        fi
        ;;
    *)
        echo "unknown step: $step (steps: peers peers-callgrind evaluate instructions ffi history stream)" >&2
        exit 2
        ;;
    esac
done
say "done"
