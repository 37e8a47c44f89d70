// SD-JWT / SD-JWT VC peer for saifu's interop tests, on @sd-jwt/core + @sd-jwt/sd-jwt-vc +
// @sd-jwt/crypto-nodejs 0.19.0 (exact versions in ../package.json, installed with `npm ci`).
//
// Reads one JSON request on stdin, writes one JSON answer on stdout:
//  {"op":"issue_present","alg","issuer_jwk","holder_jwk","claims","disclosable":[path],
//   "disclose":[path],"aud","nonce","iat","vc"}            -> {"presentation"}
//  {"op":"verify","presentation","issuer_jwk","aud","nonce","now","vc"} -> {"claims"} | {"error"}
// A path is a JSON array of names and array indices. `alg` is "ES256" or "EdDSA"; the holder
// key's algorithm follows from its JWK. With "vc": true the SD-JWT VC instance is used
// (typ dc+sd-jwt, vct and validity checks).
import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { SDJwtInstance } from '@sd-jwt/core';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { digest, generateSalt } from '@sd-jwt/crypto-nodejs';

const algOf = (jwk) => (jwk.kty === 'OKP' ? 'EdDSA' : 'ES256');

// JOSE signatures: raw r||s for ES256 (ieee-p1363), plain Ed25519 for EdDSA.
function signer(jwk) {
  const key = createPrivateKey({ key: jwk, format: 'jwk' });
  const hash = algOf(jwk) === 'ES256' ? 'sha256' : null;
  return (data) => sign(hash, Buffer.from(data), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url');
}

function verifier(jwk) {
  const { d: _d, ...pub } = jwk;
  const key = createPublicKey({ key: pub, format: 'jwk' });
  const hash = algOf(jwk) === 'ES256' ? 'sha256' : null;
  return (data, sig) => verify(hash, Buffer.from(data), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(sig, 'base64url'));
}

// Disclosure frame: every object level lists its disclosable keys / indices under `_sd`.
function disclosureFrame(paths) {
  const frame = {};
  for (const path of paths) {
    let node = frame;
    for (const step of path.slice(0, -1)) node = node[step] ??= {};
    (node._sd ??= []).push(path[path.length - 1]);
  }
  return frame;
}

// Presentation frame: `true` for a revealed claim, nested objects for claims inside it.
function presentationFrame(paths) {
  const frame = {};
  for (const path of paths) {
    let node = frame;
    path.forEach((step, i) => {
      if (i === path.length - 1) node[step] ??= true;
      else node = node[step] = typeof node[step] === 'object' ? node[step] : {};
    });
  }
  return frame;
}

function instance(req, issuerJwk, holderJwk) {
  const config = {
    hasher: digest,
    hashAlg: 'sha-256',
    saltGenerator: generateSalt,
    signAlg: req.alg,
    verifier: verifier(issuerJwk),
    kbVerifier: (data, sig, payload) => verifier(payload.cnf.jwk)(data, sig),
  };
  if (req.op === 'issue_present') {
    Object.assign(config, { signer: signer(issuerJwk), kbSigner: signer(holderJwk), kbSignAlg: algOf(holderJwk) });
  }
  return req.vc ? new SDJwtVcInstance(config) : new SDJwtInstance(config);
}

async function issuePresent(req) {
  const sd = instance(req, req.issuer_jwk, req.holder_jwk);
  const { d: _d, ...holderPublic } = req.holder_jwk;
  const payload = { ...req.claims, cnf: { jwk: holderPublic } };
  const header = req.vc ? {} : { typ: 'example+sd-jwt' };
  const issued = await sd.issue(payload, disclosureFrame(req.disclosable), { header });
  const presentation = await sd.present(issued, presentationFrame(req.disclose), {
    kb: { payload: { aud: req.aud, nonce: req.nonce, iat: req.iat } },
  });
  return { presentation };
}

async function verifyPresentation(req) {
  const sd = instance(req, req.issuer_jwk);
  const result = await sd.verify(req.presentation, { keyBindingNonce: req.nonce, currentDate: req.now, skewSeconds: 60 });
  if (result.kb?.payload.aud !== req.aud) throw new Error(`KB-JWT aud ${result.kb?.payload.aud} != ${req.aud}`);
  return { claims: result.payload, header: result.header };
}

const input = JSON.parse(await new Promise((resolve) => {
  let text = '';
  process.stdin.on('data', (c) => (text += c)).on('end', () => resolve(text));
}));
let answer;
try {
  answer = await ({ issue_present: issuePresent, verify: verifyPresentation }[input.op])(input);
} catch (e) {
  answer = { error: String(e?.message ?? e) };
}
process.stdout.write(JSON.stringify(answer));
