// Decodes a saifu status list with @sd-jwt/jwt-status-list and reads statuses back.
// stdin:  {"bits": 1|2|4|8, "lst": "<base64url ZLIB>"} or {"jwt": "<Status List Token>"},
//         optionally "indices": [..] (default: every index)
// stdout: {"bits": n, "size": <statuses in the list>, "statuses": [<value per index>]}
import { StatusList, getListFromStatusListJWT } from '@sd-jwt/jwt-status-list';
import { serve } from '../jose/io.mjs';

await serve(({ bits, lst, jwt, indices }) => {
  const list = jwt ? getListFromStatusListJWT(jwt) : StatusList.decompressStatusList(lst, bits);
  const size = list.statusList.length;
  const wanted = indices ?? Array.from({ length: size }, (_, i) => i);
  return { bits: list.getBitsPerStatus(), size, statuses: wanted.map((i) => list.getStatus(i)) };
});
