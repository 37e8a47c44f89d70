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
import { SDJwtInstance } from '@sd-jwt/core';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { generateSalt } from '@sd-jwt/crypto-nodejs';
import { algOf, checkPresentation, signer, verifyConfig } from './common.mjs';

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
  const config = { ...verifyConfig(issuerJwk), saltGenerator: generateSalt, signAlg: req.alg };
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
  const result = await checkPresentation(instance(req, req.issuer_jwk), req);
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
