//! The schema, as one ordered list of migrations that run on SQLite and PostgreSQL alike.
//! PostgreSQL additionally gets row-level security on every tenant-owned table (see
//! `postgres_tenant_rls`), as defence in depth behind the service layer's own scoping.

pub use sea_orm_migration::prelude::*;

mod columns;
mod m20261121_000001_foundation;
mod m20261121_000002_catalog;
mod m20261121_000003_purchase_orders;
mod m20261121_000004_single_sign_on;
mod m20261121_000005_punchout;
mod m20261121_000006_cxml_outbox;
mod m20261121_000007_oci;
mod m20261203_000008_mail_delivery;
mod m20261203_000009_inbound_email;
mod m20261204_000010_order_mailbox;
mod m20261206_000011_dashboards;
mod m20261206_000012_second_factor;
mod m20261206_000013_sign_in_limit;
mod m20261206_000014_request_ids;
mod m20261206_000015_status_counts;
mod m20261206_000016_api_tokens;
mod m20261206_000017_webhooks;
mod m20261206_000018_idempotent_outcomes;
mod m20261206_000019_api_calls;
mod m20261206_000020_tenant_status_counts;
mod m20261206_000021_counts_at_commit;
mod m20261207_000022_regional;
pub mod rls;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261121_000001_foundation::Migration),
            Box::new(m20261121_000002_catalog::Migration),
            Box::new(m20261121_000003_purchase_orders::Migration),
            Box::new(m20261121_000004_single_sign_on::Migration),
            Box::new(m20261121_000005_punchout::Migration),
            Box::new(m20261121_000006_cxml_outbox::Migration),
            Box::new(m20261121_000007_oci::Migration),
            Box::new(m20261203_000008_mail_delivery::Migration),
            Box::new(m20261203_000009_inbound_email::Migration),
            Box::new(m20261204_000010_order_mailbox::Migration),
            Box::new(m20261206_000011_dashboards::Migration),
            Box::new(m20261206_000012_second_factor::Migration),
            Box::new(m20261206_000013_sign_in_limit::Migration),
            Box::new(m20261206_000014_request_ids::Migration),
            Box::new(m20261206_000015_status_counts::Migration),
            Box::new(m20261206_000016_api_tokens::Migration),
            Box::new(m20261206_000017_webhooks::Migration),
            Box::new(m20261206_000018_idempotent_outcomes::Migration),
            Box::new(m20261206_000019_api_calls::Migration),
            Box::new(m20261206_000020_tenant_status_counts::Migration),
            Box::new(m20261206_000021_counts_at_commit::Migration),
            Box::new(m20261207_000022_regional::Migration),
        ]
    }
}
