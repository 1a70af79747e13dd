//! Talks to the sandbox provider: form-encoded POSTs with the publishable key, answers decoded
//! straight from the parsed JS objects into the flow's types.
//!
//! The client secret only ever travels in request bodies, never in a URL, and is never logged.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, RequestInit, Response};

use crate::js_object::set;

use crate::dom::describe;
use crate::error::RelinkError;
use crate::js_object::{array, get, string};
use crate::js_session::{accounts, error_from_js};
use crate::mandate;
use crate::options::CollectOptions;
use crate::sandbox_api::{
    Authentication, BankAccount, Endpoint, ExpectedAccount, Filters, Institution, Limits, Manifest,
    ManifestSession, RelinkTarget, encode_form,
};
use crate::session::{CompletedSession, LinkedAccount};

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
        let answer = self.post(Endpoint::Manifest.path(), &[], None).await?;
        manifest(&answer).ok_or(RelinkError::UnexpectedResponse { status: 200 })
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
        authentication(&answer).ok_or(RelinkError::UnexpectedResponse { status: 200 })
    }

    /// Finishes the session; returns it as the server sent it, and what the flow needs of it.
    pub(crate) async fn complete(
        &self,
        accounts: &[String],
    ) -> Result<(JsValue, CompletedSession), RelinkError> {
        let fields: Vec<(&str, &str)> = accounts
            .iter()
            .map(|last4| ("accounts[]", last4.as_str()))
            .collect();
        let session = self.post(Endpoint::Complete.path(), &fields, None).await?;
        let completed = completed_session(&session);
        Ok((session, completed))
    }

    /// Confirms the SetupIntent with an online mandate acceptance; returns the SetupIntent.
    pub(crate) async fn confirm_setup_intent(
        &self,
        idempotency_key: &str,
    ) -> Result<JsValue, RelinkError> {
        let id = mandate::setup_intent_id(&self.client_secret)?;
        let path = mandate::confirm_path(id);
        self.post(&path, mandate::CONFIRM_FIELDS, Some(idempotency_key))
            .await
    }

    /// POSTs the form and resolves the parsed JSON body of a 2xx answer.
    async fn post(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        idempotency_key: Option<&str>,
    ) -> Result<JsValue, RelinkError> {
        let window = web_sys::window().ok_or(RelinkError::NoDocument)?;
        let mut pairs = Vec::with_capacity(fields.len() + 1);
        pairs.push(("client_secret", self.client_secret.as_str()));
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
        // A plain `RequestInit` dictionary: each typed setter would be one more JS import.
        let init = js_sys::Object::new();
        set(&init, "method", &JsValue::from_str("POST"));
        set(&init, "headers", &headers);
        set(&init, "body", &JsValue::from_str(&encode_form(&pairs)));
        let init: &RequestInit = init.unchecked_ref();

        let url = crate::error::cat(&[&self.api_base, path]);
        let response = JsFuture::from(window.fetch_with_str_and_init(&url, init))
            .await
            .map_err(network)?;
        let response: Response = response.dyn_into().map_err(network)?;
        let status = response.status();
        let unexpected = RelinkError::UnexpectedResponse { status };
        // A body that is not JSON (a proxy's HTML error page) is the server's fault, not the
        // network's.
        let body = match response.json() {
            Ok(parsing) => JsFuture::from(parsing).await.ok(),
            Err(_) => None,
        };
        let Some(body) = body.filter(JsValue::is_object) else {
            return Err(unexpected);
        };
        if response.ok() {
            return Ok(body);
        }
        let error = get(&body, "error");
        if error.is_object() && string(&error, "type").is_some() {
            Err(RelinkError::Api(Box::new(error_from_js(&error))))
        } else {
            Err(unexpected)
        }
    }
}

fn network(error: JsValue) -> RelinkError {
    RelinkError::Network(describe(&error))
}

/// Parses each string of `object[key]` as a wire enum, skipping values this build does not
/// know, so a newer server cannot break an older component.
fn wire_values<T: std::str::FromStr>(object: &JsValue, key: &str) -> Vec<T> {
    read_all(&array(object, key), |value| value.as_string()?.parse().ok())
}

/// What `read` accepts of `items`, in order; a plain loop is smaller in the wasm than
/// `filter_map(..).collect()` for each item type.
fn read_all<T>(items: &js_sys::Array, read: impl Fn(&JsValue) -> Option<T>) -> Vec<T> {
    let mut all = Vec::new();
    for item in items.iter() {
        if let Some(value) = read(&item) {
            all.push(value);
        }
    }
    all
}

fn flag(object: &JsValue, key: &str, default: bool) -> bool {
    get(object, key).as_bool().unwrap_or(default)
}

fn manifest(answer: &JsValue) -> Option<Manifest> {
    let session = get(answer, "session");
    let filters = get(&session, "filters");
    let limits = get(&session, "limits");
    let relink = get(answer, "relink");
    Some(Manifest {
        session: ManifestSession {
            id: string(&session, "id").unwrap_or_default(),
            permissions: wire_values(&session, "permissions"),
            filters: filters.is_object().then(|| Filters {
                account_subcategories: get(&filters, "account_subcategories")
                    .is_object()
                    .then(|| wire_values(&filters, "account_subcategories")),
            }),
            limits: limits.is_object().then(|| Limits {
                accounts: get(&limits, "accounts").as_f64().map(|limit| limit as u32),
            }),
        },
        merchant_name: string(answer, "merchant_name")?,
        institutions: read_all(&array(answer, "institutions"), read_institution),
        relink: if relink.is_object() {
            Some(RelinkTarget {
                institution: read_institution(&get(&relink, "institution"))?,
                account: expected_account(&get(&relink, "account")),
            })
        } else {
            None
        },
    })
}

fn read_institution(institution: &JsValue) -> Option<Institution> {
    Some(Institution {
        id: string(institution, "id")?,
        name: string(institution, "name")?,
        mfa: flag(institution, "mfa", false),
        oauth: flag(institution, "oauth", false),
        down: flag(institution, "down", false),
    })
}

fn expected_account(account: &JsValue) -> Option<ExpectedAccount> {
    Some(ExpectedAccount {
        id: string(account, "id")?,
        display_name: string(account, "display_name").unwrap_or_default(),
        last4: string(account, "last4")?,
        subcategory: string(account, "subcategory").and_then(|kind| kind.parse().ok()),
    })
}

fn authentication(answer: &JsValue) -> Option<Authentication> {
    let message = || string(answer, "message");
    match string(answer, "status")?.as_str() {
        "authenticated" => Some(Authentication::Authenticated {
            accounts: read_all(&array(answer, "accounts"), bank_account),
        }),
        "mfa_required" => Some(Authentication::MfaRequired),
        "login_failed" => Some(Authentication::LoginFailed { message: message() }),
        "institution_unavailable" => {
            Some(Authentication::InstitutionUnavailable { message: message() })
        }
        _ => None,
    }
}

fn bank_account(account: &JsValue) -> Option<BankAccount> {
    Some(BankAccount {
        last4: string(account, "last4")?,
        display_name: string(account, "display_name").unwrap_or_default(),
        category: string(account, "category"),
        subcategory: string(account, "subcategory").and_then(|kind| kind.parse().ok()),
        eligible: flag(account, "eligible", true),
        existing_account: string(account, "existing_account"),
    })
}

fn completed_session(session: &JsValue) -> CompletedSession {
    CompletedSession {
        accounts: read_all(&accounts(session), |account| {
            Some(LinkedAccount {
                id: string(account, "id").unwrap_or_default(),
                display_name: string(account, "display_name").unwrap_or_default(),
                last4: string(account, "last4").unwrap_or_default(),
            })
        }),
        failure_reason: string(&get(session, "relink_result"), "failure_reason")
            .and_then(|reason| reason.parse().ok()),
    }
}
