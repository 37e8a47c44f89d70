"""Times sd-jwt-python 0.10.4 verifying one presentation (key binding required), for
scripts/bench-sd-jwt.sh.

Usage: sd_jwt_bench.py <input.json> [iterations]. The input is written by saifu's sd_jwt bench:
{presentation, issuer_jwk, aud, nonce, now}. sd-jwt-python checks KB-JWTs with ES256 only, so
its inputs have a P-256 holder. Prints {"median_ns", "iterations"}: the median over rounds of
the mean time per verify.
"""

import json
import sys
import time

from jwcrypto.jwk import JWK

from sd_jwt_peer import verified_payload

ROUNDS = 21


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        req = json.load(f)
    iterations = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    per_round = max(1, -(-iterations // ROUNDS))
    issuer_key = JWK(**req["issuer_jwk"])

    def once():
        return verified_payload(req["presentation"], issuer_key, req["aud"], req["nonce"])

    if "claim_0" not in once():
        raise SystemExit("presentation did not verify as expected")
    for _ in range(per_round):  # warm-up
        once()
    times = []
    for _ in range(ROUNDS):
        start = time.perf_counter_ns()
        for _ in range(per_round):
            once()
        times.append((time.perf_counter_ns() - start) / per_round)
    times.sort()
    print(json.dumps({"median_ns": times[ROUNDS // 2], "iterations": ROUNDS * per_round}))


if __name__ == "__main__":
    main()
