// Types of the relink npm package. The objects that cross into the component are declared once,
// beside the Rust that produces them (src/production/typescript.rs), and arrive here through dist/relink.d.ts.
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
  SetupIntent,
  StripeError,
  StripeErrorType,
  StripeJsError,
  StripeLike,
} from './dist/relink.js';

/** Options of {@link loadRelink}. */
export interface RelinkOptions {
  /**
   * The Stripe.js instance relink runs on: `await loadStripe(pk)` or `Stripe(pk)`. In production
   * that is Stripe.js; in development the page loads the relink sandbox's Stripe.js drop-in
   * (`<script src="http://127.0.0.1:4242/v3/">`) instead, and the code stays the same. Default:
   * `window.Stripe(publishableKey)` when Stripe.js is on the page. `null` (what `loadStripe`
   * resolves during server-side rendering) makes `loadRelink` resolve `null`.
   */
  stripe?: StripeLike | null;
  /**
   * Development shorthand: the sandbox's origin. relink loads the sandbox's Stripe.js drop-in
   * from `<apiBase>/v3/` (as a `<script>` tag in the page would) and runs on
   * `Stripe(publishableKey)` from it: exactly the `stripe` path, not a second one.
   */
  apiBase?: string;
  /** Language of the mandate form. Default `'auto'`: the browser's language when supported. */
  locale?: Locale;
  /** Where `relink_bg.wasm` is served from. Default: beside the package's JS. */
  wasmUrl?: string | URL;
  /** The page's CSP nonce, for the drop-in's `<script>` tag that `apiBase` injects. */
  nonce?: string;
}

/** What {@link loadRelink} binds for you; every call may still override it. */
type Bound = 'stripe' | 'locale';
type Rebindable<T> = Omit<T, Bound> & Partial<Pick<T, Bound & keyof T>>;

export interface Relink {
  /** The Stripe.js instance relink runs on. */
  readonly stripe: StripeLike;
  /**
   * Runs Stripe.js's Financial Connections modal and resolves what happened. Never rejects;
   * settles exactly once; closing the flow is not an error.
   */
  collectFinancialConnectionsAccounts(options: Rebindable<CollectOptions>): Promise<CollectResult>;
  /** Confirms a SetupIntent for a US bank account with `stripe.confirmUsBankAccountSetup`. */
  confirmUsBankAccountSetup(clientSecret: string, options?: Rebindable<ConfirmOptions>): Promise<ConfirmResult>;
  /** Renders the ACH mandate into `form` and confirms the SetupIntent when it is submitted. */
  mountMandateForm(form: HTMLFormElement, options: Rebindable<MandateFormOptions>): MandateFormHandle;
  /**
   * Ends what relink waits for after Stripe's modal closed (a pending `fetchSession`). Stripe.js
   * cannot close its modal from outside, so an open modal stays until the customer closes it,
   * with Stripe.js and with the sandbox's drop-in alike.
   */
  abort(): void;
}

/**
 * Loads relink (once per page) and binds it to a Stripe.js instance.
 * Resolves `null` where there is no `window` (server-side rendering).
 */
export function loadRelink(publishableKey: string, options?: RelinkOptions): Promise<Relink | null>;
