// The ACH mandate form and payouts on the demo page: confirm, duplicate submissions, an error
// then a retry, an inactive account relinked from inside the form, and a payouts token.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TEST_PASSWORD, launchBrowser, newPage, startSandbox } from './support.mjs';

for (const [variant, path] of [['ESM', '/'], ['script tag', '/script.html']]) describe(`mandate form and payouts (${variant})`, () => {
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

  async function demoAccounts() {
    return (await (await fetch(`${sandbox.origin}/demo/api/accounts`)).json()).accounts;
  }

  async function openMandate(page, account) {
    await page.goto(`${sandbox.origin}${path}`);
    await page.getByTestId(`pay-${account.id}`).click();
    const form = page.getByTestId('mandate-form');
    await form.getByTestId('mandate-submit').waitFor();
    return form;
  }

  /** Counts confirm requests the page sends. */
  function countConfirms(page) {
    const seen = { count: 0 };
    page.on('request', (request) => {
      if (request.method() === 'POST' && /\/v1\/setup_intents\/[^/]+\/confirm$/.test(new URL(request.url()).pathname)) seen.count += 1;
    });
    return seen;
  }

  test('the mandate names the bank and last four, and twenty rapid clicks confirm once', async () => {
    const account = (await demoAccounts()).find((a) => a.status === 'active');
    const page = await newPage(browser);
    const confirms = countConfirms(page);
    const form = await openMandate(page, account);
    const text = await form.getByTestId('mandate-text').textContent();
    assert.match(text, new RegExp(account.last4));
    assert.match(text, /Rocket Rides/);

    const submit = form.getByTestId('mandate-submit');
    await submit.evaluate((button) => {
      for (let click = 0; click < 20; click += 1) button.click();
    });
    await page.getByTestId('outcome').filter({ hasText: /mandate mandate_/ }).waitFor();
    assert.equal(confirms.count, 1);
    assert.ok(await submit.isDisabled(), 'a confirmed form stays disabled');
    assert.deepEqual(page.problems, []);
    await page.close();
  });

  test('Enter pressed repeatedly also confirms once', async () => {
    const account = (await demoAccounts()).find((a) => a.status === 'active');
    const page = await newPage(browser);
    const confirms = countConfirms(page);
    const form = await openMandate(page, account);
    await form.getByTestId('mandate-submit').focus();
    for (let press = 0; press < 20; press += 1) await page.keyboard.press('Enter');
    await page.getByTestId('outcome').filter({ hasText: /mandate mandate_/ }).waitFor();
    assert.equal(confirms.count, 1);
    await page.close();
  });

  test('a failed confirm shows the error, re-enables, and a retry succeeds', async () => {
    const account = (await demoAccounts()).find((a) => a.status === 'active');
    const page = await newPage(browser);
    let failNext = true;
    await page.route('**/v1/setup_intents/*/confirm', (route) => {
      if (!failNext) return route.continue();
      failNext = false;
      return route.fulfill({
        status: 500,
        contentType: 'application/json',
        body: JSON.stringify({ error: { type: 'api_error', message: 'Something went wrong on our side.' } }),
      });
    });
    const form = await openMandate(page, account);
    await form.getByTestId('mandate-submit').click();
    await form.getByTestId('mandate-error').filter({ hasText: /Something went wrong/ }).waitFor();
    assert.ok(await form.getByTestId('mandate-submit').isEnabled(), 're-enabled after the error');
    await form.getByTestId('mandate-submit').click();
    await page.getByTestId('outcome').filter({ hasText: /mandate mandate_/ }).waitFor();
    await page.close();
  });

  test('an inactive account is relinked from the form, then the mandate confirms', async () => {
    const broken = (await demoAccounts()).find((a) => a.status_details?.inactive?.action === 'relink_required');
    const page = await newPage(browser);
    const form = await openMandate(page, broken);
    await form.getByTestId('mandate-submit').click();
    await form.getByTestId('mandate-relink').click();
    const modal = page.getByRole('dialog');
    await modal.getByTestId('consent-continue').click();
    await modal.getByTestId('login-password').fill(TEST_PASSWORD);
    await modal.getByTestId('login-submit').click();
    await modal.getByTestId(`account-${broken.last4}`).check();
    await modal.getByTestId('accounts-submit').click();
    await modal.getByTestId('done').click();
    await page.getByTestId('outcome').filter({ hasText: /mandate mandate_/ }).waitFor();
    const account = (await demoAccounts()).find((a) => a.id === broken.id);
    assert.equal(account.status, 'active');
    await page.close();
  });

  test('payouts: an outbound SetupIntent and a bank account token', async () => {
    const account = (await demoAccounts()).find((a) => a.status === 'active');
    const page = await newPage(browser);
    await page.goto(`${sandbox.origin}${path}`);
    await page.getByTestId(`payouts-${account.id}`).click();
    await page.getByTestId('outcome').filter({ hasText: /btok_/ }).waitFor();
    const payload = JSON.parse(await page.getByTestId('result-json').textContent());
    assert.equal(payload.setupIntent.status, 'succeeded');
    assert.deepEqual(payload.setupIntent.flow_directions, ['outbound']);
    assert.equal(payload.token.bank_account.last4, account.last4);
    await page.close();
  });
});
