//! Strict input, as Stripe's: each class of malformed request the sandbox once accepted (or
//! answered without Stripe's JSON envelope) as a test, and a property test that throws
//! thousands of malformed requests at every route. Whatever is refused is a JSON error
//! envelope with the right status and a `Request-Id`: never plain text, never a 500.

mod common;

use std::path::PathBuf;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use common::{PK, Reply, SK, Sandbox};
use proptest::prelude::*;
use relink_sandbox::config::Settings;
use relink_sandbox::store::Store;
use relink_sandbox::version::ApiVersion;
use serde_json::Value;

const DEMO_CUSTOMER: &str = "/v1/customers/cus_demo_jennyrosen";

/// One sandbox for all cases of a property test: seeding one per case would dominate.
fn shared() -> &'static Sandbox {
    static SHARED: std::sync::OnceLock<Sandbox> = std::sync::OnceLock::new();
    SHARED.get_or_init(Sandbox::new)
}

/// Asserts Stripe's error envelope with `status`, and a `Request-Id`; returns `error`.
#[track_caller]
fn refused(reply: &Reply, status: StatusCode) -> Value {
    assert_eq!(reply.status, status, "body: {}", reply.json);
    assert_envelope(reply);
    reply.json["error"].clone()
}

/// Asserts that a response carries a `Request-Id` and, when it is an error, Stripe's envelope.
#[track_caller]
fn assert_envelope(reply: &Reply) {
    let id = reply
        .headers
        .get("request-id")
        .and_then(|v| v.to_str().ok());
    assert!(id.is_some_and(|id| id.starts_with("req_")), "{reply:?}");
    if reply.status.is_client_error() || reply.status.is_server_error() {
        let json = reply
            .headers
            .get("content-type")
            .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
        assert!(json, "not JSON: {reply:?}");
        let error = &reply.json["error"];
        assert!(
            matches!(
                error["type"].as_str(),
                Some(
                    "invalid_request_error"
                        | "authentication_error"
                        | "api_error"
                        | "idempotency_error"
                        | "rate_limit_error"
                )
            ),
            "{reply:?}"
        );
        assert!(error["message"].is_string(), "{reply:?}");
    }
}

fn request(method: Method, uri: &str, headers: &[(&str, &str)], body: &str) -> Request<Body> {
    let mut req = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    req.body(Body::from(body.to_owned())).expect("request")
}

fn bearer(key: &str) -> String {
    format!("Bearer {key}")
}

/// Every Stripe-facing route, with the key it takes and IDs that may or may not exist.
const ROUTES: &[(&str, &str, &str)] = &[
    ("GET", DEMO_CUSTOMER, SK),
    ("POST", "/v1/customers", SK),
    ("POST", "/v1/financial_connections/sessions", SK),
    ("GET", "/v1/financial_connections/sessions/fcsess_1", SK),
    ("GET", "/v1/financial_connections/accounts", SK),
    ("GET", "/v1/financial_connections/accounts/fca_1", SK),
    (
        "POST",
        "/v1/financial_connections/accounts/fca_1/disconnect",
        SK,
    ),
    (
        "POST",
        "/v1/financial_connections/accounts/fca_1/refresh",
        SK,
    ),
    (
        "GET",
        "/v1/financial_connections/authorizations/fcauth_1",
        SK,
    ),
    ("POST", "/v1/setup_intents", SK),
    ("GET", "/v1/setup_intents/seti_1", SK),
    ("POST", "/v1/setup_intents/seti_1/confirm", SK),
    ("POST", "/v1/setup_intents/seti_1/retrieve", SK),
    ("GET", "/v1/payment_methods/pm_1", SK),
    ("GET", "/v1/mandates/mandate_1", SK),
    ("POST", "/v1/tokens", SK),
    ("POST", "/v1/accounts", SK),
    ("GET", "/v1/accounts/acct_1", SK),
    ("POST", "/v1/accounts/acct_1/external_accounts", SK),
    ("GET", "/v1/accounts/acct_1/external_accounts", SK),
    ("POST", "/v1/webhook_endpoints", SK),
    ("GET", "/v1/webhook_endpoints", SK),
    ("GET", "/v1/webhook_endpoints/we_1", SK),
    ("DELETE", "/v1/webhook_endpoints/we_1", SK),
    ("GET", "/v1/events", SK),
    ("GET", "/v1/events/evt_1", SK),
    (
        "POST",
        "/v1/test_helpers/financial_connections/sessions/fcsess_1/complete",
        SK,
    ),
    (
        "POST",
        "/v1/test_helpers/financial_connections/accounts/fca_1/deactivate",
        SK,
    ),
    (
        "POST",
        "/v1/test_helpers/financial_connections/accounts/fca_1/expire_account_numbers",
        SK,
    ),
    (
        "POST",
        "/v1/test_helpers/financial_connections/institutions/fcinst_down_bank/outage",
        SK,
    ),
    (
        "POST",
        "/v1/test_helpers/financial_connections/authorizations/fcauth_1/schedule_deactivation",
        SK,
    ),
    ("GET", "/v1/test_helpers/clock", SK),
    ("POST", "/v1/test_helpers/clock", SK),
    ("GET", "/v1/test_helpers/emails", SK),
    ("GET", "/v1/test_helpers/events/evt_1/deliveries", SK),
    ("POST", "/v1/link_account_sessions/manifest", PK),
    ("POST", "/v1/link_account_sessions/authenticate", PK),
    ("POST", "/v1/link_account_sessions/complete", PK),
    ("POST", "/v1/link_account_sessions/hosted", PK),
    ("POST", "/v1/link_account_sessions/for_setup_intent", PK),
    ("POST", "/v1/link_account_sessions/bank_account_token", PK),
];

fn method(name: &str) -> Method {
    Method::from_bytes(name.as_bytes()).expect("method")
}

#[tokio::test]
async fn malformed_and_unknown_versions_are_refused_on_every_route() {
    let sandbox = Sandbox::new();
    for (verb, path, key) in ROUTES {
        for version in [
            "lol",
            "latest",
            "2024-13-45",
            "2026-02-30",
            "2099-12-31.acacia",
            "2099-01-01.nope",
            "2022-08-02",
            "2026-10-28.endive; beta",
            "",
        ] {
            let auth = bearer(key);
            let reply = sandbox
                .send(request(
                    method(verb),
                    path,
                    &[("authorization", &auth), ("stripe-version", version)],
                    "",
                ))
                .await;
            let error = refused(&reply, StatusCode::BAD_REQUEST);
            let message = error["message"].as_str().unwrap();
            assert!(
                message.starts_with(&format!("Invalid Stripe API version: {version}.")),
                "{verb} {path} {version}: {message}"
            );
        }
    }
    // Static files and unknown URLs too.
    for path in ["/", "/index.html", "/v1/nothing_here"] {
        let reply = sandbox
            .send(request(Method::GET, path, &[("stripe-version", "lol")], ""))
            .await;
        refused(&reply, StatusCode::BAD_REQUEST);
    }
}

#[tokio::test]
async fn releases_previews_and_beta_flags_are_accepted() {
    let sandbox = Sandbox::new();
    for version in [
        "2026-10-28.endive",
        "2026-09-30.endive",
        "2025-03-31.basil",
        "2024-09-30.acacia",
        "2024-06-20",
        "2026-04-22.preview",
        "2026-03-04.preview",
        "2022-08-01; feature_beta=v3",
        "2026-04-22.preview;relink_beta=v1",
    ] {
        sandbox.get_versioned(DEMO_CUSTOMER, version).await.ok();
    }
    // A preview from the sandbox's future is unknown until the clock gets there (two days
    // ahead, so that midnight passing during the test changes nothing).
    let preview = format!("{}.preview", date_in_days(2));
    refused(
        &sandbox.get_versioned(DEMO_CUSTOMER, &preview).await,
        StatusCode::BAD_REQUEST,
    );
    sandbox
        .post("/v1/test_helpers/clock", "seconds=345600")
        .await
        .ok();
    sandbox.get_versioned(DEMO_CUSTOMER, &preview).await.ok();
}

/// `YYYY-MM-DD` of the wall clock's today plus `days`.
fn date_in_days(days: i64) -> String {
    let mut day = relink_sandbox::ids::now().div_euclid(86_400) + days;
    // civil_from_days, for the test's own date.
    day += 719_468;
    let era = day.div_euclid(146_097);
    let doe = day - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[tokio::test]
async fn paths_that_are_not_utf8_get_the_json_envelope() {
    let sandbox = Sandbox::new();
    let auth = bearer(SK);
    for (verb, path) in [
        ("GET", "/v1/customers/%FF"),
        ("GET", "/v1/financial_connections/accounts/fca_%C3%28"),
        ("POST", "/v1/financial_connections/accounts/%80/refresh"),
        ("DELETE", "/v1/webhook_endpoints/we_%FE"),
        ("GET", "/%FF"),
        ("GET", "/pkg/%FF"),
    ] {
        let reply = sandbox
            .send(request(method(verb), path, &[("authorization", &auth)], ""))
            .await;
        let error = refused(&reply, StatusCode::BAD_REQUEST);
        assert!(
            error["message"].as_str().unwrap().contains("UTF-8"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn overlong_path_segments_under_the_static_fallback_are_a_json_404() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let settings = Settings {
        www: root.join("www"),
        pkg: root.join("pkg"),
        ..Settings::for_tests()
    };
    let sandbox = Sandbox::with_settings(Store::open(":memory:").unwrap(), settings);
    let long = "a".repeat(300);
    for path in [
        format!("/{long}"),
        format!("/pkg/{long}"),
        format!("/v1/{long}"),
        format!("/{long}/index.html"),
        format!("/pkg/{long}/{long}"),
    ] {
        for verb in ["GET", "HEAD", "POST"] {
            let reply = sandbox.send(request(method(verb), &path, &[], "")).await;
            if verb == "HEAD" {
                assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
                continue;
            }
            let error = refused(&reply, StatusCode::NOT_FOUND);
            assert!(
                error["message"]
                    .as_str()
                    .unwrap()
                    .starts_with("Unrecognized request URL"),
                "{verb} {path}: {error}"
            );
        }
    }
    // What exists is still served.
    let page = sandbox.send(request(Method::GET, "/", &[], "")).await;
    assert_eq!(page.status, StatusCode::OK);
}

#[tokio::test]
async fn deleting_a_webhook_endpoint_refuses_unknown_and_malformed_parameters() {
    let sandbox = Sandbox::new();
    let endpoint = sandbox
        .post(
            "/v1/webhook_endpoints",
            "url=http://localhost:3000/hook&enabled_events[]=*",
        )
        .await
        .ok();
    let path = format!("/v1/webhook_endpoints/{}", endpoint["id"].as_str().unwrap());
    let auth = bearer(SK);
    let unknown = sandbox
        .send(request(
            Method::DELETE,
            &format!("{path}?force=true"),
            &[("authorization", &auth)],
            "",
        ))
        .await;
    let error = refused(&unknown, StatusCode::BAD_REQUEST);
    assert_eq!(error["code"], "parameter_unknown");
    assert_eq!(error["param"], "force");
    let in_body = sandbox
        .send(request(
            Method::DELETE,
            &path,
            &[
                ("authorization", &auth),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            "force=true",
        ))
        .await;
    assert_eq!(refused(&in_body, StatusCode::BAD_REQUEST)["param"], "force");
    let malformed = sandbox
        .send(request(
            Method::DELETE,
            &format!("{path}?a[b=1"),
            &[("authorization", &auth)],
            "",
        ))
        .await;
    refused(&malformed, StatusCode::BAD_REQUEST);
    let deleted = sandbox
        .send(request(
            Method::DELETE,
            &path,
            &[("authorization", &auth)],
            "",
        ))
        .await
        .ok();
    assert_eq!(deleted["deleted"], true);
}

#[tokio::test]
async fn expanding_what_cannot_be_expanded_names_the_field() {
    let sandbox = Sandbox::new();
    for (verb, path, key) in ROUTES {
        if *verb != "GET" {
            continue;
        }
        let auth = bearer(key);
        let uri = format!("{path}?expand[]=nonsense.field");
        let reply = sandbox
            .send(request(Method::GET, &uri, &[("authorization", &auth)], ""))
            .await;
        // Preview-only routes answer GA readers 404, which comes after the parameters.
        let error = refused(&reply, StatusCode::BAD_REQUEST);
        assert_eq!(
            error["message"], "This property cannot be expanded (nonsense.field).",
            "{uri}"
        );
        assert_eq!(error["param"], "expand", "{uri}");
    }
    let on_create = sandbox
        .post("/v1/customers", "email=a%40b.co&expand[0]=default_source")
        .await;
    assert_eq!(
        refused(&on_create, StatusCode::BAD_REQUEST)["message"],
        "This property cannot be expanded (default_source)."
    );
    // An unknown parameter is still reported first.
    let both = sandbox.post("/v1/customers", "expand[]=x&nmae=Jenny").await;
    assert_eq!(refused(&both, StatusCode::BAD_REQUEST)["param"], "nmae");
}

#[tokio::test]
async fn json_and_other_bodies_are_refused_on_every_post() {
    let sandbox = Sandbox::new();
    for (verb, path, key) in ROUTES {
        if *verb != "POST" {
            continue;
        }
        let auth = bearer(key);
        for (content_type, body) in [
            ("application/json", r#"{"email": "jenny@example.com"}"#),
            ("application/json; charset=utf-8", "{}"),
            ("text/plain", "email=jenny@example.com"),
            ("multipart/form-data; boundary=x", "--x--"),
        ] {
            let reply = sandbox
                .send(request(
                    Method::POST,
                    path,
                    &[("authorization", &auth), ("content-type", content_type)],
                    body,
                ))
                .await;
            let error = refused(&reply, StatusCode::BAD_REQUEST);
            let message = error["message"].as_str().unwrap();
            assert!(
                message.starts_with("Invalid request: unsupported Content-Type"),
                "{path} {content_type}: {message}"
            );
        }
    }
    // The demo merchant backend is not Stripe's API: its pages post JSON.
    let demo = sandbox
        .send(request(
            Method::POST,
            "/demo/api/link_session",
            &[("content-type", "application/json")],
            "{}",
        ))
        .await;
    assert_eq!(demo.status, StatusCode::OK, "{demo:?}");
}

#[tokio::test]
async fn webhook_endpoints_validate_their_events_version_and_list_limit() {
    let sandbox = Sandbox::new();
    let url = "url=http://localhost:3000/hook";
    for event in [
        "financial_connections.account.nope",
        "Financial_connections.account.deactivated",
        "financial_connections.account.deactivated%20",
        "financial_connections.session.updated",
        "**",
    ] {
        let reply = sandbox
            .post(
                "/v1/webhook_endpoints",
                &format!("{url}&enabled_events[]={event}"),
            )
            .await;
        assert_eq!(
            refused(&reply, StatusCode::BAD_REQUEST)["param"],
            "enabled_events",
            "{event}"
        );
    }
    // Any type in Stripe's catalog may be subscribed to, not only those the sandbox emits.
    sandbox
        .post(
            "/v1/webhook_endpoints",
            &format!("{url}&enabled_events[]=setup_intent.succeeded&enabled_events[]=financial_connections.account.deactivated"),
        )
        .await
        .ok();

    for version in [
        "not-a-version",
        "2099-01-01.nope",
        "2026-02-30",
        "2026-10-28.Endive",
    ] {
        let reply = sandbox
            .post(
                "/v1/webhook_endpoints",
                &format!("{url}&enabled_events[]=*&api_version={version}"),
            )
            .await;
        let error = refused(&reply, StatusCode::BAD_REQUEST);
        assert_eq!(error["param"], "api_version", "{version}");
    }
    let flagged = sandbox
        .post(
            "/v1/webhook_endpoints",
            &format!("{url}&enabled_events[]=*&api_version=2026-10-28.endive%3B%20beta%3Dv1"),
        )
        .await
        .ok();
    assert_eq!(flagged["api_version"], "2026-10-28.endive");

    for limit in ["0", "101", "-1", "ten", "%FF"] {
        let reply = sandbox
            .get(&format!("/v1/webhook_endpoints?limit={limit}"))
            .await;
        refused(&reply, StatusCode::BAD_REQUEST);
    }
    let page = sandbox.get("/v1/webhook_endpoints?limit=1").await.ok();
    assert_eq!(page["data"].as_array().unwrap().len(), 1);
    assert_eq!(page["has_more"], true);
}

#[tokio::test]
async fn usage_and_return_urls_are_validated() {
    let sandbox = Sandbox::new();
    for usage in ["sometimes", "OFF_SESSION", "on_session%20"] {
        let reply = sandbox
            .post("/v1/setup_intents", &format!("usage={usage}"))
            .await;
        assert_eq!(
            refused(&reply, StatusCode::BAD_REQUEST)["param"],
            "usage",
            "{usage}"
        );
    }
    let on_session = sandbox
        .post("/v1/setup_intents", "usage=on_session")
        .await
        .ok();
    assert_eq!(on_session["usage"], "on_session");

    let customer = sandbox.customer().await;
    let session = |return_url: &str| {
        format!(
            "account_holder[type]=customer&account_holder[customer]={customer}\
             &permissions[]=payment_method&return_url={return_url}"
        )
    };
    for bad in [
        "not%20a%20url",
        "javascript:alert(1)",
        "ftp://example.com/",
        "http://",
        "https:///path",
        "example.com/return",
    ] {
        let reply = sandbox
            .post("/v1/financial_connections/sessions", &session(bad))
            .await;
        let error = refused(&reply, StatusCode::BAD_REQUEST);
        assert_eq!(error["param"], "return_url", "{bad}");
        assert_eq!(error["code"], "url_invalid", "{bad}");
    }
    let good = sandbox
        .post(
            "/v1/financial_connections/sessions",
            &session("https%3A%2F%2Fshop.example%2Freturn%3Fo%3D1"),
        )
        .await
        .ok();
    assert_eq!(good["return_url"], "https://shop.example/return?o=1");
    let confirm = sandbox
        .post(
            "/v1/setup_intents/seti_missing/confirm",
            "return_url=javascript:alert(1)",
        )
        .await;
    assert_eq!(
        refused(&confirm, StatusCode::BAD_REQUEST)["param"],
        "return_url"
    );
}

#[tokio::test]
async fn an_unknown_account_holder_is_an_error_not_an_empty_list() {
    let sandbox = Sandbox::new();
    let reply = sandbox
        .get("/v1/financial_connections/accounts?account_holder[customer]=cus_nobody")
        .await;
    let error = refused(&reply, StatusCode::NOT_FOUND);
    assert_eq!(error["code"], "resource_missing");
    assert_eq!(error["param"], "account_holder[customer]");
    let reply = sandbox
        .get("/v1/financial_connections/accounts?account_holder[account]=acct_nobody")
        .await;
    let error = refused(&reply, StatusCode::NOT_FOUND);
    assert_eq!(error["param"], "account_holder[account]");
    let customer = sandbox.customer().await;
    let empty = sandbox
        .get(&format!(
            "/v1/financial_connections/accounts?account_holder[customer]={customer}"
        ))
        .await
        .ok();
    assert_eq!(empty["data"], serde_json::json!([]));
}

#[tokio::test]
async fn text_with_nul_bytes_or_invalid_utf8_is_refused_not_stored_mangled() {
    let sandbox = Sandbox::new();
    for body in [
        "name=Jenny%00Rosen",
        "name=%FF",
        "name=%C3%28",
        "email=a%00%40b.co",
        "preferred_locales[]=en%ED%A0%80",
    ] {
        let reply = sandbox.post("/v1/customers", body).await;
        let error = refused(&reply, StatusCode::BAD_REQUEST);
        assert!(
            error["message"]
                .as_str()
                .unwrap()
                .starts_with("Invalid string"),
            "{body}: {error}"
        );
    }
    for body in ["na%FFme=Jenny", "%00=1"] {
        refused(
            &sandbox.post("/v1/customers", body).await,
            StatusCode::BAD_REQUEST,
        );
    }
    let query = sandbox.get("/v1/events?type=%FF").await;
    assert_eq!(refused(&query, StatusCode::BAD_REQUEST)["param"], "type");
    // What is text comes back exactly as sent.
    let stored = sandbox
        .post("/v1/customers", "name=J%C3%A9nny%20%F0%9F%8F%A6+Rosen")
        .await
        .ok();
    assert_eq!(stored["name"], "Jénny 🏦 Rosen");
}

/// Percent-encodes every byte, so any byte string can travel in a form.
fn percent_encode(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("%{b:02X}")).collect()
}

/// A runtime for driving the app from inside proptest's (synchronous) cases.
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// Strings shaped like versions: dates (real or not) with or without names and flags, and
/// noise.
fn version_like() -> impl Strategy<Value = String> {
    prop_oneof![
        "(19|20|21)[0-9]{2}-[01][0-9]-[0-3][0-9]",
        "20[0-9]{2}-[01][0-9]-[0-3][0-9]\\.(acacia|basil|clover|dahlia|endive|preview|nope|[a-z]{1,6})",
        "20[0-9]{2}-[01][0-9]-[0-3][0-9](\\.[a-z]{1,8})? ?; ?[a-z_]{0,10}=v?[0-9]{0,2}",
        "[ -~]{0,24}",
        prop::sample::select(vec![
            "2026-10-28.endive".to_owned(),
            "2026-04-22.preview".to_owned(),
            "2024-06-20".to_owned(),
        ]),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    /// Every version the parser refuses is a 400 on the wire, and every one it accepts works.
    #[test]
    fn versions_on_the_wire_follow_the_parser(version in version_like()) {
        let sandbox = shared();
        let reply = runtime().block_on(sandbox.get_versioned(DEMO_CUSTOMER, &version));
        assert_envelope(&reply);
        let accepted = ApiVersion::parse(&version, || Ok::<_, ()>(relink_sandbox::ids::now())).is_ok();
        if accepted {
            prop_assert_eq!(reply.status, StatusCode::OK, "{}: {:?}", version, reply.json);
        } else {
            prop_assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}: {:?}", version, reply.json);
            let message = reply.json["error"]["message"].as_str().unwrap_or_default().to_owned();
            prop_assert!(message.starts_with("Invalid Stripe API version"), "{}", message);
        }
    }

    /// Any bytes as a text value: stored exactly when they are NUL-free UTF-8, refused otherwise.
    #[test]
    fn text_values_are_stored_exactly_or_refused(bytes in prop::collection::vec(any::<u8>(), 1..24)) {
        let sandbox = shared();
        let reply = runtime().block_on(
            sandbox.post("/v1/customers", &format!("name={}", percent_encode(&bytes))),
        );
        assert_envelope(&reply);
        match std::str::from_utf8(&bytes) {
            Ok(text) if !text.contains('\0') => {
                prop_assert_eq!(reply.status, StatusCode::OK);
                prop_assert_eq!(reply.json["name"].as_str(), Some(text));
            }
            _ => {
                prop_assert_eq!(reply.status, StatusCode::BAD_REQUEST);
                prop_assert_eq!(reply.json["error"]["param"].as_str(), Some("name"));
            }
        }
    }
}

/// One malformed request: a route (its ID perhaps mangled), a query and a body of form-like
/// junk, a `Content-Type`, a `Stripe-Version` and a key, each maybe wrong.
#[derive(Debug, Clone)]
struct Malformed {
    route: usize,
    verb: Option<&'static str>,
    id_bytes: Option<Vec<u8>>,
    query: Vec<u8>,
    content_type: Option<&'static str>,
    body: Vec<u8>,
    version: Option<Vec<u8>>,
    key: Option<&'static str>,
    connected_account: Option<&'static str>,
}

/// Bytes a form decoder treats specially, with raw bytes mixed in.
fn form_like(max: usize) -> impl Strategy<Value = Vec<u8>> {
    let special = prop::sample::select(b"ab[]=&%0F9+;expand_limit\x00\xff".to_vec());
    prop::collection::vec(prop_oneof![8 => special, 2 => any::<u8>()], 0..max)
}

fn malformed() -> impl Strategy<Value = Malformed> {
    (
        0..ROUTES.len(),
        prop::option::weighted(
            0.2,
            prop::sample::select(vec!["GET", "POST", "DELETE", "PUT", "PATCH"]),
        ),
        prop::option::weighted(0.3, prop::collection::vec(any::<u8>(), 0..300)),
        form_like(48),
        prop::option::of(prop::sample::select(vec![
            "application/x-www-form-urlencoded",
            "application/json",
            "text/plain",
            "application/x-www-form-urlencoded; charset=latin1",
        ])),
        form_like(96),
        prop::option::weighted(
            0.4,
            prop::collection::vec(prop_oneof![32u8..=126, 128u8..=255], 0..24),
        ),
        prop::option::weighted(0.9, prop::sample::select(vec![SK, PK, "sk_test_wrong", ""])),
        prop::option::weighted(
            0.1,
            prop::sample::select(vec!["acct_nobody", "", "cus_1", "acct_1 "]),
        ),
    )
        .prop_map(
            |(
                route,
                verb,
                id_bytes,
                query,
                content_type,
                body,
                version,
                key,
                connected_account,
            )| {
                Malformed {
                    route,
                    verb,
                    id_bytes,
                    query,
                    content_type,
                    body,
                    version,
                    key,
                    connected_account,
                }
            },
        )
}

impl Malformed {
    fn request(&self) -> Request<Body> {
        let (verb, path, _) = ROUTES[self.route];
        let mut path = path.to_owned();
        if let Some(id) = &self.id_bytes {
            // Replace the last segment with any bytes, percent-encoded.
            if let Some(at) = path.rfind('/') {
                path.truncate(at + 1);
                path.push_str(&percent_encode(id));
            }
        }
        let query: String = self
            .query
            .iter()
            .map(|&b| match b {
                b'a'..=b'z' | b'0'..=b'9' | b'_' | b'=' | b'&' | b'%' | b'+' | b';' => {
                    (b as char).to_string()
                }
                other => format!("%{other:02X}"),
            })
            .collect();
        let uri = if query.is_empty() {
            path
        } else {
            format!("{path}?{query}")
        };
        let mut req = Request::builder()
            .method(Method::from_bytes(self.verb.unwrap_or(verb).as_bytes()).expect("method"))
            .uri(uri);
        if let Some(key) = self.key {
            req = req.header("authorization", format!("Bearer {key}"));
        }
        if let Some(account) = self.connected_account {
            req = req.header("stripe-account", account);
        }
        if let Some(content_type) = self.content_type {
            req = req.header("content-type", content_type);
        }
        if let Some(version) = &self.version {
            req = req.header(
                "stripe-version",
                axum::http::HeaderValue::from_bytes(version).expect("visible bytes"),
            );
        }
        req.body(Body::from(self.body.clone())).expect("request")
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3_000))]

    /// Thousands of malformed requests: never a 5xx, never plain text, always a `Request-Id`.
    #[test]
    fn malformed_requests_always_get_the_json_envelope(request in malformed()) {
        let sandbox = shared();
        let reply = runtime().block_on(sandbox.send(request.request()));
        prop_assert!(!reply.status.is_server_error(), "{:?} → {:?}", request, reply);
        assert_envelope(&reply);
    }
}
