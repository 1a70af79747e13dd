//! TypeScript declarations for every object that crosses the JS boundary.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** Languages the modal speaks; `auto` follows the browser. */
export type Locale = 'en' | 'ja' | 'de' | 'auto';

/** Lifecycle events (Stripe mobile SDK names, plus `close`). */
export type FlowEventType =
  | 'open' | 'consent_acquired' | 'institution_selected' | 'institution_authorized'
  | 'accounts_selected' | 'success' | 'error' | 'cancel' | 'close'
  | (string & {});

/** An account the customer selected, as the bank showed it (snake_case, untrusted text). */
export interface SelectedAccount {
  last4: string;
  display_name: string;
  subcategory: 'checking' | 'savings' | 'credit_card' | 'line_of_credit' | 'mortgage' | 'other' | (string & {}) | null;
}

/**
 * A lifecycle event; narrow on `type` for its details. With the `stripe` provider only
 * `open`, `success`, `cancel`, `error` and `close` occur (Stripe.js reports no steps).
 */
export type FlowEvent =
  | { type: 'open' | 'consent_acquired' | 'institution_authorized' | 'cancel' | 'close' }
  /** The customer chose a bank (or, for relinks, the fixed one was shown). */
  | { type: 'institution_selected'; institution: { id: string; name: string } }
  /** The customer submitted their account selection. */
  | { type: 'accounts_selected'; accounts: SelectedAccount[] }
  /** Accounts were linked; the same `outcome` and `isNew` the promise resolves with. */
  | { type: 'success'; outcome: Outcome; isNew: boolean | null }
  /** The flow hit an error (a failed request); the promise may still resolve a session. */
  | { type: 'error'; error: StripeError };

/**
 * The part of a Stripe.js instance (`Stripe(publishableKey)`) that the `stripe` provider uses,
 * with Stripe.js's documented result shapes. `@stripe/stripe-js`'s `Stripe` satisfies it, and so
 * does any object with these two methods (a test double).
 */
export interface StripeLike {
  collectFinancialConnectionsAccounts(options: { clientSecret: string }): Promise<
    | { financialConnectionsSession: FinancialConnectionsSession; error?: undefined }
    | { financialConnectionsSession?: undefined; error: StripeJsError }
  >;
  confirmUsBankAccountSetup(clientSecret: string): Promise<
    | { setupIntent: SetupIntent; error?: undefined }
    | { setupIntent?: undefined; error: StripeJsError }
  >;
}

/**
 * An error as Stripe.js resolves it: only `type` is always there. (relink's own results use
 * {@link StripeError}, whose `code`, `message` and `param` are always present.)
 */
export interface StripeJsError {
  type: StripeErrorType;
  code?: string;
  message?: string;
  param?: string;
  doc_url?: string;
  request_log_url?: string;
}

/**
 * Retrieves a session on the merchant's server in a preview API version (which renders
 * `relink_options` and `relink_result`), for sessions Stripe.js resolved without them.
 */
export type FetchSession = (sessionId: string) => Promise<FinancialConnectionsSession>;

export interface CollectOptions {
  /** The Financial Connections session's client secret. Sent only in request bodies. */
  clientSecret: string;
  /** The provider's publishable key (required for the sandbox provider). */
  publishableKey?: string;
  /** Where the provider's API lives. Default: `window.location.origin`. */
  apiBase?: string;
  /** The `fca_…` IDs the merchant already has; decides `isNew`. */
  existingAccountIds?: string[];
  /** Default: `auto`. */
  locale?: Locale;
  /** Called synchronously for every lifecycle event. */
  onEvent?: (event: FlowEvent) => void;
  /** `modal` (default): a dialog over the page; `page`: the flow fills the page (hosted relink). */
  layout?: 'modal' | 'page';
  /**
   * The `stripe` provider: Stripe.js runs its own modal, relink classifies the result.
   * `abort()` cannot close Stripe's modal, and Stripe.js reports only `open`, `success`,
   * `cancel`, `error` and `close`. `null` (what `loadStripe` resolves during server-side
   * rendering) means none.
   */
  stripe?: StripeLike | null;
  /** With `stripe`: completes sessions that Stripe.js resolved without `relink_result`. */
  fetchSession?: FetchSession;
  /**
   * Milliseconds each request to the API may take before it counts as a network failure
   * (`api_connection_error`). Default: 30000. Closing the flow settles within a second
   * whatever the network does.
   */
  requestTimeout?: number;
  /**
   * The page's CSP nonce. Applied to the `<style>` element relink creates in browsers without
   * constructable stylesheets, so that a `style-src 'nonce-…'` policy allows it; elsewhere the
   * styles are adopted and need no nonce.
   */
  nonce?: string;
}

/** What happened, from the merchant's point of view. */
export type Outcome =
  | 'relinked_expected_account' | 'relinked_existing_account' | 'linked_new_account'
  | 'no_account' | 'no_authorization' | 'other' | 'could_not_launch'
  | (string & {});

export type StripeErrorType =
  | 'api_connection_error' | 'api_error' | 'authentication_error' | 'invalid_request_error'
  | 'rate_limit_error' | 'validation_error'
  | (string & {});

/**
 * What `mountMandateForm` throws for options it cannot use: an `Error` that also carries
 * Stripe's error fields, e.g. `code: 'parameter_missing'` and `param: 'merchantName'`.
 */
export interface RelinkThrownError extends Error {
  type: StripeErrorType;
  code: string | null;
  param: string | null;
}

/** Stripe's error object. */
export interface StripeError {
  type: StripeErrorType;
  code: string | null;
  message: string;
  param: string | null;
  doc_url?: string;
  request_log_url?: string;
}

export type FailureReason = 'no_authorization' | 'no_account' | 'other' | (string & {});

export interface RelinkResult {
  account: string | null;
  authorization: string | null;
  failure_reason: FailureReason | null;
}

export type InactiveCause =
  | 'access_denied' | 'access_expired' | 'account_closed' | 'account_unavailable'
  | 'institution_requirement' | 'unspecified'
  | (string & {});

/** Data a session may ask the customer to share (Stripe.js's list). */
export type Permission = 'payment_method' | 'balances' | 'ownership' | 'transactions' | 'account_numbers';

/** Amounts by lowercase ISO currency code. */
export interface Amounts {
  [currency: string]: number | undefined;
}

/** An account's balance, `cash` or `credit`. */
export type AccountBalance =
  | { as_of: number; current: Amounts; type: 'cash'; cash: { available: Amounts } }
  | { as_of: number; current: Amounts; type: 'credit'; credit: { used: Amounts } };

/** The last refresh of an account's balance or ownership. */
export interface AccountRefresh {
  status: 'pending' | 'succeeded' | 'failed';
  last_attempted_at: number;
}

/**
 * A Financial Connections account as the server returned it (snake_case).
 *
 * The required fields are exactly those of `@stripe/stripe-js`'s
 * `FinancialConnectionsSession.Account`, with its types, so an account from relink can be passed
 * to code written for Stripe.js and the other way round. The optional ones are the rest of the
 * API's object, which the sandbox renders and Stripe.js may not.
 */
export interface FinancialConnectionsAccount {
  id: string;
  object: 'linked_account' | 'financial_connections.account';
  balance: AccountBalance | null;
  balance_refresh: AccountRefresh | null;
  category: 'cash' | 'credit' | 'investment' | 'other';
  /** Unix seconds. */
  created: number;
  display_name: string;
  institution_name: string;
  last4: string | null;
  livemode: boolean;
  /** The `fcaowns_…` ownership object, once refreshed. */
  ownership: string | null;
  ownership_refresh: AccountRefresh | null;
  permissions: Permission[];
  status: 'active' | 'inactive' | 'disconnected';
  subcategory: 'checking' | 'savings' | 'mortgage' | 'line_of_credit' | 'credit_card' | 'other';
  supported_payment_method_types: Array<'us_bank_account' | 'link'>;
  account_holder?: { type: 'customer' | 'account' | (string & {}); customer?: string; account?: string } | null;
  /** The `fcauth_…` whose credentials connect this account (preview API). */
  authorization?: string;
  /** Why the account is inactive (preview API), or when it will be. */
  status_details?: {
    inactive?: { action: 'relink_required' | 'none' | (string & {}); cause: InactiveCause };
    active?: {
      action: 'relink_required' | 'none' | (string & {});
      cause: 'access_expired' | 'institution_requirement' | 'unspecified' | (string & {});
      expected_deactivation_date: number;
    };
  };
  account_numbers?: Array<{
    identifier_type: 'account_number' | 'tokenized_account_number' | (string & {});
    status: 'transactable' | 'deactivated' | 'expired' | 'pending' | (string & {});
    expected_expiry_date: number | null;
    supported_networks: Array<'ach'>;
  }> | null;
  subscriptions?: Array<'transactions'> | null;
  transaction_refresh?: (AccountRefresh & { id: string; next_refresh_available_at: number | null }) | null;
}

/**
 * The finished session, with `accounts` as a plain array.
 *
 * Stripe.js's `FinancialConnectionsSession` (`@stripe/stripe-js`) plus the API's fields: a
 * session from relink can be passed to code written for Stripe.js, and Stripe.js's satisfies
 * {@link StripeLike}. With the `stripe` provider the session is what Stripe.js resolved (completed
 * by `fetchSession`), so the API's fields may be missing.
 */
export interface FinancialConnectionsSession {
  id: string;
  accounts: FinancialConnectionsAccount[];
  filters?: {
    countries?: string[];
    account_subcategories?: Array<'checking' | 'savings' | 'credit_card' | 'line_of_credit' | 'mortgage' | (string & {})> | null;
    country?: string | null;
  };
  permissions?: Permission[];
  return_url?: string;
  object?: 'financial_connections.session';
  account_holder?: { type: 'customer' | 'account' | (string & {}); customer?: string; account?: string } | null;
  limits?: { accounts: number };
  livemode?: boolean;
  prefetch?: Array<'balances' | 'ownership' | 'transactions' | (string & {})> | null;
  relink_options?: { authorization: string; account: string | null } | null;
  relink_result?: RelinkResult | null;
  status?: 'pending' | 'succeeded' | 'failed' | 'cancelled' | (string & {});
}

export type CollectResult =
  | {
      financialConnectionsSession: FinancialConnectionsSession;
      outcome: Outcome;
      /** Whether the linked account is new to the merchant; `null` when none was linked. */
      isNew: boolean | null;
      error?: undefined;
    }
  | {
      error: StripeError;
      outcome: 'could_not_launch';
      financialConnectionsSession?: undefined;
      isNew?: undefined;
    };

export interface ConfirmOptions {
  /** The provider's publishable key (required unless `stripe` is given). */
  publishableKey?: string;
  /** Default: `window.location.origin`. */
  apiBase?: string;
  locale?: Locale;
  /** The `stripe` provider: confirm with `stripe.confirmUsBankAccountSetup`. `null`: none. */
  stripe?: StripeLike | null;
  /** See {@link CollectOptions.requestTimeout}. Default: 30000. */
  requestTimeout?: number;
}

export interface MandateFormOptions extends ConfirmOptions {
  /** Named in the mandate text. */
  merchantName: string;
  /** The SetupIntent's client secret. Default: the form's `data-secret`. */
  clientSecret?: string;
  /**
   * Lets the form repair an inactive bank account: when confirming fails with
   * `financial_connections_account_inactive`, the form offers "Reconnect your bank account",
   * runs the relink flow with the client secret this resolves (a relink session created on
   * your server), and confirms again once the account is repaired.
   */
  createRelinkSession?: () => Promise<string>;
  /** With `stripe` and `createRelinkSession`: see {@link CollectOptions.fetchSession}. */
  fetchSession?: FetchSession;
  /** Your existing `fca_…` IDs, for `isNew` in `relink:relinked`. */
  existingAccountIds?: string[];
  /** The page's CSP nonce, for the relink modal: see {@link CollectOptions.nonce}. */
  nonce?: string;
  /**
   * The account the mandate debits (the FC account's `institution_name` and `last4`), shown
   * above the mandate text, which speaks of "the bank account specified above".
   */
  bankAccount?: { bankName: string; last4: string };
}

/**
 * A SetupIntent as the server returned it (snake_case). The required fields are those
 * Stripe.js's `SetupIntent` (`@stripe/stripe-js`) has, so Stripe.js's satisfies
 * {@link StripeLike}; the optional ones are the rest of the API's object.
 */
export interface SetupIntent {
  id: string;
  object: 'setup_intent';
  cancellation_reason: 'abandoned' | 'duplicate' | 'requested_by_customer' | (string & {}) | null;
  client_secret: string | null;
  /** Unix seconds. */
  created: number;
  description: string | null;
  last_setup_error: { type: string; code?: string; message?: string; param?: string; doc_url?: string } | null;
  livemode: boolean;
  next_action: { type: string } | null;
  /** The `pm_…`, or the payment method itself when expanded. */
  payment_method: string | { id: string } | null;
  payment_method_types: string[];
  status: 'requires_payment_method' | 'requires_confirmation' | 'requires_action' | 'processing'
    | 'canceled' | 'succeeded' | (string & {});
  usage: string;
  customer?: string | null;
  /** The `mandate_…` confirming created. */
  mandate?: string | null;
  flow_directions?: Array<'inbound' | 'outbound'> | null;
}

export type ConfirmResult =
  | { setupIntent: SetupIntent; error?: undefined }
  | { error: StripeError; setupIntent?: undefined };

/** Dispatched (bubbling) on the mounted form. */
export interface MandateFormEventMap {
  'relink:confirmed': CustomEvent<{ setupIntent: SetupIntent }>;
  'relink:error': CustomEvent<{ error: StripeError }>;
  /** The relink flow repaired the account; the form confirms again right after. */
  'relink:relinked': CustomEvent<Extract<CollectResult, { financialConnectionsSession: object }>>;
}
"#;
