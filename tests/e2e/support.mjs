// Shared fixtures for the end-to-end tests: a sandbox on a free loopback port with a fresh
// in-memory database, and headless Chromium driven by playwright-core.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { chromium } from 'playwright-core';

export const SANDBOX_BIN = process.env.RELINK_SANDBOX_BIN ?? new URL('../../target/debug/relink-sandbox', import.meta.url).pathname;
export const TEST_PASSWORD = 'pass_good';
export const TEST_MFA_CODE = '123456';

async function freePort() {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  await once(server, 'close');
  return port;
}

/** Starts a sandbox; `stop()` ends it. Its output is kept for failure messages. */
export async function startSandbox(extraArgs = []) {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const child = spawn(SANDBOX_BIN, ['--addr', `127.0.0.1:${port}`, '--db', ':memory:', ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? 'warn' },
  });
  let output = '';
  child.stdout.on('data', (chunk) => { output += chunk; });
  child.stderr.on('data', (chunk) => { output += chunk; });
  const exited = once(child, 'exit');

  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`sandbox exited with ${child.exitCode}:\n${output}`);
    try {
      if ((await fetch(`${origin}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`sandbox did not become healthy:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    origin,
    output: () => output,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
    ],
  });
}

/** A page that fails the test on any uncaught page error or console error. */
export async function newPage(browser) {
  const page = await browser.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console.error: ${message.text()}`);
  });
  page.problems = problems;
  return page;
}

/** The sandbox's secret-key API, for arranging state the way a merchant backend would. */
export function secretApi(origin, secretKey = 'sk_test_relinksandbox000000000000') {
  return async (method, path, params) => {
    const response = await fetch(`${origin}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${secretKey}`,
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: params ? new URLSearchParams(params).toString() : undefined,
    });
    const body = await response.json();
    if (!response.ok) throw new Error(`${method} ${path}: ${JSON.stringify(body)}`);
    return body;
  };
}

/** How many event listeners the page has on `window`, `document` and the body's tree, through a
 * CDP session (`DOMDebugger` sees listeners that scripts cannot enumerate). */
export async function listenerCount(cdp) {
  let total = 0;
  for (const expression of ['window', 'document', 'document.body']) {
    const { result } = await cdp.send('Runtime.evaluate', { expression });
    const { listeners } = await cdp.send('DOMDebugger.getEventListeners', { objectId: result.objectId, depth: -1, pierce: true });
    total += listeners.length;
  }
  return total;
}
