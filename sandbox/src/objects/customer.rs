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
    /// The API representation: every property Stripe's published `Customer` declares required
    /// (null or Stripe's default where the sandbox keeps nothing), and the optional ones
    /// Stripe returns too, so typed merchant code meets no missing field.
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "object": "customer",
            "address": null,
            "balance": 0,
            "created": self.created,
            "currency": null,
            "default_source": null,
            "delinquent": false,
            "description": null,
            "discount": null,
            "email": self.email,
            "invoice_prefix": self.invoice_prefix(),
            "invoice_settings": {
                "custom_fields": null,
                "default_payment_method": null,
                "footer": null,
                "rendering_options": null,
            },
            "livemode": false,
            "metadata": {},
            "name": self.name,
            "next_invoice_sequence": 1,
            "phone": null,
            "preferred_locales": self.preferred_locales,
            "shipping": null,
            "tax_exempt": "none",
            "test_clock": null,
        })
    }

    /// Stripe gives every customer an invoice number prefix of uppercase letters and digits;
    /// the sandbox derives it from the ID so that it is stable.
    fn invoice_prefix(&self) -> String {
        let suffix = self.id.strip_prefix("cus_").unwrap_or(&self.id);
        suffix
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(8)
            .map(|c| c.to_ascii_uppercase())
            .collect()
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
