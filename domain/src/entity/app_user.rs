use sea_orm::entity::prelude::*;

/// A person who signs in. Platform operators have no tenant; provider staff have a tenant and no
/// account; enterprise users have both.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "app_user")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: Option<i64>,
    pub account_id: Option<i64>,
    #[sea_orm(unique)]
    pub email: String,
    pub display_name: String,
    pub password_hash: Option<String>,
    pub active: bool,
    pub must_change_password: bool,
    pub failed_sign_ins: i32,
    pub locked_until: Option<DateTimeUtc>,
    pub last_sign_in_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Above this order total a purchaser's PO waits for an approver; none means no limit.
    pub spending_limit_minor: Option<i64>,
    pub spending_limit_currency: Option<String>,
    /// The authenticator app's secret, sealed for this user; set once enrolment starts.
    pub totp_secret: Option<String>,
    /// When the user confirmed enrolment with a first code; until then no code is asked for.
    pub totp_enabled_at: Option<DateTimeUtc>,
    /// The last time step whose code was accepted, so that no code counts twice.
    pub totp_last_step: Option<i64>,
    /// The IANA time zone the user reads times in, such as `Europe/Berlin`.
    pub time_zone: String,
    /// How dates, numbers and money are written for the user: `en` or `de`.
    pub locale: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
