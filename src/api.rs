//! The JS-facing API. Nothing runs at import time; once initialised, the component only
//! schedules a rehearsal of its first paint for when the page is idle (see [`prepare`]).

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
/// The modal, showing its loading state, is on the page when the call returns; `onEvent` is
/// first called (with `open`) after the call has returned. While the modal is open the page's
/// other top-level elements are `inert`.
///
/// ```js
/// const result = await collectFinancialConnectionsAccounts({
///   clientSecret, publishableKey: 'pk_test_…', existingAccountIds: ['fca_…'],
///   onEvent: (event) => console.log(event.type),
/// });
/// if (result.error) showError(result.error.message);
/// else if (result.outcome === 'no_account') askToPickTheRightAccount();
/// ```
///
/// With `stripe: Stripe(pk)` (the `stripe` provider) Stripe.js runs its own modal and this
/// classifies what it resolves; `fetchSession(id)` completes sessions Stripe.js rendered
/// without `relink_result`.
// Not an `async fn`: the body of one starts in a microtask, and the modal is meant to be on the
// page when the call returns, with nothing queued before its first paint.
#[wasm_bindgen(
    js_name = collectFinancialConnectionsAccounts,
    unchecked_return_type = "Promise<CollectResult>"
)]
pub fn collect_financial_connections_accounts(
    #[wasm_bindgen(unchecked_param_type = "CollectOptions")] options: JsValue,
) -> js_sys::Promise {
    let started =
        read_options(&options).map(|(options, hooks)| crate::component::collect(options, hooks));
    promise(Box::pin(async move {
        match started {
            Ok(flow) => flow.await,
            Err(error) => could_not_launch(&error.to_stripe()),
        }
    }))
}

/// Runs once when the component is initialised (`init()`, which `loadRelink` awaits). The first
/// modal a customer opens then paints within a frame instead of first compiling its code.
#[wasm_bindgen(start)]
fn prepare() {
    crate::modal::rehearse_first_paint_when_idle();
}

/// A promise of what `task` resolves. Both async exports go through this one boxed type, so
/// the wasm carries one copy of the promise machinery instead of one per future type.
fn promise(task: std::pin::Pin<Box<dyn std::future::Future<Output = JsValue>>>) -> js_sys::Promise {
    wasm_bindgen_futures::future_to_promise(async move { Ok(task.await) })
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
    unchecked_return_type = "Promise<ConfirmResult>"
)]
pub fn confirm_us_bank_account_setup(
    #[wasm_bindgen(unchecked_param_type = "string")] client_secret: JsValue,
    #[wasm_bindgen(unchecked_param_type = "ConfirmOptions")] options: JsValue,
) -> js_sys::Promise {
    promise(Box::pin(confirm(client_secret, options)))
}

async fn confirm(client_secret: JsValue, options: JsValue) -> JsValue {
    let confirmed = async {
        let stripe = StripeJs::from_options(&options)?;
        let mut raw = read_confirm_options(&options)?;
        raw.uses_stripe = stripe.is_some();
        raw.client_secret = client_secret.as_string().or(raw.client_secret);
        let options = validate(raw)?;
        let confirmer = crate::mandate_form::Confirmer::new(&options, stripe);
        let mut key = String::from("relink-");
        crate::dom::push_int(&mut key, (js_sys::Math::random() * 1e16) as u64, 16);
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
/// `bankAccount: {bankName, last4}` shows the account the mandate debits above its text (the
/// mandate speaks of "the bank account specified above").
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
        let bank_account = bank_account(&options)?;
        let nonce = text_option(&options, "nonce")?;
        let options = validate(raw)?;
        let setup = crate::mandate_form::FormSetup {
            stripe,
            relink,
            bank_account,
            nonce,
        };
        crate::mandate_form::MountedForm::mount(form, &options, setup)
    })()
    .map_err(|error| JsError::new(&error.message()))?;
    Ok(MandateFormHandle {
        mounted: Some(mounted),
    })
}

/// The optional `bankAccount: {bankName, last4}` shown above the mandate.
fn bank_account(
    options: &JsValue,
) -> Result<Option<crate::mandate_form::BankAccountLabel>, RelinkError> {
    let account = crate::js_object::get(options, "bankAccount");
    if account.is_undefined() || account.is_null() {
        return Ok(None);
    }
    let bank_name = text_option(&account, "bankName")?;
    let last4 = text_option(&account, "last4")?;
    match (bank_name, last4) {
        (Some(bank_name), Some(last4)) => Ok(Some(crate::mandate_form::BankAccountLabel {
            bank_name,
            last4,
        })),
        _ => Err(RelinkError::InvalidOption {
            param: "bankAccount",
            detail: "expected {bankName, last4}".into(),
        }),
    }
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
    Ok(crate::options::RawConfirmOptions {
        client_secret: text_option(options, "clientSecret")?,
        publishable_key: text_option(options, "publishableKey")?,
        api_base: text_option(options, "apiBase")?,
        merchant_name: text_option(options, "merchantName")?,
        locale: text_option(options, "locale")?,
        uses_stripe: false,
    })
}

/// The optional string option `options[param]`; another type is an error naming the option.
fn text_option(options: &JsValue, param: &'static str) -> Result<Option<String>, RelinkError> {
    let value = crate::js_object::get(options, param);
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    value
        .as_string()
        .map(Some)
        .ok_or(RelinkError::InvalidOption {
            param,
            detail: "expected a string".into(),
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

fn read_options(options: &JsValue) -> Result<(crate::options::CollectOptions, Hooks), RelinkError> {
    if !options.is_object() {
        return Err(RelinkError::MissingOption {
            param: "clientSecret",
        });
    }
    let existing = crate::js_object::get(options, "existingAccountIds");
    let existing_account_ids = if existing.is_undefined() || existing.is_null() {
        None
    } else {
        let ids: Option<Vec<String>> = existing.dyn_ref::<js_sys::Array>().and_then(|ids| {
            let mut all = Vec::new();
            for id in ids.iter() {
                all.push(id.as_string()?);
            }
            Some(all)
        });
        Some(ids.ok_or(RelinkError::InvalidOption {
            param: "existingAccountIds",
            detail: "expected an array of fca_… IDs".into(),
        })?)
    };
    let mut raw = RawOptions {
        client_secret: text_option(options, "clientSecret")?,
        publishable_key: text_option(options, "publishableKey")?,
        api_base: text_option(options, "apiBase")?,
        existing_account_ids,
        locale: text_option(options, "locale")?,
        layout: text_option(options, "layout")?,
        uses_stripe: false,
    };
    let on_event = callback(options, "onEvent")?;
    let nonce = text_option(options, "nonce")?;
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
    Ok((
        options,
        Hooks {
            on_event,
            provider,
            nonce,
        },
    ))
}

/// `options[key]` as a list of strings; anything else counts as none.
fn string_array(options: &JsValue, key: &str) -> Vec<String> {
    crate::js_object::get(options, key)
        .dyn_into::<js_sys::Array>()
        .unwrap_or_default()
        .iter()
        .fold(Vec::new(), |mut all, item| {
            if let Some(item) = item.as_string() {
                all.push(item);
            }
            all
        })
}
