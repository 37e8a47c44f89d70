// Clicks through the links `saifu serve --demo` (or `saifu demo`) prints, in Debian's Chromium
// (headless, through playwright-core), as a newcomer would: create the web wallet, open each
// offer and enter its PIN, answer the employer's and the convenience store's requests on the
// consent screen, then log in to the operator portal and see both results verified. A
// screenshot of each step goes into the given directory.
//
// Usage: node interop/browser/demo.mjs <links-json> <screenshot-dir>
//   <links-json>: the `demo` object the node printed (wallet, portal, admin_token, offers,
//   requests).

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const [linksJson, shots] = process.argv.slice(2);
if (!linksJson || !shots) {
  console.error('usage: demo.mjs <links-json> <screenshot-dir>');
  process.exit(2);
}
const links = JSON.parse(linksJson);
mkdirSync(shots, { recursive: true });

function check(condition, what) {
  if (!condition) throw new Error(`check failed: ${what}`);
}

// What each seeded request asks for, as the consent screen must list it.
const asked = [
  { claims: 3, absent: 'Graduation date' },
  { claims: 1, absent: 'Date of birth' },
];

const browser = await chromium.launch({
  executablePath: process.env.SAIFU_CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox'],
});
try {
  const viewport = { width: 1000, height: 900 };
  const person = await (await browser.newContext({ viewport })).newPage();
  const operator = await (await browser.newContext({ viewport })).newPage();
  const shot = (page, name) => page.screenshot({ path: join(shots, name), fullPage: true });
  const submit = (page, selector) => Promise.all([page.waitForNavigation(), page.click(selector)]);

  // Step 1: the wallet.
  await person.goto(links.wallet);
  await person.fill('#wallet-name', 'hanako');
  await person.fill('#wallet-passphrase', 'a long passphrase for the demo wallet');
  await submit(person, 'button[value=create]');
  await shot(person, 'demo-1-wallet.png');

  // The offers: open the printed link, enter the printed PIN.
  let step = 2;
  for (const offer of links.offers) {
    await person.goto(offer.link);
    check(await person.isVisible('#pin'), `the wallet asks for the PIN of "${offer.title}"`);
    await person.fill('#pin', offer.pin);
    await submit(person, 'text=Add to my wallet');
    check(await person.isVisible('text=Added'), `"${offer.title}" was added`);
    await shot(person, `demo-${step}-offer.png`);
    step += 1;
  }
  const cards = await person.locator('#cards .card').count();
  check(cards === links.offers.length, `one card per offer, saw ${cards}`);

  // The requests: the consent screen lists exactly what is asked; share.
  for (const [i, request] of links.requests.entries()) {
    await person.goto(request.link);
    const listed = await person.locator('#consent input[name=claim]').count();
    check(listed === asked[i].claims, `"${request.title}" lists ${asked[i].claims} claims, saw ${listed}`);
    check(!(await person.isVisible(`text=${asked[i].absent}`)), `"${request.title}" does not list ${asked[i].absent}`);
    await shot(person, `demo-${step}-consent.png`);
    await submit(person, 'button[value=approve]');
    check(await person.isVisible('text=Shared with'), `the wallet confirms sharing with "${request.title}"`);
    step += 1;
  }

  // The operator sees both results verified.
  await operator.goto(links.portal);
  await operator.fill('#token', links.admin_token);
  await submit(operator, 'button[type=submit]');
  for (const request of links.requests) {
    await operator.goto(request.result);
    await operator.waitForSelector('text=passed every check', { timeout: 20000 });
    await shot(operator, `demo-${step}-result.png`);
    step += 1;
  }
  console.log(JSON.stringify({ ok: true, steps: step - 1 }));
} finally {
  await browser.close();
}
