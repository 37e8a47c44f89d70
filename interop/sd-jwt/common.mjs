// What peer.mjs (interop tests) and bench.mjs (timing) share: JOSE callbacks for @sd-jwt on
// node:crypto, the verifier configuration, and the verification call with its checks.
import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { digest } from '@sd-jwt/crypto-nodejs';

export const algOf = (jwk) => (jwk.kty === 'OKP' ? 'EdDSA' : 'ES256');

// JOSE signatures: raw r||s for ES256 (ieee-p1363), plain Ed25519 for EdDSA.
export function signer(jwk) {
  const key = createPrivateKey({ key: jwk, format: 'jwk' });
  const hash = algOf(jwk) === 'ES256' ? 'sha256' : null;
  return (data) => sign(hash, Buffer.from(data), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url');
}

export function verifier(jwk) {
  const { d: _d, ...pub } = jwk;
  const key = createPublicKey({ key: pub, format: 'jwk' });
  const hash = algOf(jwk) === 'ES256' ? 'sha256' : null;
  return (data, sig) => verify(hash, Buffer.from(data), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(sig, 'base64url'));
}

// Verification callbacks: the issuer key given, the holder key from the payload's `cnf.jwk`.
export function verifyConfig(issuerJwk) {
  return {
    hasher: digest,
    hashAlg: 'sha-256',
    verifier: verifier(issuerJwk),
    kbVerifier: (data, sig, payload) => verifier(payload.cnf.jwk)(data, sig),
  };
}

// Verifies a presentation with key binding to `req.aud` / `req.nonce` at `req.now`.
export async function checkPresentation(sd, req) {
  const result = await sd.verify(req.presentation, { keyBindingNonce: req.nonce, currentDate: req.now, skewSeconds: 60 });
  if (result.kb?.payload.aud !== req.aud) throw new Error(`KB-JWT aud ${result.kb?.payload.aud} != ${req.aud}`);
  return result;
}
