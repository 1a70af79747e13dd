// relink: the ESM entry of the npm package (the production core).
//
// Importing this module has no side effects: the WebAssembly core is fetched and compiled on
// the first `loadRelink()` call, once per page, and a failed load can be retried.
//
// relink runs on a Stripe.js instance: Stripe.js itself in production, the relink sandbox's
// Stripe.js drop-in in development. The merchant's code is the same in both.

import initComponent, * as component from './dist/relink.js';

let componentReady = null;

/**
 * Loads the core once. A failed load is forgotten so that the next call tries again.
 * @param {string | URL | undefined} wasmUrl where `relink_bg.wasm` lives (default: beside the glue)
 */
function loadComponent(wasmUrl) {
  if (!componentReady) {
    const input = wasmUrl === undefined ? undefined : { module_or_path: wasmUrl };
    componentReady = initComponent(input).then(
      () => component,
      (cause) => {
        componentReady = null;
        throw new Error(`relink: could not load the component (${cause?.message ?? cause})`, { cause });
      },
    );
  }
  return componentReady;
}

const dropIns = new Map();

/**
 * The `apiBase` shorthand for development: loads the sandbox's Stripe.js drop-in (its `/v3/`,
 * which defines `window.Stripe`) once, exactly as a `<script>` tag in the page's head would.
 * @param {string} apiBase the sandbox's origin
 * @param {string | undefined} nonce the page's CSP nonce, for the injected tag
 */
function loadDropIn(apiBase, nonce) {
  const src = new URL('/v3/', apiBase).href;
  if (!dropIns.has(src)) {
    const loaded = new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = src;
      if (nonce) script.nonce = nonce;
      script.addEventListener('load', () => (window.Stripe ? resolve(window.Stripe) : reject(new Error('it defined no window.Stripe'))));
      script.addEventListener('error', () => reject(new Error(`${src} did not load`)));
      document.head.append(script);
    }).catch((cause) => {
      dropIns.delete(src);
      throw new Error(`relink: could not load the sandbox's Stripe.js drop-in (${cause.message})`, { cause });
    });
    dropIns.set(src, loaded);
  }
  return dropIns.get(src);
}

/** The Stripe.js instance relink runs on, from the options or the page. */
async function stripeInstance(publishableKey, options) {
  if (options.stripe) return options.stripe;
  if (options.apiBase !== undefined) return (await loadDropIn(options.apiBase, options.nonce))(publishableKey);
  if (typeof window.Stripe === 'function') return window.Stripe(publishableKey);
  throw new TypeError(
    'relink: loadRelink() runs on Stripe.js. Pass { stripe: await loadStripe(pk) }, or load Stripe.js '
      + '(in development, the relink sandbox\'s /v3/ script) on the page first.',
  );
}

/**
 * Loads relink and binds it to a Stripe.js instance, like Stripe.js's `loadStripe`.
 *
 * Resolves `null` where there is no `window` (server-side rendering), or when `stripe` is
 * `null` (what `loadStripe` resolves there), so it is safe to call from code that also runs on
 * the server.
 *
 * @example
 * // The same code in development (the sandbox's /v3/ on the page) and production (js.stripe.com):
 * const relink = await loadRelink('pk_test_…', { stripe: await loadStripe('pk_test_…') });
 * const { financialConnectionsSession, outcome, isNew, error } =
 *   await relink.collectFinancialConnectionsAccounts({ clientSecret, existingAccountIds });
 *
 * @param {string} publishableKey
 * @param {import('./index.js').RelinkOptions} [options]
 * @returns {Promise<import('./index.js').Relink | null>}
 */
export async function loadRelink(publishableKey, options = {}) {
  if (typeof window === 'undefined' || options.stripe === null) return null;
  if (typeof publishableKey !== 'string' || !publishableKey.startsWith('pk_')) {
    throw new TypeError('relink: loadRelink() needs a publishable key (pk_…) as its first argument');
  }
  const [stripe, wasm] = await Promise.all([
    stripeInstance(publishableKey, options),
    loadComponent(options.wasmUrl),
  ]);
  const bound = { stripe, locale: options.locale };
  return Object.freeze({
    stripe,
    collectFinancialConnectionsAccounts: (params = {}) =>
      wasm.collectFinancialConnectionsAccounts({ ...bound, ...params }),
    confirmUsBankAccountSetup: (clientSecret, params = {}) =>
      wasm.confirmUsBankAccountSetup(clientSecret, { ...bound, ...params }),
    mountMandateForm: (form, params = {}) => wasm.mountMandateForm(form, { ...bound, ...params }),
    abort: () => wasm.abort(),
  });
}
