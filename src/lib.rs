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
//! - [`flow`]: the authentication flow as a state machine (steps, messages, effects).
//! - [`error`]: why a flow could not run, and Stripe's error shape.
//! - [`options`]: the options of `collectFinancialConnectionsAccounts` and the mandate form.
//! - [`mandate`]: the ACH mandate text and the confirm form's submit rules.
//! - [`i18n`]: the modal's strings in English, Japanese and German.
//! - [`css`]: the compile-time minifier for the modal's stylesheet.
//!
//! The browser half, `browser` (wasm32 only), renders the flow and exposes the JS API; its own
//! documentation maps it.

// A panicking test is a failing test; elsewhere `unwrap` stays a warning.
#![cfg_attr(test, allow(clippy::unwrap_used))]

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

#[cfg(target_arch = "wasm32")]
pub use browser::exports::{
    MandateFormHandle, abort, collect_financial_connections_accounts,
    confirm_us_bank_account_setup, mount_mandate_form,
};
