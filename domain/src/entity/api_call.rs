use sea_orm::entity::prelude::*;

/// One call of the REST API with a token: read or change, with its answer's status.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_call")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub account_id: Option<i64>,
    pub api_token_id: i64,
    pub method: String,
    /// The path below the host, with the query.
    pub path: String,
    pub status: i32,
    pub request_id: String,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
