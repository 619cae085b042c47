use sea_orm::entity::prelude::*;

/// A message received for a tenant's order mailbox, kept whole with what was read from it
/// (`crate::intake`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "inbound_email")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub message_id: String,
    pub received_at: DateTimeUtc,
    pub sender: String,
    pub sender_name: String,
    pub answer_to: String,
    pub subject: String,
    /// `simdesk_types::InboundStatus`.
    pub status: String,
    pub problem: String,
    pub account_id: Option<i64>,
    pub suggested_account_id: Option<i64>,
    pub purchase_order_id: Option<i64>,
    #[sea_orm(column_type = "Text", nullable)]
    pub reading: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub findings: Option<String>,
    pub raw: Vec<u8>,
    /// `pipe` (a mail server or a file) or `imap` (the tenant's order mailbox).
    pub via: String,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
