//! Customers: the account holders sessions and accounts belong to.

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::AppState;
use crate::auth::SecretKey;
use crate::clock;
use crate::error::{ApiError, ApiResult};
use crate::form::Params;
use crate::ids;
use crate::store::{Document, Tx};

/// A customer (`cus_…`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Customer {
    /// `cus_…`.
    pub id: String,
    /// Unix seconds.
    pub created: i64,
    /// Email address, where relink emails go.
    pub email: Option<String>,
    /// Full name.
    pub name: Option<String>,
    /// Preferred languages, most preferred first.
    #[serde(default)]
    pub preferred_locales: Vec<String>,
}

impl Document for Customer {
    const KIND: &'static str = "customer";
    fn id(&self) -> &str {
        &self.id
    }
}

impl Customer {
    /// The API representation.
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "object": "customer",
            "created": self.created,
            "email": self.email,
            "name": self.name,
            "preferred_locales": self.preferred_locales,
            "livemode": false,
            "metadata": {},
        })
    }
}

/// Fails with `resource_missing` unless `id` is a customer.
pub fn ensure_exists(tx: &Tx<'_>, id: &str, param: &str) -> ApiResult<Customer> {
    tx.fetch::<Customer>(id, Some(param))
}

/// Routes under `/v1/customers`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/customers", post(create))
        .route("/v1/customers/{id}", get(retrieve))
}

fn looks_like_email(email: &str) -> bool {
    email
        .split_once('@')
        .is_some_and(|(user, domain)| !user.is_empty() && domain.contains('.'))
        && !email.chars().any(char::is_whitespace)
}

async fn create(
    _: SecretKey,
    State(state): State<AppState>,
    mut params: Params,
) -> ApiResult<Json<Value>> {
    let email = params.take_str(&["email"])?;
    let name = params.take_str(&["name"])?;
    let preferred_locales = params.take_list(&["preferred_locales"])?;
    params.finish()?;
    if let Some(email) = &email
        && !looks_like_email(email)
    {
        return Err(
            ApiError::invalid_param("email", format!("Invalid email address: {email}"))
                .with_code("email_invalid"),
        );
    }
    let customer = state.store.transaction(|tx| {
        let customer = Customer {
            id: ids::new_id("cus"),
            created: clock::now(tx)?,
            email,
            name,
            preferred_locales,
        };
        tx.put(&customer)?;
        Ok(customer)
    })?;
    Ok(Json(customer.to_json()))
}

async fn retrieve(
    _: SecretKey,
    State(state): State<AppState>,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Json<Value>> {
    params.finish()?;
    let customer = state
        .store
        .transaction(|tx| tx.fetch::<Customer>(&id, Some("id")))?;
    Ok(Json(customer.to_json()))
}
