//! The ACH mandate confirmation: the mandate text, the SetupIntent confirm request, and the
//! form's submit rules (one request in flight; Stripe.js keys each confirm call itself).
//!
//! Pure, so it tests natively; `mandate_form` (wasm32 only) renders it into the merchant's form.

use crate::error::RelinkError;
use crate::i18n::{MandateStrings, fill};

/// The SetupIntent ID inside its client secret (`seti_123_secret_abc` → `seti_123`).
///
/// ```
/// use relink::mandate::setup_intent_id;
/// assert_eq!(setup_intent_id("seti_123_secret_abc").unwrap(), "seti_123");
/// assert!(setup_intent_id("fcsess_client_secret_x").is_err());
/// ```
pub fn setup_intent_id(client_secret: &str) -> Result<&str, RelinkError> {
    // Searched as bytes and cut with `get`: `split_once` with a string pattern would bring a
    // substring searcher and slicing panics into the wasm for this one call.
    const SEPARATOR: &[u8] = b"_secret_";
    client_secret
        .as_bytes()
        .windows(SEPARATOR.len())
        .position(|window| window == SEPARATOR)
        .and_then(|end| client_secret.get(..end))
        .filter(|id| id.starts_with("seti_") && id.len() > "seti_".len())
        .ok_or(RelinkError::InvalidOption {
            param: "clientSecret",
            detail: "expected a SetupIntent client secret (seti_…_secret_…)",
        })
}

/// The path of the confirm request.
pub fn confirm_path(setup_intent: &str) -> String {
    let mut path = String::from("/v1/setup_intents/");
    path.push_str(setup_intent);
    path.push_str("/confirm");
    path
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
pub fn mandate_text(strings: &MandateStrings, merchant: &str, button: &str) -> String {
    fill(strings.mandate, &[button, merchant])
}

/// The error code with which confirming fails while the bank account's link is broken.
pub const ACCOUNT_INACTIVE: &str = "financial_connections_account_inactive";

/// Whether a failed confirm can be repaired by relinking: the bank account is inactive and the
/// merchant can create a relink session (`createRelinkSession`).
///
/// ```
/// use relink::mandate::offers_relink;
/// assert!(offers_relink(Some("financial_connections_account_inactive"), true));
/// assert!(!offers_relink(Some("financial_connections_account_inactive"), false));
/// assert!(!offers_relink(Some("setup_intent_unexpected_state"), true));
/// ```
pub fn offers_relink(code: Option<&str>, merchant_can_relink: bool) -> bool {
    merchant_can_relink && code == Some(ACCOUNT_INACTIVE)
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
    /// The last attempt failed with `message`; the customer may try again and, when `relink`
    /// is set, reconnect their bank account first.
    Failed {
        /// What went wrong, for the customer.
        message: String,
        /// Whether "Reconnect your bank account" is offered.
        relink: bool,
    },
    /// The relink flow is open; the form waits for it.
    Relinking,
}

/// The form's submit rules.
///
/// ```
/// use relink::mandate::{MandateForm, MandateStatus};
/// let mut form = MandateForm::default();
/// assert!(form.submit());
/// assert!(!form.submit(), "no duplicate submission while one is in flight");
/// form.failed("Your card was declined.".into(), false);
/// assert!(form.submit(), "a new attempt after an error");
/// form.confirmed();
/// assert_eq!(form.status, MandateStatus::Confirmed);
/// assert!(!form.submit());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MandateForm {
    /// Where the form is.
    pub status: MandateStatus,
}

impl Default for MandateForm {
    fn default() -> Self {
        MandateForm {
            status: MandateStatus::Ready,
        }
    }
}

impl MandateForm {
    /// Starts an attempt (one confirm call, which Stripe.js keys afresh); `false` when one is in
    /// flight or the intent is confirmed.
    pub fn submit(&mut self) -> bool {
        if self.can_submit() {
            self.status = MandateStatus::Submitting;
            true
        } else {
            false
        }
    }

    /// Opens the relink flow; `false` when relinking is not on offer (or already running).
    pub fn start_relink(&mut self) -> bool {
        if self.can_relink() {
            self.status = MandateStatus::Relinking;
            true
        } else {
            false
        }
    }

    /// The relink flow ended; whether to confirm again now. A repaired account is confirmed
    /// again at once, as a new attempt; otherwise the form shows `message` and still offers the
    /// relink.
    pub fn relink_finished(&mut self, repaired: bool, message: String) -> bool {
        if self.status != MandateStatus::Relinking {
            return false;
        }
        if repaired {
            self.status = MandateStatus::Ready;
            self.submit()
        } else {
            self.failed(message, true);
            false
        }
    }

    /// The attempt succeeded.
    pub fn confirmed(&mut self) {
        self.status = MandateStatus::Confirmed;
    }

    /// The attempt failed; the form re-enables and shows `message`, offering a relink when
    /// `relink` is set (see [`offers_relink`]).
    pub fn failed(&mut self, message: String, relink: bool) {
        self.status = MandateStatus::Failed { message, relink };
    }

    /// Whether the submit button is enabled.
    pub fn can_submit(&self) -> bool {
        matches!(
            self.status,
            MandateStatus::Ready | MandateStatus::Failed { .. }
        )
    }

    /// Whether the "Reconnect your bank account" button is shown and enabled.
    pub fn can_relink(&self) -> bool {
        matches!(self.status, MandateStatus::Failed { relink: true, .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Locale;

    #[test]
    fn mandate_names_the_merchant_and_the_button() {
        let text = mandate_text(Locale::En.mandate_strings(), "Rocket Rides", "Accept");
        assert!(text.starts_with("By clicking Accept, you authorize Rocket Rides"));
    }

    #[test]
    fn inactive_account_relinks_then_confirms_with_a_new_attempt() {
        let mut form = MandateForm::default();
        assert!(form.submit());
        assert!(!form.start_relink(), "nothing to relink while submitting");
        form.failed(
            "inactive".into(),
            offers_relink(Some(ACCOUNT_INACTIVE), true),
        );
        assert!(form.can_relink() && form.can_submit());
        assert!(form.start_relink());
        assert!(
            !form.can_submit() && !form.can_relink(),
            "disabled while relinking"
        );
        assert!(!form.submit());
        assert!(!form.relink_finished(false, "not reconnected".into()));
        assert_eq!(
            form.status,
            MandateStatus::Failed {
                message: "not reconnected".into(),
                relink: true
            }
        );
        assert!(form.start_relink());
        assert!(form.relink_finished(true, String::new()), "confirms again");
        assert_eq!(form.status, MandateStatus::Submitting);
        assert!(!form.relink_finished(true, String::new()), "only once");
    }

    #[test]
    fn other_errors_do_not_offer_a_relink() {
        let mut form = MandateForm::default();
        form.submit();
        form.failed(
            "declined".into(),
            offers_relink(Some("card_declined"), true),
        );
        assert!(!form.can_relink());
        assert!(!form.start_relink());
    }

    #[test]
    fn confirm_path_uses_the_id_not_the_secret() {
        let id = setup_intent_id("seti_1Abc_secret_xyz").unwrap();
        assert_eq!(confirm_path(id), "/v1/setup_intents/seti_1Abc/confirm");
        assert!(setup_intent_id("seti__secret_x").is_err());
    }
}
