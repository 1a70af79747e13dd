//! What every handler shares: the store and the settings.

use std::sync::Arc;

use axum::extract::FromRef;

use crate::auth::Scope;
use crate::config::Settings;
use crate::error::ApiResult;
use crate::idempotency;
use crate::objects::connected_account;
use crate::store::{Document, Store, Tx};
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

impl AppState {
    /// Runs `f` in one transaction acting for the request's account: the platform, or the
    /// connected account of its `Stripe-Account` header, which must be one of the platform's.
    /// Without the header this costs nothing more than a plain transaction.
    pub fn transaction<T>(
        &self,
        scope: &Scope,
        f: impl FnOnce(&Tx<'_>) -> ApiResult<T>,
    ) -> ApiResult<T> {
        self.store.transaction_as(scope.owner(), |tx| {
            if let Some(account) = scope.account() {
                connected_account::fetch(tx, account, || scope.no_access())?;
            }
            f(tx)
        })
    }
}

impl AppState {
    /// Runs `f` in one transaction acting for the account that owns the `D` (a session, a
    /// SetupIntent) of `client_secret` (the platform when there is none, so that the caller's
    /// own lookup reports it missing). The browser holds only the secret: the component sends
    /// no `Stripe-Account`, and a hosted page has nothing else.
    pub fn transaction_for_client_secret<D: Document, T>(
        &self,
        client_secret: &str,
        f: impl FnOnce(&Tx<'_>) -> ApiResult<T>,
    ) -> ApiResult<T> {
        self.store.transaction(|tx| {
            let owner = tx
                .owner_of_client_secret::<D>(client_secret)?
                .unwrap_or_default();
            f(&tx.as_owner(&owner))
        })
    }
}

/// Lets the key extractors in [`auth`](crate::auth) read the keys without knowing this type.
impl FromRef<AppState> for Arc<Settings> {
    fn from_ref(state: &AppState) -> Self {
        Arc::clone(&state.settings)
    }
}
