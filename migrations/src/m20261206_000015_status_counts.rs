//! Purchase orders counted per tenant, account and status, kept by triggers on every insert,
//! status or account change and delete, so the counts beside a PO list are read from a few
//! rows whatever the number of orders, and no write path (services, bulk loads) can forget
//! them. Each count is split over four slots (the PO's id modulo 4) so that concurrent new
//! orders of one account rarely wait for the same counter row on PostgreSQL.

use crate::rls;
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "CREATE TABLE IF NOT EXISTS purchase_order_status_count (
    tenant_id BIGINT NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL,
    status VARCHAR(32) NOT NULL,
    slot SMALLINT NOT NULL,
    orders BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, account_id, status, slot)
)";

/// The counts of the orders already there.
const BACKFILL: &str = "INSERT INTO purchase_order_status_count
    (tenant_id, account_id, status, slot, orders)
    SELECT tenant_id, account_id, status, id % 4, count(*) FROM purchase_order
    GROUP BY tenant_id, account_id, status, id % 4";

pub(crate) const POSTGRES_TRIGGERS: &str = "
CREATE OR REPLACE FUNCTION simdesk_count_po_status() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE purchase_order_status_count SET orders = orders - 1
     WHERE tenant_id = OLD.tenant_id AND account_id = OLD.account_id
       AND status = OLD.status AND slot = OLD.id % 4;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO purchase_order_status_count AS c (tenant_id, account_id, status, slot, orders)
    VALUES (NEW.tenant_id, NEW.account_id, NEW.status, NEW.id % 4, 1)
    ON CONFLICT (tenant_id, account_id, status, slot) DO UPDATE SET orders = c.orders + 1;
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS purchase_order_count_written ON purchase_order;
CREATE TRIGGER purchase_order_count_written AFTER INSERT OR DELETE ON purchase_order
  FOR EACH ROW EXECUTE FUNCTION simdesk_count_po_status();
DROP TRIGGER IF EXISTS purchase_order_count_changed ON purchase_order;
CREATE TRIGGER purchase_order_count_changed
  AFTER UPDATE OF status, account_id, tenant_id ON purchase_order FOR EACH ROW
  WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.account_id IS DISTINCT FROM NEW.account_id
        OR OLD.tenant_id IS DISTINCT FROM NEW.tenant_id)
  EXECUTE FUNCTION simdesk_count_po_status();";

/// SQLite: counts the order `row` (`NEW`) once more, making its counter row if missing (no
/// upsert inside a trigger, whose conflict policy an outer statement's would override).
pub(crate) fn sqlite_add(row: &str) -> String {
    format!(
        "INSERT OR IGNORE INTO purchase_order_status_count (tenant_id, account_id, status, slot, orders)
         VALUES ({row}.tenant_id, {row}.account_id, {row}.status, {row}.id % 4, 0);
         UPDATE purchase_order_status_count SET orders = orders + 1
          WHERE tenant_id = {row}.tenant_id AND account_id = {row}.account_id
            AND status = {row}.status AND slot = {row}.id % 4;"
    )
}

/// SQLite: counts the order `row` (`OLD`) once less.
pub(crate) fn sqlite_remove(row: &str) -> String {
    format!(
        "UPDATE purchase_order_status_count SET orders = orders - 1
          WHERE tenant_id = {row}.tenant_id AND account_id = {row}.account_id
            AND status = {row}.status AND slot = {row}.id % 4;"
    )
}

pub(crate) fn sqlite_triggers() -> [String; 3] {
    [
        format!(
            "CREATE TRIGGER IF NOT EXISTS purchase_order_count_inserted AFTER INSERT ON purchase_order
             BEGIN {} END",
            sqlite_add("NEW")
        ),
        format!(
            "CREATE TRIGGER IF NOT EXISTS purchase_order_count_deleted AFTER DELETE ON purchase_order
             BEGIN {} END",
            sqlite_remove("OLD")
        ),
        format!(
            "CREATE TRIGGER IF NOT EXISTS purchase_order_count_changed
             AFTER UPDATE OF status, account_id, tenant_id ON purchase_order
             WHEN OLD.status IS NOT NEW.status OR OLD.account_id IS NOT NEW.account_id
                  OR OLD.tenant_id IS NOT NEW.tenant_id
             BEGIN {} {} END",
            sqlite_remove("OLD"),
            sqlite_add("NEW")
        ),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(TABLE).await?;
        db.execute_unprepared(BACKFILL).await?;
        match manager.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared(POSTGRES_TRIGGERS).await?;
                rls::ensure_app_role(manager).await?;
                rls::tenant_rls(manager, "purchase_order_status_count", "tenant_id").await
            }
            _ => {
                for trigger in sqlite_triggers() {
                    db.execute_unprepared(&trigger).await?;
                }
                Ok(())
            }
        }
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let drop = match manager.get_database_backend() {
            DbBackend::Postgres => {
                "DROP TRIGGER IF EXISTS purchase_order_count_written ON purchase_order;
                 DROP TRIGGER IF EXISTS purchase_order_count_changed ON purchase_order;
                 DROP FUNCTION IF EXISTS simdesk_count_po_status();
                 DROP TABLE IF EXISTS purchase_order_status_count;"
            }
            _ => {
                "DROP TRIGGER IF EXISTS purchase_order_count_inserted;
                 DROP TRIGGER IF EXISTS purchase_order_count_deleted;
                 DROP TRIGGER IF EXISTS purchase_order_count_changed;
                 DROP TABLE IF EXISTS purchase_order_status_count;"
            }
        };
        db.execute_unprepared(drop).await?;
        Ok(())
    }
}
