// The consumer app's server half: the merchant's backend, written with the official `stripe`
// package (stripe-node) and pointed at a relink sandbox instead of api.stripe.com. It serves the
// page, the bundled app.ts, and the JSON endpoints the page calls, from its own origin.
import { once } from 'node:events';
import { createServer } from 'node:http';
import Stripe from 'stripe';

/** The preview API version, which renders the relink fields. */
export const PREVIEW = '2026-04-22.preview';

/** A stripe-node client for the sandbox at `origin`: the only change from production. */
export function sandboxClient(origin, secretKey) {
  const { hostname, port, protocol } = new URL(origin);
  return new Stripe(secretKey, { host: hostname, port, protocol: protocol.replace(':', ''), maxNetworkRetries: 0 });
}

/**
 * The page, with Stripe.js's tag (`stripeJs`): in production js.stripe.com's, here the
 * sandbox's drop-in, the page's one change for testing.
 */
function page(stripeJs) {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Rocket Rides: bank accounts</title>
  <link rel="icon" href="data:,">
  <script src="${stripeJs}"></script>
  <script type="module" src="/app.js"></script>
</head>
<body>
  <main>
    <h1>Bank accounts</h1>
    <button id="link" type="button">Link a bank account</button>
    <button type="button" data-relink="exact">Reconnect this account</button>
    <button type="button" data-relink="any">Reconnect any account at this bank</button>
    <button id="save" type="button">Save bank details</button>
    <button id="payouts" type="button">Set up payouts</button>
    <form id="mandate" hidden>
      <p>By clicking Agree, you authorize Rocket Rides to debit the bank account specified above for
        any amount owed for charges arising from your use of Rocket Rides' services, until this
        authorization is revoked.</p>
      <button id="agree" type="submit">Agree</button>
    </form>
    <p role="status" id="result"></p>
  </main>
</body>
</html>`;
}

async function readJson(request) {
  let text = '';
  for await (const chunk of request) text += chunk;
  return text ? JSON.parse(text) : {};
}

/**
 * Starts the merchant on a free loopback port. `appJs` is the bundled page script.
 * Resolves `{origin, stripe, close()}`.
 */
export async function startMerchant({ sandboxOrigin, secretKey, publishableKey, appJs }) {
  const stripe = sandboxClient(sandboxOrigin, secretKey);
  const preview = { apiVersion: PREVIEW };
  const holder = (customer) => ({ type: 'customer', customer });

  const routes = {
    'GET /': () => ({ type: 'text/html', body: page(`${sandboxOrigin}/v3/`) }),
    // Unchanged from production, for tests that serve the drop-in in place of js.stripe.com.
    'GET /production': () => ({ type: 'text/html', body: page('https://js.stripe.com/v3/') }),
    'GET /app.js': () => ({ type: 'text/javascript', body: appJs }),
    'GET /api/config': () => ({ json: { publishable_key: publishableKey } }),
    'POST /api/link_session': async ({ customer }) => {
      const session = await stripe.financialConnections.sessions.create({
        account_holder: holder(customer),
        permissions: ['payment_method', 'balances'],
        filters: { account_subcategories: ['checking', 'savings'] },
      });
      return { json: { client_secret: session.client_secret } };
    },
    // The seeds' relink sessions: the account's own authorization, optionally the account itself.
    'POST /api/relink_session': async ({ customer, account, exact }) => {
      const broken = await stripe.financialConnections.accounts.retrieve(account, {}, preview);
      const session = await stripe.financialConnections.sessions.create({
        account_holder: holder(customer),
        permissions: ['payment_method', 'balances'],
        filters: { account_subcategories: ['checking', 'savings'] },
        limits: { accounts: 1 },
        relink_options: {
          authorization: broken.authorization,
          ...(exact === 'true' ? { account } : {}),
        },
      }, preview);
      return { json: { client_secret: session.client_secret } };
    },
    'POST /api/setup_intent': async ({ customer }) => {
      const setupIntent = await stripe.setupIntents.create({
        customer,
        payment_method_types: ['us_bank_account'],
        payment_method_options: {
          us_bank_account: { financial_connections: { permissions: ['payment_method', 'balances'] } },
        },
      });
      return { json: { client_secret: setupIntent.client_secret } };
    },
    'POST /api/payout_session': async ({ customer }) => {
      const session = await stripe.financialConnections.sessions.create({
        account_holder: holder(customer),
        permissions: ['payment_method'],
        filters: { account_subcategories: ['checking', 'savings'] },
      });
      return { json: { client_secret: session.client_secret } };
    },
  };

  const server = createServer(async (request, response) => {
    const route = routes[`${request.method} ${new URL(request.url, 'http://merchant').pathname}`];
    if (!route) {
      response.writeHead(404, { 'Content-Type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    try {
      const answer = await route(request.method === 'POST' ? await readJson(request) : {});
      const body = answer.json ? JSON.stringify(answer.json) : answer.body;
      response.writeHead(200, {
        'Content-Type': answer.json ? 'application/json' : `${answer.type}; charset=utf-8`,
        // A strict policy that names the sandbox: the drop-in needs no inline script or style.
        'Content-Security-Policy': `default-src 'self'; script-src 'self' ${sandboxOrigin} https://js.stripe.com 'wasm-unsafe-eval'; `
          + `style-src 'self'; img-src 'self' data:; connect-src 'self' ${sandboxOrigin}`,
      });
      response.end(body);
    } catch (error) {
      response.writeHead(500, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify({ error: error.message }));
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    stripe,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
