#!/usr/bin/env python3
"""What the QR code costs in the admin API: median latency of POST /admin/presentations and
POST /admin/offers with and without it ("qr": false), sequential requests over one keep-alive
connection to a running node (the built-in `pid` type).

    python3 scripts/qr_cost.py http://127.0.0.1:8080 "$(cat ~/.local/share/saifu/admin-token)" 300
"""
import http.client, json, statistics, sys, time
base, token, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
host, port = base.split("//")[1].split(":")
conn = http.client.HTTPConnection(host, int(port))
def post(path, body):
    t = time.perf_counter()
    conn.request("POST", path, json.dumps(body), {"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    r = conn.getresponse(); data = r.read()
    assert r.status == 201, (r.status, data[:200])
    return (time.perf_counter() - t) * 1000, json.loads(data)
session = {"response_mode": "direct_post", "dcql_query": {"credentials": [{"id": "q", "format": "dc+sd-jwt", "meta": {"vct_values": ["urn:eudi:pid:1"]}, "claims": [{"path": ["age_over_18"]}]}]}}
offer = {"credential_configuration_id": "pid", "claims": {"given_name": "Hanako", "family_name": "Sato", "birthdate": "2000-01-01", "address": "Tokyo", "age_over_18": True, "nationality": "JP"}}
for name, path, body in [("session", "/admin/presentations", session), ("offer", "/admin/offers", offer)]:
    for qr in (True, False):
        times = [post(path, dict(body, qr=qr))[0] for _ in range(n)]
        _, sample = post(path, dict(body, qr=qr))
        print(f"{name:8} qr={str(qr):5} median {statistics.median(times):7.2f} ms  p90 {sorted(times)[int(n*0.9)]:7.2f} ms  link {len(sample['link'])} chars  qr_svg {'yes' if 'qr_svg' in sample else 'no'}")
