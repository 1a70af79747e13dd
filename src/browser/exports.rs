//! The JS-facing API. Nothing runs at import time; once initialised, the component only
//! schedules a rehearsal of its first paint for when the page is idle (see [`prepare`]).
//!
//! Each export reads its options (data through [`crate::options`], functions here), calls the
//! typed Rust behind it, and converts the typed result with [`results`] at the very end.

use std::rc::Rc;

use wasm_bindgen::prelude::*;

use crate::browser::component::{Hooks, Provider};
use crate::browser::js_value::callback;
use crate::browser::mandate_form::{Confirmer, FormSetup, MountedForm, RelinkHooks};
use crate::browser::results;
use crate::browser::stripe_js::StripeJs;
use crate::error::RelinkError;
use crate::flow::Collected;
use crate::options::{
    CollectOptions, ConfirmOptions, RawConfirmOptions, ids_option, read_bank_account,
    read_collect_options, read_confirm_options, text_option,
};

/// Opens the bank-linking modal for a Financial Connections session and resolves once the
/// customer is done.
///
/// Resolves `{financialConnectionsSession, outcome, isNew}` when the flow ran (even if the
/// customer closed it: `accounts` is then empty and, for relink sessions, `relink_result`
/// says why), or `{error, outcome: 'could_not_launch'}` when it could not. Never rejects.
///
/// The modal, showing its loading state, is on the page when the call returns; `onEvent` is
/// first called (with `open`) after the call has returned. While the modal is open the page's
/// other top-level elements are `inert`. Closing settles within a second, whatever the network
/// does.
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
    let started = collect_options(&options)
        .map(|(options, hooks)| crate::browser::component::collect(options, hooks));
    promise(Box::pin(async move {
        let collected = match started {
            Ok(flow) => flow.await,
            Err(error) => Collected::CouldNotLaunch(error),
        };
        results::collected(collected)
    }))
}

/// Runs once when the component is initialised (`init()`, which `loadRelink` awaits). The first
/// modal a customer opens then paints within a frame instead of first compiling its code.
#[wasm_bindgen(start)]
fn prepare() {
    crate::browser::modal::rehearse_first_paint_when_idle();
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
    crate::browser::component::abort();
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
    promise(Box::pin(async move {
        let confirmed = confirm(client_secret, &options).await;
        results::confirmed(&confirmed).into()
    }))
}

async fn confirm(client_secret: JsValue, options: &JsValue) -> Result<JsValue, RelinkError> {
    let stripe = StripeJs::from_options(options)?;
    let mut raw = read_confirm_options(options)?;
    raw.client_secret = client_secret.as_string().or(raw.client_secret);
    let options = validate_confirm(raw, stripe.is_some())?;
    let cancel = crate::browser::client::Cancel::new();
    let confirmer = Confirmer::new(&options, stripe, &cancel);
    let mut key = String::from("relink-");
    crate::browser::dom::push_int(&mut key, (js_sys::Math::random() * 1e16) as u64, 16);
    confirmer.confirm(&key).await
}

/// Renders the ACH mandate into `form` and confirms the SetupIntent when it is submitted.
///
/// The client secret defaults to the form's `data-secret`. On success the form dispatches a
/// bubbling `relink:confirmed` event (`detail.setupIntent`); on failure it shows the error,
/// re-enables itself and dispatches `relink:error` (`detail.error`). Throws an `Error` with
/// Stripe's `type`, `code` and `param` for invalid options.
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
) -> Result<MandateFormHandle, JsValue> {
    let mounted = mount(form, &options).map_err(|error| results::thrown(&error))?;
    Ok(MandateFormHandle {
        mounted: Some(mounted),
    })
}

fn mount(
    form: web_sys::HtmlFormElement,
    options: &JsValue,
) -> Result<Rc<MountedForm>, RelinkError> {
    let stripe = StripeJs::from_options(options)?;
    let relink = match callback(options, "createRelinkSession")? {
        Some(create_session) => Some(RelinkHooks {
            create_session,
            fetch_session: callback(options, "fetchSession")?,
            existing_account_ids: ids_option(options, "existingAccountIds")?.unwrap_or_default(),
        }),
        None => None,
    };
    let mut raw = read_confirm_options(options)?;
    raw.client_secret = raw
        .client_secret
        .or_else(|| form.get_attribute("data-secret"));
    let setup = FormSetup {
        relink,
        bank_account: read_bank_account(options)?,
        nonce: text_option(options, "nonce")?,
    };
    let confirm_options = validate_confirm(raw, stripe.is_some())?;
    MountedForm::mount(form, &confirm_options, stripe, setup)
}

/// A mounted mandate form.
#[wasm_bindgen]
#[derive(Debug)]
pub struct MandateFormHandle {
    mounted: Option<Rc<MountedForm>>,
}

#[wasm_bindgen]
impl MandateFormHandle {
    /// Removes the mandate and its listeners from the form, and cancels a confirm in flight.
    /// Safe to call twice.
    pub fn unmount(&mut self) {
        if let Some(mounted) = self.mounted.take() {
            mounted.unmount();
        }
    }
}

/// The page's origin and language, which fill the options' defaults.
fn page() -> Result<(String, Option<String>), RelinkError> {
    let window = web_sys::window().ok_or(RelinkError::NoDocument)?;
    let origin = window.location().origin().unwrap_or_default();
    Ok((origin, window.navigator().language()))
}

fn validate_confirm(
    mut raw: RawConfirmOptions,
    uses_stripe: bool,
) -> Result<ConfirmOptions, RelinkError> {
    raw.uses_stripe = uses_stripe;
    let (origin, language) = page()?;
    raw.validate(&origin, language.as_deref())
}

fn collect_options(options: &JsValue) -> Result<(CollectOptions, Hooks), RelinkError> {
    let mut raw = read_collect_options(options)?;
    let provider = match StripeJs::from_options(options)? {
        Some(stripe) => Provider::Stripe {
            stripe,
            fetch_session: callback(options, "fetchSession")?,
        },
        None => Provider::Sandbox,
    };
    let hooks = Hooks {
        on_event: callback(options, "onEvent")?,
        nonce: text_option(options, "nonce")?,
        provider,
    };
    raw.uses_stripe = matches!(hooks.provider, Provider::Stripe { .. });
    let (origin, language) = page()?;
    Ok((raw.validate(&origin, language.as_deref())?, hooks))
}
