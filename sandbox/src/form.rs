//! Stripe's form encoding: `application/x-www-form-urlencoded` with bracket notation.
//!
//! `account_holder[customer]=cus_1` names a hash member, `permissions[]=balances` and
//! `permissions[0]=balances` name list items, and an empty value unsets a parameter. Handlers
//! *take* the parameters they understand; whatever is left over is a `parameter_unknown` error,
//! which is how Stripe tells a developer about a typo instead of silently ignoring it, and an
//! `expand[]` nobody took is an error naming the field that cannot be expanded.
//!
//! Input is strict, as Stripe's is: a body must be form-encoded (JSON is refused), and a name or
//! value that is not UTF-8 once percent-decoded, or holds a NUL byte, is refused rather than
//! stored mangled.
//!
//! ```
//! use relink_sandbox::form::Params;
//!
//! let mut params = Params::parse(b"permissions[]=balances&limits[accounts]=1").unwrap();
//! assert_eq!(params.take_list(&["permissions"]).unwrap(), vec!["balances".to_string()]);
//! assert_eq!(params.take_u32(&["limits", "accounts"]).unwrap(), Some(1));
//! params.finish().unwrap();
//! ```

use std::str::FromStr;

use crate::error::{ApiError, ApiResult};

/// One `key=value` pair with its key split into bracket segments (`a[b][]` → `a`, `b`, ``).
#[derive(Debug, Clone)]
struct Pair {
    path: Vec<String>,
    value: String,
}

/// The decoded parameters of one request.
#[derive(Debug, Clone, Default)]
pub struct Params {
    pairs: Vec<Pair>,
}

/// Parses `a[b][c]` into `["a", "b", "c"]`, or `None` when the brackets do not balance.
/// Deeper than any parameter of the API (`payment_method_data[us_bank_account][…]` is three):
/// anything past it is a mistake or an attack, and is refused before it costs anything.
const MAX_DEPTH: usize = 8;

fn split_key(key: &str) -> Option<Vec<String>> {
    let (head, mut rest) = match key.find('[') {
        Some(at) => key.split_at(at),
        None => (key, ""),
    };
    if head.is_empty() || head.contains(']') {
        return None;
    }
    let mut path = vec![head.to_owned()];
    while !rest.is_empty() {
        let inner = rest.strip_prefix('[')?;
        let close = inner.find(']')?;
        let segment = &inner[..close];
        if segment.contains('[') {
            return None;
        }
        if path.len() == MAX_DEPTH {
            return None;
        }
        path.push(segment.to_owned());
        rest = &inner[close + 1..];
    }
    Some(path)
}

/// Renders a path back into bracket notation for error messages (`account_holder[customer]`).
pub fn display_path(path: &[impl AsRef<str>]) -> String {
    let mut out = String::new();
    for (i, segment) in path.iter().enumerate() {
        if i == 0 {
            out.push_str(segment.as_ref());
        } else {
            out.push('[');
            out.push_str(segment.as_ref());
            out.push(']');
        }
    }
    out
}

/// Whether a path segment addresses a list item (`[]` or `[3]`).
fn list_index(segment: &str) -> Option<usize> {
    if segment.is_empty() {
        Some(usize::MAX)
    } else if segment.bytes().all(|b| b.is_ascii_digit()) {
        // An absurdly long index cannot be a real position; sorting it last is harmless.
        Some(segment.parse().unwrap_or(usize::MAX))
    } else {
        None
    }
}

/// Why a percent-decoded name or value is not text the sandbox stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BadText {
    /// Not UTF-8.
    InvalidUtf8,
    /// Holds a NUL byte, which no text parameter of Stripe's may contain.
    Nul,
}

impl BadText {
    fn describe(self) -> &'static str {
        match self {
            BadText::InvalidUtf8 => "is not valid UTF-8",
            BadText::Nul => "contains a NUL byte",
        }
    }
}

fn hex_digit(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

/// Percent-decodes one name or value of a form (`+` is a space; a `%` not followed by two hex
/// digits stays as it is, as browsers do), and insists on NUL-free UTF-8.
fn decode(raw: &[u8]) -> Result<String, BadText> {
    let mut bytes = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let byte = match raw[i] {
            b'+' => b' ',
            b'%' => match (
                raw.get(i + 1).copied().and_then(hex_digit),
                raw.get(i + 2).copied().and_then(hex_digit),
            ) {
                (Some(high), Some(low)) => {
                    i += 2;
                    high << 4 | low
                }
                _ => b'%',
            },
            other => other,
        };
        bytes.push(byte);
        i += 1;
    }
    if bytes.contains(&0) {
        return Err(BadText::Nul);
    }
    String::from_utf8(bytes).map_err(|_| BadText::InvalidUtf8)
}

/// Whether `raw` is an absolute `http(s)` URL a browser can be sent to: a scheme Stripe accepts
/// for return URLs, a host, and no whitespace or control characters.
pub fn is_web_url(raw: &str) -> bool {
    let rest = match raw.split_once("://") {
        Some((scheme, rest))
            if scheme.eq_ignore_ascii_case("https") || scheme.eq_ignore_ascii_case("http") =>
        {
            rest
        }
        _ => return false,
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    !host.is_empty()
        && !host.starts_with(':')
        && !raw.chars().any(|c| c.is_whitespace() || c.is_control())
}

impl Params {
    /// Decodes a form body or query string.
    pub fn parse(body: &[u8]) -> ApiResult<Self> {
        let mut pairs = Vec::new();
        for pair in body.split(|&b| b == b'&') {
            if pair.is_empty() {
                continue;
            }
            let (raw_key, raw_value) = match pair.iter().position(|&b| b == b'=') {
                Some(at) => (&pair[..at], &pair[at + 1..]),
                None => (pair, &[][..]),
            };
            let key = decode(raw_key).map_err(|bad| {
                let shown: String = String::from_utf8_lossy(raw_key).chars().take(80).collect();
                ApiError::invalid(format!("Invalid parameter name: it {}.", bad.describe()))
                    .with_param(shown)
            })?;
            let value = decode(raw_value).map_err(|bad| {
                let shown: String = key.chars().take(80).collect();
                ApiError::invalid_param(
                    &shown,
                    format!("Invalid string: the value of {shown} {}.", bad.describe()),
                )
            })?;
            if key.is_empty() && value.is_empty() {
                continue;
            }
            let path = split_key(&key).ok_or_else(|| {
                // Echo at most a readable prefix of whatever was sent.
                let shown: String = key.chars().take(80).collect();
                ApiError::invalid(format!(
                    "Invalid parameter name `{shown}`: use bracket notation like `a[b]` or \
                     `a[]`, at most {MAX_DEPTH} levels deep."
                ))
                .with_param(shown)
            })?;
            pairs.push(Pair { path, value });
        }
        Ok(Params { pairs })
    }

    /// Builds parameters from a JSON object, for the demo endpoints that also accept JSON.
    pub fn from_json(value: &serde_json::Value) -> ApiResult<Self> {
        fn walk(prefix: &mut Vec<String>, value: &serde_json::Value, out: &mut Vec<Pair>) {
            match value {
                serde_json::Value::Object(map) => {
                    for (k, v) in map {
                        prefix.push(k.clone());
                        walk(prefix, v, out);
                        prefix.pop();
                    }
                }
                serde_json::Value::Array(items) => {
                    for (i, v) in items.iter().enumerate() {
                        prefix.push(i.to_string());
                        walk(prefix, v, out);
                        prefix.pop();
                    }
                }
                serde_json::Value::Null => out.push(Pair {
                    path: prefix.clone(),
                    value: String::new(),
                }),
                serde_json::Value::String(s) => out.push(Pair {
                    path: prefix.clone(),
                    value: s.clone(),
                }),
                other => out.push(Pair {
                    path: prefix.clone(),
                    value: other.to_string(),
                }),
            }
        }
        if !value.is_object() {
            return Err(ApiError::invalid("The request body must be a JSON object."));
        }
        let mut pairs = Vec::new();
        walk(&mut Vec::new(), value, &mut pairs);
        Ok(Params { pairs })
    }

    /// Removes and returns the values whose path matches `accept`.
    fn take_where(&mut self, accept: impl Fn(&[String]) -> bool) -> Vec<Pair> {
        let (taken, kept) = std::mem::take(&mut self.pairs)
            .into_iter()
            .partition(|pair| accept(&pair.path));
        self.pairs = kept;
        taken
    }

    /// Takes a scalar; an empty value (an unset) reads as `None`.
    pub fn take_str(&mut self, path: &[&str]) -> ApiResult<Option<String>> {
        let mut taken = self.take_where(|p| p == path);
        match taken.len() {
            0 => Ok(None),
            1 => {
                let value = taken.remove(0).value;
                Ok((!value.is_empty()).then_some(value))
            }
            _ => Err(ApiError::invalid_param(
                display_path(path),
                format!(
                    "Received more than one value for {}; send it once.",
                    display_path(path)
                ),
            )),
        }
    }

    /// Takes a URL the customer's browser will be sent to (`return_url`): an absolute `http`
    /// or `https` URL, or Stripe's `url_invalid`.
    pub fn take_url(&mut self, path: &[&str]) -> ApiResult<Option<String>> {
        let url = self.take_str(path)?;
        if let Some(url) = &url
            && !is_web_url(url)
        {
            return Err(ApiError::invalid_param(
                display_path(path),
                format!(
                    "Not a valid URL: {}. Use an absolute http:// or https:// URL.",
                    url.chars().take(200).collect::<String>()
                ),
            )
            .with_code("url_invalid"));
        }
        Ok(url)
    }

    /// Takes a scalar that must be present and non-empty.
    pub fn require_str(&mut self, path: &[&str]) -> ApiResult<String> {
        self.take_str(path)?
            .ok_or_else(|| ApiError::missing(&display_path(path)))
    }

    /// Takes a non-negative integer.
    pub fn take_u32(&mut self, path: &[&str]) -> ApiResult<Option<u32>> {
        self.take_str(path)?
            .map(|raw| {
                raw.parse::<u32>().map_err(|_| {
                    ApiError::invalid_param(display_path(path), format!("Invalid integer: {raw}"))
                        .with_code("parameter_invalid_integer")
                })
            })
            .transpose()
    }

    /// Takes a boolean (`true`/`false`).
    pub fn take_bool(&mut self, path: &[&str]) -> ApiResult<Option<bool>> {
        self.take_str(path)?
            .map(|raw| match raw.as_str() {
                "true" => Ok(true),
                "false" => Ok(false),
                _ => Err(ApiError::invalid_param(
                    display_path(path),
                    format!("Invalid boolean: {raw}"),
                )),
            })
            .transpose()
    }

    /// Takes a scalar and parses it as one of an enum's wire values.
    pub fn take_enum<T>(&mut self, path: &[&str]) -> ApiResult<Option<T>>
    where
        T: FromStr,
        T::Err: std::fmt::Display,
    {
        self.take_str(path)?
            .map(|raw| parse_enum(&display_path(path), &raw))
            .transpose()
    }

    /// Takes a scalar and parses it as a serde enum with snake_case wire names.
    pub fn take_enum_serde<T: serde::de::DeserializeOwned>(
        &mut self,
        path: &[&str],
    ) -> ApiResult<Option<T>> {
        self.take_str(path)?
            .map(|raw| {
                serde_json::from_value(serde_json::Value::String(raw.clone())).map_err(|_| {
                    let name = display_path(path);
                    ApiError::invalid_param(&name, format!("Invalid {name} `{raw}`."))
                })
            })
            .transpose()
    }

    /// Whether any parameter at or under `path` was sent (even an empty one).
    pub fn contains(&self, path: &[&str]) -> bool {
        self.pairs
            .iter()
            .any(|pair| pair.path.len() >= path.len() && pair.path[..path.len()] == *path)
    }

    /// Takes a list sent as `path[]=…` or `path[0]=…`, in index order; empty items are dropped
    /// and `path=` (an unset) yields an empty list.
    pub fn take_list(&mut self, path: &[&str]) -> ApiResult<Vec<String>> {
        let depth = path.len();
        let taken = self.take_where(|p| {
            p.len() >= depth
                && p[..depth] == *path
                && (p.len() == depth || (p.len() == depth + 1 && list_index(&p[depth]).is_some()))
        });
        let mut items = Vec::with_capacity(taken.len());
        for (order, pair) in taken.into_iter().enumerate() {
            if pair.path.len() == depth {
                if pair.value.is_empty() {
                    continue;
                }
                return Err(ApiError::invalid_param(
                    display_path(path),
                    format!(
                        "Invalid array: send {0}[]=value for each item.",
                        display_path(path)
                    ),
                ));
            }
            let index = list_index(&pair.path[depth]).unwrap_or(usize::MAX);
            // `[]` items keep their order of appearance; indexed items sort by index.
            let key = if index == usize::MAX {
                (usize::MAX, order)
            } else {
                (index, order)
            };
            if !pair.value.is_empty() {
                items.push((key, pair.value));
            }
        }
        items.sort_by_key(|(key, _)| *key);
        Ok(items.into_iter().map(|(_, value)| value).collect())
    }

    /// Takes a list of enum values.
    pub fn take_enum_list<T>(&mut self, path: &[&str]) -> ApiResult<Vec<T>>
    where
        T: FromStr + PartialEq,
        T::Err: std::fmt::Display,
    {
        let name = display_path(path);
        let mut out: Vec<T> = Vec::new();
        for raw in self.take_list(path)? {
            let value = parse_enum(&name, &raw)?;
            if !out.contains(&value) {
                out.push(value);
            }
        }
        Ok(out)
    }

    /// Takes `expand[]`, for the endpoints that honour it (see [`Params::finish`]).
    pub fn take_expand(&mut self) -> ApiResult<Vec<String>> {
        self.take_list(&["expand"])
    }

    /// Fails with `parameter_unknown` naming the first parameter nobody took, or, when only
    /// `expand[]` is left, with Stripe's error naming the first field that cannot be expanded:
    /// an endpoint that expands something takes `expand[]` itself and checks each path.
    pub fn finish(mut self) -> ApiResult<()> {
        let expand = self.take_expand()?;
        if let Some(pair) = self.pairs.first() {
            return Err(ApiError::unknown(&display_path(&pair.path)));
        }
        match expand.first() {
            Some(field) => Err(not_expandable(field)),
            None => Ok(()),
        }
    }
}

/// Stripe's answer to `expand[]=field` where `field` cannot be expanded.
pub fn not_expandable(field: &str) -> ApiError {
    let shown: String = field.chars().take(200).collect();
    ApiError::invalid_param(
        "expand",
        format!("This property cannot be expanded ({shown})."),
    )
}

/// Parses one enum value, naming the parameter and the accepted values when it is not one.
pub fn parse_enum<T>(param: &str, raw: &str) -> ApiResult<T>
where
    T: FromStr,
    T::Err: std::fmt::Display,
{
    raw.parse::<T>()
        .map_err(|err| ApiError::invalid_param(param, format!("Invalid {param} `{raw}`: {err}.")))
}

/// Largest request body the sandbox reads; Stripe's requests are small forms.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// How a request body is encoded, from its `Content-Type`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum BodyEncoding {
    /// `application/x-www-form-urlencoded`, or no `Content-Type` at all.
    Form,
    /// `application/json`.
    Json,
    /// Anything else, as sent.
    Other(String),
}

impl BodyEncoding {
    fn of(req: &axum::extract::Request) -> Self {
        let Some(value) = req.headers().get(axum::http::header::CONTENT_TYPE) else {
            return BodyEncoding::Form;
        };
        let raw = String::from_utf8_lossy(value.as_bytes());
        let essence = raw.split(';').next().unwrap_or("").trim();
        if essence.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
            BodyEncoding::Form
        } else if essence.eq_ignore_ascii_case("application/json") {
            BodyEncoding::Json
        } else {
            BodyEncoding::Other(raw.chars().take(100).collect())
        }
    }
}

/// Reads the query string and the body (at most [`MAX_BODY_BYTES`]) of a request.
async fn query_and_body(
    req: axum::extract::Request,
) -> ApiResult<(Params, BodyEncoding, axum::body::Bytes)> {
    let query = Params::parse(req.uri().query().unwrap_or("").as_bytes())?;
    let encoding = BodyEncoding::of(&req);
    let body = axum::body::to_bytes(req.into_body(), MAX_BODY_BYTES)
        .await
        .map_err(|_| {
            ApiError::invalid(format!(
                "The request body is larger than {MAX_BODY_BYTES} bytes."
            ))
            .with_status(axum::http::StatusCode::PAYLOAD_TOO_LARGE)
        })?;
    Ok((query, encoding, body))
}

impl<S: Send + Sync> axum::extract::FromRequest<S> for Params {
    type Rejection = ApiError;

    /// Reads the query string and a form body; both land in one set of parameters, as Stripe
    /// treats them. Any other body (JSON included) is refused, as Stripe refuses it: code that
    /// passes here must also pass against Stripe.
    async fn from_request(req: axum::extract::Request, _state: &S) -> ApiResult<Self> {
        let (mut params, encoding, body) = query_and_body(req).await?;
        if body.is_empty() {
            return Ok(params);
        }
        match encoding {
            BodyEncoding::Form => {}
            BodyEncoding::Json => return Err(unsupported_content_type("application/json")),
            BodyEncoding::Other(sent) => return Err(unsupported_content_type(&sent)),
        }
        params.pairs.extend(Params::parse(&body)?.pairs);
        Ok(params)
    }
}

fn unsupported_content_type(sent: &str) -> ApiError {
    ApiError::invalid(format!(
        "Invalid request: unsupported Content-Type {sent}. Send the parameters form-encoded \
         (application/x-www-form-urlencoded), as Stripe's API takes them."
    ))
}

/// Parameters from a form or a JSON object body: for the demo merchant backend, which is not
/// Stripe's API and whose pages post JSON.
#[derive(Debug, Clone, Default)]
pub struct FormOrJson(pub Params);

impl<S: Send + Sync> axum::extract::FromRequest<S> for FormOrJson {
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, _state: &S) -> ApiResult<Self> {
        let (mut params, encoding, body) = query_and_body(req).await?;
        let from_body = if body.is_empty() {
            Params::default()
        } else if encoding == BodyEncoding::Json {
            let value: serde_json::Value = serde_json::from_slice(&body)
                .map_err(|err| ApiError::invalid(format!("Invalid JSON body: {err}")))?;
            Params::from_json(&value)?
        } else {
            Params::parse(&body)?
        };
        params.pairs.extend(from_body.pairs);
        Ok(FormOrJson(params))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use relink::model::Permission;

    fn parse(body: &str) -> Params {
        Params::parse(body.as_bytes()).expect("parses")
    }

    #[test]
    fn brackets_nest_and_lists_accept_both_notations() {
        let mut p = parse(
            "account_holder[type]=customer&account_holder[customer]=cus_1\
             &permissions[1]=balances&permissions[0]=payment_method\
             &filters[account_subcategories][]=checking&filters[account_subcategories][]=savings",
        );
        assert_eq!(
            p.take_str(&["account_holder", "type"]).unwrap().as_deref(),
            Some("customer")
        );
        assert_eq!(
            p.require_str(&["account_holder", "customer"]).unwrap(),
            "cus_1"
        );
        assert_eq!(
            p.take_enum_list::<Permission>(&["permissions"]).unwrap(),
            vec![Permission::PaymentMethod, Permission::Balances]
        );
        assert_eq!(
            p.take_list(&["filters", "account_subcategories"]).unwrap(),
            vec!["checking", "savings"]
        );
        p.finish().unwrap();
    }

    #[test]
    fn empty_values_unset() {
        let mut p = parse("email=&permissions=");
        assert_eq!(p.take_str(&["email"]).unwrap(), None);
        assert!(p.take_list(&["permissions"]).unwrap().is_empty());
        p.finish().unwrap();
    }

    #[test]
    fn leftovers_are_unknown_parameters() {
        let mut p = parse("email=a%40b.c&nmae=Jenny");
        p.take_str(&["email"]).unwrap();
        let err = p.finish().unwrap_err();
        assert_eq!(err.code, Some("parameter_unknown"));
        assert_eq!(err.param.as_deref(), Some("nmae"));
    }

    #[test]
    fn bad_values_name_their_parameter() {
        let mut p = parse("limits[accounts]=many&permissions[]=everything");
        let err = p.take_u32(&["limits", "accounts"]).unwrap_err();
        assert_eq!(err.param.as_deref(), Some("limits[accounts]"));
        let err = p
            .take_enum_list::<Permission>(&["permissions"])
            .unwrap_err();
        assert_eq!(err.param.as_deref(), Some("permissions"));
        assert!(err.message.contains("payment_method"), "{}", err.message);
        assert!(parse("a=1").require_str(&["b"]).unwrap_err().code == Some("parameter_missing"));
    }

    #[test]
    fn malformed_keys_are_errors_not_panics() {
        for body in [
            "a[b=1",
            "a]=1",
            "[a]=1",
            "a[b]c=1",
            "a[[b]]=1",
            "=1",
            "a[b][=1",
            "%ff[%00]=%",
        ] {
            let _ = Params::parse(body.as_bytes());
        }
        assert!(Params::parse(b"a[b=1").is_err());
        assert!(Params::parse(b"a]=1").is_err());
        assert!(Params::parse(b"a[b]c=1").is_err());
    }

    /// Bodies made mostly of the characters the decoder treats specially, with raw bytes mixed
    /// in: where its bugs would hide.
    fn form_like_body() -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
        use proptest::prelude::*;
        let special = prop::sample::select(b"ab[]=&%0123456789xyz+;".to_vec());
        prop::collection::vec(prop_oneof![9 => special, 1 => any::<u8>()], 0..64)
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4_000))]

        #[test]
        fn arbitrary_bodies_never_panic(body in form_like_body()) {
            if let Ok(mut params) = Params::parse(&body) {
                let _ = params.take_list(&["a"]);
                let _ = params.take_str(&["b", "a"]);
                let _ = params.take_u32(&["x"]);
                let _ = params.take_bool(&["y"]);
                let _ = params.finish();
            }
        }

        #[test]
        fn well_formed_bodies_decode_to_what_was_encoded(
            name in "[a-z_]{1,12}",
            key in "[a-z_]{1,12}",
            values in proptest::collection::vec("[^\\x00]{0,20}", 1..5),
        ) {
            let encode = |v: &str| form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>();
            let body = values
                .iter()
                .enumerate()
                .map(|(i, v)| format!("{name}[{key}][{i}]={}", encode(v)))
                .collect::<Vec<_>>()
                .join("&");
            let mut params = Params::parse(body.as_bytes()).unwrap();
            // An empty value unsets, as in Stripe's API; the rest come back in order.
            let expected: Vec<String> = values.into_iter().filter(|v| !v.is_empty()).collect();
            proptest::prop_assert_eq!(params.take_list(&[&name, &key]).unwrap(), expected);
        }
    }

    #[test]
    fn absurdly_nested_brackets_are_an_error_not_a_crash() {
        let body = format!("a{}=1", "[b]".repeat(100_000));
        assert!(Params::parse(body.as_bytes()).is_err());
        let body = format!("a{}=1", "[".repeat(100_000));
        assert!(Params::parse(body.as_bytes()).is_err());
    }

    #[test]
    fn repeated_scalars_are_rejected() {
        let mut p = parse("email=a&email=b");
        assert!(p.take_str(&["email"]).is_err());
    }

    #[test]
    fn json_bodies_flatten_to_the_same_paths() {
        let mut p =
            Params::from_json(&serde_json::json!({"account": "fca_1", "exact": false})).unwrap();
        assert_eq!(p.require_str(&["account"]).unwrap(), "fca_1");
        assert_eq!(p.take_bool(&["exact"]).unwrap(), Some(false));
        p.finish().unwrap();
    }
}
