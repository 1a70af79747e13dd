//! Workflows: the steps that change several objects at once, each in the caller's transaction.
//!
//! Handlers (and the demo and test helpers) compose these; the objects below know nothing of
//! them, and nothing here knows about HTTP.

pub mod account_status;
pub mod expected_deactivation;
pub mod finish_session;
pub mod hosted_relink;
pub mod payment_setup;
pub mod payouts;
pub mod seed;
pub mod tan_expiry;
pub mod time;
pub mod webhook_delivery;
