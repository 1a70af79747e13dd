//! Proactive relink (GA since `2026-10-28.endive`): connections known to stop on a date carry
//! `status_details.active`, are announced a week ahead, go inactive when the date passes, and
//! move their date when the customer relinks before it.

mod common;

use axum::http::{Method, StatusCode};
use common::{Sandbox, account_id};
use serde_json::{Value, json};

const DAY: i64 = 24 * 60 * 60;
const GA: &str = "2026-10-28.endive";

async fn now(sandbox: &Sandbox) -> i64 {
    sandbox.get("/v1/test_helpers/clock").await.ok()["now"]
        .as_i64()
        .expect("the sandbox's time")
}

async fn advance(sandbox: &Sandbox, seconds: i64) {
    sandbox
        .post("/v1/test_helpers/clock", &format!("seconds={seconds}"))
        .await
        .ok();
}

/// Events of `event_type`, newest first, in the preview version.
async fn events(sandbox: &Sandbox, event_type: &str) -> Vec<Value> {
    sandbox
        .get(&format!("/v1/events?type={event_type}"))
        .await
        .ok()["data"]
        .as_array()
        .expect("a list")
        .clone()
}

fn schedule_path(authorization: &str) -> String {
    format!(
        "/v1/test_helpers/financial_connections/authorizations/{authorization}/schedule_deactivation"
    )
}

/// Links checking and savings at Expiring Consent; returns the finished session.
async fn link_expiring(sandbox: &Sandbox, customer: &str) -> Value {
    sandbox
        .link(customer, "Expiring Consent", &["6789", "4321"])
        .await
}

#[tokio::test]
async fn an_expiring_consent_shows_as_status_details_active_in_ga_and_preview() {
    let sandbox = Sandbox::new();
    let customer = sandbox.customer().await;
    let linked_at = now(&sandbox).await;
    let session = link_expiring(&sandbox, &customer).await;
    let account = &session["accounts"]["data"][0];
    let expected = account["status_details"]["active"]["expected_deactivation_date"]
        .as_i64()
        .unwrap();
    assert!(
        (expected - (linked_at + 14 * DAY)).abs() <= 2,
        "14 days after linking"
    );
    assert_eq!(
        account["status_details"],
        json!({"active": {"action": "relink_required", "cause": "access_expired",
            "expected_deactivation_date": expected}})
    );
    assert_eq!(account["status"], "active");

    let id = account["id"].as_str().unwrap();
    let ga = sandbox
        .get_versioned(&format!("/v1/financial_connections/accounts/{id}"), GA)
        .await
        .ok();
    assert_eq!(
        ga["status_details"], account["status_details"],
        "GA since endive"
    );
    assert!(ga.get("authorization").is_none());

    let authorization = account["authorization"].as_str().unwrap();
    let auth = sandbox
        .get(&format!(
            "/v1/financial_connections/authorizations/{authorization}"
        ))
        .await
        .ok();
    assert_eq!(
        auth["status_details"],
        json!({"active": {"action": "relink_required", "expected_deactivation_date": expected}})
    );
    // Linking is no change of date, and there is nothing to announce a fortnight ahead.
    let all = sandbox.get("/v1/events").await.ok();
    assert!(
        all["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| !e["type"].as_str().unwrap().contains("deactivation"))
    );
}

#[tokio::test]
async fn upcoming_deactivation_is_sent_once_when_the_date_is_a_week_away() {
    let sandbox = Sandbox::new();
    let customer = sandbox.customer().await;
    let session = link_expiring(&sandbox, &customer).await;
    let checking = account_id(&session, 0);
    let authorization = session["accounts"]["data"][0]["authorization"]
        .as_str()
        .unwrap()
        .to_owned();

    advance(&sandbox, 6 * DAY).await;
    let upcoming = "financial_connections.account.upcoming_deactivation";
    assert!(events(&sandbox, upcoming).await.is_empty(), "8 days ahead");

    advance(&sandbox, DAY + 60).await;
    let accounts = events(&sandbox, upcoming).await;
    assert_eq!(accounts.len(), 2, "both accounts on the authorization");
    assert!(
        accounts
            .iter()
            .any(|e| e["data"]["object"]["id"] == checking)
    );
    assert!(
        accounts[0]["data"]
            .get("previous_attributes")
            .is_none_or(Value::is_null)
    );
    let authorizations = events(
        &sandbox,
        "financial_connections.authorization.upcoming_deactivation",
    )
    .await;
    assert_eq!(authorizations.len(), 1);
    let object = &authorizations[0]["data"]["object"];
    assert_eq!(object["object"], "financial_connections.authorization");
    assert_eq!(object["id"], authorization.as_str());
    assert_eq!(object["status"], "active");

    // Once per date: more time inside the window sends nothing more.
    advance(&sandbox, DAY).await;
    assert_eq!(events(&sandbox, upcoming).await.len(), 2);

    // A GA reader sees the GA shapes: the account's `active`, the authorization's GA fields.
    let ga = sandbox
        .get_versioned(
            "/v1/events?type=financial_connections.authorization.upcoming_deactivation",
            GA,
        )
        .await
        .ok();
    let object = &ga["data"][0]["data"]["object"];
    let mut keys: Vec<&str> = object
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "id",
            "institution_name",
            "livemode",
            "object",
            "status",
            "status_details"
        ]
    );
    let ga = sandbox
        .get_versioned(&format!("/v1/events?type={upcoming}"), GA)
        .await
        .ok();
    let account = &ga["data"][0]["data"]["object"];
    assert_eq!(
        account["status_details"]["active"]["action"],
        "relink_required"
    );
    assert!(account["status_details"].get("inactive").is_none());
}

#[tokio::test]
async fn passing_the_date_deactivates_the_authorization_and_its_accounts() {
    let sandbox = Sandbox::new();
    let customer = sandbox.customer().await;
    let session = link_expiring(&sandbox, &customer).await;
    let checking = account_id(&session, 0);
    let expected =
        session["accounts"]["data"][0]["status_details"]["active"]["expected_deactivation_date"]
            .clone();

    advance(&sandbox, 14 * DAY + 60).await;
    let account = sandbox.account(&checking).await;
    assert_eq!(account["status"], "inactive");
    assert_eq!(
        account["status_details"],
        json!({"inactive": {"action": "relink_required", "cause": "access_expired"}})
    );
    let deactivated = events(&sandbox, "financial_connections.account.deactivated").await;
    assert_eq!(deactivated.len(), 2);
    let previous = &deactivated[0]["data"]["previous_attributes"];
    assert_eq!(previous["status"], "active");
    assert_eq!(
        previous["status_details"]["active"]["expected_deactivation_date"],
        expected
    );
    let authorization = account["authorization"].as_str().unwrap();
    let auth = sandbox
        .get(&format!(
            "/v1/financial_connections/authorizations/{authorization}"
        ))
        .await
        .ok();
    assert_eq!(auth["status"], "inactive");
    assert_eq!(
        auth["status_details"]["inactive"]["cause"],
        "access_expired"
    );
    assert!(auth["status_details"].get("active").is_none());

    // A GA reader of the account sees no status_details at all: `inactive` is preview-only.
    let ga = sandbox
        .get_versioned(
            &format!("/v1/financial_connections/accounts/{checking}"),
            GA,
        )
        .await
        .ok();
    assert_eq!(ga["status"], "inactive");
    assert!(ga.get("status_details").is_none());

    // Relinking afterwards is an ordinary repair, with a fresh consent.
    let relinked = sandbox
        .relink(&customer, authorization, Some(&checking), &["6789"])
        .await;
    assert_eq!(relinked["relink_result"]["account"], checking.as_str());
    let account = sandbox.account(&checking).await;
    assert_eq!(account["status"], "active");
    assert!(account["status_details"]["active"]["expected_deactivation_date"].is_i64());
    assert_eq!(
        events(&sandbox, "financial_connections.account.reactivated")
            .await
            .len(),
        2,
        "the authorization's other account comes back too"
    );
}

#[tokio::test]
async fn relinking_before_the_date_keeps_the_account_active_and_moves_the_date() {
    let sandbox = Sandbox::new();
    let customer = sandbox.customer().await;
    let session = link_expiring(&sandbox, &customer).await;
    let checking = account_id(&session, 0);
    let savings = account_id(&session, 1);
    let account = &session["accounts"]["data"][0];
    let authorization = account["authorization"].as_str().unwrap().to_owned();
    let old = account["status_details"]["active"]["expected_deactivation_date"]
        .as_i64()
        .unwrap();

    advance(&sandbox, 8 * DAY).await;
    let relinked = sandbox
        .relink(&customer, &authorization, Some(&checking), &["6789"])
        .await;
    assert_eq!(relinked["relink_result"]["account"], checking.as_str());
    assert_eq!(relinked["relink_result"]["failure_reason"], Value::Null);

    let moved = now(&sandbox).await + 14 * DAY;
    for id in [&checking, &savings] {
        let account = sandbox.account(id).await;
        assert_eq!(account["status"], "active");
        let date = account["status_details"]["active"]["expected_deactivation_date"]
            .as_i64()
            .unwrap();
        assert!(
            (date - moved).abs() <= 2,
            "{id}: moved to 14 days after the relink"
        );
    }
    assert!(
        events(&sandbox, "financial_connections.account.reactivated")
            .await
            .is_empty(),
        "never inactive"
    );
    let updated = events(
        &sandbox,
        "financial_connections.account.expected_deactivation_date_updated",
    )
    .await;
    assert_eq!(updated.len(), 2, "both accounts on the authorization");
    assert_eq!(
        updated[0]["data"]["previous_attributes"]["status_details"]["active"]["expected_deactivation_date"],
        old
    );
    let updated = events(
        &sandbox,
        "financial_connections.authorization.expected_deactivation_date_updated",
    )
    .await;
    assert_eq!(updated.len(), 1);
    assert_eq!(updated[0]["data"]["object"]["id"], authorization.as_str());

    // Six days before the old date, it had been announced; it passing now does nothing, and
    // the new date is announced in turn a week before it.
    let upcoming = "financial_connections.account.upcoming_deactivation";
    assert_eq!(events(&sandbox, upcoming).await.len(), 2);
    advance(&sandbox, 7 * DAY).await;
    assert_eq!(sandbox.account(&checking).await["status"], "active");
    let announced = events(&sandbox, upcoming).await;
    assert_eq!(announced.len(), 4);
    for event in &announced[..2] {
        let date =
            event["data"]["object"]["status_details"]["active"]["expected_deactivation_date"]
                .as_i64()
                .unwrap();
        assert!((date - moved).abs() <= 2);
    }
}

#[tokio::test]
async fn the_helper_schedules_moves_and_clears_a_date_on_any_authorization() {
    let sandbox = Sandbox::new();
    let customer = sandbox.customer().await;
    let session = sandbox.link(&customer, "Sandbox Bank", &["6789"]).await;
    let checking = account_id(&session, 0);
    let authorization = session["accounts"]["data"][0]["authorization"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        sandbox.account(&checking).await["status_details"],
        json!({})
    );

    let at = now(&sandbox).await + 30 * DAY;
    let scheduled = sandbox
        .post(
            &schedule_path(&authorization),
            &format!("expected_deactivation_date={at}&cause=institution_requirement"),
        )
        .await
        .ok();
    assert_eq!(scheduled["object"], "financial_connections.authorization");
    assert_eq!(
        scheduled["status_details"]["active"]["expected_deactivation_date"],
        at
    );
    let account = sandbox.account(&checking).await;
    assert_eq!(
        account["status_details"]["active"],
        json!({"action": "relink_required", "cause": "institution_requirement",
            "expected_deactivation_date": at})
    );
    let updated = "financial_connections.account.expected_deactivation_date_updated";
    assert_eq!(events(&sandbox, updated).await.len(), 1, "a date appeared");
    assert!(
        events(
            &sandbox,
            "financial_connections.account.upcoming_deactivation"
        )
        .await
        .is_empty(),
        "a month away"
    );

    // Rescheduling inside the notice window moves the date and announces it at once.
    let sooner = now(&sandbox).await + 3 * DAY;
    sandbox
        .post(
            &schedule_path(&authorization),
            &format!("expected_deactivation_date={sooner}"),
        )
        .await
        .ok();
    let moved = events(&sandbox, updated).await;
    assert_eq!(moved.len(), 2);
    assert_eq!(
        moved[0]["data"]["previous_attributes"]["status_details"]["active"]["expected_deactivation_date"],
        at
    );
    assert_eq!(
        moved[0]["data"]["object"]["status_details"]["active"]["cause"],
        "access_expired"
    );
    assert_eq!(
        events(
            &sandbox,
            "financial_connections.account.upcoming_deactivation"
        )
        .await
        .len(),
        1
    );

    // Sent empty, the date is cleared.
    sandbox
        .post(
            &schedule_path(&authorization),
            "expected_deactivation_date=",
        )
        .await
        .ok();
    assert_eq!(
        sandbox.account(&checking).await["status_details"],
        json!({})
    );
    let cleared = events(&sandbox, updated).await;
    assert_eq!(cleared.len(), 3);
    assert_eq!(cleared[0]["data"]["object"]["status_details"], json!({}));

    // A date already past breaks the connection at once.
    let past = now(&sandbox).await - 1;
    let broken = sandbox
        .post(
            &schedule_path(&authorization),
            &format!("expected_deactivation_date={past}"),
        )
        .await
        .ok();
    assert_eq!(broken["status"], "inactive");
    assert_eq!(sandbox.account(&checking).await["status"], "inactive");
}

#[tokio::test]
async fn the_helper_refuses_what_cannot_be_scheduled() {
    let sandbox = Sandbox::new();
    let customer = sandbox.customer().await;
    let session = sandbox.link(&customer, "Sandbox Bank", &["6789"]).await;
    let authorization = session["accounts"]["data"][0]["authorization"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = schedule_path(&authorization);

    let missing = sandbox.post(&path, "").await.err(StatusCode::BAD_REQUEST);
    assert_eq!(missing["code"], "parameter_missing");
    assert_eq!(missing["param"], "expected_deactivation_date");
    let not_a_number = sandbox
        .post(&path, "expected_deactivation_date=soon")
        .await
        .err(StatusCode::BAD_REQUEST);
    assert_eq!(not_a_number["code"], "parameter_invalid_integer");
    let closed = sandbox
        .post(
            &path,
            "expected_deactivation_date=4000000000&cause=account_closed",
        )
        .await
        .err(StatusCode::BAD_REQUEST);
    assert_eq!(closed["param"], "cause");
    let unknown = sandbox
        .post(
            &schedule_path("fcauth_nope"),
            "expected_deactivation_date=4000000000",
        )
        .await
        .err(StatusCode::NOT_FOUND);
    assert_eq!(unknown["code"], "resource_missing");

    let checking = account_id(&session, 0);
    sandbox.deactivate(&checking, "cause=access_denied").await;
    let inactive = sandbox
        .post(&path, "expected_deactivation_date=4000000000")
        .await
        .err(StatusCode::BAD_REQUEST);
    assert!(
        inactive["message"]
            .as_str()
            .unwrap()
            .contains("Relink it first")
    );
}

#[tokio::test]
async fn a_relink_at_a_bank_without_lapsing_consents_clears_the_date() {
    let sandbox = Sandbox::new();
    let customer = sandbox.customer().await;
    let session = sandbox.link(&customer, "Sandbox Bank", &["6789"]).await;
    let checking = account_id(&session, 0);
    let authorization = session["accounts"]["data"][0]["authorization"]
        .as_str()
        .unwrap()
        .to_owned();
    let at = now(&sandbox).await + 10 * DAY;
    sandbox
        .post(
            &schedule_path(&authorization),
            &format!("expected_deactivation_date={at}"),
        )
        .await
        .ok();
    sandbox
        .relink(&customer, &authorization, Some(&checking), &["6789"])
        .await;
    assert_eq!(
        sandbox.account(&checking).await["status_details"],
        json!({})
    );
    let updated = events(
        &sandbox,
        "financial_connections.authorization.expected_deactivation_date_updated",
    )
    .await;
    assert_eq!(updated.len(), 2, "scheduled, then cleared by the relink");
    assert_eq!(updated[0]["data"]["object"]["status_details"], json!({}));
}

#[tokio::test]
async fn accounts_expected_to_stop_are_eligible_for_hosted_relink() {
    let sandbox = Sandbox::new();
    let demo = "cus_demo_jennyrosen";
    let session = sandbox.link(demo, "Expiring Consent", &["2222"]).await;
    let expiring = account_id(&session, 0);

    let status = sandbox
        .request(Method::GET, "/demo/api/hosted_relink", &[], "")
        .await
        .ok();
    let row = status["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["account"] == expiring.as_str())
        .unwrap()
        .clone();
    assert_eq!(row["eligible"], true, "{row}");
    assert!(row["expected_deactivation_date"].is_i64());

    let requested = sandbox
        .demo(
            "/demo/api/request_relink",
            &format!("accounts[]={expiring}"),
        )
        .await
        .ok();
    assert_eq!(requested["requested"].as_array().unwrap().len(), 1);
    let emails = sandbox.get("/v1/test_helpers/emails").await.ok();
    let email = emails["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["financial_connections_account"] == expiring.as_str())
        .unwrap()
        .clone();
    assert!(
        email["text"].as_str().unwrap().contains("stops working"),
        "{email}"
    );
}
