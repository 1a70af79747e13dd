//! The options of `collectFinancialConnectionsAccounts`, `confirmUsBankAccountSetup` and the
//! mandate form, checked before anything renders. The browser layer reads them from JS (their
//! camelCase names are in the docs below); functions such as `onEvent` it keeps itself.

use crate::decode::Reader;
use crate::error::RelinkError;
use crate::i18n::Locale;

/// How long a request may take when the merchant does not say (`requestTimeout`).
pub const DEFAULT_REQUEST_TIMEOUT_MS: u32 = 30_000;

/// The options as they cross from JS, unchecked.
#[derive(Default)]
pub struct RawOptions {
    /// `clientSecret`: the session's client secret.
    pub client_secret: Option<String>,
    /// `publishableKey`: the provider's publishable key.
    pub publishable_key: Option<String>,
    /// `apiBase`: where the provider's API lives; defaults to the page's origin.
    pub api_base: Option<String>,
    /// `existingAccountIds`: the `fca_…` IDs the merchant already has, for `isNew`.
    pub existing_account_ids: Option<Vec<String>>,
    /// `locale`: `en`, `ja`, `de` or `auto`.
    pub locale: Option<String>,
    /// `layout`: `modal` (default) or `page`.
    pub layout: Option<String>,
    /// `requestTimeout`: milliseconds a request may take before it counts as a network failure.
    pub request_timeout: Option<f64>,
    /// Set by the browser layer when a Stripe.js instance was given: Stripe.js then holds the
    /// publishable key and talks to Stripe, so neither option is needed.
    pub uses_stripe: bool,
}

/// How the flow sits on the page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Layout {
    /// A dialog over the merchant's page.
    #[default]
    Modal,
    /// The whole page is the flow (hosted relink pages).
    Page,
}

impl std::fmt::Debug for RawOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawOptions")
            .field("api_base", &self.api_base)
            .field("locale", &self.locale)
            .finish_non_exhaustive()
    }
}

/// Validated options.
#[derive(Clone, PartialEq, Eq)]
pub struct CollectOptions {
    /// The session's client secret; only ever sent in request bodies.
    pub client_secret: String,
    /// The provider's publishable key.
    pub publishable_key: String,
    /// The API base without a trailing slash.
    pub api_base: String,
    /// The merchant's existing `fca_…` IDs.
    pub existing_account_ids: Vec<String>,
    /// The modal's language.
    pub locale: Locale,
    /// Modal or full page.
    pub layout: Layout,
    /// How long each request may take, in milliseconds.
    pub request_timeout_ms: u32,
}

/// The client secret must never end up in logs, so `Debug` leaves it out.
impl std::fmt::Debug for CollectOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CollectOptions")
            .field("api_base", &self.api_base)
            .field("existing_account_ids", &self.existing_account_ids)
            .field("locale", &self.locale)
            .finish_non_exhaustive()
    }
}

impl RawOptions {
    /// Checks the options; `page_origin` and `browser_language` fill the defaults.
    ///
    /// ```
    /// use relink::options::RawOptions;
    /// let raw = RawOptions {
    ///     client_secret: Some("fcsess_client_secret_x".into()),
    ///     publishable_key: Some("pk_test_x".into()),
    ///     ..Default::default()
    /// };
    /// let options = raw.validate("http://127.0.0.1:4242", None).unwrap();
    /// assert_eq!(options.api_base, "http://127.0.0.1:4242");
    /// ```
    pub fn validate(
        self,
        page_origin: &str,
        browser_language: Option<&str>,
    ) -> Result<CollectOptions, RelinkError> {
        let client_secret = self
            .client_secret
            .filter(|secret| !secret.trim().is_empty())
            .ok_or(RelinkError::MissingOption {
                param: "clientSecret",
            })?;
        let publishable_key = match self.publishable_key.filter(|key| !key.trim().is_empty()) {
            Some(key) => key,
            None if self.uses_stripe => String::new(),
            None => {
                return Err(RelinkError::MissingOption {
                    param: "publishableKey",
                });
            }
        };
        let locale = Locale::resolve(self.locale.as_deref(), browser_language).ok_or(
            RelinkError::InvalidOption {
                param: "locale",
                detail: "expected one of: en, ja, de, auto",
            },
        )?;
        Ok(CollectOptions {
            client_secret,
            publishable_key,
            api_base: api_base(self.api_base, page_origin)?,
            existing_account_ids: self.existing_account_ids.unwrap_or_default(),
            locale,
            layout: layout(self.layout.as_deref())?,
            request_timeout_ms: request_timeout_ms(self.request_timeout)?,
        })
    }
}

/// `apiBase` without a trailing slash; the page's origin when not given.
fn api_base(api_base: Option<String>, page_origin: &str) -> Result<String, RelinkError> {
    let mut api_base = api_base.unwrap_or_else(|| page_origin.to_owned());
    while api_base.as_bytes().last() == Some(&b'/') {
        api_base.pop();
    }
    if api_base.starts_with("https://") || api_base.starts_with("http://") {
        Ok(api_base)
    } else {
        Err(RelinkError::InvalidOption {
            param: "apiBase",
            detail: "expected an http(s) URL such as http://127.0.0.1:4242",
        })
    }
}

fn layout(layout: Option<&str>) -> Result<Layout, RelinkError> {
    match layout {
        None | Some("modal") => Ok(Layout::Modal),
        Some("page") => Ok(Layout::Page),
        Some(_) => Err(RelinkError::InvalidOption {
            param: "layout",
            detail: "expected one of: modal, page",
        }),
    }
}

fn request_timeout_ms(request_timeout: Option<f64>) -> Result<u32, RelinkError> {
    match request_timeout {
        None => Ok(DEFAULT_REQUEST_TIMEOUT_MS),
        // Up to ten minutes: a longer wait is a hung request, not a slow one.
        Some(ms) if ms.fract() == 0.0 && (1.0..=600_000.0).contains(&ms) => Ok(ms as u32),
        Some(_) => Err(RelinkError::InvalidOption {
            param: "requestTimeout",
            detail: "expected whole milliseconds from 1 to 600000",
        }),
    }
}

/// The options of `confirmUsBankAccountSetup` and `mountMandateForm`, unchecked.
#[derive(Default)]
pub struct RawConfirmOptions {
    /// `clientSecret`: the SetupIntent's client secret (for the form, default: the form's
    /// `data-secret`).
    pub client_secret: Option<String>,
    /// `publishableKey`: the provider's publishable key.
    pub publishable_key: Option<String>,
    /// `apiBase`: where the provider's API lives; defaults to the page's origin.
    pub api_base: Option<String>,
    /// `merchantName`: named in the mandate text.
    pub merchant_name: Option<String>,
    /// `locale`: `en`, `ja`, `de` or `auto`.
    pub locale: Option<String>,
    /// `requestTimeout`: see [`RawOptions::request_timeout`].
    pub request_timeout: Option<f64>,
    /// See [`RawOptions::uses_stripe`].
    pub uses_stripe: bool,
}

impl std::fmt::Debug for RawConfirmOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawConfirmOptions")
            .field("api_base", &self.api_base)
            .field("merchant_name", &self.merchant_name)
            .finish_non_exhaustive()
    }
}

/// Validated options for confirming a SetupIntent.
#[derive(Clone, PartialEq, Eq)]
pub struct ConfirmOptions {
    /// The SetupIntent's client secret (`seti_…_secret_…`).
    pub client_secret: String,
    /// The provider's publishable key.
    pub publishable_key: String,
    /// The API base without a trailing slash.
    pub api_base: String,
    /// Named in the mandate text; required by the mandate form.
    pub merchant_name: Option<String>,
    /// The form's language.
    pub locale: Locale,
    /// How long each request may take, in milliseconds.
    pub request_timeout_ms: u32,
}

impl std::fmt::Debug for ConfirmOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConfirmOptions")
            .field("api_base", &self.api_base)
            .field("merchant_name", &self.merchant_name)
            .finish_non_exhaustive()
    }
}

impl RawConfirmOptions {
    /// Checks the options the same way as [`RawOptions::validate`], and the secret's shape.
    ///
    /// ```
    /// use relink::options::RawConfirmOptions;
    /// let raw = RawConfirmOptions {
    ///     client_secret: Some("seti_1_secret_2".into()),
    ///     publishable_key: Some("pk_test_1".into()),
    ///     ..Default::default()
    /// };
    /// assert!(raw.validate("http://127.0.0.1:4242", None).is_ok());
    /// ```
    pub fn validate(
        self,
        page_origin: &str,
        browser_language: Option<&str>,
    ) -> Result<ConfirmOptions, RelinkError> {
        let merchant_name = self.merchant_name.filter(|name| !name.trim().is_empty());
        let checked = RawOptions {
            client_secret: self.client_secret,
            publishable_key: self.publishable_key,
            api_base: self.api_base,
            existing_account_ids: None,
            locale: self.locale,
            layout: None,
            request_timeout: self.request_timeout,
            uses_stripe: self.uses_stripe,
        }
        .validate(page_origin, browser_language)?;
        crate::mandate::setup_intent_id(&checked.client_secret)?;
        Ok(ConfirmOptions {
            client_secret: checked.client_secret,
            publishable_key: checked.publishable_key,
            api_base: checked.api_base,
            merchant_name,
            locale: checked.locale,
            request_timeout_ms: checked.request_timeout_ms,
        })
    }
}

/// The optional string option `options[param]`; another type is an error naming the option.
pub fn text_option<R: Reader>(
    options: &R,
    param: &'static str,
) -> Result<Option<String>, RelinkError> {
    let value = options.field(param);
    if value.is_missing() {
        return Ok(None);
    }
    value.text().map(Some).ok_or(RelinkError::InvalidOption {
        param,
        detail: "expected a string",
    })
}

fn number_option<R: Reader>(options: &R, param: &'static str) -> Result<Option<f64>, RelinkError> {
    let value = options.field(param);
    if value.is_missing() {
        return Ok(None);
    }
    value.number().map(Some).ok_or(RelinkError::InvalidOption {
        param,
        detail: "expected a number of milliseconds",
    })
}

/// `options[param]` as a list of strings: absent, or an array of strings and nothing else.
pub fn ids_option<R: Reader>(
    options: &R,
    param: &'static str,
) -> Result<Option<Vec<String>>, RelinkError> {
    let value = options.field(param);
    if value.is_missing() {
        return Ok(None);
    }
    let invalid = || RelinkError::InvalidOption {
        param,
        detail: "expected an array of fca_… IDs",
    };
    let mut ids = Vec::new();
    for index in 0..value.length().ok_or_else(invalid)? {
        ids.push(value.at(index).text().ok_or_else(invalid)?);
    }
    Ok(Some(ids))
}

/// Reads the data options of `collectFinancialConnectionsAccounts` from the object the page
/// passed; the browser layer adds what only it can read (callbacks, the Stripe.js instance).
///
/// ```
/// let options = relink::options::read_collect_options(&serde_json::json!({
///     "clientSecret": "fcsess_client_secret_1", "publishableKey": "pk_test_1",
///     "existingAccountIds": ["fca_1"], "requestTimeout": 5000,
/// }))
/// .unwrap();
/// assert_eq!(options.existing_account_ids, Some(vec!["fca_1".to_owned()]));
/// assert!(relink::options::read_collect_options(&serde_json::json!({"locale": 7})).is_err());
/// ```
pub fn read_collect_options<R: Reader>(options: &R) -> Result<RawOptions, RelinkError> {
    if !options.is_object() {
        return Err(RelinkError::MissingOption {
            param: "clientSecret",
        });
    }
    Ok(RawOptions {
        client_secret: text_option(options, "clientSecret")?,
        publishable_key: text_option(options, "publishableKey")?,
        api_base: text_option(options, "apiBase")?,
        existing_account_ids: ids_option(options, "existingAccountIds")?,
        locale: text_option(options, "locale")?,
        layout: text_option(options, "layout")?,
        request_timeout: number_option(options, "requestTimeout")?,
        uses_stripe: false,
    })
}

/// Reads the data options of `confirmUsBankAccountSetup` and `mountMandateForm`; no options
/// at all are the defaults.
pub fn read_confirm_options<R: Reader>(options: &R) -> Result<RawConfirmOptions, RelinkError> {
    if options.is_missing() {
        return Ok(RawConfirmOptions::default());
    }
    Ok(RawConfirmOptions {
        client_secret: text_option(options, "clientSecret")?,
        publishable_key: text_option(options, "publishableKey")?,
        api_base: text_option(options, "apiBase")?,
        merchant_name: text_option(options, "merchantName")?,
        locale: text_option(options, "locale")?,
        request_timeout: number_option(options, "requestTimeout")?,
        uses_stripe: false,
    })
}

/// The bank account a mandate debits, as the merchant knows it: shown above the mandate text,
/// which speaks of "the bank account specified above".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankAccountLabel {
    /// The FC account's `institution_name`.
    pub bank_name: String,
    /// Its `last4`.
    pub last4: String,
}

/// The mandate form's optional `bankAccount: {bankName, last4}`.
pub fn read_bank_account<R: Reader>(options: &R) -> Result<Option<BankAccountLabel>, RelinkError> {
    let account = options.field("bankAccount");
    if account.is_missing() {
        return Ok(None);
    }
    let invalid = || RelinkError::InvalidOption {
        param: "bankAccount",
        detail: "expected {bankName, last4}",
    };
    let text = |key| text_option(&account, key).map_err(|_| invalid());
    match (text("bankName")?, text("last4")?) {
        (Some(bank_name), Some(last4)) => Ok(Some(BankAccountLabel { bank_name, last4 })),
        _ => Err(invalid()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(client_secret: &str) -> RawOptions {
        RawOptions {
            client_secret: Some(client_secret.into()),
            publishable_key: Some("pk".into()),
            ..Default::default()
        }
    }

    #[test]
    fn options_with_defaults() {
        let options = RawOptions {
            client_secret: Some("fcsess_client_secret_1".into()),
            publishable_key: Some("pk_test_1".into()),
            api_base: Some("http://localhost:4242/".into()),
            existing_account_ids: Some(vec!["fca_1".into()]),
            locale: Some("ja".into()),
            ..Default::default()
        }
        .validate("https://merchant.example", Some("en-US"))
        .unwrap();
        assert_eq!(options.api_base, "http://localhost:4242");
        assert_eq!(options.locale, Locale::Ja);
        assert_eq!(options.layout, Layout::Modal);
        assert_eq!(options.request_timeout_ms, DEFAULT_REQUEST_TIMEOUT_MS);
        assert!(!format!("{options:?}").contains("secret_1"));
    }

    #[test]
    fn missing_and_invalid_options_name_the_option() {
        let err = RawOptions {
            publishable_key: Some("pk".into()),
            ..Default::default()
        }
        .validate("https://m.example", None)
        .unwrap_err();
        assert_eq!(
            err,
            RelinkError::MissingOption {
                param: "clientSecret"
            }
        );
        let err = RawOptions {
            locale: Some("fr".into()),
            ..raw("s")
        }
        .validate("https://m.example", None)
        .unwrap_err();
        assert!(matches!(
            err,
            RelinkError::InvalidOption {
                param: "locale",
                ..
            }
        ));
        let err = raw("s").validate("null", None).unwrap_err();
        assert!(matches!(
            err,
            RelinkError::InvalidOption {
                param: "apiBase",
                ..
            }
        ));
    }

    #[test]
    fn request_timeouts_are_whole_milliseconds_up_to_ten_minutes() {
        let with_timeout = |ms: f64| {
            RawOptions {
                request_timeout: Some(ms),
                ..raw("s")
            }
            .validate("https://m.example", None)
        };
        assert_eq!(with_timeout(5000.0).unwrap().request_timeout_ms, 5000);
        for bad in [0.0, -1.0, 1.5, f64::NAN, f64::INFINITY, 600_001.0] {
            assert!(
                matches!(
                    with_timeout(bad),
                    Err(RelinkError::InvalidOption {
                        param: "requestTimeout",
                        ..
                    })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn confirm_options_need_a_setup_intent_secret() {
        let raw = |secret: &str| RawConfirmOptions {
            client_secret: Some(secret.into()),
            publishable_key: Some("pk_test_1".into()),
            merchant_name: Some("Rocket Rides".into()),
            ..Default::default()
        };
        let options = raw("seti_1_secret_2")
            .validate("http://127.0.0.1:4242", None)
            .unwrap();
        assert_eq!(options.merchant_name.as_deref(), Some("Rocket Rides"));
        let err = raw("fcsess_client_secret_2")
            .validate("http://127.0.0.1:4242", None)
            .unwrap_err();
        assert!(matches!(
            err,
            RelinkError::InvalidOption {
                param: "clientSecret",
                ..
            }
        ));
    }

    #[test]
    fn options_are_read_from_the_page_object_and_bad_types_name_the_option() {
        use serde_json::json;
        let read = read_collect_options(&json!({
            "clientSecret": "fcsess_client_secret_1",
            "publishableKey": "pk_test_1",
            "apiBase": null,
            "existingAccountIds": ["fca_1", "fca_2"],
            "layout": "page",
            "requestTimeout": 1000,
            "onEvent": {}
        }))
        .unwrap();
        assert_eq!(
            read.client_secret.as_deref(),
            Some("fcsess_client_secret_1")
        );
        assert_eq!(read.api_base, None, "null is no option");
        assert_eq!(read.existing_account_ids.unwrap().len(), 2);
        assert_eq!(read.request_timeout, Some(1000.0));
        for (bad, param) in [
            (json!({"clientSecret": 1}), "clientSecret"),
            (json!({"existingAccountIds": "fca_1"}), "existingAccountIds"),
            (
                json!({"existingAccountIds": ["fca_1", 2]}),
                "existingAccountIds",
            ),
            (json!({"requestTimeout": "30s"}), "requestTimeout"),
        ] {
            let error = read_collect_options(&bad).err();
            assert!(
                matches!(error, Some(RelinkError::InvalidOption { param: p, .. }) if p == param),
                "{bad}"
            );
        }
        assert_eq!(
            read_collect_options(&json!("fcsess_client_secret_1")).err(),
            Some(RelinkError::MissingOption {
                param: "clientSecret"
            })
        );
        let label = read_bank_account(
            &json!({"bankAccount": {"bankName": "Sandbox Bank", "last4": "6789"}}),
        );
        assert_eq!(label.unwrap().unwrap().last4, "6789");
        for bad in [
            json!({"bankAccount": {"last4": "6789"}}),
            json!({"bankAccount": "6789"}),
        ] {
            assert!(matches!(
                read_bank_account(&bad),
                Err(RelinkError::InvalidOption {
                    param: "bankAccount",
                    ..
                })
            ));
        }
        let confirm = read_confirm_options(&json!({"merchantName": "Rocket Rides"})).unwrap();
        assert_eq!(confirm.merchant_name.as_deref(), Some("Rocket Rides"));
        assert!(read_confirm_options(&serde_json::Value::Null).is_ok());
    }

    #[test]
    fn stripe_needs_no_publishable_key() {
        let raw = RawOptions {
            client_secret: Some("fcsess_client_secret_1".into()),
            uses_stripe: true,
            ..Default::default()
        };
        assert_eq!(
            raw.validate("https://m.example", None)
                .unwrap()
                .publishable_key,
            ""
        );
    }

    #[test]
    fn layouts() {
        let with_layout = |layout: &str| {
            RawOptions {
                layout: Some(layout.into()),
                ..raw("s")
            }
            .validate("https://m.example", None)
        };
        assert_eq!(with_layout("page").unwrap().layout, Layout::Page);
        assert!(matches!(
            with_layout("sidebar").unwrap_err(),
            RelinkError::InvalidOption {
                param: "layout",
                ..
            }
        ));
    }
}
