//! The `relink-sandbox` binary: parse flags, set up logging, run.

use clap::Parser;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let config = relink_sandbox::config::Config::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("relink_sandbox=info,tower_http=info")),
        )
        .with_writer(std::io::stderr)
        .init();
    match relink_sandbox::run(config).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("relink-sandbox: {err}");
            std::process::ExitCode::FAILURE
        }
    }
}
