// The demo merchant page, clicked through in headless Chromium against the release build of the
// component: a plain link, then a relink of a broken account. Both variants of the page run the
// same tests: the ESM import and the one <script> tag.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TEST_PASSWORD, launchBrowser, newPage, startSandbox } from './support.mjs';

for (const [variant, path] of [['ESM', '/'], ['script tag', '/script.html']]) describe(`demo merchant page (${variant})`, () => {
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

  /** The modal's dialog; Playwright's locators pierce the component's open shadow root. */
  const dialog = (page) => page.getByRole('dialog');

  async function signIn(page) {
    const modal = dialog(page);
    await modal.getByTestId('login-password').fill(TEST_PASSWORD);
    await modal.getByTestId('login-submit').click();
  }

  test('links a new Sandbox Bank account through the accessible modal', async () => {
    const page = await newPage(browser);
    const response = await page.goto(`${sandbox.origin}${path}`);
    // The whole flow below runs under a strict CSP: no inline script or style, no eval but wasm.
    assert.equal(
      response.headers()['content-security-policy'],
      "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'",
    );
    // The page enables the button once its account list has loaded: count the rows after that,
    // or a slow first load counts none and the check below sees every row as new.
    const trigger = page.getByTestId('link-account');
    await page.waitForFunction(() => !document.querySelector('[data-testid="link-account"]').disabled);
    const rowsBefore = await page.getByTestId('account-row').count();

    await trigger.click();
    const modal = dialog(page);
    await modal.waitFor();
    assert.equal(await modal.getAttribute('aria-modal'), 'true');

    await modal.getByTestId('consent-continue').click();
    await modal.getByRole('button', { name: /Sandbox Bank/ }).click();
    await signIn(page);
    await modal.getByTestId('account-2222').check();
    await modal.getByTestId('accounts-submit').click();
    await modal.getByTestId('done').click();
    await modal.waitFor({ state: 'detached' });

    assert.equal(await page.getByTestId('outcome-code').textContent(), 'linked_new_account');
    assert.equal(await page.getByTestId('is-new').textContent(), 'true');
    const result = JSON.parse(await page.getByTestId('result-json').textContent());
    assert.equal(result.error, undefined);
    assert.equal(result.financialConnectionsSession.accounts.length, 1);
    assert.equal(result.financialConnectionsSession.accounts[0].last4, '2222');
    // The page shows the outcome first, then reloads its account list.
    await page.getByTestId('account-row').nth(rowsBefore).waitFor();
    assert.equal(await page.getByTestId('account-row').count(), rowsBefore + 1);
    assert.deepEqual(page.problems, []);
    await page.close();
  });

  test('relinks a broken account and reports relink_result', async () => {
    const page = await newPage(browser);
    await page.goto(`${sandbox.origin}${path}`);

    const { accounts } = await (await fetch(`${sandbox.origin}/demo/api/accounts`)).json();
    const broken = accounts.find((account) => account.status_details?.inactive?.action === 'relink_required');
    assert.ok(broken, 'the demo data has an account that needs a relink');

    await page.getByTestId(`relink-${broken.id}`).click();
    const modal = dialog(page);
    await modal.waitFor();
    await modal.getByTestId('consent-continue').click();
    await signIn(page);
    await modal.getByTestId(`account-${broken.last4}`).check();
    await modal.getByTestId('accounts-submit').click();
    await modal.getByTestId('done').click();
    await modal.waitFor({ state: 'detached' });

    assert.equal(await page.getByTestId('outcome-code').textContent(), 'relinked_expected_account');
    assert.equal(await page.getByTestId('is-new').textContent(), 'false');
    const { financialConnectionsSession: session } = JSON.parse(await page.getByTestId('result-json').textContent());
    assert.equal(session.relink_result.account, broken.id);
    assert.equal(session.relink_result.failure_reason, null);
    await page.getByTestId(`break-${broken.id}`).waitFor();
    assert.deepEqual(page.problems, []);
    await page.close();
  });
});
