// The mandate form repairs an inactive bank account by itself: confirm fails with
// financial_connections_account_inactive, the form offers "Reconnect your bank account", runs the
// relink flow with a session the merchant's server creates, and confirms again. Played on a bare
// merchant page that imports the package, against a real sandbox; the merchant's server is this
// test, reached through `createRelinkSession`.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TEST_PASSWORD, launchBrowser, newPage, secretApi, startSandbox } from './support.mjs';

describe('mandate form relink', () => {
  let sandbox;
  let browser;
  let api;
  let publishableKey;

  before(async () => {
    sandbox = await startSandbox();
    browser = await launchBrowser();
    api = secretApi(sandbox.origin);
    publishableKey = (await (await fetch(`${sandbox.origin}/demo/api/config`)).json()).publishable_key;
  });
  after(async () => {
    await browser?.close();
    await sandbox?.stop();
  });

  /** A customer whose checking account was linked, then broke; and a SetupIntent to pay from it. */
  async function brokenAccountWithSetupIntent() {
    const customer = await api('POST', '/v1/customers', { email: 'jenny.rosen@example.com', name: 'Jenny Rosen' });
    const session = await api('POST', '/v1/financial_connections/sessions', {
      'account_holder[type]': 'customer',
      'account_holder[customer]': customer.id,
      'permissions[]': 'payment_method',
    });
    const linked = await api('POST', `/v1/test_helpers/financial_connections/sessions/${session.id}/complete`,
      new URLSearchParams([['institution', 'Sandbox Bank'], ['accounts[]', '6789']]));
    const [account] = linked.accounts.data;
    const setupIntent = await api('POST', '/v1/setup_intents', {
      customer: customer.id,
      'payment_method_types[]': 'us_bank_account',
      'payment_method_data[type]': 'us_bank_account',
      'payment_method_data[us_bank_account][financial_connections_account]': account.id,
      'payment_method_data[billing_details][name]': 'Jenny Rosen',
    });
    await api('POST', `/v1/test_helpers/financial_connections/accounts/${account.id}/deactivate`, { cause: 'access_expired' });
    return { customer, account, setupIntent };
  }

  /** A merchant page with the mandate form mounted; `relink` passes createRelinkSession. */
  async function mandatePage({ customer, account, setupIntent }, { relink }) {
    const page = await newPage(browser);
    const confirms = { count: 0 };
    page.on('request', (request) => {
      if (request.method() === 'POST' && new URL(request.url()).pathname.endsWith('/confirm')) confirms.count += 1;
    });
    await page.goto(`${sandbox.origin}/healthz`);
    // The merchant's server: an exact relink session for the account the SetupIntent uses.
    await page.exposeFunction('createRelinkSessionOnServer', async () => {
      const session = await api('POST', '/v1/financial_connections/sessions', {
        'account_holder[type]': 'customer',
        'account_holder[customer]': customer.id,
        'permissions[]': 'payment_method',
        'relink_options[authorization]': account.authorization,
        'relink_options[account]': account.id,
      });
      return session.client_secret;
    });
    await page.evaluate(async ({ key, secret, relink, existing }) => {
      const { loadRelink } = await import('/pkg/index.js');
      const relinkJs = await loadRelink(key, { apiBase: location.origin });
      const form = document.createElement('form');
      form.dataset.secret = secret;
      const button = document.createElement('button');
      button.textContent = 'Save bank account';
      form.append(button);
      document.body.append(form);
      window.formEvents = [];
      for (const name of ['relink:error', 'relink:relinked', 'relink:confirmed']) {
        form.addEventListener(name, (event) => window.formEvents.push([name, event.detail]));
      }
      relinkJs.mountMandateForm(form, {
        merchantName: 'Rocket Rides',
        existingAccountIds: existing,
        ...(relink ? { createRelinkSession: () => window.createRelinkSessionOnServer() } : {}),
      });
    }, { key: publishableKey, secret: setupIntent.client_secret, relink, existing: [account.id] });
    return { page, confirms, form: page.locator('form') };
  }

  test('reconnecting the bank account from the form relinks it and confirms the SetupIntent', async () => {
    const broken = await brokenAccountWithSetupIntent();
    const { page, confirms, form } = await mandatePage(broken, { relink: true });
    await form.getByRole('button', { name: 'Save bank account' }).click();
    await form.getByTestId('mandate-error').filter({ hasText: /Reconnect your bank account/ }).waitFor();
    const reconnect = form.getByRole('button', { name: 'Reconnect your bank account' });
    await reconnect.click();

    const modal = page.getByRole('dialog');
    await modal.getByTestId('consent-continue').click();
    await modal.getByTestId('login-password').fill(TEST_PASSWORD);
    await modal.getByTestId('login-submit').click();
    await modal.getByTestId('account-6789').check();
    await modal.getByTestId('accounts-submit').click();
    await modal.getByTestId('done').click();

    await page.waitForFunction(() => window.formEvents.some(([name]) => name === 'relink:confirmed'));
    const events = await page.evaluate(() => window.formEvents.map(([name, detail]) =>
      [name, detail.error?.code ?? detail.outcome ?? detail.setupIntent?.status]));
    assert.deepEqual(events, [
      ['relink:error', 'financial_connections_account_inactive'],
      ['relink:relinked', 'relinked_expected_account'],
      ['relink:confirmed', 'succeeded'],
    ]);
    assert.equal(confirms.count, 2, 'one failed attempt, one automatic retry');
    assert.ok(await reconnect.isHidden());
    const account = await api('GET', `/v1/financial_connections/accounts/${broken.account.id}`);
    assert.equal(account.status, 'active');
    const setupIntent = await api('GET', `/v1/setup_intents/${broken.setupIntent.id}`);
    assert.equal(setupIntent.status, 'succeeded');
    // The browser logs the failed confirm (400) and the bare page's missing favicon (404) itself.
    assert.deepEqual(page.problems.filter((problem) => !/Failed to load resource/.test(problem)), []);
    await page.close();
  });

  test('without createRelinkSession the form only shows the error', async () => {
    const broken = await brokenAccountWithSetupIntent();
    const { page, form } = await mandatePage(broken, { relink: false });
    await form.getByRole('button', { name: 'Save bank account' }).click();
    await form.getByTestId('mandate-error').filter({ hasText: /relink/ }).waitFor();
    assert.equal(await form.getByTestId('mandate-relink').count(), 0);
    assert.ok(await form.getByRole('button', { name: 'Save bank account' }).isEnabled());
    await page.close();
  });
});
