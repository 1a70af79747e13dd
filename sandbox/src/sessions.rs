//! Financial Connections sessions: creating them, retrieving them, and finishing them.
//!
//! A session finishes exactly once, through [`finish`], whether the browser's link flow or the
//! `complete` test helper drives it; both only describe what the customer did and let the
//! [`relink`](crate::relink) rules decide the result.

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use relink::model::{
    AccountStatus, AccountSubcategory, InactiveCause, Permission, RelinkOptions, RelinkResult,
    SessionStatus,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::AppState;
use crate::accounts::{
    self, Account, AccountHolder, Authorization, Inactive, fresh_account_numbers,
};
use crate::auth::SecretKey;
use crate::customers;
use crate::error::{ApiError, ApiResult};
use crate::events;
use crate::form::Params;
use crate::hosted::{self, DeliveryMethod, UiMode};
use crate::ids;
use crate::institutions::{self, Behaviour, Institution};
use crate::list::list_object;
use crate::relink::{Authentication, KnownAccount, Link, decide};
use crate::store::{Document, Index, Tx};
use crate::version::ApiVersion;

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
}

impl Document for Session {
    const KIND: &'static str = "financial_connections.session";
    fn id(&self) -> &str {
        &self.id
    }
    fn index(&self) -> Index<'_> {
        Index {
            customer: self.account_holder.as_ref().map(|h| h.customer.as_str()),
            authorization: self
                .relink_options
                .as_ref()
                .map(|o| o.authorization.as_str()),
            client_secret: Some(&self.client_secret),
        }
    }
}

/// Accounts per session when `limits[accounts]` is not given: one for relinks (payments and
/// payouts need exactly one), Stripe's maximum otherwise.
const DEFAULT_RELINK_LIMIT: u32 = 1;
const DEFAULT_PLAIN_LIMIT: u32 = 100;

impl Session {
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
    /// already holds the secret and must not see it echoed into logs or page state.
    pub fn to_json(
        &self,
        tx: &Tx<'_>,
        version: &ApiVersion,
        with_secret: bool,
    ) -> ApiResult<Value> {
        let linked = accounts::load_all(tx, &self.accounts)?;
        let mut out = json!({
            "id": self.id,
            "object": "financial_connections.session",
            "account_holder": AccountHolder::to_json(self.account_holder.as_ref()),
            "accounts": list_object(
                linked.iter().map(|a| a.to_json(version)).collect(),
                false,
                "/v1/financial_connections/accounts",
            ),
            "filters": self.account_subcategories.as_ref()
                .map(|kinds| json!({"account_subcategories": kinds})),
            "limits": {"accounts": self.limit_accounts},
            "livemode": false,
            "permissions": self.permissions,
            "prefetch": [],
            "return_url": self.return_url,
        });
        if with_secret {
            out["client_secret"] = json!(self.client_secret);
        }
        if version.is_preview() {
            out["relink_options"] = json!(self.relink_options);
            out["relink_result"] = json!(self.relink_result);
            out["status"] = json!(self.status);
            out["ui_mode"] = json!(self.ui_mode);
            out["hosted"] = json!(self.hosted.map(|d| json!({"delivery_method": d})));
            out["url"] = json!(self.url);
        }
        Ok(out)
    }
}

/// Routes under `/v1/financial_connections/sessions`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/financial_connections/sessions", post(create_handler))
        .route("/v1/financial_connections/sessions/{id}", get(retrieve))
}

/// What `POST /v1/financial_connections/sessions` asks for, validated against the store.
#[derive(Debug, Clone, Default)]
pub struct NewSession {
    /// `account_holder[customer]`.
    pub customer: Option<String>,
    /// `permissions[]`.
    pub permissions: Vec<Permission>,
    /// `filters[account_subcategories][]`.
    pub account_subcategories: Option<Vec<AccountSubcategory>>,
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
}

impl NewSession {
    /// Reads the create parameters.
    pub fn from_params(params: &mut Params) -> ApiResult<Self> {
        let holder_type = params.take_str(&["account_holder", "type"])?;
        let customer = params.take_str(&["account_holder", "customer"])?;
        let holder_account = params.take_str(&["account_holder", "account"])?;
        match holder_type.as_deref() {
            None if customer.is_some() => return Err(ApiError::missing("account_holder[type]")),
            None | Some("customer") => {}
            Some("account") => {
                return Err(ApiError::invalid_param(
                    "account_holder[type]",
                    "The sandbox supports customer account holders only.",
                ));
            }
            Some(other) => {
                return Err(ApiError::invalid_param(
                    "account_holder[type]",
                    format!(
                        "Invalid account_holder[type]: must be one of customer, account (got {other})."
                    ),
                ));
            }
        }
        if holder_type.is_some() && customer.is_none() {
            return Err(ApiError::missing("account_holder[customer]"));
        }
        if holder_account.is_some() {
            return Err(ApiError::invalid_param(
                "account_holder[account]",
                "account_holder[account] is only allowed with account_holder[type]=account.",
            ));
        }
        let permissions = params.take_enum_list::<Permission>(&["permissions"])?;
        if permissions.is_empty() {
            return Err(ApiError::missing("permissions"));
        }
        let filters_sent = params.contains(&["filters", "account_subcategories"]);
        let kinds =
            params.take_enum_list::<AccountSubcategory>(&["filters", "account_subcategories"])?;
        let limit_accounts = params.take_u32(&["limits", "accounts"])?;
        if let Some(limit) = limit_accounts
            && !(1..=100).contains(&limit)
        {
            return Err(ApiError::invalid_param(
                "limits[accounts]",
                "limits[accounts] must be between 1 and 100.",
            ));
        }
        let authorization = params.take_str(&["relink_options", "authorization"])?;
        let account = params.take_str(&["relink_options", "account"])?;
        let relink_options = match (authorization, account) {
            (Some(authorization), account) => Some(RelinkOptions {
                authorization,
                account,
            }),
            (None, Some(_)) => return Err(ApiError::missing("relink_options[authorization]")),
            (None, None) => None,
        };
        let return_url = params.take_str(&["return_url"])?;
        let ui_mode = params.take_enum_serde::<UiMode>(&["ui_mode"])?;
        let hosted = params.take_enum_serde::<DeliveryMethod>(&["hosted", "delivery_method"])?;
        let ui_mode = ui_mode.unwrap_or_default();
        match (ui_mode, hosted, &relink_options) {
            (UiMode::Modal, Some(_), _) => {
                return Err(ApiError::invalid_param(
                    "hosted[delivery_method]",
                    "hosted[delivery_method] is only allowed with ui_mode=hosted.",
                ));
            }
            (UiMode::Hosted, None, _) => return Err(ApiError::missing("hosted[delivery_method]")),
            (UiMode::Hosted, Some(_), None) => {
                return Err(ApiError::missing("relink_options[authorization]"));
            }
            (UiMode::Hosted, Some(_), Some(options)) if options.account.is_none() => {
                // The hosted page relinks exactly the account the merchant named.
                return Err(ApiError::missing("relink_options[account]"));
            }
            _ => {}
        }
        Ok(NewSession {
            customer,
            permissions,
            account_subcategories: (filters_sent && !kinds.is_empty()).then_some(kinds),
            limit_accounts,
            relink_options,
            return_url,
            ui_mode,
            hosted,
        })
    }
}

/// Creates a session after checking that everything it names exists and fits together.
pub fn create(tx: &Tx<'_>, new: NewSession) -> ApiResult<Session> {
    if let Some(customer) = &new.customer {
        customers::ensure_exists(tx, customer, "account_holder[customer]")?;
    }
    let is_relink = new.relink_options.is_some();
    if let Some(options) = &new.relink_options {
        let authorization = tx.fetch::<Authorization>(
            &options.authorization,
            Some("relink_options[authorization]"),
        )?;
        if let (Some(ours), Some(theirs)) = (&new.customer, &authorization.account_holder)
            && ours != &theirs.customer
        {
            return Err(ApiError::invalid_param(
                "account_holder[customer]",
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
    }
    let default_kinds = vec![AccountSubcategory::Checking, AccountSubcategory::Savings];
    let session = Session {
        id: ids::new_id("fcsess"),
        client_secret: ids::new_session_client_secret(),
        created: crate::clock::now(tx)?,
        account_holder: new.customer.map(|customer| AccountHolder { customer }),
        permissions: new.permissions,
        account_subcategories: new
            .account_subcategories
            .or_else(|| is_relink.then_some(default_kinds)),
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
    };
    tx.put(&session)?;
    Ok(session)
}

async fn create_handler(
    _: SecretKey,
    version: ApiVersion,
    State(state): State<AppState>,
    mut params: Params,
) -> ApiResult<Json<Value>> {
    let new = NewSession::from_params(&mut params)?;
    params.finish()?;
    let body = state.store.transaction(|tx| {
        let mut session = create(tx, new)?;
        hosted::launch(tx, &state.settings, &mut session)?;
        session.to_json(tx, &version, true)
    })?;
    Ok(Json(body))
}

async fn retrieve(
    _: SecretKey,
    version: ApiVersion,
    State(state): State<AppState>,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Json<Value>> {
    params.finish()?;
    let body = state.store.transaction(|tx| {
        tx.fetch::<Session>(&id, Some("id"))?
            .to_json(tx, &version, true)
    })?;
    Ok(Json(body))
}

/// What the customer did in a session, as far as finishing it is concerned.
#[derive(Debug, Clone)]
pub struct Attempt {
    /// Where they logged in (for relinks, the authorization's institution).
    pub institution: &'static Institution,
    /// How logging in ended.
    pub authentication: Authentication,
    /// Last four digits of the bank accounts they selected.
    pub picked: Vec<String>,
}

/// Checks the picks against what the bank offers and what the session allows.
fn validate_picks(session: &Session, picked: &[String]) -> ApiResult<()> {
    let too_many = u32::try_from(picked.len()).map_or(true, |n| n > session.limit_accounts);
    if too_many {
        return Err(ApiError::invalid_param(
            "accounts",
            format!(
                "This session allows at most {} account(s).",
                session.limit_accounts
            ),
        ));
    }
    for (i, last4) in picked.iter().enumerate() {
        if picked[..i].contains(last4) {
            return Err(ApiError::invalid_param(
                "accounts",
                format!("Account {last4} was selected twice."),
            ));
        }
        let offered = institutions::bank_account(last4).ok_or_else(|| {
            ApiError::invalid_param(
                "accounts",
                format!("The institution has no account ending in {last4}."),
            )
        })?;
        if !session.is_eligible(offered.subcategory) {
            return Err(ApiError::invalid_param(
                "accounts",
                format!(
                    "The account ending in {last4} ({}) is not eligible for this session.",
                    offered.subcategory
                ),
            ));
        }
    }
    Ok(())
}

/// Finishes a pending session: decides the result, links accounts, repairs the authorization.
pub fn finish(tx: &Tx<'_>, mut session: Session, attempt: Attempt) -> ApiResult<Session> {
    if session.status != SessionStatus::Pending {
        return Err(ApiError::token_already_used());
    }
    let authentication = attempt.authentication;
    if authentication == Authentication::Succeeded {
        validate_picks(&session, &attempt.picked)?;
    }
    let now = crate::clock::now(tx)?;
    let known: Vec<Account> = match &session.relink_options {
        Some(options) => tx.by_authorization(&options.authorization)?,
        None => Vec::new(),
    };
    let known_refs: Vec<KnownAccount<'_>> = known
        .iter()
        .map(|a| KnownAccount {
            id: &a.id,
            last4: &a.last4,
            repairable: a.is_repairable(),
        })
        .collect();
    let decision = decide(
        session.relink_options.as_ref(),
        authentication,
        &attempt.picked,
        &known_refs,
    );

    let institution = attempt.institution;
    let goes_inactive =
        session.relink_options.is_none() && institution.behaviour == Behaviour::GoesInactive;
    // A two-step relink session may omit the holder; new accounts then take the
    // authorization's, so they stay with the customer they belong to.
    let mut account_holder = session.account_holder.clone();
    let authorization_id = match &session.relink_options {
        Some(options) => {
            if account_holder.is_none() {
                account_holder = tx
                    .fetch::<Authorization>(&options.authorization, None)?
                    .account_holder;
            }
            Some(options.authorization.clone())
        }
        None if !decision.links.is_empty() => {
            let authorization = Authorization {
                id: ids::new_id("fcauth"),
                created: now,
                account_holder: session.account_holder.clone(),
                institution: institution.id.to_owned(),
                institution_name: institution.name.to_owned(),
                status: if goes_inactive {
                    AccountStatus::Inactive
                } else {
                    AccountStatus::Active
                },
                inactive: goes_inactive.then(|| Inactive::because(InactiveCause::AccessExpired)),
            };
            tx.put(&authorization)?;
            Some(authorization.id)
        }
        None => None,
    };

    let mut linked = Vec::with_capacity(decision.links.len());
    for link in &decision.links {
        let account = match link {
            Link::Existing(id) => {
                let before = tx.fetch::<Account>(id, None)?;
                let mut account = before.clone();
                account.reactivate();
                account.permissions = session.permissions.clone();
                account.account_numbers = fresh_account_numbers(institution, now, true);
                accounts::save_with_event(tx, &before, &account)?;
                linked.push(account.id);
                continue;
            }
            Link::New(last4) => {
                let offered = institutions::bank_account(last4).ok_or_else(|| {
                    ApiError::invalid_param("accounts", format!("No account ending in {last4}."))
                })?;
                let mut account = Account {
                    id: ids::new_id("fca"),
                    created: now,
                    authorization: authorization_id
                        .clone()
                        .ok_or_else(|| ApiError::internal("linking without an authorization"))?,
                    account_holder: account_holder.clone(),
                    institution: institution.id.to_owned(),
                    institution_name: institution.name.to_owned(),
                    display_name: offered.display_name.to_owned(),
                    last4: offered.last4.to_owned(),
                    category: offered.category,
                    subcategory: offered.subcategory,
                    permissions: session.permissions.clone(),
                    status: AccountStatus::Active,
                    inactive: None,
                    account_numbers: fresh_account_numbers(institution, now, false),
                    refreshed: Default::default(),
                };
                if goes_inactive {
                    account.deactivate(InactiveCause::AccessExpired);
                }
                account
            }
        };
        tx.put(&account)?;
        linked.push(account.id);
    }

    if decision.repairs_authorization()
        && let Some(options) = &session.relink_options
    {
        repair_authorization(tx, &options.authorization, &linked)?;
    }

    session.accounts = linked;
    session.relink_result = decision.relink_result;
    session.status = decision.status;
    tx.put(&session)?;
    events::emit(
        tx,
        events::SESSION_UPDATED,
        session.to_json(tx, &ApiVersion::preview(), false)?,
        Some(json!({"status": SessionStatus::Pending})),
    )?;
    Ok(session)
}

/// Reactivates a repaired authorization and the sibling accounts whose trouble was the
/// authorization's; accounts closed or unavailable at the bank stay inactive.
fn repair_authorization(tx: &Tx<'_>, authorization_id: &str, linked: &[String]) -> ApiResult<()> {
    let mut authorization = tx.fetch::<Authorization>(authorization_id, None)?;
    authorization.status = AccountStatus::Active;
    authorization.inactive = None;
    tx.put(&authorization)?;
    for mut sibling in tx.by_authorization::<Account>(authorization_id)? {
        let repairable = sibling.status == AccountStatus::Inactive
            && sibling
                .inactive
                .is_some_and(|i| i.cause.is_authorization_level());
        if repairable && !linked.contains(&sibling.id) {
            let before = sibling.clone();
            sibling.reactivate();
            accounts::save_with_event(tx, &before, &sibling)?;
        }
    }
    Ok(())
}
