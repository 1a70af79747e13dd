// relink for a plain <script> tag: defines `window.Relink` with the same API as the ESM entry
// and wires declarative buttons. relink runs on the page's Stripe.js (`window.Stripe`): the
// js.stripe.com tag in production, the relink sandbox's /v3/ tag in development.
//
//   <script src="https://js.stripe.com/v3/"></script>
//   <script src="/pkg/relink.script.js" data-publishable-key="pk_test_…" defer></script>
//   <button data-relink-session data-session-endpoint="/api/relink_session" data-account="fca_…">
//     Reconnect your bank
//   </button>
//
//   <form data-relink-mandate data-secret="seti_…_secret_…" data-merchant-name="Rocket Rides"
//         data-relink-session-endpoint="/api/relink_session"></form>
//
// (`data-api-base="http://127.0.0.1:4242"` is the development shorthand: relink then loads the
// sandbox's drop-in itself, as `loadRelink(pk, {apiBase})` does.)
//
// A click on a `[data-relink-session]` element (present at load or added later) POSTs its
// `data-*` values as JSON to `data-session-endpoint` (the merchant's backend, which answers
// `{client_secret, existing_account_ids}`), runs the flow, and dispatches a bubbling
// `relink:result` event whose `detail` is what collectFinancialConnectionsAccounts resolved.
// A `form[data-relink-mandate]` (present at load or added later) gets the ACH mandate and confirms
// its SetupIntent on submit (see mountMandateForm); with `data-relink-session-endpoint` it offers
// to reconnect an inactive bank account first. The component itself is fetched on first use,
// once; a failed fetch is retried on the next use.
(function () {
  'use strict';
  if (typeof window === 'undefined' || typeof document === 'undefined' || window.Relink) return;

  var script = document.currentScript;
  var scriptData = (script && script.dataset) || {};
  // Under a nonce-based CSP, what the component injects carries the same nonce as this tag.
  var nonce = (script && script.nonce) || undefined;
  // Where dist/relink.esm.js and dist/relink_bg.wasm live: beside this file by default.
  var publicPath = new URL(scriptData.publicPath || '.', script ? script.src : document.baseURI);
  var entry = null;

  function entryModule() {
    if (!entry) {
      entry = import(new URL('dist/relink.esm.js', publicPath).href).catch(function (error) {
        entry = null;
        throw error;
      });
    }
    return entry;
  }

  function loadRelink(publishableKey, options) {
    var settings = Object.assign({ wasmUrl: new URL('dist/relink_bg.wasm', publicPath), nonce: nonce }, options);
    return entryModule().then(function (module) {
      return module.loadRelink(publishableKey, settings);
    });
  }

  var defaultRelink = null;
  function relinkFromScriptTag() {
    if (!defaultRelink) {
      if (!scriptData.publishableKey) {
        return Promise.reject(new Error('relink: add data-publishable-key="pk_…" to the relink <script> tag'));
      }
      defaultRelink = loadRelink(scriptData.publishableKey, { apiBase: scriptData.apiBase, locale: scriptData.locale })
        .catch(function (error) {
          defaultRelink = null;
          throw error;
        });
    }
    return defaultRelink;
  }

  function postJson(url, fields) {
    return fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(fields),
    }).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) throw new Error((body.error && body.error.message) || url + ' answered ' + response.status);
        return body;
      });
    });
  }

  function settle(trigger, detail) {
    trigger.removeAttribute('aria-busy');
    if ('disabled' in trigger) trigger.disabled = false;
    trigger.dispatchEvent(new CustomEvent('relink:result', { bubbles: true, detail: detail }));
  }

  function launch(trigger) {
    if (trigger.getAttribute('aria-busy') === 'true') return;
    trigger.setAttribute('aria-busy', 'true');
    if ('disabled' in trigger) trigger.disabled = true;
    var fields = Object.assign({}, trigger.dataset);
    delete fields.relinkSession;
    delete fields.sessionEndpoint;
    Promise.all([relinkFromScriptTag(), postJson(trigger.dataset.sessionEndpoint, fields)]).then(function (ready) {
      return ready[0].collectFinancialConnectionsAccounts({
        clientSecret: ready[1].client_secret,
        existingAccountIds: ready[1].existing_account_ids || [],
      });
    }).then(function (result) {
      settle(trigger, result);
    }, function (error) {
      settle(trigger, {
        outcome: 'could_not_launch',
        isNew: null,
        error: { type: 'api_connection_error', message: String((error && error.message) || error) },
      });
    });
  }

  var mountedForms = new WeakSet();

  function mountMandate(form) {
    if (mountedForms.has(form)) return;
    mountedForms.add(form);
    var endpoint = form.dataset.relinkSessionEndpoint;
    relinkFromScriptTag().then(function (relink) {
      relink.mountMandateForm(form, {
        merchantName: form.dataset.merchantName || document.title,
        createRelinkSession: endpoint
          ? function () {
            // The form's other data-* values (say, data-account) tell the backend what to relink;
            // the SetupIntent's secret stays on the page.
            var fields = Object.assign({}, form.dataset);
            ['secret', 'relinkMandate', 'relinkSessionEndpoint', 'merchantName'].forEach(function (key) {
              delete fields[key];
            });
            return postJson(endpoint, fields).then(function (body) {
              return body.client_secret;
            });
          }
          : undefined,
      });
    }, function (error) {
      mountedForms.delete(form);
      form.dispatchEvent(new CustomEvent('relink:error', {
        bubbles: true,
        detail: { error: { type: 'api_connection_error', message: String((error && error.message) || error) } },
      }));
    });
  }

  function mountMandatesIn(root) {
    if (root.matches && root.matches('form[data-relink-mandate]')) mountMandate(root);
    if (root.querySelectorAll) root.querySelectorAll('form[data-relink-mandate]').forEach(mountMandate);
  }

  function watchForMandates() {
    mountMandatesIn(document);
    new MutationObserver(function (records) {
      records.forEach(function (record) {
        record.addedNodes.forEach(mountMandatesIn);
      });
    }).observe(document.documentElement, { childList: true, subtree: true });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', watchForMandates);
  else watchForMandates();

  // One delegated listener covers buttons that exist now and those added later.
  document.addEventListener('click', function (event) {
    var trigger = event.target instanceof Element && event.target.closest('[data-relink-session]');
    if (!trigger || !trigger.dataset.sessionEndpoint) return;
    event.preventDefault();
    launch(trigger);
  });

  window.Relink = Object.freeze({ loadRelink: loadRelink });
})();
