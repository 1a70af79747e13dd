//! relink-sandbox: a local, stateful, Stripe-compatible Financial Connections server.
//!
//! It speaks Stripe's REST shapes (form-encoded bracket parameters, JSON objects, Stripe's
//! error envelope, `Stripe-Version` preview rendering), so the official SDKs work against it by
//! changing only the base URL, and it adds test institutions and test helpers that drive every
//! relink path offline and deterministically.
//!
//! Map of the crate, in layers. A module imports only from its own layer or the ones above it
//! in this list (`tests/architecture.rs` checks that, and that no imports go round in a cycle):
//!
//! Leaves, which need nothing but each other:
//! - [`error`]: the one error type, rendered as Stripe's error envelope.
//! - [`ids`]: object IDs with Stripe's prefixes.
//! - [`config`]: command line and environment.
//! - [`store`]: SQLite persistence (a JSON document per object, owned by the platform or a
//!   connected account; embedded migrations).
//! - [`clock`]: the sandbox clock tests can advance.
//! - [`form`]: Stripe's bracket-notation form decoding.
//! - [`version`]: `Stripe-Version`: which versions exist, and what a GA version does not show.
//! - [`auth`]: API keys, and the connected account a request acts for (`Stripe-Account`), as
//!   extractors.
//! - [`list`]: list objects and cursor pagination.
//! - [`outbox`]: what the sandbox sends out: webhook deliveries and relink emails.
//! - [`idempotency`]: the stored responses `Idempotency-Key` replays.
//! - [`redact`]: what logs may show of URLs and keys.
//!
//! [`objects`]: the API objects, their rules and their rendering:
//! - [`objects::customer`], [`objects::account`], [`objects::authorization`],
//!   [`objects::session`]: who links, what is linked, the credentials, the linking.
//! - [`objects::account_holder`], [`objects::status_details`], [`objects::account_numbers`]:
//!   what accounts and authorizations share: their holder, why or when they stop working, and
//!   their (tokenized) account numbers.
//! - [`objects::setup_intent`], [`objects::payment_method`], [`objects::billing_details`],
//!   [`objects::mandate`], [`objects::token`]: payment methods (and their billing details),
//!   mandates and payout tokens made from accounts.
//! - [`objects::webhook_endpoint`], [`objects::event`]: where events go, and what changed.
//! - [`objects::event_types`]: Stripe's event catalog, which `enabled_events[]` may name.
//! - [`objects::connected_account`], [`objects::bank_account`]: Connect's connected accounts,
//!   and the bank accounts their payouts go to.
//! - [`objects::institutions`]: the test banks and their behaviour.
//! - [`objects::relink_rules`]: what a finished session links and what `relink_result` says.
//! - [`objects::hosted_rules`]: which accounts may get a hosted relink link.
//!
//! [`workflows`]: steps that change several objects in one transaction:
//! - [`workflows::finish_session`]: what the customer did becomes accounts and a result.
//! - [`workflows::account_status`]: deactivating, disconnecting, repairing, with their events.
//! - [`workflows::time`]: the clock moving, and everything that falls due with it.
//! - [`workflows::tan_expiry`]: TANs expiring.
//! - [`workflows::expected_deactivation`]: proactive relink, connections known to stop on a
//!   date.
//! - [`workflows::hosted_relink`]: creating a session and delivering its hosted link.
//! - [`workflows::payment_setup`]: payment methods and SetupIntent confirmation.
//! - [`workflows::payouts`]: a bank account token becoming a connected account's external
//!   account.
//! - [`workflows::webhook_delivery`]: signed, retried, persistent webhook delivery over
//!   `http://` and `https://`.
//! - [`workflows::seed`]: the demo data and the `seed` command's bulk data.
//!
//! [`http`]: one router per resource, thin handlers:
//! - [`http::state`]: what every handler shares ([`AppState`]).
//! - [`http::idempotency`]: the `Idempotency-Key` middleware.
//! - [`http::rejections`]: Stripe's JSON envelope for what the handlers never see.
//! - [`http::customers`], [`http::sessions`], [`http::accounts`], [`http::setup_intents`],
//!   [`http::payment_methods`], [`http::tokens`], [`http::webhook_endpoints`],
//!   [`http::events`], [`http::connected_accounts`]: Stripe's REST resources.
//! - [`http::link_flow`], [`http::hosted`]: the browser-facing API the relink component and the
//!   hosted relink page call, at the paths `relink::wire::Endpoint` names.
//! - [`http::stripe_js`]: the Stripe.js drop-in script, at `/v3/`.
//!
//! At the top, composing everything:
//! - [`test_helpers`]: the `/v1/test_helpers/` control plane.
//! - [`demo`]: the demo merchant backend.
//! - this crate root: [`app`] and [`run`].
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use relink_sandbox::{AppState, app, config::Settings, store::Store};
//!
//! let state = AppState::new(Store::open(":memory:")?, Settings::for_tests())?;
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! axum::serve(listener, app(state)).await?;
//! # Ok(()) }
//! ```

pub mod auth;
pub mod clock;
pub mod config;
pub mod demo;
pub mod error;
pub mod form;
pub mod http;
pub mod idempotency;
pub mod ids;
pub mod list;
pub mod objects;
pub mod outbox;
pub mod redact;
pub mod store;
pub mod test_helpers;
pub mod version;
pub mod workflows;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use tracing::Instrument;

use crate::config::{Config, DEFAULT_SECRET_KEY, Settings};
use crate::error::ApiError;
use crate::http::rejections::{self, unrecognized_url};
pub use crate::http::state::AppState;
use crate::objects::institutions;
use crate::store::Store;
use crate::workflows::{seed, webhook_delivery};

/// The header every response carries so a request can be found in logs.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("request-id");

/// The Content-Security-Policy of the pages the sandbox serves from `--www`.
pub const PAGE_CSP: &str =
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'";

/// The whole HTTP application.
pub fn app(state: AppState) -> Router {
    let cors = cors(&state.settings);
    // Missing files (and missing directories) get the JSON 404, like every unknown URL.
    let not_found = tower::service_fn(|req: Request| async move {
        Ok::<_, std::convert::Infallible>(unrecognized_url(req.method(), req.uri().path()))
    });
    let pkg = ServeDir::new(&state.settings.pkg)
        .call_fallback_on_method_not_allowed(true)
        .fallback(not_found);
    let www = ServeDir::new(&state.settings.www)
        .call_fallback_on_method_not_allowed(true)
        .fallback(not_found);
    // The demo and hosted pages run under the strict policy a careful merchant would set, so
    // every browser test proves the component needs no inline script or style.
    let www = tower::ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(PAGE_CSP),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .service(www);
    Router::new()
        .route("/healthz", get(healthz))
        .merge(http::router())
        .merge(test_helpers::router())
        .merge(demo::router())
        .method_not_allowed_fallback(method_not_allowed)
        .nest_service("/pkg", pkg)
        .fallback_service(www)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            http::idempotency::middleware,
        ))
        .with_state(state.clone())
        .layer(DefaultBodyLimit::max(form::MAX_BODY_BYTES))
        .layer(version::CheckVersionLayer::new(state.store))
        .layer(cors)
        .layer(TraceLayer::new_for_http().make_span_with(http_span))
        .layer(rejections::JsonRejectionsLayer)
        .layer(middleware::from_fn(request_id))
}

/// The span `tower_http` logs each request in: its URI with every secret redacted (Stripe.js
/// sends `client_secret` in query strings).
fn http_span(req: &Request) -> tracing::Span {
    tracing::debug_span!(
        "http",
        method = %req.method(),
        uri = %redact::uri(req.uri()),
        version = ?req.version(),
    )
}

async fn healthz() -> &'static str {
    "ok"
}

async fn method_not_allowed(req: Request) -> Response {
    unrecognized_url(req.method(), req.uri().path())
}

/// Gives every response a fresh `Request-Id: req_…`.
async fn request_id(req: Request, next: Next) -> Response {
    let id = ids::new_id("req");
    let span = tracing::info_span!("request", request_id = %id);
    let mut response = next.run(req).instrument(span).await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    response
}

/// CORS for pages served from localhost (the demo, a merchant's dev server); the sandbox is a
/// development tool and has no business answering other origins.
fn cors(settings: &Settings) -> CorsLayer {
    // The sandbox's own public URL and any configured origins, besides every localhost.
    let mut allowed = settings.cors_origins.clone();
    allowed.push(settings.public_url.clone());
    CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(move |origin, _| {
            origin
                .to_str()
                .is_ok_and(|origin| is_local_origin(origin) || allowed.iter().any(|a| a == origin))
        }))
        .allow_methods([Method::GET, Method::POST, Method::DELETE])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            HeaderName::from_static("stripe-version"),
            HeaderName::from_static("idempotency-key"),
        ])
        .expose_headers([REQUEST_ID])
}

fn is_local_origin(origin: &str) -> bool {
    let Some(rest) = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
    else {
        return false;
    };
    let host = if rest.starts_with('[') {
        rest.split_once(']')
            .map_or(rest, |(h, _)| h)
            .trim_start_matches('[')
    } else {
        rest.split(':').next().unwrap_or(rest)
    };
    matches!(host, "localhost" | "127.0.0.1" | "::1") || host.ends_with(".localhost")
}

/// Why the sandbox could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// Flags that make no sense.
    #[error("{0}")]
    Config(String),
    /// The database could not be opened.
    #[error(transparent)]
    Database(#[from] store::OpenError),
    /// The `--webhook-ca-file` cannot be used.
    #[error(transparent)]
    WebhookTrust(#[from] webhook_delivery::TrustError),
    /// Seeding failed.
    #[error("cannot seed the database: {0}")]
    Seed(ApiError),
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: std::net::SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The server stopped with an error.
    #[error("server error: {0}")]
    Serve(std::io::Error),
}

/// Opens the database, prints the banner and serves until Ctrl-C or SIGTERM.
pub async fn run(config: Config) -> Result<(), StartError> {
    config.validate().map_err(StartError::Config)?;
    let webhooks = webhook_delivery::Client::new(config.webhook_ca_file.as_deref())?;
    let store = Store::open(&config.db)?;
    let state = AppState::new(store, Settings::from(&config)).map_err(StartError::Seed)?;
    if let Some(config::Command::Seed { accounts }) = config.command {
        return seed::in_batches(&state.store, accounts as usize, &config.db)
            .map_err(StartError::Seed);
    }
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|source| StartError::Bind {
            addr: config.addr,
            source,
        })?;
    let addr = listener.local_addr().unwrap_or(config.addr);
    let shutdown = shutdown_signal();
    print_banner(&config, addr);
    // One shutdown signal, shared by the server and the webhook worker.
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let worker = tokio::spawn(webhook_delivery::run_worker(
        state.store.clone(),
        webhooks,
        {
            let mut stopped = stopped.clone();
            async move {
                let _ = stopped.wait_for(|s| *s).await;
            }
        },
    ));
    // Connection info gives mandates the customer's real IP address.
    let service = app(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let served = axum::serve(listener, service)
        .with_graceful_shutdown(async move {
            shutdown.await;
            let _ = stop.send(true);
        })
        .await;
    // Undelivered webhooks stay queued in the database for the next start.
    let _ = worker.await;
    served.map_err(StartError::Serve)?;
    tracing::info!("sandbox stopped");
    Ok(())
}

fn print_banner(config: &Config, addr: std::net::SocketAddr) {
    println!("relink sandbox listening on http://{addr}");
    println!("  database         {}", config.db);
    // The documented default is public; a key of the merchant's own is not printed whole.
    let secret_key = if config.secret_key == DEFAULT_SECRET_KEY {
        config.secret_key.clone()
    } else {
        redact::key(&config.secret_key)
    };
    println!("  secret key       {secret_key}");
    println!("  publishable key  {}", config.publishable_key);
    if let Some(ca_file) = &config.webhook_ca_file {
        println!("  webhook CA file  {}", ca_file.display());
    }
    println!(
        "  test institutions (password {}, MFA code {}):",
        institutions::TEST_PASSWORD,
        institutions::TEST_MFA_CODE
    );
    for institution in institutions::ALL {
        println!("    {:<34} {}", institution.id, institution.name);
    }
    if config.www.join("index.html").is_file() {
        println!("  demo merchant    http://{addr}/  (script tag: /script.html)");
        println!("  dashboard        http://{addr}/dashboard.html");
    }
    if !config.pkg.join("dist").is_dir() {
        println!(
            "  note             {} has no dist/: run ./dev build-wasm for the component",
            config.pkg.display()
        );
    }
}

/// Resolves on Ctrl-C or SIGTERM. The handlers are installed when this is called, not when
/// the future is first polled, so a signal that comes as soon as the banner is out (a test, a
/// supervisor) still shuts down gracefully instead of killing the process.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let signals = {
        use tokio::signal::unix::{SignalKind, signal};
        (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        )
    };
    async move {
        #[cfg(unix)]
        match signals {
            (Ok(mut interrupt), Ok(mut terminate)) => {
                tokio::select! {
                    _ = interrupt.recv() => {},
                    _ = terminate.recv() => {},
                }
            }
            _ => std::future::pending::<()>().await,
        }
        #[cfg(not(unix))]
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
        tracing::info!("shutting down");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_origins_get_cors() {
        assert!(is_local_origin("http://localhost:5173"));
        assert!(is_local_origin("http://127.0.0.1:4242"));
        assert!(is_local_origin("http://[::1]:8080"));
        assert!(is_local_origin("http://app.localhost"));
        assert!(!is_local_origin("https://evil.example"));
        assert!(!is_local_origin("http://localhost.evil.example"));
        assert!(!is_local_origin("null"));
    }
}
