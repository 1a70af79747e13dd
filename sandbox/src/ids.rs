//! Object IDs with Stripe's prefixes (`cus_`, `fcsess_`, `fca_`, `fcauth_`, `req_`, …).

use rand::Rng;
use rand::distr::Alphanumeric;

/// A fresh ID: `prefix` followed by 24 random alphanumerics, like Stripe's.
///
/// ```
/// let id = relink_sandbox::ids::new_id("fca");
/// assert!(id.starts_with("fca_") && id.len() == 28);
/// ```
pub fn new_id(prefix: &str) -> String {
    let random: String = rand::rng()
        .sample_iter(&Alphanumeric)
        .take(24)
        .map(char::from)
        .collect();
    format!("{prefix}_{random}")
}

/// A session's client secret. It is a bearer credential for the browser, so it carries more
/// randomness than an ID and is never logged.
pub fn new_session_client_secret() -> String {
    new_id("fcsess_client_secret")
}

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}
