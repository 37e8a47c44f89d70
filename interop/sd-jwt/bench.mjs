// Times @sd-jwt/core verifying one presentation (key binding required), for
// scripts/bench-sd-jwt.sh. Usage: node bench.mjs <input.json> [iterations]
// The input is written by saifu's sd_jwt bench: {presentation, issuer_jwk, aud, nonce, now}.
// Prints {"median_ns": …, "iterations": …}: the median over rounds of the mean time per verify.
import { readFileSync } from 'node:fs';
import { SDJwtInstance } from '@sd-jwt/core';
import { checkPresentation, verifyConfig } from './common.mjs';

const input = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const iterations = Number(process.argv[3] ?? 2000);
const rounds = 21;
const perRound = Math.max(1, Math.ceil(iterations / rounds));
const sd = new SDJwtInstance(verifyConfig(input.issuer_jwk));

const claims = (await checkPresentation(sd, input)).payload;
if (!claims.claim_0) throw new Error('presentation did not verify as expected');
for (let i = 0; i < perRound; i++) await checkPresentation(sd, input); // warm-up

const times = [];
for (let r = 0; r < rounds; r++) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < perRound; i++) await checkPresentation(sd, input);
  times.push(Number(process.hrtime.bigint() - start) / perRound);
}
times.sort((a, b) => a - b);
console.log(JSON.stringify({ median_ns: times[rounds >> 1], iterations: rounds * perRound }));
