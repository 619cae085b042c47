use sea_orm::entity::prelude::*;

/// A cXML document waiting to be delivered to a procurement system, or delivered, or given up.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cxml_outbox")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub account_id: i64,
    pub purchase_order_id: Option<i64>,
    pub credential_id: i64,
    pub document_type: String,
    pub url: String,
    /// The document without its SharedSecret.
    pub payload: String,
    /// `pending`, `sent` or `failed`.
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    pub last_error: String,
    pub created_at: DateTimeUtc,
    /// The HTTP request that wrote the row (empty outside a request).
    pub request_id: String,
    pub sent_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
