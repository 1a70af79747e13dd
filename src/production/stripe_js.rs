//! The Stripe.js instance the production core runs on: Stripe.js runs its own modal and
//! confirms the SetupIntent. In development the instance is the sandbox's drop-in, which
//! resolves the same shapes.
//!
//! Only Stripe.js's documented shapes are relied on: both methods resolve `{<result>}` or
//! `{error}`, and `accounts` is already an array.

use js_sys::{Function, Promise};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::browser::dom::describe;
use crate::browser::js_value::{get, object_with};
use crate::decode;
use crate::error::RelinkError;

/// A Stripe.js instance (`Stripe(pk)`), or anything with the same two methods.
#[derive(Debug, Clone)]
pub(crate) struct StripeJs(JsValue);

const COLLECT: &str = "collectFinancialConnectionsAccounts";
const CONFIRM: &str = "confirmUsBankAccountSetup";

impl StripeJs {
    /// The `stripe` option, which every call needs: relink runs on a Stripe.js instance.
    pub(crate) fn from_options(options: &JsValue) -> Result<StripeJs, RelinkError> {
        let stripe = get(options, "stripe");
        if stripe.is_undefined() || stripe.is_null() {
            return Err(RelinkError::InvalidOption {
                param: "stripe",
                detail: "relink runs on Stripe.js: pass a Stripe.js instance, such as \
                         `await loadStripe(pk)`; in development, load the sandbox's /v3/ script \
                         first (or give loadRelink `apiBase`)",
            });
        }
        let usable = [COLLECT, CONFIRM]
            .iter()
            .all(|method| get(&stripe, method).is_function());
        if !usable {
            return Err(RelinkError::InvalidOption {
                param: "stripe",
                detail: "expected a Stripe.js instance, as returned by Stripe(publishableKey)",
            });
        }
        Ok(StripeJs(stripe))
    }

    /// Runs Stripe's modal; the session it resolves, or Stripe's error.
    pub(crate) async fn collect(&self, client_secret: &str) -> Result<JsValue, RelinkError> {
        let params = object_with("clientSecret", &client_secret.into());
        let answer = self.call(COLLECT, &params, &JsValue::UNDEFINED).await?;
        unwrap_answer(&answer, "financialConnectionsSession")
    }

    /// Confirms the SetupIntent; the SetupIntent, or Stripe's error.
    pub(crate) async fn confirm_setup(&self, client_secret: &str) -> Result<JsValue, RelinkError> {
        let answer = self
            .call(CONFIRM, &client_secret.into(), &JsValue::UNDEFINED)
            .await?;
        unwrap_answer(&answer, "setupIntent")
    }

    async fn call(
        &self,
        method: &str,
        first: &JsValue,
        second: &JsValue,
    ) -> Result<JsValue, RelinkError> {
        let function: Function = get(&self.0, method).dyn_into().map_err(|_| {
            RelinkError::Provider(crate::error::cat(&[
                "stripe.",
                method,
                " is not a function",
            ]))
        })?;
        let returned = function
            .call2(&self.0, first, second)
            .map_err(provider_error)?;
        // `Promise.resolve` also accepts a test double that answers synchronously.
        JsFuture::from(Promise::resolve(&returned))
            .await
            .map_err(provider_error)
    }
}

fn unwrap_answer(answer: &JsValue, key: &str) -> Result<JsValue, RelinkError> {
    let error = get(answer, "error");
    if error.is_object() {
        return Err(RelinkError::Api(Box::new(decode::stripe_error(&error))));
    }
    let value = get(answer, key);
    if value.is_object() {
        Ok(value)
    } else {
        Err(RelinkError::Provider(crate::error::cat(&[
            "Stripe.js resolved neither `",
            key,
            "` nor `error`",
        ])))
    }
}

fn provider_error(error: JsValue) -> RelinkError {
    RelinkError::Provider(describe(&error))
}
