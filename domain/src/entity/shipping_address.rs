use sea_orm::entity::prelude::*;

/// Where an account's SIMs can be shipped; one per account is the default.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "shipping_address")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub account_id: i64,
    pub label: String,
    pub recipient: String,
    pub street: String,
    pub postal_code: String,
    pub city: String,
    pub country: String,
    pub is_default: bool,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// The address as a PO carries it (a PO keeps its own copy, so later edits of the account's
/// addresses do not change orders already placed).
impl From<Model> for simdesk_types::PoAddress {
    fn from(a: Model) -> Self {
        simdesk_types::PoAddress {
            recipient: a.recipient,
            street: a.street,
            postal_code: a.postal_code,
            city: a.city,
            country: a.country,
        }
    }
}
