//! Options, checked before anything renders: those of the production core's
//! `collectFinancialConnectionsAccounts`, `confirmUsBankAccountSetup` and mandate form, and those
//! the sandbox flow UI runs a flow with. The browser layer reads them from JS (their camelCase
//! names are in the docs below); functions such as `onEvent` it keeps itself.

use crate::decode::Reader;
use crate::error::RelinkError;
use crate::i18n::Locale;

/// How long a request of the sandbox flow UI may take when nobody says (`requestTimeout`).
pub const DEFAULT_REQUEST_TIMEOUT_MS: u32 = 30_000;

/// The data options of the production core's `collectFinancialConnectionsAccounts`.
#[derive(Clone, PartialEq, Eq)]
pub struct CollectOptions {
    /// `clientSecret`: the session's client secret; only ever handed to Stripe.js.
    pub client_secret: String,
    /// `existingAccountIds`: the `fca_…` IDs the merchant already has, for `isNew`.
    pub existing_account_ids: Vec<String>,
}

/// The client secret must never end up in logs, so `Debug` leaves it out.
impl std::fmt::Debug for CollectOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CollectOptions")
            .field("existing_account_ids", &self.existing_account_ids)
            .finish_non_exhaustive()
    }
}

/// Reads and checks the data options of `collectFinancialConnectionsAccounts`; the browser
/// layer adds what only it can read (callbacks, the Stripe.js instance).
///
/// ```
/// let options = relink::options::read_collect_options(&serde_json::json!({
///     "clientSecret": "fcsess_client_secret_1", "existingAccountIds": ["fca_1"],
/// }))
/// .unwrap();
/// assert_eq!(options.existing_account_ids, vec!["fca_1".to_owned()]);
/// assert!(relink::options::read_collect_options(&serde_json::json!({})).is_err());
/// ```
pub fn read_collect_options<R: Reader>(options: &R) -> Result<CollectOptions, RelinkError> {
    if !options.is_object() {
        return Err(RelinkError::MissingOption {
            param: "clientSecret",
        });
    }
    Ok(CollectOptions {
        client_secret: required_text(options, "clientSecret")?,
        existing_account_ids: ids_option(options, "existingAccountIds")?.unwrap_or_default(),
    })
}

/// The options of `confirmUsBankAccountSetup` and `mountMandateForm`.
#[derive(Clone, PartialEq, Eq)]
pub struct ConfirmOptions {
    /// `clientSecret`: the SetupIntent's client secret (`seti_…_secret_…`; for the form,
    /// default: the form's `data-secret`).
    pub client_secret: String,
    /// `merchantName`: named in the mandate text; required by the mandate form.
    pub merchant_name: Option<String>,
    /// `locale`: the form's language (`en`, `ja`, `de` or `auto`).
    pub locale: Locale,
}

impl std::fmt::Debug for ConfirmOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConfirmOptions")
            .field("merchant_name", &self.merchant_name)
            .field("locale", &self.locale)
            .finish_non_exhaustive()
    }
}

/// Reads and checks the options of `confirmUsBankAccountSetup` and `mountMandateForm`;
/// `client_secret` is the one the call was given (the argument, or the form's `data-secret`),
/// which `options.clientSecret` overrides.
///
/// ```
/// use relink::options::read_confirm_options;
/// let json = serde_json::json!({"merchantName": "Rocket Rides", "locale": "de"});
/// let options = read_confirm_options(&json, Some("seti_1_secret_2".into()), None).unwrap();
/// assert_eq!(options.merchant_name.as_deref(), Some("Rocket Rides"));
/// assert!(read_confirm_options(&json, Some("fcsess_client_secret_2".into()), None).is_err());
/// ```
pub fn read_confirm_options<R: Reader>(
    options: &R,
    client_secret: Option<String>,
    browser_language: Option<&str>,
) -> Result<ConfirmOptions, RelinkError> {
    let client_secret = text_option(options, "clientSecret")?
        .or(client_secret)
        .filter(|secret| !secret.trim_ascii().is_empty())
        .ok_or(RelinkError::MissingOption {
            param: "clientSecret",
        })?;
    crate::mandate::setup_intent_id(&client_secret)?;
    Ok(ConfirmOptions {
        client_secret,
        merchant_name: text_option(options, "merchantName")?
            .filter(|name| !name.trim_ascii().is_empty()),
        locale: locale(text_option(options, "locale")?.as_deref(), browser_language)?,
    })
}

/// How the sandbox flow UI sits on the page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Layout {
    /// A dialog over the merchant's page.
    #[default]
    Modal,
    /// The whole page is the flow (hosted relink pages).
    Page,
}

/// What the sandbox flow UI runs one flow with: the drop-in's settings (`publishableKey`,
/// `apiBase`, `locale`, `requestTimeout`) and the call's client secret and layout.
#[derive(Clone, PartialEq, Eq)]
pub struct FlowOptions {
    /// The session's client secret; only ever sent in request bodies.
    pub client_secret: String,
    /// The sandbox's publishable key.
    pub publishable_key: String,
    /// The sandbox's origin, without a trailing slash.
    pub api_base: String,
    /// The modal's language.
    pub locale: Locale,
    /// Modal or full page.
    pub layout: Layout,
    /// How long each request may take, in milliseconds.
    pub request_timeout_ms: u32,
}

impl std::fmt::Debug for FlowOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FlowOptions")
            .field("api_base", &self.api_base)
            .field("locale", &self.locale)
            .field("layout", &self.layout)
            .finish_non_exhaustive()
    }
}

/// The sandbox flow UI's settings, as the drop-in was configured (`Stripe(pk, {locale})`,
/// served by the sandbox at `apiBase`).
#[derive(Clone, PartialEq, Eq)]
pub struct Sandbox {
    /// `publishableKey`.
    pub publishable_key: String,
    /// `apiBase`, without a trailing slash.
    pub api_base: String,
    /// `locale`.
    pub locale: Locale,
    /// `requestTimeout`.
    pub request_timeout_ms: u32,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("api_base", &self.api_base)
            .field("locale", &self.locale)
            .finish_non_exhaustive()
    }
}

impl Sandbox {
    /// The flow options of one call with this client secret and layout.
    pub fn flow(&self, client_secret: String, layout: Layout) -> FlowOptions {
        FlowOptions {
            client_secret,
            publishable_key: self.publishable_key.clone(),
            api_base: self.api_base.clone(),
            locale: self.locale,
            layout,
            request_timeout_ms: self.request_timeout_ms,
        }
    }
}

/// Reads the drop-in's settings: `{publishableKey, apiBase, locale?, requestTimeout?}`.
///
/// ```
/// let sandbox = relink::options::read_sandbox(
///     &serde_json::json!({"publishableKey": "pk_test_1", "apiBase": "http://127.0.0.1:4242/"}),
///     Some("ja-JP"),
/// )
/// .unwrap();
/// assert_eq!(sandbox.api_base, "http://127.0.0.1:4242");
/// assert_eq!(sandbox.locale, relink::i18n::Locale::Ja);
/// ```
pub fn read_sandbox<R: Reader>(
    config: &R,
    browser_language: Option<&str>,
) -> Result<Sandbox, RelinkError> {
    Ok(Sandbox {
        publishable_key: required_text(config, "publishableKey")?,
        api_base: api_base(&required_text(config, "apiBase")?)?,
        locale: stripe_js_locale(text_option(config, "locale")?.as_deref(), browser_language),
        request_timeout_ms: request_timeout_ms(number_option(config, "requestTimeout")?)?,
    })
}

/// The `layout` option: `modal` (default) or `page`.
pub fn read_layout<R: Reader>(options: &R) -> Result<Layout, RelinkError> {
    match text_option(options, "layout")?.as_deref() {
        None | Some("modal") => Ok(Layout::Modal),
        Some("page") => Ok(Layout::Page),
        Some(_) => Err(RelinkError::InvalidOption {
            param: "layout",
            detail: "expected one of: modal, page",
        }),
    }
}

/// The `locale` option, where `auto` (or none) follows the browser.
fn locale(option: Option<&str>, browser_language: Option<&str>) -> Result<Locale, RelinkError> {
    Locale::resolve(option, browser_language).ok_or(RelinkError::InvalidOption {
        param: "locale",
        detail: "expected one of: en, ja, de, auto",
    })
}

/// `Stripe(pk, {locale})` as Stripe.js takes it: any of its locales (`en-US`, `fr`, …); the
/// flow speaks the language when it can and follows the browser otherwise, never refusing.
fn stripe_js_locale(option: Option<&str>, browser_language: Option<&str>) -> Locale {
    let language = option.map(|tag| crate::i18n::cut(tag, b'-').map_or(tag, |(lang, _)| lang));
    Locale::resolve(language, browser_language)
        .or_else(|| Locale::resolve(None, browser_language))
        .unwrap_or(Locale::En)
}

/// `apiBase` without a trailing slash.
fn api_base(api_base: &str) -> Result<String, RelinkError> {
    let mut api_base = api_base.to_owned();
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

/// The required, non-blank string option `options[param]`.
pub fn required_text<R: Reader>(options: &R, param: &'static str) -> Result<String, RelinkError> {
    text_option(options, param)?
        .filter(|text| !text.trim_ascii().is_empty())
        .ok_or(RelinkError::MissingOption { param })
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
    use serde_json::json;

    fn sandbox(config: serde_json::Value) -> Result<Sandbox, RelinkError> {
        read_sandbox(&config, Some("en-US"))
    }

    #[test]
    fn collect_options_need_a_client_secret_and_name_bad_types() {
        let read = read_collect_options(&json!({
            "clientSecret": "fcsess_client_secret_1",
            "existingAccountIds": ["fca_1", "fca_2"],
            "onEvent": {}
        }))
        .unwrap();
        assert_eq!(read.client_secret, "fcsess_client_secret_1");
        assert_eq!(read.existing_account_ids.len(), 2);
        assert!(!format!("{read:?}").contains("secret_1"));
        for (bad, param) in [
            (json!({"clientSecret": 1}), "clientSecret"),
            (
                json!({"clientSecret": "s", "existingAccountIds": "fca_1"}),
                "existingAccountIds",
            ),
            (
                json!({"clientSecret": "s", "existingAccountIds": ["fca_1", 2]}),
                "existingAccountIds",
            ),
        ] {
            let error = read_collect_options(&bad).err();
            assert!(
                matches!(error, Some(RelinkError::InvalidOption { param: p, .. }) if p == param),
                "{bad}"
            );
        }
        for missing in [json!({}), json!({"clientSecret": "  "}), json!("fcsess_1")] {
            assert_eq!(
                read_collect_options(&missing).err(),
                Some(RelinkError::MissingOption {
                    param: "clientSecret"
                })
            );
        }
    }

    #[test]
    fn the_sandbox_settings_have_defaults_and_name_what_is_wrong() {
        let settings = sandbox(json!({
            "publishableKey": "pk_test_1", "apiBase": "http://localhost:4242/", "locale": "ja",
        }))
        .unwrap();
        assert_eq!(settings.api_base, "http://localhost:4242");
        assert_eq!(settings.locale, Locale::Ja);
        assert_eq!(settings.request_timeout_ms, DEFAULT_REQUEST_TIMEOUT_MS);
        let flow = settings.flow("fcsess_client_secret_1".into(), Layout::Page);
        assert_eq!(flow.layout, Layout::Page);
        assert!(!format!("{flow:?}").contains("secret_1"));
        let with_locale = |tag: &str| {
            sandbox(json!({"publishableKey": "pk", "apiBase": "http://x", "locale": tag}))
                .unwrap()
                .locale
        };
        assert_eq!(with_locale("de-AT"), Locale::De);
        assert_eq!(
            with_locale("fr"),
            Locale::En,
            "Stripe.js locales are never refused"
        );
        for (bad, param) in [
            (json!({"apiBase": "http://x"}), "publishableKey"),
            (json!({"publishableKey": "pk"}), "apiBase"),
            (
                json!({"publishableKey": "pk", "apiBase": "null"}),
                "apiBase",
            ),
        ] {
            let error = sandbox(bad.clone()).unwrap_err();
            assert_eq!(error.to_stripe().param.as_deref(), Some(param), "{bad}");
        }
    }

    #[test]
    fn request_timeouts_are_whole_milliseconds_up_to_ten_minutes() {
        let with_timeout = |ms: f64| {
            sandbox(json!({"publishableKey": "pk", "apiBase": "http://x", "requestTimeout": ms}))
        };
        assert_eq!(with_timeout(5000.0).unwrap().request_timeout_ms, 5000);
        for bad in [0.0, -1.0, 1.5, 600_001.0] {
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
        assert!(request_timeout_ms(Some(f64::NAN)).is_err());
        assert!(request_timeout_ms(Some(f64::INFINITY)).is_err());
    }

    #[test]
    fn confirm_options_need_a_setup_intent_secret() {
        let options = read_confirm_options(
            &json!({"merchantName": "Rocket Rides"}),
            Some("seti_1_secret_2".into()),
            Some("de-DE"),
        )
        .unwrap();
        assert_eq!(options.merchant_name.as_deref(), Some("Rocket Rides"));
        assert_eq!(options.locale, Locale::De);
        let overridden = read_confirm_options(
            &json!({"clientSecret": "seti_9_secret_9"}),
            Some("seti_1_secret_2".into()),
            None,
        )
        .unwrap();
        assert_eq!(overridden.client_secret, "seti_9_secret_9");
        let err = read_confirm_options(&json!({}), Some("fcsess_client_secret_2".into()), None)
            .unwrap_err();
        assert!(matches!(
            err,
            RelinkError::InvalidOption {
                param: "clientSecret",
                ..
            }
        ));
        assert_eq!(
            read_confirm_options(&serde_json::Value::Null, None, None).unwrap_err(),
            RelinkError::MissingOption {
                param: "clientSecret"
            }
        );
    }

    #[test]
    fn bank_account_labels() {
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
    }

    #[test]
    fn layouts() {
        assert_eq!(
            read_layout(&json!({"layout": "page"})).unwrap(),
            Layout::Page
        );
        assert_eq!(read_layout(&json!({})).unwrap(), Layout::Modal);
        assert!(matches!(
            read_layout(&json!({"layout": "sidebar"})).unwrap_err(),
            RelinkError::InvalidOption {
                param: "layout",
                ..
            }
        ));
    }
}
