// The hosted relink page a customer reaches from a relink email or a hosted session's `url`.
// The link carries an opaque single-use token (never the client secret); the page trades it for
// the session and runs relink full-page.
import { loadRelink } from '/pkg/dist/relink.esm.js';
import { merchantApi } from '/merchant.js';

const status = document.getElementById('hosted-status');

const MESSAGES = {
  relinked_expected_account: 'Your bank account is reconnected. You can close this page.',
  relinked_existing_account: 'Your bank account is reconnected. You can close this page.',
  no_account: 'You signed in, but the account we asked about was not selected. Use the link again to retry, or contact the merchant.',
  no_authorization: 'Your bank account was not reconnected because you did not sign in to your bank.',
  other: 'Your bank could not be reached. Please try again later.',
};

async function redeem(token, publishableKey) {
  const response = await fetch('/v1/link_account_sessions/hosted', {
    method: 'POST',
    headers: { Authorization: `Bearer ${publishableKey}`, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token }),
  });
  const body = await response.json();
  if (!response.ok) {
    const used = body.error?.code === 'token_already_used' || body.error?.code === 'resource_missing';
    throw new Error(used ? 'This link was already used or has expired. Ask the merchant for a new one.' : body.error?.message);
  }
  return body;
}

async function main() {
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  // The token is single-use: keep it out of the history and out of any Referer.
  history.replaceState(null, '', location.pathname);
  if (!token) {
    status.textContent = 'This page opens from a relink link in an email. The link is missing its token.';
    return;
  }
  const config = await merchantApi('/demo/api/config');
  const { client_secret: clientSecret, return_url: returnUrl, merchant_name: merchant } = await redeem(token, config.publishable_key);
  document.title = `Reconnect your bank account · ${merchant}`;
  status.textContent = `${merchant} asks you to reconnect your bank account so payments keep working.`;
  const relink = await loadRelink(config.publishable_key, { apiBase: config.api_base });
  const result = await relink.collectFinancialConnectionsAccounts({ clientSecret, layout: 'page' });
  status.textContent = result.error ? result.error.message : (MESSAGES[result.outcome] ?? MESSAGES.other);
  status.dataset.outcome = result.outcome;
  // The merchant chose return_url; only ever follow it as a web address.
  if (returnUrl && /^https?:$/.test(new URL(returnUrl, location.href).protocol)) {
    document.getElementById('hosted-return-link').href = returnUrl;
    document.getElementById('hosted-return').hidden = false;
  }
  document.getElementById('hosted-heading').focus();
}

main().catch((error) => {
  status.textContent = error.message;
  status.dataset.outcome = 'could_not_launch';
});
