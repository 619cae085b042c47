//! The message trace: every message simdesk sent or received for a tenant (e-mail, cXML),
//! as the provider's staff see it.

use serde::{Deserialize, Serialize};

coded_enum! {
    /// How a message travelled.
    MessageChannel {
        Email => "email", "E-mail", "E-Mail";
        Cxml => "cxml", "cXML", "cXML";
        Webhook => "webhook", "Webhook", "Webhook";
    }
}

coded_enum! {
    MessageDirection {
        Inbound => "in", "In", "Eingehend";
        Outbound => "out", "Out", "Ausgehend";
    }
}

coded_enum! {
    /// Where a message stands.
    MessageStatus {
        Pending => "pending", "Waiting to be sent", "Wartet auf Versand";
        Sent => "sent", "Delivered", "Zugestellt";
        Failed => "failed", "Not delivered", "Nicht zugestellt";
        Received => "received", "Received", "Empfangen";
        Refused => "refused", "Refused", "Abgewiesen";
    }
}

/// One message in the trace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceRow {
    /// Stable across pages, such as `email-12`; the detail page's address.
    pub key: String,
    pub channel: MessageChannel,
    pub direction: MessageDirection,
    /// RFC 3339.
    pub at: String,
    /// Who was on the other side: a recipient's address, a procurement system's domain and
    /// identity.
    pub counterpart: String,
    /// What it was, such as `po.accepted` or `OrderRequest`.
    pub document_type: String,
    pub status: MessageStatus,
    pub attempts: i32,
    pub last_error: String,
    pub purchase_order_id: Option<i64>,
    /// The PO number once assigned, the draft's id before.
    pub purchase_order_reference: Option<String>,
    /// The Message-ID or payloadID.
    pub reference: String,
    /// Whether "send again" applies: an outgoing message that was given up.
    pub can_resend: bool,
}

/// One page of the trace, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TracePage {
    pub rows: Vec<TraceRow>,
    /// The cursor of the next page, if there is one.
    pub next: Option<String>,
}

/// One message with what it carried (secrets redacted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceDetail {
    pub row: TraceRow,
    pub subject: String,
    pub payload: String,
    /// What simdesk answered an inbound message with.
    pub response: String,
}
