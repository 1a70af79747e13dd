// A merchant's TypeScript, type-checked against the package's declarations by `./dev test`.
// It must compile without errors under `strict`; the @ts-expect-error lines must stay errors.
import { loadRelink, type CollectResult, type FlowEvent, type Outcome, type StripeLike } from '@relink/js';

async function reconnect(stripe: StripeLike, clientSecret: string, existingAccountIds: string[]): Promise<string> {
  // The same line in development (the sandbox's /v3/ on the page) and production.
  const relink = await loadRelink('pk_test_relinksandbox000000000000', { stripe });
  if (!relink) return 'server-side rendering: nothing to do';

  const result: CollectResult = await relink.collectFinancialConnectionsAccounts({
    clientSecret,
    existingAccountIds,
    onEvent: (event: FlowEvent) => {
      // Narrowed by `type`: each event carries its own details.
      if (event.type === 'success') console.info(event.outcome, event.isNew);
      if (event.type === 'cancel') console.info(event.outcome);
      if (event.type === 'error') console.info(event.error.code);
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

// With the development shorthand, which loads the sandbox's drop-in and runs on it.
async function withStripe(clientSecret: string): Promise<Outcome> {
  const relink = await loadRelink('pk_test_relinksandbox000000000000', { apiBase: 'http://127.0.0.1:4242' });
  const result = await relink?.collectFinancialConnectionsAccounts({
    clientSecret,
    fetchSession: async (id) => (await (await fetch(`/sessions/${id}`)).json()),
  });
  return result?.outcome ?? 'could_not_launch';
}

// @ts-expect-error a client secret is required
loadRelink('pk_test_x').then((relink) => relink?.collectFinancialConnectionsAccounts({}));

// @ts-expect-error the sandbox's own step events never reach onEvent
const step: FlowEvent = { type: 'institution_selected', institution: { id: 'fcinst_1', name: 'Bank' } };

export { agree, reconnect, step, withStripe };
