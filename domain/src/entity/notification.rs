use sea_orm::entity::prelude::*;

/// An e-mail to one recipient about something that happened, queued for the mail sender
/// (`crate::mail`). `context` is the snapshot the e-mail is written from; the bodies are kept
/// as they were sent.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notification")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub account_id: Option<i64>,
    pub purchase_order_id: Option<i64>,
    /// What happened, such as `po.accepted`; it names the e-mail's template.
    pub event: String,
    pub recipient_user_id: Option<i64>,
    pub recipient_email: String,
    pub subject: String,
    /// `pending`, `sent` or `failed` (`simdesk_types::DeliveryStatus`).
    pub status: String,
    pub created_at: DateTimeUtc,
    /// The HTTP request that wrote the row (empty outside a request).
    pub request_id: String,
    pub sent_at: Option<DateTimeUtc>,
    /// JSON.
    #[sea_orm(column_type = "Text", nullable)]
    pub context: Option<String>,
    pub attempts: i32,
    pub next_attempt_at: Option<DateTimeUtc>,
    pub last_error: String,
    pub message_id: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub body_text: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub body_html: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
