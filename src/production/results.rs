//! What the merchant's page receives from the production core. Typed results and lifecycle
//! events become JS objects here and nowhere else, so every entry point hands over the same
//! shapes.

use js_sys::{Array, Object};
use wasm_bindgen::{JsCast, JsValue};

use crate::browser::js_value::{get, object_with, set};
use crate::browser::results::{error_detail, stripe_error};
use crate::collected::{Collected, Lifecycle};
use crate::error::RelinkError;
use crate::outcome::{Classification, Outcome};

/// What `collectFinancialConnectionsAccounts` resolves: `{financialConnectionsSession, outcome,
/// isNew}`, or `{error, outcome: 'could_not_launch'}`.
pub(crate) fn collected(collected: Collected<JsValue>) -> JsValue {
    let result = Object::new();
    match collected {
        Collected::Finished(finished) => {
            let session = finished.session.raw;
            flatten_accounts(&session);
            set(&result, "financialConnectionsSession", &session);
            classified(&result, finished.classification);
        }
        Collected::CouldNotLaunch(error) => {
            set(&result, "error", &stripe_error(&error.to_stripe()));
            set(&result, "outcome", &Outcome::CouldNotLaunch.as_str().into());
        }
    }
    result.into()
}

/// `{setupIntent}` or `{error}`, what `confirmUsBankAccountSetup` resolves.
pub(crate) fn confirmed(result: &Result<JsValue, RelinkError>) -> Object {
    match result {
        Ok(setup_intent) => object_with("setupIntent", setup_intent),
        Err(error) => error_detail(error),
    }
}

/// The argument of the merchant's `onEvent`: `{type, ...details}`.
pub(crate) fn event(event: &Lifecycle) -> Object {
    let payload = match event {
        Lifecycle::Success(classification) => {
            let detail = Object::new();
            classified(&detail, *classification);
            detail
        }
        Lifecycle::Cancel(outcome) => object_with("outcome", &outcome.as_str().into()),
        Lifecycle::Error(error) => error_detail(error),
        Lifecycle::Open | Lifecycle::Close => Object::new(),
    };
    set(&payload, "type", &event.as_str().into());
    payload
}

/// `outcome` and `isNew` on `target`.
fn classified(target: &Object, classification: Classification) {
    set(target, "outcome", &classification.outcome.as_str().into());
    let is_new = classification
        .is_new
        .map_or(JsValue::NULL, JsValue::from_bool);
    set(target, "isNew", &is_new);
}

/// `accounts` as the bare array Stripe.js resolves, also when `fetchSession` handed over the
/// API's `{object: "list", data}`.
fn flatten_accounts(session: &JsValue) {
    let Some(object) = session.dyn_ref::<Object>() else {
        return;
    };
    let accounts = get(session, "accounts");
    if !Array::is_array(&accounts) {
        let data = get(&accounts, "data");
        let items = if Array::is_array(&data) {
            data
        } else {
            Array::new().into()
        };
        set(object, "accounts", &items);
    }
}
