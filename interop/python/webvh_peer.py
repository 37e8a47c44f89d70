"""did:webvh peer for crates/saifu-server/tests/did_webvh_interop.rs, driving the DIF reference
implementation (PyPI `did-webvh`).

  python webvh_peer.py resolve <did> <did.jsonl file>  -> {"didDocument", "didDocumentMetadata"}
  python webvh_peer.py create <host:port> <name> <dir>  -> provisions did:webvh:<SCID>:<host%3Aport>:dids:<name>
                                                           into <dir>, prints the did.jsonl path
"""

import asyncio
import json
import sys
from pathlib import Path

from did_webvh.provision import auto_provision_did
from did_webvh.resolver import resolve_did


async def main(argv: list[str]) -> None:
    mode = argv[0]
    if mode == "resolve":
        result = await resolve_did(argv[1], local_history=Path(argv[2]))
        print(json.dumps(result.serialize()))
    elif mode == "create":
        domain, name, target = argv[1], argv[2], argv[3]
        doc_dir, _state, _key = await auto_provision_did(
            f"{domain}/dids/{name}", "ed25519", "password", target_dir=target
        )
        print(next(Path(doc_dir).glob("did.jsonl")))
    else:
        raise SystemExit("usage: webvh_peer.py resolve <did> <did.jsonl> | create <domain> <name> <dir>")


asyncio.run(main(sys.argv[1:]))
