// The sandbox dashboard's "Request relink": select eligible accounts, confirm, and the sandbox
// "emails" each customer a link to the hosted relink page (kept in the outbox below).
import { merchantApi } from '/merchant.js';

const list = document.getElementById('dashboard-accounts');
const status = document.getElementById('dashboard-status');
const submit = document.getElementById('request-relink-submit');
const outbox = document.getElementById('outbox');

function item(...children) {
  const li = document.createElement('li');
  li.className = 'account';
  li.append(...children);
  return li;
}

function text(tag, className, content) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  node.textContent = content;
  return node;
}

function renderAccount(row) {
  const id = `select-${row.account}`;
  const checkbox = Object.assign(document.createElement('input'), {
    type: 'checkbox', id, name: 'accounts[]', value: row.account, disabled: !row.eligible,
  });
  checkbox.dataset.testid = id;
  const label = document.createElement('label');
  label.htmlFor = id;
  label.className = 'account-name';
  label.textContent = `${row.institution_name} ${row.display_name ?? ''} ••••${row.last4}`;
  const choice = document.createElement('div');
  choice.className = 'option';
  choice.append(checkbox, label);
  // Accounts expected to stop working (proactive relink) are eligible while still active.
  const stops = row.status === 'active' && row.expected_deactivation_date
    ? ` · stops working on ${new Date(row.expected_deactivation_date * 1000).toLocaleDateString(undefined, { dateStyle: 'long', timeZone: 'UTC' })}`
    : '';
  const detail = text('div', 'account-meta', row.eligible ? `${row.account}${stops} · eligible for a relink email` : `${row.account} · ${row.reason}`);
  detail.dataset.testid = `detail-${row.account}`;
  const wrapper = document.createElement('div');
  wrapper.append(choice, detail);
  const needsRelink = row.status !== 'active' || stops;
  return item(wrapper, text('span', `status ${needsRelink ? 'relink' : 'active'}`, row.status));
}

function renderEmail(email) {
  const body = document.createElement('div');
  body.append(
    text('div', 'account-name', email.subject),
    text('div', 'account-meta', `To ${email.to} · ${new Date(email.created * 1000).toLocaleString()}`),
  );
  const link = Object.assign(document.createElement('a'), { href: email.url, textContent: 'Open the relink link' });
  link.className = 'button small';
  link.dataset.testid = 'email-link';
  return item(body, link);
}

async function refresh() {
  const [{ accounts }, { emails }] = await Promise.all([merchantApi('/demo/api/hosted_relink'), merchantApi('/demo/api/emails')]);
  list.replaceChildren(...accounts.map(renderAccount));
  const eligible = accounts.filter((row) => row.eligible).length;
  status.textContent = `${accounts.length} accounts, ${eligible} eligible for a relink email.`;
  submit.disabled = eligible === 0;
  outbox.replaceChildren(...emails.map(renderEmail));
  document.getElementById('outbox-status').textContent = emails.length ? `${emails.length} sent.` : 'No relink email sent yet.';
}

document.getElementById('request-relink').addEventListener('submit', async (event) => {
  event.preventDefault();
  const selected = new FormData(event.target).getAll('accounts[]');
  if (selected.length === 0) {
    status.textContent = 'Select at least one eligible account.';
    return;
  }
  // The Dashboard asks before it emails customers.
  if (!window.confirm(`Email ${selected.length} customer${selected.length === 1 ? '' : 's'} a link to relink their bank account?`)) return;
  submit.disabled = true;
  try {
    const { requested, skipped } = await merchantApi('/demo/api/request_relink', { accounts: selected });
    await refresh();
    status.textContent = `Sent ${requested.length} relink email${requested.length === 1 ? '' : 's'}.`
      + (skipped.length ? ` Skipped ${skipped.length}: ${skipped.map((s) => s.reason).join(' ')}` : '');
  } catch (error) {
    status.textContent = `Could not request a relink: ${error.message}`;
    submit.disabled = false;
  }
});

refresh().catch((error) => {
  status.textContent = `Could not load accounts: ${error.message}`;
});
