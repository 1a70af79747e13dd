//! The browser's side of the contract as `relink::wire` defines it: every endpoint the
//! component calls exists at [`wire::Endpoint::path`], billing details go out as
//! [`wire::BillingDetails::form_fields`] and come back on the payment method as Stripe renders
//! them, and Stripe.js's `confirmUsBankAccountSetup(secret, {payment_method})` confirms with an
//! existing payment method.

mod common;

use axum::http::StatusCode;
use common::{Reply, Sandbox, account_id};
use relink::wire::{self, Endpoint};
use serde_json::{Value, json};

/// Every endpoint; the match makes a new one a compile error here until it is listed.
const ENDPOINTS: [Endpoint; 6] = [
    Endpoint::Manifest,
    Endpoint::Authenticate,
    Endpoint::Complete,
    Endpoint::ForSetupIntent,
    Endpoint::BankAccountToken,
    Endpoint::Hosted,
];

fn listed(endpoint: Endpoint) -> bool {
    match endpoint {
        Endpoint::Manifest
        | Endpoint::Authenticate
        | Endpoint::Complete
        | Endpoint::ForSetupIntent
        | Endpoint::BankAccountToken
        | Endpoint::Hosted => ENDPOINTS.contains(&endpoint),
    }
}

const BILLING: &str = "payment_method_data[billing_details]";

fn str_of<'a>(object: &'a Value, key: &str) -> &'a str {
    object[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} in {object}"))
}

fn encode(fields: &[(String, String)]) -> String {
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    wire::encode_form(&pairs)
}

fn full_billing() -> wire::BillingDetails {
    wire::BillingDetails {
        name: Some("Jenny Rosen".into()),
        email: Some("jenny@example.com".into()),
        phone: Some("+15555550123".into()),
        address: Some(wire::Address {
            line1: Some("510 Townsend St".into()),
            line2: Some("Floor 2".into()),
            city: Some("San Francisco".into()),
            state: Some("CA".into()),
            postal_code: Some("94103".into()),
            country: Some("US".into()),
        }),
    }
}

/// A SetupIntent for `customer` with no payment method yet.
async fn collecting_intent(sandbox: &Sandbox, customer: &str) -> Value {
    sandbox
        .post(
            "/v1/setup_intents",
            &format!("customer={customer}&payment_method_types[]=us_bank_account"),
        )
        .await
        .ok()
}

/// Collects `intent`'s bank account in the browser with `billing`, linking account 6789;
/// returns the intent as it then is.
async fn collect(sandbox: &Sandbox, intent: &Value, billing: &wire::BillingDetails) -> Value {
    let secret = str_of(intent, "client_secret");
    let mut fields = vec![("client_secret".to_owned(), secret.to_owned())];
    fields.extend(billing.form_fields(BILLING));
    let session = sandbox
        .browser(Endpoint::ForSetupIntent.path(), &encode(&fields))
        .await
        .ok();
    assert_eq!(session["object"], "link_account_session");
    let cs = format!("client_secret={}", str_of(&session, "client_secret"));
    sandbox.browser(Endpoint::Manifest.path(), &cs).await.ok();
    let login = sandbox
        .browser(
            Endpoint::Authenticate.path(),
            &format!("{cs}&institution=fcinst_sandbox_bank&password=pass_good"),
        )
        .await
        .ok();
    assert_eq!(login["status"], "authenticated");
    sandbox
        .browser(Endpoint::Complete.path(), &format!("{cs}&accounts[]=6789"))
        .await
        .ok();
    sandbox
        .get(&format!("/v1/setup_intents/{}", str_of(intent, "id")))
        .await
        .ok()
}

fn confirm_path(intent: &Value) -> String {
    relink::mandate::confirm_path(str_of(intent, "id"))
}

#[tokio::test]
async fn every_endpoint_is_routed_and_asks_for_its_parameters() {
    let sandbox = Sandbox::new();
    for endpoint in ENDPOINTS {
        assert!(listed(endpoint));
        let reply = sandbox.browser(endpoint.path(), "").await;
        assert_ne!(reply.status, StatusCode::NOT_FOUND, "{endpoint:?}");
        let error = reply.err(StatusCode::BAD_REQUEST);
        assert_eq!(error["type"], "invalid_request_error", "{endpoint:?}");
        assert_eq!(error["code"], "parameter_missing", "{endpoint:?}");
    }
}

#[tokio::test]
async fn every_billing_detail_reaches_the_payment_method() {
    let sandbox = Sandbox::new();
    let customer = sandbox.customer().await;
    let intent = collecting_intent(&sandbox, &customer).await;
    let collected = collect(&sandbox, &intent, &full_billing()).await;
    assert_eq!(collected["status"], "requires_confirmation");
    let pm = sandbox
        .get(&format!(
            "/v1/payment_methods/{}",
            str_of(&collected, "payment_method")
        ))
        .await
        .ok();
    assert_eq!(
        pm["billing_details"],
        json!({
            "address": {
                "city": "San Francisco",
                "country": "US",
                "line1": "510 Townsend St",
                "line2": "Floor 2",
                "postal_code": "94103",
                "state": "CA",
            },
            "email": "jenny@example.com",
            "name": "Jenny Rosen",
            "phone": "+15555550123",
            "tax_id": null,
        })
    );
}

#[tokio::test]
async fn unknown_billing_parts_are_null_and_the_address_keeps_its_keys() {
    let sandbox = Sandbox::new();
    let customer = sandbox.customer().await;
    let intent = collecting_intent(&sandbox, &customer).await;
    let billing = wire::BillingDetails {
        name: Some("Jenny Rosen".into()),
        address: Some(wire::Address {
            postal_code: Some("94103".into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    let collected = collect(&sandbox, &intent, &billing).await;
    let pm = sandbox
        .get(&format!(
            "/v1/payment_methods/{}",
            str_of(&collected, "payment_method")
        ))
        .await
        .ok();
    let details = &pm["billing_details"];
    assert_eq!(details["email"], Value::Null);
    assert_eq!(details["phone"], Value::Null);
    assert_eq!(
        details["address"],
        json!({
            "city": null, "country": null, "line1": null, "line2": null,
            "postal_code": "94103", "state": null,
        })
    );
}

#[tokio::test]
async fn the_server_sends_billing_details_the_same_way() {
    let sandbox = Sandbox::new();
    let customer = sandbox.customer().await;
    let session = sandbox.link(&customer, "Sandbox Bank", &["6789"]).await;
    let account = account_id(&session, 0);
    let mut body = format!(
        "customer={customer}&payment_method_types[]=us_bank_account\
         &payment_method_data[type]=us_bank_account\
         &payment_method_data[us_bank_account][financial_connections_account]={account}&"
    );
    body.push_str(&encode(&full_billing().form_fields(BILLING)));
    let intent = sandbox
        .post("/v1/setup_intents?expand[]=payment_method", &body)
        .await
        .ok();
    let details = &intent["payment_method"]["billing_details"];
    assert_eq!(details["phone"], "+15555550123");
    assert_eq!(details["address"]["line2"], "Floor 2");

    let unknown = format!("{body}&{BILLING}[address][planet]=Earth");
    let error = sandbox
        .post("/v1/setup_intents", &unknown)
        .await
        .err(StatusCode::BAD_REQUEST);
    assert_eq!(error["code"], "parameter_unknown");
}

#[tokio::test]
async fn collecting_still_requires_the_name_and_refuses_unknown_fields() {
    let sandbox = Sandbox::new();
    let customer = sandbox.customer().await;
    let intent = collecting_intent(&sandbox, &customer).await;
    let secret = format!("client_secret={}", str_of(&intent, "client_secret"));
    let nameless = wire::BillingDetails {
        name: None,
        ..full_billing()
    };
    let body = format!("{secret}&{}", encode(&nameless.form_fields(BILLING)));
    let error = sandbox
        .browser(Endpoint::ForSetupIntent.path(), &body)
        .await
        .err(StatusCode::BAD_REQUEST);
    assert_eq!(
        (error["code"].as_str(), error["param"].as_str()),
        (
            Some("parameter_missing"),
            Some("payment_method_data[billing_details][name]")
        )
    );
    let body = format!(
        "{secret}&{}&{BILLING}[address][planet]=Earth",
        encode(&full_billing().form_fields(BILLING))
    );
    let error = sandbox
        .browser(Endpoint::ForSetupIntent.path(), &body)
        .await
        .err(StatusCode::BAD_REQUEST);
    assert_eq!(error["code"], "parameter_unknown");
}

/// A payment method of `customer` made by the merchant's server (on an intent left
/// unconfirmed).
async fn server_payment_method(sandbox: &Sandbox, customer: &str, last4: &str) -> String {
    let session = sandbox.link(customer, "Sandbox Bank", &[last4]).await;
    let account = account_id(&session, 0);
    let intent = sandbox
        .post(
            "/v1/setup_intents",
            &format!(
                "customer={customer}&payment_method_types[]=us_bank_account\
                 &payment_method_data[type]=us_bank_account\
                 &payment_method_data[us_bank_account][financial_connections_account]={account}\
                 &payment_method_data[billing_details][name]=Jenny%20Rosen"
            ),
        )
        .await
        .ok();
    str_of(&intent, "payment_method").to_owned()
}

#[tokio::test]
async fn the_browser_confirms_with_an_existing_payment_method() {
    let sandbox = Sandbox::new();
    let customer = sandbox.customer().await;
    let pm = server_payment_method(&sandbox, &customer, "6789").await;
    let intent = collecting_intent(&sandbox, &customer).await;
    let secret = str_of(&intent, "client_secret");

    let confirmed = sandbox
        .browser(
            &confirm_path(&intent),
            &format!("client_secret={secret}&payment_method={pm}"),
        )
        .await
        .ok();
    assert_eq!(confirmed["status"], "succeeded");
    assert_eq!(confirmed["payment_method"], pm.as_str());
    assert!(str_of(&confirmed, "mandate").starts_with("mandate_"));
    let attached = sandbox.get(&format!("/v1/payment_methods/{pm}")).await.ok();
    assert_eq!(attached["customer"], customer.as_str());
}

#[tokio::test]
async fn payment_method_on_confirm_replaces_the_collected_one() {
    let sandbox = Sandbox::new();
    let customer = sandbox.customer().await;
    let other = server_payment_method(&sandbox, &customer, "6789").await;
    let intent = collecting_intent(&sandbox, &customer).await;
    let collected = collect(&sandbox, &intent, &full_billing()).await;
    assert_ne!(collected["payment_method"], other.as_str());
    let confirmed = sandbox
        .browser(
            &confirm_path(&intent),
            &format!(
                "client_secret={}&payment_method={other}",
                str_of(&intent, "client_secret")
            ),
        )
        .await
        .ok();
    assert_eq!(confirmed["payment_method"], other.as_str());
    assert_eq!(confirmed["status"], "succeeded");
}

/// The server's confirm with `payment_method` and an offline-recorded acceptance.
async fn server_confirm(sandbox: &Sandbox, intent: &Value, payment_method: &str) -> Reply {
    sandbox
        .post(
            &confirm_path(intent),
            &format!(
                "payment_method={payment_method}&mandate_data[customer_acceptance][type]=online\
                 &mandate_data[customer_acceptance][online][ip_address]=203.0.113.7\
                 &mandate_data[customer_acceptance][online][user_agent]=Browser"
            ),
        )
        .await
}

#[tokio::test]
async fn the_server_confirms_with_an_existing_payment_method_too() {
    let sandbox = Sandbox::new();
    let customer = sandbox.customer().await;
    let pm = server_payment_method(&sandbox, &customer, "6789").await;
    let intent = collecting_intent(&sandbox, &customer).await;
    let confirmed = server_confirm(&sandbox, &intent, &pm).await.ok();
    assert_eq!(confirmed["status"], "succeeded");
    assert_eq!(confirmed["payment_method"], pm.as_str());
}

#[tokio::test]
async fn a_payment_method_that_is_missing_or_someone_elses_is_refused() {
    let sandbox = Sandbox::new();
    let customer = sandbox.customer().await;
    let stranger = sandbox.customer().await;
    let theirs = server_payment_method(&sandbox, &stranger, "6789").await;
    let intent = collecting_intent(&sandbox, &customer).await;
    let secret = format!("client_secret={}", str_of(&intent, "client_secret"));

    let error = sandbox
        .browser(
            &confirm_path(&intent),
            &format!("{secret}&payment_method=pm_doesnotexist"),
        )
        .await
        .err(StatusCode::NOT_FOUND);
    assert_eq!(
        (
            error["type"].as_str(),
            error["code"].as_str(),
            error["param"].as_str()
        ),
        (
            Some("invalid_request_error"),
            Some("resource_missing"),
            Some("payment_method")
        )
    );

    let error = sandbox
        .browser(
            &confirm_path(&intent),
            &format!("{secret}&payment_method={theirs}"),
        )
        .await
        .err(StatusCode::BAD_REQUEST);
    assert_eq!(
        (error["type"].as_str(), error["param"].as_str()),
        (Some("invalid_request_error"), Some("payment_method"))
    );

    // Attached to the stranger by a confirmation, it is still theirs.
    let their_intent = collecting_intent(&sandbox, &stranger).await;
    sandbox
        .browser(
            &confirm_path(&their_intent),
            &format!(
                "client_secret={}&payment_method={theirs}",
                str_of(&their_intent, "client_secret")
            ),
        )
        .await
        .ok();
    let error = server_confirm(&sandbox, &intent, &theirs)
        .await
        .err(StatusCode::BAD_REQUEST);
    assert_eq!(error["param"], "payment_method");

    let still = sandbox
        .get(&format!("/v1/setup_intents/{}", str_of(&intent, "id")))
        .await
        .ok();
    assert_eq!(still["status"], "requires_payment_method");
    assert_eq!(still["payment_method"], Value::Null);
}

#[tokio::test]
async fn payment_method_and_payment_method_data_do_not_mix_on_confirm() {
    let sandbox = Sandbox::new();
    let customer = sandbox.customer().await;
    let pm = server_payment_method(&sandbox, &customer, "6789").await;
    let session = sandbox.link(&customer, "Sandbox Bank", &["6789"]).await;
    let account = account_id(&session, 0);
    let intent = collecting_intent(&sandbox, &customer).await;
    let error = sandbox
        .browser(
            &confirm_path(&intent),
            &format!(
                "client_secret={}&payment_method={pm}&payment_method_data[type]=us_bank_account\
                 &payment_method_data[us_bank_account][financial_connections_account]={account}",
                str_of(&intent, "client_secret")
            ),
        )
        .await
        .err(StatusCode::BAD_REQUEST);
    assert_eq!(error["type"], "invalid_request_error");
}
