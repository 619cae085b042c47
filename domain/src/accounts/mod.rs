//! Onboarding enterprise accounts: customer data, defaults and entitlements, shipping
//! addresses, assigned products at contract prices, the first admin, and the checklist that
//! says when the account can order. Also the catalog the account's users see.
//!
//! Where each use case lives:
//! - `onboarding`: provider staff create and update accounts and invite the first admin.
//! - `validation`: the checks on an account's data and on address fields.
//! - `detail`: loading an account within the tenant, its version lock, and the account page
//!   (with the onboarding checklist).
//! - `entitlements`: defaults, allowed options, and assigned products at contract prices.
//! - `addresses`: shipping addresses.
//! - `buyer_parts`: the account's own part numbers for its products.
//! - `listing`: the account list and its CSV export.
//! - `own_view`: the account's own view for its users: its catalog, hiding products.

mod addresses;
pub(crate) mod buyer_parts;
mod detail;
mod entitlements;
mod listing;
mod onboarding;
mod own_view;
mod validation;

pub use addresses::{add_shipping_address, remove_address, set_default_address};
pub use buyer_parts::{add_buyer_part, remove_buyer_part};
pub use detail::account;
pub(crate) use detail::{address_view, defaults_of, tenant_account};
pub use entitlements::{assign_product, set_entitlements, unassign_product};
pub use listing::{export_csv, list, AccountQuery, AccountSort};
pub use onboarding::{create, invite_admin, update};
pub(crate) use own_view::catalog_entry;
pub use own_view::{catalog, set_orderable_by_users};
