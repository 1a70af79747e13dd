//! One open flow per page: runs the state machine's effects, renders the modal, and settles the
//! promise exactly once.
//!
//! Every message is handled in its own task (never inside the DOM event or merchant callback that
//! produced it), so `update` never runs re-entrantly and a listener is never dropped while it runs.

use std::cell::RefCell;
use std::rc::Rc;

use futures_channel::oneshot;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::spawn_local;

use crate::api_client::ApiClient;
use crate::dom::document;
use crate::error::RelinkError;
use crate::flow::{Effect, Event, Msg, Settlement, State, Step, update};
use crate::modal::Modal;
use crate::options::CollectOptions;
use crate::session::CollectResult;
use crate::view::Dispatch;

thread_local! {
    /// The flow currently open on this page, if any.
    static OPEN: RefCell<Option<Rc<OpenFlow>>> = const { RefCell::new(None) };
}

struct OpenFlow {
    state: RefCell<Option<State>>,
    modal: RefCell<Option<Modal>>,
    client: ApiClient,
    existing_account_ids: Vec<String>,
    on_event: Option<js_sys::Function>,
    settle: RefCell<Option<oneshot::Sender<CollectResult>>>,
}

/// Runs a flow to its end. A second call while one is open settles at once with
/// `flow_already_open` and does not touch the open one.
pub(crate) async fn collect(
    options: CollectOptions,
    on_event: Option<js_sys::Function>,
) -> CollectResult {
    if OPEN.with(|open| open.borrow().is_some()) {
        return CollectResult::error(RelinkError::FlowAlreadyOpen.to_stripe());
    }
    let document = match document() {
        Ok(document) => document,
        Err(error) => return CollectResult::error(error.to_stripe()),
    };
    let (sender, receiver) = oneshot::channel();
    let flow = Rc::new(OpenFlow {
        state: RefCell::new(None),
        modal: RefCell::new(None),
        client: ApiClient::for_session(&options),
        existing_account_ids: options.existing_account_ids,
        on_event,
        settle: RefCell::new(Some(sender)),
    });
    let dispatch: Dispatch = {
        let weak = Rc::downgrade(&flow);
        Rc::new(move |msg| {
            if let Some(flow) = weak.upgrade() {
                flow.dispatch(msg);
            }
        })
    };
    let modal = match Modal::open(document, options.locale, options.layout, dispatch) {
        Ok(modal) => modal,
        Err(error) => return CollectResult::error(error.to_stripe()),
    };
    *flow.modal.borrow_mut() = Some(modal);
    OPEN.with(|open| *open.borrow_mut() = Some(Rc::clone(&flow)));

    let (state, effects) = State::start();
    flow.apply(state, effects);
    receiver.await.unwrap_or_else(|_| {
        // Only reachable if the flow was dropped unsettled, which `apply` never does.
        CollectResult::error(
            RelinkError::Render("the flow ended without a result".into()).to_stripe(),
        )
    })
}

/// Closes the open flow, if any; it settles like a customer closing it.
pub(crate) fn abort() {
    if let Some(flow) = OPEN.with(|open| open.borrow().clone()) {
        flow.dispatch(Msg::Close);
    }
}

impl OpenFlow {
    /// Queues `msg` to be handled in its own task.
    fn dispatch(self: &Rc<Self>, msg: Msg) {
        let flow = Rc::clone(self);
        spawn_local(async move { flow.handle(msg) });
    }

    fn handle(self: &Rc<Self>, msg: Msg) {
        let Some(state) = self.state.borrow_mut().take() else {
            return;
        };
        let (state, effects) = update(state, msg);
        self.apply(state, effects);
    }

    fn apply(self: &Rc<Self>, state: State, effects: Vec<Effect>) {
        if state.step != Step::Finished
            && let Some(modal) = self.modal.borrow_mut().as_mut()
            && let Err(error) = modal.render(&state)
        {
            // A modal that cannot render cannot be used; end the flow rather than hang.
            *self.state.borrow_mut() = Some(state);
            self.settle(Settlement::Error(error));
            self.emit(Event::Close);
            return;
        }
        *self.state.borrow_mut() = Some(state);
        for effect in effects {
            self.run(effect);
        }
    }

    fn run(self: &Rc<Self>, effect: Effect) {
        let flow = Rc::clone(self);
        match effect {
            Effect::LoadManifest => spawn_local(async move {
                let answer = flow.client.manifest().await.map(Box::new);
                flow.handle(Msg::ManifestLoaded(answer));
            }),
            Effect::Authenticate {
                institution,
                password,
                mfa_code,
            } => spawn_local(async move {
                let answer = flow
                    .client
                    .authenticate(&institution, password.as_deref(), mfa_code.as_deref())
                    .await;
                flow.handle(Msg::Authenticated(answer));
            }),
            Effect::Complete { accounts } => spawn_local(async move {
                let answer = flow.client.complete(&accounts).await;
                flow.handle(Msg::Completed(answer));
            }),
            Effect::Emit(event) => self.emit(event),
            Effect::Settle(settlement) => self.settle(settlement),
        }
    }

    fn settle(&self, settlement: Settlement) {
        let Some(sender) = self.settle.borrow_mut().take() else {
            return;
        };
        // Dropping the modal removes it with all its listeners and returns focus.
        drop(self.modal.borrow_mut().take());
        OPEN.with(|open| open.borrow_mut().take());
        let result = match settlement {
            Settlement::Session(session) => {
                CollectResult::finished(session, &self.existing_account_ids)
            }
            Settlement::Error(error) => CollectResult::error(error.to_stripe()),
        };
        let _ = sender.send(result);
    }

    fn emit(&self, event: Event) {
        let Some(on_event) = &self.on_event else {
            return;
        };
        let payload = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&payload, &"type".into(), &event.as_str().into());
        // A throwing merchant callback must not break the customer's flow.
        if let Err(error) = on_event.call1(&JsValue::UNDEFINED, &payload) {
            web_sys::console::error_2(&"relink: onEvent threw".into(), &error);
        }
    }
}
