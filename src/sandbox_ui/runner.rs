//! One open flow per page: runs the state machine's effects, renders the modal, and settles the
//! drop-in's promise exactly once.
//!
//! Every message is handled in its own task (never inside the DOM event or merchant callback that
//! produced it), so `update` never runs re-entrantly and a listener is never dropped while it runs.

use std::cell::RefCell;
use std::rc::Rc;

use futures_channel::oneshot;
use gloo_timers::callback::Timeout;
use wasm_bindgen::JsValue;

use crate::browser::dom::document;
use crate::error::RelinkError;
use crate::flow::{CLOSE_GRACE_MS, Collected, Effect, Event, Request, Step, update};
use crate::options::FlowOptions;
use crate::sandbox_ui::client::{Cancel, Client, Target};
use crate::sandbox_ui::modal::Modal;
use crate::sandbox_ui::view::Dispatch;
use crate::sandbox_ui::{Msg, State, events};

/// What a flow is opened with besides its options.
#[derive(Debug, Clone, Default)]
pub(crate) struct Hooks {
    /// The page's CSP nonce, for the `<style>` fallback where stylesheets cannot be adopted.
    pub(crate) nonce: Option<String>,
}

thread_local! {
    /// The flow currently open on this page, if any.
    static OPEN: RefCell<Option<Rc<OpenFlow>>> = const { RefCell::new(None) };
}

struct OpenFlow {
    state: RefCell<Option<State>>,
    modal: RefCell<Option<Modal>>,
    client: Client,
    /// Cancels the flow's requests still in flight when it settles.
    cancel: Cancel,
    close_deadline: RefCell<Option<Timeout>>,
    settle: RefCell<Option<oneshot::Sender<Collected<JsValue>>>>,
}

/// Starts a flow and returns how it ended, still typed.
/// The modal, in its loading state, is on the page when this returns, before the future is first
/// polled: its first paint waits for no task. Events and requests start when the future is first
/// polled, so no event is announced from inside the call. A second call
/// while a flow is open settles at once with `flow_already_open` and does not touch the open one.
pub(crate) fn collect(
    options: FlowOptions,
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

/// Takes the page's flow slot and puts the modal on the page; the first effects are left to the
/// caller.
fn open(options: FlowOptions, hooks: Hooks) -> Result<Started, RelinkError> {
    let (sender, receiver) = oneshot::channel();
    let cancel = Cancel::new();
    let target = Target {
        api_base: &options.api_base,
        publishable_key: &options.publishable_key,
        client_secret: &options.client_secret,
        timeout_ms: options.request_timeout_ms,
    };
    let client = Client::new(target, &cancel);
    // The merchant's existing accounts are the production core's business: the flow UI
    // classifies only for its own screens.
    let (state, effects) = State::start(Vec::new());
    let flow = Rc::new(OpenFlow {
        state: RefCell::new(None),
        modal: RefCell::new(None),
        client,
        cancel,
        close_deadline: RefCell::new(None),
        settle: RefCell::new(Some(sender)),
    });
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
    *flow.state.borrow_mut() = Some(state);
    OPEN.with(|open| *open.borrow_mut() = Some(Rc::clone(&flow)));
    Ok((flow, effects, receiver))
}

/// Closes the open flow, if any; it settles like a customer closing it.
pub(crate) fn close() {
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
        let client = &self.client;
        match request {
            Request::LoadManifest => Msg::ManifestLoaded(client.manifest().await),
            Request::Authenticate {
                institution,
                password,
                mfa_code,
            } => Msg::Authenticated(
                client
                    .authenticate(&institution, password.as_deref(), mfa_code.as_deref())
                    .await,
            ),
            Request::Complete { accounts } => Msg::Completed(client.complete(&accounts).await),
        }
    }

    /// Announces a step of the flow as the sandbox's own event (never through the production
    /// API: Stripe.js reports no steps).
    fn emit(&self, event: &Event) {
        events::announce(event);
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
