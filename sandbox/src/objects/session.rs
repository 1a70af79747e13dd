//! Financial Connections sessions (`fcsess_…`): what a session asks the customer for, how far
//! the customer got, and how it renders.
//!
//! A session finishes exactly once, through `workflows::finish_session`, whether the browser's
//! link flow or the `complete` test helper drives it; both only describe what the customer did
//! and let the [`relink_rules`](crate::objects::relink_rules) decide the result.

use relink::model::{AccountSubcategory, Permission, RelinkOptions, RelinkResult, SessionStatus};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::clock;
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::list::list_object;
use crate::objects::account::{self, Account};
use crate::objects::account_holder::AccountHolder;
use crate::objects::authorization::Authorization;
use crate::objects::billing_details::BillingDetails;
use crate::objects::connected_account;
use crate::objects::customer;
use crate::objects::institutions::{self, Institution};
use crate::objects::relink_rules::Authentication;
use crate::store::{Document, Index, Tx};
use crate::version::{ApiVersion, PreviewFields};

/// `ui_mode` of a session (preview).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UiMode {
    /// The merchant's page opens the flow (the component or Stripe.js).
    #[default]
    Modal,
    /// The customer completes the flow on a hosted page.
    Hosted,
}

/// `hosted.delivery_method` of a hosted session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryMethod {
    /// The sandbox emails the customer the link.
    Email,
    /// The session's `url` is the link; the merchant delivers it.
    Url,
}

/// How far the customer got in the browser's link flow. Internal: never rendered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// The institution the customer chose (`fcinst_…`).
    pub institution: Option<String>,
    /// Whether they logged in to it.
    pub authenticated: bool,
    /// Whether a login attempt failed (so giving up is a failure, not a cancellation).
    pub login_failed: bool,
    /// Whether the institution turned out to be down.
    pub institution_down: bool,
}

impl Progress {
    /// Records the institution the customer chose. Choosing another bank starts over: logging
    /// in to one does not count for another (a failed login anywhere still counts).
    pub fn choose(&mut self, institution_id: &str) {
        if self.institution.as_deref() != Some(institution_id) {
            *self = Progress {
                institution: Some(institution_id.to_owned()),
                login_failed: self.login_failed,
                ..Default::default()
            };
        }
    }

    /// How the attempt ended if the customer finished now.
    pub fn authentication(&self) -> Authentication {
        if self.institution_down {
            Authentication::InstitutionDown
        } else if self.authenticated {
            Authentication::Succeeded
        } else if self.login_failed {
            Authentication::Failed
        } else {
            Authentication::Abandoned
        }
    }
}

/// The SetupIntent a session collects a bank account for (Stripe.js's
/// `collectBankAccountForSetup`), and the billing details its payment method gets. Internal:
/// never rendered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForSetupIntent {
    /// `seti_…`.
    pub setup_intent: String,
    /// `payment_method_data[billing_details]`, with its `name`.
    #[serde(flatten)]
    pub billing_details: BillingDetails,
}

/// A Financial Connections session (`fcsess_…`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Session {
    /// `fcsess_…`.
    pub id: String,
    /// `fcsess_client_secret_…`, the browser's credential for this session.
    pub client_secret: String,
    /// Unix seconds.
    pub created: i64,
    /// Owner of the accounts it links; `None` for two-step flows.
    pub account_holder: Option<AccountHolder>,
    /// Data permissions the customer is asked for.
    pub permissions: Vec<Permission>,
    /// `filters.account_subcategories`; `None` means every kind of account.
    pub account_subcategories: Option<Vec<AccountSubcategory>>,
    /// `filters.country`, as the merchant sent it.
    #[serde(default)]
    pub filter_country: Option<String>,
    /// `limits.accounts`.
    pub limit_accounts: u32,
    /// Set on relink sessions.
    pub relink_options: Option<RelinkOptions>,
    /// Set when a relink session finishes.
    pub relink_result: Option<RelinkResult>,
    /// Where a hosted flow returns to.
    pub return_url: Option<String>,
    /// `status`.
    pub status: SessionStatus,
    /// IDs of the accounts it linked.
    pub accounts: Vec<String>,
    /// The link flow's progress.
    #[serde(default)]
    pub progress: Progress,
    /// `ui_mode`.
    #[serde(default)]
    pub ui_mode: UiMode,
    /// `hosted.delivery_method`, for hosted sessions.
    #[serde(default)]
    pub hosted: Option<DeliveryMethod>,
    /// The hosted page link, for `url` delivery.
    #[serde(default)]
    pub url: Option<String>,
    /// Set when the session collects the payment method of a SetupIntent.
    #[serde(default)]
    pub for_setup_intent: Option<ForSetupIntent>,
}

impl Document for Session {
    const KIND: &'static str = "financial_connections.session";
    fn id(&self) -> &str {
        &self.id
    }
    fn index(&self) -> Index<'_> {
        Index {
            customer: self.account_holder.as_ref().map(AccountHolder::id),
            authorization: self
                .relink_options
                .as_ref()
                .map(|o| o.authorization.as_str()),
            client_secret: Some(&self.client_secret),
        }
    }
}

/// Whether a rendered session shows its client secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientSecret {
    /// The create response: the merchant's server hands the secret to its page.
    Shown,
    /// Every other response to the merchant's server: `client_secret: null`, as Stripe renders
    /// a session it is not creating.
    Null,
    /// The browser's own flow, which already holds the secret: no `client_secret` at all.
    Omitted,
}

/// Accounts per session when `limits[accounts]` is not given: one for relinks (payments and
/// payouts need exactly one), Stripe's maximum otherwise.
const DEFAULT_RELINK_LIMIT: u32 = 1;
const DEFAULT_PLAIN_LIMIT: u32 = 100;

impl Session {
    /// The fields only preview versions show: everything about relinking and hosted relink.
    pub const PREVIEW: PreviewFields = PreviewFields {
        object: "financial_connections.session",
        fields: &[
            "relink_options",
            "relink_result",
            "status",
            "ui_mode",
            "hosted",
            "url",
        ],
    };

    /// Whether the customer may link an account of this kind in this session.
    pub fn is_eligible(&self, subcategory: AccountSubcategory) -> bool {
        let allowed_kind = self
            .account_subcategories
            .as_ref()
            .is_none_or(|kinds| kinds.contains(&subcategory));
        // A payment method can only come from a checking or savings account.
        let usable = !self.permissions.contains(&Permission::PaymentMethod)
            || subcategory.is_payment_eligible();
        allowed_kind && usable
    }

    /// The institution a relink session is fixed to.
    pub fn fixed_institution(&self, tx: &Tx<'_>) -> ApiResult<Option<&'static Institution>> {
        let Some(options) = &self.relink_options else {
            return Ok(None);
        };
        let authorization = tx.fetch::<Authorization>(&options.authorization, None)?;
        institutions::find(&authorization.institution)
            .map(Some)
            .ok_or_else(|| ApiError::internal("authorization at an unknown institution"))
    }

    /// The API representation in `version`; `with_secret` is false for the browser, which
    /// already holds the secret and must not see it echoed into logs or page state, and true
    /// for the create response.
    pub fn to_json(
        &self,
        tx: &Tx<'_>,
        version: &ApiVersion,
        with_secret: bool,
    ) -> ApiResult<Value> {
        let secret = if with_secret {
            ClientSecret::Shown
        } else {
            ClientSecret::Omitted
        };
        self.render(tx, version, secret)
    }

    /// The API representation in `version`, showing the client secret as `secret` says.
    pub fn render(
        &self,
        tx: &Tx<'_>,
        version: &ApiVersion,
        secret: ClientSecret,
    ) -> ApiResult<Value> {
        let linked = account::load_all(tx, &self.accounts)?;
        let mut out = json!({
            "id": self.id,
            "object": "financial_connections.session",
            "account_holder": AccountHolder::to_json(self.account_holder.as_ref()),
            "accounts": list_object(
                linked.iter().map(|a| a.to_json(version)).collect(),
                false,
                "/v1/financial_connections/accounts",
            ),
            "limits": {"accounts": self.limit_accounts},
            "livemode": false,
            "permissions": self.permissions,
            "prefetch": [],
        });
        // Optional in Stripe's declarations, and absent rather than null when unset.
        if self.account_subcategories.is_some() || self.filter_country.is_some() {
            out["filters"] = json!({
                "account_subcategories": self.account_subcategories,
                "country": self.filter_country,
            });
        }
        if let Some(return_url) = &self.return_url {
            out["return_url"] = json!(return_url);
        }
        match secret {
            ClientSecret::Shown => out["client_secret"] = json!(self.client_secret),
            ClientSecret::Null => out["client_secret"] = Value::Null,
            ClientSecret::Omitted => {}
        }
        out["relink_options"] = json!(self.relink_options);
        out["relink_result"] = json!(self.relink_result);
        out["status"] = json!(self.status);
        out["ui_mode"] = json!(self.ui_mode);
        out["hosted"] = json!(self.hosted.map(|d| json!({"delivery_method": d})));
        out["url"] = json!(self.url);
        version.hide_preview_fields(&mut out, &Session::PREVIEW);
        Ok(out)
    }
}

/// What `POST /v1/financial_connections/sessions` asks for, validated against the store.
#[derive(Debug, Clone, Default)]
pub struct NewSession {
    /// `account_holder`: a customer, or a connected account.
    pub account_holder: Option<AccountHolder>,
    /// `permissions[]`.
    pub permissions: Vec<Permission>,
    /// `filters[account_subcategories][]`.
    pub account_subcategories: Option<Vec<AccountSubcategory>>,
    /// `filters[country]`.
    pub filter_country: Option<String>,
    /// `limits[accounts]`.
    pub limit_accounts: Option<u32>,
    /// `relink_options`.
    pub relink_options: Option<RelinkOptions>,
    /// `return_url`.
    pub return_url: Option<String>,
    /// `ui_mode`.
    pub ui_mode: UiMode,
    /// `hosted[delivery_method]`.
    pub hosted: Option<DeliveryMethod>,
    /// The SetupIntent whose payment method the session collects.
    pub for_setup_intent: Option<ForSetupIntent>,
}

/// A relink session repairs an existing authorization of the same holder, and names (if any)
/// an account on that authorization.
fn check_relink_options(
    tx: &Tx<'_>,
    options: &RelinkOptions,
    holder: Option<&AccountHolder>,
) -> ApiResult<()> {
    let authorization = tx.fetch::<Authorization>(
        &options.authorization,
        Some("relink_options[authorization]"),
    )?;
    if let (Some(ours), Some(theirs)) = (holder, &authorization.account_holder)
        && ours != theirs
    {
        let param = match ours {
            AccountHolder::Customer { .. } => "account_holder[customer]",
            AccountHolder::Account { .. } => "account_holder[account]",
        };
        return Err(ApiError::invalid_param(
            param,
            "account_holder must match the account holder of relink_options[authorization].",
        ));
    }
    if let Some(account_id) = &options.account {
        let account = tx.fetch::<Account>(account_id, Some("relink_options[account]"))?;
        if account.authorization != options.authorization {
            return Err(ApiError::invalid_param(
                "relink_options[account]",
                format!(
                    "Account {account_id} does not belong to authorization {}.",
                    options.authorization
                ),
            ));
        }
    }
    Ok(())
}

/// Fails with `resource_missing` unless the holder exists: a customer of the transaction's
/// account, or a connected account of the platform.
pub fn check_account_holder(tx: &Tx<'_>, holder: &AccountHolder) -> ApiResult<()> {
    match holder {
        AccountHolder::Customer { customer } => {
            customer::ensure_exists(tx, customer, "account_holder[customer]")?;
        }
        AccountHolder::Account { account } => {
            connected_account::fetch(tx, account, || {
                ApiError::no_such("account", account, Some("account_holder[account]"))
            })?;
        }
    }
    Ok(())
}

/// Creates a session after checking that everything it names exists and fits together.
pub fn create(tx: &Tx<'_>, new: NewSession) -> ApiResult<Session> {
    if let Some(holder) = &new.account_holder {
        check_account_holder(tx, holder)?;
    }
    if let Some(options) = &new.relink_options {
        check_relink_options(tx, options, new.account_holder.as_ref())?;
    }
    let is_relink = new.relink_options.is_some();
    let default_kinds = vec![AccountSubcategory::Checking, AccountSubcategory::Savings];
    let session = Session {
        id: ids::new_id("fcsess"),
        client_secret: ids::new_session_client_secret(),
        created: clock::now(tx)?,
        account_holder: new.account_holder,
        permissions: new.permissions,
        account_subcategories: new
            .account_subcategories
            .or_else(|| is_relink.then_some(default_kinds)),
        filter_country: new.filter_country,
        limit_accounts: new.limit_accounts.unwrap_or(if is_relink {
            DEFAULT_RELINK_LIMIT
        } else {
            DEFAULT_PLAIN_LIMIT
        }),
        relink_options: new.relink_options,
        relink_result: None,
        return_url: new.return_url,
        status: SessionStatus::Pending,
        accounts: Vec::new(),
        progress: Progress::default(),
        ui_mode: new.ui_mode,
        hosted: new.hosted,
        url: None,
        for_setup_intent: new.for_setup_intent,
    };
    tx.put(&session)?;
    Ok(session)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn the_preview_declaration_names_exactly_the_fields_ga_loses() {
        let store = Store::open(":memory:").unwrap();
        let session = Session {
            id: "fcsess_1".into(),
            client_secret: "fcsess_client_secret_1".into(),
            created: 1,
            account_holder: None,
            permissions: vec![Permission::Balances],
            account_subcategories: None,
            filter_country: None,
            limit_accounts: 1,
            relink_options: None,
            relink_result: None,
            return_url: None,
            status: SessionStatus::Pending,
            accounts: Vec::new(),
            progress: Progress::default(),
            ui_mode: UiMode::Hosted,
            hosted: Some(DeliveryMethod::Url),
            url: Some("http://127.0.0.1:4242/hosted-relink.html#token=hrt_1".into()),
            for_setup_intent: None,
        };
        let render = |version: &str| {
            store
                .transaction(|tx| session.to_json(tx, &ApiVersion(version.into()), true))
                .unwrap()
        };
        let preview = render("2026-04-22.preview");
        let ga = render("2025-03-31.basil");
        for field in Session::PREVIEW.fields {
            assert!(preview.get(field).is_some(), "preview renders {field}");
            assert!(ga.get(field).is_none(), "GA hides {field}");
        }
        let shown = |v: &Value| v.as_object().unwrap().len();
        assert_eq!(shown(&preview) - shown(&ga), Session::PREVIEW.fields.len());
    }
}
