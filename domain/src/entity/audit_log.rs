use sea_orm::entity::prelude::*;

/// One append-only audit entry: who did what to which object, with a JSON before/after.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: Option<i64>,
    pub account_id: Option<i64>,
    pub actor_user_id: Option<i64>,
    pub action: String,
    pub target_type: String,
    pub target_id: Option<String>,
    pub details: String,
    pub at: DateTimeUtc,
    /// The HTTP request that wrote the row (empty outside a request).
    pub request_id: String,
    /// The API token that made the change, when it came through the REST API.
    pub api_token_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
