//! sea-orm entities, one module per table.

pub mod account;
pub mod app_user;
pub mod audit_log;
pub mod external_identity;
pub mod membership;
pub mod session;
pub mod tenant;
