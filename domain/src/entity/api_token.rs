use sea_orm::entity::prelude::*;

/// A token of the public REST API, stored as the SHA-256 digest of its secret (shown once).
/// It acts as the admin who made it, narrowed by its scopes, for the tenant (no account) or
/// for one account.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_token")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub account_id: Option<i64>,
    pub created_by: i64,
    pub name: String,
    pub prefix: String,
    pub token_hash: String,
    /// Space-separated scope codes.
    pub scopes: String,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub last_used_at: Option<DateTimeUtc>,
    pub revoked_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
