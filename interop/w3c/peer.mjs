// Peer for saifu's W3C VC / Data Integrity interop tests (crates/saifu-credential/tests/w3c_interop.rs):
// @digitalbazaar/vc with the eddsa-rdfc-2022 and ecdsa-rdfc-2019 cryptosuites and
// @digitalbazaar/vc-bitstring-status-list. Reads one JSON request on stdin, writes one JSON answer.
// Contexts come from saifu's bundled copies; nothing is fetched from the network.
import {readFileSync} from 'node:fs';
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsa} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {cryptosuite as ecdsa} from '@digitalbazaar/ecdsa-rdfc-2019-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import * as EcdsaMultikey from '@digitalbazaar/ecdsa-multikey';
import {checkStatus, createCredential, createList} from '@digitalbazaar/vc-bitstring-status-list';
import {loader} from './loader.mjs';

async function newKey(suite) {
  const key = suite === 'ecdsa-rdfc-2019' ?
    await EcdsaMultikey.generate({curve: 'P-256'}) : await Ed25519Multikey.generate();
  const did = `did:key:${key.publicKeyMultibase}`;
  key.controller = did;
  key.id = `${did}#${key.publicKeyMultibase}`;
  return {
    did,
    suite: new DataIntegrityProof({
      signer: key.signer(), cryptosuite: suite === 'ecdsa-rdfc-2019' ? ecdsa : eddsa
    }),
  };
}

const verifySuites = [
  new DataIntegrityProof({cryptosuite: eddsa}),
  new DataIntegrityProof({cryptosuite: ecdsa}),
];

async function issue(credential, suite, documents) {
  const key = await newKey(suite);
  return vc.issue({
    credential: {...credential, issuer: key.did}, suite: key.suite, documentLoader: loader(documents)
  });
}

async function verify({credential, now, documents}) {
  const documentLoader = loader(documents);
  const result = await vc.verifyCredential({
    credential, suite: verifySuites, documentLoader, now: new Date(now * 1000),
    checkStatus: async options => checkStatus({...options, suite: verifySuites, documentLoader}),
  });
  const status = result.statusResult?.results?.map(r => r.status) ?? null;
  const error = result.error?.errors?.map(e => e.message).join('; ') ??
    result.error?.message ?? null;
  return {verified: result.verified, status, error};
}

// A status list with `index` set and a credential pointing at it, both signed by one key.
async function issueWithStatus({credential, listUrl, index, purpose}) {
  const key = await newKey('eddsa-rdfc-2022');
  const list = await createList({length: 131072});
  list.setStatus(index, true);
  const listCredential = await createCredential({id: listUrl, list, statusPurpose: purpose});
  listCredential.issuer = key.did;
  listCredential.validFrom = '2025-01-01T00:00:00Z';
  const statusList = await vc.issue({
    credential: listCredential, suite: key.suite, documentLoader: loader()
  });
  const withStatus = {
    ...credential,
    issuer: key.did,
    credentialStatus: {
      id: `${listUrl}#${index}`,
      type: 'BitstringStatusListEntry',
      statusPurpose: purpose,
      statusListIndex: `${index}`,
      statusListCredential: listUrl,
    },
  };
  const signed = await vc.issue({credential: withStatus, suite: key.suite, documentLoader: loader()});
  return {credential: signed, statusList};
}

const request = JSON.parse(readFileSync(0, 'utf8'));
let answer;
switch(request.op) {
  case 'issue':
    answer = await issue(request.credential, request.suite, request.documents);
    break;
  case 'verify':
    answer = await verify(request);
    break;
  case 'issue-with-status':
    answer = await issueWithStatus(request);
    break;
  default:
    throw new Error(`unknown op ${request.op}`);
}
process.stdout.write(JSON.stringify(answer));
