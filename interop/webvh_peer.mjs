// did:webvh peer for crates/saifu-server/tests/did_webvh_interop.rs, driving didwebvh-ts (DIF).
//   node webvh_peer.mjs resolve <did.jsonl file>   → {"did", "doc", "meta"} as didwebvh-ts resolves it
//   node webvh_peer.mjs create <domain> <name>     → a new log (JSON Lines) for
//                                                    did:webvh:<SCID>:<domain>:dids:<name>
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createDID, resolveDIDFromLog, prepareDataForSigning } from 'didwebvh-ts';
import * as ed from '@noble/ed25519';
import { encode as base58 } from 'base58-universal';

const multikey = (publicKey) => 'z' + base58(new Uint8Array([0xed, 0x01, ...publicKey]));
const verifier = { verify: (signature, message, publicKey) => ed.verify(signature, message, publicKey) };

class Ed25519Signer {
  constructor(secret, publicKey) {
    this.secret = secret;
    this.publicKey = publicKey;
  }
  async sign({ document, proof }) {
    const data = await prepareDataForSigning(document, proof);
    return { proofValue: 'z' + base58(await ed.sign(data, this.secret)) };
  }
  async verify(signature, message, publicKey) {
    return ed.verify(signature, message, publicKey);
  }
  getVerificationMethodId() {
    const key = multikey(this.publicKey);
    return `did:key:${key}#${key}`;
  }
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'resolve') {
  const log = readFileSync(args[0], 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
  const { did, doc, meta } = await resolveDIDFromLog(log, { verifier });
  console.log(JSON.stringify({ did, doc, meta }));
} else if (mode === 'create') {
  const secret = randomBytes(32);
  const publicKey = await ed.getPublicKey(secret);
  const key = multikey(publicKey);
  const { log } = await createDID({
    domain: args[0],
    paths: ['dids', args[1]],
    signer: new Ed25519Signer(secret, publicKey),
    verifier,
    updateKeys: [key],
    verificationMethods: [{ type: 'Multikey', publicKeyMultibase: key }],
  });
  console.log(log.map((entry) => JSON.stringify(entry)).join('\n'));
} else {
  console.error('usage: webvh_peer.mjs resolve <did.jsonl> | create <domain> <name>');
  process.exit(2);
}
