//! Saving a linked account as a payment method: making the `pm_…` from a Financial
//! Connections account, and confirming a SetupIntent, which records the mandate.
//!
//! The merchant's server creates the SetupIntent with the secret key; the browser confirms it
//! with the publishable key plus the SetupIntent's client secret, and the customer's IP address
//! and user agent become the mandate's online acceptance.

use relink::model::{AccountStatus, Permission};

use crate::clock;
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::objects::account::Account;
use crate::objects::mandate::{Acceptance, Mandate};
use crate::objects::payment_method::PaymentMethod;
use crate::objects::setup_intent::{SetupIntent, SetupIntentStatus};
use crate::store::Tx;

/// `payment_method_data` for a `us_bank_account`.
#[derive(Debug, Clone)]
pub struct PaymentMethodData {
    /// `payment_method_data[us_bank_account][financial_connections_account]`.
    pub financial_connections_account: String,
    /// `payment_method_data[billing_details][name]`.
    pub name: Option<String>,
    /// `payment_method_data[billing_details][email]`.
    pub email: Option<String>,
}

/// Makes a payment method from a Financial Connections account the customer linked.
pub fn create_payment_method(
    tx: &Tx<'_>,
    customer: Option<&str>,
    data: PaymentMethodData,
) -> ApiResult<PaymentMethod> {
    let param = "payment_method_data[us_bank_account][financial_connections_account]";
    let account = tx.fetch::<Account>(&data.financial_connections_account, Some(param))?;
    if !account.permissions.contains(&Permission::PaymentMethod) {
        return Err(ApiError::invalid_param(
            param,
            format!(
                "Account {} was linked without the payment_method permission.",
                account.id
            ),
        ));
    }
    if !account.subcategory.is_payment_eligible() {
        return Err(ApiError::invalid_param(
            param,
            format!(
                "Account {} is a {} account; only checking and savings accounts can be used.",
                account.id, account.subcategory
            ),
        ));
    }
    let holder = account.account_holder.as_ref().map(|h| h.customer.as_str());
    if let (Some(holder), Some(customer)) = (holder, customer)
        && holder != customer
    {
        return Err(ApiError::invalid_param(
            "customer",
            "customer must be the Financial Connections account's account_holder.customer.",
        ));
    }
    let pm = PaymentMethod {
        id: ids::new_id("pm"),
        created: clock::now(tx)?,
        customer: None,
        billing_name: data.name,
        billing_email: data.email,
        financial_connections_account: account.id,
    };
    tx.put(&pm)?;
    Ok(pm)
}

/// Confirms a SetupIntent: checks the account still works, records the mandate and attaches
/// the payment method to the customer.
pub fn confirm(
    tx: &Tx<'_>,
    mut intent: SetupIntent,
    acceptance: Option<Acceptance>,
) -> ApiResult<SetupIntent> {
    let unexpected = |what: &str| {
        ApiError::invalid(format!(
            "You cannot confirm this SetupIntent because it {what}."
        ))
        .with_code("setup_intent_unexpected_state")
    };
    match intent.status {
        SetupIntentStatus::Succeeded => return Err(unexpected("has already succeeded")),
        SetupIntentStatus::RequiresPaymentMethod => {
            return Err(
                unexpected("has no payment method; pass payment_method_data")
                    .with_param("payment_method_data"),
            );
        }
        SetupIntentStatus::RequiresConfirmation => {}
    }
    let pm_id = intent
        .payment_method
        .clone()
        .ok_or_else(|| ApiError::internal("requires_confirmation without a payment method"))?;
    let mut pm = tx.fetch::<PaymentMethod>(&pm_id, None)?;
    let account = tx.fetch::<Account>(&pm.financial_connections_account, None)?;
    if account.status != AccountStatus::Active {
        return Err(ApiError::invalid(format!(
            "Financial Connections account {} is {}; ask the customer to relink it.",
            account.id, account.status
        ))
        .with_code("financial_connections_account_inactive"));
    }
    if account.tan_deactivated() {
        return Err(ApiError::invalid(format!(
            "The tokenized account number of {} is deactivated; ask the customer to relink it.",
            account.id
        ))
        .with_code("financial_connections_account_inactive"));
    }
    if let Some(acceptance) = acceptance {
        let mandate = Mandate {
            id: ids::new_id("mandate"),
            payment_method: pm.id.clone(),
            accepted_at: clock::now(tx)?,
            ip_address: acceptance.ip_address,
            user_agent: acceptance.user_agent,
        };
        tx.put(&mandate)?;
        intent.mandate = Some(mandate.id);
    }
    if intent.customer.is_some() {
        pm.customer = intent.customer.clone();
        tx.put(&pm)?;
    }
    intent.status = SetupIntentStatus::Succeeded;
    tx.put(&intent)?;
    Ok(intent)
}
