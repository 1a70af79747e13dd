//! `Stripe-Version`: which API version a response is rendered in, and what a GA version does
//! not show.
//!
//! Objects render every field they have, then hide the fields their [`PreviewFields`]
//! declaration lists when the reader's version is not a preview one. Because the same
//! declaration also cleans the objects events captured (in preview) for a GA reader, a field
//! cannot be hidden from responses yet leak through webhooks, or the other way round.
//!
//! A declared field may be nested (`status_details.inactive`): GA has the parent but not that
//! member of it, and a parent the hiding leaves empty goes too, so a GA reader never sees an
//! empty shell of preview-only members.
//!
//! Which versions exist is Stripe's list, not a pattern: [`ApiVersion::parse`] takes the
//! releases the `stripe` package declares and real-dated previews, and [`CheckVersionLayer`]
//! refuses anything else on every request, as Stripe does.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde_json::Value;

use crate::clock;
use crate::config::DEFAULT_API_VERSION;
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::store::Store;

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

    /// Removes the fields `declared` lists from an object rendered with all of them, unless
    /// this is a preview version.
    pub fn hide_preview_fields(&self, rendered: &mut Value, declared: &PreviewFields) {
        if !self.is_preview() {
            declared.remove_from(rendered);
        }
    }

    /// Like [`ApiVersion::hide_preview_fields`], for JSON captured earlier (an event's
    /// `data.object`): every object in `captured`, however deeply nested (a session's
    /// `accounts.data[]`), loses the fields its kind's declaration in `declared` lists.
    pub fn hide_captured_preview_fields(&self, captured: &mut Value, declared: &[&PreviewFields]) {
        if self.is_preview() {
            return;
        }
        match captured {
            Value::Object(map) => {
                let kind = map.get("object").and_then(Value::as_str);
                if let Some(declaration) = declared.iter().find(|d| Some(d.object) == kind) {
                    for field in declaration.fields {
                        remove_path(map, field);
                    }
                }
                for nested in map.values_mut() {
                    self.hide_captured_preview_fields(nested, declared);
                }
            }
            Value::Array(items) => {
                for item in items {
                    self.hide_captured_preview_fields(item, declared);
                }
            }
            _ => {}
        }
    }
}

/// The fields of one kind of API object that only preview versions show: declared once, next
/// to the object's `to_json`, and used for responses and for captured event data alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PreviewFields {
    /// The object's `object` value, e.g. `financial_connections.session`.
    pub object: &'static str,
    /// Its fields that exist only in preview versions: top-level names, or dotted paths
    /// (`status_details.inactive`) for members of objects GA has too.
    pub fields: &'static [&'static str],
}

impl PreviewFields {
    /// Removes the declared fields from `rendered`, an object of this kind.
    pub fn remove_from(&self, rendered: &mut Value) {
        if let Some(map) = rendered.as_object_mut() {
            for field in self.fields {
                remove_path(map, field);
            }
        }
    }
}

/// Removes the member a dotted `path` names, then every object on the way to it that is left
/// empty. A path whose parents are not all there changes nothing; returns whether they were.
fn remove_path(map: &mut serde_json::Map<String, Value>, path: &str) -> bool {
    let Some((head, rest)) = path.split_once('.') else {
        map.remove(path);
        return true;
    };
    let Some(Value::Object(inner)) = map.get_mut(head) else {
        return false;
    };
    let reached = remove_path(inner, rest);
    if reached && inner.is_empty() {
        map.remove(head);
    }
    reached
}

/// Every API version Stripe has released, oldest first: the `api_version` values the `stripe`
/// npm package (23.1.0) declares for webhook endpoints, which its changelog names release by
/// release (`acacia` from 2024-09-30 to `endive`).
const RELEASES: &[&str] = &[
    "2011-01-01",
    "2011-06-21",
    "2011-06-28",
    "2011-08-01",
    "2011-09-15",
    "2011-11-17",
    "2012-02-23",
    "2012-03-25",
    "2012-06-18",
    "2012-06-28",
    "2012-07-09",
    "2012-09-24",
    "2012-10-26",
    "2012-11-07",
    "2013-02-11",
    "2013-02-13",
    "2013-07-05",
    "2013-08-12",
    "2013-08-13",
    "2013-10-29",
    "2013-12-03",
    "2014-01-31",
    "2014-03-13",
    "2014-03-28",
    "2014-05-19",
    "2014-06-13",
    "2014-06-17",
    "2014-07-22",
    "2014-07-26",
    "2014-08-04",
    "2014-08-20",
    "2014-09-08",
    "2014-10-07",
    "2014-11-05",
    "2014-11-20",
    "2014-12-08",
    "2014-12-17",
    "2014-12-22",
    "2015-01-11",
    "2015-01-26",
    "2015-02-10",
    "2015-02-16",
    "2015-02-18",
    "2015-03-24",
    "2015-04-07",
    "2015-06-15",
    "2015-07-07",
    "2015-07-13",
    "2015-07-28",
    "2015-08-07",
    "2015-08-19",
    "2015-09-03",
    "2015-09-08",
    "2015-09-23",
    "2015-10-01",
    "2015-10-12",
    "2015-10-16",
    "2016-02-03",
    "2016-02-19",
    "2016-02-22",
    "2016-02-23",
    "2016-02-29",
    "2016-03-07",
    "2016-06-15",
    "2016-07-06",
    "2016-10-19",
    "2017-01-27",
    "2017-02-14",
    "2017-04-06",
    "2017-05-25",
    "2017-06-05",
    "2017-08-15",
    "2017-12-14",
    "2018-01-23",
    "2018-02-05",
    "2018-02-06",
    "2018-02-28",
    "2018-05-21",
    "2018-07-27",
    "2018-08-23",
    "2018-09-06",
    "2018-09-24",
    "2018-10-31",
    "2018-11-08",
    "2019-02-11",
    "2019-02-19",
    "2019-03-14",
    "2019-05-16",
    "2019-08-14",
    "2019-09-09",
    "2019-10-08",
    "2019-10-17",
    "2019-11-05",
    "2019-12-03",
    "2020-03-02",
    "2020-08-27",
    "2022-08-01",
    "2022-11-15",
    "2023-08-16",
    "2023-10-16",
    "2024-04-10",
    "2024-06-20",
    "2024-09-30.acacia",
    "2024-10-28.acacia",
    "2024-11-20.acacia",
    "2024-12-18.acacia",
    "2025-01-27.acacia",
    "2025-02-24.acacia",
    "2025-03-01.dashboard",
    "2025-03-31.basil",
    "2025-04-30.basil",
    "2025-05-28.basil",
    "2025-06-30.basil",
    "2025-07-30.basil",
    "2025-08-27.basil",
    "2025-09-30.clover",
    "2025-10-29.clover",
    "2025-11-17.clover",
    "2025-12-15.clover",
    "2026-01-28.clover",
    "2026-02-25.clover",
    "2026-03-25.dahlia",
    "2026-04-22.dahlia",
    "2026-05-27.dahlia",
    "2026-06-24.dahlia",
    "2026-07-29.dahlia",
    "2026-08-26.dahlia",
    "2026-09-30.endive",
    "2026-10-28.endive",
];

/// The preview versions the seeds use; other preview dates work too (see [`ApiVersion::parse`]).
const KNOWN_PREVIEWS: &[&str] = &["2026-03-04.preview", DEFAULT_API_VERSION];

/// The newest GA release the sandbox knows, the one the `stripe` npm package 23.1.0 pins.
pub const LATEST_RELEASE: &str = "2026-10-28.endive";

/// Why a `Stripe-Version` is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionError {
    /// Not `YYYY-MM-DD` with an optional `.name` (`latest`, `2024-6-20`).
    Malformed,
    /// Well-formed, but no such version: not a calendar date, a release name that does not
    /// exist, a date Stripe released nothing on, or a preview from the future.
    Unknown,
}

impl VersionError {
    /// The error response, naming the version as sent and, for a request parameter such as a
    /// webhook endpoint's `api_version`, the parameter.
    pub fn to_api_error(self, sent: &str, param: Option<&str>) -> ApiError {
        let shown: String = sent.chars().take(100).collect();
        let error = ApiError::invalid(match self {
            VersionError::Malformed => format!(
                "Invalid Stripe API version: {shown}. A version is a release date with an \
                 optional name, such as {LATEST_RELEASE} or {DEFAULT_API_VERSION}."
            ),
            VersionError::Unknown => format!(
                "Invalid Stripe API version: {shown}. Stripe has no such release; send one \
                 such as {LATEST_RELEASE}, or a preview version such as {DEFAULT_API_VERSION}."
            ),
        });
        match param {
            Some(param) => error.with_param(param),
            None => error,
        }
    }
}

/// `YYYY-MM-DD` as numbers, when `date` has that shape (not checked against the calendar).
fn date_parts(date: &str) -> Option<(i64, i64, i64)> {
    let bytes = date.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<i64> {
        let digits = date.get(range)?;
        if digits.bytes().all(|b| b.is_ascii_digit()) {
            digits.parse().ok()
        } else {
            None
        }
    };
    Some((number(0..4)?, number(5..7)?, number(8..10)?))
}

fn is_calendar_date((year, month, day): (i64, i64, i64)) -> bool {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

/// Days since 1970-01-01 of a calendar date (Howard Hinnant's `days_from_civil`).
fn days_from_civil((year, month, day): (i64, i64, i64)) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// Whether `flags` (what follows the version, from its `;`) is a list of `; name=vN` beta
/// flags, the form stripe-node's README documents (`2022-08-01; feature_beta=v3`).
fn is_beta_flags(flags: &str) -> bool {
    let Some(flags) = flags.strip_prefix(';') else {
        return false;
    };
    flags.split(';').all(|flag| {
        let Some((name, version)) = flag.trim().split_once('=') else {
            return false;
        };
        let digits = version.strip_prefix('v').unwrap_or("");
        !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            && !digits.is_empty()
            && digits.bytes().all(|b| b.is_ascii_digit())
    })
}

impl ApiVersion {
    /// Reads a `Stripe-Version` as Stripe does: a release it has made (`2026-10-28.endive`,
    /// `2024-06-20`), or a preview version (`<date>.preview`) whose date is a real calendar
    /// date no later than the sandbox's today, which `today` (Unix seconds) gives and is asked
    /// for only for such previews. Beta flags after a `;` are accepted and ignored. Known
    /// strings are matched before any date arithmetic: this runs on every request.
    ///
    /// ```
    /// use relink_sandbox::version::{ApiVersion, VersionError};
    ///
    /// let today = || Ok::<_, ()>(1_796_083_200); // 2026-12-01
    /// assert!(ApiVersion::parse("2026-10-28.endive", today).is_ok());
    /// assert!(ApiVersion::parse("2022-08-01; feature_beta=v3", today).is_ok());
    /// assert!(ApiVersion::parse("2026-11-30.preview", today).unwrap().is_preview());
    /// assert_eq!(ApiVersion::parse("lol", today).unwrap_err(), Ok(VersionError::Malformed));
    /// assert_eq!(ApiVersion::parse("2026-02-30", today).unwrap_err(), Ok(VersionError::Unknown));
    /// assert_eq!(
    ///     ApiVersion::parse("2099-12-31.acacia", today).unwrap_err(),
    ///     Ok(VersionError::Unknown)
    /// );
    /// ```
    pub fn parse<E>(
        raw: &str,
        today: impl FnOnce() -> Result<i64, E>,
    ) -> Result<ApiVersion, Result<VersionError, E>> {
        let raw = raw.trim();
        if RELEASES.binary_search(&raw).is_ok() || KNOWN_PREVIEWS.contains(&raw) {
            return Ok(ApiVersion(raw.to_owned()));
        }
        let (version, flags) = raw.split_at(raw.find(';').unwrap_or(raw.len()));
        let version = version.trim_end();
        if !flags.is_empty() && !is_beta_flags(flags) {
            return Err(Ok(VersionError::Malformed));
        }
        let (date, name) = version.split_once('.').unwrap_or((version, ""));
        let well_formed_name = version.len() == date.len()
            || (!name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase()));
        let Some(parts) = date_parts(date).filter(|_| well_formed_name) else {
            return Err(Ok(VersionError::Malformed));
        };
        if RELEASES.binary_search(&version).is_ok() || KNOWN_PREVIEWS.contains(&version) {
            return Ok(ApiVersion(version.to_owned()));
        }
        if name != "preview" || !is_calendar_date(parts) {
            return Err(Ok(VersionError::Unknown));
        }
        let today = today().map_err(Err)?.div_euclid(24 * 60 * 60);
        if days_from_civil(parts) > today {
            return Err(Ok(VersionError::Unknown));
        }
        Ok(ApiVersion(version.to_owned()))
    }
}

/// The request header.
const HEADER: &str = "stripe-version";

/// Checks the `Stripe-Version` of every request, whatever its path: a malformed or unknown
/// one is a 400 before anything else runs, and a good one is left in the request's
/// extensions for the [`ApiVersion`] extractor. A plain tower layer rather than an axum
/// `from_fn` middleware: it runs on every request, and this way costs no allocation when the
/// header is absent.
#[derive(Debug, Clone)]
pub struct CheckVersionLayer {
    store: Store,
}

impl CheckVersionLayer {
    /// Checks versions against the clock kept in `store` (for previews dated today or later).
    pub fn new(store: Store) -> Self {
        CheckVersionLayer { store }
    }
}

impl<S> tower::Layer<S> for CheckVersionLayer {
    type Service = CheckVersion<S>;

    fn layer(&self, inner: S) -> CheckVersion<S> {
        CheckVersion {
            inner,
            store: self.store.clone(),
        }
    }
}

/// The service [`CheckVersionLayer`] wraps around the app.
#[derive(Debug, Clone)]
pub struct CheckVersion<S> {
    inner: S,
    store: Store,
}

impl<S> tower::Service<axum::extract::Request> for CheckVersion<S>
where
    S: tower::Service<axum::extract::Request, Response = axum::response::Response>,
{
    type Response = axum::response::Response;
    type Error = S::Error;
    type Future = futures_util::future::Either<
        std::future::Ready<Result<axum::response::Response, S::Error>>,
        S::Future,
    >;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: axum::extract::Request) -> Self::Future {
        use axum::response::IntoResponse;
        use futures_util::future::Either;

        // Without the header the extractor gives the default: nothing to read or keep.
        if let Some(header) = req.headers().get(HEADER) {
            match read_header(header, || self.store.transaction(clock::now)) {
                Ok(version) => {
                    req.extensions_mut().insert(version);
                }
                Err(error) => return Either::Left(std::future::ready(Ok(error.into_response()))),
            }
        }
        Either::Right(self.inner.call(req))
    }
}

fn read_header(
    header: &axum::http::HeaderValue,
    today: impl FnOnce() -> ApiResult<i64>,
) -> ApiResult<ApiVersion> {
    let sent = String::from_utf8_lossy(header.as_bytes());
    ApiVersion::parse(&sent, today).map_err(|err| match err {
        Ok(refused) => refused.to_api_error(&sent, None),
        Err(failed) => failed,
    })
}

impl<S: Send + Sync> FromRequestParts<S> for ApiVersion {
    type Rejection = ApiError;

    /// The version [`CheckVersionLayer`] read, or (for a router without it) the header read against
    /// the wall clock.
    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        if let Some(version) = parts.extensions.get::<ApiVersion>() {
            return Ok(version.clone());
        }
        match parts.headers.get(HEADER) {
            None => Ok(ApiVersion::preview()),
            Some(header) => read_header(header, || Ok(ids::now())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-12-01, the day these tests were written.
    const TODAY: i64 = 1_796_083_200;

    fn parse(raw: &str) -> Result<ApiVersion, VersionError> {
        ApiVersion::parse(raw, || Ok::<_, ()>(TODAY)).map_err(|err| err.unwrap())
    }

    #[test]
    fn releases_are_sorted_for_binary_search() {
        assert!(RELEASES.windows(2).all(|pair| pair[0] < pair[1]));
        assert_eq!(RELEASES.last(), Some(&LATEST_RELEASE));
    }

    #[test]
    fn accepts_releases_previews_and_beta_flags() {
        for version in [
            "2026-10-28.endive",
            "2026-04-22.preview",
            "2025-03-31.basil",
            "2024-06-20",
            "2011-01-01",
            "2025-03-01.dashboard",
            " 2026-10-28.endive ",
            "2026-11-30.preview",
        ] {
            assert!(parse(version).is_ok(), "{version}");
        }
        let beta = parse("2022-08-01; feature_beta=v3").unwrap();
        assert_eq!(beta.0, "2022-08-01", "flags are ignored");
        assert_eq!(
            parse("2026-04-22.preview;a_beta=v1; b=v22").unwrap().0,
            "2026-04-22.preview"
        );
        assert!(ApiVersion("2026-04-22.preview".into()).is_preview());
        assert!(!ApiVersion("2025-03-31.basil".into()).is_preview());
    }

    #[test]
    fn refuses_malformed_and_unknown_versions() {
        for malformed in [
            "",
            "lol",
            "latest",
            "2024-6-20",
            "2024-06-20.",
            "2024-06-20.Basil",
            "2024-06-20.ba sil",
            "2022-08-01; feature_beta",
            "2022-08-01; feature_beta=3",
            "2022-08-01;",
            "2026-10-28.endive\u{0}",
        ] {
            assert_eq!(
                parse(malformed).unwrap_err(),
                VersionError::Malformed,
                "{malformed:?}"
            );
        }
        for unknown in [
            "2024-13-45",
            "2026-02-30",
            "2026-02-30.preview",
            "2099-12-31.acacia",
            "2099-01-01.nope",
            "2026-10-28.dahlia",
            "2022-08-02",
            "2026-12-02.preview",
            "2099-12-31.preview",
        ] {
            assert_eq!(
                parse(unknown).unwrap_err(),
                VersionError::Unknown,
                "{unknown:?}"
            );
        }
    }

    #[test]
    fn only_unknown_previews_ask_for_the_date() {
        let asked = |raw: &str| {
            let mut asked = false;
            let _ = ApiVersion::parse(raw, || {
                asked = true;
                Ok::<_, ()>(TODAY)
            });
            asked
        };
        assert!(!asked("2026-10-28.endive"));
        assert!(!asked("2026-04-22.preview"));
        assert!(!asked("lol"));
        assert!(asked("2026-11-30.preview"));
    }

    #[test]
    fn calendar_arithmetic() {
        assert_eq!(days_from_civil((1970, 1, 1)), 0);
        assert_eq!(days_from_civil((2026, 12, 1)), TODAY / 86_400);
        assert!(is_calendar_date((2024, 2, 29)));
        assert!(!is_calendar_date((2100, 2, 29)));
        assert!(is_calendar_date((2000, 2, 29)));
    }

    const THING: PreviewFields = PreviewFields {
        object: "thing",
        fields: &["secret_sauce"],
    };

    #[test]
    fn ga_versions_hide_declared_fields_even_deep_inside_captured_json() {
        let ga = ApiVersion("2025-03-31.basil".into());
        let preview = ApiVersion::preview();
        let thing = serde_json::json!({"object": "thing", "id": "t_1", "secret_sauce": 1});
        let mut rendered = thing.clone();
        preview.hide_preview_fields(&mut rendered, &THING);
        assert_eq!(rendered, thing);
        ga.hide_preview_fields(&mut rendered, &THING);
        assert_eq!(
            rendered,
            serde_json::json!({"object": "thing", "id": "t_1"})
        );

        let captured = serde_json::json!({"object": "other", "secret_sauce": "not declared here",
            "things": {"object": "list", "data": [thing]}});
        let mut hidden = captured.clone();
        ga.hide_captured_preview_fields(&mut hidden, &[&THING]);
        assert_eq!(hidden["secret_sauce"], "not declared here");
        assert_eq!(
            hidden["things"]["data"][0],
            serde_json::json!({"object": "thing", "id": "t_1"})
        );
        let mut kept = captured.clone();
        preview.hide_captured_preview_fields(&mut kept, &[&THING]);
        assert_eq!(kept, captured);
    }

    const NESTED: PreviewFields = PreviewFields {
        object: "nested",
        fields: &["details.secret", "deep.er.secret"],
    };

    #[test]
    fn nested_fields_go_with_the_parents_they_leave_empty() {
        let ga = ApiVersion("2026-10-28.endive".into());
        let hide = |mut value: Value| {
            ga.hide_preview_fields(&mut value, &NESTED);
            value
        };
        use serde_json::json;
        assert_eq!(
            hide(json!({"details": {"secret": 1, "public": 2}})),
            json!({"details": {"public": 2}})
        );
        assert_eq!(
            hide(json!({"details": {"secret": 1}, "id": 1})),
            json!({"id": 1})
        );
        // An empty parent is a shell of preview members too.
        assert_eq!(hide(json!({"details": {}, "id": 1})), json!({"id": 1}));
        // A missing intermediate object stops the walk: the parent above it stays.
        assert_eq!(hide(json!({"deep": {}})), json!({"deep": {}}));
        assert_eq!(
            hide(json!({"deep": {"er": {"secret": 1, "kept": 1}}})),
            json!({"deep": {"er": {"kept": 1}}})
        );
        assert_eq!(hide(json!({"deep": {"er": {"secret": 1}}})), json!({}));
    }
}
