//! One open flow per page: runs the state machine's effects, renders the modal, and settles the
//! promise exactly once. With the `stripe` provider Stripe.js runs the modal instead; the same
//! state machine and runner keep the same guarantees around it.
//!
//! Every message is handled in its own task (never inside the DOM event or merchant callback that
//! produced it), so `update` never runs re-entrantly and a listener is never dropped while it runs.

use std::cell::RefCell;
use std::rc::Rc;

use futures_channel::oneshot;
use gloo_timers::callback::Timeout;
use js_sys::Function;
use wasm_bindgen::JsValue;

use crate::browser::client::{Cancel, Client, Target};
use crate::browser::dom::document;
use crate::browser::modal::Modal;
use crate::browser::results;
use crate::browser::stripe_js::StripeJs;
use crate::browser::view::Dispatch;
use crate::browser::{Msg, State};
use crate::error::RelinkError;
use crate::flow::{CLOSE_GRACE_MS, Collected, Effect, Event, Request, Step, update};
use crate::options::CollectOptions;

/// Who runs the authentication flow.
#[derive(Debug, Clone)]
pub(crate) enum Provider {
    /// relink's own modal, talking to the sandbox.
    Sandbox,
    /// Stripe.js's modal; `fetch_session` is the merchant's hook for sessions rendered without
    /// `relink_result`.
    Stripe {
        stripe: StripeJs,
        fetch_session: Option<Function>,
    },
}

/// The merchant's callbacks and provider for one flow.
#[derive(Debug, Clone)]
pub(crate) struct Hooks {
    pub(crate) on_event: Option<Function>,
    pub(crate) provider: Provider,
    /// The page's CSP nonce, for the `<style>` fallback where stylesheets cannot be adopted.
    pub(crate) nonce: Option<String>,
}

thread_local! {
    /// The flow currently open on this page, if any.
    static OPEN: RefCell<Option<Rc<OpenFlow>>> = const { RefCell::new(None) };
}

/// Who answers the flow's requests.
enum Requests {
    Sandbox(Client),
    Stripe {
        stripe: StripeJs,
        fetch_session: Option<Function>,
        client_secret: String,
    },
}

struct OpenFlow {
    state: RefCell<Option<State>>,
    /// relink's modal; `None` while Stripe.js shows its own.
    modal: RefCell<Option<Modal>>,
    requests: Requests,
    on_event: Option<Function>,
    /// Cancels the flow's requests still in flight when it settles.
    cancel: Cancel,
    close_deadline: RefCell<Option<Timeout>>,
    settle: RefCell<Option<oneshot::Sender<Collected<JsValue>>>>,
}

/// Starts a flow and returns what `collectFinancialConnectionsAccounts` resolves, still typed.
/// The modal, in its loading state, is on the page when this returns, before the future is first
/// polled: its first paint waits for no task. Events and requests start when the future is first
/// polled, so the merchant's `onEvent` is never called from inside its own call. A second call
/// while a flow is open settles at once with `flow_already_open` and does not touch the open one.
pub(crate) fn collect(
    options: CollectOptions,
    hooks: Hooks,
) -> impl Future<Output = Collected<JsValue>> {
    let started = if OPEN.with(|open| open.borrow().is_some()) {
        Err(RelinkError::FlowAlreadyOpen)
    } else {
        open(options, hooks)
    };
    async move {
        let (flow, effects, settled) = match started {
            Ok(started) => started,
            Err(error) => return Collected::CouldNotLaunch(error),
        };
        flow.run_effects(effects);
        settled.await.unwrap_or_else(|_| {
            // Only reachable if the flow was dropped unsettled, which `settle` never does.
            Collected::CouldNotLaunch(RelinkError::Render(
                "the flow ended without a result".into(),
            ))
        })
    }
}

type Started = (
    Rc<OpenFlow>,
    Vec<Effect<JsValue>>,
    oneshot::Receiver<Collected<JsValue>>,
);

/// Takes the page's flow slot and, for relink's own modal, puts the modal on the page; the first
/// effects are left to the caller.
fn open(options: CollectOptions, hooks: Hooks) -> Result<Started, RelinkError> {
    let (sender, receiver) = oneshot::channel();
    let cancel = Cancel::new();
    let existing = options.existing_account_ids.clone();
    let (requests, (state, effects)) = match hooks.provider {
        Provider::Sandbox => {
            let target = Target {
                api_base: &options.api_base,
                publishable_key: &options.publishable_key,
                client_secret: &options.client_secret,
                timeout_ms: options.request_timeout_ms,
            };
            let client = Client::new(target, &cancel);
            (Requests::Sandbox(client), State::start(existing))
        }
        Provider::Stripe {
            stripe,
            fetch_session,
        } => {
            let requests = Requests::Stripe {
                stripe,
                fetch_session,
                client_secret: options.client_secret.clone(),
            };
            (requests, State::delegated(existing))
        }
    };
    let flow = Rc::new(OpenFlow {
        state: RefCell::new(None),
        modal: RefCell::new(None),
        requests,
        on_event: hooks.on_event,
        cancel,
        close_deadline: RefCell::new(None),
        settle: RefCell::new(Some(sender)),
    });
    if state.step != Step::Delegated {
        let mut modal = Modal::build(
            document()?,
            options.locale,
            options.layout,
            hooks.nonce.as_deref(),
            flow.dispatcher(),
        )
        .and_then(Modal::open)?;
        modal.render(&state);
        *flow.modal.borrow_mut() = Some(modal);
    }
    *flow.state.borrow_mut() = Some(state);
    OPEN.with(|open| *open.borrow_mut() = Some(Rc::clone(&flow)));
    Ok((flow, effects, receiver))
}

/// Closes the open flow, if any; it settles like a customer closing it.
///
/// Stripe.js's modal cannot be closed from outside; with the `stripe` provider this does
/// nothing and the flow settles when the customer closes it.
pub(crate) fn abort() {
    if let Some(flow) = OPEN.with(|open| open.borrow().clone()) {
        flow.dispatch(Msg::Close);
    }
}

impl OpenFlow {
    /// What the modal's controls send messages through; it does not keep the flow alive.
    fn dispatcher(self: &Rc<Self>) -> Dispatch {
        let weak = Rc::downgrade(self);
        Rc::new(move |msg| {
            if let Some(flow) = weak.upgrade() {
                flow.dispatch(msg);
            }
        })
    }

    /// Queues `msg` to be handled in its own task.
    fn dispatch(self: &Rc<Self>, msg: Msg) {
        let flow = Rc::clone(self);
        crate::browser::dom::spawn(Box::pin(async move { flow.handle(msg) }));
    }

    fn handle(self: &Rc<Self>, msg: Msg) {
        let Some(state) = self.state.borrow_mut().take() else {
            return;
        };
        let (state, effects) = update(state, msg);
        if state.step != Step::Finished
            && let Some(modal) = self.modal.borrow_mut().as_mut()
        {
            modal.render(&state);
        }
        *self.state.borrow_mut() = Some(state);
        self.run_effects(effects);
    }

    /// Runs what a transition asked for, in order.
    fn run_effects(self: &Rc<Self>, effects: Vec<Effect<JsValue>>) {
        for effect in effects {
            match effect {
                Effect::Request(request) => self.send(request),
                Effect::Emit(event) => self.emit(&event),
                Effect::StartCloseDeadline => {
                    let dispatch = self.dispatcher();
                    let deadline =
                        Timeout::new(CLOSE_GRACE_MS, move || dispatch(Msg::CloseDeadlinePassed));
                    *self.close_deadline.borrow_mut() = Some(deadline);
                }
                Effect::Settle(collected) => self.settle(collected),
            }
        }
    }

    /// Sends a request in its own task; its answer is the next message.
    fn send(self: &Rc<Self>, request: Request) {
        let flow = Rc::clone(self);
        // One task type for every request keeps one copy of the task machinery in the wasm.
        crate::browser::dom::spawn(Box::pin(async move {
            let answer = flow.answer(request).await;
            flow.handle(answer);
        }));
    }

    async fn answer(&self, request: Request) -> Msg {
        match (&self.requests, request) {
            (Requests::Sandbox(client), Request::LoadManifest) => {
                Msg::ManifestLoaded(client.manifest().await)
            }
            (
                Requests::Sandbox(client),
                Request::Authenticate {
                    institution,
                    password,
                    mfa_code,
                },
            ) => Msg::Authenticated(
                client
                    .authenticate(&institution, password.as_deref(), mfa_code.as_deref())
                    .await,
            ),
            (Requests::Sandbox(client), Request::Complete { accounts }) => {
                Msg::Completed(client.complete(&accounts).await)
            }
            (
                Requests::Stripe {
                    stripe,
                    fetch_session,
                    client_secret,
                },
                Request::Delegate,
            ) => Msg::Completed(stripe.collect(client_secret, fetch_session.as_ref()).await),
            // The state machine asks each provider only for what it answers.
            _ => Msg::Completed(Err(RelinkError::Provider(
                "this provider cannot answer that request".into(),
            ))),
        }
    }

    /// Calls the merchant's `onEvent` with `{type, ...details}`.
    fn emit(&self, event: &Event) {
        let Some(on_event) = &self.on_event else {
            return;
        };
        // A throwing merchant callback must not break the customer's flow.
        if let Err(error) = on_event.call1(&JsValue::UNDEFINED, &results::event(event)) {
            web_sys::console::error_2(&"relink: onEvent threw".into(), &error);
        }
    }

    fn settle(&self, collected: Collected<JsValue>) {
        let Some(sender) = self.settle.borrow_mut().take() else {
            return;
        };
        // Dropping the modal removes it with all its listeners and returns focus.
        drop(self.modal.borrow_mut().take());
        drop(self.close_deadline.borrow_mut().take());
        // Nothing still in flight may change the flow now.
        self.cancel.now();
        // Freed before `close` is emitted, so a merchant may start the next flow from its handler.
        OPEN.with(|open| open.borrow_mut().take());
        let _ = sender.send(collected);
    }
}
