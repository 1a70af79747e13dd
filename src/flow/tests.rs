use serde_json::{Value, json};

use super::state::fold_case;
use super::*;
use crate::outcome::Outcome;

type Answer = Value;

fn manifest(relink: Option<Value>, limit: u32) -> Manifest<Session<Answer>> {
    crate::decode::manifest(&json!({
        "session": {
            "id": "fcsess_1",
            "object": "financial_connections.session",
            "accounts": {"object": "list", "data": []},
            "permissions": ["payment_method"],
            "filters": {"account_subcategories": ["checking", "savings"]},
            "limits": {"accounts": limit},
            "relink_options": relink.as_ref().map(|_| json!({"authorization": "fcauth_1", "account": null})),
            "relink_result": null,
            "status": "pending",
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
    let Some(Authentication::Authenticated { accounts }) = crate::decode::authentication(&json!({
        "status": "authenticated",
        "accounts": [
            {"last4": "6789", "display_name": "Checking", "subcategory": "checking", "eligible": true},
            {"last4": "4321", "display_name": "Savings", "subcategory": "savings", "eligible": true},
            {"last4": "1111", "display_name": "Card", "subcategory": "credit_card", "eligible": true},
        ]
    })) else {
        panic!("accounts");
    };
    accounts
}

fn authenticated() -> Msg<Answer> {
    Msg::Authenticated(Ok(Authentication::Authenticated {
        accounts: accounts(),
    }))
}

fn session(json: Value) -> Box<Session<Answer>> {
    Box::new(crate::decode::session(&json).unwrap())
}

fn linked_session() -> Box<Session<Answer>> {
    session(
        json!({"accounts": {"object": "list", "data": [{"id": "fca_1"}]}, "relink_result": null}),
    )
}

/// What settling with `session` resolves, classified for a merchant with no accounts yet.
fn finished(session: Session<Answer>, outcome: Outcome, is_new: Option<bool>) -> Effect<Answer> {
    Effect::Settle(Collected::Finished(Finished {
        session,
        classification: crate::outcome::Classification { outcome, is_new },
    }))
}

/// Runs messages in order, returning the final state and all effects.
fn run(
    state: State<Answer>,
    msgs: impl IntoIterator<Item = Msg<Answer>>,
) -> (State<Answer>, Vec<Effect<Answer>>) {
    msgs.into_iter()
        .fold((state, Vec::new()), |(state, mut all), msg| {
            let (state, effects) = update(state, msg);
            all.extend(effects);
            (state, all)
        })
}

fn started() -> State<Answer> {
    State::start(Vec::new()).0
}

fn loaded(manifest: Manifest<Session<Answer>>) -> State<Answer> {
    run(started(), [Msg::ManifestLoaded(Ok(Box::new(manifest)))]).0
}

fn complete(accounts: &[&str]) -> Effect<Answer> {
    Effect::Request(Request::Complete {
        accounts: accounts.iter().map(|a| a.to_string()).collect(),
    })
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
    let Some(Effect::Emit(Event::InstitutionSelected(bank))) = effects.first() else {
        panic!("institution_selected carries the bank: {effects:?}");
    };
    assert_eq!(bank.name, "MFA Bank");
    assert_eq!(
        effects.last(),
        Some(&Effect::Request(Request::Authenticate {
            institution: "fcinst_mfa".into(),
            password: Some("pass_good".into()),
            mfa_code: Some("123456".into()),
        }))
    );
    let (state, effects) = run(
        state,
        [
            authenticated(),
            Msg::AccountToggled("6789".into()),
            Msg::AccountToggled("4321".into()),
            Msg::AccountsSubmitted,
        ],
    );
    assert_eq!(state.password, None, "the password is dropped once used");
    assert_eq!(
        effects.last(),
        Some(&complete(&["4321"])),
        "a limit of one makes selection a radio group"
    );
    let selected = effects.iter().find_map(|effect| match effect {
        Effect::Emit(Event::AccountsSelected(accounts)) => Some(accounts),
        _ => None,
    });
    assert_eq!(
        selected.map(|accounts| accounts
            .iter()
            .map(|a| a.last4.as_str())
            .collect::<Vec<_>>()),
        Some(vec!["4321"]),
        "accounts_selected carries the submitted accounts"
    );
    let (state, effects) = run(state, [Msg::Completed(Ok(linked_session()))]);
    assert_eq!(state.step, Step::Success);
    let linked_new = crate::outcome::Classification {
        outcome: Outcome::LinkedNewAccount,
        is_new: Some(true),
    };
    assert_eq!(effects, vec![Effect::Emit(Event::Success(linked_new))]);
    let (state, effects) = run(state, [Msg::Done, Msg::Done]);
    assert_eq!(state.step, Step::Finished);
    assert_eq!(
        effects,
        vec![
            finished(*linked_session(), Outcome::LinkedNewAccount, Some(true)),
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
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Emit(Event::InstitutionSelected(_))))
    );
    let (state, effects) = run(state, [Msg::Close, Msg::Close]);
    assert_eq!(state.step, Step::Working(Work::Closing));
    assert_eq!(
        effects,
        vec![
            Effect::Emit(Event::Cancel),
            complete(&[]),
            Effect::StartCloseDeadline,
        ]
    );
    let closed = session(json!({"accounts": {"object": "list", "data": []}}));
    let (state, effects) = run(state, [Msg::Completed(Ok(closed.clone()))]);
    assert_eq!(state.step, Step::Finished);
    assert!(effects.contains(&finished(*closed, Outcome::NoAccount, None)));
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
        vec![Effect::Request(Request::Authenticate {
            institution: "fcinst_oauth".into(),
            password: None,
            mfa_code: None,
        })]
    );
    let (state, effects) = run(state, [Msg::OAuthAuthorized, authenticated()]);
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
    assert_eq!(effects.len(), 2);
    assert!(matches!(
        &effects[0],
        Effect::Emit(Event::AccountsSelected(accounts)) if accounts.len() == 1 && accounts[0].last4 == "4321"
    ));
    assert_eq!(
        effects[1],
        complete(&["4321"]),
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
            authenticated(),
        ],
    );
    assert_eq!(state.step, Step::AccountSelect);
}

fn oauth_relink() -> Value {
    json!({
        "institution": {"id": "fcinst_oauth", "name": "OAuth Bank", "mfa": false, "oauth": true, "down": false},
        "account": {"id": "fca_1", "display_name": "Checking", "last4": "6789", "subcategory": "checking"}
    })
}

#[test]
fn relink_skips_search_and_rejects_the_wrong_account() {
    let (state, _) = run(
        loaded(manifest(Some(oauth_relink()), 1)),
        [Msg::ConsentAccepted, Msg::OAuthAuthorized],
    );
    assert_eq!(
        state.step,
        Step::Working(Work::Authenticating(Credentials::OAuth))
    );
    let (state, _) = run(state, [authenticated()]);
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
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::Request(Request::Complete { .. })))
    );
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
    assert_eq!(effects.last(), Some(&complete(&["6789"])));
    assert_eq!(state.step, Step::Working(Work::Linking));
}

#[test]
fn manifest_errors_settle_without_a_screen() {
    let error = RelinkError::Network("offline".into());
    let (state, effects) = update(started(), Msg::ManifestLoaded(Err(error.clone())));
    assert_eq!(state.step, Step::Finished);
    assert_eq!(
        effects,
        vec![
            Effect::Emit(Event::Error(error.clone())),
            Effect::Settle(Collected::CouldNotLaunch(error)),
            Effect::Emit(Event::Close),
        ],
        "the error event carries the error it settles with"
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
    assert!(effects.contains(&complete(&[])));
}

#[test]
fn closing_while_linking_waits_for_the_answer_and_skips_the_success_screen() {
    let mut state = loaded(manifest(None, 1));
    state.step = Step::Working(Work::Linking);
    let (state, effects) = run(state, [Msg::Close, Msg::Completed(Ok(linked_session()))]);
    assert_eq!(state.step, Step::Finished);
    assert_eq!(effects[0], Effect::StartCloseDeadline);
    assert!(effects.contains(&finished(
        *linked_session(),
        Outcome::LinkedNewAccount,
        Some(true)
    )));
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
    let (state, _) = update(started(), Msg::Close);
    let (state, effects) = update(state, Msg::ManifestLoaded(Ok(Box::new(manifest(None, 1)))));
    assert_eq!(state.step, Step::Working(Work::Closing));
    assert!(effects.is_empty());
}

#[test]
fn a_close_the_server_does_not_answer_settles_with_the_last_session_it_sent() {
    // A relink after the password, on a network that stopped answering.
    let (state, _) = run(
        loaded(manifest(Some(oauth_relink()), 1)),
        [Msg::ConsentAccepted, Msg::OAuthAuthorized],
    );
    let (state, effects) = run(state, [Msg::Close]);
    assert_eq!(effects.last(), Some(&Effect::StartCloseDeadline));
    let (state, effects) = run(state, [Msg::CloseDeadlinePassed]);
    assert_eq!(state.step, Step::Finished);
    let pending = manifest(Some(oauth_relink()), 1).session;
    assert_eq!(
        effects,
        vec![
            finished(pending, Outcome::NoAuthorization, None),
            Effect::Emit(Event::Close),
        ],
        "a relink that recorded no result is no_authorization"
    );
    let (state, effects) = run(
        state,
        [
            Msg::Completed(Ok(linked_session())),
            Msg::Authenticated(Ok(Authentication::MfaRequired)),
            Msg::CloseDeadlinePassed,
        ],
    );
    assert_eq!(
        (state.step, effects),
        (Step::Finished, vec![]),
        "late answers change nothing"
    );
}

#[test]
fn a_close_before_the_flow_loaded_that_the_server_does_not_answer_could_not_launch() {
    let (state, _) = update(started(), Msg::Close);
    let (state, effects) = update(state, Msg::CloseDeadlinePassed);
    assert_eq!(state.step, Step::Finished);
    let timeout = RelinkError::Timeout {
        after_ms: CLOSE_GRACE_MS,
    };
    assert_eq!(
        effects,
        vec![
            Effect::Emit(Event::Error(timeout.clone())),
            Effect::Settle(Collected::CouldNotLaunch(timeout)),
            Effect::Emit(Event::Close),
        ]
    );
}

#[test]
fn a_deadline_while_nothing_waits_for_it_is_stale() {
    let state = loaded(manifest(None, 1));
    let (state, effects) = update(state, Msg::CloseDeadlinePassed);
    assert_eq!((state.step, effects), (Step::Consent, vec![]));
    let mut linking = loaded(manifest(None, 1));
    linking.step = Step::Working(Work::Linking);
    let (state, effects) = update(linking, Msg::CloseDeadlinePassed);
    assert_eq!(
        (state.step, effects),
        (Step::Working(Work::Linking), vec![]),
        "linking without a close waits for its answer"
    );
}

#[test]
fn closing_twice_while_linking_starts_one_deadline() {
    let mut state = loaded(manifest(None, 1));
    state.step = Step::Working(Work::Linking);
    let (state, effects) = run(state, [Msg::Close, Msg::Close]);
    assert_eq!(effects, vec![Effect::StartCloseDeadline]);
    let (state, effects) = update(state, Msg::CloseDeadlinePassed);
    assert_eq!(state.step, Step::Finished);
    assert!(matches!(effects[0], Effect::Settle(Collected::Finished(_))));
}
