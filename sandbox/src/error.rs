//! The one error type every handler returns, rendered as Stripe's error envelope.
//!
//! Handlers never build responses for failures themselves: they return an [`ApiError`] and its
//! [`IntoResponse`] impl picks the status and the `{"error": {type, code, message, param}}` body,
//! so a client sees the same shape whether validation, a lookup or the database failed.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// `error.type` of Stripe's error envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorType {
    /// The request was malformed or asked for something impossible.
    InvalidRequest,
    /// No usable API key.
    Authentication,
    /// Something broke on our side.
    Api,
    /// Idempotency-Key misuse.
    Idempotency,
    /// Too many requests of a kind.
    RateLimit,
}

impl ErrorType {
    fn as_str(self) -> &'static str {
        match self {
            ErrorType::InvalidRequest => "invalid_request_error",
            ErrorType::Authentication => "authentication_error",
            ErrorType::Api => "api_error",
            ErrorType::Idempotency => "idempotency_error",
            ErrorType::RateLimit => "rate_limit_error",
        }
    }
}

/// A failed request, as the client will see it.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    /// HTTP status of the response.
    pub status: StatusCode,
    /// `error.type`.
    pub kind: ErrorType,
    /// `error.code`, when one of Stripe's codes applies.
    pub code: Option<&'static str>,
    /// `error.message`, written for the developer reading it.
    pub message: String,
    /// `error.param`: the offending parameter in bracket notation.
    pub param: Option<String>,
}

impl ApiError {
    /// A 400 `invalid_request_error` with no code.
    pub fn invalid(message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            kind: ErrorType::InvalidRequest,
            code: None,
            message: message.into(),
            param: None,
        }
    }

    /// A 400 `invalid_request_error` about one parameter.
    pub fn invalid_param(param: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::invalid(message).with_param(param)
    }

    /// `parameter_missing`.
    pub fn missing(param: &str) -> Self {
        ApiError::invalid(format!("Missing required param: {param}."))
            .with_code("parameter_missing")
            .with_param(param)
    }

    /// `parameter_unknown`.
    pub fn unknown(param: &str) -> Self {
        ApiError::invalid(format!("Received unknown parameter: {param}"))
            .with_code("parameter_unknown")
            .with_param(param)
    }

    /// A 404 `resource_missing` for an object that does not exist.
    pub fn no_such(what: &str, id: &str, param: Option<&str>) -> Self {
        ApiError {
            status: StatusCode::NOT_FOUND,
            kind: ErrorType::InvalidRequest,
            code: Some("resource_missing"),
            message: format!("No such {what}: '{id}'"),
            param: param.map(str::to_owned),
        }
    }

    /// A 401 `authentication_error`.
    pub fn authentication(message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::UNAUTHORIZED,
            kind: ErrorType::Authentication,
            code: None,
            message: message.into(),
            param: None,
        }
    }

    /// `token_already_used`: the session has already finished.
    pub fn token_already_used() -> Self {
        ApiError::invalid(
            "This Financial Connections session has already been completed. Create a new session.",
        )
        .with_code("token_already_used")
    }

    /// A 500 whose detail is logged here and never sent to the client.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!(%detail, "internal error");
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            kind: ErrorType::Api,
            code: None,
            message: "An unexpected error occurred in the sandbox.".into(),
            param: None,
        }
    }

    /// Sets `error.code`.
    pub fn with_code(mut self, code: &'static str) -> Self {
        self.code = Some(code);
        self
    }

    /// Sets `error.param`.
    pub fn with_param(mut self, param: impl Into<String>) -> Self {
        self.param = Some(param.into());
        self
    }

    /// Sets the HTTP status.
    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    /// The envelope body.
    pub fn body(&self) -> serde_json::Value {
        let mut error = json!({
            "type": self.kind.as_str(),
            "message": self.message,
        });
        if let Some(code) = self.code {
            error["code"] = json!(code);
            // Stripe links each code to its page; the SDKs surface it as `doc_url`.
            error["doc_url"] = json!(format!(
                "https://docs.stripe.com/error-codes/{}",
                code.replace('_', "-")
            ));
        }
        if let Some(param) = &self.param {
            error["param"] = json!(param);
        }
        json!({ "error": error })
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(err: rusqlite::Error) -> Self {
        ApiError::internal(format!("database: {err}"))
    }
}

impl From<serde_json::Error> for ApiError {
    fn from(err: serde_json::Error) -> Self {
        ApiError::internal(format!("stored document: {err}"))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body())).into_response()
    }
}

/// What handlers return.
pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_carries_code_and_param_only_when_set() {
        let body = ApiError::missing("permissions").body();
        assert_eq!(
            body,
            json!({"error": {
                "type": "invalid_request_error",
                "code": "parameter_missing",
                "doc_url": "https://docs.stripe.com/error-codes/parameter-missing",
                "message": "Missing required param: permissions.",
                "param": "permissions",
            }})
        );
        let body = ApiError::authentication("no key").body();
        assert_eq!(
            body,
            json!({"error": {"type": "authentication_error", "message": "no key"}})
        );
    }
}
