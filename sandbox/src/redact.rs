//! What logs may show of URLs and keys: never a secret.
//!
//! Stripe.js sends `GET …?client_secret=…`, hosted links carry single-use tokens, and a webhook
//! URL may hold the merchant's own token; at `debug` the request log would otherwise print all
//! of them. Every place that logs a URL or a key goes through this module.
//!
//! ```
//! use relink_sandbox::redact;
//!
//! assert_eq!(
//!     redact::path_and_query("/v1/setup_intents/seti_1?client_secret=seti_1_secret_2&expand[]=x"),
//!     "/v1/setup_intents/seti_1?client_secret=[redacted]&expand[]=x"
//! );
//! assert_eq!(redact::key("sk_test_mysecretkey1234"), "sk_test_…1234");
//! ```

/// What a secret is replaced with.
pub const REDACTED: &str = "[redacted]";

/// Whether a query parameter named `name` (raw, as sent) carries a secret: a client secret,
/// an API key, a token, a password, or anything else named like one.
fn is_secret_name(name: &str) -> bool {
    let decoded: String = form_urlencoded::parse(name.as_bytes())
        .next()
        .map(|(name, _)| name.to_ascii_lowercase())
        .unwrap_or_default();
    let base = decoded.split('[').next().unwrap_or("");
    base == "key"
        || base == "token"
        || base.contains("secret")
        || base.contains("password")
        || base.ends_with("_token")
        || base.ends_with("_key")
        || base == "mfa_code"
}

/// A query string with the value of every secret-bearing parameter replaced by
/// [`REDACTED`]; everything else stays as sent, so a log still says what was asked.
pub fn query(query: &str) -> String {
    let mut out = String::with_capacity(query.len());
    for (i, pair) in query.split('&').enumerate() {
        if i > 0 {
            out.push('&');
        }
        match pair.split_once('=') {
            Some((name, _)) if is_secret_name(name) => {
                out.push_str(name);
                out.push('=');
                out.push_str(REDACTED);
            }
            _ => out.push_str(pair),
        }
    }
    out
}

/// A path (with its query, if any) fit for a log: secret-bearing query parameters and any
/// path segment that holds a client secret (`…_secret_…`) are redacted.
pub fn path_and_query(path_and_query: &str) -> String {
    let (path, query_string) = match path_and_query.split_once('?') {
        Some((path, query_string)) => (path, Some(query_string)),
        None => (path_and_query, None),
    };
    let mut out: String = if path.contains("secret") {
        path.split('/')
            .map(|segment| {
                if segment.contains("secret") {
                    REDACTED
                } else {
                    segment
                }
            })
            .collect::<Vec<_>>()
            .join("/")
    } else {
        path.to_owned()
    };
    if let Some(query_string) = query_string {
        out.push('?');
        out.push_str(&query(query_string));
    }
    out
}

/// A request URI fit for a log (see [`path_and_query`]).
pub fn uri(uri: &axum::http::Uri) -> String {
    path_and_query(uri.path_and_query().map_or("/", |pq| pq.as_str()))
}

/// A full URL (`http://host/path?query`) fit for a log; user info (`user:pass@`) goes too.
pub fn url(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let at = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(at);
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let tail = if tail.starts_with('/') || tail.starts_with('?') {
        path_and_query(tail)
    } else {
        tail.to_owned()
    };
    if scheme.is_empty() {
        format!("{host}{tail}")
    } else {
        format!("{scheme}://{host}{tail}")
    }
}

/// An API key as the banner may print it: its `sk_test_`-style prefix and last four
/// characters (`sk_test_…1234`).
pub fn key(key: &str) -> String {
    let prefix_len = key.match_indices('_').nth(1).map_or(0, |(at, _)| at + 1);
    let (prefix, rest) = key.split_at(prefix_len);
    let tail_start = rest.char_indices().rev().nth(3).map_or(0, |(at, _)| at);
    format!("{prefix}…{}", &rest[tail_start..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_parameters_are_redacted_wherever_they_are() {
        for (sent, logged) in [
            (
                "/v1/setup_intents/seti_1?client_secret=seti_1_secret_abc",
                "/v1/setup_intents/seti_1?client_secret=[redacted]",
            ),
            (
                "/x?a=1&client%5Fsecret=fcsess_client_secret_abc&b=2",
                "/x?a=1&client%5Fsecret=[redacted]&b=2",
            ),
            ("/hosted?token=hrt_1", "/hosted?token=[redacted]"),
            (
                "/x?key=sk_test_1&KEY=sk_test_2",
                "/x?key=[redacted]&KEY=[redacted]",
            ),
            ("/x?password=pass_good", "/x?password=[redacted]"),
            (
                "/x?limit=3&expand[]=payment_method",
                "/x?limit=3&expand[]=payment_method",
            ),
            (
                "/v1/setup_intents/seti_1_secret_abc/confirm",
                "/v1/setup_intents/[redacted]/confirm",
            ),
            ("/", "/"),
            ("/x?", "/x?"),
        ] {
            assert_eq!(path_and_query(sent), logged, "{sent}");
        }
    }

    #[test]
    fn urls_lose_user_info_and_secret_parameters() {
        assert_eq!(
            url("http://user:pass@localhost:3000/hook?token=abc&x=1"),
            "http://localhost:3000/hook?token=[redacted]&x=1"
        );
        assert_eq!(url("http://localhost:3000"), "http://localhost:3000");
    }

    #[test]
    fn keys_keep_their_prefix_and_last_four() {
        assert_eq!(key("sk_test_abcdefgh1234"), "sk_test_…1234");
        assert_eq!(key("sk_test_12"), "sk_test_…12");
        assert_eq!(key("sk_test_"), "sk_test_…");
        assert_eq!(key("abcdef"), "…cdef");
        assert_eq!(key("sk_test_ééééé"), "sk_test_…éééé");
    }
}
