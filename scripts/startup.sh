#!/usr/bin/env bash
# Cold start and idle memory of a release `saifu serve` on SQLite (targets: < 200 ms, < 50 MB).
#
#     bash scripts/startup.sh [RUNS]      (default 20)
#
# Cold start: from exec to the first 200 from /healthz, with a fresh data directory (the first
# start creates the database, runs the migrations and generates the node's keys) and with an
# existing one (a restart). Idle memory: VmRSS of the node 5 seconds after /healthz first
# answered, with no request since. Prints the median and the range of each.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
runs=${1:-20}
cargo build --release -p saifu --quiet
exec python3 - "$repo/target/release/saifu" "$runs" <<'EOF'
import json, os, statistics, subprocess, sys, tempfile, time, urllib.request

saifu, runs = sys.argv[1], int(sys.argv[2])

def start(data_dir):
    """Starts a node; seconds until /healthz answered 200, and the process."""
    began = time.perf_counter()
    node = subprocess.Popen([saifu, "serve", "--port", "0", "--json", "--data-dir", data_dir],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    base = json.loads(node.stdout.readline())["listening"]
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz") as answer:
                if answer.status == 200:
                    return time.perf_counter() - began, node
        except OSError:
            time.sleep(0.001)

def rss_mib(pid):
    with open(f"/proc/{pid}/status") as status:
        kib = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
    return kib / 1024

def stop(node):
    node.terminate()
    node.wait()

fresh, restart, idle = [], [], []
for run in range(runs):
    with tempfile.TemporaryDirectory() as data_dir:
        seconds, node = start(data_dir)
        fresh.append(seconds * 1000)
        if run < 5:
            time.sleep(5)
            idle.append(rss_mib(node.pid))
        stop(node)
        seconds, node = start(data_dir)
        restart.append(seconds * 1000)
        stop(node)

def line(name, values, unit):
    print(f"{name}: median {statistics.median(values):.1f} {unit} "
          f"(min {min(values):.1f}, max {max(values):.1f}, {len(values)} runs)")

line("cold start, fresh data directory", fresh, "ms")
line("cold start, existing data directory", restart, "ms")
line("idle resident memory", idle, "MiB")
EOF
