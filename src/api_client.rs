//! Talks to the sandbox provider: form-encoded POSTs with the publishable key.
//!
//! The client secret only ever travels in request bodies, never in a URL, and is never logged.

use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, RequestInit, Response};

use crate::dom::describe;
use crate::error::{ErrorEnvelope, RelinkError};
use crate::mandate;
use crate::options::CollectOptions;
use crate::sandbox_api::{Authentication, Endpoint, Manifest, encode_form};

/// A client bound to one session.
#[derive(Clone)]
pub(crate) struct ApiClient {
    api_base: String,
    publishable_key: String,
    client_secret: String,
}

impl std::fmt::Debug for ApiClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiClient")
            .field("api_base", &self.api_base)
            .finish_non_exhaustive()
    }
}

impl ApiClient {
    /// A client for one object (a session or a SetupIntent) reached with its client secret.
    pub(crate) fn new(api_base: &str, publishable_key: &str, client_secret: &str) -> ApiClient {
        ApiClient {
            api_base: api_base.to_owned(),
            publishable_key: publishable_key.to_owned(),
            client_secret: client_secret.to_owned(),
        }
    }

    pub(crate) fn for_session(options: &CollectOptions) -> ApiClient {
        ApiClient::new(
            &options.api_base,
            &options.publishable_key,
            &options.client_secret,
        )
    }

    pub(crate) async fn manifest(&self) -> Result<Manifest, RelinkError> {
        self.post(Endpoint::Manifest.path(), &[], None).await
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
        self.post(Endpoint::Authenticate.path(), &fields, None)
            .await
    }

    /// Finishes the session; returns it as the server sent it.
    pub(crate) async fn complete(
        &self,
        accounts: &[String],
    ) -> Result<serde_json::Value, RelinkError> {
        let fields: Vec<(&str, &str)> = accounts
            .iter()
            .map(|last4| ("accounts[]", last4.as_str()))
            .collect();
        self.post(Endpoint::Complete.path(), &fields, None).await
    }

    /// Confirms the SetupIntent with an online mandate acceptance; returns the SetupIntent.
    pub(crate) async fn confirm_setup_intent(
        &self,
        idempotency_key: &str,
    ) -> Result<serde_json::Value, RelinkError> {
        let id = mandate::setup_intent_id(&self.client_secret)?;
        let path = mandate::confirm_path(id);
        self.post(&path, mandate::CONFIRM_FIELDS, Some(idempotency_key))
            .await
    }

    async fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        idempotency_key: Option<&str>,
    ) -> Result<T, RelinkError> {
        let window = web_sys::window().ok_or(RelinkError::NoDocument)?;
        let mut pairs = Vec::with_capacity(fields.len() + 1);
        pairs.push(("client_secret", self.client_secret.as_str()));
        pairs.extend_from_slice(fields);

        let headers = Headers::new().map_err(network)?;
        headers
            .append("Authorization", &format!("Bearer {}", self.publishable_key))
            .map_err(network)?;
        headers
            .append("Content-Type", "application/x-www-form-urlencoded")
            .map_err(network)?;
        if let Some(key) = idempotency_key {
            headers.append("Idempotency-Key", key).map_err(network)?;
        }
        let init = RequestInit::new();
        init.set_method("POST");
        init.set_headers(&headers);
        init.set_body(&JsValue::from_str(&encode_form(&pairs)));

        let url = format!("{}{}", self.api_base, path);
        let response = JsFuture::from(window.fetch_with_str_and_init(&url, &init))
            .await
            .map_err(network)?;
        let response: Response = response.dyn_into().map_err(network)?;
        let status = response.status();
        let text = JsFuture::from(response.text().map_err(network)?)
            .await
            .map_err(network)?
            .as_string()
            .unwrap_or_default();
        if response.ok() {
            serde_json::from_str(&text).map_err(|_| RelinkError::UnexpectedResponse { status })
        } else {
            Err(serde_json::from_str::<ErrorEnvelope>(&text)
                .map(|envelope| RelinkError::Api(Box::new(envelope.error)))
                .unwrap_or(RelinkError::UnexpectedResponse { status }))
        }
    }
}

fn network(error: JsValue) -> RelinkError {
    RelinkError::Network(describe(&error))
}
