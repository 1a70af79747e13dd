//! Signed, retried, persistent webhook delivery.
//!
//! Every event is queued in the [`outbox`] for each endpoint that wants it, in
//! the same transaction that records the event, so a delivery cannot be lost by a crash or a
//! restart. A background worker posts due deliveries signed the way Stripe signs them
//! (`Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`), and retries
//! failures with exponential backoff. Payloads are rendered in the endpoint's `api_version`,
//! so a GA endpoint does not see preview fields — the case the seeds' webhook sample checks.

use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::clock;
use crate::error::ApiResult;
use crate::ids;
use crate::objects::event::Event;
use crate::objects::webhook_endpoint::{HttpTarget, WebhookEndpoint};
use crate::outbox::{self, Delivery};
use crate::store::{Store, Tx};
use crate::version::ApiVersion;

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

/// Delivers every due webhook once; returns how many were delivered successfully.
pub async fn deliver_due(store: &Store) -> ApiResult<usize> {
    let due = store.transaction(|tx| take_due(tx, clock::now(tx)?))?;
    let mut delivered = 0;
    for delivery in due {
        // The signature timestamp is real time, not sandbox time: Stripe's SDKs check it
        // against the receiving machine's clock.
        let signature = signature_header(&delivery.secret, ids::now(), &delivery.body);
        let status = post_json(&delivery.url, &delivery.body, &signature).await;
        if outbox::is_accepted(status) {
            delivered += 1;
        } else {
            tracing::info!(url = %delivery.url, ?status, "webhook delivery failed; will retry");
        }
        store.transaction(|tx| {
            outbox::record_attempt(tx, &delivery.delivery, status, clock::now(tx)?)
        })?;
    }
    Ok(delivered)
}

/// Runs delivery every second until `shutdown` resolves. Undelivered events stay queued in the
/// database and go out after the next start.
pub async fn run_worker(store: Store, shutdown: impl std::future::Future<Output = ()>) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => return,
            _ = tick.tick() => {
                if let Err(err) = deliver_due(&store).await {
                    tracing::error!(%err, "webhook delivery pass failed");
                }
            }
        }
    }
}

/// POSTs a JSON body and returns the response status, or `None` if the endpoint could not be
/// reached in time. A deliberately small HTTP/1.1 client: one request per connection.
async fn post_json(url: &str, body: &str, signature: &str) -> Option<u16> {
    let HttpTarget {
        address,
        host,
        path,
    } = HttpTarget::parse(url)?;
    let attempt = async {
        let mut stream = tokio::net::TcpStream::connect(&address).await.ok()?;
        let request = format!(
            "POST {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: Stripe/1.0 (+https://stripe.com/docs/webhooks)\r\n\
             Content-Type: application/json; charset=utf-8\r\nStripe-Signature: {signature}\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(request.as_bytes()).await.ok()?;
        let mut head = vec![0_u8; 64];
        let read = stream.read(&mut head).await.ok()?;
        let line = String::from_utf8_lossy(&head[..read]).into_owned();
        line.split_whitespace().nth(1)?.parse::<u16>().ok()
    };
    tokio::time::timeout(Duration::from_secs(10), attempt)
        .await
        .ok()
        .flatten()
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
