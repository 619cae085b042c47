use sea_orm::entity::prelude::*;

/// A SIM sales product of a tenant's catalog.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "product")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub part_number: String,
    pub name: String,
    pub description: String,
    pub sim_type: String,
    pub form_factor: String,
    pub features: String,
    pub branding: String,
    pub unit_price_minor: i64,
    pub currency: String,
    pub unspsc: String,
    pub unit_of_measure: String,
    pub initial_billing_status_id: Option<i64>,
    pub default_price_plan_id: Option<i64>,
    pub default_service_profile_id: Option<i64>,
    pub default_roaming_profile_id: Option<i64>,
    pub default_apn_group_id: Option<i64>,
    pub min_order_quantity: i32,
    pub max_order_quantity: i32,
    pub order_increment: i32,
    pub status: String,
    /// Optimistic lock: bumped by every update.
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
