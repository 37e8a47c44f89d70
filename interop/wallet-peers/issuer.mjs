// An independent OpenID4VCI 1.0 Credential Issuer (and its own OAuth 2.0 Authorization Server)
// on npm @openid4vc/openid4vci + @openid4vc/oauth2 0.4.6, issuing SD-JWT VCs with
// @sd-jwt/sd-jwt-vc 0.19.0: the peer saifu's Rust wallet RECEIVES credentials from.
//
// Contract (see README.md): starts on 127.0.0.1 with an OS-assigned port and prints ONE JSON line
// on stdout when ready:
//   {"credential_issuer", "offer_link", "offer_uri_link", "tx_code", "issuer_jwk"}
// Logs one JSON line on stderr per issued credential and per rejected request. Exits when stdin
// closes or on SIGTERM.
//
// Flow: pre-authorized code with a 6-digit numeric tx_code; Token Request -> access token (at+jwt
// signed by the authorization server key, verified again on the Credential Request through
// Oauth2ResourceServer); Nonce Request -> c_nonce; Credential Request with `proofs.jwt` (1..3
// proofs) -> one dc+sd-jwt per proof, bound to that proof's JWK through `cnf.jwk`.
import { createServer } from 'node:http';
import { generateKeyPairSync, sign as cryptoSign, randomInt } from 'node:crypto';
import { calculateJwkThumbprint } from 'jose';
import {
  Oauth2AuthorizationServer,
  Oauth2ResourceServer,
  Oauth2ResourceUnauthorizedError,
  Oauth2ServerErrorResponseError,
  decodeJwt,
  preAuthorizedCodeGrantIdentifier,
} from '@openid4vc/oauth2';
import { Openid4vciIssuer, Openid4vciVersion } from '@openid4vc/openid4vci';
import { setGlobalConfig } from '@openid4vc/utils';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { digest, generateSalt } from '@sd-jwt/crypto-nodejs';
import {
  HttpError,
  describeError,
  exitWithParent,
  generateRandom,
  hash,
  log,
  publicJwkOf,
  randomId,
  readParams,
  requestLike,
  sendJson,
  signCompact,
  verifyJwtCallback,
} from './common.mjs';

// Everything runs on http://127.0.0.1.
setGlobalConfig({ allowInsecureUrls: true });

const CONFIGURATION_ID = 'UniversityDegree';
const VCT = 'https://example.edu/credentials/degree';
const BATCH_SIZE = 3;
const PROOF_ALGS = ['ES256', 'EdDSA'];
const NONCE_TTL_SECONDS = 300;
const ACCESS_TOKEN_TTL_SECONDS = 300;
const PRE_AUTHORIZED_CODE_TTL_SECONDS = 600;

// The claims every credential carries; each top-level claim is one disclosure (`degree` is
// disclosable as a whole: one disclosure whose value is the {type, name} object).
const SUBJECT = {
  given_name: 'Hanako',
  family_name: 'Yamada',
  degree: { type: 'BachelorDegree', name: 'Bachelor of Science' },
  graduation_date: '2024-03-25',
};
const DISCLOSURE_FRAME = { _sd: ['given_name', 'family_name', 'degree', 'graduation_date'] };

// ---- keys ----------------------------------------------------------------------------------------

async function es256Key() {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const privateJwk = privateKey.export({ format: 'jwk' });
  const kid = await calculateJwkThumbprint(publicJwkOf(privateJwk));
  return { privateKey, privateJwk, publicJwk: { ...publicJwkOf(privateJwk), kid, alg: 'ES256', use: 'sig' }, kid };
}

const credentialKey = await es256Key(); // signs the SD-JWT VCs
const tokenKey = await es256Key(); // the authorization server's access-token key (jwks_uri)

// ---- server state --------------------------------------------------------------------------------

const server = createServer((req, res) => route(req, res));
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}`;

const offers = new Map(); // offer id -> {id, preAuthorizedCode, txCode, offerObject, expiresAt, redeemed}
const nonces = new Map(); // c_nonce -> expiresAt (ms)

// ---- metadata ------------------------------------------------------------------------------------

const callbacks = {
  hash,
  generateRandom,
  fetch,
  verifyJwt: verifyJwtCallback,
  // Access tokens: the authorization server key, found through jwks_uri by its kid.
  signJwt: async (signer, { header, payload }) => {
    if (signer.method !== 'custom' || signer.kid !== tokenKey.kid) throw new Error(`unexpected signer ${JSON.stringify(signer)}`);
    const jwt = await signCompact(tokenKey.privateJwk, 'ES256', { ...header, kid: tokenKey.kid }, payload);
    return { jwt, signerJwk: tokenKey.publicJwk };
  },
  clientAuthentication: () => {},
};

const issuer = new Openid4vciIssuer({ callbacks });
const authorizationServer = new Oauth2AuthorizationServer({ callbacks });
const resourceServer = new Oauth2ResourceServer({ callbacks });

const credentialIssuerMetadata = issuer.createCredentialIssuerMetadata({
  credential_issuer: base,
  credential_endpoint: `${base}/credential`,
  nonce_endpoint: `${base}/nonce`,
  batch_credential_issuance: { batch_size: BATCH_SIZE },
  display: [{ name: 'Example University (wallet-peers issuer)', locale: 'en' }],
  credential_configurations_supported: {
    [CONFIGURATION_ID]: {
      format: 'dc+sd-jwt',
      vct: VCT,
      scope: CONFIGURATION_ID,
      cryptographic_binding_methods_supported: ['jwk'],
      credential_signing_alg_values_supported: ['ES256'],
      proof_types_supported: { jwt: { proof_signing_alg_values_supported: PROOF_ALGS } },
      credential_metadata: {
        display: [{ name: 'University Degree', locale: 'en', background_color: '#12107c', text_color: '#ffffff' }],
        claims: [
          { path: ['given_name'], display: [{ name: 'Given name', locale: 'en' }] },
          { path: ['family_name'], display: [{ name: 'Family name', locale: 'en' }] },
          { path: ['degree'], display: [{ name: 'Degree', locale: 'en' }] },
          { path: ['degree', 'type'], display: [{ name: 'Degree type', locale: 'en' }] },
          { path: ['degree', 'name'], display: [{ name: 'Degree name', locale: 'en' }] },
          { path: ['graduation_date'], display: [{ name: 'Graduation date', locale: 'en' }] },
        ],
      },
    },
  },
});

const authorizationServerMetadata = authorizationServer.createAuthorizationServerMetadata({
  issuer: base,
  token_endpoint: `${base}/token`,
  jwks_uri: `${base}/jwks`,
  grant_types_supported: [preAuthorizedCodeGrantIdentifier],
  'pre-authorized_grant_anonymous_access_supported': true,
  dpop_signing_alg_values_supported: ['ES256', 'EdDSA'],
});

const issuerMetadata = {
  originalDraftVersion: Openid4vciVersion.V1,
  credentialIssuer: credentialIssuerMetadata,
  authorizationServers: [authorizationServerMetadata],
  knownCredentialConfigurations: issuer.getKnownCredentialConfigurationsSupported(credentialIssuerMetadata),
};

// ---- offers --------------------------------------------------------------------------------------

const txCode = String(randomInt(0, 1_000_000)).padStart(6, '0');

// A pre-authorized code offer with the tx_code; by value, or by reference at GET /offers/ID.
async function createOffer(byReference) {
  const id = randomId();
  const preAuthorizedCode = randomId(32);
  const { credentialOffer, credentialOfferObject } = await issuer.createCredentialOffer({
    issuerMetadata,
    credentialConfigurationIds: [CONFIGURATION_ID],
    grants: {
      [preAuthorizedCodeGrantIdentifier]: {
        'pre-authorized_code': preAuthorizedCode,
        tx_code: { input_mode: 'numeric', length: 6, description: 'Enter the 6-digit code shown by the university' },
      },
    },
    credentialOfferUri: byReference ? `${base}/offers/${id}` : undefined,
  });
  offers.set(id, {
    id,
    preAuthorizedCode,
    txCode,
    offerObject: credentialOfferObject,
    expiresAt: new Date(Date.now() + PRE_AUTHORIZED_CODE_TTL_SECONDS * 1000),
    redeemed: false,
  });
  return credentialOffer;
}

// ---- SD-JWT VC issuance --------------------------------------------------------------------------

const sdJwtVc = new SDJwtVcInstance({
  hasher: digest,
  hashAlg: 'sha-256',
  saltGenerator: generateSalt,
  signAlg: 'ES256',
  signer: (data) => cryptoSign('sha256', Buffer.from(data), { key: credentialKey.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url'),
});

function issueSdJwtVc(holderJwk) {
  return sdJwtVc.issue(
    { iss: base, iat: Math.floor(Date.now() / 1000), vct: VCT, cnf: { jwk: publicJwkOf(holderJwk) }, ...SUBJECT },
    DISCLOSURE_FRAME,
    { header: { typ: 'dc+sd-jwt', kid: credentialKey.kid } },
  );
}

// ---- endpoints -----------------------------------------------------------------------------------

const oauthError = (status, error, description) => new HttpError(status, { error, error_description: description });

async function tokenEndpoint(req, res) {
  const request = requestLike(req, base);
  const body = await readParams(req);
  const parsed = authorizationServer.parseAccessTokenRequest({ accessTokenRequest: body, request });
  if (parsed.grant.grantType !== preAuthorizedCodeGrantIdentifier) {
    throw oauthError(400, 'unsupported_grant_type', `only ${preAuthorizedCodeGrantIdentifier} is supported`);
  }
  const offer = [...offers.values()].find((o) => o.preAuthorizedCode === parsed.grant.preAuthorizedCode);
  if (!offer) throw oauthError(400, 'invalid_grant', "unknown 'pre-authorized_code'");
  if (offer.redeemed) throw oauthError(400, 'invalid_grant', "the 'pre-authorized_code' was already used");
  const { dpop } = await authorizationServer.verifyPreAuthorizedCodeAccessTokenRequest({
    grant: parsed.grant,
    accessTokenRequest: parsed.accessTokenRequest,
    request,
    dpop: parsed.dpop ? { ...parsed.dpop, allowedSigningAlgs: authorizationServerMetadata.dpop_signing_alg_values_supported } : undefined,
    authorizationServerMetadata,
    expectedPreAuthorizedCode: offer.preAuthorizedCode,
    expectedTxCode: offer.txCode,
    preAuthorizedCodeExpiresAt: offer.expiresAt,
  });
  offer.redeemed = true;
  const response = await authorizationServer.createAccessTokenResponse({
    audience: base,
    authorizationServer: base,
    expiresInSeconds: ACCESS_TOKEN_TTL_SECONDS,
    subject: offer.id,
    signer: { method: 'custom', alg: 'ES256', kid: tokenKey.kid },
    dpop: dpop ? { jwk: dpop.jwk } : undefined,
    additionalAccessTokenPayload: { credential_configuration_ids: offer.offerObject.credential_configuration_ids },
  });
  log('token', { offer: offer.id, token_type: response.token_type });
  sendJson(res, 200, response);
}

function nonceEndpoint(_req, res) {
  const cNonce = randomId(24);
  nonces.set(cNonce, Date.now() + NONCE_TTL_SECONDS * 1000);
  sendJson(res, 200, issuer.createNonceResponse({ cNonce, cNonceExpiresIn: NONCE_TTL_SECONDS }));
}

// One proof JWT: the library checks typ openid4vci-proof+jwt, the signature with the header's
// JWK, aud = credential_issuer, the nonce we gave out and its expiry.
async function verifyProof(jwt) {
  let decoded;
  try {
    decoded = decodeJwt({ jwt });
  } catch (e) {
    throw oauthError(400, 'invalid_proof', `proof is not a JWT: ${e.message}`);
  }
  const { header, payload } = decoded;
  if (!PROOF_ALGS.includes(header.alg)) throw oauthError(400, 'invalid_proof', `proof alg '${header.alg}' is not one of ${PROOF_ALGS.join(', ')}`);
  if (!header.jwk) throw oauthError(400, 'invalid_proof', "proof header has no 'jwk' (the only supported binding method)");
  const expiresAt = payload.nonce ? nonces.get(payload.nonce) : undefined;
  if (!payload.nonce) throw oauthError(400, 'invalid_nonce', 'proof has no nonce; get one from the nonce endpoint');
  if (!expiresAt) throw oauthError(400, 'invalid_nonce', `proof nonce '${payload.nonce}' was not issued by this issuer or was already used`);
  const { signer } = await issuer.verifyCredentialRequestJwtProof({
    issuerMetadata,
    jwt,
    expectedNonce: payload.nonce,
    nonceExpiresAt: new Date(expiresAt),
  });
  if (signer.method !== 'jwk') throw oauthError(400, 'invalid_proof', `proof signer method '${signer.method}' is not jwk`);
  return { nonce: payload.nonce, holderJwk: signer.publicJwk, alg: header.alg };
}

async function credentialEndpoint(req, res) {
  const request = requestLike(req, base);
  const { tokenPayload } = await resourceServer.verifyResourceRequest({
    request,
    resourceServer: base,
    authorizationServers: [authorizationServerMetadata],
  });
  const offer = offers.get(tokenPayload.sub);
  if (!offer) throw oauthError(401, 'invalid_token', 'the access token is not for an offer of this issuer');

  const body = await readParams(req);
  if (body.proof !== undefined) throw oauthError(400, 'invalid_credential_request', "'proof' was removed in OpenID4VCI 1.0; send 'proofs'");
  const parsed = issuer.parseCredentialRequest({ issuerMetadata, credentialRequest: body });
  if (parsed.credentialConfigurationId !== CONFIGURATION_ID) {
    throw oauthError(400, 'unknown_credential_configuration', `expected credential_configuration_id '${CONFIGURATION_ID}', got ${JSON.stringify(body.credential_configuration_id ?? body.credential_identifier ?? null)}`);
  }
  if (!offer.offerObject.credential_configuration_ids.includes(parsed.credentialConfigurationId)) {
    throw oauthError(400, 'invalid_credential_request', 'the access token does not cover this credential configuration');
  }
  const jwts = parsed.proofs?.jwt;
  if (!Array.isArray(jwts) || jwts.length === 0) throw oauthError(400, 'invalid_proof', "missing 'proofs.jwt' (a non-empty array of key proof JWTs)");
  if (Object.keys(parsed.proofs).length !== 1) throw oauthError(400, 'invalid_proof', "only the 'jwt' proof type is supported");
  if (jwts.length > BATCH_SIZE) throw oauthError(400, 'invalid_proof', `${jwts.length} proofs exceed the batch size ${BATCH_SIZE}`);

  const proofs = [];
  for (const jwt of jwts) proofs.push(await verifyProof(jwt));
  for (const { nonce } of proofs) nonces.delete(nonce);

  const credentials = [];
  for (const [index, proof] of proofs.entries()) {
    const credential = await issueSdJwtVc(proof.holderJwk);
    credentials.push({ credential });
    log('issued', { offer: offer.id, index, proof_alg: proof.alg, holder_jwk: publicJwkOf(proof.holderJwk), vct: VCT });
  }
  sendJson(res, 200, issuer.createCredentialResponse({ credentialRequest: parsed, credentials }));
}

async function offerByReference(res, id) {
  const offer = offers.get(id);
  if (!offer) throw oauthError(404, 'not_found', `no credential offer '${id}'`);
  sendJson(res, 200, offer.offerObject);
}

async function route(req, res) {
  const { pathname } = new URL(req.url, base);
  const endpoint = `${req.method} ${pathname}`;
  try {
    if (req.method === 'GET' && pathname === '/.well-known/openid-credential-issuer') return sendJson(res, 200, credentialIssuerMetadata);
    if (req.method === 'GET' && pathname === '/.well-known/oauth-authorization-server') return sendJson(res, 200, authorizationServerMetadata);
    if (req.method === 'GET' && pathname === '/.well-known/jwt-vc-issuer') return sendJson(res, 200, { issuer: base, jwks: { keys: [credentialKey.publicJwk] } });
    if (req.method === 'GET' && pathname === '/jwks') return sendJson(res, 200, { keys: [tokenKey.publicJwk] });
    if (req.method === 'GET' && pathname.startsWith('/offers/')) return await offerByReference(res, decodeURIComponent(pathname.slice('/offers/'.length)));
    if (req.method === 'GET' && pathname === '/new-offer') {
      return sendJson(res, 200, { offer_link: await createOffer(false), offer_uri_link: await createOffer(true), tx_code: txCode });
    }
    if (req.method === 'POST' && pathname === '/token') return await tokenEndpoint(req, res);
    if (req.method === 'POST' && pathname === '/nonce') return nonceEndpoint(req, res);
    if (req.method === 'POST' && pathname === '/credential') return await credentialEndpoint(req, res);
    throw oauthError(404, 'not_found', `no endpoint ${endpoint}`);
  } catch (error) {
    let status;
    let body;
    let headers = {};
    if (error instanceof HttpError) {
      ({ status, body, headers } = error);
    } else if (error instanceof Oauth2ResourceUnauthorizedError) {
      const [challenge] = error.wwwAuthenticateHeaders;
      status = 401;
      body = { error: challenge?.error ?? 'invalid_token', error_description: challenge?.error_description ?? error.message.split('\n')[0] };
      headers = { 'www-authenticate': error.toHeaderValue() };
    } else if (error instanceof Oauth2ServerErrorResponseError) {
      status = error.status ?? 400;
      body = error.errorResponse;
    } else {
      status = 500;
      body = { error: 'server_error', error_description: describeError(error) };
    }
    log('rejected', { endpoint, status, ...body, detail: error?.cause?.message });
    sendJson(res, status, body, headers);
  }
}

// ---- ready ---------------------------------------------------------------------------------------

const offerLink = await createOffer(false);
const offerUriLink = await createOffer(true);
exitWithParent(server);
process.stdout.write(`${JSON.stringify({
  credential_issuer: base,
  offer_link: offerLink,
  offer_uri_link: offerUriLink,
  tx_code: txCode,
  issuer_jwk: credentialKey.publicJwk,
})}\n`);
