// Proactive relink on the demo merchant page: an account whose bank consent lapses on a date
// shows "Stops working on <date> — relink now" with a Relink button; relinking from it keeps the
// account working and moves the date; the dashboard lists the account as eligible for a relink
// email while it still works.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TEST_PASSWORD, launchBrowser, newPage, secretApi, startSandbox } from './support.mjs';

const DAY = 24 * 60 * 60;
const NOTICE = /^Stops working on (.+) — relink now$/;

describe('proactive relink on the demo page', () => {
  let sandbox;
  let browser;
  let api;
  let account;

  before(async () => {
    sandbox = await startSandbox();
    browser = await launchBrowser();
    api = secretApi(sandbox.origin);
    // The demo customer links at Expiring Consent (a 14-day consent), then a week goes by.
    const session = await api('POST', '/v1/financial_connections/sessions', [
      ['account_holder[type]', 'customer'], ['account_holder[customer]', 'cus_demo_jennyrosen'],
      ['permissions[]', 'payment_method'], ['permissions[]', 'balances'],
    ]);
    const done = await api('POST', `/v1/test_helpers/financial_connections/sessions/${session.id}/complete`,
      [['institution', 'Expiring Consent'], ['accounts[]', '2222']]);
    account = done.accounts.data[0];
    await api('POST', '/v1/test_helpers/clock', { seconds: String(7 * DAY) });
  });
  after(async () => {
    await browser?.close();
    await sandbox?.stop();
  });

  test('the page says when the account stops working, and relinking from it moves the date', async () => {
    const page = await newPage(browser);
    await page.goto(`${sandbox.origin}/`);
    const notice = page.getByTestId(`stops-working-${account.id}`);
    await notice.waitFor();
    const before = (await notice.textContent()).trim();
    assert.match(before, NOTICE);
    const date = new Date(account.status_details.active.expected_deactivation_date * 1000);
    assert.equal(await notice.locator('time').getAttribute('datetime'), date.toISOString().slice(0, 10));

    const relink = page.getByRole('button', { name: `Relink Expiring Consent Joint Checking ••••2222` });
    assert.equal(await relink.getAttribute('data-testid'), `relink-${account.id}`);
    await relink.click();
    const modal = page.getByRole('dialog');
    await modal.waitFor();
    await modal.getByTestId('consent-continue').click();
    await modal.getByTestId('login-password').fill(TEST_PASSWORD);
    await modal.getByTestId('login-submit').click();
    await modal.getByTestId('account-2222').check();
    await modal.getByTestId('accounts-submit').click();
    await modal.getByTestId('done').click();
    await modal.waitFor({ state: 'detached' });

    // The component's outcome is the ordinary one for an exact relink.
    assert.equal(await page.getByTestId('outcome-code').textContent(), 'relinked_expected_account');
    await notice.filter({ hasNotText: before }).waitFor();
    assert.match((await notice.textContent()).trim(), NOTICE);
    const moved = await notice.locator('time').getAttribute('datetime');
    assert.ok(moved > date.toISOString().slice(0, 10), `${moved} is a week later than ${date.toISOString()}`);
    const repaired = await api('GET', `/v1/financial_connections/accounts/${account.id}`);
    assert.equal(repaired.status, 'active');
    assert.deepEqual(page.problems, []);
    await page.close();
  });

  test('the dashboard lists the account as eligible for a relink email', async () => {
    const page = await newPage(browser);
    await page.goto(`${sandbox.origin}/dashboard.html`);
    const detail = page.getByTestId(`detail-${account.id}`);
    await detail.waitFor();
    assert.match(await detail.textContent(), /stops working on .+ · eligible for a relink email/);
    assert.equal(await page.getByTestId(`select-${account.id}`).isEnabled(), true);
    assert.deepEqual(page.problems, []);
    await page.close();
  });
});
