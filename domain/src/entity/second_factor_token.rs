use sea_orm::entity::prelude::*;

/// A user's one-time recovery code, or a browser they chose to trust for a while, stored as
/// the SHA-256 digest of its secret: the secret itself was shown once, or lives in a cookie.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "second_factor_token")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: Option<i64>,
    pub user_id: i64,
    pub kind: String,
    pub token_hash: String,
    pub label: String,
    pub created_at: DateTimeUtc,
    pub expires_at: Option<DateTimeUtc>,
    pub used_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
