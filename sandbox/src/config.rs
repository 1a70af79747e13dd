//! Command-line and environment configuration.

use std::net::SocketAddr;
use std::path::PathBuf;

/// The secret key the sandbox accepts unless told otherwise. Test-mode shaped and public on
/// purpose: the sandbox guards nothing real.
pub const DEFAULT_SECRET_KEY: &str = "sk_test_relinksandbox000000000000";
/// The publishable key the sandbox accepts unless told otherwise.
pub const DEFAULT_PUBLISHABLE_KEY: &str = "pk_test_relinksandbox000000000000";
/// The API version responses use when a request sends no `Stripe-Version`.
pub const DEFAULT_API_VERSION: &str = "2026-04-22.preview";
/// The team email hosted relink emails may go to unless told otherwise: the demo customer's.
pub const DEFAULT_TEAM_EMAIL: &str = "jenny.rosen@example.com";
/// The merchant name the link flow shows.
pub const DEFAULT_MERCHANT_NAME: &str = "Rocket Rides";

/// A local, stateful, Stripe-compatible Financial Connections server for testing relink.
#[derive(Debug, Clone, clap::Parser)]
#[command(name = "relink-sandbox", version, about)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "RELINK_SANDBOX_ADDR", default_value = "127.0.0.1:4242")]
    pub addr: SocketAddr,

    /// SQLite database file, or `:memory:` for a throwaway sandbox.
    #[arg(long, env = "RELINK_SANDBOX_DB", default_value = "relink-sandbox.db")]
    pub db: String,

    /// Secret API key server endpoints accept (`Authorization: Bearer sk_…`).
    #[arg(long, env = "RELINK_SECRET_KEY", default_value = DEFAULT_SECRET_KEY)]
    pub secret_key: String,

    /// Publishable key the browser-facing link flow accepts.
    #[arg(long, env = "RELINK_PUBLISHABLE_KEY", default_value = DEFAULT_PUBLISHABLE_KEY)]
    pub publishable_key: String,

    /// Directory of the demo site, served at `/`.
    #[arg(long, env = "RELINK_SANDBOX_WWW", default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../www"))]
    pub www: PathBuf,

    /// Directory of the built npm package, served at `/pkg/`.
    #[arg(long, env = "RELINK_SANDBOX_PKG", default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../pkg"))]
    pub pkg: PathBuf,

    /// Merchant name shown in the link flow.
    #[arg(long, env = "RELINK_MERCHANT_NAME", default_value = DEFAULT_MERCHANT_NAME)]
    pub merchant_name: String,

    /// Base URL of the sandbox as browsers reach it, for hosted relink links
    /// (default: `http://<addr>`).
    #[arg(long, env = "RELINK_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Team email addresses hosted relink emails may go to (as in Stripe's sandboxes, which
    /// only email confirmed team members). Repeat the flag or separate with commas.
    #[arg(
        long = "team-email",
        env = "RELINK_TEAM_EMAILS",
        value_delimiter = ',',
        default_value = DEFAULT_TEAM_EMAIL
    )]
    pub team_emails: Vec<String>,

    /// Origins besides localhost (and the sandbox itself) whose pages may call the API from a
    /// browser, e.g. `https://dev.example.com`. Repeat the flag or separate with commas.
    #[arg(
        long = "cors-origin",
        env = "RELINK_CORS_ORIGINS",
        value_delimiter = ','
    )]
    pub cors_origins: Vec<String>,

    /// PEM file of CA certificates to trust for `https://` webhook endpoints besides Mozilla's
    /// public roots, e.g. mkcert's `rootCA.pem` for a local TLS endpoint.
    #[arg(long, env = "RELINK_WEBHOOK_CA_FILE")]
    pub webhook_ca_file: Option<PathBuf>,

    /// What to do; serving is the default.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Commands other than serving.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum Command {
    /// Fill the database with linked test accounts and exit (for benchmarks and load tests).
    Seed {
        /// How many accounts to add: customers with four accounts each, in varied states
        /// (mostly active; some inactive, some closed, some with expiring account numbers).
        #[arg(long, default_value_t = 0)]
        accounts: u32,
    },
}

impl Config {
    /// Checks what clap cannot: keys must look like test-mode keys of the right kind.
    pub fn validate(&self) -> Result<(), String> {
        if !self.secret_key.starts_with("sk_test_") {
            return Err("--secret-key must start with sk_test_".into());
        }
        if !self.publishable_key.starts_with("pk_test_") {
            return Err("--publishable-key must start with pk_test_".into());
        }
        Ok(())
    }
}

/// What handlers need to know about the configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Accepted secret key.
    pub secret_key: String,
    /// Accepted publishable key.
    pub publishable_key: String,
    /// Merchant name shown in the link flow.
    pub merchant_name: String,
    /// Directory served at `/`.
    pub www: PathBuf,
    /// Directory served at `/pkg/`.
    pub pkg: PathBuf,
    /// Base URL browsers reach the sandbox at.
    pub public_url: String,
    /// Addresses hosted relink emails may go to.
    pub team_emails: Vec<String>,
    /// Extra origins allowed by CORS (localhost and the public URL always are).
    pub cors_origins: Vec<String>,
}

impl Settings {
    /// Settings with the default keys and no static directories, for tests.
    pub fn for_tests() -> Self {
        Settings {
            secret_key: DEFAULT_SECRET_KEY.into(),
            publishable_key: DEFAULT_PUBLISHABLE_KEY.into(),
            merchant_name: DEFAULT_MERCHANT_NAME.into(),
            www: PathBuf::from("/nonexistent/www"),
            pkg: PathBuf::from("/nonexistent/pkg"),
            public_url: "http://127.0.0.1:4242".into(),
            team_emails: vec![DEFAULT_TEAM_EMAIL.into()],
            cors_origins: Vec::new(),
        }
    }
}

impl From<&Config> for Settings {
    fn from(config: &Config) -> Self {
        Settings {
            secret_key: config.secret_key.clone(),
            publishable_key: config.publishable_key.clone(),
            merchant_name: config.merchant_name.clone(),
            www: config.www.clone(),
            pkg: config.pkg.clone(),
            public_url: config
                .public_url
                .clone()
                .unwrap_or_else(|| format!("http://{}", config.addr))
                .trim_end_matches('/')
                .to_owned(),
            team_emails: config.team_emails.clone(),
            cors_origins: config
                .cors_origins
                .iter()
                .map(|origin| origin.trim_end_matches('/').to_owned())
                .collect(),
        }
    }
}
