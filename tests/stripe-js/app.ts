// A merchant's bank-account integration written against @stripe/stripe-js, exactly as it would
// run on Stripe: `loadStripe`, then Stripe.js's Financial Connections and ACH methods. Nothing
// here knows about relink. The page's one change for testing is the sandbox's drop-in script tag
// in place of js.stripe.com (see server.mjs); `./dev test` type-checks this file with
// `tsc --strict` against @stripe/stripe-js's declarations and drives it in headless Chromium.
import {
  loadStripe,
  type BankAccountToken,
  type FinancialConnectionsSession,
  type SetupIntent,
  type Stripe,
  type StripeError,
} from '@stripe/stripe-js';

/** The relink fields the preview API adds to a session (Stripe.js's types predate them). */
interface RelinkResult {
  account: string | null;
  authorization: string | null;
  failure_reason: 'no_account' | 'no_authorization' | 'other' | null;
}
type PreviewSession = FinancialConnectionsSession & { relink_result?: RelinkResult | null };

/** What each action ended with, for the page and for its tests. */
type Report =
  | { action: string; status: string; session?: FinancialConnectionsSession; setupIntent?: SetupIntent; token?: BankAccountToken }
  | { action: string; status: 'error'; error: StripeError };

declare global {
  interface Window {
    /** Every result Stripe.js resolved, in order, as it resolved them (read by the tests). */
    stripeResults: unknown[];
  }
}

const params = new URLSearchParams(window.location.search);
const customer = params.get('customer') ?? '';
const output = element('result');
window.stripeResults = [];

async function api<T>(path: string, body: Record<string, string>): Promise<T> {
  const response = await fetch(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path} answered ${response.status}`);
  return (await response.json()) as T;
}

function element<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`#${id} is missing`);
  return found as T;
}

function show(report: Report): void {
  output.textContent = 'error' in report
    ? `${report.action}: ${report.error.type} ${report.error.code ?? ''} ${report.error.message ?? ''}`
    : `${report.action}: ${report.status}`;
  output.dataset.status = report.status;
}

function record<T>(result: T): T {
  window.stripeResults.push(result);
  return result;
}

/** Links accounts for later use (Stripe's "collect an account to build data-powered products"). */
async function link(stripe: Stripe): Promise<Report> {
  const { client_secret: clientSecret } = await api<{ client_secret: string }>('/api/link_session', { customer });
  const { financialConnectionsSession, error } = record(
    await stripe.collectFinancialConnectionsAccounts({ clientSecret }),
  );
  if (error) return { action: 'link', status: 'error', error };
  const linked = financialConnectionsSession.accounts.map((account) => `${account.display_name} ${account.last4 ?? ''}`);
  return { action: 'link', status: linked.length ? `linked ${linked.join(', ')}` : 'no accounts', session: financialConnectionsSession };
}

/** The seeds' relink client code, typed. */
async function relink(stripe: Stripe, account: string, exact: boolean): Promise<Report> {
  const { client_secret: clientSecret } = await api<{ client_secret: string }>(
    '/api/relink_session', { customer, account, exact: String(exact) },
  );
  const { financialConnectionsSession, error } = record(
    await stripe.collectFinancialConnectionsAccounts({ clientSecret }),
  );
  if (error) return { action: 'relink', status: 'error', error };
  const session: PreviewSession = financialConnectionsSession;
  let status: string;
  if (session.relink_result?.account) {
    status = `relinked ${session.accounts[0]?.id ?? ''}`;
  } else if (session.relink_result?.authorization) {
    status = `repaired with ${session.accounts[0]?.id ?? ''}`;
  } else {
    switch (session.relink_result?.failure_reason) {
      case 'no_account': // signed in, but did not link the expected account
      case 'no_authorization': // did not sign in
      case 'other': // unexpected failure
        status = session.relink_result.failure_reason;
        break;
      default:
        status = 'not a relink session';
    }
  }
  return { action: 'relink', status, session };
}

/** Stripe's ACH "save bank details" guide: collect, show the mandate, confirm. */
async function saveBankDetails(stripe: Stripe): Promise<Report> {
  const { client_secret: clientSecret } = await api<{ client_secret: string }>('/api/setup_intent', { customer });
  const { setupIntent, error } = record(await stripe.collectBankAccountForSetup({
    clientSecret,
    params: {
      payment_method_type: 'us_bank_account',
      // Every field Stripe.js sends, as real integrations fill them in.
      payment_method_data: {
        billing_details: {
          name: 'Jenny Rosen',
          email: 'jenny.rosen@example.com',
          phone: '+15555550123',
          address: { line1: '510 Townsend St', city: 'San Francisco', state: 'CA', postal_code: '94103', country: 'US' },
        },
      },
    },
    expand: ['payment_method'],
  }));
  if (error) return { action: 'setup', status: 'error', error };
  if (setupIntent.status === 'requires_payment_method') {
    return { action: 'setup', status: 'requires_payment_method', setupIntent };
  }
  const form = element<HTMLFormElement>('mandate');
  form.dataset.secret = clientSecret;
  // Expanded: the payment method itself, whose ID the confirm names as public code does.
  const paymentMethod = setupIntent.payment_method;
  form.dataset.paymentMethod = typeof paymentMethod === 'string' ? paymentMethod : paymentMethod?.id ?? '';
  form.hidden = false;
  return { action: 'setup', status: setupIntent.status, setupIntent };
}

/** The seeds' mandate form: one confirm per submission. */
async function acceptMandate(stripe: Stripe, form: HTMLFormElement): Promise<Report> {
  const submit = element<HTMLButtonElement>('agree');
  submit.disabled = true;
  try {
    const { setupIntent, error } = record(await stripe.confirmUsBankAccountSetup(form.dataset.secret ?? '', {
      payment_method: form.dataset.paymentMethod,
    }));
    if (error) return { action: 'confirm', status: 'error', error };
    form.hidden = true;
    return { action: 'confirm', status: setupIntent.status, setupIntent };
  } finally {
    submit.disabled = false;
  }
}

/** Stripe's Connect payouts guide: a bank account token for an external account. */
async function payouts(stripe: Stripe): Promise<Report> {
  const { client_secret: clientSecret } = await api<{ client_secret: string }>('/api/payout_session', { customer });
  const result = record(await stripe.collectBankAccountToken({ clientSecret }));
  if (result.error) return { action: 'payouts', status: 'error', error: result.error };
  // As Stripe.js documents, a customer who links nothing gets the session without a token.
  const token: BankAccountToken | undefined = result.token;
  if (!token) return { action: 'payouts', status: 'no accounts', session: result.financialConnectionsSession };
  return { action: 'payouts', status: `token ${token.bank_account.last4}`, token, session: result.financialConnectionsSession };
}

async function main(): Promise<void> {
  const config = (await (await fetch('/api/config')).json()) as { publishable_key: string };
  const stripe = await loadStripe(config.publishable_key);
  if (!stripe) throw new Error('Stripe.js did not load');
  const run = (action: () => Promise<Report>) => () => {
    action().then(show, (failure: unknown) => {
      show({ action: 'page', status: 'error', error: { type: 'api_error', message: String(failure) } });
    });
  };
  element('link').addEventListener('click', run(() => link(stripe)));
  for (const button of document.querySelectorAll<HTMLButtonElement>('button[data-relink]')) {
    button.addEventListener('click', run(() => relink(stripe, params.get('account') ?? '', button.dataset.relink === 'exact')));
  }
  element('save').addEventListener('click', run(() => saveBankDetails(stripe)));
  element('payouts').addEventListener('click', run(() => payouts(stripe)));
  const form = element<HTMLFormElement>('mandate');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    run(() => acceptMandate(stripe, form))();
  });
  document.body.dataset.ready = 'true';
}

main().catch((failure: unknown) => {
  output.textContent = `could not start: ${String(failure)}`;
});
