//! Webhook endpoints and delivery: signed, rendered in the endpoint's API version, retried, over
//! `http://` and `https://`.

mod common;

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use common::{Sandbox, account_id};
use hmac::{Hmac, Mac};
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::http::HeaderMap;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use relink_sandbox::store::Store;
use relink_sandbox::workflows::webhook_delivery as webhooks;
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use serde_json::Value;
use sha2::Sha256;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

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
    sandbox.deactivate(&account, "cause=access_expired").await;

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

/// A broken account relinked through a hosted session: events about accounts with every
/// preview field set (and a previous `status_details`). Returns the session; Stripe's catalog
/// has no session event.
async fn relink_through_a_hosted_session(sandbox: &Sandbox) -> Value {
    let customer = sandbox.customer().await;
    let linked = sandbox.link(&customer, "Sandbox Bank", &["6789"]).await;
    let account = account_id(&linked, 0);
    let broken = sandbox.deactivate(&account, "cause=access_expired").await;
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
    relink_through_a_hosted_session(&sandbox).await;

    // The preview log shows what a GA reader must not see, so the checks below can fail.
    let preview = sandbox.get("/v1/events?limit=100").await.ok();
    let preview = preview["data"].as_array().unwrap();
    let deactivated = preview
        .iter()
        .find(|e| e["type"] == "financial_connections.account.deactivated")
        .expect("the account's deactivation");
    let account = &deactivated["data"]["object"];
    assert!(account["authorization"].is_string());
    assert_eq!(
        account["status_details"]["inactive"]["cause"],
        "access_expired"
    );
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
            &format!("/v1/events/{}", deactivated["id"].as_str().unwrap()),
            "2025-03-31.basil",
        )
        .await
        .ok();
    assert_eq!(one["data"]["object"]["id"], account["id"]);
    assert_ga_event(&one);

    // Every event goes to the GA endpoint, rendered the same way.
    for event in deliver_all(&listener, &sandbox.store, preview.len()).await {
        assert_eq!(event["api_version"], "2025-03-31.basil");
        assert_ga_event(&event);
    }
}

/// A request the TLS endpoint received.
#[derive(Debug)]
struct Received {
    path: String,
    headers: HeaderMap,
    body: Bytes,
}

/// A local `https://` webhook endpoint: a CA and a `localhost` certificate made for the test,
/// and a TLS server on 127.0.0.1 that answers with the statuses it was given (then 200) and
/// records every request.
struct TlsEndpoint {
    url: String,
    /// The CA's certificate, as PEM, for `--webhook-ca-file`.
    ca_file: PathBuf,
    requests: mpsc::UnboundedReceiver<Received>,
    /// TLS handshakes that succeeded: connections the sandbox opened and trusted.
    connections: Arc<AtomicUsize>,
}

impl TlsEndpoint {
    async fn start(statuses: &[u16]) -> Self {
        let ca_key = KeyPair::generate().expect("test TLS setup");
        let mut ca = CertificateParams::new(Vec::new()).expect("test TLS setup");
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name
            .push(DnType::CommonName, "relink webhook test CA");
        ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca_cert = ca.self_signed(&ca_key).expect("test TLS setup");
        let issuer = Issuer::new(ca, ca_key);
        let server_key = KeyPair::generate().expect("test TLS setup");
        let server = CertificateParams::new(vec!["localhost".to_owned()]).expect("test TLS setup");
        let server_cert = server
            .signed_by(&server_key, &issuer)
            .expect("test TLS setup");

        let ca_file = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("{}.pem", relink_sandbox::ids::new_id("webhook_ca")));
        std::fs::write(&ca_file, ca_cert.pem()).expect("test TLS setup");

        let tls = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("test TLS setup")
        .with_no_client_auth()
        .with_single_cert(
            vec![server_cert.der().clone()],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der())),
        )
        .expect("test TLS setup");
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls));
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("test TLS setup");
        let url = format!(
            "https://localhost:{}/webhook",
            listener.local_addr().expect("test TLS setup").port()
        );
        let (sender, requests) = mpsc::unbounded_channel();
        let statuses = Arc::new(Mutex::new(VecDeque::from(statuses.to_vec())));
        let connections = Arc::new(AtomicUsize::new(0));
        let handshakes = connections.clone();
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let (acceptor, sender, statuses, handshakes) = (
                    acceptor.clone(),
                    sender.clone(),
                    statuses.clone(),
                    handshakes.clone(),
                );
                tokio::spawn(async move {
                    // A client that does not trust the certificate aborts the handshake here.
                    let Ok(stream) = acceptor.accept(tcp).await else {
                        return;
                    };
                    handshakes.fetch_add(1, Ordering::SeqCst);
                    let service = hyper::service::service_fn(move |request: Request<Incoming>| {
                        let (sender, statuses) = (sender.clone(), statuses.clone());
                        async move {
                            let (parts, body) = request.into_parts();
                            let body = body.collect().await?.to_bytes();
                            let _ = sender.send(Received {
                                path: parts.uri.path().to_owned(),
                                headers: parts.headers,
                                body,
                            });
                            let status = statuses
                                .lock()
                                .expect("a response")
                                .pop_front()
                                .unwrap_or(200);
                            Ok::<_, hyper::Error>(
                                Response::builder()
                                    .status(status)
                                    .body(Full::new(Bytes::from_static(b"{\"received\":true}")))
                                    .expect("a response"),
                            )
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        TlsEndpoint {
            url,
            ca_file,
            requests,
            connections,
        }
    }
}

/// Creates an endpoint for `url` wanting deactivations and deactivates a fresh account; returns
/// the endpoint's secret and the event's ID.
async fn endpoint_and_event(sandbox: &Sandbox, url: &str) -> (String, String) {
    let endpoint = sandbox
        .post(
            "/v1/webhook_endpoints",
            &format!("url={url}&enabled_events[]=financial_connections.account.deactivated"),
        )
        .await
        .ok();
    assert_eq!(endpoint["url"], url);
    let customer = sandbox.customer().await;
    let session = sandbox.link(&customer, "Sandbox Bank", &["6789"]).await;
    let account = account_id(&session, 0);
    sandbox.deactivate(&account, "cause=access_expired").await;
    let events = sandbox
        .get("/v1/events?type=financial_connections.account.deactivated")
        .await
        .ok();
    (
        endpoint["secret"].as_str().expect("an ID").to_owned(),
        events["data"][0]["id"].as_str().expect("an ID").to_owned(),
    )
}

/// The event's delivery log entry for its one endpoint.
async fn delivery_log(sandbox: &Sandbox, event: &str) -> Value {
    let log = sandbox
        .get(&format!("/v1/test_helpers/events/{event}/deliveries"))
        .await
        .ok();
    assert_eq!(log["data"].as_array().expect("an ID").len(), 1, "{log}");
    log["data"][0].clone()
}

/// Checks `Stripe-Signature` the way a receiver must: HMAC-SHA256 of `<t>.<body as received>`
/// under the endpoint's secret, computed here rather than by the sandbox's own function, with
/// a timestamp within Stripe's default five-minute tolerance of real time.
#[track_caller]
fn assert_signed(received: &Received, secret: &str) {
    let header = received.headers["stripe-signature"]
        .to_str()
        .expect("a well-formed Stripe-Signature");
    let (t, v1) = header
        .split_once(',')
        .expect("a well-formed Stripe-Signature");
    let t = t
        .strip_prefix("t=")
        .expect("a well-formed Stripe-Signature");
    let v1 = v1
        .strip_prefix("v1=")
        .expect("a well-formed Stripe-Signature");
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("a well-formed Stripe-Signature");
    mac.update(t.as_bytes());
    mac.update(b".");
    mac.update(&received.body);
    assert_eq!(v1, hex::encode(mac.finalize().into_bytes()), "{header}");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("a well-formed Stripe-Signature")
        .as_secs() as i64;
    assert!(
        (now - t.parse::<i64>().expect("a well-formed Stripe-Signature")).abs() < 300,
        "{header}"
    );
}

#[tokio::test]
async fn https_deliveries_are_signed_over_the_exact_body_and_retried_after_a_500() {
    let mut endpoint = TlsEndpoint::start(&[500]).await;
    let client = webhooks::Client::new(Some(&endpoint.ca_file)).unwrap();
    let sandbox = Sandbox::new();
    let (secret, event) = endpoint_and_event(&sandbox, &endpoint.url).await;

    // The endpoint answers the first attempt with a 500: logged, and a retry is scheduled.
    assert_eq!(
        webhooks::deliver_due(&sandbox.store, &client)
            .await
            .unwrap(),
        0
    );
    let refused = endpoint.requests.try_recv().expect("the first attempt");
    assert_signed(&refused, &secret);
    let log = delivery_log(&sandbox, &event).await;
    assert_eq!(log["attempts"][0]["status"], 500, "{log}");
    assert!(log["attempts"][0]["error"].is_null(), "{log}");
    assert_eq!(log["delivered"], false, "{log}");
    assert!(log["next_attempt_at"].is_i64(), "{log}");

    // Nothing is due until the backoff has passed on the sandbox clock; then the retry goes.
    assert_eq!(
        webhooks::deliver_due(&sandbox.store, &client)
            .await
            .unwrap(),
        0
    );
    assert!(endpoint.requests.try_recv().is_err());
    sandbox
        .post("/v1/test_helpers/clock", "seconds=60")
        .await
        .ok();
    assert_eq!(
        webhooks::deliver_due(&sandbox.store, &client)
            .await
            .unwrap(),
        1
    );
    let accepted = endpoint.requests.try_recv().expect("the retry");
    assert_signed(&accepted, &secret);

    assert_eq!(accepted.path, "/webhook");
    let host = endpoint.url.trim_start_matches("https://");
    assert_eq!(accepted.headers["host"], host.trim_end_matches("/webhook"));
    assert_eq!(
        accepted.headers["content-type"],
        "application/json; charset=utf-8"
    );
    assert!(
        accepted.headers["user-agent"]
            .to_str()
            .unwrap()
            .starts_with("Stripe/1.0")
    );
    let body: Value = serde_json::from_slice(&accepted.body).unwrap();
    assert_eq!(body["id"], event.as_str());
    assert_eq!(body["type"], "financial_connections.account.deactivated");
    let first: Value = serde_json::from_slice(&refused.body).unwrap();
    assert_eq!(
        first["id"],
        event.as_str(),
        "the retry sends the same event"
    );

    let log = delivery_log(&sandbox, &event).await;
    let statuses: Vec<&Value> = log["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["status"])
        .collect();
    assert_eq!(statuses, [500, 200], "{log}");
    assert_eq!(log["delivered"], true, "{log}");
    // One client for the worker's lifetime: the retry went over the first attempt's connection.
    assert_eq!(endpoint.connections.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn an_untrusted_certificate_is_a_logged_tls_error_and_the_delivery_is_retried() {
    let mut endpoint = TlsEndpoint::start(&[]).await;
    let sandbox = Sandbox::new();
    let (secret, event) = endpoint_and_event(&sandbox, &endpoint.url).await;

    // Without --webhook-ca-file the test CA is unknown: the handshake fails, nothing is sent.
    let untrusting = webhooks::Client::new(None).unwrap();
    assert_eq!(
        webhooks::deliver_due(&sandbox.store, &untrusting)
            .await
            .unwrap(),
        0
    );
    assert!(
        endpoint.requests.try_recv().is_err(),
        "no request got through"
    );
    assert_eq!(endpoint.connections.load(Ordering::SeqCst), 0);
    let log = delivery_log(&sandbox, &event).await;
    let attempt = &log["attempts"][0];
    assert!(attempt["status"].is_null(), "{log}");
    let error = attempt["error"].as_str().expect("the TLS error is logged");
    assert!(error.contains("certificate not trusted"), "{error}");
    assert!(error.contains("--webhook-ca-file"), "{error}");
    assert_eq!(log["delivered"], false, "{log}");
    assert!(
        log["next_attempt_at"].is_i64(),
        "retried, not dropped: {log}"
    );

    // Once the CA is trusted, the retry after the backoff delivers the same event.
    let trusting = webhooks::Client::new(Some(&endpoint.ca_file)).unwrap();
    sandbox
        .post("/v1/test_helpers/clock", "seconds=60")
        .await
        .ok();
    assert_eq!(
        webhooks::deliver_due(&sandbox.store, &trusting)
            .await
            .unwrap(),
        1
    );
    let received = endpoint.requests.try_recv().expect("the retry");
    assert_signed(&received, &secret);
    let log = delivery_log(&sandbox, &event).await;
    assert_eq!(log["delivered"], true, "{log}");
    assert_eq!(log["attempts"][1]["status"], 200, "{log}");
    assert!(log["attempts"][1]["error"].is_null(), "{log}");
}

#[tokio::test]
async fn a_certificate_for_another_host_name_is_a_logged_tls_error() {
    let endpoint = TlsEndpoint::start(&[]).await;
    let sandbox = Sandbox::new();
    // The certificate names `localhost`, not the address.
    let by_address = endpoint.url.replace("localhost", "127.0.0.1");
    let (_, event) = endpoint_and_event(&sandbox, &by_address).await;
    let client = webhooks::Client::new(Some(&endpoint.ca_file)).unwrap();
    assert_eq!(
        webhooks::deliver_due(&sandbox.store, &client)
            .await
            .unwrap(),
        0
    );
    let log = delivery_log(&sandbox, &event).await;
    let error = log["attempts"][0]["error"].as_str().expect("an error");
    assert!(
        error.contains("not valid for the endpoint's host name"),
        "{error}"
    );
    assert!(log["next_attempt_at"].is_i64(), "{log}");
}

#[tokio::test]
async fn an_unreachable_endpoint_is_a_logged_connection_error() {
    // A port nothing listens on: bound, then closed.
    let port = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let sandbox = Sandbox::new();
    let (_, event) =
        endpoint_and_event(&sandbox, &format!("http://127.0.0.1:{port}/webhook")).await;
    let client = webhooks::Client::new(None).unwrap();
    assert_eq!(
        webhooks::deliver_due(&sandbox.store, &client)
            .await
            .unwrap(),
        0
    );
    let log = delivery_log(&sandbox, &event).await;
    let error = log["attempts"][0]["error"].as_str().expect("an error");
    assert!(error.contains("tcp connect error"), "{error}");
    assert!(
        error.to_lowercase().contains("connection refused"),
        "{error}"
    );
    assert!(log["next_attempt_at"].is_i64(), "{log}");
}

#[tokio::test]
async fn an_endless_response_body_costs_nothing_but_its_connection() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/webhook", listener.local_addr().unwrap());
    let sandbox = Sandbox::new();
    let (_, event) = endpoint_and_event(&sandbox, &url).await;
    // A 200 followed by chunks that never end.
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut request = [0_u8; 8192];
        let _ = socket.read(&mut request).await;
        let _ = socket
            .write_all(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
            .await;
        let chunk = format!("8000\r\n{}\r\n", "x".repeat(0x8000));
        while socket.write_all(chunk.as_bytes()).await.is_ok() {}
    });
    let client = webhooks::Client::new(None).unwrap();
    let delivered = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        webhooks::deliver_due(&sandbox.store, &client),
    )
    .await
    .expect("the body is not read to its end");
    assert_eq!(delivered.unwrap(), 1);
    assert_eq!(delivery_log(&sandbox, &event).await["delivered"], true);
}

/// The sandbox binary, killed when dropped (a failing test leaves no server behind).
struct Binary(std::process::Child);

impl Drop for Binary {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A form POST with the secret key to the binary at `origin`; the JSON answer.
async fn post_to(origin: &str, path: &str, form: &str) -> Value {
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<Full<Bytes>>();
    let request = Request::post(format!("{origin}{path}"))
        .header("authorization", format!("Bearer {}", common::SK))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Full::new(Bytes::from(form.to_owned())))
        .expect("a request");
    let response = client.request(request).await.expect("the sandbox answers");
    let status = response.status();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("a body")
        .to_bytes();
    let json: Value = serde_json::from_slice(&body).expect("JSON");
    assert!(status.is_success(), "{path}: {status} {json}");
    json
}

#[tokio::test]
async fn the_binary_delivers_over_https_trusting_its_webhook_ca_file() {
    let mut endpoint = TlsEndpoint::start(&[]).await;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_relink-sandbox"))
        .args([
            "--db",
            ":memory:",
            "--addr",
            "127.0.0.1:0",
            "--webhook-ca-file",
        ])
        .arg(&endpoint.ca_file)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let sandbox = Binary(child);
    // Kept open to the end: the sandbox must not write the rest of its banner into a closed pipe.
    let mut stdout = std::io::BufReader::new(stdout);
    let mut banner = String::new();
    std::io::BufRead::read_line(&mut stdout, &mut banner).unwrap();
    let origin = banner.trim().rsplit(' ').next().unwrap().to_owned();

    let secret = post_to(
        &origin,
        "/v1/webhook_endpoints",
        &format!(
            "url={}&enabled_events[]=financial_connections.account.deactivated",
            endpoint.url
        ),
    )
    .await["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let customer = post_to(&origin, "/v1/customers", "email=jenny.rosen%40example.com").await;
    let session = post_to(
        &origin,
        "/v1/financial_connections/sessions",
        &format!(
            "account_holder[type]=customer&account_holder[customer]={}\
             &permissions[]=payment_method",
            customer["id"].as_str().unwrap()
        ),
    )
    .await;
    let linked = post_to(
        &origin,
        &common::complete_path(&session),
        "institution=Sandbox+Bank&accounts[]=6789",
    )
    .await;
    let account = account_id(&linked, 0);
    post_to(
        &origin,
        &format!("/v1/test_helpers/financial_connections/accounts/{account}/deactivate"),
        "cause=access_expired",
    )
    .await;

    // The worker wakes every second and trusts the test CA because of the flag.
    let received =
        tokio::time::timeout(std::time::Duration::from_secs(20), endpoint.requests.recv())
            .await
            .expect("a delivery within 20 s")
            .expect("a request");
    assert_signed(&received, &secret);
    let event: Value = serde_json::from_slice(&received.body).unwrap();
    assert_eq!(event["data"]["object"]["id"], account.as_str());
    drop(sandbox);
    drop(stdout);
}

fn write_temp(name: &str, contents: &[u8]) -> PathBuf {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("{}-{name}", relink_sandbox::ids::new_id("ca")));
    std::fs::write(&path, contents).expect("a temp file");
    path
}

#[test]
fn unusable_ca_files_are_errors_that_name_the_file() {
    let missing = Path::new(env!("CARGO_TARGET_TMPDIR")).join("no-such-ca.pem");
    let not_pem = write_temp("not.pem", b"this is not a certificate\n");
    let key_only = write_temp(
        "key.pem",
        KeyPair::generate().unwrap().serialize_pem().as_bytes(),
    );
    let bad_base64 = write_temp(
        "base64.pem",
        b"-----BEGIN CERTIFICATE-----\n%%%%\n-----END CERTIFICATE-----\n",
    );
    let not_a_certificate = write_temp(
        "junk.pem",
        b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    );
    for (path, expected) in [
        (&missing, "cannot read --webhook-ca-file"),
        (&not_pem, "holds no PEM certificate"),
        (&key_only, "holds no PEM certificate"),
        (&bad_base64, "is not valid PEM"),
        (&not_a_certificate, "certificate 1 cannot be used as a CA"),
    ] {
        let error = webhooks::Client::new(Some(path)).unwrap_err().to_string();
        assert!(error.contains(expected), "{error}");
        assert!(error.contains(&path.display().to_string()), "{error}");
    }

    // A bundle of several CAs is fine.
    let ca = |name: &str| {
        let mut params = CertificateParams::new(Vec::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        params
            .self_signed(&KeyPair::generate().unwrap())
            .unwrap()
            .pem()
    };
    let bundle = write_temp(
        "bundle.pem",
        format!("{}{}", ca("one"), ca("two")).as_bytes(),
    );
    assert!(webhooks::Client::new(Some(&bundle)).is_ok());
}

#[test]
fn the_binary_refuses_to_start_with_an_unusable_ca_file() {
    let bin = env!("CARGO_BIN_EXE_relink-sandbox");
    let not_pem = write_temp("start.pem", b"not a certificate\n");
    let by_flag = std::process::Command::new(bin)
        .args([
            "--db",
            ":memory:",
            "--addr",
            "127.0.0.1:0",
            "--webhook-ca-file",
        ])
        .arg(&not_pem)
        .output()
        .unwrap();
    let by_env = std::process::Command::new(bin)
        .args(["--db", ":memory:", "--addr", "127.0.0.1:0"])
        .env("RELINK_WEBHOOK_CA_FILE", "/nonexistent/ca.pem")
        .output()
        .unwrap();
    for (out, expected) in [
        (by_flag, "holds no PEM certificate"),
        (by_env, "cannot read --webhook-ca-file /nonexistent/ca.pem"),
    ] {
        assert!(!out.status.success());
        assert!(out.stdout.is_empty(), "it fails before the banner");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
        assert!(stderr.contains(expected), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}
