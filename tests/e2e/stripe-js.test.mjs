// The Stripe.js drop-in, proven with the official packages: a merchant app written against
// @stripe/stripe-js (tests/stripe-js/app.ts, bundled with esbuild, `loadStripe` and all) runs in
// headless Chromium from its own origin with the sandbox's drop-in tag on the page, and its
// server half (tests/stripe-js/server.mjs) uses the official `stripe` package against the sandbox.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import { build } from 'esbuild';
import ts from 'typescript';
import { PREVIEW, startMerchant } from '../stripe-js/server.mjs';
import { TEST_PASSWORD, launchBrowser, newPage, startSandbox } from './support.mjs';

const SECRET_KEY = 'sk_test_relinksandbox000000000000';
const APP = new URL('../stripe-js/app.ts', import.meta.url).pathname;
const STRIPE_JS_TYPES = new URL('../node_modules/@stripe/stripe-js/dist/stripe-js/stripe.d.ts', import.meta.url).pathname;
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const SUPPORTED = ['collectFinancialConnectionsAccounts', 'collectBankAccountToken', 'collectBankAccountForSetup',
  'confirmUsBankAccountSetup', 'retrieveSetupIntent'];

/** The methods of @stripe/stripe-js's `Stripe` interface, read from its declarations. */
function stripeJsMethods() {
  const program = ts.createProgram([STRIPE_JS_TYPES], { strict: true, noEmit: true });
  const checker = program.getTypeChecker();
  let names = [];
  ts.forEachChild(program.getSourceFile(STRIPE_JS_TYPES), (node) => {
    if (ts.isInterfaceDeclaration(node) && node.name.text === 'Stripe') {
      names = checker.getPropertiesOfType(checker.getTypeAtLocation(node)).map((property) => property.name);
    }
  });
  return names;
}

describe('Stripe.js drop-in with @stripe/stripe-js and stripe-node', () => {
  let sandbox;
  let merchant;
  let browser;
  let stripe;
  let publishableKey;

  before(async () => {
    sandbox = await startSandbox();
    ({ publishable_key: publishableKey } = await (await fetch(`${sandbox.origin}/demo/api/config`)).json());
    const bundled = await build({ entryPoints: [APP], bundle: true, format: 'esm', write: false, logLevel: 'warning' });
    merchant = await startMerchant({
      sandboxOrigin: sandbox.origin, secretKey: SECRET_KEY, publishableKey, appJs: bundled.outputFiles[0].text,
    });
    stripe = merchant.stripe;
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await merchant?.close();
    await sandbox?.stop();
  });

  /** A customer with accounts linked at `institution` (through the test helper), the first broken. */
  async function customerWithBrokenLink(last4s = ['6789', '4321'], institution = 'Sandbox Bank') {
    const customer = await stripe.customers.create({ email: 'jenny.rosen@example.com', name: 'Jenny Rosen' });
    const session = await stripe.financialConnections.sessions.create({
      account_holder: { type: 'customer', customer: customer.id },
      permissions: ['payment_method'],
    });
    const linked = await stripe.rawRequest('POST',
      `/v1/test_helpers/financial_connections/sessions/${session.id}/complete`, { institution, accounts: last4s },
      { apiVersion: PREVIEW });
    const accounts = linked.accounts.data;
    await stripe.rawRequest('POST',
      `/v1/test_helpers/financial_connections/accounts/${accounts[0].id}/deactivate`, { cause: 'access_expired' });
    return { customer, accounts };
  }

  /** The merchant's page for `customer` (and the account its relink buttons repair). */
  async function openApp(customer, account, { path = '/', page: given } = {}) {
    const page = given ?? await newPage(browser);
    const query = new URLSearchParams({ customer: customer.id, ...(account ? { account: account.id } : {}) });
    await page.goto(`${merchant.origin}${path}?${query}`);
    await page.locator('body[data-ready=true]').waitFor();
    return page;
  }

  /** Clicks `button` and resolves what Stripe.js resolved for it once `finish(modal)` is done. */
  async function run(page, button, finish) {
    const before = await page.evaluate(() => window.stripeResults.length);
    await button.click();
    const modal = page.getByRole('dialog');
    if (finish) await finish(modal);
    await page.waitForFunction((count) => window.stripeResults.length > count, before);
    return page.evaluate(() => window.stripeResults.at(-1));
  }

  async function signIn(modal, bank) {
    await modal.getByTestId('consent-continue').click();
    if (bank) await modal.getByRole('button', { name: bank }).click();
    await modal.getByTestId('login-password').fill(TEST_PASSWORD);
    await modal.getByTestId('login-submit').click();
  }

  async function pick(modal, last4) {
    await modal.getByTestId(`account-${last4}`).check();
    await modal.getByTestId('accounts-submit').click();
  }

  function assertStripeSession(session) {
    const allowed = ['id', 'accounts', 'permissions', 'return_url', 'relink_result'];
    assert.deepEqual(Object.keys(session).filter((key) => !allowed.includes(key)), [], 'only Stripe.js\'s keys');
    assert.ok(Array.isArray(session.accounts), 'accounts is a plain array');
  }

  test('a plain link resolves exactly {financialConnectionsSession}, as Stripe.js does', async () => {
    const customer = await stripe.customers.create({ email: 'jenny.rosen@example.com' });
    const page = await openApp(customer);
    const result = await run(page, page.locator('#link'), async (modal) => {
      await signIn(modal, /Sandbox Bank/);
      await pick(modal, '6789');
      await modal.getByTestId('done').click();
    });
    assert.deepEqual(Object.keys(result), ['financialConnectionsSession']);
    const session = result.financialConnectionsSession;
    assertStripeSession(session);
    assert.equal(session.relink_result, undefined, 'a plain session has no relink_result');
    assert.equal(session.accounts.length, 1);
    assert.equal(session.accounts[0].last4, '6789');
    assert.match(await page.locator('#result').textContent(), /link: linked .* 6789/);
    // The merchant's server sees the same account through stripe-node.
    const retrieved = await stripe.financialConnections.sessions.retrieve(session.id);
    assert.equal(retrieved.accounts.data[0].id, session.accounts[0].id);
    assert.deepEqual(page.problems, []);
    await page.close();
  });

  test('relink of the expected account: relink_result.account, as the seeds\' code reads it', async () => {
    const { customer, accounts } = await customerWithBrokenLink();
    const page = await openApp(customer, accounts[0]);
    const result = await run(page, page.locator('button[data-relink=exact]'), async (modal) => {
      await signIn(modal);
      await pick(modal, '6789');
      await modal.getByTestId('done').click();
    });
    const session = result.financialConnectionsSession;
    assertStripeSession(session);
    assert.deepEqual(session.relink_result, { account: accounts[0].id, authorization: accounts[0].authorization, failure_reason: null });
    assert.equal(session.accounts[0].id, accounts[0].id);
    assert.equal(await page.locator('#result').textContent(), `relink: relinked ${accounts[0].id}`);
    const account = await stripe.financialConnections.accounts.retrieve(accounts[0].id, {}, { apiVersion: PREVIEW });
    assert.equal(account.status, 'active');
    await page.close();
  });

  test('relink, closed before signing in: no_authorization', async () => {
    const { customer, accounts } = await customerWithBrokenLink();
    const page = await openApp(customer, accounts[0]);
    const result = await run(page, page.locator('button[data-relink=exact]'), (modal) => modal.getByTestId('close').click());
    const session = result.financialConnectionsSession;
    assert.deepEqual(session.accounts, []);
    assert.equal(session.relink_result.failure_reason, 'no_authorization');
    assert.equal(await page.locator('#result').textContent(), 'relink: no_authorization');
    await page.close();
  });

  test('relink, another account picked and the flow closed: no_account', async () => {
    const { customer, accounts } = await customerWithBrokenLink();
    const page = await openApp(customer, accounts[0]);
    const result = await run(page, page.locator('button[data-relink=exact]'), async (modal) => {
      await signIn(modal);
      await pick(modal, '4321');
      await modal.getByTestId('wrong-account-close').click();
    });
    assert.equal(result.financialConnectionsSession.relink_result.failure_reason, 'no_account');
    assert.equal(await page.locator('#result').textContent(), 'relink: no_account');
    await page.close();
  });

  test('relink while the bank is down: other', async () => {
    const { customer, accounts } = await customerWithBrokenLink();
    await stripe.rawRequest('POST', '/v1/test_helpers/financial_connections/institutions/fcinst_sandbox_bank/outage', { status: 'down' });
    try {
      const page = await openApp(customer, accounts[0]);
      const result = await run(page, page.locator('button[data-relink=exact]'), async (modal) => {
        await signIn(modal);
        await modal.getByTestId('done').or(modal.getByTestId('close')).first().click();
      });
      assert.equal(result.financialConnectionsSession.relink_result.failure_reason, 'other');
      assert.equal(await page.locator('#result').textContent(), 'relink: other');
      await page.close();
    } finally {
      await stripe.rawRequest('POST', '/v1/test_helpers/financial_connections/institutions/fcinst_sandbox_bank/outage', { status: 'up' });
    }
  });

  test('relink of any account at the bank, repaired with another: relink_result.authorization', async () => {
    const { customer, accounts } = await customerWithBrokenLink();
    const page = await openApp(customer, accounts[0]);
    const result = await run(page, page.locator('button[data-relink=any]'), async (modal) => {
      await signIn(modal);
      await pick(modal, '4321');
      await modal.getByTestId('done').click();
    });
    const session = result.financialConnectionsSession;
    assert.deepEqual(session.relink_result, { account: null, authorization: accounts[0].authorization, failure_reason: null });
    assert.equal(session.accounts[0].id, accounts[1].id);
    await page.close();
  });

  test('collectBankAccountForSetup, then confirmUsBankAccountSetup: succeeded with a mandate', async () => {
    const customer = await stripe.customers.create({ email: 'jenny.rosen@example.com', name: 'Jenny Rosen' });
    const page = await openApp(customer);
    const collected = await run(page, page.locator('#save'), async (modal) => {
      await signIn(modal, /Sandbox Bank/);
      await pick(modal, '6789');
      await modal.getByTestId('done').click();
    });
    assert.deepEqual(Object.keys(collected), ['setupIntent']);
    assert.equal(collected.setupIntent.status, 'requires_confirmation');
    assert.match(collected.setupIntent.payment_method.id, /^pm_/, 'expand: [\'payment_method\']');

    const confirmed = await run(page, page.getByRole('button', { name: 'Agree' }));
    assert.deepEqual(Object.keys(confirmed), ['setupIntent']);
    assert.equal(confirmed.setupIntent.status, 'succeeded');
    assert.equal(await page.locator('#result').textContent(), 'confirm: succeeded');

    // The server half checks what a merchant's webhook handler would.
    const setupIntent = await stripe.setupIntents.retrieve(collected.setupIntent.id);
    assert.equal(setupIntent.status, 'succeeded');
    const mandate = await stripe.mandates.retrieve(setupIntent.mandate);
    assert.equal(mandate.status, 'active');
    assert.equal(mandate.customer_acceptance.type, 'online');
    const paymentMethod = await stripe.paymentMethods.retrieve(setupIntent.payment_method);
    assert.equal(paymentMethod.customer, customer.id);
    assert.equal(paymentMethod.billing_details.name, 'Jenny Rosen');
    assert.equal(paymentMethod.billing_details.email, 'jenny.rosen@example.com');
    assert.equal(paymentMethod.billing_details.phone, '+15555550123');
    assert.deepEqual(paymentMethod.billing_details.address, {
      city: 'San Francisco', country: 'US', line1: '510 Townsend St', line2: null, postal_code: '94103', state: 'CA',
    });
    assert.equal(paymentMethod.id, collected.setupIntent.payment_method.id, 'confirmed with payment_method');
    assert.equal(paymentMethod.us_bank_account.last4, '6789');
    const account = await stripe.financialConnections.accounts.retrieve(paymentMethod.us_bank_account.financial_connections_account);
    assert.deepEqual([...account.permissions].sort(), ['balances', 'payment_method']);

    // retrieveSetupIntent, on the instance loadStripe returned (one per key), sees the same.
    const retrieved = await page.evaluate((key) => window.Stripe(key)
      .retrieveSetupIntent(document.getElementById('mandate').dataset.secret), publishableKey);
    assert.deepEqual(Object.keys(retrieved), ['setupIntent']);
    assert.equal(retrieved.setupIntent.status, 'succeeded');
    assert.equal(retrieved.setupIntent.mandate, setupIntent.mandate);
    assert.deepEqual(page.problems, []);
    await page.close();
  });

  test('collectBankAccountForSetup closed without linking: requires_payment_method', async () => {
    const customer = await stripe.customers.create({ email: 'jenny.rosen@example.com' });
    const page = await openApp(customer);
    const collected = await run(page, page.locator('#save'), (modal) => modal.getByTestId('close').click());
    assert.equal(collected.setupIntent.status, 'requires_payment_method');
    assert.equal(collected.setupIntent.payment_method, null);
    assert.ok(await page.locator('#mandate').isHidden());
    await page.close();
  });

  test('collectBankAccountToken: {token, financialConnectionsSession} with a btok_', async () => {
    const customer = await stripe.customers.create({ email: 'jenny.rosen@example.com' });
    const page = await openApp(customer);
    const result = await run(page, page.locator('#payouts'), async (modal) => {
      await signIn(modal, /Sandbox Bank/);
      await pick(modal, '6789');
      await modal.getByTestId('done').click();
    });
    assert.deepEqual(Object.keys(result).sort(), ['financialConnectionsSession', 'token']);
    assert.match(result.token.id, /^btok_/);
    assert.equal(result.token.object, 'token');
    assert.equal(result.token.type, 'bank_account');
    assert.equal(result.token.bank_account.last4, '6789');
    assertStripeSession(result.financialConnectionsSession);
    assert.equal(result.financialConnectionsSession.accounts[0].last4, '6789');
    await page.close();
  });

  test('a test can leave the page as in production and serve the drop-in for js.stripe.com', async () => {
    const customer = await stripe.customers.create({ email: 'jenny.rosen@example.com' });
    const dropIn = await (await fetch(`${sandbox.origin}/v3/`)).text();
    const page = await newPage(browser);
    const served = [];
    await page.route('https://js.stripe.com/**', (route) => {
      served.push(route.request().url());
      return route.fulfill({ status: 200, contentType: 'text/javascript', body: dropIn });
    });
    await openApp(customer, undefined, { path: '/production', page });
    const result = await run(page, page.locator('#link'), async (modal) => {
      await signIn(modal, /Sandbox Bank/);
      await pick(modal, '4321');
      await modal.getByTestId('done').click();
    });
    assert.deepEqual(served, ['https://js.stripe.com/v3/']);
    assert.equal(result.financialConnectionsSession.accounts[0].last4, '4321');
    assert.deepEqual(page.problems, []);
    await page.close();
  });

  test('including the drop-in twice keeps the first window.Stripe', async () => {
    const customer = await stripe.customers.create({ email: 'jenny.rosen@example.com' });
    const page = await openApp(customer);
    const warnings = [];
    page.on('console', (message) => { if (message.type() === 'warning') warnings.push(message.text()); });
    const before = await page.evaluate((key) => { window.firstStripe = window.Stripe; return typeof window.Stripe(key).collectBankAccountToken; }, publishableKey);
    await page.addScriptTag({ url: `${sandbox.origin}/v3/` });
    await page.addScriptTag({ url: `${sandbox.origin}/stripe.js` });
    assert.equal(before, 'function');
    assert.equal(await page.evaluate(() => window.Stripe === window.firstStripe), true);
    assert.deepEqual(warnings, []);
    await page.close();
  });

  test('every other Stripe.js method throws an Error naming it; loading is lazy and idempotent', async () => {
    const customer = await stripe.customers.create({ email: 'jenny.rosen@example.com' });
    const page = await openApp(customer);
    const methods = stripeJsMethods();
    assert.ok(methods.length > 50, `read ${methods.length} methods from @stripe/stripe-js`);
    const report = await page.evaluate(({ key, methods, supported }) => {
      const instance = window.Stripe(key);
      const thrown = {};
      for (const method of methods) {
        if (typeof instance[method] !== 'function') {
          thrown[method] = 'missing';
        } else if (!supported.includes(method) && method !== 'registerAppInfo') {
          try {
            instance[method]({});
            thrown[method] = 'returned';
          } catch (error) {
            thrown[method] = error instanceof Error && error.message.includes(`${method}()`)
              && /not provided by the relink sandbox/.test(error.message) ? 'ok' : error.message;
          }
        }
      }
      return {
        thrown,
        same: window.Stripe(key) === instance,
        version: window.Stripe.version,
        // No component was fetched: nothing has been called yet.
        component: performance.getEntriesByType('resource').some((entry) => /relink(\.esm\.js|_bg\.wasm)/.test(entry.name)),
      };
    }, { key: publishableKey, methods, supported: SUPPORTED });
    assert.deepEqual(Object.entries(report.thrown).filter(([, outcome]) => outcome !== 'ok'), []);
    assert.equal(report.same, true, 'one instance per key');
    assert.equal(report.version, 'endive');
    assert.equal(report.component, false, 'the component loads only when a method is called');
    await page.close();
  });
});

describe('the demo page written for Stripe.js alone', () => {
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

  test('calls only Stripe(pk) methods, no relink API', () => {
    const source = readFileSync(new URL('../../www/stripe-js-page.js', import.meta.url), 'utf8');
    const html = readFileSync(new URL('../../www/stripe-js.html', import.meta.url), 'utf8').replace(/<!--[\s\S]*?-->/g, '');
    assert.doesNotMatch(source, /loadRelink|window\.Relink|relink\.esm|\/pkg\//);
    assert.match(source, /Stripe\(config\.publishable_key\)/);
    assert.deepEqual([...html.matchAll(/<script[^>]*src="([^"]+)"/g)].map((m) => m[1]), ['/v3/', '/stripe-js-page.js']);
  });

  test('links, saves bank details with a mandate, and sets up payouts under the strict CSP', async () => {
    const page = await newPage(browser);
    const response = await page.goto(`${sandbox.origin}/stripe-js.html`);
    assert.equal(response.headers()['content-security-policy'], "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'");
    const modal = page.getByRole('dialog');
    const outcome = page.getByTestId('outcome');
    const signIn = async () => {
      await modal.getByTestId('consent-continue').click();
      await modal.getByRole('button', { name: /Sandbox Bank/ }).click();
      await modal.getByTestId('login-password').fill(TEST_PASSWORD);
      await modal.getByTestId('login-submit').click();
    };

    await page.getByTestId('link-account').click();
    await signIn();
    await modal.getByTestId('account-2222').check();
    await modal.getByTestId('accounts-submit').click();
    await modal.getByTestId('done').click();
    await outcome.filter({ hasText: 'Linked ••••2222.' }).waitFor();

    await page.getByTestId('save-bank').click();
    await signIn();
    await modal.getByTestId('account-6789').check();
    await modal.getByTestId('accounts-submit').click();
    await modal.getByTestId('done').click();
    await outcome.filter({ hasText: 'agree to the mandate' }).waitFor();
    await page.getByTestId('mandate-agree').click();
    await outcome.filter({ hasText: /Saved: the SetupIntent succeeded, mandate mandate_/ }).waitFor();

    await page.getByTestId('payouts').click();
    await signIn();
    await modal.getByTestId('account-4321').check();
    await modal.getByTestId('accounts-submit').click();
    await modal.getByTestId('done').click();
    await outcome.filter({ hasText: /Payouts go to ••••4321: bank account token btok_/ }).waitFor();
    assert.doesNotMatch(await page.getByTestId('result-json').textContent(), /_secret_/);
    assert.deepEqual(page.problems, []);
    await page.close();
  });

  test('the page and the modal have no axe violations; Escape closes it and focus returns', async () => {
    const page = await newPage(browser);
    // No fade-in for axe to catch halfway (its contrast check would see the text at half opacity).
    await page.emulateMedia({ reducedMotion: 'reduce' });
    await page.goto(`${sandbox.origin}/stripe-js.html`);
    const axe = async (step) => {
      await page.evaluate(AXE_SOURCE);
      const violations = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] }))
        .violations.map((v) => `${v.id}: ${v.help}`));
      assert.deepEqual(violations, [], `axe violations: ${step}`);
    };
    const trigger = page.getByTestId('link-account');
    await trigger.waitFor();
    await page.waitForFunction(() => !document.getElementById('link-account').disabled);
    await axe('page');
    await trigger.click();
    const modal = page.getByRole('dialog');
    await modal.getByTestId('consent-continue').waitFor();
    assert.equal(await modal.getAttribute('aria-modal'), 'true');
    await axe('consent');
    await page.keyboard.press('Escape');
    await page.getByTestId('outcome').filter({ hasText: 'No account was linked.' }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'link-account');
    assert.deepEqual(page.problems, []);
    await page.close();
  });

  test('reconnects the demo customer\'s broken account with relink_result', async () => {
    const page = await newPage(browser);
    await page.goto(`${sandbox.origin}/stripe-js.html`);
    const relink = page.locator('[data-testid^=relink-]').first();
    await relink.click();
    const modal = page.getByRole('dialog');
    await modal.getByTestId('consent-continue').click();
    await modal.getByTestId('login-password').fill(TEST_PASSWORD);
    await modal.getByTestId('login-submit').click();
    // The demo customer's broken account is their checking ••••6789.
    await modal.getByTestId('account-6789').check();
    await modal.getByTestId('accounts-submit').click();
    await modal.getByTestId('done').click();
    await page.getByTestId('outcome').filter({ hasText: /is reconnected\./ }).waitFor();
    assert.deepEqual(page.problems, []);
    await page.close();
  });
});
