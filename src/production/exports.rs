//! The JS-facing API of the production core. Nothing runs at import time.
//!
//! Each export reads its options (data through [`crate::options`], functions and the Stripe.js
//! instance here), calls the typed Rust behind it, and converts the typed result with
//! [`results`] at the very end.

use std::rc::Rc;

use wasm_bindgen::prelude::*;

use crate::browser::js_value::callback;
use crate::browser::results::thrown;
use crate::collected::Collected;
use crate::error::RelinkError;
use crate::options::{
    CollectOptions, ConfirmOptions, ids_option, read_bank_account, read_collect_options,
    read_confirm_options,
};
use crate::production::collect::{self, Hooks};
use crate::production::mandate_form::{FormSetup, MountedForm, RelinkHooks};
use crate::production::results;
use crate::production::stripe_js::StripeJs;

/// Runs Stripe.js's Financial Connections modal (`options.stripe`) and resolves what happened.
///
/// Resolves `{financialConnectionsSession, outcome, isNew}` when the flow ran (even if the
/// customer closed it: `accounts` is then empty and, for relink sessions, `relink_result`
/// says why), or `{error, outcome: 'could_not_launch'}` when it could not. Never rejects.
///
/// `onEvent` gets `open` (after the call has returned), then `success`, `cancel` or `error`,
/// then `close`. `fetchSession(id)` completes a session Stripe.js resolved without
/// `relink_result`.
///
/// ```js
/// const result = await collectFinancialConnectionsAccounts({
///   stripe: await loadStripe('pk_test_…'), clientSecret, existingAccountIds: ['fca_…'],
///   onEvent: (event) => console.log(event.type),
/// });
/// if (result.error) showError(result.error.message);
/// else if (result.outcome === 'no_account') askToPickTheRightAccount();
/// ```
#[wasm_bindgen(
    js_name = collectFinancialConnectionsAccounts,
    unchecked_return_type = "Promise<CollectResult>"
)]
pub fn collect_financial_connections_accounts(
    #[wasm_bindgen(unchecked_param_type = "CollectOptions")] options: JsValue,
) -> js_sys::Promise {
    let started = collect_options(&options)
        .map(|(options, stripe, hooks)| collect::collect(options, stripe, hooks));
    promise(Box::pin(async move {
        let collected = match started {
            Ok(flow) => flow.await,
            Err(error) => Collected::CouldNotLaunch(error),
        };
        results::collected(collected)
    }))
}

/// A promise of what `task` resolves. Both async exports go through this one boxed type, so
/// the wasm carries one copy of the promise machinery instead of one per future type.
fn promise(task: std::pin::Pin<Box<dyn std::future::Future<Output = JsValue>>>) -> js_sys::Promise {
    wasm_bindgen_futures::future_to_promise(async move { Ok(task.await) })
}

/// Ends what relink waits for after Stripe's modal closed (a `fetchSession` still pending): the
/// flow then resolves with the session as Stripe.js gave it. Stripe.js cannot close its modal
/// from outside, so an open modal stays until the customer closes it, with Stripe.js and with
/// the sandbox's drop-in alike.
///
/// ```js
/// setTimeout(abort, 5000); // don't wait longer than 5 s for fetchSession
/// ```
#[wasm_bindgen]
pub fn abort() {
    collect::abort();
}

/// Confirms a SetupIntent for a US bank account with `stripe.confirmUsBankAccountSetup`.
///
/// Resolves `{setupIntent}` or `{error}` (Stripe's error object); never rejects.
///
/// ```js
/// const { setupIntent, error } = await confirmUsBankAccountSetup(form.dataset.secret, { stripe });
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
        let answer = confirm(client_secret, &options).await;
        results::confirmed(&answer).into()
    }))
}

async fn confirm(client_secret: JsValue, options: &JsValue) -> Result<JsValue, RelinkError> {
    let stripe = StripeJs::from_options(options)?;
    let options = confirm_options(options, client_secret.as_string())?;
    stripe.confirm_setup(&options.client_secret).await
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
///   { stripe, merchantName: 'Rocket Rides' });
/// form.addEventListener('relink:confirmed', (e) => show(e.detail.setupIntent.status));
/// // later: handle.unmount();
/// ```
#[wasm_bindgen(js_name = mountMandateForm)]
pub fn mount_mandate_form(
    form: web_sys::HtmlFormElement,
    #[wasm_bindgen(unchecked_param_type = "MandateFormOptions")] options: JsValue,
) -> Result<MandateFormHandle, JsValue> {
    let mounted = mount(form, &options).map_err(|error| thrown(&error))?;
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
    let setup = FormSetup {
        relink,
        bank_account: read_bank_account(options)?,
    };
    let confirm_options = confirm_options(options, form.get_attribute("data-secret"))?;
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
    /// Removes the mandate and its listeners from the form; a confirm in flight no longer
    /// touches it. Safe to call twice.
    pub fn unmount(&mut self) {
        if let Some(mounted) = self.mounted.take() {
            mounted.unmount();
        }
    }
}

/// The browser's language, which `locale: 'auto'` follows.
fn browser_language() -> Option<String> {
    web_sys::window()?.navigator().language()
}

fn confirm_options(
    options: &JsValue,
    client_secret: Option<String>,
) -> Result<ConfirmOptions, RelinkError> {
    read_confirm_options(options, client_secret, browser_language().as_deref())
}

fn collect_options(options: &JsValue) -> Result<(CollectOptions, StripeJs, Hooks), RelinkError> {
    let collect = read_collect_options(options)?;
    let stripe = StripeJs::from_options(options)?;
    let hooks = Hooks {
        on_event: callback(options, "onEvent")?,
        fetch_session: callback(options, "fetchSession")?,
    };
    Ok((collect, stripe, hooks))
}
