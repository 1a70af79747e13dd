// Types of the relink npm package. Objects inside a session are snake_case, exactly as the
// Financial Connections API renders them; relink's own additions are camelCase.

/** Options bound to a relink instance by {@link loadRelink}. */
export interface RelinkOptions {
  /** Origin of the API that serves the flow (the sandbox). Default: the page's origin. */
  apiBase?: string;
  /** Language of the flow. Default `'auto'`: the browser's preferred language when supported. */
  locale?: 'auto' | 'en' | 'ja' | 'de' | (string & {});
  /** Where `relink_bg.wasm` is served from. Default: beside the package's JS. */
  wasmUrl?: string | URL;
}

/** Names of the lifecycle events, as in Stripe's mobile SDK event stream, plus `close`. */
export type RelinkEventType =
  | 'open'
  | 'consent_acquired'
  | 'institution_selected'
  | 'institution_authorized'
  | 'accounts_selected'
  | 'success'
  | 'error'
  | 'cancel'
  | 'close'
  | (string & {});

export interface RelinkEvent {
  type: RelinkEventType;
  [detail: string]: unknown;
}

export interface CollectFinancialConnectionsAccountsOptions {
  /** The session's client secret (`fcsess_client_secret_…`), from your server. Never logged or stored. */
  clientSecret: string;
  /** IDs of the Financial Connections accounts you already hold for this customer: drives `isNew`. */
  existingAccountIds?: readonly string[];
  /** Called for every lifecycle event. */
  onEvent?: (event: RelinkEvent) => void;
  locale?: RelinkOptions['locale'];
}

/** What happened, decided from the server's `relink_result` and your `existingAccountIds`. */
export type RelinkOutcome =
  | 'relinked_expected_account'
  | 'relinked_existing_account'
  | 'linked_new_account'
  | 'no_account'
  | 'no_authorization'
  | 'other'
  | 'could_not_launch'
  | (string & {});

export type RelinkFailureReason = 'no_authorization' | 'no_account' | 'other' | (string & {});

export interface RelinkResult {
  /** Set only if `relink_options.account` was given and the relink succeeded. */
  account: string | null;
  /** Set only if the relink succeeded. */
  authorization: string | null;
  failure_reason: RelinkFailureReason | null;
}

export interface FinancialConnectionsAccount {
  id: string;
  object: 'financial_connections.account';
  account_holder: { type: 'customer' | 'account' | (string & {}); customer?: string; account?: string } | null;
  authorization?: string;
  category: 'cash' | 'credit' | 'investment' | 'other' | (string & {});
  subcategory: 'checking' | 'savings' | 'credit_card' | 'line_of_credit' | 'mortgage' | 'other' | (string & {});
  display_name: string | null;
  institution_name: string;
  last4: string | null;
  livemode: boolean;
  permissions: Array<'payment_method' | 'balances' | 'ownership' | 'transactions' | (string & {})> | null;
  status: 'active' | 'inactive' | 'disconnected' | (string & {});
  status_details?: {
    inactive?: {
      action: 'relink_required' | 'none' | (string & {});
      cause:
        | 'access_denied'
        | 'access_expired'
        | 'account_closed'
        | 'account_unavailable'
        | 'institution_requirement'
        | 'unspecified'
        | (string & {});
    };
  };
  account_numbers?: Array<{
    identifier_type: 'account_number' | 'tokenized_account_number' | (string & {});
    status: 'transactable' | 'deactivated' | (string & {});
    expected_expiry_date: number | null;
    supported_networks: Array<'ach' | (string & {})>;
  }>;
  [field: string]: unknown;
}

/** The session as Stripe.js resolves it: `accounts` is an array, not a list object. */
export interface FinancialConnectionsSession {
  id: string;
  object: 'financial_connections.session';
  accounts: FinancialConnectionsAccount[];
  permissions: string[];
  relink_options?: { authorization: string; account: string | null } | null;
  relink_result?: RelinkResult | null;
  status?: 'pending' | 'succeeded' | 'failed' | 'cancelled' | (string & {});
  [field: string]: unknown;
}

export interface RelinkError {
  type:
    | 'api_connection_error'
    | 'api_error'
    | 'authentication_error'
    | 'invalid_request_error'
    | 'rate_limit_error'
    | 'validation_error'
    | (string & {});
  code?: string;
  message: string;
  param?: string;
  doc_url?: string;
  request_log_url?: string;
}

/** The flow ran: a customer who closes it or links nothing still lands here. */
export interface CollectSuccess {
  financialConnectionsSession: FinancialConnectionsSession;
  error?: undefined;
  outcome: Exclude<RelinkOutcome, 'could_not_launch'>;
  /** Whether the linked account is one you did not have; `null` when none was linked. */
  isNew: boolean | null;
}

/** The flow could not run: expired or used session, network, a flow already open. */
export interface CollectFailure {
  financialConnectionsSession?: undefined;
  error: RelinkError;
  outcome: 'could_not_launch';
  isNew: null;
}

export type CollectResult = CollectSuccess | CollectFailure;

export interface Relink {
  /** Runs the authentication flow for a Financial Connections session. Settles exactly once. */
  collectFinancialConnectionsAccounts(options: CollectFinancialConnectionsAccountsOptions): Promise<CollectResult>;
  /** Closes the open flow, if any; its promise resolves as if the customer had closed it. */
  abort(): void;
}

/**
 * Loads relink (once per page) and binds it to your publishable key.
 * Resolves `null` where there is no `window` (server-side rendering).
 */
export function loadRelink(publishableKey: string, options?: RelinkOptions): Promise<Relink | null>;
