// A customer on a network that stops answering (requests that hang, not fail): closing the flow
// still settles the merchant's promise within a second, the hung requests are cancelled, and
// answers that come back late change nothing. Requests are held by Playwright's router, so the
// browser sees a real in-flight fetch that never gets a response.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TEST_PASSWORD, launchBrowser, newPage, startSandbox } from './support.mjs';

let sandbox;
let browser;

before(async () => {
  sandbox = await startSandbox();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await sandbox?.stop();
});

/** Holds every request to the link flow's `endpoints` until `release()`; none is answered. */
async function holdRequests(page, endpoints) {
  const held = [];
  const pattern = new RegExp(`/v1/link_account_sessions/(${endpoints.join('|')})$`);
  await page.route(pattern, (route) => held.push(route));
  const cancelled = [];
  page.on('requestfailed', (request) => {
    if (pattern.test(new URL(request.url()).pathname)) cancelled.push(request.failure()?.errorText);
  });
  return { held, cancelled, release: () => Promise.allSettled(held.map((route) => route.continue())) };
}

test('Escape after the password on a dropped network settles within a second as no_authorization', async () => {
  const page = await newPage(browser);
  await page.goto(sandbox.origin);
  const { accounts } = await (await fetch(`${sandbox.origin}/demo/api/accounts`)).json();
  const broken = accounts.find((account) => account.status_details?.inactive?.action === 'relink_required');

  await page.getByTestId(`relink-${broken.id}`).click();
  const modal = page.getByRole('dialog');
  await modal.getByTestId('consent-continue').click();
  const network = await holdRequests(page, ['authenticate', 'complete']);
  await modal.getByTestId('login-password').fill(TEST_PASSWORD);
  await modal.getByTestId('login-submit').click();
  await modal.getByRole('heading', { name: /^Connecting to / }).waitFor();
  assert.equal(network.held.length, 1, 'the login is in flight');

  const closedAt = Date.now();
  await page.keyboard.press('Escape');
  await modal.waitFor({ state: 'detached' });
  const outcome = page.getByTestId('outcome-code');
  await page.waitForFunction(() => document.getElementById('outcome-code')?.textContent);
  const settledIn = Date.now() - closedAt;
  assert.ok(settledIn < 1000, `settled ${settledIn} ms after Escape`);
  assert.equal(await outcome.textContent(), 'no_authorization');
  const { financialConnectionsSession: session } = JSON.parse(await page.getByTestId('result-json').textContent());
  assert.equal(session.relink_result.failure_reason, 'no_authorization', 'a relink the server had not finished');

  // Both hung requests (the login and the close's own) were cancelled by the component.
  for (let tries = 0; network.cancelled.length < 2 && tries < 100; tries += 1) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.equal(network.held.length, 2);
  assert.deepEqual(network.cancelled, ['net::ERR_ABORTED', 'net::ERR_ABORTED']);
  await network.release();
  assert.equal(await outcome.textContent(), 'no_authorization', 'a late answer changes nothing');
  assert.deepEqual(page.problems, []);
  await page.close();
});
