// The hiring story in Debian's Chromium (headless, through playwright-core), two people, two
// browser contexts: the university's operator makes a diploma offer with a PIN in the issuer
// portal; the graduate creates a web wallet, pastes the offer link, enters the PIN and sees the
// card; the employer's operator asks for the degree in the verifier portal; the graduate opens
// the request, sees exactly what is asked on the consent screen, shares; the employer's page
// shows the verified result. A screenshot of each step goes into the given directory.
//
// Usage: node interop/browser/wallet.mjs <base-url> <admin-token> <screenshot-dir> <subject-id>

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const [base, token, shots, subject] = process.argv.slice(2);
if (!base || !token || !shots || !subject) {
  console.error('usage: wallet.mjs <base-url> <admin-token> <screenshot-dir> <subject-id>');
  process.exit(2);
}
mkdirSync(shots, { recursive: true });

function check(condition, what) {
  if (!condition) throw new Error(`check failed: ${what}`);
}

const browser = await chromium.launch({
  executablePath: process.env.SAIFU_CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox'],
});
try {
  const viewport = { width: 1000, height: 900 };
  const operator = await (await browser.newContext({ viewport })).newPage();
  const person = await (await browser.newContext({ viewport })).newPage();
  const shot = (page, name) => page.screenshot({ path: join(shots, name), fullPage: true });
  const submit = (page, selector) => Promise.all([page.waitForNavigation(), page.click(selector)]);

  // The university: an offer of a diploma with a PIN.
  await operator.goto(`${base}/portal/login`);
  await operator.fill('#token', token);
  await submit(operator, 'button[type=submit]');
  await operator.selectOption('#offer-subject', subject);
  await operator.selectOption('#offer-credential', 'diploma');
  await submit(operator, 'text=Create offer');
  const pin = (await operator.textContent('#offer-pin')).trim();
  const offer = await operator.inputValue('#offer-link');
  await shot(operator, '1-issuer-offer.png');

  // The graduate: a new web wallet, the offer, a wrong PIN, then the right one.
  await person.goto(`${base}/wallet`);
  await person.fill('#wallet-name', 'hanako');
  await person.fill('#wallet-passphrase', 'a long passphrase for the web wallet');
  await submit(person, 'button[value=create]');
  const cookie = (await person.context().cookies()).find((c) => c.name === 'saifu_wallet');
  check(cookie && cookie.httpOnly && cookie.sameSite === 'Strict', 'a strict HttpOnly wallet cookie');
  await person.fill('#offer-link', offer);
  await submit(person, '#offer-link ~ p button');
  check(await person.isVisible('#offer >> text=University Diploma'), 'the offer names the diploma');
  check(await person.isVisible('#pin'), 'the wallet asks for the PIN');
  await shot(person, '2-wallet-offer.png');
  await person.fill('#pin', pin === '000000' ? '111111' : '000000');
  await submit(person, 'text=Add to my wallet');
  check(await person.isVisible('text=That PIN is not right'), 'a wrong PIN is refused');
  await person.fill('#pin', pin);
  await submit(person, 'text=Add to my wallet');
  check(await person.isVisible('text=Added University Diploma.'), 'the diploma was added');
  check(await person.locator('#cards .card').count() === 1, 'one card');
  await shot(person, '3-wallet-card.png');

  // The employer: a request for the degree and the name, signed with the node's DID.
  await operator.click('header >> text=Check credentials');
  await operator.check('input[name=template][value=diploma]');
  await operator.selectOption('#prefix', 'decentralized_identifier');
  await submit(operator, 'text=Show QR code');
  const request = await operator.inputValue('#request-link');
  await shot(operator, '4-verifier-request.png');

  // The graduate: the consent screen lists exactly what is asked; share.
  await person.fill('#request-link', request);
  await submit(person, '#request-link ~ p button');
  check(await person.isVisible('#verifier >> text=Signed by'), 'the verifier is authenticated');
  const asked = await person.locator('#consent input[name=claim]').count();
  check(asked === 4, `four claims asked, saw ${asked}`);
  check(!(await person.isVisible('text=Graduation date')), 'nothing that was not asked is listed');
  await shot(person, '5-wallet-consent.png');
  await submit(person, 'button[value=approve]');
  check(await person.isVisible('text=Shared with'), 'the wallet confirms the sharing');
  await shot(person, '6-wallet-shared.png');

  // The employer's page moves on to the verified result by itself.
  await operator.waitForSelector('text=passed every check', { timeout: 20000 });
  await shot(operator, '7-verifier-result.png');

  await person.click('header >> text=History');
  check(await person.locator('#history tr').count() === 2, 'one history entry');
  console.log(JSON.stringify({ ok: true }));
} finally {
  await browser.close();
}
