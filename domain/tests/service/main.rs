//! Service-layer tests against a real database: SQLite by default, PostgreSQL when
//! `SIMDESK_TEST_DATABASE_URL` names one. The same tests run on both.

mod accounts;
mod alarms;
mod auth;
mod buyer_parts;
mod catalog;
mod corpus;
mod dashboard;
mod intake;
mod isolation;
mod mail;
mod mailbox;
mod migrations;
mod model;
mod order_pages;
mod orders;
mod punchout;
mod regional;
mod second_factor;
mod sso;
mod support;
mod trace;
mod users;
