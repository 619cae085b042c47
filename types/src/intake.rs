//! Orders by e-mail as the provider's agents review them.

use serde::{Deserialize, Serialize};

coded_enum! {
    /// Where a received order e-mail stands.
    InboundStatus {
        Draft => "draft", "Draft created", "Entwurf angelegt";
        NeedsReview => "needs_review", "Needs an account", "Braucht ein Kundenkonto";
        Unreadable => "unreadable", "Cannot be read", "Nicht lesbar";
        Dismissed => "dismissed", "Dismissed", "Verworfen";
    }
}

coded_enum! {
    /// A difference between an order e-mail and the draft made of it.
    FindingKind {
        UnknownSender => "unknown_sender", "Unknown sender", "Unbekannter Absender";
        UnknownProduct => "unknown_product", "Unknown product", "Unbekanntes Produkt";
        UncertainMatch => "uncertain_match", "Uncertain match", "Unsichere Zuordnung";
        PriceDiffers => "price_differs", "Price differs from the contract", "Preis weicht vom Vertrag ab";
        QuantityOutsideLimits => "quantity_limits", "Quantity outside the limits", "Menge außerhalb der Grenzen";
        RepeatedProduct => "repeated_product", "Product on several lines", "Produkt in mehreren Zeilen";
        UnreadLine => "unread_line", "Line not understood", "Zeile nicht verstanden";
        NoLines => "no_lines", "No order lines", "Keine Bestellpositionen";
        AddressFromAccount => "address_from_account", "Address from the account", "Adresse aus dem Kundenkonto";
        AddressMissing => "address_missing", "Address missing", "Adresse fehlt";
        DateNotUsable => "date_not_usable", "Requested date not usable", "Wunschtermin nicht verwendbar";
        DuplicateReference => "duplicate_reference", "Reference already ordered", "Referenz bereits bestellt";
        AttachmentUnreadable => "attachment_unreadable", "Attachment not readable", "Anhang nicht lesbar";
        LinkNotFollowed => "link_not_followed", "Link not followed", "Link nicht verfolgt";
    }
}

/// One difference, in a sentence the agent can act on: in English (as the API carries it) and,
/// where it was written, German. Stored with the message; findings stored before German was
/// written read in English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub kind: FindingKind,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_german: Option<String>,
}

impl Finding {
    pub fn new(kind: FindingKind, message: crate::Wording) -> Self {
        Finding {
            kind,
            message: message.english,
            message_german: message.german,
        }
    }

    /// The sentence in `locale`'s language.
    pub fn message_in(&self, locale: crate::Locale) -> &str {
        crate::views::in_language(locale, &self.message, &self.message_german)
    }
}

/// An order e-mail in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailOrderRow {
    pub id: i64,
    /// RFC 3339.
    pub received_at: String,
    pub sender: String,
    pub subject: String,
    pub status: InboundStatus,
    pub account_name: Option<String>,
    pub purchase_order_id: Option<i64>,
    pub findings: usize,
}

/// An attachment as listed beside the message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentView {
    pub name: String,
    pub content_type: String,
    pub size: usize,
    /// Why it could not be read, for a CSV or PDF.
    pub problem: Option<String>,
}

/// How one line of the e-mail was read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadLine {
    pub text: String,
    pub quantity: u32,
    /// The product it was matched to, if any.
    pub product: Option<String>,
    /// How sure the match is, 0 to 100.
    pub confidence: u8,
}

/// An order e-mail with the original beside what was made of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailOrderDetail {
    pub row: EmailOrderRow,
    pub message_id: String,
    pub sender_name: String,
    /// Where answers go; empty for machine mail.
    pub answer_to: String,
    pub text: String,
    /// The HTML body with everything active removed.
    pub safe_html: Option<String>,
    pub attachments: Vec<AttachmentView>,
    pub lines: Vec<ReadLine>,
    pub reference: Option<String>,
    pub findings: Vec<Finding>,
    /// Why the message could not be read.
    pub problem: String,
    /// The account the sender's domain points to.
    pub suggested_account_id: Option<i64>,
    /// The accounts the agent may assign the message to, by id and name.
    pub accounts: Vec<(i64, String)>,
}

/// One page of order e-mails, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailOrderPage {
    pub rows: Vec<EmailOrderRow>,
    pub next: Option<String>,
}

coded_enum! {
    /// How the connection to an order mailbox is protected.
    MailboxSecurity {
        Tls => "tls", "TLS (port 993)", "TLS (Port 993)";
        StartTls => "starttls", "STARTTLS (port 143)", "STARTTLS (Port 143)";
        Plain => "none", "None (a server on this machine only)", "Keine (nur ein Server auf diesem Rechner)";
    }
}

/// A tenant's order mailbox as its admins see it; the password is never shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailboxView {
    pub enabled: bool,
    pub host: String,
    pub port: u16,
    pub security: MailboxSecurity,
    pub username: String,
    pub has_password: bool,
    pub folder: String,
    /// The address the provider's mail server delivers to instead, with `simdesk mail receive`.
    pub tenant_slug: String,
    /// RFC 3339, when the mailbox was last looked at.
    pub checked_at: Option<String>,
    /// RFC 3339, since when every look failed.
    pub failing_since: Option<String>,
    pub last_error: String,
    /// Messages kept from the mailbox so far.
    pub received: i64,
    pub version: i32,
}

/// What the mailbox form posts. An empty `password` keeps the stored one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailboxInput {
    #[serde(default, deserialize_with = "crate::form::checkbox")]
    pub enabled: bool,
    #[serde(default)]
    pub host: String,
    #[serde(default)]
    pub port: String,
    #[serde(default)]
    pub security: String,
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub folder: String,
}

/// What one look into the mailbox found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailboxCheck {
    /// New messages kept.
    pub kept: usize,
    /// Messages seen before (the same Message-ID), kept once.
    pub repeated: usize,
    /// Drafts made at once (senders who are users of an account).
    pub drafts: usize,
    /// Messages left in the mailbox because they are too large to keep.
    pub left: usize,
}
