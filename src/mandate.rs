//! The ACH mandate confirmation: the mandate text, the SetupIntent confirm request, and the
//! form's submit rules (one request in flight, one idempotency key per attempt).
//!
//! Pure, so it tests natively; `mandate_form` (wasm32 only) renders it into the merchant's form.

use crate::error::RelinkError;
use crate::i18n::{Strings, fill};

/// The SetupIntent ID inside its client secret (`seti_123_secret_abc` → `seti_123`).
///
/// ```
/// use relink::mandate::setup_intent_id;
/// assert_eq!(setup_intent_id("seti_123_secret_abc").unwrap(), "seti_123");
/// assert!(setup_intent_id("fcsess_client_secret_x").is_err());
/// ```
pub fn setup_intent_id(client_secret: &str) -> Result<&str, RelinkError> {
    client_secret
        .split_once("_secret_")
        .map(|(id, _)| id)
        .filter(|id| id.starts_with("seti_") && id.len() > "seti_".len())
        .ok_or(RelinkError::InvalidOption {
            param: "clientSecret",
            detail: "expected a SetupIntent client secret (seti_…_secret_…)".into(),
        })
}

/// The path of the confirm request.
pub fn confirm_path(setup_intent: &str) -> String {
    format!("/v1/setup_intents/{setup_intent}/confirm")
}

/// The form fields besides `client_secret`: an online acceptance whose IP address and user
/// agent the server takes from the request, as Stripe.js does with a publishable key.
pub const CONFIRM_FIELDS: &[(&str, &str)] = &[
    ("mandate_data[customer_acceptance][type]", "online"),
    (
        "mandate_data[customer_acceptance][online][infer_from_client]",
        "true",
    ),
];

/// The mandate the customer accepts by submitting the form.
pub fn mandate_text(strings: &Strings, merchant: &str, button: &str) -> String {
    fill(strings.mandate, &[button, merchant])
}

/// Where the form is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MandateStatus {
    /// Waiting for the customer.
    Ready,
    /// A confirm request is in flight; submits are ignored.
    Submitting,
    /// The SetupIntent is confirmed; the form stays disabled.
    Confirmed,
    /// The last attempt failed with this message; the customer may try again.
    Failed(String),
}

/// The form's submit rules.
///
/// ```
/// use relink::mandate::{MandateForm, MandateStatus};
/// let mut form = MandateForm::default();
/// let first = form.submit().unwrap();
/// assert!(form.submit().is_none(), "no duplicate submission while one is in flight");
/// form.failed("Your card was declined.".into());
/// let second = form.submit().unwrap();
/// assert_ne!(first, second, "a new attempt gets a new idempotency key");
/// form.confirmed();
/// assert_eq!(form.status, MandateStatus::Confirmed);
/// assert!(form.submit().is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MandateForm {
    /// Where the form is.
    pub status: MandateStatus,
    attempts: u32,
}

impl Default for MandateForm {
    fn default() -> Self {
        MandateForm {
            status: MandateStatus::Ready,
            attempts: 0,
        }
    }
}

/// One confirm attempt; its number makes its idempotency key unique within the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempt(pub u32);

impl MandateForm {
    /// Starts an attempt, or `None` when one is in flight or the intent is confirmed.
    pub fn submit(&mut self) -> Option<Attempt> {
        match self.status {
            MandateStatus::Ready | MandateStatus::Failed(_) => {
                self.attempts += 1;
                self.status = MandateStatus::Submitting;
                Some(Attempt(self.attempts))
            }
            MandateStatus::Submitting | MandateStatus::Confirmed => None,
        }
    }

    /// The attempt succeeded.
    pub fn confirmed(&mut self) {
        self.status = MandateStatus::Confirmed;
    }

    /// The attempt failed; the form re-enables and shows `message`.
    pub fn failed(&mut self, message: String) {
        self.status = MandateStatus::Failed(message);
    }

    /// Whether the submit button is enabled.
    pub fn can_submit(&self) -> bool {
        matches!(self.status, MandateStatus::Ready | MandateStatus::Failed(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Locale;

    #[test]
    fn mandate_names_the_merchant_and_the_button() {
        let text = mandate_text(Locale::En.strings(), "Rocket Rides", "Accept");
        assert!(text.starts_with("By clicking Accept, you authorize Rocket Rides"));
    }

    #[test]
    fn confirm_path_uses_the_id_not_the_secret() {
        let id = setup_intent_id("seti_1Abc_secret_xyz").unwrap();
        assert_eq!(confirm_path(id), "/v1/setup_intents/seti_1Abc/confirm");
        assert!(setup_intent_id("seti__secret_x").is_err());
    }
}
