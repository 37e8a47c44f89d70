#!/usr/bin/env bash
# SD-JWT presentation verification, 10 disclosures + KB-JWT, EdDSA and ES256, in one run:
#   saifu one at a time, saifu in Ed25519 batches of 64, the raw floor (the two signature
#   verifications plus the SHA-256 hashing, measured the same way), @sd-jwt/core (Node) and
#   sd-jwt (Python) verifying the very presentations saifu's bench wrote.
# Prints one Markdown table of verifications per second per core (all single-threaded).
#
# Usage: scripts/bench-sd-jwt.sh [criterion args…]
#   NODE_ITERATIONS (default 3000) and PYTHON_ITERATIONS (default 2000) set the peers' work.
# Needs interop/node_modules (`npm ci --prefix interop`) and .venv with
# interop/python/requirements.txt; both are installed when missing.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if [[ ! -d interop/node_modules/@sd-jwt/core ]]; then
  npm ci --prefix interop
fi
if [[ ! -x .venv/bin/python ]]; then
  python3 -m venv .venv
fi
if ! .venv/bin/python -c 'import sd_jwt' 2>/dev/null; then
  .venv/bin/pip install -r interop/python/requirements.txt
fi

target="$(cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
inputs="$target/sd-jwt-bench"
estimates="$target/criterion/sd_jwt_verify_10_disclosures_kb"
mkdir -p "$inputs"
stamp="$inputs/.started"
touch "$stamp"

echo "== saifu (criterion), writing the shared inputs to $inputs" >&2
SD_JWT_BENCH_INPUTS="$inputs" cargo bench -p saifu-credential --bench sd_jwt -- "$@" >&2

for input in EdDSA ES256 EdDSA-ES256-holder; do
  if [[ ! "$inputs/$input.json" -nt "$stamp" ]]; then
    echo "bench did not write $inputs/$input.json in this run" >&2
    exit 1
  fi
done

echo "== @sd-jwt/core (Node)" >&2
node_eddsa="$(node interop/sd-jwt/bench.mjs "$inputs/EdDSA.json" "${NODE_ITERATIONS:-3000}")"
node_es256="$(node interop/sd-jwt/bench.mjs "$inputs/ES256.json" "${NODE_ITERATIONS:-3000}")"
echo "== sd-jwt (Python)" >&2
python_eddsa="$(.venv/bin/python interop/python/sd_jwt_bench.py \
  "$inputs/EdDSA-ES256-holder.json" "${PYTHON_ITERATIONS:-2000}")"
python_es256="$(.venv/bin/python interop/python/sd_jwt_bench.py \
  "$inputs/ES256.json" "${PYTHON_ITERATIONS:-2000}")"

cpu="$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1)"
export ESTIMATES="$estimates" STAMP="$stamp" CPU="${cpu:-unknown CPU}" \
  NODE_EDDSA="$node_eddsa" NODE_ES256="$node_es256" \
  PYTHON_EDDSA="$python_eddsa" PYTHON_ES256="$python_es256" \
  RUSTC="$(rustc --version)" NODE="$(node --version)" PYTHON="$(.venv/bin/python --version)"
python3 - <<'PY'
import json
import os

estimates, stamp = os.environ["ESTIMATES"], os.environ["STAMP"]


def criterion(bench, per=1):
    """Median ns per presentation of one criterion benchmark of this run."""
    path = os.path.join(estimates, bench, "new", "estimates.json")
    if os.path.getmtime(path) < os.path.getmtime(stamp):
        raise SystemExit(f"{path} is not from this run")
    with open(path) as f:
        return json.load(f)["median"]["point_estimate"] / per


def peer(var):
    return json.loads(os.environ[var])["median_ns"]


ns = {
    "EdDSA": {
        "ours": criterion("EdDSA_single"),
        "batch": criterion("EdDSA_batch-of-64", 64),
        "floor": criterion("EdDSA_raw-floor"),
        "node": peer("NODE_EDDSA"),
        "python": peer("PYTHON_EDDSA"),
    },
    "ES256": {
        "ours": criterion("ES256_single"),
        "batch": None,
        "floor": criterion("ES256_raw-floor"),
        "node": peer("NODE_ES256"),
        "python": peer("PYTHON_ES256"),
    },
}
ours_mixed = criterion("EdDSA-ES256-holder_single")
rows = [
    ("saifu, one at a time", "ours"),
    ("saifu, Ed25519 batches of 64", "batch"),
    ("raw floor: 2 signature verifications + SHA-256", "floor"),
    ("@sd-jwt/core 0.19.0 (Node)", "node"),
    ("sd-jwt 0.10.4 (Python)", "python"),
]


def cells(alg, key):
    t = ns[alg][key]
    if t is None:
        return ["—", "—", "—", "—"]
    note = "†" if (alg, key) == ("EdDSA", "python") else ""
    base = ours_mixed if note else ns[alg]["ours"]
    # The floor is for same-type keys: not comparable with the † input.
    share = "—" if note else f"{100 * ns[alg]['floor'] / t:.0f} %"
    return [f"{t / 1000:,.1f}{note}", f"{1e9 / t:,.0f}", share, f"{t / base:.2f}×"]


print(
    "| verifier (10 disclosures + KB-JWT) "
    "| EdDSA µs | EdDSA /s/core | EdDSA vs floor | EdDSA time vs saifu "
    "| ES256 µs | ES256 /s/core | ES256 vs floor | ES256 time vs saifu |"
)
print("|---|" + "---:|" * 8)
for label, key in rows:
    print(f"| {label} | " + " | ".join(cells("EdDSA", key) + cells("ES256", key)) + " |")
print()
print(
    "“vs floor” is throughput as a share of the raw floor's (≥ 100 % beats it); "
    "“time vs saifu” is time per verification relative to saifu one at a time."
)
print(
    "† sd-jwt 0.10.4 checks KB-JWTs with ES256 only, so its EdDSA input has an Ed25519 issuer "
    f"and a P-256 holder; saifu on that same input: {ours_mixed / 1000:,.1f} µs "
    f"({1e9 / ours_mixed:,.0f}/s), the ratio shown is against that."
)
print(
    f"Single-threaded, same run, same inputs. {os.environ['CPU']}; {os.environ['RUSTC']}; "
    f"Node {os.environ['NODE']}; {os.environ['PYTHON']}."
)
PY
