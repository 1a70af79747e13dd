//! Element builders, text, attributes and owned listeners: how markup is made.
//!
//! Every element the component renders is built here, text only ever goes in through
//! `textContent` (institution and account names are untrusted), and every listener is a
//! [`gloo_events::EventListener`] that is removed when dropped. The modules that manage the page
//! around that markup call web-sys themselves where nothing here would be shared: the modal
//! (shadow root, focus trap, `inert`, scroll lock), the mandate form (placing itself in the
//! merchant's form) and the client (`fetch`, `AbortSignal`).

// The sandbox flow UI uses all of this; the production core's mandate form only part of it.
#![cfg_attr(not(feature = "sandbox-ui"), allow(dead_code, unused_imports))]

use gloo_events::{EventListener, EventListenerOptions};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, Element, Event, HtmlElement, HtmlInputElement, Node};

use crate::error::RelinkError;

/// Turns a failed DOM call into the component's error.
pub(crate) fn render_error(error: JsValue) -> RelinkError {
    RelinkError::Render(describe(&error))
}

/// A readable description of a thrown JS value, for error messages.
pub(crate) fn describe(error: &JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|error| String::from(error.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "unknown error".to_owned())
}

#[wasm_bindgen]
extern "C" {
    /// `document.createElement`, which throws only for an invalid tag name and, in an HTML
    /// document, always makes an `HTMLElement`. Every tag in this crate is a valid literal, so
    /// the builders have no error path (each one costs wasm size on every render call).
    #[wasm_bindgen(js_name = Document)]
    type ElementFactory;

    #[wasm_bindgen(method, js_name = createElement)]
    fn create_html_element(this: &ElementFactory, tag: &str) -> HtmlElement;
}

/// The page's document.
pub(crate) fn document() -> Result<Document, RelinkError> {
    web_sys::window()
        .and_then(|window| window.document())
        .ok_or(RelinkError::NoDocument)
}

/// An element under construction.
///
/// Attribute names are all literals in this crate, and `setAttribute` only throws for invalid
/// names, so the setters do not return errors.
#[derive(Debug, Clone)]
pub(crate) struct El(HtmlElement);

impl El {
    /// A new `<tag>` element.
    // Called from every render; one copy instead of one per call site keeps the wasm small.
    #[inline(never)]
    pub(crate) fn new(document: &Document, tag: &str) -> El {
        El(document
            .unchecked_ref::<ElementFactory>()
            .create_html_element(tag))
    }

    #[inline(never)]
    pub(crate) fn attr(self, name: &str, value: &str) -> Self {
        let _ = self.0.set_attribute(name, value);
        self
    }

    #[inline(never)]
    pub(crate) fn class(self, class: &str) -> Self {
        self.attr("class", class)
    }

    #[inline(never)]
    pub(crate) fn test_id(self, id: &str) -> Self {
        self.attr("data-testid", id)
    }

    /// Sets the text; the only way text enters the modal.
    #[inline(never)]
    pub(crate) fn text(self, text: &str) -> Self {
        self.0.set_text_content(Some(text));
        self
    }

    #[inline(never)]
    pub(crate) fn child(self, child: impl AsRef<Node>) -> Self {
        let _ = self.0.append_child(child.as_ref());
        self
    }

    pub(crate) fn children(self, children: impl IntoIterator<Item = El>) -> Self {
        for child in children {
            let _ = self.0.append_child(&child.0);
        }
        self
    }

    /// Adds a listener whose lifetime is tied to `listeners`.
    #[inline(never)]
    pub(crate) fn on(
        self,
        listeners: &mut Vec<EventListener>,
        event: &'static str,
        callback: impl FnMut(&Event) + 'static,
    ) -> Self {
        listeners.push(EventListener::new(&self.0, event, callback));
        self
    }

    /// Like [`El::on`], for listeners that call `preventDefault` (form submits, Tab).
    #[inline(never)]
    pub(crate) fn on_cancelable(
        self,
        listeners: &mut Vec<EventListener>,
        event: &'static str,
        callback: impl FnMut(&Event) + 'static,
    ) -> Self {
        listeners.push(EventListener::new_with_options(
            &self.0,
            event,
            EventListenerOptions::enable_prevent_default(),
            callback,
        ));
        self
    }

    pub(crate) fn element(&self) -> &HtmlElement {
        &self.0
    }

    /// The element as an `<input>`, when it is one.
    pub(crate) fn input(&self) -> Option<HtmlInputElement> {
        self.0.dyn_ref::<HtmlInputElement>().cloned()
    }
}

impl AsRef<Node> for El {
    fn as_ref(&self) -> &Node {
        &self.0
    }
}

/// Replaces all children of `parent` with `child`.
pub(crate) fn replace_children(parent: &Element, child: &El) {
    parent.set_text_content(None);
    let _ = parent.append_child(child.as_ref());
}

/// Moves focus to `element`, if it can take it.
pub(crate) fn focus(element: &Element) {
    if let Some(element) = element.dyn_ref::<HtmlElement>() {
        let _ = element.focus();
    }
}

pub(crate) use crate::error::cat;

/// Appends `n` in base `radix` (2 to 16, lowercase digits) to `out`, without `core::fmt`.
pub(crate) fn push_int(out: &mut String, mut n: u64, radix: u64) {
    let mut digits = [b'0'; 64];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b"0123456789abcdef"[(n % radix) as usize];
        n /= radix;
        if n == 0 {
            break;
        }
    }
    for &digit in &digits[at..] {
        out.push(char::from(digit));
    }
}

/// Runs `task` on the page's microtask queue. Every task goes through this one boxed type, so
/// the wasm carries one copy of the executor's spawn code instead of one per future type.
pub(crate) fn spawn(task: std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>) {
    wasm_bindgen_futures::spawn_local(task);
}
