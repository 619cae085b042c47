//! The tenant's catalog: entitlement options, SIM sales products, tenant settings.
//!
//! Where each use case lives:
//! - `options`: entitlement options, and checking the options a record chooses.
//! - `validation`: the checks on a product input.
//! - `editing`: creating, reading, updating and retiring products one at a time.
//! - `listing`: the paged product list.
//! - `import_export`: the product CSV export and import.

mod editing;
mod import_export;
mod listing;
mod options;
mod validation;

pub(crate) use editing::product_view;
pub use editing::{create_product, product, set_product_status, update_product};
pub use import_export::{
    export_products_csv, import_products_csv, MAX_IMPORT_ROWS, PRODUCT_CSV_COLUMNS,
};
pub use listing::{products, ProductQuery, ProductSort};
pub(crate) use options::{check_entitlements, tenant_options};
pub use options::{create_option, options, set_option_active};
