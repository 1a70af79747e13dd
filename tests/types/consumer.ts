// A merchant's TypeScript, type-checked against the package's declarations by `./dev test`.
// It must compile without errors under `strict`; the @ts-expect-error lines must stay errors.
import { loadRelink, type CollectResult, type FlowEvent, type Outcome, type StripeLike } from '@relink/js';

async function reconnect(clientSecret: string, existingAccountIds: string[]): Promise<string> {
  const relink = await loadRelink('pk_test_relinksandbox000000000000', { apiBase: 'http://127.0.0.1:4242' });
  if (!relink) return 'server-side rendering: nothing to do';

  const result: CollectResult = await relink.collectFinancialConnectionsAccounts({
    clientSecret,
    existingAccountIds,
    onEvent: (event: FlowEvent) => {
      // Narrowed by `type`: each event carries its own details.
      if (event.type === 'institution_selected') console.info(event.institution.name);
      if (event.type === 'accounts_selected') console.info(event.accounts.map((a) => a.last4));
    },
  });

  if (result.error) {
    // Narrowed: no session alongside an error.
    const never: undefined = result.financialConnectionsSession;
    return `${result.error.type}: ${result.error.message}${never ?? ''}`;
  }

  const session = result.financialConnectionsSession;
  const linked = session.accounts[0];
  const reason = session.relink_result?.failure_reason;
  if (reason === 'no_account' || reason === 'no_authorization' || reason === 'other') return reason;
  const isNew: boolean | null = result.isNew;
  const outcome: Outcome = result.outcome;
  return `${outcome} ${linked?.id ?? ''} ${linked?.status_details?.inactive?.cause ?? ''} ${String(isNew)}`;
}

async function agree(form: HTMLFormElement): Promise<void> {
  const relink = await loadRelink('pk_test_relinksandbox000000000000');
  const handle = relink?.mountMandateForm(form, {
    merchantName: 'Rocket Rides',
    bankAccount: { bankName: 'Sandbox Bank', last4: '6789' },
    createRelinkSession: async () => (await (await fetch('/relink_session', { method: 'POST' })).json()).client_secret as string,
  });
  form.addEventListener('relink:confirmed', (event) => console.info((event as CustomEvent).detail));
  const confirmed = await relink?.confirmUsBankAccountSetup(form.dataset.secret ?? '');
  if (confirmed?.setupIntent) console.info(confirmed.setupIntent.status, confirmed.setupIntent.mandate);
  handle?.unmount();
}

// In production: Stripe.js does the modal, relink still gives the outcome and isNew.
async function withStripe(stripe: StripeLike, clientSecret: string): Promise<Outcome> {
  const relink = await loadRelink('pk_live_or_test', { stripe });
  const result = await relink?.collectFinancialConnectionsAccounts({
    clientSecret,
    fetchSession: async (id) => (await (await fetch(`/sessions/${id}`)).json()),
  });
  return result?.outcome ?? 'could_not_launch';
}

// @ts-expect-error a client secret is required
loadRelink('pk_test_x').then((relink) => relink?.collectFinancialConnectionsAccounts({}));

export { agree, reconnect, withStripe };
