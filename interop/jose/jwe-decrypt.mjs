// Decrypts with the `jose` package, allowing only ECDH-ES with A128GCM/A256GCM.
// stdin:  {"jwk": <recipient private JWK>, "jwe": <compact serialization>}
// stdout: {"plaintext": <base64url>, "protectedHeader": {...}}
import { base64url, compactDecrypt, importJWK } from 'jose';
import { serve } from './io.mjs';

await serve(async ({ jwk, jwe }) => {
  const key = await importJWK(jwk, 'ECDH-ES');
  const { plaintext, protectedHeader } = await compactDecrypt(jwe, key, {
    keyManagementAlgorithms: ['ECDH-ES'],
    contentEncryptionAlgorithms: ['A128GCM', 'A256GCM'],
  });
  return { plaintext: base64url.encode(plaintext), protectedHeader };
});
