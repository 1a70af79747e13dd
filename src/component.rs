//! One open flow per page: runs the state machine's effects, renders the modal, and settles the
//! promise exactly once. With the `stripe` provider, Stripe.js runs the modal instead and this
//! module keeps the same guarantees around it.
//!
//! Every message is handled in its own task (never inside the DOM event or merchant callback that
//! produced it), so `update` never runs re-entrantly and a listener is never dropped while it runs.

use std::cell::RefCell;
use std::rc::Rc;

use futures_channel::oneshot;
use js_sys::{Function, Object};
use wasm_bindgen::JsValue;

use crate::api_client::ApiClient;
use crate::dom::document;
use crate::error::RelinkError;
use crate::flow::{Effect, Event, Failure, Msg, Settlement, State, Step, update};
use crate::js_object::{object_with, set};
use crate::js_session::{
    classification_detail, classify_session, could_not_launch, error_to_js, finished,
    flatten_accounts,
};
use crate::modal::Modal;
use crate::options::CollectOptions;
use crate::stripe_js::{StripeJs, complete_with_hook};
use crate::view::Dispatch;

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

/// What occupies the page's one flow slot.
enum Open {
    Modal(Rc<OpenFlow>),
    /// Stripe.js's modal, which relink cannot close.
    Stripe,
}

thread_local! {
    /// The flow currently open on this page, if any.
    static OPEN: RefCell<Option<Open>> = const { RefCell::new(None) };
}

fn slot_taken() -> bool {
    OPEN.with(|open| open.borrow().is_some())
}

/// Frees the flow slot however the Stripe.js flow ends, even if its future is dropped.
struct StripeSlot;

impl Drop for StripeSlot {
    fn drop(&mut self) {
        OPEN.with(|open| open.borrow_mut().take());
    }
}

struct OpenFlow {
    state: RefCell<Option<State>>,
    modal: RefCell<Option<Modal>>,
    client: ApiClient,
    existing_account_ids: Vec<String>,
    on_event: Option<Function>,
    /// The finished session exactly as the server sent it; the flow only sees its summary.
    session: RefCell<Option<JsValue>>,
    settle: RefCell<Option<oneshot::Sender<JsValue>>>,
}

/// Starts a flow and returns what `collectFinancialConnectionsAccounts` resolves. The modal, in
/// its loading state, is on the page when this returns, before the future is first polled: its
/// first paint waits for no task. Events and requests start when the future is first polled, so
/// the merchant's `onEvent` is never called from inside its own call. A second call while a flow
/// is open settles at once with `flow_already_open` and does not touch the open one.
pub(crate) fn collect(options: CollectOptions, hooks: Hooks) -> impl Future<Output = JsValue> {
    let started = if slot_taken() {
        Started::Settled(could_not_launch(&RelinkError::FlowAlreadyOpen.to_stripe()))
    } else {
        match hooks.provider {
            Provider::Sandbox => open_modal(options, hooks.on_event, hooks.nonce.as_deref()),
            Provider::Stripe {
                stripe,
                fetch_session,
            } => {
                // Taken now, like the modal's, so that a second call in the same task is refused.
                OPEN.with(|open| *open.borrow_mut() = Some(Open::Stripe));
                Started::Stripe {
                    slot: StripeSlot,
                    options,
                    on_event: hooks.on_event,
                    stripe,
                    fetch_session,
                }
            }
        }
    };
    async move {
        match started {
            Started::Settled(result) => result,
            Started::Modal {
                flow,
                effects,
                receiver,
            } => {
                flow.run_effects(effects);
                receiver.await.unwrap_or_else(|_| {
                    // Only reachable if the flow was dropped unsettled, which `settle` never does.
                    could_not_launch(
                        &RelinkError::Render("the flow ended without a result".into()).to_stripe(),
                    )
                })
            }
            Started::Stripe {
                slot,
                options,
                on_event,
                stripe,
                fetch_session,
            } => collect_with_stripe(slot, options, on_event, stripe, fetch_session).await,
        }
    }
}

/// What the synchronous half of [`collect`] leaves for the asynchronous half.
enum Started {
    Settled(JsValue),
    Modal {
        flow: Rc<OpenFlow>,
        effects: Vec<Effect>,
        receiver: oneshot::Receiver<JsValue>,
    },
    Stripe {
        slot: StripeSlot,
        options: CollectOptions,
        on_event: Option<Function>,
        stripe: StripeJs,
        fetch_session: Option<Function>,
    },
}

async fn collect_with_stripe(
    slot: StripeSlot,
    options: CollectOptions,
    on_event: Option<Function>,
    stripe: StripeJs,
    fetch_session: Option<Function>,
) -> JsValue {
    emit(on_event.as_ref(), Event::Open, None);
    let result = match stripe.collect(&options.client_secret).await {
        Ok(session) => {
            let session = complete_with_hook(session, fetch_session.as_ref()).await;
            flatten_accounts(&session);
            let classification = classify_session(&session, &options.existing_account_ids);
            let result = finished(&session, classification);
            // Stripe.js reports no steps; what it resolved says whether the customer gave up.
            if classification.outcome.is_success() {
                let detail = classification_detail(classification);
                emit(on_event.as_ref(), Event::Success, Some(&detail));
            } else {
                emit(on_event.as_ref(), Event::Cancel, None);
            }
            result
        }
        Err(error) => {
            let error = error.to_stripe();
            let detail = object_with("error", &error_to_js(&error));
            emit(on_event.as_ref(), Event::Error, Some(&detail));
            could_not_launch(&error)
        }
    };
    // Free the slot before `close`, so a merchant may start the next flow from its handler.
    drop(slot);
    emit(on_event.as_ref(), Event::Close, None);
    result
}

/// Opens the modal and renders the first state; its effects are left to the caller.
fn open_modal(options: CollectOptions, on_event: Option<Function>, nonce: Option<&str>) -> Started {
    let document = match document() {
        Ok(document) => document,
        Err(error) => return Started::Settled(could_not_launch(&error.to_stripe())),
    };
    let (sender, receiver) = oneshot::channel();
    let flow = Rc::new(OpenFlow {
        state: RefCell::new(None),
        modal: RefCell::new(None),
        client: ApiClient::for_session(&options),
        existing_account_ids: options.existing_account_ids,
        on_event,
        session: RefCell::new(None),
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
    let built = Modal::build(document, options.locale, options.layout, nonce, dispatch);
    let mut modal = match built.and_then(Modal::open) {
        Ok(modal) => modal,
        Err(error) => return Started::Settled(could_not_launch(&error.to_stripe())),
    };
    let (state, effects) = State::start();
    modal.render(&state);
    *flow.modal.borrow_mut() = Some(modal);
    *flow.state.borrow_mut() = Some(state);
    OPEN.with(|open| *open.borrow_mut() = Some(Open::Modal(Rc::clone(&flow))));
    Started::Modal {
        flow,
        effects,
        receiver,
    }
}

/// Closes the open flow, if any; it settles like a customer closing it.
///
/// Stripe.js's modal cannot be closed from outside; with the `stripe` provider this does
/// nothing and the flow settles when the customer closes it.
pub(crate) fn abort() {
    let flow = OPEN.with(|open| match &*open.borrow() {
        Some(Open::Modal(flow)) => Some(Rc::clone(flow)),
        _ => None,
    });
    if let Some(flow) = flow {
        flow.dispatch(Msg::Close);
    }
}

impl OpenFlow {
    /// Queues `msg` to be handled in its own task.
    fn dispatch(self: &Rc<Self>, msg: Msg) {
        let flow = Rc::clone(self);
        crate::dom::spawn(Box::pin(async move { flow.handle(msg) }));
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
        {
            modal.render(&state);
        }
        *self.state.borrow_mut() = Some(state);
        self.run_effects(effects);
    }

    /// Runs what a transition asked for, in order, against the state it produced.
    fn run_effects(self: &Rc<Self>, effects: Vec<Effect>) {
        // An error that ends the flow travels in the settlement, which runs after its event.
        let settling_error = effects.iter().find_map(|effect| match effect {
            Effect::Settle(Settlement::Error(error)) => Some(error.clone()),
            _ => None,
        });
        for effect in effects {
            match effect {
                Effect::Emit(event) => {
                    let detail = self.event_detail(event, settling_error.as_ref());
                    emit(self.on_event.as_ref(), event, detail.as_ref());
                }
                effect => self.run(effect),
            }
        }
    }

    /// What an event tells the merchant besides its type, read from the state it happened in.
    fn event_detail(&self, event: Event, settling_error: Option<&RelinkError>) -> Option<Object> {
        let state = self.state.borrow();
        let state = state.as_ref()?;
        match event {
            Event::InstitutionSelected => {
                let chosen = state.institution.as_ref()?;
                let institution = object_with("id", &chosen.id.as_str().into());
                set(&institution, "name", &chosen.name.as_str().into());
                Some(object_with("institution", &institution))
            }
            Event::AccountsSelected => {
                let accounts = js_sys::Array::new();
                for account in &state.accounts {
                    if state.selected.contains(&account.last4) {
                        let item = object_with("last4", &account.last4.as_str().into());
                        set(&item, "display_name", &account.display_name.as_str().into());
                        let kind = account.subcategory.map(|kind| kind.as_str());
                        set(
                            &item,
                            "subcategory",
                            &kind.map_or(JsValue::NULL, Into::into),
                        );
                        accounts.push(&item);
                    }
                }
                Some(object_with("accounts", &accounts))
            }
            Event::Success => {
                let session = self.session.borrow();
                let classification =
                    classify_session(session.as_ref()?, &self.existing_account_ids);
                Some(classification_detail(classification))
            }
            Event::Error => {
                let error = match &state.step {
                    Step::Failure(Failure::Error(error)) => Some(error),
                    _ => settling_error,
                }?;
                Some(object_with("error", &error_to_js(&error.to_stripe())))
            }
            _ => None,
        }
    }

    fn run(self: &Rc<Self>, effect: Effect) {
        match effect {
            Effect::Emit(event) => emit(self.on_event.as_ref(), event, None),
            Effect::Settle(settlement) => self.settle(settlement),
            // One task type for every request keeps one copy of the task machinery in the wasm.
            request => {
                let flow = Rc::clone(self);
                crate::dom::spawn(Box::pin(async move {
                    if let Some(answer) = flow.request(request).await {
                        flow.handle(answer);
                    }
                }));
            }
        }
    }

    /// Sends the request an effect asks for; its answer is the next message.
    async fn request(&self, effect: Effect) -> Option<Msg> {
        Some(match effect {
            Effect::LoadManifest => Msg::ManifestLoaded(self.client.manifest().await.map(Box::new)),
            Effect::Authenticate {
                institution,
                password,
                mfa_code,
            } => Msg::Authenticated(
                self.client
                    .authenticate(&institution, password.as_deref(), mfa_code.as_deref())
                    .await,
            ),
            Effect::Complete { accounts } => {
                let answer = self.client.complete(&accounts).await;
                Msg::Completed(answer.map(|(session, completed)| {
                    *self.session.borrow_mut() = Some(session);
                    completed
                }))
            }
            Effect::Emit(_) | Effect::Settle(_) => return None,
        })
    }

    fn settle(&self, settlement: Settlement) {
        let Some(sender) = self.settle.borrow_mut().take() else {
            return;
        };
        // Dropping the modal removes it with all its listeners and returns focus.
        drop(self.modal.borrow_mut().take());
        OPEN.with(|open| open.borrow_mut().take());
        let result = match settlement {
            Settlement::Session(_) => {
                let session = self
                    .session
                    .borrow_mut()
                    .take()
                    .unwrap_or_else(|| Object::new().into());
                flatten_accounts(&session);
                let classification = classify_session(&session, &self.existing_account_ids);
                finished(&session, classification)
            }
            Settlement::Error(error) => could_not_launch(&error.to_stripe()),
        };
        let _ = sender.send(result);
    }
}

/// Calls the merchant's `onEvent` with `{type, ...detail}`.
fn emit(on_event: Option<&Function>, event: Event, detail: Option<&Object>) {
    let Some(on_event) = on_event else {
        return;
    };
    let payload = match detail {
        Some(detail) => Object::assign(&Object::new(), detail),
        None => Object::new(),
    };
    set(&payload, "type", &event.as_str().into());
    // A throwing merchant callback must not break the customer's flow.
    if let Err(error) = on_event.call1(&JsValue::UNDEFINED, &payload) {
        web_sys::console::error_2(&"relink: onEvent threw".into(), &error);
    }
}
