//! What the merchant's page receives. Typed results, events and errors become JS objects here
//! and nowhere else, so every provider and entry point hands over the same shapes.

use js_sys::{Array, Object};
use wasm_bindgen::{JsCast, JsValue};

use crate::browser::js_value::{get, object_with, set};
use crate::error::{RelinkError, StripeError};
use crate::flow::{Collected, Event};
use crate::outcome::{Classification, Outcome};
use crate::wire::BankAccount;

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

/// `{error}`: the detail of an `error` event and of `relink:error`.
pub(crate) fn error_detail(error: &RelinkError) -> Object {
    object_with("error", &stripe_error(&error.to_stripe()))
}

/// The argument of the merchant's `onEvent`: `{type, ...details}`.
pub(crate) fn event(event: &Event) -> Object {
    let payload = match event {
        Event::InstitutionSelected(institution) => {
            let bank = object_with("id", &institution.id.as_str().into());
            set(&bank, "name", &institution.name.as_str().into());
            object_with("institution", &bank)
        }
        Event::AccountsSelected(accounts) => object_with("accounts", &selected_accounts(accounts)),
        Event::Success(classification) => {
            let detail = Object::new();
            classified(&detail, *classification);
            detail
        }
        Event::Error(error) => error_detail(error),
        _ => Object::new(),
    };
    set(&payload, "type", &event.as_str().into());
    payload
}

/// An `Error` to throw, carrying Stripe's `type`, `code` and `param` so that a page can tell
/// failures apart without reading the message.
pub(crate) fn thrown(error: &RelinkError) -> JsValue {
    let stripe = error.to_stripe();
    let thrown = js_sys::Error::new(&stripe.message);
    copy_error_fields(&thrown, &stripe);
    thrown.into()
}

/// Stripe's error object, with `code` and `param` as `null` when absent, as Stripe.js does.
pub(crate) fn stripe_error(error: &StripeError) -> JsValue {
    let object = Object::new();
    copy_error_fields(&object, error);
    object.into()
}

fn copy_error_fields(target: &Object, error: &StripeError) {
    let nullable =
        |value: &Option<String>| value.as_deref().map_or(JsValue::NULL, JsValue::from_str);
    set(target, "type", &error.kind.as_str().into());
    set(target, "code", &nullable(&error.code));
    set(target, "message", &error.message.as_str().into());
    set(target, "param", &nullable(&error.param));
    for (key, value) in [
        ("doc_url", &error.doc_url),
        ("request_log_url", &error.request_log_url),
    ] {
        if let Some(value) = value {
            set(target, key, &value.as_str().into());
        }
    }
}

/// `outcome` and `isNew` on `target`.
fn classified(target: &Object, classification: Classification) {
    set(target, "outcome", &classification.outcome.as_str().into());
    let is_new = classification
        .is_new
        .map_or(JsValue::NULL, JsValue::from_bool);
    set(target, "isNew", &is_new);
}

/// The selected accounts as `accounts_selected` reports them (snake_case, untrusted text).
fn selected_accounts(accounts: &[BankAccount]) -> Array {
    let list = Array::new();
    for account in accounts {
        let item = object_with("last4", &account.last4.as_str().into());
        set(&item, "display_name", &account.display_name.as_str().into());
        let kind = account.subcategory.map(|kind| kind.as_str());
        set(
            &item,
            "subcategory",
            &kind.map_or(JsValue::NULL, Into::into),
        );
        list.push(&item);
    }
    list
}

/// Replaces `accounts: {object: "list", data}` with the bare array, as Stripe.js does.
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
