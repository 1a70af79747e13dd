// The relink fields that Stripe's preview API versions (`….preview`) add, as the seeds and
// SPEC.md (§2, §4) describe them. The `stripe` package declares only GA fields, so these are
// this project's own declarations: a preview response is checked against
// `Stripe.X & RelinkPreview.X`. Only what the seeds name is here; everything else comes from
// the `stripe` package.
//
// A `.ts` file rather than a `.d.ts`: the `stripe` package needs `skipLibCheck` (see
// tsconfig.json), which would also skip checking a `.d.ts` of ours, and a mistake in it would
// then silently weaken every preview check.

export namespace RelinkPreview {
  /** Why an account is inactive (`status_details.inactive.cause`). */
  export type InactiveCause =
    | 'access_denied'
    | 'access_expired'
    | 'account_closed'
    | 'account_unavailable'
    | 'institution_requirement'
    | 'unspecified';

  /** `relink_required` when a relink can repair it, `none` when it cannot (a closed account). */
  export type InactiveAction = 'none' | 'relink_required';

  /** `financial_connections.account` in a preview version. */
  export interface Account {
    /** The `fcauth_…` whose credentials connect this account. */
    authorization: string;
    /**
     * Inactive accounts carry `inactive`; the seeds' webhook sample allows `status_details`
     * itself to be absent (an older preview version), as GA declares it optional.
     */
    status_details?: {
      inactive?: { action: InactiveAction; cause: InactiveCause };
    };
  }

  /** `financial_connections.authorization` in a preview version (the seeds' retrieve sample). */
  export interface Authorization {
    account_holder: {
      type: 'account' | 'customer';
      account?: string;
      customer?: string;
    } | null;
    /** The `fcinst_…` the credentials are for. */
    institution: string;
  }

  /** `relink_options` of a relink session, as created. */
  export interface RelinkOptions {
    authorization: string;
    /** Set when the customer must relink exactly this account. */
    account: string | null;
  }

  export type FailureReason = 'no_account' | 'no_authorization' | 'other';

  /** `relink_result` of a finished relink session. */
  export interface RelinkResult {
    /** Set only if `relink_options.account` was given and the relink succeeded. */
    account: string | null;
    /** Set only if the relink succeeded. */
    authorization: string | null;
    /** Null on success. */
    failure_reason: FailureReason | null;
  }

  /** `financial_connections.session` in a preview version. */
  export interface Session {
    /** Null for sessions that are not relinks. */
    relink_options: RelinkOptions | null;
    /** Null until a relink session finishes, and for sessions that are not relinks. */
    relink_result: RelinkResult | null;
    status: 'pending' | 'succeeded' | 'failed' | 'cancelled';
    /**
     * The seeds name `hosted`; `modal` is this project's name for the default (the merchant's
     * page opens the flow), see sandbox/README.md.
     */
    ui_mode: 'hosted' | 'modal';
    /** Set for `ui_mode: "hosted"`. */
    hosted: { delivery_method: 'email' | 'url' } | null;
    /** The hosted page, for `hosted.delivery_method: "url"`. */
    url: string | null;
  }
}
