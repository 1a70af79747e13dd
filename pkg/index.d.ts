// Types of the relink npm package. The objects that cross into the component are declared once,
// beside the Rust that produces them (src/browser/typescript.rs), and arrive here through dist/relink.d.ts.
// Inside a session everything is snake_case, as the API renders it; relink's additions are camelCase.

import type {
  CollectOptions,
  CollectResult,
  ConfirmOptions,
  ConfirmResult,
  Locale,
  MandateFormHandle,
  MandateFormOptions,
  StripeLike,
} from './dist/relink.js';

export type {
  AccountBalance,
  AccountRefresh,
  Amounts,
  CollectOptions,
  CollectResult,
  ConfirmOptions,
  ConfirmResult,
  FailureReason,
  FetchSession,
  FinancialConnectionsAccount,
  FinancialConnectionsSession,
  FlowEvent,
  FlowEventType,
  InactiveCause,
  Locale,
  MandateFormEventMap,
  MandateFormHandle,
  MandateFormOptions,
  Outcome,
  Permission,
  RelinkResult,
  RelinkThrownError,
  SelectedAccount,
  SetupIntent,
  StripeError,
  StripeErrorType,
  StripeJsError,
  StripeLike,
} from './dist/relink.js';

/** Options bound to a relink instance by {@link loadRelink}. */
export interface RelinkOptions {
  /** Origin of the API that serves the flow (the sandbox). Default: the page's origin. */
  apiBase?: string;
  /** Language of the flow. Default `'auto'`: the browser's preferred language when supported. */
  locale?: Locale;
  /** Where `relink_bg.wasm` is served from. Default: beside the package's JS. */
  wasmUrl?: string | URL;
  /**
   * A Stripe.js instance (`Stripe(publishableKey)`): the `stripe` provider. Stripe.js then
   * runs the modal and confirms SetupIntents; relink still classifies the result, detects
   * `isNew` and renders the mandate form. `null` (what `loadStripe` resolves during
   * server-side rendering) means none: `await loadStripe(pk)` can be passed as it is.
   */
  stripe?: StripeLike | null;
  /**
   * The page's CSP nonce, for the `<style>` element relink falls back to in browsers without
   * constructable stylesheets (see {@link CollectOptions.nonce}).
   */
  nonce?: string;
  /** Milliseconds each request may take (see {@link CollectOptions.requestTimeout}). */
  requestTimeout?: number;
}

/** What {@link loadRelink} binds for you; every call may still override it. */
type Bound = 'publishableKey' | 'apiBase' | 'locale' | 'stripe' | 'nonce' | 'requestTimeout';
type Rebindable<T extends { publishableKey?: string }> = Omit<T, Bound> & Partial<Pick<T, Bound & keyof T>>;

export interface Relink {
  /**
   * Runs the authentication flow for a Financial Connections session. Never rejects; settles
   * exactly once; closing the flow is not an error.
   */
  collectFinancialConnectionsAccounts(options: Rebindable<CollectOptions>): Promise<CollectResult>;
  /** Confirms a SetupIntent for a US bank account with an online mandate acceptance. */
  confirmUsBankAccountSetup(clientSecret: string, options?: Partial<ConfirmOptions>): Promise<ConfirmResult>;
  /** Renders the ACH mandate into `form` and confirms the SetupIntent when it is submitted. */
  mountMandateForm(form: HTMLFormElement, options: Rebindable<MandateFormOptions>): MandateFormHandle;
  /** Closes the open flow, if any; its promise resolves as if the customer had closed it. */
  abort(): void;
}

/**
 * Loads relink (once per page) and binds it to your publishable key.
 * Resolves `null` where there is no `window` (server-side rendering).
 */
export function loadRelink(publishableKey: string, options?: RelinkOptions): Promise<Relink | null>;
