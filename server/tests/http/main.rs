//! HTTP-level tests against the real router on a loopback port, with a real database
//! (SQLite, or PostgreSQL when `SIMDESK_TEST_DATABASE_URL` names one).

mod access;
mod catalog;
mod orders;
mod punchout;
mod sign_in;
mod sso;
mod support;
