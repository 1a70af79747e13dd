//! Reads and builds the plain JS objects that cross the boundary (options, sessions, Stripe.js
//! answers) field by field, without a JSON round trip. The decoders of [`crate::decode`] and
//! [`crate::options`] read JS objects through the [`Reader`] here.

use js_sys::{Function, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use crate::decode::Reader;
use crate::error::RelinkError;

impl Reader for JsValue {
    fn field(&self, key: &str) -> Self {
        get(self, key)
    }
    fn text(&self) -> Option<String> {
        self.as_string()
    }
    fn number(&self) -> Option<f64> {
        self.as_f64()
    }
    fn flag(&self) -> Option<bool> {
        self.as_bool()
    }
    fn is_object(&self) -> bool {
        JsValue::is_object(self)
    }
    fn is_missing(&self) -> bool {
        self.is_undefined() || self.is_null()
    }
    fn length(&self) -> Option<u32> {
        self.dyn_ref::<js_sys::Array>().map(js_sys::Array::length)
    }
    fn at(&self, index: u32) -> Self {
        self.unchecked_ref::<js_sys::Array>().get(index)
    }
}

/// `object[key]`, or `undefined` when `object` is not an object or the getter throws.
pub(crate) fn get(object: &JsValue, key: &str) -> JsValue {
    if !object.is_object() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// Whether `object` has `key` at all (a `null` value counts; a missing one does not).
#[cfg(feature = "production")]
pub(crate) fn has(object: &JsValue, key: &str) -> bool {
    object.is_object() && Reflect::has(object, &JsValue::from_str(key)).unwrap_or(false)
}

/// Sets `object[key]`; plain objects we created never refuse.
pub(crate) fn set(object: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(object, &JsValue::from_str(key), value);
}

/// Sets a boolean DOM property (`disabled`, `hidden`, `checked`) by name: one shared import
/// instead of one typed setter per property and element type in the JS glue.
pub(crate) fn set_flag(target: &JsValue, key: &str, value: bool) {
    let _ = Reflect::set(target, &JsValue::from_str(key), &JsValue::from_bool(value));
}

/// A new object with one property.
pub(crate) fn object_with(key: &str, value: &JsValue) -> Object {
    let object = Object::new();
    set(&object, key, value);
    object
}

/// The optional callback `options[param]`; anything but a function (or nothing) is an error
/// that names the option.
pub(crate) fn callback(
    options: &JsValue,
    param: &'static str,
) -> Result<Option<Function>, RelinkError> {
    let value = get(options, param);
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    value
        .dyn_into::<Function>()
        .map(Some)
        .map_err(|_| RelinkError::InvalidOption {
            param,
            detail: "expected a function",
        })
}
