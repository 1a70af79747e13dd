//! The API objects and their rules: what each object holds, how it renders in an API version,
//! and the rules that need only the object (and the objects it names).
//!
//! Objects render themselves (`to_json`) in one place each; nothing here records events,
//! queues webhooks or knows about HTTP — the [`workflows`](crate::workflows) above do that.

pub mod account;
pub mod account_holder;
pub mod account_numbers;
pub mod authorization;
pub mod bank_account;
pub mod billing_details;
pub mod connected_account;
pub mod customer;
pub mod event;
pub mod event_types;
pub mod hosted_rules;
pub mod institutions;
pub mod mandate;
pub mod payment_method;
pub mod relink_rules;
pub mod session;
pub mod setup_intent;
pub mod status_details;
pub mod token;
pub mod webhook_endpoint;
