//! Purchase orders counted per tenant and status, beside the per-account counts of migration
//! 000015 and kept by the same triggers. The provider's inbox summed the per-account rows, so
//! its counts grew with the tenant's accounts (about 26,000 counter rows at 10,000 accounts);
//! these rows make them a few dozen whatever the accounts and orders. Each count is split over
//! sixteen slots (the PO's id modulo 16), since every account's orders of the tenant write here.

use crate::m20261206_000015_status_counts as per_account;
use crate::rls;
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "CREATE TABLE IF NOT EXISTS purchase_order_tenant_status_count (
    tenant_id BIGINT NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
    status VARCHAR(32) NOT NULL,
    slot SMALLINT NOT NULL,
    orders BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, status, slot)
)";

/// The counts of the orders already there.
const BACKFILL: &str = "INSERT INTO purchase_order_tenant_status_count
    (tenant_id, status, slot, orders)
    SELECT tenant_id, status, id % 16, count(*) FROM purchase_order
    GROUP BY tenant_id, status, id % 16";

/// The function of migration 000015's triggers, counting per tenant as well.
pub(crate) const POSTGRES_FUNCTION: &str = "
CREATE OR REPLACE FUNCTION simdesk_count_po_status() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE purchase_order_status_count SET orders = orders - 1
     WHERE tenant_id = OLD.tenant_id AND account_id = OLD.account_id
       AND status = OLD.status AND slot = OLD.id % 4;
    UPDATE purchase_order_tenant_status_count SET orders = orders - 1
     WHERE tenant_id = OLD.tenant_id AND status = OLD.status AND slot = OLD.id % 16;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO purchase_order_status_count AS c (tenant_id, account_id, status, slot, orders)
    VALUES (NEW.tenant_id, NEW.account_id, NEW.status, NEW.id % 4, 1)
    ON CONFLICT (tenant_id, account_id, status, slot) DO UPDATE SET orders = c.orders + 1;
    INSERT INTO purchase_order_tenant_status_count AS c (tenant_id, status, slot, orders)
    VALUES (NEW.tenant_id, NEW.status, NEW.id % 16, 1)
    ON CONFLICT (tenant_id, status, slot) DO UPDATE SET orders = c.orders + 1;
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql;";

/// SQLite: the tenant's count of the order `row` (`NEW`) once more, its row made if missing.
fn sqlite_add(row: &str) -> String {
    format!(
        "INSERT OR IGNORE INTO purchase_order_tenant_status_count (tenant_id, status, slot, orders)
         VALUES ({row}.tenant_id, {row}.status, {row}.id % 16, 0);
         UPDATE purchase_order_tenant_status_count SET orders = orders + 1
          WHERE tenant_id = {row}.tenant_id AND status = {row}.status AND slot = {row}.id % 16;"
    )
}

/// SQLite: the tenant's count of the order `row` (`OLD`) once less.
fn sqlite_remove(row: &str) -> String {
    format!(
        "UPDATE purchase_order_tenant_status_count SET orders = orders - 1
          WHERE tenant_id = {row}.tenant_id AND status = {row}.status AND slot = {row}.id % 16;"
    )
}

/// SQLite has no CREATE OR REPLACE TRIGGER: 000015's three give way to these, which count
/// per account (as before) and per tenant.
fn sqlite_triggers() -> [String; 3] {
    [
        format!(
            "CREATE TRIGGER IF NOT EXISTS purchase_order_count_inserted AFTER INSERT ON purchase_order
             BEGIN {} {} END",
            per_account::sqlite_add("NEW"),
            sqlite_add("NEW")
        ),
        format!(
            "CREATE TRIGGER IF NOT EXISTS purchase_order_count_deleted AFTER DELETE ON purchase_order
             BEGIN {} {} END",
            per_account::sqlite_remove("OLD"),
            sqlite_remove("OLD")
        ),
        format!(
            "CREATE TRIGGER IF NOT EXISTS purchase_order_count_changed
             AFTER UPDATE OF status, account_id, tenant_id ON purchase_order
             WHEN OLD.status IS NOT NEW.status OR OLD.account_id IS NOT NEW.account_id
                  OR OLD.tenant_id IS NOT NEW.tenant_id
             BEGIN {} {} {} {} END",
            per_account::sqlite_remove("OLD"),
            sqlite_remove("OLD"),
            per_account::sqlite_add("NEW"),
            sqlite_add("NEW")
        ),
    ]
}

const SQLITE_DROP_TRIGGERS: &str = "DROP TRIGGER IF EXISTS purchase_order_count_inserted;
     DROP TRIGGER IF EXISTS purchase_order_count_deleted;
     DROP TRIGGER IF EXISTS purchase_order_count_changed;";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(TABLE).await?;
        db.execute_unprepared(BACKFILL).await?;
        match manager.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared(POSTGRES_FUNCTION).await?;
                rls::ensure_app_role(manager).await?;
                rls::tenant_rls(manager, "purchase_order_tenant_status_count", "tenant_id").await
            }
            _ => {
                db.execute_unprepared(SQLITE_DROP_TRIGGERS).await?;
                for trigger in sqlite_triggers() {
                    db.execute_unprepared(&trigger).await?;
                }
                Ok(())
            }
        }
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared(per_account::POSTGRES_TRIGGERS)
                    .await?;
            }
            _ => {
                db.execute_unprepared(SQLITE_DROP_TRIGGERS).await?;
                for trigger in per_account::sqlite_triggers() {
                    db.execute_unprepared(&trigger).await?;
                }
            }
        }
        db.execute_unprepared("DROP TABLE IF EXISTS purchase_order_tenant_status_count")
            .await?;
        Ok(())
    }
}
