use sea_orm::entity::prelude::*;

/// A service provider running the portal for its enterprise customers.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tenant")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub slug: String,
    pub name: String,
    pub support_email: Option<String>,
    pub brand_color: Option<String>,
    pub created_at: DateTimeUtc,
    /// Whether a PO may override the account's default entitlements.
    pub allow_default_overrides: bool,
    pub logo_url: Option<String>,
    /// The PO number the next accepted order gets.
    pub next_po_number: i64,
    /// PunchOut orders that match the contract exactly skip the agent's review.
    pub punchout_auto_accept: bool,
    /// A queue whose oldest message waits longer than this many minutes is an alarm.
    pub alarm_stale_minutes: i32,
    /// This many refused inbound cXML documents within the sweep's window are an alarm.
    pub alarm_refusal_burst: i32,
    /// After this many days the contents of a message are removed (`trace::purge_contents`).
    pub message_retention_days: i32,
    /// Hosts whose order pages may be fetched, comma-separated (`crate::order_pages`).
    pub order_page_hosts: String,
    /// Fewer free SIMs of a product than this is low stock on the dashboard; 0 warns of nothing.
    pub low_stock_threshold: i32,
    /// Provider staff and account admins who sign in with a password must use a second factor.
    pub require_second_factor: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
