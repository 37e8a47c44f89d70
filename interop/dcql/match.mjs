// Runs a DCQL query with the npm package `dcql` (OpenWallet Foundation dcql-ts), the peer of
// saifu's DCQL engine in crates/saifu-oid4vc/tests/dcql_interop.rs.
//
// stdin:  {"query": <DCQL query>, "credentials": [<dcql DcqlCredential>, ...]}
// stdout: {"valid": false, "error": "..."}
//      or {"valid": true, "can_be_satisfied": bool, "matches": {<query id>: bool, ...}}
import { DcqlQuery } from 'dcql';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const { query, credentials } = JSON.parse(Buffer.concat(chunks).toString('utf8'));

let parsed;
try {
  parsed = DcqlQuery.parse(query);
  DcqlQuery.validate(parsed);
} catch (error) {
  process.stdout.write(JSON.stringify({ valid: false, error: String(error?.message ?? error) }));
  process.exit(0);
}

const result = DcqlQuery.query(parsed, credentials);
const matches = Object.fromEntries(
  Object.entries(result.credential_matches).map(([id, match]) => [id, match.success]),
);
process.stdout.write(
  JSON.stringify({ valid: true, can_be_satisfied: result.can_be_satisfied, matches }),
);
