//! TypeScript declarations for every object that crosses the JS boundary.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** Languages the mandate form speaks; `auto` follows the browser. */
export type Locale = 'en' | 'ja' | 'de' | 'auto';

/**
 * Lifecycle events, named as in Stripe's mobile SDK event stream: the ones that can be observed
 * around Stripe.js on the web, the same with Stripe.js and with the sandbox's drop-in.
 */
export type FlowEventType = 'open' | 'success' | 'cancel' | 'error' | 'close' | (string & {});

/** A lifecycle event; narrow on `type` for its details. `close` always comes last. */
export type FlowEvent =
  /** The flow opened (Stripe.js's modal is showing or loading), or it is gone. */
  | { type: 'open' | 'close' }
  /** The customer linked a working account; the same `outcome` and `isNew` the promise resolves with. */
  | { type: 'success'; outcome: Outcome; isNew: boolean | null }
  /** The flow ended without a working account (closed, wrong account, bank down). */
  | { type: 'cancel'; outcome: Outcome }
  /** The flow could not run; the promise resolves this error too. */
  | { type: 'error'; error: StripeError };

/**
 * The part of a Stripe.js instance (`Stripe(publishableKey)`) that relink runs on, with
 * Stripe.js's documented result shapes. `@stripe/stripe-js`'s `Stripe` satisfies it, so does the
 * sandbox's drop-in (`/v3/` of the sandbox), and so does any object with these two methods.
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
  /** The Financial Connections session's client secret, handed to Stripe.js only. */
  clientSecret: string;
  /** The `fca_…` IDs the merchant already has; decides `isNew`. */
  existingAccountIds?: string[];
  /** Called synchronously for every lifecycle event. */
  onEvent?: (event: FlowEvent) => void;
  /**
   * The Stripe.js instance that runs the modal: Stripe.js in production, the sandbox's drop-in
   * in development. `loadRelink` binds it; calling the module's export directly needs it.
   * `null` (what `loadStripe` resolves during server-side rendering) means none.
   */
  stripe?: StripeLike | null;
  /** Completes sessions that Stripe.js resolved without `relink_result`. */
  fetchSession?: FetchSession;
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
 * {@link StripeLike}. The session is what Stripe.js resolved (completed by `fetchSession`), so the
 * API's fields may be missing.
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
  /** The Stripe.js instance that confirms: see {@link CollectOptions.stripe}. */
  stripe?: StripeLike | null;
  /** The mandate form's language. Default: `auto`. */
  locale?: Locale;
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
  /** With `createRelinkSession`: see {@link CollectOptions.fetchSession}. */
  fetchSession?: FetchSession;
  /** Your existing `fca_…` IDs, for `isNew` in `relink:relinked`. */
  existingAccountIds?: string[];
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
