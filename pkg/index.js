// relink: the ESM entry of the npm package.
//
// Importing this module has no side effects: the WebAssembly component is fetched and compiled
// on the first `loadRelink()` call, once per page, and a failed load can be retried.

import initComponent, * as component from './dist/relink.js';

let componentReady = null;

/**
 * Loads the component once. A failed load is forgotten so that the next call tries again.
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

/**
 * Loads relink and binds it to your publishable key, like Stripe.js's `loadStripe`.
 *
 * Resolves `null` where there is no `window` (server-side rendering), so it is safe to call
 * from code that also runs on the server.
 *
 * @example
 * const relink = await loadRelink('pk_test_…', { apiBase: 'http://127.0.0.1:4242' });
 * const { financialConnectionsSession, outcome, isNew, error } =
 *   await relink.collectFinancialConnectionsAccounts({ clientSecret, existingAccountIds });
 *
 * // In production, let Stripe.js run the modal and keep relink's result handling:
 * const relink = await loadRelink('pk_live_…', { stripe: Stripe('pk_live_…') });
 *
 * @param {string} publishableKey
 * @param {import('./index.js').RelinkOptions} [options]
 * @returns {Promise<import('./index.js').Relink | null>}
 */
export async function loadRelink(publishableKey, options = {}) {
  if (typeof window === 'undefined') return null;
  if (typeof publishableKey !== 'string' || !publishableKey.startsWith('pk_')) {
    throw new TypeError('relink: loadRelink() needs a publishable key (pk_…) as its first argument');
  }
  const wasm = await loadComponent(options.wasmUrl);
  const bound = {
    publishableKey,
    apiBase: options.apiBase,
    locale: options.locale,
    stripe: options.stripe,
    nonce: options.nonce,
    requestTimeout: options.requestTimeout,
  };
  return Object.freeze({
    collectFinancialConnectionsAccounts: (params = {}) =>
      wasm.collectFinancialConnectionsAccounts({ ...bound, ...params }),
    confirmUsBankAccountSetup: (clientSecret, params = {}) =>
      wasm.confirmUsBankAccountSetup(clientSecret, { ...bound, ...params }),
    mountMandateForm: (form, params = {}) => wasm.mountMandateForm(form, { ...bound, ...params }),
    abort: () => wasm.abort(),
  });
}
