//! Saving a linked account as a payment method: making the `pm_…` from a Financial
//! Connections account, and confirming a SetupIntent, which records the mandate.
//!
//! The merchant's server creates the SetupIntent with the secret key; the browser confirms it
//! with the publishable key plus the SetupIntent's client secret, and the customer's IP address
//! and user agent become the mandate's online acceptance.
//!
//! A SetupIntent created with no payment method gets one the way Stripe.js's
//! `collectBankAccountForSetup` does it: [`start_collecting`] opens a session for it, and when
//! that session links an account, [`attach_collected`] makes the account's payment method the
//! intent's.

use relink::model::{AccountStatus, AccountSubcategory, Permission};

use crate::clock;
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::objects::account::Account;
use crate::objects::account_holder::AccountHolder;
use crate::objects::billing_details::BillingDetails;
use crate::objects::customer;
use crate::objects::mandate::{Acceptance, Mandate};
use crate::objects::payment_method::PaymentMethod;
use crate::objects::session::{self, ForSetupIntent, NewSession, Session};
use crate::objects::setup_intent::{SetupIntent, SetupIntentStatus, Usage, default_permissions};
use crate::store::Tx;

/// `payment_method_data` for a `us_bank_account`.
#[derive(Debug, Clone)]
pub struct PaymentMethodData {
    /// `payment_method_data[us_bank_account][financial_connections_account]`.
    pub financial_connections_account: String,
    /// `payment_method_data[billing_details]`.
    pub billing_details: BillingDetails,
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
    // A customer holder's payment methods are that customer's; a connected account holder's
    // (payouts) belong to no customer.
    if let (Some(holder), Some(customer)) = (&account.account_holder, customer)
        && holder.customer_id() != Some(customer)
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
        billing_details: data.billing_details,
        financial_connections_account: account.id,
    };
    tx.put(&pm)?;
    Ok(pm)
}

/// What `POST /v1/setup_intents` asks for, its parameters already checked.
#[derive(Debug, Clone)]
pub struct NewIntent {
    /// `customer`.
    pub customer: Option<String>,
    /// `payment_method_data`: make a payment method from a linked account.
    pub payment_method_data: Option<PaymentMethodData>,
    /// `payment_method`: use an existing one.
    pub payment_method: Option<String>,
    /// `flow_directions[]`; empty when not sent.
    pub flow_directions: Vec<String>,
    /// `confirm=true`, with the mandate acceptance (`None` for payouts-only intents).
    pub confirm: Option<Option<Acceptance>>,
    /// `payment_method_options[us_bank_account][financial_connections][permissions][]`.
    pub financial_connections_permissions: Option<Vec<Permission>>,
    /// `usage`.
    pub usage: Usage,
}

/// Creates a SetupIntent with its payment method, confirming it at once when asked.
pub fn create_intent(tx: &Tx<'_>, new: NewIntent) -> ApiResult<SetupIntent> {
    if let Some(customer) = &new.customer {
        customer::ensure_exists(tx, customer, "customer")?;
    }
    let payment_method = match (new.payment_method_data, new.payment_method) {
        (Some(data), _) => Some(create_payment_method(tx, new.customer.as_deref(), data)?.id),
        (None, Some(id)) => Some(usable_payment_method(tx, new.customer.as_deref(), &id)?.id),
        (None, None) => None,
    };
    let id = ids::new_id("seti");
    let secret = ids::new_id("secret");
    let intent = SetupIntent {
        client_secret: format!("{id}_{secret}"),
        id,
        created: clock::now(tx)?,
        customer: new.customer,
        status: if payment_method.is_some() {
            SetupIntentStatus::RequiresConfirmation
        } else {
            SetupIntentStatus::RequiresPaymentMethod
        },
        payment_method,
        flow_directions: (!new.flow_directions.is_empty()).then_some(new.flow_directions),
        mandate: None,
        financial_connections_permissions: new
            .financial_connections_permissions
            .unwrap_or_else(default_permissions),
        usage: new.usage,
    };
    tx.put(&intent)?;
    match new.confirm {
        Some(acceptance) => confirm(tx, intent, acceptance),
        None => Ok(intent),
    }
}

/// An existing payment method (`payment_method=pm_…`) a SetupIntent of `customer` may use:
/// it must exist (`resource_missing`), not be attached to another customer (or to any, for an
/// intent without one), and not be made from another customer's Financial Connections account.
pub fn usable_payment_method(
    tx: &Tx<'_>,
    customer: Option<&str>,
    id: &str,
) -> ApiResult<PaymentMethod> {
    let pm = tx.fetch::<PaymentMethod>(id, Some("payment_method"))?;
    let account = tx.fetch::<Account>(&pm.financial_connections_account, None)?;
    let holder = account
        .account_holder
        .as_ref()
        .and_then(AccountHolder::customer_id);
    let attached_elsewhere = pm.customer.is_some() && pm.customer.as_deref() != customer;
    let held_elsewhere = matches!((holder, customer), (Some(h), Some(c)) if h != c);
    if attached_elsewhere || held_elsewhere {
        return Err(ApiError::invalid_param(
            "payment_method",
            format!(
                "The payment method {id} belongs to another customer; a SetupIntent can use \
                 only its own customer's payment methods."
            ),
        ));
    }
    Ok(pm)
}

/// The payment method a confirmation brings along, replacing the intent's.
#[derive(Debug, Clone)]
pub enum Replacement {
    /// `payment_method_data`: make one from a linked account.
    Data(Box<PaymentMethodData>),
    /// `payment_method=pm_…`, as Stripe.js's `confirmUsBankAccountSetup` sends it.
    Existing(String),
}

/// Replaces the payment method of an intent about to be confirmed; the intent then
/// `requires_confirmation`. An intent that already succeeded keeps its own.
pub fn replace_payment_method(
    tx: &Tx<'_>,
    intent: &mut SetupIntent,
    replacement: Replacement,
) -> ApiResult<()> {
    if intent.status == SetupIntentStatus::Succeeded {
        return Err(ApiError::invalid(
            "You cannot confirm this SetupIntent because it has already succeeded.",
        )
        .with_code("setup_intent_unexpected_state"));
    }
    let customer = intent.customer.as_deref();
    let pm = match replacement {
        Replacement::Data(data) => create_payment_method(tx, customer, *data)?,
        Replacement::Existing(id) => usable_payment_method(tx, customer, &id)?,
    };
    intent.payment_method = Some(pm.id);
    intent.status = SetupIntentStatus::RequiresConfirmation;
    Ok(())
}

/// Confirms a SetupIntent: checks the account still works, records the mandate and attaches
/// the payment method to the customer.
pub fn confirm(
    tx: &Tx<'_>,
    mut intent: SetupIntent,
    acceptance: Option<Acceptance>,
) -> ApiResult<SetupIntent> {
    let mut pm = tx.fetch::<PaymentMethod>(confirmable_payment_method(&intent)?, None)?;
    let account = tx.fetch::<Account>(&pm.financial_connections_account, None)?;
    check_account_works(&account)?;
    if let Some(acceptance) = acceptance {
        intent.mandate = Some(record_mandate(tx, &pm, acceptance)?);
    }
    if intent.customer.is_some() {
        pm.customer = intent.customer.clone();
        tx.put(&pm)?;
    }
    intent.status = SetupIntentStatus::Succeeded;
    tx.put(&intent)?;
    Ok(intent)
}

/// The payment method of an intent that can be confirmed, or Stripe's
/// `setup_intent_unexpected_state`.
fn confirmable_payment_method(intent: &SetupIntent) -> ApiResult<&str> {
    let unexpected = |what: &str| {
        ApiError::invalid(format!(
            "You cannot confirm this SetupIntent because it {what}."
        ))
        .with_code("setup_intent_unexpected_state")
    };
    match intent.status {
        SetupIntentStatus::Succeeded => return Err(unexpected("has already succeeded")),
        SetupIntentStatus::RequiresPaymentMethod => {
            return Err(unexpected(
                "has no payment method; pass payment_method or payment_method_data",
            )
            .with_param("payment_method_data"));
        }
        SetupIntentStatus::RequiresConfirmation => {}
    }
    intent
        .payment_method
        .as_deref()
        .ok_or_else(|| ApiError::internal("requires_confirmation without a payment method"))
}

/// An inactive account, or one whose TAN is deactivated, cannot be debited: the customer must
/// relink it first.
fn check_account_works(account: &Account) -> ApiResult<()> {
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
    Ok(())
}

/// Records the customer's online acceptance as a mandate on `pm`; returns its ID.
fn record_mandate(tx: &Tx<'_>, pm: &PaymentMethod, acceptance: Acceptance) -> ApiResult<String> {
    let mandate = Mandate {
        id: ids::new_id("mandate"),
        payment_method: pm.id.clone(),
        accepted_at: clock::now(tx)?,
        ip_address: acceptance.ip_address,
        user_agent: acceptance.user_agent,
    };
    tx.put(&mandate)?;
    Ok(mandate.id)
}

/// Opens the session in which the customer links the account for the SetupIntent whose client
/// secret the browser holds (Stripe.js's `collectBankAccountForSetup`): one checking or savings
/// account of the intent's customer, with the permissions the intent names. The billing details
/// go on the payment method.
pub fn start_collecting(
    tx: &Tx<'_>,
    client_secret: &str,
    billing_details: BillingDetails,
) -> ApiResult<Session> {
    let intent = tx
        .by_client_secret::<SetupIntent>(client_secret)?
        .ok_or_else(|| {
            // Never echo the secret back: error messages end up in logs.
            ApiError::no_such("setup_intent", "<client_secret>", None).with_param("client_secret")
        })?;
    if intent.status == SetupIntentStatus::Succeeded {
        return Err(ApiError::invalid(
            "You cannot collect a bank account for this SetupIntent because it has already succeeded.",
        )
        .with_code("setup_intent_unexpected_state"));
    }
    session::create(
        tx,
        NewSession {
            account_holder: intent.customer.clone().map(AccountHolder::customer),
            permissions: intent.financial_connections_permissions.clone(),
            account_subcategories: Some(vec![
                AccountSubcategory::Checking,
                AccountSubcategory::Savings,
            ]),
            limit_accounts: Some(1),
            for_setup_intent: Some(ForSetupIntent {
                setup_intent: intent.id,
                billing_details,
            }),
            ..NewSession::default()
        },
    )
}

/// The account a session opened by [`start_collecting`] linked becomes its SetupIntent's
/// payment method, and the intent `requires_confirmation`. An intent confirmed meanwhile keeps
/// the payment method it was confirmed with.
pub fn attach_collected(tx: &Tx<'_>, link: &ForSetupIntent, account: &str) -> ApiResult<()> {
    let mut intent = tx.fetch::<SetupIntent>(&link.setup_intent, None)?;
    if intent.status == SetupIntentStatus::Succeeded {
        return Ok(());
    }
    let pm = create_payment_method(
        tx,
        intent.customer.as_deref(),
        PaymentMethodData {
            financial_connections_account: account.to_owned(),
            billing_details: link.billing_details.clone(),
        },
    )?;
    intent.payment_method = Some(pm.id);
    intent.status = SetupIntentStatus::RequiresConfirmation;
    tx.put(&intent)
}
