"""SD-JWT peer for saifu's interop tests, on sd-jwt-python 0.10.4 (pinned in requirements.txt).

Reads one JSON request on stdin, writes one JSON answer on stdout:

* {"op": "issue_present", "alg", "issuer_jwk", "holder_jwk", "claims", "disclosable": [path],
   "disclose": [path], "aud", "nonce", "typ"} -> {"presentation"}
  Issues an SD-JWT (claims at `disclosable` paths selectively disclosable, holder key in cnf),
  then presents the `disclose` paths with a KB-JWT over aud/nonce.
* {"op": "verify", "presentation", "issuer_jwk", "aud", "nonce"} -> {"claims"} or {"error"}

A path is a JSON array of names and array indices, e.g. ["address", "street"].
sd-jwt-python signs KB-JWTs and checks them with ES256 only, so holder keys are P-256.
"""

import json
import sys

from jwcrypto.jwk import JWK
from sd_jwt.common import SDObj
from sd_jwt.holder import SDJWTHolder
from sd_jwt.issuer import SDJWTIssuer
from sd_jwt.verifier import SDJWTVerifier


def mark(value, paths, prefix=()):
    """Wraps the keys / elements named by `paths` in SDObj, as sd-jwt-python expects."""
    if isinstance(value, dict):
        out = {}
        for key, child in value.items():
            here = prefix + (key,)
            marked = mark(child, paths, here)
            out[SDObj(key) if list(here) in paths else key] = marked
        return out
    if isinstance(value, list):
        out = []
        for index, child in enumerate(value):
            here = prefix + (index,)
            marked = mark(child, paths, here)
            out.append(SDObj(marked) if list(here) in paths else marked)
        return out
    return value


def selection(paths):
    """Turns paths into sd-jwt-python's `claims_to_disclose` tree (parents become containers)."""
    tree = {}
    for path in paths:
        node = tree
        for depth, step in enumerate(path):
            if depth == len(path) - 1:
                node.setdefault(step, True)
            else:
                if not isinstance(node.get(step), dict):
                    node[step] = {}
                node = node[step]
    return to_lists(tree)


def to_lists(node):
    """Integer-keyed levels become lists (None = not disclosed), as the holder walks arrays."""
    if not isinstance(node, dict):
        return node
    if node and all(isinstance(k, int) for k in node):
        out = [None] * (max(node) + 1)
        for k, v in node.items():
            out[k] = to_lists(v)
        return out
    return {k: to_lists(v) for k, v in node.items()}


def issue_present(req):
    issuer_key = JWK(**req["issuer_jwk"])
    holder_key = JWK(**req["holder_jwk"])
    issuer = SDJWTIssuer(
        mark(req["claims"], req["disclosable"]),
        issuer_key,
        holder_key=JWK(**holder_key.export_public(as_dict=True)),
        sign_alg=req["alg"],
        extra_header_parameters={"typ": req["typ"]},
    )
    holder = SDJWTHolder(issuer.sd_jwt_issuance)
    holder.create_presentation(
        selection(req["disclose"]), req["nonce"], req["aud"], holder_key, "ES256"
    )
    return {"presentation": holder.sd_jwt_presentation}


def verified_payload(presentation, issuer_key, aud, nonce):
    """Verifies a presentation with key binding to aud/nonce; returns the disclosed claims."""
    verifier = SDJWTVerifier(presentation, lambda _iss, _header: issuer_key, aud, nonce)
    return verifier.get_verified_payload()


def verify(req):
    issuer_key = JWK(**req["issuer_jwk"])
    claims = verified_payload(req["presentation"], issuer_key, req["aud"], req["nonce"])
    return {"claims": claims}


def main():
    req = json.load(sys.stdin)
    try:
        answer = {"issue_present": issue_present, "verify": verify}[req["op"]](req)
    except Exception as e:  # report every failure as data, the Rust test asserts on it
        answer = {"error": f"{type(e).__name__}: {e}"}
    json.dump(answer, sys.stdout)


if __name__ == "__main__":
    main()
