//! Posts queued webhooks: signed after the Standard Webhooks scheme, to the subscription's
//! address once it resolved to an address the operator allows (public ones only, unless
//! private targets are allowed), with no redirects followed.

use sea_orm::DatabaseConnection;
use simdesk_domain::order_pages::is_public;
use simdesk_domain::secret::SecretKey;
use simdesk_domain::webhooks::delivery::{self, Outcome};
use simdesk_domain::webhooks::signature;
use simdesk_domain::webhooks::WebhookSettings;
use simdesk_domain::DomainResult;
use std::net::SocketAddr;

use super::every::Every;

/// Posts one delivery once; says how that went and the HTTP status, if one came. A 2xx is
/// delivered; a 5xx, 408, 429, a timeout or a failed connection is retried; another 4xx, an
/// address that is not allowed or a redirect is refused for good.
pub async fn attempt(
    settings: &WebhookSettings,
    url: &str,
    secret: &str,
    message_id: &str,
    payload: &str,
) -> (Outcome, Option<i32>) {
    let parsed = match url::Url::parse(url) {
        Ok(parsed) => parsed,
        Err(_) => return (Outcome::Refused("the address is not valid".into()), None),
    };
    let Some(host) = parsed
        .host_str()
        .map(|h| h.trim_start_matches('[').trim_end_matches(']').to_owned())
    else {
        return (Outcome::Refused("the address has no host".into()), None);
    };
    let port = parsed.port_or_known_default().unwrap_or(443);
    let addresses: Vec<SocketAddr> = match tokio::time::timeout(
        settings.timeout,
        tokio::net::lookup_host((host.as_str(), port)),
    )
    .await
    {
        Ok(Ok(found)) => found.collect(),
        Ok(Err(_)) | Err(_) => return (Outcome::Retry(format!("{host} cannot be found")), None),
    };
    let Some(address) = addresses.first().copied() else {
        return (Outcome::Retry(format!("{host} cannot be found")), None);
    };
    if !settings.allow_private_targets {
        if let Some(internal) = addresses.iter().find(|a| !is_public(a.ip())) {
            return (
                Outcome::Refused(format!(
                    "{host} points to the internal address {}, where webhooks are not sent",
                    internal.ip()
                )),
                None,
            );
        }
    }
    let client = match reqwest::Client::builder()
        .timeout(settings.timeout)
        .redirect(reqwest::redirect::Policy::none())
        // The address checked above, not a second lookup that could answer otherwise.
        .resolve(&host, address)
        .user_agent("simdesk webhooks")
        .build()
    {
        Ok(client) => client,
        Err(e) => return (Outcome::Retry(format!("cannot send: {e}")), None),
    };
    let timestamp = chrono::Utc::now().timestamp();
    let signed = match signature::sign(secret, message_id, timestamp, payload) {
        Ok(signed) => signed,
        Err(e) => return (Outcome::Refused(e.to_string()), None),
    };
    let response = match client
        .post(parsed)
        .header("content-type", "application/json")
        .header("webhook-id", message_id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signed)
        .body(payload.to_owned())
        .send()
        .await
    {
        Ok(response) => response,
        Err(e) if e.is_timeout() => return (Outcome::Retry("timed out".into()), None),
        Err(e) => {
            return (
                Outcome::Retry(format!("not delivered: {}", e.without_url())),
                None,
            )
        }
    };
    let status = response.status().as_u16();
    let outcome = match status {
        200..=299 => Outcome::Delivered,
        300..=399 => Outcome::Refused(format!(
            "answered with a redirect (HTTP {status}), which is not followed"
        )),
        408 | 429 | 500..=599 => Outcome::Retry(format!("HTTP {status}")),
        _ => Outcome::Refused(format!("refused: HTTP {status}")),
    };
    (outcome, Some(i32::from(status)))
}

/// Delivers what is due once; returns how many deliveries were attempted.
pub async fn deliver_due(
    db: &DatabaseConnection,
    key: &SecretKey,
    settings: &WebhookSettings,
) -> DomainResult<usize> {
    let mut attempted = 0;
    for due in delivery::due(db, settings).await? {
        let Some(claimed) = delivery::claim(db, key, settings, &due).await? else {
            continue;
        };
        attempted += 1;
        let (outcome, status) = match claimed.target() {
            Ok((url, secret)) => {
                attempt(
                    settings,
                    url,
                    secret,
                    claimed.message_id(),
                    claimed.payload(),
                )
                .await
            }
            Err(reason) => (Outcome::Refused(reason.to_owned()), None),
        };
        delivery::record_outcome(db, settings, &claimed, outcome, status).await?;
    }
    Ok(attempted)
}

/// Delivers due webhooks at every pass, until told to stop.
pub async fn run(
    db: DatabaseConnection,
    key: SecretKey,
    settings: WebhookSettings,
    mut every: Every,
) {
    while every.next().await {
        if let Err(e) = deliver_due(&db, &key, &settings).await {
            tracing::warn!(error = %e, "a webhook pass failed");
        }
    }
}
