//! The server's background workers, started beside the HTTP server: the delivery of cXML
//! documents to procurement systems (and, later, of e-mail beside it).

pub mod cxml_delivery;

use sea_orm::DatabaseConnection;
use simdesk_domain::punchout::outbox::OutboxSettings;
use simdesk_domain::secret::SecretKey;

/// How often the outbox is looked at for documents that are due.
pub const CXML_DELIVERY_PERIOD: std::time::Duration = std::time::Duration::from_secs(10);

/// Starts every background worker on the running Tokio runtime; they run for as long as the
/// process does.
pub fn spawn(db: &DatabaseConnection, sealing_key: &SecretKey) {
    // Order confirmations and ship notices for procurement systems.
    tokio::spawn(cxml_delivery::run(
        db.clone(),
        sealing_key.clone(),
        OutboxSettings::default(),
        CXML_DELIVERY_PERIOD,
    ));
}
