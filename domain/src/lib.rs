//! simdesk's service layer: entities, the authorization policy, services and the audit log.
//! Every service call takes an [`Actor`] and opens its own transaction scoped to the actor's
//! tenant; nothing here knows about HTTP, sessions or Leptos.

pub mod accounts;
pub mod actor;
pub mod audit;
pub mod auth;
pub mod catalog;
pub mod dashboard;
pub mod db;
pub mod demo;
pub mod entity;
pub mod error;
pub mod money;
pub mod orders;
mod paging;
pub mod password;
pub mod policy;
pub mod punchout;
pub mod sso;
pub mod tenants;
pub mod users;

pub use actor::Actor;
pub use error::{DomainError, DomainResult};
pub use sea_orm::DatabaseConnection;

#[cfg(feature = "test-support")]
pub mod testing;
