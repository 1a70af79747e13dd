//! Signed, retried, persistent webhook delivery.
//!
//! Every event is queued in the [`outbox`] for each endpoint that wants it, in
//! the same transaction that records the event, so a delivery cannot be lost by a crash or a
//! restart. A background worker posts due deliveries signed the way Stripe signs them
//! (`Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`), and retries
//! failures with exponential backoff. Payloads are rendered in the endpoint's `api_version`,
//! so a GA endpoint does not see preview fields — the case the seeds' webhook sample checks.
//!
//! Deliveries go through one [`Client`] for the worker's lifetime (hyper's, over rustls), to
//! `http://` and `https://` endpoints alike, as HTTP/1.1 POSTs that follow no redirect. A 2xx
//! answer is a delivery; any other status, a connection or TLS failure, or no answer within
//! [`TIMEOUT`] is an attempt to retry, and what went wrong is written in the delivery log.

use std::error::Error as StdError;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use hmac::{Hmac, Mac};
use http_body_util::{BodyExt, Full, Limited};
use hyper::Request;
use hyper::body::Bytes;
use hyper::header::{CONTENT_TYPE, HeaderName, USER_AGENT};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use rustls::{CertificateError, ClientConfig, RootCertStore};
use sha2::Sha256;

use crate::clock;
use crate::error::ApiResult;
use crate::ids;
use crate::objects::event::Event;
use crate::objects::webhook_endpoint::WebhookEndpoint;
use crate::outbox::{self, Delivery};
use crate::redact;
use crate::store::{Store, Tx};
use crate::version::ApiVersion;

/// How long an endpoint has to answer an attempt, connecting and TLS included.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// How much of a response body is read (so that the connection can be reused); the status is
/// all that counts, and a larger body only costs the connection.
const MAX_RESPONSE_BODY: usize = 64 * 1024;

const STRIPE_SIGNATURE: HeaderName = HeaderName::from_static("stripe-signature");

/// The `Stripe-Signature` header for `body` signed at `timestamp`.
pub fn signature_header(secret: &str, timestamp: i64, body: &str) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        // HMAC takes keys of any length; this arm cannot run.
        Err(_) => return format!("t={timestamp}"),
    };
    mac.update(format!("{timestamp}.{body}").as_bytes());
    let signature = hex::encode(mac.finalize().into_bytes());
    format!("t={timestamp},v1={signature}")
}

/// One delivery due now, with what sending it takes.
#[derive(Debug)]
struct Due {
    delivery: Delivery,
    url: String,
    secret: String,
    body: String,
}

fn take_due(tx: &Tx<'_>, now: i64) -> ApiResult<Vec<Due>> {
    let queued = outbox::due_deliveries(tx, now)?;
    let mut due = Vec::with_capacity(queued.len());
    for delivery in queued {
        // Either may belong to a connected account, or the endpoint to the platform (Connect).
        let (Some(endpoint), Some(event)) = (
            tx.get_anywhere::<WebhookEndpoint>(&delivery.endpoint_id)?,
            tx.get_anywhere::<Event>(&delivery.event_id)?,
        ) else {
            // The endpoint was deleted: nothing to deliver to.
            outbox::discard(tx, &delivery)?;
            continue;
        };
        due.push(Due {
            delivery,
            url: endpoint.url.clone(),
            secret: endpoint.secret.clone(),
            body: event
                .to_json(&ApiVersion(endpoint.api_version.clone()))
                .to_string(),
        });
    }
    Ok(due)
}

/// Delivers every due webhook once through `client`; returns how many were delivered
/// successfully.
pub async fn deliver_due(store: &Store, client: &Client) -> ApiResult<usize> {
    let due = store.transaction(|tx| take_due(tx, clock::now(tx)?))?;
    let mut delivered = 0;
    for Due {
        delivery,
        url,
        secret,
        body,
    } in due
    {
        // The signature timestamp is real time, not sandbox time: Stripe's SDKs check it
        // against the receiving machine's clock.
        let signature = signature_header(&secret, ids::now(), &body);
        let (status, error) = match client.post(&url, body, &signature).await {
            Ok(status) => (Some(status), None),
            Err(error) => (None, Some(error)),
        };
        if outbox::is_accepted(status) {
            delivered += 1;
        } else {
            tracing::info!(
                url = %redact::url(&url), ?status, error = error.as_deref().unwrap_or(""),
                "webhook delivery failed; will retry"
            );
        }
        store.transaction(|tx| {
            outbox::record_attempt(tx, &delivery, status, error.as_deref(), clock::now(tx)?)
        })?;
    }
    Ok(delivered)
}

/// Runs delivery every second through `client` until `shutdown` resolves. Undelivered events
/// stay queued in the database and go out after the next start.
pub async fn run_worker(
    store: Store,
    client: Client,
    shutdown: impl std::future::Future<Output = ()>,
) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => return,
            _ = tick.tick() => {
                if let Err(err) = deliver_due(&store, &client).await {
                    tracing::error!(%err, "webhook delivery pass failed");
                }
            }
        }
    }
}

/// Why the webhook client could not be set up: the `--webhook-ca-file` is unusable.
#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    /// The file could not be read.
    #[error("cannot read --webhook-ca-file {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A `CERTIFICATE` section is not valid PEM.
    #[error("--webhook-ca-file {} is not valid PEM: {source}", path.display())]
    Pem {
        /// The file.
        path: PathBuf,
        /// Why.
        source: rustls::pki_types::pem::Error,
    },
    /// The file has no `CERTIFICATE` section (a DER file, or only a key).
    #[error(
        "--webhook-ca-file {} holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
        path.display()
    )]
    NoCertificate {
        /// The file.
        path: PathBuf,
    },
    /// A certificate in the file cannot be trusted as a CA.
    #[error(
        "--webhook-ca-file {}: certificate {number} cannot be used as a CA: {source}",
        path.display()
    )]
    Certificate {
        /// The file.
        path: PathBuf,
        /// Which certificate, counting from 1.
        number: usize,
        /// Why.
        source: rustls::Error,
    },
    /// rustls refused the configuration (it cannot with ring's defaults).
    #[error("cannot set up TLS for webhooks: {0}")]
    Tls(rustls::Error),
}

/// The HTTP client deliveries go through: hyper's, with rustls for `https://`. One lives as
/// long as the delivery worker, so an endpoint's connection is kept and reused between
/// deliveries, as Stripe does.
///
/// `https://` endpoints must present a certificate chaining to one of Mozilla's root CAs (the
/// ones Stripe itself trusts, compiled in, so behaviour does not depend on the machine) or to a
/// CA from the `--webhook-ca-file`.
///
/// ```
/// use relink_sandbox::workflows::webhook_delivery::Client;
///
/// let client = Client::new(None).expect("Mozilla's roots are always usable");
/// # drop(client);
/// ```
#[derive(Debug, Clone)]
pub struct Client {
    http: HyperClient<HttpsConnector<HttpConnector>, Full<Bytes>>,
}

impl Client {
    /// A client trusting Mozilla's root CAs and, if given, every certificate in `ca_file` (PEM;
    /// several are fine, as in a CA bundle or mkcert's `rootCA.pem`).
    pub fn new(ca_file: Option<&Path>) -> Result<Self, TrustError> {
        let mut roots = RootCertStore::from_iter(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        if let Some(path) = ca_file {
            add_ca_file(&mut roots, path)?;
        }
        let tls =
            ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .map_err(TrustError::Tls)?
                .with_root_certificates(roots)
                .with_no_client_auth();
        let mut tcp = HttpConnector::new();
        tcp.enforce_http(false);
        tcp.set_nodelay(true);
        tcp.set_connect_timeout(Some(TIMEOUT));
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .wrap_connector(tcp);
        let http = HyperClient::builder(TokioExecutor::new())
            // Header names as Stripe writes them (`Stripe-Signature`), for receivers that
            // compare them case-sensitively.
            .http1_title_case_headers(true)
            .build(connector);
        Ok(Client { http })
    }

    /// POSTs a JSON body; the endpoint's HTTP status, or what kept it from answering in time.
    async fn post(&self, url: &str, body: String, signature: &str) -> Result<u16, String> {
        let request = Request::post(url)
            .header(USER_AGENT, "Stripe/1.0 (+https://stripe.com/docs/webhooks)")
            .header(CONTENT_TYPE, "application/json; charset=utf-8")
            .header(STRIPE_SIGNATURE, signature)
            .body(Full::new(Bytes::from(body)))
            .map_err(|err| format!("invalid URL: {err}"))?;
        let deadline = tokio::time::Instant::now() + TIMEOUT;
        let response = match tokio::time::timeout_at(deadline, self.http.request(request)).await {
            Ok(Ok(response)) => response,
            Ok(Err(err)) => return Err(describe(&err)),
            Err(_) => return Err(format!("no answer within {} s", TIMEOUT.as_secs())),
        };
        let status = response.status().as_u16();
        // Reading the body to its end lets the connection go back to the pool; a body that is
        // too large or too slow only costs the connection, never the status.
        let body = Limited::new(response.into_body(), MAX_RESPONSE_BODY);
        let _ = tokio::time::timeout_at(deadline, body.collect()).await;
        Ok(status)
    }
}

fn add_ca_file(roots: &mut RootCertStore, path: &Path) -> Result<(), TrustError> {
    let pem = std::fs::read(path).map_err(|source| TrustError::Read {
        path: path.to_owned(),
        source,
    })?;
    let mut found = 0;
    for certificate in CertificateDer::pem_slice_iter(&pem) {
        let certificate = certificate.map_err(|source| TrustError::Pem {
            path: path.to_owned(),
            source,
        })?;
        found += 1;
        roots
            .add(certificate)
            .map_err(|source| TrustError::Certificate {
                path: path.to_owned(),
                number: found,
                source,
            })?;
    }
    if found == 0 {
        return Err(TrustError::NoCertificate {
            path: path.to_owned(),
        });
    }
    Ok(())
}

/// What the delivery log says about a request that got no HTTP answer: the TLS verdict in
/// words a developer can act on when there is one, else the chain of causes.
fn describe(err: &(dyn StdError + 'static)) -> String {
    let mut causes: Vec<String> = Vec::new();
    let mut next = Some(err);
    while let Some(cause) = next {
        if let Some(tls) = cause.downcast_ref::<rustls::Error>() {
            return describe_tls(tls);
        }
        // hyper's own level only says "client error (Connect)"; its cause says more.
        let says_nothing =
            cause.is::<hyper_util::client::legacy::Error>() && cause.source().is_some();
        let text = cause.to_string();
        // An io::Error shows the text of the error it wraps as its own; say it once.
        if !says_nothing && !causes.last().is_some_and(|last| last.ends_with(&text)) {
            causes.push(text);
        }
        next = match cause.downcast_ref::<std::io::Error>() {
            // The connector wraps tokio-rustls's io::Error, which wraps the rustls error, and
            // io::Error's `source` skips the error it wraps: unwrap them by hand.
            Some(io) => match io.get_ref() {
                Some(inner) => Some(inner as &(dyn StdError + 'static)),
                None => io.source(),
            },
            None => cause.source(),
        };
    }
    causes.join(": ")
}

fn describe_tls(err: &rustls::Error) -> String {
    let advice = match err {
        rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer) => {
            "certificate not trusted: it is self-signed or from a CA the sandbox does not know; \
             to trust a local CA (mkcert and the like), start the sandbox with \
             --webhook-ca-file"
        }
        rustls::Error::InvalidCertificate(
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
        ) => "certificate not valid for the endpoint's host name",
        rustls::Error::InvalidCertificate(
            CertificateError::Expired | CertificateError::ExpiredContext { .. },
        ) => "certificate expired",
        _ => "",
    };
    if advice.is_empty() {
        format!("TLS handshake failed: {err}")
    } else {
        format!("TLS handshake failed: {advice} ({err})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_match_stripes_scheme() {
        // Expected value from Python: hmac.new(b"whsec_test", b"1700000000.{}", sha256).
        assert_eq!(
            signature_header("whsec_test", 1_700_000_000, "{}"),
            "t=1700000000,v1=35495024f4ef3f94e5a93e22221544c4b75e9a42300cd965ab81cb85cd994e91"
        );
    }
}
