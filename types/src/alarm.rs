//! Alarms: something went wrong with the tenant's messages and somebody should look.

use serde::{Deserialize, Serialize};

coded_enum! {
    /// What an alarm is about.
    AlarmKind {
        DeliveryFailed => "delivery_failed", "A message could not be delivered", "Eine Nachricht konnte nicht zugestellt werden";
        QueueStale => "queue_stale", "Messages wait too long to be sent", "Nachrichten warten zu lange auf den Versand";
        CxmlRefusals => "cxml_refusals", "Many cXML documents were refused", "Viele cXML-Dokumente wurden abgewiesen";
        InboundUnreadable => "inbound_unreadable", "An order e-mail cannot be read", "Eine Bestell-E-Mail ist nicht lesbar";
        MailboxUnreachable => "mailbox_unreachable", "The order mailbox cannot be read", "Das Bestellpostfach ist nicht lesbar";
    }
}

coded_enum! {
    AlarmStatus {
        Open => "open", "Open", "Offen";
        Acknowledged => "acknowledged", "Acknowledged", "Bestätigt";
        Resolved => "resolved", "Resolved", "Behoben";
    }
}

/// An alarm as the provider's staff see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlarmView {
    pub id: i64,
    pub kind: AlarmKind,
    pub status: AlarmStatus,
    /// What happened, in a sentence.
    pub summary: String,
    /// The message's trace key, for alarms about one message.
    pub message_key: Option<String>,
    /// How often the condition was seen while the alarm was open.
    pub occurrences: i32,
    /// RFC 3339.
    pub raised_at: String,
    pub last_seen_at: String,
    /// Who acknowledged or resolved it, and when (RFC 3339).
    pub acknowledged: Option<(String, String)>,
    pub resolved: Option<(String, String)>,
}

/// The alarms page: open and acknowledged ones first, then the latest resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlarmList {
    pub alarms: Vec<AlarmView>,
    pub open: u64,
}
