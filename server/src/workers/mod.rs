//! The server's background workers, started beside the HTTP server: the delivery of cXML
//! documents to procurement systems and of e-mail, the reading of the tenants' order
//! mailboxes, and the sweep that raises alarms about all of them.

pub mod cxml_delivery;
pub mod mail_delivery;

use sea_orm::DatabaseConnection;
use simdesk_domain::mail::MailSettings;
use simdesk_domain::mailbox::ReaderSettings;
use simdesk_domain::punchout::outbox::OutboxSettings;
use simdesk_domain::secret::SecretKey;

pub use mail_delivery::Mailer;

/// How often the outbox is looked at for documents that are due.
pub const CXML_DELIVERY_PERIOD: std::time::Duration = std::time::Duration::from_secs(10);

/// Starts every background worker on the running Tokio runtime; they run for as long as the
/// process does.
pub fn spawn(
    db: &DatabaseConnection,
    sealing_key: &SecretKey,
    mailer: Mailer,
    mail_period: std::time::Duration,
    alarm_period: std::time::Duration,
    mailboxes: ReaderSettings,
) {
    // Order confirmations and ship notices for procurement systems.
    tokio::spawn(cxml_delivery::run(
        db.clone(),
        sealing_key.clone(),
        OutboxSettings::default(),
        CXML_DELIVERY_PERIOD,
    ));
    // Notifications, confirmations and invitations by e-mail.
    tokio::spawn(mail_delivery::run(
        db.clone(),
        mailer,
        MailSettings::default(),
        mail_period,
    ));
    // Orders from the tenants' IMAP mailboxes.
    tokio::spawn(mailbox_reader(db.clone(), sealing_key.clone(), mailboxes));
    // Alarms about all of them.
    tokio::spawn(alarm_sweep(db.clone(), alarm_period));
}

/// Looks for order mailboxes that are due every few seconds; each mailbox is read once per
/// `settings.poll`, by one instance at a time.
async fn mailbox_reader(db: DatabaseConnection, key: SecretKey, settings: ReaderSettings) {
    let mut interval = tokio::time::interval(settings.poll.min(std::time::Duration::from_secs(5)));
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        match simdesk_domain::mailbox::read_due(&db, &key, &settings).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(messages = n, "order e-mails read from mailboxes"),
            Err(e) => tracing::warn!(error = %e, "reading the order mailboxes failed"),
        }
    }
}

/// How often the contents of messages past their tenant's retention are removed.
const PURGE_PERIOD: std::time::Duration = std::time::Duration::from_secs(3600);

/// Looks for alarms every `period`, and removes expired message contents every hour, forever.
async fn alarm_sweep(db: DatabaseConnection, period: std::time::Duration) {
    let rules = simdesk_domain::alarms::AlarmRules::default();
    let mut interval = tokio::time::interval(period);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_purge: Option<std::time::Instant> = None;
    loop {
        interval.tick().await;
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
        }
    }
}
