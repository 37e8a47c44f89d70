// Shared plumbing of the wallet-peer harnesses (issuer.mjs, verifier.mjs): JOSE callbacks for the
// @openid4vc libraries on jose + node:crypto, a small node:http toolkit, stderr logging and the
// process lifecycle (exit when stdin closes or on SIGTERM).
import { createHash, createPublicKey, randomBytes, verify as cryptoVerify } from 'node:crypto';
import { CompactSign, compactVerify, importJWK } from 'jose';

// ---- logging -------------------------------------------------------------------------------------

// One JSON line on stderr per event, so a failing Rust test can show why.
export function log(event, fields = {}) {
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), event, ...fields })}\n`);
}

// The message of an error, with the OAuth error body the @openid4vc libraries attach.
export function describeError(error) {
  const body = error?.errorResponse;
  const message = error?.message ?? String(error);
  const cause = error?.cause?.message ? ` (cause: ${error.cause.message})` : '';
  return body ? `${body.error}: ${body.error_description ?? message}${cause}` : `${error?.constructor?.name ?? 'Error'}: ${message}${cause}`;
}

// ---- lifecycle -----------------------------------------------------------------------------------

// The Rust test holds our stdin as a pipe and drops it to stop us; SIGTERM also stops us.
export function exitWithParent(server) {
  const stop = (why) => {
    log('exit', { reason: why });
    server.close();
    process.exit(0);
  };
  process.stdin.on('end', () => stop('stdin closed'));
  process.stdin.on('error', () => stop('stdin error'));
  process.stdin.resume();
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

// ---- crypto callbacks ----------------------------------------------------------------------------

export const hash = (data, alg) => createHash(alg.replace('-', '').toLowerCase()).update(data).digest();
export const generateRandom = (length) => randomBytes(length);
export const randomId = (bytes = 16) => randomBytes(bytes).toString('base64url');

export const publicJwkOf = (jwk) => {
  const { d: _d, ...pub } = jwk;
  return pub;
};

// Verifies a compact JWS with a public JWK (jose checks the alg against the key type).
export async function jwsVerifiesWithJwk(compact, jwk, alg) {
  try {
    const key = await importJWK(publicJwkOf(jwk), alg);
    await compactVerify(compact, key, { algorithms: [alg] });
    return true;
  } catch {
    return false;
  }
}

// The @openid4vc `verifyJwt` callback for signers that carry their JWK (proof JWTs with `jwk` in
// the header, access tokens with the key the library took from our jwks_uri).
export async function verifyJwtCallback(signer, { compact }) {
  if (!signer.publicJwk) throw new Error(`cannot verify a JWT whose signer is '${signer.method}' without a JWK`);
  const verified = await jwsVerifiesWithJwk(compact, signer.publicJwk, signer.alg);
  return verified ? { verified: true, signerJwk: signer.publicJwk } : { verified: false };
}

// A JOSE signer over a private JWK with jose, for the libraries' `signJwt` callbacks.
export async function signCompact(privateJwk, alg, header, payload) {
  const key = await importJWK(privateJwk, alg);
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload))).setProtectedHeader(header).sign(key);
}

// @sd-jwt signer/verifier functions: base64url JOSE signatures (ES256 raw r||s, EdDSA Ed25519).
export const algOfJwk = (jwk) => (jwk.kty === 'OKP' ? 'EdDSA' : 'ES256');

export function sdJwtVerifier(jwk) {
  const key = createPublicKey({ key: publicJwkOf(jwk), format: 'jwk' });
  const digest = jwk.kty === 'OKP' ? null : { P256: 'sha256', 'P-256': 'sha256', 'P-384': 'sha384', 'P-521': 'sha512' }[jwk.crv] ?? 'sha256';
  return (data, signature) => cryptoVerify(digest, Buffer.from(data), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'));
}

// ---- http ----------------------------------------------------------------------------------------

export class HttpError extends Error {
  constructor(status, body, headers = {}) {
    super(body?.error_description ?? body?.error ?? `HTTP ${status}`);
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}

export function sendJson(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(text);
}

export function sendText(res, status, contentType, text) {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  res.end(text);
}

export async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

// The request body as an object: form-encoded or JSON, by Content-Type.
export async function readParams(req) {
  const text = await readBody(req);
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') return Object.fromEntries(new URLSearchParams(text));
  if (type === 'application/json') {
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new HttpError(400, { error: 'invalid_request', error_description: `body is not JSON: ${e.message}` });
    }
  }
  throw new HttpError(415, { error: 'invalid_request', error_description: `unsupported content type '${type || '(none)'}'` });
}

// The incoming request as the @openid4vc libraries' RequestLike (Fetch-style headers).
export function requestLike(req, base) {
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
  return { method: req.method, url: new URL(req.url, base).toString(), headers };
}
