// An independent OpenID4VP 1.0 Verifier on npm @openid4vc/openid4vp 0.4.6, dcql 3.0.0 and
// @sd-jwt/sd-jwt-vc 0.19.0: the peer saifu's Rust wallet PRESENTS credentials to.
//
// Usage:
//   node verifier.mjs [--issuer-jwk '<public JWK or JWKS json>'] [--issuer-metadata URL]
//                     [--client-id-prefix redirect_uri|decentralized_identifier] [--no-status-check]
// At least one of --issuer-jwk / --issuer-metadata (a JWT VC Issuer Metadata URL, e.g.
// http://127.0.0.1:PORT/.well-known/jwt-vc-issuer, with `jwks` or `jwks_uri`) is required.
//
// Contract (see README.md): starts on 127.0.0.1 with an OS-assigned port and prints ONE JSON line
// on stdout when ready: {"base", "client_id_prefix", "client_id"?}. Logs a JSON line on stderr per
// request created, per verified / rejected response and per refused call. Exits when stdin closes
// or on SIGTERM.
//
//   GET  /new?claims=given_name,degree[&vct=URI]  -> {"id", "link", "result_url", "client_id", "nonce", "state"}
//   GET  /request/ID                              -> signed request object (decentralized_identifier)
//   POST /response/ID  (vp_token, state)          -> 200 {} | 400 {"error": "invalid_request", ...}
//   GET  /result/ID                               -> the recorded result or {"status": "pending"}
import { createServer } from 'node:http';
import { generateKeyPairSync } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Openid4vpVerifier } from '@openid4vc/openid4vp';
import { setGlobalConfig } from '@openid4vc/utils';
import { DcqlPresentationResult, DcqlQuery } from 'dcql';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { digest } from '@sd-jwt/crypto-nodejs';
import {
  HttpError,
  describeError,
  exitWithParent,
  hash,
  log,
  publicJwkOf,
  randomId,
  readParams,
  sdJwtVerifier,
  sendJson,
  sendText,
  signCompact,
} from './common.mjs';

// Everything runs on http://127.0.0.1.
setGlobalConfig({ allowInsecureUrls: true });

const QUERY_ID = 'diploma';
// 'Ed25519' is the fully-specified name of RFC 9864, which saifu's issuer signs with.
const SD_JWT_ALGS = ['ES256', 'ES384', 'EdDSA', 'Ed25519'];
const KB_JWT_ALGS = ['ES256', 'EdDSA'];
const KB_MAX_AGE_SECONDS = 300;
const SKEW_SECONDS = 60;
const REQUEST_TTL_SECONDS = 600;

// ---- arguments -----------------------------------------------------------------------------------

function usage(message) {
  process.stderr.write(`verifier.mjs: ${message}\nusage: node verifier.mjs (--issuer-jwk '<JWK|JWKS json>' | --issuer-metadata URL) [--client-id-prefix redirect_uri|decentralized_identifier] [--no-status-check]\n`);
  process.exit(2);
}

let args;
try {
  ({ values: args } = parseArgs({
    options: {
      'issuer-jwk': { type: 'string' },
      'issuer-metadata': { type: 'string' },
      'client-id-prefix': { type: 'string', default: 'redirect_uri' },
      'no-status-check': { type: 'boolean', default: false },
    },
  }));
} catch (e) {
  usage(e.message);
}
const clientIdPrefix = args['client-id-prefix'];
if (!['redirect_uri', 'decentralized_identifier'].includes(clientIdPrefix)) usage(`unsupported --client-id-prefix '${clientIdPrefix}'`);

// The issuer keys: a JWK or a JWKS given inline, and/or those of JWT VC Issuer Metadata.
function keysOf(value, origin) {
  const keys = Array.isArray(value?.keys) ? value.keys : [value];
  for (const key of keys) {
    if (!key || typeof key !== 'object' || !key.kty) usage(`${origin} is not a JWK or a JWK Set: ${JSON.stringify(value)}`);
  }
  return keys.map(publicJwkOf);
}

async function fetchJson(url) {
  const response = await fetch(url, { headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status} ${await response.text()}`);
  return response.json();
}

const issuerKeys = [];
if (args['issuer-jwk']) {
  let parsed;
  try {
    parsed = JSON.parse(args['issuer-jwk']);
  } catch (e) {
    usage(`--issuer-jwk is not JSON: ${e.message}`);
  }
  issuerKeys.push(...keysOf(parsed, '--issuer-jwk'));
}
if (args['issuer-metadata']) {
  try {
    const metadata = await fetchJson(args['issuer-metadata']);
    const jwks = metadata.jwks ?? (metadata.jwks_uri ? await fetchJson(metadata.jwks_uri) : undefined);
    if (!jwks) throw new Error('the metadata has neither jwks nor jwks_uri');
    issuerKeys.push(...keysOf(jwks, `jwks of ${args['issuer-metadata']}`));
  } catch (e) {
    usage(`cannot load --issuer-metadata: ${e.message}`);
  }
}
if (issuerKeys.length === 0) usage('no issuer key: pass --issuer-jwk or --issuer-metadata');

// ---- verifier identity ---------------------------------------------------------------------------

// did:jwk over a fresh P-256 key; its only verification method is `#0`.
const { privateKey: didPrivateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const didPrivateJwk = didPrivateKey.export({ format: 'jwk' });
const didJwk = { ...publicJwkOf(didPrivateJwk), alg: 'ES256', use: 'sig' };
const did = `did:jwk:${Buffer.from(JSON.stringify(didJwk)).toString('base64url')}`;
const didKid = `${did}#0`;

const verifier = new Openid4vpVerifier({
  callbacks: {
    hash,
    signJwt: async (signer, { header, payload }) => {
      if (signer.method !== 'did' || signer.didUrl !== didKid) throw new Error(`unexpected signer ${JSON.stringify(signer)}`);
      const jwt = await signCompact(didPrivateJwk, 'ES256', header, payload);
      return { jwt, signerJwk: didJwk };
    },
    encryptJwe: () => {
      throw new Error('encrypted request objects are not used');
    },
    decryptJwe: () => {
      throw new Error('direct_post.jwt is not used');
    },
  },
});

// ---- server state --------------------------------------------------------------------------------

const server = createServer((req, res) => route(req, res));
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}`;
const sessions = new Map(); // id -> {id, request, dcqlQuery, requestJwt?, claims, result?, expiresAt}

// ---- authorization requests ----------------------------------------------------------------------

function claimPaths(list) {
  const names = (list ?? '').split(',').map((n) => n.trim()).filter(Boolean);
  if (names.length === 0) throw new HttpError(400, { error: 'invalid_request', error_description: "query parameter 'claims' must list at least one claim name (e.g. claims=given_name,degree; nested: degree.name)" });
  return names.map((name) => ({ name, path: name.split('.') }));
}

async function newRequest(url, res) {
  const claims = claimPaths(url.searchParams.get('claims'));
  const vct = url.searchParams.get('vct') || undefined;
  const id = randomId();
  const responseUri = `${base}/response/${id}`;
  const clientId = clientIdPrefix === 'redirect_uri' ? `redirect_uri:${responseUri}` : `decentralized_identifier:${did}`;

  const dcqlQuery = DcqlQuery.parse({
    credentials: [{
      id: QUERY_ID,
      format: 'dc+sd-jwt',
      meta: vct ? { vct_values: [vct] } : {},
      claims: claims.map(({ path }) => ({ path })),
    }],
  });
  DcqlQuery.validate(dcqlQuery);

  const authorizationRequestPayload = {
    response_type: 'vp_token',
    response_mode: 'direct_post',
    client_id: clientId,
    response_uri: responseUri,
    nonce: randomId(24),
    state: randomId(),
    dcql_query: dcqlQuery,
    client_metadata: {
      client_name: 'wallet-peers verifier',
      vp_formats_supported: { 'dc+sd-jwt': { 'sd-jwt_alg_values': SD_JWT_ALGS, 'kb-jwt_alg_values': KB_JWT_ALGS } },
    },
  };
  const created = await verifier.createOpenId4vpAuthorizationRequest({
    authorizationRequestPayload,
    jar: clientIdPrefix === 'decentralized_identifier'
      ? {
          requestUri: `${base}/request/${id}`,
          jwtSigner: { method: 'did', alg: 'ES256', didUrl: didKid },
          expiresInSeconds: REQUEST_TTL_SECONDS,
          additionalJwtPayload: { aud: 'https://self-issued.me/v2' },
        }
      : undefined,
  });
  const session = {
    id,
    request: created.authorizationRequestPayload,
    dcqlQuery,
    claims,
    requestJwt: created.jar?.authorizationRequestJwt,
    expiresAt: Date.now() + REQUEST_TTL_SECONDS * 1000,
  };
  sessions.set(id, session);
  log('request', { id, client_id: clientId, claims: claims.map((c) => c.name), vct: vct ?? null, by: session.requestJwt ? 'reference' : 'value' });
  sendJson(res, 200, {
    id,
    link: created.authorizationRequest,
    result_url: `${base}/result/${id}`,
    client_id: clientId,
    nonce: session.request.nonce,
    state: session.request.state,
  });
}

function requestObject(id, res) {
  const session = sessions.get(id);
  if (!session?.requestJwt) throw new HttpError(404, { error: 'invalid_request_uri', error_description: `no request object '${id}'` });
  sendText(res, 200, 'application/oauth-authz-req+jwt', session.requestJwt);
}

// ---- presentation verification -------------------------------------------------------------------

const fail = (message) => {
  throw new Error(message);
};

// The issuer signature check for an SD-JWT: the key named by the header's kid when there is one
// among several, otherwise any of the trusted keys.
function issuerVerifierFor(header) {
  const byKid = header.kid && issuerKeys.length > 1 ? issuerKeys.filter((k) => k.kid === header.kid) : [];
  const candidates = (byKid.length ? byKid : issuerKeys).map(sdJwtVerifier);
  return (data, signature) => candidates.some((verify) => {
    try {
      return verify(data, signature);
    } catch {
      return false;
    }
  });
}

function valueAt(object, path) {
  return path.reduce((node, step) => (node !== null && typeof node === 'object' ? node[step] : undefined), object);
}

// One SD-JWT VC presentation: issuer signature (+ status list when present), KB-JWT with our nonce
// and client_id, fresh, and every asked claim disclosed.
async function verifyPresentation(session, presentation) {
  if (typeof presentation !== 'string') fail(`presentation is not a compact SD-JWT string but ${typeof presentation}`);
  if (presentation.endsWith('~')) fail('presentation has no key-binding JWT (ends with ~)');
  const [jwt] = presentation.split('~');
  const header = JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url'));
  if (header.typ !== 'dc+sd-jwt') fail(`SD-JWT typ is '${header.typ}', expected 'dc+sd-jwt'`);
  if (!SD_JWT_ALGS.includes(header.alg)) fail(`SD-JWT alg '${header.alg}' is not one of ${SD_JWT_ALGS}`);

  const sd = new SDJwtVcInstance({
    hasher: digest,
    hashAlg: 'sha-256',
    verifier: issuerVerifierFor(header),
    kbVerifier: (data, signature, payload) => {
      const jwk = payload?.cnf?.jwk ?? fail('the credential has no cnf.jwk to check the key-binding JWT with');
      return sdJwtVerifier(jwk)(data, signature);
    },
  });
  // The library fetches and checks the status list a credential refers to, unless told not to.
  if (args['no-status-check']) sd.verifyStatus = async () => {};
  const now = Math.floor(Date.now() / 1000);
  const result = await sd.verify(presentation, { keyBindingNonce: session.request.nonce, currentDate: now, skewSeconds: SKEW_SECONDS });
  const kb = result.kb ?? fail('no key-binding JWT');
  if (!KB_JWT_ALGS.includes(kb.header.alg)) fail(`KB-JWT alg '${kb.header.alg}' is not one of ${KB_JWT_ALGS}`);
  if (kb.payload.aud !== session.request.client_id) fail(`KB-JWT aud '${kb.payload.aud}' is not the client_id '${session.request.client_id}'`);
  if (Math.abs(now - kb.payload.iat) > KB_MAX_AGE_SECONDS) fail(`KB-JWT iat ${kb.payload.iat} is more than ${KB_MAX_AGE_SECONDS}s from now (${now})`);

  const payload = result.payload;
  const disclosedNames = (await sd.presentableKeys(presentation)).sort();
  const missing = session.claims.filter(({ path }) => valueAt(payload, path) === undefined).map((c) => c.name);
  if (missing.length) fail(`asked claims not disclosed: ${missing.join(', ')} (disclosed: ${disclosedNames.join(', ') || 'none'})`);

  // The query itself, run by dcql over the verified claims (vct_values and claim paths).
  const dcqlResult = DcqlPresentationResult.fromDcqlPresentation(
    { [QUERY_ID]: [{ credential_format: 'dc+sd-jwt', vct: payload.vct, claims: payload, cryptographic_holder_binding: true }] },
    { dcqlQuery: session.dcqlQuery },
  );
  if (!dcqlResult.can_be_satisfied) fail(`presentation does not satisfy the DCQL query: ${JSON.stringify(dcqlResult.credential_matches[QUERY_ID]?.failed_credentials ?? dcqlResult)}`);

  const topLevel = new Set(disclosedNames.map((n) => n.split('.')[0]));
  const claims = Object.fromEntries(Object.entries(payload).filter(([k]) => topLevel.has(k)));
  return { claims, disclosed_claim_names: disclosedNames, vct: payload.vct, iss: payload.iss, holder_jwk: payload.cnf?.jwk };
}

async function response(req, id, res) {
  const session = sessions.get(id);
  if (!session) throw new HttpError(404, { error: 'invalid_request', error_description: `no authorization request '${id}'` });
  if (session.result) throw new HttpError(400, { error: 'invalid_request', error_description: `authorization request '${id}' was already answered` });
  const params = await readParams(req);

  let result;
  try {
    if (Date.now() > session.expiresAt) fail('the authorization request expired');
    if (params.error) fail(`the wallet answered with an error: ${params.error} ${params.error_description ?? ''}`.trim());
    const parsed = await verifier.parseOpenid4vpAuthorizationResponse({
      authorizationResponse: params,
      authorizationRequestPayload: session.request,
      callbacks: { hash },
    });
    if (parsed.type !== 'dcql') fail(`expected a DCQL vp_token, got ${parsed.type}`);
    const presentations = parsed.dcql.presentations;
    const unknown = Object.keys(presentations).filter((k) => k !== QUERY_ID);
    if (unknown.length) fail(`vp_token has entries for unknown credential query ids: ${unknown.join(', ')}`);
    const ours = presentations[QUERY_ID] ?? fail(`vp_token has no '${QUERY_ID}' entry`);
    if (ours.length !== 1) fail(`vp_token '${QUERY_ID}' has ${ours.length} presentations, expected exactly 1 (multiple is false)`);
    result = { status: 'verified', verified: true, ...(await verifyPresentation(session, ours[0])) };
  } catch (error) {
    result = { status: 'rejected', verified: false, error: describeError(error).replace(/\n[\s\S]*$/, '') };
  }
  session.result = result;
  if (result.verified) {
    log('verified', { id, disclosed_claim_names: result.disclosed_claim_names, vct: result.vct });
    sendJson(res, 200, {});
  } else {
    log('rejected', { id, endpoint: `POST /response/${id}`, error: result.error });
    sendJson(res, 400, { error: 'invalid_request', error_description: result.error });
  }
}

function resultOf(id, res) {
  const session = sessions.get(id);
  if (!session) throw new HttpError(404, { error: 'not_found', error_description: `no authorization request '${id}'` });
  sendJson(res, 200, session.result ?? { status: 'pending' });
}

async function route(req, res) {
  const url = new URL(req.url, base);
  const { pathname } = url;
  const endpoint = `${req.method} ${pathname}`;
  const tail = (prefix) => decodeURIComponent(pathname.slice(prefix.length));
  try {
    if (req.method === 'GET' && pathname === '/new') return await newRequest(url, res);
    if (req.method === 'GET' && pathname.startsWith('/request/')) return requestObject(tail('/request/'), res);
    if (req.method === 'POST' && pathname.startsWith('/response/')) return await response(req, tail('/response/'), res);
    if (req.method === 'GET' && pathname.startsWith('/result/')) return resultOf(tail('/result/'), res);
    throw new HttpError(404, { error: 'not_found', error_description: `no endpoint ${endpoint}` });
  } catch (error) {
    const status = error instanceof HttpError ? error.status : (error?.status ?? 500);
    const body = error instanceof HttpError ? error.body : (error?.errorResponse ?? { error: 'server_error', error_description: describeError(error) });
    log('refused', { endpoint, status, ...body });
    sendJson(res, status, body);
  }
}

// ---- ready ---------------------------------------------------------------------------------------

exitWithParent(server);
process.stdout.write(`${JSON.stringify({
  base,
  client_id_prefix: clientIdPrefix,
  ...(clientIdPrefix === 'decentralized_identifier' ? { client_id: `decentralized_identifier:${did}` } : {}),
})}\n`);
