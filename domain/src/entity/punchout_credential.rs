use sea_orm::entity::prelude::*;

/// A procurement system's credential for one enterprise account and one environment. The
/// shared secret is sealed (see `sso::secret`); requests are matched by domain and identity.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "punchout_credential")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub account_id: i64,
    /// `production` or `test`.
    pub deployment_mode: String,
    /// Lowercase credential domain (`networkid`, `duns`, ...).
    pub domain: String,
    pub identity: String,
    pub secret_sealed: String,
    /// `urlencoded` or `base64`.
    pub cart_encoding: String,
    /// Space-separated origins allowed to frame the PunchOut pages.
    pub frame_ancestors: String,
    pub order_response_url: String,
    pub enabled: bool,
    pub created_by: i64,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::account::Entity",
        from = "Column::AccountId",
        to = "super::account::Column::Id"
    )]
    Account,
}

impl Related<super::account::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Account.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
