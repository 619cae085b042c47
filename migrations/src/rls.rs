//! Row-level security on PostgreSQL.
//!
//! The application's transactions run as the role `simdesk_app` (`SET LOCAL ROLE`), which owns no
//! table and has no BYPASSRLS, with `app.tenant_id` set for the transaction. Work that must span
//! tenants (sign-in lookups, the platform operator, sessions) sets `app.scope = 'system'`.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

/// The role every application transaction switches to.
pub const APP_ROLE: &str = "simdesk_app";

/// Creates the application role (once per cluster) and the privileges it needs in this database.
pub async fn ensure_app_role(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    if manager.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    let db = manager.get_connection();
    // CREATE ROLE is cluster-wide and may race with another database's migration.
    db.execute_unprepared(&format!(
        "DO $$ BEGIN
           IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
             CREATE ROLE {APP_ROLE} NOLOGIN NOBYPASSRLS;
           END IF;
         EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
         END $$;"
    ))
    .await?;
    db.execute_unprepared(&format!(
        "DO $$ BEGIN
           IF NOT pg_has_role(current_user, '{APP_ROLE}', 'MEMBER') THEN
             EXECUTE format('GRANT {APP_ROLE} TO %I', current_user);
           END IF;
         END $$;
         GRANT USAGE ON SCHEMA public TO {APP_ROLE};
         GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {APP_ROLE};
         GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {APP_ROLE};"
    ))
    .await?;
    Ok(())
}

/// Enables row-level security on a table whose rows carry `tenant_id_column`.
pub async fn tenant_rls(
    manager: &SchemaManager<'_>,
    table: &str,
    tenant_id_column: &str,
) -> Result<(), DbErr> {
    if manager.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    manager
        .get_connection()
        .execute_unprepared(&format!(
            "ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;
             ALTER TABLE {table} FORCE ROW LEVEL SECURITY;
             DROP POLICY IF EXISTS tenant_isolation ON {table};
             CREATE POLICY tenant_isolation ON {table}
               USING (current_setting('app.scope', true) = 'system'
                      OR {tenant_id_column} = NULLIF(current_setting('app.tenant_id', true), '')::bigint)
               WITH CHECK (current_setting('app.scope', true) = 'system'
                      OR {tenant_id_column} = NULLIF(current_setting('app.tenant_id', true), '')::bigint);"
        ))
        .await?;
    Ok(())
}

/// Makes a table append-only on both backends: updates and deletes fail.
pub async fn append_only(manager: &SchemaManager<'_>, table: &str) -> Result<(), DbErr> {
    let db = manager.get_connection();
    match manager.get_database_backend() {
        DbBackend::Postgres => {
            db.execute_unprepared(&format!(
                "CREATE OR REPLACE FUNCTION simdesk_append_only() RETURNS trigger AS $$
                 BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$ LANGUAGE plpgsql;
                 DROP TRIGGER IF EXISTS {table}_append_only ON {table};
                 CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
                   FOR EACH ROW EXECUTE FUNCTION simdesk_append_only();
                 REVOKE UPDATE, DELETE ON {table} FROM {APP_ROLE};"
            ))
            .await?;
        }
        _ => {
            db.execute_unprepared(&format!(
                "CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table}
                   BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;
                 CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table}
                   BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;"
            ))
            .await?;
        }
    }
    Ok(())
}
