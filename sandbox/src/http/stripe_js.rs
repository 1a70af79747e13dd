//! The Stripe.js drop-in (`pkg/stripe.js`, minified into `pkg/dist/stripe.js` by
//! `./dev build-wasm`), served where a page would load Stripe.js from: `/v3/` (also `/v3`) and
//! `/stripe.js`. Its methods run the relink component against this sandbox.
//!
//! The file is read on every request, so a rebuild is picked up at once; browsers cache it and
//! revalidate with its `ETag`. The sandbox's public URL is written into it, for pages that
//! inject the script's text instead of loading it from a `<script src>`.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::http::state::AppState;

/// Routes for the drop-in script.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v3/", get(script))
        .route("/v3", get(script))
        .route("/stripe.js", get(script))
}

/// What the script holds in place of the sandbox's URL until it is served.
const ORIGIN_PLACEHOLDER: &str = "__RELINK_SANDBOX_ORIGIN__";

async fn script(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let pkg = &state.settings.pkg;
    let Some(source) = ["dist/stripe.js", "stripe.js"]
        .iter()
        .find_map(|file| std::fs::read_to_string(pkg.join(file)).ok())
    else {
        return ApiError::invalid(format!(
            "The Stripe.js drop-in is missing from {}: run ./dev build-wasm.",
            pkg.display()
        ))
        .with_status(StatusCode::NOT_FOUND)
        .into_response();
    };
    let body = with_origin(&source, &state.settings.public_url);
    let etag = format!(
        "\"{}\"",
        &hex::encode(Sha256::digest(body.as_bytes()))[..32]
    );
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|tags| tags.split(',').any(|tag| tag.trim() == etag));
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        body.into_response()
    };
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/javascript; charset=utf-8"),
    );
    // Cached, and revalidated on every load: a rebuilt drop-in is used at once.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, value);
    }
    response
}

/// `source` with the sandbox's public URL in place of the placeholder, when the URL is plain
/// enough to sit inside a string literal (it always is, unless misconfigured; the script then
/// falls back to the URL it was loaded from).
fn with_origin(source: &str, public_url: &str) -> String {
    let plain = public_url
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b".-:/[]_~%".contains(&b));
    if plain {
        source.replace(ORIGIN_PLACEHOLDER, public_url.trim_end_matches('/'))
    } else {
        source.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_public_url_goes_in_only_when_it_cannot_break_the_literal() {
        let source = "var SERVED_BY = \"__RELINK_SANDBOX_ORIGIN__\";";
        assert_eq!(
            with_origin(source, "http://127.0.0.1:4242/"),
            "var SERVED_BY = \"http://127.0.0.1:4242\";"
        );
        assert_eq!(with_origin(source, "http://x\";alert(1)//"), source);
    }
}
