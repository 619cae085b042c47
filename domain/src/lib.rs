//! simdesk's service layer: entities, the authorization policy, services and the audit log.
//! Every service call takes an [`Actor`] and opens its own transaction scoped to the actor's
//! tenant; nothing here knows about HTTP, sessions or Leptos.
//!
//! Layers, lowest first. A module imports from lower layers and from its own, never in a
//! circle (`scripts/check-layers` checks every file):
//! 1. Leaves, which import no service: `error`, `money`, `email`, `timestamps`, `urls`,
//!    `secret`, `tokens`, `text`, `paging`, `password`, `db`, `delivery`, `entity`,
//!    `sign_in_limit`.
//! 2. Who acts and what they may do: `actor`, [`policy`] (the one place that decides), `audit`.
//! 3. Services of one kind of record: `users`, `tenants`, `catalog`, `accounts`, `auth`,
//!    `second_factor`, `sso`, `api_tokens` (the REST API's tokens), `idempotency` (its
//!    replayed answers), `webhooks` (subscriptions and their delivery queue),
//!    the e-mail queue, [`mail`], and `password_reset` (one-time links by e-mail).
//! 4. Purchase orders: [`orders`] (its `workflow` decides each step and what follows from it,
//!    `transition` carries it out), with the documents it queues for procurement systems in
//!    `punchout::outbox`.
//! 5. Orders from outside: procurement systems, the rest of [`punchout`]; order e-mails,
//!    [`intake`].
//! 6. Views across everything, and demo data: `dashboard`, `trace` (every message in and out),
//!    `alarms` (what went wrong with messages),
//!    `demo`.

pub mod accounts;
pub mod actor;
pub mod alarms;
pub mod api_calls;
pub mod api_tokens;
pub mod audit;
pub mod auth;
pub mod catalog;
pub mod dashboard;
pub mod db;
pub mod delivery;
pub mod demo;
pub mod email;
pub mod entity;
pub mod error;
pub mod idempotency;
pub mod intake;
pub mod mail;
pub mod mailbox;
pub mod money;
pub mod order_pages;
pub mod orders;
pub mod paging;
pub mod password;
pub mod password_reset;
pub mod policy;
pub mod punchout;
pub mod regional;
pub mod request_id;
pub mod second_factor;
pub mod secret;
pub mod sign_in_limit;
pub mod sso;
pub mod tenants;
mod text;
pub mod timestamps;
pub mod tokens;
pub mod trace;
pub mod urls;
pub mod users;
pub mod webhooks;

pub use actor::Actor;
pub use error::{DomainError, DomainResult};
pub use sea_orm::DatabaseConnection;

#[cfg(feature = "test-support")]
pub mod testing;
