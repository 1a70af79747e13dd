//! The sandbox flow UI's own events, one per step (`institution_selected`, `accounts_selected`,
//! …), announced as `relink-sandbox:flow-event` DOM events on `window`.
//!
//! They are the sandbox's: Stripe.js reports no steps on the web, so a merchant's `onEvent`
//! never receives them and nothing in production emits them. Tests and demos that want to watch
//! the simulated flow listen for them explicitly.

use js_sys::{Array, Object};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CustomEvent, CustomEventInit};

use crate::browser::js_value::{object_with, set};
use crate::browser::results::error_detail;
use crate::flow::Event;
use crate::wire::BankAccount;

/// The DOM event's name.
pub(crate) const FLOW_EVENT: &str = "relink-sandbox:flow-event";

/// Dispatches `event` on `window`, its `detail` being `{type, ...details}`.
pub(crate) fn announce(event: &Event) {
    let Some(window) = web_sys::window() else {
        return;
    };
    // A plain `CustomEventInit` dictionary: typed setters would each be a JS import.
    let init = object_with("detail", &detail(event));
    let init: &CustomEventInit = init.unchecked_ref();
    if let Ok(dom_event) = CustomEvent::new_with_event_init_dict(FLOW_EVENT, init) {
        let _ = window.dispatch_event(&dom_event);
    }
}

fn detail(event: &Event) -> Object {
    let payload = match event {
        Event::InstitutionSelected(institution) => {
            let bank = object_with("id", &institution.id.as_str().into());
            set(&bank, "name", &institution.name.as_str().into());
            object_with("institution", &bank)
        }
        Event::AccountsSelected(accounts) => object_with("accounts", &selected_accounts(accounts)),
        Event::Error(error) => error_detail(error),
        // `success` carries no outcome here: the flow UI does not know the merchant's existing
        // accounts, so only the production core can say what the link means for them.
        _ => Object::new(),
    };
    set(&payload, "type", &event.as_str().into());
    payload
}

/// The selected accounts (snake_case, untrusted text).
fn selected_accounts(accounts: &[BankAccount]) -> Array {
    let list = Array::new();
    for account in accounts {
        let item = object_with("last4", &account.last4.as_str().into());
        set(&item, "display_name", &account.display_name.as_str().into());
        let kind = account.subcategory.map(|kind| kind.as_str());
        set(
            &item,
            "subcategory",
            &kind.map_or(JsValue::NULL, Into::into),
        );
        list.push(&item);
    }
    list
}
