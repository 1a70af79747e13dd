//! Connect: connected accounts, `Stripe-Account` scoping, connected account holders and the
//! payouts flow's external account.

mod common;

use axum::http::{Method, StatusCode};
use common::{Reply, SK, Sandbox, account_id, complete_path};
use serde_json::{Value, json};

/// A request with the secret key acting for `account` (`Stripe-Account`).
async fn as_account(
    sandbox: &Sandbox,
    account: &str,
    method: Method,
    uri: &str,
    body: &str,
) -> Reply {
    let auth = format!("Bearer {SK}");
    sandbox
        .request(
            method,
            uri,
            &[("authorization", &auth), ("stripe-account", account)],
            body,
        )
        .await
}

async fn connected_account(sandbox: &Sandbox, email: &str) -> Value {
    sandbox
        .post(
            "/v1/accounts",
            &format!("email={}&type=custom&country=US", email.replace('@', "%40")),
        )
        .await
        .ok()
}

/// A new connected account's `acct_…`.
async fn connected_account_id(sandbox: &Sandbox, email: &str) -> String {
    connected_account(sandbox, email).await["id"]
        .as_str()
        .expect("acct_ id")
        .to_owned()
}

/// A broken (`Inactive accounts`) FC account held by the connected account `holder`, linked by
/// the platform; its `fca_…`.
async fn broken_account_held_by(sandbox: &Sandbox, holder: &str) -> String {
    let session = sandbox
        .post(
            "/v1/financial_connections/sessions",
            &format!(
                "account_holder[type]=account&account_holder[account]={holder}\
                 &permissions[]=payment_method"
            ),
        )
        .await
        .ok();
    let done = sandbox
        .post(
            &complete_path(&session),
            "institution=Inactive%20accounts&accounts[]=6789",
        )
        .await
        .ok();
    account_id(&done, 0)
}

/// A session for a new customer of `account`, made acting for that account.
async fn session_for_a_customer_of(sandbox: &Sandbox, account: &str) -> Value {
    let customer = as_account(
        sandbox,
        account,
        Method::POST,
        "/v1/customers",
        "email=j%40example.com",
    )
    .await
    .ok();
    as_account(
        sandbox,
        account,
        Method::POST,
        "/v1/financial_connections/sessions",
        &format!(
            "account_holder[type]=customer&account_holder[customer]={}\
             &permissions[]=payment_method",
            customer["id"].as_str().expect("cus_ id")
        ),
    )
    .await
    .ok()
}

#[tokio::test]
async fn connected_accounts_are_created_and_retrieved_with_stripes_shape() {
    let sandbox = Sandbox::new();
    let account = connected_account(&sandbox, "pat@example.com").await;
    let id = account["id"].as_str().unwrap();
    assert!(id.starts_with("acct_"));
    for (field, value) in [
        ("object", json!("account")),
        ("email", json!("pat@example.com")),
        ("type", json!("custom")),
        ("country", json!("US")),
        ("default_currency", json!("usd")),
        ("charges_enabled", json!(false)),
        ("payouts_enabled", json!(false)),
        ("details_submitted", json!(false)),
        ("metadata", json!({})),
    ] {
        assert_eq!(account[field], value, "{field}");
    }
    assert_eq!(
        account["external_accounts"],
        json!({"object": "list", "data": [], "has_more": false,
            "url": format!("/v1/accounts/{id}/external_accounts")})
    );
    assert!(account["created"].is_i64());
    assert_eq!(
        sandbox.get(&format!("/v1/accounts/{id}")).await.ok(),
        account
    );

    let missing = sandbox
        .post("/v1/accounts", "type=custom")
        .await
        .err(StatusCode::BAD_REQUEST);
    assert_eq!(
        (missing["code"].as_str(), missing["param"].as_str()),
        (Some("parameter_missing"), Some("email"))
    );
    let bad_email = sandbox
        .post("/v1/accounts", "email=nope")
        .await
        .err(StatusCode::BAD_REQUEST);
    assert_eq!(bad_email["code"], "email_invalid");
    let unknown = sandbox
        .post("/v1/accounts", "email=a%40example.com&capabilities[x]=y")
        .await
        .err(StatusCode::BAD_REQUEST);
    assert_eq!(unknown["code"], "parameter_unknown");
    let bad_type = sandbox
        .post("/v1/accounts", "email=a%40example.com&type=premium")
        .await
        .err(StatusCode::BAD_REQUEST);
    assert_eq!(bad_type["param"], "type");

    let nobody = sandbox
        .get("/v1/accounts/acct_nobody")
        .await
        .err(StatusCode::FORBIDDEN);
    assert_eq!(nobody["code"], "account_invalid");
    assert_eq!(nobody["type"], "invalid_request_error");
}

#[tokio::test]
async fn stripe_account_scopes_every_request_to_that_accounts_objects() {
    let sandbox = Sandbox::new();
    let a = connected_account_id(&sandbox, "a@example.com").await;
    let b = connected_account_id(&sandbox, "b@example.com").await;

    let customer = as_account(
        &sandbox,
        &a,
        Method::POST,
        "/v1/customers",
        "email=jane%40example.com",
    )
    .await
    .ok();
    let customer_id = customer["id"].as_str().unwrap();
    let customer_uri = format!("/v1/customers/{customer_id}");
    as_account(&sandbox, &a, Method::GET, &customer_uri, "")
        .await
        .ok();
    for other in [Some(b.as_str()), None] {
        let reply = match other {
            Some(b) => as_account(&sandbox, b, Method::GET, &customer_uri, "").await,
            None => sandbox.get(&customer_uri).await,
        };
        assert_eq!(reply.err(StatusCode::NOT_FOUND)["code"], "resource_missing");
    }

    // A whole link, acting for A: the session, the test helper, the account it links.
    let session = as_account(
        &sandbox,
        &a,
        Method::POST,
        "/v1/financial_connections/sessions",
        &format!(
            "account_holder[type]=customer&account_holder[customer]={customer_id}\
             &permissions[]=payment_method"
        ),
    )
    .await
    .ok();
    let unreachable = sandbox
        .post(&complete_path(&session), "accounts[]=6789")
        .await
        .err(StatusCode::NOT_FOUND);
    assert_eq!(unreachable["code"], "resource_missing");
    let done = as_account(
        &sandbox,
        &a,
        Method::POST,
        &complete_path(&session),
        "accounts[]=6789",
    )
    .await
    .ok();
    let fca = account_id(&done, 0);
    let fca_uri = format!("/v1/financial_connections/accounts/{fca}");
    as_account(&sandbox, &a, Method::GET, &fca_uri, "")
        .await
        .ok();
    sandbox.get(&fca_uri).await.err(StatusCode::NOT_FOUND);
    as_account(&sandbox, &b, Method::GET, &fca_uri, "")
        .await
        .err(StatusCode::NOT_FOUND);
    let listed = as_account(
        &sandbox,
        &a,
        Method::GET,
        "/v1/financial_connections/accounts",
        "",
    )
    .await
    .ok();
    assert_eq!(listed["data"].as_array().unwrap().len(), 1);
    let platform = sandbox
        .get("/v1/financial_connections/accounts?limit=100")
        .await
        .ok();
    assert!(
        platform["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|account| account["id"] != fca.as_str())
    );
    // Another account's IDs in parameters are missing too.
    let borrowed = as_account(
        &sandbox,
        &b,
        Method::POST,
        "/v1/financial_connections/sessions",
        &format!(
            "account_holder[type]=customer&account_holder[customer]={customer_id}\
             &permissions[]=payment_method"
        ),
    )
    .await
    .err(StatusCode::NOT_FOUND);
    assert_eq!(borrowed["param"], "account_holder[customer]");

    // Events happen on the account, and say so.
    as_account(
        &sandbox,
        &a,
        Method::POST,
        &format!("/v1/test_helpers/financial_connections/accounts/{fca}/deactivate"),
        "",
    )
    .await
    .ok();
    let events = as_account(&sandbox, &a, Method::GET, "/v1/events", "")
        .await
        .ok();
    assert_eq!(
        events["data"][0]["type"],
        "financial_connections.account.deactivated"
    );
    assert_eq!(events["data"][0]["account"], a.as_str());
    let platform_events = sandbox.get("/v1/events").await.ok();
    assert!(
        platform_events["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e.get("account").is_none())
    );
}

#[tokio::test]
async fn an_account_the_key_cannot_reach_is_stripes_account_invalid() {
    let sandbox = Sandbox::new();
    let auth = format!("Bearer {SK}");
    for header in ["stripe-account", "stripe-context"] {
        for value in ["acct_nobody", "not-an-account"] {
            let refused = sandbox
                .request(
                    Method::GET,
                    "/v1/customers/cus_demo_jennyrosen",
                    &[("authorization", &auth), (header, value)],
                    "",
                )
                .await
                .err(StatusCode::FORBIDDEN);
            assert_eq!(refused["code"], "account_invalid", "{header}: {value}");
            let message = refused["message"].as_str().unwrap();
            assert!(message.contains(&format!("'{value}'")), "{message}");
            assert!(message.contains("sk_test_****0000"), "{message}");
        }
    }
    let a = connected_account_id(&sandbox, "a@example.com").await;
    let context = sandbox
        .request(
            Method::POST,
            "/v1/customers",
            &[("authorization", &auth), ("stripe-context", &a)],
            "email=c%40example.com",
        )
        .await
        .ok();
    as_account(
        &sandbox,
        &a,
        Method::GET,
        &format!("/v1/customers/{}", context["id"].as_str().unwrap()),
        "",
    )
    .await
    .ok();
    let both = sandbox
        .request(
            Method::GET,
            "/v1/events",
            &[
                ("authorization", &auth),
                ("stripe-account", &a),
                ("stripe-context", "acct_other"),
            ],
            "",
        )
        .await
        .err(StatusCode::BAD_REQUEST);
    assert!(both["message"].as_str().unwrap().contains("Stripe-Context"));
    let nested = as_account(
        &sandbox,
        &a,
        Method::POST,
        "/v1/accounts",
        "email=x%40example.com",
    )
    .await
    .err(StatusCode::BAD_REQUEST);
    assert!(nested["message"].as_str().unwrap().contains("platform"));
}

#[tokio::test]
async fn idempotency_keys_belong_to_the_account_they_were_sent_for() {
    let sandbox = Sandbox::new();
    let a = connected_account_id(&sandbox, "a@example.com").await;
    async fn create(sandbox: &Sandbox, account: Option<&str>) -> Value {
        let auth = format!("Bearer {SK}");
        let mut headers = vec![("authorization", auth.as_str()), ("idempotency-key", "k1")];
        if let Some(account) = account {
            headers.push(("stripe-account", account));
        }
        sandbox
            .request(
                Method::POST,
                "/v1/customers",
                &headers,
                "email=k%40example.com",
            )
            .await
            .ok()
    }
    let platform = create(&sandbox, None).await;
    let connected = create(&sandbox, Some(&a)).await;
    assert_ne!(platform["id"], connected["id"]);
    assert_eq!(create(&sandbox, Some(&a)).await["id"], connected["id"]);
}

/// The seeds' payouts flow with a connected account holder: link, outbound SetupIntent, bank
/// account token, external account.
#[tokio::test]
async fn the_payouts_flow_ends_with_the_token_as_an_external_account() {
    let sandbox = Sandbox::new();
    let acct = connected_account_id(&sandbox, "payee@example.com").await;
    let session = sandbox
        .post(
            "/v1/financial_connections/sessions",
            &format!(
                "account_holder[type]=account&account_holder[account]={acct}\
                 &permissions[]=payment_method"
            ),
        )
        .await
        .ok();
    assert_eq!(
        session["account_holder"],
        json!({"type": "account", "account": acct})
    );
    let done = sandbox
        .post(&complete_path(&session), "accounts[]=6789")
        .await
        .ok();
    let fca = account_id(&done, 0);
    let account = sandbox.account(&fca).await;
    assert_eq!(
        account["account_holder"],
        json!({"type": "account", "account": acct})
    );
    let by_holder = sandbox
        .get(&format!(
            "/v1/financial_connections/accounts?account_holder[account]={acct}"
        ))
        .await
        .ok();
    assert_eq!(by_holder["data"][0]["id"], fca.as_str());

    let pm_data = format!(
        "payment_method_types[]=us_bank_account&flow_directions[]=outbound&confirm=true\
         &payment_method_data[type]=us_bank_account\
         &payment_method_data[us_bank_account][financial_connections_account]={fca}\
         &payment_method_data[billing_details][name]=Pat%20Payee"
    );
    // A connected account's bank account belongs to no customer.
    let with_customer = sandbox
        .post(
            "/v1/setup_intents",
            &format!("customer=cus_demo_jennyrosen&{pm_data}"),
        )
        .await
        .err(StatusCode::BAD_REQUEST);
    assert_eq!(with_customer["param"], "customer");
    let intent = sandbox.post("/v1/setup_intents", &pm_data).await.ok();
    assert_eq!(intent["status"], "succeeded");
    let token = sandbox
        .post(
            "/v1/tokens",
            &format!(
                "bank_account[payment_method]={}",
                intent["payment_method"].as_str().unwrap()
            ),
        )
        .await
        .ok();
    let btok = token["id"].as_str().unwrap();
    assert!(btok.starts_with("btok_"));
    assert_eq!(token["used"], false);

    let external = sandbox
        .post(
            &format!("/v1/accounts/{acct}/external_accounts"),
            &format!("external_account={btok}"),
        )
        .await
        .ok();
    assert_eq!(external["object"], "bank_account");
    assert_eq!(external["id"], token["bank_account"]["id"]);
    assert_eq!(external["account"], acct.as_str());
    assert_eq!(external["last4"], "6789");
    assert_eq!(external["account_holder_name"], "Pat Payee");
    assert_eq!(external["default_for_currency"], true);
    for field in [
        "account_holder_type",
        "account_type",
        "bank_name",
        "country",
        "currency",
        "fingerprint",
        "routing_number",
        "status",
    ] {
        assert!(external[field].is_string(), "{field}");
    }
    let account = sandbox.get(&format!("/v1/accounts/{acct}")).await.ok();
    assert_eq!(account["payouts_enabled"], true);
    assert_eq!(account["external_accounts"]["data"][0], external);
    let listed = sandbox
        .get(&format!("/v1/accounts/{acct}/external_accounts"))
        .await
        .ok();
    assert_eq!(listed["data"][0], external);

    let again = sandbox
        .post(
            &format!("/v1/accounts/{acct}/external_accounts"),
            &format!("external_account={btok}"),
        )
        .await
        .err(StatusCode::BAD_REQUEST);
    assert_eq!(again["code"], "token_already_used");
    let nope = sandbox
        .post(
            &format!("/v1/accounts/{acct}/external_accounts"),
            "external_account=btok_nope",
        )
        .await
        .err(StatusCode::NOT_FOUND);
    assert_eq!(nope["code"], "resource_missing");
    let elsewhere = sandbox
        .post(
            "/v1/accounts/acct_nobody/external_accounts",
            &format!("external_account={btok}"),
        )
        .await
        .err(StatusCode::FORBIDDEN);
    assert_eq!(elsewhere["code"], "account_invalid");
}

#[tokio::test]
async fn account_holders_name_a_connected_account_of_the_platform() {
    let sandbox = Sandbox::new();
    async fn refused(sandbox: &Sandbox, body: &str) -> Value {
        sandbox
            .post(
                "/v1/financial_connections/sessions",
                &format!("{body}&permissions[]=payment_method"),
            )
            .await
            .err(StatusCode::BAD_REQUEST)
    }
    let missing = refused(&sandbox, "account_holder[type]=account").await;
    assert_eq!(missing["param"], "account_holder[account]");
    let mixed = refused(
        &sandbox,
        "account_holder[type]=account&account_holder[account]=acct_1&account_holder[customer]=cus_1",
    )
    .await;
    assert_eq!(mixed["param"], "account_holder[customer]");
    let unknown = sandbox
        .post(
            "/v1/financial_connections/sessions",
            "account_holder[type]=account&account_holder[account]=acct_nobody\
             &permissions[]=payment_method",
        )
        .await
        .err(StatusCode::NOT_FOUND);
    assert_eq!(unknown["param"], "account_holder[account]");
}

#[tokio::test]
async fn hosted_relink_emails_the_connected_account() {
    let sandbox = Sandbox::new();
    // The default team address, the only kind a sandbox emails.
    let acct = connected_account_id(&sandbox, "jenny.rosen@example.com").await;
    let fca = broken_account_held_by(&sandbox, &acct).await;
    let account = sandbox.account(&fca).await;
    let hosted = sandbox
        .post(
            "/v1/financial_connections/sessions",
            &format!(
                "account_holder[type]=account&account_holder[account]={acct}\
                 &permissions[]=payment_method&ui_mode=hosted&hosted[delivery_method]=email\
                 &relink_options[authorization]={}&relink_options[account]={fca}",
                account["authorization"].as_str().unwrap()
            ),
        )
        .await
        .ok();
    assert_eq!(hosted["hosted"]["delivery_method"], "email");
    let emails = sandbox.get("/v1/test_helpers/emails").await.ok();
    let email = &emails["data"][0];
    assert_eq!(email["to"], "jenny.rosen@example.com");
    assert_eq!(email["financial_connections_account"], fca.as_str());

    // Another address is not a team address.
    let outsider = connected_account_id(&sandbox, "outsider@example.com").await;
    let fca = broken_account_held_by(&sandbox, &outsider).await;
    let authorization = sandbox.account(&fca).await["authorization"]
        .as_str()
        .unwrap()
        .to_owned();
    let refused = sandbox
        .post(
            "/v1/financial_connections/sessions",
            &format!(
                "account_holder[type]=account&account_holder[account]={outsider}\
                 &permissions[]=payment_method&ui_mode=hosted&hosted[delivery_method]=email\
                 &relink_options[authorization]={authorization}&relink_options[account]={fca}"
            ),
        )
        .await
        .err(StatusCode::BAD_REQUEST);
    assert_eq!(refused["code"], "email_invalid");
}

#[tokio::test]
async fn connect_webhook_endpoints_get_the_connected_accounts_events() {
    let sandbox = Sandbox::new();
    let acct = connected_account_id(&sandbox, "a@example.com").await;
    for connect in ["true", "false"] {
        sandbox
            .post(
                "/v1/webhook_endpoints",
                &format!(
                    "url=http%3A%2F%2F127.0.0.1%3A9%2F{connect}&enabled_events[]=*&connect={connect}"
                ),
            )
            .await
            .ok();
    }
    let session = session_for_a_customer_of(&sandbox, &acct).await;
    let done = as_account(
        &sandbox,
        &acct,
        Method::POST,
        &complete_path(&session),
        "accounts[]=6789",
    )
    .await
    .ok();
    let fca = account_id(&done, 0);
    as_account(
        &sandbox,
        &acct,
        Method::POST,
        &format!("/v1/test_helpers/financial_connections/accounts/{fca}/deactivate"),
        "",
    )
    .await
    .ok();
    let events = as_account(
        &sandbox,
        &acct,
        Method::GET,
        "/v1/events?type=financial_connections.account.deactivated",
        "",
    )
    .await
    .ok();
    let event = &events["data"][0];
    assert_eq!(event["pending_webhooks"], 1, "the Connect endpoint only");
    let log = as_account(
        &sandbox,
        &acct,
        Method::GET,
        &format!(
            "/v1/test_helpers/events/{}/deliveries",
            event["id"].as_str().unwrap()
        ),
        "",
    )
    .await
    .ok();
    assert_eq!(log["data"][0]["url"], "http://127.0.0.1:9/true");

    // The platform's own events go to the platform's own endpoint only.
    let platform = sandbox.customer().await;
    let done = sandbox.link(&platform, "Sandbox Bank", &["6789"]).await;
    let fca = account_id(&done, 0);
    sandbox.deactivate(&fca, "").await;
    let events = sandbox
        .get("/v1/events?type=financial_connections.account.deactivated")
        .await
        .ok();
    let log = sandbox
        .get(&format!(
            "/v1/test_helpers/events/{}/deliveries",
            events["data"][0]["id"].as_str().unwrap()
        ))
        .await
        .ok();
    assert_eq!(log["data"].as_array().unwrap().len(), 1);
    assert_eq!(log["data"][0]["url"], "http://127.0.0.1:9/false");
}

#[tokio::test]
async fn the_clock_moves_for_connected_accounts_too() {
    let sandbox = Sandbox::new();
    let acct = connected_account_id(&sandbox, "a@example.com").await;
    let session = session_for_a_customer_of(&sandbox, &acct).await;
    let done = as_account(
        &sandbox,
        &acct,
        Method::POST,
        &complete_path(&session),
        "institution=Expiring%20Consent&accounts[]=6789",
    )
    .await
    .ok();
    let fca = account_id(&done, 0);
    sandbox
        .post("/v1/test_helpers/clock", "seconds=1300000")
        .await
        .ok();
    let account = as_account(
        &sandbox,
        &acct,
        Method::GET,
        &format!("/v1/financial_connections/accounts/{fca}"),
        "",
    )
    .await
    .ok();
    assert_eq!(account["status"], "inactive");
}

#[tokio::test]
async fn the_browser_runs_a_connected_accounts_session_by_its_client_secret() {
    let sandbox = Sandbox::new();
    let acct = connected_account_id(&sandbox, "a@example.com").await;
    let session = session_for_a_customer_of(&sandbox, &acct).await;
    let secret = format!(
        "client_secret={}",
        session["client_secret"].as_str().unwrap()
    );
    let manifest = sandbox
        .browser("/v1/link_account_sessions/manifest", &secret)
        .await
        .ok();
    assert_eq!(manifest["session"]["id"], session["id"]);
    sandbox
        .browser(
            "/v1/link_account_sessions/authenticate",
            &format!("{secret}&institution=fcinst_sandbox_bank&password=pass_good"),
        )
        .await
        .ok();
    let done = sandbox
        .browser(
            "/v1/link_account_sessions/complete",
            &format!("{secret}&accounts[]=6789"),
        )
        .await
        .ok();
    let fca = account_id(&done, 0);
    as_account(
        &sandbox,
        &acct,
        Method::GET,
        &format!("/v1/financial_connections/accounts/{fca}"),
        "",
    )
    .await
    .ok();
    sandbox
        .get(&format!("/v1/financial_connections/accounts/{fca}"))
        .await
        .err(StatusCode::NOT_FOUND);
}
