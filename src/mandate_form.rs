//! The mandate form: mounted on the merchant's `<form>`, it shows the ACH mandate, confirms the
//! SetupIntent on submit, and reports the result.
//!
//! It renders into the merchant's own form (light DOM) so that it takes the page's styles; the
//! hooks are classes (`relink-mandate…`) and `data-testid`s. One request is in flight at a time,
//! each attempt has its own idempotency key, and an error re-enables the form and is shown.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_events::EventListener;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::spawn_local;
use web_sys::{CustomEvent, CustomEventInit, HtmlButtonElement, HtmlElement, HtmlFormElement};

use crate::api_client::ApiClient;
use crate::dom::{El, render_error};
use crate::error::RelinkError;
use crate::i18n::Strings;
use crate::mandate::{MandateForm, MandateStatus, mandate_text};
use crate::options::ConfirmOptions;

/// A mounted mandate form. It lives until [`MountedForm::unmount`], whatever happens to the
/// JS handle.
pub(crate) struct MountedForm {
    form: HtmlFormElement,
    container: El,
    error: El,
    status: El,
    submit: HtmlElement,
    created_submit: bool,
    strings: &'static Strings,
    client: ApiClient,
    key_base: String,
    state: RefCell<MandateForm>,
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
    ) -> Result<Rc<MountedForm>, RelinkError> {
        let document = crate::dom::document()?;
        let merchant_name = options
            .merchant_name
            .as_deref()
            .ok_or(RelinkError::MissingOption {
                param: "merchantName",
            })?;
        let strings = options.locale.strings();
        // Reuse the merchant's submit button if the form has one; its label is what the
        // mandate must name.
        let existing = form
            .query_selector("button[type=submit], button:not([type]), input[type=submit]")
            .map_err(render_error)?
            .and_then(|element| element.dyn_into::<HtmlElement>().ok());
        let (submit, created_submit) = match existing {
            Some(button) => (button, false),
            None => {
                let button = El::new(&document, "button")?
                    .attr("type", "submit")
                    .class("relink-mandate-submit")
                    .test_id("mandate-submit")
                    .text(strings.mandate_accept);
                (button.element().clone(), true)
            }
        };
        let label = submit
            .text_content()
            .filter(|text| !text.trim().is_empty())
            .or_else(|| submit.get_attribute("value"))
            .unwrap_or_else(|| strings.mandate_accept.to_owned());

        let error = El::new(&document, "p")?
            .class("relink-mandate-error")
            .attr("role", "alert")
            .attr("hidden", "")
            .test_id("mandate-error");
        let status = El::new(&document, "p")?
            .class("relink-mandate-status")
            .attr("role", "status")
            .test_id("mandate-status");
        let mut container = El::new(&document, "div")?
            .class("relink-mandate")
            .child(
                El::new(&document, "p")?
                    .class("relink-mandate-text")
                    .test_id("mandate-text")
                    .text(&mandate_text(strings, merchant_name, label.trim())),
            )
            .child(error.clone())
            .child(status.clone());
        if created_submit {
            container = container.child(El::new(&document, "div")?.child(submit.clone()));
            form.append_child(container.as_ref())
                .map_err(render_error)?;
        } else {
            // The mandate goes right before the button it names.
            form.insert_before(container.as_ref(), Some(&submit))
                .or_else(|_| form.append_child(container.as_ref()))
                .map_err(render_error)?;
        }

        let mounted = Rc::new(MountedForm {
            form: form.clone(),
            container,
            error,
            status,
            submit,
            created_submit,
            strings,
            client: ApiClient::new(
                &options.api_base,
                &options.publishable_key,
                &options.client_secret,
            ),
            key_base: random_key(),
            state: RefCell::new(MandateForm::default()),
            listeners: RefCell::new(Vec::new()),
        });
        // The listener owns the form on purpose: a page that drops (or garbage-collects) the
        // handle keeps a working form. `unmount` drops the listener and so breaks the cycle.
        let owner = Rc::clone(&mounted);
        let on_submit = EventListener::new_with_options(
            &form,
            "submit",
            gloo_events::EventListenerOptions::enable_prevent_default(),
            move |event| {
                event.prevent_default();
                owner.submit();
            },
        );
        mounted.listeners.borrow_mut().push(on_submit);
        Ok(mounted)
    }

    fn submit(self: &Rc<Self>) {
        let Some(attempt) = self.state.borrow_mut().submit() else {
            return;
        };
        self.render();
        let key = format!("{}-{}", self.key_base, attempt.0);
        let mounted = Rc::clone(self);
        spawn_local(async move {
            let answer = mounted.client.confirm_setup_intent(&key).await;
            let event = match answer {
                Ok(setup_intent) => {
                    mounted.state.borrow_mut().confirmed();
                    ("relink:confirmed", "setupIntent", to_js(&setup_intent))
                }
                Err(error) => {
                    let error = error.to_stripe();
                    mounted.state.borrow_mut().failed(error.message.clone());
                    ("relink:error", "error", to_js(&error))
                }
            };
            mounted.render();
            mounted.notify(event.0, event.1, &event.2);
        });
    }

    fn render(&self) {
        let state = self.state.borrow();
        let busy = state.status == MandateStatus::Submitting;
        let _ = self
            .form
            .set_attribute("aria-busy", if busy { "true" } else { "false" });
        set_disabled(&self.submit, !state.can_submit());
        match &state.status {
            MandateStatus::Failed(message) => {
                self.error.element().set_text_content(Some(message));
                self.error.element().set_hidden(false);
            }
            _ => {
                self.error.element().set_text_content(None);
                self.error.element().set_hidden(true);
            }
        }
        let status = match state.status {
            MandateStatus::Confirmed => self.strings.mandate_confirmed,
            _ => "",
        };
        self.status.element().set_text_content(Some(status));
    }

    /// Tells the page through a DOM event on the form, so the shim or the merchant can listen.
    fn notify(&self, name: &str, key: &str, value: &JsValue) {
        let detail = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&detail, &key.into(), value);
        let init = CustomEventInit::new();
        init.set_bubbles(true);
        init.set_detail(&detail);
        if let Ok(event) = CustomEvent::new_with_event_init_dict(name, &init) {
            let _ = self.form.dispatch_event(&event);
        }
    }

    /// Removes what `mount` added; the merchant's own button stays.
    pub(crate) fn unmount(&self) {
        self.listeners.borrow_mut().clear();
        self.container.element().remove();
        if !self.created_submit {
            set_disabled(&self.submit, false);
        }
        let _ = self.form.remove_attribute("aria-busy");
    }
}

fn set_disabled(element: &HtmlElement, disabled: bool) {
    if let Some(button) = element.dyn_ref::<HtmlButtonElement>() {
        button.set_disabled(disabled);
    } else if let Some(input) = element.dyn_ref::<web_sys::HtmlInputElement>() {
        input.set_disabled(disabled);
    }
}

fn to_js<T: serde::Serialize>(value: &T) -> JsValue {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or(JsValue::NULL)
}

/// A key unique enough to tell this page's attempts from any other's.
fn random_key() -> String {
    let random = (js_sys::Math::random() * 1e16) as u64;
    format!("relink-{:x}-{random:x}", js_sys::Date::now() as u64)
}
