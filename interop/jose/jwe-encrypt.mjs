// Encrypts with the `jose` package: JWE compact, alg ECDH-ES (direct key agreement).
// stdin:  {"jwk": <recipient public JWK>, "enc": "A128GCM"|"A256GCM", "plaintext": <base64url>,
//          "kid"?: string, "apu"?: <base64url>, "apv"?: <base64url>}
// stdout: {"jwe": <compact serialization>}
import { CompactEncrypt, base64url, importJWK } from 'jose';
import { serve } from './io.mjs';

await serve(async ({ jwk, enc, plaintext, kid, apu, apv }) => {
  const key = await importJWK(jwk, 'ECDH-ES');
  const header = { alg: 'ECDH-ES', enc, ...(kid === undefined ? {} : { kid }) };
  const jwe = new CompactEncrypt(base64url.decode(plaintext)).setProtectedHeader(header);
  if (apu !== undefined || apv !== undefined) {
    jwe.setKeyManagementParameters({
      ...(apu === undefined ? {} : { apu: base64url.decode(apu) }),
      ...(apv === undefined ? {} : { apv: base64url.decode(apv) }),
    });
  }
  return { jwe: await jwe.encrypt(key) };
});
