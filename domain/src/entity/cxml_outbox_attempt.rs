use sea_orm::entity::prelude::*;

/// One attempt to deliver an outbox document: what the other side answered, or why not.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cxml_outbox_attempt")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub outbox_id: i64,
    pub at: DateTimeUtc,
    pub http_status: Option<i32>,
    pub cxml_status: Option<i32>,
    pub error: String,
    pub duration_ms: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
