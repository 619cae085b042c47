//! PostgreSQL: the counts per status are written when the transaction commits, into a slot of
//! the transaction's own. Counted inside the statement (migrations 000015 and 000020), a new
//! order locked its counter rows from its insert to its commit, so sixteen procurement systems
//! ordering for one account queued behind each other for the whole of each order's
//! transaction (142 ms of a 180 ms OrderRequest, measured with pg_stat_statements). Deferred
//! to the commit, a counter row is locked for microseconds; and a slot chosen by the
//! transaction id (not the order's id) lets concurrent transactions write different rows, while
//! every change one transaction makes lands in one slot. A slot may go below zero; only the
//! sum over the slots is a count. SQLite has one writer at a time and keeps its triggers.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

const POSTGRES_UP: &str = "
CREATE OR REPLACE FUNCTION simdesk_count_po_status() RETURNS trigger AS $$
DECLARE
  own_slot SMALLINT := (txid_current() % 16)::smallint;
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    INSERT INTO purchase_order_status_count AS c (tenant_id, account_id, status, slot, orders)
    VALUES (OLD.tenant_id, OLD.account_id, OLD.status, own_slot, -1)
    ON CONFLICT (tenant_id, account_id, status, slot) DO UPDATE SET orders = c.orders - 1;
    INSERT INTO purchase_order_tenant_status_count AS c (tenant_id, status, slot, orders)
    VALUES (OLD.tenant_id, OLD.status, own_slot, -1)
    ON CONFLICT (tenant_id, status, slot) DO UPDATE SET orders = c.orders - 1;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO purchase_order_status_count AS c (tenant_id, account_id, status, slot, orders)
    VALUES (NEW.tenant_id, NEW.account_id, NEW.status, own_slot, 1)
    ON CONFLICT (tenant_id, account_id, status, slot) DO UPDATE SET orders = c.orders + 1;
    INSERT INTO purchase_order_tenant_status_count AS c (tenant_id, status, slot, orders)
    VALUES (NEW.tenant_id, NEW.status, own_slot, 1)
    ON CONFLICT (tenant_id, status, slot) DO UPDATE SET orders = c.orders + 1;
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS purchase_order_count_written ON purchase_order;
CREATE CONSTRAINT TRIGGER purchase_order_count_written AFTER INSERT OR DELETE ON purchase_order
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION simdesk_count_po_status();
DROP TRIGGER IF EXISTS purchase_order_count_changed ON purchase_order;
CREATE CONSTRAINT TRIGGER purchase_order_count_changed
  AFTER UPDATE OF status, account_id, tenant_id ON purchase_order
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW
  WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.account_id IS DISTINCT FROM NEW.account_id
        OR OLD.tenant_id IS DISTINCT FROM NEW.tenant_id)
  EXECUTE FUNCTION simdesk_count_po_status();";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared(POSTGRES_UP)
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Postgres {
            // Back to counting in the statement, in the order's slot: 000015's triggers with
            // 000020's function.
            let db = manager.get_connection();
            db.execute_unprepared(crate::m20261206_000015_status_counts::POSTGRES_TRIGGERS)
                .await?;
            db.execute_unprepared(crate::m20261206_000020_tenant_status_counts::POSTGRES_FUNCTION)
                .await?;
        }
        Ok(())
    }
}
