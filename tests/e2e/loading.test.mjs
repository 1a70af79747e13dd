// Loading the component: once initialised it rehearses its first paint off the page while the
// page is idle (so that the customer's first modal does not wait for code to compile). The page
// must not notice: no element, attribute, style or listener changes until a flow is opened.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, listenerCount, startSandbox } from './support.mjs';

describe('loading the component', () => {
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

  const snapshot = (page) => page.evaluate(() => ({
    html: document.documentElement.outerHTML,
    activeElement: document.activeElement?.id ?? null,
  }));

  test('leaves the page untouched while idle, and the first flow then opens as usual', async () => {
    // A bare page of the sandbox's origin (its favicon request 404s, so page errors are not checked).
    const page = await browser.newPage();
    await page.goto(`${sandbox.origin}/healthz`);
    // A merchant's page in development: the sandbox's Stripe.js drop-in in place of js.stripe.com.
    await page.addScriptTag({ url: '/v3/' });
    await page.evaluate(() => {
      document.body.innerHTML = '<main><h1>Billing</h1><button id="reconnect">Reconnect your bank</button></main>';
      document.getElementById('reconnect').focus();
    });
    const cdp = await page.context().newCDPSession(page);
    const before = await snapshot(page);
    const listenersBefore = await listenerCount(cdp);

    await page.evaluate(async (key) => {
      const { loadRelink } = await import('/pkg/dist/relink.esm.js');
      window.relink = await loadRelink(key, { stripe: window.Stripe(key) });
      // Two idle periods: the drop-in preloads its flow UI when the page goes idle, and the flow
      // UI then rehearses its first paint off the page in an idle callback of its own.
      for (let idle = 0; idle < 2; idle += 1) await new Promise((resolve) => requestIdleCallback(resolve));
      await window.Stripe(key).retrieveSetupIntent('seti_x_secret_y'); // waits for the flow UI
      for (let idle = 0; idle < 2; idle += 1) await new Promise((resolve) => requestIdleCallback(resolve));
    }, publishableKey);

    assert.deepEqual(await snapshot(page), before, 'the page is exactly as it was');
    assert.equal(await listenerCount(cdp), listenersBefore, 'no listener was left on the page');

    const { client_secret: clientSecret } = await (await fetch(`${sandbox.origin}/demo/api/link_session`, { method: 'POST' })).json();
    const result = page.evaluate((clientSecret) => window.relink.collectFinancialConnectionsAccounts({ clientSecret }), clientSecret);
    await page.getByRole('dialog').getByTestId('consent-continue').waitFor();
    await page.keyboard.press('Escape');
    assert.equal((await result).outcome, 'no_account');
    assert.deepEqual(await snapshot(page), before, 'closing restored the page, focus included');
    await page.close();
  });
});
