//! Posts the cXML documents the outbox holds (order confirmations, ship notices) to the
//! procurement systems over HTTP: the service layer says what is due and records how each
//! attempt ended; this worker makes the attempts.

use cxml::Body;
use sea_orm::DatabaseConnection;
use simdesk_domain::punchout::outbox::{self, Attempt, OutboxSettings, Outcome};
use simdesk_domain::secret::SecretKey;
use simdesk_domain::DomainResult;

use super::every::Every;

/// The HTTP client for procurement systems: `settings.timeout` per attempt, and no redirects
/// followed (a document goes where its credential says, nowhere else).
pub fn client(settings: &OutboxSettings) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(settings.timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
}

/// Posts `body` to `url` once and says how that went: delivered on a 2xx with a 2xx cXML
/// status; worth a retry on a 5xx (HTTP or cXML), a timeout, a failed connection or an answer
/// that is no cXML Response; refused for good on a 4xx.
pub async fn attempt(client: &reqwest::Client, url: &str, body: String) -> Attempt {
    let started = std::time::Instant::now();
    let (outcome, http_status, cxml_status) = post(client, url, body).await;
    Attempt {
        outcome,
        http_status,
        cxml_status,
        took: started.elapsed(),
    }
}

async fn post(
    client: &reqwest::Client,
    url: &str,
    body: String,
) -> (Outcome, Option<i32>, Option<i32>) {
    let response = match client
        .post(url)
        .header("content-type", "text/xml; charset=UTF-8")
        .body(body)
        .send()
        .await
    {
        Ok(response) => response,
        Err(e) if e.is_timeout() => return (Outcome::Retry("timed out".into()), None, None),
        Err(e) => return (Outcome::Retry(format!("not delivered: {e}")), None, None),
    };
    let http = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    let cxml_status = cxml::parse(text.as_bytes())
        .ok()
        .and_then(|d| match d.body {
            Body::Response(r) => Some(r.status),
            _ => None,
        });
    let code = cxml_status.as_ref().map(|s| s.code);
    let described = |what: &str| match &cxml_status {
        Some(s) => format!("{what}: cXML {} {} {}", s.code, s.text, s.message.trim()),
        None => format!("{what}: HTTP {http}"),
    };
    let outcome = match (http, code) {
        (500..=599, _) | (_, Some(500..=599)) => Outcome::Retry(described("server error")),
        (400..=499, _) | (_, Some(400..=499)) => Outcome::Refused(described("refused")),
        (200..=299, Some(200..=299)) => Outcome::Delivered,
        (200..=299, None) => Outcome::Retry("the answer was not a cXML Response".into()),
        _ => Outcome::Retry(described("unexpected answer")),
    };
    (outcome, Some(i32::from(http)), code.map(|c| c as i32))
}

/// Delivers what is due once; returns how many documents were attempted.
pub async fn deliver_due(
    db: &DatabaseConnection,
    key: &SecretKey,
    client: &reqwest::Client,
    settings: &OutboxSettings,
) -> DomainResult<usize> {
    let mut attempted = 0;
    for due in outbox::due(db, settings).await? {
        // Claimed one by one, just before its attempt: another worker's pass skips it.
        let Some(delivery) = outbox::claim(db, key, settings, &due).await? else {
            continue;
        };
        attempted += 1;
        let made = match delivery.body() {
            Ok(body) => attempt(client, delivery.url(), body.to_owned()).await,
            Err(reason) => Attempt::refused(reason),
        };
        outbox::record_outcome(db, settings, &delivery, made).await?;
    }
    Ok(attempted)
}

/// Delivers due documents at every pass, until told to stop.
pub async fn run(
    db: DatabaseConnection,
    key: SecretKey,
    settings: OutboxSettings,
    mut every: Every,
) {
    let client = match client(&settings) {
        Ok(client) => client,
        Err(e) => {
            tracing::error!(error = %e, "the cXML outbox cannot start");
            return;
        }
    };
    while every.next().await {
        if let Err(e) = deliver_due(&db, &key, &client, &settings).await {
            tracing::warn!(error = %e, "a cXML outbox pass failed");
        }
    }
}
