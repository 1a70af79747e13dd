//! The mandate form: mounted on the merchant's `<form>`, it shows the ACH mandate, confirms the
//! SetupIntent on submit, and reports the result.
//!
//! It renders into the merchant's own form (light DOM) so that it takes the page's styles; the
//! hooks are classes (`relink-mandate…`) and `data-testid`s. One confirm is in flight at a time
//! (Stripe.js keys each one), and an error re-enables the form and is shown.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gloo_events::EventListener;
use js_sys::{Function, Promise};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    CustomEvent, CustomEventInit, Document, HtmlButtonElement, HtmlElement, HtmlFormElement,
};

use crate::browser::dom::{El, render_error};
use crate::browser::js_value::{object_with, set_flag};
use crate::collected::Collected;
use crate::error::RelinkError;
use crate::i18n::{MandateStrings, fill};
use crate::mandate::{MandateForm, MandateStatus, mandate_text, offers_relink};
use crate::options::{BankAccountLabel, CollectOptions, ConfirmOptions};
use crate::production::collect::{self, Hooks};
use crate::production::results;
use crate::production::stripe_js::StripeJs;

/// What the form needs to repair an inactive bank account by itself.
#[derive(Debug)]
pub(crate) struct RelinkHooks {
    /// The merchant's `createRelinkSession()`: resolves a relink session's client secret.
    pub(crate) create_session: Function,
    /// The merchant's `fetchSession(id)`, for sessions Stripe.js resolves without `relink_result`.
    pub(crate) fetch_session: Option<Function>,
    /// The merchant's `existingAccountIds`, for `isNew` in `relink:relinked`.
    pub(crate) existing_account_ids: Vec<String>,
}

/// What a form is mounted with besides its validated options and provider.
#[derive(Debug)]
pub(crate) struct FormSetup {
    /// Set when the merchant can create relink sessions.
    pub(crate) relink: Option<RelinkHooks>,
    /// Shown above the mandate text.
    pub(crate) bank_account: Option<BankAccountLabel>,
}

/// The elements the form adds, before they are placed.
struct Parts {
    container: El,
    error: El,
    status: El,
    submit: HtmlElement,
    created_submit: bool,
    relink_button: Option<El>,
}

impl Parts {
    /// The mandate text, error and status lines, the relink button and, when the form has
    /// none, a submit button; the mandate names the submit button's label.
    fn build(
        document: &Document,
        form: &HtmlFormElement,
        strings: &'static MandateStrings,
        merchant_name: &str,
        setup: &FormSetup,
    ) -> Result<Parts, RelinkError> {
        let (submit, created_submit) = submit_button(document, form, strings)?;
        let label = submit
            .text_content()
            .filter(|text| !text.trim_ascii().is_empty())
            .or_else(|| submit.get_attribute("value"))
            .unwrap_or_else(|| strings.mandate_accept.to_owned());
        let error = El::new(document, "p")
            .class("relink-mandate-error")
            .attr("role", "alert")
            .attr("hidden", "")
            .test_id("mandate-error");
        let status = El::new(document, "p")
            .class("relink-mandate-status")
            .attr("role", "status")
            .test_id("mandate-status");
        // A plain button: pressing it must not submit the form.
        let relink_button = setup.relink.as_ref().map(|_| {
            El::new(document, "button")
                .attr("type", "button")
                .class("relink-mandate-relink")
                .attr("hidden", "")
                .test_id("mandate-relink")
                .text(strings.mandate_relink)
        });
        let mut text = El::new(document, "div")
            .class("relink-mandate-text")
            .test_id("mandate-text");
        if let Some(account) = &setup.bank_account {
            let named = fill(
                strings.mandate_account,
                &[&account.bank_name, &account.last4],
            );
            text = text.child(
                El::new(document, "p")
                    .class("relink-mandate-account")
                    .test_id("mandate-account")
                    .text(&named),
            );
        }
        let mandate = mandate_text(strings, merchant_name, label.trim_ascii());
        let text = text.child(El::new(document, "p").text(&mandate));
        let mut container = El::new(document, "div")
            .class("relink-mandate")
            .child(text)
            .child(error.clone());
        if let Some(button) = &relink_button {
            container = container.child(button.clone());
        }
        let container = container.child(status.clone());
        Ok(Parts {
            container,
            error,
            status,
            submit,
            created_submit,
            relink_button,
        })
    }

    /// Puts the mandate right before the button it names, or at the end with a new button.
    fn place(&self, document: &Document, form: &HtmlFormElement) -> Result<(), RelinkError> {
        if self.created_submit {
            let row = El::new(document, "div").child(self.submit.clone());
            let _ = self.container.element().append_child(row.as_ref());
            form.append_child(self.container.as_ref())
                .map_err(render_error)?;
        } else {
            form.insert_before(self.container.as_ref(), Some(&self.submit))
                .or_else(|_| form.append_child(self.container.as_ref()))
                .map_err(render_error)?;
        }
        Ok(())
    }
}

/// The merchant's submit button if the form has one, else a new one.
fn submit_button(
    document: &Document,
    form: &HtmlFormElement,
    strings: &MandateStrings,
) -> Result<(HtmlElement, bool), RelinkError> {
    let existing = form
        .query_selector("button[type=submit], button:not([type]), input[type=submit]")
        .map_err(render_error)?
        .and_then(|element| element.dyn_into::<HtmlElement>().ok());
    Ok(match existing {
        Some(button) => (button, false),
        None => {
            let button = El::new(document, "button")
                .attr("type", "submit")
                .class("relink-mandate-submit")
                .test_id("mandate-submit")
                .text(strings.mandate_accept);
            (button.element().clone(), true)
        }
    })
}

/// A mounted mandate form. It lives until [`MountedForm::unmount`], whatever happens to the
/// JS handle.
pub(crate) struct MountedForm {
    form: HtmlFormElement,
    parts: Parts,
    strings: &'static MandateStrings,
    options: ConfirmOptions,
    stripe: StripeJs,
    relink: Option<RelinkHooks>,
    state: RefCell<MandateForm>,
    unmounted: Cell<bool>,
    listeners: RefCell<Vec<EventListener>>,
}

impl std::fmt::Debug for MountedForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MountedForm")
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

impl MountedForm {
    pub(crate) fn mount(
        form: HtmlFormElement,
        options: &ConfirmOptions,
        stripe: StripeJs,
        setup: FormSetup,
    ) -> Result<Rc<MountedForm>, RelinkError> {
        let document = crate::browser::dom::document()?;
        let merchant_name = options
            .merchant_name
            .as_deref()
            .ok_or(RelinkError::MissingOption {
                param: "merchantName",
            })?;
        let strings = options.locale.mandate_strings();
        let parts = Parts::build(&document, &form, strings, merchant_name, &setup)?;
        parts.place(&document, &form)?;
        let mounted = Rc::new(MountedForm {
            form,
            parts,
            strings,
            options: options.clone(),
            stripe,
            relink: setup.relink,
            state: RefCell::new(MandateForm::default()),
            unmounted: Cell::new(false),
            listeners: RefCell::new(Vec::new()),
        });
        mounted.listen();
        Ok(mounted)
    }

    /// The listeners own the form on purpose: a page that drops (or garbage-collects) the
    /// handle keeps a working form. `unmount` drops them and so breaks the cycle.
    fn listen(self: &Rc<Self>) {
        let owner = Rc::clone(self);
        let on_submit = EventListener::new_with_options(
            &self.form,
            "submit",
            gloo_events::EventListenerOptions::enable_prevent_default(),
            move |event| {
                event.prevent_default();
                owner.submit();
            },
        );
        self.listeners.borrow_mut().push(on_submit);
        if let Some(button) = &self.parts.relink_button {
            let owner = Rc::clone(self);
            let on_relink = EventListener::new(button.element(), "click", move |_| owner.relink());
            self.listeners.borrow_mut().push(on_relink);
        }
    }

    fn submit(self: &Rc<Self>) {
        if self.state.borrow_mut().submit() {
            self.confirm();
        }
    }

    /// One confirm attempt. Stripe.js keys its own requests, one idempotency key per call.
    fn confirm(self: &Rc<Self>) {
        self.render();
        let mounted = Rc::clone(self);
        crate::browser::dom::spawn(Box::pin(async move {
            let client_secret = &mounted.options.client_secret;
            let answer = mounted.stripe.confirm_setup(client_secret).await;
            if mounted.unmounted.get() {
                return;
            }
            let name = match &answer {
                Ok(_) => {
                    mounted.state.borrow_mut().confirmed();
                    "relink:confirmed"
                }
                Err(error) => {
                    let code = error.to_stripe().code;
                    let relink = offers_relink(code.as_deref(), mounted.relink.is_some());
                    // The server's message is for developers; a repairable failure gets words
                    // that tell the customer what the button next to it does.
                    let message = if relink {
                        mounted.strings.mandate_inactive.to_owned()
                    } else {
                        error.message()
                    };
                    mounted.state.borrow_mut().failed(message, relink);
                    "relink:error"
                }
            };
            mounted.render();
            mounted.notify(name, &results::confirmed(&answer));
        }));
    }

    /// "Reconnect your bank account": the relink flow, then a new confirm attempt if it
    /// repaired the account.
    fn relink(self: &Rc<Self>) {
        if !self.state.borrow_mut().start_relink() {
            return;
        }
        self.render();
        let mounted = Rc::clone(self);
        crate::browser::dom::spawn(Box::pin(async move {
            let collected = mounted.run_relink_flow().await;
            if mounted.unmounted.get() {
                return;
            }
            // A successful relink repaired the authorization the SetupIntent's account is on;
            // should the account still be inactive, the next confirm says so.
            let repaired = matches!(
                &collected,
                Some(Collected::Finished(finished)) if finished.classification.outcome.is_success()
            );
            if let Some(collected) = collected.filter(|_| repaired) {
                mounted.notify("relink:relinked", &results::collected(collected));
            }
            let next = mounted
                .state
                .borrow_mut()
                .relink_finished(repaired, mounted.strings.mandate_relink_failed.to_owned());
            if next {
                mounted.confirm();
            } else {
                mounted.render();
            }
        }));
    }

    /// Asks the merchant for a relink session and runs it; the collect result, or `None` when
    /// no session could be had.
    async fn run_relink_flow(&self) -> Option<Collected<JsValue>> {
        let hooks = self.relink.as_ref()?;
        let created = match hooks.create_session.call0(&JsValue::UNDEFINED) {
            Ok(returned) => JsFuture::from(Promise::resolve(&returned)).await,
            Err(error) => Err(error),
        };
        let client_secret = match created {
            Ok(secret) => secret.as_string().filter(|secret| !secret.is_empty()),
            Err(error) => {
                web_sys::console::error_2(&"relink: createRelinkSession failed".into(), &error);
                None
            }
        };
        let Some(client_secret) = client_secret else {
            web_sys::console::error_1(
                &"relink: createRelinkSession must resolve a session's client secret".into(),
            );
            return None;
        };
        let options = CollectOptions {
            client_secret,
            existing_account_ids: hooks.existing_account_ids.clone(),
        };
        let hooks = Hooks {
            on_event: None,
            fetch_session: hooks.fetch_session.clone(),
        };
        Some(collect::collect(options, self.stripe.clone(), hooks).await)
    }

    fn render(&self) {
        let state = self.state.borrow();
        let busy = matches!(
            state.status,
            MandateStatus::Submitting | MandateStatus::Relinking
        );
        let _ = self
            .form
            .set_attribute("aria-busy", if busy { "true" } else { "false" });
        set_disabled(&self.parts.submit, !state.can_submit());
        match &state.status {
            MandateStatus::Failed { message, .. } => {
                self.parts.error.element().set_text_content(Some(message));
                set_flag(self.parts.error.element(), "hidden", false);
            }
            _ => {
                self.parts.error.element().set_text_content(None);
                set_flag(self.parts.error.element(), "hidden", true);
            }
        }
        if let Some(button) = &self.parts.relink_button {
            // Kept visible (but disabled) while the flow is open, so focus can return to it.
            let relinking = state.status == MandateStatus::Relinking;
            set_flag(
                button.element(),
                "hidden",
                !(state.can_relink() || relinking),
            );
            set_disabled(button.element(), !state.can_relink());
        }
        let status = match state.status {
            MandateStatus::Confirmed => self.strings.mandate_confirmed,
            _ => "",
        };
        self.parts.status.element().set_text_content(Some(status));
    }

    /// Tells the page through a bubbling DOM event on the form, so the shim or the merchant
    /// can listen.
    fn notify(&self, name: &str, detail: &JsValue) {
        // A plain `CustomEventInit` dictionary: typed setters would each be a JS import.
        let init = object_with("bubbles", &JsValue::TRUE);
        crate::browser::js_value::set(&init, "detail", detail);
        let init: &CustomEventInit = init.unchecked_ref();
        if let Ok(event) = CustomEvent::new_with_event_init_dict(name, init) {
            let _ = self.form.dispatch_event(&event);
        }
    }

    /// Removes what `mount` added; the merchant's own button stays. Nothing that was in
    /// flight touches the form afterwards (a relink modal that is open stays until the customer
    /// closes it: Stripe.js cannot close it from outside).
    pub(crate) fn unmount(&self) {
        self.unmounted.set(true);
        if self.state.borrow().status == MandateStatus::Relinking {
            collect::abort();
        }
        self.listeners.borrow_mut().clear();
        self.parts.container.element().remove();
        if !self.parts.created_submit {
            set_disabled(&self.parts.submit, false);
        }
        let _ = self.form.remove_attribute("aria-busy");
    }
}

fn set_disabled(element: &HtmlElement, disabled: bool) {
    if element.is_instance_of::<HtmlButtonElement>()
        || element.is_instance_of::<web_sys::HtmlInputElement>()
    {
        set_flag(element, "disabled", disabled);
    }
}
