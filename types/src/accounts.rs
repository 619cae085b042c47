//! Enterprise accounts as the provider's staff onboard them, and the catalog their users see.

use serde::{Deserialize, Serialize};

use crate::{Entitlements, FormFactor, Price, ProductStatus, SimType, UserRow};

/// One row of the account list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountSummary {
    pub id: i64,
    pub name: String,
    pub customer_number: String,
    pub status: String,
    pub parent_name: Option<String>,
}

/// What an agent enters for an account. `status` is `active` or `suspended`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AccountInput {
    pub name: String,
    pub customer_number: String,
    #[serde(default, deserialize_with = "crate::form::optional_id")]
    pub parent_account_id: Option<i64>,
    pub vat_id: String,
    pub billing_name: String,
    pub billing_street: String,
    pub billing_postal_code: String,
    pub billing_city: String,
    /// ISO 3166-1 alpha-2, for example DE.
    pub billing_country: String,
    pub status: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ShippingAddressInput {
    pub label: String,
    pub recipient: String,
    pub street: String,
    pub postal_code: String,
    pub city: String,
    pub country: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShippingAddressView {
    pub id: i64,
    pub label: String,
    pub recipient: String,
    pub street: String,
    pub postal_code: String,
    pub city: String,
    pub country: String,
    pub is_default: bool,
}

/// A product assigned to an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignedProduct {
    pub product_id: i64,
    pub part_number: String,
    pub name: String,
    pub list_price: Price,
    pub contract_price: Price,
    pub orderable_by_users: bool,
    pub status: ProductStatus,
}

/// One step of onboarding and whether it is done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecklistItem {
    pub key: String,
    pub label: String,
    pub done: bool,
}

/// Everything about one account, for its page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountDetail {
    pub id: i64,
    pub version: i32,
    pub data: AccountInput,
    pub parent_name: Option<String>,
    pub defaults: Entitlements,
    /// The options the account may pick when it overrides its defaults.
    pub entitlements: Vec<i64>,
    pub addresses: Vec<ShippingAddressView>,
    pub products: Vec<AssignedProduct>,
    /// The account's own part numbers for its products, as its purchasing system writes them.
    pub buyer_parts: Vec<BuyerPart>,
    pub admins: Vec<UserRow>,
    pub checklist: Vec<ChecklistItem>,
}

/// A buyer's part number and the product it means.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuyerPart {
    pub id: i64,
    pub buyer_part: String,
    pub product_id: i64,
    /// The product's name and part number.
    pub product: String,
}

impl AccountDetail {
    /// Whether the account may order: every checklist item is done.
    pub fn ready_to_order(&self) -> bool {
        self.checklist.iter().all(|item| item.done)
    }
}

/// A product as an enterprise user sees it: at their contract price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogEntry {
    pub product_id: i64,
    pub part_number: String,
    pub name: String,
    pub description: String,
    pub sim_type: SimType,
    pub form_factor: FormFactor,
    pub features: String,
    pub price: Price,
    pub unit_of_measure: String,
    pub min_order_quantity: i32,
    pub max_order_quantity: i32,
    pub order_increment: i32,
    /// Hidden from purchasers by the account admin; only the account admin sees such entries.
    pub orderable_by_users: bool,
}

/// A default entitlement with its option's name, for display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedDefault {
    pub kind: crate::OptionKind,
    pub name: Option<String>,
}

/// The catalog of an enterprise account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountCatalog {
    pub account_name: String,
    pub entries: Vec<CatalogEntry>,
    pub defaults: Vec<NamedDefault>,
    /// Whether the provider lets POs override these defaults.
    pub overrides_allowed: bool,
    /// Whether the viewer may hide or show products for the account's users.
    pub can_restrict: bool,
}
