// The relink sandbox's Stripe.js drop-in: `window.Stripe` with Stripe.js's Financial Connections
// and ACH methods, whose flow the relink component runs against the sandbox. A page's own
// Stripe.js integration then works offline and deterministically, unchanged but for one tag:
//
//   <script src="http://127.0.0.1:4242/v3/"></script>      (instead of https://js.stripe.com/v3/)
//
// The sandbox serves this file at /v3/ and /stripe.js. As with Stripe.js, `Stripe(pk)` returns
// one instance per key, nothing is fetched until a method is called (then the component, once),
// and including the script twice keeps the first definition. Every other Stripe.js method throws
// an Error naming it. Results have exactly Stripe.js's shapes; client secrets travel only in
// POST bodies.
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
  var ERROR_TYPES = [
    'api_connection_error', 'api_error', 'authentication_error', 'card_error',
    'idempotency_error', 'invalid_request_error', 'rate_limit_error', 'validation_error',
  ];
  var FC_SECRET = /^fcsess_client_secret_/;
  var REQUEST_TIMEOUT_MS = 30000;

  function sandboxOrigin(src) {
    if (src) {
      var origin = new URL(src, document.baseURI).origin;
      // A test may serve this file in place of js.stripe.com's; the API is still the sandbox.
      if (origin !== 'https://js.stripe.com') return origin;
    }
    return /^https?:\/\//.test(SERVED_BY) ? SERVED_BY.replace(/\/+$/, '') : window.location.origin;
  }

  function integrationError(message) {
    var error = new Error(message);
    error.name = 'IntegrationError';
    return error;
  }

  /** Stripe's error object as Stripe.js resolves it: absent fields are left out, not null. */
  function stripeError(error) {
    var shaped = {
      type: error && ERROR_TYPES.indexOf(error.type) >= 0 ? error.type : 'api_error',
    };
    ['code', 'message', 'param', 'doc_url', 'request_log_url'].forEach(function (key) {
      if (error && typeof error[key] === 'string') shaped[key] = error[key];
    });
    if (!shaped.message) shaped.message = 'The relink sandbox could not complete the request.';
    return shaped;
  }

  function connectionError(what, cause) {
    return {
      type: 'api_connection_error',
      message: 'relink sandbox drop-in: could not ' + what + ' at ' + sandbox + ' (' +
        String((cause && cause.message) || cause) + ')',
    };
  }

  /**
   * The finished session as Stripe.js resolves it: its keys (`id`, `accounts` as an array,
   * `permissions`, `return_url`), and for relink sessions `relink_result`.
   */
  function stripeSession(session) {
    var shaped = { id: session.id, accounts: session.accounts };
    if (session.permissions) shaped.permissions = session.permissions;
    if (typeof session.return_url === 'string') shaped.return_url = session.return_url;
    if (session.relink_options) shaped.relink_result = session.relink_result;
    return shaped;
  }

  function requireObject(method, options) {
    if (!options || typeof options !== 'object') {
      throw integrationError(method + ': expected an options object, such as {clientSecret}.');
    }
    return options;
  }

  // Checked for shape only, and never echoed: a client secret must not reach logs.
  function requireSessionSecret(method, clientSecret) {
    if (typeof clientSecret !== 'string' || !FC_SECRET.test(clientSecret)) {
      throw integrationError(method + ': clientSecret must be the client_secret of a Financial ' +
        'Connections Session (fcsess_client_secret_…).');
    }
    return clientSecret;
  }

  function setupIntentId(method, clientSecret) {
    var at = typeof clientSecret === 'string' ? clientSecret.indexOf('_secret_') : -1;
    if (at <= 'seti_'.length || clientSecret.lastIndexOf('seti_', 0) !== 0) {
      throw integrationError(method + ': clientSecret must be the client_secret of a SetupIntent ' +
        '(seti_…_secret_…).');
    }
    return clientSecret.slice(0, at);
  }

  function relinkLocale(locale) {
    var language = typeof locale === 'string' ? locale.toLowerCase().split('-')[0] : '';
    return ['en', 'ja', 'de'].indexOf(language) >= 0 ? language : 'auto';
  }

  var componentModule = null;
  function loadComponent() {
    if (!componentModule) {
      componentModule = import(sandbox + '/pkg/dist/relink.esm.js').catch(function (error) {
        componentModule = null;
        throw error;
      });
    }
    return componentModule;
  }

  function createInstance(publishableKey, options) {
    var relink = null;
    function withRelink(use) {
      if (!relink) {
        relink = loadComponent().then(function (module) {
          return module.loadRelink(publishableKey, {
            apiBase: sandbox,
            wasmUrl: sandbox + '/pkg/dist/relink_bg.wasm',
            locale: relinkLocale(options.locale),
            nonce: nonce,
          });
        }).catch(function (error) {
          relink = null;
          throw error;
        });
      }
      return relink.then(use, function (error) {
        return { error: connectionError('load the relink component', error) };
      });
    }

    /** POSTs form fields with the publishable key; resolves `{body}` or `{error}`. */
    function post(path, fields) {
      var body = new URLSearchParams();
      fields.forEach(function (field) {
        if (field[1] !== undefined && field[1] !== null) body.append(field[0], String(field[1]));
      });
      var init = {
        method: 'POST',
        credentials: 'omit',
        headers: {
          Authorization: 'Bearer ' + publishableKey,
          'Content-Type': 'application/x-www-form-urlencoded',
        },
        body: body.toString(),
      };
      if (typeof AbortSignal !== 'undefined' && AbortSignal.timeout) {
        init.signal = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
      }
      return fetch(sandbox + path, init).then(function (response) {
        return response.json().then(function (json) {
          return response.ok ? { body: json } : { error: stripeError(json && json.error) };
        }, function () {
          return { error: stripeError({ message: 'The relink sandbox answered ' + response.status + ' without JSON.' }) };
        });
      }, function (cause) {
        return { error: connectionError('reach the API', cause) };
      });
    }

    /** Runs the relink flow; resolves `{session}` (Stripe.js's shape) or `{error}`. */
    function collect(clientSecret) {
      return withRelink(function (component) {
        return component.collectFinancialConnectionsAccounts({ clientSecret: clientSecret });
      }).then(function (result) {
        if (result.error) return { error: stripeError(result.error) };
        return { session: stripeSession(result.financialConnectionsSession) };
      });
    }

    function retrieve(clientSecret, id, expand) {
      var fields = [['client_secret', clientSecret]];
      (Array.isArray(expand) ? expand : []).forEach(function (path) {
        fields.push(['expand[]', path]);
      });
      return post('/v1/setup_intents/' + encodeURIComponent(id) + '/retrieve', fields).then(function (answer) {
        return answer.error ? { error: answer.error } : { setupIntent: answer.body };
      });
    }

    var instance = {};
    UNSUPPORTED.forEach(function (method) {
      instance[method] = function () {
        throw new Error('Stripe.js method ' + method + '() is not provided by the relink sandbox ' +
          'drop-in, which provides ' + SUPPORTED.join(', ') + '. Use Stripe.js itself for it.');
      };
    });

    /** Stripe.js's modal, played by relink: `{financialConnectionsSession}` or `{error}`. */
    instance.collectFinancialConnectionsAccounts = function (params) {
      var clientSecret = requireSessionSecret('collectFinancialConnectionsAccounts',
        requireObject('collectFinancialConnectionsAccounts', params).clientSecret);
      return collect(clientSecret).then(function (collected) {
        return collected.error ? { error: collected.error } : { financialConnectionsSession: collected.session };
      });
    };

    /**
     * `{token, financialConnectionsSession}` once an account is linked; as in Stripe.js, a
     * customer who links nothing gets `{financialConnectionsSession}` with no accounts.
     */
    instance.collectBankAccountToken = function (params) {
      var clientSecret = requireSessionSecret('collectBankAccountToken',
        requireObject('collectBankAccountToken', params).clientSecret);
      return collect(clientSecret).then(function (collected) {
        if (collected.error) return { error: collected.error };
        var session = collected.session;
        if (!session.accounts.length) return { financialConnectionsSession: session };
        return post('/v1/link_account_sessions/bank_account_token', [['client_secret', clientSecret]])
          .then(function (answer) {
            return answer.error ? { error: answer.error } : { token: answer.body, financialConnectionsSession: session };
          });
      });
    };

    /**
     * Links an account for the SetupIntent, whose payment method the sandbox then attaches
     * (status `requires_confirmation`); a customer who links nothing leaves it
     * `requires_payment_method`. Billing name and email are recorded on the payment method.
     */
    instance.collectBankAccountForSetup = function (params) {
      var method = 'collectBankAccountForSetup';
      requireObject(method, params);
      var id = setupIntentId(method, params.clientSecret);
      var setup = params.params || {};
      if (setup.payment_method_type !== 'us_bank_account') {
        throw integrationError(method + ": params.payment_method_type must be 'us_bank_account'.");
      }
      var billing = (setup.payment_method_data && setup.payment_method_data.billing_details) || {};
      var clientSecret = params.clientSecret;
      return post('/v1/link_account_sessions/for_setup_intent', [
        ['client_secret', clientSecret],
        ['payment_method_data[billing_details][name]', billing.name],
        ['payment_method_data[billing_details][email]', billing.email],
      ]).then(function (answer) {
        if (answer.error) return { error: answer.error };
        return collect(answer.body.client_secret).then(function (collected) {
          return collected.error ? { error: collected.error } : retrieve(clientSecret, id, params.expand);
        });
      });
    };

    /**
     * Confirms the SetupIntent with the browser's online mandate acceptance, as Stripe.js does
     * when given no `mandate_data`: `{setupIntent}` (then with its `mandate`) or `{error}`.
     */
    instance.confirmUsBankAccountSetup = function (clientSecret, data) {
      setupIntentId('confirmUsBankAccountSetup', clientSecret);
      if (data && data.payment_method !== undefined) {
        return Promise.resolve({
          error: stripeError({
            type: 'invalid_request_error',
            code: 'parameter_unknown',
            param: 'payment_method',
            message: 'The relink sandbox drop-in confirms the payment method that ' +
              'collectBankAccountForSetup attached; it does not take payment_method.',
          }),
        });
      }
      return withRelink(function (component) {
        return component.confirmUsBankAccountSetup(clientSecret);
      }).then(function (result) {
        return result.error ? { error: stripeError(result.error) } : { setupIntent: result.setupIntent };
      });
    };

    instance.retrieveSetupIntent = function (clientSecret) {
      return retrieve(clientSecret, setupIntentId('retrieveSetupIntent', clientSecret));
    };

    // Stripe.js's analytics hooks (`loadStripe` calls `_registerWrapper`): nothing to record.
    instance.registerAppInfo = function () {};
    instance._registerWrapper = function () {};
    return instance;
  }

  var instances = new Map();

  /** `Stripe(publishableKey, options)`: the same instance for the same key. */
  function Stripe(publishableKey, options) {
    if (typeof publishableKey !== 'string' || publishableKey === '') {
      throw integrationError('Please call Stripe() with your publishable key (pk_test_…).');
    }
    if (publishableKey.lastIndexOf('sk_', 0) === 0) {
      throw integrationError('You should not use your secret key with Stripe.js. Please pass a publishable key instead.');
    }
    var instance = instances.get(publishableKey);
    if (!instance) {
      instance = createInstance(publishableKey, options || {});
      instances.set(publishableKey, instance);
    }
    return instance;
  }
  // The release train @stripe/stripe-js 10 expects, so that `loadStripe` does not warn.
  Stripe.version = 'endive';
  Object.defineProperty(Stripe, 'relinkSandbox', { value: sandbox });
  window.Stripe = Stripe;
})();
