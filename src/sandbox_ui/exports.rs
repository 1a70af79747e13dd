//! The drop-in's methods: the sandbox's `/v3/` script defines `window.Stripe`, whose instances
//! forward each Financial Connections and ACH method here with the instance's settings
//! (`{publishableKey, apiBase, locale, nonce}`) as the first argument. Each resolves exactly
//! what Stripe.js resolves; a call Stripe.js would refuse (no client secret, the wrong kind of
//! secret) throws an `IntegrationError`, as Stripe.js does.
//!
//! The hosted relink page calls [`hosted_relink`] directly. Initialising the module schedules
//! a rehearsal of the modal's first paint for when the page is idle ([`prepare`]).

use js_sys::{Array, Object, Promise};
use wasm_bindgen::prelude::*;

use crate::browser::js_value::{callback, get, object_with, set};
use crate::collected::{Collected, Finished};
use crate::error::RelinkError;
use crate::options::{Layout, Sandbox, read_layout, read_sandbox, text_option};
use crate::sandbox_ui::client::{Cancel, Client, Target};
use crate::sandbox_ui::runner::{self, Hooks};
use crate::sandbox_ui::stripe_shapes;
use crate::wire::{Address, BillingDetails};

const FC_SECRET_PREFIX: &str = "fcsess_client_secret_";

/// Runs once when the module is initialised: the first modal a customer opens then paints
/// within a frame instead of first compiling its code.
#[wasm_bindgen(start)]
fn prepare() {
    crate::sandbox_ui::modal::rehearse_first_paint_when_idle();
}

/// `stripe.collectFinancialConnectionsAccounts({clientSecret})`: the flow, then
/// `{financialConnectionsSession}` or `{error}`.
#[wasm_bindgen(js_name = sandboxCollectFinancialConnectionsAccounts)]
pub fn collect_financial_connections_accounts(
    settings: JsValue,
    params: JsValue,
) -> Result<Promise, JsValue> {
    let method = "collectFinancialConnectionsAccounts";
    let (sandbox, hooks) = instance(&settings)?;
    let client_secret = session_secret(method, &params)?;
    let flow = runner::collect(sandbox.flow(client_secret, Layout::Modal), hooks);
    Ok(promise(Box::pin(async move {
        let finished = ran(flow.await)?;
        Ok(session_result(&finished))
    })))
}

/// `stripe.collectBankAccountToken({clientSecret})`: `{token, financialConnectionsSession}`
/// once an account is linked; as in Stripe.js, a customer who links nothing gets
/// `{financialConnectionsSession}` with no accounts.
#[wasm_bindgen(js_name = sandboxCollectBankAccountToken)]
pub fn collect_bank_account_token(settings: JsValue, params: JsValue) -> Result<Promise, JsValue> {
    let method = "collectBankAccountToken";
    let (sandbox, hooks) = instance(&settings)?;
    let client_secret = session_secret(method, &params)?;
    let client = sandbox_client(&sandbox, &client_secret);
    let flow = runner::collect(sandbox.flow(client_secret, Layout::Modal), hooks);
    Ok(promise(Box::pin(async move {
        let finished = ran(flow.await)?;
        let result = session_result(&finished);
        if !finished.session.summary.accounts.is_empty() {
            set(&result, "token", &client.bank_account_token().await?);
        }
        Ok(result)
    })))
}

/// `stripe.collectBankAccountForSetup({clientSecret, params, expand})`: links an account for
/// the SetupIntent, whose payment method the sandbox then attaches (`requires_confirmation`);
/// a customer who links nothing leaves it `requires_payment_method`. Every `billing_details`
/// field is recorded on the payment method, as Stripe.js does.
#[wasm_bindgen(js_name = sandboxCollectBankAccountForSetup)]
pub fn collect_bank_account_for_setup(
    settings: JsValue,
    params: JsValue,
) -> Result<Promise, JsValue> {
    let method = "collectBankAccountForSetup";
    let (sandbox, hooks) = instance(&settings)?;
    require_object(method, &params)?;
    let client_secret = setup_intent_secret(method, &get(&params, "clientSecret"))?;
    let setup = get(&params, "params");
    if text(&setup, "payment_method_type").as_deref() != Some("us_bank_account") {
        return Err(integration_error(&[
            method,
            ": params.payment_method_type must be 'us_bank_account'.",
        ]));
    }
    let billing = billing_details(&get(&get(&setup, "payment_method_data"), "billing_details"));
    let expand = strings(&get(&params, "expand"));
    let setup_intent = sandbox_client(&sandbox, &client_secret);
    Ok(promise(Box::pin(async move {
        let opened = setup_intent.open_setup_session(&billing).await?;
        let flow = runner::collect(
            sandbox.flow(client_secret_of(&opened)?, Layout::Modal),
            hooks,
        );
        ran(flow.await)?;
        retrieved(setup_intent.retrieve_setup_intent(&expand).await?)
    })))
}

/// `stripe.confirmUsBankAccountSetup(clientSecret, data?)`: confirms with the browser's online
/// mandate acceptance, as Stripe.js does when given no `mandate_data`; `data.payment_method`
/// (a `pm_…`) replaces the SetupIntent's. `{setupIntent}` (then with its `mandate`) or
/// `{error}`.
#[wasm_bindgen(js_name = sandboxConfirmUsBankAccountSetup)]
pub fn confirm_us_bank_account_setup(
    settings: JsValue,
    client_secret: JsValue,
    data: JsValue,
) -> Result<Promise, JsValue> {
    let method = "confirmUsBankAccountSetup";
    let (sandbox, _) = instance(&settings)?;
    let client_secret = setup_intent_secret(method, &client_secret)?;
    let payment_method = get(&data, "payment_method");
    let payment_method = match payment_method.as_string() {
        Some(id) => Some(id),
        None if payment_method.is_undefined() || payment_method.is_null() => None,
        None => {
            return Err(integration_error(&[
                method,
                ": the sandbox takes data.payment_method as the ID of a payment method (pm_…).",
            ]));
        }
    };
    let client = sandbox_client(&sandbox, &client_secret);
    Ok(promise(Box::pin(async move {
        retrieved(
            client
                .confirm_setup_intent(payment_method.as_deref())
                .await?,
        )
    })))
}

/// `stripe.retrieveSetupIntent(clientSecret)`: `{setupIntent}` or `{error}`.
#[wasm_bindgen(js_name = sandboxRetrieveSetupIntent)]
pub fn retrieve_setup_intent(
    settings: JsValue,
    client_secret: JsValue,
) -> Result<Promise, JsValue> {
    let (sandbox, _) = instance(&settings)?;
    let client_secret = setup_intent_secret("retrieveSetupIntent", &client_secret)?;
    let client = sandbox_client(&sandbox, &client_secret);
    Ok(promise(Box::pin(async move {
        retrieved(client.retrieve_setup_intent(&[]).await?)
    })))
}

/// The hosted relink page: trades the page's single-use `token` for its session and runs the
/// flow full-page (`layout: 'page'` unless `options.layout` says otherwise). Resolves
/// `{financialConnectionsSession, merchantName, returnUrl}` or `{error}`.
#[wasm_bindgen(js_name = hostedRelink)]
pub fn hosted_relink(
    settings: JsValue,
    token: JsValue,
    options: JsValue,
) -> Result<Promise, JsValue> {
    let (sandbox, hooks) = instance(&settings)?;
    let layout = match read_layout(&options) {
        Ok(Layout::Modal) if get(&options, "layout").is_undefined() => Layout::Page,
        Ok(layout) => layout,
        Err(error) => return Err(crate::browser::results::thrown(&error)),
    };
    let on_ready =
        callback(&options, "onRedeemed").map_err(|e| crate::browser::results::thrown(&e))?;
    let token = token.as_string().unwrap_or_default();
    let redeemer = sandbox_client(&sandbox, "");
    Ok(promise(Box::pin(async move {
        let redeemed = redeemer.redeem_hosted(&token).await?;
        let client_secret = client_secret_of(&redeemed)?;
        let result = object_with("merchantName", &get(&redeemed, "merchant_name"));
        set(&result, "returnUrl", &get(&redeemed, "return_url"));
        if let Some(on_ready) = &on_ready {
            let _ = on_ready.call1(&JsValue::UNDEFINED, &result);
        }
        let finished = ran(runner::collect(sandbox.flow(client_secret, layout), hooks).await)?;
        let session = stripe_shapes::session(&finished.session);
        set(&result, "financialConnectionsSession", &session);
        Ok(result)
    })))
}

/// Closes the sandbox's open flow, as the customer pressing Close would: the sandbox's own
/// control for tests (pressing Escape does the same). It is not part of Stripe.js, so the drop-in
/// does not offer it and the production core's `abort()` does not reach it.
#[wasm_bindgen(js_name = sandboxCloseFlow)]
pub fn close_flow() {
    runner::close();
}

/// What a drop-in method's work yields: its result object, or the error Stripe.js would resolve.
type Answer = Result<Object, RelinkError>;

/// A promise of what `task` resolves, its error as Stripe.js's `{error}`. Every export goes
/// through this one boxed type, so the wasm carries one copy of the promise machinery instead
/// of one per future type.
fn promise(task: std::pin::Pin<Box<dyn std::future::Future<Output = Answer>>>) -> Promise {
    wasm_bindgen_futures::future_to_promise(async move {
        Ok(task
            .await
            .unwrap_or_else(|error| stripe_shapes::error(&error))
            .into())
    })
}

/// The finished flow, or why it could not run.
fn ran(collected: Collected<JsValue>) -> Result<Finished<JsValue>, RelinkError> {
    match collected {
        Collected::Finished(finished) => Ok(finished),
        Collected::CouldNotLaunch(error) => Err(error),
    }
}

/// `{financialConnectionsSession}` in Stripe.js's shape.
fn session_result(finished: &Finished<JsValue>) -> Object {
    object_with(
        "financialConnectionsSession",
        &stripe_shapes::session(&finished.session),
    )
}

/// The `client_secret` of a session the sandbox opened for the browser.
fn client_secret_of(answer: &JsValue) -> Result<String, RelinkError> {
    get(answer, "client_secret")
        .as_string()
        .ok_or(RelinkError::UnexpectedResponse { status: 200 })
}

/// A client for one object with its own cancellation, which lives as long as the client:
/// dropping the [`Cancel`] aborts the requests. (Used through `Deref`, so a future captures the
/// whole value, not the client alone.)
struct OwnedClient {
    client: Client,
    _cancel: Cancel,
}

impl std::ops::Deref for OwnedClient {
    type Target = Client;

    fn deref(&self) -> &Client {
        &self.client
    }
}

fn sandbox_client(sandbox: &Sandbox, client_secret: &str) -> OwnedClient {
    let cancel = Cancel::new();
    let target = Target {
        api_base: &sandbox.api_base,
        publishable_key: &sandbox.publishable_key,
        client_secret,
        timeout_ms: sandbox.request_timeout_ms,
    };
    OwnedClient {
        client: Client::new(target, &cancel),
        _cancel: cancel,
    }
}

/// The instance's settings and the page's CSP nonce; settings the loader got wrong are an
/// `IntegrationError`.
fn instance(settings: &JsValue) -> Result<(Sandbox, Hooks), JsValue> {
    let language = web_sys::window().and_then(|window| window.navigator().language());
    let sandbox = read_sandbox(settings, language.as_deref())
        .map_err(|error| integration_error(&["Stripe(): ", &error.message()]))?;
    if sandbox.publishable_key.starts_with("sk_") {
        return Err(integration_error(&[
            "You should not use your secret key with Stripe.js. Please pass a publishable key \
             instead.",
        ]));
    }
    let nonce = text_option(settings, "nonce").ok().flatten();
    Ok((sandbox, Hooks { nonce }))
}

/// `{setupIntent}`.
fn retrieved(setup_intent: JsValue) -> Answer {
    Ok(object_with("setupIntent", &setup_intent))
}

fn require_object(method: &str, params: &JsValue) -> Result<(), JsValue> {
    if params.is_object() {
        Ok(())
    } else {
        Err(integration_error(&[
            method,
            ": expected an options object, such as {clientSecret}.",
        ]))
    }
}

/// `params.clientSecret`, which must be a session's. Checked for shape only, and never echoed:
/// a client secret must not reach logs.
fn session_secret(method: &str, params: &JsValue) -> Result<String, JsValue> {
    require_object(method, params)?;
    get(params, "clientSecret")
        .as_string()
        .filter(|secret| secret.starts_with(FC_SECRET_PREFIX))
        .ok_or_else(|| {
            integration_error(&[
                method,
                ": clientSecret must be the client_secret of a Financial Connections Session \
                 (fcsess_client_secret_…).",
            ])
        })
}

/// A SetupIntent's client secret (`seti_…_secret_…`), checked the way every rule of relink
/// checks it.
fn setup_intent_secret(method: &str, client_secret: &JsValue) -> Result<String, JsValue> {
    client_secret
        .as_string()
        .filter(|secret| crate::mandate::setup_intent_id(secret).is_ok())
        .ok_or_else(|| {
            integration_error(&[
                method,
                ": clientSecret must be the client_secret of a SetupIntent (seti_…_secret_…).",
            ])
        })
}

/// Every `billing_details` field Stripe.js sends: name, email, phone and the address.
fn billing_details(billing: &JsValue) -> BillingDetails {
    let address = get(billing, "address");
    BillingDetails {
        name: text(billing, "name"),
        email: text(billing, "email"),
        phone: text(billing, "phone"),
        address: address.is_object().then(|| Address {
            line1: text(&address, "line1"),
            line2: text(&address, "line2"),
            city: text(&address, "city"),
            state: text(&address, "state"),
            postal_code: text(&address, "postal_code"),
            country: text(&address, "country"),
        }),
    }
}

fn text(object: &JsValue, key: &str) -> Option<String> {
    get(object, key).as_string()
}

fn strings(list: &JsValue) -> Vec<String> {
    if !Array::is_array(list) {
        return Vec::new();
    }
    Array::from(list)
        .iter()
        .filter_map(|item| item.as_string())
        .collect()
}

/// An `Error` named `IntegrationError`, as Stripe.js throws for a call it refuses.
fn integration_error(parts: &[&str]) -> JsValue {
    let error = js_sys::Error::new(&crate::error::cat(parts));
    error.set_name("IntegrationError");
    error.into()
}
