#!/usr/bin/env bash
# Runs every cargo-fuzz target for SECONDS each (default 60) and prints, per target, the
# executions libFuzzer reports and any finding; exits 1 if any target found a crash.
#
#     bash scripts/fuzz.sh [SECONDS] [TARGET...]
#
# scripts/test-all.sh runs it briefly (10 s per target) in CI; RELIABILITY.md records the long
# runs. Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz --locked`). Crashes
# are written to fuzz/artifacts/<target>/; add each one as a regression test before fixing it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../fuzz"
seconds=${1:-60}
shift || true
targets=("$@")
[ "${#targets[@]}" -gt 0 ] || mapfile -t targets < <(cargo +nightly fuzz list)

failed=()
for target in "${targets[@]}"; do
  log=$(mktemp)
  if cargo +nightly fuzz run -O "$target" -- -max_total_time="$seconds" -max_len=4096 \
    > "$log" 2>&1; then
    outcome=none
  else
    outcome="CRASH (see fuzz/artifacts/$target/)"
    failed+=("$target")
  fi
  runs=$(grep -Eo '^Done [0-9]+ runs in [0-9]+ second' "$log" | grep -Eo '[0-9]+' | head -n 2 | paste -sd ' ' || true)
  printf '%-22s runs/seconds: %-22s findings: %s\n' "$target" "${runs:-?}" "$outcome"
  if [ "$outcome" != none ]; then
    grep -E 'panicked|SUMMARY|ERROR' "$log" | head -n 5
  fi
  rm -f "$log"
done
if [ "${#failed[@]}" -gt 0 ]; then
  printf 'fuzzing found crashes in: %s\n' "${failed[*]}" >&2
  exit 1
fi
