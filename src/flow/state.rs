//! What the modal renders, and the rules it renders by.

use super::{Effect, Event, Finished, Request, Step};
use crate::model::{AccountSubcategory, Permission};
use crate::outcome::classify;
use crate::session::Session;
use crate::wire::{BankAccount, Institution, Manifest, RelinkTarget};

/// A password held only between the login and MFA forms; never printed.
#[derive(Clone, PartialEq, Eq)]
pub(super) struct Password(pub(super) String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(…)")
    }
}

/// Everything the modal renders.
#[derive(Debug, Clone, PartialEq)]
pub struct State<S> {
    /// The current screen.
    pub step: Step,
    /// The manifest, once loaded.
    pub manifest: Option<Manifest<Session<S>>>,
    /// The institution search text.
    pub query: String,
    /// The chosen (or, for relinks, fixed) institution.
    pub institution: Option<Institution>,
    /// The accounts the bank showed after login.
    pub accounts: Vec<BankAccount>,
    /// `last4`s of the selected accounts.
    pub selected: Vec<String>,
    /// The finished session, once `complete` answered.
    pub finished: Option<Finished<S>>,
    /// The merchant's `fca_…` IDs, which decide `isNew`.
    pub(super) existing_account_ids: Vec<String>,
    pub(super) password: Option<Password>,
    /// The customer closed while accounts were being linked.
    pub(super) close_requested: bool,
}

impl<S: Clone> State<S> {
    /// The initial state and its effects: announce the opening and load the manifest.
    ///
    /// ```
    /// use relink::flow::{Effect, Event, Request, State, Step};
    /// let (state, effects) = State::<()>::start(Vec::new());
    /// assert_eq!(state.step, Step::Loading);
    /// assert_eq!(
    ///     effects,
    ///     vec![Effect::Emit(Event::Open), Effect::Request(Request::LoadManifest)]
    /// );
    /// ```
    pub fn start(existing_account_ids: Vec<String>) -> (State<S>, Vec<Effect<S>>) {
        let state = State::new(Step::Loading, existing_account_ids);
        (
            state,
            vec![
                Effect::Emit(Event::Open),
                Effect::Request(Request::LoadManifest),
            ],
        )
    }

    fn new(step: Step, existing_account_ids: Vec<String>) -> State<S> {
        State {
            step,
            manifest: None,
            query: String::new(),
            institution: None,
            accounts: Vec::new(),
            selected: Vec::new(),
            finished: None,
            existing_account_ids,
            password: None,
            close_requested: false,
        }
    }

    /// `session` classified for this merchant.
    pub(super) fn classified(&self, session: Session<S>) -> Finished<S> {
        let classification = classify(&session.summary, &self.existing_account_ids);
        Finished {
            session,
            classification,
        }
    }
}

impl<S> State<S> {
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
            .map_or(&[], |m| &m.session.summary.permissions)
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
            .summary
            .account_limit
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
            .and_then(|m| m.session.summary.account_subcategories.as_deref());
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

    /// Whether [`super::Msg::Back`] does anything on the current step.
    pub fn can_go_back(&self) -> bool {
        match self.step {
            Step::InstitutionSearch => true,
            Step::Login { .. } | Step::OAuthWindow => self.relink().is_none(),
            _ => false,
        }
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
pub(super) fn fold_case(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    for c in text.chars() {
        folded.push(match c {
            'A'..='Z' | 'À'..='Þ' if c != '×' => char::from_u32(u32::from(c) + 32).unwrap_or(c),
            _ => c,
        });
    }
    folded
}
