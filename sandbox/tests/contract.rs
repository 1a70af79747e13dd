//! The link-flow contract between the sandbox and the relink component: everything the sandbox
//! answers the browser decodes with the component's own decoders (`relink::decode`), into the
//! values the sandbox's own records say. A field renamed or dropped on either side fails here.
//!
//! The second half records the browser's side of named scenarios against the real sandbox into
//! `tests/fixtures/link_flow.json`, which the browser tests replay (see `mod recorded` below).

mod common;

use common::Sandbox;
use relink::decode;
use relink::model::{AccountSubcategory, FailureReason, Permission, SessionStatus};
use relink::wire::Authentication;
use serde_json::Value;

const MANIFEST: &str = "/v1/link_account_sessions/manifest";
const AUTHENTICATE: &str = "/v1/link_account_sessions/authenticate";
const COMPLETE: &str = "/v1/link_account_sessions/complete";

/// A session for `customer` as the merchant's server creates it; `extra` adds parameters.
async fn session(sandbox: &Sandbox, customer: &str, extra: &str) -> Value {
    sandbox
        .post(
            "/v1/financial_connections/sessions",
            &format!(
                "account_holder[type]=customer&account_holder[customer]={customer}\
                 &permissions[]=payment_method&permissions[]=balances{extra}"
            ),
        )
        .await
        .ok()
}

fn secret(session: &Value) -> String {
    format!(
        "client_secret={}",
        session["client_secret"].as_str().expect("client secret")
    )
}

async fn log_in(sandbox: &Sandbox, secret: &str, institution: &str, extra: &str) -> Authentication {
    let answer = sandbox
        .browser(
            AUTHENTICATE,
            &format!("{secret}&institution={institution}{extra}"),
        )
        .await
        .ok();
    decode::authentication(&answer).unwrap_or_else(|| panic!("undecodable: {answer}"))
}

#[tokio::test]
async fn a_plain_link_decodes_end_to_end() {
    let sandbox = Sandbox::new();
    let customer = sandbox.customer().await;
    let created = session(&sandbox, &customer, "&limits[accounts]=2").await;
    let secret = secret(&created);

    let answer = sandbox.browser(MANIFEST, &secret).await.ok();
    let manifest = decode::manifest(&answer).unwrap_or_else(|| panic!("undecodable: {answer}"));
    let summary = &manifest.session.summary;
    assert_eq!(summary.id, created["id"].as_str().unwrap());
    assert_eq!(
        summary.permissions,
        [Permission::PaymentMethod, Permission::Balances]
    );
    assert_eq!(summary.account_limit, Some(2));
    assert_eq!(summary.status, Some(SessionStatus::Pending));
    assert!(manifest.session.raw.get("client_secret").is_none());
    assert_eq!(manifest.merchant_name, "Rocket Rides");
    assert_eq!(manifest.relink, None);
    let banks: Vec<&str> = manifest
        .institutions
        .iter()
        .map(|i| i.name.as_str())
        .collect();
    assert!(banks.contains(&"Sandbox Bank") && banks.contains(&"Down Bank"));
    let flags = |name: &str| {
        let bank = manifest
            .institutions
            .iter()
            .find(|i| i.name == name)
            .unwrap();
        (bank.mfa, bank.oauth, bank.down)
    };
    assert_eq!(flags("MFA Bank"), (true, false, false));
    assert_eq!(flags("OAuth Bank"), (false, true, false));
    assert_eq!(flags("Down Bank"), (false, false, true));

    assert!(matches!(
        log_in(&sandbox, &secret, "fcinst_sandbox_bank", "&password=nope").await,
        Authentication::LoginFailed { message: Some(_) }
    ));
    assert_eq!(
        log_in(&sandbox, &secret, "fcinst_mfa_bank", "&password=pass_good").await,
        Authentication::MfaRequired
    );
    assert!(matches!(
        log_in(&sandbox, &secret, "fcinst_down_bank", "&password=pass_good").await,
        Authentication::InstitutionUnavailable { message: Some(_) }
    ));
    let Authentication::Authenticated { accounts } = log_in(
        &sandbox,
        &secret,
        "fcinst_sandbox_bank",
        "&password=pass_good",
    )
    .await
    else {
        panic!("authenticated");
    };
    let card = accounts.iter().find(|a| a.last4 == "1111").unwrap();
    assert_eq!(card.subcategory, Some(AccountSubcategory::CreditCard));
    assert!(
        !card.eligible,
        "a credit card cannot become a payment method"
    );
    assert!(accounts.iter().all(|a| a.existing_account.is_none()));

    let answer = sandbox
        .browser(
            COMPLETE,
            &format!("{secret}&accounts[]=6789&accounts[]=4321"),
        )
        .await
        .ok();
    let finished = decode::session(&answer).unwrap();
    let linked: Vec<&str> = finished
        .summary
        .accounts
        .iter()
        .map(|a| a.last4.as_str())
        .collect();
    assert_eq!(linked, ["6789", "4321"]);
    assert!(finished.summary.accounts[0].id.starts_with("fca_"));
    assert_eq!(finished.summary.status, Some(SessionStatus::Succeeded));
}

#[tokio::test]
async fn a_relink_decodes_with_its_target_and_result() {
    let sandbox = Sandbox::new();
    let customer = sandbox.customer().await;
    let linked = sandbox
        .link(&customer, "fcinst_sandbox_bank", &["6789"])
        .await;
    let account = common::account_id(&linked, 0);
    let authorization = sandbox.account(&account).await["authorization"]
        .as_str()
        .unwrap()
        .to_owned();
    let relink =
        format!("&relink_options[authorization]={authorization}&relink_options[account]={account}");
    let secret = secret(&session(&sandbox, &customer, &relink).await);

    let manifest = decode::manifest(&sandbox.browser(MANIFEST, &secret).await.ok()).unwrap();
    let target = manifest.relink.expect("a relink target");
    assert_eq!(target.institution.name, "Sandbox Bank");
    assert_eq!(
        manifest.institutions,
        std::slice::from_ref(&target.institution)
    );
    let expected = target.account.expect("the exact account");
    assert_eq!(
        (expected.id.as_str(), expected.last4.as_str()),
        (account.as_str(), "6789")
    );
    let options = manifest.session.summary.relink_options.unwrap();
    assert_eq!(options.authorization, authorization);

    let Authentication::Authenticated { accounts } = log_in(
        &sandbox,
        &secret,
        "fcinst_sandbox_bank",
        "&password=pass_good",
    )
    .await
    else {
        panic!("authenticated");
    };
    let known = accounts.iter().find(|a| a.last4 == "6789").unwrap();
    assert_eq!(known.existing_account.as_deref(), Some(account.as_str()));

    let answer = sandbox
        .browser(COMPLETE, &format!("{secret}&accounts[]=4321"))
        .await
        .ok();
    let result = decode::session(&answer).unwrap().summary.relink_result;
    assert_eq!(
        result.and_then(|r| r.failure_reason),
        Some(FailureReason::NoAccount)
    );
}

#[tokio::test]
async fn errors_decode_as_stripe_errors() {
    let sandbox = Sandbox::new();
    let reply = sandbox
        .browser(MANIFEST, "client_secret=fcsess_client_secret_nope")
        .await;
    let error = decode::stripe_error(&reply.json["error"]);
    assert_eq!(error.kind, "invalid_request_error");
    assert_eq!(error.code.as_deref(), Some("resource_missing"));
    assert_eq!(error.param.as_deref(), Some("client_secret"));
    assert!(
        !error.message.contains("nope"),
        "the secret is never echoed"
    );
}

/// A test double recorded from the real thing: the browser's side of named link-flow scenarios,
/// driven against the real sandbox app in-process, written to `tests/fixtures/link_flow.json`
/// for the browser tests to replay (`tests/support/replay_fetch.js`).
///
/// Each scenario gets a fresh sandbox. What the merchant's server does (creating sessions and
/// SetupIntents, test helpers breaking links or taking a bank down) is setup and is not recorded;
/// every request the browser would make is: the link flow (`wire::Endpoint`'s manifest,
/// authenticate and complete), `for_setup_intent` and `bank_account_token`, and the SetupIntent
/// `confirm` and `retrieve` the browser sends with the publishable key and `client_secret`.
/// Every answer is also run through the component's decoders, as the tests above do.
///
/// The file:
///
/// ```text
/// {"scenarios": {"<name>": {
///   "description": "…",
///   "exchanges": [{"method": "POST", "path": "/v1/link_account_sessions/manifest",
///                  "request": {"institution": "fcinst_mfa_bank", "accounts[]": ["6789"], …},
///                  "status": 200, "body": {…}}, …]}}}
/// ```
///
/// `request` holds every form field the browser sent except `client_secret` (fields named
/// `…[]` as lists, in the order sent). Scenarios are in the order below; keys inside bodies are
/// sorted. Normalised so that it is the same on every run:
///
/// - IDs: a random `<prefix>_<24 characters>` becomes `<prefix>_<name>` per scenario, where a
///   Financial Connections account's name is its `last4` (`fca_6789`; a second account with the
///   same digits `fca_6789_2`) and any other is numbered by first appearance (`fcsess_1`,
///   `fcauth_1`, `pm_1`). IDs derived from the same random part keep the name
///   (`fcaowns_6789`). Stable IDs (`fcinst_sandbox_bank`, `cus_demo_jennyrosen`) stay.
/// - Secrets: a client secret becomes `fcsess_client_secret_recorded` or
///   `seti_<name>_secret_recorded` in answers and `<client_secret>` in requests; no real
///   secret is written.
/// - Times: every Unix-seconds field (`created`, `as_of`, `…_at`, `…_date`) becomes
///   `1700000000` plus its distance from the scenario's start, rounded to the hour (so "20
///   days after linking" still reads so).
///
/// With `RELINK_RECORD_FIXTURES=1` the test writes the file; without it, it records anew and
/// fails if anything differs from the committed file, naming the scenario and exchange. A rule
/// or contract change therefore shows as a fixture diff to review.
mod recorded {
    use std::collections::{HashMap, HashSet};
    use std::time::{SystemTime, UNIX_EPOCH};

    use relink::decode;
    use relink::mandate::CONFIRM_FIELDS;
    use relink::model::{FailureReason, SessionStatus};
    use relink::session::Session;
    use relink::wire::{self, Authentication, Endpoint, Manifest};
    use serde::{Deserialize, Serialize, Serializer};
    use serde_json::{Map, Value, json};

    use super::common::{self, Sandbox};

    const FIXTURES: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/link_flow.json"
    );
    const RECORD_ENV: &str = "RELINK_RECORD_FIXTURES";
    const RERECORD: &str = "RELINK_RECORD_FIXTURES=1 cargo test -p relink-sandbox --test contract";
    /// What normalised timestamps count from.
    const TIME_BASE: i64 = 1_700_000_000;
    /// A number this large is a timestamp that slipped past normalisation.
    const TIMESTAMP_FLOOR: i64 = 1_000_000_000;
    const SANDBOX_BANK: &str = "fcinst_sandbox_bank";
    const PASSWORD: &str = "pass_good";
    const WRONG_PASSWORD: &str = "wrong";
    const WRONG_CODE: &str = "000000";

    /// One request the browser sent and the sandbox's answer, as sent (not yet normalised).
    #[derive(Debug)]
    struct Raw {
        path: String,
        fields: Vec<(String, String)>,
        status: u16,
        body: Value,
    }

    /// A scenario as recorded.
    #[derive(Debug)]
    struct Recording {
        name: &'static str,
        description: &'static str,
        started: i64,
        exchanges: Vec<Raw>,
        /// Setup answers (not written), read only to name accounts by their `last4`.
        known: Vec<Value>,
    }

    /// Drives one scenario's browser side and records it.
    struct Recorder {
        sandbox: Sandbox,
        started: i64,
        exchanges: Vec<Raw>,
        known: Vec<Value>,
    }

    impl std::fmt::Debug for Recorder {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("Recorder")
                .field("exchanges", &self.exchanges.len())
                .finish()
        }
    }

    fn unix_now() -> i64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
    }

    impl Recorder {
        fn new() -> Self {
            Recorder {
                started: unix_now(),
                sandbox: Sandbox::new(),
                exchanges: Vec::new(),
                known: Vec::new(),
            }
        }

        /// Keeps a setup answer for naming accounts, and returns it.
        fn know(&mut self, value: Value) -> Value {
            self.known.push(value.clone());
            value
        }

        /// A POST as the browser sends it: the publishable key, `client_secret` first, then
        /// `fields`, form-encoded by the component's own encoder.
        async fn send(&mut self, path: &str, secret: &str, fields: &[(&str, &str)]) -> Value {
            let mut pairs = vec![("client_secret", secret)];
            pairs.extend_from_slice(fields);
            self.send_fields(path, &pairs).await
        }

        /// A POST as the browser sends it with the publishable key and exactly `pairs` (the
        /// hosted page has a token, not a client secret).
        async fn send_fields(&mut self, path: &str, pairs: &[(&str, &str)]) -> Value {
            let reply = self.sandbox.browser(path, &wire::encode_form(pairs)).await;
            self.exchanges.push(Raw {
                path: path.to_owned(),
                fields: pairs
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                    .collect(),
                status: reply.status.as_u16(),
                body: reply.json.clone(),
            });
            reply.json
        }

        /// The last answer's status.
        fn last_status(&self) -> u16 {
            self.exchanges.last().map_or(0, |e| e.status)
        }

        async fn manifest(&mut self, secret: &str) -> Manifest<Session<Value>> {
            let answer = self.send(Endpoint::Manifest.path(), secret, &[]).await;
            assert_eq!(self.last_status(), 200, "manifest: {answer}");
            decode::manifest(&answer).unwrap_or_else(|| panic!("undecodable: {answer}"))
        }

        async fn authenticate(
            &mut self,
            secret: &str,
            institution: &str,
            password: Option<&str>,
            mfa_code: Option<&str>,
        ) -> Authentication {
            let mut fields = vec![("institution", institution)];
            fields.extend(password.map(|p| ("password", p)));
            fields.extend(mfa_code.map(|c| ("mfa_code", c)));
            let answer = self
                .send(Endpoint::Authenticate.path(), secret, &fields)
                .await;
            assert_eq!(self.last_status(), 200, "authenticate: {answer}");
            decode::authentication(&answer).unwrap_or_else(|| panic!("undecodable: {answer}"))
        }

        async fn complete(&mut self, secret: &str, last4s: &[&str]) -> Session<Value> {
            let fields: Vec<(&str, &str)> = last4s.iter().map(|l| ("accounts[]", *l)).collect();
            let answer = self.send(Endpoint::Complete.path(), secret, &fields).await;
            assert_eq!(self.last_status(), 200, "complete: {answer}");
            decode::session(&answer).unwrap_or_else(|| panic!("undecodable: {answer}"))
        }

        /// `POST /v1/setup_intents/{id}/confirm` as the mandate form sends it.
        async fn confirm(&mut self, intent: &Value) -> Value {
            let path = format!("/v1/setup_intents/{}/confirm", text(intent, "id"));
            self.send(&path, text(intent, "client_secret"), CONFIRM_FIELDS)
                .await
        }

        /// `POST /v1/setup_intents/{id}/retrieve`, no `expand[]`.
        async fn retrieve(&mut self, intent: &Value) -> Value {
            let path = format!("/v1/setup_intents/{}/retrieve", text(intent, "id"));
            self.send(&path, text(intent, "client_secret"), &[]).await
        }

        /// A session for a new customer as the merchant's server creates it (setup).
        async fn session(&mut self, customer: &str, extra: &str) -> String {
            let created = self
                .sandbox
                .post(
                    "/v1/financial_connections/sessions",
                    &format!("{}{extra}", session_params(customer)),
                )
                .await
                .ok();
            text(&self.know(created), "client_secret").to_owned()
        }

        /// Links `last4` at `institution` with the test helper and breaks it (`access_expired`);
        /// returns the account and its authorization (setup).
        async fn broken_account(&mut self, customer: &str, institution: &str) -> (String, String) {
            let (account, authorization) = self.account(customer, institution).await;
            let broken = self
                .sandbox
                .deactivate(&account, "cause=access_expired")
                .await;
            self.know(broken);
            (account, authorization)
        }

        /// Links 6789 at `institution` with the test helper; returns the account and its
        /// authorization (setup).
        async fn account(&mut self, customer: &str, institution: &str) -> (String, String) {
            let linked = self.sandbox.link(customer, institution, &["6789"]).await;
            let account = common::account_id(&self.know(linked), 0);
            let authorization =
                text(&self.sandbox.account(&account).await, "authorization").to_owned();
            (account, authorization)
        }

        fn finish(self, name: &'static str, description: &'static str) -> Recording {
            Recording {
                name,
                description,
                started: self.started,
                exchanges: self.exchanges,
                known: self.known,
            }
        }
    }

    fn text<'a>(value: &'a Value, key: &str) -> &'a str {
        value[key]
            .as_str()
            .unwrap_or_else(|| panic!("no {key} in {value}"))
    }

    /// A plain session's parameters, as the browser tests render it.
    fn session_params(customer: &str) -> String {
        format!(
            "account_holder[type]=customer&account_holder[customer]={customer}\
             &permissions[]=payment_method&permissions[]=balances\
             &filters[account_subcategories][]=checking&filters[account_subcategories][]=savings\
             &limits[accounts]=1"
        )
    }

    fn relink_params(authorization: &str, account: Option<&str>) -> String {
        let mut params = format!("&relink_options[authorization]={authorization}");
        if let Some(account) = account {
            params.push_str(&format!("&relink_options[account]={account}"));
        }
        params
    }

    fn linked(session: &Session<Value>) -> Vec<&str> {
        session
            .summary
            .accounts
            .iter()
            .map(|a| a.last4.as_str())
            .collect()
    }

    fn failure(session: &Session<Value>) -> Option<FailureReason> {
        session
            .summary
            .relink_result
            .as_ref()
            .and_then(|r| r.failure_reason)
    }

    fn is_authenticated(answer: &Authentication) -> bool {
        matches!(answer, Authentication::Authenticated { .. })
    }

    fn is_login_failed(answer: &Authentication) -> bool {
        matches!(answer, Authentication::LoginFailed { .. })
    }

    // ---- the scenarios ------------------------------------------------------------------

    async fn plain_link() -> Recording {
        let mut rec = Recorder::new();
        let customer = rec.sandbox.customer().await;
        let secret = rec.session(&customer, "").await;
        rec.manifest(&secret).await;
        let wrong = rec
            .authenticate(&secret, SANDBOX_BANK, Some(WRONG_PASSWORD), None)
            .await;
        assert!(is_login_failed(&wrong));
        assert!(is_authenticated(
            &rec.authenticate(&secret, SANDBOX_BANK, Some(PASSWORD), None)
                .await
        ));
        let done = rec.complete(&secret, &["6789"]).await;
        assert_eq!(done.summary.status, Some(SessionStatus::Succeeded));
        assert_eq!(linked(&done), ["6789"]);
        rec.finish(
            "plain_link",
            "A plain session (payment_method and balances, checking or savings, one account). \
             Sandbox Bank with password `wrong`: login_failed; with `pass_good`: authenticated \
             (6789 Checking, 4321 Savings, 2222 Joint Checking, 1111 Credit Card not eligible); \
             complete 6789: succeeded, linking fca_6789.",
        )
    }

    async fn mfa() -> Recording {
        let mut rec = Recorder::new();
        let customer = rec.sandbox.customer().await;
        let secret = rec.session(&customer, "").await;
        rec.manifest(&secret).await;
        let bank = "fcinst_mfa_bank";
        let wrong = rec
            .authenticate(&secret, bank, Some(WRONG_PASSWORD), None)
            .await;
        assert!(is_login_failed(&wrong));
        assert_eq!(
            rec.authenticate(&secret, bank, Some(PASSWORD), None).await,
            Authentication::MfaRequired
        );
        let wrong = rec
            .authenticate(&secret, bank, Some(PASSWORD), Some(WRONG_CODE))
            .await;
        assert!(is_login_failed(&wrong));
        assert!(is_authenticated(
            &rec.authenticate(&secret, bank, Some(PASSWORD), Some("123456"))
                .await
        ));
        let done = rec.complete(&secret, &["6789"]).await;
        assert_eq!(done.summary.status, Some(SessionStatus::Succeeded));
        rec.finish(
            "mfa",
            "A plain session at MFA Bank. Password `wrong`: login_failed; `pass_good`: \
             mfa_required; `pass_good` with code `000000`: login_failed (the browser sends the \
             password again with each code); with `123456`: authenticated; complete 6789: \
             succeeded, linking fca_6789.",
        )
    }

    async fn plain_closed() -> Recording {
        let mut rec = Recorder::new();
        let customer = rec.sandbox.customer().await;
        let secret = rec.session(&customer, "").await;
        rec.manifest(&secret).await;
        let done = rec.complete(&secret, &[]).await;
        assert_eq!(done.summary.status, Some(SessionStatus::Cancelled));
        rec.finish(
            "plain_closed",
            "A plain session the customer closes before choosing a bank: complete with no \
             accounts answers the cancelled session, nothing linked.",
        )
    }

    async fn down_bank() -> Recording {
        let mut rec = Recorder::new();
        let customer = rec.sandbox.customer().await;
        let secret = rec.session(&customer, "").await;
        let manifest = rec.manifest(&secret).await;
        assert!(
            manifest
                .institutions
                .iter()
                .any(|i| i.id == "fcinst_down_bank" && i.down)
        );
        let answer = rec
            .authenticate(&secret, "fcinst_down_bank", Some(PASSWORD), None)
            .await;
        assert!(matches!(
            answer,
            Authentication::InstitutionUnavailable { .. }
        ));
        let done = rec.complete(&secret, &[]).await;
        assert!(done.summary.accounts.is_empty());
        assert_eq!(done.summary.status, Some(SessionStatus::Failed));
        rec.finish(
            "down_bank",
            "A plain session at Down Bank (listed with down: true): authenticate with \
             `pass_good` answers institution_unavailable; complete with no accounts answers the \
             session with status failed (not cancelled: the bank, not the customer, ended it), \
             nothing linked.",
        )
    }

    /// An exact relink of a broken 6789 at `institution`: the recorder and the session's
    /// client secret.
    async fn exact_relink_at(institution: &str) -> (Recorder, String) {
        let mut rec = Recorder::new();
        let customer = rec.sandbox.customer().await;
        let (account, authorization) = rec.broken_account(&customer, institution).await;
        let secret = rec
            .session(&customer, &relink_params(&authorization, Some(&account)))
            .await;
        (rec, secret)
    }

    async fn exact_relink() -> Recording {
        let (mut rec, secret) = exact_relink_at(SANDBOX_BANK).await;
        let manifest = rec.manifest(&secret).await;
        assert!(manifest.relink.is_some_and(|r| r.account.is_some()));
        assert!(is_authenticated(
            &rec.authenticate(&secret, SANDBOX_BANK, Some(PASSWORD), None)
                .await
        ));
        let done = rec.complete(&secret, &["6789"]).await;
        let result = done.summary.relink_result.clone().expect("relink_result");
        assert!(result.account.is_some() && result.failure_reason.is_none());
        rec.finish(
            "exact_relink",
            "An exact relink (relink_options authorization fcauth_1 and account fca_6789) of \
             Sandbox Bank's 6789, inactive with access_expired. The manifest lists Sandbox Bank \
             alone with the expected account; `pass_good` authenticates (6789 shows \
             existing_account fca_6789); complete 6789: succeeded, relink_result.account \
             fca_6789, authorization fcauth_1.",
        )
    }

    async fn exact_relink_closed_before_login() -> Recording {
        let (mut rec, secret) = exact_relink_at(SANDBOX_BANK).await;
        rec.manifest(&secret).await;
        let done = rec.complete(&secret, &[]).await;
        assert_eq!(failure(&done), Some(FailureReason::NoAuthorization));
        assert_eq!(done.summary.status, Some(SessionStatus::Cancelled));
        rec.finish(
            "exact_relink_closed_before_login",
            "The exact relink of exact_relink, closed before logging in: complete with no \
             accounts answers status cancelled, relink_result.failure_reason no_authorization.",
        )
    }

    async fn exact_relink_wrong_account() -> Recording {
        let (mut rec, secret) = exact_relink_at(SANDBOX_BANK).await;
        rec.manifest(&secret).await;
        rec.authenticate(&secret, SANDBOX_BANK, Some(PASSWORD), None)
            .await;
        let done = rec.complete(&secret, &["4321"]).await;
        assert_eq!(failure(&done), Some(FailureReason::NoAccount));
        assert_eq!(done.summary.status, Some(SessionStatus::Failed));
        rec.finish(
            "exact_relink_wrong_account",
            "The exact relink of exact_relink (expecting fca_6789): authenticated, then complete \
             4321 answers status failed with nothing linked, relink_result.failure_reason \
             no_account.",
        )
    }

    async fn relink_any_account() -> Recording {
        let mut rec = Recorder::new();
        let customer = rec.sandbox.customer().await;
        let (_, authorization) = rec.broken_account(&customer, SANDBOX_BANK).await;
        let secret = rec
            .session(&customer, &relink_params(&authorization, None))
            .await;
        let manifest = rec.manifest(&secret).await;
        assert!(manifest.relink.is_some_and(|r| r.account.is_none()));
        rec.authenticate(&secret, SANDBOX_BANK, Some(PASSWORD), None)
            .await;
        let done = rec.complete(&secret, &["4321"]).await;
        let result = done.summary.relink_result.clone().expect("relink_result");
        assert_eq!(done.summary.status, Some(SessionStatus::Succeeded));
        assert!(result.authorization.is_some() && result.account.is_none());
        rec.finish(
            "relink_any_account",
            "A relink of the authorization fcauth_1 alone (its 6789 fca_6789 inactive): the \
             manifest's relink.account is null; authenticated, complete 4321: succeeded, \
             linking a new fca_4321; relink_result.authorization fcauth_1, account null.",
        )
    }

    async fn oauth_relink() -> Recording {
        let bank = "fcinst_oauth_bank";
        let (mut rec, secret) = exact_relink_at(bank).await;
        let manifest = rec.manifest(&secret).await;
        assert!(manifest.institutions.iter().all(|i| i.oauth));
        assert!(is_authenticated(
            &rec.authenticate(&secret, bank, None, None).await
        ));
        let done = rec.complete(&secret, &["6789"]).await;
        assert!(done.summary.relink_result.is_some() && failure(&done).is_none());
        rec.finish(
            "oauth_relink",
            "An exact relink of OAuth Bank's 6789 (fca_6789, access_expired): authenticate \
             without a password (the bank's own window) is authenticated; complete 6789: \
             succeeded, relink_result.account fca_6789.",
        )
    }

    async fn relink_bank_down() -> Recording {
        let mut rec = Recorder::new();
        let customer = rec.sandbox.customer().await;
        let (account, authorization) = rec.broken_account(&customer, SANDBOX_BANK).await;
        rec.sandbox.outage(SANDBOX_BANK, "down").await;
        let secret = rec
            .session(&customer, &relink_params(&authorization, Some(&account)))
            .await;
        let manifest = rec.manifest(&secret).await;
        assert!(manifest.institutions.iter().all(|i| i.down));
        let answer = rec
            .authenticate(&secret, SANDBOX_BANK, Some(PASSWORD), None)
            .await;
        assert!(matches!(
            answer,
            Authentication::InstitutionUnavailable { .. }
        ));
        let done = rec.complete(&secret, &[]).await;
        assert_eq!(failure(&done), Some(FailureReason::Other));
        assert_eq!(done.summary.status, Some(SessionStatus::Failed));
        rec.finish(
            "relink_bank_down",
            "The exact relink of exact_relink while Sandbox Bank is down (the outage test \
             helper): the manifest shows it down: true; authenticate with `pass_good` answers \
             institution_unavailable; complete with no accounts answers status failed, \
             relink_result.failure_reason other.",
        )
    }

    async fn used_session() -> Recording {
        let mut rec = Recorder::new();
        let customer = rec.sandbox.customer().await;
        let created = rec
            .sandbox
            .post(
                "/v1/financial_connections/sessions",
                &session_params(&customer),
            )
            .await
            .ok();
        let secret = text(&created, "client_secret").to_owned();
        rec.sandbox
            .post(
                &common::complete_path(&created),
                "institution=fcinst_sandbox_bank&accounts[]=6789",
            )
            .await
            .ok();
        let answer = rec.send(Endpoint::Manifest.path(), &secret, &[]).await;
        assert_eq!(rec.last_status(), 400);
        assert_eq!(answer["error"]["code"], "token_already_used");
        rec.finish(
            "used_session",
            "The manifest of a session that already finished (completed by the server's test \
             helper): 400 with Stripe's error envelope, code token_already_used.",
        )
    }

    async fn setup_intent_confirm() -> Recording {
        let mut rec = Recorder::new();
        let customer = rec.sandbox.customer().await;
        let (account, _) = rec.account(&customer, SANDBOX_BANK).await;
        let intent = rec.sandbox.setup_intent(&customer, Some(&account)).await;
        let confirmed = rec.confirm(&intent).await;
        assert_eq!(rec.last_status(), 200, "{confirmed}");
        assert_eq!(confirmed["status"], "succeeded");
        let retrieved = rec.retrieve(&intent).await;
        assert_eq!(retrieved["status"], "succeeded");
        rec.finish(
            "setup_intent_confirm",
            "A SetupIntent (seti_1, client secret seti_1_secret_recorded) whose payment method \
             pm_1 comes from the active Sandbox Bank account fca_6789. The browser's confirm \
             (online acceptance inferred from the client): succeeded with mandate_1; the \
             browser's retrieve: the succeeded SetupIntent.",
        )
    }

    async fn setup_intent_inactive_then_relinked() -> Recording {
        let mut rec = Recorder::new();
        let customer = rec.sandbox.customer().await;
        let (account, authorization) = rec.account(&customer, SANDBOX_BANK).await;
        let intent = rec.sandbox.setup_intent(&customer, Some(&account)).await;
        let broken = rec
            .sandbox
            .deactivate(&account, "cause=access_expired")
            .await;
        rec.know(broken);
        let refused = rec.confirm(&intent).await;
        assert_eq!(rec.last_status(), 400);
        assert_eq!(refused["error"]["code"], relink::mandate::ACCOUNT_INACTIVE);
        let secret = rec
            .session(&customer, &relink_params(&authorization, Some(&account)))
            .await;
        rec.manifest(&secret).await;
        rec.authenticate(&secret, SANDBOX_BANK, Some(PASSWORD), None)
            .await;
        let done = rec.complete(&secret, &["6789"]).await;
        assert!(done.summary.relink_result.is_some() && failure(&done).is_none());
        let confirmed = rec.confirm(&intent).await;
        assert_eq!(rec.last_status(), 200, "{confirmed}");
        assert_eq!(confirmed["status"], "succeeded");
        rec.finish(
            "setup_intent_inactive_then_relinked",
            "A SetupIntent (seti_1) whose payment method's account fca_6789 went inactive: the \
             browser's confirm is refused (400, financial_connections_account_inactive); an \
             exact relink of fca_6789 (manifest, `pass_good`, complete 6789) succeeds; the same \
             confirm then succeeds.",
        )
    }

    async fn collect_for_setup_intent() -> Recording {
        let mut rec = Recorder::new();
        let customer = rec.sandbox.customer().await;
        let intent = rec.sandbox.setup_intent(&customer, None).await;
        let opened = rec
            .send(
                Endpoint::ForSetupIntent.path(),
                text(&intent, "client_secret"),
                &[
                    ("payment_method_data[billing_details][name]", "Jenny Rosen"),
                    (
                        "payment_method_data[billing_details][email]",
                        "jenny.rosen@example.com",
                    ),
                ],
            )
            .await;
        assert_eq!(rec.last_status(), 200, "{opened}");
        let secret = text(&opened, "client_secret").to_owned();
        rec.manifest(&secret).await;
        rec.authenticate(&secret, SANDBOX_BANK, Some(PASSWORD), None)
            .await;
        let done = rec.complete(&secret, &["6789"]).await;
        assert_eq!(done.summary.status, Some(SessionStatus::Succeeded));
        let retrieved = rec.retrieve(&intent).await;
        assert_eq!(retrieved["status"], "requires_confirmation");
        rec.finish(
            "collect_for_setup_intent",
            "Stripe.js's collectBankAccountForSetup on a SetupIntent without a payment method \
             (seti_1): for_setup_intent with billing name and email answers session fcsess_1 \
             with client secret fcsess_client_secret_recorded; on it the manifest (payment_method \
             only, checking or savings, one account), `pass_good` at Sandbox Bank, complete \
             6789: succeeded; retrieving the SetupIntent: requires_confirmation with pm_1.",
        )
    }

    async fn bank_account_token() -> Recording {
        let mut rec = Recorder::new();
        let customer = rec.sandbox.customer().await;
        let secret = rec.session(&customer, "").await;
        rec.manifest(&secret).await;
        rec.authenticate(&secret, SANDBOX_BANK, Some(PASSWORD), None)
            .await;
        rec.complete(&secret, &["6789"]).await;
        let token = rec
            .send(Endpoint::BankAccountToken.path(), &secret, &[])
            .await;
        assert_eq!(rec.last_status(), 200, "{token}");
        assert_eq!(token["object"], "token");
        rec.finish(
            "bank_account_token",
            "Stripe.js's collectBankAccountToken: a plain link of Sandbox Bank's 6789 (manifest, \
             `pass_good`, complete 6789), then bank_account_token on the same session answers \
             the token btok_1 for that bank account.",
        )
    }

    /// A hosted relink (`ui_mode=hosted`, `hosted[delivery_method]=url`) of a broken 6789: the
    /// page redeems the token from the session's `url`, then runs the flow; the token is then
    /// spent.
    async fn hosted_relink() -> Recording {
        let mut rec = Recorder::new();
        let customer = rec.sandbox.customer().await;
        let (account, authorization) = rec.broken_account(&customer, SANDBOX_BANK).await;
        let extra = format!(
            "{}&ui_mode=hosted&hosted[delivery_method]=url",
            relink_params(&authorization, Some(&account))
        );
        let created = rec
            .sandbox
            .post(
                "/v1/financial_connections/sessions",
                &format!("{}{extra}", session_params(&customer)),
            )
            .await
            .ok();
        let id = text(&rec.know(created), "id").to_owned();
        let session = rec
            .sandbox
            .get_versioned(
                &format!("/v1/financial_connections/sessions/{id}"),
                "2026-04-22.preview",
            )
            .await
            .ok();
        let url = text(&session, "url").to_owned();
        let token = url
            .split("#token=")
            .nth(1)
            .expect("a token in the url")
            .to_owned();
        let redeemed = rec
            .send_fields(Endpoint::Hosted.path(), &[("token", &token)])
            .await;
        assert_eq!(rec.last_status(), 200, "hosted: {redeemed}");
        let secret = text(&redeemed, "client_secret").to_owned();
        rec.manifest(&secret).await;
        rec.complete(&secret, &[]).await;
        rec.send_fields(Endpoint::Hosted.path(), &[("token", &token)])
            .await;
        assert_eq!(rec.last_status(), 404, "a spent token is gone");
        rec.finish(
            "hosted_relink",
            "The hosted relink page of an exact relink of Sandbox Bank's 6789 (hosted url \
             delivery): the token hrt_1 redeems to the session's client secret, the merchant's \
             name and return_url; the customer closes at once (complete with no accounts: \
             no_authorization); the same token again: 404 resource_missing (a link is spent once it is redeemed).",
        )
    }

    async fn record_all() -> Vec<Recording> {
        vec![
            plain_link().await,
            mfa().await,
            plain_closed().await,
            down_bank().await,
            exact_relink().await,
            exact_relink_closed_before_login().await,
            exact_relink_wrong_account().await,
            relink_any_account().await,
            oauth_relink().await,
            relink_bank_down().await,
            used_session().await,
            setup_intent_confirm().await,
            setup_intent_inactive_then_relinked().await,
            collect_for_setup_intent().await,
            bank_account_token().await,
            hosted_relink().await,
        ]
    }

    // ---- normalising --------------------------------------------------------------------

    /// A random part of an ID or secret: 24 ASCII letters and digits.
    fn is_random(part: &str) -> bool {
        part.len() == 24 && part.bytes().all(|b| b.is_ascii_alphanumeric())
    }

    /// Replaces a scenario's random IDs, secrets and times with stable values.
    #[derive(Debug)]
    struct Normaliser {
        started: i64,
        /// Random part → the name it gets, whatever the prefix.
        names: HashMap<String, String>,
        /// `(prefix, name)` pairs given out.
        taken: HashSet<(String, String)>,
        /// Random part of an `fca_…` → its `last4`.
        last4: HashMap<String, String>,
    }

    impl Normaliser {
        fn new(recording: &Recording) -> Self {
            let mut normaliser = Normaliser {
                started: recording.started,
                names: HashMap::new(),
                taken: HashSet::new(),
                last4: HashMap::new(),
            };
            for value in recording
                .exchanges
                .iter()
                .map(|e| &e.body)
                .chain(&recording.known)
            {
                normaliser.learn_last4s(value);
            }
            normaliser
        }

        /// Finds `{"id" or "existing_account": "fca_…", "last4": …}` anywhere in `value`.
        fn learn_last4s(&mut self, value: &Value) {
            match value {
                Value::Object(map) => {
                    if let Some(Value::String(last4)) = map.get("last4") {
                        for key in ["id", "existing_account"] {
                            if let Some(random) = map
                                .get(key)
                                .and_then(Value::as_str)
                                .and_then(|id| id.strip_prefix("fca_"))
                                .filter(|r| is_random(r))
                            {
                                self.last4
                                    .entry(random.to_owned())
                                    .or_insert_with(|| last4.clone());
                            }
                        }
                    }
                    map.values().for_each(|v| self.learn_last4s(v));
                }
                Value::Array(items) => items.iter().for_each(|v| self.learn_last4s(v)),
                _ => {}
            }
        }

        /// The stable name of `prefix_random`.
        fn id(&mut self, prefix: &str, random: &str) -> String {
            if let Some(name) = self.names.get(random) {
                return format!("{prefix}_{name}");
            }
            let hint = self.last4.get(random).cloned();
            let mut n = 1;
            let name = loop {
                let candidate = match &hint {
                    Some(last4) if n == 1 => last4.clone(),
                    Some(last4) => format!("{last4}_{n}"),
                    None => n.to_string(),
                };
                if self.taken.insert((prefix.to_owned(), candidate.clone())) {
                    break candidate;
                }
                n += 1;
            };
            self.names.insert(random.to_owned(), name.clone());
            format!("{prefix}_{name}")
        }

        /// One word of a string (letters, digits and `_`).
        fn word(&mut self, word: &str, in_request: bool) -> String {
            if word
                .strip_prefix("fcsess_client_secret_")
                .is_some_and(is_random)
            {
                return if in_request {
                    "<client_secret>".into()
                } else {
                    "fcsess_client_secret_recorded".into()
                };
            }
            if let Some((id, secret)) = word.split_once("_secret_")
                && is_random(secret)
                && let Some((prefix, random)) = id.split_once('_')
                && is_random(random)
            {
                let id = self.id(prefix, random);
                return if in_request {
                    "<client_secret>".into()
                } else {
                    format!("{id}_secret_recorded")
                };
            }
            match word.split_once('_') {
                Some((prefix, random))
                    if !prefix.is_empty()
                        && prefix.bytes().all(|b| b.is_ascii_lowercase())
                        && is_random(random) =>
                {
                    self.id(prefix, random)
                }
                _ => word.to_owned(),
            }
        }

        fn text(&mut self, text: &str, in_request: bool) -> String {
            let mut out = String::with_capacity(text.len());
            let mut word = String::new();
            for ch in text.chars() {
                if ch.is_ascii_alphanumeric() || ch == '_' {
                    word.push(ch);
                } else {
                    out.push_str(&self.word(&word, in_request));
                    word.clear();
                    out.push(ch);
                }
            }
            out.push_str(&self.word(&word, in_request));
            out
        }

        fn value(&mut self, value: &Value, key: Option<&str>, in_request: bool) -> Value {
            match value {
                Value::String(s) => Value::String(self.text(s, in_request)),
                Value::Number(n) => match (n.as_i64(), key) {
                    (Some(at), Some(key)) if is_time_field(key) => {
                        let hours = ((at - self.started) as f64 / 3600.0).round() as i64;
                        json!(TIME_BASE + hours * 3600)
                    }
                    _ => value.clone(),
                },
                Value::Array(items) => Value::Array(
                    items
                        .iter()
                        .map(|v| self.value(v, key, in_request))
                        .collect(),
                ),
                Value::Object(map) => Value::Object(
                    map.iter()
                        .map(|(k, v)| {
                            (self.text(k, in_request), self.value(v, Some(k), in_request))
                        })
                        .collect(),
                ),
                _ => value.clone(),
            }
        }

        fn exchange(&mut self, raw: &Raw) -> Exchange {
            let path = self.text(&raw.path, true);
            let mut request = Map::new();
            for (name, value) in raw.fields.iter().filter(|(k, _)| k != "client_secret") {
                let value = Value::String(self.text(value, true));
                if name.ends_with("[]") {
                    match request
                        .entry(name.clone())
                        .or_insert_with(|| Value::Array(Vec::new()))
                    {
                        Value::Array(values) => values.push(value),
                        _ => unreachable!("list fields are lists"),
                    }
                } else {
                    let before = request.insert(name.clone(), value);
                    assert!(before.is_none(), "{name} sent twice to {}", raw.path);
                }
            }
            Exchange {
                method: "POST".into(),
                path,
                request,
                status: raw.status,
                body: self.value(&raw.body, None, false),
            }
        }
    }

    /// Unix-seconds fields.
    fn is_time_field(key: &str) -> bool {
        key == "created" || key == "as_of" || key.ends_with("_at") || key.ends_with("_date")
    }

    /// Fails on a number that looks like a timestamp but escaped normalisation.
    fn assert_no_raw_times(value: &Value, at: &str) {
        match value {
            Value::Number(n) => {
                let t = n.as_i64().unwrap_or(0);
                assert!(
                    t < TIMESTAMP_FLOOR || t - TIME_BASE < 10 * 365 * 24 * 3600 && t >= TIME_BASE,
                    "{at} = {t} looks like a timestamp: name its field in is_time_field"
                );
            }
            Value::Array(items) => items
                .iter()
                .enumerate()
                .for_each(|(i, v)| assert_no_raw_times(v, &format!("{at}/{i}"))),
            Value::Object(map) => map
                .iter()
                .for_each(|(k, v)| assert_no_raw_times(v, &format!("{at}/{k}"))),
            _ => {}
        }
    }

    // ---- the file -----------------------------------------------------------------------

    /// One exchange as written.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Exchange {
        method: String,
        path: String,
        request: Map<String, Value>,
        status: u16,
        body: Value,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Scenario {
        description: String,
        exchanges: Vec<Exchange>,
    }

    /// The scenarios in recording order (a JSON object, written in that order).
    #[derive(Debug)]
    struct Scenarios(Vec<(String, Scenario)>);

    impl Serialize for Scenarios {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.collect_map(self.0.iter().map(|(name, scenario)| (name, scenario)))
        }
    }

    #[derive(Debug, Serialize)]
    struct Fixtures {
        scenarios: Scenarios,
    }

    fn normalise(recording: &Recording) -> Scenario {
        let mut normaliser = Normaliser::new(recording);
        let exchanges: Vec<Exchange> = recording
            .exchanges
            .iter()
            .map(|raw| normaliser.exchange(raw))
            .collect();
        for (i, exchange) in exchanges.iter().enumerate() {
            let at = format!("{}/exchanges/{i}", recording.name);
            assert_no_raw_times(&exchange.body, &at);
            check_decodes(exchange, &at);
        }
        Scenario {
            description: recording.description.to_owned(),
            exchanges,
        }
    }

    /// What the browser would do with the recorded answer: decode it as the component does.
    fn check_decodes(exchange: &Exchange, at: &str) {
        let body = &exchange.body;
        if exchange.status != 200 {
            let error = decode::stripe_error(&body["error"]);
            assert!(
                !error.kind.is_empty() && !error.message.is_empty(),
                "{at}: not a Stripe error envelope: {body}"
            );
            return;
        }
        let decoded = match exchange.path.as_str() {
            p if p == Endpoint::Manifest.path() => decode::manifest(body).is_some(),
            p if p == Endpoint::Authenticate.path() => decode::authentication(body).is_some(),
            p if p == Endpoint::Complete.path() => decode::session(body).is_some(),
            p if p == Endpoint::ForSetupIntent.path() || p == Endpoint::Hosted.path() => {
                body["client_secret"] == "fcsess_client_secret_recorded"
            }
            p if p == Endpoint::BankAccountToken.path() => body["object"] == "token",
            p if p.starts_with("/v1/setup_intents/") => {
                body["object"] == "setup_intent"
                    && body["client_secret"]
                        .as_str()
                        .is_some_and(|s| s.ends_with("_secret_recorded"))
            }
            other => panic!("{at}: no decoder for {other}"),
        };
        assert!(decoded, "{at}: the component cannot read {body}");
    }

    /// The fixture file's text for `recordings`.
    fn render(recordings: &[Recording]) -> String {
        let fixtures = Fixtures {
            scenarios: Scenarios(
                recordings
                    .iter()
                    .map(|r| (r.name.to_owned(), normalise(r)))
                    .collect(),
            ),
        };
        let mut text = serde_json::to_string_pretty(&fixtures).expect("serialisable");
        text.push('\n');
        // Whatever the normaliser missed, no real secret leaves the test.
        for (i, _) in text.match_indices("_secret_") {
            assert!(
                text[i..].starts_with("_secret_recorded"),
                "a real secret would be written: …{}…",
                &text[i.saturating_sub(30)..(i + 40).min(text.len())]
            );
        }
        text
    }

    /// Where `old` and `new` first differ, as a JSON pointer with both values.
    fn first_difference(old: &Value, new: &Value, at: &str) -> Option<String> {
        match (old, new) {
            (Value::Object(a), Value::Object(b)) => {
                for key in a.keys().chain(b.keys().filter(|k| !a.contains_key(*k))) {
                    let (x, y) = (
                        a.get(key).unwrap_or(&Value::Null),
                        b.get(key).unwrap_or(&Value::Null),
                    );
                    if let Some(found) = first_difference(x, y, &format!("{at}/{key}")) {
                        return Some(found);
                    }
                }
                None
            }
            (Value::Array(a), Value::Array(b)) if a.len() == b.len() => a
                .iter()
                .zip(b)
                .enumerate()
                .find_map(|(i, (x, y))| first_difference(x, y, &format!("{at}/{i}"))),
            _ if old == new => None,
            _ => Some(format!(
                "{at}: committed {}, recorded now {}",
                brief(old),
                brief(new)
            )),
        }
    }

    /// `value` as JSON, cut to a line's length.
    fn brief(value: &Value) -> String {
        let text = value.to_string();
        match text.char_indices().nth(100) {
            Some((cut, _)) => format!("{}…", &text[..cut]),
            None => text,
        }
    }

    /// Every scenario and exchange that differs between the committed file and a new recording.
    fn differences(committed: &str, recorded: &str) -> Vec<String> {
        let Ok(old) = serde_json::from_str::<Value>(committed) else {
            return vec!["the committed file is not JSON".into()];
        };
        let new: Value = serde_json::from_str(recorded).expect("just written");
        let scenarios = |v: &Value| v["scenarios"].as_object().cloned().unwrap_or_default();
        let (old, new) = (scenarios(&old), scenarios(&new));
        let mut found = Vec::new();
        for name in new
            .keys()
            .chain(old.keys().filter(|k| !new.contains_key(*k)))
        {
            let (Some(a), Some(b)) = (old.get(name), new.get(name)) else {
                let which = if old.contains_key(name) {
                    "is no longer recorded"
                } else {
                    "is new"
                };
                found.push(format!("scenario {name} {which}"));
                continue;
            };
            if a["description"] != b["description"] {
                found.push(format!("scenario {name}: the description changed"));
            }
            let exchanges = |v: &Value| v["exchanges"].as_array().cloned().unwrap_or_default();
            let (a, b) = (exchanges(a), exchanges(b));
            if a.len() != b.len() {
                found.push(format!(
                    "scenario {name}: {} exchanges committed, {} recorded now",
                    a.len(),
                    b.len()
                ));
            }
            // The first difference only: after one, the rest of the scenario usually follows.
            let first = a.iter().zip(&b).enumerate().find_map(|(i, (x, y))| {
                let d = first_difference(x, y, "")?;
                let method = y["method"].as_str().unwrap_or("?");
                let path = y["path"].as_str().unwrap_or("?");
                Some(format!(
                    "scenario {name}, exchange {i} ({method} {path}): {d}"
                ))
            });
            found.extend(first);
        }
        if found.is_empty() {
            found.push("the same JSON, formatted differently".into());
        }
        found
    }

    #[tokio::test]
    async fn the_recorded_link_flow_matches_the_sandbox() {
        let recorded = render(&record_all().await);
        if std::env::var_os(RECORD_ENV).is_some_and(|v| v == "1") {
            // Recorded twice: a fixture that differs between runs would fail every check.
            assert_eq!(
                render(&record_all().await),
                recorded,
                "the recording is not deterministic"
            );
            if let Some(dir) = std::path::Path::new(FIXTURES).parent() {
                std::fs::create_dir_all(dir).expect("tests/fixtures");
            }
            std::fs::write(FIXTURES, &recorded).expect("write the fixtures");
            return;
        }
        let committed = std::fs::read_to_string(FIXTURES).unwrap_or_default();
        if committed.replace("\r\n", "\n") != recorded {
            let found = if committed.is_empty() {
                vec!["tests/fixtures/link_flow.json is missing".to_owned()]
            } else {
                differences(&committed, &recorded)
            };
            panic!(
                "the sandbox no longer answers the browser as tests/fixtures/link_flow.json \
                 records:\n  {}\nIf the change is intended, re-record and review the diff:\n  {RERECORD}",
                found.join("\n  ")
            );
        }
    }
}
