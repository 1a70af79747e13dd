//! Hosted relink: URL and email delivery, the single-use token, the outbox and its limits.

mod common;

use axum::http::{Method, StatusCode};
use common::Sandbox;
use serde_json::{Value, json};

async fn broken_demo_account(sandbox: &Sandbox) -> Value {
    let body = sandbox
        .request(Method::GET, "/demo/api/accounts", &[], "")
        .await
        .ok();
    body["accounts"][1].clone()
}

fn hosted_body(account: &Value, delivery: &str) -> String {
    format!(
        "account_holder[type]=customer&account_holder[customer]=cus_demo_jennyrosen\
         &permissions[]=payment_method&relink_options[authorization]={}&relink_options[account]={}\
         &ui_mode=hosted&hosted[delivery_method]={delivery}",
        account["authorization"].as_str().expect("authorization"),
        account["id"].as_str().expect("id"),
    )
}

#[tokio::test]
async fn url_delivery_links_to_the_hosted_page_with_a_single_use_token() {
    let sandbox = Sandbox::new();
    let account = broken_demo_account(&sandbox).await;
    let session = sandbox
        .post(
            "/v1/financial_connections/sessions",
            &hosted_body(&account, "url"),
        )
        .await
        .ok();
    assert_eq!(session["ui_mode"], "hosted");
    assert_eq!(session["hosted"], json!({"delivery_method": "url"}));
    let url = session["url"].as_str().unwrap();
    assert!(
        url.starts_with("http://127.0.0.1:4242/hosted-relink.html#token=hrt_"),
        "{url}"
    );
    assert!(!url.contains(session["client_secret"].as_str().unwrap()));

    let token = url.split("#token=").nth(1).unwrap();
    let redeemed = sandbox
        .browser(
            "/v1/link_account_sessions/hosted",
            &format!("token={token}"),
        )
        .await
        .ok();
    assert_eq!(redeemed["client_secret"], session["client_secret"]);
    let reused = sandbox
        .browser(
            "/v1/link_account_sessions/hosted",
            &format!("token={token}"),
        )
        .await
        .err(StatusCode::NOT_FOUND);
    assert_eq!(reused["param"], "token");

    let modal = sandbox
        .post(
            "/v1/financial_connections/sessions",
            &hosted_body(&account, "url").replace("ui_mode=hosted", "ui_mode=modal"),
        )
        .await
        .err(StatusCode::BAD_REQUEST);
    assert_eq!(modal["param"], "hosted[delivery_method]");
    let without_account = sandbox
        .post(
            "/v1/financial_connections/sessions",
            &hosted_body(&account, "url").replace(
                &format!(
                    "&relink_options[account]={}",
                    account["id"].as_str().unwrap()
                ),
                "",
            ),
        )
        .await
        .err(StatusCode::BAD_REQUEST);
    assert_eq!(without_account["param"], "relink_options[account]");
}

#[tokio::test]
async fn email_delivery_fills_the_outbox_once_per_48_hours() {
    let sandbox = Sandbox::new();
    let account = broken_demo_account(&sandbox).await;
    let session = sandbox
        .post(
            "/v1/financial_connections/sessions",
            &hosted_body(&account, "email"),
        )
        .await
        .ok();
    assert_eq!(session["url"], Value::Null);
    let outbox = sandbox.get("/v1/test_helpers/emails").await.ok();
    let email = &outbox["data"][0];
    assert_eq!(email["to"], "jenny.rosen@example.com");
    assert_eq!(email["financial_connections_account"], account["id"]);
    assert!(email["url"].as_str().unwrap().contains("#token=hrt_"));
    assert!(email["text"].as_str().unwrap().contains("ending in 6789"));

    let again = sandbox
        .post(
            "/v1/financial_connections/sessions",
            &hosted_body(&account, "email"),
        )
        .await
        .err(StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(again["type"], "rate_limit_error");

    // Completing the first request resets the limit.
    sandbox
        .post(&common::complete_path(&session), "accounts[]=6789")
        .await
        .ok();
    let account = sandbox.account(account["id"].as_str().unwrap()).await;
    assert_eq!(account["status"], "active");
    sandbox
        .post(
            &format!(
                "/v1/test_helpers/financial_connections/accounts/{}/deactivate",
                account["id"].as_str().unwrap()
            ),
            "",
        )
        .await
        .ok();
    sandbox
        .post(
            "/v1/financial_connections/sessions",
            &hosted_body(&account, "email"),
        )
        .await
        .ok();
}

#[tokio::test]
async fn emails_only_go_to_team_addresses() {
    let sandbox = Sandbox::new();
    let customer = sandbox.customer().await; // jane@example.com, not a team address
    let linked = sandbox.link(&customer, "Sandbox Bank", &["6789"]).await;
    let id = common::account_id(&linked, 0);
    let account = sandbox.account(&id).await;
    let body = format!(
        "account_holder[type]=customer&account_holder[customer]={customer}&permissions[]=payment_method\
         &relink_options[authorization]={}&relink_options[account]={id}&ui_mode=hosted&hosted[delivery_method]=email",
        account["authorization"].as_str().unwrap()
    );
    let refused = sandbox
        .post("/v1/financial_connections/sessions", &body)
        .await
        .err(StatusCode::BAD_REQUEST);
    assert_eq!(refused["code"], "email_invalid");
}

#[tokio::test]
async fn dashboard_request_relink() {
    let sandbox = Sandbox::new();
    let status = sandbox
        .request(Method::GET, "/demo/api/hosted_relink", &[], "")
        .await
        .ok();
    let rows = status["accounts"].as_array().unwrap();
    assert_eq!(
        rows[0]["eligible"], false,
        "the active account needs nothing"
    );
    assert_eq!(rows[1]["eligible"], true);
    let (active, broken) = (
        rows[0]["account"].as_str().unwrap(),
        rows[1]["account"].as_str().unwrap(),
    );
    let requested = sandbox
        .demo(
            "/demo/api/request_relink",
            &format!("accounts[]={active}&accounts[]={broken}"),
        )
        .await
        .ok();
    assert_eq!(requested["requested"][0]["account"], broken);
    assert_eq!(requested["skipped"][0]["account"], active);
    let status = sandbox
        .request(Method::GET, "/demo/api/hosted_relink", &[], "")
        .await
        .ok();
    assert_eq!(status["accounts"][1]["eligible"], false, "48-hour rule");
}
