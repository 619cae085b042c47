use sea_orm::entity::prelude::*;

/// Where a tenant (no account) or an account wants to hear of events, and with which secret
/// the deliveries are signed (sealed for the tenant).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_subscription")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub account_id: Option<i64>,
    pub url: String,
    /// Space-separated event codes.
    pub events: String,
    pub secret_sealed: String,
    pub description: String,
    pub active: bool,
    pub created_by: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
