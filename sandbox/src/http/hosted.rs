//! [`wire::Endpoint::Hosted`]: the hosted relink page trades its single-use token for the
//! session's client secret.

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use relink::wire::{self, Endpoint};

use crate::auth::PublishableKey;
use crate::error::ApiResult;
use crate::form::Params;
use crate::http::state::AppState;
use crate::workflows::hosted_relink;

/// Routes for the hosted relink page.
pub fn router() -> Router<AppState> {
    Router::new().route(Endpoint::Hosted.path(), post(redeem))
}

/// Trades a hosted relink token for the session's client secret, once.
async fn redeem(
    _: PublishableKey,
    State(state): State<AppState>,
    mut params: Params,
) -> ApiResult<Json<wire::HostedSession>> {
    let token = params.require_str(&["token"])?;
    params.finish()?;
    let session = state
        .store
        .transaction(|tx| hosted_relink::redeem(tx, &token))?;
    Ok(Json(wire::HostedSession {
        client_secret: session.client_secret,
        return_url: session.return_url,
        merchant_name: state.settings.merchant_name.clone(),
    }))
}
