//! Helpers shared by the integration tests: an in-memory sandbox and a terse HTTP client.
#![allow(dead_code)]

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use relink_sandbox::config::{DEFAULT_PUBLISHABLE_KEY, DEFAULT_SECRET_KEY, Settings};
use relink_sandbox::store::Store;
use relink_sandbox::{AppState, app};
use serde_json::Value;
use tower::ServiceExt;

pub const SK: &str = DEFAULT_SECRET_KEY;
pub const PK: &str = DEFAULT_PUBLISHABLE_KEY;

/// A response, decoded.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub json: Value,
}

impl Reply {
    /// Asserts a 200 and returns the body.
    #[track_caller]
    pub fn ok(self) -> Value {
        assert_eq!(self.status, StatusCode::OK, "body: {}", self.json);
        self.json
    }

    /// Asserts an error envelope with this status and returns `error`.
    #[track_caller]
    pub fn err(self, status: StatusCode) -> Value {
        assert_eq!(self.status, status, "body: {}", self.json);
        self.json["error"].clone()
    }
}

/// A sandbox app over an in-memory database.
pub struct Sandbox {
    pub app: Router,
    pub store: Store,
}

impl Sandbox {
    pub fn new() -> Self {
        Self::with_store(Store::open(":memory:").expect("in-memory db"))
    }

    pub fn with_store(store: Store) -> Self {
        Self::with_settings(store, Settings::for_tests())
    }

    pub fn with_settings(store: Store, settings: Settings) -> Self {
        let state = AppState::new(store.clone(), settings).expect("seed");
        Sandbox {
            app: app(state),
            store,
        }
    }

    pub async fn request(
        &self,
        method: Method,
        uri: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Reply {
        let mut req = Request::builder().method(method).uri(uri);
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        if !body.is_empty() {
            req = req.header("content-type", "application/x-www-form-urlencoded");
        }
        let response = self
            .app
            .clone()
            .oneshot(req.body(Body::from(body.to_owned())).expect("request"))
            .await
            .expect("infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        let json = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        Reply {
            status,
            headers,
            json,
        }
    }

    /// Sends a request as built, with no header added: for malformed requests.
    pub async fn send(&self, req: Request<Body>) -> Reply {
        let response = self.app.clone().oneshot(req).await.expect("infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        let json = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        Reply {
            status,
            headers,
            json,
        }
    }

    /// POST with the secret key.
    pub async fn post(&self, uri: &str, body: &str) -> Reply {
        let auth = format!("Bearer {SK}");
        self.request(Method::POST, uri, &[("authorization", &auth)], body)
            .await
    }

    /// GET with the secret key.
    pub async fn get(&self, uri: &str) -> Reply {
        let auth = format!("Bearer {SK}");
        self.request(Method::GET, uri, &[("authorization", &auth)], "")
            .await
    }

    /// GET with the secret key and a `Stripe-Version`.
    pub async fn get_versioned(&self, uri: &str, version: &str) -> Reply {
        let auth = format!("Bearer {SK}");
        self.request(
            Method::GET,
            uri,
            &[("authorization", &auth), ("stripe-version", version)],
            "",
        )
        .await
    }

    /// POST to the browser-facing flow with the publishable key.
    pub async fn browser(&self, uri: &str, body: &str) -> Reply {
        let auth = format!("Bearer {PK}");
        self.request(Method::POST, uri, &[("authorization", &auth)], body)
            .await
    }

    /// POST to a demo endpoint (no key).
    pub async fn demo(&self, uri: &str, body: &str) -> Reply {
        self.request(Method::POST, uri, &[], body).await
    }

    /// Creates a customer and returns its ID.
    pub async fn customer(&self) -> String {
        let c = self
            .post("/v1/customers", "email=jane%40example.com&name=Jane")
            .await
            .ok();
        c["id"].as_str().expect("id").to_owned()
    }

    /// Links accounts through the test helper and returns the finished session.
    pub async fn link(&self, customer: &str, institution: &str, last4s: &[&str]) -> Value {
        let session = self
            .post(
                "/v1/financial_connections/sessions",
                &format!(
                    "account_holder[type]=customer&account_holder[customer]={customer}\
                     &permissions[]=payment_method&permissions[]=balances"
                ),
            )
            .await
            .ok();
        let id = session["id"].as_str().expect("id");
        let mut body = format!("institution={institution}");
        for last4 in last4s {
            body.push_str(&format!("&accounts[]={last4}"));
        }
        self.post(
            &format!("/v1/test_helpers/financial_connections/sessions/{id}/complete"),
            &body,
        )
        .await
        .ok()
    }

    /// Creates a relink session for `authorization` (and `account`, when given) and completes
    /// it as the customer picking `last4s`; returns the finished session.
    pub async fn relink(
        &self,
        customer: &str,
        authorization: &str,
        account: Option<&str>,
        last4s: &[&str],
    ) -> Value {
        let mut body = format!(
            "account_holder[type]=customer&account_holder[customer]={customer}\
             &permissions[]=payment_method&relink_options[authorization]={authorization}"
        );
        if let Some(account) = account {
            body.push_str(&format!("&relink_options[account]={account}"));
        }
        let session = self
            .post("/v1/financial_connections/sessions", &body)
            .await
            .ok();
        let id = session["id"].as_str().expect("id");
        let picks: Vec<String> = last4s.iter().map(|l| format!("accounts[]={l}")).collect();
        self.post(
            &format!("/v1/test_helpers/financial_connections/sessions/{id}/complete"),
            &picks.join("&"),
        )
        .await
        .ok()
    }

    /// Breaks `account`'s link with the test helper; `params` is its form body (e.g.
    /// `cause=access_expired`, or empty for the default cause). Returns the account.
    pub async fn deactivate(&self, account: &str, params: &str) -> Value {
        self.post(
            &format!("/v1/test_helpers/financial_connections/accounts/{account}/deactivate"),
            params,
        )
        .await
        .ok()
    }

    /// Retrieves an account.
    pub async fn account(&self, id: &str) -> Value {
        self.get(&format!("/v1/financial_connections/accounts/{id}"))
            .await
            .ok()
    }
}

/// `accounts.data[i].id` of a session.
/// The test helper that completes `session` as its customer.
pub fn complete_path(session: &Value) -> String {
    format!(
        "/v1/test_helpers/financial_connections/sessions/{}/complete",
        session["id"].as_str().expect("session id")
    )
}

pub fn account_id(session: &Value, i: usize) -> String {
    session["accounts"]["data"][i]["id"]
        .as_str()
        .expect("linked account")
        .to_owned()
}

impl Sandbox {
    /// Takes `institution` down (`status=down`) or brings it back (`status=up`) with the test
    /// helper; returns the institution as the link flow describes it.
    pub async fn outage(&self, institution: &str, status: &str) -> Value {
        self.post(
            &format!("/v1/test_helpers/financial_connections/institutions/{institution}/outage"),
            &format!("status={status}"),
        )
        .await
        .ok()
    }

    /// A SetupIntent for `customer`, as the merchant's server creates it: with a payment method
    /// made from the Financial Connections `account` when given, else none yet (for Stripe.js's
    /// `collectBankAccountForSetup`).
    pub async fn setup_intent(&self, customer: &str, account: Option<&str>) -> Value {
        let mut body = format!("customer={customer}&payment_method_types[]=us_bank_account");
        if let Some(account) = account {
            body.push_str(&format!(
                "&payment_method_data[type]=us_bank_account\
                 &payment_method_data[us_bank_account][financial_connections_account]={account}"
            ));
        }
        self.post("/v1/setup_intents", &body).await.ok()
    }
}
