//! The authentication flow as a pure state machine.
//!
//! [`update`] takes the current [`State`] and a [`Msg`] (something the customer did, or an
//! answer) and returns the next state plus the [`Effect`]s to run. The browser layer only
//! renders `state.step`, runs the effects and turns clicks and answers into messages, so every
//! path of the flow is tested here natively. Messages that do not fit the current step (a late
//! answer after the customer closed, a double click) are ignored, which is what makes
//! settlement exactly-once.
//!
//! Effects carry everything they need: an [`Event`] carries its details, a
//! [`Effect::Settle`] carries the typed result ([`Collected`]). Sessions travel as the reader
//! `S` gives them (a JS object in the browser, `serde_json::Value` in tests), untouched.
//!
//! - [`state`]: what the modal renders, and the rules it renders by (search, eligibility).
//! - [`update`]: the transitions, one function per step.

mod state;
mod update;

#[cfg(test)]
mod tests;

pub use state::State;
pub use update::update;

pub use crate::collected::{Collected, Finished};
use crate::error::RelinkError;
use crate::outcome::Classification;
use crate::session::Session;
use crate::wire::{Authentication, BankAccount, Institution, Manifest};

/// How long, after the customer closes, the flow waits for the server to record why before it
/// settles without that answer. Closing settles within a second whatever the network does.
pub const CLOSE_GRACE_MS: u32 = 600;

/// The screen the customer is on.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Fetching the manifest.
    Loading,
    /// Who gets which data; for relinks, "Reconnect your <institution> account".
    Consent,
    /// Choosing a bank (not for relink sessions).
    InstitutionSearch,
    /// Password form; `failed` after a rejected login.
    Login { failed: bool },
    /// One-time code form; `failed` after a rejected code.
    Mfa { failed: bool },
    /// The bank's own approval window (OAuth institutions).
    OAuthWindow,
    /// The bank's own window after approval, listing the accounts to share: OAuth institutions
    /// let the customer choose there, which is how a relink can come back with another account.
    OAuthAccountSelect,
    /// Choosing which accounts to link (in relink's own screen, for password institutions).
    AccountSelect,
    /// An exact relink where the customer picked `chosen` instead of the expected account.
    WrongAccount { chosen: String },
    /// A request is in flight.
    Working(Work),
    /// Accounts linked.
    Success,
    /// The flow cannot go on; closing finishes the session.
    Failure(Failure),
    /// Settled; nothing happens any more.
    Finished,
}

/// What an in-flight request is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Work {
    /// Logging in at the institution.
    Authenticating(Credentials),
    /// Completing the session with the selected accounts.
    Linking,
    /// Completing the session with no accounts because the customer closed the flow.
    Closing,
}

/// Which form an authentication attempt came from, so a rejection goes back to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credentials {
    /// The password form.
    Password,
    /// The one-time code form.
    Mfa,
    /// The bank's OAuth window.
    OAuth,
}

/// Why the flow cannot go on.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// The institution is down.
    InstitutionDown,
    /// The session finished without linking what was needed (see `relink_result`).
    NotLinked,
    /// A request failed.
    Error(RelinkError),
}

/// Something that happened: a customer action or an answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Msg<S> {
    /// The manifest request finished.
    ManifestLoaded(Result<Box<Manifest<Session<S>>>, RelinkError>),
    /// "Agree and continue".
    ConsentAccepted,
    /// The institution search text changed.
    SearchChanged(String),
    /// An institution was chosen by ID.
    InstitutionChosen(String),
    /// The password form was submitted.
    PasswordSubmitted(String),
    /// The one-time code form was submitted.
    MfaSubmitted(String),
    /// The customer approved access in the bank's window.
    OAuthAuthorized,
    /// The authenticate request finished.
    Authenticated(Result<Authentication, RelinkError>),
    /// An account option was clicked (by `last4`), in relink's or the bank's account list.
    AccountToggled(String),
    /// "Link account", or the bank window's "Confirm".
    AccountsSubmitted,
    /// "Try again" after picking the wrong account.
    RetryAccountSelection,
    /// The complete request (or Stripe.js's modal) finished with the session.
    Completed(Result<Box<Session<S>>, RelinkError>),
    /// "Done" on a final screen.
    Done,
    /// The back button: one step back before anything was sent to the bank.
    Back,
    /// Close button, Escape, or `abort()`.
    Close,
    /// [`CLOSE_GRACE_MS`] passed since [`Effect::StartCloseDeadline`].
    CloseDeadlinePassed,
}

/// Work for the browser layer.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect<S> {
    /// Send a request; its answer is the next message.
    Request(Request),
    /// Tell the merchant's `onEvent`.
    Emit(Event),
    /// Answer with [`Msg::CloseDeadlinePassed`] after [`CLOSE_GRACE_MS`].
    StartCloseDeadline,
    /// Resolve the promise, close the modal and cancel whatever is still in flight. Happens
    /// exactly once.
    Settle(Collected<S>),
}

/// A request to the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// Fetch the manifest, answer with [`Msg::ManifestLoaded`].
    LoadManifest,
    /// Authenticate, answer with [`Msg::Authenticated`].
    Authenticate {
        institution: String,
        password: Option<String>,
        mfa_code: Option<String>,
    },
    /// Complete the session with these `last4`s, answer with [`Msg::Completed`].
    Complete { accounts: Vec<String> },
}

/// The sandbox flow UI's own events, step by step: finer than what Stripe.js reports, so they
/// never reach the production API; the drop-in announces them as the sandbox's own (see
/// `relink-sandbox:flow-event` in the README). Each carries its details.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Open,
    ConsentAcquired,
    /// The customer chose a bank (or, for relinks, the fixed one was shown).
    InstitutionSelected(Institution),
    InstitutionAuthorized,
    /// The accounts the customer submitted, as the bank showed them.
    AccountsSelected(Vec<BankAccount>),
    /// Accounts were linked: the same outcome and `isNew` the promise resolves with.
    Success(Classification),
    /// A request failed; the promise may still resolve a session.
    Error(RelinkError),
    Cancel,
    Close,
}

impl Event {
    /// The event's `type` as the merchant sees it.
    pub fn as_str(&self) -> &'static str {
        match self {
            Event::Open => "open",
            Event::ConsentAcquired => "consent_acquired",
            Event::InstitutionSelected(_) => "institution_selected",
            Event::InstitutionAuthorized => "institution_authorized",
            Event::AccountsSelected(_) => "accounts_selected",
            Event::Success(_) => "success",
            Event::Error(_) => "error",
            Event::Cancel => "cancel",
            Event::Close => "close",
        }
    }
}
