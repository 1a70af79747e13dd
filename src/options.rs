//! The options of `collectFinancialConnectionsAccounts`, checked before anything renders.

use serde::Deserialize;

use crate::error::RelinkError;
use crate::i18n::Locale;

/// The options as they cross from JS (camelCase). `onEvent` is a function and is read
/// separately by the browser layer.
#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawOptions {
    /// The session's client secret.
    #[serde(default)]
    pub client_secret: Option<String>,
    /// The provider's publishable key.
    #[serde(default)]
    pub publishable_key: Option<String>,
    /// Where the provider's API lives; defaults to the page's origin.
    #[serde(default)]
    pub api_base: Option<String>,
    /// The `fca_…` IDs the merchant already has, for `isNew`.
    #[serde(default)]
    pub existing_account_ids: Option<Vec<String>>,
    /// `en`, `ja`, `de` or `auto`.
    #[serde(default)]
    pub locale: Option<String>,
    /// `modal` (default) or `page`.
    #[serde(default)]
    pub layout: Option<String>,
    /// Set by the browser layer when a Stripe.js instance was given: Stripe.js then holds the
    /// publishable key and talks to Stripe, so neither option is needed.
    #[serde(skip)]
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
        let api_base = self
            .api_base
            .unwrap_or_else(|| page_origin.to_owned())
            .trim_end_matches('/')
            .to_owned();
        if !(api_base.starts_with("https://") || api_base.starts_with("http://")) {
            return Err(RelinkError::InvalidOption {
                param: "apiBase",
                detail: "expected an http(s) URL such as http://127.0.0.1:4242".into(),
            });
        }
        let locale =
            Locale::resolve(self.locale.as_deref(), browser_language).ok_or_else(|| {
                RelinkError::InvalidOption {
                    param: "locale",
                    detail: "expected one of: en, ja, de, auto".into(),
                }
            })?;
        let layout = match self.layout.as_deref() {
            None | Some("modal") => Layout::Modal,
            Some("page") => Layout::Page,
            Some(_) => {
                return Err(RelinkError::InvalidOption {
                    param: "layout",
                    detail: "expected one of: modal, page".into(),
                });
            }
        };
        Ok(CollectOptions {
            client_secret,
            publishable_key,
            api_base,
            existing_account_ids: self.existing_account_ids.unwrap_or_default(),
            locale,
            layout,
        })
    }
}

/// The options of `confirmUsBankAccountSetup` and `mountMandateForm` (camelCase from JS).
#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawConfirmOptions {
    /// The SetupIntent's client secret (for the form, default: the form's `data-secret`).
    #[serde(default)]
    pub client_secret: Option<String>,
    /// The provider's publishable key.
    #[serde(default)]
    pub publishable_key: Option<String>,
    /// Where the provider's API lives; defaults to the page's origin.
    #[serde(default)]
    pub api_base: Option<String>,
    /// Named in the mandate text.
    #[serde(default)]
    pub merchant_name: Option<String>,
    /// `en`, `ja`, `de` or `auto`.
    #[serde(default)]
    pub locale: Option<String>,
    /// See [`RawOptions::uses_stripe`].
    #[serde(skip)]
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
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(json: serde_json::Value) -> RawOptions {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn camel_case_options_with_defaults() {
        let options = raw(serde_json::json!({
            "clientSecret": "fcsess_client_secret_1",
            "publishableKey": "pk_test_1",
            "apiBase": "http://localhost:4242/",
            "existingAccountIds": ["fca_1"],
            "locale": "ja"
        }))
        .validate("https://merchant.example", Some("en-US"))
        .unwrap();
        assert_eq!(options.api_base, "http://localhost:4242");
        assert_eq!(options.locale, Locale::Ja);
        assert_eq!(options.layout, Layout::Modal);
        assert!(!format!("{options:?}").contains("secret_1"));
    }

    #[test]
    fn missing_and_invalid_options_name_the_option() {
        let err = raw(serde_json::json!({"publishableKey": "pk"}))
            .validate("https://m.example", None)
            .unwrap_err();
        assert_eq!(
            err,
            RelinkError::MissingOption {
                param: "clientSecret"
            }
        );
        let err =
            raw(serde_json::json!({"clientSecret": "s", "publishableKey": "pk", "locale": "fr"}))
                .validate("https://m.example", None)
                .unwrap_err();
        assert!(matches!(
            err,
            RelinkError::InvalidOption {
                param: "locale",
                ..
            }
        ));
        let err = raw(serde_json::json!({"clientSecret": "s", "publishableKey": "pk"}))
            .validate("null", None)
            .unwrap_err();
        assert!(matches!(
            err,
            RelinkError::InvalidOption {
                param: "apiBase",
                ..
            }
        ));
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
            raw(serde_json::json!({"clientSecret": "s", "publishableKey": "pk", "layout": layout}))
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
