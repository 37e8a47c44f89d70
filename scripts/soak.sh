#!/usr/bin/env bash
# Soak test: a mixed issuance + verification load at a fraction of the measured peak against a
# release `saifu serve` on SQLite, for MINUTES, sampling the node's resident memory
# (process_resident_memory_bytes on /metrics) and its thread count every 10 seconds.
#
#     bash scripts/soak.sh [MINUTES] [FRACTION]      (defaults: 10 minutes at 0.7 of the peak)
#
# 1. Peak: `saifu bench issuance` and `saifu bench verification` run at the same time, as fast as
#    16 workers each go (2,000 flows each); their throughputs are the mixed peak.
# 2. Soak: both again at the same time, each paced (--rate) at FRACTION of its peak throughput
#    for MINUTES.
# Every flow makes its own offer or presentation session (--setup-in-flow), in the peak as in the
# soak: the soak is paced at a fraction of the very flow it runs, and nothing grows with its
# length before the clock starts.
# Prints both bench reports (JSON), the memory samples and a summary line; exits 1 if any flow
# failed. The reports, the samples and the node's log are kept in target/soak/ (the node's data
# is deleted). Needs python3 (to read the JSON reports) and curl.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
minutes=${1:-10}
fraction=${2:-0.7}
seconds=$((minutes * 60))

cargo build --release -p saifu --quiet
saifu=$repo/target/release/saifu
work=$(mktemp -d)
kept=$repo/target/soak
rm -rf "$kept" && mkdir -p "$kept"
trap 'kill "$node_pid" 2>/dev/null || true; cp "$work"/*.json "$work"/*.txt "$work"/node.log "$kept"/ 2>/dev/null || true; rm -rf "$work"' EXIT

"$saifu" serve --config crates/saifu/bench/node.toml --data-dir "$work/node" --port 0 --json \
  > "$work/node.out" 2> "$work/node.log" &
node_pid=$!
for _ in $(seq 100); do [ -s "$work/node.out" ] && break; sleep 0.1; done
node=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["listening"])' "$work/node.out")
export SAIFU_NODE=$node
echo "node $node (pid $node_pid), soak $minutes min at $fraction of the peak" >&2

throughput() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["throughput_per_second"])' "$1"; }

bench() { # name output-file args...
  local name=$1 out=$2
  shift 2
  "$saifu" bench "$name" --node-data-dir "$work/node" --concurrency 16 --setup-in-flow --json \
    "$@" > "$out" || true
}

echo "== peak (both flows at once, unpaced)" >&2
bench issuance "$work/peak-issuance.json" --count 2000 &
peak_issuance=$!
bench verification "$work/peak-verification.json" --count 2000 &
peak_verification=$!
wait "$peak_issuance" "$peak_verification"
peak_i=$(throughput "$work/peak-issuance.json")
peak_v=$(throughput "$work/peak-verification.json")
rate_i=$(python3 -c "print(round($peak_i * $fraction, 1))")
rate_v=$(python3 -c "print(round($peak_v * $fraction, 1))")
count_i=$(python3 -c "print(int($rate_i * $seconds))")
count_v=$(python3 -c "print(int($rate_v * $seconds))")
echo "peak: issuance $peak_i/s, verification $peak_v/s; soak rates $rate_i/s and $rate_v/s" >&2

echo "== soak" >&2
sample_memory() {
  local start=$SECONDS
  while kill -0 "$node_pid" 2>/dev/null; do
    rss=$(curl -s "$node/metrics" | awk '/^process_resident_memory_bytes /{print $2}')
    threads=$(ls "/proc/$node_pid/task" 2>/dev/null | wc -l)
    echo "$((SECONDS - start)) ${rss:-0} $threads"
    sleep 10
  done
}
sample_memory > "$work/rss.txt" &
sampler=$!
bench issuance "$work/soak-issuance.json" --count "$count_i" --rate "$rate_i" &
soak_i=$!
bench verification "$work/soak-verification.json" --count "$count_v" --rate "$rate_v" &
soak_v=$!
wait "$soak_i" "$soak_v"
kill "$sampler" 2>/dev/null || true

for report in peak-issuance peak-verification soak-issuance soak-verification; do
  echo "== $report"
  cat "$work/$report.json"
done
echo "== resident memory (seconds since the soak started, bytes, node threads)"
cat "$work/rss.txt"
python3 - "$work" <<'EOF'
import json, sys
work = sys.argv[1]
samples = [tuple(map(int, line.split())) for line in open(f"{work}/rss.txt") if line.strip()]
mib = [rss / 2**20 for _, rss, _ in samples if rss]
threads = [count for _, _, count in samples]
failed = 0
for name in ("soak-issuance", "soak-verification"):
    report = json.load(open(f"{work}/{name}.json"))
    failed += report["failed"]
    print(f"{name}: {report['total']} flows, {report['failed']} failed, "
          f"{report['throughput_per_second']:.1f}/s, p50 {report['latency_ms']['p50']:.2f} ms, "
          f"p99 {report['latency_ms']['p99']:.2f} ms, {report['elapsed_seconds']:.0f} s")
if mib:
    after_warmup = mib[min(6, len(mib) - 1):]
    print(f"resident memory: first {mib[0]:.1f} MiB, after 1 min {after_warmup[0]:.1f} MiB, "
          f"max {max(mib):.1f} MiB, last {mib[-1]:.1f} MiB ({len(mib)} samples); "
          f"node threads {min(threads)}–{max(threads)}")
sys.exit(1 if failed else 0)
EOF
