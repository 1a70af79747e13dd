//! The sandbox flow UI (feature `sandbox-ui`): the simulated Financial Connections flow the
//! sandbox serves as its Stripe.js drop-in, and its hosted relink page runs full-page.
//!
//! A merchant's page never loads this build itself: its Stripe.js tag does (`/v3/` of the
//! sandbox instead of js.stripe.com), and the production core calls it as it would call
//! Stripe.js.
//!
//! - [`exports`]: the drop-in's methods (`Stripe(pk).collectFinancialConnectionsAccounts`, …)
//!   and the hosted relink page's entry, each resolving Stripe.js's shapes.
//! - [`runner`]: one open flow per page; runs the state machine's effects and settles once.
//! - [`client`]: requests to the sandbox, each with a timeout and cancellable.
//! - [`modal`] and [`view`]: the accessible shadow-DOM dialog, and what each step shows.
//! - [`stripe_shapes`]: sessions and errors in exactly Stripe.js's shapes.
//! - [`events`]: the flow's own step events, announced as the sandbox's, never through the
//!   production API.

pub(crate) mod client;
pub(crate) mod events;
pub mod exports;
pub(crate) mod modal;
pub(crate) mod runner;
pub(crate) mod stripe_shapes;
pub(crate) mod view;

use wasm_bindgen::JsValue;

/// The flow's state with sessions as the JS objects the server sent.
pub(crate) type State = crate::flow::State<JsValue>;
/// A message to the flow, with sessions as JS objects.
pub(crate) type Msg = crate::flow::Msg<JsValue>;
