// Independent checks of the W3C credentials saifu issues and presents through OpenID4VC
// (crates/saifu-server/tests/wallet_w3c.rs). One JSON request on stdin, one JSON answer out.
//  - `verify-ldp-presentation`: @digitalbazaar/vc verifies an `ldp_vc` presentation with the
//    verifier's challenge and domain, the credential inside it, and its Bitstring Status List
//    entries (the status list credentials are handed in as `documents`).
//  - `verify-jwt`: `jose` verifies a `jwt_vc_json` credential or VP-JWT with the given public
//    JWK, checking `iss` and, for a presentation, `aud` and `nonce`.
import {readFileSync} from 'node:fs';
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsa} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {cryptosuite as ecdsa} from '@digitalbazaar/ecdsa-rdfc-2019-cryptosuite';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import {importJWK, jwtVerify} from 'jose';
import {loader} from './loader.mjs';

const suite = [
  new DataIntegrityProof({cryptosuite: eddsa}),
  new DataIntegrityProof({cryptosuite: ecdsa}),
];

function message(error) {
  return error?.errors?.map(e => e.message).join('; ') ?? error?.message ?? null;
}

async function verifyLdpPresentation({presentation, challenge, domain, documents}) {
  const documentLoader = loader(documents);
  const result = await vc.verify({
    presentation, challenge, domain, suite, documentLoader,
    checkStatus: async options => checkStatus({...options, suite, documentLoader}),
  });
  const credentials = result.credentialResults ?? [];
  return {
    verified: result.verified,
    presentationVerified: result.presentationResult?.verified ?? false,
    credentialsVerified: credentials.map(c => c.verified),
    status: credentials.flatMap(c => c.statusResult?.results?.map(r => r.status) ?? []),
    error: message(result.error) ?? message(result.presentationResult?.error) ??
      (credentials.map(c => message(c.error)).filter(Boolean).join('; ') || null),
  };
}

async function verifyJwt({token, jwk, alg, issuer, audience, nonce}) {
  try {
    const key = await importJWK(jwk, alg);
    const {payload, protectedHeader} = await jwtVerify(token, key, {
      issuer, audience, algorithms: [alg],
    });
    if(nonce !== undefined && payload.nonce !== nonce) {
      return {verified: false, error: 'nonce mismatch'};
    }
    return {verified: true, payload, header: protectedHeader};
  } catch(error) {
    return {verified: false, error: `${error.code ?? 'ERROR'}: ${error.message}`};
  }
}

const request = JSON.parse(readFileSync(0, 'utf8'));
let answer;
switch(request.op) {
  case 'verify-ldp-presentation':
    answer = await verifyLdpPresentation(request);
    break;
  case 'verify-jwt':
    answer = await verifyJwt(request);
    break;
  default:
    throw new Error(`unknown op ${request.op}`);
}
process.stdout.write(JSON.stringify(answer));
