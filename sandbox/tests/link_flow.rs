//! The browser-facing link flow and the demo merchant endpoints, driven the way the relink
//! component drives them.

mod common;

use axum::http::{Method, StatusCode};
use common::Sandbox;
use relink_sandbox::objects::authorization::Authorization;
use serde_json::{Value, json};

const MANIFEST: &str = "/v1/link_account_sessions/manifest";
const AUTHENTICATE: &str = "/v1/link_account_sessions/authenticate";
const COMPLETE: &str = "/v1/link_account_sessions/complete";

/// The demo customer's accounts: `[active Sandbox Bank checking, inactive "Inactive accounts"]`.
async fn demo_accounts(sandbox: &Sandbox) -> Vec<Value> {
    let body = sandbox
        .request(Method::GET, "/demo/api/accounts", &[], "")
        .await
        .ok();
    assert_eq!(body["customer"]["name"], "Jenny Rosen");
    assert_eq!(body["customer"]["email"], "jenny.rosen@example.com");
    body["accounts"].as_array().expect("accounts").clone()
}

async fn relink_secret(sandbox: &Sandbox, account: &str, exact: bool) -> String {
    let body = sandbox
        .demo(
            "/demo/api/relink_session",
            &format!("account={account}&exact={exact}"),
        )
        .await
        .ok();
    assert!(body["existing_account_ids"].as_array().expect("ids").len() >= 2);
    body["client_secret"]
        .as_str()
        .expect("client_secret")
        .to_owned()
}

#[tokio::test]
async fn demo_is_seeded_with_one_working_and_one_broken_account() {
    let sandbox = Sandbox::new();
    let accounts = demo_accounts(&sandbox).await;
    assert_eq!(accounts.len(), 2);
    assert_eq!(accounts[0]["institution_name"], "Sandbox Bank");
    assert_eq!(accounts[0]["status"], "active");
    assert_eq!(accounts[0]["last4"], "6789");
    assert_eq!(accounts[1]["institution_name"], "Inactive accounts");
    assert_eq!(accounts[1]["status"], "inactive");
    assert_eq!(
        accounts[1]["status_details"]["inactive"],
        json!({"action": "relink_required", "cause": "access_expired"})
    );
    let config = sandbox
        .request(
            Method::GET,
            "/demo/api/config",
            &[("host", "localhost:4242")],
            "",
        )
        .await
        .ok();
    assert_eq!(config["publishable_key"], common::PK);
    assert_eq!(config["api_base"], "http://localhost:4242");
}

#[tokio::test]
async fn plain_link_through_the_browser_flow() {
    let sandbox = Sandbox::new();
    let launch = sandbox.demo("/demo/api/link_session", "").await.ok();
    let secret = launch["client_secret"].as_str().unwrap().to_owned();
    let cs = format!("client_secret={secret}");

    // The secret goes in the body, with the publishable key; the secret key is refused.
    let with_sk = sandbox
        .post(MANIFEST, &cs)
        .await
        .err(StatusCode::UNAUTHORIZED);
    assert_eq!(with_sk["type"], "authentication_error");

    let manifest = sandbox.browser(MANIFEST, &cs).await.ok();
    assert_eq!(manifest["object"], "link_account_session_manifest");
    assert_eq!(manifest["merchant_name"], "Rocket Rides");
    assert_eq!(manifest["relink"], Value::Null);
    assert_eq!(manifest["institutions"].as_array().unwrap().len(), 7);
    assert_eq!(
        manifest["institutions"][3],
        json!({"id": "fcinst_mfa_bank", "name": "MFA Bank", "mfa": true, "oauth": false, "down": false})
    );
    assert!(manifest["session"].get("client_secret").is_none());
    assert_eq!(manifest["session"]["status"], "pending");

    let failed = sandbox
        .browser(
            AUTHENTICATE,
            &format!("{cs}&institution=fcinst_sandbox_bank&password=nope"),
        )
        .await
        .ok();
    assert_eq!(failed["status"], "login_failed");
    assert!(failed["message"].is_string());

    let ok = sandbox
        .browser(
            AUTHENTICATE,
            &format!("{cs}&institution=fcinst_sandbox_bank&password=pass_good"),
        )
        .await
        .ok();
    assert_eq!(ok["status"], "authenticated");
    let offered = ok["accounts"].as_array().unwrap();
    assert_eq!(offered.len(), 4);
    assert_eq!(
        offered[0],
        json!({"last4": "6789", "display_name": "Checking", "category": "cash", "subcategory": "checking", "eligible": true, "existing_account": null})
    );
    assert_eq!(
        offered[3]["eligible"], false,
        "credit cards are not payment-eligible"
    );

    let too_many = sandbox
        .browser(COMPLETE, &format!("{cs}&accounts[]=6789&accounts[]=4321"))
        .await
        .err(StatusCode::BAD_REQUEST);
    assert_eq!(too_many["param"], "accounts");
    let ineligible = sandbox
        .browser(COMPLETE, &format!("{cs}&accounts[]=1111"))
        .await
        .err(StatusCode::BAD_REQUEST);
    assert_eq!(ineligible["param"], "accounts");

    let done = sandbox
        .browser(COMPLETE, &format!("{cs}&accounts[]=2222"))
        .await
        .ok();
    assert_eq!(done["status"], "succeeded");
    assert!(done.get("client_secret").is_none());
    assert_eq!(done["relink_result"], Value::Null);
    let linked = &done["accounts"]["data"][0];
    assert_eq!(linked["last4"], "2222");
    assert_eq!(linked["account_holder"]["customer"], "cus_demo_jennyrosen");
    assert!(
        !launch["existing_account_ids"]
            .as_array()
            .unwrap()
            .contains(&linked["id"])
    );

    let twice = sandbox
        .browser(COMPLETE, &format!("{cs}&accounts[]=2222"))
        .await
        .err(StatusCode::BAD_REQUEST);
    assert_eq!(twice["code"], "token_already_used");
    let reopened = sandbox
        .browser(MANIFEST, &cs)
        .await
        .err(StatusCode::BAD_REQUEST);
    assert_eq!(reopened["code"], "token_already_used");

    let unknown = sandbox
        .browser(MANIFEST, "client_secret=fcsess_client_secret_nope")
        .await
        .err(StatusCode::NOT_FOUND);
    assert_eq!(unknown["code"], "resource_missing");
    assert_eq!(unknown["param"], "client_secret");
    assert!(!unknown["message"].as_str().unwrap().contains("nope"));
}

#[tokio::test]
async fn exact_relink_succeeds_when_the_customer_picks_the_account() {
    let sandbox = Sandbox::new();
    let broken = demo_accounts(&sandbox).await[1].clone();
    let broken_id = broken["id"].as_str().unwrap();
    let secret = relink_secret(&sandbox, broken_id, true).await;
    let cs = format!("client_secret={secret}");

    let manifest = sandbox.browser(MANIFEST, &cs).await.ok();
    assert_eq!(manifest["institutions"].as_array().unwrap().len(), 1);
    assert_eq!(
        manifest["relink"]["institution"]["id"],
        "fcinst_inactive_accounts"
    );
    assert_eq!(
        manifest["relink"]["account"],
        json!({"id": broken_id, "display_name": "Checking", "last4": "6789", "subcategory": "checking"})
    );
    assert_eq!(manifest["session"]["relink_options"]["account"], broken_id);

    let elsewhere = sandbox
        .browser(
            AUTHENTICATE,
            &format!("{cs}&institution=fcinst_sandbox_bank&password=pass_good"),
        )
        .await
        .err(StatusCode::BAD_REQUEST);
    assert_eq!(elsewhere["param"], "institution");

    let ok = sandbox
        .browser(
            AUTHENTICATE,
            &format!("{cs}&institution=fcinst_inactive_accounts&password=pass_good"),
        )
        .await
        .ok();
    assert_eq!(ok["accounts"][0]["existing_account"], broken_id);
    assert_eq!(ok["accounts"][1]["existing_account"], Value::Null);

    let done = sandbox
        .browser(COMPLETE, &format!("{cs}&accounts[]=6789"))
        .await
        .ok();
    assert_eq!(done["status"], "succeeded");
    let authorization = broken["authorization"].as_str().unwrap();
    assert_eq!(
        done["relink_result"],
        json!({"account": broken_id, "authorization": authorization, "failure_reason": null})
    );
    assert_eq!(done["accounts"]["data"][0]["id"], broken_id);
    assert_eq!(done["accounts"]["data"][0]["status"], "active");
    assert_eq!(done["accounts"]["data"][0]["status_details"], json!({}));
    let repaired = sandbox.account(broken_id).await;
    assert_eq!(repaired["status"], "active");
}

#[tokio::test]
async fn exact_relink_with_another_account_is_no_account() {
    let sandbox = Sandbox::new();
    let broken_id = demo_accounts(&sandbox).await[1]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let cs = format!(
        "client_secret={}",
        relink_secret(&sandbox, &broken_id, true).await
    );
    sandbox
        .browser(
            AUTHENTICATE,
            &format!("{cs}&institution=fcinst_inactive_accounts&password=pass_good"),
        )
        .await
        .ok();
    let done = sandbox
        .browser(COMPLETE, &format!("{cs}&accounts[]=4321"))
        .await
        .ok();
    assert_eq!(done["status"], "failed");
    assert_eq!(
        done["relink_result"],
        json!({"account": null, "authorization": null, "failure_reason": "no_account"})
    );
    assert_eq!(done["accounts"]["data"], json!([]));
    assert_eq!(sandbox.account(&broken_id).await["status"], "inactive");
}

#[tokio::test]
async fn relink_without_logging_in_is_no_authorization_even_with_forged_picks() {
    let sandbox = Sandbox::new();
    let broken_id = demo_accounts(&sandbox).await[1]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let cs = format!(
        "client_secret={}",
        relink_secret(&sandbox, &broken_id, true).await
    );
    let failed = sandbox
        .browser(
            AUTHENTICATE,
            &format!("{cs}&institution=fcinst_inactive_accounts&password=wrong"),
        )
        .await
        .ok();
    assert_eq!(failed["status"], "login_failed");
    let done = sandbox
        .browser(COMPLETE, &format!("{cs}&accounts[]=6789"))
        .await
        .ok();
    assert_eq!(done["relink_result"]["failure_reason"], "no_authorization");
    assert_eq!(done["status"], "failed");
    assert_eq!(sandbox.account(&broken_id).await["status"], "inactive");

    // Closing the flow before trying at all is a cancellation.
    let cs = format!(
        "client_secret={}",
        relink_secret(&sandbox, &broken_id, false).await
    );
    let closed = sandbox.browser(COMPLETE, &cs).await.ok();
    assert_eq!(
        closed["relink_result"]["failure_reason"],
        "no_authorization"
    );
    assert_eq!(closed["status"], "cancelled");
}

#[tokio::test]
async fn down_bank_in_the_browser_is_other() {
    let sandbox = Sandbox::new();
    let customer = sandbox.customer().await;
    let linked = sandbox.link(&customer, "Sandbox Bank", &["6789"]).await;
    let account = sandbox.account(&common::account_id(&linked, 0)).await;
    // Nothing can be linked at Down Bank, so move this authorization there: the bank the
    // customer linked has since gone down.
    let authorization_id = account["authorization"].as_str().unwrap().to_owned();
    sandbox
        .store
        .transaction(|tx| {
            let mut authorization = tx.fetch::<Authorization>(&authorization_id, None)?;
            authorization.institution = "fcinst_down_bank".into();
            authorization.institution_name = "Down Bank".into();
            tx.put(&authorization)
        })
        .unwrap();
    let session = sandbox
        .post(
            "/v1/financial_connections/sessions",
            &format!(
                "account_holder[type]=customer&account_holder[customer]={customer}&permissions[]=payment_method&relink_options[authorization]={}",
                account["authorization"].as_str().unwrap()
            ),
        )
        .await
        .ok();
    let cs = format!(
        "client_secret={}",
        session["client_secret"].as_str().unwrap()
    );
    let manifest = sandbox.browser(MANIFEST, &cs).await.ok();
    assert_eq!(manifest["relink"]["institution"]["down"], true);
    let down = sandbox
        .browser(
            AUTHENTICATE,
            &format!("{cs}&institution=fcinst_down_bank&password=pass_good"),
        )
        .await
        .ok();
    assert_eq!(down["status"], "institution_unavailable");
    let done = sandbox.browser(COMPLETE, &cs).await.ok();
    assert_eq!(done["relink_result"]["failure_reason"], "other");
    assert_eq!(done["status"], "failed");
}

#[tokio::test]
async fn mfa_bank_asks_for_a_code() {
    let sandbox = Sandbox::new();
    let launch = sandbox.demo("/demo/api/link_session", "").await.ok();
    let cs = format!(
        "client_secret={}",
        launch["client_secret"].as_str().unwrap()
    );
    let login = format!("{cs}&institution=fcinst_mfa_bank&password=pass_good");
    assert_eq!(
        sandbox.browser(AUTHENTICATE, &login).await.ok()["status"],
        "mfa_required"
    );
    assert_eq!(
        sandbox
            .browser(AUTHENTICATE, &format!("{login}&mfa_code=000000"))
            .await
            .ok()["status"],
        "login_failed"
    );
    // No picks are accepted before the code is right.
    let ok = sandbox
        .browser(AUTHENTICATE, &format!("{login}&mfa_code=123456"))
        .await
        .ok();
    assert_eq!(ok["status"], "authenticated");
    let done = sandbox
        .browser(COMPLETE, &format!("{cs}&accounts[0]=4321"))
        .await
        .ok();
    assert_eq!(done["status"], "succeeded");
    assert_eq!(done["accounts"]["data"][0]["institution_name"], "MFA Bank");
}

#[tokio::test]
async fn oauth_bank_needs_no_password_and_authorization_relink_can_link_a_new_account() {
    let sandbox = Sandbox::new();
    let customer = sandbox.customer().await;
    let linked = sandbox.link(&customer, "OAuth Bank", &["6789"]).await;
    let old_id = common::account_id(&linked, 0);
    sandbox.deactivate(&old_id, "cause=access_expired").await;
    let authorization = sandbox.account(&old_id).await["authorization"]
        .as_str()
        .unwrap()
        .to_owned();
    let session = sandbox
        .post(
            "/v1/financial_connections/sessions",
            &format!("account_holder[type]=customer&account_holder[customer]={customer}&permissions[]=payment_method&relink_options[authorization]={authorization}"),
        )
        .await
        .ok();
    let cs = format!(
        "client_secret={}",
        session["client_secret"].as_str().unwrap()
    );
    let ok = sandbox
        .browser(AUTHENTICATE, &format!("{cs}&institution=fcinst_oauth_bank"))
        .await
        .ok();
    assert_eq!(ok["status"], "authenticated");
    let done = sandbox
        .browser(COMPLETE, &format!("{cs}&accounts[]=4321"))
        .await
        .ok();
    assert_eq!(
        done["relink_result"],
        json!({"account": null, "authorization": authorization, "failure_reason": null})
    );
    let new_id = common::account_id(&done, 0);
    assert_ne!(new_id, old_id);
    // The authorization is repaired, so the old account on it comes back too.
    assert_eq!(sandbox.account(&old_id).await["status"], "active");
}

#[tokio::test]
async fn demo_deactivate_and_json_bodies() {
    let sandbox = Sandbox::new();
    let working = demo_accounts(&sandbox).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let broken = sandbox
        .demo(&format!("/demo/api/accounts/{working}/deactivate"), "")
        .await
        .ok();
    assert_eq!(
        broken["status_details"]["inactive"]["cause"],
        "access_expired"
    );
    let json_body = sandbox
        .request(
            Method::POST,
            "/demo/api/relink_session",
            &[("content-type", "application/json")],
            &json!({"account": working, "exact": false}).to_string(),
        )
        .await
        .ok();
    let secret = json_body["client_secret"].as_str().unwrap();
    let manifest = sandbox
        .browser(MANIFEST, &format!("client_secret={secret}"))
        .await
        .ok();
    assert_eq!(manifest["relink"]["account"], Value::Null);
    assert_eq!(manifest["relink"]["institution"]["name"], "Sandbox Bank");
    let missing = sandbox
        .demo("/demo/api/relink_session", "")
        .await
        .err(StatusCode::BAD_REQUEST);
    assert_eq!(missing["param"], "account");
}

#[tokio::test]
async fn cors_allows_localhost_pages() {
    let sandbox = Sandbox::new();
    let preflight = sandbox
        .request(
            Method::OPTIONS,
            MANIFEST,
            &[
                ("origin", "http://localhost:5173"),
                ("access-control-request-method", "POST"),
                (
                    "access-control-request-headers",
                    "authorization,content-type",
                ),
            ],
            "",
        )
        .await;
    assert_eq!(
        preflight.headers["access-control-allow-origin"],
        "http://localhost:5173"
    );
    let foreign = sandbox
        .request(
            Method::OPTIONS,
            MANIFEST,
            &[
                ("origin", "https://evil.example"),
                ("access-control-request-method", "POST"),
            ],
            "",
        )
        .await;
    assert!(!foreign.headers.contains_key("access-control-allow-origin"));
}
