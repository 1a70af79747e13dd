// The demo merchant's page logic, shared by the ESM and the script-tag variants. It plays the
// merchant's front end: it asks the merchant backend (the sandbox's /demo/api) for a client
// secret, hands it to relink, and shows what relink resolved. Untrusted text goes in with
// textContent only.

const OUTCOME_MESSAGES = {
  relinked_expected_account: ['good', 'The broken account is reconnected. Payments from it work again.'],
  relinked_existing_account: ['good', 'The bank connection is repaired with an account you already had.'],
  linked_new_account: ['good', 'A new bank account is linked.'],
  no_account: ['bad', 'Your customer signed in to the bank but did not link the expected account.'],
  no_authorization: ['bad', 'Your customer did not sign in to their bank, so nothing changed.'],
  other: ['bad', 'The bank could not be reached. Nothing changed; try again later.'],
  could_not_launch: ['bad', 'The relink flow could not start.'],
};

const CAUSE_LABELS = {
  access_denied: 'access revoked at the bank',
  access_expired: 'bank connection expired',
  account_closed: 'account closed',
  account_unavailable: 'account unavailable',
  institution_requirement: 'the bank changed how it signs in',
  unspecified: 'unknown reason',
};

/** Calls the demo merchant backend; rejects with the API's own error message. */
export async function merchantApi(path, body) {
  const init = body === undefined
    ? {}
    : { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) };
  const response = await fetch(path, init);
  const payload = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(payload.error?.message ?? `${path} answered ${response.status}`);
  return payload;
}

function element(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key === 'onclick') node.addEventListener('click', value);
    else if (key in node) node[key] = value;
    else node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
}

function statusBadge(account) {
  if (account.status === 'active') return element('span', { className: 'status active', textContent: 'Active' });
  const inactive = account.status_details?.inactive;
  const cause = CAUSE_LABELS[inactive?.cause] ?? account.status;
  if (inactive?.action === 'relink_required') {
    return element('span', { className: 'status relink', textContent: `Needs relink: ${cause}` });
  }
  return element('span', { className: 'status broken', textContent: `Can't be repaired: ${cause}` });
}

/** When a working account is expected to stop (proactive relink), or null. */
function stopsOn(account) {
  const active = account.status === 'active' ? account.status_details?.active : undefined;
  if (active?.action !== 'relink_required' || !active.expected_deactivation_date) return null;
  return new Date(active.expected_deactivation_date * 1000);
}

/** "Stops working on <date> — relink now", for an account whose bank connection will lapse. */
function stopsWorkingNotice(account, date) {
  const when = element('time', {
    dateTime: date.toISOString().slice(0, 10),
    textContent: date.toLocaleDateString(undefined, { dateStyle: 'long', timeZone: 'UTC' }),
  });
  return element('p', { className: 'account-warning', dataset: { testid: `stops-working-${account.id}` } },
    'Stops working on ', when, ' — relink now');
}

function tanExpiry(account) {
  const tan = account.account_numbers?.find(
    (number) => number.identifier_type === 'tokenized_account_number' && number.status === 'transactable',
  );
  if (!tan?.expected_expiry_date) return '';
  const date = new Date(tan.expected_expiry_date * 1000).toLocaleDateString();
  return ` · account number token expires ${date}`;
}

/**
 * Wires the merchant page. `loadRelink(publishableKey, options)` is relink's loader, from the npm
 * package or from the script tag's global: the page shows both ways give the same API. Both run
 * on the page's Stripe.js (`window.Stripe`): here the sandbox's drop-in from `/v3/`, in
 * production js.stripe.com's, with this code unchanged.
 */
export async function startMerchantPage({ loadRelink }) {
  // Loaded on first use; a failed load (say, the sandbox restarting) is retried on the next click.
  let relinkReady = null;
  function relink() {
    relinkReady ??= merchantApi('/demo/api/config')
      .then((config) => loadRelink(config.publishable_key, { stripe: window.Stripe(config.publishable_key) }))
      .catch((error) => {
        relinkReady = null;
        throw error;
      });
    return relinkReady;
  }
  const collect = async (params) => (await relink()).collectFinancialConnectionsAccounts(params);

  const list = document.getElementById('accounts');
  const listStatus = document.getElementById('accounts-status');
  const linkButton = document.getElementById('link-account');
  const exact = document.getElementById('exact-relink');
  let busy = false;

  async function refresh() {
    const { customer, accounts } = await merchantApi('/demo/api/accounts');
    document.getElementById('customer-name').textContent = customer.name ?? customer.email ?? customer.id;
    list.replaceChildren(...accounts.map(renderAccount));
    listStatus.textContent = accounts.length === 0
      ? 'No bank accounts yet. Link one to pay by bank.'
      : `${accounts.length} bank account${accounts.length === 1 ? '' : 's'}.`;
  }

  function renderAccount(account) {
    const name = `${account.institution_name} ${account.display_name ?? ''} ••••${account.last4}`;
    const actions = element('div', { className: 'account-actions' });
    const stops = stopsOn(account);
    if (account.status_details?.inactive?.action === 'relink_required' || stops) {
      actions.append(element('button', {
        type: 'button', className: 'button primary small', textContent: 'Relink',
        dataset: { testid: `relink-${account.id}` },
        ariaLabel: `Relink ${name}`,
        onclick: () => run(() => merchantApi('/demo/api/relink_session', { account: account.id, exact: exact.checked })),
      }));
    }
    if (account.status === 'active' || account.status_details?.inactive?.action === 'relink_required') {
      actions.append(element('button', {
        type: 'button', className: 'button small', textContent: 'Pay by bank',
        dataset: { testid: `pay-${account.id}` },
        ariaLabel: `Pay by bank: ${name}`,
        onclick: () => guarded(() => showMandate(account, name)),
      }));
    }
    if (account.status === 'active') {
      actions.append(element('button', {
        type: 'button', className: 'button small', textContent: 'Set up payouts',
        dataset: { testid: `payouts-${account.id}` },
        ariaLabel: `Set up payouts: ${name}`,
        onclick: () => guarded(async () => {
          const { setup_intent: intent, token } = await merchantApi('/demo/api/payout_token', { account: account.id });
          showResult('good', `Payouts to ${name} are set up: bank account token ${token.id}.`, { setupIntent: intent, token });
        }),
      }));
      actions.append(element('button', {
        type: 'button', className: 'button small', textContent: 'Break this link',
        title: 'Sandbox only: make the bank connection expire',
        dataset: { testid: `break-${account.id}` },
        ariaLabel: `Break this link: ${name} (sandbox)`,
        onclick: () => guarded(async () => {
          await merchantApi(`/demo/api/accounts/${encodeURIComponent(account.id)}/deactivate`, {});
          await refresh();
        }),
      }));
    }
    return element('li', { className: 'account', dataset: { accountId: account.id, testid: 'account-row' } },
      element('div', {},
        element('span', { className: 'account-name', textContent: name }),
        statusBadge(account),
        element('div', { className: 'account-meta', textContent: `${account.id} · ${account.subcategory}${tanExpiry(account)}` }),
        ...(stops ? [stopsWorkingNotice(account, stops)] : [])),
      actions);
  }

  // One flow at a time. Buttons stay focusable (aria-disabled, not disabled) so that the modal
  // can hand focus back to the button that opened it.
  async function guarded(task) {
    if (busy) return;
    busy = true;
    document.body.setAttribute('aria-busy', 'true');
    linkButton.setAttribute('aria-disabled', 'true');
    try {
      await task();
    } catch (error) {
      showOutcome({ outcome: 'could_not_launch', error: { message: error.message } });
    } finally {
      busy = false;
      document.body.removeAttribute('aria-busy');
      linkButton.removeAttribute('aria-disabled');
      // A relink button is re-rendered by the refresh: move focus to the result, not the void.
      if (!document.activeElement || document.activeElement === document.body) {
        document.getElementById('outcome-heading').focus();
      }
    }
  }

  function run(createSession) {
    return guarded(async () => {
      const { client_secret: clientSecret, existing_account_ids: existingAccountIds } = await createSession();
      const result = await collect({ clientSecret, existingAccountIds });
      showOutcome(result);
      await refresh();
    });
  }

  function showOutcome(result) {
    const [tone, message] = OUTCOME_MESSAGES[result.outcome] ?? ['bad', `Outcome: ${result.outcome}`];
    showResult(tone, result.error ? `${message} ${result.error.message}` : message, result);
    document.getElementById('outcome-code').textContent = result.outcome;
    document.getElementById('is-new').textContent = String(result.isNew ?? null);
  }

  function showResult(tone, message, payload) {
    const outcome = document.getElementById('outcome');
    outcome.className = `outcome-${tone}`;
    outcome.textContent = message;
    document.getElementById('outcome-code').textContent = '';
    document.getElementById('is-new').textContent = '';
    document.getElementById('result-json').textContent = JSON.stringify(payload, null, 2);
    document.getElementById('outcome-card').hidden = false;
  }

  // The mandate step: the merchant's server creates a SetupIntent for the account, and relink's
  // mandate form shows the ACH authorization and confirms it in the browser. If the account's
  // link is broken, the form offers to relink it first.
  let mandate = null;
  async function showMandate(account, name) {
    const { client_secret: clientSecret } = await merchantApi('/demo/api/setup_intent', { account: account.id });
    mandate?.unmount();
    const card = document.getElementById('mandate-card');
    const form = element('form', { id: 'mandate-form', dataset: { testid: 'mandate-form' } });
    document.getElementById('mandate-form').replaceWith(form);
    form.addEventListener('relink:confirmed', async (event) => {
      const { setupIntent } = event.detail;
      showResult('good', `Debits from ${name} are authorized: mandate ${setupIntent.mandate}.`, { setupIntent });
      await refresh();
    });
    mandate = (await relink()).mountMandateForm(form, {
      merchantName: 'Rocket Rides',
      clientSecret,
      bankAccount: { bankName: account.institution_name, last4: account.last4 },
      createRelinkSession: async () =>
        (await merchantApi('/demo/api/relink_session', { account: account.id, exact: true })).client_secret,
    });
    card.hidden = false;
    document.getElementById('mandate-heading').focus();
  }

  linkButton.addEventListener('click', () => run(() => merchantApi('/demo/api/link_session', {})));
  try {
    await refresh();
    linkButton.disabled = false;
  } catch (error) {
    listStatus.textContent = `Could not load accounts: ${error.message}`;
  }
}
