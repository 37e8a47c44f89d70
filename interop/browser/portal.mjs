// Drives a saifu node's portal pages in Debian's Chromium (headless, through playwright-core)
// the way an operator would: sign in with the admin token, add a person, create an offer with a
// PIN and see its QR code, revoke an issued credential, and open a verifier request. Takes
// screenshots of the pages into the given directory. Exits non-zero on the first failed step.
//
// Usage: node interop/browser/portal.mjs <base-url> <admin-token> <screenshot-dir> <status-index>
//   <status-index>: an issued credential (valid) the script revokes from the issued table.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const [base, token, shots, index] = process.argv.slice(2);
if (!base || !token || !shots || !index) {
  console.error('usage: portal.mjs <base-url> <admin-token> <screenshot-dir> <status-index>');
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
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  const shot = (name) => page.screenshot({ path: join(shots, name), fullPage: true });

  // A wrong token is refused; the right one opens the issuer portal.
  await page.goto(`${base}/portal/issuer`);
  check(page.url() === `${base}/portal/login`, `redirected to sign-in, at ${page.url()}`);
  await page.fill('#token', 'not-the-token');
  const refused = await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  check(refused[0].status() === 401, 'a wrong token answers 401');
  check(await page.isVisible('text=not this node\'s admin token'), 'the sign-in error is shown');
  await page.fill('#token', token);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  check(page.url() === `${base}/portal/issuer`, `signed in to the issuer portal, at ${page.url()}`);
  const cookies = await page.context().cookies();
  const session = cookies.find((c) => c.name === 'saifu_admin');
  check(session && session.httpOnly && session.sameSite === 'Strict', 'a strict HttpOnly cookie');

  // Add a person from the claim rows.
  await page.fill('#subject-id', 's2002');
  const row = (name) => page.locator(`tr:has(input[name=claim_name][value="${name}"]) input[name=claim_value]`);
  await row('given_name').fill('Aiko');
  await row('family_name').fill('Tanaka');
  await row('degree').fill('MSc');
  await row('university').fill('Saifu University');
  await Promise.all([page.waitForNavigation(), page.click('text=Save person')]);
  check(await page.isVisible('text=The person was saved.'), 'the save is confirmed');
  check(await page.isVisible('#subjects td:text-is("s2002")'), 'the person is listed');

  // An offer with a PIN: the QR code, the link and the PIN.
  await page.selectOption('#offer-subject', 's2002');
  await page.selectOption('#offer-credential', 'diploma');
  check(await page.isChecked('input[name=pin]'), 'a PIN is required by default');
  await Promise.all([page.waitForNavigation(), page.click('text=Create offer')]);
  check(await page.locator('.qr svg').count() === 1, 'the offer shows a QR code');
  const pin = (await page.textContent('#offer-pin')).trim();
  check(/^[0-9]{6}$/.test(pin), `a 6-digit PIN, got ${pin}`);
  const link = await page.inputValue('#offer-link');
  check(link.startsWith('openid-credential-offer://?credential_offer_uri='), `an offer link, got ${link}`);
  await shot('issuer-offer.png');

  // Revoke the issued credential from the table.
  await page.click('text=Back to the issuer portal');
  const issued = page.locator(`tr[data-index="${index}"]`);
  check((await issued.locator('.status').textContent()) === 'valid', 'the credential is valid');
  await Promise.all([page.waitForNavigation(), issued.locator('text=Revoke permanently').click()]);
  check(await page.isVisible('text=The credential was revoked.'), 'the revocation is confirmed');
  check((await issued.locator('.status').textContent()) === 'revoked', 'the table shows it revoked');
  check(await issued.locator('button').count() === 0, 'a revoked credential offers no action');
  await shot('issuer-revoked.png');

  // A verifier request from a template: QR code and openid4vp:// link, waiting for a wallet.
  await page.click('header >> text=Check credentials');
  await page.check('input[name=template][value=over18]');
  await Promise.all([page.waitForNavigation(), page.click('text=Show QR code')]);
  check(await page.locator('.qr svg').count() === 1, 'the request shows a QR code');
  const request = await page.inputValue('#request-link');
  check(request.startsWith('openid4vp://?'), `a request link, got ${request}`);
  check(await page.isVisible('#waiting'), 'the page says it waits for the wallet');
  await shot('verifier-request.png');

  // Signing out ends the session.
  await Promise.all([page.waitForNavigation(), page.click('text=Sign out')]);
  check(page.url() === `${base}/portal/login`, 'signed out');
  console.log(JSON.stringify({ ok: true, pin_length: pin.length }));
} finally {
  await browser.close();
}
