//! Why a flow could not run, typed inside and converted once into Stripe's error shape.

use serde::{Deserialize, Serialize};

/// Everything that can stop `collectFinancialConnectionsAccounts` from running a flow.
///
/// Closing the modal is not here: a customer who gives up still gets a finished session.
#[derive(Debug, Clone, PartialEq)]
pub enum RelinkError {
    /// A required option is absent.
    MissingOption {
        /// The option's JS name.
        param: &'static str,
    },
    /// An option has the wrong type or value.
    InvalidOption {
        /// The option's JS name.
        param: &'static str,
        /// What was wrong with it.
        detail: String,
    },
    /// Another flow is already open on this page.
    FlowAlreadyOpen,
    /// The page has no `window`/`document` to render into.
    NoDocument,
    /// The modal could not be built (the page's DOM refused an operation).
    Render(String),
    /// The request never got an HTTP answer (offline, DNS, CORS, blocked).
    Network(String),
    /// The server answered with Stripe's error envelope.
    Api(Box<StripeError>),
    /// Stripe.js (the `stripe` provider) threw, rejected, or answered an unknown shape.
    Provider(String),
    /// The server answered with something that is not what the API documents.
    UnexpectedResponse {
        /// The HTTP status.
        status: u16,
    },
}

impl RelinkError {
    /// The human-readable message (also the `Display` text), built without `core::fmt` so the
    /// wasm download does not carry number formatting for it.
    pub fn message(&self) -> String {
        let buf: [&str; 3];
        let mut status = String::new();
        let parts: &[&str] = match self {
            RelinkError::MissingOption { param } => {
                buf = ["Missing required option `", param, "`."];
                &buf
            }
            RelinkError::InvalidOption { param, detail } => {
                return cat(&["Invalid value for `", param, "`: ", detail]);
            }
            RelinkError::FlowAlreadyOpen => &[
                "A Financial Connections flow is already open on this page; wait for it to finish or call abort().",
            ],
            RelinkError::NoDocument => {
                &["relink needs a browser window with a document to render its modal."]
            }
            RelinkError::Render(detail) => {
                buf = ["relink could not render its modal: ", detail, ""];
                &buf
            }
            RelinkError::Network(detail) => {
                buf = [
                    "Could not reach the Financial Connections API: ",
                    detail,
                    "",
                ];
                &buf
            }
            RelinkError::Api(error) => return error.message.clone(),
            RelinkError::Provider(detail) => {
                buf = ["Stripe.js failed: ", detail, ""];
                &buf
            }
            RelinkError::UnexpectedResponse { status: code } => {
                push_decimal(&mut status, u32::from(*code));
                buf = [
                    "Unexpected response from the Financial Connections API (HTTP ",
                    &status,
                    ").",
                ];
                &buf
            }
        };
        cat(parts)
    }
}

/// Joins `parts` into one string: one small non-generic copy instead of `format!` (and
/// `core::fmt`) or a `concat` per slice type in the wasm download.
#[inline(never)]
pub(crate) fn cat(parts: &[&str]) -> String {
    let mut joined = String::new();
    for part in parts {
        joined.push_str(part);
    }
    joined
}

/// Appends `n` in decimal to `out`, without `core::fmt`.
fn push_decimal(out: &mut String, n: u32) {
    if n >= 10 {
        push_decimal(out, n / 10);
    }
    out.push(char::from(b'0' + (n % 10) as u8));
}

impl std::fmt::Display for RelinkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for RelinkError {}

/// Stripe's error object: `{type, code, message, param, doc_url, request_log_url}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StripeError {
    /// `api_connection_error`, `api_error`, `authentication_error`, `invalid_request_error`, …
    #[serde(rename = "type")]
    pub kind: String,
    /// A stable, machine-readable code, when there is one.
    #[serde(default)]
    pub code: Option<String>,
    /// For the developer; may be shown to the customer.
    #[serde(default)]
    pub message: String,
    /// The parameter (or option) at fault.
    #[serde(default)]
    pub param: Option<String>,
    /// Where the code is documented.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc_url: Option<String>,
    /// Where the failed request can be inspected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_log_url: Option<String>,
}

/// The body of a Stripe error response.
#[derive(Debug, Deserialize)]
pub struct ErrorEnvelope {
    /// The error itself.
    pub error: StripeError,
}

impl RelinkError {
    /// The error as the merchant's page receives it.
    ///
    /// ```
    /// use relink::error::RelinkError;
    /// let error = RelinkError::FlowAlreadyOpen.to_stripe();
    /// assert_eq!(error.kind, "invalid_request_error");
    /// assert_eq!(error.code.as_deref(), Some("flow_already_open"));
    /// ```
    pub fn to_stripe(&self) -> StripeError {
        let message = self.message();
        let make = |kind: &str, code: Option<&str>, param: Option<&str>| StripeError {
            kind: kind.to_owned(),
            code: code.map(str::to_owned),
            message: message.clone(),
            param: param.map(str::to_owned),
            doc_url: None,
            request_log_url: None,
        };
        match self {
            RelinkError::MissingOption { param } => make(
                "invalid_request_error",
                Some("parameter_missing"),
                Some(param),
            ),
            RelinkError::InvalidOption { param, .. } => make(
                "invalid_request_error",
                Some("parameter_invalid"),
                Some(param),
            ),
            RelinkError::FlowAlreadyOpen => {
                make("invalid_request_error", Some("flow_already_open"), None)
            }
            RelinkError::NoDocument => make("api_error", Some("no_document"), None),
            RelinkError::Render(_) => make("api_error", Some("render_failed"), None),
            RelinkError::Network(_) => make("api_connection_error", None, None),
            RelinkError::Api(error) => (**error).clone(),
            RelinkError::Provider(_) => make("api_error", Some("provider_failed"), None),
            RelinkError::UnexpectedResponse { .. } => {
                make("api_error", Some("unexpected_response"), None)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_errors_pass_through_unchanged() {
        let envelope: ErrorEnvelope = serde_json::from_str(
            r#"{"error":{"type":"invalid_request_error","code":"token_already_used","message":"Used.","param":"client_secret"}}"#,
        )
        .unwrap();
        let error = RelinkError::Api(Box::new(envelope.error.clone()));
        assert_eq!(error.to_stripe(), envelope.error);
        assert_eq!(error.to_string(), "Used.");
    }

    #[test]
    fn stripe_errors_serialize_with_null_code_and_param() {
        let json =
            serde_json::to_value(RelinkError::Network("offline".into()).to_stripe()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "type": "api_connection_error",
                "code": null,
                "message": "Could not reach the Financial Connections API: offline",
                "param": null
            })
        );
    }

    #[test]
    fn missing_options_name_the_option() {
        let error = RelinkError::MissingOption {
            param: "clientSecret",
        }
        .to_stripe();
        assert_eq!(error.param.as_deref(), Some("clientSecret"));
        assert_eq!(error.code.as_deref(), Some("parameter_missing"));
    }
}
