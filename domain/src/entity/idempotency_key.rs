use sea_orm::entity::prelude::*;

/// An `Idempotency-Key` an API token sent with a POST, with the digest of that request, the
/// first change it committed and, once served, the answer it got, so a retry gets the same
/// answer and never acts twice.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "idempotency_key")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub api_token_id: i64,
    pub key: String,
    pub request_hash: String,
    pub response_status: Option<i32>,
    pub response_body: Option<String>,
    /// The answer's `Location`; empty when it had none.
    pub response_location: String,
    /// `<type>:<id>` of the first change the request committed; empty until then.
    pub acted_on: String,
    pub created_at: DateTimeUtc,
    pub locked_until: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
