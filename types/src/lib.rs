//! Types that cross the wire between the server and the browser. Plain data, no behaviour that
//! needs the server: the WASM front end compiles this crate too.

mod accounts;
mod catalog;
pub mod form;
mod role;
mod views;

pub use accounts::*;
pub use catalog::*;
pub use role::{role_labels, Role, RoleScope, UnknownRole};
pub use views::*;
