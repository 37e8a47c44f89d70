// Peer for saifu's VC-API interop test (crates/saifu-server/tests/vc_api_peer.rs): @digitalbazaar/vc
// verifies a credential a saifu node issued through its VC-API, resolving did:key itself and
// fetching the status list credentials over https from the node (trusting the node's
// self-signed CA through NODE_EXTRA_CA_CERTS). Reads one JSON request on stdin
// ({credential, origin}), writes one JSON answer ({verified, status, error}).
import {readFileSync} from 'node:fs';
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsa} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {cryptosuite as ecdsa} from '@digitalbazaar/ecdsa-rdfc-2019-cryptosuite';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import {loader} from './loader.mjs';

const suites = [
  new DataIntegrityProof({cryptosuite: eddsa}),
  new DataIntegrityProof({cryptosuite: ecdsa}),
];

// Bundled contexts and did:key as in the other peers; documents under the node's origin (its
// status lists) are fetched over the network, everything else is refused.
function fetchingLoader(origin) {
  const local = loader();
  return async url => {
    if(!url.startsWith(`${origin}/`)) {
      return local(url);
    }
    const response = await fetch(url, {headers: {accept: 'application/vc, application/json'}});
    if(!response.ok) {
      throw new Error(`${url}: HTTP ${response.status}`);
    }
    return {contextUrl: null, documentUrl: url, document: await response.json()};
  };
}

const {credential, origin} = JSON.parse(readFileSync(0, 'utf8'));
const documentLoader = fetchingLoader(origin);
const result = await vc.verifyCredential({
  credential, suite: suites, documentLoader,
  checkStatus: async options => checkStatus({...options, suite: suites, documentLoader}),
});
const status = result.statusResult?.results?.map(r => r.status) ?? null;
const error = result.error?.errors?.map(e => e.message).join('; ') ??
  result.error?.message ?? result.statusResult?.error?.message ?? null;
process.stdout.write(JSON.stringify({verified: result.verified, status, error}));
