//! The JS-facing API. Nothing runs at import time; every export is called by the page.

use wasm_bindgen::prelude::*;

use crate::error::RelinkError;
use crate::options::RawOptions;
use crate::session::CollectResult;

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
    let result = match read_options(&options) {
        Ok((options, on_event)) => crate::component::collect(options, on_event).await,
        Err(error) => CollectResult::error(error.to_stripe()),
    };
    to_js(&result)
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
        let mut raw = read_confirm_options(&options)?;
        raw.client_secret = client_secret.as_string().or(raw.client_secret);
        let options = validate(raw)?;
        let client = crate::api_client::ApiClient::new(
            &options.api_base,
            &options.publishable_key,
            &options.client_secret,
        );
        let key = format!("relink-{:x}", (js_sys::Math::random() * 1e16) as u64);
        client.confirm_setup_intent(&key).await
    };
    let result = js_sys::Object::new();
    let (key, value) = match confirmed.await {
        Ok(setup_intent) => ("setupIntent", json_to_js(&setup_intent)),
        Err(error) => ("error", json_to_js(&error.to_stripe())),
    };
    let _ = js_sys::Reflect::set(&result, &key.into(), &value);
    result.into()
}

/// Renders the ACH mandate into `form` and confirms the SetupIntent when it is submitted.
///
/// The client secret defaults to the form's `data-secret`. On success the form dispatches a
/// bubbling `relink:confirmed` event (`detail.setupIntent`); on failure it shows the error,
/// re-enables itself and dispatches `relink:error` (`detail.error`). Throws a `TypeError` for
/// invalid options.
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
        let mut raw = read_confirm_options(&options)?;
        raw.client_secret = raw
            .client_secret
            .or_else(|| form.get_attribute("data-secret"));
        let options = validate(raw)?;
        crate::mandate_form::MountedForm::mount(form, &options)
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

fn json_to_js<T: serde::Serialize>(value: &T) -> JsValue {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or(JsValue::NULL)
}

type Options = (crate::options::CollectOptions, Option<js_sys::Function>);

fn read_options(options: &JsValue) -> Result<Options, RelinkError> {
    if !options.is_object() {
        return Err(RelinkError::MissingOption {
            param: "clientSecret",
        });
    }
    let raw: RawOptions = serde_wasm_bindgen::from_value(options.clone()).map_err(|error| {
        RelinkError::InvalidOption {
            param: "options",
            detail: error.to_string(),
        }
    })?;
    // A function does not cross through serde; read it as the JS value it is.
    let on_event = js_sys::Reflect::get(options, &"onEvent".into()).unwrap_or(JsValue::UNDEFINED);
    let on_event =
        if on_event.is_undefined() || on_event.is_null() {
            None
        } else {
            Some(on_event.dyn_into::<js_sys::Function>().map_err(|_| {
                RelinkError::InvalidOption {
                    param: "onEvent",
                    detail: "expected a function".into(),
                }
            })?)
        };
    let window = web_sys::window().ok_or(RelinkError::NoDocument)?;
    let origin = window.location().origin().unwrap_or_default();
    let language = window.navigator().language();
    Ok((raw.validate(&origin, language.as_deref())?, on_event))
}

fn to_js(result: &CollectResult) -> JsValue {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    serde::Serialize::serialize(result, &serializer).unwrap_or_else(|error| {
        // Only a session with values JS cannot represent gets here; say so rather than throw.
        let fallback = CollectResult::error(
            RelinkError::Render(format!("could not hand over the result: {error}")).to_stripe(),
        );
        serde::Serialize::serialize(&fallback, &serializer).unwrap_or(JsValue::NULL)
    })
}
