//! relink: get customers' broken bank links repaired.
//!
//! The crate has two halves. The pure half builds and tests natively and is shared with the
//! sandbox server:
//!
//! - [`model`]: Financial Connections enums and relink objects, with Stripe's wire names.
//! - [`outcome`]: the typed outcome of a finished flow and `isNew` detection.
//!
//! The browser half (wasm32 only) renders the flow and exposes the JS API.

pub mod model;
pub mod outcome;
