//! The modal shell: an isolated, accessible dialog that renders whatever state it is given.
//!
//! A host element (`#relink-modal`) is appended to `document.body` with its own shadow root, so
//! the merchant's CSS cannot reach in. Styles come from a constructable stylesheet adopted by the
//! shadow root, which a strict CSP (`style-src 'self'`) allows. The dialog follows the WAI-ARIA
//! dialog pattern: focus moves in, Tab wraps, Escape closes, focus returns on close, and step
//! changes are announced through a polite live region. While it is open the rest of the page is
//! `inert`, so neither Tab nor a screen reader's virtual cursor can reach it (`aria-modal` alone
//! is not honoured everywhere). Dropping the [`Modal`] removes the host and every listener and
//! restores the page.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gloo_events::{EventListener, EventListenerOptions};
use gloo_timers::callback::Timeout;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{CssStyleSheet, Document, Element, HtmlElement, KeyboardEvent, ShadowRoot};

use crate::browser::dom::{El, cat, focus, render_error, replace_children};
use crate::error::RelinkError;
use crate::flow::Step;
use crate::i18n::{Locale, Strings};
use crate::options::Layout;
use crate::sandbox_ui::view::{AUTOFOCUS, Dispatch, TITLE_ID, View};
use crate::sandbox_ui::{Msg, State};

/// The shadow host's ID, a stable hook for tests and merchants' CSS resets.
pub(crate) const HOST_ID: &str = "relink-modal";

/// The stylesheet as shipped: `modal.css` without comments and optional whitespace, done at
/// compile time so the source stays readable and the download stays small.
const STYLES: &str = {
    const SRC: &[u8] = include_bytes!("modal.css");
    const LEN: usize = crate::css::minify(SRC, &mut [0; SRC.len()]);
    const OUT: [u8; LEN] = {
        let mut buf = [0; SRC.len()];
        crate::css::minify(SRC, &mut buf);
        let mut out = [0; LEN];
        let mut i = 0;
        while i < LEN {
            out[i] = buf[i];
            i += 1;
        }
        out
    };
    match core::str::from_utf8(&OUT) {
        Ok(styles) => styles,
        Err(_) => panic!("modal.css must stay UTF-8"),
    }
};

/// What Tab can land on; the back button is `hidden` on steps without a way back.
const FOCUSABLE: &str = "button:not([disabled]):not([hidden]), input:not([disabled]), [href], \
     [tabindex]:not([tabindex='-1'])";

/// An open modal.
pub(crate) struct Modal {
    document: Document,
    host: HtmlElement,
    root: ShadowRoot,
    back: El,
    brand: El,
    body_slot: El,
    live: El,
    strings: &'static Strings,
    dispatch: Dispatch,
    return_focus: Option<HtmlElement>,
    /// The body's `overflow` before the modal hid it, to restore on close.
    page_overflow: Option<PageOverflow>,
    /// The page's elements this modal made inert; those that already were are not ours.
    made_inert: Vec<Element>,
    first_focus: Option<AfterFirstPaint>,
    last_step: Option<Step>,
    shell_listeners: Vec<EventListener>,
    listeners: Vec<EventListener>,
    results_listeners: Vec<EventListener>,
}

impl std::fmt::Debug for Modal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Modal")
            .field("last_step", &self.last_step)
            .finish_non_exhaustive()
    }
}

impl Modal {
    /// Appends the built shell to the page, which goes inert behind it.
    pub(crate) fn open(mut self) -> Result<Modal, RelinkError> {
        let body = self.document.body().ok_or(RelinkError::NoDocument)?;
        // `activeElement` through the one binding the shadow root uses too: one JS import.
        self.return_focus = self
            .document
            .unchecked_ref::<ShadowRoot>()
            .active_element()
            .and_then(|element| element.dyn_into::<HtmlElement>().ok());
        self.handle_keys();
        body.append_child(&self.host).map_err(render_error)?;
        self.made_inert = make_page_inert(&body, &self.host);
        // The page behind a modal dialog must not scroll. Set through the CSSOM, which a strict
        // CSP allows, and restored exactly on close.
        self.page_overflow = {
            let had_style_attribute = body.has_attribute("style");
            let style = body.style();
            let previous = style.get_property_value("overflow").unwrap_or_default();
            style
                .set_property("overflow", "hidden")
                .ok()
                .map(|()| PageOverflow {
                    body: body.clone(),
                    previous,
                    had_style_attribute,
                })
        };
        Ok(self)
    }

    /// Builds the shell, detached: nothing on the page changes until [`Modal::open`].
    pub(crate) fn build(
        document: Document,
        locale: Locale,
        layout: Layout,
        nonce: Option<&str>,
        dispatch: Dispatch,
    ) -> Result<Modal, RelinkError> {
        BUILT.set(true);
        let strings = locale.strings();
        let (host, root) = shadow_host(&document, layout)?;
        adopt_styles(&document, &root, nonce)?;

        let mut shell_listeners = Vec::new();
        let mut icon_button = |label: &str, test_id: &str, text: &str, msg: fn() -> Msg| {
            let dispatch = dispatch.clone();
            El::new(&document, "button")
                .attr("type", "button")
                .class("icon-button")
                .attr("aria-label", label)
                .test_id(test_id)
                .text(text)
                .on(&mut shell_listeners, "click", move |_| dispatch(msg()))
        };
        let close = icon_button(strings.close, "close", "×", || Msg::Close);
        let back = icon_button(strings.back, "back", "←", || Msg::Back).attr("hidden", "");
        let brand = El::new(&document, "span").class("brand");
        let body_slot = El::new(&document, "div").class("slot");
        let live = El::new(&document, "div")
            .class("sr-only")
            .attr("role", "status")
            .attr("aria-live", "polite")
            .attr("aria-atomic", "true");
        let bar = El::new(&document, "div")
            .class("bar")
            .child(back.clone())
            .child(brand.clone())
            .child(close);
        let dialog = El::new(&document, "div")
            .class("dialog")
            .attr("role", "dialog")
            .attr("aria-modal", "true")
            .attr("aria-labelledby", TITLE_ID)
            .attr("lang", locale.tag())
            .child(bar)
            .child(body_slot.clone())
            .child(live.clone());
        let backdrop = backdrop(&document, dialog, &mut shell_listeners);
        let _ = root.append_child(backdrop.as_ref());

        Ok(Modal {
            document,
            host,
            root,
            back,
            brand,
            body_slot,
            live,
            strings,
            dispatch,
            return_focus: None,
            page_overflow: None,
            made_inert: Vec::new(),
            first_focus: None,
            last_step: None,
            shell_listeners,
            listeners: Vec::new(),
            results_listeners: Vec::new(),
        })
    }

    /// Escape closes and Tab wraps. Keys are handled at the document, so both still work when a
    /// click on the backdrop has left focus on the page's body.
    fn handle_keys(&mut self) {
        let dispatch = self.dispatch.clone();
        let root = self.root.clone();
        self.shell_listeners.push(EventListener::new_with_options(
            &self.document,
            "keydown",
            EventListenerOptions::enable_prevent_default(),
            move |event| {
                let Some(event) = event.dyn_ref::<KeyboardEvent>() else {
                    return;
                };
                match event.key().as_str() {
                    "Escape" => {
                        event.prevent_default();
                        dispatch(Msg::Close);
                    }
                    "Tab" => trap_tab(&root, event),
                    _ => {}
                }
            },
        ));
    }

    /// Shows `state`. A new step gets fresh focus and an announcement; a re-render of the same
    /// step keeps focus where the customer was.
    pub(crate) fn render(&mut self, state: &State) {
        let step_changed = self.last_step.as_ref() != Some(&state.step);
        let view = View {
            document: &self.document,
            strings: self.strings,
            dispatch: &self.dispatch,
        };
        if !step_changed && state.step == Step::InstitutionSearch {
            // Only the results change while typing; keep the input (and any IME composition).
            let mut results_listeners = Vec::new();
            let results = view.institution_results(state, &mut results_listeners);
            if let Ok(Some(old)) = query_scope(&self.root).query_selector(".results") {
                let _ = old.replace_with_with_node_1(results.as_ref());
            }
            self.results_listeners = results_listeners;
            return;
        }

        let focused_test_id = self
            .root
            .active_element()
            .and_then(|element| element.get_attribute("data-testid"));
        let mut listeners = Vec::new();
        let mut results_listeners = Vec::new();
        let body = view.render(state, &mut listeners, &mut results_listeners);
        let busy = matches!(state.step, Step::Loading | Step::Working(_));
        let body = body.attr("aria-busy", if busy { "true" } else { "false" });
        replace_children(self.body_slot.element(), &body);
        self.listeners = listeners;
        self.results_listeners = results_listeners;

        let brand = state
            .institution
            .as_ref()
            .map(|institution| institution.name.as_str())
            .filter(|name| !name.is_empty())
            .unwrap_or(self.strings.dialog_label);
        self.brand.element().set_text_content(Some(brand));
        crate::browser::js_value::set_flag(self.back.element(), "hidden", !state.can_go_back());

        if step_changed {
            if self.last_step.is_none() {
                // Focusing forces a synchronous style and layout of the whole dialog (fonts
                // included), which would hold back its first paint; the first step's focus
                // waits until the dialog is on screen.
                self.first_focus = step_focus_target(body.element()).map(AfterFirstPaint::focus);
            } else {
                self.first_focus = None;
                if let Some(target) = step_focus_target(body.element()) {
                    focus(&target);
                }
            }
            self.announce(body.element());
        } else if let Some(test_id) = focused_test_id {
            if let Some(element) = find_by_test_id(body.element(), &test_id) {
                focus(&element);
            }
        }
        self.last_step = Some(state.step.clone());
    }

    /// Announces the step's title and error, if any, through the live region.
    fn announce(&self, body: &HtmlElement) {
        let text_of = |selector: &str| {
            body.query_selector(selector)
                .ok()
                .flatten()
                .and_then(|element| element.text_content())
        };
        let title = text_of(&cat(&["#", TITLE_ID]));
        let has_title = title.is_some();
        let mut message = title.unwrap_or_default();
        if let Some(error) = text_of("[data-testid=error-message]") {
            if has_title {
                message.push_str(". ");
            }
            message.push_str(&error);
        }
        self.live.element().set_text_content(Some(&message));
    }
}

impl Drop for Modal {
    fn drop(&mut self) {
        self.host.remove();
        // Before focus returns: an inert trigger cannot take it.
        for element in &self.made_inert {
            let _ = element.remove_attribute("inert");
        }
        if let Some(overflow) = &self.page_overflow {
            overflow.restore();
        }
        if let Some(element) = &self.return_focus
            && element.is_connected()
        {
            let _ = element.focus();
        }
    }
}

/// The `#relink-modal` host and its open shadow root, which the merchant's CSS cannot reach.
fn shadow_host(
    document: &Document,
    layout: Layout,
) -> Result<(HtmlElement, ShadowRoot), RelinkError> {
    let layout = match layout {
        Layout::Modal => "modal",
        Layout::Page => "page",
    };
    let host = El::new(document, "div")
        .attr("id", HOST_ID)
        .attr("data-layout", layout);
    let root = host
        .element()
        .attach_shadow(
            // `{mode: "open"}` as a plain object: the typed init brings a JS enum table.
            crate::browser::js_value::object_with("mode", &"open".into()).unchecked_ref(),
        )
        .map_err(render_error)?;
    Ok((host.element().clone(), root))
}

/// The scrim around the dialog. A click on it must not move focus out of the dialog.
fn backdrop(document: &Document, dialog: El, listeners: &mut Vec<EventListener>) -> El {
    El::new(document, "div")
        .class("backdrop")
        .child(dialog)
        .on_cancelable(listeners, "mousedown", |event| {
            let on_scrim = event
                .target()
                .zip(event.current_target())
                .is_some_and(|(target, current)| target == current);
            if on_scrim {
                event.prevent_default();
            }
        })
}

/// The page's scrolling as it was before the modal opened.
struct PageOverflow {
    body: HtmlElement,
    previous: String,
    had_style_attribute: bool,
}

impl PageOverflow {
    /// Puts `overflow` back; a body that had no `style` attribute is left without one, unless
    /// the page styled it while the modal was open.
    fn restore(&self) {
        let style = self.body.style();
        if !self.previous.is_empty() {
            let _ = style.set_property("overflow", &self.previous);
            return;
        }
        let _ = style.remove_property("overflow");
        if !self.had_style_attribute && style.length() == 0 {
            // Blink writes a CSSOM change back to the attribute lazily, when it is next read; a
            // pending write-back would put `style=""` back after the removal, so flush it first.
            let _ = self.body.get_attribute("style");
            let _ = self.body.remove_attribute("style");
        }
    }
}

/// What a new step focuses: its marked element, else its title.
fn step_focus_target(body: &HtmlElement) -> Option<Element> {
    let marked = cat(&["[", AUTOFOCUS, "]"]);
    let title = cat(&["#", TITLE_ID]);
    body.query_selector(&marked)
        .ok()
        .flatten()
        .or_else(|| body.query_selector(&title).ok().flatten())
}

/// Makes the page's other top-level elements inert and returns those it changed, so that
/// closing restores exactly them (an element the page had made inert itself stays inert).
fn make_page_inert(body: &HtmlElement, host: &HtmlElement) -> Vec<Element> {
    let Ok(nodes) = body.query_selector_all(":scope > *") else {
        return Vec::new();
    };
    let host: &Element = host;
    let mut inert = elements(&nodes);
    inert.retain(|element| {
        element != host
            && element.get_attribute("inert").is_none()
            && element.set_attribute("inert", "").is_ok()
    });
    inert
}

/// The elements of `nodes`, in order.
fn elements(nodes: &web_sys::NodeList) -> Vec<Element> {
    let mut all = Vec::new();
    for index in 0..nodes.length() {
        if let Some(element) = nodes
            .item(index)
            .and_then(|node| node.dyn_into::<Element>().ok())
        {
            all.push(element);
        }
    }
    all
}

thread_local! {
    /// Whether a modal has been built on this page, for real or in rehearsal.
    static BUILT: Cell<bool> = const { Cell::new(false) };
}

/// Rehearses the first paint once the page is idle, unless a modal opens first.
///
/// A browser compiles WebAssembly functions lazily, on their first call, so the first modal of
/// a page would otherwise spend most of its time compiling and miss its first frame. Rendering
/// the first step once, off the page, compiles that code (and parses the shared stylesheet)
/// while the page has nothing better to do, between loading and the customer's click.
pub(crate) fn rehearse_first_paint_when_idle() {
    let Some(window) = web_sys::window() else {
        return;
    };
    // Called exactly once either way, and freed by that call.
    let rehearse = Closure::once_into_js(rehearse_first_paint);
    let rehearse = rehearse.unchecked_ref();
    if window.request_idle_callback(rehearse).is_err() {
        // Where there is no `requestIdleCallback` (Safari), the next task will do.
        let _ = window.set_timeout_with_callback(rehearse);
    }
}

/// Builds a modal off the page, renders the first step and throws both away.
fn rehearse_first_paint() {
    if BUILT.get() {
        return;
    }
    let Ok(document) = crate::browser::dom::document() else {
        return;
    };
    let dispatch: Dispatch = Rc::new(|_| {});
    if let Ok(mut modal) = Modal::build(document, Locale::En, Layout::Modal, None, dispatch) {
        modal.render(&State::start(Vec::new()).0);
    }
}

/// Focuses an element once the frame showing it has been painted: an animation frame callback
/// runs just before that frame's rendering, and a task queued from it runs just after.
/// Dropping it cancels whatever has not run yet.
struct AfterFirstPaint {
    frame: Option<(i32, Closure<dyn FnMut()>)>,
    after_paint: Rc<RefCell<Option<Timeout>>>,
}

impl AfterFirstPaint {
    fn focus(target: Element) -> AfterFirstPaint {
        let after_paint = Rc::new(RefCell::new(None));
        let on_frame = {
            let after_paint = Rc::clone(&after_paint);
            Closure::new(move || {
                let target = target.clone();
                *after_paint.borrow_mut() = Some(Timeout::new(0, move || focus(&target)));
            })
        };
        let frame = web_sys::window()
            .and_then(|window| {
                window
                    .request_animation_frame(on_frame.as_ref().unchecked_ref())
                    .ok()
            })
            .map(|id| (id, on_frame));
        AfterFirstPaint { frame, after_paint }
    }
}

impl Drop for AfterFirstPaint {
    fn drop(&mut self) {
        if let (Some((id, _)), Some(window)) = (&self.frame, web_sys::window()) {
            let _ = window.cancel_animation_frame(*id);
        }
        drop(self.after_paint.borrow_mut().take());
    }
}

/// The shadow root as the `Element` its `querySelector(All)` calls go through: a shadow root
/// has both methods, and one receiver type means one import in the JS glue instead of two.
fn query_scope(root: &ShadowRoot) -> &Element {
    root.unchecked_ref()
}

/// Keeps Tab and Shift+Tab inside the dialog.
fn trap_tab(root: &ShadowRoot, event: &KeyboardEvent) {
    let Ok(nodes) = query_scope(root).query_selector_all(FOCUSABLE) else {
        return;
    };
    let focusable = elements(&nodes);
    let (Some(first), Some(last)) = (focusable.first(), focusable.last()) else {
        event.prevent_default();
        return;
    };
    let active = root.active_element();
    let inside = active
        .as_ref()
        .is_some_and(|active| focusable.iter().any(|element| element == active));
    let wrap_to = if event.shift_key() {
        (!inside || active.as_ref() == Some(first)).then_some(last)
    } else {
        (!inside || active.as_ref() == Some(last)).then_some(first)
    };
    if let Some(target) = wrap_to {
        event.prevent_default();
        focus(target);
    }
}

fn find_by_test_id(scope: &HtmlElement, test_id: &str) -> Option<Element> {
    // Compared by value rather than through a selector: IDs in test IDs come from the server.
    let nodes = scope.query_selector_all("[data-testid]").ok()?;
    elements(&nodes)
        .into_iter()
        .find(|element| element.get_attribute("data-testid").as_deref() == Some(test_id))
}

thread_local! {
    /// The parsed stylesheet, shared by every modal on the page: parsing it again on each open
    /// would delay the dialog's first paint. `None` inside: no constructable stylesheets here.
    static SHEET: std::cell::OnceCell<Option<CssStyleSheet>> = const { std::cell::OnceCell::new() };
}

/// Adopts the stylesheet. Browsers without constructable stylesheets get a `<style>` element
/// instead, carrying the merchant's CSP `nonce` so that a `style-src 'nonce-…'` policy allows it.
fn adopt_styles(
    document: &Document,
    root: &ShadowRoot,
    nonce: Option<&str>,
) -> Result<(), RelinkError> {
    let sheet = SHEET.with(|sheet| {
        sheet
            .get_or_init(|| {
                let sheet = CssStyleSheet::new().ok()?;
                sheet.replace_sync(STYLES).ok()?;
                Some(sheet)
            })
            .clone()
    });
    match sheet {
        Some(sheet) => root.set_adopted_style_sheets(&js_sys::Array::of1(&sheet)),
        None => {
            let style = El::new(document, "style");
            let style = match nonce {
                Some(nonce) => style.attr("nonce", nonce),
                None => style,
            };
            root.append_child(style.text(STYLES).as_ref())
                .map_err(render_error)?;
        }
    }
    Ok(())
}
