//! Talks to the sandbox: form-encoded POSTs with the publishable key to the endpoints of
//! [`crate::wire`], answers decoded by [`crate::decode`] straight from the parsed JS objects.
//!
//! Every request has a deadline (`requestTimeout`, 30 s by default) and is cancelled when its
//! owner (an open flow, a drop-in call) goes away, so a dropped network can neither
//! hold a flow open nor change it afterwards. The client secret only ever travels in request
//! bodies, never in a URL, and is never logged.

use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal, Headers, RequestInit, Response};

use crate::browser::dom::{describe, push_int};
use crate::browser::js_value::{get, set};
use crate::decode::{self, Reader};
use crate::error::RelinkError;
use crate::mandate;
use crate::session::Session;
use crate::wire::{Authentication, BillingDetails, Endpoint, Manifest, encode_form};

/// Cancels every request made with its signal when dropped (or when [`Cancel::now`] runs).
#[derive(Debug)]
pub(crate) struct Cancel(Option<AbortController>);

impl Cancel {
    pub(crate) fn new() -> Cancel {
        Cancel(AbortController::new().ok())
    }

    pub(crate) fn signal(&self) -> Option<AbortSignal> {
        self.0.as_ref().map(AbortController::signal)
    }

    /// Cancels what is in flight; later requests with this signal fail at once.
    pub(crate) fn now(&self) {
        if let Some(controller) = &self.0 {
            controller.abort();
        }
    }
}

impl Drop for Cancel {
    fn drop(&mut self) {
        self.now();
    }
}

/// A client bound to one object (a session or a SetupIntent) reached with its client secret.
#[derive(Clone)]
pub(crate) struct Client {
    api_base: String,
    publishable_key: String,
    client_secret: String,
    timeout_ms: u32,
    /// The owner's cancellation; `None` when the browser has no `AbortController`.
    cancelled: Option<AbortSignal>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("api_base", &self.api_base)
            .finish_non_exhaustive()
    }
}

/// Where a client sends its requests and how long each may take.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Target<'a> {
    pub(crate) api_base: &'a str,
    pub(crate) publishable_key: &'a str,
    pub(crate) client_secret: &'a str,
    pub(crate) timeout_ms: u32,
}

impl Client {
    /// A client whose requests `owner` cancels.
    pub(crate) fn new(target: Target<'_>, owner: &Cancel) -> Client {
        Client {
            api_base: target.api_base.to_owned(),
            publishable_key: target.publishable_key.to_owned(),
            client_secret: target.client_secret.to_owned(),
            timeout_ms: target.timeout_ms,
            cancelled: owner.signal(),
        }
    }

    pub(crate) async fn manifest(&self) -> Result<Box<Manifest<Session<JsValue>>>, RelinkError> {
        let answer = self.post(Endpoint::Manifest.path(), &[], None).await?;
        decode::manifest(&answer)
            .map(Box::new)
            .ok_or(RelinkError::UnexpectedResponse { status: 200 })
    }

    pub(crate) async fn authenticate(
        &self,
        institution: &str,
        password: Option<&str>,
        mfa_code: Option<&str>,
    ) -> Result<Authentication, RelinkError> {
        let mut fields = vec![("institution", institution)];
        if let Some(password) = password {
            fields.push(("password", password));
        }
        if let Some(code) = mfa_code {
            fields.push(("mfa_code", code));
        }
        let answer = self
            .post(Endpoint::Authenticate.path(), &fields, None)
            .await?;
        decode::authentication(&answer).ok_or(RelinkError::UnexpectedResponse { status: 200 })
    }

    /// Finishes the session with the accounts picked (by `last4`).
    pub(crate) async fn complete(
        &self,
        accounts: &[String],
    ) -> Result<Box<Session<JsValue>>, RelinkError> {
        let fields: Vec<(&str, &str)> = accounts
            .iter()
            .map(|last4| ("accounts[]", last4.as_str()))
            .collect();
        let answer = self.post(Endpoint::Complete.path(), &fields, None).await?;
        decode::session(&answer)
            .map(Box::new)
            .ok_or(RelinkError::UnexpectedResponse { status: 200 })
    }

    /// Confirms the SetupIntent with an online mandate acceptance, as Stripe.js does when given
    /// no `mandate_data` (optionally with another `payment_method`), under a fresh idempotency
    /// key; returns the SetupIntent.
    pub(crate) async fn confirm_setup_intent(
        &self,
        payment_method: Option<&str>,
    ) -> Result<JsValue, RelinkError> {
        let id = mandate::setup_intent_id(&self.client_secret)?;
        let path = mandate::confirm_path(id);
        let mut fields = mandate::CONFIRM_FIELDS.to_vec();
        if let Some(payment_method) = payment_method {
            fields.push(("payment_method", payment_method));
        }
        self.post(&path, &fields, Some(&idempotency_key())).await
    }

    /// The SetupIntent, with `expand[]` paths.
    pub(crate) async fn retrieve_setup_intent(
        &self,
        expand: &[String],
    ) -> Result<JsValue, RelinkError> {
        let id = mandate::setup_intent_id(&self.client_secret)?;
        let path = crate::error::cat(&["/v1/setup_intents/", id, "/retrieve"]);
        let fields: Vec<(&str, &str)> = expand
            .iter()
            .map(|path| ("expand[]", path.as_str()))
            .collect();
        self.post(&path, &fields, None).await
    }

    /// Opens the session that collects the bank account of this client's SetupIntent; answers
    /// [`crate::wire::SetupSession`].
    pub(crate) async fn open_setup_session(
        &self,
        billing: &BillingDetails,
    ) -> Result<JsValue, RelinkError> {
        let fields = billing.form_fields("payment_method_data[billing_details]");
        let fields: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        self.post(Endpoint::ForSetupIntent.path(), &fields, None)
            .await
    }

    /// A bank account token for what this client's finished session linked.
    pub(crate) async fn bank_account_token(&self) -> Result<JsValue, RelinkError> {
        self.post(Endpoint::BankAccountToken.path(), &[], None)
            .await
    }

    /// Trades a hosted relink page's single-use token for its session; answers
    /// [`crate::wire::HostedSession`]. (This client has no client secret yet.)
    pub(crate) async fn redeem_hosted(&self, token: &str) -> Result<JsValue, RelinkError> {
        self.post(Endpoint::Hosted.path(), &[("token", token)], None)
            .await
    }

    /// POSTs the form and resolves the parsed JSON body of a 2xx answer, within the timeout.
    async fn post(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        idempotency_key: Option<&str>,
    ) -> Result<JsValue, RelinkError> {
        let window = web_sys::window().ok_or(RelinkError::NoDocument)?;
        let mut pairs = Vec::with_capacity(fields.len() + 1);
        if !self.client_secret.is_empty() {
            pairs.push(("client_secret", self.client_secret.as_str()));
        }
        pairs.extend_from_slice(fields);

        let headers = Headers::new().map_err(network)?;
        let authorization = crate::error::cat(&["Bearer ", &self.publishable_key]);
        headers
            .append("Authorization", &authorization)
            .map_err(network)?;
        headers
            .append("Content-Type", "application/x-www-form-urlencoded")
            .map_err(network)?;
        if let Some(key) = idempotency_key {
            headers.append("Idempotency-Key", key).map_err(network)?;
        }
        let deadline = Deadline::start(self.timeout_ms, self.cancelled.as_ref());
        // A plain `RequestInit` dictionary: each typed setter would be one more JS import.
        let init = js_sys::Object::new();
        set(&init, "method", &JsValue::from_str("POST"));
        set(&init, "headers", &headers);
        set(&init, "body", &JsValue::from_str(&encode_form(&pairs)));
        if let Some(signal) = &deadline.signal {
            set(&init, "signal", signal);
        }
        let init: &RequestInit = init.unchecked_ref();

        let url = crate::error::cat(&[&self.api_base, path]);
        let fetched = JsFuture::from(window.fetch_with_str_and_init(&url, init)).await;
        let response: Response = fetched
            .and_then(JsCast::dyn_into)
            .map_err(|error| deadline.failure(&error))?;
        let status = response.status();
        // A body that is not JSON (a proxy's HTML error page) is the server's fault, not the
        // network's; one that stops arriving is the network's.
        let body = match response.json() {
            Ok(parsing) => match JsFuture::from(parsing).await {
                Ok(body) => Some(body),
                Err(_) if deadline.expired() => return Err(deadline.failure(&JsValue::NULL)),
                Err(_) => None,
            },
            Err(_) => None,
        };
        let Some(body) = body.filter(JsValue::is_object) else {
            return Err(RelinkError::UnexpectedResponse { status });
        };
        if response.ok() {
            return Ok(body);
        }
        let error = get(&body, "error");
        if error.is_object() && error.field("type").text().is_some() {
            Err(RelinkError::Api(Box::new(decode::stripe_error(&error))))
        } else {
            Err(RelinkError::UnexpectedResponse { status })
        }
    }
}

#[wasm_bindgen]
extern "C" {
    /// `AbortSignal.timeout(ms)`; throws in browsers that predate it.
    #[wasm_bindgen(catch, js_namespace = AbortSignal, js_name = timeout)]
    fn abort_after(ms: u32) -> Result<AbortSignal, JsValue>;

    /// `AbortSignal.any(signals)`; throws in browsers that predate it.
    #[wasm_bindgen(catch, js_namespace = AbortSignal, js_name = any)]
    fn abort_on_any(signals: &js_sys::Array) -> Result<AbortSignal, JsValue>;
}

/// One request's cancellation: its timeout, or its owner's.
struct Deadline {
    /// What the request is sent with.
    signal: Option<AbortSignal>,
    /// Aborts when the timeout passes.
    timeout: Option<AbortSignal>,
    after_ms: u32,
}

impl Deadline {
    /// Where a browser lacks `AbortSignal.any` the timeout alone applies (the flow ignores a
    /// late answer anyway), and where it lacks `AbortSignal.timeout` only the owner's.
    fn start(after_ms: u32, owner: Option<&AbortSignal>) -> Deadline {
        let timeout = abort_after(after_ms).ok();
        let signal = match (owner, &timeout) {
            (Some(owner), Some(timeout)) => abort_on_any(&js_sys::Array::of2(owner, timeout))
                .ok()
                .or_else(|| Some(timeout.clone())),
            (Some(owner), None) => Some(owner.clone()),
            (None, timeout) => timeout.clone(),
        };
        Deadline {
            signal,
            timeout,
            after_ms,
        }
    }

    fn expired(&self) -> bool {
        self.timeout.as_ref().is_some_and(AbortSignal::aborted)
    }

    /// Why the request failed: its timeout, or the network (or a cancellation, which nobody
    /// waits for any more).
    fn failure(&self, error: &JsValue) -> RelinkError {
        if self.expired() {
            RelinkError::Timeout {
                after_ms: self.after_ms,
            }
        } else {
            network(error.clone())
        }
    }
}

fn network(error: JsValue) -> RelinkError {
    RelinkError::Network(describe(&error))
}

/// A key unique enough to tell this page's attempts from any other's: one per confirm call, as
/// Stripe.js keys its own requests.
fn idempotency_key() -> String {
    let mut key = String::from("relink-");
    push_int(&mut key, js_sys::Date::now() as u64, 16);
    key.push('-');
    push_int(&mut key, (js_sys::Math::random() * 1e16) as u64, 16);
    key
}
