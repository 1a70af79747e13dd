//! Webhook endpoints and delivery: signed, rendered in the endpoint's API version, retried.

mod common;

use common::{Sandbox, account_id};
use relink_sandbox::store::Store;
use relink_sandbox::workflows::webhook_delivery as webhooks;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Accepts one HTTP request, answers `status`, and returns the raw request text.
async fn receive_one(listener: &TcpListener, status: u16) -> String {
    let (mut socket, _) = listener.accept().await.expect("webhook connection");
    let mut raw = Vec::new();
    let mut buf = [0_u8; 4096];
    loop {
        let n = socket.read(&mut buf).await.expect("read");
        raw.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&raw);
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length: usize = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length: ")
                        .map(|v| v.trim().parse().expect("content-length"))
                })
                .unwrap_or(0);
            if body.len() >= length {
                break;
            }
        }
        if n == 0 {
            break;
        }
    }
    let reply = format!("HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    socket.write_all(reply.as_bytes()).await.expect("reply");
    String::from_utf8(raw).expect("utf-8 request")
}

#[tokio::test]
async fn events_are_delivered_signed_in_the_endpoints_version_and_retried() {
    let sandbox = Sandbox::new();
    let store = sandbox.store.clone();
    let client = webhooks::Client::new(None).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/webhook", listener.local_addr().unwrap());

    let endpoint = sandbox
        .post(
            "/v1/webhook_endpoints",
            &format!("url={url}&enabled_events[]=financial_connections.account.deactivated&api_version=2025-03-31.basil"),
        )
        .await
        .ok();
    let secret = endpoint["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"));
    let ftp = sandbox
        .post(
            "/v1/webhook_endpoints",
            "url=ftp://example.com/x&enabled_events[]=*",
        )
        .await
        .err(axum::http::StatusCode::BAD_REQUEST);
    assert_eq!(ftp["param"], "url");

    let customer = sandbox.customer().await;
    let session = sandbox.link(&customer, "Sandbox Bank", &["6789"]).await;
    let account = account_id(&session, 0);
    sandbox
        .post(
            &format!("/v1/test_helpers/financial_connections/accounts/{account}/deactivate"),
            "cause=access_expired",
        )
        .await
        .ok();

    // First attempt fails: the endpoint answers 500.
    let (request, delivered) = tokio::join!(
        receive_one(&listener, 500),
        webhooks::deliver_due(&store, &client)
    );
    assert_eq!(delivered.unwrap(), 0);
    assert!(request.starts_with("POST /webhook HTTP/1.1"));

    // Nothing is due until the backoff passes on the sandbox clock.
    assert_eq!(webhooks::deliver_due(&store, &client).await.unwrap(), 0);
    sandbox
        .post("/v1/test_helpers/clock", "seconds=60")
        .await
        .ok();
    let (request, delivered) = tokio::join!(
        receive_one(&listener, 200),
        webhooks::deliver_due(&store, &client)
    );
    assert_eq!(delivered.unwrap(), 1);

    let (head, body) = request.split_once("\r\n\r\n").unwrap();
    let signature = head
        .lines()
        .find_map(|l| l.strip_prefix("Stripe-Signature: "))
        .unwrap();
    let t: i64 = signature
        .split(',')
        .next()
        .unwrap()
        .strip_prefix("t=")
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(signature, webhooks::signature_header(&secret, t, body));

    let event: Value = serde_json::from_str(body).unwrap();
    assert_eq!(event["type"], "financial_connections.account.deactivated");
    assert_eq!(event["api_version"], "2025-03-31.basil");
    assert_eq!(event["data"]["object"]["id"], account.as_str());
    assert_eq!(event["data"]["object"]["status"], "inactive");
    assert!(
        event["data"]["object"].get("status_details").is_none(),
        "GA endpoint"
    );

    // Delivered once: nothing more is due, even later.
    sandbox
        .post("/v1/test_helpers/clock", "seconds=7200")
        .await
        .ok();
    assert_eq!(webhooks::deliver_due(&store, &client).await.unwrap(), 0);
}

/// The spec's preview-only fields of the objects events capture (SPEC.md §4), written out here
/// rather than read from the sandbox so that the test does not trust what it checks.
const PREVIEW_ONLY: &[(&str, &[&str])] = &[
    (
        "financial_connections.account",
        &["authorization", "status_details"],
    ),
    (
        "financial_connections.session",
        &[
            "relink_options",
            "relink_result",
            "status",
            "ui_mode",
            "hosted",
            "url",
        ],
    ),
];

fn preview_only(kind: Option<&str>) -> &'static [&'static str] {
    PREVIEW_ONLY
        .iter()
        .find(|(k, _)| Some(*k) == kind)
        .map_or(&[], |(_, fields)| fields)
}

/// Fails naming the first preview-only field found in `value` or anything nested in it.
#[track_caller]
fn assert_no_preview_field(value: &Value, at: &str) {
    match value {
        Value::Object(map) => {
            for field in preview_only(map.get("object").and_then(Value::as_str)) {
                assert!(!map.contains_key(*field), "{at}.{field} in a GA rendering");
            }
            for (key, nested) in map {
                assert_no_preview_field(nested, &format!("{at}.{key}"));
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                assert_no_preview_field(item, &format!("{at}[{i}]"));
            }
        }
        _ => {}
    }
}

/// A GA event carries no preview field: not in `data.object` (nor the accounts inside a
/// session), not in `data.previous_attributes`.
#[track_caller]
fn assert_ga_event(event: &Value) {
    let id = event["id"].as_str().unwrap_or("event");
    assert_no_preview_field(&event["data"]["object"], &format!("{id}.data.object"));
    let kind = event["data"]["object"]["object"].as_str();
    if let Some(previous) = event["data"]["previous_attributes"].as_object() {
        for field in preview_only(kind) {
            assert!(
                !previous.contains_key(*field),
                "{id}.data.previous_attributes.{field} in a GA rendering"
            );
        }
    }
}

/// A broken account relinked through a hosted session: events about accounts (with a previous
/// `status_details`) and about a session that has every preview field set. Returns the session.
async fn relink_through_a_hosted_session(sandbox: &Sandbox) -> Value {
    let customer = sandbox.customer().await;
    let linked = sandbox.link(&customer, "Sandbox Bank", &["6789"]).await;
    let account = account_id(&linked, 0);
    let broken = sandbox
        .post(
            &format!("/v1/test_helpers/financial_connections/accounts/{account}/deactivate"),
            "cause=access_expired",
        )
        .await
        .ok();
    let hosted = sandbox
        .post(
            "/v1/financial_connections/sessions",
            &format!(
                "account_holder[type]=customer&account_holder[customer]={customer}\
                 &permissions[]=payment_method&relink_options[authorization]={}\
                 &relink_options[account]={account}&ui_mode=hosted&hosted[delivery_method]=url",
                broken["authorization"].as_str().expect("authorization")
            ),
        )
        .await
        .ok();
    sandbox
        .post(&common::complete_path(&hosted), "accounts[]=6789")
        .await
        .ok();
    hosted
}

/// Delivers everything due to `listener`, which accepts each of the `expected` requests;
/// returns the events received.
async fn deliver_all(listener: &TcpListener, store: &Store, expected: usize) -> Vec<Value> {
    let client = webhooks::Client::new(None).expect("a client");
    let (requests, delivered) = tokio::join!(
        async {
            let mut requests = Vec::new();
            for _ in 0..expected {
                requests.push(receive_one(listener, 200).await);
            }
            requests
        },
        webhooks::deliver_due(store, &client)
    );
    assert_eq!(delivered.expect("delivery pass"), expected);
    requests
        .iter()
        .map(|request| {
            let (_, body) = request.split_once("\r\n\r\n").expect("a body");
            serde_json::from_str(body).expect("a JSON event")
        })
        .collect()
}

#[tokio::test]
async fn ga_webhooks_and_ga_events_carry_no_preview_field() {
    let sandbox = Sandbox::new();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/webhook", listener.local_addr().unwrap());
    sandbox
        .post(
            "/v1/webhook_endpoints",
            &format!("url={url}&enabled_events[]=*&api_version=2025-03-31.basil"),
        )
        .await
        .ok();
    let hosted = relink_through_a_hosted_session(&sandbox).await;

    // The preview log shows what a GA reader must not see, so the checks below can fail.
    let preview = sandbox.get("/v1/events?limit=100").await.ok();
    let preview = preview["data"].as_array().unwrap();
    let session_update = preview
        .iter()
        .find(|e| e["data"]["object"]["id"] == hosted["id"])
        .expect("the hosted session's event");
    assert_eq!(session_update["data"]["object"]["ui_mode"], "hosted");
    assert!(session_update["data"]["object"]["url"].is_string());
    let types: Vec<&str> = preview
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert!(
        types.contains(&"financial_connections.account.deactivated"),
        "{types:?}"
    );
    assert!(
        types.contains(&"financial_connections.account.reactivated"),
        "{types:?}"
    );

    let ga = sandbox
        .get_versioned("/v1/events?limit=100", "2025-03-31.basil")
        .await
        .ok();
    let ga = ga["data"].as_array().unwrap();
    assert_eq!(ga.len(), preview.len());
    ga.iter().for_each(assert_ga_event);
    let one = sandbox
        .get_versioned(
            &format!("/v1/events/{}", session_update["id"].as_str().unwrap()),
            "2025-03-31.basil",
        )
        .await
        .ok();
    assert_eq!(one["data"]["object"]["id"], hosted["id"]);
    assert_ga_event(&one);

    // Every event goes to the GA endpoint, rendered the same way.
    for event in deliver_all(&listener, &sandbox.store, preview.len()).await {
        assert_eq!(event["api_version"], "2025-03-31.basil");
        assert_ga_event(&event);
    }
}
