// The npm package as a merchant gets it: `npm pack` the built package, install the tarball into a
// fresh project, bundle a page with esbuild, and run it in headless Chromium against a sandbox
// (cross-origin, as a real merchant site would be).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { build } from 'esbuild';
import { launchBrowser, newPage, startSandbox } from './support.mjs';

const PKG_DIR = new URL('../../pkg/', import.meta.url).pathname;
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };

let sandbox;
let browser;
let app;
let work;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'relink-consumer-'));
  const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: PKG_DIR })
    .toString().trim().split('\n').pop();
  writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'merchant-app', private: true, type: 'module' }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--silent', join(work, tarball)], { cwd: work });

  writeFileSync(join(work, 'main.js'), `
    import { loadRelink } from '@relink/js';
    const params = new URLSearchParams(location.hash.slice(1));
    window.relinkReady = loadRelink(params.get('pk'), { apiBase: params.get('api'), wasmUrl: '/relink_bg.wasm' });
  `);
  await build({ entryPoints: [join(work, 'main.js')], bundle: true, format: 'esm', outfile: join(work, 'public', 'app.js'), logLevel: 'warning' });
  copyFileSync(join(work, 'node_modules', '@relink', 'js', 'dist', 'relink_bg.wasm'), join(work, 'public', 'relink_bg.wasm'));
  writeFileSync(join(work, 'public', 'index.html'), '<!doctype html><title>merchant</title><link rel="icon" href="data:,"><script type="module" src="/app.js"></script>');

  app = createServer((request, response) => {
    const path = new URL(request.url, 'http://x').pathname;
    const file = join(work, 'public', path === '/' ? 'index.html' : path);
    try {
      const body = readFileSync(file);
      response.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
      response.end(body);
    } catch {
      response.writeHead(404).end();
    }
  }).listen(0, '127.0.0.1');
  await once(app, 'listening');
  sandbox = await startSandbox();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await sandbox?.stop();
  app?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('the packed package installs, bundles and opens the flow from another origin', async () => {
  const manifest = JSON.parse(readFileSync(join(work, 'node_modules', '@relink', 'js', 'package.json'), 'utf8'));
  assert.ok(manifest.exports['.'].types, 'the exports map names the types');

  const config = await (await fetch(`${sandbox.origin}/demo/api/config`)).json();
  const { client_secret: clientSecret } = await (await fetch(`${sandbox.origin}/demo/api/link_session`, { method: 'POST' })).json();

  const page = await newPage(browser);
  const appOrigin = `http://127.0.0.1:${app.address().port}`;
  await page.goto(`${appOrigin}/#pk=${config.publishable_key}&api=${encodeURIComponent(sandbox.origin)}`);
  const pending = page.evaluate(async (secret) => {
    const relink = await window.relinkReady;
    return relink.collectFinancialConnectionsAccounts({ clientSecret: secret });
  }, clientSecret);
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  await dialog.getByTestId('close').click();
  const result = await pending;
  assert.equal(result.error, undefined, JSON.stringify(result.error));
  assert.equal(result.outcome, 'no_account');
  assert.deepEqual(result.financialConnectionsSession.accounts, []);
  assert.deepEqual(page.problems, []);
  await page.close();
});
