// Every outcome a merchant can get from collectFinancialConnectionsAccounts, clicked through in
// headless Chromium against a real sandbox. The merchant backend's part (customers, sessions,
// breaking links) is played through the sandbox's secret-key API.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TEST_MFA_CODE, TEST_PASSWORD, launchBrowser, newPage, secretApi, startSandbox } from './support.mjs';

describe('outcomes', () => {
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

  async function customerWithBrokenLink(last4s = ['6789', '4321'], institution = 'Sandbox Bank') {
    const customer = await api('POST', '/v1/customers', { email: 'jenny.rosen@example.com', name: 'Jenny Rosen' });
    const session = await api('POST', '/v1/financial_connections/sessions', {
      'account_holder[type]': 'customer',
      'account_holder[customer]': customer.id,
      'permissions[]': 'payment_method',
    });
    const params = new URLSearchParams({ institution });
    for (const last4 of last4s) params.append('accounts[]', last4);
    const linked = await api('POST', `/v1/test_helpers/financial_connections/sessions/${session.id}/complete`, params);
    const accounts = linked.accounts.data;
    await api('POST', `/v1/test_helpers/financial_connections/accounts/${accounts[0].id}/deactivate`, { cause: 'access_expired' });
    return { customer, accounts };
  }

  async function relinkSession(customer, account, { exact = true } = {}) {
    const params = {
      'account_holder[type]': 'customer',
      'account_holder[customer]': customer.id,
      'permissions[]': 'payment_method',
      'relink_options[authorization]': account.authorization,
    };
    if (exact) params['relink_options[account]'] = account.id;
    return api('POST', '/v1/financial_connections/sessions', params);
  }

  /** Opens the flow on a bare page of the sandbox's origin; resolves the page and the pending result. */
  async function openFlow(clientSecret, existingAccountIds = [], { withFetchSession = false } = {}) {
    const page = await newPage(browser);
    await page.goto(`${sandbox.origin}/healthz`);
    const result = page.evaluate(async ({ key, clientSecret, existingAccountIds, withFetchSession }) => {
      const { loadRelink } = await import('/pkg/index.js');
      const relink = await loadRelink(key, { apiBase: location.origin });
      window.relink = relink;
      // The merchant's server retrieving the session in the preview version (played here with
      // the sandbox's secret key).
      const fetchSession = async (id) => (await fetch(`/v1/financial_connections/sessions/${id}`, {
        headers: { Authorization: 'Bearer sk_test_relinksandbox000000000000', 'Stripe-Version': '2026-04-22.preview' },
      })).json();
      return relink.collectFinancialConnectionsAccounts({
        clientSecret, existingAccountIds, ...(withFetchSession ? { fetchSession } : {}),
      });
    }, { key: publishableKey, clientSecret, existingAccountIds, withFetchSession });
    const modal = page.getByRole('dialog');
    return { page, modal, result };
  }

  async function signIn(modal, password = TEST_PASSWORD) {
    await modal.getByTestId('consent-continue').click();
    await modal.getByTestId('login-password').fill(password);
    await modal.getByTestId('login-submit').click();
  }

  test('authorization-only relink with an account the merchant had: relinked_existing_account', async () => {
    const { customer, accounts } = await customerWithBrokenLink();
    const session = await relinkSession(customer, accounts[0], { exact: false });
    const { page, modal, result } = await openFlow(session.client_secret, accounts.map((a) => a.id));
    await signIn(modal);
    await modal.getByTestId('account-4321').check();
    await modal.getByTestId('accounts-submit').click();
    await modal.getByTestId('done').click();
    const { financialConnectionsSession, outcome, isNew } = await result;
    assert.equal(outcome, 'relinked_existing_account');
    assert.equal(isNew, false);
    assert.equal(financialConnectionsSession.accounts[0].id, accounts[1].id);
    assert.equal(financialConnectionsSession.relink_result.authorization, accounts[0].authorization);
    assert.equal(financialConnectionsSession.relink_result.account, null);
    await page.close();
  });

  test('authorization-only relink with another account: linked_new_account and isNew', async () => {
    const { customer, accounts } = await customerWithBrokenLink();
    const session = await relinkSession(customer, accounts[0], { exact: false });
    const { page, modal, result } = await openFlow(session.client_secret, accounts.map((a) => a.id));
    await signIn(modal);
    await modal.getByTestId('account-2222').check();
    await modal.getByTestId('accounts-submit').click();
    await modal.getByTestId('done').click();
    const { financialConnectionsSession, outcome, isNew } = await result;
    assert.equal(outcome, 'linked_new_account');
    assert.equal(isNew, true);
    assert.equal(financialConnectionsSession.accounts[0].last4, '2222');
    assert.equal(financialConnectionsSession.accounts[0].authorization, accounts[0].authorization);
    await page.close();
  });

  test('exact relink, another account picked, then closed: no_account', async () => {
    const { customer, accounts } = await customerWithBrokenLink();
    const session = await relinkSession(customer, accounts[0]);
    const { page, modal, result } = await openFlow(session.client_secret, accounts.map((a) => a.id));
    await signIn(modal);
    await modal.getByTestId('account-4321').check();
    await modal.getByTestId('accounts-submit').click();
    await modal.getByTestId('wrong-account-close').click();
    const { financialConnectionsSession, outcome, isNew } = await result;
    assert.equal(outcome, 'no_account');
    assert.equal(isNew, null);
    assert.deepEqual(financialConnectionsSession.accounts, []);
    assert.equal(financialConnectionsSession.relink_result.failure_reason, 'no_account');
    await page.close();
  });

  test('exact relink, wrong account, try again with the right one: relinked_expected_account', async () => {
    const { customer, accounts } = await customerWithBrokenLink();
    const session = await relinkSession(customer, accounts[0]);
    const { page, modal, result } = await openFlow(session.client_secret, accounts.map((a) => a.id));
    await signIn(modal);
    await modal.getByTestId('account-4321').check();
    await modal.getByTestId('accounts-submit').click();
    await modal.getByTestId('wrong-account-retry').click();
    await modal.getByTestId('account-6789').check();
    await modal.getByTestId('accounts-submit').click();
    await modal.getByTestId('done').click();
    const { outcome } = await result;
    assert.equal(outcome, 'relinked_expected_account');
    await page.close();
  });

  test('closed before signing in: no_authorization', async () => {
    const { customer, accounts } = await customerWithBrokenLink();
    const session = await relinkSession(customer, accounts[0]);
    const { page, modal, result } = await openFlow(session.client_secret);
    await modal.getByTestId('close').click();
    const { financialConnectionsSession, outcome } = await result;
    assert.equal(outcome, 'no_authorization');
    assert.equal(financialConnectionsSession.relink_result.failure_reason, 'no_authorization');
    await page.close();
  });

  test('a failed login, then giving up: no_authorization', async () => {
    const { customer, accounts } = await customerWithBrokenLink();
    const session = await relinkSession(customer, accounts[0]);
    const { page, modal, result } = await openFlow(session.client_secret);
    await signIn(modal, 'not the password');
    await modal.getByTestId('error-message').waitFor();
    await modal.getByTestId('close').click();
    assert.equal((await result).outcome, 'no_authorization');
    await page.close();
  });

  test('the bank is down: no_account from Stripe.js\'s session alone, other once fetchSession tells', async () => {
    for (const withFetchSession of [false, true]) {
    const session = await (await fetch(`${sandbox.origin}/demo/api/link_session`, { method: 'POST' })).json();
    const { page, modal, result } = await openFlow(session.client_secret, [], { withFetchSession });
    await modal.getByTestId('consent-continue').click();
    await modal.getByRole('button', { name: /Down Bank/ }).click();
    const password = modal.getByTestId('login-password');
    if (await password.isVisible().catch(() => false)) {
      await password.fill(TEST_PASSWORD);
      await modal.getByTestId('login-submit').click();
    }
    await modal.getByTestId('done').or(modal.getByTestId('close')).first().click();
    const { outcome, financialConnectionsSession } = await result;
    // Stripe.js resolves a plain session without `status`: only the server's copy says it failed.
    assert.equal(outcome, withFetchSession ? 'other' : 'no_account');
    assert.equal(financialConnectionsSession.status, withFetchSession ? 'failed' : undefined);
    assert.deepEqual(financialConnectionsSession.accounts, []);
    await page.close();
    }
  });

  test('OAuth Bank: the customer picks a different account in the bank window', async () => {
    const { customer, accounts } = await customerWithBrokenLink(['6789'], 'OAuth Bank');
    const session = await relinkSession(customer, accounts[0], { exact: false });
    const { page, modal, result } = await openFlow(session.client_secret, [accounts[0].id]);
    await modal.getByTestId('consent-continue').click();
    await modal.getByTestId('oauth-authorize').click();
    await modal.getByTestId('account-2222').check();
    await modal.getByTestId('accounts-submit').click();
    await modal.getByTestId('done').click();
    const { financialConnectionsSession, outcome, isNew } = await result;
    assert.equal(outcome, 'linked_new_account');
    assert.equal(isNew, true);
    assert.equal(financialConnectionsSession.accounts[0].last4, '2222');
    assert.equal(financialConnectionsSession.accounts[0].institution_name, 'OAuth Bank');
    assert.equal(financialConnectionsSession.relink_result.authorization, accounts[0].authorization);
    await page.close();
  });

  test('a used session cannot launch: error, never a session', async () => {
    const { customer, accounts } = await customerWithBrokenLink();
    const session = await relinkSession(customer, accounts[0]);
    await api('POST', `/v1/test_helpers/financial_connections/sessions/${session.id}/complete`, { authentication: 'abandoned' });
    const { page, result } = await openFlow(session.client_secret);
    const { error, financialConnectionsSession, outcome } = await result;
    assert.equal(outcome, 'could_not_launch');
    assert.equal(financialConnectionsSession, undefined);
    assert.equal(error.type, 'invalid_request_error');
    assert.equal(error.code, 'token_already_used');
    assert.equal(await page.locator('#relink-modal').count(), 0, 'no modal is left behind');
    await page.close();
  });

  test('a second call while a flow is open gets a clear error and no second modal', async () => {
    const plain = await (await fetch(`${sandbox.origin}/demo/api/link_session`, { method: 'POST' })).json();
    const other = await (await fetch(`${sandbox.origin}/demo/api/link_session`, { method: 'POST' })).json();
    const { page, modal, result } = await openFlow(plain.client_secret);
    await modal.getByTestId('consent-continue').waitFor();
    const second = await page.evaluate((clientSecret) => window.relink.collectFinancialConnectionsAccounts({ clientSecret }), other.client_secret);
    assert.equal(second.outcome, 'could_not_launch');
    assert.equal(second.error.code, 'flow_already_open');
    assert.equal(await page.locator('#relink-modal').count(), 1);
    // abort() cannot close Stripe.js's modal, nor the drop-in's: the customer closes it.
    await page.evaluate(() => window.relink.abort());
    assert.equal(await page.locator('#relink-modal').count(), 1, 'abort() leaves the modal open');
    await modal.getByTestId('close').click();
    assert.equal((await result).outcome, 'no_account');
    await page.close();
  });

  test('a page hidden mid-flow (the customer went to find the MFA code) carries on and settles once', async () => {
    const plain = await (await fetch(`${sandbox.origin}/demo/api/link_session`, { method: 'POST' })).json();
    const page = await newPage(browser);
    await page.goto(`${sandbox.origin}/healthz`);
    const result = page.evaluate(async ({ key, clientSecret }) => {
      const { loadRelink } = await import('/pkg/index.js');
      const relink = await loadRelink(key, { apiBase: location.origin });
      window.events = [];
      return relink.collectFinancialConnectionsAccounts({ clientSecret, onEvent: (event) => window.events.push(event.type) });
    }, { key: publishableKey, clientSecret: plain.client_secret });
    const modal = page.getByRole('dialog');
    await modal.getByTestId('consent-continue').click();
    await modal.getByRole('button', { name: /MFA Bank/ }).click();
    await modal.getByTestId('login-password').fill(TEST_PASSWORD);
    await modal.getByTestId('login-submit').click();
    await modal.getByTestId('mfa-code').waitFor();

    // The customer switches to another app for the code. Headless Chromium cannot hide a page,
    // so the page is told it is hidden and, as in a background tab, runs no animation frames;
    // the code is typed in while it still thinks so, then the page comes back to the front.
    const setHidden = (hidden) => page.evaluate((hidden) => {
      window.realRequestAnimationFrame ??= window.requestAnimationFrame;
      window.requestAnimationFrame = hidden ? () => 0 : window.realRequestAnimationFrame;
      Object.defineProperty(document, 'hidden', { value: hidden, configurable: true });
      Object.defineProperty(document, 'visibilityState', { value: hidden ? 'hidden' : 'visible', configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    }, hidden);
    await setHidden(true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(await modal.getByTestId('mfa-code').isVisible(), true, 'the flow is still open');
    await modal.getByTestId('mfa-code').fill(TEST_MFA_CODE);
    await modal.getByTestId('mfa-submit').click();
    await modal.getByTestId('account-6789').waitFor();
    await setHidden(false);
    await modal.getByTestId('account-6789').check();
    await modal.getByTestId('accounts-submit').click();
    await modal.getByTestId('done').click();
    const { outcome, financialConnectionsSession } = await result;
    assert.equal(outcome, 'linked_new_account');
    assert.equal(financialConnectionsSession.accounts[0].last4, '6789');
    const events = await page.evaluate(() => window.events);
    assert.equal(events.filter((type) => type === 'success').length, 1);
    assert.equal(events.filter((type) => type === 'close').length, 1);
    assert.equal(events.at(-1), 'close');
    await page.close();
  });

  test('the sandbox going away mid-flow settles with an error instead of hanging', async () => {
    const own = await startSandbox();
    try {
      const key = (await (await fetch(`${own.origin}/demo/api/config`)).json()).publishable_key;
      const plain = await (await fetch(`${own.origin}/demo/api/link_session`, { method: 'POST' })).json();
      const page = await newPage(browser);
      await page.goto(`${own.origin}/healthz`);
      await page.evaluate(() => import('/pkg/index.js'));
      const result = page.evaluate(async ({ key, clientSecret }) => {
        const { loadRelink } = await import('/pkg/index.js');
        const relink = await loadRelink(key, { apiBase: location.origin });
        return relink.collectFinancialConnectionsAccounts({ clientSecret });
      }, { key, clientSecret: plain.client_secret });
      const modal = page.getByRole('dialog');
      await modal.getByTestId('consent-continue').click();
      await modal.getByRole('button', { name: /Sandbox Bank/ }).click();
      await own.stop();
      await modal.getByTestId('login-password').fill(TEST_PASSWORD);
      await modal.getByTestId('login-submit').click();
      await modal.getByTestId('error-message').waitFor();
      await modal.getByTestId('close').click();
      const settled = await result;
      assert.equal(settled.outcome, 'could_not_launch');
      assert.equal(settled.error.type, 'api_connection_error');
      await page.close();
    } finally {
      await own.stop();
    }
  });
});
