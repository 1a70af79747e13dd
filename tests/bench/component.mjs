// The component's size and speed, printed as a table (run through `./dev bench`).
//
// - bytes a page downloads (the wasm and the one ESM file: entry + glue), raw, gzip -9 and brotli,
//   and beside them the Stripe.js drop-in's script (which loads the component on its first call);
// - in headless Chromium, median over runs: `loadRelink` (fetch + compile + instantiate from
//   loopback, cold cache) and a call's time to the modal's first paint, both for a call once
//   the page is idle, as a customer's click comes (the goal), and for one in the very task
//   `loadRelink` resolves in;
// - wasm memory and event listeners after 100 open/close cycles, against the first cycle.
import { readFileSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { launchBrowser, listenerCount, startSandbox } from '../e2e/support.mjs';

const RUNS = Number(process.env.RUNS ?? 15);
const CYCLES = Number(process.env.CYCLES ?? 100);
const pkg = (path) => new URL(`../../pkg/${path}`, import.meta.url);

function sizes(files) {
  const rows = files.map((file) => {
    const bytes = readFileSync(pkg(file));
    return {
      file,
      raw: bytes.length,
      gzip: gzipSync(bytes, { level: 9 }).length,
      brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
    };
  });
  rows.push(rows.reduce((total, row) => ({
    file: 'total', raw: total.raw + row.raw, gzip: total.gzip + row.gzip, brotli: total.brotli + row.brotli,
  }), { raw: 0, gzip: 0, brotli: 0 }));
  return rows;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

async function newSession(origin) {
  const response = await fetch(`${origin}/demo/api/link_session`, { method: 'POST' });
  return (await response.json()).client_secret;
}

/**
 * One cold page: loads the component, then times a call to its modal's first paint (an
 * animation frame callback runs just before the frame it belongs to is rendered). With
 * `callWhenIdle` the call comes once the page is idle, in a task of its own sent by the test
 * driver, so that like a customer's click it lands anywhere in a frame; without it the call
 * runs in the very task that `loadRelink` resolves in.
 */
async function coldRun(browser, origin, publishableKey, callWhenIdle) {
  // A new context has an empty HTTP cache: every run fetches and compiles the wasm again.
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${origin}/healthz`);
  const clientSecret = await newSession(origin);
  const loading = await page.evaluate(async ({ publishableKey, clientSecret, callWhenIdle }) => {
    const started = performance.now();
    const { loadRelink } = await import('/pkg/dist/relink.esm.js');
    const imported = performance.now();
    const relink = await loadRelink(publishableKey);
    const loaded = performance.now();

    window.openModal = () => {
      const painted = new Promise((resolve) => {
        const observer = new MutationObserver(() => {
          if (!document.getElementById('relink-modal')) return;
          observer.disconnect();
          requestAnimationFrame(() => resolve(performance.now()));
        });
        observer.observe(document.body, { childList: true });
      });
      const called = performance.now();
      const pending = relink.collectFinancialConnectionsAccounts({ clientSecret });
      window.firstPaint = painted.then(async (paint) => {
        relink.abort();
        await pending;
        return paint - called;
      });
    };
    if (callWhenIdle) await new Promise((resolve) => requestIdleCallback(resolve));
    else window.openModal();
    return { init: loaded - started, importOnly: imported - started };
  }, { publishableKey, clientSecret, callWhenIdle });
  if (callWhenIdle) await page.evaluate(() => window.openModal());
  const firstPaint = await page.evaluate(() => window.firstPaint);
  await context.close();
  return { ...loading, firstPaint };
}

async function timings(browser, origin, publishableKey) {
  const idle = [];
  const rightAfterLoad = [];
  for (let run = 0; run < RUNS; run += 1) {
    idle.push(await coldRun(browser, origin, publishableKey, true));
    rightAfterLoad.push(await coldRun(browser, origin, publishableKey, false));
  }
  const all = [...idle, ...rightAfterLoad];
  return {
    init: median(all.map((run) => run.init)),
    importOnly: median(all.map((run) => run.importOnly)),
    firstPaint: median(idle.map((run) => run.firstPaint)),
    firstPaintRightAfterLoad: median(rightAfterLoad.map((run) => run.firstPaint)),
  };
}

async function cycles(browser, origin, publishableKey) {
  const page = await browser.newPage();
  await page.goto(`${origin}/healthz`);
  const cdp = await page.context().newCDPSession(page);
  const secrets = [];
  for (let cycle = 0; cycle <= CYCLES; cycle += 1) secrets.push(await newSession(origin));

  const cycle = (clientSecret) => page.evaluate(async ({ publishableKey, clientSecret }) => {
    // The unbundled entry shares its glue module with this import, so `init()` hands back the
    // very instance whose memory we watch (the bundle would hold a second, private copy).
    const { default: init } = await import('/pkg/dist/relink.js');
    const { loadRelink } = await import('/pkg/index.js');
    const relink = await loadRelink(publishableKey);
    window.relinkExports ??= await init(); // already initialised: returns the same exports
    // The build shortens export names, so the memory is found by what it is.
    window.relinkMemory ??= Object.values(window.relinkExports).find((value) => value instanceof WebAssembly.Memory);
    const pending = relink.collectFinancialConnectionsAccounts({ clientSecret });
    await new Promise((resolve) => requestAnimationFrame(resolve));
    relink.abort();
    await pending;
    return window.relinkMemory.buffer.byteLength;
  }, { publishableKey, clientSecret });

  const baselineMemory = await cycle(secrets[0]);
  const baselineListeners = await listenerCount(cdp);
  let memory = baselineMemory;
  for (const secret of secrets.slice(1)) memory = await cycle(secret);
  const listeners = await listenerCount(cdp);
  await page.close();
  return { baselineMemory, memory, baselineListeners, listeners };
}

const sandbox = await startSandbox();
const browser = await launchBrowser();
try {
  const { publishable_key: publishableKey } = await (await fetch(`${sandbox.origin}/demo/api/config`)).json();
  const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
  const sizeRows = sizes(['dist/relink_bg.wasm', 'dist/relink.esm.js']);
  const dropIn = sizes(['dist/stripe.js'])[0];
  const time = await timings(browser, sandbox.origin, publishableKey);
  const after = await cycles(browser, sandbox.origin, publishableKey);
  const total = sizeRows.at(-1);

  console.log('\nrelink component: what a page downloads');
  console.table(Object.fromEntries(sizeRows.map((row) => [row.file, { raw: kb(row.raw), gzip: kb(row.gzip), brotli: kb(row.brotli) }])));
  console.log('\nStripe.js drop-in (the sandbox\'s /v3/): the page downloads it; its first call fetches the component above');
  console.table({ [dropIn.file]: { raw: kb(dropIn.raw), gzip: kb(dropIn.gzip), brotli: kb(dropIn.brotli) } });
  console.log(`\nrelink component: speed and cleanup (headless Chromium, median of ${RUNS})`);
  console.table({
    'download, gzip (goal ≤ 60 KB)': { measured: kb(total.gzip), goal_met: total.gzip <= 60 * 1024 },
    'loadRelink: fetch + compile + instantiate (goal ≤ 50 ms)': { measured: `${time.init.toFixed(1)} ms`, goal_met: time.init <= 50 },
    '  of which importing the JS module': { measured: `${time.importOnly.toFixed(1)} ms`, goal_met: '' },
    'call → modal first paint (goal ≤ 16 ms)': { measured: `${time.firstPaint.toFixed(1)} ms`, goal_met: time.firstPaint <= 16 },
    '  called in the task loadRelink resolves in (no goal)': { measured: `${time.firstPaintRightAfterLoad.toFixed(1)} ms`, goal_met: '' },
    [`wasm memory after ${CYCLES} open/close cycles`]: { measured: `${kb(after.memory)} (first cycle ${kb(after.baselineMemory)})`, goal_met: after.memory === after.baselineMemory },
    [`event listeners after ${CYCLES} cycles`]: { measured: `${after.listeners} (first cycle ${after.baselineListeners})`, goal_met: after.listeners === after.baselineListeners },
  });
} finally {
  await browser.close();
  await sandbox.stop();
}
