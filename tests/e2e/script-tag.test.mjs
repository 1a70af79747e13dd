// relink from one <script> tag: the global API, declarative buttons and mandate forms (including
// ones added after load), and a failed component download that a retry recovers from.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TEST_PASSWORD, launchBrowser, newPage, startSandbox } from './support.mjs';

describe('script tag', () => {
  let sandbox;
  let browser;
  let publishableKey;

  before(async () => {
    sandbox = await startSandbox();
    browser = await launchBrowser();
    publishableKey = (await (await fetch(`${sandbox.origin}/demo/api/config`)).json()).publishable_key;
  });
  after(async () => {
    await browser?.close();
    await sandbox?.stop();
  });

  /**
   * A bare page on the sandbox's origin with the relink script tag added after its Stripe.js tag
   * (the sandbox's drop-in, as in development).
   */
  async function pageWithScriptTag() {
    const page = await newPage(browser);
    await page.goto(`${sandbox.origin}/healthz`);
    await page.addScriptTag({ url: '/v3/' });
    await page.evaluate((key) => new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = '/pkg/relink.script.js';
      script.dataset.publishableKey = key;
      script.onload = resolve;
      script.onerror = reject;
      document.head.append(script);
    }), publishableKey);
    return page;
  }

  test('the demo page works through the global Relink', async () => {
    const page = await newPage(browser);
    await page.goto(`${sandbox.origin}/script.html`);
    await page.getByTestId('link-account').click();
    const modal = page.getByRole('dialog');
    await modal.getByTestId('consent-continue').click();
    await modal.getByRole('button', { name: /Sandbox Bank/ }).click();
    await modal.getByTestId('login-password').fill(TEST_PASSWORD);
    await modal.getByTestId('login-submit').click();
    await modal.getByTestId('account-4321').check();
    await modal.getByTestId('accounts-submit').click();
    await modal.getByTestId('done').click();
    assert.equal(await page.getByTestId('outcome-code').textContent(), 'linked_new_account');
    assert.deepEqual(page.problems, []);
    await page.close();
  });

  test('a button added after load is mounted and reports relink:result', async () => {
    const page = await pageWithScriptTag();
    const result = page.evaluate(() => new Promise((resolve) => {
      const button = document.createElement('button');
      button.textContent = 'Link your bank';
      button.dataset.relinkSession = '';
      button.dataset.sessionEndpoint = '/demo/api/link_session';
      button.addEventListener('relink:result', (event) => resolve(event.detail));
      document.body.append(button);
      button.click();
    }));
    const modal = page.getByRole('dialog');
    await modal.getByTestId('close').click();
    const detail = await result;
    assert.equal(detail.error, undefined, JSON.stringify(detail.error));
    assert.equal(detail.outcome, 'no_account');
    assert.deepEqual(detail.financialConnectionsSession.accounts, []);
    await page.close();
  });

  test('a mandate form added after load is mounted and confirms', async () => {
    const { accounts } = await (await fetch(`${sandbox.origin}/demo/api/accounts`)).json();
    const active = accounts.find((account) => account.status === 'active');
    const { client_secret: secret } = await (await fetch(`${sandbox.origin}/demo/api/setup_intent`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ account: active.id }),
    })).json();
    const page = await pageWithScriptTag();
    const confirmed = page.evaluate((clientSecret) => new Promise((resolve) => {
      const form = document.createElement('form');
      form.dataset.relinkMandate = '';
      form.dataset.secret = clientSecret;
      form.dataset.merchantName = 'Rocket Rides';
      form.addEventListener('relink:confirmed', (event) => resolve(event.detail.setupIntent));
      document.body.append(form);
    }), secret);
    await page.getByTestId('mandate-submit').click();
    const setupIntent = await confirmed;
    assert.equal(setupIntent.status, 'succeeded');
    assert.match(setupIntent.mandate, /^mandate_/);
    await page.close();
  });

  test('a failed component download is retried on the next use', async () => {
    const page = await pageWithScriptTag();
    let failNext = true;
    await page.route('**/pkg/dist/relink_bg.wasm', (route) => {
      if (failNext) {
        failNext = false;
        return route.abort('connectionreset');
      }
      return route.continue();
    });
    const attempts = await page.evaluate(async (key) => {
      const first = await window.Relink.loadRelink(key).then(() => 'loaded', (error) => `failed: ${error.message}`);
      const second = await window.Relink.loadRelink(key).then((relink) => typeof relink.collectFinancialConnectionsAccounts);
      return [first, second];
    }, publishableKey);
    assert.match(attempts[0], /^failed: relink: could not load the component/);
    assert.equal(attempts[1], 'function');
    await page.close();
  });
});
