use sea_orm::entity::prelude::*;

/// One PunchOut visit: created by a PunchOutSetupRequest, started once through its token,
/// closed when the cart goes back.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "punchout_session")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub account_id: i64,
    pub credential_id: i64,
    pub user_id: i64,
    pub token_hash: String,
    /// `create`, `edit` or `inspect`.
    pub operation: String,
    pub buyer_cookie: String,
    pub browser_form_post_url: String,
    pub purchase_order_id: Option<i64>,
    /// JSON list of `{ "product_id", "quantity" }`.
    pub initial_cart: String,
    pub expires_at: DateTimeUtc,
    pub started_at: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    /// `cxml` or `oci`.
    pub protocol: String,
    /// OCI `~TARGET`: the frame the returned form posts into.
    pub oci_target: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
