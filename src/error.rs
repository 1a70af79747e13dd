//! Why a flow could not run, typed inside and converted once into Stripe's error shape.

use serde::{Deserialize, Serialize};

/// Everything that can stop `collectFinancialConnectionsAccounts` from running a flow.
///
/// Closing the modal is not here: a customer who gives up still gets a finished session.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RelinkError {
    /// A required option is absent.
    #[error("Missing required option `{param}`.")]
    MissingOption {
        /// The option's JS name.
        param: &'static str,
    },
    /// An option has the wrong type or value.
    #[error("Invalid value for `{param}`: {detail}")]
    InvalidOption {
        /// The option's JS name.
        param: &'static str,
        /// What was wrong with it.
        detail: String,
    },
    /// Another flow is already open on this page.
    #[error(
        "A Financial Connections flow is already open on this page; wait for it to finish or call abort()."
    )]
    FlowAlreadyOpen,
    /// The page has no `window`/`document` to render into.
    #[error("relink needs a browser window with a document to render its modal.")]
    NoDocument,
    /// The modal could not be built (the page's DOM refused an operation).
    #[error("relink could not render its modal: {0}")]
    Render(String),
    /// The request never got an HTTP answer (offline, DNS, CORS, blocked).
    #[error("Could not reach the Financial Connections API: {0}")]
    Network(String),
    /// The server answered with Stripe's error envelope.
    #[error("{}", .0.message)]
    Api(Box<StripeError>),
    /// Stripe.js (the `stripe` provider) threw, rejected, or answered an unknown shape.
    #[error("Stripe.js failed: {0}")]
    Provider(String),
    /// The server answered with something that is not what the API documents.
    #[error("Unexpected response from the Financial Connections API (HTTP {status}).")]
    UnexpectedResponse {
        /// The HTTP status.
        status: u16,
    },
}

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
        let message = self.to_string();
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
