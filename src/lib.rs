//! relink: get customers' broken bank links repaired.
//!
//! The crate has two halves. The pure half builds and tests natively and is shared with the
//! sandbox server:
//!
//! - [`model`]: Financial Connections enums and relink objects, with Stripe's wire names.
//! - [`outcome`]: the typed outcome of a finished flow and `isNew` detection.
//! - [`flow`]: the authentication flow as a state machine (steps, messages, effects).
//! - [`sandbox_api`]: the sandbox provider's browser endpoints and form encoding.
//! - [`session`]: the finished session as the merchant receives it.
//! - [`error`]: why a flow could not run, and Stripe's error shape.
//! - [`i18n`]: the modal's strings in English, Japanese and German.
//! - [`mandate`]: the ACH mandate text and the confirm form's submit rules.
//! - [`options`]: the options of `collectFinancialConnectionsAccounts`.
//!
//! The browser half (wasm32 only) renders the flow and exposes the JS API:
//!
//! - `api`: the exports: `collectFinancialConnectionsAccounts`, `abort`,
//!   `confirmUsBankAccountSetup` and `mountMandateForm`.
//! - `mandate_form`: the ACH mandate rendered into the merchant's `<form>`.
//! - `component`: one open flow per page; runs effects and settles exactly once.
//! - `modal` and `view`: the accessible shadow-DOM dialog and what each step shows.
//! - `dom`: the one thin layer over web-sys.
//! - `api_client`: requests to the sandbox provider.
//! - `stripe_js`: the `stripe` provider, delegating to a Stripe.js instance.
//! - `js_session`: the finished session as a JS object, classified for the merchant.
//! - `js_object`: reading and building the plain JS objects that cross the boundary.

// A panicking test is a failing test; elsewhere `unwrap` stays a warning.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod error;
pub mod flow;
pub mod i18n;
pub mod mandate;
pub mod model;
pub mod options;
pub mod outcome;
pub mod sandbox_api;
pub mod session;

#[cfg(target_arch = "wasm32")]
mod api;
#[cfg(target_arch = "wasm32")]
mod api_client;
#[cfg(target_arch = "wasm32")]
mod component;
#[cfg(target_arch = "wasm32")]
mod dom;
#[cfg(target_arch = "wasm32")]
mod js_object;
#[cfg(target_arch = "wasm32")]
mod js_session;
#[cfg(target_arch = "wasm32")]
mod mandate_form;
#[cfg(target_arch = "wasm32")]
mod modal;
#[cfg(target_arch = "wasm32")]
mod stripe_js;
#[cfg(target_arch = "wasm32")]
mod typescript;
#[cfg(target_arch = "wasm32")]
mod view;

/// A free-list allocator a few hundred bytes long, in place of std's dlmalloc (about 8 KB of
/// code, 3.5 KB of every page's gzipped download). The component's allocations are few and
/// small, and freed blocks coalesce, so memory stays flat across flows (the benchmark checks).
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: lol_alloc::LockedAllocator<lol_alloc::FreeListAllocator> =
    lol_alloc::LockedAllocator::new(lol_alloc::FreeListAllocator::new());

#[cfg(target_arch = "wasm32")]
pub use api::{
    MandateFormHandle, abort, collect_financial_connections_accounts,
    confirm_us_bank_account_setup, mount_mandate_form,
};
