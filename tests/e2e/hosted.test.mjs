// Hosted relink, as a merchant and a customer live it: the dashboard's "Request relink", the
// email in the outbox, the hosted page reached by its single-use link, and the repaired account.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TEST_PASSWORD, launchBrowser, newPage, startSandbox } from './support.mjs';

describe('hosted relink', () => {
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

  test('request a relink in the dashboard, relink on the hosted page, the link is then spent', async () => {
    const { accounts } = await (await fetch(`${sandbox.origin}/demo/api/accounts`)).json();
    const broken = accounts.find((account) => account.status_details?.inactive?.action === 'relink_required');

    const page = await newPage(browser);
    page.on('dialog', (dialog) => dialog.accept());
    await page.goto(`${sandbox.origin}/dashboard.html`);
    await page.getByTestId(`select-${broken.id}`).check();
    await page.getByTestId('request-relink').click();
    const link = page.getByTestId('outbox').getByTestId('email-link').first();
    await link.waitFor();
    const url = await link.getAttribute('href');
    assert.match(url, /hosted-relink\.html#token=/);
    assert.doesNotMatch(url, /secret/, 'the link carries a token, never a client secret');

    await link.click();
    await page.waitForURL(/hosted-relink\.html$/);
    await page.getByTestId('consent-continue').click();
    await page.getByTestId('login-password').fill(TEST_PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.getByTestId(`account-${broken.last4}`).check();
    await page.getByTestId('accounts-submit').click();
    await page.getByTestId('done').click();
    const status = page.getByTestId('hosted-status');
    await status.filter({ hasText: /reconnected/ }).waitFor();
    assert.equal(await status.getAttribute('data-outcome'), 'relinked_expected_account');
    assert.equal(page.url().includes('token'), false, 'the token left the address bar');

    const repaired = (await (await fetch(`${sandbox.origin}/demo/api/accounts`)).json()).accounts.find((a) => a.id === broken.id);
    assert.equal(repaired.status, 'active');

    await page.goto('about:blank'); // a fresh load, not a same-document hash change
    await page.goto(url);
    await status.filter({ hasText: /already used/ }).waitFor();
    assert.deepEqual(page.problems.filter((p) => !p.includes('status of 4')), []);
    await page.close();
  });
});
