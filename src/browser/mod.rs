//! The browser half (wasm32 only): renders the flow and exposes the JS API.
//!
//! - [`exports`]: the JS API: `collectFinancialConnectionsAccounts`, `abort`,
//!   `confirmUsBankAccountSetup` and `mountMandateForm`. Nothing runs at import time.
//! - [`results`]: typed results, events and errors become JS objects here and nowhere else.
//! - [`component`]: one open flow per page; runs the state machine's effects for either
//!   provider and settles exactly once.
//! - [`client`]: requests to the sandbox provider, each with a timeout and cancellable.
//! - [`stripe_js`]: the `stripe` provider, delegating to a Stripe.js instance.
//! - [`modal`] and [`view`]: the accessible shadow-DOM dialog, and what each step shows.
//! - [`mandate_form`]: the ACH mandate rendered into the merchant's `<form>`.
//! - [`dom`]: the element builders and owned listeners every rendering goes through.
//! - [`js_value`]: reading and building plain JS objects; the [`crate::decode::Reader`] for
//!   them.
//! - [`typescript`]: the TypeScript declarations of everything that crosses.

pub(crate) mod client;
pub(crate) mod component;
pub(crate) mod dom;
pub(crate) mod exports;
pub(crate) mod js_value;
pub(crate) mod mandate_form;
pub(crate) mod modal;
pub(crate) mod results;
pub(crate) mod stripe_js;
mod typescript;
pub(crate) mod view;

use wasm_bindgen::JsValue;

/// The flow's state with sessions as the JS objects the server sent.
pub(crate) type State = crate::flow::State<JsValue>;
/// A message to the flow, with sessions as JS objects.
pub(crate) type Msg = crate::flow::Msg<JsValue>;

/// A free-list allocator a few hundred bytes long, in place of std's dlmalloc (about 8 KB of
/// code, 3.5 KB of every page's gzipped download). The component's allocations are few and
/// small, and freed blocks coalesce, so memory stays flat across flows (the benchmark checks).
#[global_allocator]
static ALLOCATOR: lol_alloc::LockedAllocator<lol_alloc::FreeListAllocator> =
    lol_alloc::LockedAllocator::new(lol_alloc::FreeListAllocator::new());
