//! Why a flow could not run, typed inside and converted once into Stripe's error shape.

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
        detail: &'static str,
    },
    /// Another flow is already open on this page.
    FlowAlreadyOpen,
    /// The page has no `window`/`document` to render into.
    NoDocument,
    /// The modal could not be built (the page's DOM refused an operation).
    Render(String),
    /// The request never got an HTTP answer (offline, DNS, CORS, blocked).
    Network(String),
    /// The request got no answer within the `requestTimeout` option.
    Timeout {
        /// The timeout, in milliseconds.
        after_ms: u32,
    },
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
                "A Financial Connections flow is already open on this page; wait for it to finish.",
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
            RelinkError::Timeout { after_ms } => {
                let (amount, unit) = if after_ms % 1000 == 0 {
                    (after_ms / 1000, " s.")
                } else {
                    (*after_ms, " ms.")
                };
                push_decimal(&mut status, amount);
                buf = [
                    "The Financial Connections API did not answer within ",
                    &status,
                    unit,
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StripeError {
    /// `type`: `api_connection_error`, `api_error`, `authentication_error`,
    /// `invalid_request_error`, …
    pub kind: String,
    /// A stable, machine-readable code, when there is one.
    pub code: Option<String>,
    /// For the developer; may be shown to the customer.
    pub message: String,
    /// The parameter (or option) at fault.
    pub param: Option<String>,
    /// Where the code is documented.
    pub doc_url: Option<String>,
    /// Where the failed request can be inspected.
    pub request_log_url: Option<String>,
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
            RelinkError::Network(_) | RelinkError::Timeout { .. } => {
                make("api_connection_error", None, None)
            }
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
    fn connection_errors_have_no_code_or_param() {
        let error = RelinkError::Network("offline".into()).to_stripe();
        assert_eq!(error.kind, "api_connection_error");
        assert_eq!((error.code, error.param), (None, None));
        assert_eq!(
            error.message,
            "Could not reach the Financial Connections API: offline"
        );
    }

    #[test]
    fn timeouts_say_how_long_was_waited() {
        let error = RelinkError::Timeout { after_ms: 30_000 };
        assert_eq!(
            error.to_string(),
            "The Financial Connections API did not answer within 30 s."
        );
        assert_eq!(error.to_stripe().kind, "api_connection_error");
        assert!(
            RelinkError::Timeout { after_ms: 1500 }
                .to_string()
                .ends_with("1500 ms.")
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
