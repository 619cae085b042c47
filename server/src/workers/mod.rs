//! The server's background workers, started beside the HTTP server: the delivery of cXML
//! documents to procurement systems, of webhooks and of e-mail, the reading of the tenants' order
//! mailboxes, and the sweep that raises alarms about all of them.

pub mod cxml_delivery;
mod every;
pub mod mail_delivery;
pub mod webhook_delivery;

use sea_orm::DatabaseConnection;
use simdesk_domain::mail::MailSettings;
use simdesk_domain::mailbox::ReaderSettings;
use simdesk_domain::punchout::outbox::OutboxSettings;
use simdesk_domain::secret::SecretKey;
use simdesk_domain::webhooks::WebhookSettings;
use tokio_util::sync::CancellationToken;

pub use every::Every;
pub use mail_delivery::Mailer;

/// How often the outbox is looked at for documents that are due.
pub const CXML_DELIVERY_PERIOD: std::time::Duration = std::time::Duration::from_secs(10);
/// How often the webhook queue is looked at: events are expected within seconds.
pub const WEBHOOK_DELIVERY_PERIOD: std::time::Duration = std::time::Duration::from_secs(2);

/// The rhythms and settings of the workers that the command line chooses.
#[derive(Debug, Clone)]
pub struct WorkerSettings {
    pub mail_period: std::time::Duration,
    pub alarm_period: std::time::Duration,
    pub mailboxes: ReaderSettings,
    pub webhooks: WebhookSettings,
}

/// Starts every background worker on the running Tokio runtime. Each stops after the pass it is
/// in once `stop` is cancelled; the handles end when they have.
pub fn spawn(
    db: &DatabaseConnection,
    sealing_key: &SecretKey,
    mailer: Mailer,
    settings: WorkerSettings,
    stop: &CancellationToken,
) -> Vec<tokio::task::JoinHandle<()>> {
    let WorkerSettings {
        mail_period,
        alarm_period,
        mailboxes,
        webhooks,
    } = settings;
    vec![
        // Order confirmations and ship notices for procurement systems.
        tokio::spawn(cxml_delivery::run(
            db.clone(),
            sealing_key.clone(),
            OutboxSettings::default(),
            Every::new(CXML_DELIVERY_PERIOD, stop),
        )),
        // Events for the tenants' and accounts' webhooks.
        tokio::spawn(webhook_delivery::run(
            db.clone(),
            sealing_key.clone(),
            webhooks,
            Every::new(WEBHOOK_DELIVERY_PERIOD, stop),
        )),
        // Notifications, confirmations and invitations by e-mail.
        tokio::spawn(mail_delivery::run(
            db.clone(),
            mailer,
            MailSettings::default(),
            Every::new(mail_period, stop),
        )),
        // Orders from the tenants' IMAP mailboxes.
        tokio::spawn(mailbox_reader(
            db.clone(),
            sealing_key.clone(),
            Every::new(mailboxes.poll.min(std::time::Duration::from_secs(5)), stop),
            mailboxes,
        )),
        // Alarms about all of them.
        tokio::spawn(alarm_sweep(db.clone(), Every::new(alarm_period, stop))),
    ]
}

/// Looks for order mailboxes that are due every few seconds; each mailbox is read once per
/// `settings.poll`, by one instance at a time.
async fn mailbox_reader(
    db: DatabaseConnection,
    key: SecretKey,
    mut every: Every,
    settings: ReaderSettings,
) {
    while every.next().await {
        match simdesk_domain::mailbox::read_due(&db, &key, &settings).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(messages = n, "order e-mails read from mailboxes"),
            Err(e) => tracing::warn!(error = %e, "reading the order mailboxes failed"),
        }
    }
}

/// How often the contents of messages past their tenant's retention are removed.
const PURGE_PERIOD: std::time::Duration = std::time::Duration::from_secs(3600);

/// Looks for alarms at every pass, and removes expired message contents every hour.
async fn alarm_sweep(db: DatabaseConnection, mut every: Every) {
    let rules = simdesk_domain::alarms::AlarmRules::default();
    let mut last_purge: Option<std::time::Instant> = None;
    while every.next().await {
        if let Err(e) = simdesk_domain::alarms::sweep(&db, &rules).await {
            tracing::warn!(error = %e, "an alarm sweep failed");
        }
        if last_purge.is_none_or(|at| at.elapsed() >= PURGE_PERIOD) {
            last_purge = Some(std::time::Instant::now());
            match simdesk_domain::trace::purge_contents(&db).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(messages = n, "message contents past retention removed"),
                Err(e) => tracing::warn!(error = %e, "removing expired message contents failed"),
            }
            match simdesk_domain::idempotency::purge_expired(&db).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(keys = n, "expired idempotency keys removed"),
                Err(e) => tracing::warn!(error = %e, "removing expired idempotency keys failed"),
            }
            match simdesk_domain::api_calls::purge(&db).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(calls = n, "API calls past their keeping removed"),
                Err(e) => tracing::warn!(error = %e, "removing old API calls failed"),
            }
        }
    }
}
