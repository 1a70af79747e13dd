//! The `stripe` provider: Stripe.js runs its own modal and confirms the SetupIntent; relink
//! adds what Stripe.js leaves to the merchant (the typed outcome, `isNew`, the mandate form)
//! and keeps the same guarantees as the sandbox provider.
//!
//! Only Stripe.js's documented shapes are relied on: both methods resolve `{<result>}` or
//! `{error}`, and `accounts` is already an array.

use js_sys::{Function, Object, Promise};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::browser::dom::describe;
use crate::browser::js_value::{get, has, object_with, set};
use crate::decode;
use crate::error::RelinkError;
use crate::session::Session;

/// A Stripe.js instance (`Stripe(pk)`), or anything with the same two methods.
#[derive(Debug, Clone)]
pub(crate) struct StripeJs(JsValue);

const COLLECT: &str = "collectFinancialConnectionsAccounts";
const CONFIRM: &str = "confirmUsBankAccountSetup";

impl StripeJs {
    /// The `stripe` option, when given; something without Stripe.js's methods is an error.
    pub(crate) fn from_options(options: &JsValue) -> Result<Option<StripeJs>, RelinkError> {
        let stripe = get(options, "stripe");
        if stripe.is_undefined() || stripe.is_null() {
            return Ok(None);
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
        Ok(Some(StripeJs(stripe)))
    }

    /// Runs Stripe's modal; the finished session (completed by `fetch_session` when Stripe.js
    /// rendered it without `relink_result`), or Stripe's error.
    pub(crate) async fn collect(
        &self,
        client_secret: &str,
        fetch_session: Option<&Function>,
    ) -> Result<Box<Session<JsValue>>, RelinkError> {
        let params = object_with("clientSecret", &client_secret.into());
        let answer = self.call(COLLECT, &params).await?;
        let session = unwrap_answer(&answer, "financialConnectionsSession")?;
        let session = complete_with_hook(session, fetch_session).await;
        decode::session(&session).map(Box::new).ok_or_else(|| {
            RelinkError::Provider("Stripe.js resolved a session that is not an object".into())
        })
    }

    /// Confirms the SetupIntent; the SetupIntent, or Stripe's error.
    pub(crate) async fn confirm_setup(&self, client_secret: &str) -> Result<JsValue, RelinkError> {
        let answer = self.call(CONFIRM, &client_secret.into()).await?;
        unwrap_answer(&answer, "setupIntent")
    }

    async fn call(&self, method: &str, argument: &JsValue) -> Result<JsValue, RelinkError> {
        let function: Function = get(&self.0, method).dyn_into().map_err(|_| {
            RelinkError::Provider(crate::error::cat(&[
                "stripe.",
                method,
                " is not a function",
            ]))
        })?;
        let returned = function.call1(&self.0, argument).map_err(provider_error)?;
        // `Promise.resolve` also accepts a test double that answers synchronously.
        JsFuture::from(Promise::resolve(&returned))
            .await
            .map_err(provider_error)
    }
}

/// Completes a session that Stripe.js rendered in the GA API version (no `relink_result`)
/// with the merchant's `fetchSession(id)`, which retrieves it in the preview version.
///
/// Fields Stripe.js already gave win; the rest (`relink_options`, `relink_result`, `status`)
/// comes from the fetched session. A failing hook leaves the session as Stripe.js gave it.
async fn complete_with_hook(session: JsValue, fetch_session: Option<&Function>) -> JsValue {
    let Some(fetch_session) = fetch_session else {
        return session;
    };
    if has(&session, "relink_result") {
        return session;
    }
    let id = get(&session, "id");
    let fetched = match fetch_session.call1(&JsValue::UNDEFINED, &id) {
        Ok(returned) => JsFuture::from(Promise::resolve(&returned)).await,
        Err(error) => Err(error),
    };
    match fetched {
        Ok(fetched) if fetched.is_object() => {
            if let Some(target) = session.dyn_ref::<Object>() {
                for key in Object::keys(fetched.unchecked_ref::<Object>()).iter() {
                    if let Some(key) = key.as_string()
                        && !has(&session, &key)
                    {
                        set(target, &key, &get(&fetched, &key));
                    }
                }
            }
            session
        }
        Ok(_) => {
            web_sys::console::error_1(&"relink: fetchSession did not resolve a session".into());
            session
        }
        Err(error) => {
            web_sys::console::error_2(&"relink: fetchSession failed".into(), &error);
            session
        }
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
