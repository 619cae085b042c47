use sea_orm::entity::prelude::*;

/// A tenant's order mailbox read over IMAP, and how far it has been read (`crate::mailbox`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "order_mailbox")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub enabled: bool,
    pub host: String,
    pub port: i32,
    /// `simdesk_types::MailboxSecurity`.
    pub security: String,
    pub username: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub password_sealed: Option<String>,
    pub folder: String,
    pub uid_validity: Option<i64>,
    pub last_uid: i64,
    pub received: i64,
    pub checked_at: Option<DateTimeUtc>,
    pub failing_since: Option<DateTimeUtc>,
    pub failures: i32,
    pub last_error: String,
    pub lease_until: Option<DateTimeUtc>,
    pub version: i32,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
