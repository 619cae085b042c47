use sea_orm::entity::prelude::*;

/// A SIM of the tenant's stock: free, or assigned to a purchase order with its entitlements.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sim_card")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub product_id: i64,
    pub iccid: String,
    pub imsi: String,
    pub msisdn: Option<String>,
    pub status: String,
    pub account_id: Option<i64>,
    pub purchase_order_id: Option<i64>,
    pub purchase_order_line_id: Option<i64>,
    pub billing_status_id: Option<i64>,
    pub price_plan_id: Option<i64>,
    pub service_profile_id: Option<i64>,
    pub roaming_profile_id: Option<i64>,
    pub apn_group_id: Option<i64>,
    pub loaded_at: DateTimeUtc,
    pub assigned_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
