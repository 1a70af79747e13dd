// The hosted relink page a customer reaches from a relink email or a hosted session's `url`.
// The link carries an opaque single-use token (never the client secret). The page is the
// sandbox's own (it plays Stripe's hosted page), so it runs the sandbox flow UI directly,
// full-page: the UI trades the token for the session and runs the flow.
import initFlowUi, { hostedRelink } from '/pkg/dist/sandbox-ui/relink_sandbox_ui.js';
import { merchantApi } from '/merchant.js';

const status = document.getElementById('hosted-status');

const MESSAGES = {
  relinked_expected_account: 'Your bank account is reconnected. You can close this page.',
  no_account: 'You signed in, but the account we asked about was not selected. Use the link again to retry, or contact the merchant.',
  no_authorization: 'Your bank account was not reconnected because you did not sign in to your bank.',
  other: 'Your bank could not be reached. Please try again later.',
};
const USED = ['token_already_used', 'resource_missing'];

/** What the customer is told, from the session's own `relink_result` (as Stripe's page would). */
function outcomeOf(session) {
  const reason = session.relink_result?.failure_reason;
  // A hosted relink always names the account, so success is always the expected one.
  if (session.relink_result && !reason) return 'relinked_expected_account';
  return MESSAGES[reason] ? reason : 'other';
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
  await initFlowUi({ module_or_path: '/pkg/dist/sandbox-ui/relink_sandbox_ui_bg.wasm' });
  const settings = { publishableKey: config.publishable_key, apiBase: location.origin };
  const result = await hostedRelink(settings, token, {
    onRedeemed: ({ merchantName }) => {
      document.title = `Reconnect your bank account · ${merchantName}`;
      status.textContent = `${merchantName} asks you to reconnect your bank account so payments keep working.`;
    },
  });
  if (result.error) {
    status.textContent = USED.includes(result.error.code)
      ? 'This link was already used or has expired. Ask the merchant for a new one.'
      : result.error.message;
    status.dataset.outcome = 'could_not_launch';
    return;
  }
  const outcome = outcomeOf(result.financialConnectionsSession);
  status.textContent = MESSAGES[outcome];
  status.dataset.outcome = outcome;
  const returnUrl = result.returnUrl;
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
