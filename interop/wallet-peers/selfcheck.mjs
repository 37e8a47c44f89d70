// Self-check of the wallet-peer harnesses: plays a wallet against issuer.mjs and verifier.mjs
// exactly as the Rust wallet tests drive them (child processes, stdin pipe held open, one JSON
// ready line on stdout, JSON log lines on stderr), and documents the harness contract by example.
//
//   node interop/wallet-peers/selfcheck.mjs      (exit 0 when every check passes)
//
// Wallet side: @openid4vc/openid4vci Openid4vciClient for issuance, @openid4vc/openid4vp for
// resolving authorization requests (including the did:jwk-signed request object), @sd-jwt for the
// presentation with a key-binding JWT, jose for holder keys.
import { spawn } from 'node:child_process';
import { createPrivateKey, generateKeyPairSync, sign as cryptoSign } from 'node:crypto';
import { createServer } from 'node:http';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { CompactSign, exportJWK, generateKeyPair, importJWK } from 'jose';
import { clientAuthenticationAnonymous } from '@openid4vc/oauth2';
import { Openid4vciClient } from '@openid4vc/openid4vci';
import { parseOpenid4vpAuthorizationRequest, resolveOpenid4vpAuthorizationRequest } from '@openid4vc/openid4vp';
import { setGlobalConfig } from '@openid4vc/utils';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { digest, generateSalt } from '@sd-jwt/crypto-nodejs';
import { StatusList, createHeaderAndPayload } from '@sd-jwt/jwt-status-list';
import { generateRandom, hash, jwsVerifiesWithJwk, publicJwkOf, sdJwtVerifier, signCompact } from './common.mjs';

setGlobalConfig({ allowInsecureUrls: true });

const here = (name) => fileURLToPath(new URL(name, import.meta.url));
const results = [];
const children = [];

function check(name, ok, detail = '') {
  results.push({ name, ok });
  process.stdout.write(`${ok ? 'PASS' : 'FAIL'}  ${name}${detail ? `  — ${detail}` : ''}\n`);
}

// ---- harness processes ---------------------------------------------------------------------------

async function startHarness(script, args = []) {
  const child = spawn(process.execPath, [here(script), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  const logLines = [];
  createInterface({ input: child.stderr }).on('line', (line) => logLines.push(line));
  const lines = createInterface({ input: child.stdout });
  const [first] = await Promise.race([
    once(lines, 'line'),
    once(child, 'exit').then(([code]) => {
      throw new Error(`${script} exited with ${code} before its ready line:\n${logLines.join('\n')}`);
    }),
  ]);
  return { child, ready: JSON.parse(first), logLines };
}

// Closing stdin is how the Rust test stops a harness.
async function stopHarness({ child }) {
  if (child.exitCode !== null) return child.exitCode;
  child.stdin.end();
  const [code] = await once(child, 'exit');
  return code;
}

// ---- holder side ---------------------------------------------------------------------------------

const ALG_OPTIONS = { EdDSA: { crv: 'Ed25519' }, ES256: {} };

async function holderKey(alg) {
  const { privateKey, publicKey } = await generateKeyPair(alg, { ...ALG_OPTIONS[alg], extractable: true });
  return { alg, privateKey, publicJwk: await exportJWK(publicKey), privateJwk: await exportJWK(privateKey) };
}

function vciClient(keys) {
  return new Openid4vciClient({
    callbacks: {
      fetch,
      hash,
      generateRandom,
      clientAuthentication: clientAuthenticationAnonymous(),
      signJwt: async (signer, { header, payload }) => {
        const key = keys.find((k) => signer.method === 'jwk' && k.publicJwk.x === signer.publicJwk.x);
        if (!key) throw new Error(`no holder key for ${JSON.stringify(signer)}`);
        const jwt = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload))).setProtectedHeader(header).sign(key.privateKey);
        return { jwt, signerJwk: key.publicJwk };
      },
    },
  });
}

// The whole pre-authorized code flow; `count` proofs (one fresh holder key each) in one request.
// With `raw`, the Credential Request is posted with plain fetch (bypassing the client's own
// checks) and its HTTP status and body are returned.
async function receive(offerLink, txCode, alg, count, { nonceOverride, raw } = {}) {
  const keys = await Promise.all(Array.from({ length: count }, () => holderKey(alg)));
  const client = vciClient(keys);
  const credentialOffer = await client.resolveCredentialOffer(offerLink);
  const issuerMetadata = await client.resolveIssuerMetadata(credentialOffer.credential_issuer);
  const { accessTokenResponse } = await client.retrievePreAuthorizedCodeAccessTokenFromOffer({ credentialOffer, issuerMetadata, txCode });
  const credentialConfigurationId = credentialOffer.credential_configuration_ids[0];
  const { c_nonce: nonce } = await client.requestNonce({ issuerMetadata });
  const jwts = await Promise.all(keys.map(async (k) => (await client.createCredentialRequestJwtProof({
    issuerMetadata,
    credentialConfigurationId,
    nonce: nonceOverride ?? nonce,
    signer: { method: 'jwk', alg, publicJwk: k.publicJwk },
  })).jwt));
  if (raw) {
    const response = await fetch(issuerMetadata.credentialIssuer.credential_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${accessTokenResponse.access_token}` },
      body: JSON.stringify({ credential_configuration_id: credentialConfigurationId, proofs: { jwt: jwts } }),
    });
    return { status: response.status, body: await response.json() };
  }
  const { credentialResponse, response } = await client.retrieveCredentials({
    issuerMetadata,
    accessToken: accessTokenResponse.access_token,
    credentialConfigurationId,
    proofs: { jwt: jwts },
  });
  return { keys, credentials: (credentialResponse?.credentials ?? []).map((c) => c.credential), status: response.status, issuerMetadata };
}

const sdJwt = (holder) => new SDJwtVcInstance({
  hasher: digest,
  hashAlg: 'sha-256',
  saltGenerator: generateSalt,
  kbSignAlg: holder.alg,
  kbSigner: (data) => cryptoSign(holder.alg === 'ES256' ? 'sha256' : null, Buffer.from(data), {
    key: createPrivateKey({ key: holder.privateJwk, format: 'jwk' }),
    dsaEncoding: 'ieee-p1363',
  }).toString('base64url'),
});

// Resolves an openid4vp:// link with the library; request objects signed by a did:jwk are
// checked against that DID's key.
async function resolveRequest(link) {
  const parsed = parseOpenid4vpAuthorizationRequest({ authorizationRequest: link });
  const resolved = await resolveOpenid4vpAuthorizationRequest({
    authorizationRequestPayload: parsed.params,
    callbacks: {
      hash,
      fetch,
      verifyJwt: async (signer, { compact }) => {
        if (signer.method !== 'did' || !signer.didUrl.startsWith('did:jwk:')) throw new Error(`unexpected request signer ${signer.method}`);
        const [didPart, fragment] = signer.didUrl.split('#');
        if (fragment !== '0') throw new Error(`unexpected verification method ${signer.didUrl}`);
        const jwk = JSON.parse(Buffer.from(didPart.slice('did:jwk:'.length), 'base64url'));
        return { verified: await jwsVerifiesWithJwk(compact, jwk, signer.alg), signerJwk: jwk };
      },
    },
  });
  return { request: resolved.authorizationRequestPayload, resolved };
}

// Presents `credential` with exactly the claims the DCQL query names (or `frame`), KB-JWT for the
// request's client_id and nonce (or the overrides), posted as direct_post.
async function present(link, credential, holder, { frame, nonce, aud } = {}) {
  const { request, resolved } = await resolveRequest(link);
  const query = request.dcql_query.credentials[0];
  const presentationFrame = frame ?? Object.fromEntries(query.claims.map((c) => [c.path[0], true]));
  const presentation = await sdJwt(holder).present(credential, presentationFrame, {
    kb: { payload: { aud: aud ?? request.client_id, nonce: nonce ?? request.nonce, iat: Math.floor(Date.now() / 1000) } },
  });
  const response = await fetch(request.response_uri, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ vp_token: JSON.stringify({ [query.id]: [presentation] }), state: request.state }),
  });
  return { status: response.status, body: await response.json(), request, resolved, presentation };
}

async function newVerifierRequest(verifier, query) {
  const response = await fetch(`${verifier.ready.base}/new?${query}`);
  if (!response.ok) throw new Error(`GET /new?${query}: HTTP ${response.status} ${await response.text()}`);
  return response.json();
}

const resultOf = async (created) => (await fetch(created.result_url)).json();

async function expectOauthError(promise) {
  try {
    await promise;
    return 'no error';
  } catch (e) {
    return e?.errorResponse?.error ?? e?.response?.status ?? e?.message ?? String(e);
  }
}

// ---- the checks ----------------------------------------------------------------------------------

async function main() {
  // Issuer.
  const issuer = await startHarness('issuer.mjs');
  const { credential_issuer: credentialIssuer, offer_link: offerLink, offer_uri_link: offerUriLink, tx_code: txCode, issuer_jwk: issuerJwk } = issuer.ready;
  check('issuer ready line', Boolean(credentialIssuer && offerLink.startsWith('openid-credential-offer://?credential_offer=')
    && offerUriLink.startsWith('openid-credential-offer://?credential_offer_uri=') && /^\d{6}$/.test(txCode) && issuerJwk?.kty === 'EC' && !issuerJwk.d), credentialIssuer);

  const metadata = await (await fetch(`${credentialIssuer}/.well-known/openid-credential-issuer`)).json();
  const config = metadata.credential_configurations_supported?.UniversityDegree;
  check('issuer metadata', config?.format === 'dc+sd-jwt' && config.vct === 'https://example.edu/credentials/degree'
    && metadata.batch_credential_issuance?.batch_size === 3 && metadata.nonce_endpoint === `${credentialIssuer}/nonce`
    && config.credential_metadata?.display?.[0]?.background_color !== undefined);
  const asMetadata = await (await fetch(`${credentialIssuer}/.well-known/oauth-authorization-server`)).json();
  check('authorization server metadata', asMetadata.issuer === credentialIssuer && asMetadata['pre-authorized_grant_anonymous_access_supported'] === true);

  // Batch of 3 with EdDSA keys from the by-reference offer.
  const batch = await receive(offerUriLink, txCode, 'EdDSA', 3);
  const verifyIssued = new SDJwtVcInstance({ hasher: digest, hashAlg: 'sha-256', verifier: sdJwtVerifier(issuerJwk) });
  const issued = await Promise.all(batch.credentials.map((c) => verifyIssued.verify(c)));
  check('by-reference offer: 3 credentials in one batch (EdDSA proofs)', batch.credentials.length === 3
    && issued.every((r, i) => r.payload.cnf?.jwk?.x === batch.keys[i].publicJwk.x && r.payload.iss === credentialIssuer
      && r.payload.vct === 'https://example.edu/credentials/degree' && r.header.typ === 'dc+sd-jwt'
      && r.payload.given_name === 'Hanako' && r.payload.degree?.name === 'Bachelor of Science'),
  `${batch.credentials.length} credentials, each bound to its proof key, signed by issuer_jwk`);
  const keysOfFirst = (await verifyIssued.presentableKeys(batch.credentials[0])).sort();
  check('selectively disclosable claims', JSON.stringify(keysOfFirst) === JSON.stringify(['degree', 'family_name', 'given_name', 'graduation_date']), keysOfFirst.join(','));

  // ES256 from the by-value offer.
  const es = await receive(offerLink, txCode, 'ES256', 2);
  check('by-value offer: 2 credentials (ES256 proofs)', es.credentials.length === 2);

  // Issuer refusals.
  check('pre-authorized code is single-use', await expectOauthError(receive(offerLink, txCode, 'ES256', 1)) === 'invalid_grant');
  const fresh = await (await fetch(`${credentialIssuer}/new-offer`)).json();
  const wrongTx = await expectOauthError(receive(fresh.offer_link, txCode === '000000' ? '111111' : '000000', 'ES256', 1));
  check('wrong tx_code is refused', wrongTx === 'invalid_grant', wrongTx);
  const badNonce = await receive(fresh.offer_uri_link, fresh.tx_code, 'ES256', 1, { nonceOverride: 'not-a-nonce', raw: true });
  check('proof with a nonce the issuer did not give out is refused', badNonce.status === 400 && badNonce.body.error === 'invalid_nonce', JSON.stringify(badNonce.body));
  const fresh2 = await (await fetch(`${credentialIssuer}/new-offer`)).json();
  const tooMany = await receive(fresh2.offer_link, fresh2.tx_code, 'EdDSA', 4, { raw: true });
  check('more proofs than batch_size are refused (raw request)', tooMany.status === 400 && tooMany.body.error === 'invalid_proof', JSON.stringify(tooMany.body));
  const fresh3 = await (await fetch(`${credentialIssuer}/new-offer`)).json();
  const noToken = await fetch(`${credentialIssuer}/credential`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  check('credential request without an access token is refused', noToken.status === 401 && noToken.headers.get('www-authenticate')?.startsWith('Bearer'));
  const oneProof = await receive(fresh3.offer_link, fresh3.tx_code, 'ES256', 1, { raw: true });
  check('raw credential request with one proof is answered per OpenID4VCI 1.0', oneProof.status === 200 && Array.isArray(oneProof.body.credentials)
    && typeof oneProof.body.credentials[0].credential === 'string' && oneProof.body.credential === undefined);
  check('issuer logs issued and rejected requests on stderr', issuer.logLines.some((l) => JSON.parse(l).event === 'issued') && issuer.logLines.some((l) => JSON.parse(l).event === 'rejected'));

  // Verifier, redirect_uri client identifier, request by value.
  const holder = batch.keys[0];
  const credential = batch.credentials[0];
  const verifier = await startHarness('verifier.mjs', ['--issuer-jwk', JSON.stringify(issuerJwk)]);
  check('verifier ready line', verifier.ready.base?.startsWith('http://127.0.0.1:') && verifier.ready.client_id_prefix === 'redirect_uri', JSON.stringify(verifier.ready));

  const created = await newVerifierRequest(verifier, 'claims=given_name,degree');
  const ok = await present(created.link, credential, holder);
  const okResult = await resultOf(created);
  check('redirect_uri: request by value resolves as OpenID4VP 1.0', ok.resolved.version === 100 && !ok.resolved.jar
    && ok.request.client_id === `redirect_uri:${ok.request.response_uri}` && ok.request.dcql_query.credentials[0].meta?.vct_values === undefined);
  check('redirect_uri: presentation with only the asked claims is verified', ok.status === 200 && okResult.verified === true
    && JSON.stringify(okResult.disclosed_claim_names) === '["degree","given_name"]' && okResult.claims.family_name === undefined
    && okResult.claims.given_name === 'Hanako', JSON.stringify(okResult));
  const again = await fetch(ok.request.response_uri, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ vp_token: JSON.stringify({ diploma: [ok.presentation] }), state: ok.request.state }) });
  check('second answer to the same request is refused', again.status === 400);

  const wrongNonce = await newVerifierRequest(verifier, 'claims=given_name');
  const wn = await present(wrongNonce.link, credential, holder, { nonce: 'wrong-nonce' });
  const wnResult = await resultOf(wrongNonce);
  check('wrong KB-JWT nonce gives verified:false', wn.status === 400 && wn.body.error === 'invalid_request' && wnResult.verified === false, wnResult.error);

  const wrongAud = await newVerifierRequest(verifier, 'claims=given_name');
  const wa = await present(wrongAud.link, credential, holder, { aud: 'redirect_uri:http://elsewhere.example/response' });
  check('wrong KB-JWT aud gives verified:false', wa.status === 400 && (await resultOf(wrongAud)).verified === false, (await resultOf(wrongAud)).error);

  const missing = await newVerifierRequest(verifier, 'claims=given_name,degree');
  const ms = await present(missing.link, credential, holder, { frame: { given_name: true } });
  check('an asked claim left undisclosed gives verified:false', ms.status === 400 && (await resultOf(missing)).verified === false, (await resultOf(missing)).error);

  const withVct = await newVerifierRequest(verifier, `claims=graduation_date&vct=${encodeURIComponent('https://example.edu/credentials/degree')}`);
  const wv = await present(withVct.link, credential, holder);
  check('vct param: matching vct is verified', wv.status === 200 && wv.request.dcql_query.credentials[0].meta.vct_values[0] === 'https://example.edu/credentials/degree');
  const otherVct = await newVerifierRequest(verifier, 'claims=given_name&vct=https%3A%2F%2Fsaifu.dev%2Fvct%2Fdiploma');
  const ov = await present(otherVct.link, credential, holder);
  check('vct param: other vct gives verified:false', ov.status === 400 && (await resultOf(otherVct)).verified === false, (await resultOf(otherVct)).error);

  const esCreated = await newVerifierRequest(verifier, 'claims=degree');
  const esOk = await present(esCreated.link, es.credentials[0], es.keys[0]);
  check('ES256 holder key: presentation is verified', esOk.status === 200 && (await resultOf(esCreated)).verified === true);

  const pending = await newVerifierRequest(verifier, 'claims=given_name');
  check('result is pending before an answer', (await resultOf(pending)).status === 'pending');

  // Verifier, decentralized_identifier (did:jwk) client identifier, signed request by reference.
  const didVerifier = await startHarness('verifier.mjs', ['--issuer-metadata', `${credentialIssuer}/.well-known/jwt-vc-issuer`, '--client-id-prefix', 'decentralized_identifier']);
  const didCreated = await newVerifierRequest(didVerifier, 'claims=family_name,graduation_date');
  const linkParams = new URL(didCreated.link).searchParams;
  const requestObject = await fetch(linkParams.get('request_uri'));
  const jwtHeader = JSON.parse(Buffer.from((await requestObject.clone().text()).split('.')[0], 'base64url'));
  check('decentralized_identifier: request_uri serves a signed request object', requestObject.headers.get('content-type') === 'application/oauth-authz-req+jwt'
    && jwtHeader.typ === 'oauth-authz-req+jwt' && jwtHeader.kid === `${didCreated.client_id.slice('decentralized_identifier:'.length)}#0`);
  const didOk = await present(didCreated.link, batch.credentials[1], batch.keys[1]);
  const didResult = await resultOf(didCreated);
  check('decentralized_identifier: request by reference verified with the did:jwk', didOk.resolved.jar?.sendBy === 'reference'
    && didOk.request.client_id.startsWith('decentralized_identifier:did:jwk:') && didOk.resolved.jar?.signer?.method === 'did');
  check('decentralized_identifier: presentation is verified', didOk.status === 200 && didResult.verified === true
    && JSON.stringify(didResult.disclosed_claim_names) === '["family_name","graduation_date"]', JSON.stringify(didResult));

  // A verifier trusting another issuer key refuses the same credential.
  const otherKey = await holderKey('ES256');
  const strangerVerifier = await startHarness('verifier.mjs', ['--issuer-jwk', JSON.stringify(otherKey.publicJwk)]);
  const strangerCreated = await newVerifierRequest(strangerVerifier, 'claims=given_name');
  const st = await present(strangerCreated.link, batch.credentials[2], batch.keys[2]);
  check('credential from an untrusted issuer key gives verified:false', st.status === 400 && (await resultOf(strangerCreated)).verified === false, (await resultOf(strangerCreated)).error);
  strangerVerifier.child.kill('SIGTERM');
  const [sigtermCode] = await once(strangerVerifier.child, 'exit');
  check('harness exits on SIGTERM', sigtermCode === 0, String(sigtermCode));

  await statusListChecks(batch.keys[0]);

  // Stopping: closing stdin ends the harnesses.
  const codes = await Promise.all([issuer, verifier, didVerifier].map(stopHarness));
  check('harnesses exit when stdin closes', codes.every((c) => c === 0), codes.join(','));
}

// Credentials with a status list reference (as saifu issues them): index 0 VALID, index 1 INVALID,
// in a 2-bit Token Status List served as application/statuslist+jwt and signed by the issuer key.
async function statusListChecks(holder) {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const privateJwk = privateKey.export({ format: 'jwk' });
  const list = new StatusList([0, 1, 0, 0], 2);
  const statusServer = createServer(async (_req, res) => {
    const now = Math.floor(Date.now() / 1000);
    const { header, payload } = createHeaderAndPayload(list, { iss: 'https://status-issuer.example', sub: uri, iat: now, exp: now + 600 }, { alg: 'ES256', typ: 'statuslist+jwt' });
    res.writeHead(200, { 'content-type': 'application/statuslist+jwt' });
    res.end(await signCompact(privateJwk, 'ES256', header, payload));
  });
  await new Promise((resolve) => statusServer.listen(0, '127.0.0.1', resolve));
  const uri = `http://127.0.0.1:${statusServer.address().port}/status/1`;
  try {
    const issuer = new SDJwtVcInstance({
      hasher: digest,
      hashAlg: 'sha-256',
      saltGenerator: generateSalt,
      signAlg: 'ES256',
      signer: (data) => cryptoSign('sha256', Buffer.from(data), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url'),
    });
    const issue = (idx) => issuer.issue({
      iss: 'https://status-issuer.example', iat: Math.floor(Date.now() / 1000), vct: 'https://saifu.dev/vct/diploma',
      cnf: { jwk: holder.publicJwk }, status: { status_list: { idx, uri } }, given_name: 'Hanako',
    }, { _sd: ['given_name'] }, { header: { typ: 'dc+sd-jwt' } });
    const verifier = await startHarness('verifier.mjs', ['--issuer-jwk', JSON.stringify(publicJwkOf(privateJwk))]);
    const query = `claims=given_name&vct=${encodeURIComponent('https://saifu.dev/vct/diploma')}`;
    const valid = await newVerifierRequest(verifier, query);
    const v = await present(valid.link, await issue(0), holder);
    check('status list: VALID entry is verified', v.status === 200 && (await resultOf(valid)).verified === true, JSON.stringify(v.body));
    const revoked = await newVerifierRequest(verifier, query);
    const r = await present(revoked.link, await issue(1), holder);
    check('status list: INVALID entry gives verified:false', r.status === 400 && (await resultOf(revoked)).verified === false, (await resultOf(revoked)).error);
    await stopHarness(verifier);
  } finally {
    statusServer.close();
  }
}

try {
  await main();
} catch (error) {
  check('selfcheck ran to completion', false, `${error?.constructor?.name}: ${error?.message}\n${error?.stack}`);
} finally {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
}
const failed = results.filter((r) => !r.ok);
process.stdout.write(`\n${results.length - failed.length}/${results.length} checks passed\n`);
process.exitCode = failed.length ? 1 : 0;
