//! The JS-facing API. Nothing runs at import time; every export is called by the page.

use wasm_bindgen::prelude::*;

use crate::component::{Hooks, Provider};
use crate::error::RelinkError;
use crate::js_object::{callback, object_with};
use crate::js_session::{could_not_launch, error_to_js};
use crate::options::RawOptions;
use crate::stripe_js::StripeJs;

/// Opens the bank-linking modal for a Financial Connections session and resolves once the
/// customer is done.
///
/// Resolves `{financialConnectionsSession, outcome, isNew}` when the flow ran (even if the
/// customer closed it: `accounts` is then empty and, for relink sessions, `relink_result`
/// says why), or `{error, outcome: 'could_not_launch'}` when it could not. Never rejects.
///
/// ```js
/// const result = await collectFinancialConnectionsAccounts({
///   clientSecret, publishableKey: 'pk_test_…', existingAccountIds: ['fca_…'],
///   onEvent: (event) => console.log(event.type),
/// });
/// if (result.error) showError(result.error.message);
/// else if (result.outcome === 'no_account') askToPickTheRightAccount();
/// ```
#[wasm_bindgen(
    js_name = collectFinancialConnectionsAccounts,
    unchecked_return_type = "CollectResult"
)]
pub async fn collect_financial_connections_accounts(
    #[wasm_bindgen(unchecked_param_type = "CollectOptions")] options: JsValue,
) -> JsValue {
    match read_options(&options) {
        Ok((options, hooks)) => crate::component::collect(options, hooks).await,
        Err(error) => could_not_launch(&error.to_stripe()),
    }
}

/// Closes the open flow, if any. Its promise resolves as if the customer had closed it.
///
/// ```js
/// setTimeout(abort, 10 * 60 * 1000); // give up after ten minutes
/// ```
#[wasm_bindgen]
pub fn abort() {
    crate::component::abort();
}

/// Confirms a SetupIntent for a US bank account with an online mandate acceptance.
///
/// Resolves `{setupIntent}` or `{error}` (Stripe's error object); never rejects. Each call is
/// one attempt with its own idempotency key.
///
/// ```js
/// const { setupIntent, error } = await confirmUsBankAccountSetup(
///   form.dataset.secret, { publishableKey: 'pk_test_…', merchantName: 'Rocket Rides' });
/// ```
#[wasm_bindgen(
    js_name = confirmUsBankAccountSetup,
    unchecked_return_type = "ConfirmResult"
)]
pub async fn confirm_us_bank_account_setup(
    #[wasm_bindgen(unchecked_param_type = "string")] client_secret: JsValue,
    #[wasm_bindgen(unchecked_param_type = "ConfirmOptions")] options: JsValue,
) -> JsValue {
    let confirmed = async {
        let stripe = StripeJs::from_options(&options)?;
        let mut raw = read_confirm_options(&options)?;
        raw.uses_stripe = stripe.is_some();
        raw.client_secret = client_secret.as_string().or(raw.client_secret);
        let options = validate(raw)?;
        let confirmer = crate::mandate_form::Confirmer::new(&options, stripe);
        let key = format!("relink-{:x}", (js_sys::Math::random() * 1e16) as u64);
        confirmer.confirm(&key).await
    };
    let result = match confirmed.await {
        Ok(setup_intent) => object_with("setupIntent", &setup_intent),
        Err(error) => object_with("error", &error_to_js(&error.to_stripe())),
    };
    result.into()
}

/// Renders the ACH mandate into `form` and confirms the SetupIntent when it is submitted.
///
/// The client secret defaults to the form's `data-secret`. On success the form dispatches a
/// bubbling `relink:confirmed` event (`detail.setupIntent`); on failure it shows the error,
/// re-enables itself and dispatches `relink:error` (`detail.error`). Throws for invalid
/// options.
///
/// When confirming fails because the bank account's link is broken
/// (`financial_connections_account_inactive`) and `createRelinkSession` is given, the form
/// offers "Reconnect your bank account": it runs the relink flow with the client secret that
/// `createRelinkSession()` resolves, dispatches `relink:relinked` (`detail` is the collect
/// result) when the account is repaired, and confirms again.
///
/// ```js
/// const handle = mountMandateForm(document.querySelector('form[data-secret]'),
///   { publishableKey: 'pk_test_…', merchantName: 'Rocket Rides' });
/// form.addEventListener('relink:confirmed', (e) => show(e.detail.setupIntent.status));
/// // later: handle.unmount();
/// ```
#[wasm_bindgen(js_name = mountMandateForm)]
pub fn mount_mandate_form(
    form: web_sys::HtmlFormElement,
    #[wasm_bindgen(unchecked_param_type = "MandateFormOptions")] options: JsValue,
) -> Result<MandateFormHandle, JsError> {
    let mounted = (|| {
        let stripe = StripeJs::from_options(&options)?;
        let relink = match callback(&options, "createRelinkSession")? {
            Some(create_session) => Some(crate::mandate_form::RelinkHooks {
                create_session,
                fetch_session: callback(&options, "fetchSession")?,
                existing_account_ids: string_array(&options, "existingAccountIds"),
            }),
            None => None,
        };
        let mut raw = read_confirm_options(&options)?;
        raw.uses_stripe = stripe.is_some();
        raw.client_secret = raw
            .client_secret
            .or_else(|| form.get_attribute("data-secret"));
        let options = validate(raw)?;
        crate::mandate_form::MountedForm::mount(form, &options, stripe, relink)
    })()
    .map_err(|error| JsError::new(&error.to_string()))?;
    Ok(MandateFormHandle {
        mounted: Some(mounted),
    })
}

/// A mounted mandate form.
#[wasm_bindgen]
#[derive(Debug)]
pub struct MandateFormHandle {
    mounted: Option<std::rc::Rc<crate::mandate_form::MountedForm>>,
}

#[wasm_bindgen]
impl MandateFormHandle {
    /// Removes the mandate and its listeners from the form. Safe to call twice.
    pub fn unmount(&mut self) {
        if let Some(mounted) = self.mounted.take() {
            mounted.unmount();
        }
    }
}

fn read_confirm_options(
    options: &JsValue,
) -> Result<crate::options::RawConfirmOptions, RelinkError> {
    if options.is_undefined() || options.is_null() {
        return Ok(Default::default());
    }
    serde_wasm_bindgen::from_value(options.clone()).map_err(|error| RelinkError::InvalidOption {
        param: "options",
        detail: error.to_string(),
    })
}

fn validate(
    raw: crate::options::RawConfirmOptions,
) -> Result<crate::options::ConfirmOptions, RelinkError> {
    let window = web_sys::window().ok_or(RelinkError::NoDocument)?;
    let origin = window.location().origin().unwrap_or_default();
    let language = window.navigator().language();
    raw.validate(&origin, language.as_deref())
}

/// A server's JSON answer as a plain JS object.
pub(crate) fn json_to_js<T: serde::Serialize>(value: &T) -> JsValue {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or(JsValue::NULL)
}

fn read_options(options: &JsValue) -> Result<(crate::options::CollectOptions, Hooks), RelinkError> {
    if !options.is_object() {
        return Err(RelinkError::MissingOption {
            param: "clientSecret",
        });
    }
    let mut raw: RawOptions = serde_wasm_bindgen::from_value(options.clone()).map_err(|error| {
        RelinkError::InvalidOption {
            param: "options",
            detail: error.to_string(),
        }
    })?;
    // Functions and the Stripe.js instance do not cross through serde; read them as JS values.
    let on_event = callback(options, "onEvent")?;
    let provider = match StripeJs::from_options(options)? {
        Some(stripe) => Provider::Stripe {
            stripe,
            fetch_session: callback(options, "fetchSession")?,
        },
        None => Provider::Sandbox,
    };
    raw.uses_stripe = matches!(provider, Provider::Stripe { .. });
    let window = web_sys::window().ok_or(RelinkError::NoDocument)?;
    let origin = window.location().origin().unwrap_or_default();
    let language = window.navigator().language();
    let options = raw.validate(&origin, language.as_deref())?;
    Ok((options, Hooks { on_event, provider }))
}

/// `options[key]` as a list of strings; anything else counts as none.
fn string_array(options: &JsValue, key: &str) -> Vec<String> {
    crate::js_object::get(options, key)
        .dyn_into::<js_sys::Array>()
        .unwrap_or_default()
        .iter()
        .filter_map(|item| item.as_string())
        .collect()
}
