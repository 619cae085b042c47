//! HTTP-level tests against the real router on a loopback port, and of the background workers
//! against peers on loopback, with a real database (SQLite, or PostgreSQL when
//! `SIMDESK_TEST_DATABASE_URL` names one).

mod access;
mod api;
mod api_catalog;
mod catalog;
mod disk_faults;
mod mail;
mod mail_intake;
mod orders;
mod outbox;
mod plain_forms;
mod punchout;
mod request_ids;
mod second_factor;
mod shutdown;
mod sign_in;
mod site;
mod sso;
mod support;
mod webhooks;
