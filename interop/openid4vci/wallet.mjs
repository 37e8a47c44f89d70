// OpenID4VCI 1.0 wallet for saifu's issuer interop tests, on @openid4vc/openid4vci +
// @openid4vc/oauth2 + @openid4vc/utils 0.4.6 and jose 6.2.17 (exact versions in ../package.json,
// installed with `npm ci --prefix interop`).
//
// Reads one JSON request on stdin:
//  {"offer": "openid-credential-offer://?credential_offer=..." (or ?credential_offer_uri=...),
//   "flow": "pre-authorized_code" | "authorization_code",
//   "alg": "EdDSA" | "ES256",          holder key type and proof algorithm
//   "count": N,                        proofs (fresh holder keys) in one Credential Request
//   "tx_code": "123456",               pre-authorized_code flow, when the offer asks for one
//   "client_id", "redirect_uri", "subject", "password"}   authorization_code flow
// and writes {"credentials": [compact SD-JWT VC], "holder_jwks": [public JWK]} on stdout, the
// i-th credential requested with the i-th key's proof. Any failure exits 1 with the library's
// error (class name and message, which carries the OAuth error body) on stderr.
//
// The authorization code flow pushes the authorization request (PAR, PKCE S256) through the
// library, then acts as the browser: it loads the authorization page, fills its login form with
// `subject` and `password`, posts it without following the redirect, and takes `code` from the
// Location header after checking `state` and `iss`.
import { createHash, randomBytes } from 'node:crypto';
import { CompactSign, exportJWK, generateKeyPair } from 'jose';
import {
  Oauth2Client,
  clientAuthenticationAnonymous,
  clientAuthenticationNone,
  getAuthorizationServerMetadataFromList,
} from '@openid4vc/oauth2';
import { Openid4vciClient, determineAuthorizationServerForCredentialOffer } from '@openid4vc/openid4vci';
import { setGlobalConfig } from '@openid4vc/utils';

// The issuer under test listens on loopback over plain http.
setGlobalConfig({ allowInsecureUrls: true });

const KEY_TYPES = { EdDSA: ['EdDSA', { crv: 'Ed25519' }], ES256: ['ES256', {}] };

// `count` fresh holder key pairs for `alg`, each with its public JWK.
async function holderKeys(alg, count) {
  const [joseAlg, options] = KEY_TYPES[alg] ?? fail(`unsupported alg '${alg}'`);
  return Promise.all(Array.from({ length: count }, async () => {
    const { privateKey, publicKey } = await generateKeyPair(joseAlg, { ...options, extractable: true });
    return { privateKey, publicJwk: await exportJWK(publicKey) };
  }));
}

function fail(message) {
  throw new Error(message);
}

// The library's callbacks: SHA-2 and randomness from node:crypto, proof JWTs signed with jose by
// the holder key whose public JWK the library names.
function walletCallbacks(keys, clientAuthentication) {
  return {
    fetch,
    hash: (data, alg) => createHash(alg.replace('-', '')).update(data).digest(),
    generateRandom: (length) => randomBytes(length),
    clientAuthentication,
    signJwt: async (signer, { header, payload }) => {
      const key = keys.find((k) => signer.method === 'jwk' && k.publicJwk.x === signer.publicJwk.x)
        ?? fail(`no holder key for signer ${JSON.stringify(signer)}`);
      const jwt = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
        .setProtectedHeader(header)
        .sign(key.privateKey);
      return { jwt, signerJwk: key.publicJwk };
    },
  };
}

// Pre-authorized code flow: the Token Request with the offer's code and the PIN.
async function preAuthorizedToken({ client, credentialOffer, issuerMetadata }, req) {
  const { accessTokenResponse } = await client.retrievePreAuthorizedCodeAccessTokenFromOffer({
    credentialOffer,
    issuerMetadata,
    txCode: req.tx_code,
  });
  return accessTokenResponse.access_token;
}

// Decodes the HTML character references maud and similar escapers emit in attribute values.
function unescapeHtml(text) {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|amp|lt|gt|quot|apos|#39);/gi, (_, ref) => {
    if (ref[0] === '#') {
      return String.fromCodePoint(ref[1].toLowerCase() === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10));
    }
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[ref.toLowerCase()];
  });
}

function attribute(tag, name) {
  const match = tag.match(new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i'));
  return match ? unescapeHtml(match[1] ?? match[2] ?? match[3]) : undefined;
}

// The login form of an authorization page: its absolute action URL and its prefilled fields.
function loginForm(html, pageUrl) {
  const [, tag, body] = html.match(/(<form\b[^>]*>)([\s\S]*?)<\/form>/i)
    ?? fail(`no form on the authorization page:\n${html}`);
  const method = (attribute(tag, 'method') ?? 'get').toLowerCase();
  if (method !== 'post') fail(`the login form uses method '${method}', not post`);
  const action = new URL(attribute(tag, 'action') ?? pageUrl, pageUrl);
  const fields = new URLSearchParams();
  for (const [input] of body.matchAll(/<input\b[^>]*>/gi)) {
    const name = attribute(input, 'name');
    if (name) fields.set(name, attribute(input, 'value') ?? '');
  }
  return { action, fields };
}

// The Cookie header a browser would send back after `response` (none when it set no cookie).
function cookieHeader(response) {
  const pairs = response.headers.getSetCookie().map((c) => c.split(';')[0]);
  return pairs.length ? { cookie: pairs.join('; ') } : {};
}

// Authorization code flow: PAR with PKCE S256 and state through the library, the login as a
// browser, then the Token Request with the code and the PKCE verifier.
async function authorizationCodeToken({ client, callbacks, credentialOffer, issuerMetadata }, req) {
  const grant = credentialOffer.grants?.authorization_code ?? fail('the offer has no authorization_code grant');
  const authorizationServerMetadata = getAuthorizationServerMetadataFromList(
    issuerMetadata.authorizationServers,
    determineAuthorizationServerForCredentialOffer({ issuerMetadata, grantAuthorizationServer: grant.authorization_server }),
  );
  const configurationId = credentialOffer.credential_configuration_ids[0];
  const scope = issuerMetadata.credentialIssuer.credential_configurations_supported[configurationId].scope;
  const state = randomBytes(16).toString('base64url');
  const oauth2 = new Oauth2Client({ callbacks });
  const { authorizationRequestUrl, pkce } = await oauth2.createAuthorizationRequestUrl({
    authorizationServerMetadata,
    clientId: req.client_id,
    redirectUri: req.redirect_uri,
    scope,
    state,
    resource: issuerMetadata.credentialIssuer.credential_issuer,
    additionalRequestPayload: grant.issuer_state ? { issuer_state: grant.issuer_state } : {},
  });
  if (pkce?.codeChallengeMethod !== 'S256') fail(`PKCE method is ${pkce?.codeChallengeMethod}, not S256`);
  if (!new URL(authorizationRequestUrl).searchParams.has('request_uri')) fail(`no PAR: ${authorizationRequestUrl}`);

  const page = await fetch(authorizationRequestUrl, { redirect: 'manual' });
  if (page.status !== 200) fail(`authorization page: HTTP ${page.status}\n${await page.text()}`);
  const { action, fields } = loginForm(await page.text(), authorizationRequestUrl);
  fields.set('subject', req.subject);
  fields.set('password', req.password);
  const login = await fetch(action, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...cookieHeader(page) },
    body: fields.toString(),
  });
  const location = login.headers.get('location');
  if (login.status !== 303 || !location) fail(`login: HTTP ${login.status}, expected a 303 redirect\n${await login.text()}`);
  const redirect = new URL(location);
  if (`${redirect.origin}${redirect.pathname}` !== req.redirect_uri) fail(`redirected to ${location}, not ${req.redirect_uri}`);
  const response = client.parseAndVerifyAuthorizationResponseRedirectUrl({ url: location, authorizationServerMetadata });
  if (response.error) fail(`authorization error response: ${JSON.stringify(response)}`);
  if (response.state !== state) fail(`state ${response.state} does not match ${state}`);
  if (response.iss !== authorizationServerMetadata.issuer) fail(`iss ${response.iss} is not ${authorizationServerMetadata.issuer}`);

  const { accessTokenResponse } = await client.retrieveAuthorizationCodeAccessTokenFromOffer({
    credentialOffer,
    issuerMetadata,
    authorizationCode: response.code,
    pkceCodeVerifier: pkce.codeVerifier,
    redirectUri: req.redirect_uri,
  });
  return accessTokenResponse.access_token;
}

const FLOWS = { 'pre-authorized_code': preAuthorizedToken, authorization_code: authorizationCodeToken };

async function run(req) {
  const flow = FLOWS[req.flow] ?? fail(`unknown flow '${req.flow}'`);
  const keys = await holderKeys(req.alg, req.count ?? 1);
  const authentication = req.flow === 'authorization_code'
    ? clientAuthenticationNone({ clientId: req.client_id })
    : clientAuthenticationAnonymous();
  const callbacks = walletCallbacks(keys, authentication);
  const client = new Openid4vciClient({ callbacks });

  const credentialOffer = await client.resolveCredentialOffer(req.offer);
  const issuerMetadata = await client.resolveIssuerMetadata(credentialOffer.credential_issuer);
  const accessToken = await flow({ client, callbacks, credentialOffer, issuerMetadata }, req);

  const credentialConfigurationId = credentialOffer.credential_configuration_ids[0];
  const { c_nonce: nonce } = await client.requestNonce({ issuerMetadata });
  const jwts = await Promise.all(keys.map(async (key) => (await client.createCredentialRequestJwtProof({
    issuerMetadata,
    credentialConfigurationId,
    nonce,
    signer: { method: 'jwk', alg: req.alg, publicJwk: key.publicJwk },
  })).jwt));
  const { credentialResponse } = await client.retrieveCredentials({
    issuerMetadata,
    accessToken,
    credentialConfigurationId,
    proofs: { jwt: jwts },
  });
  return {
    credentials: (credentialResponse.credentials ?? []).map((c) => c.credential),
    holder_jwks: keys.map((k) => k.publicJwk),
  };
}

const input = JSON.parse(await new Promise((resolve) => {
  let text = '';
  process.stdin.on('data', (c) => (text += c)).on('end', () => resolve(text));
}));
try {
  process.stdout.write(JSON.stringify(await run(input)));
} catch (e) {
  process.stderr.write(`${e?.constructor?.name ?? 'Error'}: ${e?.message ?? e}\n`);
  process.exitCode = 1;
}
