use sea_orm::entity::prelude::*;

/// A cXML document received or sent, with the answer; shared secrets are redacted. Inbound
/// OrderRequests carry an idempotency key, unique per tenant.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cxml_document")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub account_id: Option<i64>,
    /// `in` or `out`.
    pub direction: String,
    pub document_type: String,
    pub sender_domain: String,
    pub sender_identity: String,
    pub payload_id: String,
    pub idempotency_key: Option<String>,
    pub body_sha256: String,
    pub body: String,
    pub status_code: i32,
    pub status_text: String,
    pub response: String,
    pub purchase_order_id: Option<i64>,
    pub created_at: DateTimeUtc,
    /// The HTTP request that wrote the row (empty outside a request).
    pub request_id: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
