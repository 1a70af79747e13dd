//! relink: get customers' broken bank links repaired.
//!
//! The crate has two halves. The pure half builds and tests natively, and the sandbox server
//! shares it:
//!
//! - [`model`]: Financial Connections enums and relink objects, with Stripe's wire names.
//! - [`wire`]: the link-flow contract between the component and the sandbox (endpoints,
//!   answers, form encoding); the sandbox serialises its answers from these types.
//! - [`decode`]: reads answers, sessions and errors into relink's types, over any [`decode::Reader`]
//!   (JS objects in the browser, `serde_json::Value` natively).
//! - [`session`]: a session as received, and the parts relink decides with.
//! - [`outcome`]: the typed outcome of a finished session and `isNew` detection.
//! - [`collected`]: what a collect call resolves, and the lifecycle events around it.
//! - [`flow`]: the authentication flow as a state machine (steps, messages, effects).
//! - [`error`]: why a flow could not run, and Stripe's error shape.
//! - [`options`]: the options of `collectFinancialConnectionsAccounts` and the mandate form.
//! - [`mandate`]: the ACH mandate text and the confirm form's submit rules.
//! - [`i18n`]: the flow's and the mandate form's strings in English, Japanese and German.
//! - [`css`]: the compile-time minifier for the modal's stylesheet.
//!
//! The browser half is two builds of one crate (wasm32 only), which share `browser`, the thin
//! layer over the DOM and JS values:
//!
//! - `production`: the production core the npm package and the script tag ship (cargo feature
//!   "production", the default). It runs on a Stripe.js instance (Stripe.js itself in production, the
//!   sandbox's drop-in in development) and adds the typed outcome, `isNew`, one flow at a time
//!   and the mandate form. It has no flow UI.
//! - `sandbox_ui`: the sandbox flow UI (cargo feature "sandbox-ui"), the accessible modal
//!   running [`flow`] against the sandbox. The sandbox serves it as its Stripe.js drop-in: the drop-in's
//!   methods are this build's exports. The hosted relink page runs it too.
//!
//! Every rule both builds need ([`outcome`], [`collected`], [`error`], [`mandate`], [`wire`])
//! is defined once, here in the pure half.

// A panicking test is a failing test; elsewhere `unwrap` stays a warning.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod collected;
pub mod css;
pub mod decode;
pub mod error;
pub mod flow;
pub mod i18n;
pub mod mandate;
pub mod model;
pub mod options;
pub mod outcome;
pub mod session;
pub mod wire;

#[cfg(target_arch = "wasm32")]
mod browser;

#[cfg(all(target_arch = "wasm32", feature = "production"))]
mod production;

#[cfg(all(target_arch = "wasm32", feature = "sandbox-ui"))]
mod sandbox_ui;

#[cfg(all(target_arch = "wasm32", feature = "production"))]
pub use production::exports::{
    MandateFormHandle, abort, collect_financial_connections_accounts,
    confirm_us_bank_account_setup, mount_mandate_form,
};

#[cfg(all(target_arch = "wasm32", feature = "sandbox-ui"))]
pub use sandbox_ui::exports as sandbox;
