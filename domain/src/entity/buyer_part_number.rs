use sea_orm::entity::prelude::*;

/// An account's own part number for a product, as its purchasing system writes it in orders
/// (`crate::accounts::buyer_parts`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "buyer_part_number")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub account_id: i64,
    /// Upper-cased, as it is matched.
    pub buyer_part: String,
    pub product_id: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
