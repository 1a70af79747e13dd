//! `/v1/link_account_sessions/hosted`: the hosted relink page trades its single-use token for
//! the session's client secret.

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::auth::PublishableKey;
use crate::error::ApiResult;
use crate::form::Params;
use crate::http::state::AppState;
use crate::workflows::hosted_relink;

/// Routes for the hosted relink page.
pub fn router() -> Router<AppState> {
    Router::new().route("/v1/link_account_sessions/hosted", post(redeem))
}

/// Trades a hosted relink token for the session's client secret, once.
async fn redeem(
    _: PublishableKey,
    State(state): State<AppState>,
    mut params: Params,
) -> ApiResult<Json<Value>> {
    let token = params.require_str(&["token"])?;
    params.finish()?;
    let session = state
        .store
        .transaction(|tx| hosted_relink::redeem(tx, &token))?;
    Ok(Json(json!({
        "client_secret": session.client_secret,
        "return_url": session.return_url,
        "merchant_name": state.settings.merchant_name,
    })))
}
