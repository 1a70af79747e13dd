// A merchant who already uses @stripe/stripe-js (10.2.1) and adds relink's production path from
// the README, type-checked by `./dev test` with `lib: es2022` and without skipLibCheck: relink's
// declarations must compile beside Stripe.js's, take its instance and hand back its shapes.
import {
  loadStripe,
  type FinancialConnectionsSession as StripeSession,
  type SetupIntent as StripeSetupIntent,
  type Stripe,
} from '@stripe/stripe-js';
import { loadRelink, type FinancialConnectionsSession, type SetupIntent, type StripeLike } from '@relink/js';

const publishableKey = 'pk_test_relinksandbox000000000000';

/** Code the merchant wrote for Stripe.js's session before adopting relink. */
function describeAccounts(session: StripeSession): string {
  return session.accounts
    .map((account) => `${account.display_name} ${account.last4 ?? ''} ${account.balance?.current['usd'] ?? ''}`)
    .join(', ');
}

function describeSetupIntent(setupIntent: StripeSetupIntent): string {
  return `${setupIntent.id} ${setupIntent.status}`;
}

// The README's production path, verbatim but for the key: loadStripe's result goes straight in.
async function production(clientSecret: string, existingAccountIds: string[]): Promise<string> {
  const relink = await loadRelink(publishableKey, { stripe: await loadStripe(publishableKey) });
  const result = await relink?.collectFinancialConnectionsAccounts({
    clientSecret,
    existingAccountIds,
    fetchSession: async (id) => (await (await fetch(`/fc_sessions/${id}`)).json()) as FinancialConnectionsSession,
  });
  if (!result || result.error) return result?.error.message ?? 'server-side rendering';
  // relink's session where the merchant's Stripe.js code expects Stripe.js's.
  return `${result.outcome}: ${describeAccounts(result.financialConnectionsSession)}`;
}

async function confirm(stripe: Stripe, clientSecret: string): Promise<string> {
  const relink = await loadRelink(publishableKey, { stripe });
  const confirmed = await relink?.confirmUsBankAccountSetup(clientSecret);
  return confirmed?.setupIntent?.mandate ?? confirmed?.error?.message ?? '';
}

// Stripe.js's results where relink's types are expected.
async function fromStripe(stripe: Stripe, clientSecret: string, setupSecret: string): Promise<string> {
  const linked = await stripe.collectFinancialConnectionsAccounts({ clientSecret });
  const session: FinancialConnectionsSession | undefined = linked.financialConnectionsSession;
  const retrieved = await stripe.retrieveSetupIntent(setupSecret);
  const setupIntent: SetupIntent | undefined = retrieved.setupIntent;
  if (retrieved.setupIntent) describeSetupIntent(retrieved.setupIntent);
  return `${session?.relink_result?.failure_reason ?? ''} ${setupIntent?.status ?? ''}`;
}

// Both directions, stated once more as plain assignments.
const provider: (stripe: Stripe) => StripeLike = (stripe) => stripe;
const toStripe: (session: FinancialConnectionsSession) => StripeSession = (session) => session;
const fromStripeSession: (session: StripeSession) => FinancialConnectionsSession = (session) => session;

export { confirm, fromStripe, fromStripeSession, production, provider, toStripe };
