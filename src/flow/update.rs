//! The transitions: [`update`] routes a message to the step it belongs to, and each step's
//! function says what that message does there.

use super::state::Password;
use super::{
    CLOSE_GRACE_MS, Collected, Credentials, Effect, Event, Failure, Msg, Request, State, Step, Work,
};
use crate::error::RelinkError;
use crate::session::Session;
use crate::wire::{Authentication, Institution, Manifest};

type Effects<S> = Vec<Effect<S>>;

/// The transition function: the next state and the effects to run.
///
/// ```
/// use relink::flow::{update, Effect, Msg, Request, State, Step, Work};
/// let (state, _) = State::<()>::start(Vec::new());
/// let (state, effects) = update(state, Msg::Close);
/// assert_eq!(state.step, Step::Working(Work::Closing));
/// assert!(effects.contains(&Effect::Request(Request::Complete { accounts: vec![] })));
/// ```
pub fn update<S: Clone>(mut state: State<S>, msg: Msg<S>) -> (State<S>, Vec<Effect<S>>) {
    let effects = state.apply(msg);
    (state, effects)
}

impl<S: Clone> State<S> {
    /// Routes `msg` to what it means on the current step.
    fn apply(&mut self, msg: Msg<S>) -> Effects<S> {
        use Step as S;
        let state = self;
        match (state.step.clone(), msg) {
            (S::Finished, _) => Vec::new(),

            (_, Msg::Close) => state.close(),
            (_, Msg::Done) => state.done(),
            (_, Msg::Back) => state.back(),
            (_, Msg::CloseDeadlinePassed) => state.close_deadline_passed(),

            (S::Loading, Msg::ManifestLoaded(answer)) => state.manifest_loaded(answer),
            (S::Consent, Msg::ConsentAccepted) => state.consent_accepted(),
            (S::InstitutionSearch, Msg::SearchChanged(query)) => state.search_changed(query),
            (S::InstitutionSearch, Msg::InstitutionChosen(id)) => state.institution_chosen(&id),
            (S::Login { .. }, Msg::PasswordSubmitted(password)) => {
                state.password = Some(Password(password));
                state.authenticate(Credentials::Password, None)
            }
            (S::Mfa { .. }, Msg::MfaSubmitted(code)) => {
                state.authenticate(Credentials::Mfa, Some(code))
            }
            (S::OAuthWindow, Msg::OAuthAuthorized) => state.authenticate(Credentials::OAuth, None),
            (S::Working(Work::Authenticating(credentials)), Msg::Authenticated(answer)) => {
                state.authenticated(credentials, answer)
            }
            (S::AccountSelect | S::OAuthAccountSelect, Msg::AccountToggled(last4)) => {
                state.account_toggled(last4)
            }
            (S::AccountSelect | S::OAuthAccountSelect, Msg::AccountsSubmitted) => {
                state.accounts_submitted()
            }
            (S::WrongAccount { .. }, Msg::RetryAccountSelection) => state.retry_account_selection(),
            (S::Working(Work::Linking), Msg::Completed(answer)) => state.linked(answer),
            (S::Working(Work::Closing), Msg::Completed(answer)) => state.closed(answer),

            // Anything else is stale or out of place (a late answer, a double click).
            (_, _) => Vec::new(),
        }
    }

    fn manifest_loaded(
        &mut self,
        answer: Result<Box<Manifest<Session<S>>>, RelinkError>,
    ) -> Effects<S> {
        match answer {
            Ok(manifest) => {
                self.institution = manifest.relink.as_ref().map(|r| r.institution.clone());
                self.manifest = Some(*manifest);
                self.step = Step::Consent;
                Vec::new()
            }
            Err(error) => self.finish(Collected::CouldNotLaunch(error)),
        }
    }

    fn consent_accepted(&mut self) -> Effects<S> {
        let mut effects = vec![Effect::Emit(Event::ConsentAcquired)];
        match self.relink().map(|r| r.institution.clone()) {
            Some(fixed) => effects.extend(self.choose_institution(fixed)),
            None => self.step = Step::InstitutionSearch,
        }
        effects
    }

    fn search_changed(&mut self, query: String) -> Effects<S> {
        self.query = query;
        Vec::new()
    }

    fn institution_chosen(&mut self, id: &str) -> Effects<S> {
        let chosen = self
            .manifest
            .iter()
            .flat_map(|m| &m.institutions)
            .find(|institution| institution.id == id)
            .cloned();
        match chosen {
            Some(institution) => self.choose_institution(institution),
            None => Vec::new(),
        }
    }

    fn choose_institution(&mut self, institution: Institution) -> Effects<S> {
        self.step = if institution.oauth {
            Step::OAuthWindow
        } else {
            Step::Login { failed: false }
        };
        self.institution = Some(institution.clone());
        vec![Effect::Emit(Event::InstitutionSelected(institution))]
    }

    fn authenticate(&mut self, credentials: Credentials, mfa_code: Option<String>) -> Effects<S> {
        let Some(institution) = self.institution.as_ref().map(|i| i.id.clone()) else {
            return Vec::new();
        };
        let password = self.password.as_ref().map(|p| p.0.clone());
        self.step = Step::Working(Work::Authenticating(credentials));
        let request = Request::Authenticate {
            institution,
            password,
            mfa_code,
        };
        vec![Effect::Request(request)]
    }

    fn authenticated(
        &mut self,
        credentials: Credentials,
        answer: Result<Authentication, RelinkError>,
    ) -> Effects<S> {
        match answer {
            Ok(Authentication::Authenticated { accounts }) => {
                self.password = None;
                self.accounts = accounts;
                self.selected.clear();
                self.step = self.account_step();
                vec![Effect::Emit(Event::InstitutionAuthorized)]
            }
            Ok(Authentication::MfaRequired) => {
                self.step = Step::Mfa { failed: false };
                Vec::new()
            }
            Ok(Authentication::LoginFailed { .. }) => {
                self.step = match credentials {
                    Credentials::Password => Step::Login { failed: true },
                    Credentials::Mfa => Step::Mfa { failed: true },
                    Credentials::OAuth => Step::OAuthWindow,
                };
                Vec::new()
            }
            Ok(Authentication::InstitutionUnavailable { .. }) => {
                self.password = None;
                self.step = Step::Failure(Failure::InstitutionDown);
                Vec::new()
            }
            Err(error) => {
                self.password = None;
                self.step = Step::Failure(Failure::Error(error.clone()));
                vec![Effect::Emit(Event::Error(error))]
            }
        }
    }

    fn account_toggled(&mut self, last4: String) -> Effects<S> {
        let selectable = self
            .accounts
            .iter()
            .any(|account| account.last4 == last4 && self.is_selectable(account));
        if !selectable {
            return Vec::new();
        }
        if self.single_select() {
            self.selected = vec![last4];
        } else if let Some(index) = self.selected.iter().position(|s| *s == last4) {
            self.selected.remove(index);
        } else if self
            .account_limit()
            .is_none_or(|limit| self.selected.len() < limit as usize)
        {
            self.selected.push(last4);
        }
        Vec::new()
    }

    fn accounts_submitted(&mut self) -> Effects<S> {
        if self.selected.is_empty() {
            return Vec::new();
        }
        let expected = self
            .relink()
            .and_then(|r| r.account.as_ref())
            .map(|a| a.last4.clone());
        if let Some(expected) = expected
            && !self.selected.contains(&expected)
        {
            self.step = Step::WrongAccount {
                chosen: self.selected[0].clone(),
            };
            return Vec::new();
        }
        self.step = Step::Working(Work::Linking);
        let selected = self
            .accounts
            .iter()
            .filter(|account| self.selected.contains(&account.last4))
            .cloned()
            .collect();
        let accounts = self.selected.clone();
        vec![
            Effect::Emit(Event::AccountsSelected(selected)),
            Effect::Request(Request::Complete { accounts }),
        ]
    }

    fn retry_account_selection(&mut self) -> Effects<S> {
        self.selected.clear();
        self.step = self.account_step();
        Vec::new()
    }

    /// The session the customer linked accounts in came back (or could not).
    fn linked(&mut self, answer: Result<Box<Session<S>>, RelinkError>) -> Effects<S> {
        match answer {
            Ok(session) => {
                let finished = self.classified(*session);
                if self.close_requested {
                    return self.finish(Collected::Finished(finished));
                }
                let classification = finished.classification;
                self.finished = Some(finished);
                if classification.outcome.is_success() {
                    self.step = Step::Success;
                    vec![Effect::Emit(Event::Success(classification))]
                } else {
                    self.step = Step::Failure(Failure::NotLinked);
                    Vec::new()
                }
            }
            Err(error) if self.close_requested => self.finish(Collected::CouldNotLaunch(error)),
            Err(error) => {
                self.step = Step::Failure(Failure::Error(error.clone()));
                vec![Effect::Emit(Event::Error(error))]
            }
        }
    }

    /// The session the customer closed came back (or could not).
    fn closed(&mut self, answer: Result<Box<Session<S>>, RelinkError>) -> Effects<S> {
        match answer {
            Ok(session) => {
                let finished = self.classified(*session);
                self.finish(Collected::Finished(finished))
            }
            Err(error) => self.finish(Collected::CouldNotLaunch(error)),
        }
    }

    /// Close button, Escape or `abort()`.
    fn close(&mut self) -> Effects<S> {
        match self.step {
            Step::Success | Step::Failure(_) if self.finished.is_some() => self.hand_over(),
            // Accounts are being linked: let the answer decide, for a moment.
            Step::Working(Work::Linking) if !self.close_requested => {
                self.close_requested = true;
                vec![Effect::StartCloseDeadline]
            }
            Step::Working(Work::Linking | Work::Closing) => Vec::new(),
            _ => self.close_early(),
        }
    }

    /// "Done" (or "Close") on a final screen.
    fn done(&mut self) -> Effects<S> {
        match self.step {
            Step::Success | Step::Failure(_) if self.finished.is_some() => self.hand_over(),
            Step::Failure(_) => self.close_early(),
            _ => Vec::new(),
        }
    }

    fn back(&mut self) -> Effects<S> {
        match self.step {
            Step::InstitutionSearch => self.step = Step::Consent,
            Step::Login { .. } | Step::OAuthWindow if self.relink().is_none() => {
                self.institution = None;
                self.password = None;
                self.step = Step::InstitutionSearch;
            }
            _ => {}
        }
        Vec::new()
    }

    /// The final screens hand over the session they show.
    fn hand_over(&mut self) -> Effects<S> {
        match self.finished.take() {
            Some(finished) => self.finish(Collected::Finished(finished)),
            None => Vec::new(),
        }
    }

    /// Closing before the end still finishes the session, with no accounts, so that the server
    /// records why (`no_authorization`, `no_account`, `other`) — if it answers in time.
    fn close_early(&mut self) -> Effects<S> {
        self.step = Step::Working(Work::Closing);
        self.password = None;
        vec![
            Effect::Emit(Event::Cancel),
            Effect::Request(Request::Complete {
                accounts: Vec::new(),
            }),
            Effect::StartCloseDeadline,
        ]
    }

    /// The server did not answer within [`CLOSE_GRACE_MS`] of the close (a dropped network):
    /// settle with the session as it last sent it, which the usual rules classify
    /// (`no_authorization` for a relink that recorded no result), or, if the flow never loaded,
    /// as could not launch.
    fn close_deadline_passed(&mut self) -> Effects<S> {
        let waiting = matches!(self.step, Step::Working(Work::Closing))
            || (self.step == Step::Working(Work::Linking) && self.close_requested);
        if !waiting {
            return Vec::new();
        }
        // The flow ends here, so the manifest's session can be handed over rather than copied.
        let last_known = self.manifest.take().map(|m| m.session);
        match last_known {
            Some(session) => {
                let finished = self.classified(session);
                self.finish(Collected::Finished(finished))
            }
            None => self.finish(Collected::CouldNotLaunch(RelinkError::Timeout {
                after_ms: CLOSE_GRACE_MS,
            })),
        }
    }

    fn finish(&mut self, collected: Collected<S>) -> Effects<S> {
        self.step = Step::Finished;
        self.password = None;
        let mut effects = Vec::with_capacity(3);
        if let Collected::CouldNotLaunch(error) = &collected {
            effects.push(Effect::Emit(Event::Error(error.clone())));
        }
        // Settling removes the modal, so `close` fires once it is really gone.
        effects.push(Effect::Settle(collected));
        effects.push(Effect::Emit(Event::Close));
        effects
    }
}
