// The Stripe.js drop-in demo: a merchant page written for Stripe.js alone. It never touches
// relink's API; `window.Stripe` is the sandbox's drop-in (the /v3/ tag in stripe-js.html), so the
// same code would run on Stripe with js.stripe.com's tag. The merchant backend is the sandbox's
// /demo/api. Untrusted text goes in with textContent only; client secrets stay in memory.
import { merchantApi } from '/merchant.js';

const RELINK_MESSAGES = {
  no_account: 'You signed in to your bank but did not link the expected account.',
  no_authorization: 'You did not sign in to your bank, so nothing changed.',
  other: 'Your bank could not be reached. Try again later.',
};

function element(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key === 'onclick') node.addEventListener('click', value);
    else node[key] = value;
  }
  node.append(...children);
  return node;
}

/** Shows a message and what Stripe.js resolved (without the SetupIntent's client secret). */
function show(tone, message, result) {
  const outcome = document.getElementById('outcome');
  outcome.className = `outcome-${tone}`;
  outcome.textContent = message;
  const shown = JSON.stringify(result, (key, value) => (key === 'client_secret' ? '(not shown)' : value), 2);
  document.getElementById('result-json').textContent = shown;
  document.getElementById('outcome-card').hidden = false;
}

const config = await merchantApi('/demo/api/config');
const stripe = Stripe(config.publishable_key);
const list = document.getElementById('accounts');
const listStatus = document.getElementById('accounts-status');
const buttons = ['link-account', 'save-bank', 'payouts'].map((id) => document.getElementById(id));
const form = document.getElementById('mandate-form');
let busy = false;

async function refresh() {
  const { accounts } = await merchantApi('/demo/api/accounts');
  list.replaceChildren(...accounts.map((account) => {
    const name = `${account.institution_name} ${account.display_name ?? ''} ••••${account.last4}`;
    const row = element('li', { className: 'account', dataset: { testid: 'account-row' } },
      element('div', {},
        element('span', { className: 'account-name', textContent: name }),
        element('span', {
          className: `status ${account.status === 'active' ? 'active' : 'relink'}`,
          textContent: account.status === 'active' ? 'Active' : 'Needs relink',
        })));
    if (account.status_details?.inactive?.action === 'relink_required') {
      row.append(element('div', { className: 'account-actions' }, element('button', {
        type: 'button', className: 'button primary small', textContent: 'Reconnect',
        ariaLabel: `Reconnect ${name}`, dataset: { testid: `relink-${account.id}` },
        onclick: () => guarded(() => relink(account)),
      })));
    }
    return row;
  }));
  listStatus.textContent = `${accounts.length} bank account${accounts.length === 1 ? '' : 's'}.`;
}

// One flow at a time; buttons stay focusable so that the modal can hand focus back.
async function guarded(task) {
  if (busy) return;
  busy = true;
  buttons.forEach((button) => button.setAttribute('aria-disabled', 'true'));
  try {
    await task();
  } catch (error) {
    show('bad', `Something went wrong: ${error.message}`, {});
  } finally {
    busy = false;
    buttons.forEach((button) => button.removeAttribute('aria-disabled'));
  }
}

async function link() {
  const { client_secret: clientSecret } = await merchantApi('/demo/api/link_session', {});
  const { financialConnectionsSession, error } = await stripe.collectFinancialConnectionsAccounts({ clientSecret });
  if (error) return show('bad', error.message, { error });
  const linked = financialConnectionsSession.accounts;
  show(linked.length ? 'good' : 'bad', linked.length ? `Linked ${linked.map((a) => `••••${a.last4}`).join(', ')}.` : 'No account was linked.', { financialConnectionsSession });
  await refresh();
}

// The seeds' relink code: relink_result says how it went.
async function relink(account) {
  const { client_secret: clientSecret } = await merchantApi('/demo/api/relink_session', { account: account.id, exact: true });
  const { financialConnectionsSession, error } = await stripe.collectFinancialConnectionsAccounts({ clientSecret });
  if (error) return show('bad', error.message, { error });
  if (financialConnectionsSession.relink_result.account) {
    show('good', `••••${financialConnectionsSession.accounts[0].last4} is reconnected.`, { financialConnectionsSession });
  } else {
    const reason = financialConnectionsSession.relink_result.failure_reason;
    show('bad', RELINK_MESSAGES[reason] ?? `Relink failed: ${reason}`, { financialConnectionsSession });
  }
  await refresh();
}

// Stripe's ACH guide: collect the account for the SetupIntent, show the mandate, confirm on Agree.
async function saveBankDetails() {
  const { client_secret: clientSecret } = await merchantApi('/demo/api/setup_intent', {});
  const { setupIntent, error } = await stripe.collectBankAccountForSetup({
    clientSecret,
    params: {
      payment_method_type: 'us_bank_account',
      payment_method_data: { billing_details: { name: 'Jenny Rosen', email: 'jenny.rosen@example.com' } },
    },
  });
  if (error) return show('bad', error.message, { error });
  if (setupIntent.status === 'requires_payment_method') return show('bad', 'No bank account was linked.', { setupIntent });
  form.dataset.secret = clientSecret;
  form.hidden = false;
  document.getElementById('mandate-heading').focus();
  show('good', 'Bank account linked: agree to the mandate to save it.', { setupIntent });
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const agree = form.querySelector('button[type=submit]');
  if (agree.disabled) return;
  agree.disabled = true;
  try {
    const { setupIntent, error } = await stripe.confirmUsBankAccountSetup(form.dataset.secret);
    if (error) return show('bad', error.message, { error });
    form.hidden = true;
    delete form.dataset.secret;
    show('good', `Saved: the SetupIntent ${setupIntent.status}, mandate ${setupIntent.mandate}.`, { setupIntent });
    await refresh();
  } finally {
    agree.disabled = false;
  }
});

async function payouts() {
  const { client_secret: clientSecret } = await merchantApi('/demo/api/link_session', {});
  const { token, financialConnectionsSession, error } = await stripe.collectBankAccountToken({ clientSecret });
  if (error) return show('bad', error.message, { error });
  if (!token) return show('bad', 'No bank account was linked.', { financialConnectionsSession });
  show('good', `Payouts go to ••••${token.bank_account.last4}: bank account token ${token.id}.`, { token, financialConnectionsSession });
  await refresh();
}

buttons[0].addEventListener('click', () => guarded(link));
buttons[1].addEventListener('click', () => guarded(saveBankDetails));
buttons[2].addEventListener('click', () => guarded(payouts));
try {
  await refresh();
  buttons.forEach((button) => { button.disabled = false; });
} catch (error) {
  listStatus.textContent = `Could not load accounts: ${error.message}`;
}
