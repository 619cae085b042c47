use sea_orm::entity::prelude::*;

/// An enterprise customer of a tenant; may sit below a parent account.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "account")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub parent_account_id: Option<i64>,
    pub name: String,
    pub status: String,
    pub created_at: DateTimeUtc,
    pub customer_number: Option<String>,
    pub vat_id: String,
    pub billing_name: String,
    pub billing_street: String,
    pub billing_postal_code: String,
    pub billing_city: String,
    pub billing_country: String,
    pub default_billing_status_id: Option<i64>,
    pub default_price_plan_id: Option<i64>,
    pub default_service_profile_id: Option<i64>,
    pub default_roaming_profile_id: Option<i64>,
    pub default_apn_group_id: Option<i64>,
    /// Optimistic lock: bumped by every update.
    pub version: i32,
    pub updated_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::tenant::Entity",
        from = "Column::TenantId",
        to = "super::tenant::Column::Id"
    )]
    Tenant,
}

impl Related<super::tenant::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Tenant.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
