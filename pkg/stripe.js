// The relink sandbox's Stripe.js drop-in: `window.Stripe`, whose Financial Connections and ACH
// methods are the sandbox flow UI's exports (the `sandbox-ui` build of the relink crate). A
// page's own Stripe.js integration then runs offline and deterministically, unchanged but for
// one tag:
//
//   <script src="http://127.0.0.1:4242/v3/"></script>      (instead of https://js.stripe.com/v3/)
//
// This file is only the loader: it defines `Stripe(pk, options)` synchronously, as Stripe.js
// does, and forwards each call to the flow UI, which it loads once (when the page goes idle after
// the first `Stripe()` call, or at the first method call). Requests, results, errors and
// checks are the flow UI's. As with Stripe.js, `Stripe(pk)` returns one instance per key, and
// including the script twice keeps the first definition. Every other Stripe.js method throws an
// Error naming it.
(function () {
  'use strict';
  if (typeof window === 'undefined' || typeof document === 'undefined') return;
  if (window.Stripe) {
    if (!window.Stripe.relinkSandbox) {
      console.warn('relink sandbox drop-in: window.Stripe is already defined (Stripe.js itself?); keeping it, so this page talks to Stripe, not the sandbox');
    }
    return;
  }

  // The sandbox writes its public URL here when it serves the script, for pages that inject the
  // script's text instead of loading it from a <script src>.
  var SERVED_BY = '__RELINK_SANDBOX_ORIGIN__';
  var script = document.currentScript;
  var sandbox = sandboxOrigin(script && script.src);
  var nonce = (script && script.nonce) || undefined;

  // Stripe.js's methods the flow UI provides, each exported as `sandbox<Method>`.
  var SUPPORTED = [
    'collectFinancialConnectionsAccounts',
    'collectBankAccountToken',
    'collectBankAccountForSetup',
    'confirmUsBankAccountSetup',
    'retrieveSetupIntent',
  ];
  // The rest of Stripe.js's instance methods (@stripe/stripe-js 10.2.1's `Stripe`, plus a few
  // older ones): each throws instead of quietly doing nothing.
  var UNSUPPORTED = [
    'elements', 'confirmPayment', 'confirmAcssDebitPayment', 'confirmUsBankAccountPayment',
    'confirmAlipayPayment', 'confirmAuBecsDebitPayment', 'confirmBancontactPayment',
    'confirmBilliePayment', 'confirmBlikPayment', 'confirmBoletoPayment', 'confirmCardPayment',
    'confirmCashappPayment', 'confirmCustomerBalancePayment', 'confirmEpsPayment',
    'confirmFpxPayment', 'confirmGiropayPayment', 'confirmGrabPayPayment', 'confirmIdealPayment',
    'confirmKlarnaPayment', 'confirmKonbiniPayment', 'confirmMobilepayPayment',
    'confirmMultibancoPayment', 'confirmOxxoPayment', 'confirmP24Payment',
    'confirmPayByBankPayment', 'confirmPayNowPayment', 'confirmPayPalPayment', 'confirmPixPayment',
    'confirmPromptPayPayment', 'confirmSepaDebitPayment', 'confirmSofortPayment',
    'confirmTwintPayment', 'confirmWechatPayPayment', 'handleCardAction', 'handleNextAction',
    'verifyMicrodepositsForPayment', 'createRadarSession', 'collectBankAccountForPayment',
    'createPaymentMethod', 'createConfirmationToken', 'retrievePaymentIntent', 'confirmSetup',
    'confirmAcssDebitSetup', 'confirmAuBecsDebitSetup', 'confirmBacsDebitSetup',
    'confirmBancontactSetup', 'confirmBlikSetup', 'confirmCardSetup', 'confirmCashappSetup',
    'confirmIdealSetup', 'confirmAmazonPaySetup', 'confirmPayPalSetup', 'confirmSepaDebitSetup',
    'confirmSofortSetup', 'confirmAffirmPayment', 'confirmAfterpayClearpayPayment',
    'verifyMicrodepositsForSetup', 'processOrder', 'retrieveOrder', 'paymentRequest',
    'createToken', 'verifyIdentity', 'createEphemeralKeyNonce', 'initCheckoutElementsSdk',
    'initCheckoutFormSdk', 'createEmbeddedCheckoutPage', 'initializePricing',
    'redirectToCheckout', 'createSource', 'retrieveSource', 'initEmbeddedCheckout', 'initCheckout',
  ];

  function sandboxOrigin(src) {
    if (src) {
      var origin = new URL(src, document.baseURI).origin;
      // A test may serve this file in place of js.stripe.com's; the API is still the sandbox.
      if (origin !== 'https://js.stripe.com') return origin;
    }
    return /^https?:\/\//.test(SERVED_BY) ? SERVED_BY.replace(/\/+$/, '') : window.location.origin;
  }

  // The flow UI, loaded once; a failed load is forgotten so that the next call tries again.
  var flowUi = null;
  function loadFlowUi() {
    if (!flowUi) {
      var base = sandbox + '/pkg/dist/sandbox-ui/';
      flowUi = import(base + 'relink_sandbox_ui.js').then(function (module) {
        return module.default({ module_or_path: base + 'relink_sandbox_ui_bg.wasm' }).then(function () {
          return module;
        });
      }).catch(function (error) {
        flowUi = null;
        throw error;
      });
    }
    return flowUi;
  }

  function preloadWhenIdle() {
    var idle = window.requestIdleCallback || function (run) { return setTimeout(run, 1); };
    idle(function () { loadFlowUi().catch(function () {}); });
  }

  function createInstance(publishableKey, options) {
    var settings = { publishableKey: publishableKey, apiBase: sandbox, locale: options.locale, nonce: nonce };
    var instance = {};
    UNSUPPORTED.forEach(function (method) {
      instance[method] = function () {
        throw new Error('Stripe.js method ' + method + '() is not provided by the relink sandbox ' +
          'drop-in, which provides ' + SUPPORTED.join(', ') + '. Use Stripe.js itself for it.');
      };
    });
    SUPPORTED.forEach(function (method) {
      var exported = 'sandbox' + method.charAt(0).toUpperCase() + method.slice(1);
      instance[method] = function () {
        var args = [settings].concat(Array.prototype.slice.call(arguments));
        // Until the flow UI is loaded this resolves later; a flow UI that cannot be loaded (the
        // sandbox is down) rejects, as a page without Stripe.js would fail.
        return loadFlowUi().then(function (ui) {
          return ui[exported].apply(null, args);
        });
      };
    });
    // Stripe.js's analytics hooks (`loadStripe` calls `_registerWrapper`): nothing to record.
    instance.registerAppInfo = function () {};
    instance._registerWrapper = function () {};
    return instance;
  }

  var instances = new Map();

  /** `Stripe(publishableKey, options)`: the same instance for the same key. */
  // The key is checked by the flow UI at the first call, with Stripe.js's rules and messages.
  function Stripe(publishableKey, options) {
    var instance = instances.get(publishableKey);
    if (!instance) {
      instance = createInstance(publishableKey, options || {});
      instances.set(publishableKey, instance);
      preloadWhenIdle();
    }
    return instance;
  }
  // The release train @stripe/stripe-js 10 expects, so that `loadStripe` does not warn.
  Stripe.version = 'endive';
  Object.defineProperty(Stripe, 'relinkSandbox', { value: sandbox });
  window.Stripe = Stripe;
})();
