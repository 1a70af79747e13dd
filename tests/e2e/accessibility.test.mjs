// The modal against axe-core at every step, and the WAI-ARIA dialog keyboard pattern.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import { TEST_MFA_CODE, TEST_PASSWORD, launchBrowser, newPage, startSandbox } from './support.mjs';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

describe('accessibility', () => {
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

  /** Runs axe over the whole page (it pierces open shadow roots) and fails on any violation. */
  async function expectNoViolations(page, step) {
    await page.evaluate(AXE_SOURCE);
    const violations = await page.evaluate(async () => {
      const results = await window.axe.run(document, { resultTypes: ['violations'] });
      return results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
    });
    assert.deepEqual(violations, [], `axe violations at the ${step} step`);
  }

  test('every step of a link with MFA has no axe violations', async () => {
    const page = await newPage(browser);
    await page.goto(`${sandbox.origin}/`);
    await page.getByTestId('link-account').click();
    const modal = page.getByRole('dialog');
    await modal.getByTestId('consent-continue').waitFor();
    await expectNoViolations(page, 'consent');

    await modal.getByTestId('consent-continue').click();
    await modal.getByTestId('institution-search').waitFor();
    await expectNoViolations(page, 'institution search');

    await modal.getByRole('button', { name: /MFA Bank/ }).click();
    await modal.getByTestId('login-password').waitFor();
    await expectNoViolations(page, 'login');

    await modal.getByTestId('login-password').fill('wrong password');
    await modal.getByTestId('login-submit').click();
    await modal.getByTestId('error-message').waitFor();
    await expectNoViolations(page, 'login error');

    await modal.getByTestId('login-password').fill(TEST_PASSWORD);
    await modal.getByTestId('login-submit').click();
    await modal.getByTestId('mfa-code').waitFor();
    await expectNoViolations(page, 'MFA');

    await modal.getByTestId('mfa-code').fill(TEST_MFA_CODE);
    await modal.getByTestId('mfa-submit').click();
    await modal.getByTestId('account-6789').waitFor();
    await expectNoViolations(page, 'account selection');

    await modal.getByTestId('account-6789').check();
    await modal.getByTestId('accounts-submit').click();
    await modal.getByTestId('done').waitFor();
    await expectNoViolations(page, 'success');
    await modal.getByTestId('done').click();
    assert.equal(await page.getByTestId('outcome-code').textContent(), 'linked_new_account');
    assert.deepEqual(page.problems, []);
    await page.close();
  });

  test('focus moves in, Tab wraps, Escape cancels and focus returns to the trigger', async () => {
    const page = await newPage(browser);
    await page.goto(`${sandbox.origin}/`);
    const trigger = page.getByTestId('link-account');
    await trigger.focus();
    await page.keyboard.press('Enter');
    const modal = page.getByRole('dialog');
    await modal.getByTestId('consent-continue').waitFor();

    const focusIsInsideModal = () => page.evaluate(() => {
      const host = document.getElementById('relink-modal');
      return document.activeElement === host && host.shadowRoot?.activeElement != null;
    });
    assert.ok(await focusIsInsideModal(), 'focus moved into the dialog');
    for (let press = 0; press < 12; press += 1) {
      await page.keyboard.press('Tab');
      assert.ok(await focusIsInsideModal(), `focus stays inside after Tab #${press + 1}`);
    }
    for (let press = 0; press < 12; press += 1) {
      await page.keyboard.press('Shift+Tab');
      assert.ok(await focusIsInsideModal(), `focus stays inside after Shift+Tab #${press + 1}`);
    }

    await page.keyboard.press('Escape');
    await modal.waitFor({ state: 'detached' });
    assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'link-account');
    await page.getByTestId('outcome-code').waitFor();
    assert.equal(await page.getByTestId('outcome-code').textContent(), 'no_account');
    assert.deepEqual(page.problems, []);
    await page.close();
  });
});
