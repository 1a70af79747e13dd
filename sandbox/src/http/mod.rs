//! The HTTP layer: one router per resource, and the middleware that wraps them.
//!
//! Handlers are thin: they read parameters, run the objects' rules and the workflows inside
//! one transaction, and render. Nothing below this layer knows about axum's routing.

pub mod accounts;
pub mod connected_accounts;
pub mod customers;
pub mod events;
pub mod hosted;
pub mod idempotency;
pub mod link_flow;
pub mod payment_methods;
pub mod rejections;
pub mod sessions;
pub mod setup_intents;
pub mod state;
pub mod stripe_js;
pub mod tokens;
pub mod webhook_endpoints;

use axum::Router;

use crate::http::state::AppState;

/// Every resource's routes: Stripe's API, the browser's link flow and the Stripe.js drop-in.
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(customers::router())
        .merge(sessions::router())
        .merge(accounts::router())
        .merge(connected_accounts::router())
        .merge(link_flow::router())
        .merge(events::router())
        .merge(setup_intents::router())
        .merge(payment_methods::router())
        .merge(tokens::router())
        .merge(webhook_endpoints::router())
        .merge(hosted::router())
        .merge(stripe_js::router())
}
