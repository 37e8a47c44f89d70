#!/usr/bin/env bash
# Runs every cargo-fuzz target for SECONDS each (default 60) and prints executions and findings.
#
#     bash scripts/fuzz.sh [SECONDS]
#
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`). Crashes are written to
# fuzz/artifacts/<target>/; add each one as a regression test before fixing it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../fuzz"
seconds=${1:-60}
for target in $(cargo +nightly fuzz list); do
  printf '== %s (%ss)\n' "$target" "$seconds"
  cargo +nightly fuzz run -O "$target" -- -max_total_time="$seconds" -max_len=4096 2>&1 |
    grep -E '^Done|SUMMARY|panicked|crash-' || true
done
