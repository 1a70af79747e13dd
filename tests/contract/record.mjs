// The sandbox's contract with Stripe's published types (SPEC.md §4, "The contract's source of
// truth"). Drives the seeds' flows through the official `stripe` client against a fresh sandbox,
// once in the GA version the `stripe` package was built for and once in the preview version,
// and writes every response as TypeScript into generated/: one case per (flow step, object
// type), each recorded property checked against the type the package declares for it (and,
// for preview responses, `RelinkPreview` from preview.ts). `tsc -p tests/contract` then fails
// with one error per missing required property, wrong nullability or unknown enum value.
// Error cases (malformed and unknown versions, a JSON body, expand[] of what cannot be
// expanded) are checked as Stripe's error envelope, and before recording, the sandbox must
// take every `enabled_events` and `api_version` the package declares for webhook endpoints.
//
//   node tests/contract/record.mjs && tsc -p tests/contract
//
// The raw responses are kept in generated/recordings.json, for reading. When a check fails,
// the fix is in the sandbox (an object's `to_json`), never in these declarations: the `stripe`
// package is the source of truth (SPEC.md §4), and preview.ts holds only the seeds' fields.
import { once } from 'node:events';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import Stripe from 'stripe';
import { startSandbox } from '../e2e/support.mjs';

const GA_VERSION = '2026-10-28.endive';
const PREVIEW_VERSION = '2026-04-22.preview';
const SECRET_KEY = 'sk_test_relinksandbox000000000000';
const OUT = new URL('./generated/', import.meta.url);
const EVENTS_DTS = new URL('../node_modules/stripe/esm/resources/Events.d.ts', import.meta.url);
const WEBHOOK_ENDPOINTS_DTS = new URL('../node_modules/stripe/esm/resources/WebhookEndpoints.d.ts', import.meta.url);

if (Stripe.API_VERSION !== GA_VERSION) {
  throw new Error(`the stripe package is built for ${Stripe.API_VERSION}, these checks for ${GA_VERSION}`);
}

/** Preview responses are checked against `Stripe.X & RelinkPreview.X`, chosen by `object`. */
const PREVIEW_TYPES = {
  'financial_connections.account': 'RelinkPreview.Account',
  'financial_connections.authorization': 'RelinkPreview.Authorization',
  'financial_connections.session': 'RelinkPreview.Session',
};

/** Receives webhook deliveries, verified with the endpoint's secret as a merchant would. */
async function webhookReceiver() {
  const deliveries = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => { body += chunk; });
    request.on('end', () => {
      deliveries.push({ body, signature: request.headers['stripe-signature'] });
      response.writeHead(200).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${server.address().port}/webhook`,
    deliveries,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/**
 * One scenario in one API version: every response is kept as a case `{name, type, request,
 * status, body}`, where `type` is the `stripe` declaration it must satisfy.
 */
class Recorder {
  constructor(origin, apiVersion) {
    this.apiVersion = apiVersion;
    this.cases = [];
    this.skipped = [];
    this.checked = [];
    this.last = null;
    // The official client, with its fetch wrapped to keep the exact body of every response.
    this.stripe = new Stripe(SECRET_KEY, {
      host: '127.0.0.1',
      port: new URL(origin).port,
      protocol: 'http',
      apiVersion,
      maxNetworkRetries: 0,
      httpClient: Stripe.createFetchHttpClient(async (url, init) => {
        const response = await fetch(url, init);
        const path = new URL(url).pathname + new URL(url).search;
        this.last = { request: `${init.method} ${path}`, status: response.status, body: await response.clone().text() };
        return response;
      }),
    });
  }

  /** Runs one client call and records its response as case `name`, checked against `type`. */
  async record(name, type, call) {
    let result;
    try {
      result = await call(this.stripe);
    } catch (error) {
      throw new Error(`${this.apiVersion} ${name}: ${this.last?.request} failed: ${error.message}`, { cause: error });
    }
    this.keep(name, type);
    return result;
  }

  /** Like `record`, for endpoints the sandbox may not have yet: a failure is reported, not fatal. */
  async recordIfPresent(name, type, call) {
    try {
      const result = await call(this.stripe);
      this.keep(name, type);
      return result;
    } catch (error) {
      this.skipped.push(`${name}: ${this.last?.request} → ${this.last?.status ?? error.message}`);
      return null;
    }
  }

  /**
   * Runs a call that must fail and records Stripe's error envelope. A call that succeeds
   * instead is kept too, and becomes a failing check.
   */
  async recordError(name, call) {
    try {
      await call(this.stripe);
    } catch {
      // expected
    }
    this.keep(name, '{ error: Stripe.StripeRawError }', { expectError: true });
  }

  keep(name, type, extra = {}) {
    const { request, status, body } = this.last;
    this.cases.push({ name, type, request, status, body: JSON.parse(body), ...extra });
  }

  /** A sandbox test helper (not in the client): its response is still a Stripe object. */
  helper(path, params) {
    return (stripe) => stripe.rawRequest('POST', path, params);
  }
}

async function scenario(origin, apiVersion) {
  const r = new Recorder(origin, apiVersion);
  const receiver = await webhookReceiver();
  const fc = (stripe) => stripe.financialConnections;
  // A preview-version client for the IDs GA responses do not carry (an account's authorization).
  const previewAccount = (id) => new Recorder(origin, PREVIEW_VERSION).stripe.financialConnections.accounts.retrieve(id);

  try {
    const endpoint = await r.record('webhook_endpoint.create', 'Stripe.WebhookEndpoint', (s) =>
      s.webhookEndpoints.create({ url: receiver.url, enabled_events: ['*'], api_version: apiVersion }));
    await r.record('webhook_endpoint.retrieve', 'Stripe.WebhookEndpoint', (s) => s.webhookEndpoints.retrieve(endpoint.id));
    await r.record('webhook_endpoint.list', 'Stripe.ApiList<Stripe.WebhookEndpoint>', (s) => s.webhookEndpoints.list());
    await checkDeclaredWebhookParams(r);

    // Customer.
    const customer = await r.record('customer.create', 'Stripe.Customer', (s) =>
      s.customers.create({ email: 'jenny.rosen@example.com', name: 'Jenny Rosen', preferred_locales: ['en'] }));
    await r.record('customer.retrieve', 'Stripe.Customer', (s) => s.customers.retrieve(customer.id));
    const holder = { type: 'customer', customer: customer.id };

    // A plain link for payments: two accounts at Sandbox Bank.
    const session = await r.record('link.session_create', 'Stripe.FinancialConnections.Session', (s) =>
      fc(s).sessions.create({
        account_holder: holder,
        permissions: ['payment_method', 'balances'],
        filters: { account_subcategories: ['checking', 'savings'] },
      }));
    await r.record('link.session_complete', 'Stripe.FinancialConnections.Session', r.helper(
      `/v1/test_helpers/financial_connections/sessions/${session.id}/complete`,
      { institution: 'fcinst_sandbox_bank', accounts: ['6789', '4321'] }));
    await r.record('link.session_retrieve', 'Stripe.FinancialConnections.Session', (s) => fc(s).sessions.retrieve(session.id));
    const linked = await r.record('link.accounts_list', 'Stripe.ApiList<Stripe.FinancialConnections.Account>', (s) =>
      fc(s).accounts.list({ session: session.id }));
    await r.record('link.accounts_list_by_customer', 'Stripe.ApiList<Stripe.FinancialConnections.Account>', (s) =>
      fc(s).accounts.list({ account_holder: { customer: customer.id } }));
    const checking = linked.data.find((a) => a.last4 === '6789');
    const savings = linked.data.find((a) => a.last4 === '4321');
    await r.record('link.account_retrieve', 'Stripe.FinancialConnections.Account', (s) => fc(s).accounts.retrieve(checking.id));
    await r.record('link.account_refresh', 'Stripe.FinancialConnections.Account', (s) =>
      fc(s).accounts.refresh(savings.id, { features: ['balance'] }));
    const authorization = (await previewAccount(checking.id)).authorization;
    if (apiVersion === PREVIEW_VERSION) {
      await r.record('link.authorization_retrieve', 'Stripe.FinancialConnections.Authorization', (s) =>
        s.rawRequest('GET', `/v1/financial_connections/authorizations/${authorization}`));
    } else {
      await r.recordError('link.authorization_retrieve_in_ga', (s) =>
        s.rawRequest('GET', `/v1/financial_connections/authorizations/${authorization}`));
    }

    // Payments: a SetupIntent from the checking account, its payment method and mandate.
    const setupIntent = await r.record('payments.setup_intent_create', 'Stripe.SetupIntent', (s) =>
      s.setupIntents.create({
        customer: customer.id,
        payment_method_types: ['us_bank_account'],
        payment_method_data: {
          type: 'us_bank_account',
          us_bank_account: { financial_connections_account: checking.id },
          billing_details: { name: 'Jenny Rosen' },
        },
      }));
    const confirmed = await r.record('payments.setup_intent_confirm', 'Stripe.SetupIntent', (s) =>
      s.setupIntents.confirm(setupIntent.id, {
        mandate_data: {
          customer_acceptance: { type: 'online', online: { ip_address: '127.0.0.1', user_agent: 'relink contract check' } },
        },
      }));
    await r.record('payments.setup_intent_retrieve', 'Stripe.SetupIntent', (s) => s.setupIntents.retrieve(setupIntent.id));
    const paymentMethodId = typeof confirmed.payment_method === 'string' ? confirmed.payment_method : confirmed.payment_method?.id;
    await r.record('payments.payment_method_retrieve', 'Stripe.PaymentMethod', (s) => s.paymentMethods.retrieve(paymentMethodId));
    const mandateId = typeof confirmed.mandate === 'string' ? confirmed.mandate : confirmed.mandate?.id;
    if (mandateId) {
      await r.recordIfPresent('payments.mandate_retrieve', 'Stripe.Mandate', (s) => s.mandates.retrieve(mandateId));
    } else {
      r.skipped.push('payments.mandate_retrieve: the confirmed SetupIntent has no mandate');
    }

    // Payouts: a bank account token from the payment method.
    const token = await r.record('payouts.token_create', 'Stripe.Token', (s) =>
      s.tokens.create({ customer: customer.id, bank_account: { payment_method: paymentMethodId } }));

    // Connect: a connected account holding the token as its external account.
    const connected = await r.recordIfPresent('connect.account_create', 'Stripe.Account', (s) =>
      s.accounts.create({ email: 'jenny.rosen@example.com' }));
    if (connected) {
      await r.recordIfPresent('connect.account_retrieve', 'Stripe.Account', (s) => s.accounts.retrieve(connected.id));
      await r.recordIfPresent('connect.external_account_create', 'Stripe.BankAccount', (s) =>
        s.accounts.createExternalAccount(connected.id, { external_account: token.id }));
      await r.recordIfPresent('connect.session_create', 'Stripe.FinancialConnections.Session', (s) =>
        fc(s).sessions.create({ account_holder: { type: 'account', account: connected.id }, permissions: ['payment_method'] }));
      await r.recordIfPresent('connect.accounts_list_as_connected', 'Stripe.ApiList<Stripe.FinancialConnections.Account>', (s) =>
        fc(s).accounts.list({}, { stripeAccount: connected.id }));
    }

    // Relink: the authorization expires, both accounts go inactive.
    await r.record('relink.account_deactivate', 'Stripe.FinancialConnections.Account', r.helper(
      `/v1/test_helpers/financial_connections/accounts/${checking.id}/deactivate`, { cause: 'access_expired' }));
    await r.record('relink.account_retrieve_inactive', 'Stripe.FinancialConnections.Account', (s) => fc(s).accounts.retrieve(savings.id));
    await r.recordError('relink.setup_intent_create_inactive', (s) =>
      s.setupIntents.create({
        customer: customer.id,
        payment_method_types: ['us_bank_account'],
        payment_method_data: {
          type: 'us_bank_account',
          us_bank_account: { financial_connections_account: savings.id },
          billing_details: { name: 'Jenny Rosen' },
        },
        confirm: true,
        mandate_data: {
          customer_acceptance: { type: 'online', online: { ip_address: '127.0.0.1', user_agent: 'relink contract check' } },
        },
      }));
    if (apiVersion === PREVIEW_VERSION) {
      await r.record('relink.authorization_retrieve_inactive', 'Stripe.FinancialConnections.Authorization', (s) =>
        s.rawRequest('GET', `/v1/financial_connections/authorizations/${authorization}`));
    }
    const relinkParams = (options) => ({
      account_holder: holder,
      permissions: ['payment_method', 'balances'],
      filters: { account_subcategories: ['checking', 'savings'] },
      limits: { accounts: 1 },
      relink_options: { authorization, ...options },
    });

    // Hosted relink, link by URL.
    await r.record('hosted.session_create', 'Stripe.FinancialConnections.Session', (s) =>
      fc(s).sessions.create({ ...relinkParams({ account: checking.id }), ui_mode: 'hosted', hosted: { delivery_method: 'url' } }));

    // The customer relinks the wrong account, then gives up, then the bank is down.
    const wrong = await r.record('relink_wrong_account.session_create', 'Stripe.FinancialConnections.Session', (s) =>
      fc(s).sessions.create(relinkParams({ account: checking.id })));
    await r.record('relink_wrong_account.session_complete', 'Stripe.FinancialConnections.Session', r.helper(
      `/v1/test_helpers/financial_connections/sessions/${wrong.id}/complete`, { accounts: ['4321'] }));
    const abandoned = await r.record('relink_abandoned.session_create', 'Stripe.FinancialConnections.Session', (s) =>
      fc(s).sessions.create(relinkParams({ account: checking.id })));
    await r.record('relink_abandoned.session_complete', 'Stripe.FinancialConnections.Session', r.helper(
      `/v1/test_helpers/financial_connections/sessions/${abandoned.id}/complete`, { authentication: 'abandoned' }));
    const down = await r.record('relink_bank_down.session_create', 'Stripe.FinancialConnections.Session', (s) =>
      fc(s).sessions.create(relinkParams({})));
    await r.record('relink_bank_down.session_complete', 'Stripe.FinancialConnections.Session', r.helper(
      `/v1/test_helpers/financial_connections/sessions/${down.id}/complete`, { authentication: 'institution_down' }));

    // The customer relinks exactly the expected account: both accounts reactivate.
    const exact = await r.record('relink_exact.session_create', 'Stripe.FinancialConnections.Session', (s) =>
      fc(s).sessions.create(relinkParams({ account: checking.id })));
    await r.record('relink_exact.session_complete', 'Stripe.FinancialConnections.Session', r.helper(
      `/v1/test_helpers/financial_connections/sessions/${exact.id}/complete`, { accounts: ['6789'] }));
    await r.record('relink_exact.session_retrieve', 'Stripe.FinancialConnections.Session', (s) => fc(s).sessions.retrieve(exact.id));
    await r.record('relink_exact.account_retrieve', 'Stripe.FinancialConnections.Account', (s) => fc(s).accounts.retrieve(checking.id));

    // Inactive again; the customer picks another account at the same bank: a new account.
    await r.record('relink_any.account_deactivate', 'Stripe.FinancialConnections.Account', r.helper(
      `/v1/test_helpers/financial_connections/accounts/${checking.id}/deactivate`, { cause: 'institution_requirement' }));
    const any = await r.record('relink_any.session_create', 'Stripe.FinancialConnections.Session', (s) =>
      fc(s).sessions.create(relinkParams({})));
    await r.record('relink_any.session_complete', 'Stripe.FinancialConnections.Session', r.helper(
      `/v1/test_helpers/financial_connections/sessions/${any.id}/complete`, { accounts: ['2222'] }));

    // An account-level cause (closed): not repairable by relinking.
    await r.record('closed.account_deactivate', 'Stripe.FinancialConnections.Account', r.helper(
      `/v1/test_helpers/financial_connections/accounts/${savings.id}/deactivate`, { cause: 'account_closed' }));

    // Accounts that go inactive right after linking.
    const inactiveBank = await r.record('inactive_bank.session_create', 'Stripe.FinancialConnections.Session', (s) =>
      fc(s).sessions.create({ account_holder: holder, permissions: ['payment_method'] }));
    await r.record('inactive_bank.session_complete', 'Stripe.FinancialConnections.Session', r.helper(
      `/v1/test_helpers/financial_connections/sessions/${inactiveBank.id}/complete`,
      { institution: 'fcinst_inactive_accounts', accounts: ['6789'] }));

    // Tokenized account numbers: expiring, then deactivated (the payment method is blocked).
    const tan = await r.record('tan.session_create', 'Stripe.FinancialConnections.Session', (s) =>
      fc(s).sessions.create({ account_holder: holder, permissions: ['payment_method'] }));
    const tanSession = await r.record('tan.session_complete', 'Stripe.FinancialConnections.Session', r.helper(
      `/v1/test_helpers/financial_connections/sessions/${tan.id}/complete`,
      { institution: 'fcinst_tokenized_account_numbers', accounts: ['6789'] }));
    const tanAccount = tanSession.accounts.data[0].id;
    const tanIntent = await r.record('tan.setup_intent_create_and_confirm', 'Stripe.SetupIntent', (s) =>
      s.setupIntents.create({
        customer: customer.id,
        payment_method_types: ['us_bank_account'],
        payment_method_data: {
          type: 'us_bank_account',
          us_bank_account: { financial_connections_account: tanAccount },
          billing_details: { name: 'Jenny Rosen' },
        },
        confirm: true,
        mandate_data: {
          customer_acceptance: { type: 'online', online: { ip_address: '127.0.0.1', user_agent: 'relink contract check' } },
        },
      }));
    // The sandbox clock is sandbox-only: driven, not recorded.
    await r.stripe.rawRequest('POST', '/v1/test_helpers/clock', { seconds: String(15 * 86400) });
    await r.record('tan.account_numbers_deactivate', 'Stripe.FinancialConnections.Account', r.helper(
      `/v1/test_helpers/financial_connections/accounts/${tanAccount}/expire_account_numbers`, { status: 'deactivated' }));
    await r.record('tan.account_retrieve_deactivated', 'Stripe.FinancialConnections.Account', (s) => fc(s).accounts.retrieve(tanAccount));
    await r.record('tan.payment_method_retrieve_blocked', 'Stripe.PaymentMethod', (s) =>
      s.paymentMethods.retrieve(typeof tanIntent.payment_method === 'string' ? tanIntent.payment_method : tanIntent.payment_method.id));

    // Proactive relink: a consent that lapses on a known date, relinked before it, then a date
    // set close by the helper, and the clock passing it.
    const consentLink = await r.record('proactive.session_create', 'Stripe.FinancialConnections.Session', (s) =>
      fc(s).sessions.create({ account_holder: holder, permissions: ['payment_method'] }));
    const consentDone = await r.record('proactive.session_complete', 'Stripe.FinancialConnections.Session', r.helper(
      `/v1/test_helpers/financial_connections/sessions/${consentLink.id}/complete`,
      { institution: 'fcinst_expiring_consent', accounts: ['6789'] }));
    const consentAccount = consentDone.accounts.data[0].id;
    await r.record('proactive.account_retrieve_expiring', 'Stripe.FinancialConnections.Account', (s) =>
      fc(s).accounts.retrieve(consentAccount));
    const consentAuthorization = (await previewAccount(consentAccount)).authorization;
    const early = await r.record('proactive.relink_session_create', 'Stripe.FinancialConnections.Session', (s) =>
      fc(s).sessions.create({ ...relinkParams({ account: consentAccount }), relink_options: { authorization: consentAuthorization, account: consentAccount } }));
    await r.record('proactive.relink_session_complete', 'Stripe.FinancialConnections.Session', r.helper(
      `/v1/test_helpers/financial_connections/sessions/${early.id}/complete`, { accounts: ['6789'] }));
    const { now } = await r.stripe.rawRequest('GET', '/v1/test_helpers/clock');
    await r.record('proactive.authorization_schedule_deactivation', 'Stripe.FinancialConnections.Authorization', r.helper(
      `/v1/test_helpers/financial_connections/authorizations/${consentAuthorization}/schedule_deactivation`,
      { expected_deactivation_date: String(now + 3 * 86400), cause: 'institution_requirement' }));
    await r.stripe.rawRequest('POST', '/v1/test_helpers/clock', { seconds: String(4 * 86400) });
    await r.record('proactive.account_retrieve_lapsed', 'Stripe.FinancialConnections.Account', (s) =>
      fc(s).accounts.retrieve(consentAccount));

    // Disconnect.
    await r.record('disconnect.account_disconnect', 'Stripe.FinancialConnections.Account', (s) => fc(s).accounts.disconnect(savings.id));

    // Errors in Stripe's envelope.
    await r.recordError('errors.customer_retrieve_missing', (s) => s.customers.retrieve('cus_missing'));
    await r.recordError('errors.session_create_without_permissions', (s) =>
      fc(s).sessions.create({ account_holder: holder }));
    await r.recordError('errors.malformed_stripe_version', (s) =>
      s.customers.retrieve(customer.id, {}, { apiVersion: 'latest' }));
    await r.recordError('errors.malformed_stripe_version_fc', (s) =>
      fc(s).accounts.retrieve(checking.id, {}, { apiVersion: 'latest' }));
    await r.recordError('errors.unknown_release_name', (s) =>
      s.customers.retrieve(customer.id, {}, { apiVersion: '2099-12-31.acacia' }));
    await r.recordError('errors.impossible_date_version', (s) =>
      s.setupIntents.retrieve(setupIntent.id, {}, { apiVersion: '2026-02-30' }));
    await r.recordError('errors.json_body', (s) =>
      s.rawRequest('POST', '/v1/customers', { email: 'jenny.rosen@example.com' }, { additionalHeaders: { 'Content-Type': 'application/json' } }));
    await r.recordError('errors.not_expandable', (s) => s.customers.retrieve(customer.id, { expand: ['nonsense'] }));
    await r.recordError('errors.unknown_enabled_event', (s) =>
      s.webhookEndpoints.create({ url: receiver.url, enabled_events: ['financial_connections.session.updated'] }));
    // stripe-node's README documents beta flags after the version; they are accepted and ignored.
    await r.record('versions.beta_flags', 'Stripe.Customer', (s) =>
      s.customers.retrieve(customer.id, {}, { apiVersion: `${apiVersion}; feature_beta=v3` }));

    // Events: the list, one retrieve per type, and one webhook delivery per type, as a merchant's
    // `stripe.webhooks.constructEvent` hands it over.
    const events = await r.record('events.list', 'Stripe.ApiList<Stripe.Event>', (s) => s.events.list({ limit: 100 }));
    const firstOfType = new Map();
    for (const event of events.data) if (!firstOfType.has(event.type)) firstOfType.set(event.type, event.id);
    for (const [type, id] of firstOfType) {
      await r.record(`events.retrieve.${type}`, 'Stripe.Event', (s) => s.events.retrieve(id));
    }
    const deadline = Date.now() + 15_000;
    while (receiver.deliveries.length < events.data.length && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const delivered = new Set();
    for (const { body, signature } of receiver.deliveries) {
      // Signed at the sandbox clock's time, which this scenario moved forward.
      const event = r.stripe.webhooks.constructEvent(body, signature, endpoint.secret, 10 * 365 * 86400);
      if (delivered.has(event.type)) continue;
      delivered.add(event.type);
      r.cases.push({ name: `webhook.${event.type}`, type: 'Stripe.Event', request: `webhook delivery to ${receiver.url}`, status: 200, body: JSON.parse(body) });
    }
    if (receiver.deliveries.length < events.data.length) {
      r.skipped.push(`webhooks: ${receiver.deliveries.length} of ${events.data.length} events delivered within 15 s`);
    }

    await r.record('webhook_endpoint.delete', 'Stripe.DeletedWebhookEndpoint', (s) => s.webhookEndpoints.del(endpoint.id));
  } finally {
    await receiver.close();
  }
  return r;
}

/** The members of a string-literal union `type <name> = '…' | …;` in a declaration file. */
async function declaredUnion(url, name) {
  const source = await readFile(url, 'utf8');
  const union = source.match(new RegExp(`type ${name} = ([^;]+);`));
  if (!union) throw new Error(`no type ${name} in ${url.pathname}`);
  return [...union[1].matchAll(/'([^']+)'/g)].map((m) => m[1]);
}

/**
 * What the package declares a webhook endpoint may be created with, the sandbox takes: every
 * `enabled_events` value (Stripe's whole event catalog, which the sandbox's
 * objects/event_types.rs copies) and every `api_version` (its release table in version.rs).
 * A runtime check, not a type check: these are parameters, not responses.
 */
async function checkDeclaredWebhookParams(r) {
  const events = await declaredUnion(WEBHOOK_ENDPOINTS_DTS, 'EnabledEvent');
  const versions = await declaredUnion(WEBHOOK_ENDPOINTS_DTS, 'ApiVersion');
  if (events.length < 200 || versions.length < 100) throw new Error('read too few declared values');
  const all = await r.stripe.webhookEndpoints.create({
    url: 'http://127.0.0.1:9/unused',
    enabled_events: events.filter((e) => e !== '*'),
  });
  await r.stripe.webhookEndpoints.del(all.id);
  for (const api_version of versions) {
    let endpoint;
    try {
      endpoint = await r.stripe.webhookEndpoints.create({ url: 'http://127.0.0.1:9/unused', enabled_events: ['*'], api_version });
    } catch (error) {
      throw new Error(`the sandbox refuses the declared api_version ${api_version}: ${error.message}`, { cause: error });
    }
    if (endpoint.api_version !== api_version) throw new Error(`api_version ${api_version} came back as ${endpoint.api_version}`);
    await r.stripe.webhookEndpoints.del(endpoint.id);
  }
  r.checked.push(`webhook endpoints take all ${events.length - 1} declared enabled_events (and *) and ${versions.length} declared api_versions`);
}

// ---- TypeScript generation ----

/** Event type → the `stripe` package's interface for it (`FinancialConnectionsAccountDeactivatedEvent`). */
async function eventInterfaces() {
  const source = await readFile(EVENTS_DTS, 'utf8');
  const map = new Map();
  for (const [, name, type] of source.matchAll(/export interface (\w+Event) extends EventBase \{\s*(?:\/\*\*[\s\S]*?\*\/\s*)?type: '([^']+)';/g)) {
    map.set(type, `Stripe.${name}`);
  }
  if (map.size < 100) throw new Error(`read only ${map.size} event interfaces from ${EVENTS_DTS.pathname}`);
  return map;
}

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const literal = (v) => (v === null ? 'null' : JSON.stringify(v));

/** A recorded JSON value as a type literal: strings, numbers and booleans as literal types. */
function typeLiteral(value) {
  if (Array.isArray(value)) return `[${value.map(typeLiteral).join(', ')}]`;
  if (isObject(value)) return `{ ${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${typeLiteral(v)}`).join('; ')} }`;
  return literal(value);
}

class Emitter {
  constructor(preview, events) {
    this.preview = preview;
    this.events = events;
    this.lines = [];
    /** Label → the preview declaration a node there is also checked against. */
    this.extras = new Map();
    this.aliases = 0;
    this.checks = 0;
  }

  /** A check that the recorded `recorded` fits the declared `declared` at `label`. */
  field(label, declared, recorded) {
    const key = JSON.stringify(label);
    this.lines.push(`const _${this.checks++}: Field<${key}, ${declared}> = null as unknown as Field<${key}, ${recorded}>;`);
  }

  /** The type an object node is checked against: by its `object` where that says more. */
  nodeType(label, declared, value) {
    if (value.object === 'event') {
      // A preview event's previous_attributes may hold preview fields of its object.
      const extra = this.preview ? PREVIEW_TYPES[value.data?.object?.object] : undefined;
      if (extra) this.extras.set(`${label}.data.previous_attributes`, `Partial<${extra}>`);
      return this.events.get(value.type) ?? 'Stripe.EventBase';
    }
    const extra = this.extras.get(label) ?? (this.preview ? PREVIEW_TYPES[value.object] : undefined);
    return extra ? `Child<${declared}> & ${extra}` : `Child<${declared}>`;
  }

  /** Checks one recorded value found at `label` in a slot declared as `declared`. */
  value(label, declared, value) {
    if (isObject(value)) {
      this.field(label, declared, `AnObject<${declared}>`);
      this.object(label, this.nodeType(label, declared, value), value);
    } else if (Array.isArray(value) && value.some((v) => v !== null && typeof v === 'object')) {
      this.field(label, declared, `AnArray<${declared}>`);
      const array = `T${this.aliases++}`;
      this.lines.push(`type ${array} = Child<${declared}>;`);
      value.forEach((item, i) => this.value(`${label}[${i}]`, `Prop<${array}, number>`, item));
    } else {
      this.field(label, declared, typeLiteral(value));
    }
  }

  /** Checks an object: no required property missing, then each recorded property. */
  object(label, type, value) {
    const alias = `T${this.aliases++}`;
    this.lines.push(`type ${alias} = ${type};`);
    const keys = Object.keys(value).map((k) => JSON.stringify(k)).join(' | ') || 'never';
    const name = JSON.stringify(label);
    this.lines.push(`const _${this.checks++}: never = null as unknown as Missing<${name}, ${alias}, ${keys}>;`);
    this.lines.push(`const _${this.checks++}: never = null as unknown as NoneInCommon<${name}, ${alias}, ${keys}, ${JSON.stringify(Object.keys(value).join(', '))}>;`);
    for (const [key, item] of Object.entries(value)) {
      if (key === 'type' && value.object === 'event') {
        const path = JSON.stringify(`${label}.type`);
        this.lines.push(`const _${this.checks++}: Field<${path}, 'in the Event.Type catalog'> = null as unknown as Field<${path}, InCatalog<${literal(item)}, Stripe.Event.Type>>;`);
      } else {
        this.value(`${label}.${key}`, `Prop<${alias}, ${JSON.stringify(key)}>`, item);
      }
    }
  }

  /** One case: the response of one request, as the declared type of the whole. */
  case(prefix, { name, type, request, status, body, expectError }) {
    const label = `${prefix} ${name} (${type})`;
    this.lines.push('', `// ${label}: ${request} → ${status}`);
    if (expectError && status < 400) {
      const key = JSON.stringify(`${prefix} ${name}`);
      this.lines.push(`const _${this.checks++}: Field<${key}, "an error response"> = null as unknown as Field<${key}, ${JSON.stringify(`${request} answered ${status}`)}>;`);
      return;
    }
    this.lines.push(`export type Recorded_${prefix}_${name.replace(/\W/g, '_')} = ${typeLiteral(body)};`);
    this.object(label, this.nodeType(label, type, body), body);
  }
}

function generate(prefix, apiVersion, recorder, events) {
  const emitter = new Emitter(apiVersion.endsWith('.preview'), events);
  for (const c of recorder.cases) emitter.case(prefix, c);
  const header = [
    `// Generated by tests/contract/record.mjs from the sandbox's responses in Stripe-Version ${apiVersion}.`,
    `// ${recorder.cases.length} cases, ${emitter.checks} checks. Each error names the case, the path and the property.`,
    "import type Stripe from 'stripe';",
    "import type { AnArray, AnObject, Child, Field, InCatalog, Missing, NoneInCommon, Prop } from '../check.js';",
    "import type { RelinkPreview } from '../preview.js';",
  ];
  return { text: [...header, ...emitter.lines, ''].join('\n'), checks: emitter.checks };
}

const events = await eventInterfaces();
await rm(OUT, { recursive: true, force: true });
await mkdir(OUT, { recursive: true });
const recordings = {};
for (const [prefix, apiVersion] of [['ga', GA_VERSION], ['preview', PREVIEW_VERSION]]) {
  const sandbox = await startSandbox();
  let recorder;
  try {
    recorder = await scenario(sandbox.origin, apiVersion);
  } catch (error) {
    console.error(sandbox.output());
    throw error;
  } finally {
    await sandbox.stop();
  }
  const { text, checks } = generate(prefix, apiVersion, recorder, events);
  await writeFile(new URL(`${prefix}.ts`, OUT), text);
  recordings[apiVersion] = recorder.cases;
  console.log(`contract: ${prefix} (${apiVersion}): ${recorder.cases.length} cases, ${checks} checks → tests/contract/generated/${prefix}.ts`);
  for (const check of recorder.checked) console.log(`contract: ${prefix}: ${check}`);
  for (const skip of recorder.skipped) console.log(`contract: ${prefix}: not recorded: ${skip}`);
}
await writeFile(new URL('recordings.json', OUT), `${JSON.stringify(recordings, null, 2)}\n`);
