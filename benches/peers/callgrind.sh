#!/usr/bin/env bash
# Instructions per evaluation of the reference work, counted by valgrind --tool=callgrind:
# figures the machine's noise does not move.
#
# For each implementation, runs N and 2N evaluations once (`--runs 1 --only IMPL`), counting
# only the instructions executed inside the timed loop `run_IMPL` (--toggle-collect: the
# generator, building the inputs and loading the policy or decision are not counted), and
# prints (count(2N) − count(N)) / N — what one more evaluation costs, without the fixed costs
# (the first call's per-thread setup included).
#
# Usage: ./callgrind.sh [IMPL=N ...]      default: native=100000 patron=2000 zen=2000
set -euo pipefail
cd "$(dirname "$0")"
command -v valgrind >/dev/null || { echo "valgrind is not installed" >&2; exit 2; }
cargo build --release -q
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
specs=("$@")
[ ${#specs[@]} -gt 0 ] || specs=(native=100000 patron=2000 zen=2000)
printf '%-12s %9s %15s %15s %15s\n' impl N "Ir(N)" "Ir(2N)" "Ir/evaluation"
for spec in "${specs[@]}"; do
    impl=${spec%%=*}
    n=${spec##*=}
    counts=()
    for m in 1 2; do
        valgrind --tool=callgrind --callgrind-out-file="$out/$impl.$m" \
            --toggle-collect="*run_${impl//-/_}*" \
            ./target/release/patron-peers --only "$impl" --runs 1 --n $((n * m)) \
            >"$out/$impl.$m.stdout" 2>"$out/$impl.$m.log"
        counts+=("$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$out/$impl.$m.log")")
    done
    awk -v i="$impl" -v n="$n" -v a="${counts[0]}" -v b="${counts[1]}" \
        'BEGIN { printf "%-12s %9d %15d %15d %15.1f\n", i, n, a, b, (b - a) / n }'
done
