//! The authentication flow as a pure state machine.
//!
//! [`update`] takes the current [`State`] and a [`Msg`] (something the customer did, or a server
//! answer) and returns the next state plus the [`Effect`]s to run. The browser layer only renders
//! `state.step` and turns clicks and responses into messages, so every path of the flow is tested
//! here natively. Messages that do not fit the current step (a late response after the customer
//! closed, a double click) are ignored, which is what makes settlement exactly-once.

use crate::error::RelinkError;
use crate::model::{AccountSubcategory, Permission};
use crate::sandbox_api::{Authentication, BankAccount, Institution, Manifest, RelinkTarget};
use crate::session::CompletedSession;

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

/// Something that happened: a customer action or a server answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    /// The manifest request finished.
    ManifestLoaded(Result<Box<Manifest>, RelinkError>),
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
    /// The complete request finished.
    Completed(Result<CompletedSession, RelinkError>),
    /// "Done" on a final screen.
    Done,
    /// The back button: one step back before anything was sent to the bank.
    Back,
    /// Close button, Escape, or `abort()`.
    Close,
}

/// Work for the browser layer.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
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
    /// Tell the merchant's `onEvent`.
    Emit(Event),
    /// Resolve the promise and close the modal. Happens exactly once.
    Settle(Settlement),
}

/// How the flow ends.
#[derive(Debug, Clone, PartialEq)]
pub enum Settlement {
    /// With the finished session (the browser layer holds it as the server returned it).
    Session(CompletedSession),
    /// Without a session.
    Error(RelinkError),
}

/// Lifecycle events, named as in Stripe's mobile SDK event stream, plus `close`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    Open,
    ConsentAcquired,
    InstitutionSelected,
    InstitutionAuthorized,
    AccountsSelected,
    Success,
    Error,
    Cancel,
    Close,
}

impl Event {
    /// The event's `type` as the merchant sees it.
    pub fn as_str(self) -> &'static str {
        match self {
            Event::Open => "open",
            Event::ConsentAcquired => "consent_acquired",
            Event::InstitutionSelected => "institution_selected",
            Event::InstitutionAuthorized => "institution_authorized",
            Event::AccountsSelected => "accounts_selected",
            Event::Success => "success",
            Event::Error => "error",
            Event::Cancel => "cancel",
            Event::Close => "close",
        }
    }
}

/// A password held only between the login and MFA forms; never printed.
#[derive(Clone, PartialEq, Eq)]
struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(…)")
    }
}

/// Everything the modal renders.
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    /// The current screen.
    pub step: Step,
    /// The manifest, once loaded.
    pub manifest: Option<Manifest>,
    /// The institution search text.
    pub query: String,
    /// The chosen (or, for relinks, fixed) institution.
    pub institution: Option<Institution>,
    /// The accounts the bank showed after login.
    pub accounts: Vec<BankAccount>,
    /// `last4`s of the selected accounts.
    pub selected: Vec<String>,
    /// The finished session, once `complete` answered.
    pub session: Option<CompletedSession>,
    password: Option<Password>,
    close_requested: bool,
}

impl State {
    /// The initial state and its effects: announce the opening and load the manifest.
    ///
    /// ```
    /// use relink::flow::{Effect, Event, State, Step};
    /// let (state, effects) = State::start();
    /// assert_eq!(state.step, Step::Loading);
    /// assert_eq!(effects, vec![Effect::Emit(Event::Open), Effect::LoadManifest]);
    /// ```
    pub fn start() -> (State, Vec<Effect>) {
        let state = State {
            step: Step::Loading,
            manifest: None,
            query: String::new(),
            institution: None,
            accounts: Vec::new(),
            selected: Vec::new(),
            session: None,
            password: None,
            close_requested: false,
        };
        (state, vec![Effect::Emit(Event::Open), Effect::LoadManifest])
    }

    /// The relink target, for relink sessions.
    pub fn relink(&self) -> Option<&RelinkTarget> {
        self.manifest.as_ref()?.relink.as_ref()
    }

    /// The merchant's name, once known.
    pub fn merchant_name(&self) -> &str {
        self.manifest.as_ref().map_or("", |m| &m.merchant_name)
    }

    /// The permissions the session asks for.
    pub fn permissions(&self) -> &[Permission] {
        self.manifest
            .as_ref()
            .map_or(&[], |m| &m.session.permissions)
    }

    /// The institutions matching the search text, case-insensitively.
    pub fn visible_institutions(&self) -> Vec<&Institution> {
        let query = fold_case(self.query.trim());
        let mut visible = Vec::new();
        for institution in self.manifest.iter().flat_map(|m| &m.institutions) {
            if contains_bytes(&fold_case(&institution.name), &query) {
                visible.push(institution);
            }
        }
        visible
    }

    /// The most accounts the customer may select; `None` for no limit.
    pub fn account_limit(&self) -> Option<u32> {
        self.manifest
            .as_ref()?
            .session
            .limits
            .as_ref()?
            .accounts
            .filter(|limit| *limit > 0)
    }

    /// Whether the customer picks one account (radio buttons) rather than several (checkboxes).
    pub fn single_select(&self) -> bool {
        self.account_limit() == Some(1)
    }

    /// Whether an account can be linked: the bank says it is eligible and the session's
    /// `filters.account_subcategories` allow its kind.
    pub fn is_selectable(&self, account: &BankAccount) -> bool {
        let allowed: Option<&[AccountSubcategory]> = self
            .manifest
            .as_ref()
            .and_then(|m| m.session.filters.as_ref())
            .and_then(|filters| filters.account_subcategories.as_deref());
        let kind_allowed = match (allowed, account.subcategory) {
            (None, _) => true,
            (Some(allowed), Some(kind)) => allowed.contains(&kind),
            (Some(_), None) => false,
        };
        account.eligible && kind_allowed
    }

    /// Where accounts are chosen at the current institution: the bank's own window for OAuth
    /// institutions, relink's screen otherwise.
    pub fn account_step(&self) -> Step {
        if self.institution.as_ref().is_some_and(|i| i.oauth) {
            Step::OAuthAccountSelect
        } else {
            Step::AccountSelect
        }
    }

    /// Whether [`Msg::Back`] does anything on the current step.
    pub fn can_go_back(&self) -> bool {
        match self.step {
            Step::InstitutionSearch => true,
            Step::Login { .. } | Step::OAuthWindow => self.relink().is_none(),
            _ => false,
        }
    }

    fn finish(mut self, settlement: Settlement) -> (State, Vec<Effect>) {
        self.step = Step::Finished;
        self.password = None;
        let mut effects = Vec::with_capacity(3);
        if matches!(settlement, Settlement::Error(_)) {
            effects.push(Effect::Emit(Event::Error));
        }
        // Settling removes the modal, so `close` fires once it is really gone.
        effects.push(Effect::Settle(settlement));
        effects.push(Effect::Emit(Event::Close));
        (self, effects)
    }

    /// Closing before the end still finishes the session, with no accounts, so that the server
    /// records why (`no_authorization`, `no_account`, `other`).
    fn close_early(mut self) -> (State, Vec<Effect>) {
        self.step = Step::Working(Work::Closing);
        self.password = None;
        (
            self,
            vec![
                Effect::Emit(Event::Cancel),
                Effect::Complete {
                    accounts: Vec::new(),
                },
            ],
        )
    }

    fn authenticate(
        mut self,
        credentials: Credentials,
        mfa_code: Option<String>,
    ) -> (State, Vec<Effect>) {
        let Some(institution) = self.institution.as_ref().map(|i| i.id.clone()) else {
            return (self, Vec::new());
        };
        let password = self.password.as_ref().map(|p| p.0.clone());
        self.step = Step::Working(Work::Authenticating(credentials));
        (
            self,
            vec![Effect::Authenticate {
                institution,
                password,
                mfa_code,
            }],
        )
    }

    fn choose_institution(mut self, institution: Institution) -> (State, Vec<Effect>) {
        self.step = if institution.oauth {
            Step::OAuthWindow
        } else {
            Step::Login { failed: false }
        };
        self.institution = Some(institution);
        (self, vec![Effect::Emit(Event::InstitutionSelected)])
    }
}

/// Whether `needle` occurs in `haystack`. Compared as bytes, which for UTF-8 is the same as
/// comparing characters: `str::contains` would bring its two-way searcher, and the panic
/// formatting behind its slicing, into the wasm.
fn contains_bytes(haystack: &str, needle: &str) -> bool {
    needle.is_empty()
        || haystack
            .as_bytes()
            .windows(needle.len())
            .any(|window| window == needle.as_bytes())
}

/// Lowercases ASCII and Latin-1 letters, which covers bank names in the modal's languages
/// (Japanese has no case). `str::to_lowercase` would do every script, but its Unicode tables
/// would be a tenth of the component's download.
fn fold_case(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    for c in text.chars() {
        folded.push(match c {
            'A'..='Z' | 'À'..='Þ' if c != '×' => char::from_u32(u32::from(c) + 32).unwrap_or(c),
            _ => c,
        });
    }
    folded
}

/// The transition function: the next state and the effects to run.
///
/// ```
/// use relink::flow::{update, Effect, Msg, State, Step, Work};
/// let (state, _) = State::start();
/// let (state, effects) = update(state, Msg::Close);
/// assert_eq!(state.step, Step::Working(Work::Closing));
/// assert!(effects.contains(&Effect::Complete { accounts: vec![] }));
/// ```
pub fn update(mut state: State, msg: Msg) -> (State, Vec<Effect>) {
    use Step as S;
    let step = state.step.clone();
    match (step, msg) {
        (S::Finished, _) => (state, Vec::new()),

        (S::Loading, Msg::ManifestLoaded(Ok(manifest))) => {
            state.institution = manifest.relink.as_ref().map(|r| r.institution.clone());
            state.manifest = Some(*manifest);
            state.step = S::Consent;
            (state, Vec::new())
        }
        (S::Loading, Msg::ManifestLoaded(Err(error))) => state.finish(Settlement::Error(error)),

        (S::Consent, Msg::ConsentAccepted) => {
            let fixed = state.relink().map(|r| r.institution.clone());
            let (state, mut effects) = match fixed {
                Some(institution) => state.choose_institution(institution),
                None => {
                    state.step = S::InstitutionSearch;
                    (state, Vec::new())
                }
            };
            effects.insert(0, Effect::Emit(Event::ConsentAcquired));
            (state, effects)
        }

        (S::InstitutionSearch, Msg::SearchChanged(query)) => {
            state.query = query;
            (state, Vec::new())
        }
        (S::InstitutionSearch, Msg::InstitutionChosen(id)) => {
            let chosen = state
                .manifest
                .iter()
                .flat_map(|m| &m.institutions)
                .find(|institution| institution.id == id)
                .cloned();
            match chosen {
                Some(institution) => state.choose_institution(institution),
                None => (state, Vec::new()),
            }
        }

        (S::Login { .. }, Msg::PasswordSubmitted(password)) => {
            state.password = Some(Password(password));
            state.authenticate(Credentials::Password, None)
        }
        (S::Mfa { .. }, Msg::MfaSubmitted(code)) => {
            state.authenticate(Credentials::Mfa, Some(code))
        }
        (S::OAuthWindow, Msg::OAuthAuthorized) => state.authenticate(Credentials::OAuth, None),

        (S::Working(Work::Authenticating(credentials)), Msg::Authenticated(answer)) => match answer
        {
            Ok(Authentication::Authenticated { accounts }) => {
                state.password = None;
                state.accounts = accounts;
                state.selected.clear();
                state.step = state.account_step();
                (state, vec![Effect::Emit(Event::InstitutionAuthorized)])
            }
            Ok(Authentication::MfaRequired) => {
                state.step = S::Mfa { failed: false };
                (state, Vec::new())
            }
            Ok(Authentication::LoginFailed { .. }) => {
                state.step = match credentials {
                    Credentials::Password => S::Login { failed: true },
                    Credentials::Mfa => S::Mfa { failed: true },
                    Credentials::OAuth => S::OAuthWindow,
                };
                (state, Vec::new())
            }
            Ok(Authentication::InstitutionUnavailable { .. }) => {
                state.password = None;
                state.step = S::Failure(Failure::InstitutionDown);
                (state, Vec::new())
            }
            Err(error) => {
                state.password = None;
                state.step = S::Failure(Failure::Error(error));
                (state, vec![Effect::Emit(Event::Error)])
            }
        },

        (S::AccountSelect | S::OAuthAccountSelect, Msg::AccountToggled(last4)) => {
            let selectable = state
                .accounts
                .iter()
                .any(|account| account.last4 == last4 && state.is_selectable(account));
            if selectable {
                if state.single_select() {
                    state.selected = vec![last4];
                } else if let Some(index) = state.selected.iter().position(|s| *s == last4) {
                    state.selected.remove(index);
                } else if state
                    .account_limit()
                    .is_none_or(|limit| state.selected.len() < limit as usize)
                {
                    state.selected.push(last4);
                }
            }
            (state, Vec::new())
        }
        (S::AccountSelect | S::OAuthAccountSelect, Msg::AccountsSubmitted) => {
            if state.selected.is_empty() {
                return (state, Vec::new());
            }
            let expected = state
                .relink()
                .and_then(|r| r.account.as_ref())
                .map(|a| a.last4.clone());
            if let Some(expected) = expected
                && !state.selected.contains(&expected)
            {
                state.step = S::WrongAccount {
                    chosen: state.selected[0].clone(),
                };
                return (state, Vec::new());
            }
            state.step = S::Working(Work::Linking);
            let accounts = state.selected.clone();
            (
                state,
                vec![
                    Effect::Emit(Event::AccountsSelected),
                    Effect::Complete { accounts },
                ],
            )
        }
        (S::WrongAccount { .. }, Msg::RetryAccountSelection) => {
            state.selected.clear();
            state.step = state.account_step();
            (state, Vec::new())
        }

        (S::Working(Work::Linking), Msg::Completed(Ok(session))) => {
            let linked = session.linked_any();
            let failed = session.failure_reason.is_some();
            if state.close_requested {
                return state.finish(Settlement::Session(session));
            }
            state.session = Some(session);
            if linked && !failed {
                state.step = S::Success;
                (state, vec![Effect::Emit(Event::Success)])
            } else {
                state.step = S::Failure(Failure::NotLinked);
                (state, Vec::new())
            }
        }
        (S::Working(Work::Linking), Msg::Completed(Err(error))) => {
            if state.close_requested {
                return state.finish(Settlement::Error(error));
            }
            state.step = S::Failure(Failure::Error(error));
            (state, vec![Effect::Emit(Event::Error)])
        }
        (S::Working(Work::Closing), Msg::Completed(Ok(session))) => {
            state.finish(Settlement::Session(session))
        }
        (S::Working(Work::Closing), Msg::Completed(Err(error))) => {
            state.finish(Settlement::Error(error))
        }

        (S::InstitutionSearch, Msg::Back) => {
            state.step = S::Consent;
            (state, Vec::new())
        }
        (S::Login { .. } | S::OAuthWindow, Msg::Back) if state.relink().is_none() => {
            state.institution = None;
            state.password = None;
            state.step = S::InstitutionSearch;
            (state, Vec::new())
        }

        // The final screens: the session is finished, "Done" and "Close" both hand it over.
        (S::Success | S::Failure(_), Msg::Done | Msg::Close) if state.session.is_some() => {
            let session = state.session.take().unwrap_or_default();
            state.finish(Settlement::Session(session))
        }
        // The customer closes while accounts are being linked: let the request decide.
        (S::Working(Work::Linking), Msg::Close) => {
            state.close_requested = true;
            (state, Vec::new())
        }
        (S::Working(Work::Closing), Msg::Close) => (state, Vec::new()),
        (S::Failure(_), Msg::Done) => state.close_early(),
        (_, Msg::Close) => state.close_early(),

        // Anything else is stale or out of place (a late response, a double click).
        (_, _) => (state, Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn manifest(relink: Option<Value>, limit: u32) -> Manifest {
        serde_json::from_value(json!({
            "session": {
                "id": "fcsess_1",
                "permissions": ["payment_method"],
                "filters": {"account_subcategories": ["checking", "savings"]},
                "limits": {"accounts": limit},
            },
            "merchant_name": "Rocket Rides",
            "institutions": [
                {"id": "fcinst_sandbox", "name": "Sandbox Bank", "mfa": false, "oauth": false, "down": false},
                {"id": "fcinst_mfa", "name": "MFA Bank", "mfa": true, "oauth": false, "down": false},
                {"id": "fcinst_oauth", "name": "OAuth Bank", "mfa": false, "oauth": true, "down": false},
            ],
            "relink": relink,
        }))
        .unwrap()
    }

    fn accounts() -> Vec<BankAccount> {
        serde_json::from_value(json!([
            {"last4": "6789", "display_name": "Checking", "subcategory": "checking", "eligible": true},
            {"last4": "4321", "display_name": "Savings", "subcategory": "savings", "eligible": true},
            {"last4": "1111", "display_name": "Card", "subcategory": "credit_card", "eligible": true},
        ]))
        .unwrap()
    }

    /// Runs messages in order, returning the final state and all effects.
    fn run(state: State, msgs: impl IntoIterator<Item = Msg>) -> (State, Vec<Effect>) {
        msgs.into_iter()
            .fold((state, Vec::new()), |(state, mut all), msg| {
                let (state, effects) = update(state, msg);
                all.extend(effects);
                (state, all)
            })
    }

    fn loaded(manifest: Manifest) -> State {
        let (state, _) = State::start();
        run(state, [Msg::ManifestLoaded(Ok(Box::new(manifest)))]).0
    }

    fn linked_session() -> CompletedSession {
        CompletedSession::from_json(
            &json!({"accounts": {"object": "list", "data": [{"id": "fca_1"}]}, "relink_result": null}),
        )
    }

    #[test]
    fn plain_link_through_mfa() {
        let (state, effects) = run(
            loaded(manifest(None, 1)),
            [Msg::ConsentAccepted, Msg::SearchChanged("mfa".into())],
        );
        assert_eq!(state.step, Step::InstitutionSearch);
        assert_eq!(state.visible_institutions().len(), 1);
        assert_eq!(effects, vec![Effect::Emit(Event::ConsentAcquired)]);

        let (state, effects) = run(
            state,
            [
                Msg::InstitutionChosen("fcinst_mfa".into()),
                Msg::PasswordSubmitted("pass_good".into()),
                Msg::Authenticated(Ok(Authentication::MfaRequired)),
                Msg::MfaSubmitted("123456".into()),
            ],
        );
        assert_eq!(
            effects.last(),
            Some(&Effect::Authenticate {
                institution: "fcinst_mfa".into(),
                password: Some("pass_good".into()),
                mfa_code: Some("123456".into()),
            })
        );
        let (state, effects) = run(
            state,
            [
                Msg::Authenticated(Ok(Authentication::Authenticated {
                    accounts: accounts(),
                })),
                Msg::AccountToggled("6789".into()),
                Msg::AccountToggled("4321".into()),
                Msg::AccountsSubmitted,
            ],
        );
        assert_eq!(state.password, None, "the password is dropped once used");
        assert_eq!(
            effects.last(),
            Some(&Effect::Complete {
                accounts: vec!["4321".into()]
            }),
            "a limit of one makes selection a radio group"
        );
        let (state, effects) = run(state, [Msg::Completed(Ok(linked_session()))]);
        assert_eq!(state.step, Step::Success);
        assert_eq!(effects, vec![Effect::Emit(Event::Success)]);
        let (state, effects) = run(state, [Msg::Done, Msg::Done]);
        assert_eq!(state.step, Step::Finished);
        assert_eq!(
            effects,
            vec![
                Effect::Settle(Settlement::Session(linked_session())),
                Effect::Emit(Event::Close),
            ],
            "settles exactly once"
        );
    }

    #[test]
    fn ineligible_accounts_cannot_be_selected_and_limits_hold() {
        let mut state = loaded(manifest(None, 2));
        state.step = Step::AccountSelect;
        state.accounts = accounts();
        let card = state.accounts[2].clone();
        assert!(!state.is_selectable(&card), "filtered out by subcategory");
        let (state, _) = run(
            state,
            ["1111", "6789", "4321", "6789"].map(|s| Msg::AccountToggled(s.into())),
        );
        assert_eq!(state.selected, vec!["4321".to_owned()]);
        assert!(!state.single_select());
    }

    #[test]
    fn failed_login_returns_to_the_form_and_closing_finishes_the_session() {
        let (state, effects) = run(
            loaded(manifest(None, 1)),
            [
                Msg::ConsentAccepted,
                Msg::InstitutionChosen("fcinst_sandbox".into()),
                Msg::PasswordSubmitted("nope".into()),
                Msg::Authenticated(Ok(Authentication::LoginFailed { message: None })),
            ],
        );
        assert_eq!(state.step, Step::Login { failed: true });
        assert!(effects.contains(&Effect::Emit(Event::InstitutionSelected)));
        let (state, effects) = run(state, [Msg::Close, Msg::Close]);
        assert_eq!(state.step, Step::Working(Work::Closing));
        assert_eq!(
            effects,
            vec![
                Effect::Emit(Event::Cancel),
                Effect::Complete { accounts: vec![] }
            ]
        );
        let closed =
            CompletedSession::from_json(&json!({"accounts": {"object": "list", "data": []}}));
        let (state, effects) = run(state, [Msg::Completed(Ok(closed.clone()))]);
        assert_eq!(state.step, Step::Finished);
        assert!(effects.contains(&Effect::Settle(Settlement::Session(closed))));
    }

    #[test]
    fn oauth_accounts_are_chosen_in_the_bank_window() {
        let (state, _) = run(
            loaded(manifest(None, 2)),
            [
                Msg::ConsentAccepted,
                Msg::InstitutionChosen("fcinst_oauth".into()),
            ],
        );
        assert_eq!(state.step, Step::OAuthWindow);
        let (state, effects) = run(
            state,
            [
                Msg::OAuthAuthorized,
                Msg::Authenticated(Ok(Authentication::LoginFailed { message: None })),
            ],
        );
        assert_eq!(
            state.step,
            Step::OAuthWindow,
            "a refusal reopens the bank window"
        );
        assert_eq!(
            effects,
            vec![Effect::Authenticate {
                institution: "fcinst_oauth".into(),
                password: None,
                mfa_code: None,
            }]
        );
        let (state, effects) = run(
            state,
            [
                Msg::OAuthAuthorized,
                Msg::Authenticated(Ok(Authentication::Authenticated {
                    accounts: accounts(),
                })),
            ],
        );
        assert_eq!(state.step, Step::OAuthAccountSelect);
        assert_eq!(state.account_step(), Step::OAuthAccountSelect);
        assert!(effects.contains(&Effect::Emit(Event::InstitutionAuthorized)));
        assert!(!state.can_go_back(), "the bank has already been asked");
        let (state, _) = update(state, Msg::Back);
        assert_eq!(state.step, Step::OAuthAccountSelect);

        let (state, effects) = run(
            state,
            ["1111", "6789", "4321", "6789"]
                .map(|s| Msg::AccountToggled(s.into()))
                .into_iter()
                .chain([Msg::AccountsSubmitted]),
        );
        assert_eq!(
            effects,
            vec![
                Effect::Emit(Event::AccountsSelected),
                Effect::Complete {
                    accounts: vec!["4321".into()]
                },
            ],
            "the same eligibility and limit rules as relink's own screen"
        );
        assert_eq!(state.step, Step::Working(Work::Linking));
    }

    #[test]
    fn password_banks_keep_account_selection_in_relink() {
        let (state, _) = run(
            loaded(manifest(None, 1)),
            [
                Msg::ConsentAccepted,
                Msg::InstitutionChosen("fcinst_sandbox".into()),
                Msg::PasswordSubmitted("pass_good".into()),
                Msg::Authenticated(Ok(Authentication::Authenticated {
                    accounts: accounts(),
                })),
            ],
        );
        assert_eq!(state.step, Step::AccountSelect);
    }

    #[test]
    fn relink_skips_search_and_rejects_the_wrong_account() {
        let relink = json!({
            "institution": {"id": "fcinst_oauth", "name": "OAuth Bank", "mfa": false, "oauth": true, "down": false},
            "account": {"id": "fca_1", "display_name": "Checking", "last4": "6789", "subcategory": "checking"}
        });
        let (state, _) = run(
            loaded(manifest(Some(relink), 1)),
            [Msg::ConsentAccepted, Msg::OAuthAuthorized],
        );
        assert_eq!(
            state.step,
            Step::Working(Work::Authenticating(Credentials::OAuth))
        );
        let (state, _) = run(
            state,
            [Msg::Authenticated(Ok(Authentication::Authenticated {
                accounts: accounts(),
            }))],
        );
        assert_eq!(state.step, Step::OAuthAccountSelect, "chosen at the bank");
        let (state, effects) = run(
            state,
            [Msg::AccountToggled("4321".into()), Msg::AccountsSubmitted],
        );
        assert_eq!(
            state.step,
            Step::WrongAccount {
                chosen: "4321".into()
            }
        );
        assert!(!effects.iter().any(|e| matches!(e, Effect::Complete { .. })));
        let (state, _) = update(state, Msg::RetryAccountSelection);
        assert_eq!(
            state.step,
            Step::OAuthAccountSelect,
            "trying again reopens the bank's list"
        );
        assert!(state.selected.is_empty());
        let (state, effects) = run(
            state,
            [Msg::AccountToggled("6789".into()), Msg::AccountsSubmitted],
        );
        assert_eq!(
            effects.last(),
            Some(&Effect::Complete {
                accounts: vec!["6789".into()]
            })
        );
        assert_eq!(state.step, Step::Working(Work::Linking));
    }

    #[test]
    fn manifest_errors_settle_without_a_screen() {
        let (state, _) = State::start();
        let error = RelinkError::Network("offline".into());
        let (state, effects) = update(state, Msg::ManifestLoaded(Err(error.clone())));
        assert_eq!(state.step, Step::Finished);
        assert_eq!(
            effects,
            vec![
                Effect::Emit(Event::Error),
                Effect::Settle(Settlement::Error(error)),
                Effect::Emit(Event::Close),
            ]
        );
    }

    #[test]
    fn institution_down_then_close_lets_the_server_record_the_failure() {
        let (state, effects) = run(
            loaded(manifest(None, 1)),
            [
                Msg::ConsentAccepted,
                Msg::InstitutionChosen("fcinst_sandbox".into()),
                Msg::PasswordSubmitted("pass_good".into()),
                Msg::Authenticated(Ok(Authentication::InstitutionUnavailable { message: None })),
                Msg::Done,
            ],
        );
        assert_eq!(state.step, Step::Working(Work::Closing));
        assert_eq!(effects.last(), Some(&Effect::Complete { accounts: vec![] }));
    }

    #[test]
    fn closing_while_linking_waits_for_the_answer_and_skips_the_success_screen() {
        let mut state = loaded(manifest(None, 1));
        state.step = Step::Working(Work::Linking);
        let (state, effects) = run(state, [Msg::Close, Msg::Completed(Ok(linked_session()))]);
        assert_eq!(state.step, Step::Finished);
        assert!(effects.contains(&Effect::Settle(Settlement::Session(linked_session()))));
    }

    #[test]
    fn back_returns_to_the_bank_list_but_not_for_relinks() {
        let (state, _) = run(
            loaded(manifest(None, 1)),
            [
                Msg::ConsentAccepted,
                Msg::InstitutionChosen("fcinst_sandbox".into()),
            ],
        );
        assert!(state.can_go_back());
        let (state, _) = update(state, Msg::Back);
        assert_eq!(state.step, Step::InstitutionSearch);
        assert_eq!(state.institution, None);

        let relink = json!({
            "institution": {"id": "fcinst_sandbox", "name": "Sandbox Bank", "mfa": false, "oauth": false, "down": false},
            "account": null
        });
        let (state, _) = update(loaded(manifest(Some(relink), 1)), Msg::ConsentAccepted);
        assert_eq!(state.step, Step::Login { failed: false });
        assert!(!state.can_go_back(), "the institution of a relink is fixed");
        let (state, _) = update(state, Msg::Back);
        assert_eq!(state.step, Step::Login { failed: false });
    }

    #[test]
    fn search_ignores_case_in_latin_scripts() {
        let mut state = loaded(manifest(None, 1));
        state.query = "  SANDBOX ".into();
        assert_eq!(state.visible_institutions().len(), 1);
        assert_eq!(fold_case("KÖLN × Ärzte"), "köln × ärzte");
        assert_eq!(fold_case("みずほ銀行"), "みずほ銀行");
    }

    #[test]
    fn late_responses_are_ignored() {
        let (state, _) = State::start();
        let (state, _) = update(state, Msg::Close);
        let (state, effects) = update(state, Msg::ManifestLoaded(Ok(Box::new(manifest(None, 1)))));
        assert_eq!(state.step, Step::Working(Work::Closing));
        assert!(effects.is_empty());
    }
}
