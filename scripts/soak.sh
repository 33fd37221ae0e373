#!/usr/bin/env bash
# Soak run (issue 9; not part of CI): evaluates 10,000,000 customers with the default policy
# through the library API (examples/soak.rs) and samples the process's resident memory
# (VmRSS) every 250,000 customers. Exits non-zero when the resident size grows more than the
# tolerance (4 MiB by default) above its value after a 1,000,000-customer warm-up, or when
# any evaluation fails. Options go to the example, e.g.
#
#   bash scripts/soak.sh --customers 1000000 --every 100000
#   bash scripts/soak.sh --batch 1000 --tolerance-kib 8192
#
# It runs at a lower priority (nice 10): the machine is shared. RELIABILITY.md has the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
nice -n 10 cargo build --release --example soak
exec nice -n 10 "${CARGO_TARGET_DIR:-target}/release/examples/soak" "$@"
