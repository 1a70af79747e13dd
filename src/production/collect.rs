//! One flow per page around Stripe.js's modal: relink calls the Stripe.js instance, completes
//! what it resolves with the merchant's `fetchSession`, classifies it once and settles exactly
//! once, reporting the lifecycle events that can be observed around Stripe.js.
//!
//! Stripe.js offers no way to close its modal from outside, so neither does relink: `abort()`
//! ends only what relink itself waits for after the modal closed (a `fetchSession` call).
//! Against the sandbox's drop-in all of this behaves the same, because the drop-in is a
//! Stripe.js instance like any other.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::Poll;

use futures_channel::oneshot;
use js_sys::{Function, Object, Promise};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::browser::js_value::{get, has, set};
use crate::collected::{Collected, Finished, Lifecycle};
use crate::decode;
use crate::error::RelinkError;
use crate::options::CollectOptions;
use crate::outcome::classify;
use crate::production::results;
use crate::production::stripe_js::StripeJs;

/// The merchant's callbacks for one flow.
#[derive(Debug, Clone, Default)]
pub(crate) struct Hooks {
    /// `onEvent`: told `open`, then `success`, `cancel` or `error`, then `close`.
    pub(crate) on_event: Option<Function>,
    /// `fetchSession(id)`: retrieves a session Stripe.js resolved without `relink_result`.
    pub(crate) fetch_session: Option<Function>,
}

thread_local! {
    /// The flow currently open on this page, if any.
    static OPEN: RefCell<Option<Rc<OpenFlow>>> = const { RefCell::new(None) };
}

#[derive(Debug)]
struct OpenFlow {
    on_event: Option<Function>,
    /// Present while relink waits for `fetchSession`; `abort()` fires it.
    give_up: RefCell<Option<oneshot::Sender<()>>>,
}

/// Starts a flow on `stripe` and returns what `collectFinancialConnectionsAccounts` resolves,
/// still typed. The page's flow slot is taken before this returns, so a second call made right
/// after settles at once with `flow_already_open` and does not touch the open one. Events start
/// when the future is first polled, so the merchant's `onEvent` is never called from inside its
/// own call.
pub(crate) fn collect(
    options: CollectOptions,
    stripe: StripeJs,
    hooks: Hooks,
) -> impl Future<Output = Collected<JsValue>> {
    let opened = OPEN.with(|open| {
        let mut open = open.borrow_mut();
        if open.is_some() {
            return Err(RelinkError::FlowAlreadyOpen);
        }
        let flow = Rc::new(OpenFlow {
            on_event: hooks.on_event,
            give_up: RefCell::new(None),
        });
        *open = Some(Rc::clone(&flow));
        Ok(flow)
    });
    async move {
        let flow = match opened {
            Ok(flow) => flow,
            Err(error) => return Collected::CouldNotLaunch(error),
        };
        flow.emit(&Lifecycle::Open);
        let collected = match run(&flow, &options, &stripe, hooks.fetch_session.as_ref()).await {
            Ok(finished) => Collected::Finished(finished),
            Err(error) => Collected::CouldNotLaunch(error),
        };
        // Freed before the last events, so a merchant may start the next flow from `close`.
        OPEN.with(|open| open.borrow_mut().take());
        for event in collected.ending() {
            flow.emit(&event);
        }
        collected
    }
}

/// Ends what relink waits for after Stripe's modal closed (a `fetchSession` call still
/// pending); the flow then settles with the session as Stripe.js gave it. An open modal stays
/// open: Stripe.js cannot close it from outside, and the drop-in behaves the same.
pub(crate) fn abort() {
    let flow = OPEN.with(|open| open.borrow().clone());
    if let Some(give_up) = flow.and_then(|flow| flow.give_up.borrow_mut().take()) {
        let _ = give_up.send(());
    }
}

async fn run(
    flow: &OpenFlow,
    options: &CollectOptions,
    stripe: &StripeJs,
    fetch_session: Option<&Function>,
) -> Result<Finished<JsValue>, RelinkError> {
    let session = stripe.collect(&options.client_secret).await?;
    if let Some(fetch_session) = fetch_session
        && !has(&session, "relink_result")
    {
        let (give_up, given_up) = oneshot::channel();
        *flow.give_up.borrow_mut() = Some(give_up);
        complete_with_hook(&session, fetch_session, given_up).await;
        flow.give_up.borrow_mut().take();
    }
    let session = decode::finished_session(&session).ok_or_else(|| {
        RelinkError::Provider("Stripe.js resolved a session that is not an object".into())
    })?;
    let classification = classify(&session.summary, &options.existing_account_ids);
    Ok(Finished {
        session,
        classification,
    })
}

/// Completes a session that Stripe.js rendered in the GA API version (no `relink_result`) with
/// the merchant's `fetchSession(id)`, which retrieves it in the preview version.
///
/// Fields Stripe.js already gave win; the rest (`relink_options`, `relink_result`, `status`)
/// comes from the fetched session. A failing hook, or `abort()`, leaves the session as Stripe.js
/// gave it.
async fn complete_with_hook(
    session: &JsValue,
    fetch_session: &Function,
    given_up: oneshot::Receiver<()>,
) {
    let fetched = match fetch_session.call1(&JsValue::UNDEFINED, &get(session, "id")) {
        Ok(returned) => first_of(JsFuture::from(Promise::resolve(&returned)), given_up).await,
        Err(error) => Some(Err(error)),
    };
    match fetched {
        Some(Ok(fetched)) if fetched.is_object() => {
            if let Some(target) = session.dyn_ref::<Object>() {
                for key in Object::keys(fetched.unchecked_ref::<Object>()).iter() {
                    if let Some(key) = key.as_string()
                        && !has(session, &key)
                    {
                        set(target, &key, &get(&fetched, &key));
                    }
                }
            }
        }
        Some(Ok(_)) => {
            web_sys::console::error_1(&"relink: fetchSession did not resolve a session".into());
        }
        Some(Err(error)) => {
            web_sys::console::error_2(&"relink: fetchSession failed".into(), &error)
        }
        None => {}
    }
}

/// What `work` resolves, or `None` once `given_up` fires first.
async fn first_of<F: Future>(work: F, mut given_up: oneshot::Receiver<()>) -> Option<F::Output> {
    let mut work = std::pin::pin!(work);
    std::future::poll_fn(|cx| {
        if let Poll::Ready(output) = work.as_mut().poll(cx) {
            return Poll::Ready(Some(output));
        }
        match Pin::new(&mut given_up).poll(cx) {
            Poll::Ready(Ok(())) => Poll::Ready(None),
            // The flow dropped its sender without giving up: keep waiting for the work.
            Poll::Ready(Err(_)) | Poll::Pending => Poll::Pending,
        }
    })
    .await
}

impl OpenFlow {
    /// Calls the merchant's `onEvent` with `{type, ...details}`.
    fn emit(&self, event: &Lifecycle) {
        let Some(on_event) = &self.on_event else {
            return;
        };
        // A throwing merchant callback must not break the customer's flow.
        if let Err(error) = on_event.call1(&JsValue::UNDEFINED, &results::event(event)) {
            web_sys::console::error_2(&"relink: onEvent threw".into(), &error);
        }
    }
}
