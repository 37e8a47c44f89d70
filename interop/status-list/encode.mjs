// Builds a status list with @sd-jwt/jwt-status-list, as a Status List Token header and payload.
// stdin:  {"bits": 1|2|4|8, "statuses": [<value per index>], "payload": {"sub": ..., "iat": ..., ...}}
// stdout: {"header": {...}, "payload": {... "status_list": {"bits": n, "lst": "<base64url>"}}}
import { StatusList, createHeaderAndPayload } from '@sd-jwt/jwt-status-list';
import { serve } from '../jose/io.mjs';

await serve(({ bits, statuses, payload }) => {
  const list = new StatusList(statuses, bits);
  return createHeaderAndPayload(list, payload, { alg: 'ES256', typ: 'statuslist+jwt' });
});
