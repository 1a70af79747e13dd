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
 * with Stripe.js's documented result shapes. Any object with these two methods works.
 */
export interface StripeLike {
  collectFinancialConnectionsAccounts(options: { clientSecret: string }): Promise<
    | { financialConnectionsSession: FinancialConnectionsSession; error?: undefined }
    | { error: StripeError; financialConnectionsSession?: undefined }
  >;
  confirmUsBankAccountSetup(clientSecret: string): Promise<
    | { setupIntent: SetupIntent; error?: undefined }
    | { error: StripeError; setupIntent?: undefined }
  >;
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
   * `cancel`, `error` and `close`.
   */
  stripe?: StripeLike;
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

/** A Financial Connections account as the server returned it (snake_case). */
export interface FinancialConnectionsAccount {
  id: string;
  object: 'financial_connections.account' | (string & {});
  account_holder?: { type: 'customer' | 'account' | (string & {}); customer?: string; account?: string } | null;
  /** The `fcauth_…` whose credentials connect this account (preview API). */
  authorization?: string;
  category?: 'cash' | 'credit' | 'investment' | 'other' | (string & {});
  subcategory?: 'checking' | 'savings' | 'credit_card' | 'line_of_credit' | 'mortgage' | 'other' | (string & {});
  display_name?: string | null;
  institution_name?: string;
  last4?: string | null;
  permissions?: Array<'payment_method' | 'balances' | 'ownership' | 'transactions' | (string & {})> | null;
  status?: 'active' | 'inactive' | 'disconnected' | (string & {});
  status_details?: {
    inactive?: { action: 'relink_required' | 'none' | (string & {}); cause: InactiveCause };
    /** Set while the account works but is expected to stop on a date (proactive relink). */
    active?: {
      action: 'relink_required' | 'none' | (string & {});
      cause: 'access_expired' | 'institution_requirement' | 'unspecified' | (string & {});
      expected_deactivation_date: number;
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

/** The finished session as the server returned it, with `accounts` as a plain array. */
export interface FinancialConnectionsSession {
  id: string;
  object: 'financial_connections.session' | (string & {});
  accounts: FinancialConnectionsAccount[];
  relink_options?: { authorization: string; account: string | null } | null;
  relink_result?: RelinkResult | null;
  status?: 'pending' | 'succeeded' | 'failed' | 'cancelled' | (string & {});
  [field: string]: unknown;
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
  /** The `stripe` provider: confirm with `stripe.confirmUsBankAccountSetup`. */
  stripe?: StripeLike;
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

/** A SetupIntent as the server returned it (snake_case). */
export interface SetupIntent {
  id: string;
  object: 'setup_intent' | (string & {});
  status: 'requires_payment_method' | 'requires_confirmation' | 'requires_action' | 'processing'
    | 'canceled' | 'succeeded' | (string & {});
  payment_method?: string | null;
  mandate?: string | null;
  [field: string]: unknown;
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
