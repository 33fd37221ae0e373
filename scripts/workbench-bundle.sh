#!/usr/bin/env bash
# Builds the workbench's editor bundle (cli/src/serve/workbench/assets/editor.bundle.js)
# from cli/src/serve/workbench/frontend/ with the pinned npm packages (package-lock.json):
# `npm ci`, then esbuild. The bundle is committed and built into the binary with
# include_str!, so `cargo build` needs neither node nor the network.
#
#   scripts/workbench-bundle.sh          rebuild the committed bundle
#   scripts/workbench-bundle.sh --check  rebuild into a temporary directory and fail if the
#                                        committed bundle differs (CI: the bundle is
#                                        reproducible from the lock file)
set -euo pipefail
cd "$(dirname "$0")/.."
frontend=cli/src/serve/workbench/frontend
bundle=cli/src/serve/workbench/assets/editor.bundle.js
check=0
[ "${1:-}" = "--check" ] && check=1
command -v npm >/dev/null 2>&1 || { echo "workbench-bundle: npm (node 20) is needed" >&2; exit 1; }
# Installs exactly the lock file's versions (skipped when they are already installed).
if ! (cd "$frontend" && [ -d node_modules ] && npm ls --silent >/dev/null 2>&1); then
  (cd "$frontend" && npm ci --no-audit --no-fund --loglevel=error)
fi
build() {
  "$frontend/node_modules/.bin/esbuild" "$frontend/editor.js" --bundle --format=esm \
    --minify --legal-comments=none --log-level=warning --outfile="$1"
}
if [ "$check" = 1 ]; then
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
  build "$out/editor.bundle.js"
  if cmp -s "$out/editor.bundle.js" "$bundle"; then
    echo "workbench-bundle: $bundle is what the lock file builds"
  else
    echo "workbench-bundle: $bundle differs from what $frontend builds; run scripts/workbench-bundle.sh and commit it" >&2
    exit 1
  fi
else
  build "$bundle"
  echo "workbench-bundle: wrote $bundle ($(wc -c <"$bundle") bytes)"
fi
