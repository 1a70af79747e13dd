//! What the Stripe.js drop-in needs from the sandbox: the script itself, SetupIntents whose
//! payment method the browser collects, bank account tokens for a linked account, retrieving a
//! SetupIntent without its secret in the URL, and bank outages for `failure_reason: "other"`.

mod common;

use std::path::PathBuf;

use axum::http::{Method, StatusCode};
use common::{PK, Sandbox, account_id, complete_path};
use relink_sandbox::config::Settings;
use relink_sandbox::store::Store;
use serde_json::{Value, json};

const FOR_SETUP_INTENT: &str = "/v1/link_account_sessions/for_setup_intent";
const BANK_ACCOUNT_TOKEN: &str = "/v1/link_account_sessions/bank_account_token";
const MANIFEST: &str = "/v1/link_account_sessions/manifest";
const AUTHENTICATE: &str = "/v1/link_account_sessions/authenticate";
const COMPLETE: &str = "/v1/link_account_sessions/complete";
const PERMISSIONS: &str =
    "payment_method_options[us_bank_account][financial_connections][permissions][]";

fn with_pkg(pkg: PathBuf) -> Sandbox {
    let settings = Settings {
        pkg,
        ..Settings::for_tests()
    };
    Sandbox::with_settings(Store::open(":memory:").expect("db"), settings)
}

fn workspace_pkg() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../pkg"))
}

/// A SetupIntent the way Stripe's ACH guide creates it: no payment method yet.
async fn collecting_intent(sandbox: &Sandbox, customer: &str) -> Value {
    sandbox
        .post(
            "/v1/setup_intents",
            &format!(
                "customer={customer}&payment_method_types[]=us_bank_account\
                 &{PERMISSIONS}=payment_method&{PERMISSIONS}=balances"
            ),
        )
        .await
        .ok()
}

fn secret(object: &Value) -> &str {
    object["client_secret"].as_str().expect("client_secret")
}

/// Opens the session that collects `intent`'s bank account; returns its client secret.
async fn start_collecting(sandbox: &Sandbox, intent: &Value) -> String {
    let started = sandbox
        .browser(
            FOR_SETUP_INTENT,
            &format!(
                "client_secret={}&payment_method_data[billing_details][name]=Jenny%20Rosen\
                 &payment_method_data[billing_details][email]=jenny%40example.com",
                secret(intent)
            ),
        )
        .await
        .ok();
    assert_eq!(started["object"], "link_account_session");
    assert!(started["id"].as_str().expect("id").starts_with("fcsess_"));
    secret(&started).to_owned()
}

/// Logs in at Sandbox Bank and links `last4s`, as the component does.
async fn link_in_browser(sandbox: &Sandbox, client_secret: &str, last4s: &[&str]) -> Value {
    let cs = format!("client_secret={client_secret}");
    sandbox.browser(MANIFEST, &cs).await.ok();
    let login = sandbox
        .browser(
            AUTHENTICATE,
            &format!("{cs}&institution=fcinst_sandbox_bank&password=pass_good"),
        )
        .await
        .ok();
    assert_eq!(login["status"], "authenticated");
    let picks: String = last4s.iter().map(|l| format!("&accounts[]={l}")).collect();
    sandbox
        .browser(COMPLETE, &format!("{cs}{picks}"))
        .await
        .ok()
}

async fn retrieve_in_browser(sandbox: &Sandbox, intent: &Value) -> Value {
    let id = intent["id"].as_str().expect("id");
    sandbox
        .browser(
            &format!("/v1/setup_intents/{id}/retrieve"),
            &format!("client_secret={}", secret(intent)),
        )
        .await
        .ok()
}

#[tokio::test]
async fn the_drop_in_is_served_at_v3_and_stripe_js_as_revalidated_javascript() {
    let sandbox = with_pkg(workspace_pkg());
    for path in ["/v3/", "/v3", "/stripe.js"] {
        let reply = sandbox.request(Method::GET, path, &[], "").await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        assert_eq!(
            reply.headers["content-type"],
            "text/javascript; charset=utf-8"
        );
        assert_eq!(reply.headers["cache-control"], "no-cache");
        assert_eq!(reply.headers["x-content-type-options"], "nosniff");
        let body = reply.json.as_str().expect("a script, not JSON");
        assert!(body.contains("window.Stripe"), "{path} is the drop-in");
        assert!(
            body.contains("http://127.0.0.1:4242"),
            "the public URL is written in"
        );
        assert!(!body.contains("__RELINK_SANDBOX_ORIGIN__"));

        let etag = reply.headers["etag"].to_str().unwrap().to_owned();
        let again = sandbox
            .request(Method::GET, path, &[("if-none-match", &etag)], "")
            .await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED);
        assert_eq!(again.json, Value::Null);
    }
}

#[tokio::test]
async fn a_missing_drop_in_is_a_json_404() {
    let sandbox = with_pkg(PathBuf::from("/nonexistent/pkg"));
    let error = sandbox
        .request(Method::GET, "/v3/", &[], "")
        .await
        .err(StatusCode::NOT_FOUND);
    assert_eq!(error["type"], "invalid_request_error");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("./dev build-wasm")
    );
}

#[tokio::test]
async fn linking_an_account_for_a_setup_intent_attaches_its_payment_method() {
    let sandbox = Sandbox::new();
    let customer = sandbox.customer().await;
    let intent = collecting_intent(&sandbox, &customer).await;
    assert_eq!(intent["status"], "requires_payment_method");
    assert_eq!(intent["payment_method"], Value::Null);
    assert_eq!(
        intent["payment_method_options"]["us_bank_account"]["financial_connections"]["permissions"],
        json!(["payment_method", "balances"])
    );

    let session_secret = start_collecting(&sandbox, &intent).await;
    let manifest = sandbox
        .browser(MANIFEST, &format!("client_secret={session_secret}"))
        .await
        .ok();
    assert_eq!(
        manifest["session"]["permissions"],
        json!(["payment_method", "balances"])
    );
    assert_eq!(manifest["session"]["limits"]["accounts"], 1);
    let session = link_in_browser(&sandbox, &session_secret, &["6789"]).await;
    assert_eq!(session["status"], "succeeded");

    let collected = retrieve_in_browser(&sandbox, &intent).await;
    assert_eq!(collected["status"], "requires_confirmation");
    let pm_id = collected["payment_method"]
        .as_str()
        .expect("payment method");
    let pm = sandbox
        .get(&format!("/v1/payment_methods/{pm_id}"))
        .await
        .ok();
    assert_eq!(pm["billing_details"]["name"], "Jenny Rosen");
    assert_eq!(pm["billing_details"]["email"], "jenny@example.com");
    assert_eq!(pm["us_bank_account"]["last4"], "6789");
    let account = sandbox.account(&account_id(&session, 0)).await;
    assert_eq!(
        account["permissions"],
        json!(["payment_method", "balances"])
    );
    assert_eq!(account["account_holder"]["customer"], customer);

    let id = intent["id"].as_str().unwrap();
    let confirmed = sandbox
        .browser(
            &format!("/v1/setup_intents/{id}/confirm"),
            &format!("client_secret={}", secret(&intent)),
        )
        .await
        .ok();
    assert_eq!(confirmed["status"], "succeeded");
    assert!(
        confirmed["mandate"]
            .as_str()
            .unwrap()
            .starts_with("mandate_")
    );
    let pm = sandbox
        .get(&format!("/v1/payment_methods/{pm_id}"))
        .await
        .ok();
    assert_eq!(pm["customer"], customer);
}

#[tokio::test]
async fn linking_nothing_leaves_the_setup_intent_waiting_for_a_payment_method() {
    let sandbox = Sandbox::new();
    let customer = sandbox.customer().await;
    let intent = collecting_intent(&sandbox, &customer).await;
    let session_secret = start_collecting(&sandbox, &intent).await;
    let closed = sandbox
        .browser(COMPLETE, &format!("client_secret={session_secret}"))
        .await
        .ok();
    assert_eq!(closed["accounts"]["data"], json!([]));
    let intent = retrieve_in_browser(&sandbox, &intent).await;
    assert_eq!(intent["status"], "requires_payment_method");
    assert_eq!(intent["payment_method"], Value::Null);

    // The customer may try again with a fresh session.
    let again = start_collecting(&sandbox, &intent).await;
    link_in_browser(&sandbox, &again, &["4321"]).await;
    assert_eq!(
        retrieve_in_browser(&sandbox, &intent).await["status"],
        "requires_confirmation"
    );
}

#[tokio::test]
async fn the_complete_test_helper_also_attaches_the_collected_account() {
    let sandbox = Sandbox::new();
    let customer = sandbox.customer().await;
    let intent = collecting_intent(&sandbox, &customer).await;
    let session_secret = start_collecting(&sandbox, &intent).await;
    let session = sandbox
        .browser(MANIFEST, &format!("client_secret={session_secret}"))
        .await
        .ok()["session"]
        .clone();
    sandbox
        .post(
            &complete_path(&session),
            "institution=Sandbox%20Bank&accounts[]=2222",
        )
        .await
        .ok();
    let id = intent["id"].as_str().unwrap();
    let intent = sandbox.get(&format!("/v1/setup_intents/{id}")).await.ok();
    assert_eq!(intent["status"], "requires_confirmation");
}

#[tokio::test]
async fn collecting_for_a_setup_intent_rejects_bad_input_with_json_errors() {
    let sandbox = Sandbox::new();
    let customer = sandbox.customer().await;
    let intent = collecting_intent(&sandbox, &customer).await;
    let name = "payment_method_data[billing_details][name]=Jenny";

    let error = sandbox
        .browser(FOR_SETUP_INTENT, name)
        .await
        .err(StatusCode::BAD_REQUEST);
    assert_eq!(
        (error["code"].as_str(), error["param"].as_str()),
        (Some("parameter_missing"), Some("client_secret"))
    );

    let body = format!("client_secret={}", secret(&intent));
    let error = sandbox
        .browser(FOR_SETUP_INTENT, &body)
        .await
        .err(StatusCode::BAD_REQUEST);
    assert_eq!(error["param"], "payment_method_data[billing_details][name]");

    let unknown =
        "client_secret=seti_nope_secret_guessed&payment_method_data[billing_details][name]=J";
    let error = sandbox
        .browser(FOR_SETUP_INTENT, unknown)
        .await
        .err(StatusCode::NOT_FOUND);
    assert_eq!(error["code"], "resource_missing");
    assert!(
        !error["message"].as_str().unwrap().contains("guessed"),
        "the secret is not echoed"
    );

    let extra = format!("{body}&{name}&payment_method_data[billing_details][nickname]=1");
    let error = sandbox
        .browser(FOR_SETUP_INTENT, &extra)
        .await
        .err(StatusCode::BAD_REQUEST);
    assert_eq!(error["code"], "parameter_unknown");

    let with_secret_key = sandbox
        .post(FOR_SETUP_INTENT, &format!("{body}&{name}"))
        .await;
    assert_eq!(
        with_secret_key.err(StatusCode::UNAUTHORIZED)["type"],
        "authentication_error"
    );

    // A SetupIntent that already succeeded collects nothing more.
    let session_secret = start_collecting(&sandbox, &intent).await;
    link_in_browser(&sandbox, &session_secret, &["6789"]).await;
    let id = intent["id"].as_str().unwrap();
    sandbox
        .browser(&format!("/v1/setup_intents/{id}/confirm"), &body)
        .await
        .ok();
    let error = sandbox
        .browser(FOR_SETUP_INTENT, &format!("{body}&{name}"))
        .await
        .err(StatusCode::BAD_REQUEST);
    assert_eq!(error["code"], "setup_intent_unexpected_state");
}

#[tokio::test]
async fn setup_intent_permissions_must_be_known_and_include_payment_method() {
    let sandbox = Sandbox::new();
    let customer = sandbox.customer().await;
    let create = |permissions: &str| {
        format!("customer={customer}&payment_method_types[]=us_bank_account{permissions}")
    };
    let plain = sandbox.post("/v1/setup_intents", &create("")).await.ok();
    assert_eq!(
        plain["payment_method_options"]["us_bank_account"]["financial_connections"]["permissions"],
        json!(["payment_method"])
    );
    let error = sandbox
        .post(
            "/v1/setup_intents",
            &create(&format!("&{PERMISSIONS}=balances")),
        )
        .await
        .err(StatusCode::BAD_REQUEST);
    assert_eq!(
        error["param"],
        "payment_method_options[us_bank_account][financial_connections][permissions]"
    );
    let error = sandbox
        .post(
            "/v1/setup_intents",
            &create(&format!(
                "&{PERMISSIONS}=payment_method&{PERMISSIONS}=telepathy"
            )),
        )
        .await
        .err(StatusCode::BAD_REQUEST);
    assert_eq!(error["type"], "invalid_request_error");
}

#[tokio::test]
async fn retrieving_by_post_needs_the_matching_client_secret() {
    let sandbox = Sandbox::new();
    let customer = sandbox.customer().await;
    let intent = collecting_intent(&sandbox, &customer).await;
    let id = intent["id"].as_str().unwrap();
    let path = format!("/v1/setup_intents/{id}/retrieve");
    let error = sandbox
        .browser(&path, "")
        .await
        .err(StatusCode::BAD_REQUEST);
    assert_eq!(error["code"], "parameter_missing");
    let error = sandbox
        .browser(&path, "client_secret=seti_x_secret_y")
        .await
        .err(StatusCode::BAD_REQUEST);
    assert_eq!(error["param"], "client_secret");
    let retrieved = retrieve_in_browser(&sandbox, &intent).await;
    assert_eq!(retrieved["id"], intent["id"]);
    let expanded = sandbox
        .browser(
            &path,
            &format!("client_secret={}&expand[]=payment_method", secret(&intent)),
        )
        .await
        .ok();
    assert_eq!(expanded["payment_method"], Value::Null);
    let missing = sandbox
        .browser("/v1/setup_intents/seti_missing/retrieve", "client_secret=x")
        .await
        .err(StatusCode::NOT_FOUND);
    assert_eq!(missing["code"], "resource_missing");
}

#[tokio::test]
async fn a_bank_account_token_for_the_account_a_finished_session_linked() {
    let sandbox = Sandbox::new();
    let customer = sandbox.customer().await;
    let session = sandbox
        .post(
            "/v1/financial_connections/sessions",
            &format!("account_holder[type]=customer&account_holder[customer]={customer}&permissions[]=payment_method"),
        )
        .await
        .ok();
    let body = format!("client_secret={}", secret(&session));
    let error = sandbox
        .browser(BANK_ACCOUNT_TOKEN, &body)
        .await
        .err(StatusCode::BAD_REQUEST);
    assert!(error["message"].as_str().unwrap().contains("not finished"));

    link_in_browser(&sandbox, secret(&session), &["6789"]).await;
    let token = sandbox.browser(BANK_ACCOUNT_TOKEN, &body).await.ok();
    assert!(token["id"].as_str().unwrap().starts_with("btok_"));
    assert_eq!(token["object"], "token");
    assert_eq!(token["type"], "bank_account");
    assert_eq!(token["used"], false);
    assert_eq!(token["bank_account"]["last4"], "6789");
    assert_eq!(token["bank_account"]["account_holder_name"], "Jane");
    assert_eq!(token["bank_account"]["object"], "bank_account");

    let error = sandbox
        .browser(
            BANK_ACCOUNT_TOKEN,
            "client_secret=fcsess_client_secret_nope",
        )
        .await;
    assert_eq!(error.err(StatusCode::NOT_FOUND)["code"], "resource_missing");
    let error = sandbox
        .browser(BANK_ACCOUNT_TOKEN, "")
        .await
        .err(StatusCode::BAD_REQUEST);
    assert_eq!(error["code"], "parameter_missing");
    assert_eq!(
        sandbox.post(BANK_ACCOUNT_TOKEN, &body).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_bank_account_token_needs_a_linked_account_and_the_payment_method_permission() {
    let sandbox = Sandbox::new();
    let customer = sandbox.customer().await;
    let create = |permission: &str| {
        format!(
            "account_holder[type]=customer&account_holder[customer]={customer}&permissions[]={permission}"
        )
    };
    let nothing = sandbox
        .post(
            "/v1/financial_connections/sessions",
            &create("payment_method"),
        )
        .await
        .ok();
    sandbox
        .browser(COMPLETE, &format!("client_secret={}", secret(&nothing)))
        .await
        .ok();
    let error = sandbox
        .browser(
            BANK_ACCOUNT_TOKEN,
            &format!("client_secret={}", secret(&nothing)),
        )
        .await
        .err(StatusCode::BAD_REQUEST);
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("linked no account")
    );

    let data_only = sandbox
        .post("/v1/financial_connections/sessions", &create("balances"))
        .await
        .ok();
    link_in_browser(&sandbox, secret(&data_only), &["6789"]).await;
    let error = sandbox
        .browser(
            BANK_ACCOUNT_TOKEN,
            &format!("client_secret={}", secret(&data_only)),
        )
        .await
        .err(StatusCode::BAD_REQUEST);
    assert_eq!(error["param"], "permissions");
}

#[tokio::test]
async fn an_outage_takes_a_bank_down_until_it_is_brought_up() {
    let sandbox = Sandbox::new();
    let outage = "/v1/test_helpers/financial_connections/institutions/fcinst_sandbox_bank/outage";
    let customer = sandbox.customer().await;
    let linked = sandbox.link(&customer, "Sandbox Bank", &["6789"]).await;
    let account = sandbox.account(&account_id(&linked, 0)).await;
    let authorization = account["authorization"].as_str().unwrap();

    let down = sandbox.post(outage, "status=down").await.ok();
    assert_eq!(
        (down["id"].as_str(), down["down"].as_bool()),
        (Some("fcinst_sandbox_bank"), Some(true))
    );

    // In the browser: the bank shows as unavailable and logging in fails.
    let session = sandbox
        .post(
            "/v1/financial_connections/sessions",
            &format!(
                "account_holder[type]=customer&account_holder[customer]={customer}\
                 &permissions[]=payment_method&relink_options[authorization]={authorization}"
            ),
        )
        .await
        .ok();
    let cs = format!("client_secret={}", secret(&session));
    let manifest = sandbox.browser(MANIFEST, &cs).await.ok();
    assert_eq!(manifest["relink"]["institution"]["down"], true);
    let login = sandbox
        .browser(
            AUTHENTICATE,
            &format!("{cs}&institution=fcinst_sandbox_bank&password=pass_good"),
        )
        .await
        .ok();
    assert_eq!(login["status"], "institution_unavailable");
    let finished = sandbox.browser(COMPLETE, &cs).await.ok();
    assert_eq!(finished["relink_result"]["failure_reason"], "other");

    // The test helper's customer meets the same outage.
    let relinked = sandbox
        .relink(&customer, authorization, None, &["6789"])
        .await;
    assert_eq!(relinked["relink_result"]["failure_reason"], "other");

    let up = sandbox.post(outage, "status=up").await.ok();
    assert_eq!(up["down"], false);
    let relinked = sandbox
        .relink(&customer, authorization, None, &["6789"])
        .await;
    assert_eq!(relinked["relink_result"]["failure_reason"], Value::Null);
}

#[tokio::test]
async fn outage_requests_are_checked() {
    let sandbox = Sandbox::new();
    let path =
        |id: &str| format!("/v1/test_helpers/financial_connections/institutions/{id}/outage");
    let error = sandbox
        .post(&path("fcinst_sandbox_bank"), "status=sideways")
        .await;
    assert_eq!(error.err(StatusCode::BAD_REQUEST)["param"], "status");
    let error = sandbox.post(&path("fcinst_sandbox_bank"), "").await;
    assert_eq!(
        error.err(StatusCode::BAD_REQUEST)["code"],
        "parameter_missing"
    );
    let error = sandbox.post(&path("fcinst_nope"), "status=down").await;
    assert_eq!(error.err(StatusCode::NOT_FOUND)["code"], "resource_missing");
    let error = sandbox.post(&path("fcinst_down_bank"), "status=up").await;
    assert_eq!(error.err(StatusCode::BAD_REQUEST)["param"], "status");
    let pk = format!("Bearer {PK}");
    let with_pk = sandbox
        .request(
            Method::POST,
            &path("fcinst_sandbox_bank"),
            &[("authorization", &pk)],
            "status=down",
        )
        .await;
    assert_eq!(
        with_pk.err(StatusCode::UNAUTHORIZED)["type"],
        "authentication_error"
    );
}

#[tokio::test]
async fn the_demo_backend_makes_a_setup_intent_for_the_browser_to_collect() {
    let sandbox = Sandbox::new();
    let made = sandbox.demo("/demo/api/setup_intent", "").await.ok();
    let id = made["id"].as_str().unwrap();
    let intent = sandbox.get(&format!("/v1/setup_intents/{id}")).await.ok();
    assert_eq!(intent["status"], "requires_payment_method");
    assert_eq!(intent["customer"], "cus_demo_jennyrosen");
    assert_eq!(
        intent["payment_method_options"]["us_bank_account"]["financial_connections"]["permissions"],
        json!(["payment_method", "balances"])
    );
    let error = sandbox
        .demo("/demo/api/setup_intent", "account=fca_nope")
        .await
        .err(StatusCode::NOT_FOUND);
    assert_eq!(error["code"], "resource_missing");
}
