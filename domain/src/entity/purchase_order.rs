use sea_orm::entity::prelude::*;

/// A SIM purchase order of an enterprise account. Its status changes only through
/// `crate::orders::workflow`; `version` guards every change against lost updates.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "purchase_order")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub account_id: i64,
    pub status: String,
    pub po_number: Option<i64>,
    /// Where the order came from: portal, agent (on behalf of the account), punchout, email.
    pub source: String,
    pub created_by: i64,
    pub approved_by: Option<i64>,
    pub shipping_address_id: Option<i64>,
    pub ship_recipient: String,
    pub ship_street: String,
    pub ship_postal_code: String,
    pub ship_city: String,
    pub ship_country: String,
    pub requested_ship_date: Option<Date>,
    pub comment: String,
    pub override_billing_status_id: Option<i64>,
    pub override_price_plan_id: Option<i64>,
    pub override_service_profile_id: Option<i64>,
    pub override_roaming_profile_id: Option<i64>,
    pub override_apn_group_id: Option<i64>,
    pub currency: String,
    pub total_minor: i64,
    /// The plausibility checks computed at the last submission, as JSON.
    pub plausibility: Option<String>,
    pub rejection_reason: String,
    pub carrier: String,
    pub tracking_number: String,
    pub shipped_on: Option<Date>,
    /// The buyer's own order reference (a procurement system's orderID).
    pub external_reference: Option<String>,
    /// The PunchOut credential whose procurement system ordered; confirmations go there.
    pub punchout_credential_id: Option<i64>,
    /// The payloadID of the buyer's OrderRequest, which confirmations reference.
    pub buyer_payload_id: Option<String>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub submitted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
