//! SetupIntents, payment methods, mandates and payout tokens made from linked accounts.

mod common;

use axum::http::{Method, StatusCode};
use common::{Sandbox, account_id};
use serde_json::Value;

async fn linked_account(sandbox: &Sandbox, institution: &str) -> (String, String) {
    let customer = sandbox.customer().await;
    let session = sandbox.link(&customer, institution, &["6789"]).await;
    let account = account_id(&session, 0);
    (customer, account)
}

fn create_body(customer: &str, account: &str) -> String {
    format!(
        "customer={customer}&payment_method_types[]=us_bank_account\
         &payment_method_data[type]=us_bank_account\
         &payment_method_data[us_bank_account][financial_connections_account]={account}\
         &payment_method_data[billing_details][name]=Jenny%20Rosen"
    )
}

#[tokio::test]
async fn browser_confirmation_creates_a_mandate_and_attaches_the_payment_method() {
    let sandbox = Sandbox::new();
    let (customer, account) = linked_account(&sandbox, "Sandbox Bank").await;
    let intent = sandbox
        .post("/v1/setup_intents", &create_body(&customer, &account))
        .await
        .ok();
    assert_eq!(intent["status"], "requires_confirmation");
    let id = intent["id"].as_str().unwrap();
    let secret = intent["client_secret"].as_str().unwrap();
    assert!(secret.starts_with(&format!("{id}_secret_")));

    let pk = format!("Bearer {}", common::PK);
    let wrong = sandbox
        .request(
            Method::POST,
            &format!("/v1/setup_intents/{id}/confirm"),
            &[("authorization", &pk)],
            "client_secret=seti_nope_secret_nope",
        )
        .await
        .err(StatusCode::BAD_REQUEST);
    assert_eq!(wrong["param"], "client_secret");

    let confirmed = sandbox
        .request(
            Method::POST,
            &format!("/v1/setup_intents/{id}/confirm"),
            &[("authorization", &pk), ("user-agent", "TestBrowser/1.0")],
            &format!("client_secret={secret}&mandate_data[customer_acceptance][type]=online&mandate_data[customer_acceptance][online][infer_from_client]=true"),
        )
        .await
        .ok();
    assert_eq!(confirmed["status"], "succeeded");
    let mandate_id = confirmed["mandate"].as_str().unwrap();
    let mandate = sandbox
        .get(&format!("/v1/mandates/{mandate_id}"))
        .await
        .ok();
    assert_eq!(
        mandate["customer_acceptance"]["online"]["user_agent"],
        "TestBrowser/1.0"
    );
    assert_eq!(mandate["customer_acceptance"]["type"], "online");

    let pm_id = confirmed["payment_method"].as_str().unwrap();
    let pm = sandbox
        .get(&format!("/v1/payment_methods/{pm_id}"))
        .await
        .ok();
    assert_eq!(pm["customer"], customer.as_str());
    assert_eq!(
        pm["us_bank_account"]["financial_connections_account"],
        account.as_str()
    );
    assert_eq!(pm["us_bank_account"]["last4"], "6789");
    assert_eq!(pm["billing_details"]["name"], "Jenny Rosen");

    let again = sandbox
        .request(
            Method::POST,
            &format!("/v1/setup_intents/{id}/confirm"),
            &[("authorization", &pk)],
            &format!("client_secret={secret}"),
        )
        .await
        .err(StatusCode::BAD_REQUEST);
    assert_eq!(again["code"], "setup_intent_unexpected_state");

    let retrieved = sandbox
        .request(
            Method::GET,
            &format!("/v1/setup_intents/{id}?client_secret={secret}"),
            &[("authorization", &pk)],
            "",
        )
        .await
        .ok();
    assert_eq!(retrieved["status"], "succeeded");

    let token = sandbox
        .post(
            "/v1/tokens",
            &format!("customer={customer}&bank_account[payment_method]={pm_id}"),
        )
        .await
        .ok();
    assert!(token["id"].as_str().unwrap().starts_with("btok_"));
    assert_eq!(token["bank_account"]["last4"], "6789");
}

#[tokio::test]
async fn inactive_accounts_cannot_be_confirmed_and_server_confirmation_needs_a_mandate() {
    let sandbox = Sandbox::new();
    let (customer, account) = linked_account(&sandbox, "Sandbox Bank").await;
    let missing_mandate = sandbox
        .post(
            "/v1/setup_intents",
            &format!("{}&confirm=true", create_body(&customer, &account)),
        )
        .await
        .err(StatusCode::BAD_REQUEST);
    assert_eq!(missing_mandate["param"], "mandate_data");

    let confirmed = sandbox
        .post(
            "/v1/setup_intents",
            &format!(
                "{}&confirm=true&flow_directions[]=outbound&mandate_data[customer_acceptance][type]=online\
                 &mandate_data[customer_acceptance][online][ip_address]=203.0.113.7\
                 &mandate_data[customer_acceptance][online][user_agent]=curl",
                create_body(&customer, &account)
            ),
        )
        .await
        .ok();
    assert_eq!(confirmed["status"], "succeeded");
    assert_eq!(
        confirmed["flow_directions"],
        serde_json::json!(["outbound"])
    );

    sandbox.deactivate(&account, "").await;
    let intent = sandbox
        .post("/v1/setup_intents", &create_body(&customer, &account))
        .await
        .ok();
    let inactive = sandbox
        .post(
            &format!(
                "/v1/setup_intents/{}/confirm",
                intent["id"].as_str().unwrap()
            ),
            "mandate_data[customer_acceptance][type]=online\
             &mandate_data[customer_acceptance][online][ip_address]=203.0.113.7\
             &mandate_data[customer_acceptance][online][user_agent]=curl",
        )
        .await
        .err(StatusCode::BAD_REQUEST);
    assert_eq!(inactive["code"], "financial_connections_account_inactive");
}

#[tokio::test]
async fn a_deactivated_tan_blocks_the_payment_method_until_relinked() {
    let sandbox = Sandbox::new();
    let (customer, account) = linked_account(&sandbox, "Tokenized Account Numbers").await;
    let intent = sandbox
        .post("/v1/setup_intents", &create_body(&customer, &account))
        .await
        .ok();
    let pm_id = intent["payment_method"].as_str().unwrap().to_owned();
    sandbox
        .post(
            &format!(
                "/v1/test_helpers/financial_connections/accounts/{account}/expire_account_numbers"
            ),
            "status=deactivated",
        )
        .await
        .ok();
    let pm = sandbox
        .get(&format!("/v1/payment_methods/{pm_id}"))
        .await
        .ok();
    assert_eq!(
        pm["us_bank_account"]["status_details"]["blocked"]["reason"],
        "tokenized_account_number_deactivated"
    );

    let authorization = sandbox.account(&account).await["authorization"]
        .as_str()
        .unwrap()
        .to_owned();
    sandbox
        .relink(&customer, &authorization, Some(&account), &["6789"])
        .await;
    let pm = sandbox
        .get(&format!("/v1/payment_methods/{pm_id}"))
        .await
        .ok();
    assert_eq!(
        pm["us_bank_account"]["status_details"],
        Value::Object(Default::default())
    );
}

#[tokio::test]
async fn the_browser_can_expand_the_payment_method_to_name_the_bank() {
    let sandbox = Sandbox::new();
    let (customer, account) = linked_account(&sandbox, "Sandbox Bank").await;
    let intent = sandbox
        .post("/v1/setup_intents", &create_body(&customer, &account))
        .await
        .ok();
    let id = intent["id"].as_str().unwrap();
    let secret = intent["client_secret"].as_str().unwrap();
    let pk = format!("Bearer {}", common::PK);
    let expanded = sandbox
        .request(
            Method::GET,
            &format!("/v1/setup_intents/{id}?client_secret={secret}&expand[]=payment_method"),
            &[("authorization", &pk)],
            "",
        )
        .await
        .ok();
    let bank = &expanded["payment_method"]["us_bank_account"];
    assert_eq!(bank["bank_name"], "Sandbox Bank");
    assert_eq!(bank["last4"], "6789");

    let unknown = sandbox
        .request(
            Method::GET,
            &format!("/v1/setup_intents/{id}?client_secret={secret}&expand[]=customer"),
            &[("authorization", &pk)],
            "",
        )
        .await
        .err(StatusCode::BAD_REQUEST);
    assert_eq!(unknown["param"], "expand");
}
