//! A payment method's `billing_details`: name, email, phone and postal address, as Stripe
//! stores what `payment_method_data[billing_details]` sends and renders it on the payment
//! method.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

pub use relink::wire::Address;

use crate::error::ApiResult;
use crate::form::Params;

/// `billing_details`. Stored flattened into the object that holds it, under the `billing_…`
/// names the name and email always had there, so that databases from before phone and address
/// load unchanged.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillingDetails {
    /// `name`.
    #[serde(rename = "billing_name", default)]
    pub name: Option<String>,
    /// `email`.
    #[serde(rename = "billing_email", default)]
    pub email: Option<String>,
    /// `phone`.
    #[serde(rename = "billing_phone", default)]
    pub phone: Option<String>,
    /// `address`; every part unknown when none was sent.
    #[serde(rename = "billing_address", default)]
    pub address: Address,
}

impl BillingDetails {
    /// Takes every field under `prefix` (e.g. `payment_method_data[billing_details]`); a
    /// field this does not know stays behind for [`Params::finish`] to refuse.
    pub fn take(params: &mut Params, prefix: &[&str]) -> ApiResult<Self> {
        let mut field = |key: &[&str]| {
            let path: Vec<&str> = prefix.iter().chain(key).copied().collect();
            params.take_str(&path)
        };
        Ok(BillingDetails {
            name: field(&["name"])?,
            email: field(&["email"])?,
            phone: field(&["phone"])?,
            address: Address::try_from_parts(|part| field(&["address", part]))?,
        })
    }

    /// The API representation: `address` always has its six keys, `null` where unknown, as
    /// Stripe renders a payment method's billing details.
    pub fn to_json(&self) -> Value {
        json!({
            "address": self.address,
            "email": self.email,
            "name": self.name,
            "phone": self.phone,
            "tax_id": null,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_name_and_email_from_before_phone_and_address_still_load() {
        let old = json!({"billing_name": "Jenny", "billing_email": null});
        let billing: BillingDetails = serde_json::from_value(old).unwrap();
        assert_eq!(billing.name.as_deref(), Some("Jenny"));
        assert_eq!(billing.address, Address::default());
        assert_eq!(billing.to_json()["address"]["line1"], Value::Null);
    }

    #[test]
    fn every_field_is_taken_and_nothing_else() {
        let mut params = Params::parse(
            b"b[name]=J&b[phone]=%2B15555550123&b[address][line1]=1+Main&b[address][country]=US\
              &b[nickname]=x",
        )
        .unwrap();
        let billing = BillingDetails::take(&mut params, &["b"]).unwrap();
        assert_eq!(billing.phone.as_deref(), Some("+15555550123"));
        assert_eq!(billing.address.line1.as_deref(), Some("1 Main"));
        assert_eq!(billing.address.country.as_deref(), Some("US"));
        assert!(params.finish().is_err(), "b[nickname] is unknown");
    }
}
