//! What every handler shares: the store and the settings.

use std::sync::Arc;

use axum::extract::FromRef;

use crate::config::Settings;
use crate::error::ApiResult;
use crate::idempotency;
use crate::store::Store;
use crate::workflows::seed;

/// Everything handlers share.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// Keys, names and directories.
    pub settings: Arc<Settings>,
}

impl AppState {
    /// Wraps a store and settings, seeding the demo data on first use of the store and
    /// forgetting idempotency claims a crash left behind.
    pub fn new(store: Store, settings: Settings) -> ApiResult<Self> {
        store.transaction(|tx| {
            idempotency::forget_interrupted(tx)?;
            seed::seed(tx)
        })?;
        Ok(AppState {
            store,
            settings: Arc::new(settings),
        })
    }
}

/// Lets the key extractors in [`auth`](crate::auth) read the keys without knowing this type.
impl FromRef<AppState> for Arc<Settings> {
    fn from_ref(state: &AppState) -> Self {
        Arc::clone(&state.settings)
    }
}
