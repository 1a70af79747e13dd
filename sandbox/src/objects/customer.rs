//! Customers (`cus_…`): the account holders sessions and accounts belong to, and where hosted
//! relink emails go.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::error::{ApiError, ApiResult};
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

/// Refuses an `email` that cannot be an address (Stripe's `email_invalid`).
pub fn check_email(email: &str) -> ApiResult<()> {
    let looks_like_email = email
        .split_once('@')
        .is_some_and(|(user, domain)| !user.is_empty() && domain.contains('.'))
        && !email.chars().any(char::is_whitespace);
    if looks_like_email {
        Ok(())
    } else {
        Err(
            ApiError::invalid_param("email", format!("Invalid email address: {email}"))
                .with_code("email_invalid"),
        )
    }
}
