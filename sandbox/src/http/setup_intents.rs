//! `/v1/setup_intents`: the merchant's server creates a SetupIntent with the secret key; the
//! browser retrieves and confirms it with the publishable key plus the SetupIntent's client
//! secret.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::routing::{get, post};
use axum::{Json, Router};
use relink::model::Permission;
use serde_json::Value;

use crate::auth::{AnyKey, Scope, SecretKey};
use crate::error::{ApiError, ApiResult};
use crate::form::Params;
use crate::http::state::AppState;
use crate::objects::billing_details::BillingDetails;
use crate::objects::mandate::Acceptance;
use crate::objects::payment_method::PaymentMethod;
use crate::objects::setup_intent::{SetupIntent, Usage, debits};
use crate::store::Tx;
use crate::workflows::payment_setup::{
    self, NewIntent, PaymentMethodData, Replacement, confirm, replace_payment_method,
};

/// Routes under `/v1/setup_intents`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/setup_intents", post(create))
        .route("/v1/setup_intents/{id}", get(retrieve))
        // A sandbox extension for the Stripe.js drop-in: retrieve with the client secret in the
        // body, where it stays out of URLs and request logs.
        .route("/v1/setup_intents/{id}/retrieve", post(retrieve))
        .route("/v1/setup_intents/{id}/confirm", post(confirm_handler))
}

/// The browser that is confirming is where a mandate's online acceptance comes from.
impl<S: Send + Sync> FromRequestParts<S> for Acceptance {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let forwarded = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(|ip| ip.trim().to_owned());
        let socket = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip().to_string());
        let user_agent = parts
            .headers
            .get(axum::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("unknown")
            .to_owned();
        Ok(Acceptance {
            ip_address: forwarded
                .or(socket)
                .unwrap_or_else(|| "127.0.0.1".to_owned()),
            user_agent,
        })
    }
}

fn take_payment_method_data(params: &mut Params) -> ApiResult<Option<PaymentMethodData>> {
    if !params.contains(&["payment_method_data"]) {
        return Ok(None);
    }
    match params
        .take_str(&["payment_method_data", "type"])?
        .as_deref()
    {
        Some("us_bank_account") => {}
        None => return Err(ApiError::missing("payment_method_data[type]")),
        Some(other) => {
            return Err(ApiError::invalid_param(
                "payment_method_data[type]",
                format!("The sandbox supports us_bank_account payment methods only (got {other})."),
            ));
        }
    }
    let financial_connections_account = params.require_str(&[
        "payment_method_data",
        "us_bank_account",
        "financial_connections_account",
    ])?;
    Ok(Some(PaymentMethodData {
        financial_connections_account,
        billing_details: BillingDetails::take(params, &["payment_method_data", "billing_details"])?,
    }))
}

/// `mandate_data`: explicit acceptance from the server, or `infer_from_client` from Stripe.js.
fn take_mandate_data(params: &mut Params, client: &Acceptance) -> ApiResult<Option<Acceptance>> {
    if !params.contains(&["mandate_data"]) {
        return Ok(None);
    }
    let base = ["mandate_data", "customer_acceptance"];
    match params.take_str(&[base[0], base[1], "type"])?.as_deref() {
        Some("online") => {}
        None => return Err(ApiError::missing("mandate_data[customer_acceptance][type]")),
        Some(other) => {
            return Err(ApiError::invalid_param(
                "mandate_data[customer_acceptance][type]",
                format!("The sandbox supports online acceptance only (got {other})."),
            ));
        }
    }
    let online = |field| [base[0], base[1], "online", field];
    let infer = params
        .take_bool(&online("infer_from_client"))?
        .unwrap_or(false);
    let ip = params.take_str(&online("ip_address"))?;
    let ua = params.take_str(&online("user_agent"))?;
    if infer {
        return Ok(Some(client.clone()));
    }
    Ok(Some(Acceptance {
        ip_address: ip.ok_or_else(|| {
            ApiError::missing("mandate_data[customer_acceptance][online][ip_address]")
        })?,
        user_agent: ua.ok_or_else(|| {
            ApiError::missing("mandate_data[customer_acceptance][online][user_agent]")
        })?,
    }))
}

pub(crate) async fn create(
    _: SecretKey,
    scope: Scope,
    client: Acceptance,
    State(state): State<AppState>,
    mut params: Params,
) -> ApiResult<Json<Value>> {
    let customer = params.take_str(&["customer"])?;
    check_payment_method_types(&mut params)?;
    let payment_method_data = take_payment_method_data(&mut params)?;
    let payment_method = params.take_str(&["payment_method"])?;
    let flow_directions = read_flow_directions(&mut params)?;
    let confirm_now = params.take_bool(&["confirm"])?.unwrap_or(false);
    let acceptance = take_mandate_data(&mut params, &client)?;
    let financial_connections_permissions = read_financial_connections_permissions(&mut params)?;
    let usage = params
        .take_enum_serde::<Usage>(&["usage"])?
        .unwrap_or_default();
    let expand = Expand::parse(params.take_expand()?)?;
    params.finish()?;
    if payment_method_data.is_some() && payment_method.is_some() {
        return Err(ApiError::invalid(
            "Pass either payment_method or payment_method_data, not both.",
        ));
    }
    let needs_mandate = debits((!flow_directions.is_empty()).then_some(&flow_directions[..]));
    if confirm_now && needs_mandate && acceptance.is_none() {
        return Err(ApiError::missing("mandate_data"));
    }
    let new = NewIntent {
        customer,
        payment_method_data,
        payment_method,
        flow_directions,
        confirm: confirm_now.then(|| acceptance.filter(|_| needs_mandate)),
        financial_connections_permissions,
        usage,
    };
    let body = state.transaction(&scope, |tx| {
        let intent = payment_setup::create_intent(tx, new)?;
        expand.render(tx, &intent)
    })?;
    Ok(Json(body))
}

/// `payment_method_types[]`: the sandbox has bank accounts only.
fn check_payment_method_types(params: &mut Params) -> ApiResult<()> {
    for kind in params.take_list(&["payment_method_types"])? {
        if kind != "us_bank_account" {
            return Err(ApiError::invalid_param(
                "payment_method_types",
                format!("The sandbox supports us_bank_account only (got {kind})."),
            ));
        }
    }
    Ok(())
}

/// `payment_method_options[us_bank_account][financial_connections][permissions][]`: the data
/// the customer shares when the browser collects the account. As on Stripe, a payment method
/// needs `payment_method` among them.
fn read_financial_connections_permissions(
    params: &mut Params,
) -> ApiResult<Option<Vec<Permission>>> {
    const PATH: [&str; 4] = [
        "payment_method_options",
        "us_bank_account",
        "financial_connections",
        "permissions",
    ];
    if !params.contains(&PATH) {
        return Ok(None);
    }
    let permissions = params.take_enum_list::<Permission>(&PATH)?;
    if !permissions.contains(&Permission::PaymentMethod) {
        return Err(ApiError::invalid_param(
            "payment_method_options[us_bank_account][financial_connections][permissions]",
            "permissions must include payment_method: the collected account becomes a payment method.",
        ));
    }
    Ok(Some(permissions))
}

/// `flow_directions[]`: `inbound` (debits) and/or `outbound` (payouts).
fn read_flow_directions(params: &mut Params) -> ApiResult<Vec<String>> {
    let flow_directions = params.take_list(&["flow_directions"])?;
    for direction in &flow_directions {
        if direction != "inbound" && direction != "outbound" {
            return Err(ApiError::invalid_param(
                "flow_directions",
                format!("Invalid flow_directions: must be inbound or outbound (got {direction})."),
            ));
        }
    }
    Ok(flow_directions)
}

/// The `expand[]` paths a SetupIntent supports: its payment method, which is what a mandate
/// form needs to name the bank and the last four digits.
#[derive(Debug, Clone, Copy, Default)]
struct Expand {
    payment_method: bool,
}

impl Expand {
    fn parse(paths: Vec<String>) -> ApiResult<Self> {
        let mut expand = Expand::default();
        for path in paths {
            match path.as_str() {
                "payment_method" => expand.payment_method = true,
                other => {
                    return Err(ApiError::invalid_param(
                        "expand",
                        format!("This property cannot be expanded ({other})."),
                    ));
                }
            }
        }
        Ok(expand)
    }

    fn render(self, tx: &Tx<'_>, intent: &SetupIntent) -> ApiResult<Value> {
        let mut body = intent.to_json();
        if let (true, Some(id)) = (self.payment_method, &intent.payment_method) {
            body["payment_method"] = tx.fetch::<PaymentMethod>(id, None)?.to_json(tx)?;
        }
        Ok(body)
    }
}

/// Loads a SetupIntent, holding the browser to the client secret that goes with it.
fn load_for(
    tx: &Tx<'_>,
    id: &str,
    key: AnyKey,
    client_secret: Option<&str>,
) -> ApiResult<SetupIntent> {
    let intent = tx.fetch::<SetupIntent>(id, Some("intent"))?;
    if key == AnyKey::Publishable {
        let secret = client_secret.ok_or_else(|| ApiError::missing("client_secret"))?;
        if secret != intent.client_secret {
            return Err(ApiError::invalid_param(
                "client_secret",
                "The client_secret provided does not match the client_secret associated with \
                 the SetupIntent.",
            ));
        }
    }
    Ok(intent)
}

/// Runs `f` for the request's account; but the browser (the publishable key) names the
/// SetupIntent by its client secret and sends no `Stripe-Account`, so it acts for the intent's
/// own account.
fn transaction_for<T>(
    state: &AppState,
    key: AnyKey,
    scope: &Scope,
    client_secret: Option<&str>,
    f: impl FnOnce(&Tx<'_>) -> ApiResult<T>,
) -> ApiResult<T> {
    match (key, client_secret) {
        (AnyKey::Publishable, Some(secret)) if scope.account().is_none() => {
            state.transaction_for_client_secret::<SetupIntent, _>(secret, f)
        }
        _ => state.transaction(scope, f),
    }
}

async fn retrieve(
    key: AnyKey,
    scope: Scope,
    State(state): State<AppState>,
    Path(id): Path<String>,
    mut params: Params,
) -> ApiResult<Json<Value>> {
    let client_secret = params.take_str(&["client_secret"])?;
    let expand = Expand::parse(params.take_expand()?)?;
    params.finish()?;
    let body = transaction_for(&state, key, &scope, client_secret.as_deref(), |tx| {
        let intent = load_for(tx, &id, key, client_secret.as_deref())?;
        expand.render(tx, &intent)
    })?;
    Ok(Json(body))
}

async fn confirm_handler(
    key: AnyKey,
    scope: Scope,
    client: Acceptance,
    State(state): State<AppState>,
    Path(id): Path<String>,
    mut params: Params,
) -> ApiResult<Json<Value>> {
    let client_secret = params.take_str(&["client_secret"])?;
    let data = take_payment_method_data(&mut params)?;
    let payment_method = params.take_str(&["payment_method"])?;
    let acceptance = take_mandate_data(&mut params, &client)?;
    params.take_url(&["return_url"])?;
    let expand = Expand::parse(params.take_expand()?)?;
    params.finish()?;
    // Either replaces the intent's payment method, as on Stripe.
    let replacement = match (data, payment_method) {
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid(
                "Pass either payment_method or payment_method_data, not both.",
            ));
        }
        (Some(data), None) => Some(Replacement::Data(Box::new(data))),
        (None, Some(id)) => Some(Replacement::Existing(id)),
        (None, None) => None,
    };
    let body = transaction_for(&state, key, &scope, client_secret.as_deref(), |tx| {
        let mut intent = load_for(tx, &id, key, client_secret.as_deref())?;
        // The browser's own request is the customer's acceptance; the server must say whose.
        let acceptance = match (acceptance, key) {
            _ if !debits(intent.flow_directions.as_deref()) => None,
            (Some(acceptance), _) => Some(acceptance),
            (None, AnyKey::Publishable) => Some(client),
            (None, AnyKey::Secret) => return Err(ApiError::missing("mandate_data")),
        };
        if let Some(replacement) = replacement {
            replace_payment_method(tx, &mut intent, replacement)?;
        }
        let intent = confirm(tx, intent, acceptance)?;
        expand.render(tx, &intent)
    })?;
    Ok(Json(body))
}
