//! Webhook endpoints and delivery: signed, rendered in the endpoint's API version, retried.

mod common;

use common::{Sandbox, account_id};
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
    let https = sandbox
        .post(
            "/v1/webhook_endpoints",
            "url=https://example.com/x&enabled_events[]=*",
        )
        .await
        .err(axum::http::StatusCode::BAD_REQUEST);
    assert_eq!(https["param"], "url");

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
    let (request, delivered) =
        tokio::join!(receive_one(&listener, 500), webhooks::deliver_due(&store));
    assert_eq!(delivered.unwrap(), 0);
    assert!(request.starts_with("POST /webhook HTTP/1.1"));

    // Nothing is due until the backoff passes on the sandbox clock.
    assert_eq!(webhooks::deliver_due(&store).await.unwrap(), 0);
    sandbox
        .post("/v1/test_helpers/clock", "seconds=60")
        .await
        .ok();
    let (request, delivered) =
        tokio::join!(receive_one(&listener, 200), webhooks::deliver_due(&store));
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
    assert_eq!(webhooks::deliver_due(&store).await.unwrap(), 0);
}
