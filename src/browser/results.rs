//! Errors as the merchant's page receives them: Stripe's error object, made here and nowhere
//! else, so that both builds and every entry point hand over the same shape.

use js_sys::Object;
use wasm_bindgen::JsValue;

use crate::browser::js_value::{object_with, set};
use crate::error::{RelinkError, StripeError};

/// `{error}`: the detail of an `error` event and of `relink:error`.
pub(crate) fn error_detail(error: &RelinkError) -> Object {
    object_with("error", &stripe_error(&error.to_stripe()))
}

/// An `Error` to throw, carrying Stripe's `type`, `code` and `param` so that a page can tell
/// failures apart without reading the message.
pub(crate) fn thrown(error: &RelinkError) -> JsValue {
    let stripe = error.to_stripe();
    let thrown = js_sys::Error::new(&stripe.message);
    copy_error_fields(&thrown, &stripe);
    thrown.into()
}

/// Stripe's error object, with `code` and `param` as `null` when absent, as relink's results
/// promise.
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
