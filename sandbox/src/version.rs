//! `Stripe-Version`: which API version a response is rendered in.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::config::DEFAULT_API_VERSION;
use crate::error::ApiError;

/// The API version of a request. Preview versions (ending in `.preview`) see the relink fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiVersion(pub String);

impl ApiVersion {
    /// Whether preview-only fields are rendered.
    pub fn is_preview(&self) -> bool {
        self.0.ends_with(".preview")
    }

    /// The sandbox's default, a preview version.
    pub fn preview() -> Self {
        ApiVersion(DEFAULT_API_VERSION.to_owned())
    }
}

/// Whether `raw` looks like `YYYY-MM-DD` optionally followed by `.name` (e.g. `.preview`,
/// `.acacia`), which covers both GA and preview strings.
fn is_well_formed(raw: &str) -> bool {
    let (date, suffix) = raw.split_once('.').unwrap_or((raw, "x"));
    let digits = date.bytes().filter(u8::is_ascii_digit).count();
    date.len() == 10
        && digits == 8
        && date.as_bytes().get(4) == Some(&b'-')
        && date.as_bytes().get(7) == Some(&b'-')
        && !suffix.is_empty()
        && suffix
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

impl<S: Send + Sync> FromRequestParts<S> for ApiVersion {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let Some(header) = parts.headers.get("stripe-version") else {
            return Ok(ApiVersion::preview());
        };
        match header.to_str() {
            Ok(raw) if is_well_formed(raw.trim()) => Ok(ApiVersion(raw.trim().to_owned())),
            _ => Err(ApiError::invalid(format!(
                "Invalid Stripe API version: {}. Send a version such as {DEFAULT_API_VERSION}.",
                String::from_utf8_lossy(header.as_bytes())
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ga_and_preview_versions() {
        assert!(is_well_formed("2026-04-22.preview"));
        assert!(is_well_formed("2025-03-31.basil"));
        assert!(is_well_formed("2024-06-20"));
        assert!(!is_well_formed("latest"));
        assert!(!is_well_formed("2024-06-20."));
        assert!(ApiVersion("2026-04-22.preview".into()).is_preview());
        assert!(!ApiVersion("2025-03-31.basil".into()).is_preview());
    }
}
