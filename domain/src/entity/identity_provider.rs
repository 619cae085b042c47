use sea_orm::entity::prelude::*;

/// An enterprise account's OpenID provider. The client secret is sealed (see `sso::secret`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "identity_provider")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    #[sea_orm(unique)]
    pub account_id: i64,
    pub enabled: bool,
    pub issuer_url: String,
    pub client_id: String,
    pub client_secret_sealed: String,
    /// Space-separated, `openid` included.
    pub scopes: String,
    /// Dotted path of the claim carrying groups or roles; empty when roles are not mapped.
    pub role_claim: String,
    /// JSON list of `{ "value": …, "role": … }`.
    #[sea_orm(column_type = "Text")]
    pub role_mapping: String,
    pub jit_enabled: bool,
    pub jit_role: Option<String>,
    pub require_sso: bool,
    pub break_glass_user_id: Option<i64>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
