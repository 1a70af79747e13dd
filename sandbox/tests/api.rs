//! The secret-key REST API: auth, error envelopes, sessions, accounts, versions, test helpers,
//! persistence, and a real socket.

mod common;

use axum::http::{Method, StatusCode};
use common::{Sandbox, account_id};
use serde_json::{Value, json};

#[tokio::test]
async fn requests_without_a_valid_secret_key_are_rejected() {
    let sandbox = Sandbox::new();
    let none = sandbox
        .request(Method::GET, "/v1/customers/cus_x", &[], "")
        .await;
    assert_eq!(
        none.err(StatusCode::UNAUTHORIZED)["type"],
        "authentication_error"
    );

    let wrong = sandbox
        .request(
            Method::GET,
            "/v1/customers/cus_x",
            &[("authorization", "Bearer sk_test_wrongwrongwrong9999")],
            "",
        )
        .await
        .err(StatusCode::UNAUTHORIZED);
    assert_eq!(wrong["type"], "authentication_error");
    let message = wrong["message"].as_str().unwrap();
    assert!(
        message.contains("9999") && !message.contains("wrongwrong"),
        "{message}"
    );

    let publishable = sandbox
        .request(
            Method::POST,
            "/v1/customers",
            &[("authorization", &format!("Bearer {}", common::PK))],
            "",
        )
        .await;
    assert_eq!(
        publishable.err(StatusCode::UNAUTHORIZED)["type"],
        "authentication_error"
    );

    // HTTP basic with the key as user name, as the Stripe SDKs and curl -u send it.
    use base64::Engine;
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{}:", common::SK));
    let ok = sandbox
        .request(
            Method::POST,
            "/v1/customers",
            &[("authorization", &format!("Basic {basic}"))],
            "name=Basic",
        )
        .await
        .ok();
    assert_eq!(ok["object"], "customer");
}

#[tokio::test]
async fn errors_are_stripe_envelopes_and_every_response_has_a_request_id() {
    let sandbox = Sandbox::new();
    let unknown_route = sandbox.get("/v1/nope").await;
    let request_id = unknown_route.headers["request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(request_id.starts_with("req_"));
    let error = unknown_route.err(StatusCode::NOT_FOUND);
    assert_eq!(error["type"], "invalid_request_error");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("Unrecognized request URL")
    );

    let wrong_method = sandbox
        .request(Method::DELETE, "/v1/customers", &[], "")
        .await;
    assert_eq!(
        wrong_method.err(StatusCode::NOT_FOUND)["type"],
        "invalid_request_error"
    );

    let unknown_param = sandbox
        .post("/v1/customers", "email=a%40b.co&nmae=Jenny")
        .await
        .err(StatusCode::BAD_REQUEST);
    assert_eq!(unknown_param["code"], "parameter_unknown");
    assert_eq!(unknown_param["param"], "nmae");

    let bad_email = sandbox
        .post("/v1/customers", "email=not-an-email")
        .await
        .err(StatusCode::BAD_REQUEST);
    assert_eq!(bad_email["code"], "email_invalid");

    let missing = sandbox
        .get("/v1/customers/cus_missing")
        .await
        .err(StatusCode::NOT_FOUND);
    assert_eq!(missing["code"], "resource_missing");

    let malformed = sandbox
        .post("/v1/customers", "name[=x")
        .await
        .err(StatusCode::BAD_REQUEST);
    assert_eq!(malformed["type"], "invalid_request_error");

    let huge = "name=".to_owned() + &"x".repeat(100_000);
    let too_big = sandbox.post("/v1/customers", &huge).await;
    assert_eq!(too_big.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(too_big.json["error"]["type"], "invalid_request_error");

    let health = sandbox.request(Method::GET, "/healthz", &[], "").await;
    assert_eq!(health.status, StatusCode::OK);
    assert!(health.headers.contains_key("request-id"));
}

#[tokio::test]
async fn sessions_validate_their_parameters() {
    let sandbox = Sandbox::new();
    let customer = sandbox.customer().await;
    let holder = format!("account_holder[type]=customer&account_holder[customer]={customer}");

    let missing = sandbox
        .post("/v1/financial_connections/sessions", &holder)
        .await
        .err(StatusCode::BAD_REQUEST);
    assert_eq!(
        (missing["code"].as_str(), missing["param"].as_str()),
        (Some("parameter_missing"), Some("permissions"))
    );

    let bad_enum = sandbox
        .post(
            "/v1/financial_connections/sessions",
            &format!("{holder}&permissions[]=everything"),
        )
        .await
        .err(StatusCode::BAD_REQUEST);
    assert_eq!(bad_enum["type"], "invalid_request_error");
    assert_eq!(bad_enum["param"], "permissions");

    let no_customer = sandbox
        .post(
            "/v1/financial_connections/sessions",
            "account_holder[type]=customer&account_holder[customer]=cus_nope&permissions[]=balances",
        )
        .await
        .err(StatusCode::NOT_FOUND);
    assert_eq!(no_customer["param"], "account_holder[customer]");

    let plain = sandbox
        .post(
            "/v1/financial_connections/sessions",
            &format!("{holder}&permissions[0]=payment_method&permissions[1]=balances&return_url=https%3A%2F%2Fexample.com"),
        )
        .await
        .ok();
    assert!(plain["id"].as_str().unwrap().starts_with("fcsess_"));
    assert!(
        plain["client_secret"]
            .as_str()
            .unwrap()
            .starts_with("fcsess_client_secret_")
    );
    assert_eq!(
        plain["accounts"],
        json!({"object": "list", "data": [], "has_more": false, "url": "/v1/financial_connections/accounts"})
    );
    assert_eq!(plain["permissions"], json!(["payment_method", "balances"]));
    assert_eq!(plain["status"], "pending");
    assert_eq!(plain["relink_options"], json!(null));
    assert_eq!(plain["relink_result"], json!(null));
    assert_eq!(
        plain["account_holder"],
        json!({"type": "customer", "customer": customer})
    );

    // A relink session for an account on another authorization is refused.
    let first = sandbox.link(&customer, "Sandbox Bank", &["6789"]).await;
    let second = sandbox.link(&customer, "Sandbox Bank", &["4321"]).await;
    let first_account = sandbox.account(&account_id(&first, 0)).await;
    let authorization = first_account["authorization"].as_str().unwrap();
    let other_account = account_id(&second, 0);
    let mismatch = sandbox
        .post(
            "/v1/financial_connections/sessions",
            &format!("{holder}&permissions[]=payment_method&relink_options[authorization]={authorization}&relink_options[account]={other_account}"),
        )
        .await
        .err(StatusCode::BAD_REQUEST);
    assert_eq!(mismatch["param"], "relink_options[account]");

    let unknown_authorization = sandbox
        .post(
            "/v1/financial_connections/sessions",
            &format!(
                "{holder}&permissions[]=payment_method&relink_options[authorization]=fcauth_nope"
            ),
        )
        .await
        .err(StatusCode::NOT_FOUND);
    assert_eq!(
        unknown_authorization["param"],
        "relink_options[authorization]"
    );

    let account_without_authorization = sandbox
        .post(
            "/v1/financial_connections/sessions",
            &format!(
                "{holder}&permissions[]=payment_method&relink_options[account]={other_account}"
            ),
        )
        .await
        .err(StatusCode::BAD_REQUEST);
    assert_eq!(
        account_without_authorization["param"],
        "relink_options[authorization]"
    );

    // Relink sessions default to one checking or savings account.
    let relink = sandbox
        .post(
            "/v1/financial_connections/sessions",
            &format!("{holder}&permissions[]=payment_method&relink_options[authorization]={authorization}"),
        )
        .await
        .ok();
    assert_eq!(relink["limits"], json!({"accounts": 1}));
    assert_eq!(
        relink["filters"],
        json!({"account_subcategories": ["checking", "savings"], "country": null})
    );
    assert_eq!(
        relink["relink_options"],
        json!({"authorization": authorization, "account": null})
    );

    let fetched = sandbox
        .get(&format!(
            "/v1/financial_connections/sessions/{}",
            relink["id"].as_str().unwrap()
        ))
        .await
        .ok();
    assert_eq!(fetched["id"], relink["id"]);
}

#[tokio::test]
async fn preview_fields_render_only_for_preview_versions() {
    let sandbox = Sandbox::new();
    let customer = sandbox.customer().await;
    let session = sandbox.link(&customer, "Sandbox Bank", &["6789"]).await;
    let id = account_id(&session, 0);
    let uri = format!("/v1/financial_connections/accounts/{id}");

    let preview = sandbox.get_versioned(&uri, "2026-04-22.preview").await.ok();
    assert!(
        preview["authorization"]
            .as_str()
            .unwrap()
            .starts_with("fcauth_")
    );
    assert_eq!(preview["status_details"], json!({}));
    assert_eq!(
        preview["account_numbers"][0]["supported_networks"],
        json!(["ach"])
    );

    let ga = sandbox.get_versioned(&uri, "2025-03-31.basil").await.ok();
    assert_eq!(ga["id"], preview["id"]);
    assert!(ga.get("authorization").is_none());
    assert!(ga.get("status_details").is_none());

    let session_uri = format!(
        "/v1/financial_connections/sessions/{}",
        session["id"].as_str().unwrap()
    );
    let ga_session = sandbox
        .get_versioned(&session_uri, "2025-03-31.basil")
        .await
        .ok();
    assert!(ga_session.get("relink_options").is_none());
    assert!(ga_session.get("status").is_none());
    let default_session = sandbox.get(&session_uri).await.ok();
    assert_eq!(default_session["status"], "succeeded");

    let authorization = preview["authorization"].as_str().unwrap();
    let auth_uri = format!("/v1/financial_connections/authorizations/{authorization}");
    let fetched = sandbox
        .get_versioned(&auth_uri, "2026-04-22.preview")
        .await
        .ok();
    assert_eq!(fetched["object"], "financial_connections.authorization");
    assert_eq!(fetched["institution"], "fcinst_sandbox_bank");
    assert_eq!(fetched["institution_name"], "Sandbox Bank");
    assert_eq!(fetched["status"], "active");
    assert_eq!(fetched["status_details"], json!({}));
    sandbox
        .get_versioned(&auth_uri, "2025-03-31.basil")
        .await
        .err(StatusCode::NOT_FOUND);

    let bogus = sandbox
        .get_versioned(&uri, "whenever")
        .await
        .err(StatusCode::BAD_REQUEST);
    assert_eq!(bogus["type"], "invalid_request_error");
}

#[tokio::test]
async fn test_helper_completion_and_listing() {
    let sandbox = Sandbox::new();
    let customer = sandbox.customer().await;
    let session = sandbox
        .link(&customer, "fcinst_sandbox_bank", &["6789", "4321", "2222"])
        .await;
    assert_eq!(session["status"], "succeeded");
    assert_eq!(session["accounts"]["data"].as_array().unwrap().len(), 3);
    let first = &session["accounts"]["data"][0];
    assert_eq!(first["last4"], "6789");
    assert_eq!(first["institution_name"], "Sandbox Bank");
    assert_eq!(first["subcategory"], "checking");
    assert_eq!(first["category"], "cash");
    assert_eq!(first["status"], "active");
    assert_eq!(first["permissions"], json!(["payment_method", "balances"]));

    let list = sandbox
        .get(&format!(
            "/v1/financial_connections/accounts?account_holder[customer]={customer}&limit=2"
        ))
        .await
        .ok();
    assert_eq!(list["object"], "list");
    assert_eq!(list["has_more"], true);
    let page: Vec<&str> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(page.len(), 2);
    let next = sandbox
        .get(&format!("/v1/financial_connections/accounts?account_holder[customer]={customer}&limit=2&starting_after={}", page[1]))
        .await
        .ok();
    assert_eq!(next["has_more"], false);
    assert_eq!(next["data"].as_array().unwrap().len(), 1);
    let last = next["data"][0]["id"].as_str().unwrap();
    let back = sandbox
        .get(&format!("/v1/financial_connections/accounts?account_holder[customer]={customer}&limit=1&ending_before={last}"))
        .await
        .ok();
    assert_eq!(back["data"][0]["id"], page[1]);
    assert_eq!(back["has_more"], true);
    let everyone = sandbox
        .get("/v1/financial_connections/accounts?limit=100")
        .await
        .ok();
    assert_eq!(
        everyone["data"].as_array().unwrap().len(),
        5,
        "3 linked + 2 demo accounts"
    );
    let unknown_cursor = sandbox
        .get("/v1/financial_connections/accounts?starting_after=fca_nope")
        .await
        .err(StatusCode::NOT_FOUND);
    assert_eq!(unknown_cursor["param"], "starting_after");

    let by_session = sandbox
        .get(&format!(
            "/v1/financial_connections/accounts?session={}",
            session["id"].as_str().unwrap()
        ))
        .await
        .ok();
    assert_eq!(by_session["data"].as_array().unwrap().len(), 3);

    // Credit cards cannot back a payment method.
    let s = sandbox
        .post(
            "/v1/financial_connections/sessions",
            &format!("account_holder[type]=customer&account_holder[customer]={customer}&permissions[]=payment_method"),
        )
        .await
        .ok();
    let complete = common::complete_path(&s);
    let ineligible = sandbox
        .post(&complete, "accounts[]=1111")
        .await
        .err(StatusCode::BAD_REQUEST);
    assert_eq!(ineligible["param"], "accounts");
    let abandoned = sandbox
        .post(&complete, "authentication=abandoned")
        .await
        .ok();
    assert_eq!(abandoned["status"], "cancelled");
    assert_eq!(abandoned["accounts"]["data"], json!([]));
    let again = sandbox
        .post(&complete, "")
        .await
        .err(StatusCode::BAD_REQUEST);
    assert_eq!(again["code"], "token_already_used");
}

#[tokio::test]
async fn deactivation_causes_and_authorization_relink_reactivates_siblings() {
    let sandbox = Sandbox::new();
    let customer = sandbox.customer().await;
    let session = sandbox
        .link(&customer, "Sandbox Bank", &["6789", "4321", "2222"])
        .await;
    let (checking, savings, joint) = (
        account_id(&session, 0),
        account_id(&session, 1),
        account_id(&session, 2),
    );

    let closed = sandbox.deactivate(&joint, "cause=account_closed").await;
    assert_eq!(closed["status"], "inactive");
    assert_eq!(
        closed["status_details"]["inactive"],
        json!({"action": "none", "cause": "account_closed"})
    );
    assert_eq!(sandbox.account(&checking).await["status"], "active");

    let expired = sandbox.deactivate(&checking, "cause=access_denied").await;
    assert_eq!(
        expired["status_details"]["inactive"],
        json!({"action": "relink_required", "cause": "access_denied"})
    );
    let sibling = sandbox.account(&savings).await;
    assert_eq!(sibling["status"], "inactive");
    assert_eq!(
        sibling["status_details"]["inactive"]["action"],
        "relink_required"
    );
    // The closed account keeps its own, more specific cause.
    assert_eq!(
        sandbox.account(&joint).await["status_details"]["inactive"]["cause"],
        "account_closed"
    );
    let authorization = expired["authorization"].as_str().unwrap().to_owned();
    let auth = sandbox
        .get(&format!(
            "/v1/financial_connections/authorizations/{authorization}"
        ))
        .await
        .ok();
    assert_eq!(auth["status"], "inactive");
    assert_eq!(auth["status_details"]["inactive"]["cause"], "access_denied");

    let bad_cause = sandbox
        .post(
            &format!("/v1/test_helpers/financial_connections/accounts/{checking}/deactivate"),
            "cause=bored",
        )
        .await
        .err(StatusCode::BAD_REQUEST);
    assert_eq!(bad_cause["param"], "cause");

    // Relink the authorization with the savings account, without naming an account.
    let relink = sandbox
        .post(
            "/v1/financial_connections/sessions",
            &format!("account_holder[type]=customer&account_holder[customer]={customer}&permissions[]=payment_method&permissions[]=transactions&relink_options[authorization]={authorization}"),
        )
        .await
        .ok();
    let complete = common::complete_path(&relink);
    let forbidden = sandbox
        .post(&complete, "institution=Sandbox%20Bank&accounts[]=4321")
        .await
        .err(StatusCode::BAD_REQUEST);
    assert_eq!(forbidden["param"], "institution");
    let done = sandbox.post(&complete, "accounts[]=4321").await.ok();
    assert_eq!(done["status"], "succeeded");
    assert_eq!(
        done["relink_result"],
        json!({"account": null, "authorization": authorization, "failure_reason": null})
    );
    assert_eq!(
        account_id(&done, 0),
        savings,
        "picking an existing account updates it"
    );
    let savings_now = sandbox.account(&savings).await;
    assert_eq!(savings_now["status"], "active");
    assert_eq!(
        savings_now["permissions"],
        json!(["payment_method", "transactions"])
    );
    assert_eq!(
        sandbox.account(&checking).await["status"],
        "active",
        "sibling reactivated"
    );
    assert_eq!(
        sandbox.account(&joint).await["status"],
        "inactive",
        "closed stays closed"
    );
    let auth = sandbox
        .get(&format!(
            "/v1/financial_connections/authorizations/{authorization}"
        ))
        .await
        .ok();
    assert_eq!(auth["status"], "active");
}

#[tokio::test]
async fn authorization_relink_with_a_new_account_creates_it_on_the_same_authorization() {
    let sandbox = Sandbox::new();
    let customer = sandbox.customer().await;
    let session = sandbox
        .link(&customer, "Tokenized Account Numbers", &["6789"])
        .await;
    let original = sandbox.account(&account_id(&session, 0)).await;
    assert_eq!(
        original["account_numbers"][0]["identifier_type"],
        "tokenized_account_number"
    );
    assert!(original["account_numbers"][0]["expected_expiry_date"].is_i64());
    let authorization = original["authorization"].as_str().unwrap();
    let relink = sandbox
        .post(
            "/v1/financial_connections/sessions",
            &format!("account_holder[type]=customer&account_holder[customer]={customer}&permissions[]=payment_method&relink_options[authorization]={authorization}"),
        )
        .await
        .ok();
    let done = sandbox
        .post(&common::complete_path(&relink), "accounts[]=4321")
        .await
        .ok();
    let new_id = account_id(&done, 0);
    assert_ne!(new_id, original["id"].as_str().unwrap());
    let new = sandbox.account(&new_id).await;
    assert_eq!(new["authorization"], authorization);
    assert_eq!(new["last4"], "4321");
}

#[tokio::test]
async fn down_bank_links_nothing_and_outages_fail_relinks_with_other() {
    let sandbox = Sandbox::new();
    let customer = sandbox.customer().await;
    let down = sandbox.link(&customer, "Down Bank", &["6789"]).await;
    assert_eq!(down["status"], "failed");
    assert_eq!(down["accounts"]["data"], json!([]));

    let session = sandbox.link(&customer, "Sandbox Bank", &["6789"]).await;
    let account = sandbox.account(&account_id(&session, 0)).await;
    let authorization = account["authorization"].as_str().unwrap();
    let relink = sandbox
        .post(
            "/v1/financial_connections/sessions",
            &format!("account_holder[type]=customer&account_holder[customer]={customer}&permissions[]=payment_method&relink_options[authorization]={authorization}&relink_options[account]={}", account["id"].as_str().unwrap()),
        )
        .await
        .ok();
    let done = sandbox
        .post(
            &common::complete_path(&relink),
            "authentication=institution_down&accounts[]=6789",
        )
        .await
        .ok();
    assert_eq!(done["status"], "failed");
    assert_eq!(
        done["relink_result"],
        json!({"account": null, "authorization": null, "failure_reason": "other"})
    );
}

#[tokio::test]
async fn nothing_is_lost_across_reopening_a_file_database() {
    let dir = std::env::temp_dir().join(format!(
        "relink-sandbox-test-{}",
        relink_sandbox::ids::new_id("t")
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("sandbox.db");
    let path = path.to_str().unwrap();
    let (customer, session_id) = {
        let sandbox = Sandbox::with_store(relink_sandbox::store::Store::open(path).unwrap());
        let customer = sandbox.customer().await;
        let session = sandbox.link(&customer, "Sandbox Bank", &["6789"]).await;
        (customer, session["id"].as_str().unwrap().to_owned())
    };
    let reopened = Sandbox::with_store(relink_sandbox::store::Store::open(path).unwrap());
    assert_eq!(
        reopened
            .get(&format!("/v1/customers/{customer}"))
            .await
            .ok()["id"],
        customer.as_str()
    );
    let session = reopened
        .get(&format!("/v1/financial_connections/sessions/{session_id}"))
        .await
        .ok();
    assert_eq!(session["status"], "succeeded");
    assert_eq!(session["accounts"]["data"].as_array().unwrap().len(), 1);
    // Seeding happens once: the demo customer still has exactly its two accounts.
    let demo = reopened
        .request(Method::GET, "/demo/api/accounts", &[], "")
        .await
        .ok();
    assert_eq!(demo["accounts"].as_array().unwrap().len(), 2);
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn unusable_database_paths_are_errors() {
    let err = relink_sandbox::store::Store::open("/nonexistent-dir/for/sure/x.db").unwrap_err();
    assert!(err.to_string().contains("cannot open database"));
}

#[tokio::test]
async fn serves_on_a_real_socket() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let sandbox = Sandbox::new();
    let server = tokio::spawn(async move { axum::serve(listener, sandbox.app).await });
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.to_ascii_lowercase().contains("request-id: req_"));
    server.abort();
}

#[tokio::test]
async fn idempotency_keys_replay_the_first_response() {
    let sandbox = Sandbox::new();
    let auth = format!("Bearer {}", common::SK);
    let headers = [
        ("authorization", auth.as_str()),
        ("idempotency-key", "key-1"),
    ];
    let first = sandbox
        .request(Method::POST, "/v1/customers", &headers, "name=Once")
        .await;
    assert!(!first.headers.contains_key("idempotent-replayed"));
    let first = first.ok();
    let again = sandbox
        .request(Method::POST, "/v1/customers", &headers, "name=Once")
        .await;
    assert_eq!(again.headers["idempotent-replayed"], "true");
    assert_eq!(again.ok()["id"], first["id"]);

    let different = sandbox
        .request(Method::POST, "/v1/customers", &headers, "name=Twice")
        .await
        .err(StatusCode::BAD_REQUEST);
    assert_eq!(different["type"], "idempotency_error");

    // A validation error is not stored: the corrected retry goes through.
    let fix = [
        ("authorization", auth.as_str()),
        ("idempotency-key", "key-2"),
    ];
    sandbox
        .request(Method::POST, "/v1/customers", &fix, "nmae=Typo")
        .await
        .err(StatusCode::BAD_REQUEST);
    let fixed = sandbox
        .request(Method::POST, "/v1/customers", &fix, "nmae=Typo&name=x")
        .await;
    assert_eq!(
        fixed.err(StatusCode::BAD_REQUEST)["type"],
        "invalid_request_error"
    );
    let fixed = sandbox
        .request(Method::POST, "/v1/customers", &fix, "name=Fixed")
        .await
        .ok();
    assert_eq!(fixed["name"], "Fixed");
}

#[tokio::test]
async fn serves_the_demo_site_and_the_package() {
    let dir = std::env::temp_dir().join(relink_sandbox::ids::new_id("static"));
    std::fs::create_dir_all(dir.join("www")).unwrap();
    std::fs::create_dir_all(dir.join("pkg")).unwrap();
    std::fs::write(
        dir.join("www/index.html"),
        "<!doctype html><title>demo</title>",
    )
    .unwrap();
    std::fs::write(dir.join("pkg/relink_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
    let mut settings = relink_sandbox::config::Settings::for_tests();
    settings.www = dir.join("www");
    settings.pkg = dir.join("pkg");
    let sandbox = Sandbox::with_settings(
        relink_sandbox::store::Store::open(":memory:").unwrap(),
        settings,
    );
    let index = sandbox.request(Method::GET, "/", &[], "").await;
    assert_eq!(index.status, StatusCode::OK);
    assert!(index.json.as_str().unwrap().contains("demo"));
    let wasm = sandbox
        .request(Method::GET, "/pkg/relink_bg.wasm", &[], "")
        .await;
    assert_eq!(wasm.status, StatusCode::OK);
    assert_eq!(wasm.headers["content-type"], "application/wasm");
    let missing = sandbox.request(Method::GET, "/pkg/nope.js", &[], "").await;
    assert_eq!(
        missing.err(StatusCode::NOT_FOUND)["type"],
        "invalid_request_error"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn refresh_and_disconnect() {
    let sandbox = Sandbox::new();
    let customer = sandbox.customer().await;
    let session = sandbox.link(&customer, "Sandbox Bank", &["6789"]).await;
    let id = account_id(&session, 0);
    let refresh = format!("/v1/financial_connections/accounts/{id}/refresh");

    let missing = sandbox
        .post(&refresh, "")
        .await
        .err(StatusCode::BAD_REQUEST);
    assert_eq!(missing["code"], "parameter_missing");
    let no_permission = sandbox
        .post(&refresh, "features[]=transactions")
        .await
        .err(StatusCode::BAD_REQUEST);
    assert_eq!(no_permission["param"], "features");
    let refreshed = sandbox.post(&refresh, "features[]=balance").await.ok();
    assert_eq!(refreshed["balance_refresh"]["status"], "succeeded");
    assert_eq!(refreshed["balance"]["cash"]["available"]["usd"], 10_000);

    sandbox.deactivate(&id, "cause=access_expired").await;
    let inactive = sandbox
        .post(&refresh, "features[]=balance")
        .await
        .err(StatusCode::BAD_REQUEST);
    assert_eq!(inactive["code"], "financial_connections_account_inactive");

    let disconnected = sandbox
        .post(
            &format!("/v1/financial_connections/accounts/{id}/disconnect"),
            "",
        )
        .await
        .ok();
    assert_eq!(disconnected["status"], "disconnected");
    assert_eq!(disconnected["status_details"], json!({}));
}

#[tokio::test]
async fn events_record_deactivation_and_reactivation_and_only_catalog_types() {
    let sandbox = Sandbox::new();
    let customer = sandbox.customer().await;
    let session = sandbox
        .link(&customer, "Sandbox Bank", &["6789", "4321"])
        .await;
    let (checking, savings) = (account_id(&session, 0), account_id(&session, 1));
    let deactivated = sandbox.deactivate(&checking, "cause=access_expired").await;
    let list = sandbox
        .get("/v1/events?type=financial_connections.account.deactivated")
        .await
        .ok();
    let events = list["data"].as_array().unwrap();
    assert_eq!(events.len(), 2, "both accounts on the authorization");
    assert_eq!(events[0]["object"], "event");
    assert_eq!(events[0]["data"]["previous_attributes"]["status"], "active");
    assert_eq!(
        events[0]["data"]["object"]["status_details"]["inactive"]["action"],
        "relink_required"
    );

    let authorization = deactivated["authorization"].as_str().unwrap();
    let relink = sandbox
        .relink(&customer, authorization, Some(&checking), &["6789"])
        .await;
    let reactivated = sandbox
        .get("/v1/events?type=financial_connections.account.reactivated")
        .await
        .ok();
    let mut ids: Vec<&str> = reactivated["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["data"]["object"]["id"].as_str().unwrap())
        .collect();
    ids.sort_unstable();
    let mut expected = vec![checking.as_str(), savings.as_str()];
    expected.sort_unstable();
    assert_eq!(
        ids, expected,
        "relinking one account reactivates its sibling too"
    );

    assert_eq!(relink["relink_result"]["account"], checking.as_str());

    // Stripe's catalog has no session event: merchants retrieve the session instead.
    let sessions = sandbox
        .get("/v1/events?type=financial_connections.session.*")
        .await
        .ok();
    assert_eq!(sessions["data"], json!([]));
    let all = sandbox.get("/v1/events?limit=100").await.ok();
    for event in all["data"].as_array().unwrap() {
        let kind = event["type"].as_str().unwrap();
        assert!(
            relink_sandbox::objects::event_types::exists(kind),
            "{kind} is not in Stripe's event catalog"
        );
        assert!(
            event["data"].get("previous_attributes") != Some(&serde_json::Value::Null),
            "previous_attributes is omitted, never null: {event}"
        );
    }
    let latest = &all["data"][0];
    let one = sandbox
        .get(&format!("/v1/events/{}", latest["id"].as_str().unwrap()))
        .await
        .ok();
    assert_eq!(one["id"], latest["id"]);
}

#[tokio::test]
async fn the_clock_expires_tans_and_relinking_issues_fresh_ones() {
    let sandbox = Sandbox::new();
    let customer = sandbox.customer().await;
    let session = sandbox
        .link(&customer, "Tokenized Account Numbers", &["6789"])
        .await;
    let id = account_id(&session, 0);
    let before = sandbox.get("/v1/test_helpers/clock").await.ok();
    assert_eq!(before["offset_seconds"], 0);

    let advanced = sandbox
        .post("/v1/test_helpers/clock", "seconds=1814400")
        .await
        .ok(); // 21 days
    assert_eq!(advanced["offset_seconds"], 1_814_400);
    let expired = sandbox.account(&id).await;
    assert_eq!(expired["account_numbers"][0]["status"], "deactivated");
    let events = sandbox
        .get("/v1/events?type=financial_connections.account.account_numbers_updated")
        .await
        .ok();
    assert_eq!(events["data"].as_array().unwrap().len(), 1);

    let authorization = expired["authorization"].as_str().unwrap();
    sandbox
        .relink(&customer, authorization, Some(&id), &["6789"])
        .await;
    let fresh = sandbox.account(&id).await;
    assert_eq!(fresh["account_numbers"][0]["status"], "transactable");
    let now = sandbox.get("/v1/test_helpers/clock").await.ok()["now"]
        .as_i64()
        .unwrap();
    assert!(
        fresh["account_numbers"][0]["expected_expiry_date"]
            .as_i64()
            .unwrap()
            > now
    );

    let helper =
        format!("/v1/test_helpers/financial_connections/accounts/{id}/expire_account_numbers");
    let deactivated = sandbox.post(&helper, "status=deactivated").await.ok();
    assert_eq!(deactivated["account_numbers"][0]["status"], "deactivated");
    let neither = sandbox.post(&helper, "").await.err(StatusCode::BAD_REQUEST);
    assert_eq!(neither["type"], "invalid_request_error");

    let plain = sandbox.link(&customer, "Sandbox Bank", &["6789"]).await;
    let no_tans = sandbox
        .post(
            &format!(
                "/v1/test_helpers/financial_connections/accounts/{}/expire_account_numbers",
                account_id(&plain, 0)
            ),
            "expected_expiry_date=1",
        )
        .await
        .err(StatusCode::BAD_REQUEST);
    assert!(no_tans["message"].as_str().unwrap().contains("tokenized"));
}

#[tokio::test]
async fn idempotency_keys_expire_after_a_day_of_sandbox_time() {
    let sandbox = Sandbox::new();
    let auth = format!("Bearer {}", common::SK);
    let headers = [
        ("authorization", auth.as_str()),
        ("idempotency-key", "daily"),
    ];
    let first = sandbox
        .request(Method::POST, "/v1/customers", &headers, "name=A")
        .await
        .ok();
    sandbox
        .post("/v1/test_helpers/clock", "seconds=90000")
        .await
        .ok();
    let later = sandbox
        .request(Method::POST, "/v1/customers", &headers, "name=A")
        .await;
    assert!(!later.headers.contains_key("idempotent-replayed"));
    assert_ne!(later.ok()["id"], first["id"]);
}

#[tokio::test]
async fn an_expiring_tokenized_account_number_is_announced_once() {
    let sandbox = Sandbox::new();
    let customer = sandbox.customer().await;
    let session = sandbox
        .link(&customer, "Tokenized Account Numbers", &["6789"])
        .await;
    let account = account_id(&session, 0);
    let upcoming = |events: &Value| {
        events["data"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["type"] == "financial_connections.account.upcoming_account_number_expiry")
            .filter(|e| e["data"]["object"]["id"] == account.as_str())
            .count()
    };
    sandbox
        .post("/v1/test_helpers/clock", "seconds=60")
        .await
        .ok();
    sandbox
        .post("/v1/test_helpers/clock", "seconds=60")
        .await
        .ok();
    let events = sandbox.get("/v1/events?limit=100").await.ok();
    assert_eq!(upcoming(&events), 1);
}

#[tokio::test]
async fn cors_answers_localhost_and_configured_origins_only() {
    let mut settings = relink_sandbox::config::Settings::for_tests();
    settings.cors_origins = vec!["https://dev.example.com".into()];
    let sandbox = Sandbox::with_settings(
        relink_sandbox::store::Store::open(":memory:").unwrap(),
        settings,
    );
    let allowed = |origin: &'static str| {
        let sandbox = &sandbox;
        async move {
            let reply = sandbox
                .request(Method::GET, "/healthz", &[("origin", origin)], "")
                .await;
            reply
                .headers
                .get("access-control-allow-origin")
                .map(|value| value.to_str().unwrap().to_owned())
        }
    };
    assert_eq!(
        allowed("http://localhost:5173").await.as_deref(),
        Some("http://localhost:5173")
    );
    assert_eq!(
        allowed("https://dev.example.com").await.as_deref(),
        Some("https://dev.example.com")
    );
    assert_eq!(allowed("https://evil.example").await, None);
}

#[tokio::test]
async fn events_are_rendered_in_the_requests_version() {
    let sandbox = Sandbox::new();
    let customer = sandbox.customer().await;
    let session = sandbox.link(&customer, "Sandbox Bank", &["6789"]).await;
    let account = account_id(&session, 0);
    sandbox.deactivate(&account, "cause=access_expired").await;
    let deactivated = "/v1/events?type=financial_connections.account.deactivated";
    let preview = sandbox.get(deactivated).await.ok();
    let object = &preview["data"][0]["data"]["object"];
    assert_eq!(
        object["status_details"]["inactive"]["action"],
        "relink_required"
    );

    let ga = sandbox
        .get_versioned(deactivated, "2025-03-31.basil")
        .await
        .ok();
    assert_eq!(ga["data"][0]["api_version"], "2025-03-31.basil");
    let object = &ga["data"][0]["data"]["object"];
    assert_eq!(object["status"], "inactive");
    assert!(object.get("status_details").is_none());
    assert!(object.get("authorization").is_none());
}
