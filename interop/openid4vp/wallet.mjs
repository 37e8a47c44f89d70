// An independent OpenID4VP 1.0 wallet on npm `@openid4vc/openid4vp` 0.4.6, `dcql` 3.0.0 and
// `@sd-jwt/sd-jwt-vc` 0.19.0: the peer saifu's verifier is tested against in
// crates/saifu-server/tests/verifier_peer.rs.
//
// stdin:  {"link": "openid4vp://?…", "credential": <issued SD-JWT VC>, "holder_jwk": <private JWK>,
//          "ca_der": <base64 DER of the CA trusted for x509_san_dns:, optional>}
// stdout: {"client_id", "response_mode", "sent_by": "value"|"reference", "status", "body"}
//      or {"error": "..."} (exit code 0 either way; the Rust test asserts on it).
//
// The wallet resolves the request (by value, or by reference with a signed request object whose
// x5c chain must lead to the given CA, or whose DID URL kid resolves through did:jwk), matches the
// DCQL query against the credential, presents it with a KB-JWT for the request's client_id and
// nonce, and answers with direct_post or direct_post.jwt (JWE to the key in client_metadata).
import { X509Certificate, createHash, createPublicKey, randomBytes, verify } from 'node:crypto';
import { CompactEncrypt, importJWK } from 'jose';
import {
  createOpenid4vpAuthorizationResponse,
  parseOpenid4vpAuthorizationRequest,
  resolveOpenid4vpAuthorizationRequest,
  submitOpenid4vpAuthorizationResponse,
} from '@openid4vc/openid4vp';
import { setGlobalConfig } from '@openid4vc/utils';
import { DcqlQuery } from 'dcql';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { digest, generateSalt } from '@sd-jwt/crypto-nodejs';
import { algOf, signer } from '../sd-jwt/common.mjs';

// The verifier under test listens on http://127.0.0.1.
setGlobalConfig({ allowInsecureUrls: true });

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const input = JSON.parse(Buffer.concat(chunks).toString('utf8'));

const hash = (data, alg) => createHash(alg.replace('-', '').toLowerCase()).update(data).digest();

// JWS verification with the key the request object's header leads to.
function jwsVerifies(compact, publicKey) {
  const [h, p, s] = compact.split('.');
  const { alg } = JSON.parse(Buffer.from(h, 'base64url'));
  const algorithm = alg === 'EdDSA' ? null : 'sha256';
  return verify(algorithm, Buffer.from(`${h}.${p}`), { key: publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(s, 'base64url'));
}

// x5c: the leaf must be issued and signed by the trusted CA, and be valid now.
function x5cKey(x5c) {
  if (!input.ca_der) throw new Error('no trusted CA given for an x5c-signed request');
  const ca = new X509Certificate(Buffer.from(input.ca_der, 'base64'));
  const chain = x5c.map((der) => new X509Certificate(Buffer.from(der, 'base64')));
  const leaf = chain[0];
  const now = new Date();
  if (!(leaf.checkIssued(ca) && leaf.verify(ca.publicKey))) throw new Error('x5c leaf is not issued by the trusted CA');
  if (now < new Date(leaf.validFrom) || now > new Date(leaf.validTo)) throw new Error('x5c leaf is not valid now');
  return leaf.publicKey;
}

// did:jwk only: the DID's method-specific id is the base64url JWK, verification method #0.
function didKey(didUrl) {
  const [did, fragment] = didUrl.split('#');
  if (!did.startsWith('did:jwk:') || fragment !== '0') throw new Error(`cannot resolve ${didUrl}`);
  const jwk = JSON.parse(Buffer.from(did.slice('did:jwk:'.length), 'base64url'));
  return { jwk, key: createPublicKey({ key: jwk, format: 'jwk' }) };
}

const callbacks = {
  hash,
  fetch,
  getX509CertificateMetadata(certificate) {
    const cert = new X509Certificate(Buffer.from(certificate, 'base64'));
    const names = (cert.subjectAltName ?? '').split(', ');
    return {
      sanDnsNames: names.filter((n) => n.startsWith('DNS:')).map((n) => n.slice(4)),
      sanUriNames: names.filter((n) => n.startsWith('URI:')).map((n) => n.slice(4)),
    };
  },
  async verifyJwt(jwtSigner, { compact }) {
    let key;
    if (jwtSigner.method === 'x5c') key = x5cKey(jwtSigner.x5c);
    else if (jwtSigner.method === 'did') key = didKey(jwtSigner.didUrl).key;
    else throw new Error(`unsupported request object signer ${jwtSigner.method}`);
    const verified = jwsVerifies(compact, key);
    return { verified, signerJwk: key.export({ format: 'jwk' }) };
  },
  async encryptJwe(encryptor, data) {
    const key = await importJWK(encryptor.publicJwk, encryptor.alg);
    const header = { alg: encryptor.alg, enc: encryptor.enc, kid: encryptor.publicJwk.kid };
    const jwe = await new CompactEncrypt(new TextEncoder().encode(data))
      .setProtectedHeader(header)
      .setKeyManagementParameters({
        apu: encryptor.apu ? Buffer.from(encryptor.apu, 'base64url') : undefined,
        apv: encryptor.apv ? Buffer.from(encryptor.apv, 'base64url') : undefined,
      })
      .encrypt(key);
    return { encryptionJwk: encryptor.publicJwk, jwe };
  },
};

async function run() {
  const parsed = parseOpenid4vpAuthorizationRequest({ authorizationRequest: input.link });
  const resolved = await resolveOpenid4vpAuthorizationRequest({
    authorizationRequestPayload: parsed.params,
    callbacks,
  });
  const request = resolved.authorizationRequestPayload;
  if (resolved.version !== 100) throw new Error(`request resolved as version ${resolved.version}, not 1.0`);

  // DCQL: the credential as dcql sees it, then the credential query it satisfies.
  const holderJwk = input.holder_jwk;
  const sd = new SDJwtVcInstance({
    hasher: digest,
    saltGenerator: generateSalt,
    kbSigner: signer(holderJwk),
    kbSignAlg: algOf(holderJwk),
  });
  const claims = await sd.getClaims(input.credential);
  const query = DcqlQuery.parse(resolved.dcql.query);
  DcqlQuery.validate(query);
  const credential = { credential_format: 'dc+sd-jwt', vct: claims.vct, claims, cryptographic_holder_binding: true };
  const result = DcqlQuery.query(query, [credential]);
  if (!result.can_be_satisfied) throw new Error('the credential does not satisfy the DCQL query');
  const [queryId] = Object.entries(result.credential_matches).find(([, match]) => match.success);
  const credentialQuery = query.credentials.find((c) => c.id === queryId);

  // Disclose exactly the claims asked for (top-level and nested object paths).
  const frame = {};
  for (const { path } of credentialQuery.claims ?? []) {
    let node = frame;
    path.forEach((step, i) => {
      if (i === path.length - 1) node[step] = true;
      else node = node[step] = typeof node[step] === 'object' ? node[step] : {};
    });
  }
  const presentation = await sd.present(input.credential, frame, {
    kb: { payload: { aud: request.client_id, nonce: request.nonce, iat: Math.floor(Date.now() / 1000) } },
  });

  const encrypted = request.response_mode === 'direct_post.jwt';
  const response = await createOpenid4vpAuthorizationResponse({
    authorizationRequestPayload: request,
    authorizationResponsePayload: { vp_token: { [queryId]: [presentation] } },
    jarm: encrypted
      ? {
          encryption: { nonce: randomBytes(16).toString('base64url') },
          serverMetadata: {
            authorization_signing_alg_values_supported: ['ES256'],
            authorization_encryption_alg_values_supported: ['ECDH-ES'],
            authorization_encryption_enc_values_supported: ['A128GCM', 'A256GCM'],
          },
        }
      : undefined,
    callbacks,
  });
  const submitted = await submitOpenid4vpAuthorizationResponse({
    authorizationRequestPayload: request,
    authorizationResponsePayload: response.authorizationResponsePayload,
    jarm: response.jarm ? { responseJwt: response.jarm.responseJwt } : undefined,
    callbacks,
  });
  return {
    client_id: request.client_id,
    response_mode: request.response_mode,
    sent_by: resolved.jar?.sendBy ?? 'value',
    status: submitted.response.status,
    body: await submitted.response.json(),
  };
}

let answer;
try {
  answer = await run();
} catch (error) {
  answer = { error: `${error?.message ?? error} ${JSON.stringify(error?.errorResponse ?? '')}` };
}
process.stdout.write(JSON.stringify(answer));
