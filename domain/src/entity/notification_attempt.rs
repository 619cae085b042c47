use sea_orm::entity::prelude::*;

/// One attempt to hand a notification's e-mail to the SMTP server: its reply, or why not.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notification_attempt")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub notification_id: i64,
    pub at: DateTimeUtc,
    pub smtp_code: Option<i32>,
    pub error: String,
    pub duration_ms: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
