// The component's size and speed, printed as a table (run through `./dev bench`).
//
// - bytes a page downloads, raw, gzip -9 and brotli, for both builds: the production core (the
//   bundled ESM entry and its wasm) and the sandbox flow UI (the drop-in's /v3/ loader, its glue
//   and wasm), against their budgets (tests/bench/budgets.mjs);
// - in headless Chromium on a page with the sandbox's drop-in, median over runs: `loadRelink`
//   (fetch + compile + instantiate of the core, cold cache); a call's own overhead before it
//   reaches the Stripe.js method; and a call's time to the sandbox modal's first paint, once the
//   drop-in is warm (it preloads the flow UI when the page goes idle, as a customer's click
//   comes later) and cold (called in the very task `loadRelink` resolves in, so the flow UI is
//   fetched by that call);
// - wasm memory of both builds and event listeners after 100 open/close cycles, against the
//   first cycle.
import { BUILDS, downloadSize } from './budgets.mjs';
import { launchBrowser, listenerCount, startSandbox } from '../e2e/support.mjs';

const RUNS = Number(process.env.RUNS ?? 15);
const CYCLES = Number(process.env.CYCLES ?? 100);

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

async function newSession(origin) {
  const response = await fetch(`${origin}/demo/api/link_session`, { method: 'POST' });
  return (await response.json()).client_secret;
}

/** Closes the sandbox's modal as a customer pressing Escape does (abort() cannot, as with Stripe.js). */
const PRESS_ESCAPE = "document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true }))";

/**
 * One cold page with the drop-in: loads the core, then times a call to the modal's first paint
 * (an animation frame callback runs just before the frame it belongs to is rendered). With
 * `callWhenIdle` the call comes once the page is idle (the drop-in has preloaded its flow UI),
 * in a task of its own sent by the test driver, so that like a customer's click it lands
 * anywhere in a frame; without it the call runs in the very task that `loadRelink` resolves in.
 */
async function coldRun(browser, origin, publishableKey, callWhenIdle) {
  // A new context has an empty HTTP cache: every run fetches and compiles the wasm again.
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${origin}/healthz`);
  await page.addScriptTag({ url: '/v3/' });
  const clientSecret = await newSession(origin);
  const loading = await page.evaluate(async ({ publishableKey, clientSecret, callWhenIdle, escape }) => {
    const started = performance.now();
    const { loadRelink } = await import('/pkg/dist/relink.esm.js');
    const imported = performance.now();
    const relink = await loadRelink(publishableKey, { stripe: window.Stripe(publishableKey) });
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
        new Function(escape)();
        await pending;
        return paint - called;
      });
    };
    if (callWhenIdle) {
      // Idle twice: the drop-in preloads its flow UI, which then rehearses its first paint.
      for (let idle = 0; idle < 2; idle += 1) await new Promise((resolve) => requestIdleCallback(resolve));
      await window.Stripe(publishableKey).retrieveSetupIntent('seti_x_secret_y');
    } else window.openModal();
    return { init: loaded - started, importOnly: imported - started };
  }, { publishableKey, clientSecret, callWhenIdle, escape: PRESS_ESCAPE });
  if (callWhenIdle) await page.evaluate(() => window.openModal());
  const firstPaint = await page.evaluate(() => window.firstPaint);
  await context.close();
  return { ...loading, firstPaint };
}

/** A call's own work before it reaches the Stripe.js method (a stub that answers at once). */
async function callOverhead(browser, origin, publishableKey) {
  const page = await browser.newPage();
  await page.goto(`${origin}/healthz`);
  const overheads = await page.evaluate(async ({ publishableKey, runs }) => {
    const { loadRelink } = await import('/pkg/dist/relink.esm.js');
    let reached = 0;
    const stripe = {
      collectFinancialConnectionsAccounts: () => {
        reached = performance.now();
        return Promise.resolve({ financialConnectionsSession: { id: 'fcsess_1', accounts: [] } });
      },
      confirmUsBankAccountSetup: () => Promise.resolve({ error: { type: 'api_error' } }),
    };
    const relink = await loadRelink(publishableKey, { stripe });
    const measured = [];
    for (let run = 0; run < runs; run += 1) {
      const called = performance.now();
      await relink.collectFinancialConnectionsAccounts({ clientSecret: 'fcsess_client_secret_x', existingAccountIds: ['fca_1'] });
      measured.push(reached - called);
    }
    return measured;
  }, { publishableKey, runs: RUNS * 10 });
  await page.close();
  return median(overheads);
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
    firstPaintCold: median(rightAfterLoad.map((run) => run.firstPaint)),
    overhead: await callOverhead(browser, origin, publishableKey),
  };
}

async function cycles(browser, origin, publishableKey) {
  const page = await browser.newPage();
  await page.goto(`${origin}/healthz`);
  await page.addScriptTag({ url: '/v3/' });
  const cdp = await page.context().newCDPSession(page);
  const secrets = [];
  for (let cycle = 0; cycle <= CYCLES; cycle += 1) secrets.push(await newSession(origin));

  const cycle = (clientSecret) => page.evaluate(async ({ publishableKey, clientSecret, escape }) => {
    // The unbundled entries share their glue modules with these imports (the drop-in imports the
    // flow UI by the same URL), so `init()` hands back the very instances whose memory we watch.
    const { default: initCore } = await import('/pkg/dist/relink.js');
    const { default: initUi } = await import('/pkg/dist/sandbox-ui/relink_sandbox_ui.js');
    const { loadRelink } = await import('/pkg/index.js');
    const relink = await loadRelink(publishableKey, { stripe: window.Stripe(publishableKey) });
    const memoryOf = (exports) => Object.values(exports).find((value) => value instanceof WebAssembly.Memory);
    // The build shortens export names, so each memory is found by what it is.
    window.coreMemory ??= memoryOf(await initCore());
    const pending = relink.collectFinancialConnectionsAccounts({ clientSecret });
    await new Promise((resolve) => requestAnimationFrame(resolve));
    while (!document.getElementById('relink-modal')) await new Promise((resolve) => requestAnimationFrame(resolve));
    window.uiMemory ??= memoryOf(await initUi({ module_or_path: '/pkg/dist/sandbox-ui/relink_sandbox_ui_bg.wasm' }));
    new Function(escape)();
    await pending;
    return window.coreMemory.buffer.byteLength + window.uiMemory.buffer.byteLength;
  }, { publishableKey, clientSecret, escape: PRESS_ESCAPE });

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
  const builds = BUILDS.map((build) => ({ ...build, ...downloadSize(build.files) }));
  const time = await timings(browser, sandbox.origin, publishableKey);
  const after = await cycles(browser, sandbox.origin, publishableKey);

  console.log('\nrelink: what a page downloads, per build');
  console.table(Object.fromEntries(builds.map((build) => [build.name, {
    files: build.files.join(' + '), raw: kb(build.raw), gzip: kb(build.gzip), brotli: kb(build.brotli),
    budget: kb(build.budget), goal: kb(build.goal), goal_met: build.gzip <= build.goal,
  }])));
  console.log(`\nrelink: speed and cleanup on the sandbox's drop-in (headless Chromium, median of ${RUNS})`);
  console.table({
    'loadRelink: fetch + compile + instantiate the core (goal ≤ 33 ms)': { measured: `${time.init.toFixed(1)} ms`, goal_met: time.init <= 33 },
    '  of which importing the JS module': { measured: `${time.importOnly.toFixed(1)} ms`, goal_met: '' },
    'a call\'s own overhead before the Stripe.js method (goal ≤ 1 ms)': { measured: `${time.overhead.toFixed(2)} ms`, goal_met: time.overhead <= 1 },
    'call → sandbox modal first paint, drop-in warm (goal ≤ 16 ms)': { measured: `${time.firstPaint.toFixed(1)} ms`, goal_met: time.firstPaint <= 16 },
    '  cold: called as loadRelink resolves, the flow UI fetched by the call': { measured: `${time.firstPaintCold.toFixed(1)} ms`, goal_met: '' },
    [`wasm memory (both builds) after ${CYCLES} open/close cycles`]: { measured: `${kb(after.memory)} (first cycle ${kb(after.baselineMemory)})`, goal_met: after.memory === after.baselineMemory },
    [`event listeners after ${CYCLES} cycles`]: { measured: `${after.listeners} (first cycle ${after.baselineListeners})`, goal_met: after.listeners === after.baselineListeners },
  });
} finally {
  await browser.close();
  await sandbox.stop();
}
